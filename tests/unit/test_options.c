/*
 * test_options.c: ukvm's command line (ukvm/process/options.h).
 *
 * Every call captures the out and err streams in memory, so each test asserts both the
 * result and the exact words the user sees: a refused command line prints one "ukvm: "
 * line naming the bad argument plus the --help hint on err, and nothing on out.
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ukvm/process/options.h"
#include "unit.h"

static struct options opts; /* large (the command line buffer): keep it off the stack */
static char *out_text, *err_text;

static enum options_result parse_argv(char *argv[])
{
    int argc = 0;
    while (argv[argc])
        argc++;
    free(out_text);
    free(err_text);
    size_t out_len, err_len;
    FILE *out = open_memstream(&out_text, &out_len);
    FILE *err = open_memstream(&err_text, &err_len);
    if (!out || !err) {
        printf("FAIL setup: open_memstream\n");
        exit(1);
    }
    enum options_result r = options_parse(argc, argv, &opts, out, err);
    fclose(out);
    fclose(err);
    return r;
}

/* PARSE("--mem=8", "k.ukvm") parses "ukvm --mem=8 k.ukvm". */
#define PARSE(...) parse_argv((char *[]){"ukvm", __VA_ARGS__, NULL})

/* A refused command line: the usage result, one message on err, nothing on out. */
#define CHECK_USAGE(result, message)                                                 \
    do {                                                                             \
        CHECK_EQ_U64((result), OPTIONS_USAGE);                                       \
        CHECK_STR_CONTAINS(err_text, (message));                                     \
        CHECK(strncmp(err_text, "ukvm: ", 6) == 0);                                  \
        CHECK_STR_CONTAINS(err_text, "\nTry 'ukvm --help' for more information.\n"); \
        CHECK_EQ_U64(strlen(out_text), 0);                                           \
    } while (0)

#define CHECK_STR_EQ(actual, expected)                                                        \
    do {                                                                                      \
        const char *unit_s_ = (actual);                                                       \
        if (!unit_s_ || strcmp(unit_s_, (expected)) != 0)                                     \
            UNIT_FAIL("%s == \"%s\", expected \"%s\"", #actual, unit_s_ ? unit_s_ : "(null)", \
                      (expected));                                                            \
    } while (0)

#define CHECK_STARTS(text, prefix) CHECK(strncmp((text), (prefix), strlen(prefix)) == 0)

UNIT_TEST(defaults)
{
    CHECK_EQ_U64(PARSE("k.ukvm"), OPTIONS_RUN);
    CHECK_EQ_U64(opts.mem_mib, 64);
    CHECK(!opts.trace);
    CHECK(!opts.stats);
    CHECK_EQ_U64(opts.nblocks, 0);
    CHECK_STR_EQ(opts.kernel_path, "k.ukvm");
    CHECK_STR_EQ(opts.cmdline, "");
    CHECK_EQ_U64(strlen(out_text), 0);
    CHECK_EQ_U64(strlen(err_text), 0);
}

UNIT_TEST(defaults_reset_previous_parse)
{
    CHECK_EQ_U64(PARSE("--mem=8", "--trace", "--stats", "--disk=d", "a.ukvm", "x"), OPTIONS_RUN);
    CHECK_EQ_U64(PARSE("b.ukvm"), OPTIONS_RUN);
    CHECK_EQ_U64(opts.mem_mib, 64);
    CHECK(!opts.trace && !opts.stats);
    CHECK_EQ_U64(opts.nblocks, 0);
    CHECK_STR_EQ(opts.cmdline, "");
}

UNIT_TEST(mem_bounds_accepted)
{
    CHECK_EQ_U64(PARSE("--mem=2", "k.ukvm"), OPTIONS_RUN);
    CHECK_EQ_U64(opts.mem_mib, 2);
    CHECK_EQ_U64(PARSE("--mem=4096", "k.ukvm"), OPTIONS_RUN);
    CHECK_EQ_U64(opts.mem_mib, 4096);
    CHECK_EQ_U64(PARSE("--mem=65", "k.ukvm"), OPTIONS_RUN);
    CHECK_EQ_U64(opts.mem_mib, 65);
    CHECK_EQ_U64(PARSE("--mem=8", "--mem=128", "k.ukvm"), OPTIONS_RUN);
    CHECK_EQ_U64(opts.mem_mib, 128); /* the last one wins */
    CHECK_EQ_U64(strlen(err_text), 0);
}

