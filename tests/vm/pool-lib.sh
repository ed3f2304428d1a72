# shellcheck shell=bash
# Warm-pool scenarios for the VM suite (tests/vm/tests/*-pool-*.sh), sourced
# after lib-vm.sh. Not a test itself: run.sh copies it next to lib-vm.sh.
#
# One call of pool_scenario TYPE FAMILY CSUM builds a fresh lab and proves,
# with the latebind CLI only on the pool side and stock tunnels configured
# by plain `ip` with the REAL VNIs on the peer side:
#
#   netns H (pool)                               netns V (peer underlay)
#   lb0..lb3 dummy VNIs                          stock tunnels, REAL VNIs, made
#    |  lb_egress / lb_ingress (tcx or cls_bpf)  here (their UDP socket stays in V)
#   ulh 10.30.0.1 / fd00:30::1 ===== veth =====  ulv 10.30.0.2 / fd00:30::2
#                                                then moved to their own netns
#   tx offload off on both veths                 T100, T101, TS, T200, T201, ...
#
#  blocked  before bind: nothing from H on the wire, `unbound` drops rise
#  traffic  after bind: ping, TCP both ways, no csum error on either side
#  wire     only VNI 100 from H: decoded, and a BPF filter for VNI != 100
#  spoof    a peer with lb1's DUMMY VNI: `spoof` drops rise, lb1 sees nothing
#  rebind   lb2 200 -> 201: no VNI 200 from H after bind returned
#  destroy  our egress program detached from outside: show says BROKEN; then
#           H as before the pool (links, qdisc, filters, pins), show is []
#           (with TC "foreign", someone else's clsact and filter stay)
#
# POOL_MODE (tcx or cls_bpf) is `pool create ... mode POOL_MODE`; empty, the
# pool attaches in mode auto, which must pick ATTACH_AUTO (lib-vm.sh). It is
# in every check's tag: geneve/ipv4/udpcsum/tcx: ...
#
# Geneve has no local/link: H's route to the remote picks the underlay.
# Knobs: POOL_BULK (TCP bytes each way, default 16M: about 0.6 s each way
# here under TCG).

POOL_BULK=${POOL_BULK:-16M}
CAP=/tmp/pool-cap
mkdir -p "$CAP"

# --- small helpers -------------------------------------------------------------
# jq takes about 0.3 s to start under TCG, so the helpers that run often pick
# single numbers out of the JSON with grep instead.
lbj() { local ns=$1; shift; "$CLI" -n "$ns" -j "$@"; }
# jnum KEY: the first number (or null) of "KEY" in the JSON on stdin.
jnum() { grep -oE "\"$1\": *([0-9]+|null)" | head -n 1 | grep -oE '[0-9]+|null$'; }
# drops REASON: the pool's drop counter (latebind -j stats: .[0].drops.REASON).
drops() { lbj "$H" stats | jnum "$1"; }
# dev_rx NETNS DEV: packets DEV received.
dev_rx() { "$IP" -n "$1" -j -s link show "$2" | grep -oE '"rx": *\{"bytes": *[0-9]+, *"packets": *[0-9]+' | grep -oE '[0-9]+$'; }
dev_mac() { "$IP" -n "$1" -o link show "$2" | grep -oE 'link/ether [0-9a-f:]+' | cut -d' ' -f2; }
# csum_errors NS: the receive checksum error counters of NS, in one line.
csum_errors() {
	# shellcheck disable=SC2016 # awk's $
	in_ns "$1" awk '
		FILENAME ~ /snmp6/ { if ($1 == "Udp6InCsumErrors") u6 = $2; next }
		$1 == "Udp:" || $1 == "Tcp:" {
			if (!(($1) in hdr)) { hdr[$1] = 1; for (i = 2; i <= NF; i++) col[$1, $i] = i; next }
			if ($1 == "Udp:") u = $col["Udp:", "InCsumErrors"]; else t = $col["Tcp:", "InCsumErrors"]
		}
		END { print "Udp " u " Tcp " t " Udp6 " u6 }' /proc/net/snmp /proc/net/snmp6
}

