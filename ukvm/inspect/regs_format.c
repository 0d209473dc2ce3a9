/*
 * regs_format.c: register dumps for people, in the spirit of Linux's oops output:
 * fixed-width hex so columns line up, and decoded flags next to the raw value so
 * nobody has to count bits.
 */
#include "regs_format.h"

#include <inttypes.h>

#include "descriptors.h"
#include "x86_decode.h"

struct named_reg {
    const char *name;
    uint64_t value;
};

/* Prints regs three to a line: "rax  0x0000000000000000  rbx  ...". */
static void print_columns(FILE *out, const struct named_reg *regs, int n, int indent)
{
    for (int i = 0; i < n; i++) {
        if (i % 3 == 0)
            fprintf(out, "%*s", indent, "");
        fprintf(out, "%-4s 0x%016" PRIx64, regs[i].name, regs[i].value);
        if (i % 3 == 2 || i == n - 1)
            fprintf(out, "\n");
        else
            fprintf(out, "  ");
    }
}

void regs_dump(FILE *out, const struct vcpu_regs *regs, int indent)
{
    const struct named_reg gprs[] = {
        {"rax", regs->rax}, {"rbx", regs->rbx}, {"rcx", regs->rcx}, {"rdx", regs->rdx},
        {"rsi", regs->rsi}, {"rdi", regs->rdi}, {"rbp", regs->rbp}, {"rsp", regs->rsp},
        {"r8", regs->r8},   {"r9", regs->r9},   {"r10", regs->r10}, {"r11", regs->r11},
        {"r12", regs->r12}, {"r13", regs->r13}, {"r14", regs->r14}, {"r15", regs->r15},
        {"rip", regs->rip},
    };
    print_columns(out, gprs, (int)(sizeof(gprs) / sizeof(gprs[0])), indent);

    char flags[128];
    x86_rflags_describe(regs->rflags, flags, sizeof(flags));
    fprintf(out, "%*srflags 0x%016" PRIx64 " [ %s ]\n", indent, "", regs->rflags, flags);
}

static void segment_dump(FILE *out, const char *name, const struct vcpu_segment *seg, int indent)
{
    char type[24];
    descriptor_type_name(seg->s, seg->type, type, sizeof(type));
    fprintf(out,
            "%*s%-4s 0x%04x  base 0x%016" PRIx64 "  limit 0x%08" PRIx32
            "  type 0x%x %-14s dpl %u%s%s%s%s%s%s\n",
            indent, "", name, seg->selector, seg->base, seg->limit, seg->type & 0xf, type,
            seg->dpl & 3, seg->present ? " P" : "", seg->db ? " DB" : "", seg->l ? " L" : "",
            seg->g ? " G" : "", seg->avl ? " AVL" : "", seg->unusable ? " unusable" : "");
}

void sregs_dump(FILE *out, const struct vcpu_sregs *sregs, int indent)
{
    char flags[160];

    x86_cr0_describe(sregs->cr0, flags, sizeof(flags));
    fprintf(out, "%*scr0  0x%016" PRIx64 " [ %s ]\n", indent, "", sregs->cr0, flags);
    x86_cr4_describe(sregs->cr4, flags, sizeof(flags));
    fprintf(out, "%*scr4  0x%016" PRIx64 " [ %s ]\n", indent, "", sregs->cr4, flags);
    x86_efer_describe(sregs->efer, flags, sizeof(flags));
    fprintf(out, "%*sefer 0x%016" PRIx64 " [ %s ]\n", indent, "", sregs->efer, flags);

    const struct named_reg others[] = {
        {"cr2", sregs->cr2},
        {"cr3", sregs->cr3},
        {"cr8", sregs->cr8},
    };
    print_columns(out, others, 3, indent);
    fprintf(out, "%*sapic_base 0x%016" PRIx64 "\n", indent, "", sregs->apic_base);

    segment_dump(out, "cs", &sregs->cs, indent);
    segment_dump(out, "ss", &sregs->ss, indent);
    segment_dump(out, "ds", &sregs->ds, indent);
    segment_dump(out, "es", &sregs->es, indent);
    segment_dump(out, "fs", &sregs->fs, indent);
    segment_dump(out, "gs", &sregs->gs, indent);
    segment_dump(out, "tr", &sregs->tr, indent);
    segment_dump(out, "ldt", &sregs->ldt, indent);

    fprintf(out, "%*sgdt  base 0x%016" PRIx64 "  limit 0x%04x\n", indent, "", sregs->gdt.base,
            sregs->gdt.limit);
    fprintf(out, "%*sidt  base 0x%016" PRIx64 "  limit 0x%04x\n", indent, "", sregs->idt.base,
            sregs->idt.limit);
}
