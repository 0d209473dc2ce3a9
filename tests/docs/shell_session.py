#!/usr/bin/env python3
"""tests/docs/shell_session.py [UKVM-OPTIONS...] KERNEL [ARGS...] -- COMMAND...

A `ukvm --shell` session at a terminal, as the docs show one: ukvm runs on a
pseudo-terminal (so readline, the prompt and the banner are those a user sees), each
COMMAND is typed at a `(ukvm) ` prompt, and everything the terminal showed is printed,
as the terminal showed it. When the commands run out the session ends with
Ctrl-D, as a user would end it. Used by the doc samples (tests/scripts/doc_samples.sh).

HOME is a fresh folder, so the user's ~/.ukvm_history is neither read nor written. Each
wait is bounded (60 s); a session that hangs is killed and says so.
"""
import os, pty, re, select, signal, sys, tempfile, time

PROMPT = b"(ukvm) "
ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]")


def main():
    argv = sys.argv[1:]
    if "--" not in argv:
        sys.exit("usage: shell_session.py [UKVM-OPTIONS...] KERNEL [ARGS...] -- COMMAND...")
    cut = argv.index("--")
    ukvm_args, commands = argv[:cut], argv[cut + 1:]
    build = os.environ.get("BUILD", "build")
    home = tempfile.mkdtemp(prefix="ukvm-shell-session.")
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["HOME"] = home
        os.environ["TERM"] = "dumb"
        os.environ.pop("INPUTRC", None)
        os.execv(build + "/ukvm", [build + "/ukvm", "--shell"] + ukvm_args)
    out = bytearray()
    deadline = time.monotonic() + 60

    def read_until(pred):
        while not pred():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            r, _, _ = select.select([fd], [], [], left)
            if not r:
                return False
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the terminal's other side closed
                return True
            if not chunk:
                return True
            out.extend(chunk)
        return True

    # A new prompt: one that arrived after the last command was typed (the output still
    # ends with the previous prompt until the terminal echoes what was typed).
    sent_at = 0

    def at_prompt():
        return len(out) > sent_at and out.endswith(PROMPT)

    ok = True
    for cmd in commands + [None]:
        if not read_until(at_prompt):
            ok = False
            break
        sent_at = len(out)
        if cmd is None:
            os.write(fd, b"\x04")  # Ctrl-D
        else:
            os.write(fd, cmd.encode() + b"\r")
        deadline = time.monotonic() + 60
    if ok:
        read_until(lambda: False)  # to the end of the output
    _, status = os.waitpid(pid, os.WNOHANG) if not ok else os.waitpid(pid, 0)
    if not ok:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    text = ANSI.sub(b"", bytes(out)).replace(b"\r\n", b"\n").replace(b"\r", b"")
    sys.stdout.write(text.decode("utf-8", "replace"))
    if not text.endswith(b"\n"):
        print()
    if not ok:
        print("shell_session: no prompt within 60 s; ukvm killed")
        sys.exit(1)
    os.rmdir(home) if not os.listdir(home) else None


if __name__ == "__main__":
    main()
