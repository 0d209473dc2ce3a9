"""Helpers for gdb end-to-end tests, loaded into gdb's Python by tests/scripts/gdb.sh.

Each test script connects to a ukvm started with --gdb, drives gdb with gdb.execute and
asserts on what gdb's event API reports (stop events, exit events) and on values read
through gdb. Every check prints one line, "PASS name" or "FAIL name: why", which the
runner counts. Printed stop text is not captured by gdb.execute(..., to_string=True), so
assertions use events and expressions, never gdb's console output.
"""
import os
import signal
import threading

import gdb

PORT = int(os.environ["UKVM_GDB_PORT"])
stops = []
exits = []
gdb.events.stop.connect(stops.append)
gdb.events.exited.connect(exits.append)
failures = 0


def check(name, ok, detail=""):
    global failures
    if ok:
        print("PASS %s" % name)
    else:
        failures += 1
        print("FAIL %s: %s" % (name, detail))
    return ok


def check_eq(name, actual, expected):
    return check(name, actual == expected, "got %r, expected %r" % (actual, expected))


def connect():
    gdb.execute("set pagination off")
    gdb.execute("set confirm off")
    gdb.execute("target remote 127.0.0.1:%d" % PORT)


def run(command):
    """Runs a resuming command; returns the stop event it caused, or None (exit)."""
    del stops[:]
    gdb.execute(command)
    return stops[-1] if stops else None


def pc():
    return int(gdb.parse_and_eval("$pc"))


def reg(name):
    return int(gdb.parse_and_eval("$" + name)) & 0xFFFFFFFFFFFFFFFF


def addr(symbol):
    """The address of a function or variable."""
    return int(gdb.parse_and_eval("(unsigned long)&%s" % symbol))


def function_at_pc():
    frame = gdb.selected_frame()
    return frame.name()


def stop_signal(event):
    return getattr(event, "stop_signal", None)


def is_breakpoint_stop(event):
    return isinstance(event, gdb.BreakpointEvent)


def interrupt_after(seconds):
    """Sends gdb itself a SIGINT later, as a user pressing Ctrl-C at the gdb prompt does."""
    timer = threading.Timer(seconds, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.daemon = True
    timer.start()
    return timer


def exit_code():
    """The exit code gdb saw, or None when the inferior did not exit."""
    if not exits:
        return None
    return getattr(exits[-1], "exit_code", None)


def _env_file(name):
    path = os.environ.get(name)
    if not path:
        return ""
    with open(path, errors="replace") as f:
        return f.read()


def ukvm_stderr():
    """What ukvm wrote to stderr so far (UKVM_STDERR, set by tests/scripts/gdb.sh)."""
    return _env_file("UKVM_STDERR")


def guest_stdout():
    """What ukvm's stdout (the guest's console) holds so far (UKVM_STDOUT)."""
    return _env_file("UKVM_STDOUT")


def monitor(command):
    return gdb.execute("monitor " + command, to_string=True)
