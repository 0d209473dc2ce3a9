/*
 * fuzz_shell.c: libFuzzer target for the command table (shell/command.c, the commands in
 * shell/cmd_*.c, the expression evaluator shell/expr.c), which takes lines from a person,
 * a script, or anyone connected to gdb's `monitor`.
 *
 *   make build/fuzz/fuzz_shell && build/fuzz/fuzz_shell tests/fuzz/corpus/fuzz_shell
 *
 * Each input is a session against a fake stopped guest (the same shape as the one of
 * tests/unit/test_commands.c: registers, 4 MiB of guest-physical memory with page tables
 * built the way ukvm lays them out, an exit trace, a last exception, a network device):
 *
 *   byte 0     flags (F_* below): with the shell's control (break, continue, ...) or as
 *              gdb's monitor (without), registers that cannot be read, an IDT and a GDT
 *   byte 1     where the blob goes (BLOB_*): guest memory the tables and page tables are
 *              read from, the network device's recorded frames, the last exception's
 *              frame, or the exit trace; all of them come from the guest in a real run
 *   byte 2     the blob's length; the blob follows
 *   the rest   command lines, separated by '\n', each run through command_execute()
 *
 * Beyond "no crash, no sanitizer report": a command returns 0 or -1, and -1 only after
 * printing at least one whole line; every breakpoint the commands keep is one the fake
 * target holds; output is bounded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shell/command.h"
#include "ukvm/devices/net_dev.h"
#include "ukvm/inspect/pagewalk.h"

#define MEM_SIZE  0x400000ULL
#define CR3       0x20000ULL
#define TABLES    0x6000ULL /* IDT at 0x6000, GDT at 0x7000 */
#define RIP       0x100030ULL
#define RSP       0x3fff00ULL
#define MAX_LINES 16
#define OUT_MAX   (1u << 20) /* the most output one line may produce */

static void check(int cond, const char *what)
{
    if (!cond) {
        fprintf(stderr, "fuzz_shell: contract violated: %s\n", what);
        abort();
    }
}

enum {
    F_CONTROL = 1 << 0,    /* the shell's env->control; without it, gdb's monitor */
    F_REGS_FAIL = 1 << 1,  /* get_regs fails */
    F_SREGS_FAIL = 1 << 2, /* get_sregs fails */
    F_IDT = 1 << 3,        /* an IDT at TABLES, limit from the blob's length */
    F_GDT = 1 << 4,        /* a GDT at TABLES + 0x1000 */
    F_NO_EXTRAS = 1 << 5,  /* no exit trace, exception, layout or network devices */
    F_INSERT_FAILS = 1 << 6,
};

enum { BLOB_TABLES, BLOB_PAGE_TABLES, BLOB_NET, BLOB_EXCEPTION, BLOB_EXITS, BLOB_KINDS };

/* ---------------------------------------------------------------- the fake guest */

static uint8_t *mem;
static uint8_t flags, blob_len;
static struct exit_trace trace;
static struct last_exception exception;
static struct net_devs nets;
static struct boot_layout layout = {
    .mem_size = MEM_SIZE,
    .heap_start = 0x200000,
    .heap_size = 0x17f000,
    .stack_guard = 0x37f000,
    .stack_guarded = true,
    .areas = boot_ukvm_areas,
    .nareas = BOOT_UKVM_NAREAS,
    .stack_top = MEM_SIZE,
    .cr3 = CR3,
};

static int read_phys(void *ctx, uint64_t gpa, void *buf, size_t len)
{
    (void)ctx;
    if (gpa > MEM_SIZE || len > MEM_SIZE - gpa)
        return -1;
    memcpy(buf, mem + gpa, len);
    return 0;
}

static int get_regs(void *ctx, struct vcpu_regs *regs)
{
    (void)ctx;
    if (flags & F_REGS_FAIL)
        return -1;
    *regs = (struct vcpu_regs){
        .rax = 0x1111,
        .rbx = 0x2222,
        .rsp = RSP,
        .rbp = RSP + 0x40,
        .r8 = 0x8888,
        .r15 = 0xffffffffffffffffULL,
        .rip = RIP,
        .rflags = 0x246,
    };
    return 0;
}

