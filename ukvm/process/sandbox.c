/*
 * sandbox.c: the seccomp filter and the report of a forbidden call (see sandbox.h).
 */
#include <errno.h>
#include <limits.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "exit_status.h"
#include "sandbox.h"
#include "sandbox_rules.h"

/*
 * Every system call's name by number, from the kernel headers (the Makefile generates
 * syscall_names.h). The SIGSYS handler cannot ask libseccomp, which allocates.
 */
static const char *const syscall_names[] = {
#include <syscall_names.h>
};

/* ASan and UBSan come together in ukvm's sanitizer build (the Makefile's SANITIZE_FLAGS). */
#ifdef __SANITIZE_ADDRESS__
#define SANITIZER_BUILD true
#else
#define SANITIZER_BUILD false
#endif

/* UKVM_SANDBOX_TEST: what to do once the filter is in, for tests/scripts/sandbox.sh only. */
enum sandbox_test {
    TEST_NONE,
    TEST_FORBIDDEN,     /* a forbidden call: socket(AF_INET, SOCK_STREAM) */
    TEST_HEAP_OVERFLOW, /* ASan build: a heap buffer overflow, for ASan's report */
    TEST_UBSAN,         /* ASan build: a signed overflow, for UBSan's report */
    TEST_LEAK,          /* ASan build: a leak, for LeakSanitizer's report at exit */
};

static scmp_filter_ctx prepared;
static bool active;
static enum sandbox_test test;

/* ---------------------------------------------------------------- SIGSYS */

static char *append(char *p, const char *end, const char *s)
{
    while (*s && p < end)
        *p++ = *s++;
    return p;
}

static char *append_number(char *p, const char *end, unsigned long v)
{
    char digits[24];
    int n = 0;
    do
        digits[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    while (n > 0 && p < end)
        *p++ = digits[--n];
    return p;
}

/*
 * The kernel refused a call: say which, in one line written with write(2) alone (this
 * is a signal handler). Plain build: end ukvm. ASan build: the call fails with ENOSYS and
 * ukvm goes on (sandbox.h says why).
 */
static void on_sigsys(int signo, siginfo_t *si, void *context)
{
    (void)signo;
    int saved = errno;
    unsigned nr = (unsigned)si->si_syscall;
    bool native = si->si_arch == AUDIT_ARCH_X86_64;
    const char *name =
        native && nr < sizeof(syscall_names) / sizeof(syscall_names[0]) ? syscall_names[nr] : NULL;
    char line[256];
    char *p = line, *end = line + sizeof(line) - 1;
    p = append(p, end, "ukvm: sandbox: forbidden system call ");
    p = append(p, end, name ? name : native ? "of unknown name" : "of another ABI (not x86_64)");
    p = append(p, end, " (");
    p = append_number(p, end, nr);
    p = append(p, end, ") after set-up");
    if (SANITIZER_BUILD)
        p = append(p, end, "; it fails with ENOSYS and ukvm goes on (the ASan/UBSan build)");
    p = append(p, end, "; a bug in ukvm: rerun with --no-sandbox to debug it\n");
    ssize_t ignored = write(STDERR_FILENO, line, (size_t)(p - line));
    (void)ignored;
    if (!SANITIZER_BUILD)
        _exit(UKVM_EXIT_SANDBOX);
    ucontext_t *uc = context;
    uc->uc_mcontext.gregs[REG_RAX] = -ENOSYS;
    errno = saved;
}

/* ---------------------------------------------------------------- tests */

static int parse_test(char *err, size_t errlen)
{
    const char *t = getenv("UKVM_SANDBOX_TEST");
    test = TEST_NONE;
    if (!t || !*t)
        return 0;
    if (!strcmp(t, "forbidden"))
        test = TEST_FORBIDDEN;
    else if (SANITIZER_BUILD && !strcmp(t, "heap-overflow"))
        test = TEST_HEAP_OVERFLOW;
    else if (SANITIZER_BUILD && !strcmp(t, "ubsan"))
        test = TEST_UBSAN;
    else if (SANITIZER_BUILD && !strcmp(t, "leak"))
        test = TEST_LEAK;
    else {
        snprintf(err, errlen,
                 "bad UKVM_SANDBOX_TEST '%s' (a test-only setting): give forbidden, or in the "
                 "ASan/UBSan build heap-overflow, ubsan or leak",
                 t);
        return -1;
    }
    return 0;
}

/* Read at run time, so that the compiler cannot see through the bugs below. */
static volatile size_t past_end = 8;

static __attribute__((noinline)) void sanitizer_bug(enum sandbox_test which)
{
    size_t index = past_end;
    if (which == TEST_HEAP_OVERFLOW) {
        char *volatile p = malloc(8);
        volatile char c = p[index]; /* index is 8: one byte past the block */
        (void)c;
        free(p);
    } else if (which == TEST_UBSAN) {
        volatile int v = INT_MAX;
        v = v + (int)index; /* signed overflow */
    } else if (which == TEST_LEAK) {
        void *volatile p = malloc(64);
        p = NULL;
        (void)p;
    }
}

static void run_test(void)
{
    switch (test) {
    case TEST_NONE:
        break;
    case TEST_FORBIDDEN: {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0)
            close(fd);
        break;
    }
    case TEST_HEAP_OVERFLOW:
    case TEST_UBSAN:
    case TEST_LEAK:
        sanitizer_bug(test);
        break;
    }
}

