/*
 * user_shim.h: what runs at CPL 0 when a guest runs in user mode.
 *
 * Where KVM emulates guest kernel mode in software, guest code runs natively only at
 * CPL 3. In user mode ukvm keeps everything the guest runs at CPL 3 and owns the only
 * CPL 0 code there is: one entry stub per exception vector, each a single store to the
 * hypercall page (UKVM_HC_MMIO_GPA + UKVM_HC_MMIO_TRAP_OFFSET + vector) that exits to
 * the monitor with every general register untouched and the CPU's exception frame on
 * the trap stack. The monitor then reads the frame and puts the vCPU back at CPL 3 by
 * setting its registers (ukvm/run/user_traps.h); the stub never runs on.
 *
 * The IDT, the stubs, the trap stack and the TSS pointing at it live in low memory that
 * both guest ABIs leave free, supervisor-only, so the guest cannot overwrite them.
 */
#ifndef UKVM_USER_SHIM_H
#define UKVM_USER_SHIM_H

#include <stdint.h>

#include "guest_mem.h"
#include "page_tables.h"
#include "ukvm/vm/vcpu_state.h"

/* Each stub's size in bytes: the stub for vector v is at UKVM_USER_STUBS_GPA + 16 * v. */
#define USER_SHIM_STUB_SIZE 16
/* The bytes of a stub's store (movabs %al, moffs64): rip is past it when it exits. */
#define USER_SHIM_STORE_SIZE 9
/* Vectors with gates: the 32 exceptions. */
#define USER_SHIM_VECTORS 32

/*
 * Writes the IDT (a gate per exception, DPL 3 for #BP and #OF so that int3 and into
 * reach it from CPL 3), the stubs and the TSS's RSP0 (the trap stack's top) into guest
 * memory, and the two DPL 3 segments into the GDT at gdt_gpa (slots 5 and 6). The GDT
 * and TSS must have been written first (boot_write_gdt_and_tss).
 */
void user_shim_write(struct guest_mem *mem, uint64_t gdt_gpa, uint64_t tss_gpa);

/*
 * The page regions user mode adds to the page tables: the shim's pages (supervisor-only)
 * and the hypercall page (user-writable, no memory behind it). Writes them into regions
 * (room for USER_SHIM_REGIONS) and returns how many.
 */
#define USER_SHIM_REGIONS 4
size_t user_shim_regions(struct page_region *regions);

/* The flat 64-bit code and data segments of CPL 3, as the vCPU holds them. */
struct vcpu_segment user_shim_code_segment(void);
struct vcpu_segment user_shim_data_segment(void);

/*
 * Turns initial kernel-mode registers into user mode's: CPL 3 segments (ds, es, fs, gs
 * too), the GDT limit with the user slots, the monitor's IDT. The caller built sregs
 * for kernel mode first.
 */
void user_shim_initial_sregs(struct vcpu_sregs *sregs);

#endif /* UKVM_USER_SHIM_H */
