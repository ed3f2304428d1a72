#!/bin/bash
# Tenant isolation of a Geneve warm pool on the VM's kernel, in mode auto
# (tcx from 6.6 on, else cls_bpf): the routes of tests/e2e/isolation.sh that apply to Geneve, once
# over an IPv4 underlay and once over IPv6 (one lab each). Forged packets
# come from lb-craft (tests/tools/lb-craft.c; run.sh puts it in /payload).
#
#   netns G ("guest")     netns H ("host": the pool)                      netns V ("fabric")
#   gh .52.2 === veth === hg .52.1  forwarding
#                         lb0 .. lb7  pool, dummy VNIs, lb_egress/lb_ingress on ulh (tcx or cls_bpf)
#                         brv1 - lb1  bound to 201: victim, its tenant side a bridge
#                         brv5 - lb5  unbound: victim, its tenant side a bridge
#                         ctl ctllo ctlh  stock Geneve, VNI 4000, port 6082, remotes V,
#                                     loopback and H's own ulh address: the controls
#                         ulh .50.1 =========== veth =========== ulv .50.2
#                                                                 g201: stock peer, REAL VNI 201,
#                                                                 made here, moved to netns T201
#                         ul2 .51.1 =========== veth =========== netns F2: uf2 .51.2
#   (IPv4: 10.5x.0.y/24; IPv6: fd00:5x::y/64)
#   tcpdump on ulv (the wire), lb1/lb5 (the tunnels), brv1/brv5 (above them),
#   uf2 (the second NIC's far side, R1)
#
# Every attack runs next to its control: the same crafted packet from the
# same sender reaches a stock Geneve device. Ingress: VNI 4000 to port 6082,
# where nothing of latebind's acts, and a Geneve device only takes a packet
# whose outer source is its remote, so each route's control device has the
# sender's source as its remote (ctl: V's address; ctllo: loopback; ctlh:
# H's ulh address). Egress: the real VNI 201 reaches the wire (and the peer,
# when the source is H's). A control that does not arrive means the kernel
# drops that shape itself: the attack is skipped, never passed.
#
# Victims: an ingress attack fails if lb1 or lb5 counts or shows any of it,
# or anything reaches the bridge above them. Geneve counts rx and the taps see
# the frame before tc ingress on the tunnel device runs, so a drop by the
# tunnel guard alone shows on the tunnel but not above it.
#
# Geneve's own receive path matches the outer source against the device's
# remote: an unprivileged local sender (I1, I2) cannot send from V's address
# at all, so its forged datagrams miss the victims whatever latebind does.
# I1s/I2s send the same through loopback with V's address as the source,
# from a sender with CAP_NET_RAW (root here); I6 does it on the second NIC.
#
#  E1 E3       forged tunnel packets leaving: nothing forged on the wire
#  I1 I2 I1s I2s I3 I4 I6 I8   dummy VNIs arriving: no tenant gets them
#  R1          a more specific route to the remote via ul2: the bound
#              tunnel's dummy VNI never leaves there (Geneve has no link)
#  traffic     ping and TCP both ways through lb1, before and after
# VM_ISOLATION_FAMILIES="4" (or "6") runs one lab; VM_ISOLATION_BULK (4M)
# the TCP bytes each way.
# shellcheck disable=SC2034 # read by results.sh
SUITE=vm_isolation_geneve
# shellcheck source=SCRIPTDIR/../lib-vm.sh
. "$(dirname "$0")/../lib-vm.sh"
# shellcheck source=SCRIPTDIR/../pool-lib.sh
. "$(dirname "$0")/../pool-lib.sh"
skip_without_cookie

SETPRIV=/usr/bin/setpriv
NOBODY=("$SETPRIV" --reuid=65534 --regid=65534 --clear-groups)
POOL_BULK=${VM_ISOLATION_BULK:-4M}
PORT=6081
CTL_PORT=6082
CTL_VNI=4000
CAP=/tmp/iso-cap # pool-lib's iperf writes here too
mkdir -p "$CAP"
chmod 755 "$CAP"
CRAFT=$CAP/lb-craft
if ! cp "$(dirname "$0")/../lb-craft" "$CRAFT" 2>/dev/null || ! chmod 755 "$CRAFT"; then
	fail "no /payload/lb-craft (run.sh copies build/tests/lb-craft)"
	summary
	exit 1
fi
if [ ! -x "$SETPRIV" ]; then
	fail "no $SETPRIV in the VM (build-initramfs.sh HOST_BINS)"
	summary
	exit 1
