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
# Env: BUILD (build), CLI ($BUILD/latebind), BENCH_OUT ($BUILD/bench; JSON in
# $BENCH_OUT/peers.json, profile in $BENCH_OUT/peers-profile.txt),
# PEERS_ROUNDS (6), PEERS_SECONDS (5), PEERS_PROFILE (1).
set -u
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 1

BUILD=${BUILD:-build}
CLI=${CLI:-$BUILD/latebind}
OUT=${BENCH_OUT:-$BUILD/bench}
ROUNDS=${PEERS_ROUNDS:-6}
DUR=${PEERS_SECONDS:-5}
PROFILE=${PEERS_PROFILE:-1}
BLAST=$BUILD/bench/pps-blast
SINK=$BUILD/bench/udp-sink
BPFOBJ=$BUILD/bpf/collectmd.bpf.o
TAG=$$-$(printf '%04x' "$RANDOM")
PIN=/sys/fs/bpf/lbpeers-$TAG
DESIGNS=(latebind plain collectmd vnifilter plain2)
VNI=100
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
if [ "$PROFILE" = 1 ] && ! command -v perf >/dev/null; then
	note "peers: no perf (linux-perf): no profile"
	PROFILE=0
fi
[ "$(nproc)" -ge 2 ] || die "needs 2 CPUs (sender and receiver pinned apart)"
mkdir -p "$OUT" || die "cannot create $OUT"

TMP=$(mktemp -d)
NAMESPACES=()
PIDS=()
BPF_STATS0=
declare -A T H P

cleanup() {
	local p ns
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	[ -n "$BPF_STATS0" ] && sysctl -qw kernel.bpf_stats_enabled="$BPF_STATS0"
	[ -n "${H[latebind]:-}" ] && "$CLI" -n "${H[latebind]}" pool destroy dev ulh >/dev/null 2>&1
	for ns in "${NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$PIN" "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

in_ns() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" "$@"
}

new_netns() { # VAR NAME
	local name="lbpr-$TAG-$2"
	ip netns add "$name" || die "ip netns add $name"
	NAMESPACES+=("$name")
	in_ns "$name" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip -n "$name" link set lo up
	printf -v "$1" '%s' "$name"
}

