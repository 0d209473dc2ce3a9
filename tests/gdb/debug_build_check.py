"""What a gdb user expects of a debug build (tests/scripts/debug_build.sh), on test_inline
built by `make app DEBUG=1` (UKVM_BUILD_MODE=debug) or without it (optimized).

debug: `break lookup` finds one location; `step` at the call of lookup in walk_table
enters lookup as a real frame (a call, not inlined code); its locals and its caller's are
readable; the macro SLOTS is known (-g3). optimized, the control: -O2 inlines lookup in
both of its callers, so the same `break` finds two locations (if it did not, this test
could not tell the two builds apart).
"""
import os
import re

import gdb
from ukvmgdb import check, check_eq, connect, run

MODE = os.environ["UKVM_BUILD_MODE"]


def locations(name):
    info = gdb.execute("info breakpoints", to_string=True)
    return len(re.findall(r" in %s at " % name, info))


def current_line_text():
    sal = gdb.selected_frame().find_sal()
    with open(sal.symtab.fullname()) as f:
        return f.read().splitlines()[sal.line - 1]


connect()
bp = gdb.Breakpoint("lookup")
if MODE == "optimized":
    check_eq("optimized/break-lookup-locations", locations("lookup"), 2)
else:
    check_eq("debug/break-lookup-one-location", locations("lookup"), 1)
    bp.delete()
    gdb.Breakpoint("walk_table")
    run("continue")
    for _ in range(6):
        if "lookup(" in current_line_text():
            break
        run("next")
    check("debug/at-the-call", "lookup(" in current_line_text(), current_line_text())
    caller_pc = gdb.selected_frame().pc()
    run("step")
    f = gdb.newest_frame()
    check_eq("debug/step-enters-lookup", f.name(), "lookup")
    check("debug/lookup-is-a-real-frame",
          f.type() == gdb.NORMAL_FRAME and f.older() is not None and f.older().pc() != f.pc(),
          "frame type %d, caller pc %#x, own pc %#x" % (f.type(), caller_pc, f.pc()))
    run("next")  # past `int scaled = read_slot(...) * 10;`
    f = gdb.newest_frame()
    scaled = f.read_var("scaled")
    index = f.read_var("index")
    check("debug/local-readable", not scaled.is_optimized_out and not index.is_optimized_out,
          "scaled %s, index %s" % (scaled, index))
    if not scaled.is_optimized_out and not index.is_optimized_out:
        check_eq("debug/local-value", int(scaled), 10 * (int(index) + 1))
    total = f.older().read_var("sum")
    check("debug/caller-local-readable", not total.is_optimized_out, str(total))
    check_eq("debug/macro-known", int(gdb.parse_and_eval("SLOTS")), 4)
gdb.execute("delete")
run("continue")
