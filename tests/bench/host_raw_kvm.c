/*
 * host_raw_kvm.c: the raw-KVM floor that ukvm's benchmarks are compared against.
 *
 *   host_raw_kvm [--stats] boot          set up a long-mode VM, run a dozen `out`s, `hlt`
 *   host_raw_kvm [--stats] portloop N    the same set-up, but N `out`s (N may be 0)
 *
 * Deliberately uses no project code: only ioctls on /dev/kvm, so that it measures what
 * any monitor has to pay (VM + vCPU + memslot, long mode via KVM_SET_SREGS, one exit per
 * port write) and nothing more. Prints nothing on success and exits 0; any failed ioctl
 * or unexpected exit is reported on stderr with exit status 1.
 *
 * --stats prints, at exit, the same split as `ukvm --stats`, so that the monitor's
 * set-up and guest run have a baseline too:
 *
 *   host_raw_kvm: stats: setup_us=N run_us=N exits=N
 *
 * setup = from main() to the first KVM_RUN; run = from the first KVM_RUN to the `hlt`.
 *
 * Guest-physical layout (one 2 MiB memslot at 0, identity-mapped by one 2 MiB page):
 *
 *   0x0000 +--------------------+
 *          | unused             |
 *   0x1000 | PML4               |  entry 0 -> PDPT
 *   0x2000 | PDPT               |  entry 0 -> PD
 *   0x3000 | PD                 |  entry 0: 2 MiB page at 0 (PS)
 *   0x4000 +--------------------+
 *          | unused / stack     |  rsp starts at 0x8000 (the code never pushes)
 *   0x8000 | guest code         |
 *          +--------------------+  0x200000
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MEM_SIZE  0x200000ULL /* one 2 MiB page covers everything */
#define PML4_GPA  0x1000ULL
#define PDPT_GPA  0x2000ULL
#define PD_GPA    0x3000ULL
#define STACK_TOP 0x8000ULL
#define CODE_GPA  0x8000ULL
#define PORT      0x500 /* the same port range ukvm's hypercalls use */
#define BOOT_OUTS 12    /* "a dozen" port writes for the boot benchmark */

/* Page-table entry bits (Intel SDM vol. 3, 4.5). */
#define PTE_P  (1ULL << 0) /* present */
#define PTE_RW (1ULL << 1) /* writable */
#define PTE_PS (1ULL << 7) /* in a PD entry: maps a 2 MiB page */

/* Control-register and EFER bits (Intel SDM vol. 3, 2.5 and 2.2.1). */
#define CR0_PE    (1ULL << 0)  /* protected mode */
#define CR0_MP    (1ULL << 1)  /* monitor coprocessor */
#define CR0_ET    (1ULL << 4)  /* extension type: always 1 on modern CPUs */
#define CR0_NE    (1ULL << 5)  /* native x87 error reporting */
#define CR0_WP    (1ULL << 16) /* write-protect applies to CPL 0 too */
#define CR0_PG    (1ULL << 31) /* paging */
#define CR4_PAE   (1ULL << 5)  /* PAE paging: required for long mode */
#define EFER_LME  (1ULL << 8)  /* long mode enable */
#define EFER_LMA  (1ULL << 10) /* long mode active: set by hand since we skip the switch */
#define RFLAGS_RS (1ULL << 1)  /* bit 1 of RFLAGS is reserved and reads as 1 */

_Static_assert(CR0_PG == 0x80000000ULL, "CR0.PG is bit 31");
_Static_assert(EFER_LME == 0x100 && EFER_LMA == 0x400, "EFER.LME is bit 8, LMA bit 10");
_Static_assert(CR4_PAE == 0x20, "CR4.PAE is bit 5");
_Static_assert(PTE_PS == 0x80, "PS is bit 7");

/*
 * The guest: rcx = number of port writes, dx = port. Hand-assembled; the disassembly
 * (objdump -D -b binary -m i386:x86-64) is on the right. The test for zero up front makes
 * N = 0 mean "no out at all" rather than 2^64 of them.
 */
static const uint8_t guest_code[] = {
    0x48, 0x85, 0xc9, /* 0x0: test %rcx,%rcx                      */
    0x74, 0x06,       /* 0x3: je   0xb                            */
    0xee,             /* 0x5: out  %al,(%dx)   <- loop            */
    0x48, 0xff, 0xc9, /* 0x6: dec  %rcx                           */
    0x75, 0xfa,       /* 0x9: jne  0x5                            */
    0xf4,             /* 0xb: hlt                                 */
};

