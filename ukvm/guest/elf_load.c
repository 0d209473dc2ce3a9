/*
 * elf_load.c: validate a hostile unikernel ELF and copy it into guest memory (see elf_load.h).
 *
 * libelf parses the headers; every number it hands back is still the file's word and is
 * checked here before use. Note contents are parsed by hand straight from the file bytes,
 * with each length bounds-checked, because that is the part a hostile file controls most.
 *
 * The work is in two passes: validate everything (ident, ELF header, program-header table,
 * ABI note, each PT_LOAD, entry point), and only then copy. A rejected file therefore
 * leaves guest memory untouched.
 *
 * Arithmetic rule: a sum of two file-controlled values is never formed without
 * __builtin_add_overflow, and ranges are compared as "off <= size && len <= size - off".
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <limits.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf_load.h"
#include "elf_load_priv.h"
#include "ukvm_abi.h"

/* Note headers and descriptors are read with memcpy as host integers: host must be LE. */
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "elf_load.c reads little-endian ELF fields as host integers"
#endif

#define PAGE_MASK_4K (UKVM_PAGE_SIZE - 1)

/* Our PF_* aliases in the header must be the ELF values: they are copied straight across. */
_Static_assert(ELF_SEG_X == PF_X && ELF_SEG_W == PF_W && ELF_SEG_R == PF_R, "PF_* mismatch");

/* A PT_LOAD that passed its checks, with its program-header index for messages. */
struct load_seg {
    size_t index;
    uint64_t offset, vaddr, filesz, memsz;
    uint64_t page_lo, page_hi; /* [vaddr, vaddr+memsz) rounded outward to 4 KiB */
    uint32_t flags;
};

/* Where segments may go: the caller's window and the guest memory size. */
struct load_limits {
    uint64_t min_addr, max_addr, mem_size;
};

static const char *flags_str(uint32_t flags, char buf[4])
{
    buf[0] = (flags & PF_R) ? 'R' : '-';
    buf[1] = (flags & PF_W) ? 'W' : '-';
    buf[2] = (flags & PF_X) ? 'X' : '-';
    buf[3] = '\0';
    return buf;
}

/*
 * e_ident, checked on the raw bytes before libelf sees the buffer, so that the common
 * mistakes (not ELF, 32-bit, big-endian) get a precise message instead of libelf's
 * generic "invalid ELF file".
 */
static int check_ident(const uint8_t *d, size_t size, char *err, size_t errlen)
{
    if (size < SELFMAG || memcmp(d, ELFMAG, SELFMAG) != 0) {
        if (size < SELFMAG)
            return elf_fail(err, errlen, "not an ELF file: only %zu bytes", size);
        return elf_fail(err, errlen,
                        "not an ELF file: bad magic %02x %02x %02x %02x (need 7f 45 4c 46)", d[0],
                        d[1], d[2], d[3]);
    }
    if (size < sizeof(Elf64_Ehdr))
        return elf_fail(err, errlen, "truncated ELF header: file has %zu bytes, header needs %zu",
                        size, sizeof(Elf64_Ehdr));
    if (d[EI_CLASS] != ELFCLASS64)
        return elf_fail(err, errlen, "ELF class %u is not ELFCLASS64 (%s): ukvm loads 64-bit ELF",
                        d[EI_CLASS],
                        d[EI_CLASS] == ELFCLASS32 ? "this is a 32-bit file" : "unknown");
    if (d[EI_DATA] != ELFDATA2LSB)
        return elf_fail(err, errlen, "ELF data encoding %u is not little-endian (%s)", d[EI_DATA],
                        d[EI_DATA] == ELFDATA2MSB ? "this is a big-endian file" : "unknown");
    if (d[EI_VERSION] != EV_CURRENT)
        return elf_fail(err, errlen, "ELF identification version %u, need %u (EV_CURRENT)",
                        d[EI_VERSION], EV_CURRENT);
    return 0;
}

