# KERNEL: test_watch
# STATUS: 0
# A write watchpoint (watch, Z2): each write to the watched variable stops right after the
# store, on its line, with the old and the new value; a stepi that executes the store is
# one stop, reported as the watchpoint; unrelated accesses on the same page do not stop.
import gdb
from watchgdb import *

connect()
gdb.execute("break write_phase")
ev = run("continue")
check_eq("at-write-phase", function_at_pc() if ev else None, "write_phase")
gdb.execute("delete")

# Stepping into the store: exactly one stop per stepi, the store's reported as the watch.
wp = watch("page_a.target")
old = value("page_a.target")
check_eq("old-value-before-store", old, 0)
watch_steps = 0
for i in range(8):
    before = pc()
    del stops[:]
    gdb.execute("stepi")
    check_eq("stepi-%d-one-stop" % i, len(stops), 1)
    if stops and is_watch_stop(stops[-1], wp):
        watch_steps += 1
        check_eq("step-watch-line", access_line(), marker_line("write-1"))
        check_eq("step-watch-new-value", value("page_a.target"), 11)
        check("step-watch-pc-after-store", pc() > before, "pc 0x%x, was 0x%x" % (pc(), before))
        break
check_eq("stepi-store-reported-as-watch", watch_steps, 1)

# Continuing: the second store, old 11, new 22, at its own line.
old = value("page_a.target")
expect_watch_stop("second-store", "continue", wp, "write-2", "write_phase", "page_a.target", 22)
check_eq("second-store-old-value", old, 11)

# No stop for reads (read_phase) or for the other pages: next is access_phase's add.
expect_watch_stop("rmw-add", "continue", wp, "access-1", "access_phase", "page_a.target", 27)
wp.delete()
run("continue")
check_eq("exit-code", exit_code(), 0)
