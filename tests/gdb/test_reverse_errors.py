# KERNEL: test_reverse
# OPTS: --record
# STATUS: 0
# What a debugger may change in a recorded run. In the past, memory and register writes
# are refused (ukvm says why on its stderr) and the guest is unchanged; at the end of the
# record, a write drops the history before it (said on stderr): reverse-continue then
# stops at that point, the new start of the record. The run then goes on to its end.
import gdb
from reversegdb import *

connect()
gdb.execute("break build_list")
run("continue")
run("reverse-stepi")
check("in-the-past", "in the past" in monitor("record"), monitor("record"))

total = value("total")
try:
    gdb.execute("set var total = 12345")
    refused = False
except gdb.error:
    refused = True
check("memory-write-refused", refused)
check_eq("memory-unchanged", value("total"), total)
check("memory-refusal-said", "refused a memory write" in ukvm_stderr() and
      "recorded past" in ukvm_stderr(), ukvm_stderr()[-400:])

rax = reg("rax")
try:
    gdb.execute("set $rax = 0x1234")
    gdb.execute("stepi")  # gdb writes registers lazily: make it send them
    refused = False
except gdb.error:
    refused = True
check("register-write-refused", refused)
check("register-refusal-said", "refused a write of register rax" in ukvm_stderr(),
      ukvm_stderr()[-400:])

# Back to the end of the record: the breakpoint again (replayed), then live.
gdb.execute("delete")
gdb.execute("break sum_list")
run("continue")
check("at-the-end", "the end of the record" in monitor("record"), monitor("record"))
gdb.execute("set var total = 100")
check_eq("write-at-the-end-lands", value("total"), 100)
check("history-restart-said", "history before this point is dropped" in ukvm_stderr(),
      ukvm_stderr()[-400:])
here = pc()
ev = run("reverse-continue")
check("restarted-history-begins-here", is_history_begin(ev) and pc() == here,
      "stop %r at 0x%x, expected 0x%x" % (ev, pc(), here))
gdb.execute("delete")
