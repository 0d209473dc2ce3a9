# KERNEL: test_reverse
# OPTS: --record
# STATUS: 0
# break-reverse: reverse-continue goes back to the previous hit of a breakpoint, with the
# arguments of that call; past the first hit it reaches the record's start ("No more
# reverse-execution history"); continue then replays the same hits in order, and the
# guest's console output is not printed again.
import gdb
from reversegdb import *

connect()
bp = gdb.Breakpoint("add")
hits = []
for i in range(4):
    ev = run("continue")
    check("forward-hit-%d" % i, is_breakpoint_stop(ev) and function_at_pc() == "add",
          "stop %r" % ev)
    hits.append((value("a"), value("b"), reg("rsp")))
check("hits-differ", len(set(hits)) == 4, repr(hits))
printed = guest_stdout()

for i in (2, 1, 0):
    ev = run("reverse-continue")
    check("reverse-hit-%d-is-breakpoint" % i, is_breakpoint_stop(ev), "stop %r" % ev)
    check_eq("reverse-hit-%d-function" % i, function_at_pc(), "add")
    check_eq("reverse-hit-%d-arguments" % i, (value("a"), value("b"), reg("rsp")), hits[i])

ev = run("reverse-continue")
check("past-first-hit-no-more-history", is_history_begin(ev), "stop %r" % ev)
check_eq("history-starts-at-entry", pc(), entry_pc())

for i in range(4):
    ev = run("continue")
    check("replayed-hit-%d" % i, is_breakpoint_stop(ev) and function_at_pc() == "add",
          "stop %r" % ev)
    check_eq("replayed-hit-%d-arguments" % i, (value("a"), value("b"), reg("rsp")), hits[i])
check_eq("console-not-printed-twice", guest_stdout(), printed)
bp.delete()
