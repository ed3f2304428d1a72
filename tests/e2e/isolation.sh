#!/bin/bash
# Tenant isolation: attacks on a warm pool, on the host kernel (VXLAN), once
# over an IPv4 underlay and once over IPv6 (one lab each). Forged packets come
# from tests/tools/lb-craft (build/tests/lb-craft).
#
#   netns G ("guest")        netns H ("host": the pool)                        netns V ("fabric/vpc")
#   gh .40.2 ===== veth ===== hg .40.1   forwarding; masquerade out ulh (E4)
#                            lb0 ... lb7  pool A, dummy VNIs, lb_egress/lb_ingress on ulh
#                            brv1 - lb1   bound to 201: victim, its tenant side a bridge
#                            brv5 - lb5   unbound: victim, its tenant side a bridge
#                            ctl          stock VXLAN, VNI 4000, port 4790: the control victim
#                            ulh .20.1 ========== veth ==========   ulv .20.2 (+ .20.3: L1's spoofer)
#                                                                     vx200 vx201: stock peers, REAL VNIs,
#                            m0 .. m3     pool B (I7), other dummies     moved to netns T200, T201
#                            ul2 .21.1 ========== veth ========== netns F2: uf2 .21.2
#   (IPv4: 10.x.0.y/24; IPv6: fd00:x::y/64)
#   tcpdump on ulv (the wire), lb1/lb5 (the tunnels), brv1/brv5 (what is above them)
#
# Every attack runs next to its control: the same crafted packet from the same
# sender must arrive at a stock device. Ingress: with ctl's VNI, to ctl's port
# 4790 (out of reach of anything latebind does to port 4789), so the control
# proves the kernel delivers that shape. Egress: with the real VNI 201, on the
# wire and at the peer. If the control does not arrive the kernel itself drops
# that shape and the attack is skipped, never passed.
#
# Victims: an ingress attack fails if the tunnel device counts or shows any of
# it, or if anything comes out of it into the stack above (a bridge here).
# Both matter: the VXLAN driver counts rx, and packet taps see the frame,
# before tc ingress on the tunnel device runs (measured on 6.18 with a
# drop-all cls_bpf on a stock VXLAN device: its rx +3, tcpdump on it 3, its
# bridge 0), so a drop there shows at the tunnel but not above it.
#
#  E1-E4  forged tunnel packets leaving the host: nothing forged on the wire
#  I1-I8  forged dummy-VNI packets arriving by every route: no tenant gets them
#  L1     no learning from forged frames     C1  "vni 0100" is refused
#  D1     no detach under a pool             traffic before, midway and after
# ISOLATION_FAMILIES="4" (or "6") runs one lab; LB_CRAFT=path picks lb-craft.
SUITE=isolation
. "$(dirname "$0")/lib.sh"

TCPDUMP=$(command -v tcpdump)
CAP=$(mktemp -d)
chmod 755 "$CAP"
CAPS=()
stop_captures() {
	local p
	for p in "${CAPS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${CAPS[@]}"; do wait "$p" 2>/dev/null; done
	CAPS=()
}
trap 'stop_captures; cleanup_netns; rm -rf "$CAP"' EXIT

# lb-craft, copied where the unprivileged user can run it.
CRAFT_SRC=${LB_CRAFT:-$(dirname "$CLI")/tests/lb-craft}
[ -x "$CRAFT_SRC" ] || CRAFT_SRC=build/tests/lb-craft
if [ -x "$CRAFT_SRC" ]; then
	cp "$CRAFT_SRC" "$CAP/lb-craft"
else
	"${CC:-cc}" -O2 -static -Wall -Wextra -o "$CAP/lb-craft" "$(dirname "$0")/../tools/lb-craft.c"
fi
CRAFT=$CAP/lb-craft
chmod 755 "$CRAFT"

CTL_VNI=4000
CTL_PORT=4790 # ctl listens there, away from any pool guard on 4789
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)

