/*
 * core_dump.c: ELF core files of a guest (see core_dump.h).
 *
 * File layout (offsets in bytes):
 *
 *   0                      Elf64_Ehdr (ET_CORE, EM_X86_64)
 *   64                     Elf64_Phdr[1 + nsegments]: PT_NOTE, then the PT_LOADs
 *   64 + 56 * phnum        notes: "CORE" NT_PRSTATUS, NT_PRPSINFO, NT_SIGINFO, NT_FPREGSET
 *   page-aligned           segment 0's memory, segment 1's, ... (each page-aligned)
 *
 * Memory is written run by run of non-zero pages with pwrite; zero pages are skipped,
 * which leaves holes (unallocated blocks) in the file, and ftruncate sets the full
 * length at the end.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core_dump.h"
#include "ukvm/inspect/pagewalk.h"
#include "ukvm/inspect/x86_decode.h"

#define PAGE 4096ULL
/* More segments than this (a guest with wildly mixed permissions): one RWX segment instead. */
#define CORE_MAX_SEGMENTS 4096
/* Pages whose pagemap entries are read at once. */
#define PAGEMAP_BATCH 512
/* /proc/self/pagemap entry bits: the page is in RAM, or in swap. Neither: never touched. */
#define PAGEMAP_PRESENT (1ULL << 63)
#define PAGEMAP_SWAPPED (1ULL << 62)

struct segment {
    uint64_t va, pa, len;
    uint32_t flags; /* PF_R | PF_W | PF_X */
    uint64_t offset;
};

struct segments {
    struct segment *v;
    size_t n, cap;
    bool overflow;
};

static int fail(char *err, size_t errlen, const char *fmt, const char *arg)
{
    snprintf(err, errlen, fmt, arg, strerror(errno));
    return -1;
}

/* ---------------------------------------------------------------- segments */

