#!/bin/bash
# Attaching and detaching the datapath, and refusing bad configurations.
#
#   netns A:  ul0 <--veth--> ul1
#             lb_egress/lb_ingress on ul0 (tcx, then cls_bpf)
#
# Checks what the kernel holds (bpftool, tc, bpffs), not what the CLI says.
SUITE=datapath_attach
. "$(dirname "$0")/lib.sh"

new_netns A attach || exit 1
ip -n "$A" link add ul0 type veth peer name ul1
ip -n "$A" link set ul0 up
ip -n "$A" link set ul1 up

# Other processes (tests run in parallel by a developer) may load programs of
# the same name, so we follow our own programs by id.
prog_name() { bpftool prog show id "$1" -j 2>/dev/null | jq -r '.name // empty'; }
# Kernel links (tcx is link type 11; bpftool 7.1 has no name for it) running prog $1.
links_of_prog() { bpftool link show -j | jq "[.[] | select(.prog_id == $1)] | length"; }
# A released program is freed after an RCU grace period: wait for it.
prog_gone() {
	for _ in $(seq 50); do [ -z "$(prog_name "$1")" ] && return 0; sleep 0.1; done
	return 1
}
nothing_attached() {
	[ -z "$(pin_dir "$A" ul0)" ] &&
		! in_ns "$A" tc filter show dev ul0 ingress 2>/dev/null | grep -q bpf &&
		! in_ns "$A" tc filter show dev ul0 egress 2>/dev/null | grep -q bpf &&
		[ "$(bpftool link show -j | jq length)" -le "$BASE_LINKS" ]
}
# Machine-wide: a leaked link raises the count; links of earlier suites
# still being freed may lower it, so "no more than at the start".
BASE_LINKS=$(bpftool link show -j | jq length)

# --- bad configurations: clear error, non-zero exit, nothing attached ------
bad() { # bad EXPECTED_MESSAGE_REGEX ARGS...
	local want=$1 out rc
	shift
	out=$("$CLI" -n "$A" datapath attach dev ul0 "$@" 2>&1)
	rc=$?
	if [ $rc -ne 0 ] && grep -Eq "$want" <<<"$out" && nothing_attached; then
		ok "refused: $* ($out)"
	else
		fail "bad config '$*': rc=$rc out='$out'"
	fi
}
bad 'empty'                      dummy-count 0
bad 'inverted'                   dummy-range 2000-1000
bad 'too large: at most 65536'   dummy-count 65537
bad 'too large'                  dummy-range 0-16777215
bad 'runs past the largest VNI'  dummy-base 16777000 dummy-count 1000
bad 'out of range; a VNI is 0-16777215' dummy-base 16777216
bad 'geneve port 0'              geneve-port 0
bad 'vxlan port 0'               vxlan-port 0
bad 'must differ'                geneve-port 4789
bad 'invalid vxlan-port'         vxlan-port 65536
bad 'invalid dummy-base'         dummy-base abc
bad 'leading zero is refused'    dummy-base 0100
# The programs read Ethernet frames: a loopback (or any non-Ethernet) underlay is refused.
out=$("$CLI" -n "$A" datapath attach dev lo 2>&1)
rc=$?
if [ $rc -ne 0 ] && grep -q "not an Ethernet device" <<<"$out" && nothing_attached; then
	ok "refused: attach to lo ($out)"
else
	fail "attach to lo: rc=$rc out='$out'"
fi
out=$("$CLI" -n "$A" datapath attach dev nosuch 2>&1)
check "unknown device refused by name ($out)" grep -q 'no device "nosuch"' <<<"$out"
out=$("$CLI" -n "$A" -j datapath attach dev ul0 geneve-port 0)
check "JSON error under -j: $out" jq -e '.error | test("geneve port 0")' <<<"$out" >/dev/null

# --- attach: both programs by name, pinned, attached ----------------------
attach_and_check() { # MODE
	local mode=$1 dir show
	check "attach mode $mode" bash -c "'$CLI' -n '$A' datapath attach dev ul0 mode '$mode' dummy-range 100000-100999 >/dev/null"
	dir=$(pin_dir "$A" ul0)
	check "pins under /sys/fs/bpf/latebind ($dir)" test -d "$dir"
	show=$("$CLI" -n "$A" -j datapath show dev ul0)
	EG_ID=$(jq .egress_prog_id <<<"$show")
	IN_ID=$(jq .ingress_prog_id <<<"$show")
	check "kernel names program $EG_ID lb_egress" test "$(prog_name "$EG_ID")" = lb_egress
	check "kernel names program $IN_ID lb_ingress" test "$(prog_name "$IN_ID")" = lb_ingress
	check "show reports mode $mode" \
		jq -e ".mode == \"$mode\" and .dummy_min == 100000 and .dummy_max == 100999" <<<"$show" >/dev/null
	# The config map, read with bpftool alone: ABI version 4, min, max, and
	# the ingress table's 512 buckets (2 x 1000 entries, rounded up to 2^n x 4).
	check "lb_config readable with bpftool" \
		bash -c "bpftool -j map lookup pinned '$dir/lb_config' key 0 0 0 0 |
			jq -e '(.formatted.value // .value) | (.version == 4 and .dummy_min == 100000 and .dummy_max == 100999 and .ingress_buckets == 512)' >/dev/null"
	check "lb_ingress_tab: 32-byte entries, 512 buckets of 4, mmapable" \
		bash -c "bpftool -j map show pinned '$dir/lb_ingress_tab' |
			jq -e '.bytes_value == 32 and .max_entries == 2048 and .type == \"array\" and .flags == 1024' >/dev/null"
	# lb_egress_bind holds the ABI 2 record: 24-byte values, one per dummy.
	check "lb_egress_bind: 24-byte values, 1000 entries" \
		bash -c "bpftool -j map show pinned '$dir/lb_egress_bind' |
			jq -e '.bytes_value == 24 and .max_entries == 1000' >/dev/null"
	out=$("$CLI" -n "$A" datapath attach dev ul0 2>&1)
	check "second attach refused: $out" grep -q 'already attached' <<<"$out"
	check "...and left the first one as it was" test "$(pin_dir "$A" ul0)" = "$dir"
}

