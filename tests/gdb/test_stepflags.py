# KERNEL: test_stepflags
# STATUS: 0
# Single-stepping a pushf: the flags it pushes do not show the trap flag the debugger
# stepped with (user mode steps with TF; kernel mode with KVM's controls).
import gdb
from ukvmgdb import *

connect()
gdb.execute("break pushed_flags")
run("continue")
check_eq("at-pushed_flags", function_at_pc(), "pushed_flags")
for _ in range(20):
    if function_at_pc() != "pushed_flags":
        break
    run("stepi")
check("stepped-out", function_at_pc() != "pushed_flags", "still in pushed_flags")
gdb.execute("delete")
run("continue")
check_eq("guest-saw-no-tf", exit_code(), 0)
