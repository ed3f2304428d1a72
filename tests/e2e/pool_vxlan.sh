#!/bin/bash
# Warm pools end to end on the host kernel (VXLAN), through the latebind CLI
# only, against stock VXLAN peers configured with the REAL VNIs by plain `ip`.
#
#   netns H ("host")                                netns V ("vpc")
#   lb0 .. lb7   dummy VNIs (the pool)              vxlan peers, REAL VNIs:
#    |  lb_egress / lb_ingress on ulh                 created here (their UDP
#   ulh 10.20.0.1/24 ======= veth ==============     ulv 10.20.0.2/24  sockets live here),
#   m0 .. m63    a second pool                         then moved to their own
#   ul2 10.21.0.1/24 ======= veth ==============     uv2 10.21.0.2/24  netns T<vni> so that
#                                                     two peers may share an IP
#   tcpdump on ulv / uv2: the wire
#
# The numbered sections match the proofs the pool needs:
#  1 unbound = nothing on the wire     2 bind: ping + 1 GB TCP, csum x offload
#  3 anti-spoof                        4 rebind, no old VNI after return
#  5 inner-MAC demux                   6 64 tunnels all bound and carrying
#  7 bad input refused, no change      8 kill -9 during a bind storm
#  9 destroy leaves the namespace as it found it
SUITE=pool_vxlan
. "$(dirname "$0")/lib.sh"

TCPDUMP=$(command -v tcpdump)
CAP=$(mktemp -d)
trap 'cleanup_netns; rm -rf "$CAP"' EXIT
BULK=${POOL_BULK:-1G}

snmp() { in_ns "$1" awk -v p="$2:" -v f="$3" '$1 == p { if (!h) { for (i = 1; i <= NF; i++) col[$i] = i; h = 1 } else print $col[f] }' /proc/net/snmp; }
lbj() { "$CLI" -n "$H" -j "$@"; }
drops() { lbj stats | jq "[.[].drops.$1] | add"; }
tun_stat() { lbj stats "$1" | jq ".$2"; }
dev_rx() { ip -n "$1" -j -s link show "$2" | jq '.[0].stats64.rx.packets'; }

# start_capture FILE IFACE NETNS FILTER / stop_capture
start_capture() {
	nsenter --net="/run/netns/$3" "$TCPDUMP" -Z root -i "$2" -nn -s 96 --immediate-mode -U \
		-w "$1" "$4" >/dev/null 2>&1 3>&- &
	TCPDUMP_PID=$!
	sleep 1
}
stop_capture() {
	sleep 0.5
	kill "$TCPDUMP_PID" 2>/dev/null
	wait "$TCPDUMP_PID" 2>/dev/null
}
# Packets in a capture (optional extra filter), and their VNIs.
cap_count() { "$TCPDUMP" -Z root -nn -r "$1" ${2:+"$2"} 2>/dev/null | wc -l; }
cap_vnis() { "$TCPDUMP" -Z root -nn -r "$1" 2>/dev/null | grep -oE 'vni [0-9]+' | awk '{print $2}' | sort -un | tr '\n' ' '; }

# peer VNI NETNS-VAR ADDR/LEN [MAC [UNDERLAY [REMOTE]]]: a stock VXLAN device
# made in V (so its socket is V's) and moved to its own namespace.
peer() {
	local vni=$1 var=$2 addr=$3 mac=${4:-} ul=${5:-ulv} remote=${6:-10.20.0.1} ns
	new_netns "$var" "t$vni" || return 1
	ns=${!var}
	ip -n "$V" link add "vx$vni" ${mac:+address $mac} type vxlan id "$vni" remote "$remote" \
		dstport 4789 dev "$ul" $PEER_CSUM || return 1
	ip -n "$V" link set "vx$vni" netns "$ns"
	ip -n "$ns" addr add "$addr" dev "vx$vni"
	ip -n "$ns" link set "vx$vni" up
}

lab() { host_vpc_lab 10.20.0; }

iperf_server() { # NETNS ADDR
	in_ns "$1" timeout 120 iperf3 -s -1 -B "$2" >/dev/null 2>&1 3>&- &
	sleep 0.5
}

