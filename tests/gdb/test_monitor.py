# KERNEL: test_gdb_target
# STATUS: 137
# gdb's `monitor` commands: help lists them; regs, pt, exc and exits answer; errors are
# reported without harming the session; gdb's kill ends ukvm with status 137.
import gdb
from ukvmgdb import *

connect()
gdb.execute("break leaf")
run("continue")
out = monitor("help")
for name in ["help", "regs", "pt", "exc", "exits"]:
    check("help-lists-" + name, name in out, out)
out = monitor("regs")
check("regs-shows-rip", "rip" in out and "cr3" in out, out)
out = monitor("pt $rip")
check("pt-names-levels", all(l in out for l in ["PML4", "PDPT", "PD"]), out)
out = monitor("pt 0")
check("pt-null-not-present", "not present" in out, out)
out = monitor("exits 3")
check("exits-shows-counts", "total" in out and "newest first" in out, out)
out = monitor("exc")
check("exc-none-yet", "no exception" in out.lower(), out)
try:
    gdb.execute("monitor frobnicate", to_string=True)
    check("unknown-command-error", False, "no error")
except gdb.error as e:
    check("unknown-command-error", True)
check_eq("still-usable-after-error", function_at_pc(), "leaf")
# The shell's commands answer here too; those that run the guest name gdb's own command.
out = monitor("help")
for name in ["segs", "dr", "x", "xp", "disas", "map", "mem", "gdt", "idt", "sym", "list", "bt",
             "break", "continue", "quit"]:
    check("help-lists-" + name, ("\n" + name + " ") in out, out)
out = monitor("x/2i $rip")
check("x-i-at-pc", "<leaf+0x0>" in out, out)
out = monitor("bt")
check("bt-names-callers", "in leaf+" in out and "in middle+" in out, out)
out = monitor("gdt")
check("gdt-decoded", "TSS busy" in out, out)
out = monitor("map")
check("map-ranges", "r-x supervisor" in out and "ranges (cr3" in out, out)
for cmd, ours in [("break leaf", "break"), ("continue", "continue"), ("stepi", "stepi"),
                  ("quit", "kill' or 'detach")]:
    try:
        gdb.execute("monitor " + cmd, to_string=True)
        check("control-refused-" + cmd.split()[0], False, "no error")
    except gdb.error as e:
        check("control-refused-" + cmd.split()[0], True)
check_eq("still-at-leaf-after-refusals", function_at_pc(), "leaf")
gdb.execute("kill")
