/*
 * solo5_hvt_abi.h: Solo5's "hvt" guest ABI, version 2, as ukvm serves it.
 *
 * Written for ukvm from the ABI's published facts (Solo5 0.8.0 up to 0.12): the binary
 * contract between a unikernel built by Solo5's toolchain for its hvt tender
 * (solo5-hvt) and the monitor that runs it. ukvm's own ABI is include/ukvm_abi.h; the
 * monitor recognises which one a file uses from its ELF notes.
 *
 * Self-contained (only <stdint.h>), usable by freestanding guest code (ukvm's hvt test
 * guests) and by the monitor. Guest pointers are uint64_t guest-physical addresses, and
 * every struct's layout is fixed by the _Static_asserts at the end: the same bytes a
 * Solo5 guest writes with its own C definitions (size_t and pointers of 8 bytes, int of
 * 4, natural alignment).
 */
#ifndef SOLO5_HVT_ABI_H
#define SOLO5_HVT_ABI_H

#include <stdint.h>

/*
 * ELF notes. Both are owned by "Solo5" (n_namesz 6, padded to 8), live in PT_NOTE
 * segments, and are found through the program headers:
 *
 *   ABI1 (section .note.solo5.abi)       descriptor: struct hvt_abi1_info, 16 bytes
 *   MFT1 (section .note.solo5.manifest)  descriptor: 4 bytes of padding, then
 *                                        struct hvt_mft with its entries (the padding
 *                                        puts the manifest on an 8-byte boundary)
 */
#define HVT_NOTE_NAME     "Solo5"
#define HVT_NOTE_ABI1     0x31494241u /* "ABI1" */
#define HVT_NOTE_MFT1     0x3154464du /* "MFT1" */
#define HVT_NOTE_HDR_SIZE 20u         /* Elf64_Nhdr (12) + "Solo5\0" padded to 8 */
#define HVT_MFT1_DESC_PAD 4u          /* descriptor bytes before struct hvt_mft */

/* Which Solo5 target a binary was linked for (struct hvt_abi1_info.abi_target). */
enum hvt_abi_target {
    HVT_TARGET_HVT = 1,
    HVT_TARGET_SPT = 2,
    HVT_TARGET_VIRTIO = 3,
    HVT_TARGET_MUEN = 4,
    HVT_TARGET_GENODE = 5,
    HVT_TARGET_XEN = 6,
};

#define HVT_ABI_VERSION 2

struct hvt_abi1_info {
    uint32_t abi_target;  /* enum hvt_abi_target */
    uint32_t abi_version; /* HVT_ABI_VERSION for hvt */
    uint32_t reserved0;
    uint32_t reserved1;
};

/*
 * The application manifest: the devices a unikernel was built to use. Entry 0 is a
 * reserved entry with an empty name; a device's handle is its entry index. The monitor
 * fills the host-written fields (attached, and the block or net properties) before the
 * guest starts, in the copy it places in guest memory.
 */
#define HVT_MFT_VERSION     1
#define HVT_MFT_MAX_ENTRIES 64 /* handles must fit a 64-bit solo5_handle_set_t */
#define HVT_MFT_NAME_SIZE   68 /* bytes, with the terminating NUL */

enum hvt_mft_type {
    HVT_MFT_BLOCK_BASIC = 1,
    HVT_MFT_NET_BASIC = 2,
    HVT_MFT_RESERVED_FIRST = 1u << 30,
};

struct hvt_mft_entry {
    char name[HVT_MFT_NAME_SIZE];
    uint32_t type; /* enum hvt_mft_type */
    union {
        struct {
            uint64_t capacity; /* bytes */
            uint16_t block_size;
        } block;
        struct {
            uint8_t mac[6];
            uint16_t mtu;
        } net;
    } u;
    uint64_t host_private; /* the tender's own (a host descriptor); ukvm writes 0 */
    uint8_t attached;      /* bool: 0 in the ELF file, set by the monitor */
    uint8_t pad[7];
};

struct hvt_mft {
    uint32_t version; /* HVT_MFT_VERSION */
    uint32_t entries; /* 1..HVT_MFT_MAX_ENTRIES */
    struct hvt_mft_entry e[];
};

