# KERNEL: hvt_debug.hvt
# STATUS: 0
# On a Solo5 hvt binary too (tests/scripts/hvt_debug.sh), resuming at an address that
# holds a breakpoint stops there at once: `break hvt_main`, `continue`, `jump hvt_main`
# stops at breakpoint 1 again, with nothing run; the same with a hardware breakpoint;
# `continue` from a breakpoint (gdb's own step-over) still goes on.
import gdb
from hvtgdb import *

connect()
bp = gdb.Breakpoint("hvt_main")
ev = run("continue")
check("break-stop", is_breakpoint_stop(ev) and bp in ev.breakpoints, repr(ev))
main = pc()
check_eq("break-function", function_at_pc(), "hvt_main")
rsp = reg("rsp")
ev = run("jump hvt_main")
check("jump-stops-at-breakpoint", ev is not None and is_breakpoint_stop(ev) and
      bp in ev.breakpoints, repr(ev))
check_eq("jump-pc", pc(), main)
check_eq("jump-nothing-ran", reg("rsp"), rsp)
bp.delete()
hb = gdb.Breakpoint("*%d" % main, type=gdb.BP_HARDWARE_BREAKPOINT)
ev = run("jump *%d" % main)
check("hw-jump-stops-at-breakpoint", ev is not None and is_breakpoint_stop(ev) and
      hb in ev.breakpoints, repr(ev))
check_eq("hw-jump-pc", pc(), main)
gdb.execute("break leaf")
ev = run("continue")
check_eq("continue-from-breakpoint-goes-on", function_at_pc() if ev else None, "leaf")
gdb.execute("delete")
run("continue")
check_eq("exit-code", exit_code(), 0)
