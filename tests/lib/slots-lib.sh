# shellcheck shell=bash
# The slots scenario (docs/slots.md), shared by tests/e2e/slots.sh (VXLAN on
# the host) and tests/vm/tests/50-slots-geneve.sh (Geneve in the VM). Sourced
# after lib.sh or lib-vm.sh, with IP, TCPDUMP, JQ, PING, CLI and TAPIO set.
# slots_scenario TYPE runs it all; each guest is lb-tapio on its slot's tap,
# as the tap's unprivileged owner.
#
#   netns H                                          netns V, then T<vni>
#   guest A = lb-tapio on lbt0 (uid nobody)          stock peers, REAL VNIs
#   guest B = lb-tapio on lbt1                       100: 192.168.10.2 (tenant 100)
#   lbt0..3 taps  <-redirect->  lb0..3 tunnels       101: 192.168.11.2 (tenant 101)
#   ulh 10.50.0.1/24 ========== veth ============    200: 192.168.10.2 (tenant 200)
#
#  1 the taps as made: owner, flags, MTU, IPv6 off, tag, show
#  2 the owner opens its tap without root; another uid cannot; one opener
#  3 unbound: the guest's frames reach no wire
#  4 bound (by the tap's name): ping out, ping in
#  5 rebind to another tenant: no old-VNI packet after the call returned
#  6 another slot's guest reaches nothing of A's: L2 broadcast, ARP, ND,
#    unicast to A's MAC; an unbound slot hears nothing at all
#  7 the host stack and the guests never meet, whatever root configures
#  8 bad input refused, nothing changed
#  9 a tunnel and a tap deleted from outside: re-running create repairs
# 10 kill -9 during create and destroy; re-running finishes; destroy
#    leaves the namespace as it was
# SLOTS_KILL_COUNT (default 300): the pool size of the kill -9 rounds.

# slots_setup_host, slots_setup_vm: the tools, a scratch directory $CAP and
# the cleanup, for the e2e scripts on the host and the VM suite's.
slots_setup_host() {
	IP=ip JQ=jq PING=ping NSENTER=nsenter
	TCPDUMP=$(command -v tcpdump)
	TAPIO=${LB_TAPIO:-${BUILD:-build}/tests/lb-tapio}
	CAP=$(mktemp -d)
	trap 'cleanup_netns; slotns_cleanup; rm -rf "$CAP"' EXIT
}
slots_setup_vm() {
	TAPIO=/payload/lb-tapio
	CAP=$(mktemp -d)
	trap 'cleanup_netns; slotns_cleanup; rm -rf "$CAP"' EXIT
	# The kill -9 rounds: a smaller pool, as TCG is slow.
	SLOTS_KILL_COUNT=${SLOTS_KILL_COUNT:-60}
}

lbj() { "$CLI" -n "$H" -j "$@"; }
snmp() { in_ns "$1" awk -v p="$2:" -v f="$3" '$1 == p { if (!h) { for (i = 1; i <= NF; i++) col[$i] = i; h = 1 } else print $col[f] }' /proc/net/snmp; }
drops() { lbj stats | "$JQ" "[.[].drops.$1] | add"; }
# guest TAP ARGS...: lb-tapio on TAP in H, as the taps' owner.
guest() { local tap=$1; shift; in_ns "$H" "$TAPIO" "$tap" tun "$TUN_NODE" user "$OWNER_UID" vnet-hdr "$@"; }

start_capture() { # FILE IFACE NETNS FILTER
	"$NSENTER" --net="/run/netns/$3" "$TCPDUMP" -Z root -i "$2" -nn -s 128 --immediate-mode -U \
		-w "$1" "$4" >/dev/null 2>&1 3>&- &
	TCPDUMP_PID=$!
	sleep 1
}
# vni_re VNI: how tcpdump prints it (VXLAN in decimal, Geneve in hex).
vni_re() {
	if [ "$TYPE" = geneve ]; then printf ' vni 0x%x([^0-9a-f]|$)' "$1"; else printf ' vni %u([^0-9]|$)' "$1"; fi
}
stop_capture() { sleep 0.5; kill "$TCPDUMP_PID" 2>/dev/null; wait "$TCPDUMP_PID" 2>/dev/null; }
cap_count() { "$TCPDUMP" -Z root -nn -r "$1" ${2:+"$2"} 2>/dev/null | wc -l; }

# peer VNI NETNS-VAR ADDR/LEN: a stock tunnel of TYPE made in V, moved to its
# own namespace, IPv6 off (a quiet tenant: what a guest hears is countable).
peer() {
	local vni=$1 var=$2 addr=$3 ns dev=p$1
	new_netns "$var" "t$vni" || return 1
	ns=${!var}
	if [ "$TYPE" = geneve ]; then
		"$IP" -n "$V" link add "$dev" type geneve id "$vni" remote 10.50.0.1 || return 1
	else
		"$IP" -n "$V" link add "$dev" type vxlan id "$vni" remote 10.50.0.1 dstport 4789 dev ulv ||
			return 1
	fi
	"$IP" -n "$V" link set "$dev" netns "$ns"
	in_ns "$ns" sh -c "echo 1 >/proc/sys/net/ipv6/conf/$dev/disable_ipv6"
	"$IP" -n "$ns" addr add "$addr" dev "$dev"
	"$IP" -n "$ns" link set "$dev" up
}

