/*
 * rt.c: the C half of ukvm's hvt test-guest runtime (hvt_rt.h): IDT set-up, the trap
 * handler, hypercall helpers, console output, command-line and string helpers.
 *
 * Everything here runs under a software CPU emulator on some CI hosts (about a million
 * instructions a second), so it does little: no zeroing of memory the loader already
 * zeroed, one PUTS per printed line.
 */
#include <stdarg.h>

#include "hvt_rt.h"

const struct hvt_boot_info *hvt_boot;
uint64_t hvt_entry_rsp;

extern const uint64_t hvt_rt_trap_stubs[21]; /* start.S */
extern const char _solo5_mft_note[];         /* hvt.ld: start of .note.solo5.manifest */

/* An IDT gate: 64-bit interrupt gate, selector 0x08, no IST. */
struct idt_gate {
    uint16_t offset0;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset1;
    uint32_t offset2;
    uint32_t reserved;
};
_Static_assert(sizeof(struct idt_gate) == 16, "idt gate");

static struct idt_gate idt[32];

_Static_assert(__builtin_offsetof(HVT_MFT1_NOTE(1), version) ==
                   HVT_NOTE_HDR_SIZE + HVT_MFT1_DESC_PAD,
               "manifest offset in the MFT1 note");
_Static_assert(__builtin_offsetof(HVT_MFT1_NOTE(1), e) == 32, "entries offset in the MFT1 note");

static void idt_init(void)
{
    for (unsigned v = 0; v < sizeof(hvt_rt_trap_stubs) / sizeof(hvt_rt_trap_stubs[0]); v++) {
        uint64_t a = hvt_rt_trap_stubs[v];
        if (a == 0)
            continue;
        idt[v].offset0 = (uint16_t)a;
        idt[v].selector = HVT_GDT_CODE_SEL;
        idt[v].ist = 0;
        idt[v].type_attr = 0x8e; /* present, DPL 0, 64-bit interrupt gate */
        idt[v].offset1 = (uint16_t)(a >> 16);
        idt[v].offset2 = (uint32_t)(a >> 32);
    }
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) idtr = {sizeof(idt) - 1, (uint64_t)(uintptr_t)idt};
    __asm__ __volatile__("lidt %0" : : "m"(idtr) : "memory");
}

/* Called by _start on the runtime's stack, with the GDT loaded. */
__attribute__((noreturn, used)) void hvt_rt_start(const struct hvt_boot_info *bi)
{
    hvt_boot = bi;
    idt_init();
    hvt_halt(hvt_main(bi), 0);
}

const struct hvt_mft *hvt_own_manifest(void)
{
    return (const struct hvt_mft *)(_solo5_mft_note + HVT_NOTE_HDR_SIZE + HVT_MFT1_DESC_PAD);
}

const struct hvt_mft *hvt_manifest(void)
{
    return (const struct hvt_mft *)(uintptr_t)hvt_boot->mft;
}

/* ---------------------------------------------------------------- traps */

static const char *const trap_names[21] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#9",  "#TS",
    "#NP", "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM", "#VE",
};

/*
 * Called by the entry stub of vector with the trap frame. Prints one line, as Solo5's
 * bindings do, then ends the guest with status 255 and the frame as the HALT cookie.
 */
__attribute__((noreturn, used)) void hvt_rt_trap(uint64_t vector, struct hvt_trap_regs *regs)
{
    const char *name = vector < 21 ? trap_names[vector] : "?";

    if (vector == 14)
        hvt_printf("hvt_rt: trap %s (vector %lu) ec=0x%lx rip=0x%lx rsp=0x%lx cr2=0x%lx\n", name,
                   vector, regs->ec, regs->rip, regs->rsp, regs->cr2);
    else
        hvt_printf("hvt_rt: trap %s (vector %lu) ec=0x%lx rip=0x%lx rsp=0x%lx\n", name, vector,
                   regs->ec, regs->rip, regs->rsp);
    hvt_halt(HVT_EXIT_ABORT, (uint64_t)(uintptr_t)regs);
}

/* ---------------------------------------------------------------- hypercalls */

uint64_t hvt_walltime(void)
{
    volatile struct hvt_hc_walltime call;

    call.nsecs = 0;
    hvt_hypercall(HVT_HC_WALLTIME, &call);
    return call.nsecs;
}

