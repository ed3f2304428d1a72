# shellcheck shell=bash
# The labs and runs of bench/peers.sh, shared with its Geneve version in the
# test VM (tests/vm/bench/peers-geneve.sh). The caller sets KIND (vxlan or
# geneve), CLI, BLAST (bench/pps-blast), SINK (bench/udp-sink), BPFOBJ
# (collectmd.bpf.o), DUR (seconds a run), TAG (unique), PIN (a directory on
# bpffs), TMP (scratch), and may set TX_CPU and RX_CPU (the sender's and the
# receiver's CPU: 0 and 1) and SINK_IDLE_MS (500); it defines die, calls
# peers_kind, then lab per design. The labs' namespaces are in T, H and P by
# design and in NAMESPACES; background processes in PIDS; peers_cleanup
# removes them.
#
#   netns T (tenant)     netns H (host)                         netns P (peer)
#   t0 10.77.1.2 ==veth== tv0 10.77.1.1, the design's tunnel     PDEV (stock VNI 100)
#                         (10.77.3.1; collectmd: none)           10.77.3.2
#                         ulh 10.66.0.1 ========= veth ========= ulp 10.66.0.2

VNI=100
TX_CPU=${TX_CPU:-0}
RX_CPU=${RX_CPU:-1}
SINK_IDLE_MS=${SINK_IDLE_MS:-500}
NAMESPACES=()
PIDS=()
declare -A T H P

# peers_kind: KIND's settings. Every H tunnel has latebind's: noudpcsum (and
# for VXLAN nolearning, on ulh), MTU 1450 (TUN_MTU: the underlay's 1500 less
# 50, as latebind's pools get), IPv6 off. An external Geneve device has no
# remote to size its MTU from (65,465 on 6.1): it is set.
# PDEV names the stock devices (P's, and H's in plain), XDEV collectmd's.
TUN_MTU=1450
peers_kind() {
	# shellcheck disable=SC2153 # the caller sets KIND
	case $KIND in
	vxlan)
		TUN_OPTS=(dstport 4789 dev ulh nolearning noudpcsum)
		PEER_OPTS=(dstport 4789 dev ulp)
		PDEV=vx100 XDEV=vxc
		;;
	geneve)
		TUN_OPTS=(dstport 6081 noudpcsum)
		PEER_OPTS=(dstport 6081)
		PDEV=gn100 XDEV=gnc
		;;
	*) die "KIND must be vxlan or geneve, not '$KIND'" ;;
	esac
}

in_ns() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" "$@"
}

lab_netns() { # VAR NAME
	local name="lbpr-$TAG-$2"
	ip netns add "$name" || die "ip netns add $name"
	NAMESPACES+=("$name")
	in_ns "$name" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip -n "$name" link set lo up
	printf -v "$1" '%s' "$name"
}

peers_cleanup() {
	local p ns
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	[ -n "${H[latebind]:-}" ] && "$CLI" -n "${H[latebind]}" pool destroy dev ulh >/dev/null 2>&1
	for ns in "${NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$PIN"
}