# snapshot: the pool namespace's links, tc, nftables and pins.
snapshot() {
	{
		"$IP" -n "$H" -d -o link show | sed -E 's/ (link\/ether|alias) .*//' | cut -d: -f2- | sort
		in_ns "$H" nft list ruleset 2>/dev/null
		# This namespace's pins only: other tests may run beside this one.
		[ -z "${NSPINS:-}" ] || find "$NSPINS" 2>/dev/null | sort
	}
}

# lab_state: what a refusal must leave as it was: the snapshot, show, and
# the slot namespaces. settled_state: it, once two reads 0.25 s apart agree
# (a device just made settles its state asynchronously: slow under TCG).
lab_state() { snapshot; lbj show; slotns_list; }
settled_state() {
	local a b
	a=$(lab_state)
	for _ in $(seq 20); do
		sleep 0.25
		b=$(lab_state)
		[ "$a" = "$b" ] && break
		a=$b
	done
	echo "$a"
}

# refused DESCRIPTION PATTERN ARGS...: `latebind -n H ARGS` fails, says
# PATTERN, and leaves lab_state as $state.
refused() {
	local what=$1 pat=$2 out rc
	shift 2
	out=$("$CLI" -n "$H" "$@" 2>&1)
	rc=$?
	check "$what: refused ($out)" test "$rc" -ne 0
	check "...naming the problem" grep -q "$pat" <<<"$out"
	check "...nothing changed" test "$(lab_state)" = "$state" ||
		diff <(echo "$state") <(lab_state) | head -n 6
}

# slots_lab TYPE TAG: the owner, a tun node, namespaces H (pool, "TAGhost")
# and V (tenants' side) joined by the underlay veth, and the peers of
# tenants 100 and 101; non-zero (after a failure) if any of it fails.
slots_lab() {
	TYPE=$1
	OWNER=nobody
	OWNER_UID=$(id -u nobody)
	# A VMM's user needs read and write on a tun node. Debian's udev makes
	# /dev/net/tun 0666; some hosts (this one: 0600) do not, and a jailer makes
	# its own node in the jail. The test does as a jailer: its own node, 0666, so
	# that only the taps' ownership decides who gets in.
	chmod 0755 "$CAP"
	TUN_NODE=$CAP/tun
	[ -e "$TUN_NODE" ] || mknod -m 0666 "$TUN_NODE" c 10 200
	[ -x "$TAPIO" ] || { fail "no $TAPIO: build it (make $TAPIO)"; return 1; }
	if [ "$TYPE" = geneve ]; then PORT=6081; else PORT=4789; fi
	KILL_COUNT=${SLOTS_KILL_COUNT:-300}
	new_netns H "$2host" && new_netns V "$2vpc" || { fail "lab setup"; return 1; }
	"$IP" link add ulh netns "$H" type veth peer name ulv netns "$V"
	"$IP" -n "$H" addr add 10.50.0.1/24 dev ulh
	"$IP" -n "$V" addr add 10.50.0.2/24 dev ulv
	"$IP" -n "$H" link set ulh up
	"$IP" -n "$V" link set ulv up
	peer 100 T100 192.168.10.2/24 && peer 101 T101 192.168.11.2/24 || { fail "peers"; return 1; }
}

