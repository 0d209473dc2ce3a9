# KERNEL: test_gdb_target
# STATUS: 0
# Software breakpoints: one, then many at once, each reported as a breakpoint stop at the
# right function; deleting them lets the guest run to its end.
import gdb
from ukvmgdb import *

connect()
# Many at once, set before any has run: each hit in call order.
stages = ["stage%d" % i for i in range(1, 9)]
for s in stages:
    gdb.execute("break " + s)
gdb.execute("break middle")
hit = []
for _ in range(16):
    ev = run("continue")
    if ev is None or not is_breakpoint_stop(ev):
        break
    hit.append(function_at_pc())
expected = []
for s in stages:
    expected += [s, "middle"]
check_eq("nine-breakpoints-hit-in-order", hit, expected)
gdb.execute("delete")
gdb.execute("break leaf")
ev = run("continue")
check("no-breakpoint-left-before-leaf", ev is not None and function_at_pc() == "leaf",
      "stopped elsewhere: %r" % (function_at_pc() if ev else None))
check("leaf-is-breakpoint-stop", is_breakpoint_stop(ev), repr(ev))
check_eq("leaf-pc-at-breakpoint", pc(), gdb.decode_line("leaf")[1][0].pc)
gdb.execute("delete")
run("continue")
check_eq("exit-code", exit_code(), 0)
