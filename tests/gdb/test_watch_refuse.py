# KERNEL: test_watch
# STATUS: 0
# ENV: UKVM_WATCH_PAGES=1
# Pages a watchpoint must not trap are refused with an error, not silence: gdb says it
# could not insert the watchpoint (gdb 13 shows no reason for Z packets), ukvm's stderr
# says why; after deleting it the guest runs on normally.
import gdb
from watchgdb import *

connect()
gdb.execute("break stack_phase")
run("continue")
check_eq("at-stack-phase", function_at_pc(), "stack_phase")


def refused(label, expr, reason):
    said = len(ukvm_stderr())
    wp = watch(expr)
    try:
        gdb.execute("continue")
        check(label + "-refused", False, "continue went on with the watchpoint")
    except gdb.error as e:
        check(label + "-refused", "Command aborted" in str(e) or "Could not insert" in str(e),
              str(e))
    check(label + "-reason", reason in ukvm_stderr()[said:], "no %r in ukvm's stderr: %r" %
          (reason, ukvm_stderr()[said:][-600:]))
    check_eq(label + "-still-in-stack-phase", function_at_pc(), "stack_phase")
    wp.delete()


refused("stack-local", "local", "is part of the stack")
# A constant address: gdb watches an expression with registers in software.
refused("stack-rsp", "*(long *)0x%x" % reg("rsp"), "is part of the stack")
refused("code", "*(char *)sink", "holds code")
refused("page-tables", "*(long *)0x20000", "holds page tables")
refused("gdt", "*(long *)0x1000", "holds the GDT")
gdb.execute("delete")
run("continue")
check_eq("exit-code", exit_code(), 0)