# ---- 1 and 2: unbound, then bound, for each checksum and offload setting --
combo() { # udpcsum|noudpcsum on|off
	local csum=$1 tx=$2 tag="$1/tx-$2" T before after n errs0=() ns
	PEER_CSUM=$csum
	in_ns "$H" ethtool -K ulh tx "$tx" >/dev/null
	in_ns "$V" ethtool -K ulv tx "$tx" >/dev/null
	check "$tag: pool create" "$CLI" -n "$H" pool create dev ulh type vxlan remote 10.20.0.2 count 4 "$csum" >/dev/null || return
	check "$tag: pool reports $csum" test "$(lbj show | jq '.[0].udpcsum')" = "$([ "$csum" = udpcsum ] && echo true || echo false)"
	peer 100 T 192.168.10.2/24 || { fail "$tag: peer"; return; }
	ip -n "$H" addr add 192.168.10.1/24 dev lb0

	# 1. Unbound: nothing of ours on the wire, and the drop counter rises.
	start_capture "$CAP/unbound.pcap" ulv "$V" "udp port 4789 and src host 10.20.0.1"
	before=$(drops unbound)
	in_ns "$H" ping -c 3 -i 0.2 -W 1 192.168.10.2 >/dev/null 2>&1
	stop_capture
	after=$(drops unbound)
	n=$(cap_count "$CAP/unbound.pcap")
	check "$tag: unbound lb0 put 0 packets on the wire (saw $n)" test "$n" -eq 0
	check "$tag: unbound drops rose ($before -> $after)" test "$after" -gt "$before"

	# 2. Bound: ping and bulk TCP both ways, checksums clean, only VNI 100 on the wire.
	check "$tag: bind lb0 vni 100" "$CLI" -n "$H" bind lb0 vni 100 >/dev/null
	for ns in "$T" "$H"; do errs0+=("$(snmp "$ns" Udp InCsumErrors)" "$(snmp "$ns" Tcp InCsumErrors)"); done
	# Anything from us that is not VNI 100 (VXLAN VNI: UDP payload bytes 4-6).
	start_capture "$CAP/bad.pcap" ulv "$V" "udp port 4789 and src host 10.20.0.1 and (udp[12:4] >> 8) != 100"
	ip -n "$H" neigh flush dev lb0
	check "$tag: ping through lb0" in_ns "$H" ping -q -c 5 -i 0.2 -w 10 192.168.10.2 >/dev/null
	iperf_server "$T" 192.168.10.2
	check "$tag: $BULK of TCP out through lb0" in_ns "$H" iperf3 -c 192.168.10.2 -n "$BULK" >/dev/null
	iperf_server "$T" 192.168.10.2
	check "$tag: 256M of TCP back in (ingress rewrite)" in_ns "$H" iperf3 -c 192.168.10.2 -n 256M -R >/dev/null
	stop_capture
	check "$tag: peer Udp InCsumErrors stayed ${errs0[0]}" test "$(snmp "$T" Udp InCsumErrors)" -eq "${errs0[0]}"
	check "$tag: peer Tcp InCsumErrors stayed ${errs0[1]}" test "$(snmp "$T" Tcp InCsumErrors)" -eq "${errs0[1]}"
	check "$tag: host Udp InCsumErrors stayed ${errs0[2]}" test "$(snmp "$H" Udp InCsumErrors)" -eq "${errs0[2]}"
	check "$tag: host Tcp InCsumErrors stayed ${errs0[3]}" test "$(snmp "$H" Tcp InCsumErrors)" -eq "${errs0[3]}"
	n=$(cap_count "$CAP/bad.pcap")
	check "$tag: no packet with a VNI other than 100 on the wire (saw $n)" test "$n" -eq 0
	# Positive control for the filter above: VNI 100 is what a capture decodes.
	start_capture "$CAP/good.pcap" ulv "$V" "udp port 4789 and src host 10.20.0.1"
	in_ns "$H" ping -q -c 2 -i 0.2 -w 5 192.168.10.2 >/dev/null
	stop_capture
	check "$tag: the wire decodes as VNI 100 only ($(cap_vnis "$CAP/good.pcap"))" test "$(cap_vnis "$CAP/good.pcap")" = "100 "
	check "$tag: pool destroy" "$CLI" -n "$H" pool destroy dev ulh >/dev/null
	ip netns del "$T"
}

lab || { fail "lab setup"; summary; exit 1; }
for csum in noudpcsum udpcsum; do
	for tx in off on; do
		combo "$csum" "$tx"
	done
