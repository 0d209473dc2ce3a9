/*
 * test_debug_core.c: the debug core (ukvm/debug/debug_core.h) driven directly, without gdb,
 * on real test unikernels under /dev/kvm.
 *
 *   test_debug_core BUILD_DIR [LOG_FILE]
 *
 * BUILD_DIR holds the test unikernels (test_gdb_target.ukvm, test_faults.ukvm,
 * test_exception.ukvm, test_abort.ukvm, test_watch.ukvm). Every scenario sets up its own
 * monitor (monitor_setup), stops at the entry, and drives debug_core_* calls, asserting
 * exact stop reasons, addresses (found with the symbolizer on the ELF) and exit statuses.
 *
 * Output: only "PASS name" / "FAIL name: ..." / "SKIP ..." lines reach stdout. The guest's
 * console (written to fd 1 by the monitor) and the monitor's messages (stderr) go to
 * LOG_FILE (default /dev/null), one "=== name" header per scenario; sanitizer reports,
 * which write to fd 2 directly, stay on the real stderr.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "tests/unit/unit.h"
#include "ukvm/debug/debug_core.h"
#include "ukvm/guest/guest_virt.h"
#include "ukvm/monitor_setup.h"
#include "ukvm/process/exit_status.h"
#include "ukvm/process/options.h"
#include "ukvm/run/exit_trace.h"

/* How long a requested stop may take before it counts as lost (generous: no timing test). */
#define STOP_DEADLINE_S 20

static const char *build_dir;
static FILE *log_file;

/* ---------------------------------------------------------------- fixture */

struct fixture {
    char path[4096];
    struct options opts;
    struct monitor m;
    struct debug_core core;
    bool have_monitor, have_core;
    struct symbolizer *sym;
    char err[512];
};

/* One at a time; static because a monitor is large and must not move. */
static struct fixture fixture;

static void fixture_close(struct fixture *fx)
{
    if (fx->have_core)
        debug_core_destroy(&fx->core);
    if (fx->have_monitor)
        monitor_teardown(&fx->m);
    fx->have_core = fx->have_monitor = false;
    fx->sym = NULL;
}

/* Sets up a monitor on BUILD_DIR/kernel.ukvm with guest arguments args, stopped at entry. */
static int fixture_open(struct fixture *fx, const char *kernel, const char *const *args)
{
    memset(fx, 0, sizeof(*fx));
    fprintf(log_file, "=== %s (%s", unit_current, kernel);
    /* A name with its own extension (hvt_fault.hvt) is the file; else NAME.ukvm. */
    snprintf(fx->path, sizeof(fx->path), "%s/%s%s", build_dir, kernel,
             strchr(kernel, '.') ? "" : ".ukvm");
    const char *argv[16] = {"ukvm", fx->path};
    int argc = 2;
    for (size_t i = 0; args[i] && argc < 15; i++) {
        fprintf(log_file, " %s", args[i]);
        argv[argc++] = args[i];
    }
    fprintf(log_file, ")\n");
    if (options_parse(argc, (char *const *)argv, &fx->opts, log_file, log_file) != OPTIONS_RUN) {
        snprintf(fx->err, sizeof(fx->err), "options_parse refused the arguments");
        return -1;
    }
    fx->have_monitor = true;
    int status = monitor_setup(&fx->opts, &fx->m, fx->err, sizeof(fx->err));
    if (status != 0) {
        size_t n = strlen(fx->err);
        snprintf(fx->err + n, sizeof(fx->err) - n, " (status %d)", status);
        fixture_close(fx);
        return -1;
    }
    if (debug_core_init(&fx->core, &fx->m.run) < 0) {
        snprintf(fx->err, sizeof(fx->err), "debug_core_init: %s", strerror(errno));
        fixture_close(fx);
        return -1;
    }
    fx->have_core = true;
    fx->sym = debug_core_symbols(&fx->core);
    if (!fx->sym) {
        snprintf(fx->err, sizeof(fx->err), "no symbols for %.400s", fx->path);
        fixture_close(fx);
        return -1;
    }
    return 0;
}

/*
 * A scenario: its own monitor on a kernel with guest arguments (NULL-terminated), and a
 * body that may fail with CHECK at any point; the monitor is released either way.
 */
#define SCENARIO(name, kernel, ...)                       \
    static void name##_body(struct fixture *fx);          \
    UNIT_TEST(name)                                       \
    {                                                     \
        static const char *const args_[] = {__VA_ARGS__}; \
        if (fixture_open(&fixture, kernel, args_) < 0)    \
            UNIT_FAIL("set-up failed: %s", fixture.err);  \
        name##_body(&fixture);                            \
        fixture_close(&fixture);                          \
    }                                                     \
    static void name##_body(struct fixture *fx)

/* ---------------------------------------------------------------- helpers */

static const char *reason_name(enum debug_stop_reason r)
{
    static const char *const names[] = {
        [DEBUG_STOP_ENTRY] = "ENTRY",           [DEBUG_STOP_STEP] = "STEP",
        [DEBUG_STOP_SW_BREAK] = "SW_BREAK",     [DEBUG_STOP_HW_BREAK] = "HW_BREAK",
        [DEBUG_STOP_GUEST_INT3] = "GUEST_INT3", [DEBUG_STOP_INTERRUPT] = "INTERRUPT",
        [DEBUG_STOP_FAULT] = "FAULT",           [DEBUG_STOP_ABORT] = "ABORT",
        [DEBUG_STOP_CRASH] = "CRASH",           [DEBUG_STOP_EXITED] = "EXITED",
        [DEBUG_STOP_WATCH] = "WATCH",           [DEBUG_STOP_WATCH_LIFTED] = "WATCH_LIFTED",
    };
    return (unsigned)r < sizeof(names) / sizeof(names[0]) && names[r] ? names[r] : "?";
}

/* The stop has the wanted reason (else the test fails, naming what happened instead). */
#define EXPECT_STOP(st, want)                                                                  \
    do {                                                                                       \
        if ((st).reason != (want))                                                             \
            UNIT_FAIL("stopped with %s (exit status %d, vector %" PRIu64 ", %s), expected %s", \
                      reason_name((st).reason), (st).exit_status, (st).vector,                 \
                      (st).message[0] ? (st).message : "no message", reason_name(want));       \
    } while (0)

/*
 * Resumes (continue, or one step) and expects success from debug_core_resume: RESUME as
 * the shell does (stepping off a breakpoint at rip first), RESUME_AS_GDB as gdb does
 * (never stepping off: gdb does that itself).
 */
#define RESUME_WITH(fx, step, step_off, st)                                            \
    do {                                                                               \
        if (debug_core_resume(&(fx)->core, (step), (step_off), &(st)) != 0)            \
            UNIT_FAIL("debug_core_resume failed (stop %s)", reason_name((st).reason)); \
    } while (0)