# udp_in NS: UDP datagrams NS received, IPv4 and IPv6 together.
udp_in() {
	# shellcheck disable=SC2016 # awk's $
	in_ns "$1" awk '
		FILENAME ~ /snmp6/ { if ($1 == "Udp6InDatagrams") n += $2; next }
		$1 == "Udp:" { if (!h) { for (i = 2; i <= NF; i++) if ($i == "InDatagrams") c = i; h = 1 } else n += $c }
		END { print n + 0 }' /proc/net/snmp /proc/net/snmp6
}

# wait_for FILE TEXT [TENTHS]: until FILE contains TEXT (default 10 s).
wait_for() {
	local i
	for ((i = 0; i < ${3:-100}; i++)); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# start_capture FILE IFACE NETNS FILTER [SNAPLEN] / stop_capture
# tcpdump runs by path (so $! is tcpdump), immediate mode, and the capture
# starts only once tcpdump says it is listening (its filter is set by then).
start_capture() {
	"$NSENTER" --net="/run/netns/$3" "$TCPDUMP" -Z root -i "$2" -nn -s "${5:-128}" \
		--immediate-mode -U -w "$1" "$4" >/dev/null 2>"$1.err" 3>&- &
	TCPDUMP_PID=$!
	wait_for "$1.err" 'listening on' || echo "start_capture: tcpdump did not start: $(cat "$1.err")"
}
stop_capture() {
	sleep 0.3
	kill "$TCPDUMP_PID" 2>/dev/null
	wait "$TCPDUMP_PID" 2>/dev/null
}
# cap_count FILE [FILTER]: packets in a capture (that match FILTER). Counts
# the lines that start with a timestamp: some packets take several lines.
cap_count() {
	"$TCPDUMP" -Z root -nn -tt -r "$1" ${2:+"$2"} 2>/dev/null | grep -cE '^[0-9]+\.[0-9]+ '
}
# cap_vnis FILE: the VNIs tcpdump decodes, in decimal, sorted and unique.
# tcpdump prints Geneve VNIs in hex ("vni 0x64"), VXLAN ones in decimal ("vni 100").
cap_vnis() {
	local v
	for v in $("$TCPDUMP" -Z root -nn -r "$1" 2>/dev/null | grep -oE 'vni (0x[0-9a-f]+|[0-9]+)' | awk '{print $2}'); do
		echo $((v))
	done | sort -un | tr '\n' ' '
}
# vni_filter OP VNI: a BPF filter for the VNI (UDP payload bytes 4-6, Geneve
# and VXLAN alike) of packets from H. libpcap's udp[] is IPv4 only, so IPv6
# reads the fixed offset (IPv6 header 40 + UDP 8 + 4, no extension headers).
vni_filter() {
	if [ "$FAM" = 4 ]; then
		echo "udp dst port $PORT and src host $HADDR and (udp[12:4] >> 8) $1 $2"
	else
		echo "ip6 and ip6[6] == 17 and udp dst port $PORT and src host $HADDR and (ip6[52:4] >> 8) $1 $2"
	fi
}
# at_vni VNI FILE [-tt]: the lines of a capture from H that decode as VNI.
at_vni() {
	local hex
	hex=$(printf '0x%x' "$1")
	"$TCPDUMP" -Z root -nn ${3:+"$3"} -r "$2" "udp dst port $PORT and src host $HADDR" 2>/dev/null |
		grep -E "vni ($1|$hex)([^0-9a-fx]|$)"
}

# --- the lab ---------------------------------------------------------------------
# lab TYPE FAMILY CSUM [TC]: namespaces H and V joined by a veth, tx offload
# off. TC "foreign": someone else's clsact qdisc and a cls_bpf filter (classic
# BPF, matches nothing, prio 7: before ours) on ulh in both directions.
lab() {
	TYPE=$1 FAM=$2 CSUM=$3 FOREIGN_TC=${4:-bare}
	LABNS=()
	if [ "$FAM" = 4 ]; then
		HADDR=10.30.0.1 VADDR=10.30.0.2 PLEN=24 NODAD=
	else
		HADDR=fd00:30::1 VADDR=fd00:30::2 PLEN=64 NODAD=nodad
	fi
	if [ "$TYPE" = geneve ]; then PORT=6081; else PORT=4789; fi
	# How the stock peers match the pool's checksum setting.
	case $TYPE/$FAM/$CSUM in
	*/4/*) PEER_CSUM=$CSUM ;;
	*/6/udpcsum) PEER_CSUM="noudp6zerocsumtx noudp6zerocsumrx" ;;
	# The pool sends zero checksums, so the peer must accept them. It sends
	# with checksums: the pool side rejects zero ones (see zero_csum_rx).
	*/6/noudpcsum) PEER_CSUM="noudp6zerocsumtx udp6zerocsumrx" ;;
	esac
	lab_netns H host && lab_netns V vpc || return 1
	"$IP" link add ulh netns "$H" type veth peer name ulv netns "$V" || return 1
	"$IP" -n "$H" addr add "$HADDR/$PLEN" dev ulh $NODAD &&
		"$IP" -n "$V" addr add "$VADDR/$PLEN" dev ulv $NODAD &&
		"$IP" -n "$H" link set ulh up &&
		"$IP" -n "$V" link set ulv up || return 1
	in_ns "$H" "$ETHTOOL" -K ulh tx off >/dev/null &&
		in_ns "$V" "$ETHTOOL" -K ulv tx off >/dev/null || return 1
	[ "$FOREIGN_TC" = foreign ] || return 0
	in_ns "$H" "$TC" qdisc add dev ulh clsact &&
		in_ns "$H" "$TC" filter add dev ulh ingress prio 7 handle 7 bpf bytecode '1,6 0 0 0,' &&
		in_ns "$H" "$TC" filter add dev ulh egress prio 7 handle 7 bpf bytecode '1,6 0 0 0,'
}
# lab_netns VAR BASE: a namespace of this lab (lab_done deletes them).
lab_netns() {
	new_netns "$1" "$2" || return 1
	LABNS+=("${!1}")
}
lab_done() {
	local ns
	for ns in "${LABNS[@]}"; do "$IP" netns del "$ns" 2>/dev/null; done
	LABNS=()
}

