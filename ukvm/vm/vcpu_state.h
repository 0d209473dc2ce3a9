/*
 * vcpu_state.h: the register view of one vCPU, independent of the hypervisor API.
 *
 * The bottom half (vm_kvm.c) converts to and from struct kvm_regs / kvm_sregs; every
 * other part of ukvm (hypercalls, crash reports, the debug front ends) uses only these,
 * so another backend (Hypervisor.framework, bhyve) would slot in unchanged.
 */
#ifndef UKVM_VCPU_STATE_H
#define UKVM_VCPU_STATE_H

#include <stdbool.h>
#include <stdint.h>

/* General-purpose registers, instruction pointer and flags. */
struct vcpu_regs {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rflags;
};

/* A segment register with its hidden descriptor cache, as the CPU holds it. */
struct vcpu_segment {
    uint64_t base;
    uint32_t limit;
    uint16_t selector;
    uint8_t type; /* 4-bit descriptor type */
    uint8_t present, dpl, db, s, l, g, avl;
    uint8_t unusable;
};

/*
 * A flat segment as the vCPU holds it: base 0, limit 4 GiB, present, accessed; 64-bit
 * code (execute/read, L=1) or data (read/write, DB=1), for privilege level dpl.
 */
static inline struct vcpu_segment vcpu_flat_segment(uint16_t selector, bool code, uint8_t dpl)
{
    return (struct vcpu_segment){
        .base = 0,
        .limit = 0xffffffff,
        .selector = selector,
        .type = code ? 0xb : 0x3, /* execute/read accessed; read/write accessed */
        .present = 1,
        .dpl = dpl,
        .db = code ? 0 : 1,
        .s = 1,
        .l = code ? 1 : 0,
        .g = 1,
    };
}

/* A descriptor-table register (GDTR, IDTR). */
struct vcpu_dtable {
    uint64_t base;
    uint16_t limit;
};

/* System registers: segments, descriptor tables, control registers, EFER. */
struct vcpu_sregs {
    struct vcpu_segment cs, ds, es, fs, gs, ss, tr, ldt;
    struct vcpu_dtable gdt, idt;
    uint64_t cr0, cr2, cr3, cr4, cr8;
    uint64_t efer;
    uint64_t apic_base;
};

/* The debug registers as the vCPU holds them (the guest's own view). */
struct vcpu_debugregs {
    uint64_t db[4]; /* DR0-DR3: linear addresses */
    uint64_t dr6;   /* status: which condition hit */
    uint64_t dr7;   /* control: enables, types and lengths */
};

/*
 * Events the hypervisor holds for the vCPU between two runs: an exception, interrupt or
 * NMI it is about to deliver (pending) or is delivering (injected), and the interrupt
 * shadow. An exception the guest is taking when the vCPU stopped shows up here.
 */
struct vcpu_events {
    struct {
        uint8_t injected, pending, has_error_code;
        uint8_t vector;
        uint32_t error_code;
    } exception;
    struct {
        uint8_t injected, soft;
        uint8_t vector;
    } interrupt;
    struct {
        uint8_t injected, pending, masked;
    } nmi;
    uint8_t interrupt_shadow; /* 1: after sti, 2: after mov ss / pop ss */
    uint8_t pending_known;    /* 0: the hypervisor reports pending exceptions as injected */
};

#endif /* UKVM_VCPU_STATE_H */
