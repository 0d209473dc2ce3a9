/*
 * elf_load_priv.h: what the ELF loader's files (elf_load.c, elf_notes.c) share, and
 * nothing else uses.
 */
#ifndef UKVM_ELF_LOAD_PRIV_H
#define UKVM_ELF_LOAD_PRIV_H

#include <gelf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct elf_abi_notes; /* elf_load.h */

#define NOTE_HDR_SIZE 12u /* namesz, descsz, type: three 32-bit words */

/* Formats a one-line error into err (always NUL-terminated when errlen > 0); returns -1. */
static inline __attribute__((format(printf, 3, 4))) int elf_fail(char *err, size_t errlen,
                                                                 const char *fmt, ...)
{
    if (err && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* True when [off, off+len) lies inside [0, size); never forms off+len, so cannot wrap. */
static inline bool range_in(uint64_t off, uint64_t len, uint64_t size)
{
    return off <= size && len <= size - off;
}

/* Rounds x up to a multiple of align (a power of two); false on overflow. */
static inline bool align_up(uint64_t x, uint64_t align, uint64_t *out)
{
    uint64_t sum;
    if (__builtin_add_overflow(x, align - 1, &sum))
        return false;
    *out = sum & ~(align - 1);
    return true;
}

/*
 * Finds the guest-ABI notes of the ELF in [data, data+size) (phnum program headers
 * behind elf): PT_NOTE segments, then SHT_NOTE sections named .note.ukvm for ukvm's
 * note. Exactly one ABI must be declared; a ukvm note must carry UKVM_ABI_VERSION.
 * Fills *version (the ukvm note's, or 0) and *abi. Returns 0, or -1 with err.
 */
int elf_find_abi_note(Elf *elf, const uint8_t *data, size_t size, size_t phnum, uint32_t *version,
                      struct elf_abi_notes *abi, char *err, size_t errlen);

#endif /* UKVM_ELF_LOAD_PRIV_H */
