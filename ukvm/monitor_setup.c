/*
 * monitor_setup.c: ukvm's start-up steps (see monitor_setup.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "monitor_setup.h"
#include "ukvm/crash/core_dump.h"
#include "ukvm/process/exit_status.h"
#include "ukvm/run/stop_signals.h"

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

int monitor_setup_vm(const struct options *opts, struct monitor *m, char *err, size_t errlen)
{
    memset(m, 0, sizeof(*m));
    m->wake_fd = -1;
    if (vm_create(&m->vm, err, errlen) < 0 ||
        guest_mem_alloc(&m->mem, opts->mem_mib << 20, err, errlen) < 0)
        return UKVM_EXIT_KVM;
    return 0;
}

int monitor_setup_unikernel(const struct options *opts, struct monitor *m, char *err, size_t errlen)
{
    if (elf_load_file(opts->kernel_path, m->mem.host, m->mem.size, UKVM_KERNEL_MIN_GPA, m->mem.size,
                      &m->image, err, errlen) < 0)
        return UKVM_EXIT_BAD_UNIKERNEL;
    return 0;
}

int monitor_setup_memory(struct monitor *m, char *err, size_t errlen)
{
    if (boot_layout_compute(m->mem.size, &m->image, &m->layout, err, errlen) < 0 ||
        boot_setup_memory(&m->mem, &m->image, &m->layout, err, errlen) < 0)
        return UKVM_EXIT_BAD_UNIKERNEL;
    if (mem_slots_init_vm(&m->slots, m->vm, m->mem.host, m->mem.size, err, errlen) < 0)
        return UKVM_EXIT_KVM;
    return 0;
}

int monitor_setup_vcpu(struct monitor *m, char *err, size_t errlen)
{
    if (vcpu_create(m->vm, &m->vcpu, err, errlen) < 0)
        return UKVM_EXIT_KVM;
    struct vcpu_regs regs;
    struct vcpu_sregs sregs;
    boot_initial_regs(m->image.entry, &m->layout, &regs, &sregs);
    if (vcpu_set_sregs(m->vcpu, &sregs) < 0 || vcpu_set_regs(m->vcpu, &regs) < 0) {
        snprintf(err, errlen, "cannot set the vCPU's initial registers: %s", strerror(errno));
        return UKVM_EXIT_KVM;
    }
    return 0;
}

void monitor_setup_boot_info(const struct options *opts, struct monitor *m)
{
    uint64_t canary;
    if (getrandom(&canary, sizeof(canary), 0) != sizeof(canary))
        canary = now_ns(CLOCK_MONOTONIC) * 0x9e3779b97f4a7c15ULL;
    canary &= ~0xffULL; /* a zero low byte stops string functions from leaking it */
    struct boot_clock clock = {.tsc_hz = guest_tsc_hz(m->vcpu),
                               .wall_clock_ns = now_ns(CLOCK_REALTIME)};
    boot_write_info(&m->mem, &m->layout, opts->cmdline, &clock, canary);
}

int monitor_setup_devices(const struct options *opts, struct monitor *m, char *err, size_t errlen)
{
    if (block_devs_open(&m->blocks, opts, err, errlen) < 0)
        return UKVM_EXIT_DEVICE;
    return 0;
}

int monitor_setup_signals(struct monitor *m, char *err, size_t errlen)
{
    m->wake_fd = stop_signals_install(m->vcpu, err, errlen);
    if (m->wake_fd < 0)
        return UKVM_EXIT_KVM;
    m->have_wake_fd = true;
    return 0;
}

void monitor_setup_run(const struct options *opts, struct monitor *m)
{
    const char *core_path = opts->core_path;
    if (opts->core_dir) {
        char name[NAME_MAX + 1];
        core_dump_default_path(opts->kernel_path, name, sizeof(name));
        snprintf(m->core_path, sizeof(m->core_path), "%s/%s", opts->core_dir, name);
        core_path = m->core_path;
    }
    m->run = (struct run_context){
        .vcpu = m->vcpu,
        .mem = &m->mem,
        .slots = &m->slots,
        .blocks = &m->blocks,
        .layout = &m->layout,
        .image = &m->image,
        .kernel_path = opts->kernel_path,
        .wake_fd = m->wake_fd,
        .trace = opts->trace,
        .core = opts->core,
        .core_path = core_path,
    };
}

int monitor_setup(const struct options *opts, struct monitor *m, char *err, size_t errlen)
{
    int status;
    if ((status = monitor_setup_vm(opts, m, err, errlen)) != 0 ||
        (status = monitor_setup_unikernel(opts, m, err, errlen)) != 0 ||
        (status = monitor_setup_memory(m, err, errlen)) != 0 ||
        (status = monitor_setup_vcpu(m, err, errlen)) != 0)
        return status;
    monitor_setup_boot_info(opts, m);
    if ((status = monitor_setup_devices(opts, m, err, errlen)) != 0 ||
        (status = monitor_setup_signals(m, err, errlen)) != 0)
        return status;
    monitor_setup_run(opts, m);
    return 0;
}

void monitor_teardown(struct monitor *m)
{
    block_devs_close(&m->blocks);
    vm_destroy(m->vm);
    m->vm = NULL;
    m->vcpu = NULL;
    mem_slots_destroy(&m->slots);
    guest_mem_free(&m->mem);
    if (m->have_wake_fd)
        close(m->wake_fd);
    m->have_wake_fd = false;
    m->wake_fd = -1;
}
