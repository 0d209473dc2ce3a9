# KERNEL: test_gdb_target
# ARGS: int3
# STATUS: 3
# An int3 compiled into the guest stops gdb with SIGTRAP with the pc after it, so that
# continue goes on (the guest then exits 3).
import gdb
from ukvmgdb import *

connect()
ev = run("continue")
# gdb gives a SIGTRAP it cannot explain as a plain stop event; `info program` names it.
info = gdb.execute("info program", to_string=True)
check("sigtrap", ev is not None and not is_breakpoint_stop(ev) and "SIGTRAP" in info, info)
check_eq("in-compiled_int3", function_at_pc(), "compiled_int3")
prev = gdb.selected_inferior().read_memory(pc() - 1, 1).tobytes()
check_eq("pc-after-int3", prev, b"\xcc")
run("continue")
check_eq("exit-code", exit_code(), 3)