#define RESUME(fx, step, st)        RESUME_WITH(fx, step, true, st)
#define RESUME_AS_GDB(fx, step, st) RESUME_WITH(fx, step, false, st)

#define CHECK_STR_EQ(actual, expected)                                                        \
    do {                                                                                      \
        const char *unit_a_ = (actual), *unit_e_ = (expected);                                \
        if (!unit_a_ || strcmp(unit_a_, unit_e_) != 0)                                        \
            UNIT_FAIL("%s is \"%s\", expected \"%s\"", #actual, unit_a_ ? unit_a_ : "(null)", \
                      unit_e_);                                                               \
    } while (0)

/* The address of a symbol of the unikernel, or 0. */
static uint64_t sym_addr(struct fixture *fx, const char *name)
{
    uint64_t a = 0;
    if (symbolizer_lookup_name(fx->sym, name, &a) < 0)
        return 0;
    return a;
}

/* Looks a symbol up into var, failing the test if it is missing. */
#define SYM(fx, var, name)                                    \
    uint64_t var = sym_addr((fx), (name));                    \
    do {                                                      \
        if (!var)                                             \
            UNIT_FAIL("no symbol %s in the unikernel", name); \
    } while (0)

/* The name of the function holding addr, or NULL. */
static const char *func_at(struct fixture *fx, uint64_t addr)
{
    struct symbol_info info;
    if (symbolizer_lookup(fx->sym, addr, &info) < 0)
        return NULL;
    return info.function;
}

static struct vcpu_regs regs_of(struct fixture *fx)
{
    struct vcpu_regs r;
    memset(&r, 0, sizeof(r));
    if (vcpu_get_regs(fx->m.vcpu, &r) < 0)
        r.rip = ~0ULL;
    return r;
}

/* The byte really in guest memory at va (no breakpoint shadowing), or -1. */
static int raw_byte(struct fixture *fx, uint64_t va)
{
    struct vcpu_sregs sregs;
    uint8_t b;
    if (vcpu_get_sregs(fx->m.vcpu, &sregs) < 0 ||
        guest_virt_read(&fx->m.mem, &sregs, va, &b, 1) != 1)
        return -1;
    return b;
}

/* The byte debug_core_read shows at va, or -1. */
static int core_byte(struct fixture *fx, uint64_t va)
{
    uint8_t b;
    if (debug_core_read(&fx->core, va, &b, 1) != 1)
        return -1;
    return b;
}

static uint64_t read_u64(struct fixture *fx, uint64_t va)
{
    uint64_t v = ~0ULL;
    if (debug_core_read(&fx->core, va, &v, sizeof(v)) != (long)sizeof(v))
        return ~0ULL;
    return v;
}

/* The ELF header's entry point, read from the file itself. */
static uint64_t elf_entry_of(const char *path)
{
    Elf64_Ehdr eh;
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t n = fread(&eh, sizeof(eh), 1, f);
    fclose(f);
    return n == 1 ? eh.e_entry : 0;
}

/* ---------------------------------------------------------------- kicker */

/*
 * Calls debug_core_request_stop from another thread after delay_ms, then waits (up to
 * STOP_DEADLINE_S) for the vCPU thread to report that debug_core_resume returned. A stop
 * that never comes would block the test for ever: the kicker then fails it and ends the
 * process.
 */
struct kicker {
    struct debug_core *core;
    unsigned delay_ms;
    atomic_bool done;
    pthread_t thread;
};

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static void *kicker_main(void *arg)
{
    struct kicker *k = arg;
    sleep_ms(k->delay_ms);
    if (atomic_load(&k->done))
        return NULL; /* the guest stopped by itself; the test sees the wrong reason */
    debug_core_request_stop(k->core);
    for (unsigned i = 0; i < STOP_DEADLINE_S * 100; i++) {
        if (atomic_load(&k->done))
            return NULL;
        sleep_ms(10);
    }
    printf("FAIL %s: no stop within %d s of debug_core_request_stop\n", unit_current,
           STOP_DEADLINE_S);
    fflush(stdout);
    _exit(1);
}

/* Resumes (continue) while a kicker asks for a stop after delay_ms. */
static int resume_kicked(struct fixture *fx, unsigned delay_ms, struct debug_stop *st)
{
    struct kicker k = {.core = &fx->core, .delay_ms = delay_ms};
    atomic_init(&k.done, false);
    if (pthread_create(&k.thread, NULL, kicker_main, &k) != 0)
        return -1;
    int rc = debug_core_resume(&fx->core, false, true, st);
    atomic_store(&k.done, true);
    pthread_join(k.thread, NULL);
    return rc;
}

/* ---------------------------------------------------------------- scenarios */

/* Stopped before the first instruction, at the ELF entry point. */
SCENARIO(entry_stop, "test_gdb_target", NULL)
{
    CHECK_EQ_U64(fx->core.stop.reason, DEBUG_STOP_ENTRY);
    CHECK(!debug_core_ended(&fx->core));
    uint64_t entry = elf_entry_of(fx->path);
    CHECK(entry != 0);
    CHECK_EQ_U64(fx->m.image.entry, entry);
    CHECK_EQ_U64(regs_of(fx).rip, entry);
    SYM(fx, start, "_start");
    CHECK_EQ_U64(entry, start);
}

/* A step from the entry executes one instruction: STEP, rip moves on inside _start. */
SCENARIO(step_from_entry, "test_gdb_target", NULL)
{
    struct debug_stop st;
    uint64_t entry = regs_of(fx).rip;
    RESUME(fx, true, st);
    EXPECT_STOP(st, DEBUG_STOP_STEP);
    uint64_t rip1 = regs_of(fx).rip;
    CHECK(rip1 > entry && rip1 <= entry + 15);
    CHECK_STR_EQ(func_at(fx, rip1), "_start");
    RESUME(fx, true, st);
    EXPECT_STOP(st, DEBUG_STOP_STEP);
    uint64_t rip2 = regs_of(fx).rip;
    CHECK(rip2 > rip1 && rip2 <= rip1 + 15);
    CHECK_EQ_U64(fx->core.stop.reason, DEBUG_STOP_STEP);
}

/*
 * A software breakpoint at leaf: SW_BREAK with rip exactly at it and leaf's first
 * argument (1, from stage1 -> top -> middle); reads show the original bytes while the
 * memory holds 0xcc.
 */
