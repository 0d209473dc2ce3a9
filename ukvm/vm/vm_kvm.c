/*
 * vm_kvm.c: the bottom half on Linux /dev/kvm (see vm.h).
 *
 * Shape borrowed from the KVM selftests: kvm_ioctl_err() formats the failed call with
 * its name and errno for the caller's error buffer; nothing here exits the process.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vm.h"

struct vcpu {
    int fd;
    struct kvm_run *run;
    size_t run_size;
    bool sync_regs;  /* KVM_CAP_SYNC_REGS: registers arrive in kvm_run at each exit */
    bool sync_sregs; /* ... and so do the system registers */
    bool regs_valid, sregs_valid;
    /* Writes not yet given to KVM (DIRTY_*): the cached regs and sregs hold them. */
    unsigned dirty;
    struct kvm_regs regs;
    struct kvm_sregs sregs;
};

#define DIRTY_REGS  KVM_SYNC_X86_REGS
#define DIRTY_SREGS KVM_SYNC_X86_SREGS

struct vm {
    int kvm_fd;
    int vm_fd;
    struct vcpu *vcpu;
    bool deterministic; /* vm_set_deterministic: RDRAND and RDSEED hidden */
};

static int kvm_ioctl_err(char *err, size_t errlen, const char *what)
{
    int saved = errno;
    snprintf(err, errlen, "%s failed: %s", what, strerror(saved));
    errno = saved;
    return -1;
}

int vm_create(struct vm **out, char *err, size_t errlen)
{
    struct vm *vm = calloc(1, sizeof(*vm));
    if (!vm) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    vm->vm_fd = -1;
    vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (vm->kvm_fd < 0) {
        int saved = errno;
        snprintf(err, errlen, "cannot open /dev/kvm: %s%s", strerror(saved),
                 saved == ENOENT   ? " (is the kvm module loaded? is this a VM without nested "
                                     "virtualization?)"
                 : saved == EACCES ? " (add yourself to the kvm group, or run as root)"
                                   : "");
        free(vm);
        return -1;
    }
    int version = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
    if (version != KVM_API_VERSION) {
        snprintf(err, errlen, "/dev/kvm speaks KVM API version %d, ukvm needs %d", version,
                 KVM_API_VERSION);
        vm_destroy(vm);
        return -1;
    }
    vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
    if (vm->vm_fd < 0) {
        kvm_ioctl_err(err, errlen, "KVM_CREATE_VM");
        vm_destroy(vm);
        return -1;
    }
    *out = vm;
    return 0;
}

void vm_destroy(struct vm *vm)
{
    if (!vm)
        return;
    if (vm->vcpu) {
        if (vm->vcpu->run)
            munmap(vm->vcpu->run, vm->vcpu->run_size);
        if (vm->vcpu->fd >= 0)
            close(vm->vcpu->fd);
        free(vm->vcpu);
    }
    if (vm->vm_fd >= 0)
        close(vm->vm_fd);
    if (vm->kvm_fd >= 0)
        close(vm->kvm_fd);
    free(vm);
}

/* UKVM_TEST_NO_READONLY_MEM=1: act as a KVM without read-only slots (vm.h; test-only). */
static bool test_no_read_only_memory(void)
{
    const char *v = getenv("UKVM_TEST_NO_READONLY_MEM");
    return v && strcmp(v, "1") == 0;
}

bool vm_has_read_only_memory(struct vm *vm)
{
    if (test_no_read_only_memory())
        return false;
    return ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_READONLY_MEM) > 0;
}

int vm_map_memory(struct vm *vm, uint32_t slot, uint64_t gpa, uint64_t size, void *host,
                  bool read_only, char *err, size_t errlen)
{
    if (read_only && size && test_no_read_only_memory()) {
        /* What a KVM without KVM_CAP_READONLY_MEM answers for the unknown flag. */
        errno = EINVAL;
        return kvm_ioctl_err(err, errlen, "KVM_SET_USER_MEMORY_REGION");
    }
    struct kvm_userspace_memory_region region = {
        .slot = slot,
        .flags = read_only ? KVM_MEM_READONLY : 0,
        .guest_phys_addr = gpa,
        .memory_size = size,
        .userspace_addr = (uint64_t)(uintptr_t)host,
    };
    if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
        return kvm_ioctl_err(err, errlen, "KVM_SET_USER_MEMORY_REGION");
    return 0;
}