done
PEER_CSUM=

# ---- the main pool for 3, 4, 5, 7, 8, 9 ---------------------------------------
# 9 starts here: what the namespace looks like before the pool, with someone
# else's clsact qdisc and filter on the underlay.
tc -n "$H" qdisc add dev ulh clsact
tc -n "$H" filter add dev ulh ingress prio 7 u32 match u32 0 0 classid 1:1
snapshot() {
	ip -n "$H" -d -j link show | jq -c 'map(del(.stats, .stats64))' 
	tc -n "$H" qdisc show dev ulh
	tc -n "$H" filter show dev ulh ingress
	tc -n "$H" filter show dev ulh egress
	nsenter --net="/run/netns/$H" nft list ruleset
	# This namespace's pins only: other suites may run beside this one.
	[ -z "${NSPINS:-}" ] || ls "$NSPINS" 2>/dev/null
}
snapshot >"$CAP/before"

check "pool create (8 tunnels)" "$CLI" -n "$H" pool create dev ulh type vxlan remote 10.20.0.2 count 8 >/dev/null
NSPINS=$(dirname "$(pin_dir "$H" ulh)")
check "pool create again: unchanged" test "$(lbj pool create dev ulh type vxlan remote 10.20.0.2 count 8 | jq -r .result)" = unchanged
check "attach mode is tcx on this kernel" test "$(lbj show | jq -r '.[0].attach')" = tcx
check "show is byte-identical twice" cmp -s <("$CLI" -n "$H" show) <("$CLI" -n "$H" show)
check "members have IPv6 off by default (noipv6)" test "$(in_ns "$H" cat /proc/sys/net/ipv6/conf/lb0/disable_ipv6)" = 1
check "8 members, all up and tagged" test "$(ip -n "$H" -d -j link show | jq '[.[] | select(.ifalias == "latebind:'"$(ip -n "$H" -j link show ulh | jq '.[0].ifindex')"'" and (.flags | index("UP")))] | length')" -eq 8

# ---- 3. anti-spoof ----------------------------------------------------------------
peer 101 T101 192.168.11.2/24
ip -n "$H" addr add 192.168.11.1/24 dev lb1
"$CLI" -n "$H" bind lb1 vni 101 >/dev/null
check "lb1 bound: ping works" in_ns "$H" ping -q -c 2 -i 0.2 -w 5 192.168.11.2 >/dev/null
DUMMY1=$(lbj show lb1 | jq .dummy_vni)
peer "$DUMMY1" TS 192.168.11.3/24
before=$(drops spoof)
MACS=$(ip -n "$TS" -j link show "vx$DUMMY1" | jq -r '.[0].address')
start_capture "$CAP/spoof.pcap" lb1 "$H" "ether src $MACS"
in_ns "$TS" ping -c 3 -i 0.2 -W 1 192.168.11.1 >/dev/null 2>&1
stop_capture
check "spoofed dummy VNI $DUMMY1 counted ($before -> $(drops spoof))" test "$(drops spoof)" -gt "$before"
check "lb1 received none of it (captured $(cap_count "$CAP/spoof.pcap") frames from $MACS)" test "$(cap_count "$CAP/spoof.pcap")" -eq 0

# ---- 4. rebind ----------------------------------------------------------------------
# Two peers with the same IP and MAC, on VNIs 200 and 201.
peer 200 T200 192.168.20.2/24 02:00:00:00:20:02
peer 201 T201 192.168.20.2/24 02:00:00:00:20:02
ip -n "$H" addr add 192.168.20.1/24 dev lb2
"$CLI" -n "$H" bind lb2 vni 200 >/dev/null
check "lb2 bound to 200: ping works" in_ns "$H" ping -q -c 2 -i 0.2 -w 5 192.168.20.2 >/dev/null
start_capture "$CAP/rebind.pcap" ulv "$V" "udp port 4789 and src host 10.20.0.1"
in_ns "$H" ping -q -i 0.01 -w 4 192.168.20.2 >/dev/null 2>&1 3>&- &
PING=$!
sleep 1.5
rx201=$(dev_rx "$T201" vx201)
check "rebind lb2 vni 201" "$CLI" -n "$H" bind lb2 vni 201 >/dev/null
t_ret=$(date +%s.%N)
wait "$PING"
stop_capture
late=$("$TCPDUMP" -Z root -nn -tt -r "$CAP/rebind.pcap" 2>/dev/null | awk -v t="$t_ret" '/vni 200/ && $1 > t' | wc -l)
early=$("$TCPDUMP" -Z root -nn -tt -r "$CAP/rebind.pcap" 2>/dev/null | grep -c 'vni 200')
check "VNI 200 on the wire before the rebind ($early packets)" test "$early" -gt 0
check "no VNI 200 packet after bind returned (saw $late)" test "$late" -eq 0
check "VNI 201 peer received after the rebind ($rx201 -> $(dev_rx "$T201" vx201))" test "$(dev_rx "$T201" vx201)" -gt $((rx201 + 10))
check "show lb2: vni 201" test "$(lbj show lb2 | jq .vni)" -eq 201