mac() { ip -n "$1" -j link show dev "$2" | jq -r '.[0].address'; }
ifindex() { ip -n "$1" -j link show dev "$2" | jq -r '.[0].ifindex'; }
# hexbytes: a u32 in host (little-endian) order, or a MAC, as bpftool's bytes.
u32le() { printf '%02x %02x %02x %02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
machex() { echo "${1//:/ }"; }

# lab_collectmd DESIGN H T P: the external device (vnifilter: with its VNI
# filter) and bench/collectmd.bpf.c's programs, maps pinned in $PIN/DESIGN.
lab_collectmd() {
	local d=$1 h=$2 t=$3 p=$4 tv xd remote pin=$PIN/$1 kind=(external)
	[ "$d" = vnifilter ] && kind+=(vnifilter)
	ip -n "$h" link add "$XDEV" mtu $TUN_MTU type "$KIND" "${kind[@]}" "${TUN_OPTS[@]}" || die "$d: external $KIND"
	if [ "$d" = vnifilter ]; then
		bridge -n "$h" vni add dev "$XDEV" vni $VNI || die "$d: bridge vni add"
	fi
	ip -n "$h" link set "$XDEV" up
	mkdir -p "$pin" || die "cannot create $pin"
	bpftool prog loadall "$BPFOBJ" "$pin/prog" pinmaps "$pin/map" || die "$d: cannot load $BPFOBJ"
	for dev in tv0 "$XDEV"; do in_ns "$h" tc qdisc add dev "$dev" clsact || die "$d: clsact on $dev"; done
	# nsenter, not tc -n: tc -n remounts /sys and hides /sys/fs/bpf.
	in_ns "$h" tc filter add dev tv0 ingress bpf da pinned "$pin/prog/cmd_tx" || die "$d: attach cmd_tx"
	in_ns "$h" tc filter add dev "$XDEV" ingress bpf da pinned "$pin/prog/cmd_rx" || die "$d: attach cmd_rx"
	tv=$(ifindex "$h" tv0)
	xd=$(ifindex "$h" "$XDEV")
	remote=$(((10 << 24) | (66 << 16) | 2)) # 10.66.0.2, host order
	# shellcheck disable=SC2046
	bpftool map update pinned "$pin/map/cmd_tx_map" key hex $(u32le "$tv") \
		value hex $(u32le $VNI) $(u32le $remote) $(u32le "$xd") $(machex "$(mac "$p" "$PDEV")") \
		$(machex "$(mac "$h" "$XDEV")") || die "$d: tx map"
	# shellcheck disable=SC2046
	bpftool map update pinned "$pin/map/cmd_rx_map" key hex $(u32le $VNI) $(u32le $remote) \
		value hex $(u32le "$tv") $(machex "$(mac "$t" t0)") $(machex "$(mac "$h" tv0)") || die "$d: rx map"
	# No device of H owns 10.77.3.1: the peer cannot resolve it by ARP.
	ip -n "$p" neigh add 10.77.3.1 lladdr "$(mac "$h" "$XDEV")" dev "$PDEV" nud permanent
}

lab() { # DESIGN
	local d=$1 t h p links0
	lab_netns t "$d-t"
	lab_netns h "$d-h"
	lab_netns p "$d-p"
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
	# The peer: a stock device with the VNI, the same in every lab.
	ip -n "$p" link add "$PDEV" type "$KIND" id $VNI remote 10.66.0.1 "${PEER_OPTS[@]}" || die "$d: peer"
	ip -n "$p" addr add 10.77.3.2/24 dev "$PDEV"
	ip -n "$p" link set "$PDEV" up
	ip -n "$p" route add 10.77.1.0/24 via 10.77.3.1
	case $d in
	latebind)
		links0=$(bpftool link show -j | jq -c '[.[].id]')
		"$CLI" -n "$h" pool create dev ulh type "$KIND" remote 10.66.0.2 count 4 >/dev/null ||
			die "latebind: pool create failed"
		# The pool's two tcx links: new since the create (bpftool 7.1 shows
		# no ifindex for tcx links); for bpf_stats later. (None on cls_bpf.)
		bpftool link show -j | jq -r --argjson old "$links0" '.[] | select(.id as $i | $old | index($i) | not) | .prog_id' \
			>"$TMP/latebind.progs"
		"$CLI" -n "$h" bind lb0 vni $VNI >/dev/null || die "latebind: bind lb0 vni $VNI failed"
		ip -n "$h" addr add 10.77.3.1/24 dev lb0
		ip -n "$h" link set lb0 up
		;;
	plain | plain2)
		ip -n "$h" link add "$PDEV" mtu $TUN_MTU type "$KIND" id $VNI remote 10.66.0.2 "${TUN_OPTS[@]}" || die "$d: $KIND"
		in_ns "$h" sysctl -qw "net.ipv6.conf.$PDEV.disable_ipv6=1"
		ip -n "$h" addr add 10.77.3.1/24 dev "$PDEV"
		ip -n "$h" link set "$PDEV" up
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
# /proc/stat's unit (USER_HZ); busybox, in the VM, has no getconf.
CLK_TCK=$(getconf CLK_TCK 2>/dev/null) || CLK_TCK=100

