/*
 * shell_frontend.c: `ukvm --shell` on the debug core (see shell_frontend.h).
 *
 * The command table gets the same view of the guest as gdb's monitor (debug_env.h),
 * plus the control operations (struct command_control) that only this front end
 * offers: resume and step, breakpoints, watchpoints, quit.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "debug_env.h"
#include "shell/cmd_util.h"
#include "shell/shell.h"
#include "shell_frontend.h"
#include "ukvm/debug/reverse.h"
#include "ukvm/process/exit_status.h"
#include "ukvm/process/sandbox.h"
#include "ukvm/run/stop_signals.h"

struct shell_target {
    struct debug_core core;
    struct command_env env;
    struct command_control control;
    bool quit;
};

/* ---------------------------------------------------------------- Ctrl-C */

static struct debug_core *sigint_core;
static volatile sig_atomic_t resuming; /* the guest runs: Ctrl-C stops it */

static void on_sigint(int signo)
{
    (void)signo;
    int saved = errno;
    if (resuming)
        debug_core_request_stop(sigint_core);
    else
        shell_interrupt();
    errno = saved;
}

/* ---------------------------------------------------------------- control */

static struct shell_target *target_of(void *ctx)
{
    return ctx;
}

static void convert_stop(const struct debug_stop *s, struct command_stop *out)
{
    memset(out, 0, sizeof(*out));
    switch (s->reason) {
    case DEBUG_STOP_ENTRY:
        out->kind = COMMAND_STOP_ENTRY;
        break;
    case DEBUG_STOP_STEP:
        out->kind = COMMAND_STOP_STEP;
        break;
    case DEBUG_STOP_SW_BREAK:
        out->kind = COMMAND_STOP_BREAK;
        break;
    case DEBUG_STOP_HW_BREAK:
        out->kind = COMMAND_STOP_HW_BREAK;
        break;
    case DEBUG_STOP_WATCH:
        out->kind = COMMAND_STOP_WATCH;
        out->watch_addr = s->watch_addr;
        break;
    case DEBUG_STOP_GUEST_INT3:
        out->kind = COMMAND_STOP_INT3;
        break;
    case DEBUG_STOP_WATCH_LIFTED:
        out->kind = COMMAND_STOP_LIFTED;
        break;
    case DEBUG_STOP_INTERRUPT:
    case DEBUG_STOP_RECORD_MARK: /* never reported: reverse execution's own */
        out->kind = COMMAND_STOP_INTERRUPT;
        break;
    case DEBUG_STOP_HISTORY_BEGIN:
        out->kind = COMMAND_STOP_HISTORY_BEGIN;
        break;
    case DEBUG_STOP_FAULT:
        out->kind = COMMAND_STOP_FAULT;
        break;
    case DEBUG_STOP_ABORT:
        out->kind = COMMAND_STOP_ABORT;
        break;
    case DEBUG_STOP_CRASH:
        out->kind = COMMAND_STOP_CRASH;
        break;
    case DEBUG_STOP_EXITED:
        out->kind = COMMAND_STOP_EXITED;
        out->exit_status = s->exit_status;
        out->signal = s->signal;
        break;
    }
    snprintf(out->message, sizeof(out->message), "%s", s->message);
}

static void stop_status(void *ctx, struct command_stop *stop)
{
    convert_stop(&target_of(ctx)->core.stop, stop);
}

static int resume(void *ctx, bool step, struct command_stop *stop)
{
    struct debug_core *core = &target_of(ctx)->core;
    struct debug_stop ds;
    int rc = -1;
    if (!debug_core_ended(core)) {
        fflush(stdout); /* what the shell printed comes before the guest's output */
        resuming = 1;
        rc = debug_core_resume(core, step, true, &ds); /* the shell steps off for its user */
        resuming = 0;
        /* A Ctrl-C that came as the guest stopped for another reason is spent too. */
        debug_core_clear_stop_request(core);
        /* The terminal echoed ^C with no newline: start the stop's report on a fresh line. */
        if (core->stop.reason == DEBUG_STOP_INTERRUPT && isatty(STDIN_FILENO))
            fputc('\n', stdout);
    }
    convert_stop(&core->stop, stop);
    return rc;
}

static int reverse(void *ctx, bool step, struct command_stop *stop)
{
    struct debug_core *core = &target_of(ctx)->core;
    struct debug_stop ds;
    resuming = 1;
    int rc = debug_core_reverse(core, step, &ds);
    resuming = 0;
    debug_core_clear_stop_request(core);
    convert_stop(rc == 0 ? &core->stop : &ds, stop);
    return rc;
}

static enum watch_kind watch_kind_of(enum command_break_kind kind)
{
    return kind == COMMAND_WATCH_WRITE  ? WATCH_WRITE
           : kind == COMMAND_WATCH_READ ? WATCH_READ
                                        : WATCH_ACCESS;
}

