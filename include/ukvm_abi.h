/*
 * ukvm_abi.h: the one contract between a ukvm guest (kernel/) and the monitor (ukvm/).
 *
 * Self-contained (only <stdint.h>), included by freestanding guest code and by the
 * monitor alike. Every field is a fixed-width integer; guest addresses are plain
 * uint64_t guest-physical addresses, so the monitor can never dereference one by
 * accident: it must translate and range-check it first (ukvm/guest/guest_mem.h).
 *
 * Versioned: the guest carries UKVM_ABI_VERSION in an ELF note (UKVM_NOTE_*), and the
 * monitor refuses a unikernel built for another version before running it.
 */
#ifndef UKVM_ABI_H
#define UKVM_ABI_H

#include <stdint.h>

/*
 * 2: the boot information's hypercall_mode (user mode: hypercalls by store) and
 * UKVM_HC_SET_TLS_BASE.
 */
#define UKVM_ABI_VERSION 2

/*
 * The ELF note that marks a ukvm unikernel: owner "ukvm", type UKVM_NOTE_ABI, and a
 * 4-byte descriptor holding UKVM_ABI_VERSION. Lives in section .note.ukvm.
 */
#define UKVM_NOTE_NAME "ukvm"
#define UKVM_NOTE_ABI  1

/*
 * Guest-physical memory layout. Guest virtual == guest physical (identity map).
 *
 *   0x0000_0000 +-----------------------------+
 *               | null page: never mapped     |  a NULL dereference faults (#PF)
 *   0x0000_1000 +-----------------------------+
 *               | GDT (monitor-built)         |
 *   0x0000_2000 | TSS with IST pointers       |
 *   0x0000_3000 | struct ukvm_boot_info       |
 *   0x0000_4000 | command line (NUL-ended)    |  UKVM_CMDLINE_MAX bytes
 *   0x0001_0000 | IST stacks: #DF, NMI, #PF   |  UKVM_IST_STACK_SIZE each
 *   0x0002_0000 | page tables (monitor-built) |  up to 0x100000
 *   0x0010_0000 +-----------------------------+
 *               | kernel ELF: text, rodata,   |  text RX, rodata R, data/bss RW+NX
 *               | data, bss                   |  (from the ELF program headers)
 *               +-----------------------------+  heap_start (page-aligned)
 *               | heap                        |
 *               +-----------------------------+  stack_guard
 *               | guard page: never mapped    |  a stack overflow faults here
 *               +-----------------------------+
 *               | stack (grows down)          |  UKVM_STACK_SIZE
 *   mem_size    +-----------------------------+  stack_top
 *
 *   4 GiB       +-----------------------------+  UKVM_HC_MMIO_GPA: no memory behind it
 *               | hypercall page (user mode)  |  mapped user-writable; every store to it
 *               +-----------------------------+  exits to the monitor
 */
#define UKVM_PAGE_SIZE       0x1000ULL
#define UKVM_GDT_GPA         0x1000ULL
#define UKVM_TSS_GPA         0x2000ULL
#define UKVM_BOOT_INFO_GPA   0x3000ULL
#define UKVM_CMDLINE_GPA     0x4000ULL
#define UKVM_CMDLINE_MAX     8192ULL
#define UKVM_IST_GPA         0x10000ULL
#define UKVM_IST_STACK_SIZE  0x4000ULL
#define UKVM_USER_IDT_GPA    0x6000ULL
#define UKVM_USER_STUBS_GPA  0x7000ULL
#define UKVM_USER_STACK_GPA  0x8000ULL
#define UKVM_USER_STACK_SIZE 0x2000ULL
#define UKVM_PT_GPA          0x20000ULL
#define UKVM_PT_END          0x100000ULL
#define UKVM_KERNEL_MIN_GPA  0x100000ULL
#define UKVM_STACK_SIZE      0x80000ULL