# slots_scenario TYPE: all of it, in a fresh lab (CAP: a scratch directory).
slots_scenario() {
	GA_MAC=02:6c:00:00:00:0a GB_MAC=02:6c:00:00:00:0b
	slots_lab "$1" "" && peer 200 T200 192.168.10.2/24 || { fail "lab"; return; }
	BEFORE=$(snapshot)

	# ---- 1. the taps as made ------------------------------------------------------
	out=$("$CLI" -n "$H" pool create dev ulh type "$TYPE" remote 10.50.0.2 count 4 taps tap-owner "$OWNER" 2>&1)
	rc=$? # before the check's own $(...) resets it
	check "pool create ... count 4 taps tap-owner $OWNER ($(head -n 1 <<<"$out"))" test "$rc" -eq 0
	NSPINS=$(dirname "$("$CLI" -n "$H" -j datapath show dev ulh | "$JQ" -r .pins)")
	for s in 0 1 2 3; do
		d=$("$IP" -n "$H" -d -j link show "lbt$s" 2>/dev/null)
		check "lbt$s: a tap, persistent, vnet_hdr, single queue, owned by $OWNER" \
			"$JQ" -e --arg u "$OWNER" '.[0].linkinfo.info_kind == "tun" and
				.[0].linkinfo.info_data.type == "tap" and .[0].linkinfo.info_data.persist and
				.[0].linkinfo.info_data.vnet_hdr and (.[0].linkinfo.info_data.multi_queue | not) and
				.[0].linkinfo.info_data.user == $u' <<<"$d" >/dev/null
		tmtu=$("$IP" -n "$H" -j link show "lb$s" | "$JQ" '.[0].mtu')
		check "lbt$s: MTU $("$JQ" '.[0].mtu' <<<"$d") = its tunnel's ($tmtu), up, tagged latebind-tap" \
			"$JQ" -e --argjson m "$tmtu" '.[0].mtu == $m and (.[0].flags | index("UP")) and
				(.[0].ifalias | startswith("latebind-tap:"))' <<<"$d" >/dev/null
		check "lbt$s: IPv6 off" test "$(in_ns "$H" cat "/proc/sys/net/ipv6/conf/lbt$s/disable_ipv6")" = 1
	done
	check "show -j: taps, prefix lbt, owner uid $OWNER_UID, each tunnel its tap" \
		"$JQ" -e --argjson u "$OWNER_UID" '.[0].taps and .[0].tap_prefix == "lbt" and
			.[0].tap_owner_uid == $u and ([.[0].tunnels[].tap] == ["lbt0","lbt1","lbt2","lbt3"])' \
		<<<"$(lbj show)" >/dev/null
	check "show (text) names the taps and their owner" \
		grep -q "taps tap-prefix lbt tap-owner $OWNER_UID" <<<"$("$CLI" -n "$H" show)"

	# ---- 2. who may open a tap ------------------------------------------------------
	check "uid $OWNER_UID (the owner) opens lbt0 without root" guest lbt0 open >/dev/null
	out=$(in_ns "$H" "$TAPIO" lbt0 tun "$TUN_NODE" user 4321 vnet-hdr open 2>&1)
	check "uid 4321 cannot open lbt0 ($out)" test $? -ne 0
	# A single-queue tap takes one opener: nobody else attaches to a guest's tap.
	guest lbt0 listen 1500 >/dev/null &
	lp=$!
	sleep 0.3
	out=$(guest lbt0 open 2>&1)
	check "while a guest holds lbt0, a second open by the same uid fails ($out)" grep -q 'busy' <<<"$out"
	wait "$lp"

	# ---- 3. unbound: nothing on the wire -------------------------------------------
	start_capture "$CAP/unbound.pcap" ulv "$V" "udp port $PORT"
	d0=$(drops unbound)
	out=$(guest lbt0 ping "$GA_MAC" 192.168.10.1 192.168.10.2 count 3 wait 500)
	stop_capture
	check_fails "unbound lbt0: the guest's ping gets no reply" grep -q 'ping: 3 sent, 3 received' <<<"$out"
	check "unbound lbt0: 0 packets on the wire (saw $(cap_count "$CAP/unbound.pcap"))" \
		test "$(cap_count "$CAP/unbound.pcap")" -eq 0
	check "unbound drops rose ($d0 -> $(drops unbound))" test "$(drops unbound)" -gt "$d0"

	# ---- 4. bound by the tap's name: ping both ways, TCP --------------------------
	out=$("$CLI" -n "$H" bind lbt0 vni 100 2>&1)
	check "bind lbt0 vni 100 (the tap's name): $out" grep -q 'vni 100 tap lbt0' <<<"$out"
	out=$(guest lbt0 ping "$GA_MAC" 192.168.10.1 192.168.10.2 count 5)
	check "guest A pings tenant 100 through lbt0 ($(tail -n 1 <<<"$out"))" grep -q 'ping: 5 sent, 5 received' <<<"$out"
	guest lbt0 serve "$GA_MAC" 192.168.10.1 4000 >"$CAP/serve" &
	spid=$!
	sleep 0.3
	check "tenant 100 pings guest A" in_ns "$T100" "$PING" -c 3 -i 0.3 -w 3 192.168.10.1 >/dev/null
	wait "$spid"
	check "...and guest A answered ($(grep answered-echo "$CAP/serve"))" grep -Eq 'answered-echo [3-9]' "$CAP/serve"

	# ---- 5. rebind to tenant 200 -------------------------------------------------------
	start_capture "$CAP/rebind.pcap" ulv "$V" "udp port $PORT"
	guest lbt0 ping "$GA_MAC" 192.168.10.1 192.168.10.2 count 40 interval 50 wait 300 >"$CAP/ping-rebind" &
	ppid=$!
	sleep 0.6
	"$CLI" -n "$H" bind lbt0 vni 200 >/dev/null
	t_bind=$EPOCHREALTIME
	wait "$ppid"
	stop_capture
	old_after=$("$TCPDUMP" -Z root -nn -tt -r "$CAP/rebind.pcap" 'src host 10.50.0.1' 2>/dev/null |
		awk -v t="$t_bind" -v p="$(vni_re 100)" '$1 > t && $0 ~ p' | wc -l)
	new=$("$TCPDUMP" -Z root -nn -r "$CAP/rebind.pcap" 'src host 10.50.0.1' 2>/dev/null | grep -cE "$(vni_re 200)")
	check "rebind lbt0 vni 200: no VNI 100 packet after bind returned (saw $old_after)" test "$old_after" -eq 0
	check "...and tenant 200 got the guest's packets ($new with VNI 200)" test "$new" -gt 0
	out=$(guest lbt0 ping "$GA_MAC" 192.168.10.1 192.168.10.2 count 3)
	check "guest A now reaches tenant 200 (same address, other tenant)" grep -q 'ping: 3 sent, 3 received' <<<"$out"

	# ---- 6. another slot's guest ----------------------------------------------------------
	"$CLI" -n "$H" bind lbt1 vni 101 >/dev/null
	# B listens on lbt1, C (unbound lbt2) listens too, while A floods every L2
	# shape at everyone, and tenant 101 (B's own) pings B as a control.
	guest lbt1 listen 3000 >"$CAP/listen-b" &
	lb=$!
	guest lbt2 listen 3000 >"$CAP/listen-c" &
	lc=$!
	sleep 0.3
	guest lbt0 flood "$GA_MAC" 2000 to "$GB_MAC" >"$CAP/flood" &
	lf=$!
	in_ns "$T101" "$PING" -c 2 -i 0.3 -w 2 192.168.11.1 >/dev/null 2>&1
	wait "$lb" "$lc" "$lf"
	ga_hex=${GA_MAC//:/}
	rounds=$(grep -oE '[0-9]+ rounds' "$CAP/flood" | cut -d' ' -f1)
	check "A flooded ($rounds rounds of broadcast, ARP, ND and unicast to B's MAC)" test "${rounds:-0}" -gt 10
	check "B heard nothing from A (frames from $GA_MAC: $(grep -c "^frame .\{12\}$ga_hex" "$CAP/listen-b"))" \
		test "$(grep -c "^frame .\{12\}$ga_hex" "$CAP/listen-b")" -eq 0
	check "control: B heard its own tenant's ARP ($(grep 'count arp' "$CAP/listen-b"))" \
		grep -Eq 'count arp [1-9]' "$CAP/listen-b"
	check "unbound C heard nothing at all ($(grep 'count total' "$CAP/listen-c"))" \
		grep -q 'count total 0$' "$CAP/listen-c"

	# ---- 7. the host stack and the guests -----------------------------------------------
	# Root gives lbt0 an address: the host's own frames must still never reach A,
	# and A's frames to that address never reach the host.
	"$IP" -n "$H" addr add 10.77.0.1/24 dev lbt0
	"$IP" -n "$H" neigh replace 10.77.0.2 lladdr "$GA_MAC" dev lbt0
	b0=$(drops bypass)
	guest lbt0 listen 2000 >"$CAP/listen-a" &
	la=$!
	sleep 0.3
	in_ns "$H" "$PING" -c 3 -i 0.2 -w 1 10.77.0.2 >/dev/null 2>&1
	wait "$la"
	check "the host's pings to A's address never reached A ($(grep 'count total' "$CAP/listen-a"))" \
		test "$(grep -c '^frame .\{24\}0800' "$CAP/listen-a")" -eq 0
	check "...dropped by lb_tap_egress (bypass drops $b0 -> $(drops bypass))" test "$(drops bypass)" -gt "$b0"
	e0=$(snmp "$H" Icmp InEchos)
	guest lbt0 ping "$GA_MAC" 10.77.0.2 10.77.0.1 count 3 wait 500 >"$CAP/to-host"
	e1=$(snmp "$H" Icmp InEchos)
	check "A's ARP and pings to the host's address on lbt0 never reached the host (InEchos $e0 -> $e1)" \
		test "$e0" = "$e1"
	check_fails "...and got no answer" grep -q 'ping: 3 sent, 3 received' "$CAP/to-host"
	"$IP" -n "$H" addr del 10.77.0.1/24 dev lbt0

	# ---- 8. bad input: refused, nothing changed -----------------------------------------
	"$IP" link add ul2 netns "$H" type veth peer name uv2 netns "$V"
	"$IP" -n "$H" link set ul2 up
	"$IP" -n "$H" tuntap add dev lct0 mode tap # someone else's tap
	state=$(settled_state)
	refused "tap-owner that does not exist" 'no user "nosuchuser"' \
		pool create dev ul2 type "$TYPE" remote 10.51.0.2 count 2 prefix lc dummy-base 1000 taps tap-owner nosuchuser
	refused "tap-owner uid with no user" 'there is no user with uid 3999999' \
		pool create dev ul2 type "$TYPE" remote 10.51.0.2 count 2 prefix lc dummy-base 1000 taps tap-owner 3999999
	refused "a tap name that is taken (lct0, someone else's tap)" 'lct0 exists and is not the tap of slot 0' \
		pool create dev ul2 type "$TYPE" remote 10.51.0.2 count 2 prefix lc dummy-base 1000 taps
	refused "the pool with taps, asked for without them" 'already has a pool with other settings' \
		pool create dev ulh type "$TYPE" remote 10.50.0.2 count 4
	refused "other tap settings on the existing pool" 'already has a pool with other settings' \
		pool create dev ulh type "$TYPE" remote 10.50.0.2 count 4 taps tap-owner root
	refused "a tap prefix that names the tunnels" 'also a tunnel' \
		pool create dev ul2 type "$TYPE" remote 10.51.0.2 count 12 prefix lc dummy-base 1000 taps tap-prefix lc1
	refused "tap-owner without taps" 'is an option of taps' \
		pool create dev ul2 type "$TYPE" remote 10.51.0.2 count 2 prefix lc dummy-base 1000 tap-owner nobody
	"$IP" -n "$H" link del lct0
	"$CLI" -n "$H" pool create dev ul2 type "$TYPE" remote 10.51.0.2 count 2 prefix lc dummy-base 1000 >/dev/null
	state=$(lab_state)
	refused "taps on a pool that exists without them" 'already has a pool with other settings' \
		pool create dev ul2 type "$TYPE" remote 10.51.0.2 count 2 prefix lc dummy-base 1000 taps
	"$CLI" -n "$H" pool destroy dev ul2 >/dev/null
	"$IP" -n "$H" link del ul2

	# ---- 9. repair: a tunnel and a tap deleted from outside -------------------------------
	"$IP" -n "$H" link del lb3
	"$IP" -n "$H" link del lbt2
	check "show: a tap gone is unguarded ($(lbj show | "$JQ" -c '.[0].unguarded_taps'))" \
		test "$(lbj show | "$JQ" '.[0].unguarded_taps')" -eq 1
	out=$("$CLI" -n "$H" pool create dev ulh type "$TYPE" remote 10.50.0.2 count 4 taps tap-owner "$OWNER" 2>&1)
	check "pool create again makes lb3 and lbt2 again ($(head -n 1 <<<"$out"))" \
		test -n "$("$IP" -n "$H" -o link show lb3 2>/dev/null)" -a -n "$("$IP" -n "$H" -o link show lbt2 2>/dev/null)"
	check "...recorded and guarded (unguarded tunnels and taps: $(lbj show | "$JQ" -c '[.[0].unguarded_tunnels, .[0].unguarded_taps]'))" \
		test "$(lbj show | "$JQ" -c '[.[0].unguarded_tunnels, .[0].unguarded_taps, .[0].tunnels[2].tap]')" = '[0,0,"lbt2"]'
	"$CLI" -n "$H" unbind lbt1 >/dev/null
	"$CLI" -n "$H" bind lbt2 vni 101 >/dev/null
	out=$(guest lbt2 ping 02:6c:00:00:00:0c 192.168.11.1 192.168.11.2 count 3)
	check "the new lbt2, bound, reaches its tenant" grep -q 'ping: 3 sent, 3 received' <<<"$out"

	# ---- 10. kill -9 during create and destroy, then destroy --------------------------------
	"$CLI" -n "$H" pool destroy dev ulh >/dev/null
	check "destroy: taps, tunnels, programs, chains and pins gone: the namespace is as before" \
		test "$(snapshot)" = "$BEFORE" || diff <(echo "$BEFORE") <(snapshot) | head -n 8
	# The state a create killed between attaching the datapath and writing
	# lb_pool leaves: the datapath, its nftables chains, lb_slots, no device.
	# (On 66d1ee0 a re-run refused it: "datapath is attached ... without a pool".)
	"$CLI" -n "$H" pool create dev ulh type "$TYPE" remote 10.50.0.2 count 4 taps >/dev/null
	pins=$("$CLI" -n "$H" -j datapath show dev ulh | "$JQ" -r .pins)
	for s in 0 1 2 3; do "$IP" -n "$H" link del "lb$s"; "$IP" -n "$H" link del "lbt$s"; done
	rm "$pins/lb_pool"
	out=$("$CLI" -n "$H" pool create dev ulh type "$TYPE" remote 10.50.0.2 count 4 taps 2>&1)
	check "a create interrupted before lb_pool: the re-run finishes it ($(head -n 1 <<<"$out"))" \
		test "$(lbj show | "$JQ" -c '[.[0].count, .[0].unguarded_tunnels, .[0].unguarded_taps, .[0].input_guard]')" = '[4,0,0,true]'
	"$CLI" -n "$H" pool destroy dev ulh >/dev/null
	kills=0
	for delay in 0.05 0.15 0.3 0.6; do
		"$CLI" -n "$H" pool create dev ulh type "$TYPE" remote 10.50.0.2 count "$KILL_COUNT" taps tap-owner "$OWNER" \
			>/dev/null 2>&1 &
		p=$!
		sleep "$delay"
		kill -9 "$p" 2>/dev/null && kills=$((kills + 1))
		wait "$p" 2>/dev/null
		n=$("$IP" -n "$H" -o link show type tun | grep -c 'lbt')
		untagged=$("$IP" -n "$H" -d -o link show type tun | grep 'lbt' | grep -vc 'alias latebind-tap:')
		check "create killed after ${delay}s: $n taps left, none untagged" test "$untagged" -eq 0
		out=$("$CLI" -n "$H" pool create dev ulh type "$TYPE" remote 10.50.0.2 count "$KILL_COUNT" taps \
			tap-owner "$OWNER" 2>&1)
		check "...re-running create finishes the job ($(tail -n 1 <<<"$out"))" test "$(lbj show | "$JQ" '[.[0].tunnels[].tap | select(. != null)] | length')" -eq "$KILL_COUNT"
		"$CLI" -n "$H" pool destroy dev ulh >/dev/null 2>&1 &
		p=$!
		sleep "$(awk -v d="$delay" 'BEGIN { print d / 3 }')"
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
		"$CLI" -n "$H" pool destroy dev ulh >/dev/null 2>&1
		check "...destroy killed, then re-run: the namespace is as before" test "$(snapshot)" = "$BEFORE" ||
			diff <(echo "$BEFORE") <(snapshot) | head -n 8
	done
	check "some creates were killed mid-way ($kills of 4)" test "$kills" -gt 0
}

# ---- per-slot namespaces (pool create ... netns-prefix) ------------------------
# slotns NAME ARGS...: run in slot namespace NAME; guest_in NS TAP ARGS...:
# lb-tapio there, as the taps' owner (a VMM started in the slot's namespace).
slotns() { local ns=$1; shift; "$NSENTER" --net="/run/netns/$ns" "$@"; }
guest_in() { local ns=$1 tap=$2; shift 2; slotns "$ns" "$TAPIO" "$tap" tun "$TUN_NODE" user "$OWNER_UID" vnet-hdr "$@"; }
# The slot namespaces of this run, for the snapshot and the cleanup.
slotns_list() { [ -z "${NSP:-}" ] || ls /run/netns 2>/dev/null | grep "^$NSP" | sort; }
slotns_cleanup() { local n; for n in $(slotns_list); do "$IP" netns del "$n" 2>/dev/null; done; }

# slots_netns_scenario TYPE: slots in namespaces of their own, in a fresh lab.
slots_netns_scenario() {
	GA_MAC=02:6c:00:00:00:1a GB_MAC=02:6c:00:00:00:1b
	NSP=lbs$$-
	slots_lab "$1" n || return
	BEFORE=$(snapshot; slotns_list)
	create=(pool create dev ulh type "$TYPE" remote 10.50.0.2 count 3 taps tap-owner "$OWNER" netns-prefix "$NSP")

	# ---- N1. each slot in its namespace -----------------------------------------------
	out=$("$CLI" -n "$H" "${create[@]}" 2>&1)
	rc=$?
	check "pool create ... taps netns-prefix $NSP ($(head -n 1 <<<"$out"))" test "$rc" -eq 0
	NSPINS=$(dirname "$("$CLI" -n "$H" -j datapath show dev ulh | "$JQ" -r .pins)")
	check "namespaces ${NSP}0..2 exist in /run/netns, as ip netns names them" \
		test "$(slotns_list | tr '\n' ' ')" = "${NSP}0 ${NSP}1 ${NSP}2 "
	check "the pool's namespace keeps no tunnel and no tap" \
		test -z "$("$IP" -n "$H" -o link show | grep -E ': lbt?[0-9]+[:@]')"
	show=$(lbj show)
	for s in 0 1 2; do
		ns=$NSP$s
		tifx=$("$JQ" ".[0].tunnels[$s].ifindex" <<<"$show")
		pifx=$("$JQ" ".[0].tunnels[$s].tap_ifindex" <<<"$show")
		check "$ns holds lb$s (ifindex $tifx, as recorded) and lbt$s (ifindex $pifx), both up" \
			"$JQ" -e --argjson t "$tifx" --argjson p "$pifx" --arg s "$s" \
			'[.[] | select(.ifname == "lb\($s)" and .ifindex == $t and (.flags | index("UP")))] | length == 1' \
			<<<"$("$IP" -n "$ns" -j link show)" >/dev/null &&
			"$JQ" -e --argjson p "$pifx" --arg s "$s" \
				'[.[] | select(.ifname == "lbt\($s)" and .ifindex == $p and (.flags | index("UP")))] | length == 1' \
				<<<"$("$IP" -n "$ns" -j link show)" >/dev/null
		check "$ns: lbt$s is $OWNER's tap; IPv6 off on lbt$s and lb$s" \
			"$JQ" -e --arg u "$OWNER" '.[0].linkinfo.info_data.user == $u' \
			<<<"$("$IP" -n "$ns" -d -j link show "lbt$s")" >/dev/null &&
			test "$(slotns "$ns" cat "/proc/sys/net/ipv6/conf/lbt$s/disable_ipv6" \
				"/proc/sys/net/ipv6/conf/lb$s/disable_ipv6" | tr -d '\n')" = 11
	done
	check "show -j: netns_prefix, and each tunnel's netns" \
		"$JQ" -e --arg p "$NSP" '.[0].netns_prefix == $p and
			([.[0].tunnels[].netns] == [$p + "0", $p + "1", $p + "2"]) and
			.[0].unguarded_tunnels == 0 and .[0].unguarded_taps == 0' <<<"$show" >/dev/null
	out=$("$CLI" -n "$H" "${create[@]}" 2>&1)
	check "create again: unchanged, nothing moved ($(head -n 1 <<<"$out"))" \
		test "$(lbj show)" = "$show" -a "$(slotns_list | wc -l)" -eq 3

	# ---- N2. unbound: nothing on the wire ------------------------------------------------
	start_capture "$CAP/ns-unbound.pcap" ulv "$V" "udp port $PORT"
	out=$(guest_in "${NSP}0" lbt0 ping "$GA_MAC" 192.168.10.1 192.168.10.2 count 3 wait 500)
	stop_capture
	check_fails "unbound: the guest's ping gets no reply" grep -q 'ping: 3 sent, 3 received' <<<"$out"
	check "unbound: 0 packets on the wire (saw $(cap_count "$CAP/ns-unbound.pcap"))" \
		test "$(cap_count "$CAP/ns-unbound.pcap")" -eq 0

	# ---- N3. bound by names that live in the slots' namespaces ------------------------
	out=$("$CLI" -n "$H" bind lbt0 vni 100 2>&1)
	check "bind lbt0 vni 100 (a tap in ${NSP}0): $out" grep -q "vni 100 tap lbt0 netns ${NSP}0" <<<"$out"
	out=$("$CLI" -n "$H" bind lb1 vni 101 2>&1)
	check "bind lb1 vni 101 (a tunnel in ${NSP}1): $out" grep -q "lb1 .*vni 101" <<<"$out"
	out=$(guest_in "${NSP}0" lbt0 ping "$GA_MAC" 192.168.10.1 192.168.10.2 count 5)
	check "guest A (in ${NSP}0) pings tenant 100 ($(tail -n 1 <<<"$out"))" grep -q 'ping: 5 sent, 5 received' <<<"$out"
	b0=$(drops bypass)
	guest_in "${NSP}0" lbt0 serve "$GA_MAC" 192.168.10.1 4000 >"$CAP/ns-serve" &
	spid=$!
	sleep 0.3
	check "tenant 100 pings guest A: the ingress tag crossed into ${NSP}0" \
		in_ns "$T100" "$PING" -c 3 -i 0.3 -w 3 192.168.10.1 >/dev/null
	wait "$spid"
	check "...and guest A answered ($(grep answered-echo "$CAP/ns-serve"))" grep -Eq 'answered-echo [3-9]' "$CAP/ns-serve"
	check "...no bypass drop on the way ($b0 -> $(drops bypass))" test "$(drops bypass)" -eq "$b0"

	# ---- N4. another slot, another namespace, reaches nothing of A's ------------------
	guest_in "${NSP}1" lbt1 listen 3000 >"$CAP/ns-listen-b" &
	lb=$!
	guest_in "${NSP}2" lbt2 listen 3000 >"$CAP/ns-listen-c" &
	lc=$!
	sleep 0.3
	guest_in "${NSP}0" lbt0 flood "$GA_MAC" 2000 to "$GB_MAC" >"$CAP/ns-flood" &
	lf=$!
	in_ns "$T101" "$PING" -c 2 -i 0.3 -w 2 192.168.11.1 >/dev/null 2>&1
	wait "$lb" "$lc" "$lf"
	ga_hex=${GA_MAC//:/}
	check "B (${NSP}1) heard nothing from A ($(grep -c "^frame .\{12\}$ga_hex" "$CAP/ns-listen-b") frames)" \
		test "$(grep -c "^frame .\{12\}$ga_hex" "$CAP/ns-listen-b")" -eq 0
	check "control: B heard its own tenant's ARP ($(grep 'count arp' "$CAP/ns-listen-b"))" \
		grep -Eq 'count arp [1-9]' "$CAP/ns-listen-b"
	check "unbound C heard nothing at all ($(grep 'count total' "$CAP/ns-listen-c"))" \
		grep -q 'count total 0$' "$CAP/ns-listen-c"

	# ---- N5. bad input: refused, nothing changed ----------------------------------------
	"$IP" link add ul2 netns "$H" type veth peer name uv2 netns "$V"
	"$IP" -n "$H" link set ul2 up
	"$IP" netns add "${NSP}c1" # someone else's namespace
	state=$(settled_state)
	refused "a netns prefix that collides (${NSP}c1 exists)" "collides with namespace ${NSP}c1" \
		pool create dev ul2 type "$TYPE" remote 10.51.0.2 count 2 prefix lc dummy-base 1000 taps netns-prefix "${NSP}c"
	refused "netns-prefix without taps" 'is an option of taps' \
		pool create dev ul2 type "$TYPE" remote 10.51.0.2 count 2 prefix lc dummy-base 1000 netns-prefix "${NSP}d"
	refused "a netns prefix with a slash" 'use letters, digits' \
		pool create dev ul2 type "$TYPE" remote 10.51.0.2 count 2 prefix lc dummy-base 1000 taps netns-prefix a/b
	refused "another pool whose tunnels' names could be these slots' (prefix lb)" 'makes names that prefix "lb"' \
		pool create dev ul2 type "$TYPE" remote 10.51.0.2 count 2 prefix lb dummy-base 1000
	refused "another pool whose taps' names could be these slots' (tap-prefix lbt)" 'prefix "lbt" makes names that' \
		pool create dev ul2 type "$TYPE" remote 10.51.0.2 count 2 prefix lc dummy-base 1000 taps tap-prefix lbt
	refused "the pool again with another netns prefix" 'already has a pool with other settings' \
		pool create dev ulh type "$TYPE" remote 10.50.0.2 count 3 taps tap-owner "$OWNER" netns-prefix "${NSP}e"
	refused "the pool again without namespaces" 'already has a pool with other settings' \
		pool create dev ulh type "$TYPE" remote 10.50.0.2 count 3 taps tap-owner "$OWNER"
	"$IP" netns del "${NSP}c1"
	"$IP" -n "$H" link del ul2

	# ---- N6. repair: a slot's tunnel deleted, a slot's tap moved away ------------------
	"$IP" -n "${NSP}2" link del lb2
	"$IP" -n "${NSP}1" link set lbt1 netns "$H"
	check "show: the tunnel gone and the tap moved away are unguarded ($(lbj show | "$JQ" -c '[.[0].unguarded_tunnels, .[0].unguarded_taps]'))" \
		test "$(lbj show | "$JQ" -c '[.[0].unguarded_tunnels, .[0].unguarded_taps]')" = '[1,1]'
	out=$("$CLI" -n "$H" "${create[@]}" 2>&1)
	check "pool create again repairs both ($(head -n 1 <<<"$out"))" \
		test "$(lbj show | "$JQ" -c '[.[0].unguarded_tunnels, .[0].unguarded_taps]')" = '[0,0]'
	check "...lb2 made again in ${NSP}2, lbt1 back in ${NSP}1" \
		test -n "$("$IP" -n "${NSP}2" -o link show lb2 2>/dev/null)" -a -n "$("$IP" -n "${NSP}1" -o link show lbt1 2>/dev/null)"
	out=$(guest_in "${NSP}0" lbt0 ping "$GA_MAC" 192.168.10.1 192.168.10.2 count 3)
	check "...and guest A still reaches its tenant" grep -q 'ping: 3 sent, 3 received' <<<"$out"

	# ---- N7. destroy, and kill -9 during create and destroy ----------------------------
	"$CLI" -n "$H" pool destroy dev ulh >/dev/null
	check "destroy: devices, namespaces, programs, chains and pins gone: as before" \
		test "$(snapshot; slotns_list)" = "$BEFORE" || diff <(echo "$BEFORE") <(snapshot; slotns_list) | head -n 8
	kills=0
	for delay in 0.1 0.4 1.0; do
		"$CLI" -n "$H" pool create dev ulh type "$TYPE" remote 10.50.0.2 count "$KILL_COUNT" taps \
			tap-owner "$OWNER" netns-prefix "$NSP" >/dev/null 2>&1 &
		p=$!
		sleep "$delay"
		kill -9 "$p" 2>/dev/null && kills=$((kills + 1))
		wait "$p" 2>/dev/null
		left=$(slotns_list | wc -l)
		out=$("$CLI" -n "$H" pool create dev ulh type "$TYPE" remote 10.50.0.2 count "$KILL_COUNT" taps \
			tap-owner "$OWNER" netns-prefix "$NSP" 2>&1)
		check "create killed after ${delay}s ($left namespaces): re-running finishes ($(tail -n 1 <<<"$out"))" \
			test "$(lbj show | "$JQ" -c '[([.[0].tunnels[].netns | select(. != null)] | length), .[0].unguarded_tunnels, .[0].unguarded_taps]')" = "[$KILL_COUNT,0,0]"
		"$CLI" -n "$H" pool destroy dev ulh >/dev/null 2>&1 &
		p=$!
		sleep "$(awk -v d="$delay" 'BEGIN { print d / 2 }')"
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
		"$CLI" -n "$H" pool destroy dev ulh >/dev/null 2>&1
		check "...destroy killed, then re-run: as before" test "$(snapshot; slotns_list)" = "$BEFORE" ||
			diff <(echo "$BEFORE") <(snapshot; slotns_list) | head -n 8
	done
	check "some creates were killed mid-way ($kills of 3)" test "$kills" -gt 0
}
