/*
 * x86_decode.c: names for exception vectors, error codes and control-register bits.
 *
 * Everything here is table-driven from the Intel SDM (vol. 3: table 6-1 for the
 * vectors, 6.13 and 4.7 for error codes, 2.5 for CR0/CR4, 2.2.1 for EFER, vol. 1 3.4.3
 * for RFLAGS), so that the tables can be checked against the manual line by line.
 */
#include "x86_decode.h"

#include <inttypes.h>

#include "strbuf.h"

struct exception_desc {
    const char *mnemonic;
    const char *name;
    bool has_error_code;
};

/*
 * Names follow table 6-1, in sentence case so they read well inside a message
 * ("Page fault at ..."). Vector 9 was the 386's coprocessor segment overrun; later
 * CPUs never raise it, so it counts as reserved but keeps its historical name.
 */
static const struct exception_desc exceptions[32] = {
    [X86_EXC_DE] = {"#DE", "Divide error", false},
    [X86_EXC_DB] = {"#DB", "Debug exception", false},
    [X86_EXC_NMI] = {"NMI", "NMI interrupt", false},
    [X86_EXC_BP] = {"#BP", "Breakpoint", false},
    [X86_EXC_OF] = {"#OF", "Overflow", false},
    [X86_EXC_BR] = {"#BR", "BOUND range exceeded", false},
    [X86_EXC_UD] = {"#UD", "Invalid opcode", false},
    [X86_EXC_NM] = {"#NM", "Device not available", false},
    [X86_EXC_DF] = {"#DF", "Double fault", true},
    [9] = {NULL, "Coprocessor segment overrun (reserved)", false},
    [X86_EXC_TS] = {"#TS", "Invalid TSS", true},
    [X86_EXC_NP] = {"#NP", "Segment not present", true},
    [X86_EXC_SS] = {"#SS", "Stack-segment fault", true},
    [X86_EXC_GP] = {"#GP", "General protection fault", true},
    [X86_EXC_PF] = {"#PF", "Page fault", true},
    [X86_EXC_MF] = {"#MF", "x87 floating-point error", false},
    [X86_EXC_AC] = {"#AC", "Alignment check", true},
    [X86_EXC_MC] = {"#MC", "Machine check", false},
    [X86_EXC_XM] = {"#XM", "SIMD floating-point exception", false},
    [X86_EXC_VE] = {"#VE", "Virtualization exception", false},
    [X86_EXC_CP] = {"#CP", "Control protection exception", true},
};

const char *x86_exception_name(uint64_t vector)
{
    if (vector >= 32)
        return "Interrupt";
    return exceptions[vector].name ? exceptions[vector].name : "Reserved";
}

const char *x86_exception_mnemonic(uint64_t vector)
{
    if (vector >= 32 || !exceptions[vector].mnemonic)
        return "#??";
    return exceptions[vector].mnemonic;
}

bool x86_exception_has_error_code(uint64_t vector)
{
    return vector < 32 && exceptions[vector].has_error_code;
}

bool x86_is_canonical(uint64_t va)
{
    /* Bits 63:47 must all equal bit 47. */
    uint64_t top = va >> 47;
    return top == 0 || top == 0x1ffff;
}

/* SDM 4.7: the #PF error code says what the access was, not what the entry held. */
static void describe_page_fault(uint64_t ec, struct strbuf *sb)
{
    strbuf_printf(sb, "%s, %s, %s, %s",
                  (ec & X86_PF_P) ? "protection violation" : "not-present page",
                  (ec & X86_PF_W) ? "write" : "read", (ec & X86_PF_U) ? "user" : "supervisor",
                  (ec & X86_PF_I) ? "instruction fetch" : "data access");
    if (ec & X86_PF_RSVD)
        strbuf_printf(sb, ", reserved bit set in a paging entry");
    if (ec & X86_PF_PK)
        strbuf_printf(sb, ", protection key");
    if (ec & X86_PF_SS)
        strbuf_printf(sb, ", shadow stack");
    if (ec & X86_PF_SGX)
        strbuf_printf(sb, ", SGX");
}

/*
 * SDM 6.13: selector-style error codes carry EXT (bit 0: an event external to the
 * program caused it), IDT (bit 1: the index is an IDT vector), TI (bit 2: LDT rather
 * than GDT, meaningful only when IDT is 0) and the index in bits 15:3.
 */
