/*
 * elf_load.h: validate a unikernel ELF and copy its loadable segments into guest memory.
 *
 * Everything in the file is hostile until checked: header class, machine and type,
 * program-header bounds, segment offsets and sizes (with overflow checks), overlap,
 * alignment, the entry point, and the ukvm ABI note. Errors name the problem precisely,
 * e.g. "segment 2: file range 0x1000+0xffffffff past end of file (8192 bytes)".
 */
#ifndef UKVM_ELF_LOAD_H
#define UKVM_ELF_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "solo5_hvt_abi.h"

#define ELF_LOAD_MAX_SEGMENTS 16

/* Segment permission bits (the ELF PF_* values). */
#define ELF_SEG_X 1u
#define ELF_SEG_W 2u
#define ELF_SEG_R 4u

struct elf_segment {
    uint64_t vaddr;  /* where it is loaded; guest virtual == guest physical */
    uint64_t memsz;  /* bytes in memory (filesz plus zero fill) */
    uint64_t filesz; /* bytes from the file */
    uint32_t flags;  /* ELF_SEG_R | ELF_SEG_W | ELF_SEG_X */
};

/*
 * The guest-ABI notes a file carries, as found (PT_NOTE segments; for ukvm's note also a
 * .note.ukvm section). Which ABI runs the file, and whether these values are acceptable
 * to it, is decided by ukvm/abi/guest_abi.c, not by the loader.
 */
#define ELF_SOLO5_MFT_MAX (8 + HVT_MFT_MAX_ENTRIES * 104) /* struct hvt_mft, 64 entries */

struct elf_abi_notes {
    bool ukvm;                                  /* a ukvm ABI note (UKVM_NOTE_ABI) */
    bool solo5_abi;                             /* a Solo5 ABI1 note */
    bool solo5_mft;                             /* a Solo5 MFT1 (manifest) note */
    struct hvt_abi1_info solo5;                 /* the ABI1 descriptor */
    uint32_t mft_size;                          /* bytes of manifest in mft */
    _Alignas(8) uint8_t mft[ELF_SOLO5_MFT_MAX]; /* the manifest, past the descriptor padding */
};

struct elf_image {
    uint64_t entry;
    uint64_t lowest;      /* lowest loaded address */
    uint64_t highest;     /* one past the highest loaded byte (not page-rounded) */
    uint32_t abi_version; /* the ukvm note's version, when notes.ukvm */
    struct elf_abi_notes notes;
    size_t nsegments;
    /* In program-header order (ascending p_vaddr for any normal linker output). */
    struct elf_segment segments[ELF_LOAD_MAX_SEGMENTS];
};

/*
 * Validates the ELF in the buffer [data, data+size) and copies its PT_LOAD segments into
 * guest memory [mem, mem+mem_size), zero-filling memsz beyond filesz (mem must be private
 * anonymous memory, as guest_mem_alloc gives: whole pages to zero are released with
 * MADV_DONTNEED rather than written). Every segment must
 * lie inside [min_addr, max_addr). Requirements: ELFCLASS64, little-endian, EM_X86_64,
 * ET_EXEC, 1 to ELF_LOAD_MAX_SEGMENTS PT_LOAD segments that do not overlap (at page
 * granularity, since permissions are per page) with filesz <= memsz, p_align 0 or a power
 * of two with vaddr congruent to offset, entry inside an executable segment, and a
 * guest-ABI note: either a .note.ukvm ABI note whose version equals UKVM_ABI_VERSION
 * (found in a PT_NOTE segment, or failing that in an SHT_NOTE section named .note.ukvm)
 * or a Solo5 ABI1 note (PT_NOTE), not both; a malformed note is an error. A Solo5
 * manifest note (MFT1) is copied into out->notes; its contents are not judged here. A PT_LOAD with
 * p_memsz and p_filesz both 0 maps nothing and is ignored; one with p_filesz 0 reads nothing, so
 * its p_offset need not lie inside the file. Every other program header (PT_INTERP, PT_GNU_STACK,
 * ...) is ignored and its contents never read.
 *
 * mem may be NULL to validate only; segments are still checked against mem_size. out may
 * be NULL. Does not modify the buffer, which may be a read-only mapping.
 *
 * Returns 0 and fills *out, or -1 with a one-line reason in err (NUL-terminated, at most
 * errlen bytes; err may be NULL or errlen 0 to discard it). Everything is validated before
 * anything is copied, so guest memory and *out are untouched on failure.
 */
int elf_load_buffer(const void *data, size_t size, uint8_t *mem, uint64_t mem_size,
                    uint64_t min_addr, uint64_t max_addr, struct elf_image *out, char *err,
                    size_t errlen);

/* A unikernel file read into memory (elf_file_read), so that it is read exactly once. */
struct elf_file {
    uint8_t *data;
    size_t size;
};

/* The largest unikernel file ukvm reads. */
#define ELF_FILE_MAX (1ull << 30)

/*
 * Reads the file at path into *f (free it with elf_file_free). Refuses anything but a
 * non-empty regular file of at most ELF_FILE_MAX bytes, without blocking on a FIFO.
 * Returns 0, or -1 with "path: <reason>" in err.
 */
int elf_file_read(const char *path, struct elf_file *f, char *err, size_t errlen);

/* Releases what elf_file_read allocated; f may be read into again. */
void elf_file_free(struct elf_file *f);

/*
 * Like elf_load_buffer, for the file at path (read once with elf_file_read). Refuses
 * anything but a non-empty regular file (without blocking on a FIFO). Every error,
 * including elf_load_buffer's, is prefixed with "path: ".
 */
int elf_load_file(const char *path, uint8_t *mem, uint64_t mem_size, uint64_t min_addr,
                  uint64_t max_addr, struct elf_image *out, char *err, size_t errlen);

#endif /* UKVM_ELF_LOAD_H */
