# KERNEL: hvt_debug.hvt
# ARGS: sleep
# STATUS: 137
# Ctrl-C while a Solo5 hvt guest sleeps in a POLL hypercall with a 10-minute timeout
# (tests/scripts/hvt_debug.sh): gdb stops it at once with SIGINT, in hvt_poll right after
# its `out` (the hypercall), and `monitor exits` shows that POLL as the last exit.
# Resumed, it must sleep on: POLL returns only at its deadline, as without a debugger
# (Solo5's solo5_yield does not loop: a POLL that returned early would make it return
# early), so a second Ctrl-C finds it still in hvt_poll and "woke up" never printed.
import gdb
from hvtgdb import *

connect()
interrupt_after(1.5)
ev = run("continue")
check_eq("sigint-in-poll", stop_signal(ev), "SIGINT")
check_eq("stopped-in-hvt_poll", function_at_pc(), "hvt_poll")
check_eq("backtrace", backtrace(), ["hvt_poll", "hvt_main", "hvt_rt_start", "_start"])
check_eq("caller-line", gdb.selected_frame().older().find_sal().line, marker_line("sleep"))
out_insn = insn_matching("hvt_poll", r"^out\s")
check_eq("pc-after-the-out", pc(), out_insn + insn_length(out_insn))
exits = monitor("exits 1")
check("monitor-exits-names-POLL", "hypercall POLL" in exits and "hvt_poll+" in exits, exits)
interrupt_after(1.5)
ev = run("continue")
check("sleeps-on-after-continue", ev is not None and stop_signal(ev) == "SIGINT",
      "no second stop: the guest %s" % ("exited with code %r" % exit_code() if exits else "?"))
if ev is not None:
    check_eq("still-in-hvt_poll", function_at_pc(), "hvt_poll")
out = ukvm_file("UKVM_STDOUT")
check("poll-did-not-return", "sleeping" in out and "woke up" not in out, repr(out))
if ev is not None:
    gdb.execute("kill")