static int get_sregs(void *ctx, struct vcpu_sregs *sregs)
{
    (void)ctx;
    if (flags & F_SREGS_FAIL)
        return -1;
    *sregs = (struct vcpu_sregs){
        .cs = vcpu_flat_segment(0x8, true, 0),
        .ds = vcpu_flat_segment(0x10, false, 0),
        .es = vcpu_flat_segment(0x10, false, 0),
        .ss = vcpu_flat_segment(0x10, false, 0),
        .fs = vcpu_flat_segment(0x10, false, 0),
        .gs = vcpu_flat_segment(0x10, false, 0),
        .cr0 = 0x80050033,
        .cr3 = CR3,
        .cr4 = 0x220,
        .efer = 0xd01,
    };
    sregs->fs.base = 0x7000;
    if (flags & F_IDT)
        sregs->idt = (struct vcpu_dtable){.base = TABLES, .limit = (uint16_t)(blob_len * 16 + 15)};
    if (flags & F_GDT)
        sregs->gdt = (struct vcpu_dtable){.base = TABLES + 0x1000, .limit = blob_len};
    return 0;
}

static int get_debugregs(void *ctx, struct vcpu_debugregs *dr)
{
    (void)ctx;
    *dr = (struct vcpu_debugregs){
        .db = {0x100030, 0, 0x3ff000, 0}, .dr6 = 0xffff0ff1, .dr7 = 0x400d02};
    return 0;
}

static int get_events(void *ctx, struct vcpu_events *ev)
{
    (void)ctx;
    memset(ev, 0, sizeof(*ev));
    ev->exception.injected = 1;
    ev->exception.vector = 14;
    ev->exception.has_error_code = 1;
    ev->exception.error_code = 2;
    return 0;
}

static size_t memslots(void *ctx, struct command_memslot *out, size_t max)
{
    (void)ctx;
    if (max > 0)
        out[0] = (struct command_memslot){.id = 0, .gpa = 0, .size = MEM_SIZE};
    return 1;
}

/* ---------------------------------------------------------------- the fake control */

struct fake_bp {
    enum command_break_kind kind;
    uint64_t addr, len;
};
static struct fake_bp held[COMMAND_BREAKPOINTS_MAX * 2];
static size_t nheld;
static unsigned resumes;
static bool quit_called;

static int resume(void *ctx, bool step, struct command_stop *stop)
{
    (void)ctx;
    memset(stop, 0, sizeof(*stop));
    switch (resumes++ % 7) {
    case 0:
        stop->kind = step ? COMMAND_STOP_STEP : COMMAND_STOP_BREAK;
        return 0;
    case 1:
        stop->kind = COMMAND_STOP_WATCH;
        stop->watch_addr = 0x3ff000;
        return 0;
    case 2:
        stop->kind = COMMAND_STOP_FAULT;
        snprintf(stop->message, sizeof(stop->message), "Page fault at 0x%x", resumes);
        return 0;
    case 3:
        stop->kind = COMMAND_STOP_INTERRUPT;
        return 0;
    case 4:
        stop->kind = COMMAND_STOP_ABORT;
        memset(stop->message, 'm', sizeof(stop->message) - 1);
        return 0;
    case 5:
        stop->kind = COMMAND_STOP_EXITED;
        stop->exit_status = 3;
        return -1;
    default:
        stop->kind = COMMAND_STOP_HW_BREAK;
        return 0;
    }
}

static void stop_status(void *ctx, struct command_stop *stop)
{
    (void)ctx;
    memset(stop, 0, sizeof(*stop));
    stop->kind = COMMAND_STOP_ENTRY;
}

static int insert(void *ctx, enum command_break_kind kind, uint64_t addr, uint64_t len, char *err,
                  size_t errlen)
{
    (void)ctx;
    check(kind <= COMMAND_WATCH_ACCESS, "insert: kind");
    if ((flags & F_INSERT_FAILS) || addr >= MEM_SIZE || nheld == sizeof(held) / sizeof(held[0])) {
        snprintf(err, errlen, "cannot insert at 0x%llx", (unsigned long long)addr);
        return -1;
    }
    held[nheld++] = (struct fake_bp){kind, addr, len};
    return 0;
}

