/*
 * hvt_rt.h: the minimal runtime of ukvm's hvt test guests (docs/hvt-tests.md).
 *
 * A guest built with it is an ELF for Solo5's hvt ABI version 2 (include/solo5_hvt_abi.h):
 * it runs under Solo5's solo5-hvt tender as under ukvm. The runtime provides
 *
 *   - the entry point (start.S): takes the boot info from %rdi, switches to its own stack,
 *     loads its own GDT and IDT, and calls the guest's hvt_main();
 *   - exception entry stubs that build Solo5's trap frame (struct hvt_trap_regs) and end
 *     the guest with HVT_HC_HALT, status 255, cookie = the frame's address;
 *   - the ABI1 note (abi_note.S) and a PT_INTERP like Solo5's (start.S);
 *   - HVT_MANIFEST(): the MFT1 note, declared by each guest in C (below);
 *   - one helper per hypercall, console output and a few string helpers.
 *
 * Conventions of the test guests: a check that fails prints "FAIL: ..." and ends the guest
 * with HVT_EXIT_FAIL (99), a status no monitor uses for itself, so a failed check can never
 * pass for an expected refusal (solo5-hvt exits 1) or crash (255).
 */
#ifndef HVT_RT_H
#define HVT_RT_H

#include <stddef.h>
#include <stdint.h>

#include "solo5_hvt_abi.h"

#define HVT_EXIT_FAIL  99  /* a check failed (or the monitor let a bad request through) */
#define HVT_EXIT_ABORT 255 /* Solo5's SOLO5_EXIT_ABORT */

/* ---------------------------------------------------------------- the guest's part */

/*
 * The guest's main function, called once the runtime is set up. Its return value is the
 * exit status (HVT_HC_HALT with cookie 0).
 */
int hvt_main(const struct hvt_boot_info *bi);

/* ---------------------------------------------------------------- boot state */

extern const struct hvt_boot_info *hvt_boot; /* %rdi at entry */
extern uint64_t hvt_entry_rsp;               /* %rsp at entry */
extern char _end[];                          /* first page after the image (hvt.ld) */

/* The guest's own manifest note as it lies in the ELF image (read-only). */
const struct hvt_mft *hvt_own_manifest(void);
/* The monitor's copy of it (bi->mft), which carries the host-written fields. */
const struct hvt_mft *hvt_manifest(void);

/* ---------------------------------------------------------------- hypercalls */

/* Hypercall nr with its argument struct at arg: `outl` of arg's address to the port. */
static inline void hvt_hypercall(enum hvt_hypercall nr, volatile void *arg)
{
    __asm__ __volatile__("outl %0, %1"
                         :
                         : "a"((uint32_t)(uintptr_t)arg),
                           "d"((uint16_t)(HVT_HYPERCALL_PIO_BASE + nr))
                         : "memory");
}

/* Any port offset, any 32-bit argument: for the hostile tests. */
static inline void hvt_hypercall_raw(unsigned nr, uint32_t arg)
{
    __asm__ __volatile__("outl %0, %1"
                         :
                         : "a"(arg), "d"((uint16_t)(HVT_HYPERCALL_PIO_BASE + nr))
                         : "memory");
}

uint64_t hvt_walltime(void);
/* POLL: returns the call's ret; *ready_set (if not NULL) gets the ready set. */
int hvt_poll(uint64_t timeout_nsecs, uint64_t *ready_set);
/* BLOCK_WRITE / BLOCK_READ: return the call's ret (HVT_R_*). */
int hvt_block_write(uint64_t handle, uint64_t offset, const void *data, uint64_t len);
int hvt_block_read(uint64_t handle, uint64_t offset, void *data, uint64_t len);
/*
 * NET_WRITE / NET_READ: return the call's ret (HVT_R_*); a read sets *read_len (if not
 * NULL) to the frame's length on success.
 */
int hvt_net_write(uint64_t handle, const void *data, uint64_t len);
int hvt_net_read(uint64_t handle, void *data, uint64_t len, uint64_t *read_len);
__attribute__((noreturn)) void hvt_halt(int status, uint64_t cookie);

/* ---------------------------------------------------------------- console */

void hvt_write(const char *s, size_t len); /* one PUTS */
void hvt_puts(const char *s);              /* no newline added */
/*
 * printf subset, one PUTS per call (up to 256 bytes): %s %c %d %u %x %p %%, with the
 * l, ll and z modifiers and a zero-padded width for %x (%016lx).
 */
