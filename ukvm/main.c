/*
 * main.c: ukvm's start-up, one explicit step after another:
 *
 *   arguments -> KVM and guest memory -> ELF load -> memory layout, page tables, GDT
 *   -> vCPU registers -> boot info -> devices -> signals -> run loop -> exit status
 *
 * Every failure before the guest runs prints one line "ukvm: <what and why>" and exits
 * with a status from exit_status.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "block_dev.h"
#include "boot_setup.h"
#include "elf_load.h"
#include "exit_status.h"
#include "gdb_target.h"
#include "guest_mem.h"
#include "options.h"
#include "run_loop.h"
#include "stop_signals.h"
#include "vm.h"

static uint64_t now_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * The guest TSC rate. KVM knows it (KVM_GET_TSC_KHZ); where it cannot tell, measure the
 * host TSC, which the guest's TSC follows at the same rate, against CLOCK_MONOTONIC.
 */
static uint64_t guest_tsc_hz(struct vcpu *vcpu)
{
    uint64_t hz = vcpu_tsc_hz(vcpu);
    if (hz)
        return hz;
    uint64_t t0 = now_ns(CLOCK_MONOTONIC), c0 = __builtin_ia32_rdtsc();
    struct timespec pause = {.tv_nsec = 10 * 1000 * 1000};
    nanosleep(&pause, NULL);
    uint64_t t1 = now_ns(CLOCK_MONOTONIC), c1 = __builtin_ia32_rdtsc();
    return t1 > t0 ? (uint64_t)((unsigned __int128)(c1 - c0) * 1000000000ULL / (t1 - t0))
                   : 1000000000ULL;
}

int main(int argc, char **argv)
{
    uint64_t t_start = now_ns(CLOCK_MONOTONIC);
    char err[512];
    int status;

    /* 1. Arguments. */
    static struct options opts;
    switch (options_parse(argc, argv, &opts, stdout, stderr)) {
    case OPTIONS_DONE:
        return 0;
    case OPTIONS_USAGE:
        return UKVM_EXIT_USAGE;
    case OPTIONS_RUN:
        break;
    }

    /* Everything below is released at `out`, whichever step fails. */
    struct vm *vm = NULL;
    struct guest_mem mem = {0};
    struct block_devs blocks = {0};

    /* 2. KVM and guest memory. */
    status = UKVM_EXIT_KVM;
    if (vm_create(&vm, err, sizeof(err)) < 0 ||
        guest_mem_alloc(&mem, opts.mem_mib << 20, err, sizeof(err)) < 0)
        goto fail;

    /* 3. The unikernel. */
    status = UKVM_EXIT_BAD_UNIKERNEL;
    struct elf_image image;
    if (elf_load_file(opts.kernel_path, mem.host, mem.size, UKVM_KERNEL_MIN_GPA, mem.size, &image,
                      err, sizeof(err)) < 0)
        goto fail;

    /* 4. Layout, page tables, GDT and TSS. */
    struct boot_layout layout;
    if (boot_layout_compute(mem.size, &image, &layout, err, sizeof(err)) < 0 ||
        boot_setup_memory(&mem, &image, &layout, err, sizeof(err)) < 0)
        goto fail;
    status = UKVM_EXIT_KVM;
    if (vm_map_memory(vm, 0, 0, mem.size, mem.host, false, err, sizeof(err)) < 0)
        goto fail;

    /* 5. The vCPU, entering 64-bit mode directly at the ELF entry point. */
    struct vcpu *vcpu;
    if (vcpu_create(vm, &vcpu, err, sizeof(err)) < 0)
        goto fail;
    struct vcpu_regs regs;
    struct vcpu_sregs sregs;
    boot_initial_regs(image.entry, &layout, &regs, &sregs);
    if (vcpu_set_sregs(vcpu, &sregs) < 0 || vcpu_set_regs(vcpu, &regs) < 0) {
        snprintf(err, sizeof(err), "cannot set the vCPU's initial registers: %s", strerror(errno));
        goto fail;
    }

    /* 6. Boot info: command line, clock, stack canary. */
    uint64_t canary;
    if (getrandom(&canary, sizeof(canary), 0) != sizeof(canary))
        canary = now_ns(CLOCK_MONOTONIC) * 0x9e3779b97f4a7c15ULL;
    canary &= ~0xffULL; /* a zero low byte stops string functions from leaking it */
    struct boot_clock clock = {.tsc_hz = guest_tsc_hz(vcpu),
                               .wall_clock_ns = now_ns(CLOCK_REALTIME)};
    boot_write_info(&mem, &layout, opts.cmdline, &clock, canary);

    /* 7. Devices. */
    status = UKVM_EXIT_DEVICE;
    if (block_devs_open(&blocks, &opts, err, sizeof(err)) < 0)
        goto fail;

    /* 8. Signals: SIGINT/SIGTERM end the guest cleanly. */
    status = UKVM_EXIT_KVM;
    int wake_fd = stop_signals_install(vcpu, err, sizeof(err));
    if (wake_fd < 0)
        goto fail;

    /* 9. Run. */
    static struct run_context run;
    run = (struct run_context){
        .vcpu = vcpu,
        .mem = &mem,
        .blocks = &blocks,
        .layout = &layout,
        .kernel_path = opts.kernel_path,
        .wake_fd = wake_fd,
        .trace = opts.trace,
    };
    uint64_t t_run = now_ns(CLOCK_MONOTONIC);
    status = opts.gdb ? gdb_frontend_run(&run, opts.gdb_host, opts.gdb_port) : run_loop(&run);
    uint64_t t_end = now_ns(CLOCK_MONOTONIC);
    fflush(stdout);
    if (opts.stats)
        fprintf(stderr,
                "ukvm: stats: setup_us=%" PRIu64 " run_us=%" PRIu64 " exits=%" PRIu64
                " hypercalls=%" PRIu64 "\n",
                (t_run - t_start) / 1000, (t_end - t_run) / 1000, run.exits.count,
                run.exits.per_reason[VM_EXIT_IO]);
    goto out;

fail:
    fprintf(stderr, "ukvm: %s\n", err);
out:
    block_devs_close(&blocks);
    vm_destroy(vm);
    guest_mem_free(&mem);
    return status;
}
