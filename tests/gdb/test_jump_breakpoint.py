# KERNEL: test_gdb_target
# STATUS: 0
# Resuming at an address that holds a breakpoint stops there at once, as on a native
# program: gdb steps over its own breakpoints itself, and when it resumes with one
# inserted at the resume address (`jump` to a breakpointed line, an inferior call) it
# expects that breakpoint to hit, not the guest to step past it and run on. Software and
# hardware breakpoints alike; `continue` from a breakpoint (gdb's own step-over) still
# goes on.
import gdb
from ukvmgdb import *

connect()
# The session of the report: break, continue, jump to the breakpointed function.
bp = gdb.Breakpoint("solo5_app_main")
main = int(bp.locations[0].address) if hasattr(bp, "locations") else None
ev = run("continue")
check("break-stop", is_breakpoint_stop(ev) and bp in ev.breakpoints, repr(ev))
main = main or pc()
check_eq("break-pc", pc(), main)
rsp = reg("rsp")
ev = run("jump solo5_app_main")
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
check_eq("hw-jump-nothing-ran", reg("rsp"), rsp)

# gdb's own step-over: continue from the breakpoint goes on to the next one.
gdb.execute("break leaf")
ev = run("continue")
check_eq("continue-from-breakpoint-goes-on", function_at_pc() if ev else None, "leaf")
gdb.execute("delete")
run("continue")
check_eq("exit-code", exit_code(), 0)
