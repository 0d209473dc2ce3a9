/*
 * test_fault_site.c: finding the start of the instruction behind a fatal port or MMIO
 * exit when KVM has already moved rip past it (fault_site_length, ukvm/run/fault_site.h):
 * the `in`/`out` forms, `mov` stores of every operand form, prefixes, and what must not
 * match (another port, size or address; bytes that are no such instruction).
 */
#include "ukvm/run/fault_site.h"
#include "unit.h"

#define END 0x101000ULL /* where the instruction ends: rip after it */

/* Identity paging, as ukvm's own page tables map guest memory. */
static int identity(void *ctx, uint64_t va, uint64_t *gpa)
{
    (void)ctx;
    *gpa = va;
    return 0;
}

static struct vm_exit io_exit(uint16_t port, uint8_t size, bool write)
{
    return (struct vm_exit){.reason = VM_EXIT_IO,
                            .io = {.port = port, .size = size, .is_write = write}};
}

static struct vm_exit store_exit(uint64_t gpa, uint32_t len)
{
    return (struct vm_exit){.reason = VM_EXIT_MMIO,
                            .mmio = {.gpa = gpa, .len = len, .is_write = true}};
}

/* The length found for code (the bytes just before END, preceded by filler). */
static unsigned length(const uint8_t *code, unsigned n, const struct vm_exit *exit,
                       const struct vcpu_regs *regs, uint64_t fs_base)
{
    uint8_t buf[15];
    unsigned pad = 15 - n;
    memset(buf, 0x90, pad); /* nops: no instruction of interest */
    memcpy(buf + pad, code, n);
    return fault_site_length(buf, 15, END, exit, regs, fs_base, 0, identity, NULL);
}

#define LEN(code, exit, regs) length((const uint8_t *)(code), sizeof(code) - 1, &(exit), &(regs), 0)

UNIT_TEST(port_forms)
{
    struct vcpu_regs r = {.rdx = 0x501, .rax = 0x1234};
    struct vm_exit out4 = io_exit(0x501, 4, true), out1 = io_exit(0x80, 1, true);
    struct vm_exit in4 = io_exit(0x501, 4, false), out2 = io_exit(0x501, 2, true);
    CHECK_EQ_U64(LEN("\xef", out4, r), 1);     /* out %eax,(%dx) */
    CHECK_EQ_U64(LEN("\xe6\x80", out1, r), 2); /* out %al,$0x80 */
    CHECK_EQ_U64(LEN("\xed", in4, r), 1);      /* in (%dx),%eax */
    CHECK_EQ_U64(LEN("\x66\xef", out2, r), 2); /* out %ax,(%dx) */
    CHECK_EQ_U64(LEN("\xef", out1, r), 0);     /* another port and size */
    CHECK_EQ_U64(LEN("\xed", out4, r), 0);     /* a read, not a write */
    CHECK_EQ_U64(LEN("\xe7\x50", out4, r), 0); /* port 0x50, not 0x501 */
    r.rdx = 0x80;
    CHECK_EQ_U64(LEN("\xee", out1, r), 1); /* out %al,(%dx) */
    CHECK_EQ_U64(LEN("\x90", out1, r), 0); /* no port access at all */
}

UNIT_TEST(store_forms)
{
    uint64_t page = 0x100000000ULL; /* the user-mode hypercall page */
    struct vcpu_regs r = {
        .rdx = page + 8, .rax = 0x10000, .rbx = page, .rcx = 1, .r12 = page + 8, .r13 = page};
    struct vm_exit st8 = store_exit(page + 8, 8), st4 = store_exit(page + 8, 4);
    struct vm_exit st1 = store_exit(page + 8, 1);
    CHECK_EQ_U64(LEN("\x48\x89\x02", st8, r), 3);                 /* mov %rax,(%rdx) */
    CHECK_EQ_U64(LEN("\x89\x02", st4, r), 2);                     /* mov %eax,(%rdx) */
    CHECK_EQ_U64(LEN("\x48\x89\x02", st4, r), 2);                 /* size 4: the shorter form */
    CHECK_EQ_U64(LEN("\x88\x02", st1, r), 2);                     /* mov %al,(%rdx) */
    CHECK_EQ_U64(LEN("\x49\x89\x04\x24", st8, r), 4);             /* mov %rax,(%r12): SIB */
    CHECK_EQ_U64(LEN("\x49\x89\x45\x08", st8, r), 4);             /* mov %rax,0x8(%r13): disp8 */
    CHECK_EQ_U64(LEN("\x48\x89\x04\xcb", st8, r), 4);             /* mov %rax,(%rbx,%rcx,8) */
    CHECK_EQ_U64(LEN("\x48\xc7\x02\x01\x00\x00\x00", st8, r), 7); /* movq $1,(%rdx) */
    CHECK_EQ_U64(LEN("\xc6\x02\x07", st1, r), 3);                 /* movb $7,(%rdx) */
    CHECK_EQ_U64(LEN("\x48\x89\x01", st8, r), 0);                 /* (%rcx): another address */
    CHECK_EQ_U64(LEN("\x48\x8b\x02", st8, r), 0);                 /* a load, not a store */
    /* rip-relative: the address counts from the instruction's end. */
    struct vm_exit rel = store_exit(END + 0x100, 8);
    CHECK_EQ_U64(LEN("\x48\x89\x05\x00\x01\x00\x00", rel, r), 7); /* mov %rax,0x100(%rip) */
    /* A segment base: %fs:(%rdx) with fs_base 0x1000. */
    struct vm_exit fs = store_exit(page + 8 + 0x1000, 8);
    uint8_t fsmov[] = {0x64, 0x48, 0x89, 0x02};
    CHECK_EQ_U64(length(fsmov, sizeof(fsmov), &fs, &r, 0x1000), 4);
    /* moffs: movabs %rax,0x100000008 */
    CHECK_EQ_U64(LEN("\x48\xa3\x08\x00\x00\x00\x01\x00\x00\x00", st8, r), 10);
}

UNIT_TEST(short_or_empty_code)
{
    struct vcpu_regs r = {.rdx = 0x501};
    struct vm_exit out4 = io_exit(0x501, 4, true);
    uint8_t ef = 0xef;
    CHECK_EQ_U64(fault_site_length(&ef, 1, END, &out4, &r, 0, 0, identity, NULL), 1);
    CHECK_EQ_U64(fault_site_length(&ef, 0, END, &out4, &r, 0, 0, identity, NULL), 0);
    struct vm_exit hlt = {.reason = VM_EXIT_HLT};
    CHECK_EQ_U64(fault_site_length(&ef, 1, END, &hlt, &r, 0, 0, identity, NULL), 0);
}

int main(void)
{
    UNIT_RUN(port_forms);
    UNIT_RUN(store_forms);
    UNIT_RUN(short_or_empty_code);
    return UNIT_EXIT_STATUS();
}