uint32_t vm_max_memory_slots(struct vm *vm)
{
    /* KVM_CAP_NR_MEMSLOTS counts the slots of one address space; 0 means "not said". */
    int n = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS);
    return n >= 32 ? (uint32_t)n : 32;
}

/* CPUID.1:ECX.RDRAND[bit 30] and CPUID.(EAX=7,ECX=0):EBX.RDSEED[bit 18] (SDM vol. 2A). */
#define CPUID1_ECX_RDRAND (1u << 30)
#define CPUID7_EBX_RDSEED (1u << 18)

/* Clears the features whose instructions give the guest values the monitor never sees. */
static void hide_random_sources(struct kvm_cpuid2 *cpuid)
{
    for (uint32_t i = 0; i < cpuid->nent; i++) {
        struct kvm_cpuid_entry2 *e = &cpuid->entries[i];
        if (e->function == 1)
            e->ecx &= ~CPUID1_ECX_RDRAND;
        else if (e->function == 7 && e->index == 0)
            e->ebx &= ~CPUID7_EBX_RDSEED;
    }
}

/*
 * Hands the host's supported CPUID leaves to the guest unchanged, but for RDRAND and
 * RDSEED in a deterministic VM (vm_set_deterministic).
 */
static int vcpu_set_supported_cpuid(struct vm *vm, struct vcpu *vcpu, char *err, size_t errlen)
{
    int nent = 128;
    for (;;) {
        struct kvm_cpuid2 *cpuid =
            calloc(1, sizeof(*cpuid) + (size_t)nent * sizeof(struct kvm_cpuid_entry2));
        if (!cpuid) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        cpuid->nent = (uint32_t)nent;
        if (ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid) < 0) {
            free(cpuid);
            if (errno == E2BIG && nent < 4096) {
                nent *= 2;
                continue;
            }
            return kvm_ioctl_err(err, errlen, "KVM_GET_SUPPORTED_CPUID");
        }
        if (vm->deterministic)
            hide_random_sources(cpuid);
        int rc = ioctl(vcpu->fd, KVM_SET_CPUID2, cpuid);
        free(cpuid);
        if (rc < 0)
            return kvm_ioctl_err(err, errlen, "KVM_SET_CPUID2");
        return 0;
    }
}

int vcpu_create(struct vm *vm, struct vcpu **out, char *err, size_t errlen)
{
    if (vm->vcpu) {
        snprintf(err, errlen, "ukvm supports one vCPU");
        return -1;
    }
    struct vcpu *vcpu = calloc(1, sizeof(*vcpu));
    if (!vcpu) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    vm->vcpu = vcpu;
    vcpu->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
    if (vcpu->fd < 0)
        return kvm_ioctl_err(err, errlen, "KVM_CREATE_VCPU");
    int size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (size < (int)sizeof(struct kvm_run))
        return kvm_ioctl_err(err, errlen, "KVM_GET_VCPU_MMAP_SIZE");
    vcpu->run_size = (size_t)size;
    vcpu->run = mmap(NULL, vcpu->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
    if (vcpu->run == MAP_FAILED) {
        vcpu->run = NULL;
        return kvm_ioctl_err(err, errlen, "mmap of kvm_run");
    }
    if (vcpu_set_supported_cpuid(vm, vcpu, err, errlen) < 0)
        return -1;
    /*
     * With synced registers KVM copies the GPRs into kvm_run on every exit, which makes
     * the exit trace's RIP free instead of one KVM_GET_REGS per exit.
     */
    int sync = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS);
    vcpu->sync_regs = sync > 0 && (sync & KVM_SYNC_X86_REGS);
    /* The system registers too: every debugger stop and user-mode trap reads them. */
    vcpu->sync_sregs = vcpu->sync_regs && (sync & KVM_SYNC_X86_SREGS);
    *out = vcpu;
    return 0;
}