fi

CAPS=()
stop_captures() {
	local p
	for p in "${CAPS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${CAPS[@]}"; do wait "$p" 2>/dev/null; done
	CAPS=()
}
trap 'stop_captures; lab_done; cleanup_netns' EXIT

# cap NAME IFACE NETNS [FILTER]: a capture for the lab; caps_ready NAME...
# waits until each one listens.
cap() {
	"$NSENTER" --net="/run/netns/$3" "$TCPDUMP" -Z root -i "$2" -nn -s 160 --immediate-mode -U \
		-w "$CAP/$L-$1.pcap" ${4:+"$4"} >/dev/null 2>"$CAP/$L-$1.err" 3>&- &
	CAPS+=($!)
}
caps_ready() {
	local n
	for n in "$@"; do
		wait_for "$CAP/$L-$n.err" 'listening on' 50 || echo "tcpdump on $n did not start: $(cat "$CAP/$L-$n.err")"
	done
}
# capn NAME MAC...: frames in a capture whose (inner) source MAC is one of MAC.
capn() {
	local re
	re=$(printf '%s > |' "${@:2}")
	"$TCPDUMP" -Z root -nn -e -r "$CAP/$L-$1.pcap" 2>/dev/null | grep -cE "${re%|}"
}
# capinfo NAME MAC: "VNI/outer-source" of each tunnel packet carrying MAC.
# (A pipe, not < <(...): the VM has no /dev/fd.)
capinfo() {
	"$TCPDUMP" -Z root -nn -e -r "$CAP/$L-$1.pcap" 2>/dev/null | grep -F ": $2 > " |
		sed -nE 's/^[^,]*, ethertype [^,]*, length [0-9]+: ([0-9a-f:.]+)\.[0-9]+ > [^ ]+ Geneve.* vni (0x[0-9a-f]+).*/\2 \1/p' |
		while read -r v s; do printf '%s/%s\n' "$((v))" "$s"; done | tr '\n' ' ' | sed 's/ $//'
}

# rx_all: rx packets of ctl ctllo ctlh brv1 brv5 lb1 lb5 in H, one line
# (one `ip`, no jq: jq takes 0.3 s to start here).
RX_DEVS="ctl ctllo ctlh brv1 brv5 lb1 lb5"
rx_all() {
	"$IP" -n "$H" -j -s link show | grep -oE '"ifname":"[^"]+"|"rx":\{"bytes":[0-9]+,"packets":[0-9]+' |
		awk -v devs="$RX_DEVS" '
			/ifname/ { split($0, a, "\""); n = a[4]; next }
			{ split($0, a, ":"); rx[n] = a[4] }
			END { k = split(devs, d, " "); for (i = 1; i <= k; i++) printf "%d%s", rx[d[i]], i < k ? " " : "\n" }'
}
# dev_tx NETNS DEV: frames DEV took to send: sent, errors and dropped (a
# tunnel counts a packet that the stack refused after encapsulation, e.g.
# netfilter, as dropped).
dev_tx() {
	"$IP" -n "$1" -j -s link show "$2" | grep -oE '"tx":\{"bytes":[0-9]+,"packets":[0-9]+,"errors":[0-9]+,"dropped":[0-9]+' |
		grep -oE '[0-9]+' | awk 'NR > 1 { n += $1 } END { print n + 0 }'
}
# nft_out: packets the pool's postrouting guard dropped (0 if it is not there).
nft_out() {
	local n
	n=$(in_ns "$H" nft list table inet latebind 2>/dev/null | grep 'another interface' | grep -oE 'packets [0-9]+' | grep -oE '[0-9]+$')
	echo "${n:-0}"
}

# A marker MAC per packet stream: 02:1b:<family>:00:<n>.
MACN=0
newmac() {
	MACN=$((MACN + 1))
	printf -v "$1" '02:1b:%02x:00:%02x:%02x' "$FAM" $((MACN >> 8)) $((MACN & 255))
}

# craft root|nobody NETNS ARGS...: lb-craft in NETNS, as root or as nobody.
craft() {
	local who=$1 ns=$2
	shift 2
	if [ "$who" = nobody ]; then
		"$NSENTER" --net="/run/netns/$ns" "${NOBODY[@]}" "$CRAFT" "$@"
	else
		"$NSENTER" --net="/run/netns/$ns" "$CRAFT" "$@"
	fi
}
# to_port PORT udp ADDR ARGS... | frame ARGS...: lb-craft arguments towards PORT.
to_port() {
	local port=$1
	shift
	if [ "$1" = udp ]; then
		echo udp "$2" "$port" "${@:3}"
	else
		echo "$@" dport "$port"
	fi
}

