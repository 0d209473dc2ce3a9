# KERNEL: test_gdb_target
# STATUS: 0
# Hardware breakpoints (debug registers): hbreak stops at the function, continuing from
# it works, and all four slots can be used.
import gdb
from ukvmgdb import *

connect()
gdb.execute("hbreak middle")
ev = run("continue")
check("hbreak-is-breakpoint-stop", is_breakpoint_stop(ev), repr(ev))
check_eq("hbreak-function", function_at_pc(), "middle")
ev = run("continue")
check_eq("hbreak-hit-again", function_at_pc() if ev else None, "middle")
gdb.execute("delete")
for f in ["stage5", "stage6", "stage7", "stage8"]:
    gdb.execute("hbreak " + f)
seen = []
for _ in range(4):
    ev = run("continue")
    if ev is None:
        break
    seen.append(function_at_pc())
check_eq("four-hw-slots", seen, ["stage5", "stage6", "stage7", "stage8"])
gdb.execute("delete")
run("continue")
check_eq("exit-code", exit_code(), 0)
