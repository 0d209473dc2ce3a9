# reverse_bench.py: gdb's side of the reverse-debugging benchmark
# (tests/bench/reverse_bench.sh), against `ukvm --gdb --record build/bench_reverse.ukvm N`.
#
#   gdb -nx -batch -x tests/bench/reverse_bench.py   (environment below)
#
# Breaks on mark_before (a few instructions past the guest's last hypercall) and
# mark_after (N instructions further, with no hypercall between), and times, each as the
# median of up to BENCH_RUNS tries (one try only when the first took longer than
# BENCH_BUDGET_S seconds: a long figure needs no median to be read):
#   rsi_before_first  reverse-stepi at mark_before right after a continue stopped there
#                     (ukvm does not know yet how far past the hypercall the guest is)
#   rsi_before_again  a second reverse-stepi right after that one (it knows)
#   rsi_after_first, rsi_after_again   the same at mark_after
#   cont              continue from mark_before to mark_after: the forward run of the span
#   rc                reverse-continue from mark_after back to mark_before
#   stepi             a forward stepi: what one command's round trip through gdb and the
#                     stub costs here, included in every figure above
# Prints "bench: NAME_ms=X runs=K" lines, "bench: before_insns=X" and "after_insns=X"
# (the guest's position past its last hypercall at each mark, as `monitor record` says),
# or "bench: error=..." (with spaces as _) when something is not where it should be.
# Environment: BENCH_GDB_PORT, BENCH_FILE, BENCH_RUNS (default 3), BENCH_BUDGET_S (5).
import os
import re
import statistics
import time

import gdb

runs = int(os.environ.get("BENCH_RUNS", "3"))
budget_s = float(os.environ.get("BENCH_BUDGET_S", "5"))


class BenchError(Exception):
    pass


def pc():
    return int(gdb.parse_and_eval("$pc")) & 0xFFFFFFFFFFFFFFFF


def run(cmd, want_pc=None, avoid_pc=None):
    """Runs one gdb command; returns its wall time in ms, checking where it stopped."""
    t0 = time.monotonic()
    out = gdb.execute(cmd, to_string=True)
    ms = (time.monotonic() - t0) * 1000
    if "No more reverse-execution history" in out:
        raise BenchError("%s went back to the record's start: %s" % (cmd, out.strip()))
    here = pc()
    if want_pc is not None and here != want_pc:
        raise BenchError("%s stopped at 0x%x, not 0x%x: %s" % (cmd, here, want_pc, out.strip()))
    if avoid_pc is not None and here == avoid_pc:
        raise BenchError("%s did not move from 0x%x: %s" % (cmd, here, out.strip()))
    return ms


def position_insns():
    """Instructions past the last hypercall, from `monitor record` (None: not known)."""
    out = gdb.execute("monitor record", to_string=True)
    m = re.search(r"position: hypercall \d+ \+ (\d+) instructions", out)
    return int(m.group(1)) if m else None


def report(name, samples):
    print("bench: %s_ms=%.1f runs=%d" % (name, statistics.median(samples), len(samples)))


def repeat(one):
    """Calls one() (which returns a dict of name -> ms) up to runs times, within budget."""
    got = {}
    for i in range(runs):
        for name, ms in one().items():
            got.setdefault(name, []).append(ms)
        if i == 0 and max(v[0] for v in got.values()) > budget_s * 1000:
            break
    return got


def reverse_steps_at(mark, label):
    """reverse-stepi twice at mark, reached by a continue each time; returns samples."""
    found = {}

    def one():
        first = run("reverse-stepi", avoid_pc=mark)
        found.setdefault("insns", position_insns())
        again = run("reverse-stepi", avoid_pc=mark)
        run("continue", want_pc=mark)  # two instructions: the guest is at mark again
        return {"rsi_%s_first" % label: first, "rsi_%s_again" % label: again}

    got = repeat(one)
    for name, samples in got.items():
        report(name, samples)
    if found.get("insns") is not None:
        # One back from mark: mark is one instruction further.
        print("bench: %s_insns=%d" % (label, found["insns"] + 1))


gdb.execute("set pagination off")
gdb.execute("set confirm off")
try:
    gdb.execute("file " + os.environ["BENCH_FILE"])
    gdb.execute("target remote 127.0.0.1:" + os.environ["BENCH_GDB_PORT"])
    before = int(gdb.parse_and_eval("(unsigned long)&mark_before"))
    after = int(gdb.parse_and_eval("(unsigned long)&mark_after"))
    gdb.execute("break *0x%x" % before)
    gdb.execute("break *0x%x" % after)
    run("continue", want_pc=before)

    reverse_steps_at(before, "before")
    # Forward over the span and back again, in turns: both go over the same instructions.
    got = repeat(lambda: {"cont": run("continue", want_pc=after),
                          "rc": run("reverse-continue", want_pc=before)})
    report("cont", got["cont"])
    report("rc", got["rc"])
    run("continue", want_pc=after)
    reverse_steps_at(after, "after")

    # A forward stepi's round trip: gdb's and the stub's own share of every figure.
    steps = []
    for _ in range(max(runs, 5)):
        steps.append(run("stepi", avoid_pc=None))
    report("stepi", steps)
    gdb.execute("kill")
except (gdb.error, BenchError, KeyError, ValueError) as e:
    print("bench: error=%s" % str(e).replace("\n", " ").replace(" ", "_"))
