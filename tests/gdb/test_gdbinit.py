# KERNEL: test_gdb_target
# STATUS: 137
# gdbinit/solo5.gdb connects (port from UKVM_GDB_PORT) and its solo5-* commands answer.
import os
import re
import gdb
from ukvmgdb import *

gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute("source gdbinit/solo5.gdb")
check_eq("connected-at-entry", pc(), int(gdb.parse_and_eval("(unsigned long)_start")))
out = gdb.execute("solo5-help", to_string=True)
check("solo5-help", "regs" in out and "pt" in out, out)
out = gdb.execute("solo5-regs", to_string=True)
check("solo5-regs", "rip" in out, out)
out = gdb.execute("solo5-pt $rip", to_string=True)
check("solo5-pt", "PML4" in out, out)
out = gdb.execute("solo5-exits 2", to_string=True)
check("solo5-exits", out.strip() != "", out)
out = gdb.execute("solo5-exc", to_string=True)
check("solo5-exc", "exception" in out.lower(), out)
out = gdb.execute("solo5-help xp", to_string=True)
check("solo5-help-cmd", "usage: xp" in out, out)
out = gdb.execute("solo5-segs", to_string=True)
user_mode = os.environ.get("UKVM_GUEST_MODE") == "user"
# cs: kernel mode's code segment in slot 1, user mode's in slot 6.
check("solo5-segs", ("GDT[6]" if user_mode else "GDT[1]") in out, out)
out = gdb.execute("solo5-dr", to_string=True)
check("solo5-dr", "dr7" in out, out)
# The /FMT sticks to the command as with gdb's own x; $cr3 is read on ukvm's side. The
# first PML4 entry of ukvm's tables points at the PDPT: present and writable (low bits 3).
out = gdb.execute("solo5-xp/1xg $cr3", to_string=True)
check("solo5-xp-fmt", re.search(r"0x[0-9a-f]+: 0x[0-9a-f]*[37]\b", out) is not None, out)
out = gdb.execute("solo5-map", to_string=True)
check("solo5-map", "r-x supervisor" in out, out)
out = gdb.execute("solo5-mem", to_string=True)
check("solo5-mem", "heap" in out, out)
out = gdb.execute("solo5-gdt", to_string=True)
check("solo5-gdt", "null descriptor" in out, out)
out = gdb.execute("solo5-sym _start", to_string=True)
check("solo5-sym", "_start+0x0" in out, out)
try:
    gdb.execute("solo5-pt", to_string=True)
    check("solo5-pt-needs-address", False, "no error")
except gdb.error as e:
    check("solo5-pt-needs-address", "usage: solo5-pt" in str(e), str(e))
out = gdb.execute("help solo5-map", to_string=True)
check("help-solo5-map", "address space" in out, out)
# The kernel fills the IDT before the app runs; in user mode it is ukvm's, with its stubs.
gdb.execute("tbreak solo5_app_main")
gdb.execute("continue")
out = gdb.execute("solo5-idt 14", to_string=True)
check("solo5-idt", "#PF" in out and ("(ukvm's trap entry stubs)" if user_mode else "trap") in out, out)
gdb.execute("kill")
