/*
 * user_shim.c: the monitor's CPL 0 code and tables for user mode (see user_shim.h).
 */
#include <string.h>

#include "user_shim.h"
#include "ukvm_abi.h"

/* Descriptors (SDM 3.4.5), as boot_setup.c's kernel ones with DPL 3. */
#define GDT_USER_CODE64 0x00affb000000ffffULL /* P DPL3 S code exec/read accessed, L=1 G=1 */
#define GDT_USER_DATA   0x00cff3000000ffffULL /* P DPL3 S data read/write accessed, DB=1 G=1 */

/* 64-bit interrupt gate (SDM 6.14.1): type 0xe, present; IF is cleared on entry. */
#define GATE_PRESENT   0x80
#define GATE_DPL3      0x60
#define GATE_INTERRUPT 0x0e
#define VECTOR_BP      3
#define VECTOR_OF      4

/* TSS (SDM 8.7): RSP0, the stack a change to CPL 0 switches to. */
#define TSS_RSP0_OFFSET 4

/* movabs %al, moffs64 (opcode A2): stores al at a 64-bit absolute address. */
#define OP_MOVABS_AL 0xa2
/* ud2: if the stub were ever resumed, it faults instead of running into the next one. */
static const uint8_t ud2[] = {0x0f, 0x0b};

_Static_assert(UKVM_USER_STUBS_GPA + USER_SHIM_VECTORS * USER_SHIM_STUB_SIZE <=
                   UKVM_USER_STUBS_GPA + UKVM_PAGE_SIZE,
               "stubs fit their page");
_Static_assert(UKVM_USER_IDT_GPA + USER_SHIM_VECTORS * 16 <= UKVM_USER_STUBS_GPA, "IDT size");
_Static_assert(UKVM_USER_STACK_GPA + UKVM_USER_STACK_SIZE <= UKVM_IST_GPA, "trap stack");
_Static_assert(UKVM_HC_MMIO_TRAP_OFFSET + USER_SHIM_VECTORS <= UKVM_PAGE_SIZE, "trap range");

_Static_assert(USER_SHIM_STORE_SIZE == 1 + 8, "opcode and 64-bit address");

static void write_stub(uint8_t *stub, unsigned vector)
{
    uint64_t target = UKVM_HC_MMIO_GPA + UKVM_HC_MMIO_TRAP_OFFSET + vector;
    memset(stub, 0xcc, USER_SHIM_STUB_SIZE); /* padding never runs */
    stub[0] = OP_MOVABS_AL;
    memcpy(stub + 1, &target, sizeof(target));
    memcpy(stub + USER_SHIM_STORE_SIZE, ud2, sizeof(ud2));
}

static void write_gate(uint8_t *gate, uint64_t target, bool dpl3)
{
    memset(gate, 0, 16);
    uint16_t lo = (uint16_t)target, mid = (uint16_t)(target >> 16), sel = UKVM_SEL_CODE64;
    uint32_t hi = (uint32_t)(target >> 32);
    memcpy(gate + 0, &lo, 2);
    memcpy(gate + 2, &sel, 2);
    gate[4] = 0; /* IST 0: RSP0, since every exception here comes from CPL 3 */
    gate[5] = GATE_PRESENT | GATE_INTERRUPT | (dpl3 ? GATE_DPL3 : 0);
    memcpy(gate + 6, &mid, 2);
    memcpy(gate + 8, &hi, 4);
}

void user_shim_write(struct guest_mem *mem, uint64_t gdt_gpa, uint64_t tss_gpa)
{
    uint64_t *gdt = guest_mem_range(mem, gdt_gpa, UKVM_GDT_ENTRIES_USER * 8);
    gdt[UKVM_SEL_USER_DATA / 8] = GDT_USER_DATA;
    gdt[UKVM_SEL_USER_CODE64 / 8] = GDT_USER_CODE64;

    uint8_t *idt = guest_mem_range(mem, UKVM_USER_IDT_GPA, UKVM_PAGE_SIZE);
    uint8_t *stubs = guest_mem_range(mem, UKVM_USER_STUBS_GPA, UKVM_PAGE_SIZE);
    memset(idt, 0, UKVM_PAGE_SIZE);
    memset(stubs, 0xcc, UKVM_PAGE_SIZE);
    for (unsigned v = 0; v < USER_SHIM_VECTORS; v++) {
        uint64_t stub = UKVM_USER_STUBS_GPA + (uint64_t)v * USER_SHIM_STUB_SIZE;
        write_stub(stubs + v * USER_SHIM_STUB_SIZE, v);
        write_gate(idt + v * 16, stub, v == VECTOR_BP || v == VECTOR_OF);
    }
    uint64_t rsp0 = UKVM_USER_STACK_GPA + UKVM_USER_STACK_SIZE;
    memcpy(guest_mem_range(mem, tss_gpa + TSS_RSP0_OFFSET, 8), &rsp0, sizeof(rsp0));
}

size_t user_shim_regions(struct page_region *regions)
{
    /* Supervisor-only: the IDT read-only, the stubs read+execute, the trap stack. */
    regions[0] =
        (struct page_region){.start = UKVM_USER_IDT_GPA, .end = UKVM_USER_IDT_GPA + UKVM_PAGE_SIZE};
    regions[1] = (struct page_region){.start = UKVM_USER_STUBS_GPA,
                                      .end = UKVM_USER_STUBS_GPA + UKVM_PAGE_SIZE,
                                      .executable = true};
    regions[2] = (struct page_region){.start = UKVM_USER_STACK_GPA,
                                      .end = UKVM_USER_STACK_GPA + UKVM_USER_STACK_SIZE,
                                      .writable = true};
    regions[3] = (struct page_region){.start = UKVM_HC_MMIO_GPA,
                                      .end = UKVM_HC_MMIO_GPA + UKVM_PAGE_SIZE,
                                      .writable = true,
                                      .user = true,
                                      .no_memory = true};
    return USER_SHIM_REGIONS;
}

struct vcpu_segment user_shim_code_segment(void)
{
    return vcpu_flat_segment(UKVM_SEL_USER_CODE64, true, 3);
}

struct vcpu_segment user_shim_data_segment(void)
{
    return vcpu_flat_segment(UKVM_SEL_USER_DATA, false, 3);
}

void user_shim_initial_sregs(struct vcpu_sregs *sregs)
{
    sregs->cs = user_shim_code_segment();
    sregs->ds = sregs->es = sregs->fs = sregs->gs = sregs->ss = user_shim_data_segment();
    sregs->gdt.limit = UKVM_GDT_ENTRIES_USER * 8 - 1;
    sregs->idt =
        (struct vcpu_dtable){.base = UKVM_USER_IDT_GPA, .limit = USER_SHIM_VECTORS * 16 - 1};
}
