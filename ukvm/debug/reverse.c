/*
 * reverse.c: reverse-stepi and reverse-continue by checkpoints and replay (see reverse.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "reverse.h"
#include "ukvm/replay/recorder.h"
#include "ukvm/run/user_mode.h"

/* A runaway search (a replay that never meets the position again) ends here. */
#define LOCATE_MAX_STEPS 100000000ULL

static void stop_as(struct debug_core *core, enum debug_stop_reason reason)
{
    memset(&core->stop, 0, sizeof(core->stop));
    core->stop.reason = reason;
    core->stop.hw_slot = -1;
}

/* Ends a reverse operation that failed: a stop the user sees, with why. */
static int failed(struct debug_core *core, struct debug_stop *stop, const char *why)
{
    if (core->stop.reason == DEBUG_STOP_RECORD_MARK || core->stop.reason == DEBUG_STOP_STEP)
        stop_as(core, DEBUG_STOP_INTERRUPT);
    if (why)
        snprintf(core->stop.message, sizeof(core->stop.message), "ukvm: %s", why);
    *stop = core->stop;
    return -1;
}

/*
 * Puts the guest at (position, steps), quietly: the latest checkpoint at or before it,
 * replayed to the hypercall, then single steps. Returns 0, or -1 with core->stop saying
 * what stopped it instead (a Ctrl-C, a failure).
 */
static int go_to(struct debug_core *core, uint64_t position, uint64_t steps)
{
    struct recorder *r = core->record;
    struct debug_stop st;
    core->fatal = false; /* a fault ahead is in the future again */
    core->run->hc_pending = false;
    user_mode_disarm_step(core->run);
    if (recorder_restore(r, position) < 0) {
        stop_as(core, DEBUG_STOP_INTERRUPT);
        snprintf(core->stop.message, sizeof(core->stop.message),
                 "ukvm: cannot restore a checkpoint: %s", strerror(errno));
        return -1;
    }
    core->quiet = true;
    int rc = 0;
    if (r->position < position) {
        recorder_set_target(r, position);
        rc = debug_core_resume(core, false, false, &st);
        recorder_clear_target(r);
        if (rc == 0 && (st.reason != DEBUG_STOP_RECORD_MARK || r->position != position))
            rc = -1;
    }
    for (uint64_t i = 0; rc == 0 && i < steps; i++)
        if (debug_core_resume(core, true, false, &st) < 0 || st.reason != DEBUG_STOP_STEP ||
            r->position != position)
            rc = -1;
    core->quiet = false;
    if (rc == 0) {
        core->steps = steps;
        core->steps_known = true;
    }
    return rc;
}

/*
 * Counts the instructions from (position, 0) to the point whose registers are want (NULL:
 * to the end of the interval, its hypercall executed). Returns the count, with *ended set
 * when the interval ended first (the count then includes the hypercall's instruction), or
 * -1 with core->stop saying why.
 */
static int64_t locate(struct debug_core *core, uint64_t position, const struct vcpu_regs *want,
                      bool *ended)
{
    struct recorder *r = core->record;
    *ended = false;
    if (go_to(core, position, 0) < 0)
        return -1;
    core->quiet = true;
    r->replay_only = true;
    int64_t n = -1;
    for (uint64_t i = 0; i < LOCATE_MAX_STEPS; i++) {
        struct vcpu_regs regs;
        if (want && vcpu_get_regs(core->run->vcpu, &regs) == 0 &&
            recorder_same_point(&regs, want)) {
            n = (int64_t)i;
            break;
        }
        struct debug_stop st;
        if (debug_core_resume(core, true, false, &st) < 0)
            break;
        if (r->position != position || st.reason == DEBUG_STOP_RECORD_MARK) {
            *ended = true;
            n = (int64_t)i + 1;
            break;
        }
        if (st.reason != DEBUG_STOP_STEP)
            break;
    }
    r->replay_only = false;
    core->quiet = false;
    if (n < 0 && core->stop.reason == DEBUG_STOP_STEP) {
        stop_as(core, DEBUG_STOP_INTERRUPT);
        snprintf(core->stop.message, sizeof(core->stop.message),
                 "ukvm: reverse execution cannot find the position again after hypercall %" PRIu64
                 " (the replay diverged?)",
                 position);
    }
    return n;
}