# ---- 5. two tunnels, same VNI and remote, told apart by inner MAC -----------
peer 300 T300 192.168.30.11/24 02:00:00:00:30:00
ip -n "$T300" addr add 192.168.30.12/24 dev vx300
MAC3=$(ip -n "$H" -j link show lb3 | jq -r '.[0].address')
MAC4=$(ip -n "$H" -j link show lb4 | jq -r '.[0].address')
check "bind lb3 vni 300 inner-mac $MAC3" "$CLI" -n "$H" bind lb3 vni 300 inner-mac "$MAC3" >/dev/null
check "bind lb4 vni 300 inner-mac $MAC4" "$CLI" -n "$H" bind lb4 vni 300 inner-mac "$MAC4" >/dev/null
ip -n "$H" addr add 192.168.30.1/32 dev lb3
ip -n "$H" addr add 192.168.30.2/32 dev lb4
ip -n "$H" route add 192.168.30.11/32 dev lb3
ip -n "$H" route add 192.168.30.12/32 dev lb4
# Broadcast ARP cannot be told apart by MAC: static neighbours both ways.
ip -n "$H" neigh add 192.168.30.11 lladdr 02:00:00:00:30:00 dev lb3
ip -n "$H" neigh add 192.168.30.12 lladdr 02:00:00:00:30:00 dev lb4
ip -n "$T300" neigh add 192.168.30.1 lladdr "$MAC3" dev vx300
ip -n "$T300" neigh add 192.168.30.2 lladdr "$MAC4" dev vx300
r3=$(tun_stat lb3 rx_packets) r4=$(tun_stat lb4 rx_packets)
check "lb3 reaches its peer 192.168.30.11" in_ns "$H" ping -q -c 5 -i 0.1 -w 5 -I 192.168.30.1 192.168.30.11 >/dev/null
check "lb3 got the replies ($r3 -> $(tun_stat lb3 rx_packets)), lb4 none" \
	test "$(tun_stat lb3 rx_packets)" -ge $((r3 + 5)) -a "$(tun_stat lb4 rx_packets)" -eq "$r4"
r3=$(tun_stat lb3 rx_packets)
check "lb4 reaches its peer 192.168.30.12" in_ns "$H" ping -q -c 5 -i 0.1 -w 5 -I 192.168.30.2 192.168.30.12 >/dev/null
check "lb4 got the replies ($r4 -> $(tun_stat lb4 rx_packets)), lb3 none" \
	test "$(tun_stat lb4 rx_packets)" -ge $((r4 + 5)) -a "$(tun_stat lb3 rx_packets)" -eq "$r3"

