/*
 * options.c: command-line parsing (see options.h).
 *
 * Hand-written rather than getopt_long: `--block:NAME=FILE` carries a name inside the
 * option itself, and option parsing must stop at the kernel path so that the guest's own
 * arguments (which may start with "--") pass through untouched.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_error.h"
#include "options.h"
#include "sandbox.h"

void options_usage(FILE *out)
{
    fprintf(out,
            "usage: ukvm [OPTIONS] KERNEL [ARGS...]\n"
            "\n"
            "Runs the unikernel KERNEL on /dev/kvm: a ukvm unikernel (KERNEL.ukvm), or a\n"
            "Solo5 binary built for the hvt target (KERNEL.hvt), unchanged. ARGS become its\n"
            "command line, joined by single spaces.\n"
            "\n"
            "Options (solo5-hvt's spellings are accepted too, so a script written for\n"
            "solo5-hvt runs with ukvm in its place):\n"
            "  --mem=MiB           guest memory in MiB (default %d for ukvm unikernels, 512\n"
            "                      for Solo5 hvt binaries as solo5-hvt; at most %d)\n"
            "  --disk=FILE         block device \"storage\" backed by FILE\n"
            "  --block:NAME=FILE   block device NAME backed by FILE (up to 63 devices); the\n"
            "                      file's size must be a multiple of the block size\n"
            "  --block-sector-size:NAME=N\n"
            "                      block size of device NAME in bytes: a power of two from\n"
            "                      512 (the default) to 32768\n"
            "  --net:NAME=IFACE    network device NAME on the existing tap interface IFACE\n"
            "  --net:NAME=@FD      network device NAME on the open tap descriptor FD\n"
            "  --net-mac:NAME=MAC  the guest's MAC address on NAME (xx:xx:xx:xx:xx:xx;\n"
            "                      default: a random locally administered one)\n"
            "  --pcap:NAME=FILE    write every frame NAME sends and receives to FILE, in\n"
            "                      pcap format (tcpdump -r FILE, Wireshark)\n"
            "  --gdb[=[HOST:]PORT] wait for gdb before the first instruction; listen on\n"
            "                      HOST:PORT (default 127.0.0.1:1234; PORT 0 picks a free\n"
            "                      port; give HOST 0.0.0.0 to accept remote debuggers)\n"
            "  --gdb-port=PORT     solo5-hvt-debug's spelling: the port --gdb listens on\n"
            "  --shell             open the inspection shell before the first instruction\n"
            "                      (readline with a terminal; commands from stdin without)\n"
            "  --record[=MiB]      with --gdb or --shell: record the run so that it can be\n"
            "                      run backwards (reverse-stepi, reverse-continue); keep at\n"
            "                      most MiB of history (default 1024), dropping the oldest\n"
            "                      (ukvm unikernels only; see docs/reverse.md)\n"
            "  --core[=PATH]       when the guest crashes, write an ELF core file for gdb to\n"
            "                      PATH (default core.ukvm.KERNEL.PID in the working folder)\n"
            "  --dumpcore[=DIR]    solo5-hvt's spelling: the same core, by its default name,\n"
            "                      in the folder DIR (default: the working folder)\n"
            "  --guest-mode=MODE   kernel: the guest runs at CPL 0; user: at CPL 3 under\n"
            "                      ukvm's shim (ukvm and hvt guests); auto (the default): user\n"
            "                      mode where this KVM emulates kernel mode in software\n"
            "                      (no VMX/SVM), else kernel mode. UKVM_GUEST_MODE in the\n"
            "                      environment sets the default\n"
            "  --trace             print every KVM exit and hypercall to stderr\n"
            "  --stats             print set-up and run times to stderr at exit\n"
            "  --no-sandbox        no seccomp filter once set-up is over (by default any\n"
            "                      system call the run does not need ends ukvm): for\n"
            "                      debugging ukvm itself\n"
            "  --sandbox-list      print the system calls each mode allows, then exit\n"
            "  --info              print the unikernel's guest ABI and the devices it\n"
            "                      declares (Solo5 hvt manifest), then exit\n"
            "  --probe             run ukvm's probes of this KVM (guest mode, watchpoints,\n"
            "                      int3, triple faults), print what each found, then exit\n"
            "  --help              this text\n"
            "  --version           the version\n"
            "  --                  end of options (for a kernel path starting with '-')\n"
            "\n"
            "Exit status: the guest's solo5_exit() status (0-254); 255 when the guest\n"
            "aborts or crashes; 2 for a bad command line; 250 when KVM cannot be used;\n"
            "251 for an unusable unikernel file; 252 for an unusable device file or tap\n"
            "interface, at start-up or when it fails during the run; 253 when the sandbox\n"
            "refused a system call (a bug in ukvm);\n"
            "128+N when signal N (SIGINT, SIGTERM) ended the guest. With --shell and no\n"
            "terminal on stdin: 0 when every command succeeded, 1 when one failed.\n",
            OPTIONS_DEFAULT_MEM_MIB, OPTIONS_MAX_MEM_MIB);
}

static enum options_result options_usage_error(FILE *err, const char *fmt, const char *arg)
{
    cli_error(err, fmt, arg);
    return OPTIONS_USAGE;
}

/* A decimal number in [min, max]; no sign, no suffix, no overflow. */
static bool parse_decimal(const char *s, uint64_t min, uint64_t max, uint64_t *value)
{
    if (!isdigit((unsigned char)s[0]))
        return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return false;
    *value = v;
    return true;
}

