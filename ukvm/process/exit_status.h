/*
 * exit_status.h: ukvm's process exit statuses (documented in docs/abi.md).
 *
 * 0-254 are the guest's own (solo5_exit(status) gives status & 0xff, and returning
 * from solo5_app_main counts as solo5_exit). The monitor's own failures use the codes
 * below; they can coincide with a guest's chosen status, which is why every one of
 * them is also announced by a line on stderr starting "ukvm:".
 */
#ifndef UKVM_EXIT_STATUS_H
#define UKVM_EXIT_STATUS_H

#define UKVM_EXIT_USAGE         2   /* bad command line: usage message on stderr */
#define UKVM_EXIT_SIGNAL_BASE   128 /* SIGINT/SIGTERM ended the guest: 128 + signal number */
#define UKVM_EXIT_KVM           250 /* cannot open /dev/kvm or set up the VM */
#define UKVM_EXIT_BAD_UNIKERNEL 251 /* the unikernel file is unreadable, malformed or too big */
#define UKVM_EXIT_DEVICE        252 /* a device cannot be used: --disk, --block, a tap, the console */
#define UKVM_EXIT_SANDBOX       253 /* the sandbox refused a system call (ukvm/process/sandbox.h) */
#define UKVM_EXIT_GUEST_CRASH   255 /* abort, fatal exception, triple fault, bad hypercall */

#endif /* UKVM_EXIT_STATUS_H */
