#!/bin/bash
# `make bench`: every benchmark, in one run, into build/bench/:
#   bind.json        bind vs on-demand create, idle and under RTNL churn
#   scale.json       pool creation by size, bind by bound tunnels, memory
#   datapath.json    ns per packet over a pass-through program
#   throughput.json  TCP and 64-byte UDP through latebind vs a plain tunnel
#   slots.json       slots vs tap + bridge + tunnel: create time, guest throughput
#   peers.json       latebind vs plain, collect_md and vnifilter: TCP, pps, CPU;
#                    then Geneve in the 6.1 VM: ratios to plain (PEERS_VM=0 skips)
#   create_vs_n.json create and bind latency against N tunnels present (VXLAN,
#                    under udevd, Geneve in the VM); create-vs-n.png
#   results.json     all of the above, with the machine
#   latency.png      latency distributions of bind and create, idle and churn
# Numbers only: nothing here passes or fails on speed.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
CLI=${CLI:-$BUILD/latebind}
OUT=${BENCH_OUT:-$BUILD/bench}
OPS=${BENCH_OPS:-100000}
CREATES=${BENCH_CREATES:-200}
H=lbbench-host-$$
V=lbbench-vpc-$$
mkdir -p "$OUT"

cleanup() {
	"$CLI" -n "$H" pool destroy dev ulh >/dev/null 2>&1 || true
	ip netns del "$H" 2>/dev/null || true
	ip netns del "$V" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== lab: $H <-> $V over a veth underlay"
ip netns add "$H"
ip netns add "$V"
ip link add ulh netns "$H" type veth peer name ulv netns "$V"
ip -n "$H" addr add 10.88.0.1/24 dev ulh
ip -n "$V" addr add 10.88.0.2/24 dev ulv
ip -n "$H" link set ulh up
ip -n "$V" link set ulv up

echo "== 1, 2: bind vs on-demand create, idle and under churn ($OPS binds, $CREATES creates each)"
"$CLI" -n "$H" pool create dev ulh type vxlan remote 10.88.0.2 count 64 >/dev/null
"$CLI" -n "$H" -j bench bind dev ulh ops "$OPS" creates "$CREATES" churn samples "$OUT" >"$OUT/bind.json"
jq -r '"   µs            p50      p99    p99.9      max",
	"   bind       \(.bind_p50_us)  \(.bind_p99_us)  \(.bind_p999_us)  \(.bind_max_us)",
	"   create     \(.create_p50_us)  \(.create_p99_us)  \(.create_p999_us)  \(.create_max_us)",
	"   bind ch.   \(.bind_churn_p50_us)  \(.bind_churn_p99_us)  \(.bind_churn_p999_us)  \(.bind_churn_max_us)",
	"   create ch. \(.create_churn_p50_us)  \(.create_churn_p99_us)  \(.create_churn_p999_us)  \(.create_churn_max_us)",
	"   create/bind: idle p50 \(.ratio_p50)x p99 \(.ratio_p99)x; churn p50 \(.ratio_churn_p50)x p99 \(.ratio_churn_p99)x",
	"   bind under churn moved: p50 \(.bind_p50_churn_move)x, p99 \(.bind_p99_churn_move)x"' "$OUT/bind.json"
"$CLI" -n "$H" pool destroy dev ulh >/dev/null

echo "== 3: scale"
"$CLI" -n "$H" -j bench scale dev ulh type vxlan remote 10.88.0.2 >"$OUT/scale.json"
jq . "$OUT/scale.json"

echo "== 4: per packet"
"$BUILD/bench/bench_datapath" 2000000 "$OUT/datapath.json"

echo "== 5: throughput"
CLI=$CLI BENCH_OUT=$OUT THROUGHPUT_ROUNDS=${THROUGHPUT_ROUNDS:-5} bash bench/throughput.sh

echo "== 6: slots"
BUILD=$BUILD CLI=$CLI BENCH_OUT=$OUT bash bench/slots.sh

echo "== 8: peer designs"
BUILD=$BUILD CLI=$CLI BENCH_OUT=$OUT bash bench/peers.sh

echo "== 9: create on demand on a full host"
BUILD=$BUILD CLI=$CLI BENCH_OUT=$OUT bash bench/create_vs_n.sh

echo "== results"
jq -n --arg kernel "$(uname -r)" --arg cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')" \
	--argjson cpus "$(nproc)" --arg date "$(date -u +%FT%TZ)" \
	--slurpfile bind "$OUT/bind.json" --slurpfile scale "$OUT/scale.json" \
	--slurpfile dp "$OUT/datapath.json" --slurpfile tp "$OUT/throughput.json" \
	--slurpfile slots "$OUT/slots.json" --slurpfile peers "$OUT/peers.json" \
	--slurpfile cvn "$OUT/create_vs_n.json" \
	'{machine: {kernel: $kernel, cpu: $cpu, cpus: $cpus, date: $date},
	  bind: $bind[0], scale: $scale[0], datapath: $dp[0], throughput: $tp[0], slots: $slots[0],
	  peers: $peers[0], create_vs_n: $cvn[0]}' >"$OUT/results.json"
echo "   $OUT/results.json"

if command -v gnuplot >/dev/null; then
	gnuplot -e "dir='$OUT'" bench/latency.gp && echo "   $OUT/latency.png"
else
	echo "   gnuplot missing (gnuplot-nox): no plot"
fi
