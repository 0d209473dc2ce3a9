# KERNEL: test_reverse
# OPTS: --record
# STATUS: 0
# N stepi, then N reverse-stepi, visit the same program counters in reverse order, across
# calls and across a hypercall (the console write's `out`, or user mode's store), with
# every register as it was; forward again, the replay visits them again and prints
# nothing twice; at the record's start reverse-stepi says "no more history" and stays.
# gdb detaches at the end: the guest replays the rest of the record, runs on live, exits 0.
import gdb
from reversegdb import *

connect()
gdb.execute("break solo5_console_write")
ev = run("continue")
check_eq("at-console-write", function_at_pc() if ev else None, "solo5_console_write")
gdb.execute("delete")

N = 60
forward = []
for i in range(N):
    forward.append((pc(), reg("rsp"), reg("rax"), reg("rbx")))
    run("stepi")
forward.append((pc(), reg("rsp"), reg("rax"), reg("rbx")))
check("steps-cross-functions", len(set(p for p, _, _, _ in forward)) > 20,
      "only %d distinct pcs" % len(set(p for p, _, _, _ in forward)))
out = guest_stdout()
check("stepped-over-the-console-hypercall", out.count("reverse: start") == 1,
      "guest stdout %r" % out)

backward = [(pc(), reg("rsp"), reg("rax"), reg("rbx"))]
for i in range(N):
    ev = run("reverse-stepi")
    if not check("reverse-stepi-%d-stops" % i, ev is not None, "no stop event"):
        break
    backward.append((pc(), reg("rsp"), reg("rax"), reg("rbx")))
backward.reverse()
mismatch = [i for i, (a, b) in enumerate(zip(forward, backward)) if a != b]
check("same-pcs-and-registers-in-reverse-order", not mismatch,
      "first mismatch at step %s: forward %s, backward %s" % (
          mismatch[0], [hex(x) for x in forward[mismatch[0]]],
          [hex(x) for x in backward[mismatch[0]]]) if mismatch else "")
out = guest_stdout()
check_eq("console-output-not-repeated", out.count("reverse: start"), 1)

# Forward again over the same stretch: the replay gives the same pcs.
again = [pc()]
for i in range(N):
    run("stepi")
    again.append(pc())
check_eq("replayed-stepi-same-pcs", again, [p for p, _, _, _ in forward])
check_eq("replay-prints-nothing-again", guest_stdout().count("reverse: start"), 1)

# All the way back: reverse-continue with no breakpoints reaches the start.
ev = run("reverse-continue")
check("reverse-continue-to-start", is_history_begin(ev), "stop %r" % ev)
check_eq("start-pc-is-entry", pc(), entry_pc())
ev = run("reverse-stepi")
check("reverse-stepi-at-start-stops", is_history_begin(ev), "stop %r" % ev)
check_eq("reverse-stepi-at-start-stays", pc(), entry_pc())
