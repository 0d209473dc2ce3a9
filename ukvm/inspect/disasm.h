/*
 * disasm.h: x86-64 instructions as text, with Capstone (Debian's libcapstone).
 *
 * AT&T syntax, as gdb shows it by default, so that the shell's listings and gdb's
 * `x/i` read the same.
 */
#ifndef UKVM_DISASM_H
#define UKVM_DISASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DISASM_INSN_MAX 15 /* the longest x86 instruction, in bytes */

struct disasm; /* a disassembler: open one, decode any number of instructions, close it */

struct disasm_insn {
    uint64_t addr;
    unsigned len; /* 1-15 */
    uint8_t bytes[DISASM_INSN_MAX];
    char text[200]; /* "mnemonic operands", e.g. "addq $1, 0x10(%rip)" */
    bool is_call;   /* a call of any form: stepping over it means running to len past addr */
};

/*
 * Opens a disassembler; NULL (with a reason in err) when Capstone cannot, or when its
 * library (loaded at the first call, not at start-up) is missing or of another major version.
 */
struct disasm *disasm_open(char *err, size_t errlen);

/* Frees it. NULL is allowed. */
void disasm_close(struct disasm *d);

/*
 * Decodes the instruction at addr whose bytes start at code (len bytes available).
 * Returns 0 with *insn filled, or -1 when the bytes are not a valid instruction or it
 * would run past len.
 */
int disasm_one(struct disasm *d, const uint8_t *code, size_t len, uint64_t addr,
               struct disasm_insn *insn);

#endif /* UKVM_DISASM_H */