int hvt_poll(uint64_t timeout_nsecs, uint64_t *ready_set)
{
    volatile struct hvt_hc_poll call;

    call.timeout_nsecs = timeout_nsecs;
    call.ready_set = ~0ull; /* the monitor must write it */
    call.ret = -1;
    hvt_hypercall(HVT_HC_POLL, &call);
    if (ready_set)
        *ready_set = call.ready_set;
    return call.ret;
}

static int block_io(enum hvt_hypercall nr, uint64_t handle, uint64_t offset, uint64_t data,
                    uint64_t len)
{
    volatile struct hvt_hc_block_io call;

    call.handle = handle;
    call.offset = offset;
    call.data = data;
    call.len = len;
    call.ret = -1; /* the monitor must write it */
    hvt_hypercall(nr, &call);
    return call.ret;
}

int hvt_block_write(uint64_t handle, uint64_t offset, const void *data, uint64_t len)
{
    return block_io(HVT_HC_BLOCK_WRITE, handle, offset, (uint64_t)(uintptr_t)data, len);
}

int hvt_block_read(uint64_t handle, uint64_t offset, void *data, uint64_t len)
{
    return block_io(HVT_HC_BLOCK_READ, handle, offset, (uint64_t)(uintptr_t)data, len);
}

/* One NET_WRITE or NET_READ; *len becomes the monitor's answer (a read's frame length). */
static int net_io(enum hvt_hypercall nr, uint64_t handle, uint64_t data, uint64_t *len)
{
    volatile struct hvt_hc_net_io call;

    call.handle = handle;
    call.data = data;
    call.len = *len;
    call.ret = -1;
    hvt_hypercall(nr, &call);
    *len = call.len;
    return call.ret;
}

int hvt_net_write(uint64_t handle, const void *data, uint64_t len)
{
    return net_io(HVT_HC_NET_WRITE, handle, (uint64_t)(uintptr_t)data, &len);
}

int hvt_net_read(uint64_t handle, void *data, uint64_t len, uint64_t *read_len)
{
    int ret = net_io(HVT_HC_NET_READ, handle, (uint64_t)(uintptr_t)data, &len);
    if (ret == HVT_R_OK && read_len)
        *read_len = len;
    return ret;
}

void hvt_halt(int status, uint64_t cookie)
{
    volatile struct hvt_hc_halt call;

    call.cookie = cookie;
    call.exit_status = status;
    call.pad = 0;
    hvt_hypercall(HVT_HC_HALT, &call);
    for (;;) /* a monitor that returns from HALT: stop here, without spinning */
        __asm__ __volatile__("cli; hlt");
}

/* ---------------------------------------------------------------- console */

void hvt_write(const char *s, size_t len)
{
    volatile struct hvt_hc_puts call;

    call.data = (uint64_t)(uintptr_t)s;
    call.len = len;
    hvt_hypercall(HVT_HC_PUTS, &call);
}

void hvt_puts(const char *s)
{
    hvt_write(s, hvt_strlen(s));
}

struct outbuf {
    char b[256];
    size_t n;
};

static void out_c(struct outbuf *o, char c)
{
    if (o->n < sizeof(o->b))
        o->b[o->n++] = c;
}

static void out_u64(struct outbuf *o, uint64_t v, unsigned base, unsigned width)
{
    char tmp[24];
    unsigned n = 0;

    do {
        unsigned d = (unsigned)(v % base);
        tmp[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v);
    while (n < width && n < sizeof(tmp))
        tmp[n++] = '0';
    while (n)
        out_c(o, tmp[--n]);
}

static void vformat(struct outbuf *o, const char *fmt, va_list ap)
{
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            out_c(o, *fmt);
            continue;
        }
        fmt++;
        unsigned width = 0;
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (unsigned)(*fmt++ - '0');
        int lng = 0;
        while (*fmt == 'l' || *fmt == 'z') {
            lng = 1;
            fmt++;
        }
        switch (*fmt) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            for (s = s ? s : "(null)"; *s; s++)
                out_c(o, *s);
            break;
        }
        case 'c':
            out_c(o, (char)va_arg(ap, int));
            break;
        case 'd': {
            int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
            if (v < 0) {
                out_c(o, '-');
                out_u64(o, -(uint64_t)v, 10, width);
            } else {
                out_u64(o, (uint64_t)v, 10, width);
            }
            break;
        }
        case 'u':
            out_u64(o, lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10, width);
            break;
        case 'x':
            out_u64(o, lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16, width);
            break;
        case 'p':
            out_c(o, '0');
            out_c(o, 'x');
            out_u64(o, (uint64_t)(uintptr_t)va_arg(ap, void *), 16, width);
            break;
        case '%':
            out_c(o, '%');
            break;
        case '\0':
            return;
        default:
            out_c(o, '%');
            out_c(o, *fmt);
            break;
        }
    }
}

