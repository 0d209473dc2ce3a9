/*
 * hvt_blk: block devices through the manifest and the BLOCK_WRITE / BLOCK_READ hypercalls.
 *
 * The manifest declares two block devices, "storage" (handle 1) and "scratch" (handle 2);
 * the monitor must attach both (--block:storage=FILE --block:scratch=FILE). Command-line
 * words:
 *   storage=CAP/BS, scratch=CAP/BS   the capacity and block size the monitor must write
 *                                    into the manifest (--block-sector-size:NAME=BS)
 *   align=refuse (default)           misaligned offsets and lengths must be refused with
 *                                    HVT_R_EINVAL (ukvm); align=any accepts HVT_R_OK too
 *                                    (solo5-hvt leaves alignment to Solo5's bindings, in
 *                                    the guest, and serves any offset and length)
 *
 * Checks, in order: the monitor's manifest copy (entry 0 reserved and not attached, both
 * devices attached with the expected capacity and block size); block 0 of storage holds
 * the "hvt-blk-seed" the spec's SETUP wrote; a write/read round trip on storage block 1 and
 * on scratch's last block; requests refused with HVT_R_EINVAL: past the end, straddling the
 * end, handle 0 (the reserved entry), handles 3 (= entries), 64 and ~0, misaligned offset
 * and length; then the round-trip data is still intact. A failed check prints "FAIL: ..."
 * and exits 99.
 */
#include "hvt_rt.h"

HVT_MANIFEST(3, HVT_MFT_RESERVED, HVT_MFT_BLOCK("storage"), HVT_MFT_BLOCK("scratch"));

#define STORAGE 1
#define SCRATCH 2
#define MAX_BS  4096

static uint8_t wbuf[2 * MAX_BS], rbuf[2 * MAX_BS];
static int align_any;

static const char *result_name(int r)
{
    switch (r) {
    case HVT_R_OK:
        return "OK";
    case HVT_R_AGAIN:
        return "AGAIN";
    case HVT_R_EINVAL:
        return "EINVAL";
    case HVT_R_EUNSPEC:
        return "EUNSPEC";
    }
    return "(not a result)";
}

static void fill(uint8_t *p, uint64_t n, unsigned seed)
{
    for (uint64_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 7 + seed);
}

/* The device entry for handle h, checked against the expected "CAP/BS" word. */
static const struct hvt_mft_entry *check_device(uint64_t h, const char *name)
{
    const struct hvt_mft_entry *e = &hvt_manifest()->e[h];
    const char *want = hvt_arg(name);
    const char *p;

    if (!want)
        hvt_fail("no %s=CAP/BS on the command line", name);
    uint64_t cap = hvt_parse_u64(want, &p);
    uint64_t bs = *p == '/' ? hvt_parse_u64(p + 1, NULL) : 512;
    if (hvt_strcmp(e->name, name) != 0 || e->type != HVT_MFT_BLOCK_BASIC)
        hvt_fail("manifest entry %lu is '%s' of type %u", h, e->name, e->type);
    if (e->attached != 1)
        hvt_fail("%s: attached is %u in the monitor's manifest", name, e->attached);
    if (e->u.block.capacity != cap || e->u.block.block_size != bs)
        hvt_fail("%s: capacity %lu block_size %u, expected %lu and %lu", name, e->u.block.capacity,
                 e->u.block.block_size, cap, bs);
    if (bs > MAX_BS)
        hvt_fail("%s: block size %lu is more than this test handles", name, bs);
    hvt_printf("%s: handle %lu, capacity %lu, block_size %lu\n", name, h, cap, bs);
    return e;
}

static void expect(const char *what, int got, int want)
{
    if (got != want)
        hvt_fail("%s: ret %s (%d), expected %s", what, result_name(got), got, result_name(want));
}

/* A request that must be refused: EINVAL, and a read must leave the buffer alone. */
static void refused(const char *what, int write, uint64_t h, uint64_t off, uint64_t len)
{
    rbuf[0] = 0xa5;
    int r = write ? hvt_block_write(h, off, wbuf, len) : hvt_block_read(h, off, rbuf, len);
    expect(what, r, HVT_R_EINVAL);
    if (!write && rbuf[0] != 0xa5)
        hvt_fail("%s: refused, but the buffer changed", what);
}

