/*
 * test_hvt_user_fault.c: the hvt ABI's emulation of a Solo5 kernel's privileged
 * instructions at CPL 3 (ukvm/abi/hvt/hvt_privileged.c), one instruction at a time,
 * against real guest memory without paging (guest-virtual is guest-physical).
 *
 * Found by tests/fuzz/fuzz_hypercall.c: `mov %crN, reg` whose ModRM byte has mod != 3
 * was decoded as a memory operand, which left the destination register's number unset,
 * and the emulator then wrote the control register's value through an index out of its
 * register table. The CPU ignores mod for this instruction: the operand is a register.
 */
#include <stdlib.h>

#include "ukvm/abi/hvt/hvt.h"
#include "unit.h"

#define MEM_SIZE 0x100000ULL
#define RIP      0x1000ULL
#define CR0      0x80050033ULL
#define CR3      0x20000ULL
#define CR4      0x20ULL

static struct guest_mem mem;
static struct hvt_state st;
static struct vcpu_regs regs;
static struct vcpu_sregs sregs;
static struct user_fault uf;

/* A #GP at RIP on the instruction bytes code[0, len), as the run loop offers it. */
static enum user_fault_outcome fault_on(const char *code, size_t len)
{
    memset(mem.host + RIP, 0x90, 16);
    memcpy(mem.host + RIP, code, len);
    memset(&st, 0, sizeof(st));
    regs = (struct vcpu_regs){.rip = RIP, .rsp = 0x8000, .rflags = 2};
    sregs = (struct vcpu_sregs){.cr0 = CR0 & ~(1ULL << 31), .cr2 = 0xdead, .cr3 = CR3, .cr4 = CR4};
    uf = (struct user_fault){
        .vector = 13, .mem = &mem, .abi_state = &st, .regs = &regs, .sregs = &sregs};
    return hvt_user_fault(&uf);
}

UNIT_TEST(mov_from_cr_register_form)
{
    CHECK_EQ_U64(fault_on("\x0f\x20\xc0", 3), USER_FAULT_DONE); /* mov %cr0, %rax */
    CHECK_EQ_U64(regs.rax, sregs.cr0);
    CHECK_EQ_U64(regs.rip, RIP + 3);
    CHECK_EQ_U64(fault_on("\x41\x0f\x20\xd8", 4), USER_FAULT_DONE); /* mov %cr3, %r8 */
    CHECK_EQ_U64(regs.r8, CR3);
    CHECK_EQ_U64(regs.rip, RIP + 4);
}

/* mod 0, 1 or 2 names a register all the same, with no SIB byte or displacement. */
UNIT_TEST(mov_from_cr_ignores_mod)
{
    CHECK_EQ_U64(fault_on("\x0f\x20\x00", 3), USER_FAULT_DONE); /* mod 0: mov %cr0, %rax */
    CHECK_EQ_U64(regs.rax, sregs.cr0);
    CHECK_EQ_U64(regs.rip, RIP + 3);
    CHECK_EQ_U64(fault_on("\x0f\x20\x54", 3), USER_FAULT_DONE); /* mod 1, rm 4: %cr2, %rsp */
    CHECK_EQ_U64(regs.rsp, 0xdead);
    CHECK_EQ_U64(regs.rip, RIP + 3);
    CHECK_EQ_U64(fault_on("\x49\x0f\x20\xa7", 4), USER_FAULT_DONE); /* mod 2, REX.B: %cr4, %r15 */
    CHECK_EQ_U64(regs.r15, CR4);
    CHECK_EQ_U64(regs.rip, RIP + 4);
}

UNIT_TEST(mov_from_other_cr_refused)
{
    CHECK_EQ_U64(fault_on("\x0f\x20\x28", 3), USER_FAULT_GUEST_ERROR); /* %cr5, mod 0 */
    CHECK_STR_CONTAINS(uf.error, "control register");
    CHECK_EQ_U64(regs.rip, RIP);
}

int main(void)
{
    char err[256];
    if (guest_mem_alloc(&mem, MEM_SIZE, err, sizeof(err)) < 0) {
        printf("FAIL setup: %s\n", err);
        return 1;
    }
    UNIT_RUN(mov_from_cr_register_form);
    UNIT_RUN(mov_from_cr_ignores_mod);
    UNIT_RUN(mov_from_other_cr_refused);
    guest_mem_free(&mem);
    return UNIT_EXIT_STATUS();
}