/* A decimal number of MiB in [2, OPTIONS_MAX_MEM_MIB]. */
static bool parse_mem(const char *s, uint64_t *mib)
{
    return parse_decimal(s, 2, OPTIONS_MAX_MEM_MIB, mib);
}

/*
 * --gdb's value: PORT, HOST:PORT or [IPv6]:PORT. The port is decimal 0-65535 (0 picks a
 * free one); the host is passed to getaddrinfo later, so only its length is checked here.
 */
static bool parse_gdb_address(const char *s, struct options *opts)
{
    const char *port = s;
    const char *colon = strrchr(s, ':');
    if (colon) {
        const char *host = s;
        size_t hlen = (size_t)(colon - s);
        if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') {
            host++;
            hlen -= 2;
        }
        if (hlen == 0 || hlen >= sizeof(opts->gdb_host))
            return false;
        memcpy(opts->gdb_host, host, hlen);
        opts->gdb_host[hlen] = '\0';
        port = colon + 1;
    }
    if (!isdigit((unsigned char)port[0]))
        return false;
    errno = 0;
    char *end;
    unsigned long v = strtoul(port, &end, 10);
    if (errno || *end || v > 65535)
        return false;
    opts->gdb_port = (uint16_t)v;
    return true;
}

static bool device_named(const struct options *opts, const char *name, size_t len)
{
    for (size_t i = 0; i < opts->nblocks; i++)
        if (strlen(opts->blocks[i].name) == len && !memcmp(opts->blocks[i].name, name, len))
            return true;
    for (size_t i = 0; i < opts->nnets; i++)
        if (strlen(opts->nets[i].name) == len && !memcmp(opts->nets[i].name, name, len))
            return true;
    return false;
}

static enum options_result add_block(struct options *opts, const char *name, size_t name_len,
                                     const char *path, const char *arg, FILE *err)
{
    if (!device_name_valid(name, name_len))
        return options_usage_error(
            err, "bad device name in '%s': use 1 to 67 letters, digits or '_'", arg);
    if (!*path)
        return options_usage_error(err, "'%s' needs a file name", arg);
    if (device_named(opts, name, name_len))
        return options_usage_error(err, "device named twice: '%s'", arg);
    if (opts->nblocks + opts->nnets == OPTIONS_MAX_DEVICES)
        return options_usage_error(err, "too many devices at '%s' (at most 63 in all)", arg);
    struct block_option *b = &opts->blocks[opts->nblocks++];
    memcpy(b->name, name, name_len);
    b->name[name_len] = '\0';
    b->path = path;
    b->block_size = OPTIONS_MIN_BLOCK_SIZE;
    return OPTIONS_RUN;
}

