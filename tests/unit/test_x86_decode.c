/*
 * test_x86_decode.c: exception names, error-code decodings and register flag names,
 * with every bit constant cross-checked against register values seen on real machines.
 */
#include "ukvm/inspect/x86_decode.h"
#include "unit.h"

UNIT_TEST(exception_names)
{
    CHECK(strcmp(x86_exception_name(X86_EXC_PF), "Page fault") == 0);
    CHECK(strcmp(x86_exception_mnemonic(X86_EXC_PF), "#PF") == 0);
    CHECK(strcmp(x86_exception_name(X86_EXC_DE), "Divide error") == 0);
    CHECK(strcmp(x86_exception_mnemonic(X86_EXC_GP), "#GP") == 0);
    CHECK_STR_CONTAINS(x86_exception_name(X86_EXC_GP), "General protection");
    CHECK(strcmp(x86_exception_mnemonic(X86_EXC_UD), "#UD") == 0);
    CHECK(strcmp(x86_exception_mnemonic(X86_EXC_DF), "#DF") == 0);
    CHECK(strcmp(x86_exception_mnemonic(X86_EXC_CP), "#CP") == 0);
    CHECK(strcmp(x86_exception_mnemonic(X86_EXC_NMI), "NMI") == 0);
    CHECK(strcmp(x86_exception_name(15), "Reserved") == 0);
    CHECK(strcmp(x86_exception_mnemonic(15), "#??") == 0);
    CHECK(strcmp(x86_exception_name(31), "Reserved") == 0);
    CHECK(strcmp(x86_exception_name(32), "Interrupt") == 0);
    CHECK(strcmp(x86_exception_mnemonic(255), "#??") == 0);
    CHECK(strcmp(x86_exception_name(UINT64_MAX), "Interrupt") == 0);
}

UNIT_TEST(exception_vectors_match_sdm)
{
    /* Table 6-1, by number, so a typo in a constant shows up here. */
    CHECK_EQ_U64(X86_EXC_DE, 0);
    CHECK_EQ_U64(X86_EXC_DB, 1);
    CHECK_EQ_U64(X86_EXC_BP, 3);
    CHECK_EQ_U64(X86_EXC_UD, 6);
    CHECK_EQ_U64(X86_EXC_DF, 8);
    CHECK_EQ_U64(X86_EXC_GP, 13);
    CHECK_EQ_U64(X86_EXC_PF, 14);
    CHECK_EQ_U64(X86_EXC_MF, 16);
    CHECK_EQ_U64(X86_EXC_XM, 19);
    CHECK_EQ_U64(X86_EXC_CP, 21);
    /* Exactly these push an error code. */
    uint32_t with_code = 0;
    for (uint64_t v = 0; v < 64; v++)
        if (x86_exception_has_error_code(v))
            with_code |= 1u << v;
    CHECK_EQ_U64(with_code, (1u << 8) | (1u << 10) | (1u << 11) | (1u << 12) | (1u << 13) |
                                (1u << 14) | (1u << 17) | (1u << 21));
    CHECK(!x86_exception_has_error_code(UINT64_MAX));
}

UNIT_TEST(page_fault_error_codes)
{
    char buf[160];
    CHECK(strcmp(x86_error_code_describe(X86_EXC_PF, 0x2, buf, sizeof(buf)),
                 "not-present page, write, supervisor, data access") == 0);
    CHECK(strcmp(x86_error_code_describe(X86_EXC_PF, 0x0, buf, sizeof(buf)),
                 "not-present page, read, supervisor, data access") == 0);
    x86_error_code_describe(X86_EXC_PF, X86_PF_P | X86_PF_I, buf, sizeof(buf));
    CHECK(strcmp(buf, "protection violation, read, supervisor, instruction fetch") == 0);
    x86_error_code_describe(X86_EXC_PF, X86_PF_P | X86_PF_W | X86_PF_U, buf, sizeof(buf));
    CHECK(strcmp(buf, "protection violation, write, user, data access") == 0);
    x86_error_code_describe(X86_EXC_PF, X86_PF_P | X86_PF_RSVD, buf, sizeof(buf));
    CHECK_STR_CONTAINS(buf, "reserved bit");
    x86_error_code_describe(X86_EXC_PF, X86_PF_P | X86_PF_PK, buf, sizeof(buf));
    CHECK_STR_CONTAINS(buf, "protection key");
    x86_error_code_describe(X86_EXC_PF, X86_PF_P | X86_PF_W | X86_PF_SS, buf, sizeof(buf));
    CHECK_STR_CONTAINS(buf, "shadow stack");
    /* The SDM bit positions (4.7, figure 4-12). */
    CHECK_EQ_U64(X86_PF_P | X86_PF_W | X86_PF_U | X86_PF_RSVD | X86_PF_I | X86_PF_PK | X86_PF_SS,
                 0x7f);
    CHECK_EQ_U64(X86_PF_SGX, 0x8000);
}

