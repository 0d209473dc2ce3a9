/*
 * trap_frame.c: trap frame to register view (see trap_frame.h).
 */
#include "trap_frame.h"

void trap_frame_to_regs(const struct ukvm_trap_frame *f, struct vcpu_regs *r)
{
    *r = (struct vcpu_regs){
        .rax = f->rax,
        .rbx = f->rbx,
        .rcx = f->rcx,
        .rdx = f->rdx,
        .rsi = f->rsi,
        .rdi = f->rdi,
        .rsp = f->rsp,
        .rbp = f->rbp,
        .r8 = f->r8,
        .r9 = f->r9,
        .r10 = f->r10,
        .r11 = f->r11,
        .r12 = f->r12,
        .r13 = f->r13,
        .r14 = f->r14,
        .r15 = f->r15,
        .rip = f->rip,
        .rflags = f->rflags,
    };
}

void trap_frame_from_regs(const struct vcpu_regs *r, struct ukvm_trap_frame *f)
{
    f->rax = r->rax, f->rbx = r->rbx, f->rcx = r->rcx, f->rdx = r->rdx;
    f->rsi = r->rsi, f->rdi = r->rdi, f->rbp = r->rbp, f->rsp = r->rsp;
    f->r8 = r->r8, f->r9 = r->r9, f->r10 = r->r10, f->r11 = r->r11;
    f->r12 = r->r12, f->r13 = r->r13, f->r14 = r->r14, f->r15 = r->r15;
    f->rip = r->rip, f->rflags = r->rflags;
}
