# tests/bench/lib.bash: helpers the benchmark scripts share (tests/bench/run.sh,
# tests/bench/hvt_bench.sh and tests/bench/net_bench.sh source it). They use the caller's die and $tmp.

# field NAME LINE: the value of NAME=value in a line of host_timeit or --stats output.
field() {
    local re="(^|[[:space:]])$1=([^[:space:]]+)"
    [[ $2 =~ $re ]] || die "no '$1=' in: $2"
    printf '%s\n' "${BASH_REMATCH[2]}"
}

# line_for I: host_timeit's result line for command I (from $tmp/timeit.out).
line_for() {
    grep "^cmd=$1 " "$tmp/timeit.out" || die "host_timeit printed no line for command $1"
}

# calc EXPR: floating-point arithmetic, one decimal.
calc() {
    awk "BEGIN { printf \"%.1f\", $1 }"
}

# ratio A B: A / B with two decimals, or "n/a" when either is n/a or B is not positive.
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (a != "n/a" && b != "n/a" && b > 0) printf "%.2f", a / b; else printf "n/a" }'
}

# median FILE: the median of the numbers in FILE, one a line.
median() {
    sort -n "$1" | awk '{ v[NR] = $1 }
        END { if (NR == 0) exit 1;
              if (NR % 2) printf "%.1f", v[(NR + 1) / 2];
              else printf "%.1f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# percentile P FILE: the P-th percentile (nearest rank) of the numbers in FILE, one a
# line, with three decimals (ping's round trips are in ms, to the microsecond).
percentile() {
    sort -n "$2" | awk -v p="$1" '{ v[NR] = $1 }
        END { if (NR == 0) exit 1;
              r = int(p * NR / 100); if (r < p * NR / 100) r++; if (r < 1) r = 1;
              printf "%.3f", v[r] }'
}

# gdb_metric NAME FILE: the value of NAME from gdb_bench.py's "bench: NAME=..." line in
# FILE, or n/a when there is none (gdb died, timed out, or the metric could not run).
gdb_metric() {
    local line
    line=$(grep -m1 "^bench: $1=" "$2" 2>/dev/null) || {
        echo n/a
        return
    }
    field "$1" "$line"
}

# gdb_why NAME FILE: why a metric is n/a, for the reader.
gdb_why() {
    local line
    if line=$(grep -m1 "^bench: $1=" "$2" 2>/dev/null); then
        [[ $line =~ why=([^[:space:]]+) ]] && printf '%s\n' "${BASH_REMATCH[1]}" | tr _ ' '
    elif line=$(grep -m1 '^bench: error=' "$2" 2>/dev/null); then
        field why "$line" | tr _ ' '
    else
        echo "gdb printed no result (crash or timeout: see its output above)"
    fi
    return 0
}

# listening PORT: whether something listens on PORT (from /proc, so that checking opens
# no connection, which a gdb stub would take for gdb's).
listening() {
    local hex
    hex=$(printf '%04X' "$1")
    awk -v p=":$hex" 'FNR > 1 && $4 == "0A" && substr($2, length($2) - 4) == p { f = 1 }
        END { exit !f }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on now (asked from the kernel).
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# stop_server PID: waits up to 5 s for a server that gdb has killed, then kills it.
stop_server() {
    local i
    for ((i = 0; i < 50; i++)); do
        kill -0 "$1" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}
