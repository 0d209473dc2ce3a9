/*
 * backtrace.h: unwind the guest stack and print it symbolized.
 *
 * Unwinding prefers elfutils' own unwinder (DWARF call-frame information from
 * .eh_frame or .debug_frame), and falls back to walking the frame-pointer chain
 * (the kernel and apps keep frame pointers for this reason):
 *
 *   higher addresses
 *   | return address |  [rbp + 8]   <- the caller's pc
 *   | saved rbp      |  [rbp]       <- rbp: the caller's frame, one link up the chain
 *   | locals ...     |
 *   lower addresses                 <- rsp
 *
 * Included by symbolize.h; the struct symbolizer comes from there.
 */
#ifndef UKVM_BACKTRACE_H
#define UKVM_BACKTRACE_H

#include <stdint.h>
#include <stdio.h>

#include "guest_access.h"
#include "ukvm/vm/vcpu_state.h"

struct symbolizer;

/* One frame of a backtrace. */
struct backtrace_frame {
    uint64_t pc;  /* for frame 0, the exact PC; for callers, the return address */
    uint64_t cfa; /* the frame's canonical frame address, 0 if unknown */
    /*
     * 1 when ukvm's own frame-pointer walk found this caller. 0 for frames from
     * elfutils, which uses CFI and, for code without CFI, its own frame-pointer rule.
     */
    int via_fp;
};

/*
 * Unwinds the guest stack starting at regs (the innermost frame is regs->rip, an
 * exact PC as at a fault, not a return address). mem->read_phys is called with the
 * guest-virtual addresses of stack slots: with ukvm's identity map a guest-physical
 * reader serves; otherwise pass a guest_virt_access (pagewalk.h). sym may be NULL
 * (then only frame pointers are followed) and mem may be NULL (then only frame 0).
 * Stores up to max frames in frames and returns their count: at least 1 when max >= 1,
 * 0 otherwise. Stops at a zero return address, a non-advancing stack pointer or frame
 * pointer, an unreadable stack, or max frames. When rip lies outside every function
 * (a call through a bad pointer), the return address on top of the stack is taken as
 * frame 1 if it points into a function. Not reentrant for one sym: one unwind at a time.
 */
int symbolizer_backtrace(struct symbolizer *sym, const struct vcpu_regs *regs,
                         const struct guest_access *mem, struct backtrace_frame *frames, int max);

/*
 * Prints a backtrace as "#0  0x0000000000101234 in function+0x1c (file.c:42)", one
 * frame per line with indent spaces before each ("in ??" without a symbol). For callers
 * (frame >= 1) the function and line are looked up at pc-1 so that they name the call,
 * not the next line; the offset shown is still pc's. Code inlined at a frame's pc adds
 * frames as gdb shows them (symbolizer_inline_chain): "#0  0x... in inlined (file.c:24)"
 * for the innermost, then "#1  caller (file.c:29)" for each function it was inlined into,
 * without the shared address, ending with "#2  function+0x12 (file.c:38)", the
 * out-of-line function with the line of its inlined call. Frames are numbered as gdb
 * numbers them, inlined ones included, and at most limit are printed (limit <= 0: all),
 * as gdb's `bt N`. sym may be NULL.
 */
void symbolizer_print_backtrace(FILE *out, struct symbolizer *sym,
                                const struct backtrace_frame *frames, int nframes, int indent,
                                int limit);

#endif /* UKVM_BACKTRACE_H */
