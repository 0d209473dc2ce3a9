# KERNEL: test_faults
# ARGS: gp
# STATUS: 255
# #GP stops gdb with SIGSEGV in non_canonical.
import gdb
from ukvmgdb import *

connect()
ev = run("continue")
check_eq("sigsegv", stop_signal(ev), "SIGSEGV")
check_eq("in-non_canonical", function_at_pc(), "non_canonical")
run("continue")
check_eq("exit-code", exit_code(), 255)
