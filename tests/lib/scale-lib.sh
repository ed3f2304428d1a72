# shellcheck shell=bash
# Pool create at scale, and a failure in its middle: one scenario for the
# host (tests/e2e/pool_stream.sh, tests/scale/) and the VM (Geneve). The
# caller sources its lib (new_netns, check, $CLI) first.
#
#   netns: ul (veth) with an IPv4 or IPv6 address, a pool "lbz" of COUNT
#   tunnels; the fault: a second process adds a device named lbz<K> while the
#   create runs, so the kernel refuses that create (EEXIST) mid-stream.
IP=${IP:-ip}
JQ=${JQ:-jq}

# scale_scenario TYPE FAMILY COUNT K
scale_scenario() {
	local type=$1 fam=$2 count=$3 k=$4 ns local remote t0 made rc out nspins=
	local L="$type/IPv$fam x$count"
	new_netns ns "sc$fam" || return 1
	[ "$fam" = 6 ] && local=2001:db8:5::1/64 remote=2001:db8:5::2 || local=10.50.0.1/24 remote=10.50.0.2
	"$IP" -n "$ns" link add ul type veth peer name up
	"$IP" -n "$ns" link set ul up
	"$IP" -n "$ns" link set up up
	"$IP" -n "$ns" addr add "$local" dev ul nodad 2>/dev/null || "$IP" -n "$ns" addr add "$local" dev ul
	out=$(mktemp)
	_snap() {
		"$IP" -n "$ns" -d -j link show | "$JQ" -c 'map(del(.stats, .stats64, .ifindex, .link_index))'
		"$IP" netns exec "$ns" nft list ruleset
		[ -z "$nspins" ] || ls -R "$nspins" 2>/dev/null
	}
	_tunnels() { "$IP" -n "$ns" -o link show type "$type" | wc -l; }
	_snap >"$out.before"

	# 1. Undisturbed: every tunnel made, guarded; destroy restores.
	t0=$EPOCHREALTIME
	check "$L: pool create" "$CLI" -n "$ns" pool create dev ul type "$type" remote "$remote" \
		count "$count" prefix lbz >/dev/null
	echo "# $L: create $(awk "BEGIN { printf \"%.1f\", $EPOCHREALTIME - $t0 }") s"
	check "$L: $count tunnels" [ "$(_tunnels)" = "$count" ]
	nspins=$(dirname "$("$CLI" -n "$ns" -j datapath show dev ul | "$JQ" -r '.pins')")
	check "$L: show counts $count, none unguarded" \
		[ "$("$CLI" -n "$ns" -j show | "$JQ" -c '.[0] | [.count, .unguarded_tunnels]')" = "[$count,0]" ]
	t0=$EPOCHREALTIME
	check "$L: pool destroy" "$CLI" -n "$ns" pool destroy dev ul
	echo "# $L: destroy $(awk "BEGIN { printf \"%.1f\", $EPOCHREALTIME - $t0 }") s"
	_snap >"$out.after1"
	check "$L: after destroy the namespace is as before (links, nftables, pins)" diff "$out.before" "$out.after1"

	# 2. The fault: lbz$k appears (a veth, not ours) once the first creates landed.
	"$CLI" -n "$ns" pool create dev ul type "$type" remote "$remote" count "$count" prefix lbz \
		>"$out.create" 2>&1 &
	local pid=$!
	for _ in $(seq 6000); do
		"$IP" -n "$ns" link show lbz100 >/dev/null 2>&1 && break
		sleep 0.01
	done
	made=$(_tunnels)
	"$IP" -n "$ns" link add "lbz$k" type veth peer name intruder
	wait "$pid"
	rc=$?
	check "$L: the intruder came mid-create ($made tunnels then)" [ "$made" -gt 0 -a "$made" -lt "$k" ]
	check "$L: pool create fails" [ "$rc" -ne 0 ]
	check "$L: ...naming what the kernel refused: $(head -c 160 "$out.create")" \
		grep -q "creating lbz$k: File exists" "$out.create"
	check "$L: no tunnel is left" [ "$(_tunnels)" = 0 ]
	"$IP" -n "$ns" link del "lbz$k"
	_snap >"$out.after2"
	check "$L: the namespace is as before the create (links, nftables, pins)" diff "$out.before" "$out.after2"
	rm -f "$out" "$out".*
}
