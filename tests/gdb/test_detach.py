# KERNEL: test_gdb_target
# STATUS: 0
# gdb's detach lets the guest run on to its own end without the debugger.
import gdb
from ukvmgdb import *

connect()
gdb.execute("break stage2")
run("continue")
check_eq("at-stage2", function_at_pc(), "stage2")
gdb.execute("detach")
check("detached", True)
