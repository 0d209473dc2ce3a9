# KERNEL: hvt_priv.hvt
# ARGS: cli_sti
# STATUS: 0
# Single-stepping over the instructions ukvm emulates in user mode (tests/scripts/hvt_debug.sh):
# stepi over cli, over sti and over the out of the PUTS of "priv: cli_sti done" each stops at the next
# instruction, as in kernel mode for cli and sti; no instruction runs unstepped, none twice.
# Kernel mode's stepi over the out is KVM's: on a KVM that emulates guest code it stops one
# instruction late, so there the check is that it went past the out, served once.
import os

import gdb
from hvtgdb import *

connect()
cli = insn_matching("hvt_main", r"^cli\b", first=True)
bp = gdb.Breakpoint("*%d" % cli)
ev = run("continue")
check("at-cli", is_breakpoint_stop(ev) and pc() == cli, "pc 0x%x" % pc())
bp.delete()
run("stepi")
check_eq("stepi-over-cli", pc(), cli + 1)
check("next-is-sti", insn_text(pc()).startswith("sti"), insn_text(pc()))
run("stepi")
check_eq("stepi-over-sti", pc(), cli + 2)

out = insn_matching("hvt_printf", r"^out\b")  # hvt_write, inlined
bp = gdb.Breakpoint("*%d" % out)
ev = run("continue")
check("at-out", is_breakpoint_stop(ev) and pc() == out, "pc 0x%x" % pc())
check("out-not-yet-served", "priv: cli_sti done" not in ukvm_file("UKVM_STDOUT"),
      ukvm_file("UKVM_STDOUT"))
bp.delete()
run("stepi")
if os.environ.get("UKVM_GUEST_MODE") == "user":
    check_eq("stepi-over-out", pc(), out + insn_length(out))
else:
    check("stepi-over-out", pc() > out, "pc 0x%x" % pc())
check("out-served-once", ukvm_file("UKVM_STDOUT").count("priv: cli_sti done\n") == 1,
      ukvm_file("UKVM_STDOUT"))
run("continue")
check_eq("exit-status", exit_code(), 0)