/* Interrupt-stack-table slots in the TSS (1-based, as the IDT gate's IST field). */
#define UKVM_IST_DOUBLE_FAULT 1 /* #DF: the stack may be gone */
#define UKVM_IST_NMI          2
#define UKVM_IST_PAGE_FAULT   3 /* #PF: a stack overflow faults on the guard page */

/* GDT selectors the monitor installs. */
#define UKVM_GDT_NULL    0x00
#define UKVM_SEL_CODE64  0x08
#define UKVM_SEL_DATA    0x10
#define UKVM_SEL_TSS     0x18 /* 16-byte system descriptor: slots 3 and 4 */
#define UKVM_GDT_ENTRIES 5
/* User mode only: DPL 3 segments in slots 5 and 6 (the GDT then has 7 entries). */
#define UKVM_SEL_USER_DATA    0x2b /* slot 5, RPL 3 */
#define UKVM_SEL_USER_CODE64  0x33 /* slot 6, RPL 3 */
#define UKVM_GDT_ENTRIES_USER 7

/*
 * Hypercalls: the guest executes `outl %eax, %dx` with dx = UKVM_HC_PORT_BASE + number
 * and eax = the guest-physical address of the call's argument struct (so guest memory
 * is limited to 4 GiB). The monitor copies the struct in, validates every field, does
 * the work, and writes results back into the struct. A malformed call (bad address,
 * length overflow, misaligned struct) ends the guest with a message naming the call.
 */
#define UKVM_HC_PORT_BASE 0x500

/*
 * User mode (the boot information's hypercall_mode == UKVM_HC_BY_STORE): the kernel and
 * the application run at CPL 3, where port I/O faults, so a hypercall is instead an
 * 8-byte store of the argument struct's address to UKVM_HC_MMIO_GPA + 8 * number. The
 * page has no memory behind it: each store exits to the monitor, which serves it exactly
 * as the port write. The page's upper half belongs to the monitor's trap entry stubs
 * (UKVM_HC_MMIO_TRAP_OFFSET + vector); a guest store there is refused.
 */
#define UKVM_HC_MMIO_GPA         0x100000000ULL
#define UKVM_HC_MMIO_TRAP_OFFSET 0x800ULL

enum ukvm_hypercall_mode {
    UKVM_HC_BY_PORT = 0,  /* kernel mode (CPL 0): outl to UKVM_HC_PORT_BASE + number */
    UKVM_HC_BY_STORE = 1, /* user mode (CPL 3): store to UKVM_HC_MMIO_GPA + 8 * number */
};

enum ukvm_hypercall {
    UKVM_HC_PUTS = 1,          /* struct ukvm_hc_puts */
    UKVM_HC_POLL = 2,          /* struct ukvm_hc_poll */
    UKVM_HC_BLOCK_INFO = 3,    /* struct ukvm_hc_block_info */
    UKVM_HC_BLOCK_WRITE = 4,   /* struct ukvm_hc_block_io */
    UKVM_HC_BLOCK_READ = 5,    /* struct ukvm_hc_block_io */
    UKVM_HC_NET_INFO = 6,      /* struct ukvm_hc_net_info */
    UKVM_HC_NET_WRITE = 7,     /* struct ukvm_hc_net_io */
    UKVM_HC_NET_READ = 8,      /* struct ukvm_hc_net_io */
    UKVM_HC_HALT = 9,          /* struct ukvm_hc_halt: the guest is done */
    UKVM_HC_ABORT = 10,        /* struct ukvm_hc_abort: solo5_abort, stack smashing */
    UKVM_HC_TRAP = 11,         /* struct ukvm_trap_frame: a CPU exception */
    UKVM_HC_SET_TLS_BASE = 12, /* struct ukvm_hc_tls_base: user mode's FS base */
    UKVM_HC_CLOCK = 13,        /* struct ukvm_hc_clock: the time, where clock_mode says so */
    UKVM_HC_COUNT              /* one past the last number */
};