void hvt_printf(const char *fmt, ...)
{
    struct outbuf o;
    va_list ap;

    o.n = 0;
    va_start(ap, fmt);
    vformat(&o, fmt, ap);
    va_end(ap);
    hvt_write(o.b, o.n);
}

/* ---------------------------------------------------------------- checks and aborts */

void hvt_fail(const char *fmt, ...)
{
    struct outbuf o;
    va_list ap;

    o.n = 0;
    for (const char *p = "FAIL: "; *p; p++)
        out_c(&o, *p);
    va_start(ap, fmt);
    vformat(&o, fmt, ap);
    va_end(ap);
    out_c(&o, '\n');
    hvt_write(o.b, o.n);
    hvt_halt(HVT_EXIT_FAIL, 0);
}

void hvt_check_failed(const char *file, int line, const char *what)
{
    hvt_fail("%s:%d: %s", file, line, what);
}

void hvt_abort(const char *file, int line, const char *msg)
{
    hvt_printf("ABORT: %s:%d: %s\n", file, line, msg);
    hvt_halt(HVT_EXIT_ABORT, 0);
}

/* ---------------------------------------------------------------- command line */

static const char *cmdline(void)
{
    return (const char *)(uintptr_t)hvt_boot->cmdline;
}

/* The start of the word after p's word (or the terminating NUL). */
static const char *next_word(const char *p)
{
    while (*p && *p != ' ')
        p++;
    while (*p == ' ')
        p++;
    return p;
}

/* If word p starts with prefix, returns the rest of the word's start; else NULL. */
static const char *word_prefix(const char *p, const char *prefix)
{
    while (*prefix && *p == *prefix) {
        p++;
        prefix++;
    }
    return *prefix ? NULL : p;
}

int hvt_has_word(const char *w)
{
    for (const char *p = cmdline(); *p; p = next_word(p)) {
        const char *rest = word_prefix(p, w);
        if (rest && (*rest == '\0' || *rest == ' '))
            return 1;
    }
    return 0;
}

const char *hvt_arg(const char *key)
{
    for (const char *p = cmdline(); *p; p = next_word(p)) {
        const char *rest = word_prefix(p, key);
        if (rest && *rest == '=')
            return rest + 1;
    }
    return NULL;
}

uint64_t hvt_parse_u64(const char *s, const char **end)
{
    uint64_t v = 0;
    unsigned base = 10;

    if (s[0] == '0' && s[1] == 'x') {
        base = 16;
        s += 2;
    }
    for (;; s++) {
        unsigned d;
        if (*s >= '0' && *s <= '9')
            d = (unsigned)(*s - '0');
        else if (base == 16 && *s >= 'a' && *s <= 'f')
            d = (unsigned)(*s - 'a' + 10);
        else
            break;
        v = v * base + d;
    }
    if (end)
        *end = s;
    return v;
}

uint64_t hvt_arg_u64(const char *key, uint64_t dflt)
{
    const char *v = hvt_arg(key);
    return v ? hvt_parse_u64(v, NULL) : dflt;
}

/* ---------------------------------------------------------------- strings */

size_t hvt_strlen(const char *s)
{
    size_t n = 0;

    while (s[n])
        n++;
    return n;
}

int hvt_strcmp(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

void *memset(void *d, int c, size_t n)
{
    unsigned char *p = d;

    while (n--)
        *p++ = (unsigned char)c;
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    unsigned char *dp = d;
    const unsigned char *sp = s;

    while (n--)
        *dp++ = *sp++;
    return d;
}

void *memmove(void *d, const void *s, size_t n)
{
    unsigned char *dp = d;
    const unsigned char *sp = s;

    if (dp <= sp)
        return memcpy(d, s, n);
    while (n--)
        dp[n] = sp[n];
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *pa = a, *pb = b;

    for (; n; n--, pa++, pb++)
        if (*pa != *pb)
            return *pa - *pb;
    return 0;
}
