/*
 * x86_decode.h: names and decodings of x86-64 architectural state: exception vectors,
 * exception error codes, and the flag bits of RFLAGS, CR0, CR4 and EFER.
 *
 * Pure functions on integers; used by crash reports, gdb `monitor` commands and the
 * shell alike.
 */
#ifndef UKVM_X86_DECODE_H
#define UKVM_X86_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exception vectors (Intel SDM vol. 3, table 6-1). */
#define X86_EXC_DE  0 /* divide error */
#define X86_EXC_DB  1 /* debug */
#define X86_EXC_NMI 2
#define X86_EXC_BP  3 /* breakpoint (int3) */
#define X86_EXC_OF  4
#define X86_EXC_BR  5
#define X86_EXC_UD  6 /* invalid opcode */
#define X86_EXC_NM  7
#define X86_EXC_DF  8 /* double fault */
#define X86_EXC_TS  10
#define X86_EXC_NP  11
#define X86_EXC_SS  12
#define X86_EXC_GP  13 /* general protection */
#define X86_EXC_PF  14 /* page fault */
#define X86_EXC_MF  16
#define X86_EXC_AC  17
#define X86_EXC_MC  18
#define X86_EXC_XM  19
#define X86_EXC_VE  20
#define X86_EXC_CP  21

/* Page-fault error code bits (SDM 4.7). */
#define X86_PF_P    (1u << 0)  /* 0: not-present page; 1: protection violation */
#define X86_PF_W    (1u << 1)  /* access was a write */
#define X86_PF_U    (1u << 2)  /* access from CPL 3 */
#define X86_PF_RSVD (1u << 3)  /* reserved bit set in a paging entry */
#define X86_PF_I    (1u << 4)  /* instruction fetch */
#define X86_PF_PK   (1u << 5)  /* protection key */
#define X86_PF_SS   (1u << 6)  /* shadow stack */
#define X86_PF_SGX  (1u << 15) /* SGX access-control violation */

/*
 * Register bits, as NAME_BIT (the bit number) plus NAME (the mask). The unit test
 * cross-checks them against register values known from real machines.
 */
#define X86_RFLAGS_CF_BIT     0 /* carry */
#define X86_RFLAGS_CF         (1ULL << X86_RFLAGS_CF_BIT)
#define X86_RFLAGS_FIXED_BIT  1 /* reserved, always reads as 1 */
#define X86_RFLAGS_FIXED      (1ULL << X86_RFLAGS_FIXED_BIT)
#define X86_RFLAGS_PF_BIT     2 /* parity */
#define X86_RFLAGS_PF         (1ULL << X86_RFLAGS_PF_BIT)
#define X86_RFLAGS_AF_BIT     4 /* auxiliary carry */
#define X86_RFLAGS_AF         (1ULL << X86_RFLAGS_AF_BIT)
#define X86_RFLAGS_ZF_BIT     6 /* zero */
#define X86_RFLAGS_ZF         (1ULL << X86_RFLAGS_ZF_BIT)
#define X86_RFLAGS_SF_BIT     7 /* sign */
#define X86_RFLAGS_SF         (1ULL << X86_RFLAGS_SF_BIT)
#define X86_RFLAGS_TF_BIT     8 /* trap: single step */
#define X86_RFLAGS_TF         (1ULL << X86_RFLAGS_TF_BIT)
#define X86_RFLAGS_IF_BIT     9 /* interrupts enabled */
#define X86_RFLAGS_IF         (1ULL << X86_RFLAGS_IF_BIT)
#define X86_RFLAGS_DF_BIT     10 /* direction */
#define X86_RFLAGS_DF         (1ULL << X86_RFLAGS_DF_BIT)
#define X86_RFLAGS_OF_BIT     11 /* overflow */
#define X86_RFLAGS_OF         (1ULL << X86_RFLAGS_OF_BIT)
#define X86_RFLAGS_IOPL_SHIFT 12 /* I/O privilege level, 2 bits */
#define X86_RFLAGS_IOPL       (3ULL << X86_RFLAGS_IOPL_SHIFT)
#define X86_RFLAGS_NT_BIT     14 /* nested task */
#define X86_RFLAGS_NT         (1ULL << X86_RFLAGS_NT_BIT)
#define X86_RFLAGS_RF_BIT     16 /* resume: suppress instruction breakpoints once */
#define X86_RFLAGS_RF         (1ULL << X86_RFLAGS_RF_BIT)
#define X86_RFLAGS_VM_BIT     17 /* virtual-8086 mode */
#define X86_RFLAGS_VM         (1ULL << X86_RFLAGS_VM_BIT)
#define X86_RFLAGS_AC_BIT     18 /* alignment check / SMAP access */
#define X86_RFLAGS_AC         (1ULL << X86_RFLAGS_AC_BIT)
#define X86_RFLAGS_VIF_BIT    19 /* virtual interrupt */
#define X86_RFLAGS_VIF        (1ULL << X86_RFLAGS_VIF_BIT)
#define X86_RFLAGS_VIP_BIT    20 /* virtual interrupt pending */
#define X86_RFLAGS_VIP        (1ULL << X86_RFLAGS_VIP_BIT)
#define X86_RFLAGS_ID_BIT     21 /* CPUID available */
#define X86_RFLAGS_ID         (1ULL << X86_RFLAGS_ID_BIT)