/* A misaligned request: refused (align=refuse), or either outcome (align=any). */
static void misaligned(const char *what, int write, uint64_t off, uint64_t len)
{
    int r =
        write ? hvt_block_write(STORAGE, off, wbuf, len) : hvt_block_read(STORAGE, off, rbuf, len);
    hvt_printf("%s: %s\n", what, result_name(r));
    if (!align_any)
        expect(what, r, HVT_R_EINVAL);
    else if (r != HVT_R_OK && r != HVT_R_EINVAL)
        expect(what, r, HVT_R_EINVAL);
}

static void round_trip(const char *what, uint64_t h, uint64_t off, uint64_t bs, unsigned seed)
{
    fill(wbuf, bs, seed);
    expect(what, hvt_block_write(h, off, wbuf, bs), HVT_R_OK);
    fill(rbuf, bs, seed + 1);
    expect(what, hvt_block_read(h, off, rbuf, bs), HVT_R_OK);
    if (memcmp(wbuf, rbuf, bs) != 0)
        hvt_fail("%s: read back other data than written", what);
}

int hvt_main(const struct hvt_boot_info *bi)
{
    (void)bi;
    const struct hvt_mft *m = hvt_manifest();

    align_any = hvt_has_word("align=any");
    if (m->entries != 3)
        hvt_fail("manifest has %u entries, expected 3", m->entries);
    HVT_CHECK(m->e[0].type == HVT_MFT_RESERVED_FIRST && m->e[0].attached == 0);
    HVT_CHECK(hvt_own_manifest()->e[STORAGE].attached == 0); /* the file's copy: untouched */
    const struct hvt_mft_entry *st = check_device(STORAGE, "storage");
    const struct hvt_mft_entry *sc = check_device(SCRATCH, "scratch");
    uint64_t bs = st->u.block.block_size, cap = st->u.block.capacity;
    uint64_t sbs = sc->u.block.block_size, scap = sc->u.block.capacity;

    expect("read storage block 0", hvt_block_read(STORAGE, 0, rbuf, bs), HVT_R_OK);
    if (memcmp(rbuf, "hvt-blk-seed", 12) != 0)
        hvt_fail("storage block 0 does not start with the seed the spec wrote");
    round_trip("storage block 1", STORAGE, bs, bs, 1);
    round_trip("scratch last block", SCRATCH, scap - sbs, sbs, 2);
    hvt_puts("round trips: OK\n");

    refused("read at capacity", 0, STORAGE, cap, bs);
    refused("write at capacity", 1, STORAGE, cap, bs);
    refused("read across the end", 0, STORAGE, cap - bs, 2 * bs);
    refused("write across the end", 1, SCRATCH, scap - sbs, 2 * sbs);
    refused("read handle 0", 0, 0, 0, bs);
    refused("write handle 0", 1, 0, 0, bs);
    refused("read handle 3", 0, 3, 0, bs);
    refused("write handle 64", 1, 64, 0, bs);
    refused("read handle ~0", 0, ~0ull, 0, bs);
    hvt_puts("refusals: OK\n");

    misaligned("read at a misaligned offset", 0, 2 * bs + 1, bs);
    misaligned("write at a misaligned offset", 1, 2 * bs + 1, bs);
    misaligned("read of a misaligned length", 0, 2 * bs, bs / 2);
    misaligned("write of a misaligned length", 1, 2 * bs, bs / 2);

    /* Nothing refused was written: block 1 still holds the round trip's data. */
    fill(wbuf, bs, 1);
    expect("read storage block 1 again", hvt_block_read(STORAGE, bs, rbuf, bs), HVT_R_OK);
    if (memcmp(wbuf, rbuf, bs) != 0)
        hvt_fail("storage block 1 changed");
    hvt_puts("SUCCESS\n");
    return 0;
}