# peer VNI NETNS-VAR ADDR/LEN [MAC]: a stock tunnel with VNI towards H, made
# in V (so its UDP socket is V's) and moved to a namespace of its own, so
# that two peers can share an inner address. Extra `ip link` options in
# PEER_OPTS (default PEER_CSUM).
peer() {
	local vni=$1 var=$2 addr=$3 mac=${4:-} ns dev=p$1
	lab_netns "$var" "t$vni" || return 1
	ns=${!var}
	if [ "$TYPE" = geneve ]; then
		# shellcheck disable=SC2086
		"$IP" -n "$V" link add "$dev" ${mac:+address $mac} type geneve id "$vni" remote "$HADDR" \
			${PEER_OPTS-$PEER_CSUM} || return 1
	else
		# shellcheck disable=SC2086
		"$IP" -n "$V" link add "$dev" ${mac:+address $mac} type vxlan id "$vni" remote "$HADDR" \
			dstport "$PORT" dev ulv ${PEER_OPTS-$PEER_CSUM} || return 1
	fi
	"$IP" -n "$V" link set "$dev" netns "$ns" &&
		"$IP" -n "$ns" addr add "$addr" dev "$dev" &&
		"$IP" -n "$ns" link set "$dev" up
}

# snapshot DIR: the pool namespace's state, for the destroy check; the
# qdiscs apart.
snapshot() {
	mkdir -p "$1"
	{
		"$IP" -n "$H" -d -j link show # no statistics without -s
		in_ns "$H" "$TC" filter show dev ulh ingress
		in_ns "$H" "$TC" filter show dev ulh egress
		# Below the root: the first pool of a run makes the root itself.
		find /sys/fs/bpf/latebind -mindepth 1 2>/dev/null | sort
	} >"$1/state"
	in_ns "$H" "$TC" qdisc show dev ulh >"$1/qdisc"
}

