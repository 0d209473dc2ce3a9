"""Helpers for the gdb scripts that debug Solo5 hvt binaries (tests/gdb/hvt_*.py), run by
tests/scripts/hvt_debug.sh against a ukvm started with --gdb on build/hvt_*.hvt.

On top of ukvmgdb (connect, run, check, ...): lines found by their source text or by a
marker comment ("/* @name */" in tests/hvt/hvt_debug/hvt_debug.c), instructions found by
their mnemonic in a function's disassembly, the backtrace as a list of names, the
registers as a dict, and what ukvm printed (UKVM_STDOUT, UKVM_STDERR: the files the
runner sends ukvm's output to). Expected values never come from ukvm itself: addresses
and lines come from the ELF's symbols and debug information, through gdb.
"""
import os
import re

import gdb
from ukvmgdb import *

DEBUG_SOURCE = "tests/hvt/hvt_debug/hvt_debug.c"
FAULT_SOURCE = "tests/hvt/hvt_fault/hvt_fault.c"

# The general registers gdb reads from the stub: the ones a Solo5 trap stub saves (the
# caller-saved ones), and those it leaves to the C handler (callee-saved).
CALLER_SAVED = ["rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11"]
CALLEE_SAVED = ["rbx", "rbp", "r12", "r13", "r14", "r15"]
RFLAGS_RF = 1 << 16


def source_line(path, text):
    """The number of the one line of path that contains text."""
    hits = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            if text in line:
                hits.append(number)
    if len(hits) != 1:
        raise KeyError("%r is on lines %r of %s, expected exactly one" % (text, hits, path))
    return hits[0]


def marker_line(name, path=DEBUG_SOURCE):
    return source_line(path, "/* @%s */" % name)


def line_at(address):
    return gdb.find_pc_line(address).line


def function_range(name):
    """(start, end) of function name, from its block in the debug information."""
    start = addr(name)
    block = gdb.block_for_pc(start)
    while block is not None and block.function is None:
        block = block.superblock
    return block.start, block.end


def instructions(name):
    """The disassembly of function name: a list of dicts (addr, asm, length)."""
    start, end = function_range(name)
    arch = gdb.selected_frame().architecture()
    return arch.disassemble(start, end - 1)


def insn_matching(name, pattern, first=False):
    """The address of the one instruction of function name whose text matches pattern
    (with first, of the first of several)."""
    hits = [i["addr"] for i in instructions(name) if re.search(pattern, i["asm"])]
    if len(hits) != 1 and not (first and hits):
        raise KeyError("%d instructions of %s match %r" % (len(hits), name, pattern))
    return hits[0]


def insn_length(address):
    arch = gdb.selected_frame().architecture()
    return arch.disassemble(address)[0]["length"]


def insn_text(address):
    arch = gdb.selected_frame().architecture()
    return arch.disassemble(address)[0]["asm"]


def info_line(address):
    """(line, file, start, end) from `info line *address`: the line-table entry holding
    address, [start, end)."""
    out = gdb.execute("info line *%d" % address, to_string=True)
    m = re.search(r'Line (\d+) of "([^"]+)"\s+starts at address (0x[0-9a-f]+) .*and ends at '
                  r'(0x[0-9a-f]+)', out, re.S)
    if not m:
        raise KeyError("info line *0x%x: %s" % (address, out))
    return int(m.group(1)), m.group(2), int(m.group(3), 16), int(m.group(4), 16)


def backtrace(limit=16):
    names = []
    f = gdb.newest_frame()
    while f is not None and len(names) < limit:
        names.append(f.name() or ("<signal handler called>" if f.type() == gdb.SIGTRAMP_FRAME
                                  else "??"))
        f = f.older()
    return names


def registers(names):
    return {n: reg(n) for n in names}


def breakpoint_address(bp):
    """The address of gdb.Breakpoint bp (its one location)."""
    return int(bp.locations[0].address)


def ukvm_file(var):
    path = os.environ.get(var)
    if not path:
        return ""
    with open(path, errors="replace") as f:
        return f.read()


def guest_trap_line():
    """rip and rsp of the last trap frame the guest's own handler printed
    ("hvt_rt: trap #PF (vector 14) ec=0x2 rip=0x... rsp=0x..."), or (None, None). The
    last: where KVM does not intercept int3, the guest's handler also printed the #BP of
    each breakpoint the test stopped at before (ukvm --probe, docs/portability.md)."""
    found = re.findall(r"hvt_rt: trap .* rip=(0x[0-9a-f]+) rsp=(0x[0-9a-f]+)", ukvm_file("UKVM_STDOUT"))
    if not found:
        return None, None
    return int(found[-1][0], 16), int(found[-1][1], 16)


def monitor_regs_value(text, name):
    """The value of register name in `monitor regs` output."""
    m = re.search(r"(?:^|\s)%s\s+(0x[0-9a-f]+)" % re.escape(name), text)
    return int(m.group(1), 16) if m else None