# ingress ID DESC CTL WHO NETNS udp ADDR | frame IFACE DSTMAC SRC DST [ARGS...]:
# 3 packets to port 6082 with VNI 4000 (control: the stock device CTL, whose
# remote is the packets' source, receives them), then 3 to 6081 with lb5's
# dummy and 3 with lb1's: neither tunnel, nor its bridge, sees any of them.
ingress() {
	local id=$1 desc=$2 ctl=$3 who=$4 ns=$5 mc mu mb r0 r1 i c=0 d=() n refused="" t
	shift 5
	newmac mc
	newmac mu
	newmac mb
	read -ra r0 <<<"$(rx_all)"
	# shellcheck disable=SC2046 # to_port's words are lb-craft's arguments
	if ! craft "$who" "$ns" $(to_port "$CTL_PORT" "$@") geneve "$CTL_VNI" inner-src "$mc" count 3; then
		fail "$L $id $desc: lb-craft failed on the control"
		return
	fi
	# A sender refused by the host (EPERM) is an attack stopped at its source.
	# shellcheck disable=SC2046
	craft "$who" "$ns" $(to_port "$PORT" "$@") geneve "$DU" inner-src "$mu" count 3 2>"$CAP/err" ||
		refused=" (sender refused: $(tr -d '\n' <"$CAP/err"))"
	# shellcheck disable=SC2046
	craft "$who" "$ns" $(to_port "$PORT" "$@") geneve "$DB" inner-src "$mb" count 3 2>"$CAP/err" ||
		refused=${refused:- (sender refused: $(tr -d '\n' <"$CAP/err"))}
	sleep 0.3
	read -ra r1 <<<"$(rx_all)"
	i=0
	for t in $RX_DEVS; do
		d[i]=$((r1[i] - r0[i]))
		[ "$t" = "$ctl" ] && c=${d[i]}
		i=$((i + 1))
	done
	if [ "$c" -lt 3 ]; then
		skip "$L $id $desc: cannot be crafted: this shape does not reach the stock Geneve device $ctl either ($ctl rx +$c of 3)"
		return
	fi
	ok "$L $id control: that packet with VNI $CTL_VNI reaches the stock device $ctl (rx +$c)"
	# d: ctl ctllo ctlh brv1 brv5 lb1 lb5
	local cl1 cl5 cb1 cb5
	cl1=$(capn lb1 "$mu" "$mb") cl5=$(capn lb5 "$mu" "$mb")
	cb1=$(capn brv1 "$mu" "$mb") cb5=$(capn brv5 "$mu" "$mb")
	n=$((d[3] + d[4] + d[5] + d[6] + cl1 + cl5 + cb1 + cb5))
	check "$L $id $desc$refused: no dummy VNI gets through: lb5 (unbound, $DU) rx +${d[6]}, lb1 (bound, $DB) rx +${d[5]}, captured on lb5 $cl5, lb1 $cl1; bridges rx brv5 +${d[4]} brv1 +${d[3]}, captured brv5 $cb5, brv1 $cb1" \
		test "$n" -eq 0
}