# ---- 7. bad input: refused, non-zero exit, no change of state ------------------
ip -n "$H" link add notpool type dummy 2>/dev/null || ip -n "$H" link add notpool type veth peer name notpool1
state() { lbj show; ip -n "$H" -o link show | awk -F': ' '{print $2}'; }
refused() { # DESCRIPTION EXPECTED-TEXT ARGS...
	local desc=$1 want=$2 before out rc
	shift 2
	before=$(state)
	out=$("$CLI" -n "$H" "$@" 2>&1)
	rc=$?
	if [ "$rc" -ne 0 ] && grep -qi -- "$want" <<<"$out" && [ "$(state)" = "$before" ]; then
		ok "refused: $desc ($out)"
	else
		fail "refused: $desc (rc $rc, output: $out, state changed: $([ "$(state)" = "$before" ] && echo no || echo yes))"
	fi
}
D0=$(lbj show lb0 | jq .dummy_vni)
refused "VNI not a number"            "not a number"          bind lb5 vni abc
refused "VNI negative"                "not a number"          bind lb5 vni -1
refused "VNI 16777216"                "outside 0-16777215"    bind lb5 vni 16777216
refused "VNI 99999999999"             "outside 0-16777215"    bind lb5 vni 99999999999
refused "VNI in the dummy range"      "dummy range"           bind lb5 vni "$D0"
refused "device not a pool member"    "not a latebind pool"   bind notpool vni 5
refused "the underlay itself"         "not a latebind pool"   bind ulh vni 5
refused "unknown device"              "no device"             bind nosuchdev vni 5
refused "key held by lb1 (named)"     "tunnel lb1"            bind lb5 vni 101
refused "MAC key held by lb3 (named)" "tunnel lb3"            bind lb5 vni 300 inner-mac "$MAC3"
refused "multicast inner MAC"         "multicast"             bind lb5 vni 5 inner-mac 01:00:5e:00:00:01
refused "malformed inner MAC"         "inner-mac"             bind lb5 vni 5 inner-mac 02:00:00:00:00
refused "missing vni"                 "vni VNI"               bind lb5
refused "unbind unknown device"       "no device"             unbind nosuchdev
refused "unbind non-member"           "not a latebind pool"   unbind notpool
refused "pool with other settings"    "other settings"        pool create dev ulh type vxlan remote 10.20.0.2 count 9
refused "pool count 0"                "count"                 pool create dev ulh type vxlan remote 10.20.0.2 count 0
refused "pool count 70000"            "count"                 pool create dev ulh type vxlan remote 10.20.0.2 count 70000
refused "pool bad remote"             "remote"                pool create dev ulh type vxlan remote 10.20.0 count 2
refused "pool bad type"               "type"                  pool create dev ulh type gre remote 10.20.0.2 count 2
refused "pool long prefix"            "prefix"                pool create dev notpool type vxlan remote 10.20.0.2 count 20 prefix abcdefghijklmn
refused "pool unknown underlay"       "no device"             pool create dev nosuchdev type vxlan remote 10.20.0.2 count 2
refused "pool mixed families"         "IPv4 or both IPv6" pool create dev notpool type vxlan remote 10.20.0.2 local 2001:db8::1 count 2
refused "pool geneve with local"      "local"                 pool create dev notpool type geneve remote 10.20.0.2 local 10.20.0.1 count 2
refused "pool dummy range past 2^24"  "past the largest VNI"  pool create dev notpool type vxlan remote 10.20.0.2 count 4 dummy-base 16777214
refused "pool names taken (kernel)"   "exists"                pool create dev notpool type vxlan remote 10.20.0.2 count 2 prefix lb dummy-base 1000
refused "pool dummy range overlaps a pool" "overlaps the pool on ulh" pool create dev notpool type vxlan remote 10.20.0.2 count 2 prefix zz dummy-base "$D0"
ip -n "$H" link add zzx type vxlan id 777000 dstport 4789 dev ulh
refused "pool VNIs taken (kernel's extack)" "already exists"  pool create dev notpool type vxlan remote 10.20.0.2 count 2 prefix zz dummy-base 777000
ip -n "$H" link del zzx
refused "destroy: no pool"            "no latebind pool"      pool destroy dev notpool
out=$("$CLI" -n "$H" -j bind lb5 vni abc)
check "-j error is JSON: $out" jq -e '.error | test("not a number")' <<<"$out" >/dev/null