# iperf NETNS-OF-SERVER ADDR [-R]: POOL_BULK bytes of TCP from H to ADDR (or
# back with -R). Prints what the receiver got.
iperf() {
	local srv=$1 addr=$2 out rc spid
	shift 2
	# Emptied here, not by the server's redirection: that one may come after
	# wait_for has read the last server's "listening" (then: refused).
	: >"$CAP/iperf-srv"
	"$NSENTER" --net="/run/netns/$srv" "$IPERF3" -s -1 -B "$addr" --forceflush >"$CAP/iperf-srv" 2>&1 3>&- &
	spid=$!
	wait_for "$CAP/iperf-srv" 'listening' || { kill "$spid"; echo "no iperf3 server"; return 1; }
	out=$(in_ns "$H" timeout 60 "$IPERF3" -c "$addr" -n "$POOL_BULK" --connect-timeout 5000 "$@" 2>&1)
	rc=$?
	# A one-off server whose client never connected waits forever.
	[ "$rc" -eq 0 ] || kill "$spid" 2>/dev/null
	wait "$spid"
	[ "$rc" -eq 0 ] || { echo "iperf3 exit $rc: $(tail -n 1 <<<"$out")"; return 1; }
	# "[  5]   0.00-0.25   sec  8.00 MBytes   264 Mbits/sec                  receiver"
	awk '/receiver$/ { sub(/.*-/, "", $3); print $5 " " $6 " in " $3 " s, " $7 " " $8 }' <<<"$out"
}

# --- the scenarios -----------------------------------------------------------------
# pool_scenario TYPE FAMILY CSUM [TC]: all of the above, in a fresh lab (TC:
# see lab).
pool_scenario() {
	local mode=${POOL_MODE:-$ATTACH_AUTO} tag before after n out rc other
	tag="$1/ipv$2/$3/$mode"
	[ "${4:-}" = foreign ] && tag="$tag+foreign-tc"
	lab "$@" || { fail "$tag: lab setup"; lab_done; return; }
	snapshot "$CAP/before"

	out=$("$CLI" -n "$H" pool create dev ulh type "$TYPE" remote "$VADDR" count 4 "$CSUM" \
		${POOL_MODE:+mode "$POOL_MODE"} 2>&1)
	rc=$?
	check "$tag: pool create (count 4, $CSUM, mode ${POOL_MODE:-auto})" test "$rc" -eq 0
	[ "$rc" -eq 0 ] || { echo "$out"; lab_done; return; }
	out=$(lbj "$H" show)
	# shellcheck disable=SC2016 # jq's $
	check "$tag: show: attach $mode, type $TYPE, remote $VADDR, udpcsum $([ "$CSUM" = udpcsum ] && echo true || echo false)" \
		"$JQ" -e --arg m "$mode" --arg t "$TYPE" --arg r "$VADDR" --argjson c "$([ "$CSUM" = udpcsum ] && echo true || echo false)" \
		'.[0] | .attach == $m and .type == $t and .remote == $r and .udpcsum == $c and .count == 4' <<<"$out" >/dev/null
	check "$tag: show (text) prints attach $mode" grep -q "attach $mode" <<<"$("$CLI" -n "$H" show)"
	if [ -n "${POOL_MODE:-}" ]; then
		if [ "$mode" = tcx ]; then other=cls_bpf; else other=tcx; fi
		out=$("$CLI" -n "$H" pool create dev ulh type "$TYPE" remote "$VADDR" count 4 "$CSUM" mode "$other" 2>&1)
		check "$tag: create again with mode $other: refused, naming both modes ($out)" \
			grep -q "attached with $mode, not $other" <<<"$out"
	fi

	blocked_and_traffic "$tag"
	wire "$tag"
	spoof "$tag"
	[ "$FAM/$CSUM" = 6/noudpcsum ] && zero_csum_rx "$tag"
	rebind "$tag"
	destroy "$tag"
	lab_done
}

