#!/usr/bin/env bash
# synflood-kernel.sh - the kernel's reference for SynFloodLiveIT: the same SYN flood, tools, counts and timing, aimed
# at the Linux kernel's own TCP stack instead of `flowstack serve --cores 2 --app http:80`.
#
# Two namespaces joined by a veth pair created inside them (the pair never touches the host's namespace):
#   fsref-flood-srv-PID  198.18.0.2/24  a kernel HTTP server (`python3 -m http.server 80`, else a socat loop),
#                                       the kernel's TCP settings as shipped (printed, never changed);
#   fsref-flood-cli-PID  198.18.0.1/24  curl and hping3; nftables drops this namespace's own outgoing RSTs, so the
#                                       SYN,ACKs the flood draws are never reset and half-open entries pile up.
# Then, as the test does: 20 requests; `timeout 12 hping3 -q -S -p 80 -i u50` started, 1.5 s later 50 requests
# 150 ms apart; the flood stopped; 20 requests. A request counts when curl (`-m 5`, itself under `timeout 10`) gets
# a 200. Prints `kernel: before B/20, during N/50, after M/20` and the server namespace's SYN cookie and listen
# counters (nstat, absolute values of that namespace only).
#
# Needs root, ip, nft, hping3, curl, timeout, nstat and python3 or socat; a missing one: one line, exit 2.
# Creates and deletes only its own two namespaces (and the processes it starts in them), on every exit path.
# Not a test: a measurement. Run it under the shared lock: sudo flock /work/live.lock examples/scripts/synflood-kernel.sh
set -euo pipefail

SERVER_IP=198.18.0.2
CLIENT_IP=198.18.0.1
prefix="fsref-flood-"
srv="${prefix}srv-$$"
cli="${prefix}cli-$$"
work=""
server=""
flood=""

[ "$(id -u)" = 0 ] || { echo "synflood-kernel: needs root (namespaces, veth, nft)" >&2; exit 2; }
for tool in ip nft hping3 curl timeout nstat; do
    command -v "$tool" >/dev/null || { echo "synflood-kernel: needs $tool" >&2; exit 2; }
done
if command -v python3 >/dev/null; then
    httpd=(python3 -m http.server 80 --bind "$SERVER_IP" --directory www)
elif command -v socat >/dev/null; then
    # HTTP/1.0 without a length: curl reads the body up to the close; socat drains the request itself.
    httpd=(socat "TCP-LISTEN:80,bind=$SERVER_IP,reuseaddr,fork" "SYSTEM:echo HTTP/1.0 200 OK; echo; echo ok")
else
    echo "synflood-kernel: needs python3 or socat (the kernel's HTTP server)" >&2; exit 2
fi

stop() {   # stop PID: end a process this script started, and reap it
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

cleanup() {
    [ -n "$flood" ] && stop "$flood"
    [ -n "$server" ] && stop "$server"
    for ns in "$cli" "$srv"; do
        if ip netns list | grep -qw "^$ns"; then ip netns del "$ns" 2>/dev/null || true; fi
    done
    [ -n "$work" ] && rm -rf "$work"
}
work="$(mktemp -d)"
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Namespaces a killed earlier run left behind (only ours, by prefix; the shared lock keeps other runs away).
for ns in $(ip netns list | awk -v p="$prefix" 'index($1, p) == 1 {print $1}'); do
    ip netns del "$ns" 2>/dev/null || true
done

ip netns add "$srv"
ip netns add "$cli"
ip -n "$srv" link add veth0 type veth peer name veth1 netns "$cli"
ip -n "$srv" addr add "$SERVER_IP/24" dev veth0
ip -n "$cli" addr add "$CLIENT_IP/24" dev veth1
for ns in "$srv" "$cli"; do
    ip -n "$ns" link set lo up
done
ip -n "$srv" link set veth0 up
ip -n "$cli" link set veth1 up

# The flooding host keeps quiet: no RST for the SYN,ACKs its SYNs draw (as SynFloodLiveIT's nft rule).
ip netns exec "$cli" nft add table inet fsref
ip netns exec "$cli" nft add chain inet fsref out '{ type filter hook output priority 0 ; policy accept ; }'
ip netns exec "$cli" nft add rule inet fsref out tcp flags rst drop

echo "kernel $(uname -r), server namespace $srv (its defaults, unchanged):"
for key in net.ipv4.tcp_syncookies net.ipv4.tcp_max_syn_backlog net.core.somaxconn net.ipv4.tcp_synack_retries; do
    echo "  $key = $(ip netns exec "$srv" sysctl -n "$key")"
done

mkdir -p "$work/www"
echo ok > "$work/www/index.html"
(cd "$work" && exec ip netns exec "$srv" "${httpd[@]}") >"$work/httpd.log" 2>&1 &
server=$!
for _ in $(seq 50); do
    ip netns exec "$cli" curl -s -o /dev/null -m 1 "http://$SERVER_IP/" && break
    kill -0 "$server" 2>/dev/null || { echo "synflood-kernel: the HTTP server ended:" >&2; cat "$work/httpd.log" >&2; exit 1; }
    sleep 0.1
done
echo "server: ${httpd[0]}, listening socket (Send-Q is its accept backlog):"
ip netns exec "$srv" ss -ltn "sport = :80" | sed 's/^/  /'

requests() {   # requests COUNT GAP_SECONDS: how many of COUNT requests, GAP apart, got their 200
    local ok=0 code
    for _ in $(seq "$1"); do
        code="$(ip netns exec "$cli" timeout 10 curl -s -o /dev/null -m 5 -w '%{http_code}' "http://$SERVER_IP/" || true)"
        [ "$code" = 200 ] && ok=$((ok + 1))
        sleep "$2"
    done
    echo "$ok"
}

before="$(requests 20 0)"
ip netns exec "$cli" timeout 12 hping3 -q -S -p 80 -i u50 "$SERVER_IP" >/dev/null 2>&1 &
flood=$!
sleep 1.5
during="$(requests 50 0.15)"
stop "$flood"
flood=""
after="$(requests 20 0)"

echo "kernel: before $before/20, during $during/50, after $after/20"
echo "server namespace counters after the flood (nstat, absolute):"
ip netns exec "$srv" env NSTAT_HISTORY="$work/nstat" nstat -asz TcpExtSyncookiesSent TcpExtSyncookiesRecv \
    TcpExtSyncookiesFailed TcpExtListenDrops TcpExtListenOverflows TcpExtTCPReqQFullDoCookies \
    TcpExtTCPReqQFullDrop | sed '1{/^#/d}; s/^/  /'
