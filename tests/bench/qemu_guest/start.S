/*
 * start.S: multiboot entry of the QEMU side of the gdb benchmark (tests/bench/run.sh).
 *
 * QEMU's -kernel loads this 32-bit ELF as a multiboot image and jumps to _start in
 * 32-bit protected mode, paging off (virtual == physical), interrupts off. _start sets a
 * stack and calls bench_main, which never returns.
 */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x0 /* an ELF image: the loader takes addresses from the ELF headers */

    .section .multiboot, "a"
    .balign 4
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)

    .text
    .globl _start
    .type _start, @function
_start:
    cli
    movl $stack_top, %esp
    xorl %ebp, %ebp
    call bench_main
1:  hlt
    jmp 1b
    .size _start, . - _start

    .bss
    .balign 16
    .space 16384
stack_top:

    .section .note.GNU-stack, "", @progbits
