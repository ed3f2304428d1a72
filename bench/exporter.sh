#!/bin/bash
# What a scrape of the exporter costs: a VXLAN pool of N tunnels (4,000 by
# default) in a fresh netns, every tunnel bound (so lb_ingress_tab holds N
# entries among those it walks), `latebind exporter` on 127.0.0.1 there, S scrapes by
# curl one after the other. Prints the wall time per scrape as curl sees it
# (median, min, max), the exporter's own read time
# (latebind_exporter_scrape_duration_seconds, median) and the body's size.
# A measurement, not a test: nothing passes or fails on speed.
#
# Env: CLI (build/latebind), EXPORTER_TUNNELS (4000), EXPORTER_SCRAPES (20).
set -eu
export LC_ALL=C
CLI=${CLI:-build/latebind}
N=${EXPORTER_TUNNELS:-4000}
S=${EXPORTER_SCRAPES:-20}
NS=lbexp-bench-$$
URL=http://127.0.0.1:27746/metrics
EXP=""

cleanup() {
	[ -n "$EXP" ] && kill "$EXP" 2>/dev/null && wait "$EXP" 2>/dev/null
	"$CLI" -n "$NS" pool destroy dev ul >/dev/null 2>&1 || true
	ip netns del "$NS" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" link add ul type veth peer name ulp
ip -n "$NS" addr add 10.89.0.1/24 dev ul
ip -n "$NS" link set ul up
ip -n "$NS" link set ulp up
t0=$(date +%s%N)
"$CLI" -n "$NS" pool create dev ul type vxlan remote 10.89.0.2 count "$N" >/dev/null
echo "pool create of $N: $((($(date +%s%N) - t0) / 1000000)) ms"
for i in $(seq 0 $((N - 1))); do echo "bind lb$i vni $((i + 1))"; done |
	while read -r _ t _ v; do "$CLI" -n "$NS" bind "$t" vni "$v"; done >/dev/null
echo "bound $N tunnels"

"$CLI" -n "$NS" exporter 2>/dev/null &
EXP=$!
for _ in $(seq 100); do
	nsenter --net="/run/netns/$NS" curl -sf -o /dev/null "$URL" && break
	sleep 0.1
done

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
: >"/tmp/$NS.wall"
: >"/tmp/$NS.read"
for _ in $(seq "$S"); do
	nsenter --net="/run/netns/$NS" curl -sf -o "/tmp/$NS.body" -w '%{time_total}\n' "$URL" >>"/tmp/$NS.wall"
	awk '$1 == "latebind_exporter_scrape_duration_seconds" { print $2 }' "/tmp/$NS.body" >>"/tmp/$NS.read"
done
echo "scrapes: $S of $N tunnels, $(wc -c <"/tmp/$NS.body") bytes, $(grep -vc '^#' "/tmp/$NS.body") samples"
echo "wall per scrape (curl): median $(median <"/tmp/$NS.wall") s, min $(sort -n "/tmp/$NS.wall" | head -1) s, max $(sort -n "/tmp/$NS.wall" | tail -1) s"
echo "exporter read time: median $(median <"/tmp/$NS.read") s"
echo "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), kernel $(uname -r)"
rm -f "/tmp/$NS.wall" "/tmp/$NS.read" "/tmp/$NS.body"
