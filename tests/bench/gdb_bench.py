"""gdb side of the gdb-stub benchmark (tests/bench/run.sh, section "gdb").

Run inside gdb against a stub that holds a guest stopped before its first instruction:

    BENCH_GDB_PORT=1234 BENCH_FILE=build/bench_loop.ukvm gdb -nx -batch -x gdb_bench.py

The guest must spin forever calling a function (BENCH_FUNC, loop_body by default):
tests/bench/bench_loop (ukvm) and tests/bench/qemu_guest (QEMU) do, and so does
tests/bench/bench_hvt_loop, the hvt-ABI guest that tests/bench/hvt_bench.sh runs under
ukvm and under Solo5's solo5-hvt-debug. The script reaches
the loop with a temporary hardware breakpoint, then measures, each with
time.perf_counter around gdb's own commands, so the figures are what a user of gdb gets:

  stepi         stepi_per_s: one `stepi BENCH_STEPS` command. gdb runs every step as a
                full stop (resume with vCont;s, stop reply, the frame read that it needs
                to decide whether to stop) and prints only the last: the stub's round
                trip plus gdb's minimum work per step.
                stepi_cmd_per_s: BENCH_STEPS separate `stepi` commands from Python, as a
                script or a user holding the key down does: gdb also prints each stop and
                refreshes its thread list (two more packets) per command, so this is
                mostly gdb's own per-command cost.
  memory        mem_mib_per_s: `dump binary memory /dev/null ADDR ADDR+SIZE` of the
                guest's untouched memory (zeros), the median of BENCH_MEM_RUNS reads;
                mem_write_mib_per_s: `restore` of SIZE random bytes there (gdb's X or M
                packets), checked by reading both ends back;
                mem_rand_mib_per_s: the dump again, now of the random bytes. Zeros are
                what a fresh heap holds, and a stub may send them run-length encoded;
                random bytes cannot be compressed, so they measure the bytes' own cost.
  continue      cont_<kind>_per_s: with one breakpoint on the function, BENCH_CONTS
                `continue`s, each running one loop iteration, for each kind in
                BENCH_BREAK_KINDS (hbreak = hardware breakpoint, break = software)

Results are lines "bench: NAME=VALUE ...", one a metric, which run.sh parses; a metric
that cannot run prints "bench: NAME=n/a why=..." and the script goes on with the next
one when the target is still usable. Stop reasons are checked through gdb's stop
events, so a stub that stops in the wrong place, or not at all, is reported rather than
timed. Printed stop text goes to gdb's stdout, which run.sh discards with the rest.

Environment:
  BENCH_GDB_PORT      the stub's TCP port on 127.0.0.1 (required)
  BENCH_FILE          the guest's ELF, for symbols (required)
  BENCH_ARCH          `set architecture` value before loading it (QEMU's 32-bit guest
                      needs i386:x86-64, the architecture QEMU's stub reports)
  BENCH_FUNC=loop_body
  BENCH_STEPS=2000    BENCH_CONTS=500    BENCH_MEM_RUNS=3
  BENCH_MEM_ADDR=0x200000 (a gdb expression: RAM that the guest does not use, since it
                      is overwritten)    BENCH_MEM_SIZE=16777216 (bytes)
  BENCH_BREAK_KINDS="hbreak break"
  BENCH_METRICS="stepi mem cont" (a subset runs only those)
  BENCH_REACH=1       0: the stub already stops inside BENCH_FUNC (host_gdb_instant, which
                      has no target to run); no breakpoint is set to get there
  BENCH_VERIFY=1      0: do not check that written memory reads back (host_gdb_instant
                      has no memory)
  BENCH_LABEL         printed on the first line, for the reader of a log
"""
import os
import statistics
import sys
import tempfile
import time

import gdb

PORT = int(os.environ["BENCH_GDB_PORT"])
FILE = os.environ["BENCH_FILE"]
ARCH = os.environ.get("BENCH_ARCH", "")
FUNC = os.environ.get("BENCH_FUNC", "loop_body")
STEPS = int(os.environ.get("BENCH_STEPS", "2000"))
CONTS = int(os.environ.get("BENCH_CONTS", "500"))
MEM_RUNS = int(os.environ.get("BENCH_MEM_RUNS", "3"))
MEM_ADDR = os.environ.get("BENCH_MEM_ADDR", "0x200000")
MEM_SIZE = int(os.environ.get("BENCH_MEM_SIZE", str(16 << 20)), 0)
KINDS = os.environ.get("BENCH_BREAK_KINDS", "hbreak break").split()
LABEL = os.environ.get("BENCH_LABEL", "")
METRICS = os.environ.get("BENCH_METRICS", "stepi mem cont").split()
REACH = os.environ.get("BENCH_REACH", "1") != "0"
VERIFY = os.environ.get("BENCH_VERIFY", "1") != "0"