UNIT_TEST(mem_refused)
{
    static const char *const bad[] = {
        "--mem=1",
        "--mem=4097",
        "--mem=0",
        "--mem=-1",
        "--mem=",
        "--mem=64M",
        "--mem=0x40",
        "--mem=+64",
        "--mem= 64",
        "--mem=64 ",
        "--mem=4294967298",
        "--mem=18446744073709551616",
        "--mem=99999999999999999999999",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char expect[128];
        snprintf(expect, sizeof(expect), "ukvm: bad memory size in '%s': give MiB from 2 to 4096\n",
                 bad[i]);
        enum options_result r = PARSE((char *)bad[i], "k.ukvm");
        if (r != OPTIONS_USAGE)
            UNIT_FAIL("%s accepted (result %d, mem_mib %" PRIu64 ")", bad[i], (int)r, opts.mem_mib);
        CHECK_USAGE(r, expect);
    }
}

UNIT_TEST(mem_and_disk_need_a_value)
{
    CHECK_USAGE(PARSE("--mem", "64", "k.ukvm"),
                "ukvm: '--mem' takes a value: write it as OPTION=VALUE\n");
    CHECK_USAGE(PARSE("--disk", "f.img", "k.ukvm"),
                "ukvm: '--disk' takes a value: write it as OPTION=VALUE\n");
}

UNIT_TEST(disk_is_storage)
{
    CHECK_EQ_U64(PARSE("--disk=/tmp/d.img", "k.ukvm"), OPTIONS_RUN);
    CHECK_EQ_U64(opts.nblocks, 1);
    CHECK_STR_EQ(opts.blocks[0].name, "storage");
    CHECK_STR_EQ(opts.blocks[0].path, "/tmp/d.img");
}

UNIT_TEST(block_names)
{
    CHECK_EQ_U64(PARSE("--block:data_1=a.img", "--block:X=b=c.img", "--disk=s.img",
                       "--block:9=n.img", "k.ukvm"),
                 OPTIONS_RUN);
    CHECK_EQ_U64(opts.nblocks, 4);
    CHECK_STR_EQ(opts.blocks[0].name, "data_1");
    CHECK_STR_EQ(opts.blocks[0].path, "a.img");
    CHECK_STR_EQ(opts.blocks[1].name, "X");
    CHECK_STR_EQ(opts.blocks[1].path, "b=c.img"); /* split at the first '=' */
    CHECK_STR_EQ(opts.blocks[2].name, "storage");
    CHECK_STR_EQ(opts.blocks[2].path, "s.img");
    CHECK_STR_EQ(opts.blocks[3].name, "9");
    CHECK_STR_EQ(opts.blocks[3].path, "n.img");
}

UNIT_TEST(block_duplicates_refused)
{
    CHECK_USAGE(PARSE("--disk=a", "--block:storage=b", "k.ukvm"),
                "ukvm: device named twice: '--block:storage=b'\n");
    CHECK_USAGE(PARSE("--block:x=a", "--block:x=b", "k.ukvm"),
                "ukvm: device named twice: '--block:x=b'\n");
    CHECK_USAGE(PARSE("--disk=a", "--disk=a", "k.ukvm"), "ukvm: device named twice: '--disk=a'\n");
    /* Names that share a prefix are different names. */
    CHECK_EQ_U64(PARSE("--block:ab=a", "--block:abc=b", "--block:a=c", "k.ukvm"), OPTIONS_RUN);
    CHECK_EQ_U64(opts.nblocks, 3);
}

UNIT_TEST(block_bad_names_refused)
{
    static const char *const bad[] = {"--block:my-disk=f", "--block:=f",    "--block:a.b=f",
                                      "--block:a b=f",     "--block:a/b=f", "--block:é=f"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char expect[128];
        snprintf(expect, sizeof(expect),
                 "ukvm: bad device name in '%s': use 1 to 67 letters, digits or '_'\n", bad[i]);
        CHECK_USAGE(PARSE((char *)bad[i], "k.ukvm"), expect);
    }
}

