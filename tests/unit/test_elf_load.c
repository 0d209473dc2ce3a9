/*
 * test_elf_load.c: the ELF loader against a valid image and one defect at a time.
 *
 * Every image is written by hand into a buffer here (no toolchain, no fixture files), so
 * each test states exactly which byte is wrong. The valid image:
 *
 *   file offset   contents                         loads at
 *   0x0000        Elf64_Ehdr
 *   0x0040        program headers (3, room for 20)
 *   0x0800        the ukvm ABI note (24 bytes)     PT_NOTE
 *   0x1000        text, 0x100 bytes                0x100000  R-X  (entry)
 *   0x2000        data, 0x80 bytes + 0x1780 bss    0x101000  RW-
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sys/mman.h>

#include "ukvm/guest/elf_load.h"
#include "ukvm_abi.h"
#include "unit.h"

#define IMG_CAP   0x4000
#define NOTE_OFF  0x800
#define NOTE_SIZE 24 /* 12-byte header + "ukvm\0" padded to 8 + 4-byte version */
#define TEXT_OFF  0x1000
#define TEXT_VA   0x100000ULL
#define TEXT_SZ   0x100
#define DATA_OFF  0x2000
#define DATA_VA   0x101000ULL
#define DATA_FSZ  0x80
#define DATA_MSZ  0x1800
#define IMG_SIZE  (DATA_OFF + DATA_FSZ)
#define MEM_SIZE  0x200000ULL
#define MIN_ADDR  UKVM_KERNEL_MIN_GPA

enum { PH_TEXT, PH_DATA, PH_NOTE };

static uint8_t img[IMG_CAP] __attribute__((aligned(16)));
static size_t img_size;
static uint8_t *guest; /* MEM_SIZE bytes, refilled with 0xAA before every load */
static struct elf_image image;
static char err[256];

static Elf64_Ehdr *ehdr(void)
{
    return (Elf64_Ehdr *)img;
}

static Elf64_Phdr *phdr(int i)
{
    return (Elf64_Phdr *)(img + sizeof(Elf64_Ehdr) + (size_t)i * sizeof(Elf64_Phdr));
}

static void set_phdr(int i, uint32_t type, uint32_t flags, uint64_t off, uint64_t vaddr,
                     uint64_t filesz, uint64_t memsz, uint64_t align)
{
    *phdr(i) = (Elf64_Phdr){.p_type = type,
                            .p_flags = flags,
                            .p_offset = off,
                            .p_vaddr = vaddr,
                            .p_paddr = vaddr,
                            .p_filesz = filesz,
                            .p_memsz = memsz,
                            .p_align = align};
}

/* Writes one note at p; name is namesz bytes (NUL included), padded to 4. Returns its size. */
static size_t put_note(uint8_t *p, uint32_t namesz, uint32_t descsz, uint32_t type,
                       const char *name, uint32_t desc)
{
    uint32_t hdr[3] = {namesz, descsz, type};
    size_t name_pad = (namesz + 3u) & ~3u;
    memcpy(p, hdr, sizeof(hdr));
    memset(p + 12, 0, name_pad);
    memcpy(p + 12, name, namesz < 8 ? namesz : 8);
    memcpy(p + 12 + name_pad, &desc, sizeof(desc));
    return 12 + name_pad + 4;
}

static void build_valid(void)
{
    memset(img, 0, sizeof(img));
    *ehdr() = (Elf64_Ehdr){.e_type = ET_EXEC,
                           .e_machine = EM_X86_64,
                           .e_version = EV_CURRENT,
                           .e_entry = TEXT_VA + 0x10,
                           .e_phoff = sizeof(Elf64_Ehdr),
                           .e_ehsize = sizeof(Elf64_Ehdr),
                           .e_phentsize = sizeof(Elf64_Phdr),
                           .e_phnum = 3};
    memcpy(ehdr()->e_ident, ELFMAG, SELFMAG);
    ehdr()->e_ident[EI_CLASS] = ELFCLASS64;
    ehdr()->e_ident[EI_DATA] = ELFDATA2LSB;
    ehdr()->e_ident[EI_VERSION] = EV_CURRENT;
    set_phdr(PH_TEXT, PT_LOAD, PF_R | PF_X, TEXT_OFF, TEXT_VA, TEXT_SZ, TEXT_SZ, 0x1000);
    set_phdr(PH_DATA, PT_LOAD, PF_R | PF_W, DATA_OFF, DATA_VA, DATA_FSZ, DATA_MSZ, 0x1000);
    set_phdr(PH_NOTE, PT_NOTE, PF_R, NOTE_OFF, 0, NOTE_SIZE, NOTE_SIZE, 4);
    put_note(img + NOTE_OFF, 5, 4, UKVM_NOTE_ABI, "ukvm", UKVM_ABI_VERSION);
    for (int i = 0; i < TEXT_SZ; i++)
        img[TEXT_OFF + i] = (uint8_t)(0x10 + i);
    for (int i = 0; i < DATA_FSZ; i++)
        img[DATA_OFF + i] = (uint8_t)(0xd0 ^ i);
    img_size = IMG_SIZE;
}

