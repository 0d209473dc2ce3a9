# KERNEL: hvt_debug.hvt
# STATUS: 137
# gdb's `monitor` commands on a Solo5 hvt guest (tests/scripts/hvt_debug.sh), at a
# breakpoint in leaf: regs (rip, cr3 as gdb reads them), exc (no exception yet), pt (the
# text page r-x, dbg_page rw-, the boot information read-only at 0x10000, the null page
# and ukvm's page tables not mapped), exits (the hvt hypercalls by their hvt names), bt,
# sym, mem (the hvt memory layout: boot information at 0x10000, no ukvm-only areas),
# errors that leave the session usable; gdb's kill ends ukvm with status 137.
import os

import gdb
from hvtgdb import *

connect()
gdb.Breakpoint("*leaf")
run("continue")
check_eq("at-leaf", pc(), addr("leaf"))
out = monitor("regs")
check_eq("regs-rip", monitor_regs_value(out, "rip"), pc())
check_eq("regs-cr3", monitor_regs_value(out, "cr3"), reg("cr3"))
check_eq("regs-rsp", monitor_regs_value(out, "rsp"), reg("rsp"))
out = monitor("exc")
check("exc-none-yet", "no exception so far" in out, out)
# User mode: the guest's pages are reachable from CPL 3.
priv = "user" if os.environ.get("UKVM_GUEST_MODE") == "user" else "supervisor"
out = monitor("pt $rip")
check("pt-text-r-x", ("=> pa 0x%x (4 KiB page, r-x, %s)" % (pc(), priv)) in out, out)
out = monitor("pt dbg_page")
check("pt-data-rw", ("=> pa 0x%x (4 KiB page, rw-, %s)" % (addr("dbg_page"), priv)) in out, out)
out = monitor("pt 0x10000")
check("pt-boot-info-read-only", "=> pa 0x10000 (4 KiB page, r--, %s)" % priv in out, out)
out = monitor("pt 0")
check("pt-null-not-present", "=> fault: not present" in out, out)
out = monitor("pt $cr3")
check("pt-page-tables-not-mapped", "=> fault: not present" in out, out)
out = monitor("bt")
check("bt-call-chain", all(("in %s+" % f) in out for f in
                           ["leaf", "middle", "top", "hvt_main", "hvt_rt_start", "_start"]), out)
out = monitor("sym leaf")
check("sym-leaf", ("0x%016x  leaf+0x0" % addr("leaf")) in out and "hvt_debug.c:" in out, out)
out = monitor("mem")
check("mem-boot-info-at-0x10000", "boot info    0x0000000000010000-" in out, out)
check("mem-no-ukvm-only-areas", "IST stacks" not in out and "cmdline      0x0000000000004000" not in out
      and "TSS          0x0000000000002000" not in out, out)
check("mem-no-stack-guard-page-at-0", "guard page   0x0000000000000000" not in out, out)
check("mem-entry", ("(entry 0x%x)" % addr("_start")) in out, out)
try:
    gdb.execute("monitor frobnicate", to_string=True)
    check("unknown-command-error", False, "no error")
except gdb.error:
    check("unknown-command-error", True)
check_eq("still-at-leaf", pc(), addr("leaf"))
out = monitor("exits 5")
check("exits-counts", "VM exits by reason since the start:" in out and "total" in out, out)
gdb.execute("kill")
