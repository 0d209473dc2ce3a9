/*
 * test_gdbstub_gdb.c: the stub against the real gdb (gdb -batch), on the fake target:
 * the target description as gdb 13 reads it (`info registers cr0` decoded, `p $fs_base`,
 * `info registers cr3`), register and memory writes reaching the target, stepi, a
 * breakpoint, `monitor`, threads, Ctrl-C (gdb's own SIGINT), disconnect and reconnect,
 * and the exit status. Skipped, saying so, where gdb is not installed.
 */
#include <sys/wait.h>

#include "test_gdbstub_fake.h"
#include "unit.h"

#define SESSIONS 3

struct gdb_server {
    int listen_fd;
    uint16_t port;
    struct fake_target *t;
    enum gdb_session_end how[SESSIONS];
    int served;
};

static void *serve_sessions(void *arg)
{
    struct gdb_server *s = arg;
    for (int i = 0; i < SESSIONS; i++) {
        int fd = gdbstub_accept(s->listen_fd, NULL, 0);
        if (fd < 0)
            break;
        s->how[i] = gdbstub_serve(fd, &fake_ops, s->t);
        close(fd);
        __atomic_store_n(&s->served, i + 1, __ATOMIC_RELEASE);
    }
    return NULL;
}

/* Runs gdb -batch on script (with %u for the port); returns its output (malloc'd). */
static char *run_gdb(uint16_t port, const char *script)
{
    char path[] = "/tmp/ukvm-gdbstub-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    fprintf(f, "set pagination off\nset confirm off\ntarget remote 127.0.0.1:%u\n", port);
    fputs(script, f);
    fclose(f);
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "timeout 60 gdb -batch -nx -x %s 2>&1", path);
    FILE *p = popen(cmd, "r");
    size_t cap = 1 << 16, len = 0;
    char *out = calloc(1, cap);
    size_t n;
    while (p && (n = fread(out + len, 1, cap - len - 1, p)) > 0)
        len += n;
    if (p)
        pclose(p);
    unlink(path);
    return out;
}

static bool have_gdb(void)
{
    return system("gdb --version >/dev/null 2>&1") == 0;
}

static uint64_t reg64(struct fake_target *t, unsigned regno)
{
    uint64_t v;
    memcpy(&v, t->regs[regno], 8);
    return v;
}

static void set_reg64(struct fake_target *t, unsigned regno, uint64_t v)
{
    memcpy(t->regs[regno], &v, 8);
}

/* Checks that gdb's output contains needle; on failure shows the output. */
#define CHECK_OUT(out, needle)                                          \
    do {                                                                \
        if (!strstr((out), (needle)))                                   \
            UNIT_FAIL("gdb output lacks \"%s\":\n%s", (needle), (out)); \
    } while (0)

