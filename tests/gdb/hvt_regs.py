# KERNEL: hvt_debug.hvt
# ARGS: regs
# STATUS: 36
# Registers of a Solo5 hvt guest (tests/scripts/hvt_debug.sh): the system registers cr0,
# cr2, cr3, cr4, cr8 and efer read in gdb as `monitor regs` shows them, with long mode's
# bits; the guest's own GDT selectors (0x08, 0x10); fs_base, gs_base, eflags and the SSE
# registers readable; writes to r8-r15 at regs_sink's entry reach the vCPU, survive a
# step and are what the guest computes with (it exits with their sum, 1+...+8 = 36).
import os

import gdb
from hvtgdb import *

connect()
bp = gdb.Breakpoint("*regs_sink")
run("continue")
check_eq("at-regs_sink", pc(), addr("regs_sink"))
text = monitor("regs")
for r in ["cr0", "cr2", "cr3", "cr4", "cr8", "efer", "rip", "rsp", "rbp"]:
    check_eq("%s-as-monitor-regs" % r, reg(r), monitor_regs_value(text, r))
check_eq("cr0-pe-pg", reg("cr0") & 0x80000001, 0x80000001)
check_eq("cr4-pae", reg("cr4") & 0x20, 0x20)
check_eq("efer-lme-lma", reg("efer") & 0x500, 0x500)
check_eq("cr3-page-aligned", reg("cr3") & 0xFFF, 0)
info = gdb.execute("info registers cr0 cr3 cr4 efer", to_string=True)
check("info-registers-decodes", "PG" in info and "PAE" in info and "LMA" in info, info)
# In user mode the guest's lgdt and segment loads are emulated: the monitor's CPL 3
# segments stay loaded.
user_mode = os.environ.get("UKVM_GUEST_MODE") == "user"
check_eq("cs-guest-gdt", reg("cs"), 0x33 if user_mode else 0x8)
check_eq("ss-guest-gdt", reg("ss"), 0x2B if user_mode else 0x10)
check_eq("eflags-reserved-bit", reg("eflags") & 0x2, 0x2)
check("fs-gs-base-readable", reg("fs_base") >= 0 and reg("gs_base") >= 0)
check("xmm0-readable", gdb.parse_and_eval("$xmm0") is not None)
names = ["r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"]
for i, r in enumerate(names):
    gdb.execute("set $%s = %d" % (r, i + 1))
gdb.execute("set $rax = 0x1122334455667788")
run("stepi")
check_eq("r8-r15-survive-a-step", [reg(r) for r in names], [1, 2, 3, 4, 5, 6, 7, 8])
check_eq("rax-64-bit", reg("rax"), 0x1122334455667788)
check_eq("monitor-regs-sees-write", monitor_regs_value(monitor("regs"), "r15"), 8)
bp.delete()
run("continue")
check_eq("exit-code", exit_code(), 36)