/* Results written into the `ret` fields; numerically equal to solo5_result_t. */
#define UKVM_R_OK      0
#define UKVM_R_AGAIN   1
#define UKVM_R_EINVAL  2
#define UKVM_R_EUNSPEC 3

/* UKVM_HC_PUTS: write len bytes at data to the console. */
struct ukvm_hc_puts {
    uint64_t data; /* in: guest-physical address */
    uint64_t len;  /* in */
};

/*
 * UKVM_HC_POLL: sleep up to timeout_ns (relative), waking early when a network device has
 * a frame waiting (0: only look). Returns the set of ready handles (bit n = handle n) in
 * ready_set; it may also return early with an empty set (a debugger stopped the guest).
 */
struct ukvm_hc_poll {
    uint64_t timeout_ns; /* in */
    uint64_t ready_set;  /* out */
    int64_t ret;         /* out: UKVM_R_* */
};

/* UKVM_HC_BLOCK_INFO: look up a block device by name. */
struct ukvm_hc_block_info {
    uint64_t name;       /* in: guest-physical address of the name (not NUL-ended) */
    uint64_t name_len;   /* in */
    uint64_t handle;     /* out */
    uint64_t capacity;   /* out: bytes */
    uint64_t block_size; /* out: bytes */
    int64_t ret;         /* out: UKVM_R_OK, or UKVM_R_EINVAL for an unknown name */
};

/* UKVM_HC_BLOCK_WRITE / UKVM_HC_BLOCK_READ: whole blocks, block-aligned offset. */
struct ukvm_hc_block_io {
    uint64_t handle; /* in */
    uint64_t offset; /* in: bytes, multiple of block_size */
    uint64_t data;   /* in: guest-physical address of the buffer */
    uint64_t len;    /* in: bytes, multiple of block_size */
    int64_t ret;     /* out: UKVM_R_OK, UKVM_R_EINVAL, or UKVM_R_EUNSPEC (host I/O error) */
};

/*
 * UKVM_HC_NET_INFO: look up a network device by name. Handles of block and network
 * devices never collide, so a poll's ready_set names one device per bit.
 */
struct ukvm_hc_net_info {
    uint64_t name;     /* in: guest-physical address of the name (not NUL-ended) */
    uint64_t name_len; /* in */
    uint64_t handle;   /* out */
    uint64_t mtu;      /* out: bytes of payload, without the 14-byte Ethernet header */
    uint8_t mac[6];    /* out */
    uint8_t pad[2];
    int64_t ret; /* out: UKVM_R_OK, or UKVM_R_EINVAL for an unknown name */
};

/*
 * UKVM_HC_NET_WRITE: send the frame of len bytes at data (14 to mtu + 14 bytes).
 * UKVM_HC_NET_READ: receive one frame into the buffer of len bytes at data (at least
 * mtu + 14); len becomes the frame's length.
 * ret: UKVM_R_OK; UKVM_R_AGAIN (read: no frame waiting); UKVM_R_EINVAL (bad handle or
 * length). A frame the host cannot take now is dropped, and the write still succeeds.
 */
struct ukvm_hc_net_io {
    uint64_t handle; /* in */
    uint64_t data;   /* in: guest-physical address of the frame or buffer */
    uint64_t len;    /* in: bytes; out (read): the frame's length */
    int64_t ret;     /* out */
};

/*
 * UKVM_HC_SET_TLS_BASE: set the FS base (the TLS thread pointer), which code at CPL 3
 * cannot write itself. The kernel has already checked that base is canonical.
 */
struct ukvm_hc_tls_base {
    uint64_t base; /* in */
};

/*
 * UKVM_HC_CLOCK: the monotonic and wall-clock time, from the monitor. Used only when the
 * boot information's clock_mode is UKVM_CLOCK_BY_HYPERCALL (a recorded run, where every
 * input must pass through the monitor to be replayed); otherwise the kernel reads the TSC.
 */
