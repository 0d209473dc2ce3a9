/*
 * note.S: the ELF note that marks this ELF as a ukvm unikernel for ABI version
 * UKVM_ABI_VERSION. The monitor refuses a file without it, or with another version,
 * before running any guest code.
 *
 * Standard ELF note layout, every field 4-byte aligned:
 *   namesz = 5 ("ukvm" plus its NUL), descsz = 4, type = UKVM_NOTE_ABI,
 *   name "ukvm\0" padded to 8 bytes, desc = UKVM_ABI_VERSION as a 32-bit integer.
 * Section .note.ukvm is allocated and SHT_NOTE, so the linker script can place it in a
 * PT_NOTE program header as well.
 */
#include "asm_defs.h"

    .section .note.ukvm, "a", @note
    .balign 4
    .long 2f - 1f        /* namesz */
    .long 4f - 3f        /* descsz */
    .long ASM_NOTE_ABI   /* type */
1:  .asciz "ukvm"        /* name */
2:  .balign 4
3:  .long ASM_ABI_VERSION /* desc */
4:  .balign 4

    .section .note.GNU-stack, "", @progbits
