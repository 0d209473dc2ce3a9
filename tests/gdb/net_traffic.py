# Run by tests/scripts/net_debug.sh (not by gdb.sh: it needs a tap in a namespace), against
# test_ping serving 10.0.0.2 while the script pings it every 0.2 s: a breakpoint and
# stepping in the packet path, `monitor net`, a watchpoint on the reply counter, Ctrl-C
# while frames flow, and a stop long enough for frames to wait in the tap.
import time

import gdb
from ukvmgdb import *

connect()
gdb.execute("break answer_echo")
ev = run("continue")
check_eq("break-on-echo-request", pc(), addr("answer_echo"))
out = gdb.execute("monitor net service0 4", to_string=True)
check("monitor-net-shows-the-request", "ICMP echo request" in out, out)
check("monitor-net-counters", "in:  " in out and "out: " in out, out)
before = pc()
run("stepi")
run("stepi")
check("stepi-in-packet-path", pc() != before, hex(pc()))
gdb.execute("delete")
gdb.execute("watch server.replies")
ev = run("continue")
check("watchpoint-on-reply-counter", isinstance(ev, gdb.BreakpointEvent), repr(ev))
n1 = int(gdb.parse_and_eval("server.replies"))
ev = run("continue")
n2 = int(gdb.parse_and_eval("server.replies"))
check_eq("watchpoint-again-next-reply", n2, n1 + 1)
gdb.execute("delete")
# Stopped for 2.5 s: the pings sent meanwhile wait in the tap's queue, and are answered
# (late) once the guest runs again; net.sh's ping summary checks none was lost.
time.sleep(2.5)
interrupt_after(1.5)
ev = run("continue")
check_eq("ctrl-c-while-serving", stop_signal(ev), "SIGINT")
out = gdb.execute("monitor net service0 0", to_string=True)
check("frames-kept-flowing", "in:  " in out, out)
gdb.execute("detach")
