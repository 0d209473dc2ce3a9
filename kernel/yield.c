/*
 * yield.c: solo5_yield, sleeping in the monitor until a deadline or network input.
 */
#include "hypercall.h"
#include "solo5.h"

void solo5_yield(solo5_time_t deadline, solo5_handle_set_t *ready_set)
{
    solo5_time_t now = solo5_clock_monotonic();
    solo5_handle_set_t ready = 0;

    /*
     * The monitor takes a relative timeout (0 only looks: a deadline already passed still
     * reports the devices with input). It may return early with nothing ready (a debugger
     * stopped the guest mid-sleep), so sleep again for what is left: solo5_yield returns
     * only at the deadline or with input.
     */
    for (;;) {
        struct ukvm_hc_poll poll = {.timeout_ns = deadline > now ? deadline - now : 0};

        hypercall(UKVM_HC_POLL, &poll);
        if (poll.ret == UKVM_R_OK)
            ready = poll.ready_set;
        if (ready != 0)
            break;
        now = solo5_clock_monotonic();
        if (now >= deadline)
            break;
    }
    if (ready_set)
        *ready_set = ready;
}