static void describe_selector(uint64_t ec, struct strbuf *sb)
{
    if (ec == 0) {
        strbuf_printf(sb, "no selector");
        return;
    }
    unsigned index = (unsigned)((ec >> 3) & 0x1fff);
    strbuf_printf(sb, "selector 0x%" PRIx64, ec & 0xffff);
    if (ec & 2)
        strbuf_printf(sb, " (IDT vector %u)", index);
    else
        strbuf_printf(sb, " (%s index %u)", (ec & 4) ? "LDT" : "GDT", index);
    if (ec & 1)
        strbuf_printf(sb, ", external");
    if (ec >> 16)
        strbuf_printf(sb, ", reserved bits 0x%" PRIx64, (uint64_t)(ec & ~0xffffULL));
}

/* SDM 18.3 (CET): the #CP error code names the instruction that failed the check. */
static void describe_control_protection(uint64_t ec, struct strbuf *sb)
{
    static const char *const kinds[] = {
        [1] = "near ret", [2] = "far ret/iret", [3] = "missing endbranch",
        [4] = "rstorssp", [5] = "setssbsy",
    };
    uint64_t kind = ec & 0x7fff;
    if (kind < sizeof(kinds) / sizeof(kinds[0]) && kinds[kind])
        strbuf_printf(sb, "%s", kinds[kind]);
    else
        strbuf_printf(sb, "code %" PRIu64, kind);
    if (ec & 0x8000)
        strbuf_printf(sb, ", in an enclave");
}

char *x86_error_code_describe(uint64_t vector, uint64_t error_code, char *buf, size_t len)
{
    struct strbuf sb;
    strbuf_init(&sb, buf, len);
    switch (vector) {
    case X86_EXC_PF:
        describe_page_fault(error_code, &sb);
        break;
    case X86_EXC_TS:
    case X86_EXC_NP:
    case X86_EXC_SS:
    case X86_EXC_GP:
        describe_selector(error_code, &sb);
        break;
    case X86_EXC_CP:
        describe_control_protection(error_code, &sb);
        break;
    default:
        /* #DF and #AC always push 0; show the value in case something else did. */
        if (x86_exception_has_error_code(vector))
            strbuf_printf(&sb, "0x%" PRIx64, error_code);
        break;
    }
    return buf;
}

/*
 * A register's named bits. A multi-bit field (only RFLAGS.IOPL so far) is given by its
 * lowest bit, its width and its name; it prints as NAME=value when non-zero.
 */
struct bit_layout {
    const char *const *names; /* 64 entries, NULL for bits without a name */
    uint64_t quiet;           /* set bits never to print (fixed-one bits) */
    unsigned field_shift, field_width;
    const char *field_name; /* NULL when there is no field */
};

static char *describe_bits(uint64_t value, const struct bit_layout *layout, char *buf, size_t len)
{
    struct strbuf sb;
    strbuf_init(&sb, buf, len);
    for (int bit = 63; bit >= 0; bit--) {
        if (layout->field_name && (unsigned)bit == layout->field_shift + layout->field_width - 1) {
            uint64_t field = (value >> layout->field_shift) & ((1ULL << layout->field_width) - 1);
            if (field) {
                char word[32];
                snprintf(word, sizeof(word), "%s=%" PRIu64, layout->field_name, field);
                strbuf_word(&sb, word);
            }
            bit = (int)layout->field_shift; /* the loop's decrement steps past the field */
            continue;
        }
        uint64_t mask = 1ULL << bit;
        if (!(value & mask) || (layout->quiet & mask))
            continue;
        if (layout->names[bit]) {
            strbuf_word(&sb, layout->names[bit]);
        } else {
            char word[16];
            snprintf(word, sizeof(word), "bit%d", bit);
            strbuf_word(&sb, word);
        }
    }
    return buf;
}

