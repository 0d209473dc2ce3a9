/*
 * frame_decode.h: a one-line, tcpdump-like summary of an Ethernet frame, for a debugger
 * that shows the guest's recent network traffic.
 *
 * The line is
 *
 *     SRCMAC > DSTMAC, PAYLOAD, WIRE_LEN bytes
 *
 * with MACs as lowercase xx:xx:xx:xx:xx:xx, and PAYLOAD one of
 *
 *     ARP who-has 10.0.0.2 tell 10.0.0.1
 *     ARP reply 10.0.0.2 is-at 02:00:00:00:00:01
 *     ARP op N                          other operations
 *     ARP op N (hrd N pro 0xNNNN hln N pln N)   not Ethernet/IPv4
 *     IPv4 10.0.0.1 > 10.0.0.2 ICMP echo request id N seq N
 *     IPv4 10.0.0.1 > 10.0.0.2 ICMP echo reply id N seq N
 *     IPv4 10.0.0.1 > 10.0.0.2 ICMP type N code N
 *     IPv4 10.0.0.1.5353 > 10.0.0.2.53 UDP len N
 *     IPv4 10.0.0.1.40000 > 10.0.0.2.80 TCP [S.] seq N ack N win N len N
 *     IPv4 10.0.0.1 > 10.0.0.2 proto N
 *     IPv4 10.0.0.1 > 10.0.0.2 frag off N proto N
 *     IPv4 (bad header)
 *     IPv6 fe80::1 > ff02::1 next-header N
 *     vlan N, PAYLOAD                   802.1Q (0x8100) and 802.1ad (0x88a8) tags
 *     ethertype 0xNNNN                  anything else
 *
 * UDP and TCP put the ports after the addresses, tcpdump's addr.port form. Numbers are
 * decimal and unsigned, as on the wire. UDP's len is its payload (the UDP length field
 * less its 8-byte header); TCP's len is its payload by the IPv4 total length, and is left
 * out when that length and the header lengths disagree. TCP's ack is printed only with the
 * ACK flag, and its flags are tcpdump's letters in tcpdump's order, F S R P . U E W
 * ("[none]" when none is set). "frag off" is the byte offset of a non-first fragment,
 * which carries no L4 header. "(bad header)" means an IPv4 version or header length that
 * cannot be, or a total length shorter than the header.
 *
 * Only a prefix of a frame may have been kept (caplen < wire_len). Where the bytes a
 * field needs are missing, the decode stops there with " [truncated]" (an IPv4 header or
 * L4 header that runs past the IPv4 total length counts as truncated too); the wire
 * length still ends the line:
 *
 *     02:00:00:00:00:01 > 02:00:00:00:00:02, IPv4 10.0.0.1 > 10.0.0.2 TCP [truncated], 74 bytes
 *     ethernet [truncated], 98 bytes    fewer than 14 bytes kept of a longer frame
 *     runt frame, 9 bytes               a frame shorter than an Ethernet header
 */
#ifndef UKVM_FRAME_DECODE_H
#define UKVM_FRAME_DECODE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Writes the summary line of the frame whose first caplen bytes are at frame (wire_len
 * bytes long on the wire; a caplen above wire_len counts as wire_len) into out, always
 * NUL-terminated and truncated to outlen (with outlen 0 nothing is written). Reads no
 * byte at or past frame + caplen, whatever the headers' length fields say; frame may be
 * NULL when caplen is 0. Returns strlen(out).
 */
size_t frame_decode(const uint8_t *frame, size_t caplen, size_t wire_len, char *out, size_t outlen);

#endif /* UKVM_FRAME_DECODE_H */