lbj() { "$CLI" -n "$H" -j "$@"; }
tun_stat() { lbj stats "$1" | jq ".$2"; }
dev_rx() { ip -n "$1" -j -s link show "$2" | jq '.[0].stats64.rx.packets'; }
# rx packets of ctl, brv1, brv5, lb1, lb5 in H, one line.
rx_all() {
	ip -n "$H" -j -s link show | jq -r 'map({(.ifname): .stats64.rx.packets}) | add |
		[.ctl, .brv1, .brv5, .lb1, .lb5] | @tsv'
}

# start_capture NAME IFACE NETNS [FILTER]: a capture for the whole lab.
start_capture() {
	nsenter --net="/run/netns/$3" "$TCPDUMP" -Z root -i "$2" -nn -s 128 --immediate-mode -U \
		-w "$CAP/$L-$1.pcap" ${4:+"$4"} >/dev/null 2>"$CAP/$L-$1.err" 3>&- &
	CAPS+=($!)
}
# captures_ready NAME...: wait (up to 5 s) until each capture is listening.
captures_ready() {
	local n i
	for n in "$@"; do
		for i in $(seq 1 50); do
			grep -q "listening on" "$CAP/$L-$n.err" 2>/dev/null && break
			sleep 0.1
		done
	done
}
# capn NAME MAC: frames in a capture whose (inner) source MAC is MAC.
capn() { "$TCPDUMP" -Z root -nn -e -r "$CAP/$L-$1.pcap" 2>/dev/null | grep -cF "$2 > "; }
# capinfo NAME MAC: "VNI/outer-source" of each tunnel packet carrying MAC.
capinfo() {
	"$TCPDUMP" -Z root -nn -e -r "$CAP/$L-$1.pcap" 2>/dev/null | awk -v m="$2 > " '
		/vni [0-9]+/ { for (i = 1; i < NF; i++) if ($i == "length") s = $(i + 2)
			sub(/\.[0-9]+$/, "", s); match($0, /vni [0-9]+/); v = substr($0, RSTART + 4, RLENGTH - 4) }
		index($0, m) == 1 { printf "%s%s/%s", n++ ? " " : "", v, s }'
}

# fdb_of DEV MAC: DEV's fdb entries for MAC, on one line.
fdb_of() { bridge -n "$H" fdb show dev "$1" | grep -i "^$2 " | tr '\n' ';'; }
refused_lz() { [ "$1" -ne 0 ] && grep -qi leading <<<"$2"; }

# A marker MAC per packet stream: 02:1b:<lab>:00:<n>.
MACN=0
newmac() {
	MACN=$((MACN + 1))
	printf -v "$1" '02:1b:%02x:00:%02x:%02x' "$FAMILY" $((MACN >> 8)) $((MACN & 255))
}