/* A stop of the user's: a breakpoint or a watchpoint's access. */
static bool user_stop(enum debug_stop_reason reason)
{
    return reason == DEBUG_STOP_SW_BREAK || reason == DEBUG_STOP_HW_BREAK ||
           reason == DEBUG_STOP_WATCH;
}

/* The user's last stop a scan met: its interval, and its ordinal in that interval. */
struct scan_last {
    struct debug_stop stop;
    uint64_t position, ordinal;
};

/* Counts a user stop of the interval the guest is in now. */
static void count_stop(const struct recorder *r, const struct debug_stop *st, uint64_t *count,
                       struct scan_last *last)
{
    if (*count == 0 || last->position != r->position)
        last->ordinal = 0;
    (*count)++;
    last->stop = *st;
    last->position = r->position;
    last->ordinal++;
}

/*
 * Replays from hypercall position up to the point whose registers are now, or (now NULL)
 * to hypercall `to`, with the user's breakpoints and watchpoints armed, counting the
 * user's stops on the way (into *count; the last one, with its interval, in *last). With
 * want non-zero it stops at the want-th. One pass over any number of intervals: a replay
 * from each of them in turn would cost the square of their number. Returns 0, or -1 with
 * core->stop saying why.
 */
static int scan(struct debug_core *core, uint64_t position, uint64_t to,
                const struct vcpu_regs *now, uint64_t want, uint64_t *count, struct scan_last *last)
{
    struct recorder *r = core->record;
    *count = 0;
    if (go_to(core, position, 0) < 0)
        return -1;
    bool temp = false;
    if (now && !breakpoints_find_sw(&core->bps, now->rip))
        temp = debug_core_insert_sw(core, now->rip) == 0;
    r->replay_only = true;
    if (!now)
        recorder_set_target(r, to);
    int rc = 0;
    struct vcpu_regs regs;
    /* A breakpoint where the interval starts is a stop a forward run makes too. */
    if (vcpu_get_regs(core->run->vcpu, &regs) == 0 && !(now && recorder_same_point(&regs, now)) &&
        !(temp && regs.rip == now->rip) &&
        (breakpoints_find_sw(&core->bps, regs.rip) ||
         breakpoints_find_hw(&core->bps, regs.rip) >= 0)) {
        bool hw = !breakpoints_find_sw(&core->bps, regs.rip);
        stop_as(core, hw ? DEBUG_STOP_HW_BREAK : DEBUG_STOP_SW_BREAK);
        if (hw)
            core->stop.hw_slot = breakpoints_find_hw(&core->bps, regs.rip);
        count_stop(r, &core->stop, count, last);
    }
    /* Now is where the replay starts: nothing lies between. */
    bool empty =
        now && vcpu_get_regs(core->run->vcpu, &regs) == 0 && recorder_same_point(&regs, now);
    while (!empty && !(want && *count == want)) {
        struct debug_stop st;
        if (debug_core_resume(core, false, true, &st) < 0) {
            rc = -1;
            break;
        }
        if (st.reason == DEBUG_STOP_RECORD_MARK)
            break;
        bool at_now = now && vcpu_get_regs(core->run->vcpu, &regs) == 0 &&
                      (st.reason == DEBUG_STOP_SW_BREAK || st.reason == DEBUG_STOP_HW_BREAK) &&
                      recorder_same_point(&regs, now);
        if (at_now)
            break;
        if (st.reason == DEBUG_STOP_SW_BREAK && temp && regs.rip == now->rip)
            continue; /* ours, at an earlier pass */
        if (user_stop(st.reason)) {
            count_stop(r, &st, count, last);
            continue;
        }
        if (st.reason == DEBUG_STOP_GUEST_INT3)
            continue;
        rc = -1; /* a Ctrl-C, or something the record did not have before now */
        break;
    }
    recorder_clear_target(r);
    r->replay_only = false;
    if (temp)
        debug_core_remove_sw(core, now->rip);
    return rc;
}