stops = []
gdb.events.stop.connect(stops.append)


def result(name, value, **extra):
    """One machine-readable line: bench: name=value k=v ... (flushed at once)."""
    words = ["%s=%s" % (name, value)] + ["%s=%s" % kv for kv in extra.items()]
    sys.stdout.write("bench: %s\n" % " ".join(words))
    sys.stdout.flush()


def fatal(why):
    result("error", "1", why=word(why))
    raise SystemExit(1)


def pc():
    return int(gdb.parse_and_eval("$pc")) & 0xFFFFFFFFFFFFFFFF


def stop_reason(ev):
    """'breakpoint N', 'signal NAME' or the event's class name, for messages."""
    if isinstance(ev, gdb.BreakpointEvent):
        return "breakpoint %d" % ev.breakpoints[0].number
    if isinstance(ev, gdb.SignalEvent):
        return "signal %s" % ev.stop_signal
    return type(ev).__name__


def resume(command):
    """Runs a resuming gdb command; returns the last stop event it caused, or None."""
    del stops[:]
    gdb.execute(command, to_string=True)
    return stops[-1] if stops else None


def setup():
    gdb.execute("set pagination off")
    gdb.execute("set confirm off")
    if ARCH:
        gdb.execute("set architecture %s" % ARCH, to_string=True)
    gdb.execute("file %s" % FILE, to_string=True)
    gdb.execute("target remote 127.0.0.1:%d" % PORT, to_string=True)
    if LABEL:
        result("target", LABEL.replace(" ", "_"), entry_pc=hex(pc()))
    func = int(gdb.parse_and_eval("(unsigned long)&%s" % FUNC))
    if not REACH:
        return func
    # To the loop: a hardware breakpoint, because QEMU's firmware copies the multiboot
    # image into place after the first instruction (an int3 written earlier would be
    # overwritten) and because it is the one kind every stub here supports.
    t0 = time.perf_counter()
    gdb.execute("thbreak %s" % FUNC, to_string=True)
    ev = resume("continue")
    if ev is None or pc() != func:
        fatal("never reached %s: %s at %#x" % (FUNC, stop_reason(ev) if ev else "no stop",
                                                pc()))
    result("reach_loop_s", "%.3f" % (time.perf_counter() - t0))
    return func


def bench_stepi():
    # Warm-up: gdb's first steps fill its caches (frames, symbols, registers). And every
    # step must move: a stub that ignored `s` would leave the pc alone, and be fast.
    pcs = set()
    for _ in range(20):
        pcs.add(pc())
        gdb.execute("stepi", to_string=True)
    if len(pcs) < 2:
        for name in ("stepi_per_s", "stepi_cmd_per_s"):
            result(name, "n/a", why=word("the pc does not move under stepi: %#x" % pc()))
        return
    t0 = time.perf_counter()
    gdb.execute("stepi %d" % STEPS, to_string=True)
    dt = time.perf_counter() - t0
    result("stepi_per_s", "%.1f" % (STEPS / dt), n=STEPS, s="%.3f" % dt)
    t0 = time.perf_counter()
    for _ in range(STEPS):
        gdb.execute("stepi", to_string=True)
    dt = time.perf_counter() - t0
    result("stepi_cmd_per_s", "%.1f" % (STEPS / dt), n=STEPS, s="%.3f" % dt)


def word(s):
    """s as one word of a result line."""
    return str(s).replace(" ", "_").replace("\n", "_")


def timed_dump(name, lo, hi):
    """The median time of MEM_RUNS `dump binary memory` of [lo, hi), or None (reported)."""
    times = []
    for _ in range(MEM_RUNS):
        t0 = time.perf_counter()
        try:
            gdb.execute("dump binary memory /dev/null %#x %#x" % (lo, hi), to_string=True)
        except gdb.error as e:
            result(name, "n/a", why=word("dump of %#x-%#x failed: %s" % (lo, hi, e)))
            return None
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def mib_per_s(dt):
    """MiB/s, with three significant digits below 10 (solo5-hvt-debug's stub reads about
    0.1 MiB/s, which one decimal would round away)."""
    v = MEM_SIZE / (1 << 20) / dt
    return "%.1f" % v if v >= 10 else "%.3g" % v


