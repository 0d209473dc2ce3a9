#!/usr/bin/env bash
# tests/run.sh: ukvm's whole test suite (make test).
#
#   1. unit tests (no /dev/kvm): build/unit/test_*, and the same under ASan+UBSan, and the
#      gdb stub's once more with a small packet size (build/asan-smallpkt/unit/test_gdbstub*)
#   2. test unikernels: every tests/test_*/*.spec and tests/hvt/hvt_*/*.spec (Solo5 hvt-ABI
#      guests) (format: tests/SPEC-FORMAT.md), run with build/ukvm and build/asan/ukvm, in
#      each guest mode the spec lists (kernel: plain/ and asan/, user: user/ and asan-user/)
#   3. scripted tests: every tests/scripts/*.sh (command line, signals, gdb, ...)
#
# tests/run.sh [FILTER]: FILTER keeps only the tests whose names contain it. RUN_SECTIONS
# (a list of unit, specs, scripts) keeps only those parts, RUN_SCRIPTS (script names) only
# those scripts.
#
# Every test prints one line: PASS, FAIL (with why) or SKIP (with why). The last line is
# "N passed, N failed, N skipped". Exit status 0 only when nothing failed.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
passed=0 failed=0 skipped=0
only=${1:-}   # optional substring filter on test names
# RUN_SECTIONS: which of the three parts below run (default all; make test-nested splits
# them between two VMs).
sections=" ${RUN_SECTIONS:-unit specs scripts} "
for s in $sections; do
    case $s in
    unit | specs | scripts) ;;
    *) echo "tests/run.sh: RUN_SECTIONS has '$s'; the parts are unit, specs and scripts" >&2; exit 2 ;;
    esac
done

report() { # report STATUS NAME [DETAIL]
    case $1 in
    PASS) passed=$((passed + 1)); echo "PASS $2" ;;
    FAIL) failed=$((failed + 1)); echo "FAIL $2${3:+: $3}" ;;
    SKIP) skipped=$((skipped + 1)); echo "SKIP $2${3:+: $3}" ;;
    esac
}

wanted() { [ -z "$only" ] || [[ $1 == *"$only"* ]]; }

# A binary or script that prints PASS/FAIL/SKIP lines itself: count them, and fail it as a
# whole if it exits non-zero without saying why (a crash).
run_reporting() { # run_reporting LABEL CMD...
    local label=$1 out status lines
    shift
    out=$(timeout 600 "$@" 2>&1)
    status=$?
    lines=$(grep -E '^(PASS|FAIL|SKIP) ' <<<"$out" || true)
    while read -r kind name rest; do
        [ -n "$kind" ] || continue
        name=${name%:}
        report "$kind" "$label/$name" "${rest#: }"
    done <<<"$lines"
    if [ $status -ne 0 ] && ! grep -q '^FAIL ' <<<"$out"; then
        report FAIL "$label" "exited with status $status without a FAIL line:
$(tail -n 20 <<<"$out")"
    elif grep -q '^FAIL ' <<<"$out"; then
        # Show the context of failures (sanitizer reports and the like).
        grep -v -E '^(PASS|SKIP) ' <<<"$out" | head -n 40 | sed 's/^/    | /'
    fi
}

