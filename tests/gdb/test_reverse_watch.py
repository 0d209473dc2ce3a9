# KERNEL: test_reverse
# ARGS: crash
# OPTS: --record
# STATUS: 255
# watch-reverse, and the hunt the feature is for: the guest crashes on a corrupt pointer;
# a watchpoint on it and reverse-continue stop at the instruction that wrote it, before the
# write (the variable holds its value from before), in the function that made it; again,
# at the write before that; then the start of the record. Forward again, the watchpoint
# stops after each write with the new value, and the crash comes back where it was.
import gdb
from reversegdb import *

connect()
ev = run("continue")
check_eq("crash-is-sigsegv", stop_signal(ev), "SIGSEGV")
check_eq("crash-in-sum-list", where(), ("sum_list", marker_line("sum")))
check_eq("corrupt-pointer", value("(unsigned long)nodes[2].next"), 0x10)
crash_pc = pc()

gdb.execute("watch -location nodes[2].next")
wp = gdb.breakpoints()[-1]
ev = run("reverse-continue")
check("reverse-stops-for-the-watchpoint", isinstance(ev, gdb.BreakpointEvent) and
      any(b.number == wp.number for b in ev.breakpoints), "stop %r" % ev)
check_eq("the-corrupting-write", where(), ("clobber", marker_line("clobber")))
check_eq("before-the-write-old-value", value("(unsigned long)nodes[2].next"),
         addr("nodes[3]"))
check_eq("caller-is-main", gdb.selected_frame().older().name(), "solo5_app_main")

ev = run("reverse-continue")
check("reverse-stops-at-the-earlier-write", isinstance(ev, gdb.BreakpointEvent),
      "stop %r" % ev)
check_eq("earlier-write-in-build-list", function_at_pc(), "build_list")
check_eq("before-the-first-write", value("(unsigned long)nodes[2].next"), 0)

ev = run("reverse-continue")
check("then-no-more-history", is_history_begin(ev), "stop %r" % ev)

ev = run("continue")
check_eq("forward-first-write-function", function_at_pc() if ev else None, "build_list")
check_eq("forward-first-write-new-value", value("(unsigned long)nodes[2].next"),
         addr("nodes[3]"))
ev = run("continue")
check_eq("forward-second-write-function", function_at_pc() if ev else None, "clobber")
check_eq("forward-second-write-new-value", value("(unsigned long)nodes[2].next"), 0x10)
wp.delete()
ev = run("continue")
check_eq("crash-again", (stop_signal(ev), pc()), ("SIGSEGV", crash_pc))
check_eq("console-once", guest_stdout().count("reverse: start"), 1)
