/*
 * core_dump.h: ELF core files of a guest, for `gdb KERNEL.ukvm CORE` (post-mortem).
 *
 * A core is what Linux writes for a crashed x86-64 process, so a stock gdb opens it with
 * no plug-in: an ELF64 ET_CORE file for EM_X86_64 with
 *
 *   ELF header | program headers | notes (PT_NOTE) | memory (PT_LOAD, page-aligned) ...
 *
 *   - NT_PRSTATUS: the signal and the general registers of the context to show (the
 *     faulting one, the same view gdb's stop gives), in the kernel's user_regs_struct
 *     order; pid 1;
 *   - NT_PRPSINFO: the kernel file's name (its first 16 characters) and path;
 *   - NT_FPREGSET: the x87/SSE state in the FXSAVE layout (user_fpregs_struct);
 *   - NT_SIGINFO: the signal with its code and address (gdb's $_siginfo): for a page
 *     fault, the faulting address (CR2), which no register in the core holds;
 *   - one PT_LOAD per run of guest-virtual pages that the guest's page tables map
 *     with one set of permissions (p_flags R, W, X from the walk), vaddr the virtual
 *     and paddr the physical address (equal under ukvm's identity map). Only virtual
 *     addresses below the size of guest memory are walked, which is all of it under
 *     that map; a guest that maps memory higher up has those aliases left out. Pages the guest
 *     does not map (the null page, the stack guard page) are not in the core, so gdb
 *     cannot read them there either. Without usable page tables, all of guest memory
 *     is one RWX segment at 0.
 *
 * The file is sparse: an all-zero 4 KiB page is never written, only skipped over
 * (ftruncate gives the file its full length), so untouched guest memory costs no disk.
 * Pages the host never backed are found from /proc/self/pagemap without touching them;
 * the others are checked for zeros.
 *
 * The note structures are defined here with fixed-width fields, not taken from the
 * host's <sys/procfs.h>, so that their layout is explicit and checked at compile time.
 */
#ifndef UKVM_CORE_DUMP_H
#define UKVM_CORE_DUMP_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ukvm/guest/guest_mem.h"
#include "ukvm/vm/vcpu_state.h"
#include "ukvm/vm/vm.h"

/* ELF note types of a Linux core (the "CORE" owner). */
#define CORE_NT_PRSTATUS 1
#define CORE_NT_FPREGSET 2
#define CORE_NT_PRPSINFO 3
#define CORE_NT_SIGINFO  0x53494749 /* "SIGI" */

/* struct elf_prstatus (x86-64 Linux): 336 bytes. pr_reg at offset 112. */
struct core_prstatus {
    int32_t si_signo, si_code, si_errno; /* struct elf_siginfo */
    int16_t pr_cursig;                   /* the signal that ended the process */
    uint16_t pad0;
    uint64_t pr_sigpend, pr_sighold;
    int32_t pr_pid, pr_ppid, pr_pgrp, pr_sid;
    struct {
        int64_t tv_sec, tv_usec;
    } pr_utime, pr_stime, pr_cutime, pr_cstime;
    /* user_regs_struct, in this order */
    uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8, rax, rcx, rdx, rsi, rdi;
    uint64_t orig_rax, rip, cs, eflags, rsp, ss, fs_base, gs_base, ds, es, fs, gs;
    int32_t pr_fpvalid; /* 1: an NT_FPREGSET note follows */
    int32_t pad1;
};
_Static_assert(sizeof(struct core_prstatus) == 336, "elf_prstatus is 336 bytes on x86-64");
_Static_assert(offsetof(struct core_prstatus, pr_cursig) == 12, "pr_cursig at 12");
_Static_assert(offsetof(struct core_prstatus, pr_pid) == 32, "pr_pid at 32");
_Static_assert(offsetof(struct core_prstatus, r15) == 112, "pr_reg at 112");
_Static_assert(offsetof(struct core_prstatus, pr_fpvalid) == 112 + 27 * 8, "pr_reg is 27 words");

/* struct elf_prpsinfo (x86-64 Linux): 136 bytes. */
struct core_prpsinfo {
    char pr_state, pr_sname, pr_zomb, pr_nice;
    uint32_t pad0;
    uint64_t pr_flag;
    uint32_t pr_uid, pr_gid;
    int32_t pr_pid, pr_ppid, pr_pgrp, pr_sid;
    char pr_fname[16];  /* the program's name, NUL-terminated when shorter */
    char pr_psargs[80]; /* its command line, NUL-terminated */
};
_Static_assert(sizeof(struct core_prpsinfo) == 136, "elf_prpsinfo is 136 bytes on x86-64");
_Static_assert(offsetof(struct core_prpsinfo, pr_fname) == 40, "pr_fname at 40");

