/*
 * options.h: ukvm's command line.
 *
 *   ukvm [OPTIONS] KERNEL.ukvm [ARGS...]
 *
 * Options come before the kernel; everything after it is the guest's command line.
 */
#ifndef UKVM_OPTIONS_H
#define UKVM_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "device_names.h"
#include "guest_mode.h"
#include "net_options.h"
#include "ukvm_abi.h"

#define OPTIONS_MAX_DEVICES      63                  /* Solo5's manifest holds at most 63 devices */
#define OPTIONS_MAX_BLOCKS       OPTIONS_MAX_DEVICES /* block and network devices together */
#define OPTIONS_MAX_NETS         OPTIONS_MAX_DEVICES
#define OPTIONS_DEVICE_NAME_MAX  67 /* Solo5's manifest names: 67 characters */
#define OPTIONS_BLOCK_NAME_MAX   OPTIONS_DEVICE_NAME_MAX
#define OPTIONS_MIN_BLOCK_SIZE   512     /* --block-sector-size: a power of two in this range, */
#define OPTIONS_MAX_BLOCK_SIZE   32768   /* as Solo5's 16-bit manifest field allows */
#define OPTIONS_DEFAULT_MEM_MIB  64      /* ukvm unikernels; Solo5 hvt binaries get 512 */
#define OPTIONS_MAX_MEM_MIB      4096    /* hypercall arguments are 32-bit guest addresses */
#define OPTIONS_MIN_RECORD_MIB   16      /* --record=MiB: room for a few checkpoints */
#define OPTIONS_MAX_RECORD_MIB   1048576 /* 1 TiB: the 16 and 1048576 of its message */
#define OPTIONS_DEFAULT_GDB_HOST "127.0.0.1" /* never all interfaces unless asked */
#define OPTIONS_DEFAULT_GDB_PORT 1234

struct block_option {
    char name[OPTIONS_BLOCK_NAME_MAX + 1];
    const char *path;
    uint32_t block_size; /* bytes: a power of two, OPTIONS_MIN_BLOCK_SIZE by default */
};

struct options {
    uint64_t mem_mib;
    bool mem_given; /* --mem was given; otherwise the guest ABI's default applies */
    bool info;      /* --info: describe the unikernel file, do not run it */
    bool probe;     /* --probe: report what ukvm's run-time probes find on this KVM */
    bool trace;     /* print every exit and hypercall to stderr */
    /*
     * --guest-mode (kernel, user or auto), else UKVM_GUEST_MODE from the environment,
     * else auto (ukvm/guest/guest_mode.h).
     */
    enum guest_mode guest_mode;
    bool stats; /* print set-up and run times at exit */
    bool gdb;   /* --gdb: serve the GDB remote protocol, stopped before the first instruction */
    bool shell; /* --shell: the inspection shell, stopped before the first instruction */
    bool core;  /* --core: write a core file when the guest crashes */
    bool no_sandbox; /* --no-sandbox: no seccomp filter after set-up (sandbox.h) */
    /*
     * --record[=MiB]: record the run for reverse execution (ukvm/replay/recorder.h), in at
     * most record_mib MiB (0: the default). Only with --gdb or --shell.
     */
    bool record;
    uint64_t record_mib;
    const char *core_path; /* --core=PATH; NULL: the default name (ukvm/crash/core_dump.h) */
    const char *core_dir;  /* --dumpcore=DIR: the default name, in DIR; NULL: not given */
    char gdb_host[256];
    uint16_t gdb_port; /* 0: pick a free port */
    size_t nblocks;
    struct block_option blocks[OPTIONS_MAX_BLOCKS];
    size_t nnets; /* nblocks + nnets <= OPTIONS_MAX_DEVICES */
    struct net_option nets[OPTIONS_MAX_NETS];
    const char *kernel_path;
    char cmdline[UKVM_CMDLINE_MAX]; /* guest arguments joined by single spaces */
};

enum options_result {
    OPTIONS_RUN,   /* parsed: run the guest */
    OPTIONS_DONE,  /* --help, --version or --sandbox-list was printed: exit 0 */
    OPTIONS_USAGE, /* bad command line: a message was printed to err, exit 2 */
};

/*
 * Parses argv into *opts. Messages for --help/--version/--sandbox-list go to out, errors (one line
 * naming the bad argument, then a hint to run --help) to err.
 *
 * Besides ukvm's own spellings, it takes solo5-hvt's (--block:NAME=FILE,
 * --block-sector-size:NAME=N, --dumpcore[=DIR], --net:NAME=IFACE|@FD, --net-mac:NAME=MAC),
 * so a script written for solo5-hvt runs with ukvm in its place. The only file-system
 * check is that a --dumpcore folder exists and is writable, so that a crash finds it so;
 * tap interfaces are opened later (ukvm/devices/net_dev.h).
 */
enum options_result options_parse(int argc, char *const argv[], struct options *opts, FILE *out,
                                  FILE *err);

/* Prints the full usage text. */
void options_usage(FILE *out);

#endif /* UKVM_OPTIONS_H */