static int check_ehdr(const GElf_Ehdr *eh, char *err, size_t errlen)
{
    if (eh->e_machine != EM_X86_64)
        return elf_fail(err, errlen, "ELF machine %u is not x86_64 (EM_X86_64 = %u)", eh->e_machine,
                        EM_X86_64);
    switch (eh->e_type) {
    case ET_EXEC:
        return 0;
    case ET_DYN:
        return elf_fail(err, errlen,
                        "ELF type ET_DYN (a PIE or shared object): ukvm needs ET_EXEC, a static "
                        "executable linked at a fixed address");
    case ET_REL:
        return elf_fail(err, errlen,
                        "ELF type ET_REL (an unlinked object file): ukvm needs ET_EXEC, a linked "
                        "static executable");
    default:
        return elf_fail(err, errlen, "ELF type %u: ukvm needs ET_EXEC (%u)", eh->e_type, ET_EXEC);
    }
}

/*
 * The program-header count and table bounds. elf_getphdrnum resolves PN_XNUM, but it
 * silently clamps a table that runs past the end of the file, which would turn a truncated
 * file into a misleading "no PT_LOAD"; so the raw count from the header is checked first.
 */
static int check_phdr_table(Elf *elf, const GElf_Ehdr *eh, size_t size, size_t *phnum, char *err,
                            size_t errlen)
{
    uint64_t count = eh->e_phnum;
    if (eh->e_phnum == PN_XNUM) {
        /* Extended numbering: the real count is in section header 0's sh_info. */
        GElf_Shdr sh0;
        Elf_Scn *scn0 = elf_getscn(elf, 0);
        if (!scn0 || !gelf_getshdr(scn0, &sh0))
            return elf_fail(err, errlen,
                            "e_phnum is PN_XNUM (0x%x) but there is no section header 0 holding "
                            "the real count",
                            PN_XNUM);
        count = sh0.sh_info;
    }
    if (count == 0) {
        *phnum = 0;
        return 0;
    }
    if (eh->e_phentsize != sizeof(Elf64_Phdr))
        return elf_fail(err, errlen, "program header entry size %u, need %zu (sizeof(Elf64_Phdr))",
                        eh->e_phentsize, sizeof(Elf64_Phdr));
    uint64_t table_len, table_end;
    if (__builtin_mul_overflow(count, (uint64_t)sizeof(Elf64_Phdr), &table_len) ||
        __builtin_add_overflow(eh->e_phoff, table_len, &table_end))
        return elf_fail(err, errlen,
                        "program header table 0x%" PRIx64 "+%" PRIu64 "*%zu overflows 64 bits",
                        (uint64_t)eh->e_phoff, count, sizeof(Elf64_Phdr));
    if (eh->e_phoff < sizeof(Elf64_Ehdr))
        return elf_fail(err, errlen,
                        "program header table at 0x%" PRIx64 " overlaps the ELF header (%zu bytes)",
                        (uint64_t)eh->e_phoff, sizeof(Elf64_Ehdr));
    if (table_end > size)
        return elf_fail(err, errlen,
                        "program header table 0x%" PRIx64 "+0x%" PRIx64 " (%" PRIu64
                        " entries) past end of file (%zu bytes)",
                        (uint64_t)eh->e_phoff, table_len, count, size);
    if (count > INT_MAX) /* gelf_getphdr takes an int index */
        return elf_fail(err, errlen, "%" PRIu64 " program headers: too many", count);
    size_t n;
    if (elf_getphdrnum(elf, &n) != 0)
        return elf_fail(err, errlen, "cannot count program headers: %s", elf_errmsg(-1));
    if (n != count) /* defensive: libelf and our reading of the header must agree */
        return elf_fail(err, errlen,
                        "libelf counts %zu program headers, the ELF header says %" PRIu64, n,
                        count);
    *phnum = n;
    return 0;
}

/*
 * Zeroes [p, p+len), releasing the whole pages of it instead of writing them.
 *
 * A large bss (Solo5 binaries carry 2 MiB of stacks in theirs) would otherwise cost a
 * page fault and a fresh page per 4 KiB, about as long as the rest of the monitor's
 * start-up together. Guest memory is private anonymous memory (guest_mem_alloc), where
 * MADV_DONTNEED makes a page read as zero from then on, present or swapped out. The
 * partial pages at the ends are cleared; so is everything when madvise refuses.
 */
