/*
 * cmd_tables.c: the descriptor tables: `gdt`, `idt`, read from guest memory through
 * GDTR and IDTR (linear addresses) and decoded with ukvm/inspect/descriptors.h.
 */
#include "command.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_util.h"
#include "expr.h"
#include "ukvm/inspect/descriptors.h"
#include "ukvm/inspect/symbolize.h"
#include "ukvm/inspect/x86_decode.h"

#define IDT_VECTORS 256 /* x86 has 256 interrupt vectors */

/* Reads a whole table of limit+1 bytes; returns a malloc'd copy, or NULL after an error. */
static uint8_t *read_table(FILE *out, const struct command *cmd, const struct command_env *env,
                           uint64_t base, uint32_t size)
{
    uint8_t *buf = malloc(size);
    if (!buf) {
        command_error(out, cmd, "out of memory");
        return NULL;
    }
    long n = cmd_read_virt(env, base, buf, size);
    if (n != (long)size) {
        char why[160];
        uint64_t at = base + (n > 0 ? (uint64_t)n : 0);
        command_error(out, cmd, "cannot read the table at 0x%" PRIx64 ": %s", at,
                      cmd_unmapped_reason(env, at, why, sizeof(why)));
        free(buf);
        return NULL;
    }
    return buf;
}

static int get_sregs(FILE *out, const struct command *cmd, const struct command_env *env,
                     struct vcpu_sregs *sregs)
{
    if (cmd_get_sregs(env, sregs) != 0)
        return command_error(out, cmd, "cannot read the system registers");
    return 0;
}

static int run_gdt(const struct command_env *env, int argc, char **argv, FILE *out)
{
    (void)argv;
    if (argc > 1)
        return command_usage_error(out, &cmd_gdt, "takes no arguments");
    struct vcpu_sregs s;
    if (get_sregs(out, &cmd_gdt, env, &s) != 0)
        return -1;
    uint32_t size = s.gdt.limit + 1u;
    fprintf(out, "gdtr base 0x%016" PRIx64 "  limit 0x%04x (%u slots of 8 bytes)\n", s.gdt.base,
            s.gdt.limit, size / 8);
    uint8_t *table = read_table(out, &cmd_gdt, env, s.gdt.base, size);
    if (!table)
        return -1;
    char desc[160];
    for (uint32_t i = 0; i + 8 <= size; i += 8) {
        uint64_t lo, hi = 0;
        memcpy(&lo, table + i, 8);
        if (i + 16 <= size)
            memcpy(&hi, table + i + 8, 8);
        fprintf(out, "  0x%02x [%2u] 0x%016" PRIx64, i, i / 8, lo);
        if (lo == 0) {
            fprintf(out, "  %s\n", i == 0 ? "null descriptor" : "empty");
            continue;
        }
        struct vcpu_segment seg;
        bool wide = descriptor_decode(lo, hi, (uint16_t)i, &seg);
        if (wide)
            fprintf(out, " 0x%016" PRIx64, hi);
        fprintf(out, "\n           %s\n", descriptor_describe(&seg, desc, sizeof(desc)));
        if (wide)
            i += 8; /* the upper half of a 16-byte system descriptor */
    }
    if (size % 8)
        fprintf(out, "  (the limit leaves %u trailing bytes)\n", size % 8);
    free(table);
    return 0;
}

const struct command cmd_gdt = {
    .name = "gdt",
    .usage = "gdt",
    .summary = "the global descriptor table, decoded",
    .help = "Reads the GDT from guest memory (GDTR's base and limit) and decodes every\n"
            "slot: selector offset and index, the raw descriptor, then base, limit, type\n"
            "(code, data, TSS, ...), DPL and flags. 16-byte system descriptors (the TSS)\n"
            "take two slots.\n"
            "Example:\n"
            "  gdt\n"
            "  gdtr base 0x0000000000001000  limit 0x0027 (5 slots of 8 bytes)\n"
            "    0x00 [ 0] 0x0000000000000000  null descriptor\n"
            "    0x08 [ 1] 0x00af9b000000ffff\n"
            "             base 0x0000000000000000  limit 0xffffffff  type 0xb code r-x A ...\n",
    .run = run_gdt,
};

static const char *gate_type_name(uint8_t type)
{
    return type == GATE_TYPE_INTR64 ? "int gate" : type == GATE_TYPE_TRAP64 ? "trap gate" : "?";
}

