/*
 * mode_probe.c: the probe behind --guest-mode=auto (see mode_probe.h).
 *
 * Written on the bottom half's interface only (ukvm/vm/vm.h): another hypervisor
 * backend is probed the same way.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "boot_setup.h"
#include "mode_probe.h"
#include "page_tables.h"
#include "ukvm/vm/vm.h"
#include "ukvm_abi.h"
#include "user_shim.h"

#define PROBE_MEM   0x200000ULL /* 2 MiB */
#define PROBE_CODE  0x100000ULL
#define PROBE_ITERS 400 /* about 0.5 ms where CPL 0 is emulated, well under 1 us natively */
#define PROBE_RUNS  3   /* at most; one when the first is clear */

/*
 * The guest: mov $PROBE_ITERS, %ecx; 1: dec %ecx; jnz 1b; then a store to the hypercall
 * page (no memory behind it), which exits at either privilege level.
 */
static void write_probe_code(uint8_t *code)
{
    uint64_t target = UKVM_HC_MMIO_GPA;
    uint32_t iters = PROBE_ITERS;
    size_t n = 0;
    code[n++] = 0xb9; /* mov $imm32, %ecx */
    memcpy(code + n, &iters, 4);
    n += 4;
    code[n++] = 0xff, code[n++] = 0xc9; /* dec %ecx */
    code[n++] = 0x75, code[n++] = 0xfc; /* jnz -4 */
    code[n++] = 0xa2;                   /* movabs %al, target */
    memcpy(code + n, &target, 8);
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* One run of the loop from its first instruction; microseconds, or -1. */
static double time_one(struct vcpu *vcpu, const struct boot_layout *layout)
{
    struct vcpu_regs regs;
    struct vcpu_sregs sregs;
    boot_initial_regs(PROBE_CODE, layout, &regs, &sregs);
    if (vcpu_set_sregs(vcpu, &sregs) < 0 || vcpu_set_regs(vcpu, &regs) < 0)
        return -1;
    struct vm_exit exit;
    double t0 = now_us();
    int rc = vcpu_run(vcpu, &exit);
    double t1 = now_us();
    if (rc < 0 || exit.reason != VM_EXIT_MMIO || exit.mmio.gpa != UKVM_HC_MMIO_GPA)
        return -1;
    /* Complete the store KVM handed over, so the vCPU can be set up again. */
    if (vcpu_complete_pending_exit(vcpu) < 0)
        return -1;
    return t1 - t0;
}

/* The probes' throw-away VM: the loop's page, the user-mode shim, one vCPU. */
struct probe_vm {
    struct vm *vm;
    struct vcpu *vcpu;
    struct guest_mem mem;
    struct boot_layout kernel, user;
};

static int probe_vm_open(struct probe_vm *p, bool deterministic, char *err, size_t errlen)
{
    memset(p, 0, sizeof(*p));
    if (guest_mem_alloc(&p->mem, PROBE_MEM, err, errlen) < 0 || vm_create(&p->vm, err, errlen) < 0)
        return -1;
    if (deterministic)
        vm_set_deterministic(p->vm);
    struct page_region regions[1 + USER_SHIM_REGIONS] = {
        {.start = PROBE_CODE, .end = PROBE_CODE + UKVM_PAGE_SIZE, .executable = true, .user = true},
    };
    size_t n = 1 + user_shim_regions(regions + 1);
    p->kernel = (struct boot_layout){.mem_size = PROBE_MEM, .stack_top = PROBE_MEM};
    if (page_tables_build(&p->mem, regions, n, UKVM_PT_GPA, UKVM_PT_END, &p->kernel.cr3, err,
                          errlen) < 0)
        return -1;
    boot_write_gdt_and_tss(&p->mem);
    user_shim_write(&p->mem, UKVM_GDT_GPA, UKVM_TSS_GPA);
    p->user = p->kernel;
    p->user.user_mode = true;
    if (vm_map_memory(p->vm, 0, 0, p->mem.size, p->mem.host, false, err, errlen) < 0 ||
        vcpu_create(p->vm, &p->vcpu, err, errlen) < 0)
        return -1;
    return 0;
}

static void probe_vm_close(struct probe_vm *p)
{
    vm_destroy(p->vm);
    guest_mem_free(&p->mem);
}

void guest_mode_probe_run(struct guest_mode_probe *probe)
{
    memset(probe, 0, sizeof(*probe));
    char err[256];
    struct probe_vm p;
    if (probe_vm_open(&p, false, err, sizeof(err)) < 0)
        goto fail;
    write_probe_code(p.mem.host + PROBE_CODE);
    struct vcpu *vcpu = p.vcpu;
    struct boot_layout kernel = p.kernel, user = p.user;
    /*
     * A first, untimed run at each CPL pays the one-time costs: the first touches of
     * memory, and where the host itself is emulated (QEMU's TCG under a nested KVM), the
     * translation of the loop, which made a first CPL 0 run look emulated there. Then
     * best of each.
     */
    if (time_one(vcpu, &user) < 0 || time_one(vcpu, &kernel) < 0) {
        snprintf(err, sizeof(err), "the probe's first runs did not reach their store");
        goto fail;
    }
    double best0 = -1, best3 = -1;
    for (int i = 0; i < PROBE_RUNS; i++) {
        double t0 = time_one(vcpu, &kernel), t3 = time_one(vcpu, &user);
        if (t0 < 0 || t3 < 0) {
            snprintf(err, sizeof(err), "the probe's loop did not reach its store");
            goto fail;
        }
        if (best0 < 0 || t0 < best0)
            best0 = t0;
        if (best3 < 0 || t3 < best3)
            best3 = t3;
        /*
         * A clear answer needs no more runs (each emulated one costs half a millisecond
         * of every start-up in auto mode): far apart, or close together.
         */
        if ((best0 > 10 * best3 && best0 - best3 > 300) || best0 < 3 * best3)
            break;
    }
    probe->ok = true;
    probe->cpl0_us = best0;
    probe->cpl3_us = best3;
    /*
     * Emulated CPL 0 costs hundreds of microseconds for this loop, native code well
     * under one beyond the exit itself: both conditions, so that neither a slow exit
     * path nor a preempted run can decide alone.
     */
    probe->emulated = best0 > 10 * best3 && best0 - best3 > 100;
    goto out;
fail:
    snprintf(probe->why, sizeof(probe->why), "%.255s", err);
out:
    probe_vm_close(&p);
}

int guest_probe_tsd(char *why, size_t whylen)
{
    struct probe_vm p;
    int answer = -1;
    if (probe_vm_open(&p, false, why, whylen) < 0)
        goto out;
    /* rdtsc, then the store of the loop's end: reached only when rdtsc did not fault. */
    uint8_t *code = p.mem.host + PROBE_CODE;
    uint64_t target = UKVM_HC_MMIO_GPA;
    code[0] = 0x0f, code[1] = 0x31; /* rdtsc */
    code[2] = 0xa2;                 /* movabs %al, target */
    memcpy(code + 3, &target, 8);
    struct vcpu_regs regs;
    struct vcpu_sregs sregs;
    boot_initial_regs(PROBE_CODE, &p.user, &regs, &sregs);
    sregs.cr4 |= 1ULL << 2; /* CR4.TSD: rdtsc only at CPL 0 */
    struct vm_exit exit;
    if (vcpu_set_sregs(p.vcpu, &sregs) < 0 || vcpu_set_regs(p.vcpu, &regs) < 0 ||
        vcpu_run(p.vcpu, &exit) < 0) {
        snprintf(why, whylen, "the probe's vCPU could not run");
        goto out;
    }
    if (exit.reason == VM_EXIT_MMIO && exit.mmio.gpa == UKVM_HC_MMIO_GPA) {
        snprintf(why, whylen,
                 "rdtsc at CPL 3 runs with CR4.TSD set (this KVM does not "
                 "apply it to code at CPL 3)");
        answer = 0;
    } else if (exit.reason == VM_EXIT_MMIO &&
               exit.mmio.gpa == UKVM_HC_MMIO_GPA + UKVM_HC_MMIO_TRAP_OFFSET + 13) {
        answer = 1; /* the shim's #GP stub reported it */
    } else if (exit.reason == VM_EXIT_SHUTDOWN) {
        /*
         * rdtsc faulted, and the #GP went no further in this throw-away VM (seen under
         * nested SVM): the store after it was never reached, so it does fault.
         */
        answer = 1;
    } else {
        snprintf(why, whylen, "the probe stopped with a %s exit", vm_exit_reason_name(exit.reason));
    }
out:
    probe_vm_close(&p);
    return answer;
}

int guest_probe_cpuid_hidden(bool user_mode, char *why, size_t whylen)
{
    struct probe_vm p;
    int answer = -1;
    if (probe_vm_open(&p, true, why, whylen) < 0)
        goto out;
    /* cpuid leaf 1, then the store that exits: ecx is in the registers at the exit. */
    static const uint8_t code[] = {
        0xb8, 0x01, 0x00, 0x00, 0x00, /* mov $1, %eax */
        0x31, 0xc9,                   /* xor %ecx, %ecx */
        0x0f, 0xa2,                   /* cpuid */
        0xa2,                         /* movabs %al, UKVM_HC_MMIO_GPA (below) */
    };
    uint64_t target = UKVM_HC_MMIO_GPA;
    memcpy(p.mem.host + PROBE_CODE, code, sizeof(code));
    memcpy(p.mem.host + PROBE_CODE + sizeof(code), &target, 8);
    struct vcpu_regs regs;
    struct vcpu_sregs sregs;
    boot_initial_regs(PROBE_CODE, user_mode ? &p.user : &p.kernel, &regs, &sregs);
    struct vm_exit exit;
    if (vcpu_set_sregs(p.vcpu, &sregs) < 0 || vcpu_set_regs(p.vcpu, &regs) < 0 ||
        vcpu_run(p.vcpu, &exit) < 0 || exit.reason != VM_EXIT_MMIO ||
        exit.mmio.gpa != UKVM_HC_MMIO_GPA || vcpu_get_regs(p.vcpu, &regs) < 0) {
        snprintf(why, whylen, "the probe's cpuid did not reach its store");
        goto out;
    }
    answer = !(regs.rcx & (1u << 30));
    if (!answer)
        snprintf(why, whylen,
                 "cpuid at CPL %d still offers RDRAND: this KVM gives the guest "
                 "the host's CPUID there, not the one ukvm sets",
                 user_mode ? 3 : 0);
out:
    probe_vm_close(&p);
    return answer;
}

enum guest_mode guest_mode_choose(enum guest_mode requested, bool abi_has_user_mode,
                                  struct guest_mode_probe *probe)
{
    memset(probe, 0, sizeof(*probe));
    if (requested != GUEST_MODE_AUTO)
        return requested;
    if (!abi_has_user_mode)
        return GUEST_MODE_KERNEL;
    guest_mode_probe_run(probe);
    return probe->ok && probe->emulated ? GUEST_MODE_USER : GUEST_MODE_KERNEL;
}
