# KERNEL: test_exception
# OPTS: --core=@TMP@/exit.core
# STATUS: 255
# `monitor core PATH` writes a core of the current stop that a second gdb opens with the
# same view: at a software breakpoint that gdb keeps inserted, the core holds the original
# code, not the int3; at the page fault, the same signal, backtrace, pc, sp and FPU state,
# and the faulting address in $_siginfo. Bad arguments and a file that is not a core are
# refused with an error; the session goes on, and continuing ends the guest (exit 255).
# That end writes the --core file: the fault's view too, and the code as written although
# gdb had an int3 in guest memory for a breakpoint never reached.
import os
import shutil
import subprocess
import sys
import tempfile

import gdb
from ukvmgdb import *

KERNEL = gdb.current_progspace().filename
tmp = tempfile.mkdtemp(prefix="ukvm-core-monitor.")


def second_gdb(name, core, **expect):
    """Opens core in a second gdb (tests/gdb/core_check.py); reports its checks as ours."""
    env = dict(os.environ, CORE_FILE=core, CORE_NAME=name)
    env.update({k: str(v) for k, v in expect.items()})
    here = os.path.dirname(os.path.abspath(sys.modules["ukvmgdb"].__file__))
    try:
        out = subprocess.run(["gdb", "-batch", "-nx", "-x", os.path.join(here, "core_check.py"),
                              KERNEL], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, timeout=120, text=True).stdout
    except subprocess.TimeoutExpired:
        check(name + "/second-gdb", False, "timed out")
        return
    lines = [l for l in out.splitlines() if l.startswith(("PASS ", "FAIL "))]
    check(name + "/second-gdb-ran", bool(lines), out[-800:])
    for line in lines:
        kind, rest = line.split(" ", 1)
        what, _, why = rest.partition(": ")
        check(what, kind == "PASS", why)


def monitor_error(command):
    try:
        out = gdb.execute("monitor " + command, to_string=True)
        return None, out
    except gdb.error as e:
        return str(e), ""


connect()

# 1. A stop at a software breakpoint that stays in guest memory while stopped.
gdb.execute("set breakpoint always-inserted on")
gdb.execute("break fault_here")
ev = run("continue")
check("stopped-at-breakpoint", is_breakpoint_stop(ev) and function_at_pc() == "fault_here")
bp_addr = pc()
original = int(gdb.parse_and_eval("*(unsigned char *)%d" % bp_addr)) & 0xFF
path = os.path.join(tmp, "bp.core")
out = monitor("core " + path)
check("written-at-breakpoint", out.startswith("core written to %s (" % path), out)
second_gdb("at-breakpoint", path, CORE_SIGNAL="SIGTRAP",
           CORE_FRAMES="fault_here solo5_app_main", CORE_PC=bp_addr,
           CORE_SP=reg("rsp"), CORE_BYTE_AT=bp_addr, CORE_BYTE=original)
check("original-is-not-int3", original != 0xCC, "0x%02x" % original)
gdb.execute("delete")
gdb.execute("set breakpoint always-inserted off")

# 2. The fault: the same view as this stop.
ev = run("continue")
check_eq("sigsegv", stop_signal(ev), "SIGSEGV")
path = os.path.join(tmp, "fault.core")
out = monitor("core " + path)
check("written-at-fault", out.startswith("core written to %s (" % path), out)
second_gdb("at-fault", path, CORE_SIGNAL="SIGSEGV", CORE_FRAMES="fault_here solo5_app_main",
           CORE_PC=pc(), CORE_SP=reg("rsp"), CORE_SIGADDR=reg("cr2"), CORE_FCTRL=reg("fctrl"))

# Writing it again replaces the core.
out = monitor("core " + path)
check("rewritten", out.startswith("core written to"), out)

# 3. Refusals, without harming the session.
notes = os.path.join(tmp, "notes.txt")
with open(notes, "w") as f:
    f.write("precious\n")
err, _ = monitor_error("core " + notes)
check("not-a-core-refused", err is not None, "no error")
with open(notes) as f:
    check_eq("not-a-core-unchanged", f.read(), "precious\n")
err, _ = monitor_error("core a b")
check("two-paths-refused", err is not None, "no error")
err, _ = monitor_error("core %s/no/such/dir/x" % tmp)
check("missing-folder-refused", err is not None, "no error")
check_eq("still-at-fault", function_at_pc(), "fault_here")

# 4. The end, with a breakpoint that gdb inserts for the continue (the guest never gets
# there): --core writes the fault's core, without that int3.
shutil.rmtree(tmp, ignore_errors=True)
fault_pc, fault_sp = pc(), reg("rsp")
gdb.execute("break solo5_abort")
abort_addr = addr("solo5_abort")
abort_byte = int(gdb.parse_and_eval("*(unsigned char *)%d" % abort_addr)) & 0xFF
check("abort-byte-is-not-int3", abort_byte != 0xCC, "0x%02x" % abort_byte)
run("continue")
check_eq("exit-code", exit_code(), 255)
exit_core = os.path.join(os.path.dirname(os.environ["UKVM_STDERR"]), "exit.core")
second_gdb("on-exit", exit_core, CORE_SIGNAL="SIGSEGV", CORE_FRAMES="fault_here solo5_app_main",
           CORE_PC=fault_pc, CORE_SP=fault_sp, CORE_BYTE_AT=abort_addr, CORE_BYTE=abort_byte)
