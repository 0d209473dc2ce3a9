/*
 * cmd_memory.c: memory and page-table commands: `pt`.
 *
 * The shell issue adds examine (x, xp), disassembly and the whole-address-space dump
 * here; each reads guest memory only through env->mem and the inspection library.
 */
#include "command.h"

#include "../ukvm/inspect/pagewalk.h"
#include "expr.h"

static int run_pt(const struct command_env *env, int argc, char **argv, FILE *out)
{
    if (argc < 2)
        return command_usage_error(out, &cmd_pt, "missing address");
    uint64_t va;
    char err[160];
    if (expr_eval_words(env, argc - 1, argv + 1, &va, err, sizeof(err)) != 0)
        return command_usage_error(out, &cmd_pt, "%s", err);
    struct vcpu_sregs sregs;
    if (!env->get_sregs || env->get_sregs(env->ctx, &sregs) != 0)
        return command_error(out, &cmd_pt, "cannot read the control registers");
    struct pagewalk_result walk;
    /* A NULL reader is handled by the walker: the tables read as outside memory. */
    pagewalk_translate(env->mem.read_phys ? &env->mem : NULL, sregs.cr0, sregs.cr3, sregs.cr4,
                       sregs.efer, va, &walk);
    /* A fault is an answer, not a failure of the command. */
    pagewalk_print(out, &walk, 0);
    return 0;
}

const struct command cmd_pt = {
    .name = "pt",
    .aliases = "walk page",
    .usage = "pt ADDR",
    .summary = "walk the page tables for one virtual address",
    .help = "Translates the virtual address ADDR through the page tables in use (cr3),\n"
            "showing each level as the SDM names it (PML4, PDPT, PD, PT) with its index,\n"
            "the entry's address and value and its decoded flags, then the physical\n"
            "address with the page size and effective permissions, or exactly why the\n"
            "access would fault.\n"
            "ADDR is a number (0x hex or decimal), a symbol or a $register, with an\n"
            "optional + or - of a number: 0x101234, main+0x10, $rsp-8.\n"
            "Example:\n"
            "  pt $rip\n"
            "  va 0x100030\n"
            "  PML4[  0] @0x20000    = 0x0000000000021003  P RW               -> PDPT at 0x21000\n"
            "  ...\n"
            "  => pa 0x100030 (4 KiB page, r-x, supervisor)\n",
    .run = run_pt,
};
