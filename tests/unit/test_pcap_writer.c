/*
 * test_pcap_writer.c: pcap capture files (ukvm/devices/pcap_writer.h), written and read
 * back byte by byte: the global header, each record's header and body (one frame longer
 * than the snaplen), the snaplen limits, buffering until a flush, failed creates and
 * failed writes, and a writer that was never opened.
 *
 * With UKVM_PCAP_SAMPLE=PATH it also writes PATH: an ARP request and a 98-byte ICMP echo
 * request cut at a 64-byte snaplen, at known times, which tests/scripts/pcap_tcpdump.sh
 * has tcpdump read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ukvm/devices/pcap_writer.h"
#include "unit.h"

static char dir[64];
static char path[128];

/* Little-endian fields, read byte by byte, whatever the host's order. */
static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* The whole file at path into buf; returns its size, or -1. */
static long slurp(const char *p, uint8_t *buf, size_t size)
{
    FILE *f = fopen(p, "rb");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, size, f);
    fclose(f);
    return (long)n;
}

static long file_size(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 ? (long)st.st_size : -1;
}

/* A frame of len bytes whose byte i is (seed + i) & 0xff. */
static void fill(uint8_t *f, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++)
        f[i] = (uint8_t)(seed + i);
}

UNIT_TEST(records_read_back)
{
    struct pcap_writer w;
    char err[256] = "";
    CHECK(pcap_writer_open(&w, path, 64, err, sizeof(err)) == 0);
    CHECK_EQ_U64(w.snaplen, 64);
    uint8_t f1[42], f2[98], f3[64];
    fill(f1, sizeof(f1), 1);
    fill(f2, sizeof(f2), 2);
    fill(f3, sizeof(f3), 3);
    pcap_writer_frame(&w, 1700000000123456789ull, f1, sizeof(f1));
    pcap_writer_frame(&w, 1700000001000000042ull, f2, sizeof(f2)); /* past the snaplen */
    pcap_writer_frame(&w, 999999999ull, f3, sizeof(f3));           /* exactly the snaplen */
    CHECK_EQ_U64(w.frames, 3);
    CHECK(pcap_writer_close(&w) == 0);
    CHECK(w.file == NULL && w.error == 0 && w.frames == 3);

    uint8_t b[1024];
    long size = slurp(path, b, sizeof(b));
    CHECK_EQ_U64(size, 24 + (16 + 42) + (16 + 64) + (16 + 64));
    static const uint8_t global[24] = {
        0x4d, 0x3c, 0xb2, 0xa1, /* magic 0xa1b23c4d, little-endian: nanoseconds */
        2,    0,    4,    0,    /* version 2.4 */
        0,    0,    0,    0,    /* thiszone */
        0,    0,    0,    0,    /* sigfigs */
        64,   0,    0,    0,    /* snaplen */
        1,    0,    0,    0,    /* LINKTYPE_ETHERNET */
    };
    CHECK(memcmp(b, global, sizeof(global)) == 0);

    const uint8_t *r = b + 24;
    CHECK_EQ_U64(le32(r), 1700000000);
    CHECK_EQ_U64(le32(r + 4), 123456789);
    CHECK_EQ_U64(le32(r + 8), 42);
    CHECK_EQ_U64(le32(r + 12), 42);
    CHECK(memcmp(r + 16, f1, 42) == 0);
    r += 16 + 42;
    CHECK_EQ_U64(le32(r), 1700000001);
    CHECK_EQ_U64(le32(r + 4), 42);
    CHECK_EQ_U64(le32(r + 8), 64);
    CHECK_EQ_U64(le32(r + 12), 98);
    CHECK(memcmp(r + 16, f2, 64) == 0);
    r += 16 + 64;
    CHECK_EQ_U64(le32(r), 0);
    CHECK_EQ_U64(le32(r + 4), 999999999);
    CHECK_EQ_U64(le32(r + 8), 64);
    CHECK_EQ_U64(le32(r + 12), 64);
    CHECK(memcmp(r + 16, f3, 64) == 0);
    CHECK(r + 16 + 64 == b + size);
}

