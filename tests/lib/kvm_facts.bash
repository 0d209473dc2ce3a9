# tests/lib/kvm_facts.bash: sourced by tests/run.sh and tests/lib/common.bash. Needs BUILD.
# What this KVM does where the tests' expectations must differ (docs/portability.md), from
# `ukvm --probe`, once per run (tests/run.sh exports them; a script run by hand asks here):
#   KVM_INT3       exits | emulation | guest-idt (not intercepted: the guest's IDT takes #BP)
#   KVM_SHUTDOWN   kept (registers at the fault after a triple fault) | reset (vCPU reset)
kvm_facts() {
    KVM_PROBE_REPORT=$(timeout -s KILL 60 "$BUILD/ukvm" --probe 2>&1)
    local report=$KVM_PROBE_REPORT
    case $report in
    *"int3 exits to ukvm"*) KVM_INT3=exits ;;
    *"int3 ends KVM's instruction emulation"*) KVM_INT3=emulation ;;
    *"int3 is not intercepted"*) KVM_INT3=guest-idt ;;
    *) KVM_INT3=unknown ;;
    esac
    case $report in
    *"registers stay at the instruction"*) KVM_SHUTDOWN=kept ;;
    *"KVM resets the vCPU"*) KVM_SHUTDOWN=reset ;;
    *) KVM_SHUTDOWN=unknown ;;
    esac
    export KVM_INT3 KVM_SHUTDOWN KVM_PROBE_REPORT
}
[ -n "${KVM_INT3:-}" ] || [ ! -x "$BUILD/ukvm" ] || [ ! -w /dev/kvm ] || kvm_facts
# The reason a test that needs KVM to intercept int3 (KVM_GUESTDBG_USE_SW_BP) gives when
# it does not here.
INT3_SKIP_REASON="this KVM does not intercept a guest's int3 (KVM_GUESTDBG_USE_SW_BP; ukvm --probe), so a software breakpoint's #BP reaches the guest's own handler (QEMU's emulated SVM, for one, checks only the INTn intercept); hbreak works there"