static int insert(void *ctx, enum command_break_kind kind, uint64_t addr, uint64_t len, char *err,
                  size_t errlen)
{
    struct debug_core *core = &target_of(ctx)->core;
    switch (kind) {
    case COMMAND_BREAK_SW:
        if (debug_core_insert_sw(core, addr) == 0)
            return 0;
        snprintf(err, errlen, "the address is not mapped to guest memory ('pt' shows why)");
        return -1;
    case COMMAND_BREAK_HW:
        if (debug_core_insert_hw(core, addr) == 0)
            return 0;
        snprintf(err, errlen,
                 "the %d debug registers are in use (hardware breakpoints and watchpoints "
                 "share them)",
                 HW_BREAKPOINT_SLOTS);
        return -1;
    case COMMAND_WATCH_WRITE:
    case COMMAND_WATCH_READ:
    case COMMAND_WATCH_ACCESS:
        return debug_core_insert_watch(core, watch_kind_of(kind), addr, len, err, errlen);
    }
    snprintf(err, errlen, "unknown kind");
    return -1;
}

static int remove_(void *ctx, enum command_break_kind kind, uint64_t addr, uint64_t len)
{
    struct debug_core *core = &target_of(ctx)->core;
    switch (kind) {
    case COMMAND_BREAK_SW:
        return debug_core_remove_sw(core, addr);
    case COMMAND_BREAK_HW:
        return debug_core_remove_hw(core, addr);
    case COMMAND_WATCH_WRITE:
    case COMMAND_WATCH_READ:
    case COMMAND_WATCH_ACCESS:
        return debug_core_remove_watch(core, watch_kind_of(kind), addr, len);
    }
    return -1;
}

static void quit(void *ctx)
{
    target_of(ctx)->quit = true;
}

static bool session_done(void *ctx)
{
    struct shell_target *t = ctx;
    return t->quit || stop_signals_received() != 0;
}

/* The shell has set up its terminal and history: the rest of the run is sandboxed. */
static void session_ready(void *ctx)
{
    (void)ctx;
    sandbox_enter();
}

/* ---------------------------------------------------------------- the session */

int shell_frontend_run(struct run_context *run)
{
    static struct shell_target t;
    memset(&t, 0, sizeof(t));
    if (debug_core_init(&t.core, run) < 0) {
        fprintf(stderr, "ukvm: cannot set up the debug core: %s\n", strerror(errno));
        return UKVM_EXIT_KVM;
    }
    debug_core_command_env(&t.core, &t.env);
    t.control = (struct command_control){
        .ctx = &t,
        .resume = resume,
        .stop_status = stop_status,
        .insert = insert,
        .remove = remove_,
        .quit = quit,
        .reverse = run->record ? reverse : NULL,
    };
    t.env.control = &t.control;

    /* SIGINT stops the guest or clears the line; it never ends ukvm while the shell runs. */
    sigint_core = &t.core;
    struct sigaction sa, old_sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_sa);

    bool interactive = isatty(STDIN_FILENO);
    char history[4096];
    struct shell_session session = {
        .env = &t.env,
        .interactive = interactive,
        .history_path = interactive ? shell_history_path(history, sizeof(history)) : NULL,
        .done = session_done,
        .ready = session_ready,
        .ctx = &t,
    };
    if (interactive) {
        struct command_stop stop;
        stop_status(&t, &stop);
        printf("ukvm shell on %s: 'help' lists the commands, 'continue' runs the guest, "
               "Ctrl-D or 'quit' ends\n",
               run->kernel_path);
        cmd_print_stop(stdout, &t.env, &stop);
        fflush(stdout);
    }
    unsigned long failed = shell_run(&session);
    fflush(stdout);

    int status;
    int signo = stop_signals_received();
    if (signo) {
        if (!debug_core_ended(&t.core))
            fprintf(stderr, "ukvm: guest ended by %s\n", strsignal(signo));
        status = UKVM_EXIT_SIGNAL_BASE + signo;
    } else {
        bool alive = !debug_core_ended(&t.core) && !t.core.fatal;
        status = debug_core_kill(&t.core);
        if (alive)
            fprintf(stderr, "ukvm: the shell ended; guest killed (status %d)\n", status);
        else
            fprintf(stderr, "ukvm: the shell ended; the guest's status was %d\n", status);
        if (!interactive) {
            if (failed)
                fprintf(stderr, "ukvm: %lu shell command%s failed\n", failed,
                        failed == 1 ? "" : "s");
            status = failed ? 1 : 0;
        }
    }
    sigaction(SIGINT, &old_sa, NULL);
    sigint_core = NULL;
    debug_core_destroy(&t.core);
    return status;
}
