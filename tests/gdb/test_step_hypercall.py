# KERNEL: test_hello
# STATUS: 0
# Single-stepping over a hypercall (solo5_console_write's): in user mode the instruction is
# a store to the hypercall page, whose exit raises no #DB; in kernel mode it is an `out`,
# which KVM's own step passes one instruction late on a KVM that emulates guest code. In
# both, ukvm ends the step itself once the call is served: stepi stops right after the
# instruction, the call served once.
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
check_eq("stepi-over-hypercall", pc(), hc + insn_length(hc))
check("trap-flag-clear", reg("eflags") & 0x100 == 0, hex(reg("eflags")))
run("continue")
check_eq("exit-status", exit_code(), 0)