struct ukvm_hc_clock {
    uint64_t monotonic_ns; /* out: since the guest's start */
    uint64_t wall_ns;      /* out: since the epoch */
};

/* UKVM_HC_HALT: end the guest with this exit status (solo5_exit). */
struct ukvm_hc_halt {
    uint64_t status;
};

/*
 * The machine state at a CPU exception, as the kernel's trap entry saved it.
 * The vector, error code and rip/cs/rflags/rsp/ss are what the CPU pushed; cr2 is read
 * by the handler; the general registers are the faulting context's.
 */
struct ukvm_trap_frame {
    uint64_t vector;
    uint64_t error_code; /* 0 for vectors without one */
    uint64_t cr2;
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, cs, rflags, rsp, ss;
};

/* UKVM_HC_TRAP carries a struct ukvm_trap_frame directly. */

/*
 * UKVM_HC_ABORT: the guest gives up (solo5_abort, stack protector). frame holds the
 * registers at the call site as if the call had returned (vector = UKVM_ABORT_VECTOR,
 * rip = the return address, rsp = past it), so the monitor can print a backtrace;
 * function is the address of the aborting routine itself (solo5_abort, ...), so that a
 * debugger can show the stop inside it, with the caller one frame up; message is an
 * optional human-readable reason.
 */
#define UKVM_ABORT_VECTOR 0xffffffffULL
struct ukvm_hc_abort {
    uint64_t message;     /* in: guest-physical address, or 0 */
    uint64_t message_len; /* in */
    uint64_t function;    /* in: entry address of the routine that aborted, or 0 */
    struct ukvm_trap_frame frame;
};

/*
 * Boot information, at UKVM_BOOT_INFO_GPA; its address is also in %rdi at entry.
 * At entry: 64-bit mode, paging on with the identity map above, rsp = stack_top,
 * interrupts off, bss zeroed, SSE enabled (CR4.OSFXSR).
 * Kernel mode: CPL 0, no IDT loaded. User mode: CPL 3 with the user segments, and the
 * monitor's IDT already loaded: every exception reaches the monitor through its own
 * supervisor-only entry stubs, so the kernel must not load an IDT (lidt would fault).
 */
#define UKVM_BOOT_MAGIC 0x6d766b7500000001ULL /* "ukvm" + 1 */
struct ukvm_boot_info {
    uint64_t magic;       /* UKVM_BOOT_MAGIC */
    uint64_t abi_version; /* UKVM_ABI_VERSION */
    uint64_t mem_size;    /* bytes of guest memory, from 0 */
    uint64_t cmdline;     /* guest-physical address of the NUL-ended command line */
    uint64_t heap_start;  /* first free byte after the kernel image, page-aligned */
    uint64_t heap_size;   /* bytes, up to the stack guard page */
    uint64_t stack_top;   /* initial rsp */
    uint64_t stack_guard; /* address of the unmapped guard page below the stack */
    /*
     * Clock: monotonic ns = ((rdtsc - tsc at the kernel's start) * tsc_mult) >> tsc_shift.
     * wall ns since the epoch = wall_clock_ns + monotonic ns.
     */
    uint64_t tsc_freq_hz;
    uint64_t tsc_mult;
    uint64_t tsc_shift;
    uint64_t wall_clock_ns;
    uint64_t stack_canary;   /* random, for the stack protector */
    uint64_t hypercall_mode; /* enum ukvm_hypercall_mode */
    /*
     * enum ukvm_clock_mode. Added within version 2: a monitor that predates it leaves
     * it 0 (the TSC), and a kernel that predates it never looks.
     */
    uint64_t clock_mode;
};

enum ukvm_clock_mode {
    UKVM_CLOCK_BY_TSC = 0,       /* the tsc_* fields above */
    UKVM_CLOCK_BY_HYPERCALL = 1, /* UKVM_HC_CLOCK: a recorded run (ukvm --record) */
};

#endif /* UKVM_ABI_H */
