"""pipe_tool.py: a FIFO's pipe, for tests where ukvm writes output nobody reads
(tests/scripts/console.sh). The caller keeps the FIFO open read-write (bash: exec 7<>FIFO)
so that the pipe lives and ukvm's writes block once it is full, never fail.

    python3 tests/lib/pipe_tool.py wait-full FIFO SECS PID
                                      waits (at most SECS) until the pipe is full and process
                                      PID, its writer, is asleep: exit 0, or 1 if never
    python3 tests/lib/pipe_tool.py drain FIFO END OUT    reads the pipe into OUT until what
                                                         was read ends with END
"""
import fcntl
import os
import struct
import sys
import termios
import time

F_GETPIPE_SZ = 1032


def open_fifo(path):
    return os.open(path, os.O_RDWR | os.O_NONBLOCK)


def queued(fd):
    return struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0]


def asleep(pid):
    """Is every thread of pid in an interruptible sleep (state S)?"""
    try:
        states = []
        for tid in os.listdir("/proc/%s/task" % pid):
            with open("/proc/%s/task/%s/stat" % (pid, tid)) as f:
                states.append(f.read().rsplit(")", 1)[1].split()[0])
        return bool(states) and all(s == "S" for s in states)
    except OSError:
        return False


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    fd = open_fifo(path)
    if cmd == "wait-full":
        # Full for a writer: once every page of the pipe is in use (the last one may hold a
        # single byte), poll(2) says no more fits; a write(2) may still fill that page.
        # So also: the writer sleeps (every thread), twice in a row with nothing read.
        size = fcntl.fcntl(fd, F_GETPIPE_SZ) - 4096 + 1
        deadline = time.monotonic() + float(sys.argv[3])
        last = None
        while time.monotonic() < deadline:
            if not os.path.exists("/proc/%s" % sys.argv[4]):
                return 1  # the writer is gone: the pipe will never fill
            now = (queued(fd), asleep(sys.argv[4]))
            if now[0] >= size and now[1] and now == last:
                return 0
            last = now
            time.sleep(0.05)
        return 1
    if cmd == "drain":
        end, out = sys.argv[3].encode().decode("unicode_escape").encode(), sys.argv[4]
        os.set_blocking(fd, True)
        data = b""
        while not data.endswith(end):
            data += os.read(fd, 65536)
        with open(out, "wb") as f:
            f.write(data)
        return 0
    return 2


sys.exit(main())