mac() { ip -n "$1" -j link show dev "$2" | jq -r '.[0].address'; }
ifindex() { ip -n "$1" -j link show dev "$2" | jq -r '.[0].ifindex'; }
# hexbytes: a u32 in host (little-endian) order, or a MAC, as bpftool's bytes.
u32le() { printf '%02x %02x %02x %02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
machex() { echo "${1//:/ }"; }

# The tunnel settings every design's H device has (latebind's pools).
VXLAN_OPTS=(dstport 4789 dev ulh nolearning noudpcsum)

# lab_collectmd DESIGN H T P: the external device (vnifilter: with its VNI
# filter) and bench/collectmd.bpf.c's programs, maps pinned in $PIN/DESIGN.
lab_collectmd() {
	local d=$1 h=$2 t=$3 p=$4 tv vx remote pin=$PIN/$1 kind=(external)
	[ "$d" = vnifilter ] && kind+=(vnifilter)
	ip -n "$h" link add vxc type vxlan "${kind[@]}" "${VXLAN_OPTS[@]}" || die "$d: external vxlan"
	if [ "$d" = vnifilter ]; then
		bridge -n "$h" vni add dev vxc vni $VNI || die "$d: bridge vni add"
	fi
	ip -n "$h" link set vxc up
	mkdir -p "$pin" || die "cannot create $pin"
	bpftool prog loadall "$BPFOBJ" "$pin/prog" pinmaps "$pin/map" || die "$d: cannot load $BPFOBJ"
	for dev in tv0 vxc; do in_ns "$h" tc qdisc add dev "$dev" clsact || die "$d: clsact on $dev"; done
	# nsenter, not tc -n: tc -n remounts /sys and hides /sys/fs/bpf.
	in_ns "$h" tc filter add dev tv0 ingress bpf da pinned "$pin/prog/cmd_tx" || die "$d: attach cmd_tx"
	in_ns "$h" tc filter add dev vxc ingress bpf da pinned "$pin/prog/cmd_rx" || die "$d: attach cmd_rx"
	tv=$(ifindex "$h" tv0)
	vx=$(ifindex "$h" vxc)
	remote=$(((10 << 24) | (66 << 16) | 2)) # 10.66.0.2, host order
	# shellcheck disable=SC2046
	bpftool map update pinned "$pin/map/cmd_tx_map" key hex $(u32le "$tv") \
		value hex $(u32le $VNI) $(u32le $remote) $(u32le "$vx") $(machex "$(mac "$p" vx100)") \
		$(machex "$(mac "$h" vxc)") || die "$d: tx map"
	# shellcheck disable=SC2046
	bpftool map update pinned "$pin/map/cmd_rx_map" key hex $(u32le $VNI) $(u32le $remote) \
		value hex $(u32le "$tv") $(machex "$(mac "$t" t0)") $(machex "$(mac "$h" tv0)") || die "$d: rx map"
	# No device of H owns 10.77.3.1: the peer cannot resolve it by ARP.
	ip -n "$p" neigh add 10.77.3.1 lladdr "$(mac "$h" vxc)" dev vx100 nud permanent
}

lab() { # DESIGN
	local d=$1 t h p links0
	new_netns t "$d-t"
	new_netns h "$d-h"
	new_netns p "$d-p"
	T[$d]=$t H[$d]=$h P[$d]=$p
	ip link add t0 netns "$t" mtu 1450 type veth peer name tv0 netns "$h" mtu 1450 || die "$d: tenant veth"
	ip link add ulh netns "$h" type veth peer name ulp netns "$p" || die "$d: underlay veth"
	ip -n "$t" addr add 10.77.1.2/24 dev t0
	ip -n "$t" link set t0 up
	ip -n "$t" route add default via 10.77.1.1
	ip -n "$h" addr add 10.77.1.1/24 dev tv0
	ip -n "$h" addr add 10.66.0.1/24 dev ulh
	ip -n "$p" addr add 10.66.0.2/24 dev ulp
	for dev in tv0 ulh; do ip -n "$h" link set $dev up; done
	ip -n "$p" link set ulp up
	in_ns "$h" sysctl -qw net.ipv4.ip_forward=1
	# The peer: a stock VXLAN device, the same in every lab.
	ip -n "$p" link add vx100 type vxlan id $VNI remote 10.66.0.1 dstport 4789 dev ulp || die "$d: peer"
	ip -n "$p" addr add 10.77.3.2/24 dev vx100
	ip -n "$p" link set vx100 up
	ip -n "$p" route add 10.77.1.0/24 via 10.77.3.1
	case $d in
	latebind)
		links0=$(bpftool link show -j | jq -c '[.[].id]')
		"$CLI" -n "$h" pool create dev ulh type vxlan remote 10.66.0.2 count 4 >/dev/null ||
			die "latebind: pool create failed"
		# The pool's two tcx links: new since the create (bpftool 7.1 shows
		# no ifindex for tcx links); for bpf_stats later.
		bpftool link show -j | jq -r --argjson old "$links0" '.[] | select(.id as $i | $old | index($i) | not) | .prog_id' \
			>"$TMP/latebind.progs"
		"$CLI" -n "$h" bind lb0 vni $VNI >/dev/null || die "latebind: bind lb0 vni $VNI failed"
		ip -n "$h" addr add 10.77.3.1/24 dev lb0
		ip -n "$h" link set lb0 up
		;;
	plain | plain2)
		ip -n "$h" link add vx100 type vxlan id $VNI remote 10.66.0.2 "${VXLAN_OPTS[@]}" || die "$d: vxlan"
		in_ns "$h" sysctl -qw net.ipv6.conf.vx100.disable_ipv6=1
		ip -n "$h" addr add 10.77.3.1/24 dev vx100
		ip -n "$h" link set vx100 up
		;;
	collectmd | vnifilter) lab_collectmd "$d" "$h" "$t" "$p" ;;
	esac
	in_ns "$t" ping -q -c 3 -i 0.2 -W 2 10.77.3.2 >/dev/null ||
		die "$d: no ping from the tenant to the peer through the tunnel"
	in_ns "$p" ping -q -c 2 -i 0.2 -W 2 10.77.1.2 >/dev/null ||
		die "$d: no ping from the peer to the tenant"
}

# cpu_ticks: "busy softirq" jiffies over all CPUs from /proc/stat.
cpu_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $6 + $7 + $8, $8 }' /proc/stat; }

