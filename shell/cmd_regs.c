/*
 * cmd_regs.c: register commands: `regs`, `segs` (segment registers with the descriptors
 * the GDT holds for them), `dr` (debug registers).
 *
 * Formatting stays in ukvm/inspect/ (regs_format.c, descriptors.c) so crash reports
 * print registers the same way.
 */
#include "command.h"

#include <inttypes.h>

#include "cmd_util.h"
#include "ukvm/inspect/descriptors.h"
#include "ukvm/inspect/regs_format.h"

static int run_regs(const struct command_env *env, int argc, char **argv, FILE *out)
{
    (void)argv;
    if (argc > 1)
        return command_usage_error(out, &cmd_regs, "takes no arguments");
    struct vcpu_regs regs;
    struct vcpu_sregs sregs;
    if (cmd_get_regs(env, &regs) != 0)
        return command_error(out, &cmd_regs, "cannot read the general registers");
    regs_dump(out, &regs, 0);
    /* The general registers are still worth seeing when the system ones are not. */
    if (cmd_get_sregs(env, &sregs) != 0)
        return command_error(out, &cmd_regs, "cannot read the system registers");
    sregs_dump(out, &sregs, 0);
    return 0;
}

const struct command cmd_regs = {
    .name = "regs",
    .aliases = "r reg registers",
    .usage = "regs",
    .summary = "all registers: general, flags, control, segments, GDTR/IDTR",
    .help = "Shows every register of the stopped vCPU: the general registers and rip,\n"
            "rflags, cr0, cr4 and EFER with their flags decoded, cr2, cr3, cr8, the\n"
            "segment registers with their descriptor caches, TR, LDT, GDTR and IDTR.\n"
            "After a guest exception the vCPU is in the faulting context, so these are\n"
            "the registers of the code that faulted ('exc' shows the trap frame itself).\n"
            "Example:\n"
            "  regs\n"
            "  rax  0x0000000000000000  rbx  0x0000000000000000  rcx  0x0000000000000000\n"
            "  ...\n"
            "  cr0  0x0000000080050033 [ PG AM WP NE ET MP PE ]\n",
    .run = run_regs,
};

/* ---------------------------------------------------------------- segs */

/*
 * Prints the GDT entry a selector names, read from guest memory through GDTR (a
 * linear address), decoded; or why there is none.
 */
static void print_gdt_entry(FILE *out, const struct command_env *env,
                            const struct vcpu_sregs *sregs, uint16_t selector)
{
    unsigned index = selector >> 3;
    if (selector & 4) {
        fprintf(out, "     (an LDT selector: ukvm guests have no LDT)\n");
        return;
    }
    if (index == 0) {
        fprintf(out, "     null selector: no descriptor\n");
        return;
    }
    uint64_t offset = 8ULL * index;
    if (offset + 7 > sregs->gdt.limit) {
        fprintf(out, "     GDT[%u]: beyond the GDT limit 0x%x\n", index, sregs->gdt.limit);
        return;
    }
    uint64_t raw[2] = {0, 0};
    uint64_t va = sregs->gdt.base + offset;
    if (cmd_read_virt(env, va, raw, 8) != 8) {
        char why[128];
        fprintf(out, "     GDT[%u] @0x%" PRIx64 ": unreadable (%s)\n", index, va,
                cmd_unmapped_reason(env, va, why, sizeof(why)));
        return;
    }
    /* A system descriptor's upper half follows it; read it when it is inside the table. */
    if (offset + 15 <= sregs->gdt.limit)
        cmd_read_virt(env, va + 8, &raw[1], 8);
    struct vcpu_segment seg;
    char desc[160];
    bool wide = descriptor_decode(raw[0], raw[1], selector, &seg);
    fprintf(out, "     GDT[%u] @0x%" PRIx64 " = 0x%016" PRIx64, index, va, raw[0]);
    if (wide)
        fprintf(out, " 0x%016" PRIx64, raw[1]);
    fprintf(out, "\n       %s\n", descriptor_describe(&seg, desc, sizeof(desc)));
}