static void zero_fill(uint8_t *p, uint64_t len)
{
    long ps = sysconf(_SC_PAGESIZE);
    uint64_t page = ps > 0 ? (uint64_t)ps : 4096;
    uint64_t first = ((uintptr_t)p + page - 1) & ~(page - 1);
    uint64_t end = (uintptr_t)p + len;
    uint64_t last = end & ~(page - 1);
    if (len < 16 * page || first >= last ||
        madvise((void *)(uintptr_t)first, last - first, MADV_DONTNEED) != 0) {
        memset(p, 0, len);
        return;
    }
    memset(p, 0, first - (uintptr_t)p);
    memset((uint8_t *)(uintptr_t)last, 0, end - last);
}

/* Checks one PT_LOAD on its own (not against the others) and fills *seg. */
static int check_load(const GElf_Phdr *ph, size_t i, size_t size, const struct load_limits *lim,
                      struct load_seg *seg, char *err, size_t errlen)
{
    uint64_t vaddr = ph->p_vaddr, memsz = ph->p_memsz, end;
    if (ph->p_filesz > memsz)
        return elf_fail(err, errlen,
                        "segment %zu: p_filesz 0x%" PRIx64 " is larger than p_memsz 0x%" PRIx64, i,
                        (uint64_t)ph->p_filesz, memsz);
    /* filesz 0 (pure bss) reads nothing, so its offset is not held to the file size. */
    if (ph->p_filesz > 0 && !range_in(ph->p_offset, ph->p_filesz, size)) {
        uint64_t sum;
        const char *why = __builtin_add_overflow(ph->p_offset, ph->p_filesz, &sum)
                              ? "overflows 64 bits"
                              : "past end of file";
        return elf_fail(err, errlen,
                        "segment %zu: file range 0x%" PRIx64 "+0x%" PRIx64 " %s (%zu bytes)", i,
                        (uint64_t)ph->p_offset, (uint64_t)ph->p_filesz, why, size);
    }
    if (__builtin_add_overflow(vaddr, memsz, &end))
        return elf_fail(err, errlen,
                        "segment %zu: address range 0x%" PRIx64 "+0x%" PRIx64 " overflows 64 bits",
                        i, vaddr, memsz);
    if (vaddr < lim->min_addr || end > lim->max_addr)
        return elf_fail(err, errlen,
                        "segment %zu: 0x%" PRIx64 "-0x%" PRIx64
                        " outside the allowed range 0x%" PRIx64 "-0x%" PRIx64,
                        i, vaddr, end, lim->min_addr, lim->max_addr);
    if (!range_in(vaddr, memsz, lim->mem_size))
        return elf_fail(err, errlen,
                        "segment %zu: 0x%" PRIx64 "-0x%" PRIx64 " beyond guest memory (0x%" PRIx64
                        " bytes)",
                        i, vaddr, end, lim->mem_size);
    uint64_t align = ph->p_align;
    if (align > 1) {
        if (align & (align - 1))
            return elf_fail(err, errlen, "segment %zu: p_align 0x%" PRIx64 " is not a power of two",
                            i, align);
        if ((vaddr & (align - 1)) != (ph->p_offset & (align - 1)))
            return elf_fail(err, errlen,
                            "segment %zu: p_vaddr 0x%" PRIx64 " and p_offset 0x%" PRIx64
                            " differ modulo p_align 0x%" PRIx64,
                            i, vaddr, (uint64_t)ph->p_offset, align);
    }
    *seg = (struct load_seg){.index = i,
                             .offset = ph->p_offset,
                             .vaddr = vaddr,
                             .filesz = ph->p_filesz,
                             .memsz = memsz,
                             .page_lo = vaddr & ~PAGE_MASK_4K,
                             .flags = ph->p_flags & (PF_R | PF_W | PF_X)};
    if (!align_up(end, UKVM_PAGE_SIZE, &seg->page_hi))
        return elf_fail(err, errlen,
                        "segment %zu: end 0x%" PRIx64 " overflows when rounded up to a page", i,
                        end);
    return 0;
}