# egress ID DESC VNI WHO NETNS WIRE PEER ARGS...: 3 packets with the real VNI
# 201 (control: in capture WIRE, and at the peer if PEER is "peer"), then 3
# with VNI; none of those may reach the wire (ulv, and uf2), with any VNI.
egress() {
	local id=$1 desc=$2 vni=$3 who=$4 ns=$5 wire=$6 peer=$7 mr ma p0 p1 p2 f0 f1 ctl info info2 refused=""
	shift 7
	newmac mr
	newmac ma
	p0=$(dev_rx "$T201" g201)
	craft "$who" "$ns" "$@" geneve 201 inner-src "$mr" count 3 || { fail "$L $id: lb-craft failed on the control"; return; }
	sleep 0.3
	p1=$(dev_rx "$T201" g201)
	f0=$(drops forged)
	craft "$who" "$ns" "$@" geneve "$vni" inner-src "$ma" count 3 2>"$CAP/err" ||
		refused=" (sender refused: $(tr -d '\n' <"$CAP/err"))"
	sleep 0.3
	p2=$(dev_rx "$T201" g201)
	f1=$(drops forged)
	ctl=$(capinfo "$wire" "$mr")
	info=$(capinfo ulv "$ma")
	info2=""
	[ -f "$CAP/$L-uf2.pcap" ] && info2=$(capinfo uf2 "$ma")
	if [ "$(wc -w <<<"$ctl")" -lt 3 ] || { [ "$peer" = peer ] && [ $((p1 - p0)) -lt 3 ]; }; then
		skip "$L $id $desc: cannot be crafted: with the real VNI 201 it does not reach the wire ($wire: ${ctl:-nothing}) or the peer (rx +$((p1 - p0)))"
		return
	fi
	ok "$L $id control: with the real VNI 201 it reaches the wire ($wire, VNI/source: $ctl), peer g201 rx +$((p1 - p0))$([ "$peer" = peer ] || echo " (not asserted: its source is not the peer's remote)")"
	check "$L $id $desc$refused: nothing forged on the wire (ulv: ${info:-none}; uf2: ${info2:-none}), peer g201 rx +$((p2 - p1)), forged drops +$((f1 - f0))" \
		test -z "$info$info2" -a "$p2" -eq "$p1"
}

# traffic PHASE: ping, and TCP both ways, through lb1; its counters rise.
traffic() {
	local phase=$1 t0 r0 t1 r1 rate
	t0=$(lbj "$H" stats lb1 | jnum tx_packets) r0=$(lbj "$H" stats lb1 | jnum rx_packets)
	check "$L traffic $phase: ping through lb1" in_ns "$H" "$PING" -q -c 3 -i 0.2 -w 10 192.168.201.2 >/dev/null
	rate=$(iperf "$T201" 192.168.201.2)
	check "$L traffic $phase: TCP out through lb1 ($rate)" test $? -eq 0
	rate=$(iperf "$T201" 192.168.201.2 -R)
	check "$L traffic $phase: TCP back in through lb1 ($rate)" test $? -eq 0
	t1=$(lbj "$H" stats lb1 | jnum tx_packets) r1=$(lbj "$H" stats lb1 | jnum rx_packets)
	check "$L traffic $phase: latebind stats of lb1 rose: tx $t0 -> $t1, rx $r0 -> $r1" \
		test "$t1" -gt $((t0 + 5)) -a "$r1" -gt $((r0 + 5))
}

# vni_range_filter: a BPF filter for Geneve to port 6081 with a VNI in the
# pool's dummy range (libpcap's udp[] is IPv4 only: IPv6 reads ip6[52:4]).
vni_range_filter() {
	local v
	if [ "$FAM" = 4 ]; then v="(udp[12:4] >> 8)"; else v="(ip6[52:4] >> 8)"; fi
	echo "udp dst port $PORT and $v >= $DMIN and $v <= $DMAX"
}

lab() {
	local v pmac hmac
	LABNS=()
	if [ "$FAM" = 4 ]; then
		UH=10.50.0.1 UV=10.50.0.2 U2H=10.51.0.1 U2F=10.51.0.2 GH=10.52.0.1 GG=10.52.0.2
		LO=127.0.0.1 S=24 HOSTP=32 DAD=
	else
		UH=fd00:50::1 UV=fd00:50::2 U2H=fd00:51::1 U2F=fd00:51::2 GH=fd00:52::1 GG=fd00:52::2
		LO=::1 S=64 HOSTP=128 DAD=nodad
	fi
	lab_netns H "ih$FAM" && lab_netns V "iv$FAM" && lab_netns F2 "if$FAM" && lab_netns G "ig$FAM" || return 1
	"$IP" link add ulh netns "$H" type veth peer name ulv netns "$V" &&
		"$IP" link add ul2 netns "$H" type veth peer name uf2 netns "$F2" &&
		"$IP" link add hg netns "$H" type veth peer name gh netns "$G" || return 1
	# shellcheck disable=SC2086
	"$IP" -n "$H" addr add "$UH/$S" dev ulh $DAD &&
		"$IP" -n "$V" addr add "$UV/$S" dev ulv $DAD &&
		"$IP" -n "$H" addr add "$U2H/$S" dev ul2 $DAD &&
		"$IP" -n "$F2" addr add "$U2F/$S" dev uf2 $DAD &&
		"$IP" -n "$H" addr add "$GH/$S" dev hg $DAD &&
		"$IP" -n "$G" addr add "$GG/$S" dev gh $DAD || return 1
	for v in "$H ulh" "$H ul2" "$H hg" "$V ulv" "$F2 uf2" "$G gh"; do
		# shellcheck disable=SC2086
		"$IP" -n ${v% *} link set ${v#* } up || return 1
	done
	"$IP" -n "$G" route add default via "$GH" || return 1
	# A forwarding host; no reverse-path filter (a spoofed source on ul2
	# arrives); route_localnet on lo, as kube-proxy sets it: without it a
	# frame to 127.0.0.1 injected on lo is a martian and dropped (I1s).
	in_ns "$H" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		net.ipv4.conf.ul2.rp_filter=0 net.ipv4.conf.lo.route_localnet=1 || return 1
	HMAC=$(dev_mac "$H" ulh) UL2MAC=$(dev_mac "$H" ul2)

	"$CLI" -n "$H" pool create dev ulh type geneve remote "$UV" count 8 >/dev/null || return 1
	v=$(lbj "$H" show)
	DMIN=$(jnum dummy_min <<<"$v") DMAX=$(jnum dummy_max <<<"$v")
	DB=$(lbj "$H" show lb1 | jnum dummy_vni) DU=$(lbj "$H" show lb5 | jnum dummy_vni)
	for v in 1 5; do
		"$IP" -n "$H" link add "brv$v" address "02:00:00:00:0b:0$v" type bridge &&
			in_ns "$H" sysctl -qw "net.ipv6.conf.brv$v.disable_ipv6=1" &&
			"$IP" -n "$H" link set "lb$v" master "brv$v" &&
			"$IP" -n "$H" link set "brv$v" up || return 1
	done
	for v in "ctl $UV" "ctllo $LO" "ctlh $UH"; do
		"$IP" -n "$H" link add "${v% *}" type geneve id "$CTL_VNI" remote "${v#* }" dstport "$CTL_PORT" &&
			in_ns "$H" sysctl -qw "net.ipv6.conf.${v% *}.disable_ipv6=1" &&
			"$IP" -n "$H" link set "${v% *}" up || return 1
	done
	"$IP" -n "$H" addr add 192.168.40.1/24 dev ctl &&
		"$IP" -n "$H" addr add 192.168.201.1/24 dev brv1 || return 1

	# The peer: stock Geneve, the REAL VNI 201, made in V (its socket is V's).
	pmac=02:00:00:00:c9:02
	lab_netns T201 "it$FAM" || return 1
	in_ns "$T201" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	"$IP" -n "$V" link add g201 address "$pmac" type geneve id 201 remote "$UH" &&
		"$IP" -n "$V" link set g201 netns "$T201" &&
		"$IP" -n "$T201" addr add 192.168.201.2/24 dev g201 &&
		"$IP" -n "$T201" link set g201 up || return 1
	hmac=$(dev_mac "$H" brv1)
	"$IP" -n "$T201" neigh replace 192.168.201.1 lladdr "$hmac" dev g201 nud permanent &&
		"$IP" -n "$H" neigh replace 192.168.201.2 lladdr "$pmac" dev brv1 nud permanent &&
		"$CLI" -n "$H" bind lb1 vni 201 >/dev/null
}

suite() {
	local L=v$FAM n0 n1 t0 t1 c6082 nd n6081 vnis out0 out1
	lab || { fail "$L: lab setup"; lab_done; return; }
	check "$L pool (dummy range $DMIN-$DMAX): lb1 bound to 201 (dummy $DB), lb5 unbound (dummy $DU), attach $ATTACH_AUTO" \
		test "$(lbj "$H" show lb1 | jnum vni)/$(lbj "$H" show lb5 | jnum vni)/$(lbj "$H" show | grep -o '"attach":"[a-z_]*"')" = "201/null/\"attach\":\"$ATTACH_AUTO\""
	traffic before

	cap ulv ulv "$V" "udp port $PORT"
	cap lb1 lb1 "$H"
	cap lb5 lb5 "$H"
	cap brv1 brv1 "$H"
	cap brv5 brv5 "$H"
	caps_ready ulv lb1 lb5 brv1 brv5

	# ---- egress: forged tunnel packets leaving the host -------------------
	egress E1 "unprivileged local process, lb1's dummy VNI to $UV:$PORT" "$DB" nobody "$H" ulv peer udp "$UV" "$PORT"
	egress E3 "guest G, forwarded by H, lb1's dummy VNI to $UV:$PORT" "$DB" root "$G" ulv wire udp "$UV" "$PORT"

	# ---- ingress: dummy VNIs arriving by every route ----------------------
	# No pool tunnel has these sources as its remote: Geneve alone refuses
	# them, with or without latebind (a pool without its guards passes these
	# two as well). I1s and I2s are the same routes with V's source.
	ingress I1 "unprivileged local process -> $LO:$PORT (source $LO: not the pool's remote)" ctllo nobody "$H" udp "$LO"
	ingress I2 "unprivileged local process -> $UH:$PORT, H's underlay address (source $UH: not the pool's remote)" ctlh nobody "$H" udp "$UH"
	ingress I1s "raw frame on lo (CAP_NET_RAW), source V's $UV -> $LO:$PORT" ctl root "$H" frame lo 00:00:00:00:00:00 "$UV" "$LO"
	ingress I2s "raw frame on lo (CAP_NET_RAW), source V's $UV -> $UH:$PORT" ctl root "$H" frame lo 00:00:00:00:00:00 "$UV" "$UH"
	FR=(frame ulv "$HMAC" "$UV" "$UH")
	if [ "$FAM" = 4 ]; then
		ingress I3a "fabric, IPv4 fragments, tunnel header in fragment 2" ctl root "$V" "${FR[@]}" frag 8
		ingress I3b "fabric, IPv4 fragments, tunnel header in fragment 2, sent last first" ctl root "$V" "${FR[@]}" frag 8 reverse
	else
		ingress I4a "fabric, IPv6 hop-by-hop options" ctl root "$V" "${FR[@]}" hbh
		ingress I4b "fabric, IPv6 destination options" ctl root "$V" "${FR[@]}" dstopt
		ingress I4c "fabric, IPv6 fragments, tunnel header in fragment 2" ctl root "$V" "${FR[@]}" frag 8
		ingress I4d "fabric, IPv6 hop-by-hop + destination options + fragments" ctl root "$V" "${FR[@]}" hbh dstopt frag 8
	fi
	ingress I6 "second NIC: F2 -> ul2's $U2H:$PORT, source V's $UV" ctl root "$F2" frame uf2 "$UL2MAC" "$UV" "$U2H"
	ingress I8 "the bound remote $UV, straight on the underlay" ctl root "$V" udp "$UH"

	# ---- R1: a more specific route to the remote through ul2 ---------------
	cap uf2 uf2 "$F2" udp
	caps_ready uf2
	if ! "$IP" -n "$H" route add "$UV/$HOSTP" via "$U2F" dev ul2; then
		fail "$L R1: ip route add $UV/$HOSTP via $U2F dev ul2"
	else
		out0=$(nft_out)
		n0=$(dev_tx "$H" lb1)
		# Control: a stock Geneve device's packets follow that route onto ul2.
		in_ns "$H" "$PING" -q -c 2 -i 0.2 -w 1 192.168.40.2 >/dev/null 2>&1
		check_fails "$L R1 ping through the bound lb1 fails while the route sends its packets to ul2" \
			in_ns "$H" "$PING" -q -c 3 -i 0.2 -w 2 192.168.201.2 >/dev/null 2>&1
		n1=$(dev_tx "$H" lb1)
		egress E1r "unprivileged local process, lb1's dummy VNI to $UV:$PORT, routed via ul2" "$DB" nobody "$H" uf2 wire udp "$UV" "$PORT"
		sleep 0.3
		out1=$(nft_out)
		c6082=$(cap_count "$CAP/$L-uf2.pcap" "udp dst port $CTL_PORT")
		nd=$(cap_count "$CAP/$L-uf2.pcap" "$(vni_range_filter)")
		n6081=$(cap_count "$CAP/$L-uf2.pcap" "udp dst port $PORT")
		vnis=$(cap_vnis "$CAP/$L-uf2.pcap")
		if [ "$c6082" -lt 1 ] || [ $((n1 - n0)) -lt 3 ]; then
			skip "$L R1: the route does not take a stock Geneve device's packets to ul2 (uf2 saw $c6082 from ctl), or lb1 sent nothing (tx +$((n1 - n0)))"
		else
			ok "$L R1 control: the stock ctl's packets leave on ul2 under that route (uf2 saw $c6082)"
			check "$L R1 lb1 sent $((n1 - n0)) frames into the tunnel: none left on ul2 with a dummy VNI ($DMIN-$DMAX) (uf2: $nd in range; port $PORT: $n6081 packets, VNIs: ${vnis:-none}; postrouting guard drops +$((out1 - out0)))" \
				test "$nd" -eq 0
		fi
		"$IP" -n "$H" route del "$UV/$HOSTP" via "$U2F" dev ul2
	fi
	stop_captures
	traffic after
	lab_done
}

for FAM in ${VM_ISOLATION_FAMILIES:-4 6}; do
	suite
done
summary