UNIT_TEST(selector_error_codes)
{
    char buf[128];
    CHECK(strcmp(x86_error_code_describe(X86_EXC_GP, 0, buf, sizeof(buf)), "no selector") == 0);
    CHECK(strcmp(x86_error_code_describe(X86_EXC_GP, 0x18, buf, sizeof(buf)),
                 "selector 0x18 (GDT index 3)") == 0);
    CHECK(strcmp(x86_error_code_describe(X86_EXC_NP, 0x19, buf, sizeof(buf)),
                 "selector 0x19 (GDT index 3), external") == 0);
    CHECK(strcmp(x86_error_code_describe(X86_EXC_TS, 0x1c, buf, sizeof(buf)),
                 "selector 0x1c (LDT index 3)") == 0);
    /* A #GP through IDT gate 13 (13 << 3 | IDT): the TI bit no longer matters. */
    CHECK(strcmp(x86_error_code_describe(X86_EXC_GP, (13 << 3) | 2 | 4, buf, sizeof(buf)),
                 "selector 0x6e (IDT vector 13)") == 0);
    CHECK(strcmp(x86_error_code_describe(X86_EXC_SS, (32 << 3) | 3, buf, sizeof(buf)),
                 "selector 0x103 (IDT vector 32), external") == 0);
    x86_error_code_describe(X86_EXC_GP, 0x10018, buf, sizeof(buf));
    CHECK_STR_CONTAINS(buf, "reserved bits 0x10000");
}

UNIT_TEST(other_error_codes)
{
    char buf[64];
    CHECK(strcmp(x86_error_code_describe(X86_EXC_DF, 0, buf, sizeof(buf)), "0x0") == 0);
    CHECK(strcmp(x86_error_code_describe(X86_EXC_AC, 0, buf, sizeof(buf)), "0x0") == 0);
    CHECK(strcmp(x86_error_code_describe(X86_EXC_CP, 3, buf, sizeof(buf)), "missing endbranch") ==
          0);
    CHECK(strcmp(x86_error_code_describe(X86_EXC_BP, 0x1234, buf, sizeof(buf)), "") == 0);
    CHECK(strcmp(x86_error_code_describe(200, 7, buf, sizeof(buf)), "") == 0);
}

UNIT_TEST(describe_truncates)
{
    char buf[8];
    memset(buf, 'x', sizeof(buf));
    x86_error_code_describe(X86_EXC_PF, 2, buf, sizeof(buf));
    CHECK(strcmp(buf, "not-pre") == 0);
    memset(buf, 'x', sizeof(buf));
    x86_cr0_describe(0x80050033, buf, sizeof(buf));
    CHECK(strcmp(buf, "PG AM W") == 0);
    char one[1] = {'x'};
    x86_rflags_describe(0x246, one, sizeof(one));
    CHECK(one[0] == '\0');
    char untouched = 'x';
    x86_efer_describe(0xd01, &untouched, 0);
    CHECK(untouched == 'x');
}

UNIT_TEST(rflags)
{
    char buf[128];
    CHECK(strcmp(x86_rflags_describe(0x246, buf, sizeof(buf)), "IF ZF PF") == 0);
    CHECK(strcmp(x86_rflags_describe(0x2, buf, sizeof(buf)), "") == 0);
    CHECK(strcmp(x86_rflags_describe(0x3202, buf, sizeof(buf)), "IOPL=3 IF") == 0);
    CHECK(strcmp(x86_rflags_describe(0x1202, buf, sizeof(buf)), "IOPL=1 IF") == 0);
    CHECK(strcmp(x86_rflags_describe(0x10302, buf, sizeof(buf)), "RF IF TF") == 0);
    CHECK(strcmp(x86_rflags_describe((1ULL << 40) | 0x1, buf, sizeof(buf)), "bit40 CF") == 0);
    CHECK(strcmp(x86_rflags_describe(0x3f7fd7, buf, sizeof(buf)),
                 "ID VIP VIF AC VM RF NT IOPL=3 OF DF IF TF SF ZF AF PF CF") == 0);
    /* Every defined flag: the architectural mask KVM and Linux use for RFLAGS. */
    CHECK_EQ_U64(X86_RFLAGS_CF | X86_RFLAGS_PF | X86_RFLAGS_AF | X86_RFLAGS_ZF | X86_RFLAGS_SF |
                     X86_RFLAGS_TF | X86_RFLAGS_IF | X86_RFLAGS_DF | X86_RFLAGS_OF |
                     X86_RFLAGS_IOPL | X86_RFLAGS_NT | X86_RFLAGS_RF | X86_RFLAGS_VM |
                     X86_RFLAGS_AC | X86_RFLAGS_VIF | X86_RFLAGS_VIP | X86_RFLAGS_ID,
                 0x3f7fd5);
    CHECK_EQ_U64(X86_RFLAGS_IF | X86_RFLAGS_ZF | X86_RFLAGS_PF | X86_RFLAGS_FIXED, 0x246);
    CHECK_EQ_U64(X86_RFLAGS_TF, 0x100);
}

