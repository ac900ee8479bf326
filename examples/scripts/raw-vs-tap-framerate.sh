#!/usr/bin/env bash
# raw-vs-tap-framerate.sh - frames per second ONE flowstack core receives from the same flood, through a TAP
# (one read() per frame) and through an AF_PACKET raw socket with a TPACKET_V3 ring (one wake-up per block).
#
# For each driver and each run: `flowstack serve --cores 1` on a device it creates itself (a TAP whose kernel end
# is in namespace fstest-fr-tap-PID, or a veth pair whose kernel end is in fstest-fr-raw-PID and whose stack end
# is in fstest-fr-raw-PID-stack), one ping so the kernel has resolved 198.18.0.2, then a UDP flood from the
# kernel's namespace to 198.18.0.2:9 for FLOOD_SECS; `flowstack stat --json` is sampled one second into the flood
# and SECS seconds later, and the rate is the difference of engine.frames_in over the difference of timeMs.
# Prints one line per run and the median of each driver, and the ratio raw / TAP.
#
# The flood: with TAPBENCH=/path/to/tapbench (the kernel-UDP sendmmsg generator `tapbench gen-udp`, e.g. built
# from the shared bench folder), else a python3 loop of sendto() (slower: it may be the bottleneck, and then the
# two drivers look alike). The generator runs in the kernel namespace; on a 2-CPU machine it takes one CPU and the
# flowstack core the other, and the kernel's receive work for the flood runs on the generator's CPU.
#
# Needs root, java, ip, ping; creates and deletes only its own fstest-fr-* namespaces. Not a test: a measurement.
# Usage: sudo [TAPBENCH=...] [RUNS=3] [SECS=3] [SIZE=64] examples/scripts/raw-vs-tap-framerate.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
jar="${FLOWSTACK_JAR:-$here/examples/target/flowstack.jar}"
RUNS="${RUNS:-3}"
SECS="${SECS:-3}"
SIZE="${SIZE:-64}"
FLOOD_SECS=$((SECS + 3))
TAPBENCH="${TAPBENCH:-}"
tag="$$"
servers=()
namespaces=("fstest-fr-tap-$tag" "fstest-fr-raw-$tag" "fstest-fr-raw-$tag-stack")

[ "$(id -u)" = 0 ] || { echo "raw-vs-tap-framerate: needs root (namespaces, TAP, AF_PACKET)" >&2; exit 1; }
if [ ! -f "$jar" ]; then
    echo "raw-vs-tap-framerate: building $jar" >&2
    (cd "$here" && mvn -q -DskipTests package) >&2
fi

cleanup() {
    local p
    for p in "${servers[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${servers[@]}"; do wait "$p" 2>/dev/null || true; done
    local ns
    for ns in "${namespaces[@]}"; do
        if ip netns list | grep -qw "^$ns"; then ip netns del "$ns" 2>/dev/null || true; fi
    done
}
trap cleanup EXIT

# frames_in TOTAL and timeMs from one stat report: "FRAMES MILLIS"
sample() {
    java -jar "$jar" stat --pid "$1" --json | python3 -c '
import json, sys
r = json.loads(sys.stdin.readline())
print(r["total"].get("engine.frames_in", 0), r["timeMs"])'
}

flood() {   # flood NS
    local ns=$1
    if [ -n "$TAPBENCH" ]; then
        ip netns exec "$ns" "$TAPBENCH" gen-udp 198.18.0.2 "$FLOOD_SECS" "$SIZE"
    else
        ip netns exec "$ns" python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect(("198.18.0.2", 9))
payload = bytes(max(18, int(sys.argv[2]) - 42))
end = time.monotonic() + float(sys.argv[1]); n = 0
while time.monotonic() < end:
    for _ in range(1000):
        try:
            s.send(payload); n += 1
        except OSError:
            pass
print("RESULT mode=python-udp fps=%.0f frames=%d" % (n / float(sys.argv[1]), n))' "$FLOOD_SECS" "$SIZE"
    fi
}

RATE=0
run_once() {   # run_once tap|raw -> sets RATE (frames/s); runs in this shell so that cleanup sees the server
    local kind=$1 ns dev log pid
    log=$(mktemp)
    if [ "$kind" = tap ]; then
        ns="fstest-fr-tap-$tag"; dev="fsfrt$tag"
        java -jar "$jar" serve --tap "${dev:0:15}" --netns "$ns" --host-ip 198.18.0.1/24 --ip 198.18.0.2/24 \
            --cores 1 >"$log" 2>&1 &
    else
        ns="fstest-fr-raw-$tag"; dev="fsfrr$tag"
        java -jar "$jar" serve --raw "${dev:0:15}" --netns "$ns" --host-ip 198.18.0.1/24 --ip 198.18.0.2/24 \
            --cores 1 >"$log" 2>&1 &
    fi
    pid=$!
    servers+=("$pid")
    for _ in $(seq 100); do grep -q serving "$log" && break; sleep 0.1; done
    grep -q serving "$log" || { cat "$log" >&2; return 1; }
    ip netns exec "$ns" ping -q -c 2 -i 0.2 198.18.0.2 >/dev/null
    local gen_out; gen_out=$(mktemp)
    flood "$ns" >"$gen_out" 2>&1 &
    local gen=$!
    sleep 1
    local a b
    a=$(sample "$pid")
    sleep "$SECS"
    b=$(sample "$pid")
    wait "$gen" || true
    kill "$pid"; wait "$pid" 2>/dev/null || true
    servers=()
    RATE=$(python3 -c '
import sys
f0, t0, f1, t1 = map(int, sys.argv[1:5])
print("%.0f" % ((f1 - f0) * 1000.0 / (t1 - t0)))' $a $b)
    grep RESULT "$gen_out" | sed 's/^/    generator: /' || true
    rm -f "$log" "$gen_out"
}

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

if [ -n "$TAPBENCH" ]; then generator="$TAPBENCH gen-udp"; else generator="python3 sendto loop"; fi
echo "flood: $generator, $SIZE-byte frames, $RUNS runs of $SECS s"
tap_rates=(); raw_rates=()
for r in $(seq "$RUNS"); do
    run_once tap; echo "run $r: TAP        $RATE frames/s"; tap_rates+=("$RATE")
    sleep 1
    run_once raw; echo "run $r: AF_PACKET  $RATE frames/s"; raw_rates+=("$RATE")
    sleep 1
done
tm=$(printf '%s\n' "${tap_rates[@]}" | median)
rm_=$(printf '%s\n' "${raw_rates[@]}" | median)
echo "median: TAP $tm frames/s, AF_PACKET $rm_ frames/s, ratio raw/TAP $(python3 -c "print('%.2f' % ($rm_ / $tm))")"
