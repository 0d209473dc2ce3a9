# KERNEL: test_abort
# STATUS: 255
# solo5_abort() stops gdb with SIGABRT, with abort_here in the backtrace.
import gdb
from ukvmgdb import *

connect()
ev = run("continue")
check_eq("sigabrt", stop_signal(ev), "SIGABRT")
check_eq("stopped-in-solo5_abort", function_at_pc(), "solo5_abort")
bt = gdb.execute("bt", to_string=True)
check("bt-shows-abort_here-then-main", "abort_here" in bt and "solo5_app_main" in bt, bt)
run("continue")
check_eq("exit-code", exit_code(), 255)