uint64_t vcpu_tsc_hz(struct vcpu *vcpu)
{
    int khz = ioctl(vcpu->fd, KVM_GET_TSC_KHZ, 0);
    return khz > 0 ? (uint64_t)khz * 1000 : 0;
}

static void regs_from_kvm(const struct kvm_regs *k, struct vcpu_regs *r)
{
    *r = (struct vcpu_regs){
        .rax = k->rax,
        .rbx = k->rbx,
        .rcx = k->rcx,
        .rdx = k->rdx,
        .rsi = k->rsi,
        .rdi = k->rdi,
        .rsp = k->rsp,
        .rbp = k->rbp,
        .r8 = k->r8,
        .r9 = k->r9,
        .r10 = k->r10,
        .r11 = k->r11,
        .r12 = k->r12,
        .r13 = k->r13,
        .r14 = k->r14,
        .r15 = k->r15,
        .rip = k->rip,
        .rflags = k->rflags,
    };
}

static void regs_to_kvm(const struct vcpu_regs *r, struct kvm_regs *k)
{
    *k = (struct kvm_regs){
        .rax = r->rax,
        .rbx = r->rbx,
        .rcx = r->rcx,
        .rdx = r->rdx,
        .rsi = r->rsi,
        .rdi = r->rdi,
        .rsp = r->rsp,
        .rbp = r->rbp,
        .r8 = r->r8,
        .r9 = r->r9,
        .r10 = r->r10,
        .r11 = r->r11,
        .r12 = r->r12,
        .r13 = r->r13,
        .r14 = r->r14,
        .r15 = r->r15,
        .rip = r->rip,
        .rflags = r->rflags,
    };
}

int vcpu_get_regs(struct vcpu *vcpu, struct vcpu_regs *regs)
{
    if (!vcpu->regs_valid) {
        if (ioctl(vcpu->fd, KVM_GET_REGS, &vcpu->regs) < 0)
            return -1;
        vcpu->regs_valid = true;
    }
    regs_from_kvm(&vcpu->regs, regs);
    return 0;
}

/* Gives KVM the writes still held in the cache, by ioctl, system registers first. */
static int flush_dirty(struct vcpu *vcpu)
{
    unsigned dirty = vcpu->dirty;
    vcpu->dirty = 0;
    if ((dirty & DIRTY_SREGS) && ioctl(vcpu->fd, KVM_SET_SREGS, &vcpu->sregs) < 0) {
        vcpu->regs_valid = vcpu->sregs_valid = false;
        return -1;
    }
    if ((dirty & DIRTY_REGS) && ioctl(vcpu->fd, KVM_SET_REGS, &vcpu->regs) < 0) {
        vcpu->regs_valid = vcpu->sregs_valid = false;
        return -1;
    }
    return 0;
}

int vcpu_set_regs(struct vcpu *vcpu, const struct vcpu_regs *regs)
{
    /* Held until the vCPU runs: a step in user mode writes registers twice per stop. */
    regs_to_kvm(regs, &vcpu->regs);
    vcpu->regs_valid = true;
    vcpu->dirty |= DIRTY_REGS;
    return 0;
}

static void segment_from_kvm(const struct kvm_segment *k, struct vcpu_segment *s)
{
    *s = (struct vcpu_segment){
        .base = k->base,
        .limit = k->limit,
        .selector = k->selector,
        .type = k->type,
        .present = k->present,
        .dpl = k->dpl,
        .db = k->db,
        .s = k->s,
        .l = k->l,
        .g = k->g,
        .avl = k->avl,
        .unusable = k->unusable,
    };
}

static void segment_to_kvm(const struct vcpu_segment *s, struct kvm_segment *k)
{
    *k = (struct kvm_segment){
        .base = s->base,
        .limit = s->limit,
        .selector = s->selector,
        .type = s->type,
        .present = s->present,
        .dpl = s->dpl,
        .db = s->db,
        .s = s->s,
        .l = s->l,
        .g = s->g,
        .avl = s->avl,
        .unusable = s->unusable,
    };
}

