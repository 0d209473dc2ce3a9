# KERNEL: test_watch
# STATUS: 0
# A watched byte in the middle of a rep string instruction's range. A write stops right
# after the element that wrote it, as x86 reports a data breakpoint there: the pc still
# at the rep instruction, rcx counting the elements left. A read (here) stops once the
# instruction has run out (see check_rep_stop). Either way the value is there, the stop
# comes before the next instruction, and continuing finishes the instruction correctly:
# emul_phase checks every element itself (the guest prints SUCCESS, exit status 0).
import gdb
from watchgdb import *

connect()


def insn_at(address):
    arch = gdb.selected_frame().architecture()
    return arch.disassemble(address)[0]


def insn_before_pc():
    frame = gdb.selected_frame()
    start = int(frame.function().value().address)
    before = [i for i in frame.architecture().disassemble(start, pc())
              if i["addr"] + i["length"] == pc()]
    return before[0]["asm"] if before else ""


def check_rep_stop(label, mnemonic, elements, hit_index):
    """After a hit on element hit_index of a rep instruction of `elements` elements: either
    right after that element (pc at the instruction, rcx counting the rest), or after the
    last one: KVM's emulator finishes a rep whose reads it serves from the monitor within
    the same exit sequence, and leaves the pc at the instruction with rcx 0 (run again, it
    does nothing) or past it."""
    rcx = reg("rcx")
    at = insn_at(pc())["asm"]
    at_rep = "rep" in at and mnemonic in at
    if rcx != 0:
        check(label + "-after-the-element", at_rep and rcx <= elements - hit_index - 1,
              "pc at %r, rcx %d after element %d of %d" % (at, rcx, hit_index, elements))
    else:
        check(label + "-after-the-instruction", at_rep or mnemonic in insn_before_pc(),
              "pc at %r, before it %r" % (at, insn_before_pc()))


# rep movsb of 32 bytes from emul.b[0x2100] to the stack, the first
# read of that range: element 8 read-watched.
rd = watch("emul.b[0x2108]", gdb.WP_READ)
ev = run("continue")
check("movs-stopped-by-read-watchpoint", is_watch_stop(ev, rd), "stop %r" % ev)
check_rep_stop("movs", "movs", 32, 8)
rd.delete()

# rep stosb of 24 bytes of 0xa5 at emul.b[0x2200]: element 5 is watched.
wp = watch("emul.b[0x2205]")
ev = run("continue")
check("stos-stopped-by-watchpoint", is_watch_stop(ev, wp), "stop %r" % ev)
check_eq("stos-value", value("emul.b[0x2205]"), 0xA5)
check_eq("stos-earlier-elements", [value("emul.b[0x%x]" % a) for a in range(0x2200, 0x2205)],
         [0xA5] * 5)
check_rep_stop("stos", "stos", 24, 5)
wp.delete()

run("continue")
check_eq("exit-code", exit_code(), 0)