static int load_max(uint64_t max_addr)
{
    memset(guest, 0xAA, MEM_SIZE);
    memset(&image, 0, sizeof(image));
    memset(err, 0, sizeof(err));
    return elf_load_buffer(img, img_size, guest, MEM_SIZE, MIN_ADDR, max_addr, &image, err,
                           sizeof(err));
}

static int load(void)
{
    return load_max(MEM_SIZE);
}

/* Writes the image to a fresh temporary file; returns its path (static buffer). */
static const char *write_temp(const void *data, size_t size)
{
    static char path[64];
    snprintf(path, sizeof(path), "/tmp/ukvm_test_elf_XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        return NULL;
    ssize_t n = size ? write(fd, data, size) : 0;
    close(fd);
    return n == (ssize_t)size ? path : NULL;
}

static int load_path(const char *path)
{
    memset(guest, 0xAA, MEM_SIZE);
    memset(err, 0, sizeof(err));
    return elf_load_file(path, guest, MEM_SIZE, MIN_ADDR, MEM_SIZE, &image, err, sizeof(err));
}

/* One defect test: build the valid image, apply the change, expect -1 and the message. */
#define EXPECT_REJECT(needle)               \
    do {                                    \
        CHECK_EQ_U64(load(), (uint64_t)-1); \
        CHECK_STR_CONTAINS(err, needle);    \
    } while (0)

/* ---------------------------------------------------------------- valid images */

/*
 * A bss of many pages is zeroed page by page where pages are resident (here: all of
 * guest, filled with 0xAA), and left alone where they are not (a fresh anonymous
 * mapping reads as zero): both must end up all zero, with nothing past it touched.
 */
UNIT_TEST(large_bss_zeroed)
{
    const uint64_t bss = 0x40000 + 0x123; /* 64 pages and a bit: the page-wise path */
    build_valid();
    phdr(PH_DATA)->p_memsz = DATA_FSZ + bss;
    if (load() != 0)
        UNIT_FAIL("load failed: %s", err);
    for (uint64_t a = DATA_VA + DATA_FSZ; a < DATA_VA + DATA_FSZ + bss; a++)
        if (guest[a] != 0)
            UNIT_FAIL("resident bss byte at 0x%" PRIx64 " is 0x%02x, not zero", a, guest[a]);
    CHECK_EQ_U64(guest[DATA_VA + DATA_FSZ + bss], 0xAA);

    uint8_t *fresh =
        mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(fresh != MAP_FAILED);
    CHECK_EQ_U64(elf_load_buffer(img, img_size, fresh, MEM_SIZE, MIN_ADDR, MEM_SIZE, &image, err,
                                 sizeof(err)),
                 0);
    for (uint64_t a = DATA_VA + DATA_FSZ; a < DATA_VA + DATA_FSZ + bss; a++)
        if (fresh[a] != 0)
            UNIT_FAIL("fresh bss byte at 0x%" PRIx64 " is 0x%02x, not zero", a, fresh[a]);
    CHECK(memcmp(fresh + DATA_VA, img + DATA_OFF, DATA_FSZ) == 0);
    munmap(fresh, MEM_SIZE);
}

UNIT_TEST(valid_image_loads)
{
    build_valid();
    if (load() != 0)
        UNIT_FAIL("load failed: %s", err);
    CHECK_EQ_U64(image.entry, TEXT_VA + 0x10);
    CHECK_EQ_U64(image.lowest, TEXT_VA);
    CHECK_EQ_U64(image.highest, DATA_VA + DATA_MSZ);
    CHECK_EQ_U64(image.abi_version, UKVM_ABI_VERSION);
    CHECK_EQ_U64(image.nsegments, 2);
    CHECK_EQ_U64(image.segments[0].vaddr, TEXT_VA);
    CHECK_EQ_U64(image.segments[0].filesz, TEXT_SZ);
    CHECK_EQ_U64(image.segments[0].memsz, TEXT_SZ);
    CHECK_EQ_U64(image.segments[0].flags, ELF_SEG_R | ELF_SEG_X);
    CHECK_EQ_U64(image.segments[1].vaddr, DATA_VA);
    CHECK_EQ_U64(image.segments[1].filesz, DATA_FSZ);
    CHECK_EQ_U64(image.segments[1].memsz, DATA_MSZ);
    CHECK_EQ_U64(image.segments[1].flags, ELF_SEG_R | ELF_SEG_W);
    CHECK(memcmp(guest + TEXT_VA, img + TEXT_OFF, TEXT_SZ) == 0);
    CHECK(memcmp(guest + DATA_VA, img + DATA_OFF, DATA_FSZ) == 0);
    for (uint64_t a = DATA_VA + DATA_FSZ; a < DATA_VA + DATA_MSZ; a++)
        if (guest[a] != 0)
            UNIT_FAIL("bss byte at 0x%" PRIx64 " is 0x%02x, not zero", a, guest[a]);
    /* Nothing outside the segments was written. */
    CHECK_EQ_U64(guest[TEXT_VA - 1], 0xAA);
    CHECK_EQ_U64(guest[TEXT_VA + TEXT_SZ], 0xAA);
    CHECK_EQ_U64(guest[DATA_VA + DATA_MSZ], 0xAA);
}

UNIT_TEST(validate_only_with_null_mem)
{
    build_valid();
    memset(&image, 0, sizeof(image));
    int rc = elf_load_buffer(img, img_size, NULL, MEM_SIZE, MIN_ADDR, MEM_SIZE, &image, err,
                             sizeof(err));
    if (rc != 0)
        UNIT_FAIL("validate failed: %s", err);
    CHECK_EQ_U64(image.nsegments, 2);
    CHECK_EQ_U64(image.entry, TEXT_VA + 0x10);
}

UNIT_TEST(note_found_in_section)
{
    /* No PT_NOTE: the note is only reachable through an SHT_NOTE section named .note.ukvm. */
    static const char shstrtab[] = "\0.note.ukvm\0.shstrtab";
    const size_t str_off = IMG_SIZE, sh_off = IMG_SIZE + 0x40;
    build_valid();
    phdr(PH_NOTE)->p_type = PT_NULL;
    memcpy(img + str_off, shstrtab, sizeof(shstrtab));
    Elf64_Shdr *sh = (Elf64_Shdr *)(img + sh_off);
    sh[1] = (Elf64_Shdr){.sh_name = 1,
                         .sh_type = SHT_NOTE,
                         .sh_offset = NOTE_OFF,
                         .sh_size = NOTE_SIZE,
                         .sh_addralign = 4};
    sh[2] = (Elf64_Shdr){.sh_name = 12,
                         .sh_type = SHT_STRTAB,
                         .sh_offset = str_off,
                         .sh_size = sizeof(shstrtab),
                         .sh_addralign = 1};
    ehdr()->e_shoff = sh_off;
    ehdr()->e_shentsize = sizeof(Elf64_Shdr);
    ehdr()->e_shnum = 3;
    ehdr()->e_shstrndx = 2;
    img_size = sh_off + 3 * sizeof(Elf64_Shdr);
    if (load() != 0)
        UNIT_FAIL("load failed: %s", err);
    CHECK_EQ_U64(image.abi_version, UKVM_ABI_VERSION);

    /* The same note in a section with another name does not count. */
    memcpy(img + str_off + 1, ".note.ukvx", 10);
    EXPECT_REJECT("neither a ukvm ABI note (.note.ukvm");
}

UNIT_TEST(note_after_other_note_8_byte_aligned)
{
    /*
     * A PT_NOTE with p_align 8 pads every name and descriptor to 8 bytes (as GNU property
     * notes do). A 4-byte "GNU" descriptor is followed by 4 bytes of padding, and the ukvm
     * note's descriptor starts at 48, not 44: reading it with 4-byte rules would fail.
     */
    build_valid();
    uint8_t *p = img + NOTE_OFF;
    memset(p, 0, 64);
    uint32_t gnu[3] = {4, 4, 5}, ukvm[3] = {5, 4, UKVM_NOTE_ABI}, version = UKVM_ABI_VERSION;
    uint32_t decoy = 0x77777777;
    memcpy(p, gnu, 12);
    memcpy(p + 12, "GNU", 4);
    memcpy(p + 16, &decoy, 4);
    memcpy(p + 24, ukvm, 12);
    memcpy(p + 36, "ukvm", 5);
    memcpy(p + 44, &decoy, 4);
    memcpy(p + 48, &version, 4);
    set_phdr(PH_NOTE, PT_NOTE, PF_R, NOTE_OFF, 0, 56, 56, 8);
    if (load() != 0)
        UNIT_FAIL("load failed: %s", err);
    CHECK_EQ_U64(image.abi_version, UKVM_ABI_VERSION);
}

UNIT_TEST(sixteen_segments_load)
{
    build_valid();
    for (int i = 0; i < ELF_LOAD_MAX_SEGMENTS; i++)
        set_phdr(i, PT_LOAD, PF_R | PF_X, TEXT_OFF, TEXT_VA + 0x1000 * (uint64_t)i, 0x20, 0x20,
                 0x1000);
    set_phdr(ELF_LOAD_MAX_SEGMENTS, PT_NOTE, PF_R, NOTE_OFF, 0, NOTE_SIZE, NOTE_SIZE, 4);
    ehdr()->e_phnum = ELF_LOAD_MAX_SEGMENTS + 1;
    if (load() != 0)
        UNIT_FAIL("load failed: %s", err);
    CHECK_EQ_U64(image.nsegments, ELF_LOAD_MAX_SEGMENTS);
    CHECK_EQ_U64(image.highest, TEXT_VA + 0x1000 * (ELF_LOAD_MAX_SEGMENTS - 1) + 0x20);
}

UNIT_TEST(empty_pt_load_ignored)
{
    build_valid();
    set_phdr(PH_NOTE + 1, PT_LOAD, PF_R, 0x7fffffff, TEXT_VA, 0, 0, 0x1000);
    ehdr()->e_phnum = 4;
    if (load() != 0)
        UNIT_FAIL("load failed: %s", err);
    CHECK_EQ_U64(image.nsegments, 2);
}

UNIT_TEST(pt_interp_ignored)
{
    /*
     * Every ukvm unikernel has a PT_INTERP naming a path that cannot exist
     * (kernel/interp.S), first in the table as ELF asks, so that running it on the host
     * fails in execve. The loader loads it like any other image and never reads the path:
     * the second image points PT_INTERP past the end of the file and still loads.
     */
    static const char interp[] = "/nonexistent/ukvm/run-with-ukvm";
    const size_t interp_off = NOTE_OFF + 0x100;
    for (int pass = 0; pass < 2; pass++) {
        build_valid();
        for (int i = PH_NOTE + 1; i > 0; i--)
            *phdr(i) = *phdr(i - 1);
        memcpy(img + interp_off, interp, sizeof(interp));
        set_phdr(0, PT_INTERP, PF_R, pass == 0 ? interp_off : 0x7fffffff, 0, sizeof(interp),
                 sizeof(interp), 1);
        ehdr()->e_phnum = 4;
        if (load() != 0)
            UNIT_FAIL("load failed (image %d): %s", pass, err);
        CHECK_EQ_U64(image.nsegments, 2);
        CHECK_EQ_U64(image.entry, TEXT_VA + 0x10);
        CHECK_EQ_U64(image.segments[0].vaddr, TEXT_VA);
        CHECK(memcmp(guest + TEXT_VA, img + TEXT_OFF, TEXT_SZ) == 0);
    }
}

UNIT_TEST(load_file_ok)
{
    build_valid();
    const char *path = write_temp(img, img_size);
    CHECK(path != NULL);
    int rc = load_path(path);
    unlink(path);
    if (rc != 0)
        UNIT_FAIL("load failed: %s", err);
    CHECK(memcmp(guest + TEXT_VA, img + TEXT_OFF, TEXT_SZ) == 0);
    CHECK_EQ_U64(guest[DATA_VA + DATA_FSZ], 0);
}

/* ---------------------------------------------------------------- identification, header */

UNIT_TEST(rejects_wrong_magic)
{
    build_valid();
    img[3] = 'G';
    EXPECT_REJECT("bad magic 7f 45 4c 47");
}

UNIT_TEST(rejects_empty_buffer)
{
    build_valid();
    img_size = 0;
    EXPECT_REJECT("not an ELF file");
}

UNIT_TEST(rejects_32_bit)
{
    build_valid();
    img[EI_CLASS] = ELFCLASS32;
    EXPECT_REJECT("32-bit");
}

UNIT_TEST(rejects_big_endian)
{
    build_valid();
    img[EI_DATA] = ELFDATA2MSB;
    EXPECT_REJECT("big-endian");
}

UNIT_TEST(rejects_wrong_machine)
{
    build_valid();
    ehdr()->e_machine = EM_AARCH64;
    EXPECT_REJECT("machine 183 is not x86_64");
}

UNIT_TEST(rejects_et_dyn)
{
    build_valid();
    ehdr()->e_type = ET_DYN;
    EXPECT_REJECT("ET_DYN");
}

UNIT_TEST(rejects_et_rel)
{
    build_valid();
    ehdr()->e_type = ET_REL;
    EXPECT_REJECT("ET_REL");
}

UNIT_TEST(rejects_truncated_header)
{
    build_valid();
    img_size = 40;
    EXPECT_REJECT("truncated ELF header: file has 40 bytes");
}

/* ---------------------------------------------------------------- program-header table */

UNIT_TEST(rejects_phoff_past_end)
{
    build_valid();
    ehdr()->e_phoff = 0x10000;
    EXPECT_REJECT("program header table 0x10000+0xa8 (3 entries) past end of file");
}

UNIT_TEST(rejects_phoff_overflow)
{
    build_valid();
    ehdr()->e_phoff = UINT64_MAX - 8;
    EXPECT_REJECT("overflows 64 bits");
}

UNIT_TEST(rejects_phnum_huge)
{
    /* PN_XNUM: the count (here 2^32-1) comes from section header 0, and with a large
     * e_phoff, phoff + phnum * phentsize wraps. */
    build_valid();
    const size_t sh_off = IMG_SIZE;
    Elf64_Shdr *sh0 = (Elf64_Shdr *)(img + sh_off);
    *sh0 = (Elf64_Shdr){.sh_info = UINT32_MAX};
    ehdr()->e_shoff = sh_off;
    ehdr()->e_shentsize = sizeof(Elf64_Shdr);
    ehdr()->e_shnum = 1;
    ehdr()->e_phnum = PN_XNUM;
    ehdr()->e_phoff = 0xffffffffff000000ULL;
    img_size = sh_off + sizeof(Elf64_Shdr);
    EXPECT_REJECT("program header table 0xffffffffff000000+4294967295*56 overflows");

    /* Without the overflow it still has to fit in the file. */
    ehdr()->e_phoff = sizeof(Elf64_Ehdr);
    EXPECT_REJECT("(4294967295 entries) past end of file");
}

UNIT_TEST(rejects_bad_phentsize)
{
    build_valid();
    ehdr()->e_phentsize = 32;
    EXPECT_REJECT("program header entry size 32, need 56");
}

UNIT_TEST(rejects_no_pt_load)
{
    build_valid();
    phdr(PH_TEXT)->p_type = PT_NULL;
    phdr(PH_DATA)->p_type = PT_NULL;
    EXPECT_REJECT("no PT_LOAD segment");
}

UNIT_TEST(rejects_too_many_pt_loads)
{
    build_valid();
    for (int i = 0; i <= ELF_LOAD_MAX_SEGMENTS; i++)
        set_phdr(i, PT_LOAD, PF_R | PF_X, TEXT_OFF, TEXT_VA + 0x1000 * (uint64_t)i, 0x10, 0x10,
                 0x1000);
    set_phdr(ELF_LOAD_MAX_SEGMENTS + 1, PT_NOTE, PF_R, NOTE_OFF, 0, NOTE_SIZE, NOTE_SIZE, 4);
    ehdr()->e_phnum = ELF_LOAD_MAX_SEGMENTS + 2;
    EXPECT_REJECT("more than 16 PT_LOAD segments (segment 16");
}

/* ---------------------------------------------------------------- one PT_LOAD */

UNIT_TEST(rejects_filesz_past_eof)
{
    build_valid();
    phdr(PH_DATA)->p_filesz = 0x1000;
    EXPECT_REJECT("segment 1: file range 0x2000+0x1000 past end of file (8320 bytes)");
}

UNIT_TEST(rejects_filesz_offset_overflow)
{
    build_valid();
    phdr(PH_DATA)->p_offset = 0xfffffffffffff000ULL;
    phdr(PH_DATA)->p_filesz = 0x1080;
    phdr(PH_DATA)->p_memsz = 0x2000;
    EXPECT_REJECT("segment 1: file range 0xfffffffffffff000+0x1080 overflows 64 bits");
}

UNIT_TEST(rejects_filesz_above_memsz)
{
    build_valid();
    phdr(PH_DATA)->p_memsz = 0x40;
    EXPECT_REJECT("segment 1: p_filesz 0x80 is larger than p_memsz 0x40");
}

UNIT_TEST(rejects_vaddr_memsz_overflow)
{
    build_valid();
    phdr(PH_DATA)->p_vaddr = 0xfffffffffffff000ULL;
    phdr(PH_DATA)->p_memsz = 0x2000;
    EXPECT_REJECT("segment 1: address range 0xfffffffffffff000+0x2000 overflows 64 bits");
}

UNIT_TEST(rejects_segment_below_min_addr)
{
    build_valid();
    phdr(PH_TEXT)->p_vaddr = 0xff000;
    ehdr()->e_entry = 0xff010;
    EXPECT_REJECT("segment 0: 0xff000-0xff100 outside the allowed range 0x100000-0x200000");
}

UNIT_TEST(rejects_segment_above_max_addr)
{
    build_valid();
    CHECK_EQ_U64(load_max(0x101800), (uint64_t)-1);
    CHECK_STR_CONTAINS(err, "segment 1: 0x101000-0x102800 outside the allowed range");
}

UNIT_TEST(rejects_segment_beyond_guest_memory)
{
    build_valid();
    phdr(PH_DATA)->p_vaddr = MEM_SIZE - 0x1000;
    CHECK_EQ_U64(load_max(UINT64_MAX), (uint64_t)-1);
    CHECK_STR_CONTAINS(err, "segment 1: 0x1ff000-0x200800 beyond guest memory (0x200000 bytes)");
}

UNIT_TEST(rejects_overlapping_segments)
{
    build_valid();
    phdr(PH_DATA)->p_vaddr = TEXT_VA + 0x80;
    phdr(PH_DATA)->p_align = 0;
    EXPECT_REJECT("segments 0 and 1 overlap");
}

UNIT_TEST(rejects_overlap_within_one_page)
{
    /* Disjoint bytes, but one page would need both R-X and RW- permissions. */
    build_valid();
    phdr(PH_DATA)->p_vaddr = TEXT_VA + 0x800;
    phdr(PH_DATA)->p_memsz = 0x80;
    phdr(PH_DATA)->p_align = 1;
    EXPECT_REJECT("share a 4 KiB page");
}

UNIT_TEST(rejects_align_not_power_of_two)
{
    build_valid();
    phdr(PH_DATA)->p_align = 0x3000;
    EXPECT_REJECT("segment 1: p_align 0x3000 is not a power of two");
}

UNIT_TEST(rejects_align_incongruent)
{
    build_valid();
    phdr(PH_DATA)->p_vaddr = DATA_VA + 0x10;
    EXPECT_REJECT("segment 1: p_vaddr 0x101010 and p_offset 0x2000 differ modulo p_align 0x1000");
}

/* ---------------------------------------------------------------- entry point */

UNIT_TEST(rejects_entry_outside_segments)
{
    build_valid();
    ehdr()->e_entry = 0x180000;
    EXPECT_REJECT("entry point 0x180000 is not inside any PT_LOAD segment");
}

UNIT_TEST(rejects_entry_one_past_segment)
{
    build_valid();
    ehdr()->e_entry = TEXT_VA + TEXT_SZ;
    EXPECT_REJECT("is not inside any PT_LOAD segment");
}

UNIT_TEST(rejects_entry_not_executable)
{
    build_valid();
    ehdr()->e_entry = DATA_VA;
    EXPECT_REJECT("entry point 0x101000 is in segment 1, which is not executable (flags RW-)");
}

/* ---------------------------------------------------------------- ABI note */

UNIT_TEST(rejects_no_abi_note)
{
    build_valid();
    phdr(PH_NOTE)->p_type = PT_NULL;
    EXPECT_REJECT("not a unikernel ukvm can run: it has neither a ukvm ABI note (.note.ukvm: build "
                  "it with ukvm's kernel) nor a Solo5 ABI note (.note.solo5.abi)");
}

UNIT_TEST(rejects_note_with_other_owner_or_type)
{
    build_valid();
    phdr(PH_NOTE)->p_filesz = put_note(img + NOTE_OFF, 4, 4, UKVM_NOTE_ABI, "GNU", 1);
    EXPECT_REJECT("neither a ukvm ABI note (.note.ukvm");
    build_valid();
    put_note(img + NOTE_OFF, 5, 4, UKVM_NOTE_ABI + 1, "ukvm", UKVM_ABI_VERSION);
    EXPECT_REJECT("neither a ukvm ABI note (.note.ukvm");
}

UNIT_TEST(rejects_wrong_abi_version)
{
    build_valid();
    put_note(img + NOTE_OFF, 5, 4, UKVM_NOTE_ABI, "ukvm", UKVM_ABI_VERSION + 41);
    char want[80];
    snprintf(want, sizeof(want), "built for ukvm ABI version %d, this monitor speaks %d",
             UKVM_ABI_VERSION + 41, UKVM_ABI_VERSION);
    EXPECT_REJECT(want);
}

UNIT_TEST(rejects_note_namesz_past_segment)
{
    build_valid();
    put_note(img + NOTE_OFF, 5, 4, UKVM_NOTE_ABI, "ukvm", UKVM_ABI_VERSION);
    uint32_t huge = UINT32_MAX;
    memcpy(img + NOTE_OFF, &huge, 4);
    EXPECT_REJECT("segment 2 (PT_NOTE): note at offset 0x0 (namesz 4294967295, descsz 4) runs "
                  "past the end");
}

UNIT_TEST(rejects_note_descsz_past_segment)
{
    build_valid();
    uint32_t big = 0x100;
    memcpy(img + NOTE_OFF + 4, &big, 4);
    EXPECT_REJECT("(namesz 5, descsz 256) runs past the end (0x18 bytes)");
}

UNIT_TEST(rejects_note_truncated_header)
{
    build_valid();
    phdr(PH_NOTE)->p_filesz = NOTE_SIZE + 4;
    EXPECT_REJECT("truncated note header at offset 0x18");
}

UNIT_TEST(rejects_note_wrong_descsz)
{
    build_valid();
    uint32_t eight = 8;
    memcpy(img + NOTE_OFF + 4, &eight, 4);
    phdr(PH_NOTE)->p_filesz = NOTE_SIZE + 4;
    EXPECT_REJECT("ukvm ABI note has a 8-byte descriptor, need 4");
}

UNIT_TEST(rejects_pt_note_past_eof)
{
    build_valid();
    phdr(PH_NOTE)->p_offset = IMG_SIZE - 8;
    EXPECT_REJECT("segment 2 (PT_NOTE): file range 0x2078+0x18 past end of file");
}

/* ---------------------------------------------------------------- files */

UNIT_TEST(rejects_empty_file)
{
    const char *path = write_temp("", 0);
    CHECK(path != NULL);
    int rc = load_path(path);
    unlink(path);
    CHECK_EQ_U64(rc, (uint64_t)-1);
    CHECK_STR_CONTAINS(err, path);
    CHECK_STR_CONTAINS(err, "empty file");
}

UNIT_TEST(rejects_directory)
{
    CHECK_EQ_U64(load_path("/tmp"), (uint64_t)-1);
    CHECK_STR_CONTAINS(err, "/tmp: a directory, not a unikernel ELF file");
}

UNIT_TEST(rejects_fifo_without_blocking)
{
    char path[64];
    snprintf(path, sizeof(path), "/tmp/ukvm_test_fifo_%d", (int)getpid());
    unlink(path);
    CHECK(mkfifo(path, 0600) == 0);
    int rc = load_path(path);
    unlink(path);
    CHECK_EQ_U64(rc, (uint64_t)-1);
    CHECK_STR_CONTAINS(err, "not a regular file");
}

UNIT_TEST(rejects_nonexistent_path)
{
    CHECK_EQ_U64(load_path("/nonexistent/ukvm/kernel.ukvm"), (uint64_t)-1);
    CHECK_STR_CONTAINS(err, "/nonexistent/ukvm/kernel.ukvm: No such file or directory");
}

UNIT_TEST(file_errors_name_the_path)
{
    build_valid();
    ehdr()->e_machine = EM_386;
    const char *path = write_temp(img, img_size);
    CHECK(path != NULL);
    int rc = load_path(path);
    unlink(path);
    CHECK_EQ_U64(rc, (uint64_t)-1);
    CHECK_STR_CONTAINS(err, path);
    CHECK_STR_CONTAINS(err, ": ELF machine 3 is not x86_64");
}

/* ---------------------------------------------------------------- error reporting */

UNIT_TEST(err_truncated_to_tiny_errlen)
{
    char small[16];
    build_valid();
    img[0] = 0;
    memset(small, 0x55, sizeof(small));
    CHECK_EQ_U64(
        elf_load_buffer(img, img_size, NULL, MEM_SIZE, MIN_ADDR, MEM_SIZE, &image, small, 8),
        (uint64_t)-1);
    CHECK_EQ_U64(strnlen(small, 8), 7);
    CHECK_STR_CONTAINS(small, "not an");
    for (int i = 8; i < 16; i++)
        CHECK_EQ_U64((uint8_t)small[i], 0x55);

    /* errlen 0 writes nothing at all; err NULL is allowed. */
    memset(small, 0x55, sizeof(small));
    CHECK_EQ_U64(
        elf_load_buffer(img, img_size, NULL, MEM_SIZE, MIN_ADDR, MEM_SIZE, &image, small, 0),
        (uint64_t)-1);
    CHECK_EQ_U64((uint8_t)small[0], 0x55);
    CHECK_EQ_U64(
        elf_load_buffer(img, img_size, NULL, MEM_SIZE, MIN_ADDR, MEM_SIZE, &image, NULL, 64),
        (uint64_t)-1);

    /* Same for elf_load_file, whose messages are longer (they carry the path). */
    memset(small, 0x55, sizeof(small));
    CHECK_EQ_U64(
        elf_load_file("/nonexistent/x", NULL, MEM_SIZE, MIN_ADDR, MEM_SIZE, &image, small, 8),
        (uint64_t)-1);
    CHECK_EQ_U64(strnlen(small, 8), 7);
    CHECK_EQ_U64((uint8_t)small[8], 0x55);
}

UNIT_TEST(failure_leaves_memory_and_image_untouched)
{
    /* Everything is checked before anything is copied. */
    build_valid();
    ehdr()->e_entry = DATA_VA; /* fails last, after every segment check passed */
    memset(guest, 0xAA, MEM_SIZE);
    memset(&image, 0x5a, sizeof(image));
    CHECK_EQ_U64(elf_load_buffer(img, img_size, guest, MEM_SIZE, MIN_ADDR, MEM_SIZE, &image, err,
                                 sizeof(err)),
                 (uint64_t)-1);
    CHECK_STR_CONTAINS(err, "not executable");
    for (uint64_t a = 0; a < MEM_SIZE; a++)
        if (guest[a] != 0xAA)
            UNIT_FAIL("guest byte 0x%" PRIx64 " written by a failed load", a);
    CHECK_EQ_U64(image.entry, 0x5a5a5a5a5a5a5a5aULL);
}

int main(void)
{
    guest = malloc(MEM_SIZE);
    if (!guest) {
        printf("FAIL main: cannot allocate guest memory\n");
        return 1;
    }
    UNIT_RUN(valid_image_loads);
    UNIT_RUN(validate_only_with_null_mem);
    UNIT_RUN(note_found_in_section);
    UNIT_RUN(note_after_other_note_8_byte_aligned);
    UNIT_RUN(sixteen_segments_load);
    UNIT_RUN(empty_pt_load_ignored);
    UNIT_RUN(pt_interp_ignored);
    UNIT_RUN(load_file_ok);
    UNIT_RUN(rejects_wrong_magic);
    UNIT_RUN(rejects_empty_buffer);
    UNIT_RUN(rejects_32_bit);
    UNIT_RUN(rejects_big_endian);
    UNIT_RUN(rejects_wrong_machine);
    UNIT_RUN(rejects_et_dyn);
    UNIT_RUN(rejects_et_rel);
    UNIT_RUN(rejects_truncated_header);
    UNIT_RUN(rejects_phoff_past_end);
    UNIT_RUN(rejects_phoff_overflow);
    UNIT_RUN(rejects_phnum_huge);
    UNIT_RUN(rejects_bad_phentsize);
    UNIT_RUN(rejects_no_pt_load);
    UNIT_RUN(rejects_too_many_pt_loads);
    UNIT_RUN(rejects_filesz_past_eof);
    UNIT_RUN(rejects_filesz_offset_overflow);
    UNIT_RUN(large_bss_zeroed);
    UNIT_RUN(rejects_filesz_above_memsz);
    UNIT_RUN(rejects_vaddr_memsz_overflow);
    UNIT_RUN(rejects_segment_below_min_addr);
    UNIT_RUN(rejects_segment_above_max_addr);
    UNIT_RUN(rejects_segment_beyond_guest_memory);
    UNIT_RUN(rejects_overlapping_segments);
    UNIT_RUN(rejects_overlap_within_one_page);
    UNIT_RUN(rejects_align_not_power_of_two);
    UNIT_RUN(rejects_align_incongruent);
    UNIT_RUN(rejects_entry_outside_segments);
    UNIT_RUN(rejects_entry_one_past_segment);
    UNIT_RUN(rejects_entry_not_executable);
    UNIT_RUN(rejects_no_abi_note);
    UNIT_RUN(rejects_note_with_other_owner_or_type);
    UNIT_RUN(rejects_wrong_abi_version);
    UNIT_RUN(rejects_note_namesz_past_segment);
    UNIT_RUN(rejects_note_descsz_past_segment);
    UNIT_RUN(rejects_note_truncated_header);
    UNIT_RUN(rejects_note_wrong_descsz);
    UNIT_RUN(rejects_pt_note_past_eof);
    UNIT_RUN(rejects_empty_file);
    UNIT_RUN(rejects_directory);
    UNIT_RUN(rejects_fifo_without_blocking);
    UNIT_RUN(rejects_nonexistent_path);
    UNIT_RUN(file_errors_name_the_path);
    UNIT_RUN(err_truncated_to_tiny_errlen);
    UNIT_RUN(failure_leaves_memory_and_image_untouched);
    free(guest);
    return UNIT_EXIT_STATUS();
}
