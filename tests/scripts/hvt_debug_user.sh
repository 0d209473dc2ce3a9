#!/usr/bin/env bash
# hvt_debug.sh's gdb, shell, core and trace cases on the hvt test guests in user mode
# (UKVM_GUEST_MODE=user): breakpoints, stepping, watchpoints, registers and faults of a
# Solo5 guest whose privileged instructions ukvm emulates. The session transcripts are
# kernel mode's and are skipped there.
set -u
cd "$(dirname "$0")/../.."
UKVM_GUEST_MODE=user exec bash tests/scripts/hvt_debug.sh "$@"
