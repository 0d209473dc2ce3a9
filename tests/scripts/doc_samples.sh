#!/usr/bin/env bash
# Sample output in README.md and docs/*.md is what a real run prints today: every block
# marked with a comment line
#
#     <!-- sample: COMMAND -->
#
# just before it (a fenced block, or an indented one) is compared with the output of
# COMMAND (stdout then stderr, as a terminal shows them when the program writes stdout
# first; run from the top of the tree, stdin closed, 60 s at most). In the block:
#   - a line "$ ..." is the command as shown to the reader, not output: skipped;
#   - a line "..." (alone, indented or not) stands for any number of lines;
#   - every other line must equal the next output line, trailing blanks aside.
# "<!-- sample on MODULE: COMMAND -->" is a sample of what COMMAND prints on one kind of
# KVM (ukvm --probe): compared only where /sys/module/MODULE exists, else a SKIP line.
# One PASS or FAIL line per sample, named FILE:LINE; a FAIL shows the first difference.
# Then one more: every block that shows a session (a prompt followed by output) has such a
# marker, so that no sample goes unchecked.
#
# A COMMAND that names $SOLO5_TESTS runs a binary that Solo5's own toolchain built: with
# SOLO5=DIR (a Solo5 source tree) in the environment, the tree is built once
# (tests/solo5/build_solo5.sh) and SOLO5_TESTS is its tests folder; without it such a
# sample is a SKIP line saying so (CI has no Solo5 tree). Likewise $OCAML_HVT_DIR, a
# folder with the OCaml unikernels of docs/ocaml.md (OCAML_HVT_DIR=DIR in the environment).
set -u
cd "$(dirname "$0")/../.."
source tests/lib/common.bash
if ! command -v python3 >/dev/null; then
    echo "SKIP doc-samples: python3 is not installed (make deps installs it)"
    exit 0
fi
if [ ! -w /dev/kvm ]; then
    echo "SKIP doc-samples: /dev/kvm is missing or not writable here (the samples run guests)"
    exit 0
fi

# The samples are kernel mode's (README says so); docs/ocaml.md's set their own mode.
export UKVM_GUEST_MODE=kernel
export SOLO5_TESTS=''
if [ -n "${SOLO5:-}" ]; then
    tree=$(tests/solo5/build_solo5.sh "$SOLO5") || {
        echo "FAIL doc-samples: could not build the Solo5 tree $SOLO5"
        exit 1
    }
    SOLO5_TESTS=$tree/tests
fi

