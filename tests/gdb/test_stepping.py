# KERNEL: test_gdb_target
# STATUS: 0
# stepi, step, next, finish and until; stepping off a breakpoint does not stop on it again.
import gdb
from ukvmgdb import *

connect()
gdb.execute("break top")
run("continue")
check_eq("at-top", function_at_pc(), "top")
before = pc()
run("stepi")
check("stepi-moves-pc", pc() != before, "pc stayed at %#x" % before)
# Step on into middle (source-line stepping enters calls).
for _ in range(10):
    if function_at_pc() == "middle":
        break
    run("step")
check_eq("step-enters-middle", function_at_pc(), "middle")
# next steps over the call to leaf: we stay in middle.
run("next")
check_eq("next-stays-in-middle", function_at_pc(), "middle")
run("finish")
check_eq("finish-returns-to-top", function_at_pc(), "top")
gdb.execute("delete")

# Stepping off a breakpoint: stopped on one, stepi must leave it.
gdb.execute("break leaf")
run("continue")
bp_pc = pc()
run("stepi")
check("stepi-off-breakpoint", pc() != bp_pc, "still at %#x" % bp_pc)
ev = run("continue")
check("breakpoint-still-armed", ev is not None and function_at_pc() == "leaf",
      "did not stop at leaf again")
gdb.execute("delete")

# until LOCATION stops at the location or when the current frame returns, whichever is
# first: from stage3, stage4 is only reached after stage3 returned to solo5_app_main.
gdb.execute("break stage3")
run("continue")
gdb.execute("delete")
run("until *%d" % addr("stage4"))
check_eq("until-stops-at-return", function_at_pc(), "solo5_app_main")
run("advance stage4")
check_eq("advance-stage4", function_at_pc(), "stage4")
# until with no argument: line by line, never back into a loop already run.
line = gdb.selected_frame().find_sal().line
run("until")
check("until-next-line", gdb.selected_frame().find_sal().line != line or
      function_at_pc() != "stage4", "line stayed %d" % line)

# Many stepi in a row give a consistent pc each time.
ok = True
for _ in range(200):
    p = pc()
    run("stepi")
    if exits:
        break
    if pc() == p and function_at_pc() != "spin":
        ok = False
        break
check("two-hundred-stepi", ok, "pc stuck at %#x" % pc())
run("continue")
check_eq("exit-code", exit_code(), 0)
