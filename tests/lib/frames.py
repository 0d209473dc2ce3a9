"""frames.py KIND FILE: the backtrace in FILE as one "function file:line" per frame, for
comparing ukvm's backtraces with gdb's (tests/scripts/inline_frames.sh).

KIND ukvm: lines "#N  0x... in name+0x1c (file.c:42)", "#N  name (file.c:42)" (an
inlined frame) or "#N  name+0x1c (file.c:42)" (the function it was inlined into), as the
crash report, the shell's and gdb's `monitor bt` print them; the first run of such lines
is taken (a crash report after a shell session repeats it).
KIND gdb: gdb's `bt` lines, "#N  0x... in name (args) at path/file.c:42" or
"#N  name (args) at path/file.c:42"; files are reduced to their base names.
"""
import re
import sys

UKVM = re.compile(r"^\s*#(\d+)\s+(?:0x[0-9a-f]+ in )?([A-Za-z_][\w.]*)(?:\+0x[0-9a-f]+)?"
                  r"(?: \(([^():]+):(\d+)\))?\s*$")
GDB = re.compile(r"^#(\d+)\s+(?:0x[0-9a-f]+ in )?([A-Za-z_][\w.]*) \(.*\) at (\S+):(\d+)\s*$")


def frames(kind, lines):
    pattern = UKVM if kind == "ukvm" else GDB
    out, expect = [], 0
    for line in lines:
        m = pattern.match(line)
        if not m or int(m.group(1)) != expect:
            if out:  # the first backtrace ends at its first non-frame line
                break
            continue
        expect += 1
        name, path, lineno = m.group(2), m.group(3), m.group(4)
        where = "%s:%s" % (path.rsplit("/", 1)[-1], lineno) if path else "?"
        out.append("%s %s" % (name, where))
    return out


if __name__ == "__main__":
    with open(sys.argv[2], errors="replace") as f:
        print("\n".join(frames(sys.argv[1], f.read().splitlines())))