/* A --block-sector-size option, applied once every --block is known (any order works). */
struct sector_size_option {
    const char *name; /* points into arg */
    size_t name_len;
    uint32_t size;
    const char *arg;
};

struct sector_sizes {
    size_t n;
    struct sector_size_option v[OPTIONS_MAX_BLOCKS];
};

/*
 * --block-sector-size:NAME=N. N is decimal, a power of two from OPTIONS_MIN_BLOCK_SIZE to
 * OPTIONS_MAX_BLOCK_SIZE: Solo5 refuses the same values (its manifest field is 16 bits).
 */
static enum options_result add_sector_size(struct sector_sizes *sizes, const char *arg, FILE *err)
{
    const char *name = arg + strlen("--block-sector-size:");
    const char *eq = strchr(name, '=');
    if (!eq)
        return options_usage_error(err, "'%s' must look like --block-sector-size:NAME=BYTES", arg);
    size_t name_len = (size_t)(eq - name);
    if (!device_name_valid(name, name_len))
        return options_usage_error(
            err, "bad device name in '%s': use 1 to 67 letters, digits or '_'", arg);
    const char *num = eq + 1;
    errno = 0;
    char *end;
    unsigned long long v = isdigit((unsigned char)num[0]) ? strtoull(num, &end, 10) : 0;
    if (!isdigit((unsigned char)num[0]) || errno || *end || v < OPTIONS_MIN_BLOCK_SIZE ||
        v > OPTIONS_MAX_BLOCK_SIZE || (v & (v - 1)) != 0)
        return options_usage_error(
            err,
            "bad block size in '%s': the block size must be a power of two of "
            "at least 512 (and at most 32768)",
            arg);
    for (size_t i = 0; i < sizes->n; i++)
        if (sizes->v[i].name_len == name_len && !memcmp(sizes->v[i].name, name, name_len))
            return options_usage_error(err, "block size given twice: '%s'", arg);
    if (sizes->n == OPTIONS_MAX_BLOCKS)
        return options_usage_error(err, "too many --block-sector-size options at '%s' (at most 63)",
                                   arg);
    sizes->v[sizes->n++] = (struct sector_size_option){
        .name = name, .name_len = name_len, .size = (uint32_t)v, .arg = arg};
    return OPTIONS_RUN;
}

/* Gives each --block-sector-size to its device; one naming no --block device is an error. */
static enum options_result apply_sector_sizes(struct options *opts,
                                              const struct sector_sizes *sizes, FILE *err)
{
    for (size_t i = 0; i < sizes->n; i++) {
        const struct sector_size_option *s = &sizes->v[i];
        struct block_option *b = NULL;
        for (size_t j = 0; j < opts->nblocks && !b; j++)
            if (strlen(opts->blocks[j].name) == s->name_len &&
                !memcmp(opts->blocks[j].name, s->name, s->name_len))
                b = &opts->blocks[j];
        if (!b)
            return options_usage_error(
                err, "'%s' names no block device: give --block:NAME=FILE too", s->arg);
        b->block_size = s->size;
    }
    return OPTIONS_RUN;
}

/*
 * --dumpcore=DIR must name a folder ukvm can create files in. Checked now, as solo5-hvt
 * checks it, rather than when the guest crashes and the core is lost.
 */
static enum options_result check_core_dir(const char *dir, const char *arg, FILE *err)
{
    /* Room for the core's own name (core.ukvm.KERNEL.PID) after the folder. */
    if (strlen(dir) > PATH_MAX - NAME_MAX - 2)
        return options_usage_error(err, "'%s': the folder's path is too long", arg);
    struct stat st;
    if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
        return options_usage_error(err, "'%s': not an existing folder", arg);
    if (access(dir, W_OK | X_OK) < 0)
        return options_usage_error(err, "'%s': the folder is not writable", arg);
    return OPTIONS_RUN;
}

