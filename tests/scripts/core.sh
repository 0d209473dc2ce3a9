#!/usr/bin/env bash
# Core files (--core): a page fault, an abort and a triple fault each leave a core that a
# stock gdb opens (tests/gdb/core_check.py) with the expected signal, backtrace and
# registers (the crash report's, as the gdb stop shows them); a large --mem costs little
# disk; the default name; a 16-character kernel name that gdb matches; a core that cannot
# be written (missing folder, file size limit, symbolic link, not a core) changes nothing
# else; a guest that exits leaves none. With build/ukvm and build/asan/ukvm.
set -u
cd "$(dirname "$0")/../.."
source tests/lib/common.bash
if [ ! -w /dev/kvm ]; then
    echo "SKIP core: /dev/kvm is missing or not writable here"
    exit 0
fi
have_gdb=1
command -v gdb >/dev/null || have_gdb=0

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# report_reg FILE NAME: the value of register NAME in the crash report's "registers:".
report_reg() {
    sed -n "s/.*\b$2  *\(0x[0-9a-f]*\).*/\1/p" "$1" | head -n 1
}

# core_check NAME KERNEL CORE VAR=VALUE...: tests/gdb/core_check.py on CORE.
core_check() {
    local name=$1 kernel=$2 core=$3 out
    shift 3
    if [ $have_gdb = 0 ]; then
        echo "SKIP $name/gdb: gdb is not installed (make deps installs it)"
        return
    fi
    out=$(env CORE_FILE="$core" CORE_NAME="$name" "$@" timeout -s KILL 120 gdb -batch -nx \
        -x tests/gdb/core_check.py "$kernel" </dev/null 2>&1)
    grep -E '^(PASS|FAIL) ' <<<"$out" || fail "$name/gdb" "no result: $(tail -n 10 <<<"$out")"
    if grep -q '^FAIL ' <<<"$out"; then
        echo "    --- gdb output"
        tail -n 25 <<<"$out" | sed 's/^/    | /'
    fi
}

# crash_core NAME CORE CMD...: runs CMD (a ukvm with --core=CORE), checks the status
# (255), the "core written" line and a clean sanitizer; stderr stays in $tmp/NAME.err for
# the caller. Returns 1 when there is no core to look at.
crash_core() {
    local name=$1 core=$2 status
    shift 2
    mkdir -p "$(dirname "$tmp/$name")"
    timeout -s KILL 60 "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null
    status=$?
    if [ $status != 255 ]; then
        fail "$name/status" "exit status $status, expected 255: $(head -c 600 "$tmp/$name.err")"
    elif ! grep -qE "^ukvm: core written to $core \([0-9]+ MiB of guest memory, [0-9]+ KiB on disk\)$" \
        "$tmp/$name.err"; then
        fail "$name/written" "no 'core written' line: $(tail -c 600 "$tmp/$name.err")"
    elif ! sanitizer_clean "$tmp/$name.err"; then
        fail "$name/sanitizer" "$(grep -A 20 -m1 -E 'Sanitizer|runtime error' "$tmp/$name.err")"
    elif [ ! -f "$core" ]; then
        fail "$name/file" "$core is missing"
    else
        pass "$name/written"
        return 0
    fi
    return 1
}

