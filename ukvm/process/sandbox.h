/*
 * sandbox.h: ukvm confines itself with a seccomp filter once set-up is over.
 *
 * Before the guest's first instruction (and before a debugger's first packet or a shell's
 * first command), ukvm installs an allowlist of exactly the system calls the rest of the
 * run makes: the run loop, the console, the clock, the devices given, and what the chosen
 * front end does (gdb: its socket and watcher thread; the shell: the terminal and its
 * history file; core files: creating them). The lists are in sandbox_rules.c, one group
 * per need; `ukvm --sandbox-list` prints them and docs/sandbox.md shows that output.
 *
 * Any other call is refused by the kernel (SECCOMP_RET_TRAP), and SIGSYS's handler writes
 * one line naming it ("ukvm: sandbox: forbidden system call NAME (NR) ...") and ends ukvm
 * with UKVM_EXIT_SANDBOX. In the ASan/UBSan build the call fails with ENOSYS after the
 * same line and ukvm goes on, so that a sanitizer report in progress, whose runtime makes
 * calls of its own, is never cut short (docs/sandbox.md, "The ASan/UBSan build").
 *
 * A library loaded on first use (lazy_lib.h) is allowed: read-only opens and executable
 * mappings of files, never writable and executable memory. Anything that set-up would
 * otherwise do lazily with other calls is done before the filter (the front ends do theirs).
 *
 * `--no-sandbox` leaves the filter out, for debugging ukvm itself (strace, a debugger).
 */
#ifndef UKVM_SANDBOX_H
#define UKVM_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "sandbox_rules.h" /* enum sandbox_need */

/*
 * Builds the filter for needs (a set of enum sandbox_need) without installing it, and
 * reads the test-only UKVM_SANDBOX_TEST from the environment (docs/sandbox.md). Returns
 * 0, or -1 with the reason in err (libseccomp refused a rule, or this kernel has no
 * seccomp filters: then --no-sandbox is the way to run).
 */
int sandbox_prepare(unsigned needs, char *err, size_t errlen);

/*
 * Installs the filter sandbox_prepare built, on every thread of the process, with the
 * SIGSYS handler that reports a forbidden call. Only the first call after a successful
 * sandbox_prepare does anything: the front ends call it where their own set-up ends, and
 * whatever runs the vCPU calls it again so that no guest instruction ever runs
 * unconfined. Without sandbox_prepare (--no-sandbox, unit tests) it does nothing. Should
 * the kernel refuse the filter, it prints one line and ends ukvm (UKVM_EXIT_SANDBOX).
 */
void sandbox_enter(void);

/* True once sandbox_enter has installed the filter. */
bool sandbox_active(void);

/* Prints every group of allowed calls, with its argument restrictions (--sandbox-list). */
void sandbox_list(FILE *out);

#endif /* UKVM_SANDBOX_H */
