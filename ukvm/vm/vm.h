/*
 * vm.h: the bottom half of ukvm, the only part that talks to the hypervisor.
 *
 * Everything above this interface (ELF loading, boot set-up, hypercalls, the debug
 * core and its front ends) is hypervisor-neutral. vm_kvm.c implements it on Linux
 * /dev/kvm; a Hypervisor.framework or bhyve backend would implement the same calls.
 *
 * Error convention: functions return 0 on success and -1 on failure with a one-line
 * reason in the caller's buffer (err, errlen) where they take one, errno otherwise.
 */
#ifndef UKVM_VM_H
#define UKVM_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vcpu_state.h"

struct vm;
struct vcpu;

/* Why KVM_RUN (or its equivalent) came back. */
enum vm_exit_reason {
    VM_EXIT_IO,             /* port I/O: io */
    VM_EXIT_MMIO,           /* access to guest-physical memory with no writable slot: mmio */
    VM_EXIT_HLT,            /* hlt with interrupts off or no interrupt source */
    VM_EXIT_DEBUG,          /* single step, hardware or software breakpoint: debug */
    VM_EXIT_SHUTDOWN,       /* triple fault */
    VM_EXIT_INTERNAL_ERROR, /* the hypervisor could not go on (e.g. emulation failed): internal */
    VM_EXIT_FAIL_ENTRY,     /* the hardware refused to enter the guest: fail_entry */
    VM_EXIT_INTERRUPTED,    /* a signal or vcpu_request_exit() ended the run; no guest exit */
    VM_EXIT_OTHER,          /* anything else: other.raw is the hypervisor's own code */
};

struct vm_exit {
    enum vm_exit_reason reason;
    union {
        struct {
            uint16_t port;
            uint8_t size; /* 1, 2 or 4 bytes */
            bool is_write;
            uint32_t value; /* for writes: the (first) value written */
            uint32_t count; /* elements: 1, or more for a string instruction (rep outs) */
        } io;
        struct {
            uint64_t gpa;
            uint32_t len;
            bool is_write;
            uint8_t data[8];
        } mmio;
        struct {
            uint32_t exception; /* 1 (#DB) or 3 (#BP) */
            uint64_t pc;
            uint64_t dr6, dr7;
        } debug;
        struct {
            uint32_t suberror; /* KVM_INTERNAL_ERROR_* on KVM */
            uint32_t ndata;
            uint64_t data[4];
        } internal;
        struct {
            uint64_t hardware_reason;
        } fail_entry;
        struct {
            uint32_t raw;
        } other;
    };
};

/* Opens the hypervisor and creates an empty VM. */
int vm_create(struct vm **out, char *err, size_t errlen);

/* Destroys the VM and its vCPU (if any). NULL is allowed. */
void vm_destroy(struct vm *vm);

/*
 * Maps size bytes of host memory at host into the guest at gpa, in slot number slot
 * (re-using a slot number replaces that slot). gpa, size and host must be page-aligned.
 * A read-only slot turns guest writes into VM_EXIT_MMIO; size 0 deletes the slot.
 */
int vm_map_memory(struct vm *vm, uint32_t slot, uint64_t gpa, uint64_t size, void *host,
                  bool read_only, char *err, size_t errlen);

/*
 * True when the VM can map read-only slots (vm_map_memory's read_only; KVM_CAP_READONLY_MEM,
 * which some KVMs lack). TEST-ONLY: UKVM_TEST_NO_READONLY_MEM=1 in the environment makes
 * the VM act as one without them: this says false and vm_map_memory refuses read-only
 * slots (EINVAL), so that the fallback is tested on any host.
 */
bool vm_has_read_only_memory(struct vm *vm);

/*
 * The most memory slots the hypervisor offers this VM (slot numbers 0 to that minus one).
 * At least 32 (KVM's documented minimum) when the hypervisor does not say.
 */
uint32_t vm_max_memory_slots(struct vm *vm);

/*
 * Makes the vCPU vm_create makes next deterministic for a recorded run: CPUID hides
 * RDRAND and RDSEED, whose values the guest would get from the CPU without an exit.
 * Call before vcpu_create.
 */
void vm_set_deterministic(struct vm *vm);

/*
 * Creates the VM's single vCPU and gives it the host CPU's supported feature set
 * (CPUID), so the guest can use what the host offers (NX, SSE, ...).
 */
int vcpu_create(struct vm *vm, struct vcpu **out, char *err, size_t errlen);

/* The guest TSC frequency in Hz, or 0 when the hypervisor cannot tell. */
uint64_t vcpu_tsc_hz(struct vcpu *vcpu);

/*
 * Register access. Reads after an exit are served from one snapshot taken at that
 * exit (the hypervisor is asked at most once per exit). Writes update that snapshot and
 * reach the vCPU before anything can observe them: with the next run (folded into the
 * KVM_RUN itself where the hypervisor syncs registers through kvm_run) or before any
 * other call that depends on them (vcpu_set_debug, vcpu_get_events,
 * vcpu_complete_pending_exit), in the order they were made. A write the hypervisor
 * refuses is reported by that call (-1).
 */
