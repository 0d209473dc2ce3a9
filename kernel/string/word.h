/*
 * word.h: what the string functions in this folder share.
 *
 * Plain loops, with an 8-byte-word path where both pointers are word aligned: on the
 * emulated CPU this project is tested on, every guest instruction costs about half a
 * microsecond, so an 8x shorter loop for block buffers is worth its three lines.
 *
 * Each function has a file of its own because the files are also the members of
 * libukvm_string.a, which is linked after an application's objects: the linker takes a
 * member only for a symbol the application left undefined, so an application that
 * defines memcpy itself still gets memmove from the archive without a duplicate memcpy.
 */
#ifndef KERNEL_STRING_WORD_H
#define KERNEL_STRING_WORD_H

#include <stdint.h>

/*
 * Stops GCC from recognizing these loops as memset/memcpy and compiling them into a call
 * to themselves.
 */
#define NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))

/* A word that may alias anything, so the word loops do not break strict aliasing. */
typedef uint64_t __attribute__((may_alias)) word_t;

/* True if both addresses are multiples of the word size. */
static inline int words_aligned(const void *a, const void *b)
{
    return (((uintptr_t)a | (uintptr_t)b) & (sizeof(word_t) - 1)) == 0;
}

#endif /* KERNEL_STRING_WORD_H */
