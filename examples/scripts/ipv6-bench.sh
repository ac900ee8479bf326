#!/usr/bin/env bash
# ipv6-bench.sh - IPv6 against IPv4 on the same flowstack server in the same run: bulk both ways and TCP_CRR, each
# as a ratio IPv6 / IPv4.
#
# `flowstack serve --cores 1` with discard (5001), source (5002) and echo (5007) on one TAP carrying both families:
# the kernel's side 198.18.1.1/24 and 2001:2::1/64 in namespace fstest-v6b-PID, the stack 198.18.1.2 and 2001:2::2.
# The client is examples/scripts/TcpBench.java on kernel sockets in the namespace (the shared bench's pbclient
# speaks IPv4 only), the same client for both families: `send` writes 128 KiB buffers to discard for SECS seconds,
# `recv` reads from source, `crr` loops connect, one byte each way, close (the client closes first). The namespace
# is set up as the bench sets its own (ports 1024-65535, tcp_tw_reuse, tcp_max_tw_buckets=0). After a warm-up
# round, RUNS rounds with the two families interleaved (IPv4 then IPv6 for each test); the table shows medians.
#
# Needs root, java, javac, ip. Creates and deletes only its own namespace. Not a test: a measurement.
# Usage: sudo [SECS=5] [RUNS=3] examples/scripts/ipv6-bench.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
jar="${FLOWSTACK_JAR:-$here/examples/target/flowstack.jar}"
SECS="${SECS:-5}"
RUNS="${RUNS:-3}"
ns="fstest-v6b-$$"
tap="fsv6b$$"
server=""
work="$(mktemp -d)"

[ "$(id -u)" = 0 ] || { echo "ipv6-bench: needs root (namespaces, TAP)" >&2; exit 1; }
for tool in java javac ip; do
    command -v "$tool" >/dev/null || { echo "ipv6-bench: needs $tool" >&2; exit 1; }
done
[ -f "$jar" ] || { echo "ipv6-bench: no $jar (mvn -q -o package -DskipTests first)" >&2; exit 1; }

cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    if ip netns list | grep -qw "^$ns"; then ip netns del "$ns" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

inside() { ip netns exec "$ns" "$@"; }

javac -d "$work" "$here/examples/scripts/TcpBench.java"
ip netns add "$ns"
inside sysctl -qw net.ipv4.ip_local_port_range="1024 65535" net.ipv4.tcp_tw_reuse=1 net.ipv4.tcp_max_tw_buckets=0
java ${FLOWSTACK_JAVA_OPTS:-} -jar "$jar" serve --tap "$tap" --netns "$ns" --host-ip 198.18.1.1/24 \
    --host-ip 2001:2::1/64 --ip 198.18.1.2/24 --ip 2001:2::2/64 --cores 1 \
    --app discard:5001 --app source:5002 --app echo:5007 >"$work/server.log" 2>&1 &
server=$!
ready=""
for _ in $(seq 100); do
    if inside ping -c1 -W 0.2 198.18.1.2 >/dev/null 2>&1 && inside ping -6 -c1 -W 0.2 2001:2::2 >/dev/null 2>&1; then
        ready=1
        break
    fi
    kill -0 "$server" 2>/dev/null || break
    sleep 0.2
done
[ -n "$ready" ] || { echo "ipv6-bench: the server did not answer on both families:" >&2; cat "$work/server.log" >&2; exit 1; }

client() { inside java -cp "$work" TcpBench "$1" "$2" "$3"; }

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

for test in send recv crr; do   # warm-up: the server's JIT, both families
    client "$test" 198.18.1.2 2 >/dev/null
    client "$test" 2001:2::2 2 >/dev/null
done

declare -A values
for r in $(seq "$RUNS"); do
    for test in send recv crr; do
        v4=$(client "$test" 198.18.1.2 "$SECS")
        v6=$(client "$test" 2001:2::2 "$SECS")
        echo "run $r $test: IPv4 $v4, IPv6 $v6" >&2
        values[$test.4]="${values[$test.4]:-} $v4"
        values[$test.6]="${values[$test.6]:-} $v6"
    done
done

printf '| test | IPv4 | IPv6 | IPv6 / IPv4 |\n|---|---|---|---|\n'
for test in send recv crr; do
    # shellcheck disable=SC2086
    m4=$(median ${values[$test.4]})
    # shellcheck disable=SC2086
    m6=$(median ${values[$test.6]})
    case $test in
        send) name="bulk kernel -> flowstack, Gbit/s";;
        recv) name="bulk flowstack -> kernel, Gbit/s";;
        crr) name="TCP_CRR, conn/s";;
    esac
    # shellcheck disable=SC2086
    printf '| %s | %s (%s) | %s (%s) | %.2f |\n' "$name" "$m4" "$(echo ${values[$test.4]} | tr ' ' '/')" \
        "$m6" "$(echo ${values[$test.6]} | tr ' ' '/')" "$(awk -v a="$m6" -v b="$m4" 'BEGIN {print a / b}')"
done
