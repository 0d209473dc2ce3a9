/*
 * start.S: entry point, GDT, exception entry stubs and PT_INTERP of ukvm's hvt test
 * guests (tests/hvt/rt/hvt_rt.h).
 *
 * Entry state (include/solo5_hvt_abi.h): 64-bit mode, paging on with the monitor's page
 * tables, %rdi = the boot info, %rsp = memory size - 8, interrupts off, CS/DS from the
 * monitor's boot GDT. That GDT lies in a page the guest cannot read (below 0x10000), and
 * the CPU reads the GDT through the page tables whenever an exception loads CS, so the
 * guest must install a GDT of its own before the first exception: done here, first thing.
 */

#define GDT_CODE 0x08
#define GDT_DATA 0x10

/*
 * PT_INTERP, like Solo5's (a path that exists nowhere, so that no host loader runs the
 * file by mistake). hvt.ld puts .interp first in the text segment and in PT_INTERP.
 */
    .section .interp, "a", @progbits
    .balign 8
    .asciz "/nonexistent/solo5/"
    .balign 8

    .section .text.entry, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    movq %rsp, hvt_entry_rsp(%rip)
    leaq hvt_rt_stack_top(%rip), %rsp
    xorl %ebp, %ebp                     /* the end of every backtrace */

    lgdt hvt_rt_gdtr(%rip)
    pushq $GDT_CODE                     /* reload CS with a far return */
    leaq 1f(%rip), %rax
    pushq %rax
    lretq
1:  movw $GDT_DATA, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movw %ax, %fs
    movw %ax, %gs

    call hvt_rt_start                   /* %rdi: still the boot info; never returns */
    ud2
    .size _start, . - _start

/*
 * Exception entry, Solo5's frame convention (struct hvt_trap_regs in solo5_hvt_abi.h):
 *
 *   1. below the CPU's interrupt frame (ss, rsp, rflags, cs, rip) lies the error code;
 *      vectors without one get a 0 pushed in its place;
 *   2. then CR2 (vectors with an error code; 0 for the others): that completes
 *      struct hvt_trap_regs {cr2, ec, rip, cs, rflags, rsp, ss};
 *   3. then the nine caller-saved registers rax, rdi, rsi, rdx, rcx, r8, r9, r10, r11;
 *   4. then `call hvt_rt_trap(vector, frame)`, whose return address (frame - 80) lies in
 *      the stub of the vector that fired. hvt_rt_trap ends the guest: HVT_HC_HALT with
 *      status 255 and cookie = frame.
 *
 * The stubs are named cpu_trap_<vector>, as Solo5's are, so that a monitor that names
 * the vector from the symbol at frame - 80 reads ours as it reads Solo5's. CFI describes
 * the interrupted context, so that gdb and ukvm's unwinder step through the stub into the
 * faulting function. CR2 goes through %rax, which is saved first and put back.
 */
.macro TRAP_STUB vector, has_ec
    .globl cpu_trap_\vector
    .type cpu_trap_\vector, @function
cpu_trap_\vector:
    .cfi_startproc simple
    .cfi_signal_frame
.if \has_ec
    .cfi_def_cfa %rsp, 48               /* the CPU pushed 5 words and the error code */
.else
    .cfi_def_cfa %rsp, 40
.endif
    .cfi_offset %rip, -40
    .cfi_offset %rsp, -16
    cld
.if \has_ec
    pushq %rax
    .cfi_adjust_cfa_offset 8
    movq %cr2, %rax
    xchgq %rax, (%rsp)                  /* the slot holds CR2, %rax is back */
.else
    pushq $0                            /* no error code */
    .cfi_adjust_cfa_offset 8
    pushq $0                            /* no CR2 */
    .cfi_adjust_cfa_offset 8
.endif
    pushq %rax
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %rax, 0
    pushq %rdi
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %rdi, 0
    pushq %rsi
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %rsi, 0
    pushq %rdx
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %rdx, 0
    pushq %rcx
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %rcx, 0
    pushq %r8
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %r8, 0
    pushq %r9
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %r9, 0
    pushq %r10
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %r10, 0
    pushq %r11
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %r11, 0
    movq $\vector, %rdi
    movq %rsp, %rsi
    addq $72, %rsi                      /* struct hvt_trap_regs: above the 9 registers */
    call hvt_rt_trap
    ud2                                 /* hvt_rt_trap does not return */
    .cfi_endproc
    .size cpu_trap_\vector, . - cpu_trap_\vector
.endm

    .text
TRAP_STUB 0,  0     /* #DE */
TRAP_STUB 1,  0     /* #DB */
TRAP_STUB 2,  0     /* NMI */
TRAP_STUB 3,  0     /* #BP */
TRAP_STUB 4,  0     /* #OF */
TRAP_STUB 5,  0     /* #BR */
TRAP_STUB 6,  0     /* #UD */
TRAP_STUB 7,  0     /* #NM */
TRAP_STUB 8,  1     /* #DF */
TRAP_STUB 10, 1     /* #TS */
TRAP_STUB 11, 1     /* #NP */
TRAP_STUB 12, 1     /* #SS */
TRAP_STUB 13, 1     /* #GP */
TRAP_STUB 14, 1     /* #PF */
TRAP_STUB 16, 0     /* #MF */
TRAP_STUB 17, 1     /* #AC */
TRAP_STUB 18, 0     /* #MC */
TRAP_STUB 19, 0     /* #XM */
TRAP_STUB 20, 0     /* #VE */

/* The stub of each vector 0-20, 0 where none (9 and 15 are reserved): rt.c builds the IDT. */
    .section .rodata
    .balign 8
    .globl hvt_rt_trap_stubs
hvt_rt_trap_stubs:
    .quad cpu_trap_0, cpu_trap_1, cpu_trap_2, cpu_trap_3, cpu_trap_4, cpu_trap_5
    .quad cpu_trap_6, cpu_trap_7, cpu_trap_8, 0, cpu_trap_10, cpu_trap_11
    .quad cpu_trap_12, cpu_trap_13, cpu_trap_14, 0, cpu_trap_16, cpu_trap_17
    .quad cpu_trap_18, cpu_trap_19, cpu_trap_20
    .size hvt_rt_trap_stubs, . - hvt_rt_trap_stubs

/*
 * The GDT: null, 64-bit code (0x08), flat data (0x10). Writable data, since the CPU sets
 * the accessed bit of a descriptor it loads (these have it set already).
 */
    .data
    .balign 16
hvt_rt_gdt:
    .quad 0
    .quad 0x00af9b000000ffff            /* code: P, DPL 0, exec/read, accessed, L, G */
    .quad 0x00cf93000000ffff            /* data: P, DPL 0, read/write, accessed, D/B, G */
hvt_rt_gdt_end:
    .balign 8
    .word 0, 0, 0                       /* so that the base below is 8-byte aligned */
hvt_rt_gdtr:
    .word hvt_rt_gdt_end - hvt_rt_gdt - 1
    .quad hvt_rt_gdt

/* The guest's stack (16 KiB); exceptions run on it too. */
    .bss
    .balign 16
    .skip 16384
hvt_rt_stack_top:

    .section .note.GNU-stack, "", @progbits