# ---- 8. kill -9 during a storm of 1000 bind/unbind calls ------------------------
"$CLI" -n "$H" bind lb0 vni 100 >/dev/null
peer 100 T100 192.168.10.2/24
ip -n "$H" addr add 192.168.10.1/24 dev lb0
check "lb0 bound: ping works" in_ns "$H" ping -q -c 2 -i 0.2 -w 5 192.168.10.2 >/dev/null
# Every call runs under a SIGKILL timer of 0.1-2.5 ms, so kills land at every
# stage of a call: startup, pool open, between the map writes.
storm() {
	local i killed=0
	# A timer of 0.1-2.5 ms, uniform in µs.
	t() { printf '0.%06d' $((100 + RANDOM % 2401)); }
	for i in $(seq 1 500); do
		timeout -s KILL "$(t)" "$CLI" -n "$H" bind lb$((5 + i % 3)) vni $((1000 + i % 40)) >/dev/null 2>&1
		[ $? -eq 137 ] && killed=$((killed + 1))
		timeout -s KILL "$(t)" "$CLI" -n "$H" unbind lb$((5 + i % 3)) >/dev/null 2>&1
		[ $? -eq 137 ] && killed=$((killed + 1))
	done
	echo "$killed" >"$CAP/killed"
}
in_ns "$H" ping -q -c 400 -i 0.01 -W 1 192.168.10.2 >"$CAP/ping" 2>&1 3>&- &
PING=$!
(storm) 2>/dev/null # bash would report each killed job
kills=$(cat "$CAP/killed")
wait "$PING"
check "storm: $kills of 1000 latebind calls were killed by SIGKILL" test "$kills" -gt 0
check "ping on lb0 during the storm lost nothing ($(grep -o '[0-9]* received' "$CAP/ping"))" grep -q ' 0% packet loss' "$CAP/ping"
# Consistent: each tunnel bound (with its ingress entry) or unbound.
check "after the storm every tunnel is bound with its ingress entry, or unbound" \
	test "$(lbj show | jq '[.[0].tunnels[] | select(.warning)] | length')" -eq 0
check "lb0 still bound to 100" test "$(lbj show lb0 | jq .vni)" -eq 100
for t in lb5 lb6 lb7; do "$CLI" -n "$H" unbind "$t" >/dev/null; done
check "storm tunnels unbind cleanly" test "$(lbj show | jq '[.[0].tunnels[5:8][] | select(.vni != null)] | length')" -eq 0

# ---- 6. a 64-tunnel pool, every tunnel bound, traffic on all -----------------
ip link add ul2 netns "$H" type veth peer name uv2 netns "$V"
ip -n "$H" addr add 10.21.0.1/24 dev ul2
ip -n "$V" addr add 10.21.0.2/24 dev uv2
ip -n "$H" link set ul2 up
ip -n "$V" link set uv2 up
check "64-tunnel pool on ul2 (ipv6)" "$CLI" -n "$H" pool create dev ul2 type vxlan remote 10.21.0.2 count 64 prefix m dummy-base 16000000 ipv6 >/dev/null
check "ipv6 keeps IPv6 on the members" test "$(in_ns "$H" cat /proc/sys/net/ipv6/conf/m0/disable_ipv6)" = 0
for i in $(seq 0 63); do
	ip -n "$V" link add "w$i" type vxlan id $((2000 + i)) remote 10.21.0.1 dstport 4789 dev uv2
	ip -n "$V" addr add "172.16.$i.2/24" dev "w$i"
	ip -n "$V" link set "w$i" up
	ip -n "$H" addr add "172.16.$i.1/24" dev "m$i"
	"$CLI" -n "$H" bind "m$i" vni $((2000 + i)) >/dev/null || fail "bind m$i"
done
for i in $(seq 0 63); do
	in_ns "$H" ping -q -c 2 -i 0.2 -w 5 "172.16.$i.2" >/dev/null 2>&1 3>&- &
done
wait
n=$(lbj stats | jq '[.[] | select(.dev == "ul2") | .tunnels[] | select(.tx_packets >= 2 and .rx_packets >= 2)] | length')
check "all 64 tunnels carried traffic both ways ($n of 64)" test "$n" -eq 64
check "destroy the 64-tunnel pool" "$CLI" -n "$H" pool destroy dev ul2 >/dev/null
ip -n "$H" link del ul2

