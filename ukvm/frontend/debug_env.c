/*
 * debug_env.c: struct command_env on the debug core (see debug_env.h).
 */
#include "debug_env.h"

#include <stdio.h>
#include <string.h>

#include "ukvm/debug/stop_dump.h"
#include "ukvm/replay/recorder.h"
#include "ukvm/vm/mem_slots.h"

static struct debug_core *core_of(void *ctx)
{
    return ctx;
}

static int get_regs(void *ctx, struct vcpu_regs *regs)
{
    return vcpu_get_regs(core_of(ctx)->run->vcpu, regs);
}

static int get_sregs(void *ctx, struct vcpu_sregs *sregs)
{
    return vcpu_get_sregs(core_of(ctx)->run->vcpu, sregs);
}

static int get_debugregs(void *ctx, struct vcpu_debugregs *dr)
{
    return vcpu_get_debugregs(core_of(ctx)->run->vcpu, dr);
}

static int get_events(void *ctx, struct vcpu_events *ev)
{
    return vcpu_get_events(core_of(ctx)->run->vcpu, ev);
}

static long read_virt(void *ctx, uint64_t va, void *buf, size_t len)
{
    return debug_core_read(core_of(ctx), va, buf, len);
}

static struct symbolizer *symbols(void *ctx)
{
    return debug_core_symbols(core_of(ctx));
}

/*
 * The slots as the hypervisor has them (mem_slots.h), or the one slot of all memory;
 * watchpoints inserted or removed since the last run are applied first, so that the list
 * says what the guest will run with.
 */
static size_t memslots(void *ctx, struct command_memslot *out, size_t max)
{
    debug_core_apply_watchpoints(core_of(ctx));
    const struct run_context *run = core_of(ctx)->run;
    const struct mem_slots *ms = run->slots;
    if (!ms) {
        if (max > 0)
            out[0] = (struct command_memslot){.id = 0, .gpa = 0, .size = run->mem->size};
        return 1;
    }
    for (size_t i = 0; i < ms->nslots && i < max; i++)
        out[i] = (struct command_memslot){.id = ms->slots[i].id,
                                          .gpa = ms->slots[i].gpa,
                                          .size = ms->slots[i].size,
                                          .read_only = ms->slots[i].read_only};
    return ms->nslots;
}

/* `core [PATH]`: the core of this stop (ukvm/debug/stop_dump.c). */
static int write_core(void *ctx, const char *path, FILE *out, char *err, size_t errlen)
{
    struct core_dump_result res;
    if (stop_dump_write(core_of(ctx), path, &res, err, errlen) < 0)
        return -1;
    core_dump_print_result(out, "", &res);
    return 0;
}

/* `record`: the recorded run's state (ukvm/replay/recorder.h). */
static void describe_record(void *ctx, FILE *out)
{
    struct debug_core *core = core_of(ctx);
    recorder_describe(core->record, core->steps, core->steps_known, out);
}

void debug_core_command_env(struct debug_core *core, struct command_env *env)
{
    *env = (struct command_env){
        .ctx = core,
        .get_regs = get_regs,
        .get_sregs = get_sregs,
        .mem = guest_mem_access(core->run->mem),
        .symbols = symbols,
        .exits = &core->run->exits,
        .exception = &core->run->last_exception,
        .layout = core->run->layout,
        .nets = core->run->nets,
        .read_virt = read_virt,
        .get_debugregs = get_debugregs,
        .get_events = get_events,
        .image = core->run->image,
        .memslots = memslots,
        .write_core = write_core,
        .describe_record = core->record ? describe_record : NULL,
    };
}
