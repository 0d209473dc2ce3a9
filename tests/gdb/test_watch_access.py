# KERNEL: test_watch
# STATUS: 0
# An access watchpoint (awatch, Z4): writes and reads both stop, in program order, each
# once, with the values as they are after the access.
import gdb
from watchgdb import *

connect()
wp = watch("page_a.target", gdb.WP_ACCESS)
expect_watch_stop("write-1", "continue", wp, "write-1", "write_phase", "page_a.target", 11)
expect_watch_stop("write-2", "continue", wp, "write-2", "write_phase", "page_a.target", 22)
expect_watch_stop("read-1", "continue", wp, "read-1", "read_phase", "page_a.target", 22)
# addq reads and writes target in one instruction: one stop, after both.
expect_watch_stop("rmw", "continue", wp, "access-1", "access_phase", "page_a.target", 27)
ev = run("continue")
check("main-check-read", is_watch_stop(ev, wp) and function_at_pc() == "solo5_app_main",
      "stop %r in %s" % (ev, function_at_pc() if ev else None))
wp.delete()
run("continue")
check_eq("exit-code", exit_code(), 0)