/* user_fpregs_struct: the FXSAVE image, 512 bytes. */
struct core_fpregset {
    uint16_t cwd, swd;
    uint8_t ftw; /* abridged tag word: one bit per register, 1 = valid */
    uint8_t reserved0;
    uint16_t fop;
    uint64_t rip, rdp;
    uint32_t mxcsr, mxcsr_mask;
    uint8_t st_space[8][16]; /* st0-st7, 10 bytes used of each 16 */
    uint8_t xmm_space[16][16];
    uint8_t padding[96];
};
_Static_assert(sizeof(struct core_fpregset) == 512, "user_fpregs_struct is 512 bytes");
_Static_assert(offsetof(struct core_fpregset, st_space) == 32, "st_space at 32");
_Static_assert(offsetof(struct core_fpregset, xmm_space) == 160, "xmm_space at 160");

/* siginfo_t (x86-64 Linux), as far as a fault fills it: 128 bytes. */
struct core_siginfo {
    int32_t signo, errnum, code; /* si_signo, si_errno, si_code */
    int32_t pad0;
    uint64_t addr; /* _sigfault.si_addr */
    uint8_t pad1[104];
};
_Static_assert(sizeof(struct core_siginfo) == 128, "siginfo_t is 128 bytes");
_Static_assert(offsetof(struct core_siginfo, addr) == 16, "si_addr at 16");

/* One byte of guest-physical memory to show differently in the core (a debugger's int3). */
struct core_dump_patch {
    uint64_t gpa;
    uint8_t byte; /* what the core holds at gpa */
};

/* What goes into a core. Pointers marked "may be NULL" leave their part out. */
struct core_dump_source {
    const struct guest_mem *mem;
    const struct vcpu_regs *regs;          /* the context to show */
    const struct vcpu_sregs *sregs;        /* selectors, fs/gs base, paging; may be NULL */
    const struct vcpu_fpu *fpu;            /* may be NULL: no NT_FPREGSET */
    int signal;                            /* pr_cursig: a host signal number (SIGSEGV, ...) */
    int sig_code;                          /* NT_SIGINFO: SEGV_MAPERR, ILL_ILLOPN, SI_KERNEL, ... */
    uint64_t sig_addr;                     /* NT_SIGINFO: the fault address (CR2, or rip) or 0 */
    const char *kernel_path;               /* NT_PRPSINFO: name and arguments; may be NULL */
    const struct core_dump_patch *patches; /* may be NULL */
    size_t npatches;
};

/* What core_dump_write wrote. */
struct core_dump_result {
    char path[PATH_MAX];
    uint64_t mem_bytes;  /* guest memory in the core's PT_LOAD segments */
    uint64_t file_bytes; /* the file's length (what ls -l shows) */
    uint64_t disk_bytes; /* disk blocks it occupies (what du shows) */
    unsigned nsegments;  /* PT_LOAD segments */
};

/*
 * Writes a core of src to path (NULL: core_dump_default_path in the working directory).
 * An existing file is replaced only when it is a regular file that is empty or already
 * an ELF core, so that a mistyped path cannot destroy other data; symbolic links are not
 * followed. The file is created with mode 0600 (it holds all of guest memory). A core
 * longer than the file size limit (RLIMIT_FSIZE) is refused before anything is written.
 * Returns 0 and fills *res, or -1 with a one-line reason in err; a file that could not
 * be written in full is removed (a core it replaced was already truncated).
 */
int core_dump_write(const char *path, const struct core_dump_source *src,
                    struct core_dump_result *res, char *err, size_t errlen);

/*
 * The default file name, "core.ukvm.<basename of kernel_path>.<pid of ukvm>", written to
 * buf (truncated to len).
 */
void core_dump_default_path(const char *kernel_path, char *buf, size_t len);

/*
 * Prints "PREFIXcore written to PATH (N MiB of guest memory, M KiB on disk)" and a
 * newline to out.
 */
void core_dump_print_result(FILE *out, const char *prefix, const struct core_dump_result *res);

#endif /* UKVM_CORE_DUMP_H */
