/*
 * exit_trace.h: a ring of the most recent VM exits, for `monitor exits`, the shell and
 * crash reports, plus a count of every exit reason since the start.
 */
#ifndef UKVM_EXIT_TRACE_H
#define UKVM_EXIT_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ukvm/vm/vm.h"

#define EXIT_TRACE_SIZE    256
#define EXIT_TRACE_REASONS (VM_EXIT_OTHER + 1)

struct exit_record {
    uint64_t seq; /* 1 for the first exit */
    enum vm_exit_reason reason;
    uint64_t rip;
    int hypercall;   /* the guest ABI's number for hypercall exits, -1 otherwise */
    uint64_t detail; /* port for I/O, address for MMIO, exception for debug, suberror */
    const char *(*hc_name)(unsigned nr); /* names hypercall (the trace's hc_name) */
};

struct exit_trace {
    /* The guest ABI's hypercall names; NULL: ukvm's own ABI. Set before the first exit. */
    const char *(*hc_name)(unsigned nr);
    uint64_t count;
    uint64_t hypercalls; /* exits that were hypercalls (port writes, or user mode's stores) */
    uint64_t per_reason[EXIT_TRACE_REASONS];
    struct exit_record ring[EXIT_TRACE_SIZE];
};

/* Appends one exit (overwriting the oldest once full) and counts its reason. */
void exit_trace_record(struct exit_trace *trace, enum vm_exit_reason reason, uint64_t rip,
                       int hypercall, uint64_t detail);

/*
 * Copies up to n of the most recent records into out, newest first. Returns how many
 * were copied (fewer when fewer exits happened).
 */
size_t exit_trace_last(const struct exit_trace *trace, size_t n, struct exit_record *out);

/* Prints one record on a line: "#12 io rip=0x101234 PUTS" with indent spaces before it. */
void exit_trace_print_record(FILE *out, const struct exit_record *rec, int indent);

#endif /* UKVM_EXIT_TRACE_H */
