# KERNEL: test_watch
# STATUS: 0
# Eight watchpoints at once, of two kinds, on two pages: six write watches on page_b's
# slots, a read watch on one of its bytes (which makes the page absent), a write watch
# on far_page. Each stops once, in program order, at its line, with its value; writes to
# the rwatch'ed byte and page_b's unwatched fields do not stop.
import gdb
from watchgdb import *

connect()
slots = [watch("page_b.slots[%d]" % i) for i in range(6)]
rd = watch("page_b.bytes[7]", gdb.WP_READ)
far = watch("far_page.v")
check_eq("eight-watchpoints", len(gdb.breakpoints()), 8)
for i, wp in enumerate(slots):
    expect_watch_stop("slot-%d" % i, "continue", wp, "many-%d" % i, "many_phase",
                      "page_b.slots[%d]" % i, 100 + i)
expect_watch_stop("byte-read", "continue", rd, "many-read", "many_phase", "page_b.bytes[7]", 9)
expect_watch_stop("far", "continue", far, "many-far", "many_phase", "far_page.v", 7)
# main then reads the slots back (no write watch stops on reads) and bp_phase writes
# page_b.target on the trapped page: no stop until the end.
run("continue")
check_eq("exit-code", exit_code(), 0)
