/*
 * host_timeit.c: wall time of whole process runs, for tests/bench/run.sh.
 *
 *   host_timeit [-w WARMUP] [-i FILE] RUNS -- CMD [ARGS...] [-- CMD [ARGS...]]...
 *
 * Runs every command RUNS times, interleaved (A B A B ...) so that a change in machine
 * load during the benchmark hits baseline and subject alike, after WARMUP untimed rounds
 * (default 1: page cache, dynamic loader caches). Each run's stdin, stdout and stderr are
 * /dev/null; with -i, stdin is FILE instead, read from its start by every run (commands
 * for ukvm --shell, which reads them from stdin). For each command, prints one line to
 * stdout:
 *
 *   cmd=I runs=N median_us=X p10_us=X p90_us=X min_us=X max_us=X
 *
 * Why not bash's `time` or `date +%s%N`: they add a fork and exec of their own to every
 * sample, of the same order as the ~0.1 ms KVM set-up being measured. The clock here is
 * read right before posix_spawnp() and right after waitpid() returns. CMD is looked up in
 * PATH when it has no slash.
 *
 * A command that exits non-zero or dies by a signal ends the benchmark with status 1: a
 * failing run measures the failure, not the program.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_CMDS 16

struct cmd {
    char **argv;     /* NULL-terminated, points into main's argv */
    double *samples; /* microseconds, RUNS of them */
};

static int usage(void)
{
    fputs("usage: host_timeit [-w WARMUP] [-i FILE] RUNS -- CMD [ARGS...] [-- CMD [ARGS...]]...\n",
          stderr);
    return 2;
}

/* A positive decimal count with nothing after it (0 is allowed only where zero_ok). */
static int parse_count(const char *s, long *out, int zero_ok)
{
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *end;
    long v = strtol(s, &end, 10);
    if (errno || *end || v > 10000000 || (v == 0 && !zero_ok))
        return -1;
    *out = v;
    return 0;
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* Runs argv once with stdio as fa sets it up; returns the wall time in us, or -1 on failure. */
static double run_once(char **argv, const posix_spawn_file_actions_t *fa)
{
    pid_t pid;
    double t0 = now_us();
    int err = posix_spawnp(&pid, argv[0], fa, NULL, argv, environ);
    if (err) {
        fprintf(stderr, "host_timeit: cannot run %s: %s\n", argv[0], strerror(err));
        return -1;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            perror("host_timeit: waitpid");
            return -1;
        }
    }
    double t1 = now_us();
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return t1 - t0;
    fprintf(stderr, "host_timeit: '%s", argv[0]);
    for (char **a = argv + 1; *a; a++)
        fprintf(stderr, " %s", *a);
    if (WIFEXITED(status))
        fprintf(stderr, "' exited with status %d", WEXITSTATUS(status));
    else
        fprintf(stderr, "' was killed by signal %d", WTERMSIG(status));
    fputs(" (its output went to /dev/null: run it by hand to see why)\n", stderr);
    return -1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of a sorted array: the smallest sample >= p% of all samples. */
static double percentile(const double *sorted, long n, double p)
{
    long rank = (long)((p / 100.0) * (double)n + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return sorted[rank - 1];
}

static double median(const double *sorted, long n)
{
    if (n % 2)
        return sorted[n / 2];
    return (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

int main(int argc, char **argv)
{
    long warmup = 1, runs;
    const char *input = "/dev/null";
    int i = 1;
    while (i + 1 < argc && (!strcmp(argv[i], "-w") || !strcmp(argv[i], "-i"))) {
        if (!strcmp(argv[i], "-w") && parse_count(argv[i + 1], &warmup, 1) < 0)
            return usage();
        if (!strcmp(argv[i], "-i")) {
            input = argv[i + 1];
            /* Checked once here, so that a wrong path is not a failure of the command. */
            if (access(input, R_OK) < 0) {
                fprintf(stderr, "host_timeit: -i %s: %s\n", input, strerror(errno));
                return 2;
            }
        }
        i += 2;
    }
    if (i >= argc || parse_count(argv[i], &runs, 0) < 0)
        return usage();
    i++;
    if (i >= argc || strcmp(argv[i], "--"))
        return usage();

    /* Split the rest at each "--", in place: each separator becomes its command's NULL. */
    struct cmd cmds[MAX_CMDS];
    int ncmds = 0;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--"))
            continue;
        argv[i] = NULL;
        if (i + 1 >= argc || !strcmp(argv[i + 1], "--"))
            return usage(); /* an empty command */
        if (ncmds == MAX_CMDS) {
            fprintf(stderr, "host_timeit: at most %d commands\n", MAX_CMDS);
            return 2;
        }
        cmds[ncmds].argv = &argv[i + 1];
        cmds[ncmds].samples = calloc((size_t)runs, sizeof(double));
        if (!cmds[ncmds].samples) {
            perror("host_timeit: calloc");
            return 1;
        }
        ncmds++;
    }

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, input, O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);

    for (long r = -warmup; r < runs; r++) {
        for (int c = 0; c < ncmds; c++) {
            double us = run_once(cmds[c].argv, &fa);
            if (us < 0)
                return 1;
            if (r >= 0)
                cmds[c].samples[r] = us;
        }
    }

    for (int c = 0; c < ncmds; c++) {
        double *s = cmds[c].samples;
        qsort(s, (size_t)runs, sizeof(double), cmp_double);
        printf("cmd=%d runs=%ld median_us=%.1f p10_us=%.1f p90_us=%.1f min_us=%.1f max_us=%.1f\n",
               c, runs, median(s, runs), percentile(s, runs, 10), percentile(s, runs, 90), s[0],
               s[runs - 1]);
        free(s);
    }
    posix_spawn_file_actions_destroy(&fa);
    return 0;
}
