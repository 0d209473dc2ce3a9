# solo5.gdb: connect gdb to `ukvm --gdb` and add solo5-* commands.
#
#   gdb -x gdbinit/solo5.gdb build/myapp.ukvm
#
# Connects to 127.0.0.1:1234, ukvm's default. Set UKVM_GDB_HOST and UKVM_GDB_PORT in the
# environment to connect elsewhere (for example after `ukvm --gdb=0` picked a port).
# Load the unikernel ELF as gdb's file (the command-line argument above) for symbols.

python
import os
_ukvm_host = os.environ.get("UKVM_GDB_HOST", "127.0.0.1")
_ukvm_port = os.environ.get("UKVM_GDB_PORT", "1234")
gdb.execute("target remote %s:%s" % (_ukvm_host, _ukvm_port))
end

define solo5-help
  monitor help
end
document solo5-help
List ukvm's monitor commands (the same as `monitor help`).
end

define solo5-regs
  monitor regs
end
document solo5-regs
All vCPU registers, control registers decoded into flag names, segments and tables.
end

define solo5-pt
  if $argc != 1
    echo usage: solo5-pt ADDR   (a number, a symbol, or $reg, e.g. solo5-pt $rip)\n
  else
    monitor pt $arg0
  end
end
document solo5-pt
Walk the guest page tables for one virtual address: PML4, PDPT, PD and PT entries with
their flags, then the physical address or why an access would fault.
Usage: solo5-pt ADDR
end

define solo5-exc
  monitor exc
end
document solo5-exc
The last exception the guest took: vector, decoded error code, CR2, where, registers.
end

define solo5-exits
  if $argc == 0
    monitor exits
  else
    monitor exits $arg0
  end
end
document solo5-exits
The most recent KVM exits (default 20), newest first, and counts per exit reason.
Usage: solo5-exits [N]
end
