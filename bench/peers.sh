#!/bin/bash
# latebind against the designs a user would pick instead (docs/BENCHMARKS.md
# §8), the same traffic through the same topology, side by side in one run.
# Numbers only: nothing passes or fails on speed.
#
# Designs, VXLAN, VNI 100, each in a lab of its own, identical but for H:
#   latebind  a warm pool tunnel (lb0) bound to VNI 100, rewrite on ulh;
#   plain     a VXLAN device made with VNI 100, no BPF: the baseline;
#   collectmd one external VXLAN device (vxc) and bench/collectmd.bpf.c:
#             cmd_tx on tv0's tc ingress sets the tunnel key from a map and
#             redirects to vxc; cmd_rx on vxc's tc ingress reads the key and
#             redirects out of tv0 (Cilium-style: no routing in H);
#   vnifilter one external vnifilter VXLAN device (`bridge vni add dev vxc vni
#             100`) with collectmd's programs and maps: the per-VNI receive
#             filter on top of collectmd. The other standard use, a
#             vlan_filtering bridge mapping VLANs to VNIs (vlan_tunnel), needs
#             CONFIG_BRIDGE_VLAN_FILTERING, which the 6.18 host lacks (a
#             vlan_filtering bridge: "Operation not supported");
#   plain2    a second plain lab: plain/plain2 is the A/A pair that shows what
#             this method resolves.
# Every H tunnel: noudpcsum, nolearning, MTU 1450, IPv6 off (latebind's).
#
#   netns T (tenant)     netns H (host)                         netns P (peer)
#   t0 10.77.1.2 ==veth== tv0 10.77.1.1, the design's tunnel     vx100 (stock VNI 100)
#                         (10.77.3.1; collectmd: none)           10.77.3.2
#                         ulh 10.66.0.1 ========= veth ========= ulp 10.66.0.2
#
# Per round, in a rotated order (latebind plain collectmd vnifilter plain2,
# then plain collectmd ...), each design gets:
#   tcp      one iperf3 stream T -> P (client on CPU 0, server on CPU 1),
#            Gbit/s at the receiver;
#   pps_fwd  pps-blast in T (sendmmsg, 64 x 64-byte payloads, CPU 0) ->
#            udp-sink in P (recvmmsg, CPU 1): datagrams/s delivered;
#   pps_rev  the same, P -> T;
#   and, for each pps run, CPU per delivered packet from /proc/stat deltas
#   over the run: softirq ns/packet, and busy ns/packet (user + system + irq
#   + softirq, all CPUs; other load on the machine counts too).
# Reported per metric and design: the median, the median of the per-round
# ratios to plain (paired), their range, and the rounds won against plain.
#
# Then, unless PEERS_PROFILE=0, one more pps run each way per design under
# perf record -e cpu-clock -a -g (the sender's samples: its syscalls and the
# softirqs they run, both encapsulation and decapsulation), sorted by work,
# and the BPF programs' run_time_ns / run_cnt with kernel.bpf_stats_enabled.
#
# Last, unless PEERS_VM=0, bench/peers_geneve.sh: latebind, plain, collectmd
# and plain2 with Geneve in the 6.1 VM (TCG: ratios only), as "geneve_vm" in
# peers.json.
#
# Env: BUILD (build), CLI ($BUILD/latebind), BENCH_OUT ($BUILD/bench; JSON in
# $BENCH_OUT/peers.json, profile in $BENCH_OUT/peers-profile.txt),
# PEERS_ROUNDS (6), PEERS_SECONDS (5), PEERS_PROFILE (1), PEERS_VM (1; the
# VM part's knobs are in bench/peers_geneve.sh).
set -u
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 1

