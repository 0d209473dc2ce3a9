/*
 * test_core_dump.c: ELF core files (ukvm/crash/core_dump.h), written from synthetic guest
 * memory and read back byte by byte: the ELF header, the note layout (sizes, offsets,
 * register slots of NT_PRSTATUS, NT_PRPSINFO, NT_FPREGSET), PT_LOAD segments from the
 * monitor's own page tables (null and guard pages left out, permissions as mapped),
 * sparseness, patches, and which existing files may be replaced.
 */
#include <elf.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ukvm/crash/core_dump.h"
#include "ukvm/crash/guest_signal.h"
#include "ukvm/guest/boot_setup.h"
#include "ukvm_abi.h"
#include "unit.h"

#define MIB     (1ULL << 20)
#define TEXT_VA 0x100000ULL

static char dir[64];
static char path[128];

/* A one-segment image like kernel/kernel.ld output: text, rodata, data. */
static const struct elf_image image = {
    .entry = TEXT_VA,
    .lowest = TEXT_VA,
    .highest = 0x104000,
    .abi_version = UKVM_ABI_VERSION,
    .nsegments = 3,
    .segments =
        {
            {.vaddr = 0x100000, .memsz = 0x1000, .filesz = 0x1000, .flags = ELF_SEG_R | ELF_SEG_X},
            {.vaddr = 0x101000, .memsz = 0x1000, .filesz = 0x1000, .flags = ELF_SEG_R},
            {.vaddr = 0x102000, .memsz = 0x2000, .filesz = 0x10, .flags = ELF_SEG_R | ELF_SEG_W},
        },
};

static const struct vcpu_regs regs = {
    .rax = 0x1111,
    .rbx = 0x2222,
    .rcx = 0x3333,
    .rdx = 0x4444,
    .rsi = 0x5555,
    .rdi = 0x6666,
    .rsp = 0x7770,
    .rbp = 0x8880,
    .r8 = 8,
    .r9 = 9,
    .r10 = 10,
    .r11 = 11,
    .r12 = 12,
    .r13 = 13,
    .r14 = 14,
    .r15 = 15,
    .rip = 0x100123,
    .rflags = 0x246,
};

