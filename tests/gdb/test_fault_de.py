# KERNEL: test_faults
# ARGS: div0
# STATUS: 255
# #DE stops gdb with SIGFPE in divide.
import gdb
from ukvmgdb import *

connect()
ev = run("continue")
check_eq("sigfpe", stop_signal(ev), "SIGFPE")
check_eq("in-divide", function_at_pc(), "divide")
run("continue")
check_eq("exit-code", exit_code(), 255)
