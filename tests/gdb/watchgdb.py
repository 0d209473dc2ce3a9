"""Helpers for the watchpoint tests (tests/gdb/test_watch_*.py) on build/test_watch.ukvm.

Lines a test expects a stop on carry a marker comment, "/* @name */", in
tests/test_watch/*.c; marker_line() finds them, so the tests do not hard-code
line numbers. gdb's event API has no watchpoint event of its own: a watchpoint stop is a
gdb.BreakpointEvent whose breakpoints include the watchpoint, which gdb only reports when
the stub's stop reply named an address inside the watched range (watch:ADDR).
"""
import glob
import re

import gdb
from ukvmgdb import *

SOURCE = "tests/test_watch/test_watch.c"


def marker_line(name):
    """The line of marker @name, in whichever of the program's sources holds it (line
    numbers only: the tests also check the function)."""
    for path in sorted(glob.glob("tests/test_watch/*.c")):
        with open(path) as f:
            for number, text in enumerate(f, 1):
                if re.search(r"/\* @%s \*/" % re.escape(name), text):
                    return number
    raise KeyError("no marker @%s in tests/test_watch/*.c" % name)


def value(expr):
    return int(gdb.parse_and_eval(expr))


def stop_line():
    return gdb.selected_frame().find_sal().line


def access_line():
    """The source line of the instruction that made the access: the one just before the
    pc, since a watchpoint stops after it. (The pc's own line can be another one when the
    compiler interleaves instructions of neighbouring lines.)"""
    frame = gdb.selected_frame()
    pc_now = frame.pc()
    start = int(frame.function().value().address)
    insns = frame.architecture().disassemble(start, pc_now)
    before = [i for i in insns if i["addr"] + i["length"] == pc_now]
    if not before:
        return None
    return gdb.find_pc_line(before[0]["addr"]).line


def watch(expr, kind=gdb.WP_WRITE):
    """A hardware watchpoint through the Python API: returns the gdb.Breakpoint."""
    return gdb.Breakpoint(expr, gdb.BP_WATCHPOINT, kind)


def is_watch_stop(event, wp):
    return isinstance(event, gdb.BreakpointEvent) and any(
        b.number == wp.number for b in event.breakpoints)


def expect_watch_stop(label, command, wp, marker, function, expr=None, new=None):
    """Runs command; checks it stopped for wp at the marker's line in function, and
    (when given) that expr now reads new. Returns the stop event."""
    ev = run(command)
    ok = check("%s-stopped-by-watchpoint" % label, is_watch_stop(ev, wp),
               "stop %r (%s)" % (ev, stop_signal(ev) if ev else "no stop: exited?"))
    if not ok:
        return ev
    check_eq("%s-function" % label, function_at_pc(), function)
    check_eq("%s-line" % label, access_line(), marker_line(marker))
    if expr is not None:
        check_eq("%s-value" % label, value(expr), new)
    return ev


