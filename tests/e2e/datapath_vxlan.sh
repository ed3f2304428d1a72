#!/bin/bash
# The datapath on the wire, driven by bpftool alone (docs/maps.md), against a
# stock VXLAN peer that knows nothing of latebind.
#
#   netns H (latebind side)                     netns P (stock peer)
#   vx0  vxlan id DUMMY  10.99.0.1/24           vxp  vxlan id 100  10.99.0.2/24
#    |                                            |
#   ul0 10.9.0.1/24  ==== veth ================  ul1 10.9.0.2/24
#   lb_egress/lb_ingress (tcx)                    tcpdump here: the wire
#
# Runs with the UDP checksum off and on, with tx checksum offload off on both
# veths: with offload on, veth trusts CHECKSUM_PARTIAL and hides bad sums.
SUITE=datapath_vxlan
. "$(dirname "$0")/lib.sh"

DUMMY=16711680
REAL=100
TCPDUMP=$(command -v tcpdump)
CAP=$(mktemp -d)
trap 'cleanup_netns; rm -rf "$CAP"' EXIT

le32() { printf '%02x %02x %02x %02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
# An lb_egress_val (24 bytes): binding word $1, ifindex 0, mac[0] and mac[1]
# zero (set = 0: the ingress key is the wildcard, no inner MAC).
egress_val() { echo "$(le32 "$1") 00 00 00 00 $(printf '00 %.0s' $(seq 16))"; }
INGRESS_KEY="$(le32 $REAL) 0a 09 00 02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 04 00"
# The same key as seven little-endian words, for the hash (docs/maps.md).
INGRESS_WORDS=("$REAL" 0x0200090a 0 0 0 0 0x00040000)
# lb_ingress_hash() in shell arithmetic (64-bit, wrapping; >> made logical):
# the key's first bucket's first entry, from lb_config's seed and buckets.
ingress_index() {
	local w=("${INGRESS_WORDS[@]}") cfg seed buckets h
	cfg=$(bpftool -j map lookup pinned "$DIR/lb_config" key hex $(le32 0))
	seed=$(jq .formatted.value.ingress_seed <<<"$cfg")
	buckets=$(jq .formatted.value.ingress_buckets <<<"$cfg")
	h=$(( ((w[0] ^ w[2] ^ w[4] ^ w[6]) & 0xffffffff) << 32 | ((w[1] ^ w[3] ^ w[5] ^ seed) & 0xffffffff) ))
	h=$(( h ^ (h >> 33 & 0x7fffffff) ))
	h=$(( h * 0xff51afd7ed558ccd ))
	h=$(( h ^ (h >> 29 & 0x7ffffffff) ))
	echo $(( (h & (buckets - 1)) * 4 ))
}
# Egress slot: index DUMMY - dummy_min (0).
set_word() { bpftool map update pinned "$DIR/lb_egress_bind" key hex $(le32 0) value hex $(egress_val "$1"); }
# Per-CPU counter sum, read with bpftool.
drops() { bpftool -j map lookup pinned "$DIR/lb_drop_stats" key hex $(le32 "$1") | jq '[.formatted.values[].value] | add'; }
snmp() { in_ns "$1" awk -v p="$2:" -v f="$3" '$1 == p { if (!h) { for (i = 1; i <= NF; i++) col[$i] = i; h = 1 } else print $col[f] }' /proc/net/snmp; }
# VNIs seen on the wire in capture $1 (optional pcap filter $2), one per packet.
wire_vnis() { "$TCPDUMP" -Z root -nn -r "$1" "udp port 4789 ${2:+and $2}" 2>/dev/null | grep -oE 'vni [0-9]+' | awk '{print $2}'; }

# A one-shot iperf3 server in P that gives up after 60 s, detached from our fds.
start_iperf_server() {
	in_ns "$P" timeout 60 iperf3 -s -1 -B 10.99.0.2 >/dev/null 2>&1 3>&- &
	sleep 0.5
}

# A capture of the wire on P's side, in pcap file $1.
start_capture() {
	nsenter --net="/run/netns/$P" "$TCPDUMP" -Z root -i ul1 -nn -s 128 --immediate-mode -U \
		-w "$1" udp port 4789 >/dev/null 2>&1 3>&- &
	TCPDUMP_PID=$!
	sleep 1
}

stop_capture() {
	sleep 0.5
	kill "$TCPDUMP_PID"
	wait "$TCPDUMP_PID" 2>/dev/null
}

setup() { # UDPCSUM: udpcsum | noudpcsum
	new_netns H h || return 1
	new_netns P p || return 1
	ip link add ul0 netns "$H" type veth peer name ul1 netns "$P"
	ip -n "$H" addr add 10.9.0.1/24 dev ul0
	ip -n "$P" addr add 10.9.0.2/24 dev ul1
	ip -n "$H" link set ul0 up
	ip -n "$P" link set ul1 up
	in_ns "$H" ethtool -K ul0 tx off >/dev/null
	in_ns "$P" ethtool -K ul1 tx off >/dev/null
	ip -n "$H" link add vx0 type vxlan id $DUMMY remote 10.9.0.2 local 10.9.0.1 dstport 4789 dev ul0 "$1"
	ip -n "$P" link add vxp type vxlan id $REAL remote 10.9.0.1 local 10.9.0.2 dstport 4789 dev ul1 "$1"
	# Attach before the pool tunnel comes up: its first packets (IPv6 ND) are
	# already subject to fail-closed.
	"$CLI" -n "$H" datapath attach dev ul0 >/dev/null || return 1
	DIR=$(pin_dir "$H" ul0)
	ip -n "$H" addr add 10.99.0.1/24 dev vx0
	ip -n "$P" addr add 10.99.0.2/24 dev vxp
	ip -n "$H" link set vx0 up
	ip -n "$P" link set vxp up
}

teardown() {
	"$CLI" -n "$H" datapath detach dev ul0 >/dev/null
	ip netns del "$H"
	ip netns del "$P"
	NAMESPACES=()
}


scenario() { # UDPCSUM
	local mode=$1 before after n
	setup "$mode" || { fail "$mode: setup"; return; }

	# 1. Unbound: nothing reaches the wire, the drop counter rises.
	start_capture "$CAP/$mode-unbound.pcap"
	before=$(drops 0)
	in_ns "$H" ping -c 3 -i 0.2 -W 1 10.99.0.2 >/dev/null 2>&1
	after=$(drops 0)
	stop_capture
	# The peer's own packets (its ND, on VNI 100) are on the wire too: count ours.
	n=$(wire_vnis "$CAP/$mode-unbound.pcap" "src host 10.9.0.1" | wc -l)
	check "$mode: unbound tunnel puts 0 packets on the wire (saw $n)" test "$n" -eq 0
	check "$mode: unbound drop counter rose ($before -> $after)" test "$after" -gt "$before"

	# 2. Bind with bpftool: the ingress entry first (it delivers nothing
	# yet: its tunnel's word is 0, so it is stale), then the egress record,
	# whose word LB_EGRESS_BOUND | REAL commits both directions.
	# The table is empty: the key goes into the first entry of its first bucket.
	IDX=$(ingress_index)
	bpftool map update pinned "$DIR/lb_ingress_tab" key hex $(le32 "$IDX") value hex $INGRESS_KEY $(le32 $DUMMY)
	set_word $((0x80000000 | REAL))

	start_capture "$CAP/$mode-bound.pcap"
	# Checksum errors on both ends: P sees egress rewrites, H ingress ones.
	local ns errs0=()
	for ns in "$P" "$H"; do errs0+=("$(snmp "$ns" Udp InCsumErrors)" "$(snmp "$ns" Tcp InCsumErrors)"); done
	ip -n "$H" neigh flush dev vx0
	check "$mode: ping over the bound tunnel" in_ns "$H" ping -q -c 5 -i 0.2 -w 10 10.99.0.2 >/dev/null
	# Bulk TCP both ways through the rewritten tunnel.
	start_iperf_server
	check "$mode: 64 MB of TCP through the tunnel" in_ns "$H" iperf3 -c 10.99.0.2 -n 64M >/dev/null
	start_iperf_server
	check "$mode: 64 MB of TCP back (ingress rewrite)" in_ns "$H" iperf3 -c 10.99.0.2 -n 64M -R >/dev/null
	stop_capture
	check "$mode: peer UDP InCsumErrors stayed ${errs0[0]}" test "$(snmp "$P" Udp InCsumErrors)" -eq "${errs0[0]}"
	check "$mode: peer TCP InCsumErrors stayed ${errs0[1]}" test "$(snmp "$P" Tcp InCsumErrors)" -eq "${errs0[1]}"
	check "$mode: pool side UDP InCsumErrors stayed ${errs0[2]}" test "$(snmp "$H" Udp InCsumErrors)" -eq "${errs0[2]}"
	check "$mode: pool side TCP InCsumErrors stayed ${errs0[3]}" test "$(snmp "$H" Tcp InCsumErrors)" -eq "${errs0[3]}"
	wire_vnis "$CAP/$mode-bound.pcap" | sort | uniq -c >"$CAP/vnis"
	check "$mode: the wire carries VNI $REAL ($(tr -s ' \n' ' ' <"$CAP/vnis"))" grep -qE "^ +[0-9]+ $REAL$" "$CAP/vnis"
	check "$mode: the wire carries no other VNI" test "$(wc -l <"$CAP/vnis")" -eq 1

	# 3. Anti-spoof: the peer sends to the dummy VNI directly.
	ip -n "$P" link add vxs type vxlan id $DUMMY remote 10.9.0.1 local 10.9.0.2 dstport 4789 dev ul1 "$mode"
	ip -n "$P" addr add 10.98.0.2/24 dev vxs
	ip -n "$P" link set vxs up
	before=$(drops 1)
	# Watch the pool tunnel itself for anything from the spoofing side.
	nsenter --net="/run/netns/$H" "$TCPDUMP" -Z root -i vx0 -nn --immediate-mode -U \
		-w "$CAP/$mode-spoof.pcap" "arp or net 10.98.0.0/24" >/dev/null 2>&1 3>&- &
	TCPDUMP_PID=$!
	sleep 1
	in_ns "$P" ping -c 3 -i 0.2 -W 1 10.98.0.1 >/dev/null 2>&1
	stop_capture
	n=$("$TCPDUMP" -Z root -nn -r "$CAP/$mode-spoof.pcap" "arp host 10.98.0.1 or net 10.98.0.0/24" 2>/dev/null | wc -l)
	check "$mode: spoofed dummy VNI counted as a drop ($before -> $(drops 1))" test "$(drops 1)" -gt "$before"
	check "$mode: the pool tunnel received none of it (saw $n)" test "$n" -eq 0

	# 4. A leftover ingress entry: unbind's first step (word 0) alone, as a
	# control plane killed between the two steps would leave it. Traffic
	# from the peer must be dropped as stale, not delivered to the tunnel.
	set_word 0
	before=$(drops 3)
	nsenter --net="/run/netns/$H" "$TCPDUMP" -Z root -i vx0 -nn --immediate-mode -U \
		-w "$CAP/$mode-stale.pcap" "arp or host 10.99.0.2" >/dev/null 2>&1 3>&- &
	TCPDUMP_PID=$!
	sleep 1
	in_ns "$P" ping -c 3 -i 0.2 -W 1 10.99.0.1 >/dev/null 2>&1
	stop_capture
	n=$("$TCPDUMP" -Z root -nn -r "$CAP/$mode-stale.pcap" "arp or host 10.99.0.2" 2>/dev/null | wc -l)
	check "$mode: leftover ingress entry: stale drops counted ($before -> $(drops 3))" test "$(drops 3)" -gt "$before"
	check "$mode: leftover ingress entry: the pool tunnel received none of it (saw $n)" test "$n" -eq 0
	# Committing the word again delivers again: the word is the switch.
	set_word $((0x40000000 | 0x80000000 | REAL))
	ip -n "$P" neigh flush dev vxp
	check "$mode: re-committed (with MAC_SEL set): the peer reaches the pool side" \
		in_ns "$P" ping -q -c 3 -i 0.2 -w 10 10.99.0.1 >/dev/null
	# Unbind, egress word first, then the ingress entry.
	set_word 0
	bpftool map update pinned "$DIR/lb_ingress_tab" key hex $(le32 "$IDX") value hex $(printf '00 %.0s' $(seq 32))
	check "$mode: unbound: no ingress entry left" \
		test "$(bpftool -j map dump pinned "$DIR/lb_ingress_tab" | jq '[.[] | select(.value[26] != "0x00")] | length')" -eq 0
	teardown
}

scenario noudpcsum
scenario udpcsum
summary
