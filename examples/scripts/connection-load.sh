#!/usr/bin/env bash
# connection-load.sh - one flowstack core under connection load, live: TCP_CRR before, 10,000 established connections
# and a flood of 100,000 SYNs that never complete, TCP_CRR with that load held, and again after it is gone; the
# server's heap (after a full collection) and its counters at each step.
#
# `flowstack serve --cores 1 --app echo:5007` on a TAP whose kernel end is in namespace fstest-load-PID
# (198.18.0.1 and 198.18.0.3 on the kernel's side, the stack at 198.18.0.2). The kernel's side holds the
# established connections (a python3 script with 10,000 sockets) and sends the flood with hping3, 50,000 SYNs from
# each of its two addresses (so every SYN has a tuple of its own); nftables drops the kernel's own RSTs to the
# stack's SYN,ACKs, so the half-open connections are not reset. TCP_CRR is the bench's client (`pbclient crr`,
# connect, one byte each way, the client closes first), with the namespace set up as the bench does it
# (tcp_max_tw_buckets=0: the kernel reuses its ports at once).
#
# Needs root, java (with jcmd), ip, python3, hping3, nft, and PBCLIENT=/path/to/pbclient (from the shared bench
# folder, default /tmp/peers-build/pbclient). Creates and deletes only its own namespace. Not a test: a measurement.
# Usage: sudo [PBCLIENT=...] [SECS=5] [RUNS=3] examples/scripts/connection-load.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
jar="${FLOWSTACK_JAR:-$here/examples/target/flowstack.jar}"
PBCLIENT="${PBCLIENT:-/tmp/peers-build/pbclient}"
SECS="${SECS:-5}"
RUNS="${RUNS:-3}"
ESTABLISHED="${ESTABLISHED:-10000}"
ns="fstest-load-$$"
tap="fsload$$"
server=""
holder=""
log="$(mktemp)"

[ "$(id -u)" = 0 ] || { echo "connection-load: needs root (namespaces, TAP)" >&2; exit 1; }
for tool in java jcmd ip python3 hping3 nft; do
    command -v "$tool" >/dev/null || { echo "connection-load: needs $tool" >&2; exit 1; }
done
[ -x "$PBCLIENT" ] || { echo "connection-load: needs the bench's pbclient (PBCLIENT=$PBCLIENT)" >&2; exit 1; }
[ -f "$jar" ] || (cd "$here" && mvn -q -DskipTests package) >&2

cleanup() {
    if [ -n "$holder" ]; then kill "$holder" 2>/dev/null || true; wait "$holder" 2>/dev/null || true; fi
    [ -n "$server" ] && kill "$server" 2>/dev/null || true
    [ -n "$server" ] && wait "$server" 2>/dev/null || true
    if ip netns list | grep -qw "^$ns"; then ip netns del "$ns" 2>/dev/null || true; fi
    rm -f "$log"
}
trap cleanup EXIT

inside() { ip netns exec "$ns" "$@"; }

counter() {   # counter NAME: its total from flowstack stat
    java -jar "$jar" stat --pid "$server" --json | python3 -c '
import json, sys
print(json.loads(sys.stdin.readline())["total"].get(sys.argv[1], 0))' "$1"
}

heap() {   # live heap of the server after a full collection, in bytes
    jcmd "$server" GC.run >/dev/null
    jcmd "$server" GC.heap_info | awk '/used/ && /total/ {for (i = 1; i <= NF; i++) if ($i == "used") {v = $(i + 1); sub(/K,?/, "", v); print v * 1024; exit}}'
}

crr() {   # crr LABEL: RUNS runs of pbclient crr, one thread and four
    local label=$1 r
    for r in $(seq "$RUNS"); do
        printf '%s crr 1 thread: %s\n' "$label" "$(inside "$PBCLIENT" crr 198.18.0.2 "$SECS" -p 5007 | grep -o 'value=[0-9]*')"
        printf '%s crr 4 threads: %s\n' "$label" "$(inside "$PBCLIENT" crr 198.18.0.2 "$SECS" -p 5007 -c 4 | grep -o 'value=[0-9]*')"
    done
}

java ${FLOWSTACK_JAVA_OPTS:-} -jar "$jar" serve --tap "$tap" --netns "$ns" --host-ip 198.18.0.1/24 --ip 198.18.0.2/24 \
    --cores 1 --app echo:5007 >"$log" 2>&1 &
server=$!
for _ in $(seq 50); do inside ping -c1 -W 0.2 198.18.0.2 >/dev/null 2>&1 && break; sleep 0.2; done
inside ip addr add 198.18.0.3/24 dev "$tap"
inside sysctl -qw net.ipv4.ip_local_port_range="1024 65535" net.ipv4.tcp_tw_reuse=1 net.ipv4.tcp_max_tw_buckets=0
inside ping -c1 -W 1 -I 198.18.0.3 198.18.0.2 >/dev/null

echo "heap at start: $(heap) bytes"
crr before

# 10,000 established connections held by the kernel's side.
# (ip netns exec execs python, so $! is python itself and the cleanup can end it.)
ip netns exec "$ns" python3 -c '
import resource, select, socket, sys, time
n = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_NOFILE, (n + 100, n + 100))
socks = []
for i in range(n):
    s = socket.socket()
    s.setblocking(False)
    s.connect_ex(("198.18.0.2", 5007))
    socks.append(s)
    if i % 500 == 499:
        time.sleep(0.05)
time.sleep(3)
ok = sum(1 for s in socks if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0)
print("held", ok, flush=True)
time.sleep(100000)' "$ESTABLISHED" &
holder=$!
for _ in $(seq 60); do [ "$(counter flows.owned)" -ge "$ESTABLISHED" ] && break; sleep 1; done
heap_established=$(heap)
echo "established: $(counter flows.owned) connections, heap $heap_established bytes"

# 100,000 SYNs that never complete: the kernel's RSTs to the stack's SYN,ACKs are dropped.
inside nft add table inet fstest
inside nft add chain inet fstest out '{ type filter hook output priority 0 ; policy accept ; }'
inside nft add rule inet fstest out tcp flags rst drop
inside hping3 -q -S -p 5007 -i u20 -c 50000 -a 198.18.0.1 198.18.0.2 >/dev/null 2>&1 || true
inside hping3 -q -S -p 5007 -i u20 -c 50000 -a 198.18.0.3 198.18.0.2 >/dev/null 2>&1 || true
heap_flood=$(heap)
echo "after the flood: $(java -jar "$jar" stat --pid "$server" | grep -E 'flows.owned|syncookies.sent|backlog_drops')"
echo "heap $heap_flood bytes"
inside nft delete table inet fstest
crr "with the load"

kill "$holder"; wait "$holder" 2>/dev/null || true; holder=""
sleep 35   # the held connections close, the half-open ones time out (30 s)
echo "after: $(counter flows.owned) connections, heap $(heap) bytes"
crr after
java -jar "$jar" stat --pid "$server" | grep -E 'tcp\.(connections|established|syncookies|rx.backlog|memory|timewait|rx.memory|rx.ooo)' || true
