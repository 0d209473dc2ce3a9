# KERNEL: test_gdb_target
# STATUS: 137
# gdbinit/solo5.gdb connects (port from UKVM_GDB_PORT) and its solo5-* commands answer.
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
gdb.execute("kill")