static enum options_result join_cmdline(struct options *opts, int argc, char *const argv[],
                                        int first, FILE *err)
{
    size_t len = 0;
    opts->cmdline[0] = '\0';
    for (int i = first; i < argc; i++) {
        size_t n = strlen(argv[i]);
        size_t need = n + (i > first ? 1 : 0);
        if (need >= sizeof(opts->cmdline) - len)
            return options_usage_error(err, "the guest command line is too long (at most %s bytes)",
                                       "8191");
        if (i > first)
            opts->cmdline[len++] = ' ';
        memcpy(opts->cmdline + len, argv[i], n);
        len += n;
        opts->cmdline[len] = '\0';
    }
    return OPTIONS_RUN;
}

enum options_result options_parse(int argc, char *const argv[], struct options *opts, FILE *out,
                                  FILE *err)
{
    memset(opts, 0, sizeof(*opts));
    opts->mem_mib = OPTIONS_DEFAULT_MEM_MIB;
    snprintf(opts->gdb_host, sizeof(opts->gdb_host), "%s", OPTIONS_DEFAULT_GDB_HOST);
    opts->gdb_port = OPTIONS_DEFAULT_GDB_PORT;
    struct sector_sizes sizes = {0};
    struct net_options_later net_later = {0};
    bool mode_given = false;
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (a[0] != '-' || a[1] == '\0')
            break;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            options_usage(out);
            return OPTIONS_DONE;
        } else if (!strcmp(a, "--version")) {
            fprintf(out, "ukvm %s (ukvm ABI %d)\n", UKVM_VERSION, UKVM_ABI_VERSION);
            return OPTIONS_DONE;
        } else if (!strcmp(a, "--sandbox-list")) {
            sandbox_list(out);
            return OPTIONS_DONE;
        } else if (!strcmp(a, "--no-sandbox")) {
            opts->no_sandbox = true;
        } else if (!strcmp(a, "--probe")) {
            opts->probe = true;
        } else if (!strcmp(a, "--info")) {
            opts->info = true;
        } else if (!strcmp(a, "--trace")) {
            opts->trace = true;
        } else if (!strncmp(a, "--guest-mode=", 13)) {
            if (guest_mode_parse(a + 13, &opts->guest_mode) < 0)
                return options_usage_error(err, "bad mode in '%s': give kernel, user or auto", a);
            mode_given = true;
        } else if (!strcmp(a, "--gdb")) {
            opts->gdb = true;
        } else if (!strncmp(a, "--gdb=", 6)) {
            opts->gdb = true;
            if (!parse_gdb_address(a + 6, opts))
                return options_usage_error(err, "bad address in '%s': give PORT or HOST:PORT", a);
        } else if (!strncmp(a, "--gdb-port=", 11)) {
            /* solo5-hvt-debug's spelling: the port only; --gdb still turns the stub on. */
            if (strchr(a + 11, ':') || !parse_gdb_address(a + 11, opts))
                return options_usage_error(err, "bad port in '%s': give a number from 0 to 65535",
                                           a);
        } else if (!strcmp(a, "--shell")) {
            opts->shell = true;
        } else if (!strcmp(a, "--core")) {
            opts->core = true;
            opts->core_path = NULL;
        } else if (!strncmp(a, "--core=", 7)) {
            if (!a[7])
                return options_usage_error(err, "'%s' needs a file name (or give --core alone)", a);
            opts->core = true;
            opts->core_path = a + 7;
        } else if (!strcmp(a, "--dumpcore") || !strncmp(a, "--dumpcore=", 11)) {
            const char *dir = a[10] == '=' ? a + 11 : ".";
            if (!*dir)
                return options_usage_error(err, "'%s' needs a folder (or give --dumpcore alone)",
                                           a);
            enum options_result r = check_core_dir(dir, a, err);
            if (r != OPTIONS_RUN)
                return r;
            opts->core = true;
            opts->core_dir = dir;
        } else if (!strncmp(a, "--block-sector-size:", 20)) {
            enum options_result r = add_sector_size(&sizes, a, err);
            if (r != OPTIONS_RUN)
                return r;
        } else if (!strncmp(a, "--net:", 6) || !strncmp(a, "--net-mac:", 10) ||
                   !strncmp(a, "--pcap:", 7)) {
            size_t before = opts->nnets;
            if (net_options_add(opts->nets, &opts->nnets, OPTIONS_MAX_DEVICES - opts->nblocks,
                                &net_later, a, err) < 0)
                return OPTIONS_USAGE;
            /* net_options_add knows the network devices' names; these are the others. */
            for (size_t b = 0; b < opts->nblocks && opts->nnets > before; b++)
                if (!strcmp(opts->blocks[b].name, opts->nets[before].name))
                    return options_usage_error(err, "device named twice: '%s'", a);
        } else if (!strcmp(a, "--record")) {
            opts->record = true;
            opts->record_mib = 0;
        } else if (!strncmp(a, "--record=", 9)) {
            uint64_t mib;
            if (!parse_decimal(a + 9, OPTIONS_MIN_RECORD_MIB, OPTIONS_MAX_RECORD_MIB, &mib))
                return options_usage_error(
                    err, "bad record size in '%s': give MiB from 16 to 1048576", a);
            opts->record = true;
            opts->record_mib = mib;
        } else if (!strcmp(a, "--stats")) {
            opts->stats = true;
        } else if (!strncmp(a, "--mem=", 6)) {
            if (!parse_mem(a + 6, &opts->mem_mib))
                return options_usage_error(err, "bad memory size in '%s': give MiB from 2 to 4096",
                                           a);
            opts->mem_given = true;
        } else if (!strncmp(a, "--disk=", 7)) {
            enum options_result r = add_block(opts, "storage", 7, a + 7, a, err);
            if (r != OPTIONS_RUN)
                return r;
        } else if (!strncmp(a, "--block:", 8)) {
            const char *name = a + 8;
            const char *eq = strchr(name, '=');
            if (!eq)
                return options_usage_error(err, "'%s' must look like --block:NAME=FILE", a);
            enum options_result r = add_block(opts, name, (size_t)(eq - name), eq + 1, a, err);
            if (r != OPTIONS_RUN)
                return r;
        } else if (!strcmp(a, "--mem") || !strcmp(a, "--disk")) {
            return options_usage_error(err, "'%s' takes a value: write it as OPTION=VALUE", a);
        } else {
            return options_usage_error(err, "unknown option '%s'", a);
        }
    }
    const char *env_mode = getenv("UKVM_GUEST_MODE");
    if (!mode_given && env_mode && *env_mode && guest_mode_parse(env_mode, &opts->guest_mode) < 0)
        return options_usage_error(err,
                                   "bad UKVM_GUEST_MODE '%s' in the environment: give kernel, "
                                   "user or auto",
                                   env_mode);
    enum options_result r = apply_sector_sizes(opts, &sizes, err);
    if (r != OPTIONS_RUN)
        return r;
    if (net_options_apply(opts->nets, opts->nnets, &net_later, err) < 0)
        return OPTIONS_USAGE;
    if (opts->core_path && opts->core_dir)
        return options_usage_error(err, "%s",
                                   "--core=PATH and --dumpcore=DIR both name where the core goes: "
                                   "give one");
    if (opts->record && !opts->gdb && !opts->shell)
        return options_usage_error(err, "%s",
                                   "--record needs a debugger to go backwards with: give --gdb "
                                   "or --shell too");
    if (opts->gdb && opts->shell)
        return options_usage_error(err, "%s",
                                   "--gdb and --shell cannot be combined: use one debug front end "
                                   "(gdb's 'monitor' runs every shell command)");
    if (opts->probe && (opts->gdb || opts->shell || opts->info))
        return options_usage_error(err, "%s",
                                   "--probe runs no unikernel: it cannot be combined with --gdb, "
                                   "--shell or --info");
    if (opts->probe)
        return i < argc ? options_usage_error(err, "--probe takes no unikernel (got '%s')", argv[i])
                        : OPTIONS_RUN;
    if (i >= argc)
        return options_usage_error(err, "%s",
                                   "no unikernel given: ukvm [OPTIONS] KERNEL.ukvm [ARGS...]");
    opts->kernel_path = argv[i];
    return join_cmdline(opts, argc, argv, i + 1, err);
}
