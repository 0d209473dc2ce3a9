/*
 * pcap_writer.c: classic libpcap capture files (pcap_writer.h has the layout).
 *
 * The headers are built as byte arrays in host order rather than written as structs, so
 * no padding or packing question arises; on x86_64 that order is little-endian, which
 * the magic tells readers.
 */
#include "pcap_writer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PCAP_MAGIC_NS       0xa1b23c4du /* nanosecond timestamps */
#define PCAP_VERSION_MAJOR  2
#define PCAP_VERSION_MINOR  4
#define PCAP_LINKTYPE_ETHER 1
#define PCAP_GLOBAL_LEN     24
#define PCAP_RECORD_LEN     16
/* Big enough that a busy guest's frames reach the disk in few write(2)s. */
#define PCAP_BUFFER_SIZE (256u * 1024)
#define NS_PER_SEC       1000000000ull

static void put16(uint8_t *p, uint16_t v)
{
    memcpy(p, &v, sizeof(v));
}

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, sizeof(v));
}

/* Writes n bytes unless the writer has failed; the first failure is kept in error. */
static void put(struct pcap_writer *w, const void *data, size_t n)
{
    if (w->error)
        return;
    if (n && fwrite(data, 1, n, w->file) != n)
        w->error = errno ? errno : EIO;
}

int pcap_writer_open(struct pcap_writer *w, const char *path, uint32_t snaplen, char *err,
                     size_t errlen)
{
    *w = (struct pcap_writer){0};
    if (snaplen == 0 || snaplen > PCAP_WRITER_MAX_SNAPLEN)
        snaplen = PCAP_WRITER_MAX_SNAPLEN;
    FILE *f = fopen(path, "wb");
    if (!f) {
        snprintf(err, errlen, "cannot create pcap file %s: %s", path, strerror(errno));
        return -1;
    }
    /* Without our own buffer glibc picks st_blksize (4 KiB): a write(2) every few frames.
     * Should the allocation fail, stdio's buffer still works, only slower. */
    void *buffer = malloc(PCAP_BUFFER_SIZE);
    if (buffer && setvbuf(f, buffer, _IOFBF, PCAP_BUFFER_SIZE) != 0) {
        free(buffer);
        buffer = NULL;
    }
    w->file = f;
    w->buffer = buffer;
    w->snaplen = snaplen;

    uint8_t h[PCAP_GLOBAL_LEN];
    put32(h, PCAP_MAGIC_NS);
    put16(h + 4, PCAP_VERSION_MAJOR);
    put16(h + 6, PCAP_VERSION_MINOR);
    put32(h + 8, 0);  /* thiszone: timestamps are UTC */
    put32(h + 12, 0); /* sigfigs: always 0 in practice */
    put32(h + 16, snaplen);
    put32(h + 20, PCAP_LINKTYPE_ETHER);
    errno = 0;
    put(w, h, sizeof(h));
    /* A file that is not even a pcap yet is better reported now than at the first flush. */
    if (!w->error && fflush(f) != 0)
        w->error = errno ? errno : EIO;
    if (w->error) {
        snprintf(err, errlen, "cannot create pcap file %s: %s", path, strerror(w->error));
        fclose(f);
        free(buffer);
        *w = (struct pcap_writer){0};
        return -1;
    }
    return 0;
}

void pcap_writer_frame(struct pcap_writer *w, uint64_t realtime_ns, const void *frame, size_t len)
{
    if (!w->file || w->error)
        return;
    uint32_t caplen = len < w->snaplen ? (uint32_t)len : w->snaplen;
    uint8_t h[PCAP_RECORD_LEN];
    /* Seconds wrap in 2106, as the format's 32-bit field does for every writer. */
    put32(h, (uint32_t)(realtime_ns / NS_PER_SEC));
    put32(h + 4, (uint32_t)(realtime_ns % NS_PER_SEC));
    put32(h + 8, caplen);
    put32(h + 12, len > UINT32_MAX ? UINT32_MAX : (uint32_t)len);
    errno = 0;
    put(w, h, sizeof(h));
    put(w, frame, caplen);
    if (!w->error)
        w->frames++;
}

int pcap_writer_flush(struct pcap_writer *w)
{
    if (!w->file)
        return -1;
    if (w->error)
        return -1;
    errno = 0;
    if (fflush(w->file) != 0) {
        w->error = errno ? errno : EIO;
        return -1;
    }
    return 0;
}

int pcap_writer_close(struct pcap_writer *w)
{
    if (!w->file)
        return w->error ? -1 : 0;
    if (!w->error)
        pcap_writer_flush(w);
    /* After a failed write stdio may still hold bytes; fclose would try them again, and
     * may fail again, which changes nothing: error already says what went wrong. */
    errno = 0;
    if (fclose(w->file) != 0 && !w->error)
        w->error = errno ? errno : EIO;
    w->file = NULL;
    free(w->buffer);
    w->buffer = NULL;
    return w->error ? -1 : 0;
}
