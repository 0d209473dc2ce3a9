# KERNEL: test_reverse
# OPTS: --record
# STATUS: 0
# step-reverse, next over calls, finish-reverse, until-reverse (gdb.reverse's scenarios):
# reverse-next steps back over a call; reverse-step enters the call from its end;
# reverse-finish goes back out to the call; forward `next` replays; in a loop, reverse-next
# from one line goes back to the previous line of the same iteration.
import gdb
from reversegdb import *

connect()
gdb.execute("break %s:%d" % (SOURCE, marker_line("main-total")))
ev = run("continue")
check_eq("at-main-total", where(), ("solo5_app_main", marker_line("main-total")))
gdb.execute("delete")
counter_after = value("counter")

run("reverse-next")
check_eq("reverse-next-over-call", where(), ("solo5_app_main", marker_line("main-accumulate")))
check_eq("reverse-next-undid-the-call", value("counter"), 0)
run("next")
check_eq("next-replays-the-call", where(), ("solo5_app_main", marker_line("main-total")))
check_eq("next-replayed-counter", value("counter"), counter_after)

run("reverse-step")
check_eq("reverse-step-enters-from-the-end", function_at_pc(), "accumulate")
check("reverse-step-after-the-loop", value("counter") == counter_after,
      "counter %d" % value("counter"))
run("reverse-finish")
check_eq("reverse-finish-to-the-call", where(),
         ("solo5_app_main", marker_line("main-accumulate")))
check_eq("reverse-finish-before-the-call", value("counter"), 0)

# A loop: forward to the second iteration's add, then back line by line.
gdb.execute("break %s:%d" % (SOURCE, marker_line("loop-add")))
run("continue")
run("continue")
gdb.execute("delete")
check_eq("second-iteration", (where(), value("i")),
         (("accumulate", marker_line("loop-add")), 2))
s2 = value("s")
run("reverse-next")
check_eq("reverse-next-in-loop", (where(), value("i")),
         (("accumulate", marker_line("loop-square")), 2))
run("reverse-next")
check_eq("reverse-next-to-the-loop-header", (where(), value("i")),
         (("accumulate", marker_line("loop-square") - 1), 2))
run("reverse-next")
check_eq("reverse-next-to-first-iteration", (where(), value("i")),
         (("accumulate", marker_line("loop-add")), 1))
for i in range(3):
    run("next")
check_eq("forward-again-same-iteration", (where(), value("i"), value("s")),
         (("accumulate", marker_line("loop-add")), 2, s2))
# until-reverse: with exec-direction reverse, `until LINE` runs back to that line.
gdb.execute("break %s:%d" % (SOURCE, marker_line("main-total")))
run("continue")
gdb.execute("delete")
gdb.execute("set exec-direction reverse")
run("until %d" % (marker_line("main-accumulate") - 1))
check_eq("until-reverse", (where(), value("counter")),
         (("solo5_app_main", marker_line("main-accumulate") - 1), 0))
gdb.execute("set exec-direction forward")
run("advance %d" % marker_line("main-total"))
check_eq("advance-forward-again", (where(), value("counter")),
         (("solo5_app_main", marker_line("main-total")), 30))
