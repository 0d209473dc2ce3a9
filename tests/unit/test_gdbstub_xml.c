/*
 * test_gdbstub_xml.c: the target description's flag types against the monitor's own x86
 * constants (ukvm/inspect/x86_decode.h), written independently from the same manuals:
 * every field target.xml names must sit at the bit the monitor uses, and every bit the
 * monitor names must be in target.xml. Also checks the document's overall shape.
 */
#include <stdlib.h>

#include "gdbstub/gdb_regs.h"
#include "gdbstub/rsp_packet.h"
#include "gdbstub/target_xml.h"
#include "ukvm/inspect/x86_decode.h"
#include "unit.h"

struct expected_field {
    const char *flags_id;
    const char *name;
    unsigned bit;
};

#define RFLAGS(n)                               \
    {                                           \
        "i386_eflags", #n, X86_RFLAGS_##n##_BIT \
    }
#define CR0(n)                            \
    {                                     \
        "ukvm_cr0", #n, X86_CR0_##n##_BIT \
    }
#define CR4(n)                            \
    {                                     \
        "ukvm_cr4", #n, X86_CR4_##n##_BIT \
    }
#define EFER(n)                             \
    {                                       \
        "ukvm_efer", #n, X86_EFER_##n##_BIT \
    }

static const struct expected_field expected[] = {
    RFLAGS(CF),
    RFLAGS(PF),
    RFLAGS(AF),
    RFLAGS(ZF),
    RFLAGS(SF),
    RFLAGS(TF),
    RFLAGS(IF),
    RFLAGS(DF),
    RFLAGS(OF),
    RFLAGS(NT),
    RFLAGS(RF),
    RFLAGS(VM),
    RFLAGS(AC),
    RFLAGS(VIF),
    RFLAGS(VIP),
    RFLAGS(ID),
    {"i386_eflags", "", X86_RFLAGS_FIXED_BIT},
    CR0(PE),
    CR0(MP),
    CR0(EM),
    CR0(TS),
    CR0(ET),
    CR0(NE),
    CR0(WP),
    CR0(AM),
    CR0(NW),
    CR0(CD),
    CR0(PG),
    CR4(VME),
    CR4(PVI),
    CR4(TSD),
    CR4(DE),
    CR4(PSE),
    CR4(PAE),
    CR4(MCE),
    CR4(PGE),
    CR4(PCE),
    CR4(OSFXSR),
    CR4(OSXMMEXCPT),
    CR4(UMIP),
    CR4(LA57),
    CR4(VMXE),
    CR4(SMXE),
    CR4(FSGSBASE),
    CR4(PCIDE),
    CR4(OSXSAVE),
    CR4(SMEP),
    CR4(SMAP),
    CR4(PKE),
    CR4(CET),
    CR4(PKS),
    EFER(SCE),
    EFER(LME),
    EFER(LMA),
    EFER(NXE),
    EFER(SVME),
    EFER(LMSLE),
    EFER(FFXSR),
    EFER(TCE),
};

/* The bit of field name in flags id, from the XML; -1 if absent. */
static int xml_bit(const char *xml, const char *id, const char *name)
{
    char open[64], field[64];
    snprintf(open, sizeof(open), "<flags id=\"%s\"", id);
    const char *start = strstr(xml, open);
    if (!start)
        return -1;
    const char *end = strstr(start, "</flags>");
    snprintf(field, sizeof(field), "<field name=\"%s\" start=\"", name);
    const char *f = strstr(start, field);
    if (!f || f > end)
        return -1;
    int s = atoi(f + strlen(field));
    const char *e = strstr(f, "end=\"");
    return e && atoi(e + 5) == s ? s : -2; /* one bit: start == end */
}

/* Number of fields in flags id. */
static int xml_field_count(const char *xml, const char *id)
{
    char open[64];
    snprintf(open, sizeof(open), "<flags id=\"%s\"", id);
    const char *p = strstr(xml, open), *end = p ? strstr(p, "</flags>") : NULL;
    int n = 0;
    while (p && (p = strstr(p + 1, "<field ")) && p < end)
        n++;
    return n;
}

