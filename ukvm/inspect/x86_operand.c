/*
 * x86_operand.c: an instruction's bytes, registers by number, ModRM operands.
 */
#include "x86_operand.h"

uint8_t x86_cursor_next(struct x86_cursor *c)
{
    if (c->pos >= c->n) {
        c->bad = true;
        return 0;
    }
    return c->b[c->pos++];
}

uint64_t x86_cursor_le(struct x86_cursor *c, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++)
        v |= (uint64_t)x86_cursor_next(c) << (8 * i);
    return v;
}

static const uint64_t *gpr_slot(const struct vcpu_regs *r, unsigned n)
{
    const uint64_t *slots[16] = {&r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp,
                                 &r->rsi, &r->rdi, &r->r8,  &r->r9,  &r->r10, &r->r11,
                                 &r->r12, &r->r13, &r->r14, &r->r15};
    return slots[n & 15];
}

uint64_t *x86_gpr(struct vcpu_regs *r, unsigned n)
{
    return (uint64_t *)gpr_slot(r, n); /* r itself is writable */
}

uint64_t x86_gpr_value(const struct vcpu_regs *r, unsigned n)
{
    return *gpr_slot(r, n);
}

void x86_modrm_read(struct x86_cursor *c, uint8_t rex, const struct vcpu_regs *regs,
                    struct x86_modrm *m)
{
    uint8_t byte = x86_cursor_next(c);
    unsigned mod = byte >> 6, base = byte & 7;
    *m = (struct x86_modrm){.reg = ((byte >> 3) & 7) | (rex & 4 ? 8 : 0)};
    if (mod == 3) {
        m->rm = base | (rex & 1 ? 8 : 0);
        return;
    }
    m->memory = true;
    uint64_t addr = 0;
    if (base == 4) {
        uint8_t sib = x86_cursor_next(c);
        unsigned index = ((sib >> 3) & 7) | (rex & 2 ? 8 : 0);
        if (index != 4)
            addr += x86_gpr_value(regs, index) << (sib >> 6);
        if ((sib & 7) == 5 && mod == 0)
            addr += (uint64_t)(int64_t)(int32_t)x86_cursor_le(c, 4);
        else
            addr += x86_gpr_value(regs, (sib & 7) | (rex & 1 ? 8 : 0));
    } else if (base == 5 && mod == 0) {
        m->rip_relative = true;
        addr = (uint64_t)(int64_t)(int32_t)x86_cursor_le(c, 4);
    } else {
        addr = x86_gpr_value(regs, base | (rex & 1 ? 8 : 0));
    }
    if (mod == 1)
        addr += (uint64_t)(int64_t)(int8_t)x86_cursor_next(c);
    else if (mod == 2)
        addr += (uint64_t)(int64_t)(int32_t)x86_cursor_le(c, 4);
    m->ea = addr;
}