__attribute__((format(printf, 1, 2))) void hvt_printf(const char *fmt, ...);

/* ---------------------------------------------------------------- checks and aborts */

__attribute__((noreturn, format(printf, 1, 2))) void hvt_fail(const char *fmt, ...);
__attribute__((noreturn)) void hvt_check_failed(const char *file, int line, const char *what);
/* Solo5's abort: "ABORT: file:line: message" on the console, then HALT 255, cookie 0. */
__attribute__((noreturn)) void hvt_abort(const char *file, int line, const char *msg);

#define HVT_CHECK(cond) ((cond) ? (void)0 : hvt_check_failed(__FILE__, __LINE__, #cond))
#define HVT_ABORT(msg)  hvt_abort(__FILE__, __LINE__, (msg))

/* ---------------------------------------------------------------- command line */

/* True when the command line holds the word w. */
int hvt_has_word(const char *w);
/* The value of the first word "key=VALUE" (up to the next space), or NULL. */
const char *hvt_arg(const char *key);
/* hvt_arg(key) as a decimal (or 0x hex) number, or dflt when absent. */
uint64_t hvt_arg_u64(const char *key, uint64_t dflt);
/* The leading number of s, decimal or 0x hex; *end (if not NULL) set past it. */
uint64_t hvt_parse_u64(const char *s, const char **end);

/* ---------------------------------------------------------------- strings */

size_t hvt_strlen(const char *s);
int hvt_strcmp(const char *a, const char *b);
/* The compiler may emit calls to these four; they are the freestanding minimum. */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* ---------------------------------------------------------------- the manifest note */

/*
 * The MFT1 note of a guest with n entries, laid out as solo5-hvt reads it: the 20-byte
 * note header (owner "Solo5"), 4 bytes of padding that put the manifest on an 8-byte
 * boundary, then struct hvt_mft with its entries. n_descsz counts the padding.
 */
#define HVT_MFT1_NOTE(n)                     \
    struct {                                 \
        uint32_t n_namesz, n_descsz, n_type; \
        char n_name[8];                      \
        uint32_t pad;                        \
        uint32_t version, entries;           \
        struct hvt_mft_entry e[n];           \
    }

/*
 * Declares the guest's manifest, in section .note.solo5.manifest (hvt.ld puts it in its
 * own PT_NOTE). GCC makes a .note* section SHT_NOTE; aligned(4), as Solo5 declares it,
 * gives the section a note's 4-byte alignment. version and entries are the values written
 * into the manifest header; n, the number of initializers, sizes the note. HVT_MANIFEST
 * is the well-formed case; tests/hvt/hvt_badnote declares bad ones with HVT_MANIFEST_RAW.
 *
 *   HVT_MANIFEST(3, HVT_MFT_RESERVED, HVT_MFT_BLOCK("storage"), HVT_MFT_BLOCK("scratch"));
 */
#define HVT_MANIFEST_RAW(version_, entries_, n, ...)                                          \
    __attribute__((section(".note.solo5.manifest"), aligned(4), used)) const HVT_MFT1_NOTE(n) \
        hvt_rt_manifest_note = {                                                              \
            .n_namesz = sizeof(HVT_NOTE_NAME),                                                \
            .n_descsz = HVT_MFT1_DESC_PAD + 8 + (n) * sizeof(struct hvt_mft_entry),           \
            .n_type = HVT_NOTE_MFT1,                                                          \
            .n_name = HVT_NOTE_NAME,                                                          \
            .version = (version_),                                                            \
            .entries = (entries_),                                                            \
            .e = {__VA_ARGS__},                                                               \
    }
#define HVT_MANIFEST(n, ...) HVT_MANIFEST_RAW(HVT_MFT_VERSION, (n), n, __VA_ARGS__)

/* Manifest entries. Entry 0 is the reserved one, with an empty name. */
// clang-format off
#define HVT_MFT_RESERVED  {.name = "", .type = HVT_MFT_RESERVED_FIRST}
#define HVT_MFT_BLOCK(nm) {.name = nm, .type = HVT_MFT_BLOCK_BASIC}
#define HVT_MFT_NET(nm)   {.name = nm, .type = HVT_MFT_NET_BASIC}
// clang-format on

/* Where the manifest lies inside the note: the 20-byte header and the padding. */
_Static_assert(HVT_NOTE_HDR_SIZE + HVT_MFT1_DESC_PAD == 24, "MFT1 descriptor offset");

#endif /* HVT_RT_H */