# blocked, then bound: ping, TCP both ways, checksum counters.
blocked_and_traffic() {
	local tag=$1 e0h e0v e0t rate uv ut
	peer 100 T100 192.168.10.2/24 || { fail "$tag: peer 100"; return; }
	"$IP" -n "$H" addr add 192.168.10.1/24 dev lb0

	start_capture "$CAP/unbound.pcap" ulv "$V" "udp port $PORT and src host $HADDR"
	before=$(drops unbound)
	check_fails "$tag: unbound lb0: ping fails" in_ns "$H" "$PING" -c 3 -i 0.2 -w 1 192.168.10.2 >/dev/null 2>&1
	stop_capture
	after=$(drops unbound)
	n=$(cap_count "$CAP/unbound.pcap")
	check "$tag: unbound lb0 put 0 packets on the wire (saw $n)" test "$n" -eq 0
	check "$tag: unbound drops rose ($before -> $after)" test "$after" -gt "$before"

	check "$tag: bind lb0 vni 100" "$CLI" -n "$H" bind lb0 vni 100 >/dev/null
	e0h=$(csum_errors "$H") e0v=$(csum_errors "$V") e0t=$(csum_errors "$T100")
	# Live: anything from H with a VNI other than 100, during all the traffic.
	start_capture "$CAP/bad.pcap" ulv "$V" "$(vni_filter "!=" 100)"
	"$IP" -n "$H" neigh flush dev lb0
	uv=$(udp_in "$V") ut=$(udp_in "$T100")
	check "$tag: ping through lb0" in_ns "$H" "$PING" -q -c 3 -i 0.2 -w 10 192.168.10.2 >/dev/null
	# The peer tunnel made in V and moved to T100 kept its UDP socket in V.
	check "$tag: the moved peer's UDP socket stayed in V (UDP in: V $uv -> $(udp_in "$V"), T100 $ut -> $(udp_in "$T100"))" \
		test "$(udp_in "$V")" -ge $((uv + 3)) -a "$(udp_in "$T100")" -eq "$ut"
	rate=$(iperf "$T100" 192.168.10.2)
	check "$tag: TCP out through lb0 ($rate)" test $? -eq 0
	rate=$(iperf "$T100" 192.168.10.2 -R)
	check "$tag: TCP back in through lb0 ($rate)" test $? -eq 0
	stop_capture
	BAD_LIVE=$(cap_count "$CAP/bad.pcap")
	check "$tag: pool side csum errors unchanged ($e0h -> $(csum_errors "$H"))" test "$(csum_errors "$H")" = "$e0h"
	check "$tag: peer underlay csum errors unchanged ($e0v -> $(csum_errors "$V"))" test "$(csum_errors "$V")" = "$e0v"
	check "$tag: peer tunnel csum errors unchanged ($e0t -> $(csum_errors "$T100"))" test "$(csum_errors "$T100")" = "$e0t"
}

# Only real VNIs on the wire.
wire() {
	local tag=$1 all good bad outer n sum_ok sum_zero
	check "$tag: live BPF capture of VNI != 100 from the pool during ping and TCP: 0 packets (saw $BAD_LIVE)" \
		test "$BAD_LIVE" -eq 0
	# Positive control: a full capture of a ping and a little TCP decodes as
	# VNI 100, and the same BPF expressions read back from it split it all to
	# "== 100". (TCP too: its outer checksum is final before tc egress, LCO.)
	start_capture "$CAP/good.pcap" ulv "$V" "udp port $PORT and src host $HADDR" 262144
	in_ns "$H" "$PING" -q -c 3 -i 0.2 -w 5 192.168.10.2 >/dev/null
	POOL_BULK=64K iperf "$T100" 192.168.10.2 >/dev/null
	stop_capture
	all=$(cap_count "$CAP/good.pcap")
	good=$(cap_count "$CAP/good.pcap" "$(vni_filter "==" 100)")
	bad=$(cap_count "$CAP/good.pcap" "$(vni_filter "!=" 100)")
	check "$tag: control: the pool's packets decode as VNI 100 only ($all packets, VNIs: $(cap_vnis "$CAP/good.pcap"))" \
		test "$all" -gt 0 -a "$(cap_vnis "$CAP/good.pcap")" = "100 "
	check "$tag: control: the BPF filter sees VNI 100 in all $all ($good), != 100 in none ($bad)" \
		test "$all" -gt 0 -a "$good" -eq "$all" -a "$bad" -eq 0
	# The outer checksums on the wire are what the pool was told.
	outer=$("$TCPDUMP" -Z root -nn -vv -r "$CAP/good.pcap" 2>/dev/null | grep -E " $HADDR\.[0-9]+ > $VADDR\.$PORT: ")
	n=$(grep -c . <<<"$outer")
	sum_ok=$(grep -c '\[udp sum ok\]' <<<"$outer")
	sum_zero=$(grep -cE '\[no cksum\]|\[bad udp cksum 0x0000 ->' <<<"$outer")
	if [ "$CSUM" = udpcsum ]; then
		check "$tag: outer UDP checksums from the pool (ping, TCP): $sum_ok of $n verified correct by tcpdump" \
			test "$n" -eq "$all" -a "$sum_ok" -eq "$n"
	else
		check "$tag: outer UDP checksums from the pool (ping, TCP): $sum_zero of $n zero" \
			test "$n" -eq "$all" -a "$sum_zero" -eq "$n"
	fi
}