# pps DESIGN DIR [PERF]: one pps run; prints "pps softirq_ns busy_ns sent".
pps() {
	local d=$1 dir=$2 perf=${3:-} src dst addr port=7100 c0 c1 r s
	if [ "$dir" = fwd ]; then
		src=${T[$d]} dst=${P[$d]} addr=10.77.3.2
	else
		src=${P[$d]} dst=${T[$d]} addr=10.77.1.2
	fi
	in_ns "$dst" "$SINK" "$addr" $port cpu "$RX_CPU" idle-ms "$SINK_IDLE_MS" max-seconds $((DUR + 30)) >"$TMP/sink" 2>&1 &
	PIDS+=($!)
	local sp=$!
	for _ in $(seq 50); do grep -q ready "$TMP/sink" && break; sleep 0.1; done
	grep -q ready "$TMP/sink" || die "$d $dir: udp-sink did not start: $(cat "$TMP/sink")"
	c0=$(cpu_ticks)
	if [ -n "$perf" ]; then
		perf record -q -e cpu-clock -F 999 -a -g -o "$perf" -- \
			nsenter --net="/run/netns/$src" "$BLAST" "$addr" $port seconds "$DUR" cpu "$TX_CPU" >"$TMP/blast" 2>"$TMP/perf.err" ||
			die "$d $dir: pps-blast under perf failed: $(tail -1 "$TMP/perf.err")"
	else
		in_ns "$src" "$BLAST" "$addr" $port seconds "$DUR" cpu "$TX_CPU" >"$TMP/blast" || die "$d $dir: pps-blast failed"
	fi
	wait "$sp"
	c1=$(cpu_ticks)
	r=$(awk '/^received/ { print $2 }' "$TMP/sink")
	s=$(awk '/^sent/ { print $2, $6 }' "$TMP/blast")
	{ [ -n "$r" ] && [ -n "$s" ]; } || die "$d $dir: no count: $(cat "$TMP/sink" "$TMP/blast")"
	[ "$r" -gt 0 ] || die "$d $dir: nothing delivered"
	awk -v r="$r" -v s="$s" -v c0="$c0" -v c1="$c1" -v hz="$CLK_TCK" 'BEGIN {
		split(s, S, " "); split(c0, A, " "); split(c1, B, " ")
		printf "%.0f %.1f %.1f %d\n", r / S[2], (B[2] - A[2]) / hz * 1e9 / r,
			(B[1] - A[1]) / hz * 1e9 / r, S[1] }'
}

tcp() { # DESIGN: Gbit/s T -> P
	local d=$1 port=7201 sp bps
	# Bounded: a client can hang on a lost control connection.
	in_ns "${P[$d]}" timeout $((DUR + 20)) iperf3 -s -1 -A "$RX_CPU" -p $port --forceflush >"$TMP/iperf-srv" 2>&1 &
	sp=$!
	PIDS+=("$sp")
	for _ in $(seq 50); do grep -q listening "$TMP/iperf-srv" && break; sleep 0.1; done
	in_ns "${T[$d]}" timeout $((DUR + 15)) iperf3 -c 10.77.3.2 -p $port -A "$TX_CPU" -t "$DUR" -J >"$TMP/iperf.json" 2>&1 ||
		die "$d: iperf3 failed: $(jq -r .error "$TMP/iperf.json" 2>/dev/null)"
	wait "$sp"
	bps=$(jq '.end.sum_received.bits_per_second' "$TMP/iperf.json")
	awk -v b="$bps" 'BEGIN { printf "%.3f\n", b / 1e9 }'
}