SCENARIO(sw_break_at_function, "test_gdb_target", NULL)
{
    SYM(fx, leaf, "leaf");
    uint8_t before[16], after[16];
    CHECK_EQ_U64(debug_core_read(&fx->core, leaf - 4, before, sizeof(before)), sizeof(before));
    CHECK(before[4] != X86_INT3);
    CHECK_EQ_U64(debug_core_insert_sw(&fx->core, leaf), 0);
    CHECK_EQ_U64(raw_byte(fx, leaf), X86_INT3);
    CHECK_EQ_U64(core_byte(fx, leaf), before[4]);

    struct debug_stop st;
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_SW_BREAK);
    struct vcpu_regs r = regs_of(fx);
    CHECK_EQ_U64(r.rip, leaf);
    CHECK_EQ_U64(r.rdi, 1);
    CHECK_EQ_U64(raw_byte(fx, leaf), X86_INT3);
    CHECK_EQ_U64(debug_core_read(&fx->core, leaf - 4, after, sizeof(after)), sizeof(after));
    CHECK(memcmp(before, after, sizeof(before)) == 0);
    CHECK_EQ_U64(core_byte(fx, r.rip), before[4]);
}

/*
 * Continue with the breakpoint still set stops at it again, on every call: leaf runs
 * twice per stage (leaf(x), then leaf(3x+1)), 16 times in all, with counter advanced by
 * exactly 2 between hits (leaf's and middle's increments); then the guest exits 0.
 */
SCENARIO(sw_break_hits_every_call, "test_gdb_target", NULL)
{
    SYM(fx, leaf, "leaf");
    SYM(fx, counter, "counter");
    CHECK_EQ_U64(debug_core_insert_sw(&fx->core, leaf), 0);
    struct debug_stop st;
    uint64_t last_counter = 0;
    for (int stage = 1; stage <= 8; stage++) {
        for (int call = 0; call < 2; call++) {
            RESUME(fx, false, st);
            EXPECT_STOP(st, DEBUG_STOP_SW_BREAK);
            struct vcpu_regs r = regs_of(fx);
            CHECK_EQ_U64(r.rip, leaf);
            CHECK_EQ_U64(r.rdi, call == 0 ? stage : 3 * stage + 1);
            uint64_t c = read_u64(fx, counter);
            CHECK_EQ_U64(c, stage == 1 && call == 0 ? 0 : last_counter + 2);
            last_counter = c;
        }
    }
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_EXITED);
    CHECK_EQ_U64(st.exit_status, 0);
    CHECK_EQ_U64(read_u64(fx, counter), 32);
}

/*
 * A step from a breakpoint executes leaf's first instruction (STEP, not SW_BREAK, rip
 * past it inside leaf), puts the int3 back, and the next continue stops at leaf's next
 * call (argument 4), not at the same one.
 */
SCENARIO(step_off_sw_break, "test_gdb_target", NULL)
{
    SYM(fx, leaf, "leaf");
    CHECK_EQ_U64(debug_core_insert_sw(&fx->core, leaf), 0);
    struct debug_stop st;
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_SW_BREAK);
    CHECK_EQ_U64(regs_of(fx).rip, leaf);
    RESUME(fx, true, st);
    EXPECT_STOP(st, DEBUG_STOP_STEP);
    struct vcpu_regs r = regs_of(fx);
    CHECK(r.rip > leaf && r.rip <= leaf + 15);
    CHECK_STR_EQ(func_at(fx, r.rip), "leaf");
    CHECK_EQ_U64(raw_byte(fx, leaf), X86_INT3);
    CHECK(breakpoints_find_sw(&fx->core.bps, leaf) != NULL);
    CHECK(!breakpoints_find_sw(&fx->core.bps, leaf)->lifted);
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_SW_BREAK);
    r = regs_of(fx);
    CHECK_EQ_U64(r.rip, leaf);
    CHECK_EQ_U64(r.rdi, 4);
}

/*
 * Without stepping off (gdb's way), a breakpoint at the resume address hits at once, as
 * on a native program: after a stop at leaf, continue and step both stop at leaf again
 * with nothing run (leaf's argument still 1), software and hardware breakpoints alike.
 * Removed, the step moves on.
 */
SCENARIO(resume_at_breakpoint_hits, "test_gdb_target", NULL)
{
    SYM(fx, leaf, "leaf");
    CHECK_EQ_U64(debug_core_insert_sw(&fx->core, leaf), 0);
    struct debug_stop st;
    RESUME_AS_GDB(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_SW_BREAK);
    CHECK_EQ_U64(regs_of(fx).rip, leaf);
    for (int step = 0; step < 2; step++) {
        RESUME_AS_GDB(fx, step, st);
        EXPECT_STOP(st, DEBUG_STOP_SW_BREAK);
        CHECK_EQ_U64(regs_of(fx).rip, leaf);
        CHECK_EQ_U64(regs_of(fx).rdi, 1);
    }
    CHECK_EQ_U64(debug_core_remove_sw(&fx->core, leaf), 0);
    CHECK_EQ_U64(debug_core_insert_hw(&fx->core, leaf), 0);
    RESUME_AS_GDB(fx, false, st);
    EXPECT_STOP(st, fx->core.run->user_mode ? DEBUG_STOP_SW_BREAK : DEBUG_STOP_HW_BREAK);
    CHECK_EQ_U64(regs_of(fx).rip, leaf);
    CHECK_EQ_U64(regs_of(fx).rdi, 1);
    CHECK_EQ_U64(debug_core_remove_hw(&fx->core, leaf), 0);
    RESUME_AS_GDB(fx, true, st);
    EXPECT_STOP(st, DEBUG_STOP_STEP);
    CHECK(regs_of(fx).rip > leaf && regs_of(fx).rip <= leaf + 15);
}

/*
 * Hardware breakpoints report their slot: stage2 in slot 0, stage1 in slot 1; stage1
 * runs first. Continuing from a hardware breakpoint does not stop on it again.
 */
SCENARIO(hw_break_slot, "test_gdb_target", NULL)
{
    SYM(fx, stage1, "stage1");
    SYM(fx, stage2, "stage2");
    CHECK_EQ_U64(debug_core_insert_hw(&fx->core, stage2), 0);
    CHECK_EQ_U64(debug_core_insert_hw(&fx->core, stage1), 0);
    CHECK_EQ_U64(breakpoints_find_hw(&fx->core.bps, stage2), 0);
    CHECK_EQ_U64(breakpoints_find_hw(&fx->core.bps, stage1), 1);
    CHECK_EQ_U64(raw_byte(fx, stage1), core_byte(fx, stage1)); /* no int3 in memory */
    struct debug_stop st;
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_HW_BREAK);
    CHECK_EQ_U64(st.hw_slot, 1);
    CHECK_EQ_U64(regs_of(fx).rip, stage1);
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_HW_BREAK);
    CHECK_EQ_U64(st.hw_slot, 0);
    CHECK_EQ_U64(regs_of(fx).rip, stage2);
    CHECK_EQ_U64(debug_core_remove_hw(&fx->core, stage1), 0);
    CHECK_EQ_U64(debug_core_remove_hw(&fx->core, stage2), 0);
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_EXITED);
    CHECK_EQ_U64(st.exit_status, 0);
}

