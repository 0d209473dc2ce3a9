# KERNEL: test_gdb_target
# ARGS: exit 42
# STATUS: 42
# The guest's exit status reaches gdb (exit code 42) and is ukvm's own.
import gdb
from ukvmgdb import *

connect()
run("continue")
check_eq("exit-code", exit_code(), 42)
