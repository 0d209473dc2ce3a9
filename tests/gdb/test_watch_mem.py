# KERNEL: test_watch
# STATUS: 0
# `monitor mem` lists the hypervisor's memory slots as the watchpoints inserted now want
# them: a trapped page appears once a watchpoint on it is inserted and is gone as soon as
# it is removed, not only after the guest ran again. Both with gdb inserting watchpoints
# only around each resume (the default) and with them always inserted.
import gdb
from watchgdb import *

connect()
gdb.execute("break write_phase")
run("continue")
check_eq("at-write-phase", function_at_pc(), "write_phase")
page = addr("page_a") & ~0xFFF
slot = "0x%016x-0x%016x" % (page, page + 0x1000)


def trapped():
    """Is page_a's page a read-only (trapping) slot in `monitor mem`?"""
    out = monitor("mem")
    lines = [l for l in out.splitlines() if l.strip().startswith("slot") and slot in l]
    return any("read-only" in l for l in lines), out


# The default: gdb inserts the watchpoint before each resume and removes it at the stop.
wp = watch("page_a.bytes")  # 64 bytes: more than any debug register covers, so a page trap
run("stepi")
wp.delete()
t, out = trapped()
check("default-deleted-not-trapped", not t, out)

# Always inserted: gdb sends Z2 at `watch` and z2 at `delete`, with the guest stopped.
gdb.execute("set breakpoint always-inserted on")
wp = watch("page_a.bytes")
t, out = trapped()
check("inserted-trapped-at-once", t, out)
run("stepi")
t, out = trapped()
check("still-trapped-after-step", t, out)
wp.delete()
t, out = trapped()
check("deleted-not-trapped-at-once", not t, out)
gdb.execute("set breakpoint always-inserted off")
run("continue")
check_eq("exit-code", exit_code(), 0)
