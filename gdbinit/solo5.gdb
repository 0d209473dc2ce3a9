# solo5.gdb: connect gdb to `ukvm --gdb` and add solo5-* commands.
#
#   gdb -x gdbinit/solo5.gdb build/myapp.ukvm
#
# Connects to 127.0.0.1:1234, ukvm's default. Set UKVM_GDB_HOST and UKVM_GDB_PORT in the
# environment to connect elsewhere (for example after `ukvm --gdb=0` picked a port).
# Load the unikernel ELF as gdb's file (the command-line argument above) for symbols.
#
# Each solo5-NAME command runs `monitor NAME ARGS`: ukvm's inspection commands, the same
# as in `ukvm --shell` (docs/shell.md). `help solo5-NAME` shows ukvm's own usage for it.
# Only the inspection commands are wrapped: gdb itself breaks, watches, steps and runs.

python
import os

_ukvm_host = os.environ.get("UKVM_GDB_HOST", "127.0.0.1")
_ukvm_port = os.environ.get("UKVM_GDB_PORT", "1234")

# (gdb command suffix, what it does, whether it needs an argument). The text is the one
# line gdb's `help user-defined` lists; the full usage comes from ukvm when asked.
_UKVM_COMMANDS = [
    ("help", "ukvm's monitor commands, or one command's usage: solo5-help [CMD]", False),
    ("regs", "all registers: general, flags and control registers decoded, segments", False),
    ("segs", "segment registers with their GDT descriptors decoded; GDTR, IDTR", False),
    ("dr", "debug registers DR0-DR3, DR6 and DR7 decoded", False),
    ("xp", "examine guest-physical memory: solo5-xp[/FMT] ADDR (FMT as gdb's x)", True),
    ("pt", "walk the page tables for one address: solo5-pt ADDR", True),
    ("map", "the whole address space: mapped ranges, permissions, page sizes", False),
    ("mem", "the memory map: ELF segments, heap, stack, system area, KVM slots", False),
    ("gdt", "the global descriptor table, decoded", False),
    ("idt", "the interrupt descriptor table, handlers symbolized: solo5-idt [VECTOR]", False),
    ("exc", "the last exception: vector, error code, CR2, where, trap-frame registers", False),
    ("exits", "the last N KVM exits (default 20) and counts per reason: solo5-exits [N]", False),
    ("sym", "address to function+offset and file:line, or symbol to address: solo5-sym X", True),
    ("core", "write an ELF core file of this stop (on ukvm's side): solo5-core [PATH]", False),
]


class _UkvmMonitorCommand(gdb.Command):
    """Runs one ukvm monitor command."""

    def __init__(self, name, needs_argument):
        super().__init__("solo5-" + name, gdb.COMMAND_USER)
        self._name = name
        self._needs_argument = needs_argument

    def invoke(self, argument, from_tty):
        argument = argument.strip()
        # gdb's /FMT sticks to the command name (x/4xg): keep it attached for ukvm.
        if argument.startswith("/"):
            fmt, _, rest = argument.partition(" ")
            command = self._name + fmt
            argument = rest.strip()
        else:
            command = self._name
        if self._needs_argument and not argument:
            raise gdb.GdbError("usage: solo5-%s ARGUMENT (see: solo5-help %s)"
                               % (self._name, self._name))
        gdb.execute(("monitor %s %s" % (command, argument)).rstrip(), from_tty)


for _name, _text, _needs in _UKVM_COMMANDS:
    # gdb takes a command's help from its class's docstring: one class per command.
    _cls = type("_Solo5_" + _name, (_UkvmMonitorCommand,),
                {"__doc__": _text + "\nRuns `monitor %s ...` in ukvm." % _name})
    _cls(_name, _needs)

gdb.execute("target remote %s:%s" % (_ukvm_host, _ukvm_port))
end
