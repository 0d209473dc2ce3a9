#!/usr/bin/env bash
# The monitor's folders depend on each other in one direction only (docs/architecture.md,
# "Folders and their dependencies"), and no files include or call each other in a cycle.
#
# From the source (every #include "..." in ukvm/, gdbstub/, shell/, and the tests that
# include them):
#   include-style     same folder: the bare name; another folder: the path from the
#                     repository root ("ukvm/run/run_loop.h"); include/: the bare name
#   folders-known     every folder with sources has a layer in the table below
#   folder-direction  every include between folders goes down the layers
#   gdbstub-alone     gdbstub/ includes nothing outside itself and no <linux/kvm.h>, and
#                     only ukvm/frontend/ includes it
#   file-cycles       no files include each other in a cycle (foo.c and foo.h count as one)
# From the built objects ($BUILD/obj, skipped when absent), the calls between files:
#   object-direction  every call between folders goes down the layers too
#   object-cycles     no files call each other in a cycle
# Cycles are allowed only inside the folders of CYCLES_ALLOWED_IN, where a table names
# entries that call back into helpers beside it.
set -u
cd "$(dirname "$0")/../.."
source tests/lib/common.bash
if ! command -v python3 >/dev/null; then
    echo "SKIP layering: python3 is not installed (make deps installs it)"
    exit 0
fi
python3 - "$BUILD" <<'EOF'
import collections, os, re, subprocess, sys

# Bottom first. A folder may include (and call) its own files and those of any folder in
# a lower layer, never one of its own layer or above. Keep in step with the diagram in
# docs/architecture.md.
LAYERS = [
    ["gdbstub", "ukvm/process", "ukvm/vm"],
    ["ukvm/inspect"],
    ["ukvm/guest", "ukvm/devices"],
    ["ukvm/abi/core"],
    ["ukvm/abi/ukvm", "ukvm/abi/hvt"],
    ["ukvm/abi", "ukvm/replay"],
    ["ukvm/run"],
    ["ukvm/crash"],
    ["ukvm/debug", "shell"],
    ["ukvm/frontend"],
    ["ukvm"],
]
CYCLES_ALLOWED_IN = {
    "shell",          # the command table and the commands, which use its helpers
    "ukvm/abi/ukvm",  # the hypercall table and the handlers, which use its helpers
    "ukvm/inspect",   # symbolize.c, backtrace.c, inline_chain.c: one symbolizer in three files
}
SOURCE_DIRS = ["ukvm", "gdbstub", "shell"]
TEST_DIRS = ["tests/unit", "tests/core", "tests/fuzz"]

rank = {f: i for i, layer in enumerate(LAYERS) for f in layer}
failed = False


def report(name, problems, limit=12):
    global failed
    if problems:
        failed = True
        more = f" (and {len(problems) - limit} more)" if len(problems) > limit else ""
        print(f"FAIL {name}: " + "; ".join(problems[:limit]) + more)
    else:
        print(f"PASS {name}")


def sources(dirs):
    for d in dirs:
        for root, _, names in os.walk(d):
            for n in sorted(names):
                if n.endswith((".c", ".h")):
                    yield os.path.join(root, n)


def folder(path):
    return os.path.dirname(path)


def module(path):
    return path[:-2]  # foo.c and foo.h are one module


def sccs(graph):
    """Strongly connected components with more than one node (iterative Tarjan)."""
    index, low, on, stack, out, counter = {}, {}, set(), [], [], [0]
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on.add(start)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph.get(w, ())))))
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        out.append(sorted(comp))
    return out


def cycle_problems(graph):
    problems = []
    for comp in sccs(graph):
        folders = {folder(m) for m in comp}
        if len(folders) == 1 and folders <= CYCLES_ALLOWED_IN:
            continue
        problems.append("cycle " + " <-> ".join(comp))
    return problems


