# KERNEL: test_watch
# ARGS: blk
# OPTS: --disk=@TMP@/disk.img
# SETUP: truncate -s 64K disk.img
# STATUS: 0
# The monitor's own accesses for hypercalls: a block write reads its buffer from guest
# memory, a block read writes into it, both in the monitor and not through the guest's
# instructions. Both are reported as the watchpoint hit right after the hypercall that
# made them (an rwatch on the written buffer, a watch on the read one), with the values;
# the guest's own reads of the buffer afterwards do not stop the write watch.
import gdb
from watchgdb import *

connect()


def frames():
    names = []
    f = gdb.selected_frame()
    while f is not None:
        names.append(f.name())
        f = f.older()
    return names


rd = watch("wbuf[3]", gdb.WP_READ)
ev = run("continue")
check("block-write-stops", is_watch_stop(ev, rd), "stop %r" % ev)
check_eq("block-write-value", value("wbuf[3]"), 3 ^ 0x5A)
check("block-write-in-write-call", "solo5_block_write" in frames(), repr(frames()))
rd.delete()

wp = watch("blkbuf[8]")
check_eq("block-read-old-value", value("blkbuf[8]"), 0)
ev = run("continue")
check("block-read-stops", is_watch_stop(ev, wp), "stop %r" % ev)
check_eq("block-read-value", value("blkbuf[8]"), 8 ^ 0x5A)
check("block-read-in-block-phase", "block_phase" in frames(), repr(frames()))
check("block-read-in-read-call", "solo5_block_read" in frames(), repr(frames()))
wp.delete()
run("continue")
check_eq("exit-code", exit_code(), 0)