static int remove_bp(void *ctx, enum command_break_kind kind, uint64_t addr, uint64_t len)
{
    (void)ctx;
    for (size_t i = 0; i < nheld; i++)
        if (held[i].kind == kind && held[i].addr == addr && held[i].len == len) {
            held[i] = held[--nheld];
            return 0;
        }
    check(0, "remove of a breakpoint the target does not hold");
    return -1;
}

static void quit(void *ctx)
{
    (void)ctx;
    quit_called = true;
}

static struct command_control control;

/* Every breakpoint the commands list is one the target holds. */
static void check_breakpoints(void)
{
    check(control.nbps <= COMMAND_BREAKPOINTS_MAX, "breakpoint count");
    check(control.nbps == nheld, "the commands' breakpoints and the target's differ");
    for (size_t i = 0; i < control.nbps; i++) {
        const struct command_breakpoint *b = &control.bps[i];
        bool found = false;
        for (size_t k = 0; k < nheld && !found; k++)
            found = held[k].kind == b->kind && held[k].addr == b->addr && held[k].len == b->len;
        check(found, "a breakpoint the target does not hold");
        check(b->id >= 1 && b->id <= control.last_id, "breakpoint id");
    }
}

/* ---------------------------------------------------------------- setup */

static void set_entry(uint64_t table, unsigned index, uint64_t value)
{
    memcpy(mem + table + 8ULL * index, &value, sizeof(value));
}

/* The page tables ukvm builds (test_commands.c draws them). */
static void build_page_tables(void)
{
    memset(mem + CR3, 0, 0x4000);
    set_entry(0x20000, 0, 0x21000 | PTE_P | PTE_RW);
    set_entry(0x21000, 0, 0x22000 | PTE_P | PTE_RW);
    set_entry(0x22000, 0, 0x23000 | PTE_P | PTE_RW);
    set_entry(0x22000, 1, 0x200000 | PTE_P | PTE_RW | PTE_PS | PTE_NX);
    for (unsigned i = 1; i < 512; i++)
        set_entry(0x23000, i, (0x1000ULL * i) | PTE_P | (i < 256 ? PTE_RW | PTE_NX : 0));
}

static void setup(void)
{
    mem = calloc(1, MEM_SIZE); /* exactly: ASan sees a read one byte past it */
    check(mem != NULL, "calloc");
    for (uint64_t a = 0x100000; a < 0x101000; a++)
        mem[a] = (uint8_t)(a * 13); /* some code to disassemble */
    build_page_tables();
    nets.count = 1;
    strcpy(nets.devs[0].name, "service0");
    strcpy(nets.devs[0].ifname, "tap-fuzz");
    nets.devs[0].mtu = 1500;
    nets.devs[0].fd = -1;
}

static void default_extras(void)
{
    memset(&trace, 0, sizeof(trace));
    exit_trace_record(&trace, VM_EXIT_IO, 0x100402, UKVM_HC_PUTS, 0x501);
    exit_trace_record(&trace, VM_EXIT_MMIO, 0x100123, -1, 0xdead000);
    exit_trace_record(&trace, VM_EXIT_IO, 0x100701, UKVM_HC_HALT, 0x509);
    memset(&exception, 0, sizeof(exception));
    exception.source = LAST_EXCEPTION_TRAP;
    exception.frame = (struct ukvm_trap_frame){
        .vector = 14, .error_code = 2, .rip = 0x100040, .cs = 8, .rsp = RSP - 0x20, .ss = 0x10};
    struct net_dev *d = &nets.devs[0];
    memset(&d->stats, 0, sizeof(d->stats));
    memset(d->recent, 0, sizeof(d->recent));
    d->recent_count = 0;
}