# ---------------------------------------------------------------- unit tests
for bin in "$BUILD"/unit/test_* "$BUILD"/asan/unit/test_* "$BUILD"/asan-smallpkt/unit/test_*; do
    [[ $sections == *" unit "* ]] || break
    [ -x "$bin" ] || continue
    label=unit/$(basename "$bin")
    [[ $bin == */asan/* ]] && label=asan-$label
    [[ $bin == */asan-smallpkt/* ]] && label=asan-smallpkt-$label
    wanted "$label" || continue
    run_reporting "$label" "$bin"
done

# ---------------------------------------------------------------- test unikernels
# run_spec SPEC MONITOR LABEL MODE: MODE is the guest mode (kernel or user); a spec sees it
# as GUEST_MODE and lists the modes it runs in as MODES (default: both, for ukvm and hvt
# guests alike). Returns 0 having reported, 1 when the spec has no such mode.
run_spec() {
    local spec=$1 monitor=$2 label=$3 GUEST_MODE=$4
    local UKVM_OPTS=() APP_ARGS=() SETUP='' EXPECT_STATUS='' EXPECT_STDOUT=() EXPECT_STDERR=()
    local REJECT_STDERR=() TIMEOUT=60 KERNEL='' tmp kernel status why='' s MODES=(kernel user)
    # shellcheck disable=SC1090
    source "$spec"
    [[ " ${MODES[*]} " == *" $GUEST_MODE "* ]] || return 1
    kernel=$BUILD/$(basename "$(dirname "$spec")").ukvm
    # hvt guests (tests/hvt, docs/hvt-tests.md) are .hvt files; KERNEL= names another one.
    [[ $spec == tests/hvt/* ]] && kernel=${kernel%.ukvm}.hvt
    [ -n "$KERNEL" ] && kernel=$BUILD/$KERNEL
    if [ ! -f "$kernel" ]; then
        report FAIL "$label" "$kernel was not built"
        return
    fi
    tmp=$(mktemp -d)
    local opts=() arg
    for arg in "${UKVM_OPTS[@]}"; do opts+=("${arg//@TMP@/$tmp}"); done
    if [ -n "$SETUP" ] && ! (cd "$tmp" && eval "$SETUP") >"$tmp/setup.log" 2>&1; then
        report FAIL "$label" "SETUP failed: $(cat "$tmp/setup.log")"
        rm -rf "$tmp"
        return
    fi
    UKVM_GUEST_MODE=$GUEST_MODE timeout -s KILL "$TIMEOUT" "$monitor" "${opts[@]}" "$kernel" \
        "${APP_ARGS[@]}" \
        >"$tmp/stdout" 2>"$tmp/stderr" </dev/null
    status=$?
    if [ $status -eq 137 ]; then
        why="hung: killed after ${TIMEOUT}s"
    elif [ "$status" != "$EXPECT_STATUS" ]; then
        why="exit status $status, expected $EXPECT_STATUS"
    fi
    for s in "${EXPECT_STDOUT[@]}"; do
        [ -n "$why" ] && break
        grep -qF -- "$s" "$tmp/stdout" || why="stdout lacks '$s'"
    done
    for s in "${EXPECT_STDERR[@]}"; do
        [ -n "$why" ] && break
        grep -qF -- "$s" "$tmp/stderr" || why="stderr lacks '$s'"
    done
    for s in "${REJECT_STDERR[@]}" AddressSanitizer 'runtime error:' LeakSanitizer 'ukvm: sandbox:'; do
        [ -n "$why" ] && break
        if grep -qF -- "$s" "$tmp/stderr"; then why="stderr has '$s'"; fi
    done
    if [ -n "$why" ]; then
        report FAIL "$label" "$why"
        echo "    --- stdout"; head -n 30 "$tmp/stdout" | sed 's/^/    | /'
        echo "    --- stderr"; head -n 60 "$tmp/stderr" | sed 's/^/    | /'
    else
        report PASS "$label"
    fi
    rm -rf "$tmp"
}

have_kvm=1
if [ ! -w /dev/kvm ]; then
    have_kvm=0
fi
# What this KVM does where expectations differ (KVM_INT3, KVM_SHUTDOWN: ukvm --probe),
# for the specs (sourced here) and the scripts alike.
# shellcheck source=tests/lib/kvm_facts.bash
source tests/lib/kvm_facts.bash
[ -n "${KVM_PROBE_REPORT:-}" ] && sed 's/^/KVM: /' <<<"$KVM_PROBE_REPORT"
for spec in tests/test_*/*.spec tests/hvt/hvt_*/*.spec; do
    [[ $sections == *" specs "* ]] || break
    [ -f "$spec" ] || continue
    name=$(basename "$(dirname "$spec")")
    case=$(basename "$spec" .spec)
    [ "$case" = test ] && label=$name || label=$name/$case
    # Kernel mode as plain/ and asan/, user mode as user/ and asan-user/.
    for flavour in plain asan user asan-user; do
        monitor=$BUILD/ukvm mode=kernel
        [[ $flavour == asan* ]] && monitor=$BUILD/asan/ukvm
        [[ $flavour == *user ]] && mode=user
        full=$flavour/$label
        wanted "$full" || continue
        if [ $have_kvm = 0 ]; then
            report SKIP "$full" "/dev/kvm is missing or not writable here"
            continue
        fi
        run_spec "$spec" "$monitor" "$full" $mode
    done
done

# Scripts run in kernel mode unless they choose (the ones that test user mode do).
export UKVM_GUEST_MODE=kernel

# ---------------------------------------------------------------- scripted tests
for script in tests/scripts/*.sh; do
    [[ $sections == *" scripts "* ]] || break
    [ -f "$script" ] || continue
    # RUN_SCRIPTS: only these scripts (names without .sh); the others stay in place for
    # the scripts that run them (user_mode.sh runs gdb.sh and shell.sh in user mode).
    [ -z "${RUN_SCRIPTS:-}" ] || [[ " $RUN_SCRIPTS " == *" $(basename "$script" .sh) "* ]] || continue
    label=script/$(basename "$script" .sh)
    wanted "$label" || continue
    run_reporting "$label" bash "$script"
done

echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