/*
 * Guest-physical memory layout, set up by the monitor before the first instruction.
 * Guest virtual == guest physical; the guest builds its own GDT, IDT and stacks.
 *
 *   0x0000_0000  null page, GDT, page tables: not mapped for the guest
 *   0x0000_1000  boot GDT (null, code 0x08, data 0x10)
 *   0x0000_2000  PML4, 0x3000 PDPT, 0x4000-0x7fff four PDs, 0x8000 PT of the first 2 MiB
 *   0x0001_0000  struct hvt_boot_info, then the manifest, then the command line:
 *                read-only for the guest, up to HVT_GUEST_MIN_BASE
 *   0x0010_0000  the ELF's segments; then heap, up to the stack at the top of memory
 *
 * Memory is a multiple of 2 MiB, at most 4 GiB (hypercall arguments are 32 bits).
 * Entry: rip = ELF entry, rdi = HVT_BOOT_INFO_GPA, rsp = memory size - 8, interrupts off.
 */
#define HVT_GDT_GPA        0x1000ull
#define HVT_PML4_GPA       0x2000ull
#define HVT_PDPT_GPA       0x3000ull
#define HVT_PD_GPA         0x4000ull /* four pages: one per GiB */
#define HVT_PT0_GPA        0x8000ull /* 4 KiB pages of the first 2 MiB */
#define HVT_BOOT_INFO_GPA  0x10000ull
#define HVT_GUEST_MIN_BASE 0x100000ull
#define HVT_MEM_ALIGN      0x200000ull
#define HVT_MEM_MAX        0x100000000ull
#define HVT_CMDLINE_SIZE   8192u /* with the terminating NUL */

/* Boot GDT selectors (index * 8). */
#define HVT_GDT_CODE_SEL 0x08
#define HVT_GDT_DATA_SEL 0x10

/*
 * The boot information, the guest entry point's only argument. Fields from host_features
 * on exist from Solo5 0.11 (ring I/O negotiation); older guests never read them, and
 * ukvm offers no features (0), so newer guests use hypercalls, as they are written to.
 */
struct hvt_boot_info {
    uint64_t mem_size;       /* bytes */
    uint64_t kernel_end;     /* first byte after the loaded image */
    uint64_t cpu_cycle_freq; /* TSC frequency, Hz */
    uint64_t cmdline;        /* guest address of the NUL-terminated command line */
    uint64_t mft;            /* guest address of the manifest (struct hvt_mft) */
    uint32_t host_features;  /* HVT_FEATURE_* the monitor offers */
    uint32_t guest_features; /* written by the guest */
    uint64_t net_ring;       /* guest address of a network ring, 0 for none */
};

#define HVT_FEATURE_RING_IO (1u << 0)

/*
 * Hypercalls: `outl` of the 32-bit guest-physical address of the argument struct to
 * port HVT_HYPERCALL_PIO_BASE + number. Port HVT_RING_KICK_PIO is the ring I/O doorbell,
 * used only by a guest that was offered HVT_FEATURE_RING_IO.
 */
#define HVT_HYPERCALL_PIO_BASE 0x500
#define HVT_RING_KICK_PIO      0x600

enum hvt_hypercall {
    HVT_HC_WALLTIME = 1,
    HVT_HC_PUTS = 2,
    HVT_HC_POLL = 3,
    HVT_HC_BLOCK_WRITE = 4,
    HVT_HC_BLOCK_READ = 5,
    HVT_HC_NET_WRITE = 6,
    HVT_HC_NET_READ = 7,
    HVT_HC_HALT = 8,
    HVT_HC_MAX = 9,
};

/* Results in the `ret` fields: Solo5's solo5_result_t values. */
#define HVT_R_OK      0
#define HVT_R_AGAIN   1
#define HVT_R_EINVAL  2
#define HVT_R_EUNSPEC 3

struct hvt_hc_walltime {
    uint64_t nsecs; /* out: CLOCK_REALTIME */
};

struct hvt_hc_puts {
    uint64_t data; /* in */
    uint64_t len;  /* in */
};