int vcpu_get_regs(struct vcpu *vcpu, struct vcpu_regs *regs);
int vcpu_set_regs(struct vcpu *vcpu, const struct vcpu_regs *regs);
int vcpu_get_sregs(struct vcpu *vcpu, struct vcpu_sregs *sregs);
int vcpu_set_sregs(struct vcpu *vcpu, const struct vcpu_sregs *sregs);

/*
 * Runs the guest until the next exit and describes it in *exit. Returns 0 (including
 * for VM_EXIT_INTERRUPTED), or -1 with errno when the hypervisor call itself failed.
 */
int vcpu_run(struct vcpu *vcpu, struct vm_exit *exit);

/*
 * Makes the current or next vcpu_run return VM_EXIT_INTERRUPTED at once, without
 * entering the guest. Async-signal-safe: meant to be called from a signal handler.
 * The request stays until vcpu_run has returned VM_EXIT_INTERRUPTED once.
 */
void vcpu_request_exit(struct vcpu *vcpu);

/*
 * Completes an exit whose instruction is still pending (port I/O or MMIO): on some
 * KVMs the instruction finishes only on the next KVM_RUN. Runs the vCPU with an
 * immediate exit request so it completes without executing further guest code. Call it
 * before reporting a stop or changing registers after such an exit, so the register
 * view is the same on every KVM. An exit already requested (vcpu_request_exit) stays
 * requested. Returns 0, or -1 with errno.
 */
int vcpu_complete_pending_exit(struct vcpu *vcpu);

/*
 * Supplies the value a pending MMIO read returns to the guest (the last exit was
 * VM_EXIT_MMIO with is_write false): len bytes, the exit's mmio.len, at most 8. The read
 * completes with these bytes when the vCPU next runs (vcpu_run or
 * vcpu_complete_pending_exit); without this call it would read whatever the hypervisor
 * left there. Returns 0, or -1 with errno EINVAL when len is too long.
 */
int vcpu_set_mmio_read_data(struct vcpu *vcpu, const void *data, size_t len);

/* Hardware debug features for a debugger (KVM_SET_GUEST_DEBUG). */
struct vcpu_debug {
    bool enabled;        /* false: no debugging at all, the guest owns #DB and #BP */
    bool single_step;    /* exit after every instruction (VM_EXIT_DEBUG, exception 1) */
    bool intercept_int3; /* an int3 exits (VM_EXIT_DEBUG exception 3, or see vm_kvm.c) */
    bool hw_breakpoints; /* use dr[] and dr7 */
    uint64_t dr[4];      /* linear addresses */
    uint64_t dr7;        /* enables and types, as the architecture defines DR7 */
};

/* Applies *debug to the vCPU. Returns 0, or -1 with errno. */
int vcpu_set_debug(struct vcpu *vcpu, const struct vcpu_debug *debug);

/* x87 and SSE state. */
struct vcpu_fpu {
    uint8_t st[8][10]; /* st0-st7, 80-bit, in stack order */
    uint16_t fcw, fsw;
    uint8_t ftw; /* abridged tag word: one bit per register, 1 = valid */
    uint16_t fop;
    uint64_t fip, fdp;
    uint8_t xmm[16][16];
    uint32_t mxcsr;
};

/* x87/SSE state access. Return 0, or -1 with errno. */
int vcpu_get_fpu(struct vcpu *vcpu, struct vcpu_fpu *fpu);
int vcpu_set_fpu(struct vcpu *vcpu, const struct vcpu_fpu *fpu);

/*
 * The guest's debug registers (KVM_GET_DEBUGREGS), and the events the hypervisor holds
 * for delivery (KVM_GET_VCPU_EVENTS), for inspection. Return 0, or -1 with errno.
 */
int vcpu_get_debugregs(struct vcpu *vcpu, struct vcpu_debugregs *dr);
int vcpu_get_events(struct vcpu *vcpu, struct vcpu_events *ev);

/* Sets the guest's own debug registers (KVM_SET_DEBUGREGS). Returns 0, or -1 with errno. */
int vcpu_set_debugregs(struct vcpu *vcpu, const struct vcpu_debugregs *dr);

/*
 * Makes the vCPU take exception vector (one without an error code, such as #DB) when it
 * next runs, through the guest's own IDT, as if its current instruction boundary had
 * raised it: for handing the guest an exception a debugger's controls intercepted but
 * did not cause. Pending register writes reach the vCPU first. Returns 0, or -1 with errno.
 */
int vcpu_inject_exception(struct vcpu *vcpu, unsigned vector);

/* A short lower-case name for an exit reason ("io", "hlt", ...), for traces and messages. */
const char *vm_exit_reason_name(enum vm_exit_reason reason);

#endif /* UKVM_VM_H */
