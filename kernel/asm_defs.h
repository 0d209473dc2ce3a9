/*
 * asm_defs.h: ABI numbers and struct offsets for the kernel's assembly files.
 *
 * The assembler cannot read the C structs in ukvm_abi.h, so the numbers it needs are
 * repeated here as plain integers. When this header is included from C it checks every
 * one of them against ukvm_abi.h at compile time, so the two can never drift apart.
 */
#ifndef KERNEL_ASM_DEFS_H
#define KERNEL_ASM_DEFS_H

/* The ELF note that marks a ukvm unikernel (UKVM_NOTE_ABI, UKVM_ABI_VERSION). */
#define ASM_NOTE_ABI    1
#define ASM_ABI_VERSION 2

/* struct ukvm_boot_info */
#define BI_STACK_CANARY 96
#define BI_CLOCK_MODE   112

/* UKVM_CLOCK_BY_HYPERCALL: a recorded run, whose kernel never reads the TSC. */
#define ASM_CLOCK_BY_HYPERCALL 1

/* User mode: UKVM_HC_BY_STORE, and where the abort hypercall's store goes. */
#define ASM_HC_BY_STORE   1
#define ASM_HC_MMIO_ABORT (0x100000000 + 8 * 10)

/* Hypercall ports: UKVM_HC_PORT_BASE + UKVM_HC_TRAP / UKVM_HC_ABORT. */
#define ASM_HC_PORT_TRAP  (0x500 + 11)
#define ASM_HC_PORT_ABORT (0x500 + 10)

/* UKVM_ABORT_VECTOR: a 32-bit immediate, zero-extended to the 64-bit vector field. */
#define ASM_ABORT_VECTOR 0xffffffff

/* struct ukvm_trap_frame */
#define TF_VECTOR     0
#define TF_ERROR_CODE 8
#define TF_CR2        16
#define TF_RAX        24
#define TF_RBX        32
#define TF_RCX        40
#define TF_RDX        48
#define TF_RSI        56
#define TF_RDI        64
#define TF_RBP        72
#define TF_R8         80
#define TF_R9         88
#define TF_R10        96
#define TF_R11        104
#define TF_R12        112
#define TF_R13        120
#define TF_R14        128
#define TF_R15        136
#define TF_RIP        144
#define TF_CS         152
#define TF_RFLAGS     160
#define TF_RSP        168
#define TF_SS         176
#define TF_SIZE       184

/* struct ukvm_hc_abort */
#define HA_MESSAGE     0
#define HA_MESSAGE_LEN 8
#define HA_FUNCTION    16
#define HA_FRAME       24
#define HA_SIZE        (HA_FRAME + TF_SIZE)

#ifndef __ASSEMBLY__
#include <stddef.h>
#include "ukvm_abi.h"

_Static_assert(ASM_NOTE_ABI == UKVM_NOTE_ABI, "note type");
_Static_assert(ASM_ABI_VERSION == UKVM_ABI_VERSION, "ABI version");
_Static_assert(BI_STACK_CANARY == offsetof(struct ukvm_boot_info, stack_canary), "boot info");
_Static_assert(BI_CLOCK_MODE == offsetof(struct ukvm_boot_info, clock_mode), "boot info");
_Static_assert(ASM_CLOCK_BY_HYPERCALL == UKVM_CLOCK_BY_HYPERCALL, "clock mode");
_Static_assert(ASM_HC_BY_STORE == UKVM_HC_BY_STORE, "hypercall mode");
_Static_assert(ASM_HC_MMIO_ABORT == UKVM_HC_MMIO_GPA + 8 * UKVM_HC_ABORT, "abort store");
_Static_assert(ASM_HC_PORT_TRAP == UKVM_HC_PORT_BASE + UKVM_HC_TRAP, "trap port");
_Static_assert(ASM_HC_PORT_ABORT == UKVM_HC_PORT_BASE + UKVM_HC_ABORT, "abort port");
_Static_assert(ASM_ABORT_VECTOR == UKVM_ABORT_VECTOR, "abort vector");

#define ASM_CHECK_TF(field, off) \
    _Static_assert(offsetof(struct ukvm_trap_frame, field) == (off), "trap frame " #field)
ASM_CHECK_TF(vector, TF_VECTOR);
ASM_CHECK_TF(error_code, TF_ERROR_CODE);
ASM_CHECK_TF(cr2, TF_CR2);
ASM_CHECK_TF(rax, TF_RAX);
ASM_CHECK_TF(rbx, TF_RBX);
ASM_CHECK_TF(rcx, TF_RCX);
ASM_CHECK_TF(rdx, TF_RDX);
ASM_CHECK_TF(rsi, TF_RSI);
ASM_CHECK_TF(rdi, TF_RDI);
ASM_CHECK_TF(rbp, TF_RBP);
ASM_CHECK_TF(r8, TF_R8);
ASM_CHECK_TF(r9, TF_R9);
ASM_CHECK_TF(r10, TF_R10);
ASM_CHECK_TF(r11, TF_R11);
ASM_CHECK_TF(r12, TF_R12);
ASM_CHECK_TF(r13, TF_R13);
ASM_CHECK_TF(r14, TF_R14);
ASM_CHECK_TF(r15, TF_R15);
ASM_CHECK_TF(rip, TF_RIP);
ASM_CHECK_TF(cs, TF_CS);
ASM_CHECK_TF(rflags, TF_RFLAGS);
ASM_CHECK_TF(rsp, TF_RSP);
ASM_CHECK_TF(ss, TF_SS);
_Static_assert(sizeof(struct ukvm_trap_frame) == TF_SIZE, "trap frame size");

/*
 * trap.S builds the frame on top of the CPU's exception frame: the CPU's rip..ss become
 * the struct's last five fields, so the two words the entry stub pushed just below them
 * (vector, error code) occupy the r14 and r15 slots until they are moved out.
 */
_Static_assert(TF_R14 == TF_RIP - 16 && TF_R15 == TF_RIP - 8, "trap frame tail");
_Static_assert(TF_SS + 8 == TF_SIZE, "ss is the last field");

_Static_assert(offsetof(struct ukvm_hc_abort, message) == HA_MESSAGE, "abort message");
_Static_assert(offsetof(struct ukvm_hc_abort, message_len) == HA_MESSAGE_LEN, "abort len");
_Static_assert(offsetof(struct ukvm_hc_abort, function) == HA_FUNCTION, "abort function");
_Static_assert(offsetof(struct ukvm_hc_abort, frame) == HA_FRAME, "abort frame");
_Static_assert(sizeof(struct ukvm_hc_abort) == HA_SIZE, "abort size");
#endif /* !__ASSEMBLY__ */

#endif /* KERNEL_ASM_DEFS_H */