# A stock tunnel with lb1's DUMMY VNI sends to the pool.
spoof() {
	local tag=$1 dummy smac lmac
	peer 101 T101 192.168.11.2/24 || { fail "$tag: peer 101"; return; }
	"$IP" -n "$H" addr add 192.168.11.1/24 dev lb1
	"$CLI" -n "$H" bind lb1 vni 101 >/dev/null
	check "$tag: lb1 bound to 101: ping works" in_ns "$H" "$PING" -q -c 2 -i 0.2 -w 10 192.168.11.2 >/dev/null
	dummy=$(lbj "$H" show lb1 | jnum dummy_vni)
	peer "$dummy" TS 192.168.11.3/24 || { fail "$tag: spoofing peer $dummy"; return; }
	smac=$(dev_mac "$TS" "p$dummy")
	lmac=$(dev_mac "$T101" p101)
	before=$(drops spoof)
	start_capture "$CAP/spoof.pcap" lb1 "$H" "ether src $smac or ether src $lmac"
	in_ns "$TS" "$PING" -c 3 -i 0.2 -w 1 192.168.11.1 >/dev/null 2>&1
	# Control: the capture on lb1 does see the real peer.
	in_ns "$T101" "$PING" -q -c 2 -i 0.2 -w 5 192.168.11.1 >/dev/null
	stop_capture
	after=$(drops spoof)
	check "$tag: spoofed dummy VNI $dummy counted ($before -> $after)" test "$after" -gt "$before"
	n=$(cap_count "$CAP/spoof.pcap" "ether src $smac")
	check "$tag: lb1 received nothing from the spoofer $smac (saw $n)" test "$n" -eq 0
	n=$(cap_count "$CAP/spoof.pcap" "ether src $lmac")
	check "$tag: control: the same capture saw the real peer $lmac ($n frames)" test "$n" -gt 0
}

# IPv6 with noudpcsum: the pool sends zero checksums, and must take them from
# a peer configured the same way (members get UDP_ZERO_CSUM6_TX and _RX).
zero_csum_rx() {
	local tag=$1 e0 e1 ok=0
	PEER_OPTS="udp6zerocsumtx udp6zerocsumrx" peer 102 T102 192.168.12.2/24 || { fail "$tag: peer 102"; return; }
	"$IP" -n "$H" addr add 192.168.12.1/24 dev lb3
	"$CLI" -n "$H" bind lb3 vni 102 >/dev/null
	e0=$(csum_errors "$H" | awk '{ print $6 }')
	in_ns "$H" "$PING" -q -c 2 -i 0.2 -w 2 192.168.12.2 >/dev/null 2>&1 && ok=1
	e1=$(csum_errors "$H" | awk '{ print $6 }')
	if [ "$ok" = 1 ] && [ "$e1" -eq "$e0" ]; then
		ok "$tag: a peer sending zero checksums (udp6zerocsumtx) gets through"
	else
		fail "$tag: a peer sending zero checksums (udp6zerocsumtx) is dropped by the pool side: ping $([ "$ok" = 1 ] && echo worked || echo failed), pool Udp6InCsumErrors $e0 -> $e1"
	fi
}

