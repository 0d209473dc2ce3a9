/*
 * exit_trace.c: the exit ring (see exit_trace.h).
 */
#include <inttypes.h>

#include "exit_trace.h"
#include "ukvm/abi/ukvm/hypercall.h"

void exit_trace_record(struct exit_trace *trace, enum vm_exit_reason reason, uint64_t rip,
                       int hypercall, uint64_t detail)
{
    trace->count++;
    if (hypercall >= 0)
        trace->hypercalls++;
    if ((unsigned)reason < EXIT_TRACE_REASONS)
        trace->per_reason[reason]++;
    trace->ring[(trace->count - 1) % EXIT_TRACE_SIZE] = (struct exit_record){
        .seq = trace->count,
        .reason = reason,
        .rip = rip,
        .hypercall = hypercall,
        .hc_name = trace->hc_name ? trace->hc_name : hypercall_name,
        .detail = detail,
    };
}

size_t exit_trace_last(const struct exit_trace *trace, size_t n, struct exit_record *out)
{
    size_t avail = trace->count < EXIT_TRACE_SIZE ? (size_t)trace->count : EXIT_TRACE_SIZE;
    if (n > avail)
        n = avail;
    for (size_t i = 0; i < n; i++)
        out[i] = trace->ring[(trace->count - 1 - i) % EXIT_TRACE_SIZE];
    return n;
}

void exit_trace_print_record(FILE *out, const struct exit_record *rec, int indent)
{
    fprintf(out, "%*s#%-6" PRIu64 " %-14s rip=0x%-12" PRIx64, indent, "", rec->seq,
            vm_exit_reason_name(rec->reason), rec->rip);
    if (rec->hypercall >= 0)
        fprintf(out, " hypercall %s",
                (rec->hc_name ? rec->hc_name : hypercall_name)((unsigned)rec->hypercall));
    else if (rec->reason == VM_EXIT_IO)
        fprintf(out, " port 0x%" PRIx64, rec->detail);
    else if (rec->reason == VM_EXIT_MMIO)
        fprintf(out, " gpa 0x%" PRIx64, rec->detail);
    else if (rec->reason == VM_EXIT_DEBUG)
        fprintf(out, " exception %" PRIu64, rec->detail);
    else if (rec->reason == VM_EXIT_INTERNAL_ERROR)
        fprintf(out, " suberror %" PRIu64, rec->detail);
    fputc('\n', out);
}
