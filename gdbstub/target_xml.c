/*
 * target_xml.c: builds the target description from the register table.
 *
 * One document with every feature inline (no xi:include), so gdb fetches it in as few
 * qXfer round trips as its packet size allows. Type definitions come before the first
 * register that uses them, as gdb requires.
 *
 * Flag fields follow the Intel SDM: EFLAGS (vol. 1, 3.4.3), MXCSR (vol. 1, 10.2.3),
 * CR0 and CR4 (vol. 3A, 2.5), IA32_EFER (vol. 3A, 2.2.1; SVME, LMSLE, FFXSR and TCE
 * from AMD's APM vol. 2, 3.1.7). tests/unit/test_gdbstub_xml.c checks every position
 * against the monitor's own, independently written constants (ukvm/inspect/x86_decode.h),
 * and test_gdbstub_gdb.c has gdb decode well-known values (MXCSR's 0x1f80, ...).
 */
#include <stdio.h>
#include <stdlib.h>

#include "gdb_regs.h"
#include "target_xml.h"

struct flag_field {
    const char *name;
    unsigned bit;
};

static const struct flag_field eflags_fields[] = {
    {"CF", 0},  {"", 1},    {"PF", 2},   {"AF", 4},   {"ZF", 6},  {"SF", 7},
    {"TF", 8},  {"IF", 9},  {"DF", 10},  {"OF", 11},  {"NT", 14}, {"RF", 16},
    {"VM", 17}, {"AC", 18}, {"VIF", 19}, {"VIP", 20}, {"ID", 21}, {NULL, 0},
};

static const struct flag_field mxcsr_fields[] = {
    {"IE", 0}, {"DE", 1}, {"ZE", 2},  {"OE", 3},  {"UE", 4},  {"PE", 5},  {"DAZ", 6}, {"IM", 7},
    {"DM", 8}, {"ZM", 9}, {"OM", 10}, {"UM", 11}, {"PM", 12}, {"FZ", 15}, {NULL, 0},
};

static const struct flag_field cr0_fields[] = {
    {"PE", 0},  {"MP", 1},  {"EM", 2},  {"TS", 3},  {"ET", 4},  {"NE", 5},
    {"WP", 16}, {"AM", 18}, {"NW", 29}, {"CD", 30}, {"PG", 31}, {NULL, 0},
};

static const struct flag_field cr4_fields[] = {
    {"VME", 0},   {"PVI", 1},   {"TSD", 2},   {"DE", 3},        {"PSE", 4},         {"PAE", 5},
    {"MCE", 6},   {"PGE", 7},   {"PCE", 8},   {"OSFXSR", 9},    {"OSXMMEXCPT", 10}, {"UMIP", 11},
    {"LA57", 12}, {"VMXE", 13}, {"SMXE", 14}, {"FSGSBASE", 16}, {"PCIDE", 17},      {"OSXSAVE", 18},
    {"SMEP", 20}, {"SMAP", 21}, {"PKE", 22},  {"CET", 23},      {"PKS", 24},        {NULL, 0},
};

static const struct flag_field efer_fields[] = {
    {"SCE", 0},    {"LME", 8},    {"LMA", 10}, {"NXE", 11}, {"SVME", 12},
    {"LMSLE", 13}, {"FFXSR", 14}, {"TCE", 15}, {NULL, 0},
};

static void put_flags(FILE *f, const char *id, unsigned size, const struct flag_field *fields)
{
    fprintf(f, "<flags id=\"%s\" size=\"%u\">\n", id, size);
    for (const struct flag_field *ff = fields; ff->name; ff++)
        fprintf(f, "  <field name=\"%s\" start=\"%u\" end=\"%u\"/>\n", ff->name, ff->bit, ff->bit);
    fputs("</flags>\n", f);
}

/* The 128-bit view of an xmm register: gdb prints each member. */
static void put_vec128(FILE *f)
{
    static const char *const vectors[][3] = {
        {"v8bf16", "bfloat16", "8"}, {"v8h", "ieee_half", "8"}, {"v4f", "ieee_single", "4"},
        {"v2d", "ieee_double", "2"}, {"v16i8", "int8", "16"},   {"v8i16", "int16", "8"},
        {"v4i32", "int32", "4"},     {"v2i64", "int64", "2"},
    };
    static const char *const members[][2] = {
        {"v8_bfloat16", "v8bf16"}, {"v8_half", "v8h"},    {"v4_float", "v4f"},
        {"v2_double", "v2d"},      {"v16_int8", "v16i8"}, {"v8_int16", "v8i16"},
        {"v4_int32", "v4i32"},     {"v2_int64", "v2i64"}, {"uint128", "uint128"},
    };
    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++)
        fprintf(f, "<vector id=\"%s\" type=\"%s\" count=\"%s\"/>\n", vectors[i][0], vectors[i][1],
                vectors[i][2]);
    fputs("<union id=\"vec128\">\n", f);
    for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++)
        fprintf(f, "  <field name=\"%s\" type=\"%s\"/>\n", members[i][0], members[i][1]);
    fputs("</union>\n", f);
}

static void put_types(FILE *f, enum gdb_feature feature)
{
    switch (feature) {
    case GDB_FEATURE_CORE:
        put_flags(f, "i386_eflags", 4, eflags_fields);
        break;
    case GDB_FEATURE_SSE:
        put_vec128(f);
        put_flags(f, "i386_mxcsr", 4, mxcsr_fields);
        break;
    case GDB_FEATURE_SYS:
        put_flags(f, "ukvm_cr0", 8, cr0_fields);
        put_flags(f, "ukvm_cr4", 8, cr4_fields);
        put_flags(f, "ukvm_efer", 8, efer_fields);
        break;
    default:
        break;
    }
}

char *target_xml_build(size_t *len)
{
    char *doc = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&doc, &size);
    if (!f)
        return NULL;
    fputs("<?xml version=\"1.0\"?>\n"
          "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
          "<target version=\"1.0\">\n"
          "<architecture>i386:x86-64</architecture>\n",
          f);
    for (unsigned feat = 0; feat < GDB_FEATURE_COUNT; feat++) {
        fprintf(f, "<feature name=\"%s\">\n", gdb_feature_name(feat));
        put_types(f, feat);
        for (unsigned r = 0; r < GDB_REG_COUNT; r++) {
            const struct gdb_reg_info *ri = gdb_reg_info(r);
            if (ri->feature != feat)
                continue;
            fprintf(f, "<reg name=\"%s\" bitsize=\"%u\" type=\"%s\" regnum=\"%u\"", ri->name,
                    ri->bitsize, ri->type, r);
            if (ri->group)
                fprintf(f, " group=\"%s\"", ri->group);
            fputs("/>\n", f);
        }
        fputs("</feature>\n", f);
    }
    fputs("</target>\n", f);
    if (fclose(f) != 0) {
        free(doc);
        return NULL;
    }
    *len = size;
    return doc;
}
