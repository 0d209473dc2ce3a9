# KERNEL: test_gdb_target
# STATUS: 0
# ukvm stops before the first instruction: the PC is the ELF entry point and gdb shows
# its source; registers and memory read; continuing runs the guest to its exit status.
import gdb
from ukvmgdb import *

connect()
entry = int(gdb.parse_and_eval("(unsigned long)_start"))
check_eq("pc-is-elf-entry", pc(), entry)
sal = gdb.selected_frame().find_sal()
check("entry-has-source", sal.symtab is not None and sal.line > 0,
      "no source line for the entry point")
check_eq("rdi-is-boot-info", reg("rdi"), 0x3000)
check("rsp-at-stack-top", reg("rsp") > 0x100000 and reg("rsp") % 0x1000 == 0, hex(reg("rsp")))
check_eq("cr3-readable", int(gdb.parse_and_eval("$cr3")), reg("cr3"))
check("cr0-paging", reg("cr0") & 0x80000001 == 0x80000001, hex(reg("cr0")))
check_eq("efer-long-mode", reg("efer") & 0x500, 0x500)
check_eq("fs-base-readable", reg("fs_base"), 0)
mem = gdb.selected_inferior().read_memory(entry, 4).tobytes()
check("text-readable", len(mem) == 4, repr(mem))
run("continue")
check_eq("exit-code", exit_code(), 0)