# ---- 9. pool destroy leaves the namespace as it found it ------------------------
ip -n "$H" link del notpool
# A datapath half taken away from outside (its egress link unpinned) shows.
check "show: both programs attached" test "$(lbj show | jq -c '[.[0].egress_attached, .[0].ingress_attached]')" = "[true,true]"
rm "$(pin_dir "$H" ulh)/link_egress"
check "show: egress detached from outside is reported" test "$(lbj show | jq -c '[.[0].egress_attached, .[0].ingress_attached]')" = "[false,true]"
check "show: ...and called BROKEN in text" bash -c "'$CLI' -n '$H' show | grep -q 'BROKEN: lb_egress is not attached'"
# Re-running the same create repairs what was taken away: the link, the nftables guard.
check "pool create again re-attaches lb_egress" "$CLI" -n "$H" pool create dev ulh type vxlan remote 10.20.0.2 count 8
check "show: repaired, our programs first" test "$(lbj show | jq -c '[.[0].egress_attached, .[0].ingress_attached, .[0].programs_first]')" = "[true,true,true]"
check "show: the input guard is there, every tunnel guarded" test "$(lbj show | jq -c '[.[0].input_guard, .[0].unguarded_tunnels]')" = "[true,0]"
nsenter --net="/run/netns/$H" nft delete table inet latebind
check "show: input guard deleted from outside is reported" test "$(lbj show | jq -c '.[0].input_guard')" = false
check "show: ...and called BROKEN in text" bash -c "'$CLI' -n '$H' show | grep -q 'BROKEN: the nftables input guard'"
check "pool create again puts the input guard back" "$CLI" -n "$H" pool create dev ulh type vxlan remote 10.20.0.2 count 8
check "show: the input guard is back" test "$(lbj show | jq -c '.[0].input_guard')" = true
# A member deleted from outside is made again, recorded and guarded (on
# f7b8a91 the re-run failed: lb_tun_slot, one entry per slot, was full with
# the deleted device's entry: E2BIG).
ip -n "$H" link del lb6
out=$("$CLI" -n "$H" pool create dev ulh type vxlan remote 10.20.0.2 count 8 2>&1)
check "pool create again re-creates lb6, deleted from outside ($(head -n 1 <<<"$out"))" \
	test -n "$(ip -n "$H" -o link show lb6 2>/dev/null)"
check "show: lb6 recorded with its new ifindex, every tunnel guarded" \
	test "$(lbj show | jq -c --argjson i "$(ip -n "$H" -j link show lb6 | jq '.[0].ifindex')" \
		'[.[0].tunnels[6].ifindex == $i, .[0].unguarded_tunnels]')" = "[true,0]"
check "pool destroy" "$CLI" -n "$H" pool destroy dev ulh >/dev/null
snapshot >"$CAP/after"
check "namespace after destroy = before create (links, qdiscs, filters, nftables, pins)" diff "$CAP/before" "$CAP/after"
check "no pins left for this namespace" test ! -e "$NSPINS"
check "show lists no pool" test "$(lbj show)" = "[]"

# ---- a destroy killed while it unpinned: running it again finishes ------------
# destroy deletes the tunnels, then unpins: lb_pool first, lb_config last. Each
# row is what a kill can leave (the tunnels already gone). On 199ab0b, which
# unpinned the maps first, a re-run said "no pool" and left the datapath
# attached; the next create then refused ("attached without a pool").
ALLPINS="lb_pool link_egress link_ingress prog_egress prog_ingress prog_tun_egress prog_tun_ingress prog_tap_ingress prog_tap_egress lb_egress_bind lb_ingress_tab lb_tun_stats lb_drop_stats lb_tun_slot lb_slot_tap lb_tap_slot lb_slots lb_pool_lock lb_config"
half_destroyed() { # $1: the pins to remove
	local dir f
	"$CLI" -n "$H" pool create dev ulh type vxlan remote 10.20.0.2 count 4 >/dev/null || return 1
	dir=$(pin_dir "$H" ulh)
	[ -n "$dir" ] || return 1
	for i in 0 1 2 3; do ip -n "$H" link del "lb$i"; done
	for f in $1; do rm -f "$dir/$f"; done
}
while IFS='|' read -r what pins; do
	half_destroyed "$pins" || fail "pool create for: $what"
	out=$("$CLI" -n "$H" pool destroy dev ulh 2>&1)
	rc=$?
	check "destroy killed after unpinning $what: a re-run finishes (rc $rc${out:+: $out})" test "$rc" -eq 0
	snapshot >"$CAP/after"
	check "...the namespace is as before the pool" diff "$CAP/before" "$CAP/after"
done <<ROWS
lb_pool|lb_pool
lb_pool and the tcx links|lb_pool link_egress link_ingress
all but lb_config|${ALLPINS% lb_config}
every pin (the directory stays)|$ALLPINS
the maps, links and programs still pinned (the order before the fix)|lb_config lb_egress_bind lb_ingress_tab lb_tun_stats lb_drop_stats lb_tun_slot lb_slot_tap lb_tap_slot lb_pool lb_slots lb_pool_lock
ROWS
# A create finds the same leftovers and starts again.
half_destroyed "lb_pool link_egress link_ingress" || fail "pool create for the create row"
out=$("$CLI" -n "$H" pool create dev ulh type vxlan remote 10.20.0.2 count 4 2>&1)
check "create after a half destroy starts again ($(tail -n 1 <<<"$out"))" \
	test "$(lbj show | jq -c '[(.[0].tunnels | length), .[0].unguarded_tunnels]')" = "[4,0]"
