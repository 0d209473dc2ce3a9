/*
 * monitor_setup.c: ukvm's start-up steps (see monitor_setup.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "monitor_setup.h"
#include "ukvm/crash/core_dump.h"
#include "ukvm/debug/dr_probe.h"
#include "ukvm/inspect/x86_decode.h"
#include "ukvm/process/sandbox.h"
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
    if (vm_create(&m->vm, err, errlen) < 0)
        return UKVM_EXIT_KVM;
    if (opts->record)
        vm_set_deterministic(m->vm); /* no RDRAND or RDSEED: values a replay cannot give */
    return 0;
}

int monitor_setup_unikernel(const struct options *opts, struct monitor *m, char *err, size_t errlen)
{
    /*
     * The file is read once, and both passes below work on those bytes: what the ABI's
     * checks accepted is exactly what is loaded and attached. The first pass only
     * validates and reads the notes, because the ABI they name decides the default
     * memory size; the second loads into the memory allocated for it.
     */
    struct elf_file file;
    if (elf_file_read(opts->kernel_path, &file, err, errlen) < 0)
        return UKVM_EXIT_BAD_UNIKERNEL;
    int status = 0;
    char why[400];
    uint64_t max = (uint64_t)OPTIONS_MAX_MEM_MIB << 20;
    if (elf_load_buffer(file.data, file.size, NULL, max, UKVM_KERNEL_MIN_GPA, max, &m->image, why,
                        sizeof(why)) < 0 ||
        !(m->abi = guest_abi_select(&m->image, why, sizeof(why)))) {
        snprintf(err, errlen, "%s: %s", opts->kernel_path, why);
        status = UKVM_EXIT_BAD_UNIKERNEL;
        goto out;
    }
    /*
     * A recorded Solo5 hvt guest reads its clock from the time-stamp counter, which only
     * CR4.TSD at CPL 3 lets the monitor see (and record): it runs in user mode.
     */
    enum guest_mode wanted = opts->guest_mode;
    m->record_tsc = opts->record && m->abi == &guest_abi_hvt;
    if (m->record_tsc) {
        if (wanted == GUEST_MODE_KERNEL) {
            snprintf(err, errlen,
                     "--record: a %s guest reads the CPU's time-stamp counter for its clock, "
                     "which ukvm can record only in user mode: give --guest-mode=user or "
                     "auto, not kernel (docs/reverse.md)",
                     m->abi->name);
            status = UKVM_EXIT_USAGE;
            goto out;
        }
        char why[200];
        int tsd = guest_probe_tsd(why, sizeof(why));
        if (tsd != 1) {
            snprintf(err, errlen,
                     "--record: a %s guest reads the CPU's time-stamp counter for its clock, "
                     "which ukvm records by making rdtsc fault in user mode (CR4.TSD), and "
                     "%s%s; ukvm cannot record it on this KVM (ukvm --probe, docs/reverse.md)",
                     m->abi->name, tsd == 0 ? "here " : "the probe failed: ", why);
            status = UKVM_EXIT_USAGE;
            goto out;
        }
        wanted = GUEST_MODE_USER;
    }
    m->mode = guest_mode_choose(wanted, m->abi->user_mode, &m->probe);
    if (m->mode == GUEST_MODE_USER && !m->abi->user_mode) {
        snprintf(err, errlen,
                 "--guest-mode=user: %s guests run in kernel mode only; give "
                 "--guest-mode=kernel or auto",
                 m->abi->name);
        status = UKVM_EXIT_USAGE;
        goto out;
    }
    if (opts->trace) {
        if (m->probe.ok)
            fprintf(stderr,
                    "ukvm: trace: guest mode %s: the probe's loop took %.0f us at CPL 0, "
                    "%.0f us at CPL 3\n",
                    guest_mode_name(m->mode), m->probe.cpl0_us, m->probe.cpl3_us);
        else
            fprintf(stderr, "ukvm: trace: guest mode %s%s%s%s\n", guest_mode_name(m->mode),
                    m->probe.why[0] ? " (the probe failed: " : "", m->probe.why,
                    m->probe.why[0] ? ")" : "");
    }
    uint64_t bytes = (opts->mem_given ? opts->mem_mib : m->abi->default_mem_mib) << 20;
    if (m->abi->mem_align && bytes % m->abi->mem_align != 0) {
        snprintf(err, errlen,
                 "--mem=%llu: a %s guest's memory must be a multiple of %llu MiB (its "
                 "ABI maps memory in pages of that size)",
                 (unsigned long long)opts->mem_mib, m->abi->name,
                 (unsigned long long)(m->abi->mem_align >> 20));
        status = UKVM_EXIT_USAGE;
        goto out;
    }
    if (guest_mem_alloc(&m->mem, bytes, err, errlen) < 0) {
        status = UKVM_EXIT_KVM;
        goto out;
    }
    if (elf_load_buffer(file.data, file.size, m->mem.host, m->mem.size, UKVM_KERNEL_MIN_GPA,
                        m->mem.size, &m->image, why, sizeof(why)) < 0) {
        snprintf(err, errlen, "%s: %s", opts->kernel_path, why);
        status = UKVM_EXIT_BAD_UNIKERNEL;
    }
out:
    elf_file_free(&file);
    return status;
}