/* Collects and checks the PT_LOAD segments, including pairwise overlap. */
static int check_loads(Elf *elf, size_t phnum, size_t size, const struct load_limits *lim,
                       struct load_seg *segs, size_t *nsegs, char *err, size_t errlen)
{
    size_t n = 0;
    for (size_t i = 0; i < phnum; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(elf, (int)i, &ph))
            return elf_fail(err, errlen, "cannot read program header %zu: %s", i, elf_errmsg(-1));
        /* An empty PT_LOAD maps nothing; skipping it keeps it out of the overlap test. */
        if (ph.p_type != PT_LOAD || (ph.p_memsz == 0 && ph.p_filesz == 0))
            continue;
        if (n == ELF_LOAD_MAX_SEGMENTS)
            return elf_fail(err, errlen,
                            "more than %d PT_LOAD segments (segment %zu is one too many)",
                            ELF_LOAD_MAX_SEGMENTS, i);
        struct load_seg *s = &segs[n];
        if (check_load(&ph, i, size, lim, s, err, errlen) != 0)
            return -1;
        /* Permissions are per page, so two segments sharing a page would conflict. */
        for (size_t j = 0; j < n; j++) {
            const struct load_seg *o = &segs[j];
            if (s->page_lo < o->page_hi && o->page_lo < s->page_hi)
                return elf_fail(err, errlen,
                                "segments %zu and %zu overlap: 0x%" PRIx64 "-0x%" PRIx64
                                " and 0x%" PRIx64 "-0x%" PRIx64 " share a 4 KiB page",
                                o->index, s->index, o->vaddr, o->vaddr + o->memsz, s->vaddr,
                                s->vaddr + s->memsz);
        }
        n++;
    }
    if (n == 0)
        return elf_fail(err, errlen, "no PT_LOAD segment: nothing to load");
    *nsegs = n;
    return 0;
}

static int check_entry(uint64_t entry, const struct load_seg *segs, size_t n, char *err,
                       size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        if (entry < segs[i].vaddr || entry - segs[i].vaddr >= segs[i].memsz)
            continue;
        if (!(segs[i].flags & PF_X)) {
            char f[4];
            return elf_fail(err, errlen,
                            "entry point 0x%" PRIx64 " is in segment %zu, which is not executable "
                            "(flags %s)",
                            entry, segs[i].index, flags_str(segs[i].flags, f));
        }
        return 0;
    }
    return elf_fail(err, errlen, "entry point 0x%" PRIx64 " is not inside any PT_LOAD segment",
                    entry);
}

/* Validation with an open libelf handle; fills img and segs. Touches no guest memory. */
static int validate(Elf *elf, const uint8_t *data, size_t size, const struct load_limits *lim,
                    struct elf_image *img, struct load_seg *segs, char *err, size_t errlen)
{
    GElf_Ehdr eh;
    size_t phnum = 0;
    if (!gelf_getehdr(elf, &eh))
        return elf_fail(err, errlen, "cannot read the ELF header: %s", elf_errmsg(-1));
    if (check_ehdr(&eh, err, errlen) != 0 ||
        check_phdr_table(elf, &eh, size, &phnum, err, errlen) != 0)
        return -1;
    /* The note comes before the segments, so that any other ELF handed to ukvm by mistake
     * is called what it is rather than failing on some layout detail. */
    if (elf_find_abi_note(elf, data, size, phnum, &img->abi_version, &img->notes, err, errlen) !=
            0 ||
        check_loads(elf, phnum, size, lim, segs, &img->nsegments, err, errlen) != 0 ||
        check_entry(eh.e_entry, segs, img->nsegments, err, errlen) != 0)
        return -1;
    img->entry = eh.e_entry;
    img->lowest = UINT64_MAX;
    img->highest = 0;
    for (size_t i = 0; i < img->nsegments; i++) {
        const struct load_seg *s = &segs[i];
        img->segments[i] = (struct elf_segment){
            .vaddr = s->vaddr, .memsz = s->memsz, .filesz = s->filesz, .flags = s->flags};
        if (s->vaddr < img->lowest)
            img->lowest = s->vaddr;
        if (s->vaddr + s->memsz > img->highest) /* no wrap: checked in check_load */
            img->highest = s->vaddr + s->memsz;
    }
    return 0;
}

