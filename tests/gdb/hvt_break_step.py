# KERNEL: hvt_debug.hvt
# STATUS: 0
# Breakpoints and stepping on a Solo5 hvt binary (tests/scripts/hvt_debug.sh): the stop
# before the first instruction is at the ELF's entry; `break` (int3 in guest text) and
# `hbreak` (debug registers) stop at their address with gdb's breakpoint event, with the
# arguments and the backtrace of the call chain; stepi moves one instruction, nexti steps
# over a call (the callee runs), step enters a call, next and finish come back; stepping
# off a breakpoint leaves it armed; the guest then runs to its end (exit 0).
import gdb
from hvtgdb import *

connect()
entry = int(gdb.parse_and_eval("(unsigned long)&_start"))
check_eq("entry-pc-is-_start", pc(), entry)
check_eq("entry-function", function_at_pc(), "_start")
check_eq("entry-rdi-boot-info", reg("rdi"), 0x10000)
check_eq("entry-rsp-mem-size-minus-8", reg("rsp"), 512 * 1024 * 1024 - 8)

# ---------------------------------------------------------------- break (software)
bp = gdb.Breakpoint("leaf")
ev = run("continue")
check("break-is-breakpoint-stop", is_breakpoint_stop(ev) and bp in ev.breakpoints, repr(ev))
check_eq("break-pc", pc(), breakpoint_address(bp))
check_eq("break-function", function_at_pc(), "leaf")
check_eq("break-line", line_at(pc()), marker_line("leaf"))
check_eq("break-argument", int(gdb.parse_and_eval("x")), 1)
check_eq("break-backtrace", backtrace(),
         ["leaf", "middle", "top", "hvt_main", "hvt_rt_start", "_start"])
check_eq("break-memory-reads-original-code",
         int(gdb.parse_and_eval("*(unsigned char *)%d" % pc())) != 0xCC, True)
# Stepping off it: one instruction on, and it stays armed (the second call, leaf(4)).
run("stepi")
check_eq("stepi-off-breakpoint", pc(), breakpoint_address(bp) + insn_length(breakpoint_address(bp)))
ev = run("continue")
check("break-hit-again", is_breakpoint_stop(ev) and pc() == breakpoint_address(bp), repr(ev))
check_eq("break-hit-again-argument", int(gdb.parse_and_eval("x")), 4)
bp.delete()

# ---------------------------------------------------------------- hbreak
hb = gdb.Breakpoint("*middle", type=gdb.BP_HARDWARE_BREAKPOINT)
ev = run("continue")
check("hbreak-is-breakpoint-stop", is_breakpoint_stop(ev) and hb in ev.breakpoints, repr(ev))
check_eq("hbreak-pc", pc(), addr("middle"))
check_eq("hbreak-argument", int(gdb.parse_and_eval("$rdi")) & 0xFFFFFFFF, 2)
hb.delete()

# ---------------------------------------------------------------- stepi, nexti
# stepi: exactly one instruction, from middle's first.
here = pc()
run("stepi")
check_eq("stepi-one-instruction", pc(), here + insn_length(here))
# nexti over the first call to leaf: the pc after the call, in middle, and leaf ran.
call = insn_matching("middle", r"^call\s+0x[0-9a-f]+ <leaf>", first=True)
for _ in range(20):
    if pc() == call:
        break
    run("stepi")
check_eq("stepi-reaches-call", pc(), call)
before = int(gdb.parse_and_eval("dbg_counter"))
ev = run("nexti")
check_eq("nexti-over-call-pc", pc(), call + insn_length(call))
check_eq("nexti-stays-in-middle", function_at_pc(), "middle")
check_eq("nexti-callee-ran", int(gdb.parse_and_eval("dbg_counter")), before + 1)
# The end of a step: gdb's plain StopEvent (no signal, no breakpoint).
check("nexti-is-a-step-stop", ev is not None and type(ev) is gdb.StopEvent, repr(ev))

# ---------------------------------------------------------------- step, next, finish
# step: line by line, into the second call to leaf.
for _ in range(10):
    if function_at_pc() == "leaf":
        break
    run("step")
check_eq("step-enters-leaf", function_at_pc(), "leaf")
check_eq("step-stops-at-leaf-body", line_at(pc()), marker_line("leaf"))
check_eq("step-leaf-argument", int(gdb.parse_and_eval("x")), 7)
run("next")
check_eq("next-stays-in-leaf", function_at_pc(), "leaf")
check_eq("next-next-line", line_at(pc()), marker_line("leaf") + 1)
run("finish")
check_eq("finish-returns-to-middle", function_at_pc(), "middle")
ret = int(gdb.parse_and_eval("$")) if gdb.history(0) is not None else None
check_eq("finish-value", ret, 22)

run("continue")
check_eq("exit-code", exit_code(), 0)
check("guest-output", "SUCCESS" in ukvm_file("UKVM_STDOUT"), ukvm_file("UKVM_STDOUT"))
