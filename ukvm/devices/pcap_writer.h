/*
 * pcap_writer.h: a capture of the guest's network frames, as a classic libpcap file
 * that tcpdump -r and Wireshark read.
 *
 * The file is the 24-byte global header (magic 0xa1b23c4d: nanosecond timestamps;
 * version 2.4; thiszone and sigfigs 0; the snaplen; link type 1, Ethernet), then one
 * record per frame: a 16-byte header (seconds, nanoseconds, the bytes kept, the frame's
 * length) and the first min(length, snaplen) bytes of the frame. Every field is written
 * in the host's byte order, which readers tell from the magic; ukvm runs on x86_64 only,
 * so the files are little-endian.
 *
 * Frames are written on the guest's packet path, so they go through a large stdio
 * buffer and cost a memcpy each; pcap_writer_flush() is what makes them visible to a
 * reader of the file (when the guest stops in a debugger, and at its end).
 */
#ifndef UKVM_PCAP_WRITER_H
#define UKVM_PCAP_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* libpcap refuses records longer than this (its MAXIMUM_SNAPLEN); so does the writer. */
#define PCAP_WRITER_MAX_SNAPLEN 262144u

struct pcap_writer {
    FILE *file;       /* NULL when not open */
    uint32_t snaplen; /* the most bytes kept of a frame */
    uint64_t frames;  /* records written (into the buffer, at least) */
    int error;        /* errno of the first failed write, 0 if none */
    void *buffer;     /* the file's stdio buffer, freed on close; NULL for stdio's own */
};

/*
 * Creates or truncates path (fopen "wb": mode 0666 less the umask, so usually 0644) and
 * writes the global header with snaplen (0, or more than PCAP_WRITER_MAX_SNAPLEN, means
 * PCAP_WRITER_MAX_SNAPLEN). Returns 0, or -1 with "cannot create pcap file PATH: REASON"
 * in err (truncated to errlen) and *w left closed, as a zeroed writer is.
 */
int pcap_writer_open(struct pcap_writer *w, const char *path, uint32_t snaplen, char *err,
                     size_t errlen);

/*
 * Appends one record for the len-byte frame seen at realtime_ns (nanoseconds since the
 * Unix epoch, CLOCK_REALTIME): the first min(len, snaplen) bytes, with len as the
 * frame's length (lengths past 4 GiB are recorded as UINT32_MAX). Does nothing on a
 * writer that is not open or has failed; the first failed write sets error, and no
 * further record is written after it.
 */
void pcap_writer_frame(struct pcap_writer *w, uint64_t realtime_ns, const void *frame, size_t len);

/*
 * Writes out the buffered records. Returns 0, or -1 when this or an earlier write failed
 * (error says why) or the writer is not open.
 */
int pcap_writer_flush(struct pcap_writer *w);

/*
 * Flushes and closes the file and frees the buffer, leaving *w closed (file NULL) with
 * its counters. Returns 0, or -1 when a write or the close failed (error is then set).
 * Safe on a zeroed or closed writer (returns 0 unless error is set).
 */
int pcap_writer_close(struct pcap_writer *w);

#endif /* UKVM_PCAP_WRITER_H */
