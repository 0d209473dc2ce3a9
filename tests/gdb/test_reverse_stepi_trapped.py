# KERNEL: test_reverse
# OPTS: --record
# STATUS: 0
# Stepping over stores to a page a watchpoint traps (other addresses than the watched
# one): each stepi is exactly one instruction, forwards and backwards. (Where KVM loses a
# step's #DB after an access it completed for ukvm, ukvm ends the step itself.)
import gdb
from hvtgdb import insn_length
from reversegdb import *

connect()
gdb.execute("break build_list")
run("continue")
gdb.execute("delete")
check_eq("at-build-list", function_at_pc(), "build_list")
# nodes[3].value shares the page of every store build_list makes, and is written by its
# seventh: the first five steps store next to it, trapped but not watched.
gdb.execute("watch -location nodes[3].value")
wp = gdb.breakpoints()[-1]
forward = [pc()]
for i in range(5):
    before = pc()
    ev = run("stepi")
    check("stepi-%d-no-watch-stop" % i, not (isinstance(ev, gdb.BreakpointEvent)),
          "stop %r" % ev)
    check_eq("stepi-%d-one-instruction" % i, pc(), before + insn_length(before))
    forward.append(pc())
back = [pc()]
for i in range(5):
    run("reverse-stepi")
    back.append(pc())
back.reverse()
check_eq("reverse-stepi-same-pcs", back, forward)
wp.delete()