/* Goes one instruction back from (position, steps); at the history's start, stays. */
static int step_back(struct debug_core *core, uint64_t position, uint64_t steps)
{
    struct recorder *r = core->record;
    if (steps > 0) {
        if (go_to(core, position, steps - 1) < 0)
            return -1;
        stop_as(core, DEBUG_STOP_STEP);
        return 0;
    }
    if (position <= recorder_history_start(r)) {
        if (go_to(core, position, 0) < 0)
            return -1;
        stop_as(core, DEBUG_STOP_HISTORY_BEGIN);
        return 0;
    }
    bool ended;
    int64_t n = locate(core, position - 1, NULL, &ended);
    if (n < 1 || go_to(core, position - 1, (uint64_t)n - 1) < 0)
        return -1;
    stop_as(core, DEBUG_STOP_STEP);
    return 0;
}

static int reverse_step(struct debug_core *core, const struct vcpu_regs *now)
{
    uint64_t position = core->record->position;
    uint64_t steps = core->steps;
    if (!core->steps_known) {
        bool ended;
        int64_t n = locate(core, position, now, &ended);
        if (n < 0)
            return -1;
        steps = (uint64_t)n;
    }
    return step_back(core, position, steps);
}

/*
 * Goes to the count-th user stop of interval position; a watchpoint's then one
 * instruction back, to the access itself.
 */
static int go_to_stop(struct debug_core *core, uint64_t position, uint64_t count)
{
    uint64_t n;
    struct scan_last found;
    if (scan(core, position, position + 1, NULL, count, &n, &found) < 0 || n != count)
        return -1;
    struct debug_stop last = found.stop;
    if (last.reason != DEBUG_STOP_WATCH) {
        core->stop = last;
        return 0;
    }
    struct vcpu_regs after;
    bool ended;
    if (vcpu_get_regs(core->run->vcpu, &after) < 0)
        return -1;
    int64_t steps = locate(core, position, &after, &ended);
    if (steps < 1 || go_to(core, position, (uint64_t)steps - 1) < 0)
        return -1;
    core->stop = last;
    return 0;
}

static int reverse_continue(struct debug_core *core, const struct vcpu_regs *now)
{
    struct recorder *r = core->record;
    uint64_t start = recorder_history_start(r), here = r->position;
    /*
     * From the latest checkpoint up to now, then from each checkpoint before to the next
     * one: the first stretch with a stop of the user's holds the last one before now.
     */
    uint64_t to = here;
    for (const struct vcpu_regs *upto = now;; upto = NULL) {
        uint64_t from = recorder_checkpoint_before(r, upto ? here + 1 : to);
        uint64_t n;
        struct scan_last last;
        if (scan(core, from, to, upto, 0, &n, &last) < 0)
            return -1;
        if (n > 0)
            return go_to_stop(core, last.position, last.ordinal);
        if (from <= start)
            break;
        to = from;
    }
    if (go_to(core, start, 0) < 0)
        return -1;
    stop_as(core, DEBUG_STOP_HISTORY_BEGIN);
    return 0;
}

int debug_core_reverse(struct debug_core *core, bool step, struct debug_stop *stop)
{
    const char *why = NULL;
    if (!core->record)
        why = "reverse execution needs a recorded run: start ukvm with --record";
    else if (debug_core_ended(core))
        why = "the guest has ended, and its history with it";
    else if (core->record->broken)
        why = "the record stopped when ukvm ran out of memory: it cannot be replayed";
    if (why) {
        memset(stop, 0, sizeof(*stop));
        *stop = core->stop;
        snprintf(stop->message, sizeof(stop->message), "ukvm: %s", why);
        return -1;
    }
    struct vcpu_regs now;
    if (vcpu_get_regs(core->run->vcpu, &now) < 0)
        return failed(core, stop, "the vCPU's registers are unavailable");
    int rc = step ? reverse_step(core, &now) : reverse_continue(core, &now);
    if (rc < 0)
        return failed(core, stop, NULL);
    *stop = core->stop;
    return 0;
}