static const char *const rflags_names[64] = {
    [X86_RFLAGS_CF_BIT] = "CF", [X86_RFLAGS_PF_BIT] = "PF",   [X86_RFLAGS_AF_BIT] = "AF",
    [X86_RFLAGS_ZF_BIT] = "ZF", [X86_RFLAGS_SF_BIT] = "SF",   [X86_RFLAGS_TF_BIT] = "TF",
    [X86_RFLAGS_IF_BIT] = "IF", [X86_RFLAGS_DF_BIT] = "DF",   [X86_RFLAGS_OF_BIT] = "OF",
    [X86_RFLAGS_NT_BIT] = "NT", [X86_RFLAGS_RF_BIT] = "RF",   [X86_RFLAGS_VM_BIT] = "VM",
    [X86_RFLAGS_AC_BIT] = "AC", [X86_RFLAGS_VIF_BIT] = "VIF", [X86_RFLAGS_VIP_BIT] = "VIP",
    [X86_RFLAGS_ID_BIT] = "ID",
};

char *x86_rflags_describe(uint64_t rflags, char *buf, size_t len)
{
    static const struct bit_layout layout = {
        .names = rflags_names,
        .quiet = X86_RFLAGS_FIXED,
        .field_shift = X86_RFLAGS_IOPL_SHIFT,
        .field_width = 2,
        .field_name = "IOPL",
    };
    return describe_bits(rflags, &layout, buf, len);
}

static const char *const cr0_names[64] = {
    [X86_CR0_PE_BIT] = "PE", [X86_CR0_MP_BIT] = "MP", [X86_CR0_EM_BIT] = "EM",
    [X86_CR0_TS_BIT] = "TS", [X86_CR0_ET_BIT] = "ET", [X86_CR0_NE_BIT] = "NE",
    [X86_CR0_WP_BIT] = "WP", [X86_CR0_AM_BIT] = "AM", [X86_CR0_NW_BIT] = "NW",
    [X86_CR0_CD_BIT] = "CD", [X86_CR0_PG_BIT] = "PG",
};

char *x86_cr0_describe(uint64_t cr0, char *buf, size_t len)
{
    static const struct bit_layout layout = {.names = cr0_names};
    return describe_bits(cr0, &layout, buf, len);
}

static const char *const cr4_names[64] = {
    [X86_CR4_VME_BIT] = "VME",
    [X86_CR4_PVI_BIT] = "PVI",
    [X86_CR4_TSD_BIT] = "TSD",
    [X86_CR4_DE_BIT] = "DE",
    [X86_CR4_PSE_BIT] = "PSE",
    [X86_CR4_PAE_BIT] = "PAE",
    [X86_CR4_MCE_BIT] = "MCE",
    [X86_CR4_PGE_BIT] = "PGE",
    [X86_CR4_PCE_BIT] = "PCE",
    [X86_CR4_OSFXSR_BIT] = "OSFXSR",
    [X86_CR4_OSXMMEXCPT_BIT] = "OSXMMEXCPT",
    [X86_CR4_UMIP_BIT] = "UMIP",
    [X86_CR4_LA57_BIT] = "LA57",
    [X86_CR4_VMXE_BIT] = "VMXE",
    [X86_CR4_SMXE_BIT] = "SMXE",
    [X86_CR4_FSGSBASE_BIT] = "FSGSBASE",
    [X86_CR4_PCIDE_BIT] = "PCIDE",
    [X86_CR4_OSXSAVE_BIT] = "OSXSAVE",
    [X86_CR4_SMEP_BIT] = "SMEP",
    [X86_CR4_SMAP_BIT] = "SMAP",
    [X86_CR4_PKE_BIT] = "PKE",
    [X86_CR4_CET_BIT] = "CET",
    [X86_CR4_PKS_BIT] = "PKS",
};

char *x86_cr4_describe(uint64_t cr4, char *buf, size_t len)
{
    static const struct bit_layout layout = {.names = cr4_names};
    return describe_bits(cr4, &layout, buf, len);
}

static const char *const efer_names[64] = {
    [X86_EFER_SCE_BIT] = "SCE",     [X86_EFER_LME_BIT] = "LME",   [X86_EFER_LMA_BIT] = "LMA",
    [X86_EFER_NXE_BIT] = "NXE",     [X86_EFER_SVME_BIT] = "SVME", [X86_EFER_LMSLE_BIT] = "LMSLE",
    [X86_EFER_FFXSR_BIT] = "FFXSR", [X86_EFER_TCE_BIT] = "TCE",
};

char *x86_efer_describe(uint64_t efer, char *buf, size_t len)
{
    static const struct bit_layout layout = {.names = efer_names};
    return describe_bits(efer, &layout, buf, len);
}