/* A slot given back is armed with address 0, not the address it held (a stale match). */
SCENARIO(hw_unused_slot_zeroed, "test_gdb_target", NULL)
{
    SYM(fx, stage1, "stage1");
    SYM(fx, stage2, "stage2");
    CHECK_EQ_U64(debug_core_insert_hw(&fx->core, stage2), 0);
    CHECK_EQ_U64(debug_core_insert_hw(&fx->core, stage1), 0);
    CHECK_EQ_U64(debug_core_remove_hw(&fx->core, stage2), 0);
    struct debug_stop st;
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_HW_BREAK);
    CHECK_EQ_U64(st.hw_slot, 1);
    CHECK(fx->core.applied_valid);
    CHECK_EQ_U64(fx->core.applied.dr[0], 0);
    CHECK_EQ_U64(fx->core.applied.dr[1], stage1);
    CHECK_EQ_U64(fx->core.applied.dr[2], 0);
    CHECK_EQ_U64(fx->core.applied.dr[3], 0);
}

/*
 * Four hardware slots: the fifth insert fails; a freed slot is reused, and the
 * breakpoint in it reports that slot.
 */
SCENARIO(hw_break_fifth_fails, "test_gdb_target", NULL)
{
    SYM(fx, stage1, "stage1");
    SYM(fx, stage2, "stage2");
    SYM(fx, stage3, "stage3");
    SYM(fx, stage4, "stage4");
    SYM(fx, stage5, "stage5");
    CHECK_EQ_U64(debug_core_insert_hw(&fx->core, stage1), 0);
    CHECK_EQ_U64(debug_core_insert_hw(&fx->core, stage2), 0);
    CHECK_EQ_U64(debug_core_insert_hw(&fx->core, stage3), 0);
    CHECK_EQ_U64(debug_core_insert_hw(&fx->core, stage4), 0);
    CHECK_EQ_U64(debug_core_insert_hw(&fx->core, stage5), (uint64_t)-1);
    CHECK_EQ_U64(debug_core_remove_hw(&fx->core, stage5), (uint64_t)-1); /* never set */
    CHECK_EQ_U64(debug_core_remove_hw(&fx->core, stage2), 0);
    CHECK_EQ_U64(debug_core_insert_hw(&fx->core, stage5), 0);
    CHECK_EQ_U64(breakpoints_find_hw(&fx->core.bps, stage5), 1);
    static const struct {
        const char *name;
        int slot;
    } hits[] = {{"stage1", 0}, {"stage3", 2}, {"stage4", 3}, {"stage5", 1}};
    struct debug_stop st;
    for (size_t i = 0; i < sizeof(hits) / sizeof(hits[0]); i++) {
        RESUME(fx, false, st);
        EXPECT_STOP(st, DEBUG_STOP_HW_BREAK);
        CHECK_EQ_U64(st.hw_slot, hits[i].slot);
        CHECK_STR_EQ(func_at(fx, regs_of(fx).rip), hits[i].name);
        CHECK_EQ_U64(regs_of(fx).rip, sym_addr(fx, hits[i].name));
    }
    CHECK_EQ_U64(debug_core_kill(&fx->core), UKVM_EXIT_SIGNAL_BASE + SIGKILL);
}

/*
 * A guest spinning in pure computation stops on debug_core_request_stop from another
 * thread (INTERRUPT, rip in spin), and again after being resumed, having spun on.
 */
SCENARIO(interrupt_spin, "test_gdb_target", "spin", NULL)
{
    SYM(fx, spin, "spin");
    SYM(fx, counter, "counter");
    struct debug_stop st;
    /* Be sure the guest is in spin before asking it to stop. */
    CHECK_EQ_U64(debug_core_insert_sw(&fx->core, spin), 0);
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_SW_BREAK);
    CHECK_EQ_U64(regs_of(fx).rip, spin);
    CHECK_EQ_U64(debug_core_remove_sw(&fx->core, spin), 0);
    uint64_t c0 = read_u64(fx, counter);

    CHECK_EQ_U64(resume_kicked(fx, 300, &st), 0);
    EXPECT_STOP(st, DEBUG_STOP_INTERRUPT);
    CHECK_STR_EQ(func_at(fx, regs_of(fx).rip), "spin");
    uint64_t c1 = read_u64(fx, counter);
    CHECK(c1 > c0);

    CHECK_EQ_U64(resume_kicked(fx, 300, &st), 0);
    EXPECT_STOP(st, DEBUG_STOP_INTERRUPT);
    CHECK_STR_EQ(func_at(fx, regs_of(fx).rip), "spin");
    CHECK(read_u64(fx, counter) > c1);
    CHECK(!atomic_load(&fx->core.stop_requested));
    CHECK_EQ_U64(debug_core_kill(&fx->core), UKVM_EXIT_SIGNAL_BASE + SIGKILL);
}

/*
 * A guest asleep in solo5_yield (the monitor in ppoll for 10 minutes) stops on
 * debug_core_request_stop (INTERRUPT, rip in solo5_yield right after its POLL
 * hypercall), and resumed, sleeps on (another POLL) and stops again.
 */
SCENARIO(interrupt_sleep, "test_gdb_target", "sleep", NULL)
{
    SYM(fx, yield, "solo5_yield");
    struct debug_stop st;
    CHECK_EQ_U64(debug_core_insert_sw(&fx->core, yield), 0);
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_SW_BREAK);
    CHECK_EQ_U64(regs_of(fx).rip, yield);
    CHECK_EQ_U64(debug_core_remove_sw(&fx->core, yield), 0);

    for (int round = 0; round < 2; round++) {
        uint64_t exits_before = fx->m.run.exits.count;
        CHECK_EQ_U64(resume_kicked(fx, 1000, &st), 0);
        EXPECT_STOP(st, DEBUG_STOP_INTERRUPT);
        struct vcpu_regs r = regs_of(fx);
        CHECK_STR_EQ(func_at(fx, r.rip), "solo5_yield");
        struct exit_record last;
        CHECK_EQ_U64(exit_trace_last(&fx->m.run.exits, 1, &last), 1);
        CHECK(last.seq > exits_before);
        CHECK_EQ_U64(last.reason, VM_EXIT_IO);
        CHECK_EQ_U64(last.hypercall, UKVM_HC_POLL);
        /*
         * The port write is complete: rip is just past the hypercall's `out %eax,(%dx)`
         * (0xef), whether the exit recorded rip at it (hardware KVM) or past it.
         */
        CHECK_EQ_U64(core_byte(fx, r.rip - 1), 0xef);
        CHECK(r.rip == last.rip || r.rip == last.rip + 1);
    }
    CHECK_EQ_U64(debug_core_kill(&fx->core), UKVM_EXIT_SIGNAL_BASE + SIGKILL);
}

