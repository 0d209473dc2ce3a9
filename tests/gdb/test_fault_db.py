# KERNEL: test_faults
# ARGS: trap_flag
# STATUS: 255
# A #DB the debugger did not cause (the guest sets the trap flag itself) is the guest's,
# with gdb attached as without: gdb stops with SIGTRAP in trap_flag, as for a native
# program's own trap, and `monitor exc` says it was not the debugger's; it is never
# swallowed (a swallowed trap flag raises #DB again after every instruction). An hbreak
# that never hits is set first, so that on a KVM whose debug controls then intercept
# every #DB the debug core must hand this one back to the guest. Continuing ends the
# guest as without gdb (exit 255).
import gdb
from ukvmgdb import *

connect()
gdb.execute("hbreak divide")
ev = run("continue")
# With an hbreak in place gdb's stop event for a SIGTRAP carries no signal: ask gdb.
info = gdb.execute("info program", to_string=True)
check("sigtrap", stop_signal(ev) == "SIGTRAP" or "SIGTRAP" in info, info)
check_eq("in-trap_flag", function_at_pc(), "trap_flag")
exc = monitor("exc")
check("monitor-exc-debug", "Debug exception" in exc and "trap_flag" in exc, exc)
run("continue")
check_eq("exit-code", exit_code(), 255)
