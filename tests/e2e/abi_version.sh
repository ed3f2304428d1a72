#!/bin/bash
# A pool pinned by a latebind of another datapath ABI (lb_pool.version, the
# first word of lb_pool) is refused by name, with no change of state: bind,
# show and destroy say which ABI it has and what to do. Control: the same
# pool at this ABI binds and is destroyed.
SUITE=abi_version
. "$(dirname "$0")/lib.sh"

host_vpc_lab 10.61.0 || fail "lab"
"$CLI" -n "$H" pool create dev ulh type vxlan remote 10.61.0.2 count 2 >/dev/null || fail "pool create"
D=$(pin_dir "$H" ulh)
le32() { printf '%02x %02x %02x %02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
# set_version V: lb_pool.version = V, the rest of the value as it was.
set_version() {
	local bytes
	bytes=$(bpftool -j map lookup pinned "$D/lb_pool" key 0 0 0 0 | jq -r '.value[4:] | map(ltrimstr("0x")) | join(" ")')
	# shellcheck disable=SC2046,SC2086 # bytes, one word each
	bpftool map update pinned "$D/lb_pool" key 0 0 0 0 value hex $(le32 "$1") $bytes
}
state() { "$CLI" -n "$H" -j show 2>/dev/null; bpftool -j map dump pinned "$D/lb_egress_bind" | jq -c '[.[].value]'; ls "$D"; }

set_version 3
before=$(state)
for cmd in "bind lb0 vni 100" "pool destroy dev ulh"; do
	# shellcheck disable=SC2086 # the command's words
	out=$("$CLI" -n "$H" $cmd 2>&1)
	rc=$?
	check "$cmd on an ABI 3 pool refused (rc $rc): $out" \
		bash -c "[ $rc -ne 0 ] && grep -q 'datapath ABI 3; this one speaks 4: destroy it with the latebind that made it' <<<'$out'"
done
check "...and nothing changed" test "$(state)" = "$before"

set_version 4
check "control: at ABI 4 the same pool binds" "$CLI" -n "$H" bind lb0 vni 100
check "control: and is destroyed" "$CLI" -n "$H" pool destroy dev ulh
summary