UNIT_TEST(snaplen_limits)
{
    uint8_t b[64];
    struct pcap_writer w;
    char err[256];
    const uint32_t sizes[] = {0, PCAP_WRITER_MAX_SNAPLEN + 1, UINT32_MAX};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        CHECK(pcap_writer_open(&w, path, sizes[i], err, sizeof(err)) == 0);
        CHECK_EQ_U64(w.snaplen, PCAP_WRITER_MAX_SNAPLEN);
        CHECK(pcap_writer_close(&w) == 0);
        CHECK_EQ_U64(slurp(path, b, sizeof(b)), 24);
        CHECK_EQ_U64(le32(b + 16), 262144);
        CHECK_EQ_U64(le16(b + 4), 2);
        CHECK_EQ_U64(le16(b + 6), 4);
    }
    CHECK(pcap_writer_open(&w, path, 1, err, sizeof(err)) == 0);
    uint8_t f[60];
    fill(f, sizeof(f), 9);
    pcap_writer_frame(&w, 0, f, sizeof(f));
    pcap_writer_frame(&w, 0, NULL, 0); /* an empty record is still a record */
    CHECK(pcap_writer_close(&w) == 0);
    CHECK_EQ_U64(slurp(path, b, sizeof(b)), 24 + 17 + 16);
    CHECK_EQ_U64(le32(b + 24 + 8), 1);
    CHECK_EQ_U64(le32(b + 24 + 12), 60);
    CHECK_EQ_U64(b[24 + 16], f[0]);
    CHECK_EQ_U64(le32(b + 41 + 8), 0);
    CHECK_EQ_U64(le32(b + 41 + 12), 0);
}

UNIT_TEST(buffered_until_flush)
{
    struct pcap_writer w;
    char err[256];
    CHECK(pcap_writer_open(&w, path, 1514, err, sizeof(err)) == 0);
    /* The header is on disk at once: a reader opening the file early sees a pcap. */
    CHECK_EQ_U64(file_size(path), 24);
    uint8_t f[1514];
    fill(f, sizeof(f), 0);
    for (int i = 0; i < 100; i++)
        pcap_writer_frame(&w, (uint64_t)i, f, sizeof(f));
    /* 100 frames fit the buffer: no write(2) on the packet path yet. */
    CHECK_EQ_U64(file_size(path), 24);
    CHECK(pcap_writer_flush(&w) == 0);
    CHECK_EQ_U64(file_size(path), 24 + 100 * (16 + 1514));
    CHECK(pcap_writer_close(&w) == 0);
    /* Opening again truncates. */
    CHECK(pcap_writer_open(&w, path, 1514, err, sizeof(err)) == 0);
    CHECK_EQ_U64(file_size(path), 24);
    CHECK(pcap_writer_close(&w) == 0);
}

UNIT_TEST(create_fails)
{
    struct pcap_writer w;
    memset(&w, 0xa5, sizeof(w));
    char err[256] = "";
    char bad[192];
    snprintf(bad, sizeof(bad), "%s/no-such-dir/x.pcap", dir);
    CHECK(pcap_writer_open(&w, bad, 64, err, sizeof(err)) == -1);
    char want[320];
    snprintf(want, sizeof(want), "cannot create pcap file %s: %s", bad, strerror(ENOENT));
    CHECK(strcmp(err, want) == 0);
    CHECK(w.file == NULL && w.buffer == NULL);
    CHECK(pcap_writer_close(&w) == 0);
    /* A device that takes no byte fails at once, not at the first flush. */
    if (access("/dev/full", W_OK) == 0) {
        CHECK(pcap_writer_open(&w, "/dev/full", 64, err, sizeof(err)) == -1);
        CHECK(strcmp(err, "cannot create pcap file /dev/full: No space left on device") == 0);
        CHECK(w.file == NULL);
    }
    /* A message longer than err is cut, still terminated. */
    char small[16];
    CHECK(pcap_writer_open(&w, bad, 64, small, sizeof(small)) == -1);
    CHECK(strcmp(small, "cannot create p") == 0);
}

