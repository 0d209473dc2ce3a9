/*
 * kernel.h: what the parts of the ukvm kernel need from one another.
 *
 * Start-up order (entry.S, then start.c): _start sets the stack-protector guard and the
 * clock's TSC base, then kernel_main loads the IDT, checks the boot information, sets up
 * the clock and calls solo5_app_main.
 */
#ifndef KERNEL_KERNEL_H
#define KERNEL_KERNEL_H

#include <stddef.h>
#include <stdint.h>
#include "ukvm_abi.h"

/* Length of a string literal, without its NUL. */
#define LITERAL_LEN(s) (sizeof(s) - 1)

/*
 * C entry point, called once by _start on the initial stack with the boot information
 * the monitor placed at UKVM_BOOT_INFO_GPA. Never returns: it ends in solo5_exit().
 */
void kernel_main(const struct ukvm_boot_info *bi) __attribute__((noreturn));

/*
 * Loads an IDT whose 32 exception gates report to the monitor through UKVM_HC_TRAP.
 * #DF, NMI and #PF run on their own IST stacks (the TSS the monitor built), so a stack
 * overflow is still reported. Call before anything that might fault.
 */
void idt_init(void);

/*
 * Exception entry points (trap.S), one per vector 0..31, in vector order. Each builds a
 * struct ukvm_trap_frame on its stack and hands it to the monitor; none returns.
 */
extern const uintptr_t trap_stubs[32];

/* TSC value at kernel entry, written by _start before any C code runs. */
extern uint64_t clock_tsc_base;

/*
 * Takes the clock parameters from the boot information. Returns 0, or -1 if they cannot
 * be used (a shift of 128 or more).
 */
int clock_init(const struct ukvm_boot_info *bi);

/*
 * Ends the guest through UKVM_HC_ABORT with the message (msg, len) and a trap frame
 * holding the caller's registers, as solo5_abort() does (abort.S). Never returns.
 */
void kernel_abort(const char *msg, size_t len) __attribute__((noreturn));

/*
 * Returns the application's part of the guest command line: (cmdline) after leading
 * white space and the Solo5 options "--solo5:quiet|error|warn|info|debug" that start it
 * (each a whole word), and the white space after them.
 */
const char *cmdline_skip_solo5_options(const char *cmdline);

#endif /* KERNEL_KERNEL_H */
