# step_bench.py: gdb stepi per second against a ukvm --gdb (tests/bench/mode_bench.sh).
# Environment: BENCH_GDB_PORT, BENCH_FILE (symbols), BENCH_STEPS. Prints
# "bench: stepi_per_s=X" or "bench: error=...".
import os
import time
import gdb

gdb.execute("set pagination off")
gdb.execute("set confirm off")
try:
    gdb.execute("file " + os.environ["BENCH_FILE"])
    gdb.execute("target remote 127.0.0.1:" + os.environ["BENCH_GDB_PORT"])
    gdb.execute("break loop_body")
    gdb.execute("continue")
    n = int(os.environ.get("BENCH_STEPS", "500"))
    t0 = time.monotonic()
    for _ in range(n):
        gdb.execute("stepi", to_string=True)
    t1 = time.monotonic()
    print("bench: stepi_per_s=%.0f" % (n / (t1 - t0)))
    gdb.execute("kill")
except gdb.error as e:
    print("bench: error=%s" % e)