UNIT_TEST(block_name_length)
{
    char arg[128];
    /* 67 characters, the longest name a Solo5 manifest holds. */
    snprintf(arg, sizeof(arg), "--block:%.67s=f.img",
             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_vwxyz");
    CHECK_EQ_U64(PARSE(arg, "k.ukvm"), OPTIONS_RUN);
    CHECK_EQ_U64(strlen(opts.blocks[0].name), 67);
    CHECK_STR_EQ(opts.blocks[0].name,
                 "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_vwxy");
    CHECK_STR_EQ(opts.blocks[0].path, "f.img");
    /* 68 characters: one too many. */
    snprintf(arg, sizeof(arg), "--block:%.68s=f.img",
             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_vwxyz");
    CHECK_USAGE(PARSE(arg, "k.ukvm"), "bad device name in '--block:");
    CHECK_STR_CONTAINS(err_text, "use 1 to 67 letters");
}

UNIT_TEST(block_needs_file)
{
    CHECK_USAGE(PARSE("--disk=", "k.ukvm"), "ukvm: '--disk=' needs a file name\n");
    CHECK_USAGE(PARSE("--block:x=", "k.ukvm"), "ukvm: '--block:x=' needs a file name\n");
    CHECK_USAGE(PARSE("--block:x", "k.ukvm"),
                "ukvm: '--block:x' must look like --block:NAME=FILE\n");
    CHECK_USAGE(PARSE("--block:", "k.ukvm"), "ukvm: '--block:' must look like --block:NAME=FILE\n");
}

UNIT_TEST(block_at_most_63)
{
    /* Solo5's manifest holds 63 devices, and its test suite attaches all 63. */
    static char args[64][32];
    char *argv[67];
    int argc = 0;
    argv[argc++] = "ukvm";
    for (int i = 0; i < 63; i++) {
        snprintf(args[i], sizeof(args[i]), "--block:d%d=f%d.img", i, i);
        argv[argc++] = args[i];
    }
    argv[argc++] = "k.ukvm";
    argv[argc] = NULL;
    CHECK_EQ_U64(parse_argv(argv), OPTIONS_RUN);
    CHECK_EQ_U64(opts.nblocks, 63);
    CHECK_STR_EQ(opts.blocks[62].name, "d62");
    CHECK_STR_EQ(opts.blocks[62].path, "f62.img");
    CHECK_EQ_U64(opts.blocks[62].block_size, 512);

    snprintf(args[63], sizeof(args[63]), "--block:d63=f63.img");
    argv[64] = args[63];
    argv[65] = "k.ukvm";
    argv[66] = NULL;
    CHECK_USAGE(parse_argv(argv),
                "ukvm: too many devices at '--block:d63=f63.img' (at most 63 in all)\n");
}

UNIT_TEST(block_sector_size)
{
    /* Before or after its --block, as solo5-hvt takes it. */
    CHECK_EQ_U64(PARSE("--block-sector-size:a=4096", "--block:a=x.img", "--block:b=y.img",
                       "--block-sector-size:b=32768", "k.ukvm"),
                 OPTIONS_RUN);
    CHECK_EQ_U64(opts.blocks[0].block_size, 4096);
    CHECK_EQ_U64(opts.blocks[1].block_size, 32768);
    CHECK_EQ_U64(PARSE("--disk=x.img", "--block-sector-size:storage=512", "k.ukvm"), OPTIONS_RUN);
    CHECK_EQ_U64(opts.blocks[0].block_size, 512);
    static char *const bad[] = {
        "--block-sector-size:a=521",  "--block-sector-size:a=256",
        "--block-sector-size:a=0",    "--block-sector-size:a=65536",
        "--block-sector-size:a=1536", "--block-sector-size:a=",
        "--block-sector-size:a=4k",   "--block-sector-size:a=-512",
        "--block-sector-size:a= 512", "--block-sector-size:a=18446744073709551616",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char want[160];
        snprintf(want, sizeof(want),
                 "ukvm: bad block size in '%s': the block size must be a power of two of at "
                 "least 512 (and at most 32768)\n",
                 bad[i]);
        CHECK_USAGE(PARSE("--block:a=x.img", bad[i], "k.ukvm"), want);
    }
    CHECK_USAGE(PARSE("--block-sector-size:a", "k.ukvm"),
                "ukvm: '--block-sector-size:a' must look like --block-sector-size:NAME=BYTES\n");
    CHECK_USAGE(PARSE("--block-sector-size:a-b=512", "k.ukvm"), "bad device name");
    CHECK_USAGE(PARSE("--block:a=x.img", "--block-sector-size:b=4096", "k.ukvm"),
                "ukvm: '--block-sector-size:b=4096' names no block device: give "
                "--block:NAME=FILE too\n");
    CHECK_USAGE(PARSE("--block:a=x.img", "--block-sector-size:a=4096", "--block-sector-size:a=1024",
                      "k.ukvm"),
                "block size given twice");
}

UNIT_TEST(net_options)
{
    /* solo5-hvt's spellings, and --pcap, in any order. */
    CHECK_EQ_U64(PARSE("--pcap:service0=s0.pcap", "--net:service0=tap100", "--net:wan=@7",
                       "--net-mac:service0=02:AB:cd:00:00:01", "k.ukvm"),
                 OPTIONS_RUN);
    CHECK_EQ_U64(opts.nnets, 2);
    CHECK_STR_EQ(opts.nets[0].name, "service0");
    CHECK_STR_EQ(opts.nets[0].iface, "tap100");
    CHECK_EQ_U64((uint64_t)(int64_t)opts.nets[0].fd, (uint64_t)(int64_t)-1);
    CHECK(opts.nets[0].mac_given);
    CHECK(opts.nets[0].mac[0] == 0x02 && opts.nets[0].mac[1] == 0xab &&
          opts.nets[0].mac[2] == 0xcd && opts.nets[0].mac[5] == 0x01);
    CHECK_STR_EQ(opts.nets[0].pcap_path, "s0.pcap");
    CHECK_STR_EQ(opts.nets[1].name, "wan");
    CHECK(opts.nets[1].iface == NULL && opts.nets[1].fd == 7);
    CHECK(!opts.nets[1].mac_given && opts.nets[1].pcap_path == NULL);
}

UNIT_TEST(net_options_refused)
{
    CHECK_USAGE(PARSE("--net:service0", "k.ukvm"),
                "ukvm: '--net:service0' must look like --net:NAME=IFACE or --net:NAME=@FD\n");
    CHECK_USAGE(PARSE("--net:=tap0", "k.ukvm"), "bad device name");
    CHECK_USAGE(PARSE("--net:a-b=tap0", "k.ukvm"), "bad device name");
    CHECK_USAGE(PARSE("--net:a=", "k.ukvm"), "'--net:a=' needs a tap interface name");
    CHECK_USAGE(PARSE("--net:a=abcdefghijklmnop", "k.ukvm"), "at most 15 characters");
    static char *const bad_fd[] = {"--net:a=@", "--net:a=@-1", "--net:a=@x", "--net:a=@3x",
                                   "--net:a=@99999999999"};
    for (size_t i = 0; i < sizeof(bad_fd) / sizeof(bad_fd[0]); i++)
        CHECK_USAGE(PARSE(bad_fd[i], "k.ukvm"), "bad descriptor");
    CHECK_USAGE(PARSE("--net:a=tap0", "--net:a=tap1", "k.ukvm"),
                "device named twice: '--net:a=tap1'");
    CHECK_USAGE(PARSE("--disk=d.img", "--net:storage=tap1", "k.ukvm"), "device named twice");
    CHECK_USAGE(PARSE("--net:storage=tap1", "--disk=d.img", "k.ukvm"), "device named twice");
    static char *const bad_mac[] = {
        "--net-mac:a=02:00:00:00:00",    "--net-mac:a=02:00:00:00:00:01:02",
        "--net-mac:a=02-00-00-00-00-01", "--net-mac:a=0g:00:00:00:00:01",
        "--net-mac:a=2:0:0:0:0:1",       "--net-mac:a="};
    for (size_t i = 0; i < sizeof(bad_mac) / sizeof(bad_mac[0]); i++)
        CHECK_USAGE(PARSE("--net:a=tap0", bad_mac[i], "k.ukvm"), "bad MAC address");
    CHECK_USAGE(PARSE("--net:a=tap0", "--net-mac:a=01:00:5e:00:00:01", "k.ukvm"),
                "that is a multicast address");
    CHECK_USAGE(PARSE("--net-mac:a=02:00:00:00:00:01", "k.ukvm"),
                "ukvm: '--net-mac:a=02:00:00:00:00:01' names no network device: give "
                "--net:NAME=IFACE too\n");
    CHECK_USAGE(PARSE("--pcap:a=x.pcap", "--disk=a.img", "k.ukvm"), "names no network device");
    CHECK_USAGE(PARSE("--net:a=t", "--net-mac:a=02:00:00:00:00:01", "--net-mac:a=02:00:00:00:00:02",
                      "k.ukvm"),
                "MAC address given twice");
    CHECK_USAGE(PARSE("--net:a=t", "--pcap:a=1", "--pcap:a=2", "k.ukvm"),
                "capture file given twice");
    CHECK_USAGE(PARSE("--net:a=t", "--pcap:a=", "k.ukvm"), "'--pcap:a=' needs a file name");
    CHECK_USAGE(PARSE("--pcap:a", "k.ukvm"), "must look like --pcap:NAME=FILE");
}

UNIT_TEST(device_limit)
{
    /* 63 devices in all, as a Solo5 manifest holds, whatever their kinds. */
    static char args[64][40];
    char *argv[67];
    int argc = 0;
    argv[argc++] = "ukvm";
    for (int i = 0; i < 64; i++) {
        if (i % 2)
            snprintf(args[i], sizeof(args[i]), "--net:n%d=tap%d", i, i);
        else
            snprintf(args[i], sizeof(args[i]), "--block:b%d=f%d.img", i, i);
        argv[argc++] = args[i];
    }
    argv[argc++] = "k.ukvm";
    argv[argc] = NULL;
    CHECK_USAGE(parse_argv(argv), "too many devices at '--net:n63=tap63' (at most 63 in all)");
    argv[64] = "k.ukvm";
    argv[65] = NULL;
    CHECK_EQ_U64(parse_argv(argv), OPTIONS_RUN);
    CHECK_EQ_U64(opts.nblocks + opts.nnets, 63);
}

UNIT_TEST(dumpcore)
{
    char dir[] = "/tmp/ukvm-test-dumpcore-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char arg[64];
    snprintf(arg, sizeof(arg), "--dumpcore=%s", dir);
    CHECK_EQ_U64(PARSE(arg, "k.ukvm"), OPTIONS_RUN);
    CHECK(opts.core && opts.core_path == NULL);
    CHECK_STR_EQ(opts.core_dir, dir);
    CHECK_EQ_U64(PARSE("--dumpcore", "k.ukvm"), OPTIONS_RUN);
    CHECK(opts.core);
    CHECK_STR_EQ(opts.core_dir, ".");
    CHECK_USAGE(PARSE("--dumpcore=", "k.ukvm"), "'--dumpcore=' needs a folder");
    CHECK_USAGE(PARSE("--dumpcore=/nonexistent/ukvm", "k.ukvm"),
                "ukvm: '--dumpcore=/nonexistent/ukvm': not an existing folder\n");
    CHECK_USAGE(PARSE("--dumpcore=/etc/hostname", "k.ukvm"), "not an existing folder");
    CHECK_USAGE(PARSE(arg, "--core=x.core", "k.ukvm"), "give one");
    /* Not writable: only meaningful when not root (root may write anywhere). */
    if (geteuid() != 0) {
        CHECK(chmod(dir, 0500) == 0);
        CHECK_USAGE(PARSE(arg, "k.ukvm"), "the folder is not writable");
    }
    rmdir(dir);
    CHECK_EQ_U64(PARSE("--help"), OPTIONS_DONE);
    CHECK_STR_CONTAINS(out_text, "--dumpcore[=DIR]");
}

UNIT_TEST(gdb_port_solo5_spelling)
{
    /* solo5-hvt-debug: --gdb turns the stub on, --gdb-port=N picks the port, any order. */
    CHECK_EQ_U64(PARSE("--gdb-port=4321", "--gdb", "k.ukvm"), OPTIONS_RUN);
    CHECK(opts.gdb);
    CHECK_EQ_U64(opts.gdb_port, 4321);
    CHECK_STR_EQ(opts.gdb_host, "127.0.0.1");
    CHECK_EQ_U64(PARSE("--gdb-port=0", "k.ukvm"), OPTIONS_RUN);
    CHECK(!opts.gdb); /* the port alone does not start a debugger, as in solo5-hvt-debug */
    CHECK_EQ_U64(opts.gdb_port, 0);
    CHECK_USAGE(PARSE("--gdb-port=65536", "k.ukvm"), "bad port in '--gdb-port=65536'");
    CHECK_USAGE(PARSE("--gdb-port=", "k.ukvm"), "bad port in '--gdb-port='");
    CHECK_USAGE(PARSE("--gdb-port=host:12", "k.ukvm"), "bad port in '--gdb-port=host:12'");
    CHECK_EQ_U64(PARSE("--help"), OPTIONS_DONE);
    CHECK_STR_CONTAINS(out_text, "--gdb-port=PORT");
}

UNIT_TEST(trace_and_stats)
{
    CHECK_EQ_U64(PARSE("--trace", "k.ukvm"), OPTIONS_RUN);
    CHECK(opts.trace && !opts.stats);
    CHECK_EQ_U64(PARSE("--stats", "k.ukvm"), OPTIONS_RUN);
    CHECK(!opts.trace && opts.stats);
    CHECK_EQ_U64(PARSE("--stats", "--trace", "--mem=3", "k.ukvm"), OPTIONS_RUN);
    CHECK(opts.trace && opts.stats);
    CHECK_EQ_U64(opts.mem_mib, 3);
}

UNIT_TEST(core_file)
{
    CHECK_EQ_U64(PARSE("k.ukvm"), OPTIONS_RUN);
    CHECK(!opts.core && opts.core_path == NULL);
    CHECK_EQ_U64(PARSE("--core", "k.ukvm"), OPTIONS_RUN);
    CHECK(opts.core && opts.core_path == NULL);
    CHECK_EQ_U64(PARSE("--core=/tmp/x.core", "k.ukvm", "--core=guest"), OPTIONS_RUN);
    CHECK(opts.core);
    CHECK_STR_EQ(opts.core_path, "/tmp/x.core");
    CHECK_STR_EQ(opts.cmdline, "--core=guest");
    CHECK_EQ_U64(PARSE("--core=a", "--core", "k.ukvm"), OPTIONS_RUN); /* the last one counts */
    CHECK(opts.core && opts.core_path == NULL);
    CHECK_USAGE(PARSE("--core=", "k.ukvm"), "'--core=' needs a file name (or give --core alone)");
    CHECK_EQ_U64(PARSE("--help"), OPTIONS_DONE);
    CHECK_STR_CONTAINS(out_text, "--core[=PATH]");
}

UNIT_TEST(help)
{
    CHECK_EQ_U64(PARSE("--help"), OPTIONS_DONE);
    CHECK_STARTS(out_text, "usage: ukvm [OPTIONS] KERNEL [ARGS...]\n");
    CHECK_STR_CONTAINS(
        out_text, "--mem=MiB           guest memory in MiB (default 64 for ukvm unikernels, 512");
    CHECK_STR_CONTAINS(out_text,
                       "--block:NAME=FILE   block device NAME backed by FILE (up to 63 devices)");
    CHECK_STR_CONTAINS(out_text, "--block-sector-size:NAME=N");
    CHECK_STR_CONTAINS(out_text, "--net:NAME=IFACE");
    CHECK_STR_CONTAINS(out_text, "--trace");
    CHECK_STR_CONTAINS(out_text, "128+N when signal N");
    CHECK_EQ_U64(strlen(err_text), 0);
    /* Wins over a bad option after it, and needs no kernel. */
    CHECK_EQ_U64(PARSE("--trace", "-h", "--bogus"), OPTIONS_DONE);
    CHECK_STARTS(out_text, "usage: ukvm");
    CHECK_EQ_U64(strlen(err_text), 0);
    /* options_usage prints the same text. */
    char *direct = NULL;
    size_t direct_len;
    FILE *f = open_memstream(&direct, &direct_len);
    CHECK(f);
    options_usage(f);
    fclose(f);
    CHECK(strcmp(direct, out_text) == 0);
    free(direct);
}

UNIT_TEST(version)
{
    CHECK_EQ_U64(PARSE("--version"), OPTIONS_DONE);
    CHECK(strcmp(out_text, "ukvm " UKVM_VERSION " (ukvm ABI 2)\n") == 0);
    CHECK_EQ_U64(strlen(err_text), 0);
}

UNIT_TEST(unknown_options)
{
    CHECK_USAGE(PARSE("--frobnicate", "k.ukvm"), "ukvm: unknown option '--frobnicate'\n");
    CHECK_USAGE(PARSE("-x", "k.ukvm"), "ukvm: unknown option '-x'\n");
    CHECK_USAGE(PARSE("--block", "k.ukvm"), "ukvm: unknown option '--block'\n");
    CHECK_USAGE(PARSE("--Help", "k.ukvm"), "ukvm: unknown option '--Help'\n");
    CHECK_USAGE(PARSE("--trace=1", "k.ukvm"), "ukvm: unknown option '--trace=1'\n");
    /* The first bad argument is the one named. */
    CHECK_USAGE(PARSE("--one", "--two", "k.ukvm"), "ukvm: unknown option '--one'\n");
    CHECK(!strstr(err_text, "--two"));
}

UNIT_TEST(double_dash)
{
    CHECK_EQ_U64(PARSE("--trace", "--", "--mem=5", "a"), OPTIONS_RUN);
    CHECK(opts.trace);
    CHECK_EQ_U64(opts.mem_mib, 64);
    CHECK_STR_EQ(opts.kernel_path, "--mem=5");
    CHECK_STR_EQ(opts.cmdline, "a");
    CHECK_EQ_U64(PARSE("--", "-k.ukvm", "--", "-x"), OPTIONS_RUN);
    CHECK_STR_EQ(opts.kernel_path, "-k.ukvm");
    CHECK_STR_EQ(opts.cmdline, "-- -x"); /* a second "--" belongs to the guest */
    CHECK_USAGE(PARSE("--mem=8", "--"),
                "ukvm: no unikernel given: ukvm [OPTIONS] KERNEL.ukvm [ARGS...]\n");
    /* A lone "-" is a path, not an option. */
    CHECK_EQ_U64(PARSE("-", "x"), OPTIONS_RUN);
    CHECK_STR_EQ(opts.kernel_path, "-");
    CHECK_STR_EQ(opts.cmdline, "x");
}

UNIT_TEST(guest_args_joined)
{
    CHECK_EQ_U64(PARSE("k.ukvm", "Hello", "from", "ukvm"), OPTIONS_RUN);
    CHECK_STR_EQ(opts.cmdline, "Hello from ukvm");
    CHECK_EQ_U64(PARSE("k.ukvm", "one arg", "  two "), OPTIONS_RUN);
    CHECK_STR_EQ(opts.cmdline, "one arg   two ");
    CHECK_EQ_U64(PARSE("k.ukvm", "", "x", ""), OPTIONS_RUN);
    CHECK_STR_EQ(opts.cmdline, " x ");
}

UNIT_TEST(guest_args_with_dashes_pass_through)
{
    CHECK_EQ_U64(
        PARSE("--mem=8", "k.ukvm", "--mem=16", "-x", "--help", "--version", "--", "--bogus"),
        OPTIONS_RUN);
    CHECK_EQ_U64(opts.mem_mib, 8);
    CHECK_STR_EQ(opts.kernel_path, "k.ukvm");
    CHECK_STR_EQ(opts.cmdline, "--mem=16 -x --help --version -- --bogus");
    CHECK_EQ_U64(strlen(out_text), 0);
    CHECK_EQ_U64(strlen(err_text), 0);
}

UNIT_TEST(cmdline_length_limit)
{
    static char big[9000], half1[5000], half2[5000];
    /* One argument of 8191 bytes: accepted whole. */
    memset(big, 'a', 8191);
    big[8191] = '\0';
    CHECK_EQ_U64(PARSE("k.ukvm", big), OPTIONS_RUN);
    CHECK_EQ_U64(strlen(opts.cmdline), 8191);
    CHECK(memcmp(opts.cmdline, big, 8191) == 0);
    /* 8192 bytes: refused. */
    memset(big, 'a', 8192);
    big[8192] = '\0';
    CHECK_USAGE(PARSE("k.ukvm", big),
                "ukvm: the guest command line is too long (at most 8191 bytes)\n");
    /* Two arguments: 4095 + ' ' + 4095 = 8191 accepted, 4096 + ' ' + 4095 refused. */
    memset(half1, 'b', 4095);
    half1[4095] = '\0';
    memset(half2, 'c', 4095);
    half2[4095] = '\0';
    CHECK_EQ_U64(PARSE("k.ukvm", half1, half2), OPTIONS_RUN);
    CHECK_EQ_U64(strlen(opts.cmdline), 8191);
    CHECK_EQ_U64((unsigned char)opts.cmdline[4095], ' ');
    CHECK_EQ_U64((unsigned char)opts.cmdline[8190], 'c');
    half1[4095] = 'b';
    half1[4096] = '\0';
    CHECK_USAGE(PARSE("k.ukvm", half1, half2), "the guest command line is too long");
    /* The separating space counts: 8190 + ' ' + "" is 8191, + ' ' + "x" is 8192. */
    memset(big, 'd', 8190);
    big[8190] = '\0';
    CHECK_EQ_U64(PARSE("k.ukvm", big, ""), OPTIONS_RUN);
    CHECK_EQ_U64(strlen(opts.cmdline), 8191);
    CHECK_USAGE(PARSE("k.ukvm", big, "x"), "the guest command line is too long");
}

UNIT_TEST(missing_kernel)
{
    CHECK_USAGE(parse_argv((char *[]){"ukvm", NULL}),
                "ukvm: no unikernel given: ukvm [OPTIONS] KERNEL.ukvm [ARGS...]\n");
    CHECK_USAGE(PARSE("--mem=8", "--trace"), "ukvm: no unikernel given");
}

int main(void)
{
    UNIT_RUN(defaults);
    UNIT_RUN(defaults_reset_previous_parse);
    UNIT_RUN(mem_bounds_accepted);
    UNIT_RUN(mem_refused);
    UNIT_RUN(mem_and_disk_need_a_value);
    UNIT_RUN(disk_is_storage);
    UNIT_RUN(block_names);
    UNIT_RUN(block_duplicates_refused);
    UNIT_RUN(block_bad_names_refused);
    UNIT_RUN(block_name_length);
    UNIT_RUN(block_needs_file);
    UNIT_RUN(block_at_most_63);
    UNIT_RUN(block_sector_size);
    UNIT_RUN(net_options);
    UNIT_RUN(net_options_refused);
    UNIT_RUN(device_limit);
    UNIT_RUN(dumpcore);
    UNIT_RUN(gdb_port_solo5_spelling);
    UNIT_RUN(trace_and_stats);
    UNIT_RUN(core_file);
    UNIT_RUN(help);
    UNIT_RUN(version);
    UNIT_RUN(unknown_options);
    UNIT_RUN(double_dash);
    UNIT_RUN(guest_args_joined);
    UNIT_RUN(guest_args_with_dashes_pass_through);
    UNIT_RUN(cmdline_length_limit);
    UNIT_RUN(missing_kernel);
    free(out_text);
    free(err_text);
    return UNIT_EXIT_STATUS();
}
