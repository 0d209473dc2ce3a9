# KERNEL: test_hello
# STATUS: 0
# Single-stepping over a hypercall (solo5_console_write's): in user mode the instruction is
# a store to the hypercall page, whose exit raises no #DB, and stepi stops right after it,
# the call served once; in kernel mode it is KVM's `out` (on a KVM that emulates guest code
# KVM's own step lands one instruction late, so there the check is that it went past).
import os
import re

import gdb
from hvtgdb import insn_length, instructions
from ukvmgdb import *

connect()
user = os.environ.get("UKVM_GUEST_MODE") == "user"
pattern = r"^mov\s+%rax,\(%rdx\)" if user else r"^out\b"
hits = [i["addr"] for i in instructions("solo5_console_write") if re.search(pattern, i["asm"])]
check_eq("one-hypercall-instruction", len(hits), 1)
hc = hits[0]
bp = gdb.Breakpoint("*%d" % hc)
ev = run("continue")
check("at-hypercall", is_breakpoint_stop(ev) and pc() == hc, "pc 0x%x" % pc())
bp.delete()
run("stepi")
if user:
    check_eq("stepi-over-hypercall", pc(), hc + insn_length(hc))
else:
    check("stepi-over-hypercall", pc() > hc, "pc 0x%x" % pc())
check("trap-flag-clear", reg("eflags") & 0x100 == 0, hex(reg("eflags")))
run("continue")
check_eq("exit-status", exit_code(), 0)