UNIT_TEST(write_fails)
{
    if (access("/dev/full", W_OK) != 0) {
        printf("SKIP write_fails: no /dev/full to fail writes with\n");
        unit_current_failed = 1; /* no PASS line either */
        return;
    }
    struct pcap_writer w;
    char err[256];
    CHECK(pcap_writer_open(&w, path, 1514, err, sizeof(err)) == 0);
    /* From now on every write(2) of the file fails with ENOSPC. */
    int full = open("/dev/full", O_WRONLY);
    CHECK(full >= 0);
    CHECK(dup2(full, fileno(w.file)) >= 0);
    close(full);
    uint8_t f[1514] = {0};
    pcap_writer_frame(&w, 1, f, sizeof(f));
    CHECK_EQ_U64(w.frames, 1); /* buffered, not yet known to fail */
    CHECK(pcap_writer_flush(&w) == -1);
    CHECK_EQ_U64(w.error, ENOSPC);
    /* Once failed, nothing more is written or counted, and the first error stays. */
    for (int i = 0; i < 500; i++)
        pcap_writer_frame(&w, 2, f, sizeof(f));
    CHECK_EQ_U64(w.frames, 1);
    CHECK(pcap_writer_flush(&w) == -1);
    CHECK(pcap_writer_close(&w) == -1);
    CHECK_EQ_U64(w.error, ENOSPC);
    CHECK(w.file == NULL && w.buffer == NULL);
    CHECK(pcap_writer_close(&w) == -1); /* closed, but still failed */
}

UNIT_TEST(unopened_writer)
{
    struct pcap_writer w = {0};
    uint8_t f[60] = {0};
    pcap_writer_frame(&w, 1, f, sizeof(f));
    CHECK_EQ_U64(w.frames, 0);
    CHECK(pcap_writer_flush(&w) == -1);
    CHECK_EQ_U64(w.error, 0);
    CHECK(pcap_writer_close(&w) == 0);
    CHECK(pcap_writer_close(&w) == 0);
}

/* The sample for tcpdump: its lines are pinned in tests/scripts/pcap_tcpdump.sh. */
static int write_sample(const char *out)
{
    static const uint8_t arp_request[42] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06,
        0x00, 0x01, 0x08, 0x00, 6,    4,    0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
        10,   0,    0,    1,    0,    0,    0,    0,    0,    0,    10,   0,    0,    2,
    };
    uint8_t echo[98] = {
        0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
        /* IPv4: total length 84, DF, TTL 64, ICMP, 10.0.0.1 > 10.0.0.2 */
        0x45, 0x00, 0x00, 84, 0x12, 0x34, 0x40, 0x00, 64, 1, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        /* echo request, id 7, seq 1 */
        8, 0, 0, 0, 0, 7, 0, 1};
    struct pcap_writer w;
    char err[256];
    if (pcap_writer_open(&w, out, 64, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    pcap_writer_frame(&w, 1700000000123456789ull, arp_request, sizeof(arp_request));
    pcap_writer_frame(&w, 1700000001000000042ull, echo, sizeof(echo));
    return pcap_writer_close(&w);
}

int main(void)
{
    snprintf(dir, sizeof(dir), "/tmp/ukvm-pcap-test.XXXXXX");
    if (!mkdtemp(dir)) {
        printf("FAIL setup: mkdtemp\n");
        return 1;
    }
    snprintf(path, sizeof(path), "%s/capture.pcap", dir);
    UNIT_RUN(records_read_back);
    UNIT_RUN(snaplen_limits);
    UNIT_RUN(buffered_until_flush);
    UNIT_RUN(create_fails);
    UNIT_RUN(write_fails);
    UNIT_RUN(unopened_writer);
    unlink(path);
    rmdir(dir);
    const char *sample = getenv("UKVM_PCAP_SAMPLE");
    if (sample && write_sample(sample) != 0) {
        printf("FAIL sample: cannot write %s\n", sample);
        return 1;
    }
    return UNIT_EXIT_STATUS();
}