/* ---------------------------------------------------------------- the filter */

int sandbox_prepare(unsigned needs, char *err, size_t errlen)
{
    if (parse_test(err, errlen) < 0)
        return -1;
    if (prctl(PR_GET_SECCOMP) < 0) {
        snprintf(err, errlen,
                 "sandbox: this kernel has no seccomp filters (%s): give --no-sandbox to run "
                 "without them",
                 strerror(errno));
        return -1;
    }
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
    if (!ctx) {
        snprintf(err, errlen, "sandbox: libseccomp cannot start a filter");
        return -1;
    }
    int rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_TRAP);
    if (rc == 0)
        rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1); /* threads made before, too */
    if (rc < 0) {
        snprintf(err, errlen, "sandbox: libseccomp: %s", strerror(-rc));
        seccomp_release(ctx);
        return -1;
    }
    int pid = getpid();
    char why[200];
    for (size_t g = 0; g < sandbox_group_count; g++) {
        const struct sandbox_group *group = &sandbox_groups[g];
        if (group->sanitizer ? !SANITIZER_BUILD : group->needs && !(group->needs & needs))
            continue;
        for (size_t i = 0; i < group->count; i++)
            if (sandbox_rules_add(ctx, &group->calls[i], pid, why, sizeof(why)) < 0) {
                snprintf(err, errlen, "sandbox: %s", why);
                seccomp_release(ctx);
                return -1;
            }
    }
    if (prepared)
        seccomp_release(prepared);
    prepared = ctx;
    return 0;
}

void sandbox_enter(void)
{
    if (!prepared || active)
        return;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_sigsys;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigset_t sys;
    sigemptyset(&sys);
    sigaddset(&sys, SIGSYS);
    int rc = sigaction(SIGSYS, &sa, NULL) < 0 ? -errno : 0;
    if (rc == 0)
        rc = pthread_sigmask(SIG_UNBLOCK, &sys, NULL) != 0 ? -EINVAL : 0;
    if (rc == 0)
        rc = seccomp_load(prepared);
    seccomp_release(prepared);
    prepared = NULL;
    if (rc < 0) {
        fprintf(stderr,
                "ukvm: sandbox: cannot install the seccomp filter: %s (--no-sandbox runs "
                "without it)\n",
                strerror(-rc));
        exit(UKVM_EXIT_SANDBOX);
    }
    active = true;
    run_test();
}

bool sandbox_active(void)
{
    return active;
}

void sandbox_list(FILE *out)
{
    fprintf(out,
            "System calls ukvm allows itself once set-up is over (any other ends it, "
            "status %d):\n",
            UKVM_EXIT_SANDBOX);
    for (size_t g = 0; g < sandbox_group_count; g++) {
        const struct sandbox_group *group = &sandbox_groups[g];
        fprintf(out, "\n%s:\n", group->title);
        for (size_t i = 0; i < group->count; i++) {
            fprintf(out, "  %s", group->calls[i].name);
            sandbox_rules_print_arg(out, group->calls[i].arg);
            fputc('\n', out);
        }
    }
}
