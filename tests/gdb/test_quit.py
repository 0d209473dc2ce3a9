# KERNEL: test_gdb_target
# STATUS: 0
# gdb's quit on a remote target detaches (gdb says "will be detached"): the guest runs on
# to its own end, and ukvm exits with the guest's status (0), not 137 as after `kill`.
import gdb
from ukvmgdb import *

connect()
gdb.execute("break stage2")
run("continue")
check_eq("at-stage2", function_at_pc(), "stage2")
check("quitting", True)
gdb.execute("quit")
