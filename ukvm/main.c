/*
 * main.c: ukvm's start-up, one explicit step after another:
 *
 *   arguments -> KVM -> ELF load, guest ABI and guest memory -> memory layout, page
 *   tables, GDT -> vCPU registers -> devices -> boot info -> signals -> sandbox -> run
 *   loop -> exit status
 *
 * Every failure before the guest runs prints one line "ukvm: <what and why>" and exits
 * with a status from exit_status.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "kvm_report.h"
#include "monitor_setup.h"
#include "ukvm/crash/run_end.h"
#include "ukvm/frontend/gdb_target.h"
#include "ukvm/frontend/shell_frontend.h"
#include "ukvm/process/exit_status.h"
#include "ukvm/process/options.h"
#include "ukvm/process/sandbox.h"

static uint64_t now_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
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

    /* --probe: what this KVM does, by ukvm's own probes; no unikernel. */
    if (opts.probe)
        return kvm_report_print(stdout, stderr);

    /* --info: what the file is, without KVM. */
    if (opts.info)
        return monitor_describe(&opts, stdout, stderr);

    /*
     * Steps 2-9 are in monitor_setup.c (shared with the debug core's tests); each returns
     * 0 or its failure's exit status with the reason in err. Everything they set up is
     * released by monitor_teardown at `out`, whichever step fails.
     */

    static struct monitor m;

    /* 2. KVM. */
    if ((status = monitor_setup_vm(&opts, &m, err, sizeof(err))) != 0)
        goto fail;

    /* 3. The unikernel, its guest ABI (from its notes), and guest memory. */
    if ((status = monitor_setup_unikernel(&opts, &m, err, sizeof(err))) != 0)
        goto fail;

    /* 4. Layout, page tables, GDT and TSS; the memory mapped into the VM. */
    if ((status = monitor_setup_memory(&m, err, sizeof(err))) != 0)
        goto fail;

    /* 5. The vCPU, entering 64-bit mode directly at the ELF entry point. */
    if ((status = monitor_setup_vcpu(&m, err, sizeof(err))) != 0)
        goto fail;

    /* 6. Devices, attached as the guest's ABI wants. */
    if ((status = monitor_setup_devices(&opts, &m, err, sizeof(err))) != 0)
        goto fail;

    /* 7. Boot info: command line, clock, stack canary (hvt: the manifest). */
    monitor_setup_boot_info(&opts, &m);

    /* 8. Signals: SIGINT/SIGTERM end the guest cleanly. */
    if ((status = monitor_setup_signals(&m, err, sizeof(err))) != 0)
        goto fail;

    /* 9. The run context, and with --record the record's first checkpoint. */
    monitor_setup_run(&opts, &m);
    if ((status = monitor_setup_record(&opts, &m, err, sizeof(err))) != 0)
        goto fail;

    /*
     * 10. The sandbox's filter, built for this mode. A front end installs it where its own
     * set-up ends (gdb: once listening; the shell: once its terminal is set); a plain run
     * installs it here.
     */
    if (!opts.no_sandbox && (status = monitor_setup_sandbox(&opts, &m, err, sizeof(err))) != 0)
        goto fail;

    /* 11. Run. */
    uint64_t t_run = now_ns(CLOCK_MONOTONIC);
    if (opts.gdb) {
        status = gdb_frontend_run(&m.run, opts.gdb_host, opts.gdb_port);
    } else if (opts.shell) {
        status = shell_frontend_run(&m.run);
    } else {
        sandbox_enter();
        status = run_loop(&m.run);
    }
    uint64_t t_end = now_ns(CLOCK_MONOTONIC);
    fflush(stdout);
    if (opts.stats)
        fprintf(stderr,
                "ukvm: stats: setup_us=%" PRIu64 " run_us=%" PRIu64 " exits=%" PRIu64
                " hypercalls=%" PRIu64 "\n",
                (t_run - t_start) / 1000, (t_end - t_run) / 1000, m.run.exits.count,
                m.run.exits.hypercalls);
    goto out;

fail:
    fprintf(stderr, "ukvm: %s\n", err);
out:
    monitor_teardown(&m);
    return status;
}