static int run_segs(const struct command_env *env, int argc, char **argv, FILE *out)
{
    (void)argv;
    if (argc > 1)
        return command_usage_error(out, &cmd_segs, "takes no arguments");
    struct vcpu_sregs s;
    if (cmd_get_sregs(env, &s) != 0)
        return command_error(out, &cmd_segs, "cannot read the system registers");
    const struct {
        const char *name;
        const struct vcpu_segment *seg;
    } segs[] = {{"cs", &s.cs}, {"ss", &s.ss}, {"ds", &s.ds}, {"es", &s.es},
                {"fs", &s.fs}, {"gs", &s.gs}, {"tr", &s.tr}, {"ldt", &s.ldt}};
    char sel[64], desc[160];
    for (size_t i = 0; i < sizeof(segs) / sizeof(segs[0]); i++) {
        const struct vcpu_segment *seg = segs[i].seg;
        fprintf(out, "%-4s 0x%04x (%s)%s\n", segs[i].name, seg->selector,
                selector_describe(seg->selector, sel, sizeof(sel)),
                seg->unusable ? " unusable" : "");
        fprintf(out, "     cached: %s\n", descriptor_describe(seg, desc, sizeof(desc)));
        print_gdt_entry(out, env, &s, seg->selector);
    }
    fprintf(out, "gdtr base 0x%016" PRIx64 "  limit 0x%04x (%u entries)\n", s.gdt.base, s.gdt.limit,
            (s.gdt.limit + 1u) / 8);
    fprintf(out, "idtr base 0x%016" PRIx64 "  limit 0x%04x (%u gates)\n", s.idt.base, s.idt.limit,
            s.idt.limit ? (s.idt.limit + 1u) / 16 : 0);
    fprintf(out, "(in 64-bit mode fs and gs take their bases from FS_BASE and GS_BASE, "
                 "not from the table)\n");
    return 0;
}

const struct command cmd_segs = {
    .name = "segs",
    .aliases = "seg segments sregs",
    .usage = "segs",
    .summary = "segment registers with their GDT descriptors decoded; GDTR, IDTR",
    .help = "For each segment register (cs, ss, ds, es, fs, gs, tr, ldt): the selector and\n"
            "its parts, the descriptor the CPU has cached, and the descriptor the GDT holds\n"
            "for that selector, read from guest memory and decoded (base, limit, type,\n"
            "DPL, flags). Then GDTR and IDTR.\n"
            "Example:\n"
            "  segs\n"
            "  cs   0x0008 (index 1, GDT, rpl 0)\n"
            "       cached: base 0x0000000000000000  limit 0xffffffff  type 0xb code r-x A ...\n"
            "       GDT[1] @0x1008 = 0x00af9b000000ffff\n"
            "         base 0x0000000000000000  limit 0xffffffff  type 0xb code r-x A ...\n",
    .run = run_segs,
};

/* ---------------------------------------------------------------- dr */

static int run_dr(const struct command_env *env, int argc, char **argv, FILE *out)
{
    (void)argv;
    if (argc > 1)
        return command_usage_error(out, &cmd_dr, "takes no arguments");
    struct vcpu_debugregs dr;
    if (!env->get_debugregs || env->get_debugregs(env->ctx, &dr) != 0)
        return command_error(out, &cmd_dr, "cannot read the debug registers");
    char text[160];
    for (int i = 0; i < 4; i++)
        fprintf(out, "dr%d  0x%016" PRIx64 "%s", i, dr.db[i], i % 2 ? "\n" : "  ");
    fprintf(out, "dr6  0x%016" PRIx64 " [ %s ]\n", dr.dr6,
            dr6_describe(dr.dr6, text, sizeof(text)));
    fprintf(out, "dr7  0x%016" PRIx64 " [ %s ]\n", dr.dr7,
            dr7_describe(dr.dr7, text, sizeof(text)));
    /* The debugger's own slots are the hypervisor's business: the guest does not see them. */
    const struct command_control *c = env->control;
    size_t nhw = 0;
    for (size_t i = 0; c && i < c->nbps; i++) {
        if (c->bps[i].kind != COMMAND_BREAK_HW)
            continue;
        if (nhw++ == 0)
            fprintf(out, "hardware breakpoints of this shell (kept by the hypervisor, "
                         "not in the guest's registers):\n");
        fprintf(out, "  %u  0x%016" PRIx64 " %s\n", c->bps[i].id, c->bps[i].addr,
                cmd_symbol_at(env, c->bps[i].addr, text, sizeof(text)));
    }
    return 0;
}

const struct command cmd_dr = {
    .name = "dr",
    .aliases = "debugregs dregs",
    .usage = "dr",
    .summary = "debug registers DR0-DR3, DR6 and DR7 decoded",
    .help = "Shows the vCPU's debug registers as the guest sees them: the four breakpoint\n"
            "addresses, DR6 (which condition hit: B0-B3, BS single step, BD, BT) and DR7\n"
            "(each enabled slot with its condition and length). Hardware breakpoints set\n"
            "by this shell ('hbreak') live in the hypervisor's copy and are listed after.\n"
            "Example:\n"
            "  dr\n"
            "  dr0  0x0000000000000000  dr1  0x0000000000000000\n"
            "  dr2  0x0000000000000000  dr3  0x0000000000000000\n"
            "  dr6  0x00000000ffff0ff0 [ none ]\n"
            "  dr7  0x0000000000000400 [ none ]\n",
    .run = run_dr,
};