/* Prints "host_raw_kvm: <message>" and exits 1: every failure here is fatal. */
__attribute__((format(printf, 1, 2), noreturn)) static void die(const char *fmt, ...)
{
    va_list ap;
    fputs("host_raw_kvm: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

/* The same for a failed system call: names it and adds strerror(errno). */
__attribute__((noreturn)) static void die_sys(const char *what)
{
    die("%s: %s", what, strerror(errno));
}

/* ioctl() that dies naming the request on failure, like the selftests' vcpu_ioctl(). */
#define xioctl(fd, req, arg)                \
    ({                                      \
        int r_ = ioctl((fd), (req), (arg)); \
        if (r_ < 0)                         \
            die_sys("ioctl " #req);         \
        r_;                                 \
    })

/* Identity-maps the first 2 MiB with one large page; built on the host, not by the guest. */
static void build_page_tables(uint8_t *mem)
{
    uint64_t *pml4 = (uint64_t *)(mem + PML4_GPA);
    uint64_t *pdpt = (uint64_t *)(mem + PDPT_GPA);
    uint64_t *pd = (uint64_t *)(mem + PD_GPA);
    pml4[0] = PDPT_GPA | PTE_P | PTE_RW;
    pdpt[0] = PD_GPA | PTE_P | PTE_RW;
    pd[0] = 0 | PTE_P | PTE_RW | PTE_PS;
}

/* A flat segment: base 0, 4 GiB limit. Only CS needs L=1 in 64-bit mode. */
static struct kvm_segment flat_segment(uint16_t selector, uint8_t type, int code)
{
    struct kvm_segment s = {
        .base = 0,
        .limit = 0xffffffff,
        .selector = selector,
        .type = type,
        .present = 1,
        .dpl = 0,
        .db = code ? 0 : 1, /* D must be 0 when L is 1 */
        .s = 1,             /* code/data, not a system segment */
        .l = code ? 1 : 0,
        .g = 1,
    };
    return s;
}

/* Enters 64-bit mode directly: no real mode, no GDT in memory (the caches are what count). */
static void enter_long_mode(int vcpu)
{
    struct kvm_sregs sregs;
    xioctl(vcpu, KVM_GET_SREGS, &sregs);
    sregs.cr3 = PML4_GPA;
    sregs.cr4 = CR4_PAE;
    sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
    sregs.efer = EFER_LME | EFER_LMA;
    sregs.cs = flat_segment(0x08, 0xb, 1);                /* execute/read, accessed */
    struct kvm_segment data = flat_segment(0x10, 0x3, 0); /* read/write, accessed */
    sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data;
    xioctl(vcpu, KVM_SET_SREGS, &sregs);
}

static void set_regs(int vcpu, uint64_t nouts)
{
    struct kvm_regs regs;
    memset(&regs, 0, sizeof(regs));
    regs.rip = CODE_GPA;
    regs.rsp = STACK_TOP;
    regs.rflags = RFLAGS_RS;
    regs.rcx = nouts;
    regs.rdx = PORT;
    xioctl(vcpu, KVM_SET_REGS, &regs);
}

/*
 * Runs the guest until it halts. Every exit must be a 1-byte write to PORT, and there
 * must be exactly nouts of them: a benchmark that silently measured something else
 * would be worse than none. Returns the number of exits, the hlt included.
 */
static uint64_t run(int vcpu, struct kvm_run *kr, uint64_t nouts)
{
    uint64_t seen = 0, exits = 0;
    for (;;) {
        xioctl(vcpu, KVM_RUN, 0);
        exits++;
        switch (kr->exit_reason) {
        case KVM_EXIT_IO:
            if (kr->io.direction != KVM_EXIT_IO_OUT || kr->io.port != PORT || kr->io.size != 1)
                die("unexpected port exit (dir %u, port 0x%x, size %u)", kr->io.direction,
                    kr->io.port, kr->io.size);
            seen++;
            break;
        case KVM_EXIT_HLT:
            if (seen != nouts)
                die("guest halted after %" PRIu64 " port writes, expected %" PRIu64, seen, nouts);
            return exits;
        case KVM_EXIT_INTERNAL_ERROR:
            die("KVM_EXIT_INTERNAL_ERROR, suberror %u", kr->internal.suberror);
        default:
            die("unexpected exit reason %u", kr->exit_reason);
        }
    }
}

static int usage(void)
{
    fputs("usage: host_raw_kvm [--stats] boot\n"
          "       host_raw_kvm [--stats] portloop N\n",
          stderr);
    return 2;
}

/* A decimal count; strtoull alone would accept "-1", spaces and trailing junk. */
static int parse_count(const char *s, uint64_t *out)
{
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
    double t_main = now_us();
    int stats = argc > 1 && !strcmp(argv[1], "--stats");
    argc -= stats;
    argv += stats;

    uint64_t nouts;
    if (argc == 2 && !strcmp(argv[1], "boot"))
        nouts = BOOT_OUTS;
    else if (argc == 3 && !strcmp(argv[1], "portloop")) {
        if (parse_count(argv[2], &nouts) < 0) {
            fprintf(stderr, "host_raw_kvm: bad count '%s'\n", argv[2]);
            return usage();
        }
    } else
        return usage();

    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0)
        die_sys("open /dev/kvm");
    int api = xioctl(kvm, KVM_GET_API_VERSION, 0);
    if (api != KVM_API_VERSION)
        die("KVM API version %d, expected %d", api, KVM_API_VERSION);
    int vm = xioctl(kvm, KVM_CREATE_VM, 0);

    uint8_t *mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED)
        die_sys("mmap guest memory");
    struct kvm_userspace_memory_region region = {
        .slot = 0,
        .flags = 0,
        .guest_phys_addr = 0,
        .memory_size = MEM_SIZE,
        .userspace_addr = (uintptr_t)mem,
    };
    xioctl(vm, KVM_SET_USER_MEMORY_REGION, &region);
    build_page_tables(mem);
    memcpy(mem + CODE_GPA, guest_code, sizeof(guest_code));

    int vcpu = xioctl(vm, KVM_CREATE_VCPU, 0);
    int run_size = xioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    struct kvm_run *kr = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
    if (kr == MAP_FAILED)
        die_sys("mmap kvm_run");

    enter_long_mode(vcpu);
    set_regs(vcpu, nouts);
    double t_run = now_us();
    uint64_t exits = run(vcpu, kr, nouts);
    double t_end = now_us();
    if (stats)
        fprintf(stderr, "host_raw_kvm: stats: setup_us=%.0f run_us=%.0f exits=%" PRIu64 "\n",
                t_run - t_main, t_end - t_run, exits);
    return 0;
}
