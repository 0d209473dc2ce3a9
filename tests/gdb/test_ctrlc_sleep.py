# KERNEL: test_gdb_target
# ARGS: sleep
# STATUS: 137
# Ctrl-C stops a guest asleep in solo5_yield() at once, with SIGINT; resumed, it sleeps on
# (solo5_yield does not return early) and can be interrupted again.
import gdb
from ukvmgdb import *

connect()
interrupt_after(1.5)
ev = run("continue")
check_eq("sigint-in-yield", stop_signal(ev), "SIGINT")
frames = []
f = gdb.newest_frame()
while f is not None and len(frames) < 10:
    frames.append(f.name())
    f = f.older()
check("stopped-in-solo5_yield", "solo5_yield" in frames, repr(frames))
interrupt_after(1.0)
ev = run("continue")
check_eq("sigint-again-still-asleep", stop_signal(ev), "SIGINT")
gdb.execute("kill")