# pps DESIGN DIR [PERF]: one pps run; prints "pps softirq_ns busy_ns sent".
pps() {
	local d=$1 dir=$2 perf=${3:-} src dst addr port=7100 c0 c1 r s
	if [ "$dir" = fwd ]; then
		src=${T[$d]} dst=${P[$d]} addr=10.77.3.2
	else
		src=${P[$d]} dst=${T[$d]} addr=10.77.1.2
	fi
	in_ns "$dst" "$SINK" "$addr" $port cpu 1 idle-ms 500 max-seconds $((DUR + 30)) >"$TMP/sink" 2>&1 &
	PIDS+=($!)
	local sp=$!
	for _ in $(seq 50); do grep -q ready "$TMP/sink" && break; sleep 0.1; done
	grep -q ready "$TMP/sink" || die "$d $dir: udp-sink did not start: $(cat "$TMP/sink")"
	c0=$(cpu_ticks)
	if [ -n "$perf" ]; then
		perf record -q -e cpu-clock -F 999 -a -g -o "$perf" -- \
			nsenter --net="/run/netns/$src" "$BLAST" "$addr" $port seconds "$DUR" cpu 0 >"$TMP/blast" 2>"$TMP/perf.err" ||
			die "$d $dir: pps-blast under perf failed: $(tail -1 "$TMP/perf.err")"
	else
		in_ns "$src" "$BLAST" "$addr" $port seconds "$DUR" cpu 0 >"$TMP/blast" || die "$d $dir: pps-blast failed"
	fi
	wait "$sp"
	c1=$(cpu_ticks)
	r=$(awk '/^received/ { print $2 }' "$TMP/sink")
	s=$(awk '/^sent/ { print $2, $6 }' "$TMP/blast")
	{ [ -n "$r" ] && [ -n "$s" ]; } || die "$d $dir: no count: $(cat "$TMP/sink" "$TMP/blast")"
	[ "$r" -gt 0 ] || die "$d $dir: nothing delivered"
	awk -v r="$r" -v s="$s" -v c0="$c0" -v c1="$c1" -v hz="$(getconf CLK_TCK)" 'BEGIN {
		split(s, S, " "); split(c0, A, " "); split(c1, B, " ")
		printf "%.0f %.1f %.1f %d\n", r / S[2], (B[2] - A[2]) / hz * 1e9 / r,
			(B[1] - A[1]) / hz * 1e9 / r, S[1] }'
}

tcp() { # DESIGN: Gbit/s T -> P
	local d=$1 port=7201 sp bps
	# Bounded: a client can hang on a lost control connection.
	in_ns "${P[$d]}" timeout $((DUR + 20)) iperf3 -s -1 -A 1 -p $port >/dev/null 2>&1 &
	sp=$!
	PIDS+=("$sp")
	sleep 0.3
	in_ns "${T[$d]}" timeout $((DUR + 15)) iperf3 -c 10.77.3.2 -p $port -A 0 -t "$DUR" -J >"$TMP/iperf.json" 2>&1 ||
		die "$d: iperf3 failed: $(jq -r .error "$TMP/iperf.json" 2>/dev/null)"
	wait "$sp"
	bps=$(jq '.end.sum_received.bits_per_second' "$TMP/iperf.json")
	awk -v b="$bps" 'BEGIN { printf "%.3f\n", b / 1e9 }'
}

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
	--argjson profile "$profile" '
	def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
		else (.[length / 2 - 1] + .[length / 2]) / 2 end;
	def r3: . * 1000 | round / 1000;
	. as $all |
	["tcp_gbps", "pps_fwd", "pps_rev", "softirq_ns_fwd", "softirq_ns_rev", "busy_ns_fwd", "busy_ns_rev"] as $metrics |
	# Higher wins for throughput, lower for CPU per packet.
	{tcp_gbps: 1, pps_fwd: 1, pps_rev: 1} as $higher |
	{rounds: $rounds, seconds: $secs, load_before: $load0, load_after: $load1, wall_s: $wall,
	 designs: ([$all[].design] | unique | map(. as $d |
		{key: $d, value: ($metrics | map(. as $m |
			{key: $m, value: (
				[$all[] | select(.design == $d) | .[$m]] as $v |
				[range(1; $rounds + 1) as $r |
					($all[] | select(.design == $d and .round == $r) | .[$m]) as $x |
					($all[] | select(.design == "plain" and .round == $r) | .[$m]) as $b |
					{ratio: ($x / $b), won: (if $higher[$m] then $x > $b else $x < $b end)}] as $p |
				{median: ($v | median | . * 10 | round / 10), values: $v,
				 ratio_median: ([$p[].ratio] | median | r3),
				 ratio_min: ([$p[].ratio] | min | r3), ratio_max: ([$p[].ratio] | max | r3),
				 rounds_won_vs_plain: ([$p[] | select(.won)] | length)})}) | from_entries)}) | from_entries),
	 profile: $profile, per_round: $all}' "$TMP/rounds.jsonl" >"$OUT/peers.json" || die "cannot write peers.json"

jq -r '"   design       tcp Gb/s      pps fwd          pps rev          softirq ns fwd/rev   busy ns fwd/rev",
	(.designs | to_entries[] | .key as $d | .value as $v |
	"   \($d | .[0:10] | . + (" " * (10 - length)))  \($v.tcp_gbps.median) (\($v.tcp_gbps.ratio_median)x)  \($v.pps_fwd.median) (\($v.pps_fwd.ratio_median)x)  \($v.pps_rev.median) (\($v.pps_rev.ratio_median)x)  \($v.softirq_ns_fwd.median)/\($v.softirq_ns_rev.median)  \($v.busy_ns_fwd.median)/\($v.busy_ns_rev.median)"),
	"   (median; median paired ratio to plain; \(.rounds) rounds of \(.seconds) s; load \(.load_before) -> \(.load_after); \(.wall_s) s)"' "$OUT/peers.json"
echo "   $OUT/peers.json"
