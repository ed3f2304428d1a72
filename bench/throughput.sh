#!/bin/bash
# Throughput through a bound latebind VXLAN tunnel against an identical plain
# VXLAN tunnel (real VNI, no BPF), measured side by side in one run:
#   1. bulk TCP, one iperf3 stream, Gbit/s at the receiver;
#   2. 64-byte UDP payloads at full speed (-b 0), packets/s at the receiver.
# Rounds alternate latebind, plain, latebind, plain ...
#
#   netns lbtp-latebind-h            netns lbtp-latebind-v
#   lb0 (pool, bound to VNI 100)     vx100 (stock VXLAN, id 100)
#   ul 10.20.0.1 ====== veth ======= ulv 10.20.0.2
#   netns lbtp-plain-h               netns lbtp-plain-v
#   vx100 (stock VXLAN, id 100)      vx100 (stock VXLAN, id 100)
#   ul 10.20.0.1 ====== veth ======= ulv 10.20.0.2
#
# Traffic flows h -> v: data through lb_egress, TCP ACKs through lb_ingress.
# Offloads stay at their defaults (the production configuration). Nothing is
# pinned: sender, receiver and softirq share the machine's CPUs.
#
# Env: CLI (build/latebind), THROUGHPUT_SECONDS (10), THROUGHPUT_ROUNDS (3),
# BENCH_OUT (build/bench; the JSON goes to $BENCH_OUT/throughput.json).
set -u
export LC_ALL=C

CLI=${CLI:-build/latebind}
DUR=${THROUGHPUT_SECONDS:-10}
ROUNDS=${THROUGHPUT_ROUNDS:-3}
OUT=${BENCH_OUT:-build/bench}
VNI=100
SETUPS=(latebind plain)
TAG=$(printf '%04x' "$RANDOM")
T0=$(date +%s.%N)
LOAD0=$(cut -d" " -f1-3 /proc/loadavg)

die() {
	echo "throughput.sh: $*" >&2
	exit 1
}
note() { echo "$*" >&2; }

[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, BPF)"
[ -x "$CLI" ] || die "no latebind CLI at $CLI (run make, or set CLI)"
for t in ip tc ethtool iperf3 jq nsenter ss timeout; do
	command -v "$t" >/dev/null || die "missing tool: $t"
done
[[ $DUR =~ ^[1-9][0-9]*$ ]] || die "THROUGHPUT_SECONDS must be a positive integer"
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "THROUGHPUT_ROUNDS must be a positive integer"
mkdir -p "$OUT" || die "cannot create $OUT"

TMP=$(mktemp -d)
declare -A HNS VNS TUN
NAMESPACES=()
PIDS=()

cleanup() {
	local p ns
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	if [ -n "${HNS[latebind]:-}" ]; then
		"$CLI" -n "${HNS[latebind]}" pool destroy dev ul >/dev/null 2>&1 ||
			"$CLI" -n "${HNS[latebind]}" datapath detach dev ul >/dev/null 2>&1
	fi
	for ns in "${NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$TMP"
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
	local name="lbtp-$2-$TAG"
	ip netns add "$name" || die "ip netns add $name"
	NAMESPACES+=("$name")
	ip -n "$name" link set lo up
	printf -v "$1" '%s' "$name"
}

# The same lab for both setups; only the host tunnel differs.
lab() { # SETUP
	local s=$1 h v
	new_netns h "$s-h"
	new_netns v "$s-v"
	HNS[$s]=$h VNS[$s]=$v
	ip link add ul netns "$h" type veth peer name ulv netns "$v" || die "$s: veth"
	ip -n "$h" addr add 10.20.0.1/24 dev ul
	ip -n "$v" addr add 10.20.0.2/24 dev ulv
	ip -n "$h" link set ul up
	ip -n "$v" link set ulv up
	ip -n "$v" link add vx$VNI type vxlan id $VNI remote 10.20.0.1 dstport 4789 dev ulv ||
		die "$s: peer vxlan"
	ip -n "$v" addr add 192.168.10.2/24 dev vx$VNI
	ip -n "$v" link set vx$VNI up
	if [ "$s" = latebind ]; then
		"$CLI" -n "$h" pool create dev ul type vxlan remote 10.20.0.2 count 4 >/dev/null ||
			die "$s: latebind pool create failed"
		"$CLI" -n "$h" bind lb0 vni $VNI >/dev/null || die "$s: latebind bind lb0 vni $VNI failed"
		TUN[$s]=lb0
	else
		# noudpcsum, nolearning: what the pool sets over IPv4, spelled out.
		ip -n "$h" link add vx$VNI type vxlan id $VNI remote 10.20.0.2 dstport 4789 dev ul noudpcsum nolearning ||
			die "$s: vxlan"
		TUN[$s]=vx$VNI
	fi
	ip -n "$h" addr add 192.168.10.1/24 dev "${TUN[$s]}"
	ip -n "$h" link set "${TUN[$s]}" up
	in_ns "$h" ping -q -c 3 -i 0.2 -w 10 192.168.10.2 >/dev/null ||
		die "$s: no ping through ${TUN[$s]}"
}

