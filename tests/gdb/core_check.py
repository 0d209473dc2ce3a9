"""Checks one ukvm core file with gdb's Python API (tests/scripts/core.sh, test_core_monitor.py).

Run as: gdb -batch -nx -x tests/gdb/core_check.py KERNEL.ukvm, with the environment:
  CORE_FILE      the core to load
  CORE_NAME      prefix of the check names
  CORE_FRAMES    function names the backtrace must show, innermost first, in this order
                 ("fault_here solo5_app_main"); the first must be frame #0
  CORE_FRAMES_EXACT  optional, 1: CORE_FRAMES are exactly the first frames, with none
                 between them
  CORE_LINE      optional: the source line of frame #0
  CORE_SIGNAL    the signal gdb must report ("SIGSEGV")
  CORE_PC, CORE_SP  optional: the pc and sp frame CORE_REG_FRAME (default 0) must have
  CORE_SIGADDR   optional: $_siginfo's fault address
  CORE_BYTE_AT, CORE_BYTE  optional: the byte the core must hold at an address
  CORE_FCTRL     optional: the x87 control word
  CORE_EXEC_MATCHES  optional, 1: gdb takes KERNEL for the core's executable (no "core
                 file may not match" warning; the kernel's file name is 16 characters
                 or fewer)
Prints one "PASS name" or "FAIL name: why" line per check.
"""
import os

import gdb

NAME = os.environ.get("CORE_NAME", "core")


def check(what, ok, detail=""):
    print("%s %s/%s%s" % ("PASS" if ok else "FAIL", NAME, what, "" if ok else ": " + str(detail)))


def env_int(var):
    v = os.environ.get(var, "")
    return int(v, 0) if v else None


gdb.execute("set pagination off")
gdb.execute("set confirm off")
try:
    loaded = gdb.execute("core-file " + os.environ["CORE_FILE"], to_string=True)
except gdb.error as e:
    check("loads", False, e)
    raise SystemExit(0)
check("loads", True)

if os.environ.get("CORE_EXEC_MATCHES") == "1":
    check("exec-matches", "may not match" not in loaded, loaded)

signal = os.environ.get("CORE_SIGNAL")
if signal:
    check("signal-" + signal, "Program terminated with signal %s," % signal in loaded, loaded)

frames = []
f = gdb.newest_frame()
while f is not None and len(frames) < 32:
    frames.append(f)
    f = f.older()
names = [fr.name() for fr in frames]
want = os.environ.get("CORE_FRAMES", "").split()
if want:
    check("frame0-" + want[0], names[:1] == want[:1], names)
    pos, ok = 0, True
    for w in want:
        if w not in names[pos:]:
            ok = False
            break
        pos = names.index(w, pos) + 1
    check("backtrace-" + "-".join(want), ok, names)
    if os.environ.get("CORE_FRAMES_EXACT") == "1":
        check("backtrace-exactly-" + "-".join(want), names[:len(want)] == want, names)

    # pc inside frame #0's function, by its block's range
    pc = frames[0].pc()
    block = gdb.block_for_pc(pc)
    while block is not None and block.function is None:
        block = block.superblock
    check("pc-inside-" + want[0], block is not None and block.start <= pc < block.end
          and block.function.name == want[0], "pc 0x%x" % pc)

line = env_int("CORE_LINE")
if line is not None and frames:
    got = frames[0].find_sal().line
    check("frame0-line-%d" % line, got == line, "line %s" % got)

nframe = env_int("CORE_REG_FRAME") or 0
exp_pc, exp_sp = env_int("CORE_PC"), env_int("CORE_SP")
if exp_pc is not None and nframe < len(frames):
    fr = frames[nframe]
    check("pc-frame%d" % nframe, fr.pc() == exp_pc, "0x%x, expected 0x%x" % (fr.pc(), exp_pc))
    if exp_sp is not None:
        sp = int(fr.read_register("rsp")) & 0xFFFFFFFFFFFFFFFF
        check("sp-frame%d" % nframe, sp == exp_sp, "0x%x, expected 0x%x" % (sp, exp_sp))

addr = env_int("CORE_SIGADDR")
if addr is not None:
    try:
        got = int(gdb.parse_and_eval("(unsigned long)$_siginfo._sifields._sigfault.si_addr"))
        check("siginfo-addr", got == addr, "0x%x, expected 0x%x" % (got, addr))
    except gdb.error as e:
        check("siginfo-addr", False, e)

inferior = gdb.selected_inferior()
try:
    inferior.read_memory(0, 1)
    check("null-page-not-in-core", False, "address 0 is readable")
except gdb.MemoryError:
    check("null-page-not-in-core", True)

byte_at = env_int("CORE_BYTE_AT")
if byte_at is not None:
    got = inferior.read_memory(byte_at, 1).tobytes()[0]
    check("byte-at-0x%x" % byte_at, got == env_int("CORE_BYTE"),
          "0x%02x, expected 0x%02x" % (got, env_int("CORE_BYTE")))

# The x87/SSE state came through NT_FPREGSET: the control word is never 0 (KVM resets it
# to 0x37f, as FNINIT does); CORE_FCTRL, when given, is the exact value expected.
try:
    fctrl = int(gdb.parse_and_eval("$fctrl"))
    want_fctrl = env_int("CORE_FCTRL")
    check("fpu-state", fctrl == want_fctrl if want_fctrl is not None else fctrl != 0,
          "fctrl 0x%x" % fctrl)
except gdb.error as e:
    check("fpu-state", False, e)
