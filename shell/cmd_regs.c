/*
 * cmd_regs.c: register commands: `regs`.
 *
 * The shell issue adds debug registers and writes here; formatting stays in
 * ukvm/inspect/regs_format.c so crash reports print registers the same way.
 */
#include "command.h"

#include "../ukvm/inspect/regs_format.h"

static int run_regs(const struct command_env *env, int argc, char **argv, FILE *out)
{
    (void)argv;
    if (argc > 1)
        return command_usage_error(out, &cmd_regs, "takes no arguments");
    struct vcpu_regs regs;
    struct vcpu_sregs sregs;
    if (!env->get_regs || env->get_regs(env->ctx, &regs) != 0)
        return command_error(out, &cmd_regs, "cannot read the general registers");
    regs_dump(out, &regs, 0);
    /* The general registers are still worth seeing when the system ones are not. */
    if (!env->get_sregs || env->get_sregs(env->ctx, &sregs) != 0)
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