/*
 * What a #DB that reaches a report (crash report, debugger fault stop) is: a debugger's own
 * steps and breakpoints never get there.
 */
#define X86_DB_FOREIGN                                                                        \
    "a debug exception not caused by the debugger: the guest's own int1/icebp, trap flag or " \
    "debug registers"

#define X86_CR0_PE_BIT 0 /* protection enable */
#define X86_CR0_PE     (1ULL << X86_CR0_PE_BIT)
#define X86_CR0_MP_BIT 1 /* monitor coprocessor */
#define X86_CR0_MP     (1ULL << X86_CR0_MP_BIT)
#define X86_CR0_EM_BIT 2 /* x87 emulation */
#define X86_CR0_EM     (1ULL << X86_CR0_EM_BIT)
#define X86_CR0_TS_BIT 3 /* task switched */
#define X86_CR0_TS     (1ULL << X86_CR0_TS_BIT)
#define X86_CR0_ET_BIT 4 /* extension type, hard-wired to 1 */
#define X86_CR0_ET     (1ULL << X86_CR0_ET_BIT)
#define X86_CR0_NE_BIT 5 /* native x87 error reporting */
#define X86_CR0_NE     (1ULL << X86_CR0_NE_BIT)
#define X86_CR0_WP_BIT 16 /* supervisor writes honour read-only pages */
#define X86_CR0_WP     (1ULL << X86_CR0_WP_BIT)
#define X86_CR0_AM_BIT 18 /* alignment mask */
#define X86_CR0_AM     (1ULL << X86_CR0_AM_BIT)
#define X86_CR0_NW_BIT 29 /* not write-through */
#define X86_CR0_NW     (1ULL << X86_CR0_NW_BIT)
#define X86_CR0_CD_BIT 30 /* cache disable */
#define X86_CR0_CD     (1ULL << X86_CR0_CD_BIT)
#define X86_CR0_PG_BIT 31 /* paging */
#define X86_CR0_PG     (1ULL << X86_CR0_PG_BIT)

#define X86_CR4_VME_BIT        0 /* virtual-8086 mode extensions */
#define X86_CR4_VME            (1ULL << X86_CR4_VME_BIT)
#define X86_CR4_PVI_BIT        1 /* protected-mode virtual interrupts */
#define X86_CR4_PVI            (1ULL << X86_CR4_PVI_BIT)
#define X86_CR4_TSD_BIT        2 /* rdtsc only at CPL 0 */
#define X86_CR4_TSD            (1ULL << X86_CR4_TSD_BIT)
#define X86_CR4_DE_BIT         3 /* debugging extensions */
#define X86_CR4_DE             (1ULL << X86_CR4_DE_BIT)
#define X86_CR4_PSE_BIT        4 /* 4 MiB pages in 32-bit paging */
#define X86_CR4_PSE            (1ULL << X86_CR4_PSE_BIT)
#define X86_CR4_PAE_BIT        5 /* physical address extension, required for long mode */
#define X86_CR4_PAE            (1ULL << X86_CR4_PAE_BIT)
#define X86_CR4_MCE_BIT        6 /* machine-check enable */
#define X86_CR4_MCE            (1ULL << X86_CR4_MCE_BIT)
#define X86_CR4_PGE_BIT        7 /* global pages */
#define X86_CR4_PGE            (1ULL << X86_CR4_PGE_BIT)
#define X86_CR4_PCE_BIT        8 /* rdpmc at any CPL */
#define X86_CR4_PCE            (1ULL << X86_CR4_PCE_BIT)
#define X86_CR4_OSFXSR_BIT     9 /* fxsave/fxrstor and SSE */
#define X86_CR4_OSFXSR         (1ULL << X86_CR4_OSFXSR_BIT)
#define X86_CR4_OSXMMEXCPT_BIT 10 /* unmasked SSE exceptions raise #XM */
#define X86_CR4_OSXMMEXCPT     (1ULL << X86_CR4_OSXMMEXCPT_BIT)
#define X86_CR4_UMIP_BIT       11 /* sgdt/sidt/... only at CPL 0 */
#define X86_CR4_UMIP           (1ULL << X86_CR4_UMIP_BIT)
#define X86_CR4_LA57_BIT       12 /* 5-level paging */
#define X86_CR4_LA57           (1ULL << X86_CR4_LA57_BIT)
#define X86_CR4_VMXE_BIT       13
#define X86_CR4_VMXE           (1ULL << X86_CR4_VMXE_BIT)
#define X86_CR4_SMXE_BIT       14
#define X86_CR4_SMXE           (1ULL << X86_CR4_SMXE_BIT)
#define X86_CR4_FSGSBASE_BIT   16 /* rdfsbase and friends */
#define X86_CR4_FSGSBASE       (1ULL << X86_CR4_FSGSBASE_BIT)
#define X86_CR4_PCIDE_BIT      17 /* process-context identifiers */
#define X86_CR4_PCIDE          (1ULL << X86_CR4_PCIDE_BIT)
#define X86_CR4_OSXSAVE_BIT    18 /* xsave and XCR0 */
#define X86_CR4_OSXSAVE        (1ULL << X86_CR4_OSXSAVE_BIT)
#define X86_CR4_SMEP_BIT       20 /* no supervisor execution of user pages */
#define X86_CR4_SMEP           (1ULL << X86_CR4_SMEP_BIT)
#define X86_CR4_SMAP_BIT       21 /* no supervisor access to user pages */
#define X86_CR4_SMAP           (1ULL << X86_CR4_SMAP_BIT)
#define X86_CR4_PKE_BIT        22 /* protection keys for user pages */
#define X86_CR4_PKE            (1ULL << X86_CR4_PKE_BIT)
#define X86_CR4_CET_BIT        23 /* control-flow enforcement */
#define X86_CR4_CET            (1ULL << X86_CR4_CET_BIT)
#define X86_CR4_PKS_BIT        24 /* protection keys for supervisor pages */
#define X86_CR4_PKS            (1ULL << X86_CR4_PKS_BIT)

