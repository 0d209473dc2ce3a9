/*
 * guest_mode.h: kernel mode or user mode, chosen once before the guest starts.
 *
 *   kernel  the guest runs at CPL 0, as Solo5's kernels expect; hypercalls by port I/O
 *   user    the guest runs at CPL 3 under the monitor's shim (ukvm/guest/user_shim.h);
 *           hypercalls by stores to a page with no memory behind it
 *   auto    user mode where a run-time probe (ukvm/guest/mode_probe.h) shows that this
 *           KVM emulates guest kernel mode in software (a KVM without VMX or SVM: CPL 0
 *           code runs thousands of times slower than CPL 3 code), kernel mode elsewhere
 *
 * On hardware KVM both modes run at the same speed and auto picks kernel mode.
 */
#ifndef UKVM_GUEST_MODE_H
#define UKVM_GUEST_MODE_H

enum guest_mode { GUEST_MODE_AUTO, GUEST_MODE_KERNEL, GUEST_MODE_USER };

/* Parses "auto", "kernel" or "user"; returns 0, or -1 for anything else. */
int guest_mode_parse(const char *text, enum guest_mode *mode);

/* "auto", "kernel" or "user". */
const char *guest_mode_name(enum guest_mode mode);

#endif /* UKVM_GUEST_MODE_H */
