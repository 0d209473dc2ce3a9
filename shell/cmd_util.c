/*
 * cmd_util.c: helpers shared by the command groups (see cmd_util.h).
 */
#include "cmd_util.h"

#include <ctype.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>

#include "expr.h"
#include "ukvm/inspect/pagewalk.h"
#include "ukvm/inspect/symbolize.h"

int cmd_get_regs(const struct command_env *env, struct vcpu_regs *regs)
{
    return env->get_regs && env->get_regs(env->ctx, regs) == 0 ? 0 : -1;
}

int cmd_get_sregs(const struct command_env *env, struct vcpu_sregs *sregs)
{
    return env->get_sregs && env->get_sregs(env->ctx, sregs) == 0 ? 0 : -1;
}

long cmd_read_virt(const struct command_env *env, uint64_t va, void *buf, size_t len)
{
    if (len == 0)
        return 0;
    if (env->read_virt)
        return env->read_virt(env->ctx, va, buf, len);
    struct vcpu_sregs sregs;
    if (!env->mem.read_phys || cmd_get_sregs(env, &sregs) != 0)
        return -1;
    uint8_t *dst = buf;
    size_t done = 0;
    while (done < len) {
        struct pagewalk_result walk;
        if (pagewalk_translate(&env->mem, sregs.cr0, sregs.cr3, sregs.cr4, sregs.efer, va + done,
                               &walk) != 0)
            break;
        uint64_t room = walk.page_size - ((va + done) & (walk.page_size - 1));
        size_t chunk = len - done < room ? len - done : (size_t)room;
        if (env->mem.read_phys(env->mem.ctx, walk.pa, dst + done, chunk) != 0)
            break;
        done += chunk;
    }
    return done ? (long)done : -1;
}

long cmd_read_phys(const struct command_env *env, uint64_t pa, void *buf, size_t len)
{
    if (len == 0)
        return 0;
    if (!env->mem.read_phys)
        return -1;
    if (env->mem.read_phys(env->mem.ctx, pa, buf, len) == 0)
        return (long)len;
    /* Guest memory ends inside the range: read what lies before its end, page by page. */
    uint8_t *dst = buf;
    size_t done = 0;
    while (done < len) {
        size_t chunk = 0x1000 - ((pa + done) & 0xfff);
        if (chunk > len - done)
            chunk = len - done;
        if (env->mem.read_phys(env->mem.ctx, pa + done, dst + done, chunk) != 0)
            break;
        done += chunk;
    }
    return done ? (long)done : -1;
}

char *cmd_unmapped_reason(const struct command_env *env, uint64_t va, char *buf, size_t len)
{
    struct vcpu_sregs sregs;
    if (cmd_get_sregs(env, &sregs) != 0) {
        snprintf(buf, len, "the control registers cannot be read");
        return buf;
    }
    struct pagewalk_result walk;
    if (pagewalk_translate(env->mem.read_phys ? &env->mem : NULL, sregs.cr0, sregs.cr3, sregs.cr4,
                           sregs.efer, va, &walk) == 0) {
        snprintf(buf, len, "it maps to 0x%" PRIx64 ", outside guest memory", walk.pa);
    } else if (walk.fault == PAGEWALK_NOT_PRESENT || walk.fault == PAGEWALK_RESERVED_BIT) {
        const struct pagewalk_level *lv = &walk.levels[walk.nlevels - 1];
        snprintf(buf, len, "%s at %s[%u]", pagewalk_fault_name(walk.fault), lv->name, lv->index);
    } else {
        snprintf(buf, len, "%s", pagewalk_fault_name(walk.fault));
    }
    return buf;
}

/*
 * The symbol holding addr into buf: "leaf+0x4", with " (file.c:38)" after it when
 * with_line; "" when there is none. Returns buf.
 */
static char *name_address(const struct command_env *env, uint64_t addr, bool with_line, char *buf,
                          size_t len)
{
    struct symbol_info info;
    struct symbolizer *sym = command_symbols(env);
    if (len > 0)
        buf[0] = '\0';
    if (!sym || symbolizer_lookup(sym, addr, &info) != 0)
        return buf;
    if (with_line)
        return symbolizer_format(sym, addr, buf, len);
    snprintf(buf, len, "%s+0x%" PRIx64, info.function, info.offset);
    return buf;
}

char *cmd_symbol_at(const struct command_env *env, uint64_t addr, char *buf, size_t len)
{
    return name_address(env, addr, false, buf, len);
}

char *cmd_symbol_location(const struct command_env *env, uint64_t addr, char *buf, size_t len)
{
    return name_address(env, addr, true, buf, len);
}

int cmd_split_count(int argc, char **argv, uint64_t min, uint64_t max, uint64_t *count, int *naddr,
                    char *err, size_t errlen)
{
    *naddr = argc - 1;
    if (argc < 3 || !isdigit((unsigned char)argv[argc - 1][0]))
        return 0;
    const char *before = argv[argc - 2];
    size_t blen = strlen(before);
    if (blen > 0 && (before[blen - 1] == '+' || before[blen - 1] == '-'))
        return 0; /* "ADDR + N": an offset, not a count */
    if (expr_parse_count(argv[argc - 1], min, max, count, err, errlen) != 0)
        return -1;
    *naddr = argc - 2;
    return 0;
}

bool cmd_stop_is_fatal(enum command_stop_kind kind)
{
    return kind == COMMAND_STOP_FAULT || kind == COMMAND_STOP_ABORT || kind == COMMAND_STOP_CRASH;
}

