# KERNEL: hvt_debug.hvt
# STATUS: 0
# Watchpoints on a Solo5 hvt binary (tests/scripts/hvt_debug.sh), on dbg_page.target, a
# global on a page of its own: `watch` stops right after each of the two stores, on its
# line, with the old and the new value, and not for the store to the rest of the page nor
# for reads; `rwatch` stops after the read; `awatch` stops after the load and after the
# store of `dbg_page.target += 5`. Where KVM's data breakpoints do not fire these are page traps; either way
# the stop is the same. The guest then runs to its end (exit 0), its results unchanged.
import gdb
from hvtgdb import *


def value(expr):
    return int(gdb.parse_and_eval(expr))


def access_line():
    """The line of the instruction just before the pc: the one that made the access."""
    frame = gdb.selected_frame()
    now = frame.pc()
    start = int(frame.function().value().address)
    insns = frame.architecture().disassemble(start, now)
    before = [i for i in insns if i["addr"] + i["length"] == now]
    return gdb.find_pc_line(before[0]["addr"]).line if before else None


def is_watch_stop(event, wp):
    return isinstance(event, gdb.BreakpointEvent) and any(
        b.number == wp.number for b in event.breakpoints)


def expect_watch_stop(label, wp, marker, function, new):
    ev = run("continue")
    if not check("%s-stopped-by-watchpoint" % label, is_watch_stop(ev, wp),
                 "stop %r (%s), in %s" % (ev, stop_signal(ev) if ev else "no stop: exited?",
                                          function_at_pc() if ev else None)):
        return False
    check_eq("%s-function" % label, function_at_pc(), function)
    check_eq("%s-line" % label, access_line(), marker_line(marker))
    check_eq("%s-value" % label, value("dbg_page.target"), new)
    return True


connect()
wp = gdb.Breakpoint("dbg_page.target", gdb.BP_WATCHPOINT, gdb.WP_WRITE)
check_eq("watch-is-hardware", wp.type, gdb.BP_HARDWARE_WATCHPOINT)
check_eq("old-value", value("dbg_page.target"), 0)
ok = expect_watch_stop("watch-write-1", wp, "write-1", "write_phase", 11)
if ok:
    check_eq("watch-other-store-done", value("dbg_page.other"), 2)
    ok = expect_watch_stop("watch-write-2", wp, "write-2", "write_phase", 22)
wp.delete()

if ok:
    rw = gdb.Breakpoint("dbg_page.target", gdb.BP_WATCHPOINT, gdb.WP_READ)
    ok = expect_watch_stop("rwatch-read", rw, "read-1", "read_phase", 22)
    rw.delete()

if ok:
    # dbg_page.target += 5 on a volatile: a load, an add, a store: two stops on one line.
    aw = gdb.Breakpoint("dbg_page.target", gdb.BP_WATCHPOINT, gdb.WP_ACCESS)
    ok = expect_watch_stop("awatch-read", aw, "access-1", "access_phase", 22)
    if ok:
        ok = expect_watch_stop("awatch-write", aw, "access-1", "access_phase", 27)
    aw.delete()

run("continue")
check_eq("exit-code", exit_code(), 0)
check("guest-results-unchanged", "SUCCESS" in ukvm_file("UKVM_STDOUT"), ukvm_file("UKVM_STDOUT"))
