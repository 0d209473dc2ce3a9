# KERNEL: test_gdb_target
# ARGS: spin
# STATUS: 137
# Ctrl-C stops a guest spinning in pure computation, with SIGINT, in the spin loop; it can
# be resumed and interrupted again; gdb's kill then ends ukvm with status 137.
import gdb
from ukvmgdb import *

connect()
interrupt_after(1.5)
ev = run("continue")
check_eq("sigint", stop_signal(ev), "SIGINT")
check_eq("stopped-in-spin", function_at_pc(), "spin")
counter = int(gdb.parse_and_eval("counter"))
check("guest-ran", counter > 0, "counter is %d" % counter)
interrupt_after(1.0)
ev = run("continue")
check_eq("sigint-again", stop_signal(ev), "SIGINT")
check("counter-advanced", int(gdb.parse_and_eval("counter")) > counter, "counter did not move")
gdb.execute("kill")
