/*
 * trap.S: entry points for the 32 CPU exception vectors.
 *
 * Every exception becomes one UKVM_HC_TRAP hypercall carrying a struct ukvm_trap_frame;
 * the monitor never resumes the guest after it. The frame is built in place on top of
 * the frame the CPU pushed (on the current stack, or on an IST stack for #DF, NMI, #PF):
 *
 *   higher addresses                              struct ukvm_trap_frame field
 *   +-----------------+  <- CFA (rsp before the CPU pushed, 16-byte aligned)
 *   | ss              |  CPU                      ss       (TF_SS)
 *   | rsp             |  CPU                      rsp      (TF_RSP)
 *   | rflags          |  CPU                      rflags   (TF_RFLAGS)
 *   | cs              |  CPU                      cs       (TF_CS)
 *   | rip             |  CPU                      rip      (TF_RIP)
 *   | error code      |  CPU, or the stub's 0     r15      (moved to TF_ERROR_CODE)
 *   | vector          |  stub                     r14      (moved to TF_VECTOR)
 *   +-----------------+  <- rsp in trap_common
 *   | 128 bytes       |  trap_common              vector, error_code, cr2, rax .. r13
 *   +-----------------+  <- rsp = the frame's address, passed to the monitor
 *
 * The CPU's five words are already in the struct's order (rip, cs, rflags, rsp, ss are
 * its last fields), so they stay put; only vector and error code move down to the
 * struct's head, freeing their slots for r14 and r15. asm_defs.h checks the offsets.
 *
 * CFI: the stubs and trap_common are marked as signal frames whose caller is the
 * interrupted context (rip and rsp saved in the CPU frame, the other registers in the
 * struct as they are stored), so gdb can backtrace from inside a trap handler to the
 * faulting function.
 */
#include "asm_defs.h"

/*
 * Vectors for which the CPU pushes an error code: #DF 8, #TS 10, #NP 11, #SS 12, #GP 13,
 * #PF 14, #AC 17, #CP 21, #VC 29, #SX 30. A gas expression (true is nonzero).
 */
#define HAS_ERROR_CODE(v)                                                                          \
    ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

/* Where the interrupted rip and rsp are, relative to the CFA (see the diagram). */
.macro CPU_FRAME_CFI
    .cfi_signal_frame
    .cfi_offset %rip, TF_RIP - TF_SIZE
    .cfi_offset %rsp, TF_RSP - TF_SIZE
.endm

/* One stub per vector: make the stack look the same for every vector, then share code. */
    .text
    .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .type trap_stub_\v, @function
trap_stub_\v:
    .cfi_startproc simple
    .if HAS_ERROR_CODE(\v)
    .cfi_def_cfa %rsp, TF_SIZE - TF_R15
    CPU_FRAME_CFI
    .else
    .cfi_def_cfa %rsp, TF_SIZE - TF_RIP
    CPU_FRAME_CFI
    pushq $0
    .cfi_adjust_cfa_offset 8
    .endif
    pushq $\v
    .cfi_adjust_cfa_offset 8
    jmp trap_common
    .cfi_endproc
    .size trap_stub_\v, . - trap_stub_\v
    .endr

/* Stores register (reg) into the frame's slot (off) and tells the unwinder it is there. */
.macro SAVE reg, off
    movq %\reg, \off(%rsp)
    .cfi_rel_offset %\reg, \off
.endm

    .type trap_common, @function
trap_common:
    .cfi_startproc simple
    .cfi_def_cfa %rsp, TF_SIZE - TF_R14
    CPU_FRAME_CFI
    /* Extend the stack down to the struct's start: rsp = frame, vector in r14's slot. */
    subq $TF_R14, %rsp
    .cfi_adjust_cfa_offset TF_R14
    SAVE rax, TF_RAX
    movq TF_R14(%rsp), %rax
    movq %rax, TF_VECTOR(%rsp)
    movq TF_R15(%rsp), %rax
    movq %rax, TF_ERROR_CODE(%rsp)
    SAVE rbx, TF_RBX
    SAVE rcx, TF_RCX
    SAVE rdx, TF_RDX
    SAVE rsi, TF_RSI
    SAVE rdi, TF_RDI
    SAVE rbp, TF_RBP
    SAVE r8, TF_R8
    SAVE r9, TF_R9
    SAVE r10, TF_R10
    SAVE r11, TF_R11
    SAVE r12, TF_R12
    SAVE r13, TF_R13
    SAVE r14, TF_R14
    SAVE r15, TF_R15
    /* The faulting address for #PF; stale but harmless for other vectors. */
    movq %cr2, %rax
    movq %rax, TF_CR2(%rsp)
    /* The CPU may leave the upper 48 bits of the pushed selectors undefined: clear them. */
    movzwl TF_CS(%rsp), %eax
    movq %rax, TF_CS(%rsp)
    movzwl TF_SS(%rsp), %eax
    movq %rax, TF_SS(%rsp)
    /* Hand the frame to the monitor; guest memory is below 4 GiB, so esp is its address. */
    movl %esp, %eax
    movw $ASM_HC_PORT_TRAP, %dx
    outl %eax, %dx
    /* The monitor does not resume after UKVM_HC_TRAP; never return into the fault. */
1:  cli
    hlt
    jmp 1b
    .cfi_endproc
    .size trap_common, . - trap_common

/* The stubs' addresses, in vector order, for idt_init(). */
    .section .rodata
    .balign 8
    .globl trap_stubs
    .type trap_stubs, @object
trap_stubs:
    .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .quad trap_stub_\v
    .endr
    .size trap_stubs, . - trap_stubs

    .section .note.GNU-stack, "", @progbits