# craft root|nobody NETNS ARGS...: lb-craft in NETNS, as root or as nobody.
craft() {
	local who=$1 ns=$2
	shift 2
	if [ "$who" = nobody ]; then
		in_ns "$ns" "${NOBODY[@]}" "$CRAFT" "$@"
	else
		in_ns "$ns" "$CRAFT" "$@"
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

# ingress ID DESC WHO NETNS udp ADDR | frame IFACE DSTMAC SRC DST [ARGS...]:
# 3 packets to port 4790 with ctl's VNI (control: the kernel delivers this
# shape to a stock VXLAN device), then 3 to 4789 with lb5's dummy and 3 with
# lb1's: neither tunnel, nor what is above it (its bridge), sees any of them.
ingress() {
	local id=$1 desc=$2 who=$3 ns=$4 mc mu mb c0 b10 b50 l10 l50 c1 b11 b51 l11 l51 nu nb
	local du db refused=""
	shift 4
	newmac mc
	newmac mu
	newmac mb
	read -r c0 b10 b50 l10 l50 <<<"$(rx_all)"
	# shellcheck disable=SC2046 # to_port's words are lb-craft's arguments
	if ! craft "$who" "$ns" $(to_port "$CTL_PORT" "$@") vxlan "$CTL_VNI" inner-src "$mc" count 3; then
		fail "$L $id $desc: lb-craft failed on the control"
		return
	fi
	# A sender refused by the host (EPERM) is an attack stopped at its source.
	# shellcheck disable=SC2046
	craft "$who" "$ns" $(to_port 4789 "$@") vxlan "$DU" inner-src "$mu" count 3 2>"$CAP/err" ||
		refused=" (sender refused: $(tr -d '\n' <"$CAP/err"))"
	# shellcheck disable=SC2046
	craft "$who" "$ns" $(to_port 4789 "$@") vxlan "$DB" inner-src "$mb" count 3 2>"$CAP/err" ||
		refused=${refused:- (sender refused: $(tr -d '\n' <"$CAP/err"))}
	sleep 0.3
	read -r c1 b11 b51 l11 l51 <<<"$(rx_all)"
	if [ $((c1 - c0)) -lt 3 ]; then
		skip "$L $id $desc: cannot be crafted: this shape does not reach a stock VXLAN device either (ctl rx +$((c1 - c0)) of 3)"
		return
	fi
	ok "$L $id control: that packet with VNI $CTL_VNI reaches the stock device ctl (rx +$((c1 - c0)))"
	nu=$(capn brv5 "$mu") nb=$(capn brv1 "$mb") du=$(capn lb5 "$mu") db=$(capn lb1 "$mb")
	check "$L $id $desc$refused: no dummy VNI gets through: lb5 (unbound, $DU) rx +$((l51 - l50)), $du captured, its bridge rx +$((b51 - b50)), $nu captured; lb1 (bound, $DB) rx +$((l11 - l10)), $db captured, its bridge rx +$((b11 - b10)), $nb captured" \
		test $((l51 - l50 + l11 - l10 + du + db + b51 - b50 + b11 - b10 + nu + nb)) -eq 0
}

# egress ID DESC VNI WHO NETNS LB-CRAFT-ARGS...: 3 packets with the real VNI
# 201 (control: on the wire, the peer gets them), then 3 with dummy VNI; none
# of those may reach the wire, with any VNI.
egress() {
	local id=$1 desc=$2 vni=$3 who=$4 ns=$5 mr ma p0 p1 p2 ctl info refused=""
	shift 5
	newmac mr
	newmac ma
	p0=$(dev_rx "$T201" vx201)
	craft "$who" "$ns" "$@" vxlan 201 inner-src "$mr" count 3 || { fail "$L $id: lb-craft failed on the control"; return; }
	sleep 0.3
	p1=$(dev_rx "$T201" vx201)
	craft "$who" "$ns" "$@" vxlan "$vni" inner-src "$ma" count 3 2>"$CAP/err" ||
		refused=" (sender refused: $(tr -d '\n' <"$CAP/err"))"
	sleep 0.3
	p2=$(dev_rx "$T201" vx201)
	ctl=$(capinfo ulv "$mr")
	info=$(capinfo ulv "$ma")
	if [ "$(wc -w <<<"$ctl")" -lt 3 ] || [ $((p1 - p0)) -lt 3 ]; then
		skip "$L $id $desc: cannot be crafted: with the real VNI 201 it does not reach the wire and the peer either (wire: ${ctl:-nothing}; peer rx +$((p1 - p0)))"
		return
	fi
	if [ -n "${EGRESS_SRC:-}" ] && [ "$(tr ' ' '\n' <<<"$ctl" | cut -d/ -f2 | sort -u)" != "$EGRESS_SRC" ]; then
		skip "$L $id $desc: the control did not leave from $EGRESS_SRC (wire: $ctl): no NAT"
		return
	fi
	ok "$L $id control: with the real VNI 201 it reaches the wire (VNI/source: $ctl) and the peer (rx +$((p1 - p0)))"
	check "$L $id $desc$refused: nothing forged on the wire (VNI/source: ${info:-none}), peer vx201 rx +$((p2 - p1))" \
		test -z "$info" -a "$p2" -eq "$p1"
}

# traffic PHASE: ping, and TCP both ways, through lb0 and lb1; their counters rise.
traffic() {
	local phase=$1 t0 r0 t1 r1 u0 s0 u1 s1 i
	t0=$(tun_stat lb0 tx_packets) r0=$(tun_stat lb0 rx_packets)
	u0=$(tun_stat lb1 tx_packets) s0=$(tun_stat lb1 rx_packets)
	check "$L traffic $phase: ping through lb0 and lb1" \
		in_ns "$H" sh -c "ping -q -c 3 -i 0.2 -w 5 192.168.200.2 && ping -q -c 3 -i 0.2 -w 5 192.168.201.2" >/dev/null
	for i in 0 1; do
		in_ns "${TP[$i]}" timeout 20 iperf3 -s -1 -B "192.168.20$i.2" >/dev/null 2>&1 3>&- &
		sleep 0.4
		check "$L traffic $phase: 2 MB of TCP each way through lb$i" \
			in_ns "$H" timeout 15 iperf3 -c "192.168.20$i.2" -n 2M --bidir >/dev/null
		wait $!
	done
	t1=$(tun_stat lb0 tx_packets) r1=$(tun_stat lb0 rx_packets)
	u1=$(tun_stat lb1 tx_packets) s1=$(tun_stat lb1 rx_packets)
	check "$L traffic $phase: latebind stats rose: lb0 tx $t0->$t1 rx $r0->$r1, lb1 tx $u0->$u1 rx $s0->$s1" \
		test "$t1" -gt $((t0 + 5)) -a "$r1" -gt $((r0 + 5)) -a "$u1" -gt $((u0 + 5)) -a "$s1" -gt $((s0 + 5))
}

# peer VNI INDEX: a stock VXLAN device with the REAL VNI, made in V (its socket
# is V's) and moved to its own namespace, 192.168.VNI.2, permanent neighbours.
peer() {
	local vni=$1 i=$2 ns pmac hdev hmac
	pmac=$(printf '02:00:00:00:%02x:02' "$vni")
	new_netns ns "t$vni$FAMILY" || return 1
	TP[i]=$ns
	in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip -n "$V" link add "vx$vni" address "$pmac" type vxlan id "$vni" remote "$UH" dstport 4789 dev ulv || return 1
	ip -n "$V" link set "vx$vni" netns "$ns"
	ip -n "$ns" addr add "192.168.$vni.2/24" dev "vx$vni"
	ip -n "$ns" link set "vx$vni" up
	hdev=$([ "$i" = 1 ] && echo brv1 || echo lb0)
	hmac=$(ip -n "$H" -j link show "$hdev" | jq -r '.[0].address')
	ip -n "$ns" neigh replace "192.168.$vni.1" lladdr "$hmac" dev "vx$vni" nud permanent
	ip -n "$H" neigh replace "192.168.$vni.2" lladdr "$pmac" dev "$hdev" nud permanent
	"$CLI" -n "$H" bind "lb$i" vni "$vni" >/dev/null
}

lab() {
	local n d2 v
	DAD=""
	S=24
	if [ "$FAMILY" = 4 ]; then
		UH=10.20.0.1 UV=10.20.0.2 UV3=10.20.0.3 U2H=10.21.0.1 U2F=10.21.0.2
		GH=10.40.0.1 GG=10.40.0.2 LO=127.0.0.1
	else
		UH=fd00:20::1 UV=fd00:20::2 UV3=fd00:20::3 U2H=fd00:21::1 U2F=fd00:21::2
		GH=fd00:40::1 GG=fd00:40::2 LO=::1 S=64 DAD=nodad
	fi
	new_netns H "h$FAMILY" && new_netns V "v$FAMILY" && new_netns F2 "f$FAMILY" && new_netns G "g$FAMILY" || return 1
	ip link add ulh netns "$H" type veth peer name ulv netns "$V"
	ip link add ul2 netns "$H" type veth peer name uf2 netns "$F2"
	ip link add hg netns "$H" type veth peer name gh netns "$G"
	ip -n "$H" addr add "$UH/$S" dev ulh $DAD
	ip -n "$V" addr add "$UV/$S" dev ulv $DAD
	# Secondary, and never a source address of V's own (IPv6: deprecated).
	# shellcheck disable=SC2046
	ip -n "$V" addr add "$UV3/$S" dev ulv $DAD $([ "$FAMILY" = 6 ] && echo preferred_lft 0)
	ip -n "$H" addr add "$U2H/$S" dev ul2 $DAD
	ip -n "$F2" addr add "$U2F/$S" dev uf2 $DAD
	ip -n "$H" addr add "$GH/$S" dev hg $DAD
	ip -n "$G" addr add "$GG/$S" dev gh $DAD
	for n in "$H ulh" "$H ul2" "$H hg" "$V ulv" "$F2 uf2" "$G gh"; do
		# shellcheck disable=SC2086
		ip -n ${n% *} link set ${n#* } up
	done
	ip -n "$G" route add default via "$GH"
	in_ns "$H" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	# An SRv6-enabled host, so that a type 4 routing header is processed at all.
	in_ns "$H" sysctl -qw net.ipv6.conf.all.seg6_enabled=1 net.ipv6.conf.ulh.seg6_enabled=1
	HMAC=$(ip -n "$H" -j link show ulh | jq -r '.[0].address')

	"$CLI" -n "$H" pool create dev ulh type vxlan remote "$UV" count 8 >/dev/null || return 1
	DU=$(lbj show lb5 | jq .dummy_vni) DB=$(lbj show lb1 | jq .dummy_vni)
	for v in 1 5; do
		ip -n "$H" link add "brv$v" address "02:00:00:00:0b:0$v" type bridge
		in_ns "$H" sysctl -qw "net.ipv6.conf.brv$v.disable_ipv6=1"
		ip -n "$H" link set "lb$v" master "brv$v"
		ip -n "$H" link set "brv$v" up
	done
	ip -n "$H" link add ctl type vxlan id "$CTL_VNI" remote "$UV" dstport "$CTL_PORT" dev ulh
	in_ns "$H" sysctl -qw net.ipv6.conf.ctl.disable_ipv6=1
	ip -n "$H" link set ctl up
	ip -n "$H" addr add 192.168.200.1/24 dev lb0
	ip -n "$H" addr add 192.168.201.1/24 dev brv1
	peer 200 0 && peer 201 1 || return 1
	T201=${TP[1]}
	for d2 in ulv:"$V" brv1:"$H" brv5:"$H" lb1:"$H" lb5:"$H"; do
		start_capture "${d2%%:*}" "${d2%%:*}" "${d2#*:}" "$([ "${d2%%:*}" = ulv ] && echo 'udp port 4789')"
	done
	captures_ready ulv brv1 brv5 lb1 lb5
}

suite() {
	local L=v$FAMILY out rc v n
	lab || { fail "$L: lab setup"; return; }
	check "$L pool A: lb1 bound to 201 (dummy $DB), lb5 unbound (dummy $DU)" \
		test "$(lbj show lb1 | jq .vni)/$(lbj show lb5 | jq .vni)" = 201/null
	traffic before

	# ---- egress: forged tunnel packets leaving the host -------------------
	egress E1 "unprivileged local process, lb1's dummy VNI to $UV:4789" "$DB" nobody "$H" udp "$UV" 4789
	egress E2 "unprivileged local process, unbound lb5's dummy VNI to $UV:4789" "$DU" nobody "$H" udp "$UV" 4789
	egress E3 "guest G, forwarded by H, lb1's dummy VNI to $UV:4789" "$DB" root "$G" udp "$UV" 4789
	if command -v nft >/dev/null; then
		in_ns "$H" nft -f - <<-EOF
			table inet lbnat {
				chain post {
					type nat hook postrouting priority 100;
					oifname "ulh" ip$([ "$FAMILY" = 6 ] && echo 6) saddr $GG masquerade
				}
			}
		EOF
		EGRESS_SRC=$UH egress E4 "guest G, masqueraded to $UH, lb1's dummy VNI to $UV:4789" "$DB" root "$G" udp "$UV" 4789
		in_ns "$H" nft delete table inet lbnat
	else
		skip "$L E4: no nft (scripts/deps.sh installs nftables)"
	fi

	# ---- ingress: dummy VNIs arriving by every route ----------------------
	ingress I1 "unprivileged local process -> $LO:4789" nobody "$H" udp "$LO"
	ingress I2a "unprivileged local process -> $UH:4789 (ulh)" nobody "$H" udp "$UH"
	ingress I2b "unprivileged local process -> $U2H:4789 (ul2)" nobody "$H" udp "$U2H"
	FR=(frame ulv "$HMAC" "$UV" "$UH")
	if [ "$FAMILY" = 4 ]; then
		ingress I3a "fabric, IPv4 fragments, tunnel header in fragment 2 (fragment 1: 8 bytes)" root "$V" "${FR[@]}" frag 8
		ingress I3b "fabric, IPv4 fragments, tunnel header in fragment 2, sent last first" root "$V" "${FR[@]}" frag 8 reverse
		ingress I3c "fabric, IPv4 overlapping fragments (fragment 1: decoy VNI 4001)" root "$V" "${FR[@]}" frag 8 overlap 4001
		ingress I3d "fabric, IPv4 fragments, tunnel header in fragment 1" root "$V" "${FR[@]}" frag 16
	else
		ingress I4a "fabric, IPv6 hop-by-hop options" root "$V" "${FR[@]}" hbh
		ingress I4b "fabric, IPv6 destination options" root "$V" "${FR[@]}" dstopt
		ingress I4c "fabric, IPv6 routing header type 4 (SRH), segments left 0" root "$V" "${FR[@]}" rh 4
		ingress I4d "fabric, IPv6 routing header type 253, segments left 0" root "$V" "${FR[@]}" rh 253
		ingress I4e "fabric, IPv6 atomic fragment header" root "$V" "${FR[@]}" fragh
		ingress I4f "fabric, IPv6 fragments, tunnel header in fragment 2" root "$V" "${FR[@]}" frag 8
		ingress I4g "fabric, IPv6 hop-by-hop + destination options + fragments" root "$V" "${FR[@]}" hbh dstopt frag 8
	fi
	traffic midway

	ingress I5a "fabric, 802.1Q priority tag (VID 0)" root "$V" "${FR[@]}" vlan 8100:0
	ingress I5b "fabric, 802.1ad tag (VID 0)" root "$V" "${FR[@]}" vlan 88a8:0
	ingress I5c "fabric, 802.1Q then 802.1ad tag (VID 0, 0)" root "$V" "${FR[@]}" vlan 8100:0 vlan 88a8:0
	ingress I5d "fabric, QinQ 802.1ad then 802.1Q (VID 0, 0)" root "$V" "${FR[@]}" vlan 88a8:0 vlan 8100:0
	ingress I5e "fabric, three 802.1Q tags (VID 0)" root "$V" "${FR[@]}" vlan 8100:0 vlan 8100:0 vlan 8100:0
	if out=$(ip -n "$H" link add link ulh name ulh.100 type vlan id 100 2>&1); then
		v=$([ "$FAMILY" = 4 ] && echo 10.20.100.1 || echo fd00:2100::1)
		ip -n "$H" addr add "$v/$S" dev ulh.100 $DAD
		ip -n "$H" link set ulh.100 up
		ingress I5f "fabric, 802.1Q VID 100 to ulh.100's $v" root "$V" frame ulv "$HMAC" "$UV" "$v" vlan 8100:100
		ingress I5g "fabric, 802.1ad VID 0 + 802.1Q VID 100 to ulh.100's $v" root "$V" frame ulv "$HMAC" "$UV" "$v" vlan 88a8:0 vlan 8100:100
	else
		skip "$L I5f/I5g: 802.1Q/802.1ad to a VLAN device on ulh: this kernel has none (ip link add ... type vlan: $out)"
	fi
	ingress I6 "second NIC: F2 -> ul2's $U2H:4789" root "$F2" udp "$U2H"
	check "$L pool B on ul2 (dummy range 16000000-16000003)" \
		"$CLI" -n "$H" pool create dev ul2 type vxlan remote "$U2F" count 4 prefix m dummy-base 16000000 >/dev/null
	ingress I7 "another pool's underlay: F2 -> ul2 (pool B's datapath), pool A's dummies" root "$F2" udp "$U2H"
	ingress I8 "the bound remote $UV, straight on the underlay (regression)" root "$V" udp "$UH"

	# ---- L1: no learning from forged frames ------------------------------------
	local mc mm
	newmac mc
	newmac mm
	craft root "$V" udp "$UH" "$CTL_PORT" src "$UV3" vxlan "$CTL_VNI" inner-src "$mc" count 3
	craft root "$V" udp "$UH" 4789 src "$UV3" vxlan 201 inner-src "$mm" count 3
	sleep 0.3
	if bridge -n "$H" fdb show dev ctl | grep -qi "^$mc dst $UV3"; then
		ok "$L L1 control: the stock ctl (learning) learned $mc -> $UV3 from VNI $CTL_VNI"
		check "$L L1 real VNI 201 from $UV3 (not the remote): lb1's fdb has no $mm ($(fdb_of lb1 "$mm"))" \
			test -z "$(fdb_of lb1 "$mm")"
	else
		skip "$L L1: the control was not learned by ctl: $(bridge -n "$H" fdb show dev ctl | tr '\n' ';')"
	fi
	newmac mm
	craft root "$V" frame ulv "$HMAC" "$UV3" "$UH" frag 8 vxlan "$DB" inner-src "$mm" count 3
	sleep 0.3
	check "$L L1 lb1's dummy from $UV3 in fragments: lb1's fdb has no $mm ($(fdb_of lb1 "$mm"))" \
		test -z "$(fdb_of lb1 "$mm")"
	n=$(ip -n "$H" -d -j link show | jq -r '[.[] | select(.ifalias // "" | startswith("latebind:")) |
		select(.linkinfo.info_data.learning != false) | .ifname] | join(" ")')
	check "$L L1 every pool member (A and B) is nolearning (learning: ${n:-none})" test -z "$n"

	# ---- C1: VNIs with a leading zero are refused ---------------------------
	for v in 0100 00; do
		out=$("$CLI" -n "$H" bind lb6 vni "$v" 2>&1)
		rc=$?
		check "$L C1 bind lb6 vni $v refused, naming the leading zero (rc $rc: $out)" \
			refused_lz "$rc" "$out"
		n=$(lbj show lb6 | jq -c .vni)
		check "$L C1 lb6 unbound after vni $v (vni $n)" test "$n" = null
		"$CLI" -n "$H" unbind lb6 >/dev/null 2>&1
	done
	for v in 0x64 100; do
		check "$L C1 control: bind lb6 vni $v" "$CLI" -n "$H" bind lb6 vni "$v" >/dev/null
		check "$L C1 control: lb6 bound to 100 after vni $v" test "$(lbj show lb6 | jq .vni)" = 100
		"$CLI" -n "$H" unbind lb6 >/dev/null
	done

	traffic after

	# ---- D1: the datapath cannot be detached under a pool ----------------------
	out=$("$CLI" -n "$H" datapath detach dev ulh 2>&1)
	rc=$?
	check "$L D1 datapath detach dev ulh refused under the pool (rc $rc: $out)" test "$rc" -ne 0
	check "$L D1 datapath still attached both ways" \
		test "$(lbj show | jq -c '[.[] | select(.dev == "ulh") | .egress_attached, .ingress_attached]')" = "[true,true]"
	check "$L D1 bindings intact (lb0 $(lbj show lb0 | jq .vni), lb1 $(lbj show lb1 | jq .vni))" \
		test "$(lbj show lb0 | jq .vni)/$(lbj show lb1 | jq .vni)" = 200/201
	ip -n "$H" neigh flush dev brv1 nud failed 2>/dev/null
	check "$L D1 lb1 still carries ping" in_ns "$H" ping -q -c 2 -i 0.2 -w 3 192.168.201.2 >/dev/null

	stop_captures
}

for FAMILY in ${ISOLATION_FAMILIES:-4 6}; do
	suite
done
summary