BUILD=${BUILD:-build}
CLI=${CLI:-$BUILD/latebind}
OUT=${BENCH_OUT:-$BUILD/bench}
ROUNDS=${PEERS_ROUNDS:-6}
DUR=${PEERS_SECONDS:-5}
PROFILE=${PEERS_PROFILE:-1}
VM=${PEERS_VM:-1}
BLAST=$BUILD/bench/pps-blast
SINK=$BUILD/bench/udp-sink
BPFOBJ=$BUILD/bpf/collectmd.bpf.o
TAG=$$-$(printf '%04x' "$RANDOM")
PIN=/sys/fs/bpf/lbpeers-$TAG
DESIGNS=(latebind plain collectmd vnifilter plain2)
T0=$(date +%s.%N)
LOAD0=$(cut -d" " -f1-3 /proc/loadavg)

die() {
	echo "peers.sh: $*" >&2
	exit 1
}
note() { echo "$*" >&2; }

[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, BPF)"
[ -x "$CLI" ] || die "no latebind CLI at $CLI (run make, or set CLI)"
for b in "$BLAST" "$SINK"; do
	[ -x "$b" ] || die "no $b (make $b)"
done
[ -r "$BPFOBJ" ] || die "no $BPFOBJ (make $BPFOBJ)"
for t in ip tc bridge bpftool jq iperf3 nsenter ping timeout awk; do
	command -v "$t" >/dev/null || die "missing tool: $t"
done
for v in ROUNDS DUR; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "PEERS_$v must be a positive integer"
done
[[ $PROFILE =~ ^[01]$ ]] || die "PEERS_PROFILE must be 0 or 1"
[[ $VM =~ ^[01]$ ]] || die "PEERS_VM must be 0 or 1"
if [ "$PROFILE" = 1 ] && ! command -v perf >/dev/null; then
	note "peers: no perf (linux-perf): no profile"
	PROFILE=0
fi
[ "$(nproc)" -ge 2 ] || die "needs 2 CPUs (sender and receiver pinned apart)"
mkdir -p "$OUT" || die "cannot create $OUT"

TMP=$(mktemp -d)
BPF_STATS0=
KIND=vxlan
# shellcheck source=bench/peers-lib.sh
. bench/peers-lib.sh
peers_kind