python3 - README.md docs/*.md <<'PY'
import os, re, subprocess, sys

MARK = re.compile(r'^\s*<!-- sample(?: on (\w+))?: (.*) -->\s*$')

def blocks(path):
    lines = open(path, encoding='utf-8').read().split('\n')
    i = 0
    while i < len(lines):
        m = MARK.match(lines[i])
        if not m:
            i += 1
            continue
        module, cmd, start = m.group(1), m.group(2), i + 1
        j = i + 1
        while j < len(lines) and lines[j].strip() == '':
            j += 1
        body = []
        if j < len(lines) and lines[j].lstrip().startswith('```'):
            j += 1
            while j < len(lines) and not lines[j].lstrip().startswith('```'):
                body.append(lines[j])
                j += 1
        else:
            while j < len(lines) and (lines[j].startswith('    ') or lines[j].strip() == ''):
                if lines[j].strip() == '' and (j + 1 >= len(lines) or not lines[j + 1].startswith('    ')):
                    break
                body.append(lines[j][4:])
                j += 1
        yield start, module, cmd, body
        i = j

def matches(want, got):
    """First difference between the expected lines (with '...' wildcards) and got, or None."""
    def rec(wi, gi):
        if wi == len(want):
            return None if gi == len(got) else (wi, gi)
        if want[wi].strip() == '...':
            best = None
            for k in range(gi, len(got) + 1):
                r = rec(wi + 1, k)
                if r is None:
                    return None
                if best is None or r[1] > best[1]:
                    best = r
            return best
        if gi < len(got) and want[wi].rstrip() == got[gi].rstrip():
            return rec(wi + 1, gi + 1)
        return (wi, gi)
    return rec(0, 0)

failed = False
for path in sys.argv[1:]:
    for line, module, cmd, body in blocks(path):
        name = f'{path}:{line}'
        if module and not os.path.isdir(f'/sys/module/{module}'):
            print(f'SKIP {name}: the sample is the output on a {module} KVM, and this '
                  f'machine has no {module} loaded')
            continue
        want = [l for l in body if not l.lstrip().startswith('$ ')]
        if '$OCAML_HVT_DIR' in cmd and not os.environ.get('OCAML_HVT_DIR'):
            print(f'SKIP {name}: runs an OCaml unikernel built outside ukvm; give its folder: '
                  'OCAML_HVT_DIR=DIR tests/scripts/doc_samples.sh (docs/ocaml.md; CI has none)')
            continue
        if '$SOLO5_TESTS' in cmd and not os.environ.get('SOLO5_TESTS'):
            print(f'SKIP {name}: runs a Solo5-built binary; give a Solo5 tree: '
                  'SOLO5=DIR tests/scripts/doc_samples.sh (CI has none)')
            continue
        try:
            p = subprocess.run(['bash', '-c', cmd], stdin=subprocess.DEVNULL,
                               capture_output=True, timeout=60, text=True, errors='replace')
            got = (p.stdout + p.stderr).split('\n')
        except subprocess.TimeoutExpired:
            print(f'FAIL {name}: "{cmd}" ran over 60 s')
            failed = True
            continue
        while got and got[-1] == '':
            got.pop()
        diff = matches(want, got)
        if diff is None:
            print(f'PASS {name}')
            continue
        failed = True
        wi, gi = diff
        w = want[wi] if wi < len(want) else '(end of the sample)'
        g = got[gi] if gi < len(got) else '(end of the output)'
        print(f'FAIL {name}: "{cmd}": sample line {wi + 1} is {w!r}, output line {gi + 1} is {g!r}')

# Every session shown in the docs is checked: a block (fenced or indented) where a prompt
# line ("$ ...", "(gdb) ...", "(ukvm) ...") is followed by output must carry a sample
# marker, or one of the markers whose blocks tests/scripts/net_debug.sh compares
# ("<!-- session: FILE -->", "<!-- pcap-sample -->", "<!-- root-sample: ... -->").
# Blocks that only show what to type need none.
PROMPT = re.compile(r'^\s*(\$ |\(gdb\) |\(ukvm\) )')
OTHER_MARKS = re.compile(r'^\s*<!-- (session: \S+|pcap-sample|root-sample: \S+) -->\s*$')

def all_blocks(path):
    lines = open(path, encoding='utf-8').read().split('\n')
    i = 0
    while i < len(lines):
        if lines[i].lstrip().startswith('```'):
            j = i + 1
            while j < len(lines) and not lines[j].lstrip().startswith('```'):
                j += 1
            yield i, lines[i + 1:j], lines
            i = j + 1
        elif lines[i].startswith('    ') and (i == 0 or lines[i - 1].strip() == ''):
            j = i
            while j < len(lines) and (lines[j].startswith('    ') or
                                      (lines[j].strip() == '' and j + 1 < len(lines) and
                                       lines[j + 1].startswith('    '))):
                j += 1
            yield i, [l[4:] for l in lines[i:j]], lines
            i = j
        else:
            i += 1

unchecked = []
for path in sys.argv[1:]:
    for start, body, lines in all_blocks(path):
        k = start - 1
        while k >= 0 and lines[k].strip() == '':
            k -= 1
        if k >= 0 and (MARK.match(lines[k]) or OTHER_MARKS.match(lines[k])):
            continue
        seen_prompt = False
        for l in body:
            if PROMPT.match(l):
                seen_prompt = True
            elif seen_prompt and l.strip():
                unchecked.append(f'{path}:{start + 1}')
                break
if unchecked:
    failed = True
    print('FAIL doc-samples/every-session-checked: sessions with no sample marker (see the '
          'top of tests/scripts/doc_samples.sh): ' + ', '.join(unchecked))
else:
    print('PASS doc-samples/every-session-checked')
sys.exit(1 if failed else 0)
PY