abs() { [[ $1 == /* ]] && echo "$1" || echo "$PWD/$1"; }

for m in "${MONITORS[@]}"; do
    f=$(flavour "$m")

    # A null dereference: #PF in fault_here, the registers of the report, si_addr = CR2.
    k=$BUILD/test_exception.ukvm
    if crash_core "$f/pf" "$tmp/pf.core" "$m" --core="$tmp/pf.core" "$k"; then
        core_check "$f/pf" "$k" "$tmp/pf.core" CORE_SIGNAL=SIGSEGV \
            CORE_FRAMES="fault_here solo5_app_main" CORE_SIGADDR=0 \
            CORE_PC="$(report_reg "$tmp/$f/pf.err" rip)" CORE_SP="$(report_reg "$tmp/$f/pf.err" rsp)"
    fi

    # solo5_abort(): the stop inside solo5_abort, the caller one frame up with the
    # registers of the report (the call site).
    k=$BUILD/test_abort.ukvm
    if crash_core "$f/abort" "$tmp/abort.core" "$m" --core="$tmp/abort.core" "$k"; then
        core_check "$f/abort" "$k" "$tmp/abort.core" CORE_SIGNAL=SIGABRT \
            CORE_FRAMES="solo5_abort abort_here solo5_app_main" CORE_REG_FRAME=1 \
            CORE_PC="$(report_reg "$tmp/$f/abort.err" rip)" \
            CORE_SP="$(report_reg "$tmp/$f/abort.err" rsp)"
    fi

    # A triple fault: the vCPU's own registers, at the ud2 in triple().
    k=$BUILD/test_faults.ukvm
    if ! crash_core "$f/triple" "$tmp/triple.core" "$m" --core="$tmp/triple.core" "$k" triple; then
        : # reported
    elif [ "${KVM_SHUTDOWN:-kept}" = reset ]; then
        # kvm_amd resets the vCPU on a shutdown: the core holds the reset state, and the
        # report must say that the fault's registers are lost.
        if grep -qF 'this KVM then reset the vCPU' "$tmp/$f/triple.err" &&
            [ "$(report_reg "$tmp/$f/triple.err" rip)" = 0x000000000000fff0 ]; then
            pass "$f/triple/reset-state-said"
        else
            fail "$f/triple/reset-state-said" "$(head -c 600 "$tmp/$f/triple.err")"
        fi
        echo "SKIP $f/triple/frames: this KVM resets the vCPU after a triple fault (ukvm --probe): the core cannot hold the fault's registers"
    else
        core_check "$f/triple" "$k" "$tmp/triple.core" CORE_SIGNAL=SIGSEGV \
            CORE_FRAMES="triple solo5_app_main" \
            CORE_PC="$(report_reg "$tmp/$f/triple.err" rip)" \
            CORE_SP="$(report_reg "$tmp/$f/triple.err" rsp)"
    fi
    rm -f "$tmp"/*.core

    # 1 GiB of guest memory: the file covers it, the disk holds only what was touched.
    if crash_core "$f/sparse" "$tmp/big.core" "$m" --mem=1024 --core="$tmp/big.core" \
        "$BUILD/test_exception.ukvm"; then
        apparent=$(stat -c %s "$tmp/big.core")
        disk_kib=$(du -k "$tmp/big.core" | cut -f1)
        if ((apparent >= 1020 * 1024 * 1024 && disk_kib < 10240)); then
            pass "$f/sparse-1GiB"
        else
            fail "$f/sparse-1GiB" "apparent size $apparent bytes, $disk_kib KiB on disk"
        fi
        if grep -q "(1024 MiB of guest memory, $disk_kib KiB on disk)" "$tmp/$f/sparse.err"; then
            pass "$f/sparse-1GiB-reported"
        else
            fail "$f/sparse-1GiB-reported" "du says $disk_kib KiB: $(grep 'core written' "$tmp/$f/sparse.err")"
        fi
    fi
    rm -f "$tmp/big.core"

    # --core alone: core.ukvm.<kernel file name>.<pid> in the working folder.
    mkdir -p "$tmp/wd"
    abs_m=$(abs "$m") abs_k=$(abs "$BUILD/test_exception.ukvm")
    (cd "$tmp/wd" && exec "$abs_m" --core "$abs_k" >/dev/null 2>"$tmp/wd.err" </dev/null) &
    pid=$!
    wait $pid
    status=$?
    want=core.ukvm.test_exception.ukvm
    got=$(cd "$tmp/wd" && ls)
    if [ $status = 255 ] && [[ $got == "$want".[0-9]* ]] && [ "$(wc -w <<<"$got")" = 1 ] &&
        grep -q "^ukvm: core written to $got (" "$tmp/wd.err"; then
        pass "$f/default-name"
    else
        fail "$f/default-name" "status $status, files '$got' (want $want.PID): $(tail -c 300 "$tmp/wd.err")"
    fi
    rm -rf "$tmp/wd"

    # --dumpcore=DIR (solo5-hvt's spelling): the default name, inside DIR, for an abort;
    # --dumpcore alone: the working folder. A guest that exits leaves none.
    mkdir -p "$tmp/dc" "$tmp/wd"
    timeout -s KILL 60 "$m" --dumpcore="$tmp/dc" "$BUILD/test_abort.ukvm" >/dev/null \
        2>"$tmp/dc.err" </dev/null
    status=$?
    got=$(cd "$tmp/dc" && ls)
    if [ $status = 255 ] && [[ $got == core.ukvm.test_abort.ukvm.[0-9]* ]] &&
        [ "$(wc -w <<<"$got")" = 1 ] && grep -q "^ukvm: core written to $tmp/dc/$got (" "$tmp/dc.err"
    then
        pass "$f/dumpcore-dir"
        core_check "$f/dumpcore-dir" "$BUILD/test_abort.ukvm" "$tmp/dc/$got" CORE_SIGNAL=SIGABRT
    else
        fail "$f/dumpcore-dir" "status $status, files '$got': $(tail -c 300 "$tmp/dc.err")"
    fi
    (cd "$tmp/wd" && exec "$abs_m" --dumpcore "$abs_k" >/dev/null 2>&1 </dev/null)
    got=$(cd "$tmp/wd" && ls)
    if [[ $got == core.ukvm.test_exception.ukvm.[0-9]* ]]; then
        pass "$f/dumpcore-working-folder"
    else
        fail "$f/dumpcore-working-folder" "files in the working folder: '$got'"
    fi
    rm -rf "$tmp/dc" "$tmp/wd"
    mkdir -p "$tmp/dc"
    timeout -s KILL 60 "$m" --dumpcore="$tmp/dc" "$BUILD/test_hello.ukvm" >/dev/null 2>&1 </dev/null
    if [ -z "$(ls "$tmp/dc")" ]; then
        pass "$f/dumpcore-none-on-exit"
    else
        fail "$f/dumpcore-none-on-exit" "a guest that exited left $(ls "$tmp/dc")"
    fi
    rm -rf "$tmp/dc"
    expect_run "$f/dumpcore-missing-folder" 2 "'--dumpcore=$tmp/nodir': not an existing folder" \
        "$m" --dumpcore="$tmp/nodir" "$BUILD/test_hello.ukvm"

    # A core that cannot be written: said so, after the full report; status stays 255.
    expect_run "$f/unwritable-reported" 255 \
        "ukvm: no core file: cannot create $tmp/nodir/x.core: No such file or directory" \
        "$m" --core="$tmp/nodir/x.core" "$BUILD/test_exception.ukvm"
    timeout -s KILL 60 "$m" --core="$tmp/nodir/x.core" "$BUILD/test_exception.ukvm" >/dev/null \
        2>"$tmp/nodir.err" </dev/null
    if grep -q 'Page fault' "$tmp/nodir.err" && grep -q '^backtrace:' "$tmp/nodir.err"; then
        pass "$f/unwritable-report-complete"
    else
        fail "$f/unwritable-report-complete" "$(head -c 400 "$tmp/nodir.err")"
    fi

    # An existing file that is not a core is left alone.
    echo precious >"$tmp/notes.txt"
    expect_run "$f/not-a-core-kept" 255 "exists and is not a core file: not replaced" \
        "$m" --core="$tmp/notes.txt" "$BUILD/test_exception.ukvm"
    if [ "$(cat "$tmp/notes.txt")" = precious ]; then
        pass "$f/not-a-core-unchanged"
    else
        fail "$f/not-a-core-unchanged" "the file was changed"
    fi
    rm -f "$tmp/notes.txt"

    # A kernel file name of 16 characters, which the core's name field holds in full (no
    # room for a NUL): gdb takes the kernel for the core's executable, without a warning.
    k16=$tmp/exception16.ukvm # 16 characters
    cp "$BUILD/test_exception.ukvm" "$k16"
    if crash_core "$f/name16" "$tmp/name16.core" "$m" --core="$tmp/name16.core" "$k16"; then
        core_check "$f/name16" "$k16" "$tmp/name16.core" CORE_EXEC_MATCHES=1 \
            CORE_SIGNAL=SIGSEGV CORE_FRAMES="fault_here solo5_app_main"
    fi
    rm -f "$tmp/name16.core" "$k16"

    # A file size limit (ulimit -f, in KiB) below the core's length: refused before any
    # write, since the write past the limit would raise SIGXFSZ and kill ukvm (status
    # 153 instead of the guest's 255, the report cut short, half a core left behind).
    expect_run "$f/fsize-limit" 255 "ukvm: no core file: cannot write $tmp/lim.core: the core is 64 MiB long (sparse), over the file size limit of 1024 KiB (ulimit -f)" \
        bash -c 'ulimit -f 1024 && exec "$@"' _ "$m" --core="$tmp/lim.core" \
        "$BUILD/test_exception.ukvm"
    if [ -e "$tmp/lim.core" ]; then
        fail "$f/fsize-limit-no-file" "$(ls -l "$tmp/lim.core")"
    else
        pass "$f/fsize-limit-no-file"
    fi

    # A symbolic link in place of the core is not followed, and its target is untouched.
    echo precious >"$tmp/target.txt"
    ln -s "$tmp/target.txt" "$tmp/link.core"
    expect_run "$f/symlink-refused" 255 \
        "ukvm: no core file: $tmp/link.core is a symbolic link: not followed" \
        "$m" --core="$tmp/link.core" "$BUILD/test_exception.ukvm"
    if [ "$(cat "$tmp/target.txt")" = precious ] && [ -L "$tmp/link.core" ]; then
        pass "$f/symlink-target-unchanged"
    else
        fail "$f/symlink-target-unchanged" "the link or its target was changed"
    fi
    rm -f "$tmp/target.txt" "$tmp/link.core"

    # A guest that exits (even with 255 of its own) leaves no core.
    expect_run "$f/exit-no-core" 0 "" "$m" --core="$tmp/hello.core" "$BUILD/test_hello.ukvm"
    if [ -e "$tmp/hello.core" ]; then
        fail "$f/exit-no-core-file" "a core was written for a clean exit"
    else
        pass "$f/exit-no-core-file"
    fi
done
