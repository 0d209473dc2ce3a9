# KERNEL: hvt_fault.hvt
# STATUS: 255
# A fault in a Solo5 hvt guest under gdb (tests/scripts/hvt_debug.sh), one run per case
# (HVT_FAULT: null_write, ud2, div0; the guest's first argument). The guest handles the
# exception itself (its stub builds the trap frame, its handler prints and HALTs with the
# frame as the cookie); ukvm rebuilds the faulting context from that frame, so gdb must
# stop AT the faulting instruction with the fitting signal, with the registers the
# instruction faulted with:
#   1. a breakpoint on the faulting instruction (found by its mnemonic in the function's
#      disassembly) records the registers there; it is deleted and the guest continued;
#   2. the stop: signal, pc = that instruction (on its source line: `info line *$pc`), pc and rsp = what the guest's own handler printed from the frame, every
#      general register as at the breakpoint (rflags but RF), the backtrace of the
#      faulting code (the function, then hvt_main, hvt_rt_start, _start: no trap handler
#      frames), x/i, `monitor exc` naming the exception, function and line, and
#      `monitor exits 1` the HALT;
#   3. continuing ends the guest as without gdb: exit code 255.
import os

import gdb
from hvtgdb import *

CASES = {
    # case: (function, instruction pattern, source text of its line, signal, exception)
    "null_write": ("null_write", r"^movl\s+\$0x1,\(%rax\)", "*p = 1;", "SIGSEGV", "Page fault (#PF"),
    "ud2": ("invalid_opcode", r"^ud2", '__asm__ __volatile__("ud2");', "SIGILL",
            "Invalid opcode (#UD"),
    "div0": ("divide_by_zero", r"^div", "return a / zero;", "SIGFPE", "Divide error (#DE"),
}
case = os.environ["HVT_FAULT"]
function, pattern, text, signal, exception = CASES[case]
# gcc clones divide_by_zero (divide_by_zero.constprop.0 in the ELF symbols, which ukvm's
# messages use); gdb names it by its DWARF name.
connect()
fault_insn = insn_matching(function, pattern)
line = source_line(FAULT_SOURCE, text)
info = info_line(fault_insn)

# 1. The registers at the faulting instruction, before it runs.
bp = gdb.Breakpoint("*%d" % fault_insn)
ev = run("continue")
check("breakpoint-at-faulting-instruction", is_breakpoint_stop(ev) and pc() == fault_insn,
      "stop %r at 0x%x" % (ev, pc()))
before = registers(CALLER_SAVED + CALLEE_SAVED + ["rsp", "eflags"])
bp.delete()

# 2. The fault.
ev = run("continue")
check_eq("signal", stop_signal(ev), signal)
check_eq("pc-at-faulting-instruction", pc(), fault_insn)
check_eq("function", function_at_pc(), function)
check_eq("line", line_at(pc()), line)
check("info-line-at-pc", info[0] == line and info[1] == FAULT_SOURCE and info[2] <= pc() < info[3],
      "info line *$pc: %r, expected line %d" % (info, line))
frame_rip, frame_rsp = guest_trap_line()
check_eq("pc-as-guest-trap-frame", pc(), frame_rip)
check_eq("rsp-as-guest-trap-frame", reg("rsp"), frame_rsp)
after = registers(CALLER_SAVED + CALLEE_SAVED + ["rsp", "eflags"])
for group, names in [("caller-saved", CALLER_SAVED), ("callee-saved", CALLEE_SAVED),
                     ("rsp", ["rsp"])]:
    diff = ["%s 0x%x (at the instruction 0x%x)" % (n, after[n], before[n])
            for n in names if after[n] != before[n]]
    check("%s-registers-as-at-the-instruction" % group, not diff, ", ".join(diff))
check_eq("rflags-as-at-the-instruction", after["eflags"] & ~RFLAGS_RF,
         before["eflags"] & ~RFLAGS_RF)
if case == "null_write":
    check_eq("cr2-null", reg("cr2"), 0)
check_eq("backtrace", backtrace(), [function, "hvt_main", "hvt_rt_start", "_start"])
insn = gdb.execute("x/i $pc", to_string=True)
check("x-i-at-pc", insn.startswith("=> 0x%x <%s" % (fault_insn, function)), insn)
exc = monitor("exc")
check("monitor-exc-names-fault", exception in exc and (" at %s" % function) in exc
      and ("(hvt_fault.c:%d)" % line) in exc, exc)
exits = monitor("exits 1")
check("monitor-exits-HALT", "hypercall HALT" in exits and "hvt_halt+" in exits, exits)

# 3. The end.
run("continue")
check_eq("exit-code", exit_code(), 255)