"$CLI" -n "$H" pool destroy dev ulh >/dev/null
snapshot >"$CAP/after"
check "...and its destroy leaves the namespace as before" diff "$CAP/before" "$CAP/after"
# Not what a killed destroy leaves: lb_pool gone while a tagged tunnel is
# still there. Refused; the guard and the datapath stay.
half_destroyed "lb_pool" || fail "pool create for the refusal row"
ip -n "$H" link add lb1 type vxlan id 16777214 remote 10.20.0.2 dstport 4789
ip -n "$H" link set lb1 alias "latebind:$(ip -n "$H" -j link show ulh | jq '.[0].ifindex')"
snapshot >"$CAP/mid"
out=$("$CLI" -n "$H" pool destroy dev ulh 2>&1)
rc=$?
check "destroy with lb_pool gone but a tagged tunnel left: refused (rc $rc: $out)" test "$rc" -ne 0
check "...naming the tunnel" grep -q 'device lb1 is still here' <<<"$out"
snapshot >"$CAP/after"
check "...nothing changed" diff "$CAP/mid" "$CAP/after"
ip -n "$H" link del lb1
check "...once it is deleted, destroy finishes" "$CLI" -n "$H" pool destroy dev ulh
snapshot >"$CAP/after"
check "...and the namespace is as before" diff "$CAP/before" "$CAP/after"
# A bare datapath is not a pool: destroy leaves it alone.
"$CLI" -n "$H" datapath attach dev ulh >/dev/null
out=$("$CLI" -n "$H" pool destroy dev ulh 2>&1)
check "destroy on a bare datapath: refused, no pool ($out)" grep -q 'there is no latebind pool on ulh' <<<"$out"
check "...the datapath stays" test -n "$(pin_dir "$H" ulh)"
"$CLI" -n "$H" datapath detach dev ulh

# ---- gc: a namespace deleted with its pool still in place leaves pins;
# latebind gc finds them (the tcx links turned defunct) and removes them.
new_netns G gone || fail "namespace G"
ip -n "$G" link add ug type veth peer name ug1
ip -n "$G" link set ug up
"$CLI" -n "$G" pool create dev ug type vxlan remote 10.30.0.2 count 2 >/dev/null
GDIR=$(pin_dir "$G" ug)
check "pool in G pinned at $GDIR" test -d "$GDIR"
ip netns del "$G"
NAMESPACES=("${NAMESPACES[@]/$G}")
check "deleting G leaves its pins" test -d "$GDIR"
# The kernel tears a namespace down asynchronously: until it has, the links
# still have their device. Retry for up to 5 s.
total=0
for _ in $(seq 1 20); do
	total=$((total + $("$CLI" -j gc | jq .removed)))
	[ -d "$GDIR" ] || break
	sleep 0.25
done
check "gc removed them" test ! -d "$GDIR"
check "gc reported it ($total removed)" test "$total" -ge 1
check "gc again removes nothing" test "$("$CLI" -j gc | jq .removed)" -eq 0

# ---- gc in a live namespace: the underlay deleted under its pool leaves pins
# and the input guard's chains; gc run there removes both.
ip -n "$H" link add ugc type veth peer name ugc1
ip -n "$H" link set ugc up
"$CLI" -n "$H" pool create dev ugc type vxlan remote 10.31.0.2 count 2 dummy-base 5000000 >/dev/null
GDIR=$(pin_dir "$H" ugc)
check "pool on ugc: pins and its nftables chains" bash -c \
	"test -d '$GDIR' && nsenter --net=/run/netns/$H nft list table inet latebind | grep -q 'chain pool_'"
ip -n "$H" link del ugc
check "gc in H removes the dead pool's pins" bash -c "'$CLI' -n '$H' gc >/dev/null && test ! -d '$GDIR'"
check "...and its nftables chains (the table goes with the last one)" bash -c \
	"! nsenter --net=/run/netns/$H nft list table inet latebind >/dev/null 2>&1"

summary
