# KERNEL: test_watch
# ARGS: frames
# STATUS: 255
# ENV: UKVM_WATCH_PAGES=1
# A page that is plain data when gdb watches it, and that the guest makes its stack
# afterwards: the CPU cannot push an exception frame into the trapped page. The guest
# must not die of that: ukvm re-checks the trapped pages when the guest cannot go on,
# lifts the trap with a SIGTRAP stop whose reason is on ukvm's stderr, and, once the
# watchpoint is deleted (gdb could not insert it again), continuing retries: the #UD the
# guest raised stops as usual (SIGILL in frames_phase), and the guest ends as without gdb.
import gdb
from watchgdb import *

connect()
wp = watch("frame_page.mark")
said = len(ukvm_stderr())
ev = run("continue")
info = gdb.execute("info program", to_string=True)
check("sigtrap", stop_signal(ev) == "SIGTRAP" or "SIGTRAP" in info, info)
check("reason", "is the stack in use" in ukvm_stderr()[said:] and
      "the trap is lifted" in ukvm_stderr()[said:], ukvm_stderr()[said:][-600:])
check_eq("in-frames_phase", function_at_pc(), "frames_phase")
wp.delete()
ev = run("continue")
check_eq("sigill", stop_signal(ev), "SIGILL")
check_eq("ud-in-frames_phase", function_at_pc(), "frames_phase")
run("continue")
check_eq("exit-code", exit_code(), 255)
