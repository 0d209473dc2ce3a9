# KERNEL: test_watch
# STATUS: 0
# A read watchpoint (rwatch, Z3; a trapped-absent page on every KVM): writes do not stop,
# each read does, right after it, with the value read; a read-modify-write instruction is
# one stop.
import gdb
from watchgdb import *

connect()
wp = watch("page_a.target", gdb.WP_READ)
# write_phase only writes: the first stop is the read in read_phase.
expect_watch_stop("read", "continue", wp, "read-1", "read_phase", "page_a.target", 22)
expect_watch_stop("rmw-read", "continue", wp, "access-1", "access_phase", "page_a.target", 27)
# main's own check reads target once more (page_a.target == 27).
ev = run("continue")
check("main-check-read", is_watch_stop(ev, wp) and function_at_pc() == "solo5_app_main",
      "stop %r in %s" % (ev, function_at_pc() if ev else None))
wp.delete()
run("continue")
check_eq("exit-code", exit_code(), 0)