UNIT_TEST(cr0)
{
    char buf[128];
    /* Linux x86-64's CR0 in every oops: PG AM WP NE ET MP PE. */
    CHECK(strcmp(x86_cr0_describe(0x80050033, buf, sizeof(buf)), "PG AM WP NE ET MP PE") == 0);
    CHECK_EQ_U64(X86_CR0_PG | X86_CR0_AM | X86_CR0_WP | X86_CR0_NE | X86_CR0_ET | X86_CR0_MP |
                     X86_CR0_PE,
                 0x80050033);
    /* The reset value: CD NW ET. */
    CHECK(strcmp(x86_cr0_describe(0x60000010, buf, sizeof(buf)), "CD NW ET") == 0);
    CHECK_EQ_U64(X86_CR0_CD | X86_CR0_NW | X86_CR0_ET, 0x60000010);
    CHECK_EQ_U64(X86_CR0_EM | X86_CR0_TS, 0xc);
    CHECK(strcmp(x86_cr0_describe(1ULL << 63, buf, sizeof(buf)), "bit63") == 0);
}

UNIT_TEST(cr4)
{
    char buf[160];
    /* A Linux guest's CR4 from a KVM oops. */
    CHECK(strcmp(x86_cr4_describe(0x3706e0, buf, sizeof(buf)),
                 "SMAP SMEP OSXSAVE PCIDE FSGSBASE OSXMMEXCPT OSFXSR PGE MCE PAE") == 0);
    CHECK_EQ_U64(X86_CR4_SMAP | X86_CR4_SMEP | X86_CR4_OSXSAVE | X86_CR4_PCIDE | X86_CR4_FSGSBASE |
                     X86_CR4_OSXMMEXCPT | X86_CR4_OSFXSR | X86_CR4_PGE | X86_CR4_MCE | X86_CR4_PAE,
                 0x3706e0);
    CHECK_EQ_U64(X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | X86_CR4_DE | X86_CR4_PSE, 0x1f);
    CHECK_EQ_U64(X86_CR4_PCE | X86_CR4_UMIP | X86_CR4_LA57 | X86_CR4_VMXE | X86_CR4_SMXE, 0x7900);
    CHECK_EQ_U64(X86_CR4_PKE | X86_CR4_CET | X86_CR4_PKS, 0x1c00000);
    /* Bit 19 (key locker) has no name here. */
    CHECK(strcmp(x86_cr4_describe((1ULL << 19) | X86_CR4_PAE, buf, sizeof(buf)), "bit19 PAE") == 0);
}

UNIT_TEST(efer)
{
    char buf[64];
    /* Linux with syscall and NX; ukvm's long mode without them. */
    CHECK(strcmp(x86_efer_describe(0xd01, buf, sizeof(buf)), "NXE LMA LME SCE") == 0);
    CHECK_EQ_U64(X86_EFER_NXE | X86_EFER_LMA | X86_EFER_LME | X86_EFER_SCE, 0xd01);
    CHECK(strcmp(x86_efer_describe(0x500, buf, sizeof(buf)), "LMA LME") == 0);
    CHECK_EQ_U64(X86_EFER_LMA | X86_EFER_LME, 0x500);
    CHECK_EQ_U64(X86_EFER_SVME | X86_EFER_LMSLE | X86_EFER_FFXSR | X86_EFER_TCE, 0xf000);
    CHECK(strcmp(x86_efer_describe(0, buf, sizeof(buf)), "") == 0);
}

UNIT_TEST(bit_constants_are_masks)
{
    /* NAME == 1 << NAME_BIT for every single-bit constant. */
#define BIT_OK(name) CHECK_EQ_U64(name, 1ULL << name##_BIT)
    BIT_OK(X86_RFLAGS_CF);
    BIT_OK(X86_RFLAGS_IF);
    BIT_OK(X86_RFLAGS_ID);
    BIT_OK(X86_CR0_PE);
    BIT_OK(X86_CR0_WP);
    BIT_OK(X86_CR0_PG);
    BIT_OK(X86_CR4_PAE);
    BIT_OK(X86_CR4_OSFXSR);
    BIT_OK(X86_CR4_PKS);
    BIT_OK(X86_EFER_LME);
    BIT_OK(X86_EFER_NXE);
#undef BIT_OK
}

int main(void)
{
    UNIT_RUN(exception_names);
    UNIT_RUN(exception_vectors_match_sdm);
    UNIT_RUN(page_fault_error_codes);
    UNIT_RUN(selector_error_codes);
    UNIT_RUN(other_error_codes);
    UNIT_RUN(describe_truncates);
    UNIT_RUN(rflags);
    UNIT_RUN(cr0);
    UNIT_RUN(cr4);
    UNIT_RUN(efer);
    UNIT_RUN(bit_constants_are_masks);
    return UNIT_EXIT_STATUS();
}