int monitor_setup_memory(struct monitor *m, char *err, size_t errlen)
{
    if (m->abi->setup_memory(&m->mem, &m->image, m->mode == GUEST_MODE_USER, &m->layout, err,
                             errlen) < 0)
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
    m->abi->initial_regs(m->image.entry, &m->layout, &regs, &sregs);
    if (m->record_tsc)
        sregs.cr4 |= X86_CR4_TSD; /* rdtsc faults at CPL 3: the monitor serves and records it */
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
                               .wall_clock_ns = now_ns(CLOCK_REALTIME),
                               .by_hypercall = opts->record};
    m->clock_origin_ns = now_ns(CLOCK_MONOTONIC);
    struct guest_boot_params params = {.image = &m->image,
                                       .cmdline = opts->cmdline,
                                       .clock = clock,
                                       .stack_canary = canary,
                                       .abi_state = &m->hvt};
    m->abi->write_boot_info(&m->mem, &m->layout, &params);
}

int monitor_setup_devices(const struct options *opts, struct monitor *m, char *err, size_t errlen)
{
    if (block_devs_open(&m->blocks, opts, err, errlen) < 0)
        return UKVM_EXIT_DEVICE;
    if (net_devs_open(&m->nets, opts, err, errlen) < 0)
        return UKVM_EXIT_DEVICE;
    /* A device the guest does not declare, or one it declares and lacks: the command line. */
    if (m->abi->attach_devices(&m->hvt, &m->image, &m->blocks, &m->nets, err, errlen) < 0)
        return UKVM_EXIT_USAGE;
    if (net_devs_open_captures(&m->nets, err, errlen) < 0)
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
        .nets = &m->nets,
        .layout = &m->layout,
        .image = &m->image,
        .kernel_path = opts->kernel_path,
        .wake_fd = m->wake_fd,
        .trace = opts->trace,
        .core = opts->core,
        .core_path = core_path,
        .abi = m->abi,
        .abi_state = &m->hvt,
        .user_mode = m->mode == GUEST_MODE_USER,
        .clock_origin_ns = m->clock_origin_ns,
    };
    m->run.exits.hc_name = m->abi->hypercall_name;
}

int monitor_setup_sandbox(const struct options *opts, struct monitor *m, char *err, size_t errlen)
{
    unsigned needs = (opts->nblocks ? SANDBOX_BLOCK : 0) | (opts->nnets ? SANDBOX_NET : 0) |
                     (opts->core ? SANDBOX_CORE : 0) | (opts->gdb ? SANDBOX_GDB : 0) |
                     (opts->shell ? SANDBOX_SHELL : 0);
    /* Watchpoints ask it on first use; user mode's watchpoints are page traps only. */
    if ((opts->gdb || opts->shell) && m->mode != GUEST_MODE_USER)
        dr_probe_data_breakpoints();
    return sandbox_prepare(needs, err, errlen) < 0 ? UKVM_EXIT_SANDBOX : 0;
}

int monitor_setup(const struct options *opts, struct monitor *m, char *err, size_t errlen)
{
    int status;
    if ((status = monitor_setup_vm(opts, m, err, errlen)) != 0 ||
        (status = monitor_setup_unikernel(opts, m, err, errlen)) != 0 ||
        (status = monitor_setup_memory(m, err, errlen)) != 0 ||
        (status = monitor_setup_vcpu(m, err, errlen)) != 0 ||
        (status = monitor_setup_devices(opts, m, err, errlen)) != 0)
        return status;
    monitor_setup_boot_info(opts, m);
    if ((status = monitor_setup_signals(m, err, errlen)) != 0)
        return status;
    monitor_setup_run(opts, m);
    return 0;
}

int monitor_describe(const struct options *opts, FILE *out, FILE *err)
{
    static struct elf_image image; /* large (a manifest): not on the stack */
    char why[512];
    struct elf_file file;
    if (elf_file_read(opts->kernel_path, &file, why, sizeof(why)) < 0) {
        fprintf(err, "ukvm: %s\n", why);
        return UKVM_EXIT_BAD_UNIKERNEL;
    }
    uint64_t max = (uint64_t)OPTIONS_MAX_MEM_MIB << 20;
    const struct guest_abi *abi = NULL;
    if (elf_load_buffer(file.data, file.size, NULL, max, UKVM_KERNEL_MIN_GPA, max, &image, why,
                        sizeof(why)) == 0)
        abi = guest_abi_select(&image, why, sizeof(why));
    elf_file_free(&file);
    if (!abi) {
        fprintf(err, "ukvm: %s: %s\n", opts->kernel_path, why);
        return UKVM_EXIT_BAD_UNIKERNEL;
    }
    fprintf(out, "%s\n", opts->kernel_path);
    guest_abi_describe(out, abi, &image);
    return 0;
}

int monitor_setup_record(const struct options *opts, struct monitor *m, char *err, size_t errlen)
{
    if (!opts->record)
        return 0;
    char why[200];
    bool cpuid_hidden = guest_probe_cpuid_hidden(m->mode == GUEST_MODE_USER, why, sizeof(why)) == 1;
    const char *verify = getenv("UKVM_RECORD_VERIFY");
    if (recorder_init(&m->record, opts->record_mib, verify && !strcmp(verify, "1"), &m->mem,
                      m->vcpu) < 0 ||
        recorder_start(&m->record) < 0) {
        snprintf(err, errlen, "--record: cannot take the first checkpoint: %s", strerror(errno));
        recorder_destroy(&m->record);
        return UKVM_EXIT_KVM;
    }
    m->have_record = true;
    m->record.cpuid_visible = !cpuid_hidden;
    m->run.record = &m->record;
    return 0;
}

void monitor_teardown(struct monitor *m)
{
    if (m->have_record)
        recorder_destroy(&m->record);
    m->have_record = false;
    block_devs_close(&m->blocks);
    net_devs_close(&m->nets);
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