#define X86_EFER_SCE_BIT   0 /* syscall/sysret */
#define X86_EFER_SCE       (1ULL << X86_EFER_SCE_BIT)
#define X86_EFER_LME_BIT   8 /* long mode enable */
#define X86_EFER_LME       (1ULL << X86_EFER_LME_BIT)
#define X86_EFER_LMA_BIT   10 /* long mode active (read-only) */
#define X86_EFER_LMA       (1ULL << X86_EFER_LMA_BIT)
#define X86_EFER_NXE_BIT   11 /* no-execute bit in page tables */
#define X86_EFER_NXE       (1ULL << X86_EFER_NXE_BIT)
#define X86_EFER_SVME_BIT  12 /* AMD: SVM enable */
#define X86_EFER_SVME      (1ULL << X86_EFER_SVME_BIT)
#define X86_EFER_LMSLE_BIT 13 /* AMD: long mode segment limit enable */
#define X86_EFER_LMSLE     (1ULL << X86_EFER_LMSLE_BIT)
#define X86_EFER_FFXSR_BIT 14 /* AMD: fast fxsave/fxrstor */
#define X86_EFER_FFXSR     (1ULL << X86_EFER_FFXSR_BIT)
#define X86_EFER_TCE_BIT   15 /* AMD: translation cache extension */
#define X86_EFER_TCE       (1ULL << X86_EFER_TCE_BIT)

/*
 * Returns the exception's name, e.g. "Page fault", for vectors 0-31; "Reserved" for
 * reserved vectors below 32 and "Interrupt" above. Never NULL.
 */
const char *x86_exception_name(uint64_t vector);

/*
 * Returns the mnemonic, e.g. "#PF"; "NMI" for vector 2 (the SDM gives it none, but
 * that is what everyone calls it); "#??" for vectors without one. Never NULL.
 */
const char *x86_exception_mnemonic(uint64_t vector);

/* True when the CPU pushes an error code for this vector (#DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP).
 */
bool x86_exception_has_error_code(uint64_t vector);

/*
 * True when va is canonical for 48-bit virtual addresses (bits 63:47 all equal): what a
 * page walk, an FS base or any linear address must be.
 */
bool x86_is_canonical(uint64_t va);

/*
 * Writes a one-line decoding of error_code for vector into buf (always NUL-terminated,
 * truncated to len): for #PF e.g. "not-present page, write, supervisor, data access";
 * for selector-style codes (#TS, #NP, #SS, #GP) e.g. "selector 0x18 (GDT index 3), external",
 * "selector 0x6a (IDT vector 13)", or "no selector" for 0; for #CP the failed check, e.g.
 * "near ret"; for #DF and #AC (always 0) the value in hex; an empty string for vectors
 * without an error code. Returns buf.
 */
char *x86_error_code_describe(uint64_t vector, uint64_t error_code, char *buf, size_t len);

/*
 * Write the names of the set bits of a register, space-separated, highest bit first,
 * into buf, e.g. for RFLAGS 0x246 "IF ZF PF". Multi-bit fields print as "IOPL=3", and
 * only when non-zero. RFLAGS bit 1 (always 1) is not printed. Unknown set bits print
 * as "bit42". Always NUL-terminated (truncated to len); returns buf.
 */
char *x86_rflags_describe(uint64_t rflags, char *buf, size_t len);
char *x86_cr0_describe(uint64_t cr0, char *buf, size_t len);
char *x86_cr4_describe(uint64_t cr4, char *buf, size_t len);
char *x86_efer_describe(uint64_t efer, char *buf, size_t len);

#endif /* UKVM_X86_DECODE_H */
