#!/usr/bin/env bash
# `ukvm --shell` in a real terminal (tmux): tab completion of a command name and of a
# symbol, history kept across two runs in $HOME/.ukvm_history, Ctrl-C stopping a
# spinning guest during `continue` and back at the prompt, Ctrl-C at the prompt clearing
# the line, Ctrl-D ending the session (status 137: the live guest is killed), and a
# session without a usable history file; with the plain and the ASan/UBSan monitor.
set -u
cd "$(dirname "$0")/../.."
source tests/lib/common.bash

if [ ! -w /dev/kvm ]; then
    echo "SKIP shell_tmux: /dev/kvm is missing or not writable here"
    exit 0
fi
if ! command -v tmux >/dev/null; then
    echo "SKIP shell_tmux: tmux is not installed (make deps installs it)"
    exit 0
fi
kernel=$BUILD/test_shell.ukvm
tmp=$(mktemp -d)
sock=ukvm-shell-test-$$
tm() { tmux -L "$sock" "$@"; }
trap 'tm kill-server 2>/dev/null; rm -rf "$tmp"' EXIT

# start HOME MONITOR: a fresh tmux session running the shell on test_shell spin.
start() {
    tm kill-session -t sh 2>/dev/null
    rm -f "$tmp/err" "$tmp/status"
    tm new-session -d -s sh -x 200 -y 50 \
        "HOME='$1' '$2' --shell '$kernel' spin 2>'$tmp/err'; echo \$? >'$tmp/status'; sleep 60"
}

screen() { tm capture-pane -p -t sh; }

# wait_for PATTERN [SECONDS]: until the screen matches the extended regex.
wait_for() {
    local i
    for i in $(seq 1 $((${2:-20} * 10))); do
        screen | grep -qE -- "$1" && return 0
        sleep 0.1
    done
    return 1
}

# The line the cursor is on, without trailing blanks.
cursor_line() {
    local y
    y=$(tm display-message -p -t sh '#{cursor_y}')
    screen | sed -n "$((y + 1))p" | sed 's/ *$//'
}

# check NAME CONDITION-DESCRIPTION: pass when the last command succeeded.
check() {
    if [ "$2" = 0 ]; then pass "$1"; else fail "$1" "$3
--- screen
$(screen | grep -v '^$' | tail -n 25)"; fi
}

# ended NAME STATUS: waits for the shell to end and checks its status and stderr.
ended() {
    local i
    for i in $(seq 1 200); do
        [ -s "$tmp/status" ] && break
        sleep 0.1
    done
    local got
    got=$(cat "$tmp/status" 2>/dev/null)
    [ "$got" = "$2" ]
    check "$1" $? "status '$got', expected $2; stderr: $(cat "$tmp/err" 2>/dev/null)"
    if [ -f "$tmp/err" ] && ! sanitizer_clean "$tmp/err"; then
        fail "$1-sanitizer-clean" "$(head -c 1500 "$tmp/err")"
    fi
}

for m in "${MONITORS[@]}"; do
    f=$(flavour "$m")
    home=$tmp/home-$f
    mkdir -p "$home"

    # ---------------------------------------------------------------- first run
    start "$home" "$m"
    wait_for '^\(ukvm\) ?$' 60
    check "$f/prompt" $? "no prompt"

    tm send-keys -t sh -l 'hbr'
    tm send-keys -t sh Tab
    wait_for '^\(ukvm\) hbreak ?$' 5
    check "$f/complete-command" $? "'hbr' TAB did not complete to 'hbreak '"

    tm send-keys -t sh -l 'spi'
    tm send-keys -t sh Tab
    wait_for '^\(ukvm\) hbreak spin ?$' 5
    check "$f/complete-symbol" $? "'spi' TAB did not complete to 'spin'"
    tm send-keys -t sh C-u

    tm send-keys -t sh -l 'sym shell_wo'
    tm send-keys -t sh Tab
    wait_for '^\(ukvm\) sym shell_words ?$' 5
    check "$f/complete-symbol-argument" $? "'shell_wo' TAB did not complete"
    tm send-keys -t sh Enter
    wait_for 'shell_words\+0x0 \(data ' 10
    check "$f/command-runs" $? "sym printed nothing"

    tm send-keys -t sh -l 'continue'
    tm send-keys -t sh Enter
    wait_for '^spinning' 30
    check "$f/continue-runs-guest" $? "the guest did not start"
    sleep 1
    tm send-keys -t sh C-c
    wait_for '^interrupted, 0x[0-9a-f]+ in spin\+' 30
    check "$f/ctrl-c-stops-guest" $? "no 'interrupted' after Ctrl-C"
    wait_for '^\(ukvm\) ?$' 10
    check "$f/ctrl-c-back-at-prompt" $? "no prompt after the stop"

    tm send-keys -t sh -l 'regs'
    tm send-keys -t sh C-c
    sleep 0.5
    [ "$(cursor_line)" = "(ukvm)" ]
    check "$f/ctrl-c-clears-line" $? "the line after Ctrl-C is '$(cursor_line)'"
    screen | grep -q '^rax ' && r=1 || r=0
    check "$f/ctrl-c-does-not-run-line" $r "regs ran"

    tm send-keys -t sh C-d
    ended "$f/ctrl-d-ends-with-137" 137
    grep -q "guest killed" "$tmp/err"
    check "$f/ctrl-d-kills-guest" $? "stderr: $(cat "$tmp/err")"

    grep -q '^sym shell_words' "$home/.ukvm_history" && grep -qx 'continue' "$home/.ukvm_history"
    check "$f/history-file-written" $? "history: $(cat "$home/.ukvm_history" 2>&1)"

    # ---------------------------------------------------------------- second run: history
    start "$home" "$m"
    wait_for '^\(ukvm\) ?$' 60
    tm send-keys -t sh Up
    wait_for '^\(ukvm\) continue$' 5
    check "$f/history-previous-run" $? "Up did not bring back 'continue'"
    tm send-keys -t sh Up
    wait_for '^\(ukvm\) sym shell_words$' 5
    check "$f/history-older" $? "Up Up did not bring back 'sym shell_words'"
    tm send-keys -t sh Enter
    wait_for 'shell_words\+0x0 \(data ' 10
    check "$f/history-line-runs" $? "the recalled line did not run"
    tm send-keys -t sh -l 'quit'
    tm send-keys -t sh Enter
    ended "$f/quit-ends-with-137" 137

    # ---------------------------------------------------------------- no usable history
    start "$tmp/no-such-home/nested" "$m"
    wait_for '^\(ukvm\) ?$' 60
    tm send-keys -t sh -l 'regs'
    tm send-keys -t sh Enter
    wait_for '^rip  0x|rip  0x0000000000100000' 10
    check "$f/history-missing-not-an-error" $? "regs did not run without a history file"
    tm send-keys -t sh C-d
    ended "$f/history-missing-status" 137
done
