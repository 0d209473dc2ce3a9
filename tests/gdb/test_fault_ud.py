# KERNEL: test_faults
# ARGS: ud
# STATUS: 255
# #UD stops gdb with SIGILL at the ud2 in invalid_opcode.
import gdb
from ukvmgdb import *

connect()
ev = run("continue")
check_eq("sigill", stop_signal(ev), "SIGILL")
check_eq("in-invalid_opcode", function_at_pc(), "invalid_opcode")
insn = gdb.execute("x/i $pc", to_string=True)
check("pc-at-ud2", "ud2" in insn, insn)
run("continue")
check_eq("exit-code", exit_code(), 255)
