/*
 * fuzz_elf_load.c: libFuzzer target for the ELF loader, which takes hostile files.
 *
 *   make build/fuzz/fuzz_elf_load && build/fuzz/fuzz_elf_load tests/fuzz/corpus/fuzz_elf_load
 *
 * Beyond "no crash, no sanitizer report", every accepted image is checked against the
 * loader's contract (segments inside the window and guest memory, entry executable, no
 * page shared by two segments), validation-only must agree with loading, and the error
 * string must always be NUL-terminated, even when errlen is tiny. An accepted file then
 * goes through the ABI's own checks of its notes (guest_abi_select: the hvt manifest) and
 * the --info description, as start-up does. Guest memory is small
 * and starts low so that the fuzzer reaches the success path often.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ukvm/abi/guest_abi.h"
#include "ukvm/guest/elf_load.h"
#include "ukvm_abi.h"

#define FUZZ_MEM_SIZE 0x10000ULL
#define FUZZ_MIN_ADDR 0x1000ULL
#define FUZZ_MAX_ADDR 0xf000ULL /* below FUZZ_MEM_SIZE: the two limits are distinct checks */

static uint8_t *guest; /* malloc'd at exactly FUZZ_MEM_SIZE, so ASan sees one byte past */
static FILE *devnull;

static void check(int cond, const char *what)
{
    if (!cond) {
        fprintf(stderr, "fuzz_elf_load: contract violated: %s\n", what);
        abort();
    }
}

static void check_image(const struct elf_image *img)
{
    check(img->nsegments >= 1 && img->nsegments <= ELF_LOAD_MAX_SEGMENTS, "segment count");
    /* Exactly one ABI: ukvm's note with its version, or Solo5's ABI1 note. */
    check(img->notes.ukvm != img->notes.solo5_abi, "exactly one ABI note");
    check(!img->notes.ukvm || img->abi_version == UKVM_ABI_VERSION, "ABI version");
    check(img->notes.mft_size <= sizeof(img->notes.mft), "manifest size");
    int entry_ok = 0;
    for (size_t i = 0; i < img->nsegments; i++) {
        const struct elf_segment *s = &img->segments[i];
        check(s->filesz <= s->memsz, "filesz <= memsz");
        check(s->vaddr >= FUZZ_MIN_ADDR && s->vaddr <= FUZZ_MAX_ADDR &&
                  s->memsz <= FUZZ_MAX_ADDR - s->vaddr,
              "segment inside [min_addr, max_addr)");
        check((s->flags & ~(ELF_SEG_R | ELF_SEG_W | ELF_SEG_X)) == 0, "flags");
        check(s->vaddr >= img->lowest && s->vaddr + s->memsz <= img->highest, "lowest/highest");
        if (img->entry >= s->vaddr && img->entry - s->vaddr < s->memsz)
            entry_ok = (s->flags & ELF_SEG_X) != 0;
        for (size_t j = 0; j < i; j++) {
            const struct elf_segment *o = &img->segments[j];
            uint64_t a_lo = s->vaddr & ~(UKVM_PAGE_SIZE - 1);
            uint64_t a_hi = (s->vaddr + s->memsz + UKVM_PAGE_SIZE - 1) & ~(UKVM_PAGE_SIZE - 1);
            uint64_t b_lo = o->vaddr & ~(UKVM_PAGE_SIZE - 1);
            uint64_t b_hi = (o->vaddr + o->memsz + UKVM_PAGE_SIZE - 1) & ~(UKVM_PAGE_SIZE - 1);
            check(a_hi <= b_lo || b_hi <= a_lo, "segments share a page");
        }
    }
    check(entry_ok, "entry inside an executable segment");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!guest) {
        guest = malloc(FUZZ_MEM_SIZE);
        check(guest != NULL, "malloc");
    }
    memset(guest, 0xAA, FUZZ_MEM_SIZE);

    struct elf_image img, img2;
    char err[256], err2[256];
    int rc = elf_load_buffer(data, size, guest, FUZZ_MEM_SIZE, FUZZ_MIN_ADDR, FUZZ_MAX_ADDR, &img,
                             err, sizeof(err));
    check(rc == 0 || rc == -1, "return value");
    check(memchr(err, '\0', sizeof(err)) != NULL, "err NUL-terminated");
    if (rc == 0) {
        check_image(&img);
        /* What start-up does next with an accepted file: the ABI's own checks of its
           notes (the hvt manifest), and what --info prints of them. */
        char abi_err[256];
        const struct guest_abi *abi = guest_abi_select(&img, abi_err, sizeof(abi_err));
        check(abi != NULL || (memchr(abi_err, '\0', sizeof(abi_err)) && abi_err[0]),
              "an ABI refused without a reason");
        if (abi) {
            if (!devnull)
                devnull = fopen("/dev/null", "w");
            guest_abi_describe(devnull, abi, &img);
        }
        /* The bytes past filesz really are zero: the loader may not assume zeroed memory. */
        for (size_t i = 0; i < img.nsegments; i++) {
            const struct elf_segment *s = &img.segments[i];
            for (uint64_t a = s->vaddr + s->filesz; a < s->vaddr + s->memsz; a++)
                check(guest[a] == 0, "bss zero-filled");
        }
    } else {
        check(err[0] != '\0', "failure without a reason");
    }

    /* Validation alone must reach the same verdict with the same reason. */
    int rc2 = elf_load_buffer(data, size, NULL, FUZZ_MEM_SIZE, FUZZ_MIN_ADDR, FUZZ_MAX_ADDR, &img2,
                              err2, sizeof(err2));
    check(rc2 == rc, "validate-only verdict differs");
    check(rc != 0 || memcmp(&img, &img2, sizeof(img)) == 0, "validate-only image differs");
    check(rc == 0 || strcmp(err, err2) == 0, "validate-only reason differs");

    /* A tiny error buffer is never overrun and always terminated. */
    char tiny[8];
    memset(tiny, 0x55, sizeof(tiny));
    elf_load_buffer(data, size, NULL, FUZZ_MEM_SIZE, FUZZ_MIN_ADDR, FUZZ_MAX_ADDR, NULL, tiny, 5);
    check(rc == 0 || memchr(tiny, '\0', 5) != NULL, "tiny err NUL-terminated");
    check(tiny[5] == 0x55 && tiny[6] == 0x55 && tiny[7] == 0x55, "tiny err overrun");
    return 0;
}