/*
 * A stop requested while the guest is stopped takes effect at once on the next resume
 * (INTERRUPT before any instruction runs) and is consumed: the resume after it runs on
 * to the guest's end.
 */
SCENARIO(interrupt_before_resume, "test_gdb_target", NULL)
{
    uint64_t entry = regs_of(fx).rip;
    debug_core_request_stop(&fx->core);
    struct debug_stop st;
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_INTERRUPT);
    CHECK_EQ_U64(regs_of(fx).rip, entry);
    CHECK(!atomic_load(&fx->core.stop_requested));
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_EXITED);
    CHECK_EQ_U64(st.exit_status, 0);
}

/*
 * #UD: FAULT vector 6, the vCPU back in invalid_opcode at the ud2 (not in the kernel's
 * handler); resuming ends the guest as without a debugger (255), and it stays ended.
 */
SCENARIO(fault_invalid_opcode, "test_faults", "ud", NULL)
{
    struct debug_stop st;
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_FAULT);
    CHECK_EQ_U64(st.vector, 6);
    CHECK_STR_CONTAINS(st.message, "invalid_opcode");
    struct vcpu_regs r = regs_of(fx);
    CHECK_STR_EQ(func_at(fx, r.rip), "invalid_opcode");
    uint8_t insn[2];
    CHECK_EQ_U64(debug_core_read(&fx->core, r.rip, insn, 2), 2);
    CHECK(insn[0] == 0x0f && insn[1] == 0x0b); /* ud2 */
    CHECK(r.rsp < fx->m.layout.stack_top && r.rsp > fx->m.layout.stack_guard);
    CHECK(fx->core.fatal);
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_EXITED);
    CHECK_EQ_U64(st.exit_status, UKVM_EXIT_GUEST_CRASH);
    CHECK(debug_core_ended(&fx->core));
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_EXITED);
    CHECK_EQ_U64(st.exit_status, UKVM_EXIT_GUEST_CRASH);
}

/* #DE: FAULT vector 0 at the idiv in divide; kill from a fatal stop ends it as a crash. */
SCENARIO(fault_divide_error, "test_faults", "div0", NULL)
{
    struct debug_stop st;
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_FAULT);
    CHECK_EQ_U64(st.vector, 0);
    struct vcpu_regs r = regs_of(fx);
    CHECK_STR_EQ(func_at(fx, r.rip), "divide");
    CHECK_EQ_U64(core_byte(fx, r.rip), 0xf7); /* idiv r/m32 */
    CHECK_EQ_U64(debug_core_kill(&fx->core), UKVM_EXIT_GUEST_CRASH);
    CHECK(debug_core_ended(&fx->core));
}

/*
 * #PF on a NULL load: FAULT vector 14 in fault_here, with the faulting context's
 * registers (rax, the NULL pointer, is 0); resuming ends the guest with 255.
 */
SCENARIO(fault_page_fault, "test_exception", NULL)
{
    struct debug_stop st;
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_FAULT);
    CHECK_EQ_U64(st.vector, 14);
    CHECK_STR_CONTAINS(st.message, "null pointer");
    struct vcpu_regs r = regs_of(fx);
    CHECK_STR_EQ(func_at(fx, r.rip), "fault_here");
    CHECK_EQ_U64(r.rax, 0);
    CHECK_EQ_U64(fx->m.run.last_exception.frame.vector, 14);
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_EXITED);
    CHECK_EQ_U64(st.exit_status, UKVM_EXIT_GUEST_CRASH);
}

/* solo5_abort: ABORT at solo5_abort's first instruction, returning into abort_here. */
SCENARIO(abort_stop, "test_abort", NULL)
{
    SYM(fx, abort_fn, "solo5_abort");
    struct debug_stop st;
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_ABORT);
    struct vcpu_regs r = regs_of(fx);
    CHECK_EQ_U64(r.rip, abort_fn);
    CHECK_STR_EQ(func_at(fx, read_u64(fx, r.rsp) - 1), "abort_here");
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_EXITED);
    CHECK_EQ_U64(st.exit_status, UKVM_EXIT_GUEST_CRASH);
}

/*
 * An int3 compiled into the guest: GUEST_INT3 with rip just after it (in
 * compiled_int3); resuming goes on past it and the guest exits 3.
 */
SCENARIO(guest_int3, "test_gdb_target", "int3", NULL)
{
    struct debug_stop st;
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_GUEST_INT3);
    struct vcpu_regs r = regs_of(fx);
    CHECK_STR_EQ(func_at(fx, r.rip), "compiled_int3");
    CHECK_STR_EQ(func_at(fx, r.rip - 1), "compiled_int3");
    CHECK_EQ_U64(raw_byte(fx, r.rip - 1), X86_INT3);
    CHECK_EQ_U64(core_byte(fx, r.rip - 1), X86_INT3); /* the guest's own: not shadowed */
    CHECK(breakpoints_find_sw(&fx->core.bps, r.rip - 1) == NULL);
    CHECK(!fx->core.fatal);
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_EXITED);
    CHECK_EQ_U64(st.exit_status, 3);
    CHECK_EQ_U64(st.signal, 0);
}

/* The guest's exit status comes back as EXITED; resuming an ended guest changes nothing. */
SCENARIO(exit_status, "test_gdb_target", "exit", "42", NULL)
{
    struct debug_stop st;
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_EXITED);
    CHECK_EQ_U64(st.exit_status, 42);
    CHECK_EQ_U64(st.signal, 0);
    CHECK(debug_core_ended(&fx->core));
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_EXITED);
    CHECK_EQ_U64(st.exit_status, 42);
    CHECK_EQ_U64(debug_core_kill(&fx->core), 42);
}

/*
 * Detach while stopped at a breakpoint: every breakpoint removed (the original byte
 * back in memory), the guest runs to its end (counter 32, exit 0).
 */