static void print_gate(FILE *out, const struct command_env *env, unsigned vector,
                       const struct x86_gate *g)
{
    char where[256];
    cmd_symbol_location(env, g->offset, where, sizeof(where));
    /* No symbol: one of the ABI's system areas (user mode's gates lead to ukvm's stubs). */
    for (size_t i = 0; !where[0] && env->layout && i < env->layout->nareas; i++) {
        const struct boot_area *a = &env->layout->areas[i];
        if (g->offset >= a->start && g->offset < a->end)
            snprintf(where, sizeof(where), "(ukvm's %s)", a->name);
    }
    fprintf(out, "  %3u %-4s sel 0x%02x  0x%016" PRIx64 " %-9s ist %u dpl %u  %s\n", vector,
            vector < 32 ? x86_exception_mnemonic(vector) : "", g->selector, g->offset,
            gate_type_name(g->type), g->ist, g->dpl, where[0] ? where : "(no symbol)");
}

static int run_idt(const struct command_env *env, int argc, char **argv, FILE *out)
{
    uint64_t only = UINT64_MAX;
    char err[160];
    if (argc > 2)
        return command_usage_error(out, &cmd_idt, "too many arguments");
    if (argc == 2 && expr_parse_count(argv[1], 0, 255, &only, err, sizeof(err)) != 0)
        return command_usage_error(out, &cmd_idt, "VECTOR: %s", err);
    struct vcpu_sregs s;
    if (get_sregs(out, &cmd_idt, env, &s) != 0)
        return -1;
    uint32_t size = s.idt.limit + 1u;
    unsigned ngates = s.idt.limit ? size / 16 : 0;
    /* A limit past 256 gates is legal, but the CPU never looks further: neither do we. */
    if (ngates > IDT_VECTORS)
        ngates = IDT_VECTORS;
    fprintf(out, "idtr base 0x%016" PRIx64 "  limit 0x%04x (%u gates)\n", s.idt.base, s.idt.limit,
            ngates);
    if (ngates == 0) {
        fprintf(out, "no gates: any exception now becomes a triple fault\n");
        return only == UINT64_MAX ? 0 : command_error(out, &cmd_idt, "no gate %" PRIu64, only);
    }
    if (only != UINT64_MAX && only >= ngates)
        return command_error(out, &cmd_idt, "vector %" PRIu64 " lies beyond the IDT limit", only);
    uint8_t *table = read_table(out, &cmd_idt, env, s.idt.base, ngates * 16);
    if (!table)
        return -1;
    unsigned absent_from = 0, absent = 0;
    for (unsigned v = 0; v <= ngates; v++) {
        struct x86_gate g = {.present = false};
        if (v < ngates)
            gate_decode(table + 16 * v, &g);
        if (v < ngates && only != UINT64_MAX && v != only)
            continue;
        if (v < ngates && !g.present) {
            if (absent++ == 0)
                absent_from = v;
            continue;
        }
        /* A run of absent gates ends here (or at the end of the table). */
        if (absent == 1)
            fprintf(out, "  %3u      not present\n", absent_from);
        else if (absent > 1)
            fprintf(out, "  %3u-%-3u  not present\n", absent_from, absent_from + absent - 1);
        absent = 0;
        if (v < ngates)
            print_gate(out, env, v, &g);
    }
    if (ngates < IDT_VECTORS && only == UINT64_MAX)
        fprintf(out, "  %3u-255 beyond the IDT limit: a #GP when raised\n", ngates);
    free(table);
    return 0;
}

const struct command cmd_idt = {
    .name = "idt",
    .usage = "idt [VECTOR]",
    .summary = "the interrupt descriptor table, handlers symbolized",
    .help = "Reads the IDT from guest memory (IDTR's base and limit) and decodes each gate:\n"
            "vector and exception mnemonic, code selector, handler address with its\n"
            "function (function+offset (file:line)), gate type, IST slot and DPL. Runs of\n"
            "gates that are not present are shown as one line. With VECTOR (0-255), only\n"
            "that gate.\n"
            "Example:\n"
            "  idt 14\n"
            "  idtr base 0x000000000010a000  limit 0x0fff (256 gates)\n"
            "     14 #PF  sel 0x08  0x000000000010109e int gate  ist 3 dpl 0  trap_stub_14+0x0 "
            "(trap.S:61)\n",
    .run = run_idt,
};
