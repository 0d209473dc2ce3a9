# KERNEL: hvt_debug.hvt
# ARGS: spin
# STATUS: 137
# Ctrl-C while a Solo5 hvt guest computes (tests/scripts/hvt_debug.sh): gdb stops it with
# SIGINT in its compute loop; resumed, it computes on and can be interrupted again; gdb's
# kill then ends ukvm with status 137.
import gdb
from hvtgdb import *

connect()
interrupt_after(1.5)
ev = run("continue")
check_eq("sigint", stop_signal(ev), "SIGINT")
check_eq("stopped-in-spin", function_at_pc(), "spin")
start, end = function_range("spin")
check("pc-inside-spin", start <= pc() < end, "pc 0x%x, spin 0x%x-0x%x" % (pc(), start, end))
check_eq("backtrace", backtrace(), ["spin", "hvt_main", "hvt_rt_start", "_start"])
counter = int(gdb.parse_and_eval("dbg_counter"))
check("guest-ran", counter > 0, "dbg_counter is %d" % counter)
interrupt_after(1.0)
ev = run("continue")
check_eq("sigint-again", stop_signal(ev), "SIGINT")
check("counter-advanced", int(gdb.parse_and_eval("dbg_counter")) > counter,
      "dbg_counter did not move from %d" % counter)
gdb.execute("kill")