SCENARIO(detach_from_breakpoint, "test_gdb_target", NULL)
{
    SYM(fx, leaf, "leaf");
    SYM(fx, counter, "counter");
    SYM(fx, stage8, "stage8");
    int original = core_byte(fx, leaf);
    CHECK(original >= 0 && original != X86_INT3);
    CHECK_EQ_U64(debug_core_insert_sw(&fx->core, leaf), 0);
    CHECK_EQ_U64(debug_core_insert_hw(&fx->core, stage8), 0);
    struct debug_stop st;
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_SW_BREAK);
    CHECK_EQ_U64(regs_of(fx).rip, leaf);
    CHECK_EQ_U64(debug_core_detach(&fx->core), 0);
    CHECK(debug_core_ended(&fx->core));
    CHECK_EQ_U64(fx->core.stop.reason, DEBUG_STOP_EXITED);
    CHECK_EQ_U64(fx->core.stop.exit_status, 0);
    CHECK_EQ_U64(fx->core.bps.nsw, 0);
    CHECK(!breakpoints_have_hw(&fx->core.bps));
    CHECK_EQ_U64(raw_byte(fx, leaf), original);
    CHECK_EQ_U64(read_u64(fx, counter), 32);
}

/* Kill at a breakpoint: 137 (128 + SIGKILL); the guest stays ended. */
SCENARIO(kill_at_breakpoint, "test_gdb_target", NULL)
{
    SYM(fx, leaf, "leaf");
    CHECK_EQ_U64(debug_core_insert_sw(&fx->core, leaf), 0);
    struct debug_stop st;
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_SW_BREAK);
    CHECK_EQ_U64(debug_core_kill(&fx->core), 137);
    CHECK(debug_core_ended(&fx->core));
    CHECK_EQ_U64(fx->core.stop.exit_status, 137);
    CHECK_EQ_U64(fx->core.stop.signal, SIGKILL);
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_EXITED);
    CHECK_EQ_U64(st.exit_status, 137);
    CHECK_EQ_U64(debug_core_kill(&fx->core), 137);
}

/*
 * Breakpoints and reads at unmapped addresses fail: the null page, the stack guard
 * page, a non-canonical address; nothing is added to the table and the guest runs on.
 */
SCENARIO(unmapped_breakpoint, "test_gdb_target", "exit", "7", NULL)
{
    uint8_t b;
    CHECK_EQ_U64(debug_core_insert_sw(&fx->core, 0), (uint64_t)-1);
    CHECK_EQ_U64(debug_core_insert_sw(&fx->core, fx->m.layout.stack_guard), (uint64_t)-1);
    CHECK_EQ_U64(debug_core_insert_sw(&fx->core, 0x8000000000000000ULL), (uint64_t)-1);
    CHECK_EQ_U64(fx->core.bps.nsw, 0);
    CHECK_EQ_U64(debug_core_read(&fx->core, 0, &b, 1), (uint64_t)-1);
    CHECK_EQ_U64(debug_core_write(&fx->core, 0, &b, 1), (uint64_t)-1);
    CHECK_EQ_U64(debug_core_remove_sw(&fx->core, 0), (uint64_t)-1);
    struct debug_stop st;
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_EXITED);
    CHECK_EQ_U64(st.exit_status, 7);
}

/*
 * debug_core_write reaches read-only text; a write over a breakpoint's byte keeps the
 * breakpoint armed (0xcc stays in memory, reads show the written byte, removing it
 * restores the written byte).
 */
SCENARIO(write_text_and_breakpoint, "test_gdb_target", NULL)
{
    SYM(fx, leaf, "leaf");
    SYM(fx, stage8, "stage8");
    /* Plain text, read-only to the guest. */
    uint8_t orig8[4], patch[4] = {0x90, 0x90, 0x90, 0x90}, back[4];
    CHECK_EQ_U64(debug_core_read(&fx->core, stage8, orig8, 4), 4);
    CHECK_EQ_U64(debug_core_write(&fx->core, stage8, patch, 4), 0);
    CHECK_EQ_U64(debug_core_read(&fx->core, stage8, back, 4), 4);
    CHECK(memcmp(back, patch, 4) == 0);
    CHECK_EQ_U64(raw_byte(fx, stage8), 0x90);
    CHECK_EQ_U64(debug_core_write(&fx->core, stage8, orig8, 4), 0);
    CHECK_EQ_U64(debug_core_read(&fx->core, stage8, back, 4), 4);
    CHECK(memcmp(back, orig8, 4) == 0);

    /* A write over a breakpoint. */
    int original = core_byte(fx, leaf);
    CHECK(original >= 0 && original != X86_INT3);
    CHECK_EQ_U64(debug_core_insert_sw(&fx->core, leaf), 0);
    uint8_t nop = 0x90, orig = (uint8_t)original;
    CHECK_EQ_U64(debug_core_write(&fx->core, leaf, &nop, 1), 0);
    CHECK_EQ_U64(raw_byte(fx, leaf), X86_INT3);
    CHECK_EQ_U64(core_byte(fx, leaf), 0x90);
    CHECK_EQ_U64(breakpoints_find_sw(&fx->core.bps, leaf)->original, 0x90);
    CHECK_EQ_U64(debug_core_write(&fx->core, leaf, &orig, 1), 0);
    CHECK_EQ_U64(raw_byte(fx, leaf), X86_INT3);
    CHECK_EQ_U64(core_byte(fx, leaf), original);

    struct debug_stop st;
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_SW_BREAK);
    CHECK_EQ_U64(regs_of(fx).rip, leaf);
    CHECK_EQ_U64(debug_core_remove_sw(&fx->core, leaf), 0);
    CHECK_EQ_U64(raw_byte(fx, leaf), original);
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_EXITED);
    CHECK_EQ_U64(st.exit_status, 0);
}

/* ---------------------------------------------------------------- main */

/* ---------------------------------------------------------------- watchpoints */

/* A write watch stops right after the store, in write_phase, with its address. */
SCENARIO(watch_write_stop, "test_watch", NULL)
{
    SYM(fx, target, "page_a");
    char err[512];
    struct debug_stop st;
    CHECK_EQ_U64(debug_core_insert_watch(&fx->core, WATCH_WRITE, target, 8, err, sizeof(err)), 0);
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_WATCH);
    CHECK_EQ_U64(st.watch_kind, WATCH_WRITE);
    CHECK_EQ_U64(st.watch_addr, target);
    CHECK_STR_EQ(func_at(fx, regs_of(fx).rip), "write_phase");
    CHECK_EQ_U64(*(uint64_t *)(fx->m.mem.host + target), 11);
    CHECK_EQ_U64(mem_slots_state(&fx->m.slots, target), MEM_PAGE_READ_ONLY);
    /* The next stop is the second store; then, removed, the guest runs to its end. */
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_WATCH);
    CHECK_EQ_U64(*(uint64_t *)(fx->m.mem.host + target), 22);
    CHECK_EQ_U64(debug_core_remove_watch(&fx->core, WATCH_WRITE, target, 8), 0);
    CHECK_EQ_U64(debug_core_remove_watch(&fx->core, WATCH_WRITE, target, 8), (uint64_t)-1);
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_EXITED);
    CHECK_EQ_U64(st.exit_status, 0);
    CHECK_EQ_U64(fx->m.slots.nslots, 1);
}

