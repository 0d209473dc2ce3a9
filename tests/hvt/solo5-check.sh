#!/usr/bin/env bash
# tests/hvt/solo5-check.sh: run the hvt test guests' specs under Solo5's own tender, to
# show that the guests follow the hvt ABI (docs/hvt-tests.md). Not part of `make test`:
# CI has no solo5-hvt.
#
#   tests/hvt/solo5-check.sh [-v] SOLO5_HVT [FILTER]
#
# SOLO5_HVT is a built solo5-hvt (e.g. SOLO5/tenders/hvt/solo5-hvt). Every
# tests/hvt/hvt_*/*.spec whose name contains FILTER runs once, with the spec's UKVM_OPTS
# (solo5-hvt's spellings), SETUP and APP_ARGS, and is checked against what the spec
# records for solo5-hvt, where it differs from what it expects of ukvm:
#
#   SOLO5_STATUS=1                     solo5-hvt's exit status (default: EXPECT_STATUS)
#   SOLO5_STDOUT=('...')               strings stdout must hold (default: EXPECT_STDOUT)
#   SOLO5_STDERR=('...')               strings stderr must hold (default: none, as
#                                      EXPECT_STDERR holds ukvm's wording)
#   SOLO5_ARGS=(...)                   the guest's arguments under solo5-hvt (default:
#                                      APP_ARGS)
#
# -v prints each run's status and its first stdout and stderr lines (the report table).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
verbose=0
if [ "${1:-}" = -v ]; then
    verbose=1
    shift
fi
tender=${1:?usage: tests/hvt/solo5-check.sh [-v] SOLO5_HVT [FILTER]}
only=${2:-}
case $tender in /*) ;; *) tender=$PWD/$tender ;; esac
passed=0 failed=0

for spec in tests/hvt/hvt_*/*.spec; do
    name=$(basename "$(dirname "$spec")")
    case=$(basename "$spec" .spec)
    [ "$case" = test ] && label=$name || label=$name/$case
    [ -z "$only" ] || [[ $label == *"$only"* ]] || continue
    (
        UKVM_OPTS=() APP_ARGS=() SETUP='' EXPECT_STATUS='' EXPECT_STDOUT=() KERNEL=''
        SOLO5_STATUS='' SOLO5_STDOUT=() SOLO5_STDERR=() TIMEOUT=60
        unset SOLO5_ARGS
        # shellcheck disable=SC1090
        source "$spec"
        [ -n "$SOLO5_STATUS" ] || SOLO5_STATUS=$EXPECT_STATUS
        [ ${#SOLO5_STDOUT[@]} -gt 0 ] || SOLO5_STDOUT=("${EXPECT_STDOUT[@]}")
        [ -n "${SOLO5_ARGS+set}" ] || SOLO5_ARGS=("${APP_ARGS[@]}")
        kernel=$PWD/$BUILD/$name.hvt
        [ -n "$KERNEL" ] && kernel=$PWD/$BUILD/$KERNEL
        tmp=$(mktemp -d)
        trap 'rm -rf "$tmp"' EXIT
        opts=()
        for arg in "${UKVM_OPTS[@]}"; do opts+=("${arg//@TMP@/$tmp}"); done
        if [ -n "$SETUP" ] && ! (cd "$tmp" && eval "$SETUP") >/dev/null 2>&1; then
            echo "FAIL $label: SETUP failed"
            exit 1
        fi
        (cd "$tmp" && timeout -s KILL "$TIMEOUT" "$tender" "${opts[@]}" "$kernel" \
            "${SOLO5_ARGS[@]}" >stdout 2>stderr </dev/null)
        status=$?
        why=''
        [ "$status" = "$SOLO5_STATUS" ] || why="status $status, recorded $SOLO5_STATUS"
        for s in "${SOLO5_STDOUT[@]}"; do
            [ -n "$why" ] || grep -qF -- "$s" "$tmp/stdout" || why="stdout lacks '$s'"
        done
        for s in "${SOLO5_STDERR[@]}"; do
            [ -n "$why" ] || grep -qF -- "$s" "$tmp/stderr" || why="stderr lacks '$s'"
        done
        if [ -n "$why" ]; then
            echo "FAIL $label: $why"
        else
            echo "PASS $label"
        fi
        if [ $verbose = 1 ] || [ -n "$why" ]; then
            echo "    status $status"
            grep -v '^ *$' "$tmp/stdout" | grep -v '^hvt_rt: trap' | tail -n 1 |
                sed 's/^/    stdout | /'
            grep -m1 '^hvt_rt: trap' "$tmp/stdout" | sed 's/^/    stdout | /'
            grep -v -e WARNING -e '^ *$' "$tmp/stderr" | head -n 2 | sed 's/^/    stderr | /'
        fi
        [ -z "$why" ]
    )
    if [ $? -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
