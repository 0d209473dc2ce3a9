/*
 * test_devices: many block devices and their block sizes, as solo5-hvt's options give them.
 *
 * The command line lists NAME:BLOCK_SIZE:CAPACITY words. Each device must be acquirable
 * once with exactly that geometry; on each, one block is written at the last block and
 * read back, and a request of half a block must be refused (SOLO5_R_EINVAL).
 */
#include "solo5.h"

static void puts(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    solo5_console_write(s, n);
}

static int fail(const char *why, const char *name)
{
    puts("FAILURE: ");
    puts(why);
    puts(": ");
    puts(name);
    puts("\n");
    return 1;
}

/* Parses a decimal number ending at (*p)'s next ':' or blank; advances *p past it. */
static uint64_t number(const char **p)
{
    uint64_t v = 0;
    while (**p >= '0' && **p <= '9')
        v = v * 10 + (uint64_t)(*(*p)++ - '0');
    return v;
}

/* The largest block size the test uses; its buffer lives in .bss. */
#define MAX_BLOCK 32768
static uint8_t buf[MAX_BLOCK], back[MAX_BLOCK];

static int check_device(const char *name, uint64_t want_bs, uint64_t want_cap)
{
    solo5_handle_t h;
    struct solo5_block_info info;
    if (solo5_block_acquire(name, &h, &info) != SOLO5_R_OK)
        return fail("cannot acquire", name);
    if (info.block_size != want_bs)
        return fail("wrong block size", name);
    if (info.capacity != want_cap)
        return fail("wrong capacity", name);
    if (want_bs > MAX_BLOCK)
        return fail("block size too large for the test", name);
    solo5_off_t last = info.capacity - info.block_size;
    for (uint64_t i = 0; i < want_bs; i++)
        buf[i] = (uint8_t)(i * 7 + name[0]);
    if (solo5_block_write(h, last, buf, want_bs) != SOLO5_R_OK)
        return fail("write of the last block failed", name);
    if (solo5_block_read(h, last, back, want_bs) != SOLO5_R_OK)
        return fail("read of the last block failed", name);
    for (uint64_t i = 0; i < want_bs; i++)
        if (back[i] != buf[i])
            return fail("read back differs", name);
    if (solo5_block_read(h, 0, back, want_bs / 2) != SOLO5_R_EINVAL)
        return fail("half a block was not refused", name);
    return 0;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    char name[64];
    int devices = 0;
    for (const char *p = si->cmdline; *p;) {
        size_t n = 0;
        while (*p && *p != ':' && n < sizeof(name) - 1)
            name[n++] = *p++;
        name[n] = '\0';
        if (*p++ != ':')
            return fail("bad argument", name);
        uint64_t bs = number(&p);
        if (*p++ != ':')
            return fail("bad argument", name);
        uint64_t cap = number(&p);
        while (*p == ' ')
            p++;
        if (check_device(name, bs, cap) != 0)
            return 1;
        devices++;
    }
    if (devices == 0)
        return fail("no devices", "(command line)");
    puts("SUCCESS\n");
    return 0;
}