/*
 * A #DB the debugger did not cause goes to the guest, as without a debugger: ukvm's
 * kernel reports it as a fatal trap, a FAULT stop with vector 1 at the guest's code,
 * never swallowed (the guest's trap flag would raise it again after every instruction).
 * mode: "kernel" or "user" (UKVM_GUEST_MODE for this scenario); hbreak: a hardware
 * breakpoint (never hit) is set first, so that in kernel mode KVM's debug controls
 * intercept every #DB and the debug core must hand this one back.
 */
static void foreign_db(const char *mode, const char *kernel, const char *variant, const char *func,
                       bool hbreak)
{
    static const char *args[2];
    args[0] = variant;
    args[1] = NULL;
    setenv("UKVM_GUEST_MODE", mode, 1);
    int rc = fixture_open(&fixture, kernel, args);
    setenv("UKVM_GUEST_MODE", "kernel", 1);
    if (rc < 0)
        UNIT_FAIL("set-up failed: %s", fixture.err);
    struct fixture *fx = &fixture;
    struct debug_stop st;
    uint64_t never = hbreak ? sym_addr(fx, "divide") : 0;
    if (hbreak && (!never || debug_core_insert_hw(&fx->core, never) < 0)) {
        fixture_close(fx);
        UNIT_FAIL("no hardware breakpoint at divide");
    }
    if (debug_core_resume(&fx->core, false, false, &st) != 0 || st.reason != DEBUG_STOP_FAULT ||
        st.vector != 1) {
        fixture_close(fx);
        UNIT_FAIL("stopped with %s (exit status %d, vector %" PRIu64 ", %s), expected FAULT "
                  "vector 1",
                  reason_name(st.reason), st.exit_status, st.vector,
                  st.message[0] ? st.message : "no message");
    }
    /* Copied: the symbols and the stop go with the fixture. */
    const char *sym = func_at(fx, regs_of(fx).rip);
    char at[128], msg[600];
    snprintf(at, sizeof(at), "%s", sym ? sym : "?");
    snprintf(msg, sizeof(msg), "%s", st.message);
    bool ok = strcmp(at, func) == 0 && strstr(msg, "not caused by the debugger");
    /* Continuing ends the guest as without a debugger. */
    bool ended = debug_core_resume(&fx->core, false, false, &st) == 0 &&
                 st.reason == DEBUG_STOP_EXITED && st.exit_status == UKVM_EXIT_GUEST_CRASH;
    fixture_close(fx);
    if (!ok)
        UNIT_FAIL("fault at %s, message '%s'; expected in %s, 'not caused by the debugger'", at,
                  msg, func);
    if (!ended)
        UNIT_FAIL("continuing did not end the guest with a crash");
}

UNIT_TEST(foreign_db_trap_flag_kernel)
{
    foreign_db("kernel", "test_faults", "trap_flag", "trap_flag", true);
}

UNIT_TEST(foreign_db_trap_flag_user)
{
    foreign_db("user", "test_faults", "trap_flag", "trap_flag", false);
}

UNIT_TEST(foreign_db_icebp_user)
{
    foreign_db("user", "test_faults", "icebp", "icebp", false);
}

/* A Solo5 hvt guest in user mode: its own IDT gets the #DB, its handler reports it. */
UNIT_TEST(foreign_db_trap_flag_hvt_user)
{
    foreign_db("user", "hvt_fault.hvt", "trap_flag", "trap_flag", false);
}

/*
 * On a KVM without read-only slots (KVM_CAP_READONLY_MEM), forced by the test-only
 * UKVM_TEST_NO_READONLY_MEM=1, a write watch traps its page absent and still stops.
 */
static void no_read_only_body(struct fixture *fx);
UNIT_TEST(watch_without_read_only_slots)
{
    static const char *const args[] = {NULL};
    setenv("UKVM_TEST_NO_READONLY_MEM", "1", 1);
    int rc = fixture_open(&fixture, "test_watch", args);
    if (rc == 0)
        no_read_only_body(&fixture);
    fixture_close(&fixture);
    unsetenv("UKVM_TEST_NO_READONLY_MEM");
    if (rc < 0)
        UNIT_FAIL("set-up failed: %s", fixture.err);
}

static void no_read_only_body(struct fixture *fx)
{
    SYM(fx, target, "page_a");
    char err[512];
    struct debug_stop st;
    CHECK(!fx->m.slots.read_only_ok);
    CHECK_EQ_U64(debug_core_insert_watch(&fx->core, WATCH_WRITE, target, 8, err, sizeof(err)), 0);
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_WATCH);
    CHECK_EQ_U64(st.watch_kind, WATCH_WRITE);
    CHECK_EQ_U64(st.watch_addr, target);
    CHECK_STR_EQ(func_at(fx, regs_of(fx).rip), "write_phase");
    CHECK_EQ_U64(*(uint64_t *)(fx->m.mem.host + target), 11);
    CHECK_EQ_U64(mem_slots_state(&fx->m.slots, target), MEM_PAGE_ABSENT);
    CHECK_EQ_U64(debug_core_remove_watch(&fx->core, WATCH_WRITE, target, 8), 0);
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_EXITED);
    CHECK_EQ_U64(st.exit_status, 0);
}

/*
 * A page that was plain data when a watchpoint trapped it becomes the stack while the
 * guest runs, and the CPU pushes an exception frame there: the trap cannot work on that
 * page any more. The guest must not die of it: the debug core finds the page is now the
 * stack, lifts the trap with a stop that says so, and the guest goes on to the #UD it
 * raised, which stops as usual.
 */
SCENARIO(watch_page_becomes_stack, "test_watch", "frames", NULL)
{
    SYM(fx, mark, "frame_page");
    char err[512];
    struct debug_stop st;
    CHECK_EQ_U64(debug_core_insert_watch(&fx->core, WATCH_WRITE, mark, 8, err, sizeof(err)), 0);
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_WATCH_LIFTED);
    CHECK_STR_CONTAINS(st.message, "is the stack in use");
    CHECK_STR_CONTAINS(st.message, "lifted");
    CHECK_EQ_U64(mem_slots_wanted(&fx->m.slots, mark), MEM_PAGE_NORMAL); /* at the resume */
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_FAULT);
    CHECK_EQ_U64(st.vector, 6);
    CHECK_STR_EQ(func_at(fx, regs_of(fx).rip), "frames_phase");
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_EXITED);
    CHECK_EQ_U64(st.exit_status, UKVM_EXIT_GUEST_CRASH);
}

