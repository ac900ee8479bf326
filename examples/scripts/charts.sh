#!/usr/bin/env bash
# charts.sh - PNG charts from the benchmark results (the summary.tsv that ../shared/bench's peer-bench.sh,
# kernel-baseline.sh and lossy-path.sh append to: GROUP, TEST, MEDIAN, UNIT, MIN, MAX, tab-separated).
#
#   bench.png  every group that is not lossy-*: throughput (Gbit/s), request rates (thousands a second) and ping
#              round trips (microseconds) as clustered bars, one bar per group, the whiskers min..max of the runs.
#   lossy.png  the lossy-* groups: goodput (Mbit/s) against loss, a panel per RTT and direction, a line per stack.
#
# Groups are drawn in the order they first appear; -l GROUP=LABEL renames one for the legend (a cmd: group's name
# is its whole command line). Needs gnuplot (Debian: apt-get install gnuplot-nox) and awk; writes only into OUTDIR.
#
# Usage: examples/scripts/charts.sh [-o OUTDIR] [-l GROUP=LABEL]... SUMMARY.tsv...
# The README's pictures: examples/scripts/charts.sh -o docs/charts docs/charts/bench.tsv docs/charts/lossy.tsv
set -euo pipefail

out=.
labels=()
while getopts "o:l:h" opt; do
    case $opt in
        o) out=$OPTARG ;;
        l) labels+=("$OPTARG") ;;
        *) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
