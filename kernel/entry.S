/*
 * entry.S: _start, the first guest instruction, and the stack-protector guard.
 *
 * The monitor enters here in 64-bit mode with rsp = stack_top, rdi = the address of
 * struct ukvm_boot_info, interrupts off and bss zeroed: at CPL 0 with no IDT (kernel
 * mode), or at CPL 3 with the monitor's IDT (user mode). Only what must precede every C
 * function happens here; the rest is kernel_main's (start.c).
 */
#include "asm_defs.h"

/* The linker script puts .text.entry first, so _start is the first byte of text. */
    .section .text.entry, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    .cfi_startproc
    /* The outermost frame: an unwinder (gdb, the monitor's backtraces) stops here. */
    .cfi_undefined %rip

    /*
     * Every C function with a char array checks __stack_chk_guard on return, so it must
     * hold its final value before the first such function is entered.
     */
    movq BI_STACK_CANARY(%rdi), %rax
    movq %rax, __stack_chk_guard(%rip)

    /*
     * The clock counts from here: monotonic time = scaled (rdtsc - clock_tsc_base). Not
     * in a recorded run, whose clock is the monitor's: a replay could not give the same
     * TSC back, and every byte of memory must come out the same.
     */
    cmpq $ASM_CLOCK_BY_HYPERCALL, BI_CLOCK_MODE(%rdi)
    je 2f
    rdtsc
    shlq $32, %rdx
    orq %rdx, %rax
    movq %rax, clock_tsc_base(%rip)
2:

    /* rbp = 0 ends the frame-pointer chain; rsp = stack_top is 16-byte aligned. */
    xorl %ebp, %ebp
    call kernel_main

    /* kernel_main does not return; if it ever did, stop rather than run into garbage. */
1:  cli
    hlt
    jmp 1b
    .cfi_endproc
    .size _start, . - _start

/*
 * The guard the compiler's stack protector (-mstack-protector-guard=global) compares
 * against; random per run, from boot_info->stack_canary.
 */
    .section .bss
    .balign 8
    .globl __stack_chk_guard
    .type __stack_chk_guard, @object
__stack_chk_guard:
    .skip 8
    .size __stack_chk_guard, 8

    .section .note.GNU-stack, "", @progbits
