# KERNEL: test_watch
# STATUS: 0
# Every shape of access to a trapped page, completed by the monitor with no stop:
# emul_phase (tests/test_watch/emul_phase.c) stores and loads 1 to 16 bytes, aligned and
# not, across page boundaries (trapped/trapped and trapped/untrapped), with rep movs/stos,
# lods, locked RMWs, push/pop, and checks each result itself (emul_failed names the
# first wrong one). It runs twice: first with both its trapped pages absent (an awatch and
# an rwatch), then read-only (two write watches). The only stops are the sentinel stores.
import gdb
from watchgdb import *

S1 = "*(unsigned long *)&emul.b[0x1800]"
S2 = "*(unsigned long *)&emul.b[0x2800]"

connect()
aw = watch(S1, gdb.WP_ACCESS)
rw = watch(S2, gdb.WP_READ)
expect_watch_stop("absent-sentinel1", "continue", aw, "emul-sentinel1", "emul_phase", S1, 1)
check_eq("absent-pages-all-accesses-right", value("emul_failed"), 0)
check_eq("absent-sentinel2-not-yet", value(S2), 0)
aw.delete()
rw.delete()

w1 = watch(S1)
w2 = watch(S2)
expect_watch_stop("read-only-sentinel2", "continue", w2, "emul-sentinel2", "emul_phase", S2, 1)
expect_watch_stop("read-only-sentinel1", "continue", w1, "emul-sentinel1", "emul_phase", S1, 2)
check_eq("read-only-pages-all-accesses-right", value("emul_failed"), 0)
w1.delete()
w2.delete()
run("continue")
check_eq("exit-code", exit_code(), 0)