/* Clearing (a debugger went away) maps every page normally again before the next run. */
SCENARIO(watch_clear_restores_slots, "test_watch", NULL)
{
    SYM(fx, page_a, "page_a");
    SYM(fx, page_b, "page_b");
    char err[512];
    struct debug_stop st;
    CHECK_EQ_U64(debug_core_insert_watch(&fx->core, WATCH_READ, page_a, 8, err, sizeof(err)), 0);
    CHECK_EQ_U64(debug_core_insert_watch(&fx->core, WATCH_WRITE, page_b, 4, err, sizeof(err)), 0);
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_WATCH);
    CHECK_EQ_U64(st.watch_kind, WATCH_READ);
    CHECK_STR_EQ(func_at(fx, regs_of(fx).rip), "read_phase");
    CHECK_EQ_U64(mem_slots_state(&fx->m.slots, page_a), MEM_PAGE_ABSENT);
    CHECK_EQ_U64(mem_slots_state(&fx->m.slots, page_b), MEM_PAGE_READ_ONLY);
    debug_core_clear_breakpoints(&fx->core);
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_EXITED);
    CHECK_EQ_U64(st.exit_status, 0);
    CHECK_EQ_U64(fx->m.slots.nslots, 1);
    CHECK_EQ_U64(mem_slots_state(&fx->m.slots, page_a), MEM_PAGE_NORMAL);
}

/* Detaching from a watch stop lets the guest run on with every page normal again. */
SCENARIO(watch_detach_runs_on, "test_watch", NULL)
{
    SYM(fx, target, "page_a");
    char err[512];
    struct debug_stop st;
    CHECK_EQ_U64(debug_core_insert_watch(&fx->core, WATCH_ACCESS, target, 8, err, sizeof(err)), 0);
    RESUME(fx, false, st);
    EXPECT_STOP(st, DEBUG_STOP_WATCH);
    CHECK_EQ_U64(st.watch_kind, WATCH_ACCESS);
    CHECK_EQ_U64(debug_core_detach(&fx->core), 0);
    CHECK_EQ_U64(fx->m.slots.nslots, 1);
}

/* Code, the stack and page tables are refused, with the reason. */
SCENARIO(watch_refused_pages, "test_watch", NULL)
{
    SYM(fx, code, "write_phase");
    char err[512] = "";
    CHECK_EQ_U64(debug_core_insert_watch(&fx->core, WATCH_WRITE, code, 1, err, sizeof(err)),
                 (uint64_t)-1);
    CHECK_STR_CONTAINS(err, "holds code");
    uint64_t rsp = regs_of(fx).rsp;
    CHECK_EQ_U64(debug_core_insert_watch(&fx->core, WATCH_READ, rsp - 8, 8, err, sizeof(err)),
                 (uint64_t)-1);
    CHECK_STR_CONTAINS(err, "is part of the stack");
    CHECK_EQ_U64(
        debug_core_insert_watch(&fx->core, WATCH_WRITE, fx->m.layout.cr3, 8, err, sizeof(err)),
        (uint64_t)-1);
    CHECK_STR_CONTAINS(err, "holds page tables");
    CHECK_EQ_U64(debug_core_insert_watch(&fx->core, WATCH_WRITE, 0, 8, err, sizeof(err)),
                 (uint64_t)-1);
    CHECK_STR_CONTAINS(err, "is not mapped");
    CHECK_EQ_U64(watchpoints_count(&fx->core.watches), 0);
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s BUILD_DIR [LOG_FILE]\n", argv[0]);
        return 2;
    }
    build_dir = argv[1];
    const char *log_path = argc > 2 ? argv[2] : "/dev/null";
    if (access("/dev/kvm", R_OK | W_OK) != 0) {
        printf("SKIP debug_core: /dev/kvm is missing or not writable here\n");
        return 0;
    }

    /*
     * PASS/FAIL lines go to the real stdout through a FILE on a copy of fd 1; fd 1 itself,
     * where the monitor writes the guest's console, and the stderr FILE, where the
     * monitor writes its messages, go to the log. fd 2 stays: sanitizer reports.
     */
    int out_fd = dup(STDOUT_FILENO);
    int log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (out_fd < 0 || log_fd < 0) {
        fprintf(stderr, "test_debug_core: %s: %s\n", log_path, strerror(errno));
        return 2;
    }
    fflush(stdout);
    FILE *out = fdopen(out_fd, "w");
    log_file = fdopen(log_fd, "a");
    if (!out || !log_file || dup2(log_fd, STDOUT_FILENO) < 0) {
        fprintf(stderr, "test_debug_core: cannot redirect output: %s\n", strerror(errno));
        return 2;
    }
    setvbuf(log_file, NULL, _IONBF, 0);
    stdout = out;
    stderr = log_file;

    /*
     * Watchpoints are page traps in every scenario (the scenarios look at the slots), also
     * where debug registers would take them: asked before anything probes.
     */
    setenv("UKVM_WATCH_PAGES", "1", 1);
    UNIT_RUN(entry_stop);
    UNIT_RUN(step_from_entry);
    UNIT_RUN(sw_break_at_function);
    UNIT_RUN(sw_break_hits_every_call);
    UNIT_RUN(step_off_sw_break);
    UNIT_RUN(resume_at_breakpoint_hits);
    UNIT_RUN(hw_break_slot);
    UNIT_RUN(hw_break_fifth_fails);
    UNIT_RUN(hw_unused_slot_zeroed);
    UNIT_RUN(interrupt_spin);
    UNIT_RUN(interrupt_sleep);
    UNIT_RUN(interrupt_before_resume);
    UNIT_RUN(fault_invalid_opcode);
    UNIT_RUN(fault_divide_error);
    UNIT_RUN(fault_page_fault);
    UNIT_RUN(abort_stop);
    UNIT_RUN(guest_int3);
    UNIT_RUN(foreign_db_trap_flag_kernel);
    UNIT_RUN(foreign_db_trap_flag_user);
    UNIT_RUN(foreign_db_icebp_user);
    UNIT_RUN(foreign_db_trap_flag_hvt_user);
    UNIT_RUN(exit_status);
    UNIT_RUN(detach_from_breakpoint);
    UNIT_RUN(kill_at_breakpoint);
    UNIT_RUN(unmapped_breakpoint);
    UNIT_RUN(write_text_and_breakpoint);
    UNIT_RUN(watch_write_stop);
    UNIT_RUN(watch_without_read_only_slots);
    UNIT_RUN(watch_clear_restores_slots);
    UNIT_RUN(watch_detach_runs_on);
    UNIT_RUN(watch_refused_pages);
    UNIT_RUN(watch_page_becomes_stack);

    fflush(stdout);
    return UNIT_EXIT_STATUS();
}