UNIT_TEST(flag_bits_match_monitor_constants)
{
    size_t len;
    char *xml = target_xml_build(&len);
    CHECK(xml && strlen(xml) == len);
    int per_id[4] = {0};
    const char *ids[4] = {"i386_eflags", "ukvm_cr0", "ukvm_cr4", "ukvm_efer"};
    for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
        const struct expected_field *e = &expected[i];
        int bit = xml_bit(xml, e->flags_id, e->name);
        if (bit != (int)e->bit)
            UNIT_FAIL("%s.%s at bit %d in target.xml, %u in x86_decode.h", e->flags_id, e->name,
                      bit, e->bit);
        for (int k = 0; k < 4; k++)
            per_id[k] += strcmp(ids[k], e->flags_id) == 0;
    }
    /* Nothing in target.xml that the monitor does not know. */
    for (int k = 0; k < 4; k++)
        CHECK_EQ_U64(xml_field_count(xml, ids[k]), per_id[k]);
    free(xml);
}

UNIT_TEST(document_shape)
{
    size_t len;
    char *xml = target_xml_build(&len);
    CHECK(xml);
    CHECK(strncmp(xml, "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">",
                  63) == 0);
    /* Characters that would need escaping in a qXfer reply never occur. */
    CHECK(strpbrk(xml, "$#}*") == NULL);
    /* Every type a register uses is gdb's own or defined before that register. */
    static const char *const builtin[] = {"int",      "int32",    "int64",   "uint64",
                                          "data_ptr", "code_ptr", "i387_ext"};
    for (unsigned r = 0; r < GDB_REG_COUNT; r++) {
        const struct gdb_reg_info *ri = gdb_reg_info(r);
        bool known = false;
        for (size_t b = 0; b < sizeof(builtin) / sizeof(builtin[0]); b++)
            known |= strcmp(ri->type, builtin[b]) == 0;
        char def[64], use[64];
        snprintf(def, sizeof(def), "id=\"%s\"", ri->type);
        snprintf(use, sizeof(use), "<reg name=\"%s\"", ri->name);
        const char *d = strstr(xml, def), *u = strstr(xml, use);
        CHECK(u);
        if (!known && !(d && d < u))
            UNIT_FAIL("type %s of %s is not defined before use", ri->type, ri->name);
    }
    /* Features in order, each register inside its own feature. */
    const char *prev = xml;
    for (unsigned f = 0; f < GDB_FEATURE_COUNT; f++) {
        char tag[96];
        snprintf(tag, sizeof(tag), "<feature name=\"%s\">", gdb_feature_name(f));
        const char *at = strstr(xml, tag);
        CHECK(at && at > prev);
        prev = at;
    }
    for (unsigned r = 0; r < GDB_REG_COUNT; r++) {
        char use[64], tag[96];
        snprintf(use, sizeof(use), "<reg name=\"%s\"", gdb_reg_name(r));
        snprintf(tag, sizeof(tag), "<feature name=\"%s\">",
                 gdb_feature_name(gdb_reg_info(r)->feature));
        const char *u = strstr(xml, use), *feat = strstr(xml, tag);
        const char *close = strstr(feat, "</feature>");
        CHECK(u > feat && u < close);
    }
    /* A 'g' reply fits the reply buffer, whatever the packet size. */
    CHECK(2 * gdb_regs_total_size() + 64 < RSP_REPLY_MAX);
    CHECK(gdb_reg_info(GDB_REG_COUNT) == NULL);
    CHECK(gdb_feature_name(GDB_FEATURE_COUNT) == NULL);
    free(xml);
}

int main(void)
{
    UNIT_RUN(flag_bits_match_monitor_constants);
    UNIT_RUN(document_shape);
    return UNIT_EXIT_STATUS();
}