UNIT_TEST(gdb_session)
{
    if (!have_gdb()) {
        printf("SKIP gdb_session: gdb is not installed\n");
        unit_current_failed = 1; /* no PASS line */
        return;
    }
    char err[256];
    struct gdb_server s = {.t = fake_new()};
    s.listen_fd = gdbstub_listen("127.0.0.1", 0, &s.port, err, sizeof(err));
    CHECK(s.listen_fd >= 0);
    struct fake_target *t = s.t;
    set_reg64(t, GDB_REG_RSP, 0x120000);
    set_reg64(t, GDB_REG_RBP, 0);
    set_reg64(t, GDB_REG_CR0, 0x80010033);
    set_reg64(t, GDB_REG_CR3, 0x103000);
    set_reg64(t, GDB_REG_EFER, 0x500);
    set_reg64(t, GDB_REG_FS_BASE, 0x7000);
    set_reg64(t, GDB_REG_GS_BASE, 0x8000);
    uint32_t eflags = 0x246, mxcsr = 0x1f80; /* after "xor eax,eax"; MXCSR at reset */
    memcpy(t->regs[GDB_REG_EFLAGS], &eflags, 4);
    memcpy(t->regs[GDB_REG_MXCSR], &mxcsr, 4);
    set_reg64(t, GDB_REG_CR4, 0x6b0); /* bits 4, 5, 7, 9, 10 */
    pthread_t th;
    pthread_create(&th, NULL, serve_sessions, &s);

    /* 1: Ctrl-C while running (gdb turns its SIGINT into 0x03), then disconnect. */
    t->block_until_interrupt = true;
    char *out = run_gdb(s.port, "python\n"
                                "import os, signal, threading, time\n"
                                "threading.Thread(target=lambda: (time.sleep(0.5), "
                                "os.kill(os.getpid(), signal.SIGINT))).start()\n"
                                "end\n"
                                "continue\n"
                                "p/x $pc\n"
                                "disconnect\n");
    CHECK_OUT(out, "Program received signal SIGINT");
    CHECK_OUT(out, "$1 = 0x100100");
    free(out);
    t->block_until_interrupt = false;

    /* 2: reconnect; registers, memory, stepi, monitor, threads, a breakpoint, exit. */
    t->script[0] = (struct gdb_stop){
        .kind = GDB_STOP_SIGNAL, .signal = GDB_SIGNAL_TRAP, .reason = GDB_REASON_SWBREAK};
    t->script[1] = (struct gdb_stop){.kind = GDB_STOP_EXITED, .exit_status = 3};
    t->script_len = 2;
    out = run_gdb(s.port, "info registers rip\n"
                          "p/x $cr3\n"
                          "info registers cr3\n"
                          "p/x $fs_base\n"
                          "p/x $gs_base\n"
                          "info registers cr0\n"
                          "info registers efer\n"
                          "info registers eflags\n"
                          "info registers mxcsr\n"
                          "info registers cr4\n"
                          "set $r8 = 0x1122334455667788\n"
                          "set $r15 = 0x55\n"
                          "set $cr3 = 0x104000\n"
                          "set $xmm3.v2_int64[1] = 42\n"
                          "p $xmm3.v2_int64[1]\n"
                          "x/4xb 0x100000\n"
                          "set {int}0x100010 = 0x0a0b0c0d\n"
                          "x/xw 0x100010\n"
                          "stepi\n"
                          "p/x $pc\n"
                          "monitor regs\n"
                          "info threads\n"
                          "break *0x100200\n"
                          "continue\n"
                          "p/x $pc\n"
                          "delete\n"
                          "continue\n");
    CHECK_OUT(out, "rip            0x100100");
    CHECK_OUT(out, "$1 = 0x103000");
    CHECK_OUT(out, "cr3            0x103000");
    CHECK_OUT(out, "$2 = 0x7000");
    CHECK_OUT(out, "$3 = 0x8000");
    CHECK_OUT(out, "[ PE MP ET NE WP PG ]");
    CHECK_OUT(out, "[ LME LMA ]");
    CHECK_OUT(out, "[ PF ZF IF ]");
    CHECK_OUT(out, "[ IM DM ZM OM UM PM ]");
    CHECK_OUT(out, "[ PSE PAE PGE OSFXSR OSXMMEXCPT ]");
    CHECK_OUT(out, "$4 = 42");
    CHECK_OUT(out, "0x100000:\t0x00\t0x01\t0x02\t0x03");
    CHECK_OUT(out, "0x100010:\t0x0a0b0c0d");
    CHECK_OUT(out, "$5 = 0x100101");
    CHECK_OUT(out, "ran: regs");
    CHECK_OUT(out, "Thread 1 (vCPU 0)");
    CHECK_OUT(out, "Breakpoint 1, 0x0000000000100200 in ?? ()");
    CHECK_OUT(out, "$6 = 0x100200");
    CHECK_OUT(out, "exited with code 03");
    free(out);
    CHECK_EQ_U64(reg64(t, GDB_REG_R8), 0x1122334455667788ULL);
    CHECK_EQ_U64(reg64(t, GDB_REG_R15), 0x55);
    CHECK_EQ_U64(reg64(t, GDB_REG_CR3), 0x104000);
    CHECK_EQ_U64(t->regs[GDB_REG_XMM0 + 3][8], 42); /* v2_int64[1]: the high 8 bytes */
    CHECK(memcmp(t->mem + 0x10, "\x0d\x0c\x0b\x0a", 4) == 0);
    CHECK_EQ_U64(t->nbps, 0); /* gdb removed its breakpoint */

    /* 3: gdb's `kill` (on a target that is stopped again, not exited). */
    t->current = (struct gdb_stop){.kind = GDB_STOP_SIGNAL, .signal = GDB_SIGNAL_TRAP};
    out = run_gdb(s.port, "kill\n");
    CHECK_OUT(out, "[Inferior 1 (Remote target) killed]");
    free(out);
    pthread_join(th, NULL);
    CHECK_EQ_U64(s.served, SESSIONS);
    CHECK_EQ_U64(s.how[0], GDB_END_DISCONNECT);
    CHECK_EQ_U64(s.how[1], GDB_END_TARGET_GONE);
    CHECK_EQ_U64(s.how[2], GDB_END_KILL);
    CHECK_EQ_U64(t->session_end_calls, SESSIONS);
    close(s.listen_fd);
    free(t);
}

int main(void)
{
    UNIT_RUN(gdb_session);
    return UNIT_EXIT_STATUS();
}
