"""Helpers for the reverse-debugging gdb tests (tests/gdb/test_reverse_*.py), on top of
ukvmgdb: the guest is build/test_reverse.ukvm, started with --record."""
import re

import gdb
from ukvmgdb import *

SOURCE = "tests/test_reverse/test_reverse.c"


def marker_line(name):
    """The line of marker @name in test_reverse.c."""
    with open(SOURCE) as f:
        for number, text in enumerate(f, 1):
            if re.search(r"/\* @%s \*/" % re.escape(name), text):
                return number
    raise KeyError("no marker @%s in %s" % (name, SOURCE))


def value(expr):
    return int(gdb.parse_and_eval(expr))


def line():
    return gdb.selected_frame().find_sal().line


def where():
    """(function, line) of the selected frame."""
    return (function_at_pc(), line())


def is_history_begin(event):
    """gdb's stop at the start of the record ("No more reverse-execution history"): a
    plain stop, no signal, no breakpoint."""
    return (event is not None and not isinstance(event, gdb.BreakpointEvent)
            and stop_signal(event) is None)



def entry_pc():
    return addr("_start")
