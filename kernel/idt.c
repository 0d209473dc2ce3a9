/*
 * idt.c: the interrupt descriptor table.
 *
 * Only the 32 exception vectors have gates: interrupts stay disabled and no device
 * raises any, so an unexpected vector above 31 becomes a #GP, which is reported.
 * The GDT and TSS (with the IST stacks) were built and loaded by the monitor.
 */
#include "kernel.h"

/*
 * A 64-bit interrupt gate, 16 bytes:
 *
 *   63            48 47 46 45 44  40 39   35 34 32 31          16 15            0
 *  +----------------+--+-----+-------+-------+-----+--------------+---------------+
 *  | offset 31..16  |P | DPL | type  | 0     | IST | selector     | offset 15..0  |
 *  +----------------+--+-----+-------+-------+-----+--------------+---------------+
 *  | reserved (0)                     | offset 63..32                              |
 *  +----------------------------------+--------------------------------------------+
 */
struct idt_gate {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t ist;   /* bits 2..0: IST slot, 0 = the current stack */
    uint8_t flags; /* P, DPL, type */
    uint16_t offset_mid;
    uint32_t offset_hi;
    uint32_t reserved;
};
_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate size");

#define IDT_ENTRIES      256
#define IDT_GATE_PRESENT 0x80 /* P */
#define IDT_GATE_INTR    0x0e /* 64-bit interrupt gate: IF cleared on entry */
#define IDT_EXCEPTIONS   32
#define VECTOR_NMI       2
#define VECTOR_DF        8
#define VECTOR_PF        14

/*
 * Page-aligned, so the 4 KiB table fills exactly one page: the monitor never traps the
 * IDT's page for a watchpoint (the CPU reads it to deliver exceptions), and this keeps
 * the application's globals off that page, where they could not be watched.
 */
static struct idt_gate idt[IDT_ENTRIES] __attribute__((aligned(4096)));

struct idt_pointer {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

void idt_init(void)
{
    for (unsigned v = 0; v < IDT_EXCEPTIONS; v++) {
        uintptr_t target = trap_stubs[v];

        idt[v].offset_lo = (uint16_t)target;
        idt[v].selector = UKVM_SEL_CODE64;
        idt[v].flags = IDT_GATE_PRESENT | IDT_GATE_INTR;
        idt[v].offset_mid = (uint16_t)(target >> 16);
        idt[v].offset_hi = (uint32_t)(target >> 32);
    }
    /*
     * Separate stacks where the current one cannot be trusted: #DF may follow a broken
     * stack, NMI may arrive anywhere, and #PF must survive a stack overflow into the guard
     * page.
     */
    idt[VECTOR_DF].ist = UKVM_IST_DOUBLE_FAULT;
    idt[VECTOR_NMI].ist = UKVM_IST_NMI;
    idt[VECTOR_PF].ist = UKVM_IST_PAGE_FAULT;

    struct idt_pointer ptr = {.limit = sizeof(idt) - 1, .base = (uintptr_t)idt};
    __asm__ __volatile__("lidt %0" : : "m"(ptr) : "memory");
}