# lb2: 200, then 201 while a ping runs; two peers share IP and MAC.
rebind() {
	local tag=$1 pid t_ret late early rx0 rx1 rc
	if ! peer 200 T200 192.168.20.2/24 02:00:00:00:20:02 ||
		! peer 201 T201 192.168.20.2/24 02:00:00:00:20:02; then
		fail "$tag: peers 200, 201"
		return
	fi
	"$IP" -n "$H" addr add 192.168.20.1/24 dev lb2
	"$CLI" -n "$H" bind lb2 vni 200 >/dev/null
	check "$tag: lb2 bound to 200: ping works" in_ns "$H" "$PING" -q -c 2 -i 0.2 -w 10 192.168.20.2 >/dev/null
	start_capture "$CAP/rebind.pcap" ulv "$V" "udp port $PORT and src host $HADDR"
	# The ping goes on for 1 s after bind returned, however long bind took
	# (a loaded host makes TCG slow: a fixed deadline could end first).
	"$NSENTER" --net="/run/netns/$H" "$PING" -q -i 0.01 -w 30 192.168.20.2 >/dev/null 2>&1 3>&- &
	pid=$!
	sleep 0.7
	rx0=$(dev_rx "$T201" p201)
	"$CLI" -n "$H" bind lb2 vni 201 >/dev/null
	rc=$?
	t_ret=$EPOCHREALTIME # busybox date has no %N
	check "$tag: rebind lb2 vni 201 (returned at $t_ret)" test "$rc" -eq 0
	sleep 1
	kill -INT "$pid" 2>/dev/null
	wait "$pid"
	stop_capture
	rx1=$(dev_rx "$T201" p201)
	early=$(at_vni 200 "$CAP/rebind.pcap" | wc -l)
	late=$(at_vni 200 "$CAP/rebind.pcap" -tt | awk -v t="$t_ret" '$1 > t' | wc -l)
	check "$tag: VNI 200 on the wire before the rebind ($early packets)" test "$early" -gt 0
	check "$tag: no VNI 200 packet after bind returned (saw $late)" test "$late" -eq 0
	check "$tag: the VNI 201 peer received after the rebind ($rx0 -> $rx1 packets)" test "$rx1" -gt $((rx0 + 10))
	check "$tag: show lb2: vni 201" test "$(lbj "$H" show lb2 | jnum vni)" = 201
}

# detach_egress: take our egress program off ulh from outside: delete the
# cls_bpf filter, or detach the tcx link (it stays pinned, detached).
detach_egress() {
	local id link
	if [ "${POOL_MODE:-$ATTACH_AUTO}" = cls_bpf ]; then
		"$TC" -n "$H" filter del dev ulh egress pref 1
		return
	fi
	id=$(lbj "$H" datapath show dev ulh | jnum egress_prog_id)
	# shellcheck disable=SC2016 # jq's $
	link=$("$BPFTOOL" -j link show | "$JQ" --argjson p "$id" '.[] | select(.prog_id == $p) | .id')
	[ -n "$link" ] && "$BPFTOOL" link detach id "$link"
}

destroy() {
	local tag=$1 qd out
	# Our egress program detached from outside: show must say so, quietly.
	detach_egress
	out=$("$CLI" -n "$H" show 2>&1)
	check "$tag: egress program detached from outside: show says BROKEN" grep -q 'BROKEN: lb_egress is not attached' <<<"$out"
	check "$tag: ...with no libbpf noise" test "$(grep -c libbpf <<<"$out")" -eq 0
	check "$tag: ...and -j egress_attached false" test "$(lbj "$H" show | grep -o '"egress_attached":[a-z]*')" = '"egress_attached":false'
	check "$tag: pool destroy" "$CLI" -n "$H" pool destroy dev ulh >/dev/null
	snapshot "$CAP/after"
	check "$tag: after destroy: links, tc filters and pins as before create" \
		diff "$CAP/before/state" "$CAP/after/state"
	# Lines added and removed (busybox diff prints unified diffs only).
	qd=$(grep -vxF -f "$CAP/before/qdisc" "$CAP/after/qdisc" | sed 's/^/added: /'
		grep -vxF -f "$CAP/after/qdisc" "$CAP/before/qdisc" | sed 's/^/removed: /')
	if [ -z "$qd" ]; then
		ok "$tag: after destroy: qdiscs on ulh as before create"
	else
		fail "$tag: after destroy: qdiscs on ulh as before create ($qd)"
	fi
	check "$tag: show is []" test "$(lbj "$H" show)" = "[]"
}
