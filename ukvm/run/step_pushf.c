/*
 * step_pushf.c: clearing the trap flag a stepped pushf pushed (see step_pushf.h).
 */
#include "step_pushf.h"
#include "ukvm/guest/guest_virt.h"

#define RFLAGS_TF     (1ULL << 8)
#define OP_PUSHF      0x9c
#define PREFIX_OPSIZE 0x66
#define MAX_PREFIXES  4

void step_unpush_trap_flag(const struct guest_mem *mem, const struct vcpu_sregs *sregs,
                           uint64_t step_rip, uint64_t rsp, bool as_user)
{
    uint8_t code[MAX_PREFIXES + 1];
    long n = guest_virt_read(mem, sregs, step_rip, code, sizeof(code));
    int i = 0;
    while (i < n - 1 && i < MAX_PREFIXES &&
           (code[i] == PREFIX_OPSIZE || (code[i] >= 0x40 && code[i] <= 0x4f)))
        i++;
    if (i >= n || code[i] != OP_PUSHF)
        return;
    uint16_t low; /* TF is bit 8: in the low word of a 16- or 64-bit push alike */
    if (guest_virt_read(mem, sregs, rsp, &low, sizeof(low)) != sizeof(low) || !(low & RFLAGS_TF))
        return;
    low &= (uint16_t)~RFLAGS_TF;
    if (as_user)
        guest_virt_write_as_user(mem, sregs, rsp, &low, sizeof(low));
    else
        guest_virt_write(mem, sregs, rsp, &low, sizeof(low));
}
