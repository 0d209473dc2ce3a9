/*
 * regs_format.h: print vCPU registers for people (crash reports, shell, gdb monitor).
 */
#ifndef UKVM_REGS_FORMAT_H
#define UKVM_REGS_FORMAT_H

#include <stdio.h>

#include "ukvm/vm/vcpu_state.h"

/*
 * Prints the general registers and rip three per line, then rflags with its decoded
 * flags, each line prefixed by indent spaces:
 *   rax  0x0000000000000000  rbx  0x0000000000000000  rcx  0x0000000000000000
 *   ...
 *   r15  0x0000000000000000  rip  0x0000000000101234
 *   rflags 0x0000000000000246 [ IF ZF PF ]
 */
void regs_dump(FILE *out, const struct vcpu_regs *regs, int indent);

/*
 * Prints control registers and EFER with decoded flags, the segment registers
 * (selector, base, limit, attributes) and GDTR/IDTR/TR, each line prefixed by indent
 * spaces, e.g.:
 *   cr0  0x0000000080050033 [ PG AM WP NE ET MP PE ]
 *   cs   0x0008  base 0x0000000000000000  limit 0xffffffff  type 0xb code r-x A  dpl 0 P L G
 */
void sregs_dump(FILE *out, const struct vcpu_sregs *sregs, int indent);

#endif /* UKVM_REGS_FORMAT_H */
