/*
 * gdb_regs.c: the register table behind gdb_reg_size(), gdb_reg_name(), the 'g' packet
 * and target.xml.
 *
 * Names, sizes and types of the core, sse and segments features are the ones gdb's own
 * amd64 descriptions use, because gdb's amd64 support looks registers up by those names
 * (that is what makes `p $fs_base` and `info registers rip` work). The system feature is
 * ukvm's own; its registers are asked for the "system" group, but gdb 13's x86 code
 * lists every register of an unknown feature under "general", so plain `info registers`
 * shows cr0-efer too (handy when debugging a kernel).
 */
#include "gdb_regs.h"

#define GPR(n)                                 \
    {                                          \
        n, 64, "int64", NULL, GDB_FEATURE_CORE \
    }
#define SEL(n)                                 \
    {                                          \
        n, 32, "int32", NULL, GDB_FEATURE_CORE \
    }
#define ST(n)                                     \
    {                                             \
        n, 80, "i387_ext", NULL, GDB_FEATURE_CORE \
    }
#define FPCTL(n)                                \
    {                                           \
        n, 32, "int", "float", GDB_FEATURE_CORE \
    }
#define XMM(n)                                  \
    {                                           \
        n, 128, "vec128", NULL, GDB_FEATURE_SSE \
    }
#define SYS(n, type)                           \
    {                                          \
        n, 64, type, "system", GDB_FEATURE_SYS \
    }

/* Indexed by enum gdb_regno, so a row can only sit at its own register number. */
static const struct gdb_reg_info regs[GDB_REG_COUNT] = {
    [GDB_REG_RAX] = GPR("rax"),
    [GDB_REG_RBX] = GPR("rbx"),
    [GDB_REG_RCX] = GPR("rcx"),
    [GDB_REG_RDX] = GPR("rdx"),
    [GDB_REG_RSI] = GPR("rsi"),
    [GDB_REG_RDI] = GPR("rdi"),
    [GDB_REG_RBP] = {"rbp", 64, "data_ptr", NULL, GDB_FEATURE_CORE},
    [GDB_REG_RSP] = {"rsp", 64, "data_ptr", NULL, GDB_FEATURE_CORE},
    [GDB_REG_R8] = GPR("r8"),
    [GDB_REG_R9] = GPR("r9"),
    [GDB_REG_R10] = GPR("r10"),
    [GDB_REG_R11] = GPR("r11"),
    [GDB_REG_R12] = GPR("r12"),
    [GDB_REG_R13] = GPR("r13"),
    [GDB_REG_R14] = GPR("r14"),
    [GDB_REG_R15] = GPR("r15"),
    [GDB_REG_RIP] = {"rip", 64, "code_ptr", NULL, GDB_FEATURE_CORE},
    [GDB_REG_EFLAGS] = {"eflags", 32, "i386_eflags", NULL, GDB_FEATURE_CORE},
    [GDB_REG_CS] = SEL("cs"),
    [GDB_REG_SS] = SEL("ss"),
    [GDB_REG_DS] = SEL("ds"),
    [GDB_REG_ES] = SEL("es"),
    [GDB_REG_FS] = SEL("fs"),
    [GDB_REG_GS] = SEL("gs"),
    [GDB_REG_ST0 + 0] = ST("st0"),
    [GDB_REG_ST0 + 1] = ST("st1"),
    [GDB_REG_ST0 + 2] = ST("st2"),
    [GDB_REG_ST0 + 3] = ST("st3"),
    [GDB_REG_ST0 + 4] = ST("st4"),
    [GDB_REG_ST0 + 5] = ST("st5"),
    [GDB_REG_ST0 + 6] = ST("st6"),
    [GDB_REG_ST0 + 7] = ST("st7"),
    [GDB_REG_FCTRL] = FPCTL("fctrl"),
    [GDB_REG_FSTAT] = FPCTL("fstat"),
    [GDB_REG_FTAG] = FPCTL("ftag"),
    [GDB_REG_FISEG] = FPCTL("fiseg"),
    [GDB_REG_FIOFF] = FPCTL("fioff"),
    [GDB_REG_FOSEG] = FPCTL("foseg"),
    [GDB_REG_FOOFF] = FPCTL("fooff"),
    [GDB_REG_FOP] = FPCTL("fop"),
    [GDB_REG_XMM0 + 0] = XMM("xmm0"),
    [GDB_REG_XMM0 + 1] = XMM("xmm1"),
    [GDB_REG_XMM0 + 2] = XMM("xmm2"),
    [GDB_REG_XMM0 + 3] = XMM("xmm3"),
    [GDB_REG_XMM0 + 4] = XMM("xmm4"),
    [GDB_REG_XMM0 + 5] = XMM("xmm5"),
    [GDB_REG_XMM0 + 6] = XMM("xmm6"),
    [GDB_REG_XMM0 + 7] = XMM("xmm7"),
    [GDB_REG_XMM0 + 8] = XMM("xmm8"),
    [GDB_REG_XMM0 + 9] = XMM("xmm9"),
    [GDB_REG_XMM0 + 10] = XMM("xmm10"),
    [GDB_REG_XMM0 + 11] = XMM("xmm11"),
    [GDB_REG_XMM0 + 12] = XMM("xmm12"),
    [GDB_REG_XMM0 + 13] = XMM("xmm13"),
    [GDB_REG_XMM0 + 14] = XMM("xmm14"),
    [GDB_REG_XMM0 + 15] = XMM("xmm15"),
    [GDB_REG_MXCSR] = {"mxcsr", 32, "i386_mxcsr", "vector", GDB_FEATURE_SSE},
    [GDB_REG_FS_BASE] = {"fs_base", 64, "int", NULL, GDB_FEATURE_SEGMENTS},
    [GDB_REG_GS_BASE] = {"gs_base", 64, "int", NULL, GDB_FEATURE_SEGMENTS},
    [GDB_REG_CR0] = SYS("cr0", "ukvm_cr0"),
    [GDB_REG_CR2] = SYS("cr2", "data_ptr"),
    [GDB_REG_CR3] = SYS("cr3", "uint64"),
    [GDB_REG_CR4] = SYS("cr4", "ukvm_cr4"),
    [GDB_REG_CR8] = SYS("cr8", "uint64"),
    [GDB_REG_EFER] = SYS("efer", "ukvm_efer"),
};

static const char *const feature_names[GDB_FEATURE_COUNT] = {
    [GDB_FEATURE_CORE] = "org.gnu.gdb.i386.core",
    [GDB_FEATURE_SSE] = "org.gnu.gdb.i386.sse",
    [GDB_FEATURE_SEGMENTS] = "org.gnu.gdb.i386.segments",
    [GDB_FEATURE_SYS] = "org.ukvm.gdb.x86.sys",
};

const struct gdb_reg_info *gdb_reg_info(unsigned regno)
{
    return regno < GDB_REG_COUNT ? &regs[regno] : NULL;
}

const char *gdb_feature_name(enum gdb_feature feature)
{
    return (unsigned)feature < GDB_FEATURE_COUNT ? feature_names[feature] : NULL;
}

size_t gdb_reg_size(unsigned regno)
{
    return regno < GDB_REG_COUNT ? regs[regno].bitsize / 8 : 0;
}

const char *gdb_reg_name(unsigned regno)
{
    return regno < GDB_REG_COUNT ? regs[regno].name : NULL;
}

size_t gdb_regs_total_size(void)
{
    size_t total = 0;
    for (unsigned i = 0; i < GDB_REG_COUNT; i++)
        total += gdb_reg_size(i);
    return total;
}
