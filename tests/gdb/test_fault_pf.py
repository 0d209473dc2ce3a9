# KERNEL: test_exception
# STATUS: 255
# A null dereference stops gdb with SIGSEGV at the faulting instruction, in the faulting
# context (registers, bt, x/i show fault_here, not the trap handler); `monitor exc`
# describes it; continuing ends the guest as without gdb (exit 255).
import gdb
from ukvmgdb import *

connect()
ev = run("continue")
check_eq("sigsegv", stop_signal(ev), "SIGSEGV")
check_eq("in-fault_here", function_at_pc(), "fault_here")
bt = gdb.execute("bt", to_string=True)
check("bt-shows-caller", "solo5_app_main" in bt, bt)
insn = gdb.execute("x/i $pc", to_string=True)
check("x-i-at-pc", "fault_here" in insn, insn)
check_eq("cr2-is-null", reg("cr2"), 0)
exc = monitor("exc")
check("monitor-exc-page-fault", "Page fault" in exc and "fault_here" in exc, exc)
run("continue")
check_eq("exit-code", exit_code(), 255)