int elf_load_buffer(const void *data, size_t size, uint8_t *mem, uint64_t mem_size,
                    uint64_t min_addr, uint64_t max_addr, struct elf_image *out, char *err,
                    size_t errlen)
{
    static bool libelf_ready;
    const uint8_t *d = data;
    if (err && errlen > 0)
        err[0] = '\0';
    if (!d && size > 0)
        return elf_fail(err, errlen, "no ELF data (NULL buffer of %zu bytes)", size);
    if (check_ident(d, size, err, errlen) != 0)
        return -1;
    if (!libelf_ready) {
        if (elf_version(EV_CURRENT) == EV_NONE)
            return elf_fail(err, errlen, "libelf is too old: %s", elf_errmsg(-1));
        libelf_ready = true;
    }
    /*
     * elf_memory takes a non-const image because libelf writes to it only through
     * elf_update and the gelf_update_* calls, which this file never makes. elf_load_file's
     * mapping is PROT_READ, and the fuzz target runs under libFuzzer's overwritten-input
     * check, so a write would be caught rather than corrupt the caller's buffer.
     */
    Elf *elf = elf_memory((char *)(uintptr_t)d, size);
    if (!elf)
        return elf_fail(err, errlen, "not a valid ELF file: %s", elf_errmsg(-1));
    struct elf_image img = {0};
    struct load_seg segs[ELF_LOAD_MAX_SEGMENTS];
    const struct load_limits lim = {min_addr, max_addr, mem_size};
    int rc = -1;
    if (elf_kind(elf) != ELF_K_ELF)
        elf_fail(err, errlen, "not a valid ELF file (libelf does not recognise it)");
    else
        rc = validate(elf, d, size, &lim, &img, segs, err, errlen);
    elf_end(elf);
    if (rc != 0)
        return -1;
    if (mem) {
        /* Every range was checked against the file size and mem_size in check_load. */
        for (size_t i = 0; i < img.nsegments; i++) {
            const struct load_seg *s = &segs[i];
            if (s->filesz > 0)
                memcpy(mem + s->vaddr, d + s->offset, s->filesz);
            zero_fill(mem + s->vaddr + s->filesz, s->memsz - s->filesz);
        }
    }
    if (out)
        *out = img;
    return 0;
}

int elf_file_read(const char *path, struct elf_file *f, char *err, size_t errlen)
{
    memset(f, 0, sizeof(*f));
    if (err && errlen > 0)
        err[0] = '\0';
    /* O_NONBLOCK: opening a FIFO must not hang before fstat can refuse it. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return elf_fail(err, errlen, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return elf_fail(err, errlen, "%s: fstat: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return elf_fail(err, errlen, "%s: %s, not a unikernel ELF file", path,
                        S_ISDIR(st.st_mode) ? "a directory" : "not a regular file");
    }
    if (st.st_size == 0) {
        close(fd);
        return elf_fail(err, errlen, "%s: empty file, not a unikernel ELF file", path);
    }
    if ((uint64_t)st.st_size > ELF_FILE_MAX) {
        close(fd);
        return elf_fail(err, errlen, "%s: file too large (%jd bytes; at most %llu MiB)", path,
                        (intmax_t)st.st_size, (unsigned long long)(ELF_FILE_MAX >> 20));
    }
    /*
     * Copied, not mapped: every check and every use then see the same bytes, even if
     * another process rewrites the file meanwhile (a private mapping would still show
     * its writes, and a truncation would raise SIGBUS).
     */
    size_t size = (size_t)st.st_size;
    uint8_t *data = malloc(size);
    if (!data) {
        close(fd);
        return elf_fail(err, errlen, "%s: out of memory for %zu bytes", path, size);
    }
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, data + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = n < 0 ? errno : 0;
            close(fd);
            free(data);
            return elf_fail(err, errlen, "%s: %s", path,
                            e ? strerror(e) : "the file shrank while read");
        }
        got += (size_t)n;
    }
    close(fd);
    f->data = data;
    f->size = size;
    return 0;
}

void elf_file_free(struct elf_file *f)
{
    free(f->data);
    f->data = NULL;
    f->size = 0;
}

int elf_load_file(const char *path, uint8_t *mem, uint64_t mem_size, uint64_t min_addr,
                  uint64_t max_addr, struct elf_image *out, char *err, size_t errlen)
{
    struct elf_file f;
    if (elf_file_read(path, &f, err, errlen) < 0)
        return -1;
    char why[256];
    int rc =
        elf_load_buffer(f.data, f.size, mem, mem_size, min_addr, max_addr, out, why, sizeof(why));
    elf_file_free(&f);
    if (rc != 0)
        return elf_fail(err, errlen, "%s: %s", path, why);
    return 0;
}