# What must be equal between the two host tunnels (all but name and VNI).
tunconf() { # NS DEV
	ip -n "$1" -d -j link show "$2" | jq -S '.[0] | {mtu, qdisc, txqlen, gso_max_size,
		gso_max_segs, gro_max_size, tso_max_size, tso_max_segs, num_tx_queues,
		num_rx_queues, vxlan: (.linkinfo.info_data | del(.id))}'
	in_ns "$1" ethtool -k "$2" | tail -n +2
}

# The plain underlay must carry no latebind datapath and no tc filter.
assert_plain_clean() {
	local h=${HNS[plain]} d
	"$CLI" -n "$h" datapath show dev ul >/dev/null 2>&1 &&
		die "plain: a latebind datapath is attached to its underlay"
	for d in ingress egress; do
		[ -z "$(tc -n "$h" filter show dev ul "$d")" ] || die "plain: a tc $d filter is on its underlay"
	done
}

peer_rx() { # SETUP -> {"packets":N,"bytes":N}
	ip -n "${VNS[$1]}" -j -s link show vx$VNI | jq -c '.[0].stats64.rx | {packets, bytes}'
}
lb_stats() { # -> lb0's datapath counters (latebind only), {} for plain
	if [ "$1" = latebind ]; then
		"$CLI" -n "${HNS[latebind]}" -j stats lb0 | jq -c '{tx_packets, tx_bytes, rx_packets, rx_bytes}'
	else
		echo '{}'
	fi
}

udp_rcvbuf_errors() { # SETUP: the receiver namespace's Udp RcvbufErrors
	# shellcheck disable=SC2016
	in_ns "${VNS[$1]}" awk '$1 == "Udp:" { if (!h) { for (i = 1; i <= NF; i++) c[$i] = i; h = 1 } else print $c["RcvbufErrors"] }' /proc/net/snmp
}

iperf_server() { # NS
	in_ns "$1" iperf3 -s -1 -B 192.168.10.2 >/dev/null 2>&1 &
	PIDS+=("$!")
	for _ in $(seq 50); do
		[ -n "$(in_ns "$1" ss -Hltn 'sport = :5201')" ] && return 0
		sleep 0.1
	done
	die "iperf3 server did not start in $1"
}

