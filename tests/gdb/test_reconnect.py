# KERNEL: test_gdb_target
# STATUS: 0
# SESSIONS: 2
# gdb dies while the guest is stopped at a breakpoint: the guest stays stopped, its
# breakpoints are removed, and a new gdb connects to the same stop and runs it to the end
# without hitting the dead session's breakpoint.
import os

import gdb
from ukvmgdb import *

connect()
session = int(os.environ.get("UKVM_GDB_SESSION", "1"))
if session == 1:
    gdb.execute("break leaf")
    run("continue")
    check_eq("first-session-at-leaf", function_at_pc(), "leaf")
    gdb.execute("set $r12 = 0x5eed")
    import sys
    sys.stdout.flush()
    os._exit(0)  # die without detaching or removing breakpoints
else:
    check_eq("second-session-same-stop", function_at_pc(), "leaf")
    check_eq("registers-kept", reg("r12"), 0x5eed)
    ev = run("continue")
    check("no-stale-breakpoint", ev is None, "stopped again: %r" % ev)
    check_eq("exit-code", exit_code(), 0)
