/*
 * abort.S: solo5_abort(), __stack_chk_fail() and kernel_abort(): end the guest through
 * UKVM_HC_ABORT with a message and the caller's registers.
 *
 * The registers are those of the caller at the moment the call returned (had it
 * returned): rip = the return address, rsp = rsp at entry + 8 (the return address
 * popped), every other register as at entry (rbp is still the caller's frame pointer).
 * That is a consistent machine state inside the caller, so a frame-pointer or DWARF
 * unwinder started from it walks the caller's chain. Caution for symbolizers: rip is a
 * return address, and when the call was the caller's last instruction (normal for a
 * noreturn call) it points just past the caller's end: look it up as rip - 1.
 *
 * Written in assembly so that no register is touched before it is saved. The struct
 * lives in bss, not on the stack, which may be the thing that is broken.
 */
#include "asm_defs.h"

    .section .rodata
msg_solo5_abort:
    .ascii "solo5_abort() called"
    .set msg_solo5_abort_len, . - msg_solo5_abort
msg_stack_smashing:
    .ascii "stack smashing detected"
    .set msg_stack_smashing_len, . - msg_stack_smashing

/* The single struct ukvm_hc_abort: the guest has one vCPU and aborts at most once. */
    .section .bss
    .balign 8
    .type abort_call, @object
abort_call:
    .skip HA_SIZE
    .size abort_call, . - abort_call

#define FRAME(field) abort_call + HA_FRAME + field(%rip)

/* Fills the frame from the caller's state (see above); clobbers rax only after saving it. */
.macro SAVE_CALLER_REGS
    movq %rax, FRAME(TF_RAX)
    movq %rbx, FRAME(TF_RBX)
    movq %rcx, FRAME(TF_RCX)
    movq %rdx, FRAME(TF_RDX)
    movq %rsi, FRAME(TF_RSI)
    movq %rdi, FRAME(TF_RDI)
    movq %rbp, FRAME(TF_RBP)
    movq %r8, FRAME(TF_R8)
    movq %r9, FRAME(TF_R9)
    movq %r10, FRAME(TF_R10)
    movq %r11, FRAME(TF_R11)
    movq %r12, FRAME(TF_R12)
    movq %r13, FRAME(TF_R13)
    movq %r14, FRAME(TF_R14)
    movq %r15, FRAME(TF_R15)
    movq (%rsp), %rax
    movq %rax, FRAME(TF_RIP)
    leaq 8(%rsp), %rax
    movq %rax, FRAME(TF_RSP)
    pushfq
    .cfi_adjust_cfa_offset 8
    popq %rax
    .cfi_adjust_cfa_offset -8
    movq %rax, FRAME(TF_RFLAGS)
    movw %cs, %ax
    movzwl %ax, %eax
    movq %rax, FRAME(TF_CS)
    movw %ss, %ax
    movzwl %ax, %eax
    movq %rax, FRAME(TF_SS)
    movl $ASM_ABORT_VECTOR, %eax /* zero-extended: vector = 0xffffffff */
    movq %rax, FRAME(TF_VECTOR)
    movq $0, FRAME(TF_ERROR_CODE)
    movq $0, FRAME(TF_CR2)
.endm

/* Defines an abort entry point (name) whose message is the rodata string (msg). */
.macro ABORT_WITH name, msg
    .globl \name
    .type \name, @function
\name:
    .cfi_startproc
    SAVE_CALLER_REGS
    leaq \name(%rip), %rax
    movq %rax, abort_call + HA_FUNCTION(%rip)
    leaq \msg(%rip), %rax
    movq %rax, abort_call + HA_MESSAGE(%rip)
    movq $\msg\()_len, abort_call + HA_MESSAGE_LEN(%rip)
    jmp abort_hypercall
    .cfi_endproc
    .size \name, . - \name
.endm

    .text
/* void solo5_abort(void): the application gives up. */
    ABORT_WITH solo5_abort, msg_solo5_abort

/* void __stack_chk_fail(void): a function found its stack canary overwritten. */
    ABORT_WITH __stack_chk_fail, msg_stack_smashing

/* void kernel_abort(const char *msg, size_t len): the kernel gives up, with a reason. */
    .globl kernel_abort
    .type kernel_abort, @function
kernel_abort:
    .cfi_startproc
    SAVE_CALLER_REGS
    leaq kernel_abort(%rip), %rax
    movq %rax, abort_call + HA_FUNCTION(%rip)
    movq %rdi, abort_call + HA_MESSAGE(%rip)
    movq %rsi, abort_call + HA_MESSAGE_LEN(%rip)
    jmp abort_hypercall
    .cfi_endproc
    .size kernel_abort, . - kernel_abort

    .type abort_hypercall, @function
abort_hypercall:
    .cfi_startproc
    leaq abort_call(%rip), %rax
    cmpq $ASM_HC_BY_STORE, kernel_hypercall_mode(%rip)
    je 2f
    movw $ASM_HC_PORT_ABORT, %dx
    outl %eax, %dx
    jmp 1f
    /* User mode: the same call as a store (rdx is free: it was saved above). */
2:  movabsq $ASM_HC_MMIO_ABORT, %rdx
    movq %rax, (%rdx)
    /* The monitor does not resume after UKVM_HC_ABORT. */
1:  cli
    hlt
    jmp 1b
    .cfi_endproc
    .size abort_hypercall, . - abort_hypercall

    .section .note.GNU-stack, "", @progbits