static void add_range(struct segments *s, uint64_t va, uint64_t pa, uint64_t len, uint32_t flags)
{
    struct segment *last = s->n ? &s->v[s->n - 1] : NULL;
    if (last && last->va + last->len == va && last->pa + last->len == pa && last->flags == flags) {
        last->len += len;
        return;
    }
    if (s->n == CORE_MAX_SEGMENTS) {
        s->overflow = true;
        return;
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        struct segment *v = realloc(s->v, cap * sizeof(*v));
        if (!v) {
            s->overflow = true;
            return;
        }
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = (struct segment){.va = va, .pa = pa, .len = len, .flags = flags};
}

/*
 * The guest-virtual pages in [0, memory size) that the page tables map into guest memory,
 * as runs of one permission. Returns false when the tables cannot be used at all.
 */
static bool segments_from_page_tables(const struct guest_mem *mem, const struct vcpu_sregs *sr,
                                      struct segments *s)
{
    /* What one entry at each level spans: PML4, PDPT, PD, PT. */
    static const uint64_t span[4] = {1ULL << 39, 1ULL << 30, 1ULL << 21, 1ULL << 12};
    if (!sr || !(sr->cr0 & X86_CR0_PG))
        return false;
    struct guest_access access = guest_mem_access(mem);
    for (uint64_t va = 0; va < mem->size && !s->overflow;) {
        struct pagewalk_result w;
        uint64_t step;
        if (pagewalk_translate(&access, sr->cr0, sr->cr3, sr->cr4, sr->efer, va, &w) == 0) {
            step = w.page_size - (va & (w.page_size - 1));
            if (step > mem->size - va)
                step = mem->size - va;
            if (w.pa < mem->size) {
                uint64_t len = step < mem->size - w.pa ? step : mem->size - w.pa;
                add_range(s, va, w.pa, len,
                          PF_R | (w.writable ? PF_W : 0) | (w.executable ? PF_X : 0));
            }
        } else if (w.fault == PAGEWALK_BAD_TABLE && w.nlevels == 0 && !w.levels[0].name) {
            return false; /* a paging mode the walker does not know */
        } else {
            /* Skip what the missing or bad entry (or unreadable table) would have mapped. */
            int level = w.fault == PAGEWALK_BAD_TABLE ? w.nlevels : w.nlevels - 1;
            uint64_t extent = level >= 0 && level < 4 ? span[level] : PAGE;
            step = extent - (va & (extent - 1));
        }
        if (va + step < va)
            break;
        va += step;
    }
    return s->n > 0 && !s->overflow;
}

static int build_segments(const struct guest_mem *mem, const struct vcpu_sregs *sregs,
                          struct segments *s)
{
    if (!segments_from_page_tables(mem, sregs, s)) {
        /* No usable page tables: all of memory, as the CPU with paging off would see it. */
        s->n = 0;
        s->overflow = false;
        add_range(s, 0, 0, mem->size, PF_R | PF_W | PF_X);
        if (s->overflow)
            return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- notes */

static size_t note_size(size_t descsz)
{
    return sizeof(Elf64_Nhdr) + 8 /* "CORE\0" padded to 4 */ + ((descsz + 3) & ~(size_t)3);
}

static uint8_t *put_note(uint8_t *p, uint32_t type, const void *desc, size_t descsz)
{
    Elf64_Nhdr nh = {.n_namesz = 5, .n_descsz = (uint32_t)descsz, .n_type = type};
    memcpy(p, &nh, sizeof(nh));
    p += sizeof(nh);
    memcpy(p, "CORE\0\0\0\0", 8);
    p += 8;
    memcpy(p, desc, descsz);
    return p + ((descsz + 3) & ~(size_t)3);
}

static const char *base_name(const char *path)
{
    if (!path || !*path)
        return "guest";
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

static void fill_prstatus(struct core_prstatus *p, const struct core_dump_source *src)
{
    const struct vcpu_regs *r = src->regs;
    const struct vcpu_sregs *s = src->sregs;
    memset(p, 0, sizeof(*p));
    p->si_signo = src->signal;
    p->pr_cursig = (int16_t)src->signal;
    p->pr_pid = 1;
    p->pr_pgrp = 1;
    p->pr_sid = 1;
    p->r15 = r->r15, p->r14 = r->r14, p->r13 = r->r13, p->r12 = r->r12;
    p->rbp = r->rbp, p->rbx = r->rbx, p->r11 = r->r11, p->r10 = r->r10;
    p->r9 = r->r9, p->r8 = r->r8, p->rax = r->rax, p->rcx = r->rcx;
    p->rdx = r->rdx, p->rsi = r->rsi, p->rdi = r->rdi;
    p->orig_rax = UINT64_MAX; /* not in a system call */
    p->rip = r->rip;
    p->eflags = r->rflags;
    p->rsp = r->rsp;
    if (s) {
        p->cs = s->cs.selector, p->ss = s->ss.selector, p->ds = s->ds.selector;
        p->es = s->es.selector, p->fs = s->fs.selector, p->gs = s->gs.selector;
        p->fs_base = s->fs.base, p->gs_base = s->gs.base;
    }
    p->pr_fpvalid = src->fpu != NULL;
}

static void fill_prpsinfo(struct core_prpsinfo *p, const struct core_dump_source *src)
{
    memset(p, 0, sizeof(*p));
    p->pr_sname = 'R';
    p->pr_pid = 1;
    p->pr_pgrp = 1;
    p->pr_sid = 1;
    /*
     * gdb warns "core file may not match specified executable file" unless this is the
     * executable's file name, and reads all 16 bytes (BFD's elf_x86_64_grok_psinfo): a
     * 16-character name fits without its NUL (Linux, which always ends the field with
     * one, stops at 15). A longer name cannot match; see docs/debugging.md.
     */
    const char *name = base_name(src->kernel_path);
    size_t len = strlen(name);
    memcpy(p->pr_fname, name, len < sizeof(p->pr_fname) ? len : sizeof(p->pr_fname));
    snprintf(p->pr_psargs, sizeof(p->pr_psargs), "%s", src->kernel_path ? src->kernel_path : name);
}

static void fill_fpregset(struct core_fpregset *f, const struct vcpu_fpu *fpu)
{
    memset(f, 0, sizeof(*f));
    f->cwd = fpu->fcw;
    f->swd = fpu->fsw;
    f->ftw = fpu->ftw;
    f->fop = fpu->fop;
    f->rip = fpu->fip;
    f->rdp = fpu->fdp;
    f->mxcsr = fpu->mxcsr;
    f->mxcsr_mask = 0xffff;
    for (int i = 0; i < 8; i++)
        memcpy(f->st_space[i], fpu->st[i], sizeof(fpu->st[i]));
    memcpy(f->xmm_space, fpu->xmm, sizeof(f->xmm_space));
}

/* ---------------------------------------------------------------- memory */

static int pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
    const uint8_t *p = buf;
    while (len) {
        ssize_t n = pwrite(fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EIO;
            return -1;
        }
        p += n, len -= (size_t)n, off += (uint64_t)n;
    }
    return 0;
}

static bool page_is_zero(const uint8_t *page)
{
    const uint64_t *w = (const uint64_t *)page;
    uint64_t acc = 0;
    for (size_t i = 0; i < PAGE / sizeof(*w); i++)
        acc |= w[i];
    return acc == 0;
}

/*
 * Host pages the kernel never backed (no RAM, no swap) are zero without reading them; reading
 * would fault each one in. pagemap is -1 where /proc/self/pagemap cannot be used.
 */
struct page_probe {
    int pagemap;
    uint64_t first; /* host page number of entries[0] */
    size_t count;
    uint64_t entries[PAGEMAP_BATCH];
};

static bool page_never_backed(struct page_probe *pp, const uint8_t *host)
{
    if (pp->pagemap < 0)
        return false;
    uint64_t pfn = (uint64_t)(uintptr_t)host / PAGE;
    if (pfn < pp->first || pfn >= pp->first + pp->count) {
        ssize_t n = pread(pp->pagemap, pp->entries, sizeof(pp->entries), (off_t)(pfn * 8));
        if (n < 8) {
            close(pp->pagemap);
            pp->pagemap = -1;
            return false;
        }
        pp->first = pfn;
        pp->count = (size_t)n / 8;
    }
    return !(pp->entries[pfn - pp->first] & (PAGEMAP_PRESENT | PAGEMAP_SWAPPED));
}

/* Writes the non-zero pages of one segment as runs; zero pages stay holes. */
static int write_segment(int fd, const struct guest_mem *mem, const struct segment *seg,
                         struct page_probe *pp)
{
    const uint8_t *base = mem->host + seg->pa;
    uint64_t run = 0, run_len = 0; /* the current run of non-zero pages, from seg start */
    for (uint64_t off = 0; off < seg->len; off += PAGE) {
        uint64_t n = seg->len - off < PAGE ? seg->len - off : PAGE;
        bool zero = n == PAGE && (page_never_backed(pp, base + off) || page_is_zero(base + off));
        if (!zero) {
            if (!run_len)
                run = off;
            run_len += n;
            continue;
        }
        if (run_len && pwrite_all(fd, base + run, run_len, seg->offset + run) < 0)
            return -1;
        run_len = 0;
    }
    if (run_len && pwrite_all(fd, base + run, run_len, seg->offset + run) < 0)
        return -1;
    return 0;
}

/* The debugger's view of bytes it changed (its int3s): written over the memory image. */
static int apply_patches(int fd, const struct segments *s, const struct core_dump_source *src)
{
    for (size_t i = 0; i < src->npatches; i++) {
        const struct core_dump_patch *p = &src->patches[i];
        for (size_t j = 0; j < s->n; j++) {
            const struct segment *seg = &s->v[j];
            if (p->gpa >= seg->pa && p->gpa - seg->pa < seg->len &&
                pwrite_all(fd, &p->byte, 1, seg->offset + (p->gpa - seg->pa)) < 0)
                return -1;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- the file */

/*
 * Opens path for writing: created new, or an existing regular file that is empty or an
 * ELF core already (truncated).
 */
static int open_core(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0 || errno != EEXIST) {
        if (fd < 0)
            fail(err, errlen, "cannot create %s: %s", path);
        return fd;
    }
    /*
     * Look before opening: opening a device or a FIFO read-write can have effects of its
     * own (a terminal becoming ours, a tape rewinding). fstat checks again what was opened.
     */
    struct stat st;
    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        snprintf(err, errlen,
                 S_ISLNK(st.st_mode) ? "%s is a symbolic link: not followed"
                                     : "%s exists and is not a regular file: not replaced",
                 path);
        return -1;
    }
    fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return fail(err, errlen, "cannot open %s: %s", path);
    Elf64_Ehdr eh;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s exists and is not a regular file: not replaced", path);
        close(fd);
        return -1;
    }
    if (st.st_size > 0 && (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
                           memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_type != ET_CORE)) {
        snprintf(err, errlen, "%s exists and is not a core file: not replaced", path);
        close(fd);
        return -1;
    }
    if (ftruncate(fd, 0) < 0) {
        fail(err, errlen, "cannot truncate %s: %s", path);
        close(fd);
        return -1;
    }
    return fd;
}

/*
 * A file size limit (ulimit -f) below the core's length would make the kernel send
 * SIGXFSZ on the write past it, which kills ukvm: the guest's exit status (or a gdb
 * session, for `monitor core`) would go with it. So the length, known before anything
 * is written, is checked first. The file is sparse, but the limit is on its length.
 */
static int check_size_limit(const char *path, uint64_t length, char *err, size_t errlen)
{
    struct rlimit lim;
    if (getrlimit(RLIMIT_FSIZE, &lim) < 0 || lim.rlim_cur == RLIM_INFINITY ||
        length <= (uint64_t)lim.rlim_cur)
        return 0;
    snprintf(err, errlen,
             "cannot write %s: the core is %llu MiB long (sparse), over the file size limit "
             "of %llu KiB (ulimit -f)",
             path, (unsigned long long)((length + (1 << 20) - 1) >> 20),
             (unsigned long long)(lim.rlim_cur >> 10));
    return -1;
}

static int write_headers(int fd, const struct segments *s, const struct core_dump_source *src,
                         uint64_t notes_off, size_t notes_len)
{
    size_t phnum = 1 + s->n;
    size_t hdr_len = sizeof(Elf64_Ehdr) + phnum * sizeof(Elf64_Phdr) + notes_len;
    uint8_t *buf = calloc(1, hdr_len);
    if (!buf)
        return -1;
    Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS64;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_ident[EI_OSABI] = ELFOSABI_NONE; /* as Linux writes them */
    eh->e_type = ET_CORE;
    eh->e_machine = EM_X86_64;
    eh->e_version = EV_CURRENT;
    eh->e_phoff = sizeof(Elf64_Ehdr);
    eh->e_ehsize = sizeof(Elf64_Ehdr);
    eh->e_phentsize = sizeof(Elf64_Phdr);
    eh->e_phnum = (uint16_t)phnum;

    Elf64_Phdr *ph = (Elf64_Phdr *)(buf + sizeof(Elf64_Ehdr));
    ph[0] =
        (Elf64_Phdr){.p_type = PT_NOTE, .p_offset = notes_off, .p_filesz = notes_len, .p_align = 4};
    for (size_t i = 0; i < s->n; i++)
        ph[1 + i] = (Elf64_Phdr){.p_type = PT_LOAD,
                                 .p_flags = s->v[i].flags,
                                 .p_offset = s->v[i].offset,
                                 .p_vaddr = s->v[i].va,
                                 .p_paddr = s->v[i].pa,
                                 .p_filesz = s->v[i].len,
                                 .p_memsz = s->v[i].len,
                                 .p_align = PAGE};

    struct core_prstatus prs;
    struct core_prpsinfo psi;
    struct core_fpregset fpr;
    struct core_siginfo si = {.signo = src->signal, .code = src->sig_code, .addr = src->sig_addr};
    fill_prstatus(&prs, src);
    fill_prpsinfo(&psi, src);
    uint8_t *p = buf + notes_off;
    p = put_note(p, CORE_NT_PRSTATUS, &prs, sizeof(prs));
    p = put_note(p, CORE_NT_PRPSINFO, &psi, sizeof(psi));
    p = put_note(p, CORE_NT_SIGINFO, &si, sizeof(si));
    if (src->fpu) {
        fill_fpregset(&fpr, src->fpu);
        put_note(p, CORE_NT_FPREGSET, &fpr, sizeof(fpr));
    }
    int rc = pwrite_all(fd, buf, hdr_len, 0);
    free(buf);
    return rc;
}

int core_dump_write(const char *path, const struct core_dump_source *src,
                    struct core_dump_result *res, char *err, size_t errlen)
{
    memset(res, 0, sizeof(*res));
    if (path)
        snprintf(res->path, sizeof(res->path), "%s", path);
    else
        core_dump_default_path(src->kernel_path, res->path, sizeof(res->path));
    path = res->path;

    struct segments s = {0};
    if (build_segments(src->mem, src->sregs, &s) < 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t notes_len = note_size(sizeof(struct core_prstatus)) +
                       note_size(sizeof(struct core_prpsinfo)) +
                       note_size(sizeof(struct core_siginfo)) +
                       (src->fpu ? note_size(sizeof(struct core_fpregset)) : 0);
    uint64_t notes_off = sizeof(Elf64_Ehdr) + (1 + s.n) * sizeof(Elf64_Phdr);
    uint64_t off = (notes_off + notes_len + PAGE - 1) & ~(PAGE - 1);
    for (size_t i = 0; i < s.n; i++) {
        s.v[i].offset = off;
        off += (s.v[i].len + PAGE - 1) & ~(PAGE - 1);
        res->mem_bytes += s.v[i].len;
    }
    res->file_bytes = off;
    res->nsegments = (unsigned)s.n;

    int fd = check_size_limit(path, off, err, errlen) < 0 ? -1 : open_core(path, err, errlen);
    if (fd < 0) {
        free(s.v);
        return -1;
    }
    struct page_probe pp = {.pagemap = sysconf(_SC_PAGESIZE) == (long)PAGE
                                           ? open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC)
                                           : -1};
    int rc = write_headers(fd, &s, src, notes_off, notes_len);
    for (size_t i = 0; rc == 0 && i < s.n; i++)
        rc = write_segment(fd, src->mem, &s.v[i], &pp);
    if (rc == 0)
        rc = apply_patches(fd, &s, src);
    if (rc == 0 && ftruncate(fd, (off_t)off) < 0)
        rc = -1;
    struct stat st;
    if (rc == 0 && fstat(fd, &st) == 0)
        res->disk_bytes = (uint64_t)st.st_blocks * 512;
    if (rc < 0)
        fail(err, errlen, "cannot write %s: %s", path);
    if (pp.pagemap >= 0)
        close(pp.pagemap);
    if (close(fd) < 0 && rc == 0)
        rc = fail(err, errlen, "cannot write %s: %s", path);
    if (rc < 0)
        unlink(path);
    free(s.v);
    return rc;
}

void core_dump_default_path(const char *kernel_path, char *buf, size_t len)
{
    snprintf(buf, len, "core.ukvm.%s.%ld", base_name(kernel_path), (long)getpid());
}

void core_dump_print_result(FILE *out, const char *prefix, const struct core_dump_result *res)
{
    fprintf(out, "%score written to %s (%llu MiB of guest memory, %llu KiB on disk)\n", prefix,
            res->path, (unsigned long long)((res->mem_bytes + (1 << 20) - 1) >> 20),
            (unsigned long long)((res->disk_bytes + 1023) >> 10));
}
