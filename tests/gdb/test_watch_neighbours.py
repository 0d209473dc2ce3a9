# KERNEL: test_watch
# STATUS: 0
# A watched variable shares its page with data the program uses all the time: with an
# awatch the whole page is trapped (reads and writes), yet every access to the
# neighbours completes as written and read, with no stop: neighbour_phase computes the
# right sum (the program checks it and prints SUCCESS), and the first stop is the first
# access to the watched variable itself.
import gdb
from watchgdb import *

connect()
wp = watch("page_a.target", gdb.WP_ACCESS)
far = watch("far_page.v")  # another page, written later: its own trap
expect_watch_stop("first-target-access", "continue", wp, "write-1", "write_phase")
# The neighbours as neighbour_phase left them (20 rounds).
check_eq("neighbour-value", value("page_a.neighbour"), sum(range(20)))
check_eq("bytes-value", [value("page_a.bytes[%d]" % i) for i in range(20)],
         [(i * 3 + 1) & 0xFF for i in range(20)])
check_eq("slots-value", [value("page_a.slots[%d]" % i) for i in range(8)],
         [2 * len(range(i, 20, 8)) for i in range(8)])
wp.delete()
expect_watch_stop("far-page", "continue", far, "many-far", "many_phase", "far_page.v", 7)
far.delete()
run("continue")
check_eq("exit-code", exit_code(), 0)