def bench_mem():
    """Reads the guest's memory as it is (untouched RAM: zeros, which a stub may send
    run-length encoded), then writes random bytes over it with `restore` and reads that
    back (incompressible: the cost of the bytes themselves)."""
    try:
        lo = int(gdb.parse_and_eval("(unsigned long)(%s)" % MEM_ADDR))
    except gdb.error as e:
        for name in ("mem_mib_per_s", "mem_write_mib_per_s", "mem_rand_mib_per_s"):
            result(name, "n/a", why=word("bad BENCH_MEM_ADDR: %s" % e))
        return
    hi = lo + MEM_SIZE
    dt = timed_dump("mem_mib_per_s", lo, hi)
    if dt is not None:
        result("mem_mib_per_s", mib_per_s(dt), bytes=MEM_SIZE, addr=hex(lo), runs=MEM_RUNS,
               median_s="%.3f" % dt)

    data = os.urandom(MEM_SIZE)
    fd, path = tempfile.mkstemp(prefix="gdb_bench.", suffix=".bin")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        t0 = time.perf_counter()
        try:
            gdb.execute("restore %s binary %#x" % (path, lo), to_string=True)
        except gdb.error as e:
            for name in ("mem_write_mib_per_s", "mem_rand_mib_per_s"):
                result(name, "n/a", why=word("restore at %#x failed: %s" % (lo, e)))
            return
        dt = time.perf_counter() - t0
    finally:
        os.unlink(path)
    # What was written must read back (a stub that dropped the writes, or wrote them
    # elsewhere, would make the next figure a read of something else), at both ends.
    if VERIFY:
        inf = gdb.selected_inferior()
        for at in (lo, hi - 4096):
            got = bytes(inf.read_memory(at, 4096))
            if got != data[at - lo:at - lo + 4096]:
                for name in ("mem_write_mib_per_s", "mem_rand_mib_per_s"):
                    result(name, "n/a", why=word("the bytes written at %#x do not read back" % at))
                return
    result("mem_write_mib_per_s", mib_per_s(dt), bytes=MEM_SIZE, addr=hex(lo), s="%.3f" % dt)
    dt = timed_dump("mem_rand_mib_per_s", lo, hi)
    if dt is not None:
        result("mem_rand_mib_per_s", mib_per_s(dt), bytes=MEM_SIZE, addr=hex(lo),
               runs=MEM_RUNS, median_s="%.3f" % dt)


def bench_continue(func, kind):
    """Returns False when the target is no longer usable (a stop that is no breakpoint)."""
    name = "cont_%s_per_s" % kind
    gdb.execute("delete", to_string=True)
    try:
        gdb.execute("%s *%#x" % (kind, func), to_string=True)
    except gdb.error as e:
        result(name, "n/a", why=word(e))
        return True
    # The first round trip is a probe: it inserts the breakpoint (after a step off the
    # current pc, which is the breakpoint's own address) and shows whether this kind
    # works at all on this stub.
    ev = resume("continue")
    if not isinstance(ev, gdb.BreakpointEvent) or pc() != func:
        result(name, "n/a", why=word("the first continue stopped with %s at %s" % (
            stop_reason(ev) if ev else "no stop", hex(pc()) if ev else "?")))
        return False
    t0 = time.perf_counter()
    for i in range(CONTS):
        ev = resume("continue")
        if not isinstance(ev, gdb.BreakpointEvent):
            result(name, "n/a", why=word("continue %d stopped with %s" % (
                i + 1, stop_reason(ev) if ev else "no stop")))
            return False
    dt = time.perf_counter() - t0
    if pc() != func:
        result(name, "n/a", why=word("the breakpoint stops at %#x, not %#x" % (pc(), func)))
        return False
    result(name, "%.1f" % (CONTS / dt), n=CONTS, s="%.3f" % dt)
    return True


def main():
    func = setup()
    if "stepi" in METRICS:
        bench_stepi()
    if "mem" in METRICS:
        bench_mem()
    if "cont" in METRICS:
        for kind in KINDS:
            if not bench_continue(func, kind):
                break
    gdb.execute("delete", to_string=True)
    result("done", "1")
    try:
        gdb.execute("kill", to_string=True)
    except gdb.error:
        pass


try:
    main()
except gdb.error as e:
    result("error", "1", why=word(e))
    sys.exit(1)