# run TEST SETUP ROUND: one iperf3 run, checked, appended to $TMP/runs.jsonl.
run() {
	local t=$1 s=$2 r=$3 j="$TMP/$1-$2-$3.json" args=() lb0 lb1 p0 p1 e0 e1 line err
	[ "$t" = udp64 ] && args=(-u -l 64 -b 0)
	[ "$s" = plain ] && assert_plain_clean
	lb0=$(lb_stats "$s") || die "$t $s: latebind stats failed"
	p0=$(peer_rx "$s") || die "$t $s: peer counters failed"
	e0=$(udp_rcvbuf_errors "$s")
	iperf_server "${VNS[$s]}"
	in_ns "${HNS[$s]}" timeout $((DUR + 30)) iperf3 -c 192.168.10.2 -t "$DUR" -J "${args[@]}" >"$j"
	err=$?
	wait "${PIDS[-1]}" 2>/dev/null
	unset 'PIDS[-1]'
	[ "$err" -eq 0 ] || die "$t $s round $r: iperf3 failed: $(jq -r '.error // empty' "$j" 2>/dev/null)"
	[ "$s" = plain ] && assert_plain_clean
	lb1=$(lb_stats "$s") || die "$t $s: latebind stats failed"
	p1=$(peer_rx "$s") || die "$t $s: peer counters failed"
	e1=$(udp_rcvbuf_errors "$s")
	# value: Gbit/s (tcp) or packets/s (udp64) that reached the receiving
	# iperf3; udp64 packets received = server's packets - lost_packets.
	line=$(jq -c --arg t "$t" --arg s "$s" --argjson r "$r" --argjson lb0 "$lb0" \
		--argjson lb1 "$lb1" --argjson p0 "$p0" --argjson p1 "$p1" \
		--argjson rcvbuf $((e1 - e0)) '
		.end as $e | ($e.sum_received) as $rx | ($e.sum_sent) as $tx |
		{test: $t, setup: $s, round: $r, rx_seconds: $rx.seconds,
		 peer_rx_packets: ($p1.packets - $p0.packets), peer_rx_bytes: ($p1.bytes - $p0.bytes)}
		+ (if $t == "tcp" then
			{value: ($rx.bits_per_second / 1e9), sent_bytes: $tx.bytes, rx_bytes: $rx.bytes,
			 retransmits: $tx.retransmits}
		   else
			{value: (($rx.packets - $rx.lost_packets) / $rx.seconds),
			 sent_packets: $tx.packets, sent_pps: ($tx.packets / $tx.seconds),
			 rx_packets: ($rx.packets - $rx.lost_packets), rcvbuf_errors: $rcvbuf}
		   end)
		+ (if $s == "latebind" then
			{lb_tx_packets: ($lb1.tx_packets - $lb0.tx_packets), lb_tx_bytes: ($lb1.tx_bytes - $lb0.tx_bytes),
			 lb_rx_packets: ($lb1.rx_packets - $lb0.rx_packets)}
		   else {} end)' "$j") || die "$t $s round $r: unreadable iperf3 JSON"
	echo "$line" >>"$TMP/runs.jsonl"
	# The tunnel carried it: the peer's VXLAN device (real VNI) delivered at
	# least what the receiver got, and lb0's egress counters saw what was sent.
	err=$(jq -r '
		if .value <= 0 then "carried nothing"
		elif .test == "tcp" and .peer_rx_bytes < 0.95 * .rx_bytes then
			"peer vx100 got \(.peer_rx_bytes) bytes, receiver \(.rx_bytes)"
		elif .test == "udp64" and .peer_rx_packets < .rx_packets then
			"peer vx100 got \(.peer_rx_packets) packets, receiver \(.rx_packets)"
		elif .setup != "latebind" then empty
		elif .test == "tcp" and (.lb_tx_bytes < .sent_bytes or .lb_tx_bytes > 1.5 * .sent_bytes) then
			"lb0 tx_bytes rose by \(.lb_tx_bytes), iperf3 sent \(.sent_bytes)"
		elif .test == "udp64" and (.lb_tx_packets < 0.99 * .sent_packets or .lb_tx_packets > 1.01 * .sent_packets + 500) then
			"lb0 tx_packets rose by \(.lb_tx_packets), iperf3 sent \(.sent_packets)"
		else empty end' <<<"$line")
	[ -z "$err" ] || die "$t $s round $r: $err"
	jq -r 'if .test == "tcp" then "\(.test) \(.setup) round \(.round): \(.value * 100 | round / 100) Gbit/s"
		else "\(.test) \(.setup) round \(.round): \(.value | round) pps received (sent \(.sent_pps | round))" end' \
		<<<"$line" >&2
	sleep 1
}

# ---- lab ---------------------------------------------------------------------
for s in "${SETUPS[@]}"; do lab "$s"; done
assert_plain_clean
"$CLI" -n "${HNS[latebind]}" datapath show dev ul >/dev/null 2>&1 ||
	die "latebind: no datapath on its underlay"
[ "$(tunconf "${HNS[latebind]}" lb0)" = "$(tunconf "${HNS[plain]}" vx$VNI)" ] ||
	die "host tunnels differ: $(diff <(tunconf "${HNS[latebind]}" lb0) <(tunconf "${HNS[plain]}" vx$VNI) | tr '\n' ' ')"
[ "$(in_ns "${HNS[latebind]}" ethtool -k ul)" = "$(in_ns "${HNS[plain]}" ethtool -k ul)" ] ||
	die "underlay offloads differ"
OFFLOADS=$(in_ns "${HNS[plain]}" ethtool -k ul | awk -F': ' '
	/^(tcp-segmentation-offload|generic-segmentation-offload|generic-receive-offload|tx-udp_tnl-segmentation|tx-checksumming|rx-gro-list|rx-udp-gro-forwarding):/ {
		printf "%s%s %s", sep, $1, $2; sep = ", " }')
note "lab up: kernel $(uname -r), $(nproc) CPUs, ${DUR} s x ${ROUNDS} rounds; underlay offloads: $OFFLOADS"

# ---- measure -----------------------------------------------------------------
for t in tcp udp64; do
	# Round 0: a short warm-up of each setup, not counted.
	for s in "${SETUPS[@]}"; do
		full=$DUR DUR=3
		run "$t" "$s" 0
		DUR=$full
	done
	for r in $(seq "$ROUNDS"); do
		for s in "${SETUPS[@]}"; do run "$t" "$s" "$r"; done
	done
done

# ---- report ------------------------------------------------------------------
ELAPSED=$(awk -v a="$(date +%s.%N)" -v b="$T0" 'BEGIN { print a - b }')
RESULT=$(jq -s -S --argjson secs "$DUR" --argjson rounds "$ROUNDS" --arg kernel "$(uname -r)" \
	--argjson cpus "$(nproc)" --arg offloads "$OFFLOADS" --arg iperf "$(iperf3 --version | head -1)" \
	--argjson elapsed "$ELAPSED" --arg load0 "$LOAD0" --arg load1 "$(cut -d" " -f1-3 /proc/loadavg)" '
	def mean: add / length;
	def median: sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
	def vals($t; $s): [.[] | select(.test == $t and .setup == $s and .round > 0)] | sort_by(.round);
	def r2: . * 100 | round / 100;
	(vals("tcp"; "latebind") | map(.value | r2)) as $tl |
	(vals("tcp"; "plain") | map(.value | r2)) as $tp |
	(vals("udp64"; "latebind") | map(.value | round)) as $ul |
	(vals("udp64"; "plain") | map(.value | round)) as $up |
	{
	  tcp_gbps_latebind: $tl, tcp_gbps_plain: $tp,
	  tcp_gbps_latebind_mean: ($tl | mean | r2), tcp_gbps_plain_mean: ($tp | mean | r2),
	  tcp_gbps_latebind_median: ($tl | median | r2), tcp_gbps_plain_median: ($tp | median | r2),
	  tcp_ratio: (($tl | mean) / ($tp | mean) * 1000 | round / 1000),
	  tcp_ratio_median: (($tl | median) / ($tp | median) * 1000 | round / 1000),
	  tcp_retransmits_latebind: vals("tcp"; "latebind") | map(.retransmits),
	  tcp_retransmits_plain: vals("tcp"; "plain") | map(.retransmits),
	  tcp_lb0_egress_skbs: vals("tcp"; "latebind") | map(.lb_tx_packets),
	  tcp_lb0_egress_avg_skb_bytes: vals("tcp"; "latebind") | map(.lb_tx_bytes / .lb_tx_packets | round),
	  tcp_lb0_ingress_skbs: vals("tcp"; "latebind") | map(.lb_rx_packets),
	  udp64_pps_latebind: $ul, udp64_pps_plain: $up,
	  udp64_pps_latebind_mean: ($ul | mean | round), udp64_pps_plain_mean: ($up | mean | round),
	  udp64_pps_latebind_median: ($ul | median | round), udp64_pps_plain_median: ($up | median | round),
	  udp64_ratio: (($ul | mean) / ($up | mean) * 1000 | round / 1000),
	  udp64_ratio_median: (($ul | median) / ($up | median) * 1000 | round / 1000),
	  udp64_sent_pps_latebind: vals("udp64"; "latebind") | map(.sent_pps | round),
	  udp64_sent_pps_plain: vals("udp64"; "plain") | map(.sent_pps | round),
	  udp64_tunnel_pps_latebind: vals("udp64"; "latebind") | map(.peer_rx_packets / .rx_seconds | round),
	  udp64_tunnel_pps_plain: vals("udp64"; "plain") | map(.peer_rx_packets / .rx_seconds | round),
	  udp64_rcvbuf_errors_latebind: vals("udp64"; "latebind") | map(.rcvbuf_errors),
	  udp64_rcvbuf_errors_plain: vals("udp64"; "plain") | map(.rcvbuf_errors),
	  udp64_pps_measure: "packets the receiving iperf3 got (server packets - lost_packets) / server seconds",
	  udp64_tunnel_ratio: ((vals("udp64"; "latebind") | map(.peer_rx_packets / .rx_seconds) | mean) /
		(vals("udp64"; "plain") | map(.peer_rx_packets / .rx_seconds) | mean) * 1000 | round / 1000),
	  tcp_gbps_measure: "receiver bits_per_second (iperf3 end.sum_received)",
	  seconds: $secs, rounds: $rounds, order: "latebind, plain alternating; tcp rounds then udp64 rounds",
	  kernel: $kernel, cpus: $cpus, pinned: false, offloads: ("defaults; underlay veth: " + $offloads),
	  iperf3: $iperf, elapsed_s: ($elapsed | round),
	  loadavg_before: $load0, loadavg_after: $load1, runs: .
	}' "$TMP/runs.jsonl") || die "cannot build the result"
echo "$RESULT" >"$OUT/throughput.json" || die "cannot write $OUT/throughput.json"

# Human table: one row per test and setup, rounds then mean and median.
row() { # LABEL SETUP KEY [MEAN-KEY MEDIAN-KEY]
	printf '%-17s %-9s' "$1" "$2"
	jq -r --arg k "$3" '.[$k][] | tostring' <<<"$RESULT" | xargs printf ' %10s'
	if [ $# -gt 3 ]; then jq -r --arg m "$4" --arg d "$5" '"\(.[$m]) \(.[$d])"' <<<"$RESULT" | xargs printf ' | %10s %10s'; fi
	echo
}
jq -r '"latebind VXLAN vs plain VXLAN: kernel \(.kernel), \(.cpus) CPUs shared by sender, receiver and softirq (nothing pinned)",
	"\(.rounds) alternating rounds of \(.seconds) s, one iperf3 stream h -> v",
	"offloads: \(.offloads)", ""' <<<"$RESULT"
printf '%-27s' "" && seq "$ROUNDS" | xargs printf '  round %-3s' && printf ' | %10s %10s\n' mean median
row "TCP Gbit/s" latebind tcp_gbps_latebind tcp_gbps_latebind_mean tcp_gbps_latebind_median
row "" plain tcp_gbps_plain tcp_gbps_plain_mean tcp_gbps_plain_median
row "UDP64 pps rx" latebind udp64_pps_latebind udp64_pps_latebind_mean udp64_pps_latebind_median
row "" plain udp64_pps_plain udp64_pps_plain_mean udp64_pps_plain_median
row "UDP64 pps sent" latebind udp64_sent_pps_latebind
row "" plain udp64_sent_pps_plain
row "UDP64 pps tunnel" latebind udp64_tunnel_pps_latebind
row "" plain udp64_tunnel_pps_plain
jq -r '"",
	"ratio latebind/plain (means): TCP \(.tcp_ratio), UDP64 rx \(.udp64_ratio) (tunnel \(.udp64_tunnel_ratio))",
	"ratio latebind/plain (medians): TCP \(.tcp_ratio_median), UDP64 rx \(.udp64_ratio_median)",
	"UDP64 pps rx: packets the receiving iperf3 got; tunnel: decapsulated by the peer vx100; sent: iperf3 client.",
	"UDP64 receive socket overflows (Udp RcvbufErrors) per round: latebind \(.udp64_rcvbuf_errors_latebind | map(tostring) | join(", ")); plain \(.udp64_rcvbuf_errors_plain | map(tostring) | join(", "))",
	"TCP via lb0 per round: \(.tcp_lb0_egress_skbs | map(tostring) | join(", ")) egress skbs, avg \(.tcp_lb0_egress_avg_skb_bytes | map(tostring) | join(", ")) bytes (GSO)",
	"TCP retransmits: latebind \(.tcp_retransmits_latebind | map(tostring) | join(", ")); plain \(.tcp_retransmits_plain | map(tostring) | join(", "))",
	"elapsed \(.elapsed_s) s; load average before \(.loadavg_before), after \(.loadavg_after)"' <<<"$RESULT"
note "wrote $OUT/throughput.json"