unsigned cmd_print_insn(FILE *out, const struct command_env *env, struct disasm *d, uint64_t addr,
                        bool phys, bool mark)
{
    uint8_t code[DISASM_INSN_MAX];
    long n = phys ? cmd_read_phys(env, addr, code, sizeof(code))
                  : cmd_read_virt(env, addr, code, sizeof(code));
    char where[160], label[200] = "";
    if (cmd_symbol_at(env, addr, where, sizeof(where))[0])
        snprintf(label, sizeof(label), " <%s>", where);
    fprintf(out, "%s0x%016" PRIx64 "%s:  ", mark ? "=> " : "   ", addr, label);
    struct disasm_insn insn;
    if (n <= 0) {
        fprintf(out, "(unreadable)\n");
        return 0;
    }
    if (disasm_one(d, code, (size_t)n, addr, &insn) != 0) {
        fprintf(out, "%-24s (bad)\n", "");
        return 0;
    }
    char bytes[3 * DISASM_INSN_MAX + 1] = "";
    for (unsigned i = 0; i < insn.len && i < 8; i++)
        snprintf(bytes + 3 * i, sizeof(bytes) - 3 * i, "%02x ", insn.bytes[i]);
    if (insn.len > 8)
        strcat(bytes, "...");
    fprintf(out, "%-24s %s\n", bytes, insn.text);
    return insn.len;
}

/* "0x0000000000100150 in leaf+0x0 (test_shell.c:27)", or the bare address. */
static void print_location(FILE *out, const struct command_env *env, uint64_t addr)
{
    char where[256];
    fprintf(out, "0x%016" PRIx64, addr);
    if (cmd_symbol_location(env, addr, where, sizeof(where))[0])
        fprintf(out, " in %s", where);
}

/* The number of the breakpoint of one of kinds at addr (watchpoints: whose range holds it). */
static unsigned breakpoint_id(const struct command_env *env, bool watch, uint64_t addr)
{
    const struct command_control *c = env->control;
    for (size_t i = 0; c && i < c->nbps; i++) {
        const struct command_breakpoint *b = &c->bps[i];
        bool is_watch = b->kind >= COMMAND_WATCH_WRITE;
        if (watch ? (is_watch && addr >= b->addr && addr - b->addr < b->len)
                  : (!is_watch && b->addr == addr))
            return b->id;
    }
    return 0;
}

void cmd_print_stop(FILE *out, const struct command_env *env, const struct command_stop *stop)
{
    if (stop->kind == COMMAND_STOP_EXITED) {
        if (stop->signal)
            fprintf(out, "the guest was ended by %s (status %d)\n", strsignal(stop->signal),
                    stop->exit_status);
        else
            fprintf(out, "the guest exited with status %d\n", stop->exit_status);
        return;
    }
    struct vcpu_regs regs;
    bool have_regs = cmd_get_regs(env, &regs) == 0;
    uint64_t rip = have_regs ? regs.rip : 0;
    unsigned id;
    switch (stop->kind) {
    case COMMAND_STOP_ENTRY:
        fprintf(out, "stopped before the first instruction, ");
        break;
    case COMMAND_STOP_STEP:
        break;
    case COMMAND_STOP_BREAK:
    case COMMAND_STOP_HW_BREAK:
        id = breakpoint_id(env, false, rip);
        fprintf(out, "%sbreakpoint", stop->kind == COMMAND_STOP_HW_BREAK ? "hardware " : "");
        if (id)
            fprintf(out, " %u", id);
        fprintf(out, ", ");
        break;
    case COMMAND_STOP_WATCH:
        id = breakpoint_id(env, true, stop->watch_addr);
        fprintf(out, "watchpoint");
        if (id)
            fprintf(out, " %u", id);
        if (stop->watch_addr)
            fprintf(out, " (0x%" PRIx64 ")", stop->watch_addr);
        fprintf(out,
                stop->backwards ? ", going backwards, at the access: " : ", after the access: ");
        break;
    case COMMAND_STOP_HISTORY_BEGIN:
        fprintf(out, "no more reverse-execution history: at the start of the record, ");
        break;
    case COMMAND_STOP_INT3:
        fprintf(out, "int3 in the program, stopped after it: ");
        break;
    case COMMAND_STOP_LIFTED:
        /* The reason is on ukvm's stderr already (the same line gdb's console gets). */
        fprintf(out, "a watchpoint's page trap was lifted, ");
        break;
    case COMMAND_STOP_INTERRUPT:
        fprintf(out, "interrupted, ");
        break;
    case COMMAND_STOP_FAULT:
    case COMMAND_STOP_ABORT:
    case COMMAND_STOP_CRASH:
        fprintf(out, "%s\n", stop->message[0] ? stop->message : "the guest crashed");
        fprintf(out,
                "the guest is stopped %s: inspect it ('exc', 'bt', 'regs'); 'continue' or "
                "'quit' ends it as it would have ended (crash report, status 255)\n",
                stop->kind == COMMAND_STOP_FAULT   ? "in the faulting context"
                : stop->kind == COMMAND_STOP_ABORT ? "in the aborting routine"
                                                   : "where it died");
        break;
    case COMMAND_STOP_EXITED:
        break;
    }
    if (!have_regs) {
        fprintf(out, "(the registers cannot be read)\n");
        return;
    }
    if (!cmd_stop_is_fatal(stop->kind)) {
        print_location(out, env, rip);
        fputc('\n', out);
    }
    char err[128];
    struct disasm *d = disasm_open(err, sizeof(err));
    if (d) {
        cmd_print_insn(out, env, d, rip, false, true);
        disasm_close(d);
    }
}