cleanup() {
	[ -n "$BPF_STATS0" ] && sysctl -qw kernel.bpf_stats_enabled="$BPF_STATS0"
	peers_cleanup
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

measure() { # DESIGN ROUND: one line of JSON per design and round
	local d=$1 r=$2 g f v
	g=$(tcp "$d") || exit 1
	f=$(pps "$d" fwd) || exit 1
	v=$(pps "$d" rev) || exit 1
	note "round $r $d: tcp $g Gbit/s; fwd $f; rev $v (pps softirq_ns busy_ns sent)"
	jq -nc --arg d "$d" --argjson r "$r" --argjson g "$g" --arg f "$f" --arg v "$v" '
		($f | split(" ") | map(tonumber)) as $f | ($v | split(" ") | map(tonumber)) as $v |
		{design: $d, round: $r, tcp_gbps: $g,
		 pps_fwd: $f[0], softirq_ns_fwd: $f[1], busy_ns_fwd: $f[2], sent_fwd: $f[3],
		 pps_rev: $v[0], softirq_ns_rev: $v[1], busy_ns_rev: $v[2], sent_rev: $v[3]}' >>"$TMP/rounds.jsonl"
}

# ---- run ---------------------------------------------------------------------------
note "peers: labs for ${DESIGNS[*]} (load $LOAD0)"
for d in "${DESIGNS[@]}"; do lab "$d"; done
for d in "${DESIGNS[@]}"; do # warm-up, not counted
	pps "$d" fwd >/dev/null || exit 1
done
: >"$TMP/rounds.jsonl"
n=${#DESIGNS[@]}
for ((r = 1; r <= ROUNDS; r++)); do
	for ((i = 0; i < n; i++)); do
		measure "${DESIGNS[$(((r - 1 + i) % n))]}" "$r" || exit 1
	done
done
LOAD1=$(cut -d" " -f1-3 /proc/loadavg)

# ---- profile -----------------------------------------------------------------------
profile='{}'
if [ "$PROFILE" = 1 ]; then
	rep="$OUT/peers-profile.txt"
	: >"$rep"
	BPF_STATS0=$(sysctl -n kernel.bpf_stats_enabled)
	sysctl -qw kernel.bpf_stats_enabled=1
	for d in latebind plain collectmd vnifilter; do
		for dir in fwd rev; do
			ids=()
			case $d in
			latebind) mapfile -t ids <"$TMP/latebind.progs" ;;
			collectmd | vnifilter)
				ids=("$(bpftool prog show pinned "$PIN/$d/prog/cmd_tx" -j | jq .id)"
					"$(bpftool prog show pinned "$PIN/$d/prog/cmd_rx" -j | jq .id)")
				;;
			esac
			for id in "${ids[@]}"; do bpftool prog show id "$id" -j; done | jq -s . >"$TMP/bpf0.json"
			res=$(pps "$d" $dir "$TMP/perf.data") || exit 1
			for id in "${ids[@]}"; do bpftool prog show id "$id" -j; done | jq -s . >"$TMP/bpf1.json"
			sent=${res##* }
			# Samples of the sender (its syscalls and the softirqs they run:
			# the whole path to the receiver's socket), by what their call
			# chain contains, as ns per packet sent (999 Hz sampling).
			# shellcheck disable=SC2016
			perf script -i "$TMP/perf.data" --comm pps-blast -F ip,sym 2>/dev/null | awk -v sent="$sent" '
				function flush() {
					if (s == "") return
					n++
					if (s ~ / fib_table_lookup| ip_route_output_key_hash/) k["route lookup (fib)"]++
					if (s ~ / vxlan_xmit_one/ && s ~ / (fib_table_lookup|ip_route_output_key_hash)/)
						k["route lookup in vxlan_xmit_one"]++
					if (s ~ / dst_cache_get/) k["dst_cache_get"]++
					if (s ~ / (fib_table_lookup|ip_route_output_key_hash)/ && s !~ / vxlan_xmit_one/ && s ~ / ip_route_input/)
						k["route lookup, input (forwarding, local delivery)"]++
					if (s ~ / metadata_dst_alloc/) k["metadata_dst_alloc"]++
					if (s ~ / (dst_release|metadata_dst_free|dst_destroy)/) k["dst release/free"]++
					if (s ~ / bpf_prog_/) k["bpf programs"]++
					if (s ~ / vxlan_xmit_one/) k["vxlan_xmit_one"]++
					if (s ~ / vxlan_rcv/) k["vxlan_rcv"]++
					if (s ~ / (br_handle_frame|br_dev_xmit)/) k["bridge"]++
					if (s ~ / vlan_dev_hard_start_xmit| vlan_do_receive/) k["vlan device"]++
					if (s ~ / ip_forward/) k["ip_forward"]++
					if (s ~ / skb_do_redirect/) k["skb_do_redirect"]++
					if (s ~ / (kmem_cache_alloc|__kmalloc|kmalloc_trace)/) k["slab alloc"]++
					s = ""
				}
				/^$/ { flush(); next }
				{ s = s " " $2 }
				END {
					flush()
					printf "{\"samples\": %d, \"ns_per_packet\": %.1f, \"by_work_ns_per_packet\": {", n, n / 999 * 1e9 / sent
					sep = ""
					for (c in k) { printf "%s\"%s\": %.1f", sep, c, k[c] / 999 * 1e9 / sent; sep = ", " }
					printf "}}\n"
				}' >"$TMP/perf.json" || die "profile: cannot read the samples"
			jq -s '[.[0], .[1]] | transpose | map({name: .[0].name, id: .[0].id,
				run_cnt: ((.[1].run_cnt // 0) - (.[0].run_cnt // 0)),
				run_time_ns: ((.[1].run_time_ns // 0) - (.[0].run_time_ns // 0))} |
				. + {ns_per_run: (if .run_cnt > 0 then (.run_time_ns / .run_cnt * 10 | round / 10) else null end)})' \
				"$TMP/bpf0.json" "$TMP/bpf1.json" >"$TMP/bpf.json"
			profile=$(jq -c --arg d "$d" --arg dir "$dir" --arg res "$res" --slurpfile p "$TMP/perf.json" \
				--slurpfile b "$TMP/bpf.json" '.[$d][$dir] = ($p[0] + {pps: ($res | split(" ")[0] | tonumber), bpf: $b[0]})' <<<"$profile")
			{
				echo "== $d $dir: pps, softirq ns, busy ns, sent: $res"
				jq -r --arg d "$d" --arg dir "$dir" '.[$d][$dir] | "sender samples \(.samples), \(.ns_per_packet) ns per packet sent",
					(.by_work_ns_per_packet | to_entries | sort_by(-.value)[] | "  \(.value) ns  \(.key)"),
					(.bpf[] | "  bpf \(.name) (id \(.id)): \(.run_cnt) runs, \(.ns_per_run) ns per run")' <<<"$profile"
				echo "-- self, top 15 (share of the sender's samples)"
				perf report -i "$TMP/perf.data" --comm pps-blast --no-children --sort symbol --stdio -g none \
					--percentage relative 2>/dev/null | grep -v '^#' | grep -v '^$' | awk '{ print $1, $3 }' | head -15
			} >>"$rep"
		done
	done
	sysctl -qw kernel.bpf_stats_enabled="$BPF_STATS0"
	note "profile: $rep"
fi

# ---- summary -----------------------------------------------------------------------
jq -s --argjson rounds "$ROUNDS" --argjson secs "$DUR" --arg load0 "$LOAD0" --arg load1 "$LOAD1" \
	--argjson wall "$(awk -v a="$(date +%s.%N)" -v b="$T0" 'BEGIN { printf "%.0f", a - b }')" \
	--argjson profile "$profile" -L bench 'include "peers";
	{rounds: $rounds, seconds: $secs, load_before: $load0, load_after: $load1, wall_s: $wall,
	 designs: designs(["tcp_gbps", "pps_fwd", "pps_rev", "softirq_ns_fwd", "softirq_ns_rev", "busy_ns_fwd", "busy_ns_rev"];
		[range(1; $rounds + 1)]),
	 profile: $profile, per_round: .}' "$TMP/rounds.jsonl" >"$OUT/peers.json" || die "cannot write peers.json"

jq -r '"   design       tcp Gb/s      pps fwd          pps rev          softirq ns fwd/rev   busy ns fwd/rev",
	(.designs | to_entries[] | .key as $d | .value as $v |
	"   \($d | .[0:10] | . + (" " * (10 - length)))  \($v.tcp_gbps.median) (\($v.tcp_gbps.ratio_median)x)  \($v.pps_fwd.median) (\($v.pps_fwd.ratio_median)x)  \($v.pps_rev.median) (\($v.pps_rev.ratio_median)x)  \($v.softirq_ns_fwd.median)/\($v.softirq_ns_rev.median)  \($v.busy_ns_fwd.median)/\($v.busy_ns_rev.median)"),
	"   (median; median paired ratio to plain; \(.rounds) rounds of \(.seconds) s; load \(.load_before) -> \(.load_after); \(.wall_s) s)"' "$OUT/peers.json"
echo "   $OUT/peers.json"

# ---- Geneve in the VM --------------------------------------------------------------
[ "$VM" = 1 ] || exit 0
trap - EXIT
cleanup
BUILD=$BUILD CLI=$CLI BENCH_OUT=$OUT bash bench/peers_geneve.sh ||
	note "peers: no Geneve numbers from the VM (above); peers.json says why"