int vcpu_get_sregs(struct vcpu *vcpu, struct vcpu_sregs *s)
{
    if (!vcpu->sregs_valid) {
        if (ioctl(vcpu->fd, KVM_GET_SREGS, &vcpu->sregs) < 0)
            return -1;
        vcpu->sregs_valid = true;
    }
    const struct kvm_sregs *k = &vcpu->sregs;
    segment_from_kvm(&k->cs, &s->cs);
    segment_from_kvm(&k->ds, &s->ds);
    segment_from_kvm(&k->es, &s->es);
    segment_from_kvm(&k->fs, &s->fs);
    segment_from_kvm(&k->gs, &s->gs);
    segment_from_kvm(&k->ss, &s->ss);
    segment_from_kvm(&k->tr, &s->tr);
    segment_from_kvm(&k->ldt, &s->ldt);
    s->gdt = (struct vcpu_dtable){.base = k->gdt.base, .limit = k->gdt.limit};
    s->idt = (struct vcpu_dtable){.base = k->idt.base, .limit = k->idt.limit};
    s->cr0 = k->cr0;
    s->cr2 = k->cr2;
    s->cr3 = k->cr3;
    s->cr4 = k->cr4;
    s->cr8 = k->cr8;
    s->efer = k->efer;
    s->apic_base = k->apic_base;
    return 0;
}

int vcpu_set_sregs(struct vcpu *vcpu, const struct vcpu_sregs *s)
{
    struct kvm_sregs k;
    /* Start from the current state so fields ukvm does not model (interrupt bitmap) stay. */
    if (vcpu->sregs_valid)
        k = vcpu->sregs;
    else if (ioctl(vcpu->fd, KVM_GET_SREGS, &k) < 0)
        return -1;
    segment_to_kvm(&s->cs, &k.cs);
    segment_to_kvm(&s->ds, &k.ds);
    segment_to_kvm(&s->es, &k.es);
    segment_to_kvm(&s->fs, &k.fs);
    segment_to_kvm(&s->gs, &k.gs);
    segment_to_kvm(&s->ss, &k.ss);
    segment_to_kvm(&s->tr, &k.tr);
    segment_to_kvm(&s->ldt, &k.ldt);
    k.gdt.base = s->gdt.base;
    k.gdt.limit = s->gdt.limit;
    k.idt.base = s->idt.base;
    k.idt.limit = s->idt.limit;
    k.cr0 = s->cr0;
    k.cr2 = s->cr2;
    k.cr3 = s->cr3;
    k.cr4 = s->cr4;
    k.cr8 = s->cr8;
    k.efer = s->efer;
    k.apic_base = s->apic_base;
    /*
     * Held like the general registers. The cache keeps what was written; KVM may still
     * normalize a descriptor's hidden bits (the accessed bit), which ukvm presets.
     */
    vcpu->sregs = k;
    vcpu->sregs_valid = true;
    vcpu->dirty |= DIRTY_SREGS;
    return 0;
}