struct hvt_hc_poll {
    uint64_t timeout_nsecs; /* in: relative */
    uint64_t ready_set;     /* out: bit N set when net device N has a frame */
    int32_t ret;            /* out: nonzero when a device is ready */
    uint32_t pad;
};

struct hvt_hc_block_io { /* HVT_HC_BLOCK_WRITE and HVT_HC_BLOCK_READ */
    uint64_t handle;     /* in: manifest index */
    uint64_t offset;     /* in: bytes */
    uint64_t data;       /* in: guest buffer */
    uint64_t len;        /* in (read: in/out) */
    int32_t ret;         /* out: HVT_R_* */
    uint32_t pad;
};

struct hvt_hc_net_io { /* HVT_HC_NET_WRITE and HVT_HC_NET_READ */
    uint64_t handle;   /* in: manifest index */
    uint64_t data;     /* in: guest buffer */
    uint64_t len;      /* in (read: in/out) */
    int32_t ret;       /* out: HVT_R_* */
    uint32_t pad;
};

/*
 * HVT_HC_HALT ends the guest with exit_status. A Solo5 guest that stops on a CPU
 * exception or an abort passes a cookie: the guest address of its trap frame
 * (struct hvt_trap_regs), or 0. At least HVT_HALT_COOKIE_MAX bytes there are readable.
 */
#define HVT_HALT_COOKIE_MAX 512

struct hvt_hc_halt {
    uint64_t cookie;     /* in */
    int32_t exit_status; /* in */
    uint32_t pad;
};

/*
 * The trap frame a Solo5 x86_64 guest's exception entry builds: the CPU's interrupt
 * frame below an error code and CR2 (both 0 for vectors without). Just below it the
 * entry pushes the caller-saved registers, and below those lies the return address
 * of its call into the C trap handler, inside the vector's own entry stub:
 *
 *   cookie - 80  return address into the entry stub of the vector that fired
 *   cookie - 72  r11, r10, r9, r8, rcx, rdx, rsi, rdi, rax  (ascending addresses)
 *   cookie       struct hvt_trap_regs
 */
struct hvt_trap_regs {
    uint64_t cr2;
    uint64_t ec;
    uint64_t rip;
    uint64_t cs;
    uint64_t rflags;
    uint64_t rsp;
    uint64_t ss;
};

#define HVT_TRAP_SAVED_REGS     9  /* r11 .. rax below the frame */
#define HVT_TRAP_RETADDR_OFFSET 80 /* bytes below the frame */

_Static_assert(sizeof(struct hvt_abi1_info) == 16, "hvt_abi1_info layout");
_Static_assert(sizeof(struct hvt_mft_entry) == 104, "hvt_mft_entry layout");
_Static_assert(__builtin_offsetof(struct hvt_mft_entry, type) == 68, "mft type offset");
_Static_assert(__builtin_offsetof(struct hvt_mft_entry, u) == 72, "mft u offset");
_Static_assert(__builtin_offsetof(struct hvt_mft_entry, u.block.block_size) == 80,
               "mft block_size offset");
_Static_assert(__builtin_offsetof(struct hvt_mft_entry, u.net.mtu) == 78, "mft mtu offset");
_Static_assert(__builtin_offsetof(struct hvt_mft_entry, attached) == 96, "mft attached");
_Static_assert(__builtin_offsetof(struct hvt_mft, e) == 8, "mft entries offset");
_Static_assert(sizeof(struct hvt_boot_info) == 56, "hvt_boot_info layout");
_Static_assert(__builtin_offsetof(struct hvt_boot_info, mft) == 32, "boot info mft offset");
_Static_assert(sizeof(struct hvt_hc_poll) == 24, "hvt_hc_poll layout");
_Static_assert(sizeof(struct hvt_hc_block_io) == 40, "hvt_hc_block_io layout");
_Static_assert(sizeof(struct hvt_hc_net_io) == 32, "hvt_hc_net_io layout");
_Static_assert(sizeof(struct hvt_hc_halt) == 16, "hvt_hc_halt layout");
_Static_assert(sizeof(struct hvt_trap_regs) == 56, "hvt_trap_regs layout");

#endif /* SOLO5_HVT_ABI_H */
