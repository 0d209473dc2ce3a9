/*
 * descriptors.c: segment and gate descriptors, selectors, DR6/DR7 (see descriptors.h).
 */
#include "descriptors.h"

#include <inttypes.h>
#include <string.h>

#include "strbuf.h"

/* DR6 (SDM 17.2.3) and DR7 (17.2.4) fields. */
#define DR6_BD_BIT       13 /* debug-register access detected */
#define DR6_BS_BIT       14 /* single step */
#define DR6_BT_BIT       15 /* task switch */
#define DR7_LE_BIT       8  /* local exact breakpoints */
#define DR7_GE_BIT       9  /* global exact breakpoints */
#define DR7_GD_BIT       13 /* general detect */
#define DR7_RW_SHIFT(n)  (16 + 4 * (n))
#define DR7_LEN_SHIFT(n) (18 + 4 * (n))

static unsigned bit(uint64_t v, unsigned n)
{
    return (unsigned)((v >> n) & 1);
}

bool descriptor_decode(uint64_t lo, uint64_t hi, uint16_t selector, struct vcpu_segment *seg)
{
    memset(seg, 0, sizeof(*seg));
    seg->selector = selector;
    seg->base = ((lo >> 16) & 0xffffff) | (((lo >> 56) & 0xff) << 24);
    uint32_t limit = (uint32_t)((lo & 0xffff) | (((lo >> 48) & 0xf) << 16));
    seg->type = (uint8_t)((lo >> DESC_TYPE_SHIFT) & 0xf);
    seg->s = (uint8_t)bit(lo, DESC_S_BIT);
    seg->dpl = (uint8_t)((lo >> DESC_DPL_SHIFT) & 3);
    seg->present = (uint8_t)bit(lo, DESC_P_BIT);
    seg->avl = (uint8_t)bit(lo, DESC_AVL_BIT);
    seg->l = (uint8_t)bit(lo, DESC_L_BIT);
    seg->db = (uint8_t)bit(lo, DESC_DB_BIT);
    seg->g = (uint8_t)bit(lo, DESC_G_BIT);
    /* With G the limit counts 4 KiB units: the byte limit has the low 12 bits set. */
    seg->limit = seg->g ? (limit << 12) | 0xfff : limit;
    /* In long mode every system descriptor but the (unused) call gates is 16 bytes. */
    bool wide = !seg->s && seg->type != 0;
    if (wide)
        seg->base |= (hi & 0xffffffffULL) << 32;
    return wide;
}

char *descriptor_type_name(bool s, unsigned type, char *buf, size_t len)
{
    unsigned t = type & 0xf;
    if (s) {
        if (t & 8) /* code: bit 1 readable, bit 2 conforming */
            snprintf(buf, len, "code %s%s%s", (t & 2) ? "r-x" : "--x", (t & 4) ? " C" : "",
                     (t & 1) ? " A" : "");
        else /* data: bit 1 writable, bit 2 expand-down */
            snprintf(buf, len, "data %s%s%s", (t & 2) ? "rw-" : "r--", (t & 4) ? " E" : "",
                     (t & 1) ? " A" : "");
        return buf;
    }
    static const char *const system_types[16] = {
        [1] = "TSS16 avail", [2] = "LDT",        [3] = "TSS16 busy", [9] = "TSS avail",
        [11] = "TSS busy",   [12] = "call gate", [14] = "int gate",  [15] = "trap gate",
    };
    snprintf(buf, len, "%s", system_types[t] ? system_types[t] : "system ?");
    return buf;
}

char *descriptor_describe(const struct vcpu_segment *seg, char *buf, size_t len)
{
    char type[24];
    descriptor_type_name(seg->s, seg->type, type, sizeof(type));
    snprintf(buf, len,
             "base 0x%016" PRIx64 "  limit 0x%08" PRIx32 "  type 0x%x %-14s dpl %u%s%s%s%s%s",
             seg->base, seg->limit, seg->type & 0xf, type, seg->dpl & 3,
             seg->present ? " P" : " not-present", seg->db ? " DB" : "", seg->l ? " L" : "",
             seg->g ? " G" : "", seg->avl ? " AVL" : "");
    return buf;
}

char *selector_describe(uint16_t selector, char *buf, size_t len)
{
    snprintf(buf, len, "index %u, %s, rpl %u", selector >> 3, (selector & 4) ? "LDT" : "GDT",
             selector & 3);
    return buf;
}

void gate_decode(const uint8_t raw[16], struct x86_gate *gate)
{
    uint64_t lo, hi;
    memcpy(&lo, raw, 8);
    memcpy(&hi, raw + 8, 8);
    gate->offset = (lo & 0xffff) | (((lo >> 48) & 0xffff) << 16) | ((hi & 0xffffffffULL) << 32);
    gate->selector = (uint16_t)(lo >> 16);
    gate->ist = (uint8_t)((lo >> 32) & 7);
    gate->type = (uint8_t)((lo >> DESC_TYPE_SHIFT) & 0xf);
    gate->dpl = (uint8_t)((lo >> DESC_DPL_SHIFT) & 3);
    gate->present = bit(lo, DESC_P_BIT);
}

char *dr7_describe(uint64_t dr7, char *buf, size_t len)
{
    static const char *const conditions[4] = {"exec", "write", "io", "rw"};
    static const unsigned lengths[4] = {1, 2, 8, 4};
    struct strbuf sb;
    strbuf_init(&sb, buf, len);
    for (unsigned n = 0; n < 4; n++) {
        bool local = bit(dr7, 2 * n), global = bit(dr7, 2 * n + 1);
        if (!local && !global)
            continue;
        strbuf_printf(&sb, "%s%s%u %s len%u", sb.pos ? ", " : "", local ? "L" : "G", n,
                      conditions[(dr7 >> DR7_RW_SHIFT(n)) & 3],
                      lengths[(dr7 >> DR7_LEN_SHIFT(n)) & 3]);
    }
    if (bit(dr7, DR7_LE_BIT))
        strbuf_printf(&sb, "%sLE", sb.pos ? ", " : "");
    if (bit(dr7, DR7_GE_BIT))
        strbuf_printf(&sb, "%sGE", sb.pos ? ", " : "");
    if (bit(dr7, DR7_GD_BIT))
        strbuf_printf(&sb, "%sGD", sb.pos ? ", " : "");
    if (sb.pos == 0)
        strbuf_printf(&sb, "none");
    return buf;
}

char *dr6_describe(uint64_t dr6, char *buf, size_t len)
{
    struct strbuf sb;
    strbuf_init(&sb, buf, len);
    for (unsigned n = 0; n < 4; n++)
        if (bit(dr6, n))
            strbuf_printf(&sb, "%sB%u", sb.pos ? " " : "", n);
    if (bit(dr6, DR6_BD_BIT))
        strbuf_word(&sb, "BD");
    if (bit(dr6, DR6_BS_BIT))
        strbuf_word(&sb, "BS");
    if (bit(dr6, DR6_BT_BIT))
        strbuf_word(&sb, "BT");
    if (sb.pos == 0)
        strbuf_printf(&sb, "none");
    return buf;
}
