/*
 * probe_vm.c: the throwaway VM the run-time probes run their code in (see probe_vm.h).
 *
 * Written on the bottom half's interface only (ukvm/vm/vm.h), like every other part of
 * the top half: a Hypervisor.framework backend would be probed the same way.
 */
#include <string.h>

#include "probe_vm.h"
#include "ukvm/guest/boot_setup.h"
#include "ukvm/guest/page_tables.h"
#include "ukvm_abi.h"

#define PROBE_VM_TABLES 0x20000ULL /* page tables, below the code */

int probe_vm_start(struct probe_vm *p, const void *code, size_t len, const struct vcpu_debug *dbg)
{
    char err[256];
    memset(p, 0, sizeof(*p));
    if (len > UKVM_PAGE_SIZE || guest_mem_alloc(&p->mem, PROBE_VM_MEM, err, sizeof(err)) < 0 ||
        vm_create(&p->vm, err, sizeof(err)) < 0)
        goto fail;
    struct page_region all = {
        .start = 0x1000, .end = PROBE_VM_MEM, .writable = true, .executable = true};
    struct boot_layout layout = {.mem_size = PROBE_VM_MEM, .stack_top = PROBE_VM_MEM};
    if (page_tables_build(&p->mem, &all, 1, PROBE_VM_TABLES, PROBE_VM_CODE, &layout.cr3, err,
                          sizeof(err)) < 0)
        goto fail;
    memcpy(p->mem.host + PROBE_VM_CODE, code, len);
    if (vm_map_memory(p->vm, 0, 0, p->mem.size, p->mem.host, false, err, sizeof(err)) < 0 ||
        vcpu_create(p->vm, &p->vcpu, err, sizeof(err)) < 0)
        goto fail;
    struct vcpu_regs regs;
    struct vcpu_sregs sregs;
    boot_initial_regs(PROBE_VM_CODE, &layout, &regs, &sregs);
    if (vcpu_set_sregs(p->vcpu, &sregs) < 0 || vcpu_set_regs(p->vcpu, &regs) < 0 ||
        (dbg && vcpu_set_debug(p->vcpu, dbg) < 0))
        goto fail;
    return 0;
fail:
    probe_vm_end(p);
    return -1;
}

int probe_vm_run(struct probe_vm *p, struct vm_exit *exit)
{
    /* A signal may interrupt a run; a probe's code needs a handful of exits at most. */
    for (int i = 0; i < 4; i++) {
        if (vcpu_run(p->vcpu, exit) < 0)
            return -1;
        if (exit->reason != VM_EXIT_INTERRUPTED)
            return 0;
    }
    return -1;
}

void probe_vm_end(struct probe_vm *p)
{
    vm_destroy(p->vm);
    guest_mem_free(&p->mem);
    memset(p, 0, sizeof(*p));
}
