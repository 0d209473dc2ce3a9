#!/usr/bin/env bash
# ukvm --probe: every run-time probe answers, and each chooses what the KVM under it calls
# for. The expectation comes from the KVM module loaded (/sys/module), not from ukvm:
#   kvm_pvm (no VMX/SVM: kernel-mode guest code runs in KVM's emulator): user mode, page
#     traps (debug-register data breakpoints never fire), int3 ends emulation
#   kvm_amd, kvm_intel (hardware virtualization, or nested under it): kernel mode, debug
#     registers, int3 exits to ukvm (or, under QEMU's emulated SVM, is not intercepted)
# On both: with UKVM_WATCH_PAGES=1, page traps; bad use of --probe is refused.
set -u
cd "$(dirname "$0")/../.."
source tests/lib/common.bash
if [ ! -w /dev/kvm ]; then
    echo "SKIP probe: /dev/kvm is missing or not writable here"
    exit 0
fi
module=
for m in kvm_intel kvm_amd kvm_pvm; do # ukvm --probe's order
    [ -d /sys/module/$m ] && module=$m && break
done

for m in "${MONITORS[@]}"; do
    f=$(flavour "$m")
    out=$(timeout -s KILL 60 "$m" --probe 2>&1)
    status=$?
    # field LABEL: the answer on the line that starts with LABEL.
    field() {
        local line
        while IFS= read -r line; do
            [[ $line == "$1:"* ]] && { line=${line#"$1:"}; echo "${line#"${line%%[! ]*}"}"; }
        done <<<"$out"
    }
    if [ $status != 0 ] || [ "$(wc -l <<<"$out")" != 7 ] || ! sanitizer_clean <(echo "$out"); then
        fail "probe/$f/report" "status $status: $out"
        continue
    fi
    pass "probe/$f/report"
    for label in 'KVM module' 'guest mode (auto)' watchpoints 'kernel-mode int3' 'triple fault' 'recorded cpuid' 'hvt --record'; do
        v=$(field "$label") slug=$(tr 'A-Z ' 'a-z-' <<<"${label//[()]/}")
        if [ -z "$v" ] || [[ $v == *failed* ]]; then
            fail "probe/$f/answered/$slug" "'$v' in: $out"
        else
            pass "probe/$f/answered/$slug"
        fi
    done
    mode=$(field 'guest mode (auto)') watch=$(field watchpoints) int3=$(field 'kernel-mode int3')
    tsd=$(field 'hvt --record') cpuid=$(field 'recorded cpuid')
    case $module in
    kvm_pvm) want_mode='user:' want_watch='page traps:' want_int3="int3 ends KVM's instruction emulation" want_tsd='not possible:' want_cpuid="the host's:" ;;
    kvm_amd | kvm_intel) want_mode='kernel:' want_watch='debug registers:' want_int3='int3 (exits to ukvm|is not intercepted)' want_tsd='possible:' want_cpuid="ukvm's:" ;;
    *)
        echo "SKIP probe/$f/choices: no known KVM module is loaded here (kvm_pvm, kvm_amd, kvm_intel), so nothing says what the probes should choose"
        continue
        ;;
    esac
    [[ $mode == "$want_mode"* ]] && pass "probe/$f/$module/guest-mode" ||
        fail "probe/$f/$module/guest-mode" "'$mode', expected '$want_mode ...'"
    [[ $watch == "$want_watch"* ]] && pass "probe/$f/$module/watchpoints" ||
        fail "probe/$f/$module/watchpoints" "'$watch', expected '$want_watch ...'"
    [[ $int3 =~ ^($want_int3) ]] && pass "probe/$f/$module/int3" ||
        fail "probe/$f/$module/int3" "'$int3', expected '$want_int3 ...'"
    [[ $cpuid == "$want_cpuid"* ]] && pass "probe/$f/$module/recorded-cpuid" ||
        fail "probe/$f/$module/recorded-cpuid" "'$cpuid', expected '$want_cpuid ...'"
    [[ $tsd == "$want_tsd"* ]] && pass "probe/$f/$module/hvt-record" ||
        fail "probe/$f/$module/hvt-record" "'$tsd', expected '$want_tsd ...'"
done

m=$BUILD/ukvm
out=$(UKVM_WATCH_PAGES=1 timeout -s KILL 60 "$m" --probe 2>&1)
[[ $out == *"watchpoints:        page traps: hardware data breakpoints not used (UKVM_WATCH_PAGES=1)"* ]] &&
    pass probe/watch-pages-forced || fail probe/watch-pages-forced "$out"
expect_run probe/no-unikernel 2 "ukvm: --probe takes no unikernel (got 'x')" "$m" --probe x
expect_run probe/not-with-gdb 2 "ukvm: --probe runs no unikernel: it cannot be combined with --gdb" \
    "$m" --probe --gdb
"$m" --help | grep -q -- '--probe  ' && pass probe/help || fail probe/help "--help does not list --probe"