static void exit_from_kvm(const struct kvm_run *run, struct vm_exit *exit)
{
    memset(exit, 0, sizeof(*exit));
    switch (run->exit_reason) {
    case KVM_EXIT_IO: {
        exit->reason = VM_EXIT_IO;
        exit->io.port = run->io.port;
        exit->io.size = run->io.size;
        exit->io.is_write = run->io.direction == KVM_EXIT_IO_OUT;
        exit->io.count = run->io.count;
        if (exit->io.is_write && run->io.size <= 4) {
            /* The data sits inside the kvm_run page at data_offset (KVM API docs). */
            uint32_t value = 0;
            memcpy(&value, (const uint8_t *)run + run->io.data_offset, run->io.size);
            exit->io.value = value;
        }
        break;
    }
    case KVM_EXIT_MMIO:
        exit->reason = VM_EXIT_MMIO;
        exit->mmio.gpa = run->mmio.phys_addr;
        exit->mmio.len = run->mmio.len;
        exit->mmio.is_write = run->mmio.is_write;
        memcpy(exit->mmio.data, run->mmio.data, sizeof(exit->mmio.data));
        break;
    case KVM_EXIT_HLT:
        exit->reason = VM_EXIT_HLT;
        break;
    case KVM_EXIT_DEBUG:
        exit->reason = VM_EXIT_DEBUG;
        exit->debug.exception = run->debug.arch.exception;
        exit->debug.pc = run->debug.arch.pc;
        exit->debug.dr6 = run->debug.arch.dr6;
        exit->debug.dr7 = run->debug.arch.dr7;
        break;
    case KVM_EXIT_SHUTDOWN:
        exit->reason = VM_EXIT_SHUTDOWN;
        break;
    case KVM_EXIT_INTERNAL_ERROR: {
        exit->reason = VM_EXIT_INTERNAL_ERROR;
        exit->internal.suberror = run->internal.suberror;
        uint32_t n = run->internal.ndata < 4 ? run->internal.ndata : 4;
        exit->internal.ndata = n;
        for (uint32_t i = 0; i < n; i++)
            exit->internal.data[i] = run->internal.data[i];
        break;
    }
    case KVM_EXIT_FAIL_ENTRY:
        exit->reason = VM_EXIT_FAIL_ENTRY;
        exit->fail_entry.hardware_reason = run->fail_entry.hardware_entry_failure_reason;
        break;
    default:
        exit->reason = VM_EXIT_OTHER;
        exit->other.raw = run->exit_reason;
        break;
    }
}

int vcpu_run(struct vcpu *vcpu, struct vm_exit *exit)
{
    /*
     * Pending writes ride on the KVM_RUN itself where KVM syncs registers (kvm_dirty_regs:
     * applied on entry, before anything runs), else go by ioctl first.
     */
    unsigned synced = (vcpu->sync_regs ? DIRTY_REGS : 0) | (vcpu->sync_sregs ? DIRTY_SREGS : 0);
    unsigned riding = 0;
    if (vcpu->dirty && (vcpu->dirty & ~synced) == 0) {
        riding = vcpu->dirty;
        if (riding & DIRTY_REGS)
            vcpu->run->s.regs.regs = vcpu->regs;
        if (riding & DIRTY_SREGS)
            vcpu->run->s.regs.sregs = vcpu->sregs;
        vcpu->run->kvm_dirty_regs = riding;
        vcpu->dirty = 0;
    } else if (vcpu->dirty && flush_dirty(vcpu) < 0) {
        return -1;
    }
    vcpu->regs_valid = false;
    vcpu->sregs_valid = false;
    if (vcpu->sync_regs)
        vcpu->run->kvm_valid_regs = KVM_SYNC_X86_REGS | (vcpu->sync_sregs ? KVM_SYNC_X86_SREGS : 0);
    int rc = ioctl(vcpu->fd, KVM_RUN, 0);
    int saved = errno;
    if (riding && (vcpu->run->kvm_dirty_regs & riding)) {
        /*
         * KVM returned before it took them (an exit request seen first, on some kernels):
         * the writes stand, and go by ioctl now, from the cache, which still holds them
         * (only a completed run refreshes it, below).
         */
        vcpu->run->kvm_dirty_regs = 0;
        vcpu->dirty = riding;
        if (flush_dirty(vcpu) < 0)
            return -1;
    }
    errno = saved;
    if (rc < 0) {
        if (errno == EINTR || errno == EAGAIN) {
            vcpu->run->immediate_exit = 0;
            memset(exit, 0, sizeof(*exit));
            exit->reason = VM_EXIT_INTERRUPTED;
            return 0;
        }
        return -1;
    }
    if (vcpu->sync_regs) {
        vcpu->regs = vcpu->run->s.regs.regs;
        vcpu->regs_valid = true;
    }
    if (vcpu->sync_sregs) {
        vcpu->sregs = vcpu->run->s.regs.sregs;
        vcpu->sregs_valid = true;
    }
    exit_from_kvm(vcpu->run, exit);
    return 0;
}