attach_and_check tcx
check "tcx: a link runs lb_egress" test "$(links_of_prog "$EG_ID")" -eq 1
check "tcx: a link runs lb_ingress" test "$(links_of_prog "$IN_ID")" -eq 1
check "tcx: no cls_bpf filter" test -z "$(in_ns "$A" tc filter show dev ul0 ingress)"
check "detach" bash -c "'$CLI' -n '$A' datapath detach dev ul0 >/dev/null"
check "tcx: links gone" test "$(links_of_prog "$EG_ID")$(links_of_prog "$IN_ID")" = 00
check "tcx: programs unloaded" bash -c "$(declare -f prog_name prog_gone); prog_gone $EG_ID && prog_gone $IN_ID"
check "tcx: nothing left" nothing_attached

# cls_bpf next to someone else's filter, which must survive our detach.
in_ns "$A" tc qdisc add dev ul0 clsact
in_ns "$A" tc filter add dev ul0 ingress prio 5 protocol all u32 match u32 0 0 classid 1:1
attach_and_check cls_bpf
check "cls_bpf: our ingress filter" bash -c "nsenter --net=/run/netns/$A tc filter show dev ul0 ingress | grep -q 'lb_ingress.*direct-action'"
check "cls_bpf: our egress filter" bash -c "nsenter --net=/run/netns/$A tc filter show dev ul0 egress | grep -q 'lb_egress.*direct-action'"
check "detach" bash -c "'$CLI' -n '$A' datapath detach dev ul0 >/dev/null"
check "cls_bpf: programs unloaded" bash -c "$(declare -f prog_name prog_gone); prog_gone $EG_ID && prog_gone $IN_ID"
check "cls_bpf: the other filter stays" bash -c "nsenter --net=/run/netns/$A tc filter show dev ul0 ingress | grep -q u32"
check "cls_bpf: the clsact qdisc stays" bash -c "nsenter --net=/run/netns/$A tc qdisc show dev ul0 | grep -q clsact"
check "cls_bpf: no bpf filter left" bash -c "! nsenter --net=/run/netns/$A tc filter show dev ul0 egress | grep -q bpf"
check "detach twice is refused" bash -c "! '$CLI' -n '$A' datapath detach dev ul0 2>/dev/null"

# cls_bpf on a bare device: the clsact qdisc we made goes with us, unless
# someone else put a filter on it meanwhile.
in_ns "$A" tc qdisc del dev ul0 clsact
check "cls_bpf on a bare device" bash -c "'$CLI' -n '$A' datapath attach dev ul0 mode cls_bpf >/dev/null"
check "cls_bpf: we made the clsact qdisc" bash -c "nsenter --net=/run/netns/$A tc qdisc show dev ul0 | grep -q clsact"
check "detach" bash -c "'$CLI' -n '$A' datapath detach dev ul0 >/dev/null"
check "cls_bpf: our empty clsact qdisc is gone" bash -c "! nsenter --net=/run/netns/$A tc qdisc show dev ul0 | grep -q clsact"
"$CLI" -n "$A" datapath attach dev ul0 mode cls_bpf >/dev/null
in_ns "$A" tc filter add dev ul0 egress prio 9 protocol all u32 match u32 0 0 classid 1:1
check "detach with a newcomer's filter on our clsact" bash -c "'$CLI' -n '$A' datapath detach dev ul0 >/dev/null"
check "cls_bpf: the clsact qdisc stays for the newcomer" bash -c "nsenter --net=/run/netns/$A tc filter show dev ul0 egress | grep -q u32"
in_ns "$A" tc qdisc del dev ul0 clsact

# Concurrent attaches: exactly one wins, and the winner's pins stay whole:
# the datapath's 8 maps, 6 programs and, in tcx mode, 2 links (docs/maps.md).
PINS_WHOLE="link_egress link_ingress lb_config lb_drop_stats lb_egress_bind lb_ingress_tab lb_slot_tap lb_tap_slot lb_tun_slot lb_tun_stats prog_egress prog_ingress prog_tap_egress prog_tap_ingress prog_tun_egress prog_tun_ingress"
race_ok=0
for i in $(seq 10); do
	"$CLI" -n "$A" datapath attach dev ul0 >/dev/null 2>&1 &
	p1=$!
	"$CLI" -n "$A" datapath attach dev ul0 >/dev/null 2>&1 &
	p2=$!
	wait $p1; r1=$?
	wait $p2; r2=$?
	dir=$(pin_dir "$A" ul0)
	if [ $((r1 + r2)) -eq 1 ] && [ -n "$dir" ] &&
		[ "$(ls "$dir" | LC_ALL=C sort | tr '\n' ' ')" = "$(tr ' ' '\n' <<<"$PINS_WHOLE" | LC_ALL=C sort | tr '\n' ' ')" ] &&
		"$CLI" -n "$A" datapath detach dev ul0 >/dev/null; then
		race_ok=$((race_ok + 1))
	else
		echo "race round $i: rc $r1/$r2, pins: $(ls "$dir" 2>/dev/null | tr '\n' ' ')"
		"$CLI" -n "$A" datapath detach dev ul0 >/dev/null 2>&1
	fi
done
check "concurrent attaches: one wins, pins intact ($race_ok/10 rounds)" test "$race_ok" -eq 10
check "after the races: nothing left" nothing_attached

summary
