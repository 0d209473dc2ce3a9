/*
 * x86_operand.h: reading an instruction's bytes where ukvm decodes one itself: a cursor
 * over them, the general registers by their encoding number, and a ModRM operand with
 * its effective address. Shared by the hvt user-mode emulation (abi/hvt/hvt_privileged.c)
 * and the search for a fatal exit's instruction (run/fault_site.c).
 */
#ifndef UKVM_X86_OPERAND_H
#define UKVM_X86_OPERAND_H

#include <stdbool.h>
#include <stdint.h>

#include "ukvm/vm/vcpu_state.h"

/* The bytes b[0, n) of an instruction, read from pos on. */
struct x86_cursor {
    const uint8_t *b;
    unsigned n, pos;
    bool bad; /* a read ran past the bytes */
};

/* The next byte, or 0 with c->bad set when there is none. */
uint8_t x86_cursor_next(struct x86_cursor *c);

/* The next `bytes` bytes (at most 8) as a little-endian number (c->bad as above). */
uint64_t x86_cursor_le(struct x86_cursor *c, unsigned bytes);

/* Register number n (0-15, x86 encoding: rax rcx rdx rbx rsp rbp rsi rdi r8..r15). */
uint64_t *x86_gpr(struct vcpu_regs *r, unsigned n);

/* The value of register number n, as x86_gpr. */
uint64_t x86_gpr_value(const struct vcpu_regs *r, unsigned n);

/* A decoded ModRM operand. */
struct x86_modrm {
    unsigned reg;      /* the reg field, REX.R included */
    unsigned rm;       /* a register operand's number, REX.B included (when !memory) */
    bool memory;       /* a memory operand: ea holds its address */
    bool rip_relative; /* ea still lacks the address of the next instruction: add it */
    uint64_t ea;       /* without a segment base or 32-bit address-size truncation */
};

/*
 * Reads a ModRM byte and, for a memory operand, its SIB byte and displacement from c,
 * computing the effective address from regs (64-bit addressing; rex is the REX prefix
 * or 0). Running out of bytes sets c->bad.
 */
void x86_modrm_read(struct x86_cursor *c, uint8_t rex, const struct vcpu_regs *regs,
                    struct x86_modrm *m);

#endif /* UKVM_X86_OPERAND_H */
