# Run by tests/scripts/console.sh, not by gdb.sh: ukvm's stdout is a FIFO (UKVM_FIFO)
# nobody reads, with build/test_sleep.ukvm flood. Ctrl-C in gdb stops the guest although it
# is blocked writing its console output (SIGINT, inside solo5_console_write); once a reader
# drains the FIFO, continuing finishes the write where it stopped: the output is exactly
# what the guest wrote, nothing lost or written twice, and the guest exits 0.
import os
import signal
import subprocess
import threading

import gdb
from ukvmgdb import *

FIFO = os.environ["UKVM_FIFO"]
PID = os.environ["UKVM_PID"]
OUT = os.environ["UKVM_FIFO_OUT"]


def interrupt_when_full():
    """Ctrl-C (SIGINT to gdb itself) once the guest's output fills the pipe."""
    full = subprocess.call(["python3", "tests/lib/pipe_tool.py", "wait-full", FIFO, "120", PID]) == 0
    if not full:
        print("FAIL pipe-filled: the guest's output never filled the pipe")
    os.kill(os.getpid(), signal.SIGINT)


connect()
threading.Thread(target=interrupt_when_full, daemon=True).start()
ev = run("continue")
check_eq("ctrl-c-stops-blocked-guest", stop_signal(ev), "SIGINT")
bt = gdb.execute("bt", to_string=True)
check("stopped-in-console-write", "solo5_console_write" in bt, bt)
reader = subprocess.Popen(["python3", "tests/lib/pipe_tool.py", "drain", FIFO, "done\\n", OUT])
run("continue")
check_eq("exit-code", exit_code(), 0)
check_eq("reader-done", reader.wait(timeout=120), 0)
with open(OUT) as f:
    got = f.read()
want = "".join("%06d\n" % i for i in range(8 * 4096)) + "done\n"
check("output-exact", got == want, "%d bytes, expected %d; first difference at %s" % (
    len(got), len(want), next((i for i in range(min(len(got), len(want))) if got[i] != want[i]),
                              min(len(got), len(want)))))