if [ $# -eq 0 ]; then
    echo "charts.sh: give at least one summary.tsv (see -h)" >&2
    exit 2
fi
if ! command -v gnuplot >/dev/null; then
    echo "charts.sh: needs gnuplot (Debian: apt-get install gnuplot-nox)" >&2
    exit 1
fi
for f in "$@"; do
    [ -r "$f" ] || { echo "charts.sh: cannot read $f" >&2; exit 1; }
done
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
names=$(printf '%s\n' "${labels[@]+"${labels[@]}"}")

# ---- bench.png: one data file per panel, a row per test, three columns (median, min, max) per group ------------
awk -F'\t' -v work="$work" -v names="$names" '
function short(t) {
    if (t ~ /^bulk kernel->peer/) return "bulk in"
    if (t ~ /^bulk peer->kernel/) return "bulk out"
    if (t ~ /^echo/) return "echo"
    if (t ~ /^iperf3 -P 2/) return "iperf3 -P 2"
    if (t ~ /^iperf3 -R/) return "iperf3 -R"
    if (t ~ /^iperf3/) return "iperf3"
    if (t ~ /^TCP_RR/) return "RR"
    if (t ~ /^TCP_CRR.*1 thread/) return "CRR"
    if (t ~ /^TCP_CRR.*4 threads/) return "CRR x4"
    if (t ~ /^wrk/) return "wrk"
    if (t ~ /^ping.*busy/) return "ping busy"
    if (t ~ /^ping.*idle/) return "ping idle"
    return t
}
function panel(u) {
    if (u == "Gbit/s") return "throughput"
    if (u == "trans/s" || u == "conn/s" || u == "req/s") return "rates"
    if (u == "us") return "latency"
    return ""
}
BEGIN {
    n = split(names, pairs, "\n")
    for (i = 1; i <= n; i++) { eq = index(pairs[i], "="); if (eq) label[substr(pairs[i], 1, eq - 1)] = substr(pairs[i], eq + 1) }
}
$1 !~ /^lossy-/ && NF >= 6 {
    p = panel($4); if (p == "") next
    g = $1; t = short($2)
    if (!(g in gi)) { gi[g] = ++groups; gname[groups] = (g in label) ? label[g] : g }
    key = p SUBSEP t
    if (!(key in ti)) { ti[key] = ++tests[p]; tname[p, tests[p]] = t }
    scale = (p == "rates") ? 1000 : 1
    for (k = 0; k < 3; k++) { v = $(3 + k); val[p, ti[key], gi[g], k] = (v ~ /^-?[0-9.]+([eE][-+]?[0-9]+)?$/) ? v / scale : "NaN" }
}
END {
    printf "%d\n", groups > (work "/groups")
    for (g = 1; g <= groups; g++) print gname[g] > (work "/group-names")
    split("throughput rates latency", ps, " ")
    for (q = 1; q <= 3; q++) {
        p = ps[q]; f = work "/" p ".dat"
        printf "test" > f
        for (g = 1; g <= groups; g++) printf "\t\"%s\"\tmin\tmax", gname[g] > f
        printf "\n" > f
        for (i = 1; i <= tests[p]; i++) {
            printf "\"%s\"", tname[p, i] > f
            for (g = 1; g <= groups; g++)
                for (k = 0; k < 3; k++) printf "\t%s", ((p, i, g, k) in val) ? val[p, i, g, k] : "NaN" > f
            printf "\n" > f
        }
        close(f)
    }
}' "$@"

groups=$(cat "$work/groups")
if [ "$groups" -gt 0 ]; then
    cat > "$work/bench.gp" <<GP
set terminal pngcairo size 1200,420 font "sans,10" noenhanced
set output "$out/bench.png"
set datafile separator "\t"
set key autotitle columnhead
set offsets 0, 0, graph 0.3, 0
set style data histograms
set style histogram errorbars gap 1 lw 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set key top right
set yrange [0:*]
set multiplot layout 1,3
set title "Throughput (Gbit/s)"
plot for [g=1:$groups] "$work/throughput.dat" using (column(3*g-1)):(column(3*g)):(column(3*g+1)):xtic(1) title columnhead(3*g-1)
set title "Requests (thousands a second)"
set key off
plot for [g=1:$groups] "$work/rates.dat" using (column(3*g-1)):(column(3*g)):(column(3*g+1)):xtic(1)
set title "Ping round trip (microseconds)"
plot for [g=1:$groups] "$work/latency.dat" using (column(3*g-1)):(column(3*g)):(column(3*g+1)):xtic(1)
unset multiplot
GP
    gnuplot "$work/bench.gp"
    echo "charts.sh: $out/bench.png ($groups groups)"
fi

# ---- lossy.png: a data file per (direction, RTT), a row per loss rate, a column per stack ----------------------
awk -F'\t' -v work="$work" -v names="$names" '
BEGIN {
    n = split(names, pairs, "\n")
    for (i = 1; i <= n; i++) { eq = index(pairs[i], "="); if (eq) label[substr(pairs[i], 1, eq - 1)] = substr(pairs[i], eq + 1) }
}
$1 ~ /^lossy-/ && $1 != "lossy-selfcheck" && $2 ~ /^bulk / && NF >= 6 {
    g = $1
    if (!(g in gi)) { gi[g] = ++groups; gname[groups] = (g in label) ? label[g] : substr(g, 7) }
    dir = ($2 ~ /kernel->peer/) ? "send" : "recv"
    match($2, /rtt=[0-9.]+ms/); rtt = substr($2, RSTART + 4, RLENGTH - 6)
    match($2, /loss=[0-9.]+/); loss = substr($2, RSTART + 5, RLENGTH - 5)
    rtts[rtt] = 1; losses[loss] = 1
    val[dir, rtt, loss, gi[g]] = ($3 ~ /^[0-9.]+$/) ? $3 : "NaN"
}
END {
    if (groups == 0) { print 0 > (work "/lossy-groups"); exit }
    nr = 0; for (r in rtts) rl[++nr] = r + 0
    nl = 0; for (l in losses) ll[++nl] = l + 0
    for (i = 1; i <= nr; i++) for (j = i + 1; j <= nr; j++) if (rl[j] < rl[i]) { t = rl[i]; rl[i] = rl[j]; rl[j] = t }
    for (i = 1; i <= nl; i++) for (j = i + 1; j <= nl; j++) if (ll[j] < ll[i]) { t = ll[i]; ll[i] = ll[j]; ll[j] = t }
    print groups > (work "/lossy-groups")
    for (i = 1; i <= nr; i++) print rl[i] > (work "/lossy-rtts")
    split("send recv", ds, " ")
    for (d = 1; d <= 2; d++) for (i = 1; i <= nr; i++) {
        f = work "/lossy-" ds[d] "-" rl[i] ".dat"
        printf "loss" > f
        for (g = 1; g <= groups; g++) printf "\t\"%s\"", gname[g] > f
        printf "\n" > f
        for (j = 1; j <= nl; j++) {
            printf "\"%g%%\"", ll[j] * 100 > f
            for (g = 1; g <= groups; g++) {
                k = ds[d] SUBSEP rl[i] SUBSEP ll[j] SUBSEP g
                # the summary writes losses as given (0.001, 0.01); look both spellings up
                v = "NaN"; for (kk in val) { split(kk, parts, SUBSEP); if (parts[1] == ds[d] && parts[2] + 0 == rl[i] && parts[3] + 0 == ll[j] && parts[4] == g) v = val[kk] }
                printf "\t%s", v > f
            }
            printf "\n" > f
        }
        close(f)
    }
}' "$@"

lgroups=$(cat "$work/lossy-groups")
if [ "$lgroups" -gt 0 ]; then
    mapfile -t rtts < "$work/lossy-rtts"
    {
        echo "set terminal pngcairo size 1200,640 font \"sans,10\" noenhanced"
        echo "set output \"$out/lossy.png\""
        echo "set datafile separator \"\\t\""
        echo "set grid ytics"
        echo "set yrange [0:100]"
        echo "set ylabel \"Mbit/s\""
        echo "set xlabel \"loss, each way\""
        echo "set style data linespoints"
        echo "set multiplot layout 2,${#rtts[@]} title \"Goodput through a 100 Mbit/s path with delay and random loss\""
        first=1
        for d in send recv; do
            for r in "${rtts[@]}"; do
                what=$([ $d = send ] && echo "kernel -> stack (the stack receives)" || echo "stack -> kernel (the stack sends)")
                echo "set title \"RTT $r ms, $what\""
                if [ $first = 1 ]; then echo "set key bottom left"; first=0; else echo "set key off"; fi
                echo "plot for [g=2:$((lgroups + 1))] \"$work/lossy-$d-$r.dat\" using 0:g:xtic(1) title columnhead(g) lw 2 pt 7"
            done
        done
        echo "unset multiplot"
    } > "$work/lossy.gp"
    gnuplot "$work/lossy.gp"
    echo "charts.sh: $out/lossy.png ($lgroups stacks)"
fi