/* Puts the blob where the guest would have put those bytes. */
static void place_blob(unsigned where, const uint8_t *blob, size_t len)
{
    switch (where % BLOB_KINDS) {
    case BLOB_TABLES:
        memcpy(mem + TABLES, blob, len);
        memcpy(mem + TABLES + 0x1000, blob, len);
        break;
    case BLOB_PAGE_TABLES:
        /* Over the PD and PT: entries the fuzzer writes, pointing anywhere. */
        memcpy(mem + 0x22000, blob, len);
        memcpy(mem + 0x23000 + 8 * (blob[0] % 64), blob, len);
        break;
    case BLOB_NET: {
        struct net_dev *d = &nets.devs[0];
        for (size_t off = 0, i = 0; off < len; i++) {
            struct net_frame_record *r = &d->recent[i % NET_RECENT_FRAMES];
            size_t n = blob[off] % (NET_RECENT_SNAP + 1);
            off++;
            if (n > len - off)
                n = len - off;
            memset(r, 0, sizeof(*r));
            r->caplen = (uint16_t)n;
            r->wire_len = (uint32_t)n + (blob[0] & 1 ? 1000 : 0);
            r->sent = i & 1;
            memcpy(r->bytes, blob + off, n);
            off += n;
            d->recent_count++;
            d->stats.frames_in++;
        }
        break;
    }
    case BLOB_EXCEPTION:
        exception.source = blob_len & 1 ? LAST_EXCEPTION_TRAP : LAST_EXCEPTION_ABORT;
        memcpy(&exception.frame, blob,
               len < sizeof(exception.frame) ? len : sizeof(exception.frame));
        break;
    case BLOB_EXITS:
        for (size_t off = 0; off + 17 <= len; off += 17) {
            uint64_t rip, detail;
            memcpy(&rip, blob + off, 8);
            memcpy(&detail, blob + off + 8, 8);
            exit_trace_record(&trace, (enum vm_exit_reason)(blob[off + 16] % (VM_EXIT_OTHER + 1)),
                              rip, blob[off + 16] & 0x80 ? (int)(detail & 0xf) : -1, detail);
        }
        break;
    }
}

static void undo_blob(unsigned where, size_t len)
{
    if (where % BLOB_KINDS == BLOB_TABLES) {
        memset(mem + TABLES, 0, len);
        memset(mem + TABLES + 0x1000, 0, len);
    } else if (where % BLOB_KINDS == BLOB_PAGE_TABLES) {
        build_page_tables();
    }
}

/* ---------------------------------------------------------------- the input */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!mem)
        setup();
    if (size < 3)
        return 0;
    flags = data[0];
    unsigned where = data[1];
    blob_len = data[2];
    size_t blen = blob_len < size - 3 ? blob_len : size - 3;
    const uint8_t *blob = data + 3, *text = data + 3 + blen;
    size_t text_len = size - 3 - blen;

    default_extras();
    if (blen)
        place_blob(where, blob, blen);
    memset(&control, 0, sizeof(control));
    control = (struct command_control){.resume = resume,
                                       .stop_status = stop_status,
                                       .insert = insert,
                                       .remove = remove_bp,
                                       .quit = quit};
    nheld = 0;
    resumes = 0;
    quit_called = false;
    bool extras = !(flags & F_NO_EXTRAS);
    struct command_env env = {
        .ctx = NULL,
        .get_regs = get_regs,
        .get_sregs = get_sregs,
        .mem = {.read_phys = read_phys},
        .exits = extras ? &trace : NULL,
        .exception = extras ? &exception : NULL,
        .layout = extras ? &layout : NULL,
        .nets = extras ? &nets : NULL,
        .control = (flags & F_CONTROL) ? &control : NULL,
        .get_debugregs = extras ? get_debugregs : NULL,
        .get_events = extras ? get_events : NULL,
        .memslots = extras ? memslots : NULL,
    };

    char line[COMMAND_LINE_MAX + 64];
    size_t start = 0;
    for (int n = 0; n < MAX_LINES && start < text_len && !quit_called; n++) {
        const uint8_t *nl = memchr(text + start, '\n', text_len - start);
        size_t len = nl ? (size_t)(nl - (text + start)) : text_len - start;
        size_t copy = len < sizeof(line) - 1 ? len : sizeof(line) - 1;
        memcpy(line, text + start, copy);
        line[copy] = '\0'; /* a NUL inside the line ends it early, as in a C string */
        start += len + 1;

        char *out = NULL;
        size_t out_len = 0;
        FILE *f = open_memstream(&out, &out_len);
        check(f != NULL, "open_memstream");
        int rc = command_execute(&env, line, f);
        fclose(f);
        check(rc == 0 || rc == -1, "command_execute returns 0 or -1");
        if (rc == -1)
            check(out_len > 0 && out[out_len - 1] == '\n', "an error without a whole line");
        check(out_len <= OUT_MAX, "output is bounded");
        free(out);
        if (env.control)
            check_breakpoints();
    }
    if (blen)
        undo_blob(where, blen);
    return 0;
}
