/*
 * test_descriptors.c: segment and gate descriptors, selectors and DR6/DR7
 * (ukvm/inspect/descriptors.h), on the values ukvm's GDT and the kernel's IDT hold and
 * on hand-built ones.
 */
#include "ukvm/inspect/descriptors.h"
#include "unit.h"

UNIT_TEST(code_and_data)
{
    struct vcpu_segment s;
    char buf[160];
    /* ukvm's 64-bit code segment (boot_setup.c). */
    CHECK(!descriptor_decode(0x00af9b000000ffffULL, 0, 0x08, &s));
    CHECK_EQ_U64(s.base, 0);
    CHECK_EQ_U64(s.limit, 0xffffffff);
    CHECK(s.type == 0xb && s.s == 1 && s.dpl == 0 && s.present && s.l && !s.db && s.g);
    CHECK(s.selector == 0x08);
    descriptor_describe(&s, buf, sizeof(buf));
    CHECK_STR_CONTAINS(buf, "base 0x0000000000000000  limit 0xffffffff  type 0xb code r-x A");
    CHECK_STR_CONTAINS(buf, "dpl 0 P L G");
    /* Its data segment. */
    CHECK(!descriptor_decode(0x00cf93000000ffffULL, 0, 0x10, &s));
    CHECK(s.type == 0x3 && s.db && !s.l && s.g);
    CHECK_STR_CONTAINS(descriptor_describe(&s, buf, sizeof(buf)), "data rw- A     dpl 0 P DB G");
    /* DPL 3, byte granularity, a base in all three fields, not present. */
    CHECK(!descriptor_decode(0x12407a345678abcdULL, 0, 0x1b, &s));
    CHECK_EQ_U64(s.base, 0x12345678);
    CHECK_EQ_U64(s.limit, 0x0abcd);
    CHECK(s.dpl == 3 && !s.present && !s.g && s.type == 0xa);
    CHECK_STR_CONTAINS(descriptor_describe(&s, buf, sizeof(buf)),
                       "code r-x       dpl 3 not-present");
}

UNIT_TEST(system_descriptors)
{
    struct vcpu_segment s;
    char buf[160];
    /* ukvm's TSS at 0x2000: 16 bytes, upper base in the second half. */
    CHECK(descriptor_decode(0x00008b0020000067ULL, 0, 0x18, &s));
    CHECK_EQ_U64(s.base, 0x2000);
    CHECK_EQ_U64(s.limit, 0x67);
    CHECK(s.s == 0 && s.type == 0xb);
    CHECK_STR_CONTAINS(descriptor_describe(&s, buf, sizeof(buf)), "TSS busy");
    CHECK(descriptor_decode(0x00008b0020000067ULL, 0x12345678ULL, 0x18, &s));
    CHECK_EQ_U64(s.base, 0x1234567800002000ULL);
    /* An empty slot is not a 16-byte descriptor. */
    CHECK(!descriptor_decode(0, 0, 0, &s));
    CHECK_STR_CONTAINS(descriptor_type_name(false, 2, buf, sizeof(buf)), "LDT");
    CHECK_STR_CONTAINS(descriptor_type_name(false, 14, buf, sizeof(buf)), "int gate");
    CHECK_STR_CONTAINS(descriptor_type_name(false, 5, buf, sizeof(buf)), "system ?");
    CHECK_STR_CONTAINS(descriptor_type_name(true, 6, buf, sizeof(buf)), "data rw- E");
}

UNIT_TEST(selectors)
{
    char buf[64];
    CHECK(strcmp(selector_describe(0x1b, buf, sizeof(buf)), "index 3, GDT, rpl 3") == 0);
    CHECK(strcmp(selector_describe(0x0c, buf, sizeof(buf)), "index 1, LDT, rpl 0") == 0);
    CHECK(strcmp(selector_describe(0, buf, sizeof(buf)), "index 0, GDT, rpl 0") == 0);
}

UNIT_TEST(gates)
{
    /* offset 0x123456789abcdef0, selector 0x08, IST 3, 64-bit interrupt gate, DPL 3, P. */
    const uint8_t raw[16] = {0xf0, 0xde, 0x08, 0x00, 0x03, 0xee, 0xbc, 0x9a,
                             0x78, 0x56, 0x34, 0x12, 0x00, 0x00, 0x00, 0x00};
    struct x86_gate g;
    gate_decode(raw, &g);
    CHECK_EQ_U64(g.offset, 0x123456789abcdef0ULL);
    CHECK(g.selector == 0x08 && g.ist == 3 && g.type == GATE_TYPE_INTR64 && g.dpl == 3);
    CHECK(g.present);
    const uint8_t absent[16] = {0};
    gate_decode(absent, &g);
    CHECK(!g.present && g.offset == 0);
}

UNIT_TEST(debug_registers)
{
    char buf[160];
    CHECK(strcmp(dr7_describe(0x400, buf, sizeof(buf)), "none") == 0);
    /* L0 write len 4 (RW=01, LEN=11); G1 exec len 1; GE. */
    uint64_t dr7 = 1 | (1ULL << 16) | (3ULL << 18) | (1ULL << 3) | (1ULL << 9);
    CHECK(strcmp(dr7_describe(dr7, buf, sizeof(buf)), "L0 write len4, G1 exec len1, GE") == 0);
    /* L3 rw len 8 (RW=11, LEN=10). */
    CHECK(strcmp(dr7_describe((1ULL << 6) | (3ULL << 28) | (2ULL << 30), buf, sizeof(buf)),
                 "L3 rw len8") == 0);
    CHECK(strcmp(dr6_describe(0xffff0ff0, buf, sizeof(buf)), "none") == 0);
    CHECK(strcmp(dr6_describe(0xffff4ff1, buf, sizeof(buf)), "B0 BS") == 0);
    CHECK(strcmp(dr6_describe(0xffff2ffa, buf, sizeof(buf)), "B1 B3 BD") == 0);
}

int main(void)
{
    UNIT_RUN(code_and_data);
    UNIT_RUN(system_descriptors);
    UNIT_RUN(selectors);
    UNIT_RUN(gates);
    UNIT_RUN(debug_registers);
    return UNIT_EXIT_STATUS();
}