/* The whole file, read back (NULL on failure), and its length in *len. */
static uint8_t *slurp(const char *p, size_t *len)
{
    int fd = open(p, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    uint8_t *buf = malloc((size_t)st.st_size + 1);
    if (buf && pread(fd, buf, (size_t)st.st_size, 0) != st.st_size) {
        free(buf);
        buf = NULL;
    }
    close(fd);
    *len = (size_t)st.st_size;
    return buf;
}

/* The desc of the note of this type in the PT_NOTE segment (NULL if absent); *size. */
static const uint8_t *find_note(const uint8_t *file, const Elf64_Phdr *note, uint32_t type,
                                uint32_t *size)
{
    const uint8_t *p = file + note->p_offset, *end = p + note->p_filesz;
    while (p + sizeof(Elf64_Nhdr) <= end) {
        const Elf64_Nhdr *nh = (const Elf64_Nhdr *)p;
        const uint8_t *name = p + sizeof(*nh);
        const uint8_t *desc = name + ((nh->n_namesz + 3) & ~3u);
        if (nh->n_type == type && nh->n_namesz == 5 && !memcmp(name, "CORE", 5)) {
            *size = nh->n_descsz;
            return desc;
        }
        p = desc + ((nh->n_descsz + 3) & ~3u);
    }
    return NULL;
}

static uint64_t u64_at(const uint8_t *p, size_t off)
{
    uint64_t v;
    memcpy(&v, p + off, 8);
    return v;
}

UNIT_TEST(flat_core_layout)
{
    struct guest_mem mem = {0};
    char err[256];
    CHECK_EQ_U64(guest_mem_alloc(&mem, 4 * MIB, err, sizeof(err)), 0);
    memcpy(mem.host + 0x1000, "page one", 8);
    memcpy(mem.host + 0x3ff000, "last page", 9);
    struct vcpu_sregs sregs = {0}; /* paging off: all memory, one RWX segment */
    sregs.cs.selector = 0x08, sregs.ss.selector = 0x10, sregs.ds.selector = 0x10;
    sregs.fs.base = 0xf5f5, sregs.gs.base = 0x6565;
    struct vcpu_fpu fpu = {.fcw = 0x37f, .fsw = 0x1234, .ftw = 0x81, .mxcsr = 0x1f80};
    fpu.st[0][0] = 0xaa, fpu.st[7][9] = 0xbb, fpu.xmm[15][15] = 0xcc;
    struct core_dump_source src = {
        .mem = &mem,
        .regs = &regs,
        .sregs = &sregs,
        .fpu = &fpu,
        .signal = SIGSEGV,
        .sig_code = SEGV_MAPERR,
        .sig_addr = 0xdead0,
        .kernel_path = "build/a_rather_long_kernel_name.ukvm",
    };
    struct core_dump_result res;
    CHECK_EQ_U64(core_dump_write(path, &src, &res, err, sizeof(err)), 0);
    CHECK_STR_CONTAINS(res.path, path);
    CHECK_EQ_U64(res.mem_bytes, 4 * MIB);
    CHECK_EQ_U64(res.nsegments, 1);

    size_t len;
    uint8_t *f = slurp(path, &len);
    CHECK(f != NULL);
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f;
    CHECK(!memcmp(eh->e_ident, ELFMAG, SELFMAG));
    CHECK_EQ_U64(eh->e_ident[EI_CLASS], ELFCLASS64);
    CHECK_EQ_U64(eh->e_type, ET_CORE);
    CHECK_EQ_U64(eh->e_machine, EM_X86_64);
    CHECK_EQ_U64(eh->e_phoff, 64);
    CHECK_EQ_U64(eh->e_phentsize, 56);
    CHECK_EQ_U64(eh->e_phnum, 2);
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(f + eh->e_phoff);
    CHECK_EQ_U64(ph[0].p_type, PT_NOTE);
    CHECK_EQ_U64(ph[0].p_offset, 64 + 2 * 56);
    /* Four notes: 12-byte header + "CORE" padded to 8 + desc. */
    CHECK_EQ_U64(ph[0].p_filesz, (20 + 336) + (20 + 136) + (20 + 128) + (20 + 512));
    CHECK_EQ_U64(ph[1].p_type, PT_LOAD);
    CHECK_EQ_U64(ph[1].p_flags, PF_R | PF_W | PF_X);
    CHECK_EQ_U64(ph[1].p_vaddr, 0);
    CHECK_EQ_U64(ph[1].p_paddr, 0);
    CHECK_EQ_U64(ph[1].p_filesz, 4 * MIB);
    CHECK_EQ_U64(ph[1].p_memsz, 4 * MIB);
    CHECK_EQ_U64(ph[1].p_offset % 4096, 0);
    CHECK_EQ_U64(len, ph[1].p_offset + 4 * MIB);
    CHECK_EQ_U64(res.file_bytes, len);
    CHECK(!memcmp(f + ph[1].p_offset + 0x1000, "page one", 8));
    CHECK(!memcmp(f + ph[1].p_offset + 0x3ff000, "last page", 9));

    uint32_t size;
    const uint8_t *prs = find_note(f, &ph[0], NT_PRSTATUS, &size);
    CHECK(prs != NULL);
    CHECK_EQ_U64(size, 336);
    int32_t signo;
    int16_t cursig;
    memcpy(&signo, prs, 4);
    memcpy(&cursig, prs + 12, 2);
    CHECK_EQ_U64(signo, SIGSEGV);
    CHECK_EQ_U64(cursig, SIGSEGV);
    CHECK_EQ_U64(prs[32], 1); /* pr_pid */
    /* user_regs_struct from offset 112: r15 r14 ... rdi orig_rax rip cs eflags rsp ss ... */
    CHECK_EQ_U64(u64_at(prs, 112 + 0 * 8), 15);
    CHECK_EQ_U64(u64_at(prs, 112 + 4 * 8), 0x8880);  /* rbp */
    CHECK_EQ_U64(u64_at(prs, 112 + 10 * 8), 0x1111); /* rax */
    CHECK_EQ_U64(u64_at(prs, 112 + 14 * 8), 0x6666); /* rdi */
    CHECK_EQ_U64(u64_at(prs, 112 + 15 * 8), UINT64_MAX);
    CHECK_EQ_U64(u64_at(prs, 112 + 16 * 8), 0x100123); /* rip */
    CHECK_EQ_U64(u64_at(prs, 112 + 17 * 8), 0x08);     /* cs */
    CHECK_EQ_U64(u64_at(prs, 112 + 18 * 8), 0x246);    /* eflags */
    CHECK_EQ_U64(u64_at(prs, 112 + 19 * 8), 0x7770);   /* rsp */
    CHECK_EQ_U64(u64_at(prs, 112 + 20 * 8), 0x10);     /* ss */
    CHECK_EQ_U64(u64_at(prs, 112 + 21 * 8), 0xf5f5);   /* fs_base */
    CHECK_EQ_U64(u64_at(prs, 112 + 22 * 8), 0x6565);   /* gs_base */
    CHECK_EQ_U64(u64_at(prs, 112 + 23 * 8), 0x10);     /* ds */
    CHECK_EQ_U64(prs[328], 1);                         /* pr_fpvalid */

    const uint8_t *psi = find_note(f, &ph[0], NT_PRPSINFO, &size);
    CHECK(psi != NULL);
    CHECK_EQ_U64(size, 136);
    /* All 16 bytes of pr_fname: gdb compares up to 16 characters with the file's name. */
    CHECK(!memcmp(psi + 40, "a_rather_long_ke", 16));
    CHECK(!strcmp((const char *)psi + 56, "build/a_rather_long_kernel_name.ukvm"));

    const uint8_t *si = find_note(f, &ph[0], CORE_NT_SIGINFO, &size);
    CHECK(si != NULL);
    CHECK_EQ_U64(size, 128);
    CHECK_EQ_U64(si[0], SIGSEGV); /* si_signo, si_errno, si_code */
    CHECK_EQ_U64(si[8], SEGV_MAPERR);
    CHECK_EQ_U64(u64_at(si, 16), 0xdead0);

    const uint8_t *fp = find_note(f, &ph[0], NT_FPREGSET, &size);
    CHECK(fp != NULL);
    CHECK_EQ_U64(size, 512);
    CHECK_EQ_U64(fp[0] | fp[1] << 8, 0x37f);
    CHECK_EQ_U64(fp[2] | fp[3] << 8, 0x1234);
    CHECK_EQ_U64(fp[4], 0x81);
    CHECK_EQ_U64(fp[24] | fp[25] << 8, 0x1f80);
    CHECK_EQ_U64(fp[32], 0xaa);              /* st0 */
    CHECK_EQ_U64(fp[32 + 7 * 16 + 9], 0xbb); /* st7, last byte */
    CHECK_EQ_U64(fp[160 + 15 * 16 + 15], 0xcc);
    free(f);

    /* Sparse: two pages of data, the rest holes. */
    struct stat st;
    CHECK_EQ_U64(stat(path, &st), 0);
    CHECK((uint64_t)st.st_blocks * 512 < 256 * 1024);
    CHECK_EQ_U64(res.disk_bytes, (uint64_t)st.st_blocks * 512);
    CHECK_EQ_U64(st.st_mode & 0777, 0600);
    unlink(path);
    guest_mem_free(&mem);
}

UNIT_TEST(segments_follow_page_tables)
{
    struct guest_mem mem = {0};
    struct boot_layout layout;
    struct vcpu_regs r;
    struct vcpu_sregs sregs;
    char err[256];
    CHECK_EQ_U64(guest_mem_alloc(&mem, 8 * MIB, err, sizeof(err)), 0);
    CHECK_EQ_U64(boot_layout_compute(8 * MIB, &image, &layout, err, sizeof(err)), 0);
    CHECK_EQ_U64(boot_setup_memory(&mem, &image, &layout, err, sizeof(err)), 0);
    boot_initial_regs(image.entry, &layout, &r, &sregs);
    mem.host[0x100000] = 0xcc;
    struct core_dump_patch patch = {.gpa = 0x100000, .byte = 0x55};
    struct core_dump_source src = {
        .mem = &mem,
        .regs = &regs,
        .sregs = &sregs,
        .signal = SIGABRT,
        .patches = &patch,
        .npatches = 1,
    };
    struct core_dump_result res;
    CHECK_EQ_U64(core_dump_write(path, &src, &res, err, sizeof(err)), 0);
    CHECK_EQ_U64(mem.host[0x100000], 0xcc); /* the guest is not changed */
    size_t len;
    uint8_t *f = slurp(path, &len);
    CHECK(f != NULL);
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f;
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(f + eh->e_phoff);
    CHECK_EQ_U64(eh->e_phnum, 1 + res.nsegments);
    /* No NT_FPREGSET without FPU state. */
    uint32_t size;
    CHECK(find_note(f, &ph[0], NT_FPREGSET, &size) == NULL);
    bool null_page = false, guard_page = false, text = false;
    uint64_t total = 0, prev_end = 0;
    for (int i = 1; i < eh->e_phnum; i++) {
        const Elf64_Phdr *p = &ph[i];
        CHECK_EQ_U64(p->p_type, PT_LOAD);
        CHECK_EQ_U64(p->p_vaddr, p->p_paddr); /* identity map */
        CHECK(p->p_offset % 4096 == 0 && p->p_offset >= prev_end);
        prev_end = p->p_offset + p->p_filesz;
        total += p->p_memsz;
        if (p->p_vaddr == 0)
            null_page = true;
        if (layout.stack_guard >= p->p_vaddr && layout.stack_guard < p->p_vaddr + p->p_memsz)
            guard_page = true;
        if (TEXT_VA >= p->p_vaddr && TEXT_VA < p->p_vaddr + p->p_memsz) {
            text = true;
            CHECK_EQ_U64(p->p_flags, PF_R | PF_X);
            CHECK_EQ_U64(f[p->p_offset + (TEXT_VA - p->p_vaddr)], 0x55); /* patched */
        }
        /* Everything else the monitor maps is data: never writable and executable. */
        CHECK((p->p_flags & (PF_W | PF_X)) != (PF_W | PF_X));
    }
    CHECK(!null_page);
    CHECK(!guard_page);
    CHECK(text);
    CHECK_EQ_U64(total, res.mem_bytes);
    CHECK(total < 8 * MIB && total >= 8 * MIB - 0x200000);
    CHECK_EQ_U64(len, prev_end);
    free(f);
    unlink(path);
    guest_mem_free(&mem);
}

UNIT_TEST(replaces_only_core_files)
{
    struct guest_mem mem = {0};
    char err[256], other[160], link[160], fifo[160];
    CHECK_EQ_U64(guest_mem_alloc(&mem, 2 * MIB, err, sizeof(err)), 0);
    struct core_dump_source src = {.mem = &mem, .regs = &regs, .signal = SIGSEGV};
    struct core_dump_result res;

    /* A file that is not a core stays as it was. */
    snprintf(other, sizeof(other), "%s/notes.txt", dir);
    FILE *t = fopen(other, "w");
    CHECK(t != NULL);
    fputs("precious\n", t);
    fclose(t);
    CHECK_EQ_U64(core_dump_write(other, &src, &res, err, sizeof(err)), (uint64_t)-1);
    CHECK_STR_CONTAINS(err, "exists and is not a core file: not replaced");
    size_t len;
    uint8_t *f = slurp(other, &len);
    CHECK(f && len == 9 && !memcmp(f, "precious\n", 9));
    free(f);

    /* A core is replaced; an empty file is used. */
    CHECK_EQ_U64(core_dump_write(path, &src, &res, err, sizeof(err)), 0);
    CHECK_EQ_U64(core_dump_write(path, &src, &res, err, sizeof(err)), 0);
    t = fopen(other, "w");
    fclose(t);
    CHECK_EQ_U64(core_dump_write(other, &src, &res, err, sizeof(err)), 0);

    /* A symbolic link is not followed. */
    snprintf(link, sizeof(link), "%s/link", dir);
    CHECK_EQ_U64(symlink(path, link), 0);
    CHECK_EQ_U64(core_dump_write(link, &src, &res, err, sizeof(err)), (uint64_t)-1);
    CHECK_STR_CONTAINS(err, "link is a symbolic link: not followed");

    /*
     * A FIFO is refused without being opened: an open for writing with no reader would
     * fail (ENXIO) before the check, and a device opened at all may act on it.
     */
    snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
    CHECK_EQ_U64(mkfifo(fifo, 0600), 0);
    CHECK_EQ_U64(core_dump_write(fifo, &src, &res, err, sizeof(err)), (uint64_t)-1);
    CHECK_STR_CONTAINS(err, "fifo exists and is not a regular file: not replaced");

    /* A folder that does not exist. */
    CHECK_EQ_U64(core_dump_write("/nonexistent-ukvm-dir/core", &src, &res, err, sizeof(err)),
                 (uint64_t)-1);
    CHECK_STR_CONTAINS(err, "cannot create /nonexistent-ukvm-dir/core: No such file");
    unlink(fifo);
    unlink(link);
    unlink(other);
    unlink(path);
    guest_mem_free(&mem);
}

/*
 * A file size limit (ulimit -f) below the core's length: refused before anything is
 * written, not SIGXFSZ, whose default action would kill the monitor mid-write.
 */
UNIT_TEST(file_size_limit)
{
    struct guest_mem mem = {0};
    char err[256];
    CHECK_EQ_U64(guest_mem_alloc(&mem, 4 * MIB, err, sizeof(err)), 0);
    memcpy(mem.host + 4 * MIB - 4096, "top of memory", 13); /* a write far out */
    struct core_dump_source src = {.mem = &mem, .regs = &regs, .signal = SIGSEGV};
    struct core_dump_result res;
    struct rlimit old, lim;
    CHECK_EQ_U64(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = 1 * MIB;
    CHECK_EQ_U64(setrlimit(RLIMIT_FSIZE, &lim), 0);
    /* Should the check be missing, SIGXFSZ fails this test instead of ending the binary. */
    struct sigaction ign = {.sa_handler = SIG_IGN}, old_action;
    sigaction(SIGXFSZ, &ign, &old_action);
    int rc = core_dump_write(path, &src, &res, err, sizeof(err));
    sigaction(SIGXFSZ, &old_action, NULL);
    setrlimit(RLIMIT_FSIZE, &old);
    CHECK_EQ_U64(rc, (uint64_t)-1);
    CHECK_STR_CONTAINS(err, "over the file size limit of 1024 KiB (ulimit -f)");
    CHECK(access(path, F_OK) < 0); /* nothing left behind */
    guest_mem_free(&mem);
}

UNIT_TEST(default_name_and_signals)
{
    char buf[128], want[128];
    core_dump_default_path("build/test_x.ukvm", buf, sizeof(buf));
    snprintf(want, sizeof(want), "core.ukvm.test_x.ukvm.%ld", (long)getpid());
    CHECK(!strcmp(buf, want));
    core_dump_default_path("k", buf, sizeof(buf));
    snprintf(want, sizeof(want), "core.ukvm.k.%ld", (long)getpid());
    CHECK(!strcmp(buf, want));
    CHECK_EQ_U64(guest_signal_of_vector(14), SIGSEGV);
    CHECK_EQ_U64(guest_signal_of_vector(13), SIGSEGV);
    CHECK_EQ_U64(guest_signal_of_vector(6), SIGILL);
    CHECK_EQ_U64(guest_signal_of_vector(0), SIGFPE);
    CHECK_EQ_U64(guest_signal_of_vector(3), SIGTRAP);
    CHECK_EQ_U64(guest_signal_of_vector(~0ULL), SIGTRAP);
    struct run_event ev = {.kind = RUN_EVENT_TRAP};
    ev.frame.vector = 19; /* #XM */
    CHECK_EQ_U64(guest_signal_of_event(&ev), SIGFPE);
    ev.kind = RUN_EVENT_ABORT;
    CHECK_EQ_U64(guest_signal_of_event(&ev), SIGABRT);
    ev.kind = RUN_EVENT_INTERNAL_ERROR;
    CHECK_EQ_U64(guest_signal_of_event(&ev), SIGILL);
    ev.kind = RUN_EVENT_CRASH;
    CHECK_EQ_U64(guest_signal_of_event(&ev), SIGSEGV);
    ev.kind = RUN_EVENT_DEBUG;
    CHECK_EQ_U64(guest_signal_of_event(&ev), SIGTRAP);

    struct core_dump_result res = {.mem_bytes = 64 * MIB, .disk_bytes = 12 * 1024};
    snprintf(res.path, sizeof(res.path), "x.core");
    char *text = NULL;
    size_t tlen;
    FILE *out = open_memstream(&text, &tlen);
    core_dump_print_result(out, "ukvm: ", &res);
    fclose(out);
    CHECK(!strcmp(text, "ukvm: core written to x.core (64 MiB of guest memory, 12 KiB on disk)\n"));
    free(text);
}

int main(void)
{
    snprintf(dir, sizeof(dir), "/tmp/ukvm-core-test.XXXXXX");
    if (!mkdtemp(dir)) {
        printf("FAIL setup: mkdtemp\n");
        return 1;
    }
    snprintf(path, sizeof(path), "%s/core", dir);
    UNIT_RUN(flat_core_layout);
    UNIT_RUN(segments_follow_page_tables);
    UNIT_RUN(replaces_only_core_files);
    UNIT_RUN(file_size_limit);
    UNIT_RUN(default_name_and_signals);
    /* What a failed test may have left behind. */
    const char *names[] = {"core", "notes.txt", "link", "fifo"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char p[192];
        snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
    return UNIT_EXIT_STATUS();
}