void vcpu_request_exit(struct vcpu *vcpu)
{
    /* A plain store to the shared kvm_run page: async-signal-safe by construction. */
    __atomic_store_n(&vcpu->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
}

const char *vm_exit_reason_name(enum vm_exit_reason reason)
{
    switch (reason) {
    case VM_EXIT_IO:
        return "io";
    case VM_EXIT_MMIO:
        return "mmio";
    case VM_EXIT_HLT:
        return "hlt";
    case VM_EXIT_DEBUG:
        return "debug";
    case VM_EXIT_SHUTDOWN:
        return "shutdown";
    case VM_EXIT_INTERNAL_ERROR:
        return "internal-error";
    case VM_EXIT_FAIL_ENTRY:
        return "fail-entry";
    case VM_EXIT_INTERRUPTED:
        return "interrupted";
    case VM_EXIT_OTHER:
        return "other";
    }
    return "?";
}

int vcpu_complete_pending_exit(struct vcpu *vcpu)
{
    if (flush_dirty(vcpu) < 0)
        return -1;
    /* An exit request already made (vcpu_request_exit) stays for the next vcpu_run. */
    uint8_t requested = __atomic_load_n(&vcpu->run->immediate_exit, __ATOMIC_SEQ_CST);
    vcpu->run->immediate_exit = 1;
    int rc = ioctl(vcpu->fd, KVM_RUN, 0);
    int saved = errno;
    __atomic_store_n(&vcpu->run->immediate_exit, requested, __ATOMIC_SEQ_CST);
    vcpu->regs_valid = false;
    vcpu->sregs_valid = false;
    /* The expected outcome is EINTR: KVM finished the instruction, then saw the request. */
    if (rc < 0 && saved != EINTR && saved != EAGAIN) {
        errno = saved;
        return -1;
    }
    return 0;
}

int vcpu_set_mmio_read_data(struct vcpu *vcpu, const void *data, size_t len)
{
    if (len > sizeof(vcpu->run->mmio.data)) {
        errno = EINVAL;
        return -1;
    }
    /* KVM copies kvm_run->mmio.data into the emulated instruction on the next KVM_RUN. */
    memcpy(vcpu->run->mmio.data, data, len);
    return 0;
}

int vcpu_set_debug(struct vcpu *vcpu, const struct vcpu_debug *debug)
{
    /* KVM reads rip and rflags for single-stepping: they must be current. */
    if (flush_dirty(vcpu) < 0)
        return -1;
    struct kvm_guest_debug dbg;
    memset(&dbg, 0, sizeof(dbg));
    if (debug->enabled) {
        dbg.control = KVM_GUESTDBG_ENABLE;
        if (debug->single_step)
            dbg.control |= KVM_GUESTDBG_SINGLESTEP;
        if (debug->intercept_int3)
            dbg.control |= KVM_GUESTDBG_USE_SW_BP;
        if (debug->hw_breakpoints) {
            dbg.control |= KVM_GUESTDBG_USE_HW_BP;
            for (int i = 0; i < 4; i++)
                dbg.arch.debugreg[i] = debug->dr[i];
            dbg.arch.debugreg[7] = debug->dr7;
        }
    }
    return ioctl(vcpu->fd, KVM_SET_GUEST_DEBUG, &dbg) < 0 ? -1 : 0;
}

int vcpu_get_fpu(struct vcpu *vcpu, struct vcpu_fpu *fpu)
{
    struct kvm_fpu k;
    if (ioctl(vcpu->fd, KVM_GET_FPU, &k) < 0)
        return -1;
    memset(fpu, 0, sizeof(*fpu));
    for (int i = 0; i < 8; i++)
        memcpy(fpu->st[i], k.fpr[i], 10);
    fpu->fcw = k.fcw;
    fpu->fsw = k.fsw;
    fpu->ftw = k.ftwx;
    fpu->fop = k.last_opcode;
    fpu->fip = k.last_ip;
    fpu->fdp = k.last_dp;
    memcpy(fpu->xmm, k.xmm, sizeof(fpu->xmm));
    fpu->mxcsr = k.mxcsr;
    return 0;
}

int vcpu_set_fpu(struct vcpu *vcpu, const struct vcpu_fpu *fpu)
{
    struct kvm_fpu k;
    if (ioctl(vcpu->fd, KVM_GET_FPU, &k) < 0)
        return -1;
    for (int i = 0; i < 8; i++)
        memcpy(k.fpr[i], fpu->st[i], 10);
    k.fcw = fpu->fcw;
    k.fsw = fpu->fsw;
    k.ftwx = fpu->ftw;
    k.last_opcode = fpu->fop;
    k.last_ip = fpu->fip;
    k.last_dp = fpu->fdp;
    memcpy(k.xmm, fpu->xmm, sizeof(k.xmm));
    k.mxcsr = fpu->mxcsr;
    return ioctl(vcpu->fd, KVM_SET_FPU, &k) < 0 ? -1 : 0;
}

int vcpu_get_debugregs(struct vcpu *vcpu, struct vcpu_debugregs *dr)
{
    struct kvm_debugregs k;
    if (ioctl(vcpu->fd, KVM_GET_DEBUGREGS, &k) < 0)
        return -1;
    memset(dr, 0, sizeof(*dr));
    memcpy(dr->db, k.db, sizeof(dr->db));
    dr->dr6 = k.dr6;
    dr->dr7 = k.dr7;
    return 0;
}

int vcpu_set_debugregs(struct vcpu *vcpu, const struct vcpu_debugregs *dr)
{
    struct kvm_debugregs k;
    memset(&k, 0, sizeof(k));
    memcpy(k.db, dr->db, sizeof(k.db));
    k.dr6 = dr->dr6;
    k.dr7 = dr->dr7;
    return ioctl(vcpu->fd, KVM_SET_DEBUGREGS, &k) < 0 ? -1 : 0;
}

void vm_set_deterministic(struct vm *vm)
{
    vm->deterministic = true;
}

int vcpu_get_events(struct vcpu *vcpu, struct vcpu_events *ev)
{
    /* Setting registers drops a pending exception in KVM: the view must include them. */
    if (flush_dirty(vcpu) < 0)
        return -1;
    struct kvm_vcpu_events k;
    if (ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, &k) < 0)
        return -1;
    memset(ev, 0, sizeof(*ev));
    ev->exception.injected = k.exception.injected;
    ev->exception.pending = k.exception.pending;
    ev->exception.has_error_code = k.exception.has_error_code;
    ev->exception.vector = k.exception.nr;
    ev->exception.error_code = k.exception.error_code;
    ev->interrupt.injected = k.interrupt.injected;
    ev->interrupt.soft = k.interrupt.soft;
    ev->interrupt.vector = k.interrupt.nr;
    ev->nmi.injected = k.nmi.injected;
    ev->nmi.pending = k.nmi.pending;
    ev->nmi.masked = k.nmi.masked;
    ev->interrupt_shadow = k.interrupt.shadow;
    /* Without KVM_CAP_EXCEPTION_PAYLOAD, a pending exception is reported as injected. */
    ev->pending_known = (k.flags & KVM_VCPUEVENT_VALID_PAYLOAD) != 0;
    return 0;
}

int vcpu_inject_exception(struct vcpu *vcpu, unsigned vector)
{
    /* Register writes after this would drop the exception again (see vcpu_get_events). */
    if (flush_dirty(vcpu) < 0)
        return -1;
    struct kvm_vcpu_events k;
    if (ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, &k) < 0)
        return -1;
    k.exception.injected = 1;
    k.exception.pending = 0;
    k.exception.nr = (uint8_t)vector;
    k.exception.has_error_code = 0;
    k.exception.error_code = 0;
    k.exception_has_payload = 0;
    k.exception_payload = 0;
    /* Only the exception changes: the other state KVM reported goes back as it was. */
    k.flags &= KVM_VCPUEVENT_VALID_PAYLOAD | KVM_VCPUEVENT_VALID_SHADOW | KVM_VCPUEVENT_VALID_SMM;
    return ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, &k) < 0 ? -1 : 0;
}
