# KERNEL: test_watch
# STATUS: 0
# Breakpoints and watchpoints together: a software breakpoint on the store's line stops
# before the store; continuing steps off the breakpoint straight into the watched store,
# which stops as the watchpoint; a hardware breakpoint after it still works.
import gdb
from watchgdb import *

connect()
gdb.execute("break %s:%d" % (SOURCE, marker_line("bp-store")))
wp = watch("page_b.target")
gdb.execute("hbreak stack_phase")
ev = run("continue")
check("breakpoint-first", is_breakpoint_stop(ev) and not is_watch_stop(ev, wp),
      "stop %r" % ev)
check_eq("breakpoint-line", stop_line(), marker_line("bp-store"))
check_eq("breakpoint-before-store", value("page_b.target"), 0)
expect_watch_stop("store-after-breakpoint", "continue", wp, "bp-store", "bp_phase",
                  "page_b.target", 0x1234)
ev = run("continue")
check_eq("hbreak-after-watch", function_at_pc() if ev else None, "stack_phase")
gdb.execute("delete")
run("continue")
check_eq("exit-code", exit_code(), 0)