# ------------------------------------------------------------------ includes
INCLUDE = re.compile(r'^\s*#\s*include\s+([<"])([^">]+)[">]')
style, direction, alone, unknown = [], [], [], set()
file_graph = collections.defaultdict(set)
for src in sources(SOURCE_DIRS + TEST_DIRS):
    is_test = src.startswith("tests/")
    with open(src, encoding="utf-8") as f:
        lines = f.readlines()
    for n, line in enumerate(lines, 1):
        m = INCLUDE.match(line)
        if not m:
            continue
        kind, name = m.groups()
        where = f"{src}:{n}"
        if src.startswith("gdbstub/") and name == "linux/kvm.h":
            alone.append(f"{where} includes <linux/kvm.h>")
        if kind == "<":
            continue
        beside = os.path.normpath(os.path.join(folder(src), name))
        if "../" in name:
            style.append(f'{where} "{name}": no ../, name the path from the repository root')
            continue
        if os.path.isfile(beside):  # the compiler looks beside the file first
            target = beside
            if "/" in name:
                style.append(f'{where} "{name}": from another folder, name "{target}"')
        elif os.path.isfile(name):
            target = name
            if folder(target) == folder(src):
                style.append(f'{where} "{name}": in the same folder, name "{os.path.basename(name)}"')
        elif "/" not in name and os.path.isfile(os.path.join("include", name)):
            target = os.path.join("include", name)
        else:
            style.append(f'{where} "{name}" is not beside it, under the root or in include/')
            continue
        if is_test:
            continue
        a, b = folder(src), folder(target)
        if src.startswith("gdbstub/") and b != "gdbstub":
            alone.append(f"{where} includes {target}")
        if b == "gdbstub" and a not in ("gdbstub", "ukvm/frontend"):
            alone.append(f"{where} includes {target}: only ukvm/frontend/ uses the stub")
        if module(src) != module(target) and not target.startswith("include/"):
            file_graph[module(src)].add(module(target))
        if a == b or b == "include":
            continue
        for x in (a, b):
            if x not in rank:
                unknown.add(x)
        if a in rank and b in rank and rank[b] >= rank[a]:
            direction.append(f"{a} -> {b} ({src} includes {target})")

for src in sources(SOURCE_DIRS):
    if folder(src) not in rank:
        unknown.add(folder(src))

report("include-style", style)
report("folders-known", [f"{u}/ has no layer in tests/scripts/layering.sh (and the diagram in "
                         f"docs/architecture.md)" for u in sorted(unknown)])
report("folder-direction", direction)
report("gdbstub-alone", alone)
report("file-cycles", cycle_problems(file_graph))

# ------------------------------------------------------------------ calls between objects
objdir = os.path.join(sys.argv[1], "obj")
objects = []
for d in SOURCE_DIRS:
    for root, _, names in os.walk(os.path.join(objdir, d)):
        objects += [os.path.join(root, n) for n in sorted(names) if n.endswith(".o")]
if not objects:
    print(f"SKIP object-direction: no objects in {objdir} (make builds them)")
    print(f"SKIP object-cycles: no objects in {objdir} (make builds them)")
else:
    defined, needs = {}, {}
    for o in objects:
        name = os.path.relpath(o, objdir)[:-2]  # "ukvm/run/run_loop"
        out = subprocess.run(["nm", "-g", o], capture_output=True, text=True, check=True).stdout
        needs[name] = set()
        for line in out.splitlines():
            p = line.split()
            if len(p) == 2 and p[0] == "U":
                needs[name].add(p[1])
            elif len(p) == 3 and p[1] in "TDBRCVWG":
                defined[p[2]] = name
    call_graph = collections.defaultdict(set)
    odirection = []
    for name, syms in sorted(needs.items()):
        for s in sorted(syms):
            to = defined.get(s)
            if not to or to == name:
                continue
            call_graph[name].add(to)
            a, b = folder(name), folder(to)
            if a != b and a in rank and b in rank and rank[b] >= rank[a]:
                odirection.append(f"{a} -> {b} ({name}.o uses {s} from {to}.o)")
    report("object-direction", sorted(set(odirection)))
    report("object-cycles", cycle_problems(call_graph))

sys.exit(1 if failed else 0)
EOF
