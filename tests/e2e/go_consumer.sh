#!/bin/bash
# A control plane in another language: examples/go/latebind-go-bind binds and
# unbinds pool tunnels with cilium/ebpf through the pinned maps alone,
# following docs/maps.md ("Driving the maps from another control plane"),
# against stock VXLAN peers on the host kernel. The C side (latebind show,
# bind, unbind) must read what Go wrote, and Go what C wrote.
#
#   netns H ("host")                          netns V ("vpc")
#   lb0 .. lb3  dummy VNIs (the pool)          vx500 192.168.50.2  VNI 500
#   ulh 10.20.0.1/24 ====== veth ======        vx501 192.168.51.2  VNI 501
#                                              ulv 10.20.0.2/24
#   netns S: a second pool, whose pins are removed while Go waits for its lock
#
# The Go program is built here (make go-example): without Go and Debian's
# cilium/ebpf the suite fails, it never skips (scripts/deps.sh installs them).
SUITE=go_consumer
. "$(dirname "$0")/lib.sh"

BUILD=${BUILD:-build}
GOBIN=$BUILD/examples/latebind-go-bind
CAP=$(mktemp -d)
trap 'cleanup_netns; rm -rf "$CAP"' EXIT

if ! make --no-print-directory BUILD="$BUILD" go-example >"$CAP/build" 2>&1; then
	fail "build the Go example (make go-example): $(tail -5 "$CAP/build")"
	summary
	exit 1
fi
ok "build the Go example ($GOBIN, $(go version | cut -d' ' -f3))"

lbj() { "$CLI" -n "$H" -j "$@"; }
gob() { in_ns "$H" "$GOBIN" -dev ulh "$@"; }
# reach: 3 replies. The neighbour entry is flushed first: one left INCOMPLETE
# by a ping while unbound would drop the new ping's 3 packets when it fails.
reach() { ip -n "$H" neigh flush dev lb0; in_ns "$H" ping -q -c 3 -i 0.2 -w 5 "$1" >/dev/null 2>&1; }
cut_off() { in_ns "$H" ping -q -c 3 -i 0.2 -w 2 "$1" >/dev/null 2>&1; }
# The egress record of slot N (formatted), the binding word of slot 0, and
# the ingress entries of dummy VNI $D0.
record() { bpftool -j map lookup pinned "$D/lb_egress_bind" key "$1" 0 0 0 | jq -c .formatted.value; }
word0() { record 0 | jq .binding; }
# Table entries that are not empty (family set), as {key, dummy}, by key.
table() {
	bpftool -j map dump pinned "$D/lb_ingress_tab" |
		jq -c '[.[].formatted.value | select(.[""].key.family != 0) | {key: .[""].key, dummy: .dummy_vni}] | sort_by(tostring)'
}
entries() { table | jq -c "[.[] | select(.dummy == $D0) | .key.vni]"; }
# Everything a bind can change: what C shows, and every map Go writes, raw.
state() {
	lbj show
	table
	bpftool -j map dump pinned "$D/lb_egress_bind" | jq -c 'map({key, value})'
	bpftool -j map dump pinned "$D/lb_config" | jq -c 'map({key, value})'
}
# shows TUNNEL VNI|null MAC|null: C's show reads that binding, its ingress entry
# in place (no warning) and no leftover entry in the pool.
shows() {
	local t
	t=$(lbj show "$1") &&
		[ "$(jq -c '[.vni, .inner_mac, .warning]' <<<"$t")" = "[$2,$3,null]" ] &&
		[ "$(lbj show | jq '.[0].leftover_ingress_entries')" -eq 0 ]
}
# go_ok DESCRIPTION PATTERN ARGS...: exit 0 and a line of output matching PATTERN.
go_ok() {
	local desc=$1 want=$2 out rc
	shift 2
	out=$(gob "$@" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ] && grep -q -- "$want" <<<"$out"; then
		ok "$desc ($(tail -1 <<<"$out"))"
	else
		fail "$desc (rc $rc, output: $out)"
	fi
}
le64() { local i; for i in 0 8 16 24 32 40 48 56; do printf '%02x ' $(($1 >> i & 255)); done; }
# set_lock DIR PID|0: write DIR's lock word (maps.md, "The lock") for process
# PID, as its holder would, or free it.
set_lock() {
	local v owner start
	v=$(printf '00 %.0s' $(seq 48))
	if [ "$2" = 0 ]; then
		v="$v $(printf '00 %.0s' $(seq 16))"
	else
		start=$(sed 's/.*) //' "/proc/$2/stat" | cut -d' ' -f20)
		owner=$(($2 << 32 | (start & 0xffffffff)))
		v="$(le64 "$owner") $(le64 "$(stat -L -c %i "/proc/$2/ns/pid")") $v"
	fi
	# shellcheck disable=SC2086 # bytes, one word each
	bpftool map update pinned "$1/lb_pool_lock" key 0 0 0 0 value hex $v
}
# hold DIR SECONDS: a subshell takes DIR's lock word, holds it, then frees it.
# Its pid in HOLDER (killed early, it leaves the word to set_lock DIR 0).
hold() {
	rm -f "$CAP/held"
	(set_lock "$1" "$BASHPID" && touch "$CAP/held" && sleep "$2" && set_lock "$1" 0) &
	HOLDER=$!
	while [ ! -e "$CAP/held" ]; do sleep 0.05; done
}
# since T0: seconds from T0 ($EPOCHREALTIME) to now; within T LO HI: LO <= T < HI.
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }
within() { awk -v t="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(t >= lo && t < hi) }'; }
# go_refused DESCRIPTION EXPECTED-TEXT ARGS...: non-zero exit, the text, no change.
go_refused() {
	local desc=$1 want=$2 before out rc
	shift 2
	before=$(state)
	out=$(gob "$@" 2>&1)
	rc=$?
	if [ "$rc" -ne 0 ] && grep -q -- "$want" <<<"$out" && [ "$(state)" = "$before" ]; then
		ok "Go refuses $desc ($(tail -1 <<<"$out"))"
	else
		fail "Go refuses $desc (rc $rc, output: $out, state changed: $([ "$(state)" = "$before" ] && echo no || echo yes))"
	fi
}

lab() {
	new_netns H host && new_netns V vpc || return 1
	ip link add ulh netns "$H" type veth peer name ulv netns "$V" || return 1
	ip -n "$H" addr add 10.20.0.1/24 dev ulh
	ip -n "$V" addr add 10.20.0.2/24 dev ulv
	ip -n "$H" link set ulh up
	ip -n "$V" link set ulv up
	for vni in 500 501; do
		ip -n "$V" link add "vx$vni" type vxlan id "$vni" remote 10.20.0.1 dstport 4789 dev ulv || return 1
		ip -n "$V" addr add "192.168.$((vni - 450)).2/24" dev "vx$vni"
		ip -n "$V" link set "vx$vni" up
	done
	"$CLI" -n "$H" pool create dev ulh type vxlan remote 10.20.0.2 count 4 >/dev/null || return 1
	ip -n "$H" addr add 192.168.50.1/24 dev lb0
	ip -n "$H" addr add 192.168.51.1/24 dev lb0
}
lab || { fail "lab setup"; summary; exit 1; }
D=$(pin_dir "$H" ulh)
D0=$(lbj show lb0 | jq .dummy_vni)

# ---- bind and unbind with Go alone -------------------------------------------
check_fails "unbound lb0: no ping to the VNI 500 peer" cut_off 192.168.50.2
go_ok "Go binds lb0 (-tunnel) to VNI 500" "^bound lb0 (slot 0, dummy VNI $D0) to VNI 500 from 10.20.0.2$" -tunnel lb0 -vni 500
check "ping through lb0 to the VNI 500 peer" reach 192.168.50.2
check "C's show reads it: lb0 vni 500, wildcard, ingress entry in place" shows lb0 500 null
w=$(word0)
check "the word is BOUND | MAC_SEL (flipped from 0) | 500 ($(printf '%#x' "$w"))" test "$w" -eq $((0xc0000000 | 500))
check "one ingress entry for lb0's dummy, VNI 500 ($(entries))" test "$(entries)" = "[500]"
go_ok "Go unbinds lb0 (-slot 0)" "^unbound lb0 (slot 0), was VNI 500 from 10.20.0.2$" -slot 0 -unbind
check_fails "unbound by Go: no ping to the VNI 500 peer" cut_off 192.168.50.2
check "C's show reads it: lb0 unbound" shows lb0 null null
check "the word is 0 ($(word0)) and lb0's ingress entry gone ($(entries))" test "$(word0)" -eq 0 -a "$(entries)" = "[]"
go_ok "Go unbinds it again: nothing to do, success" "was not bound: nothing to do" -slot 0 -unbind
go_ok "Go binds lb0 to VNI 500 again" "^bound lb0" -slot 0 -vni 500
check "ping through lb0 again" reach 192.168.50.2

# ---- conflicts: a key another tunnel's binding owns --------------------------
go_refused "lb1 to VNI 500 without a MAC (lb0 holds it)" "already bound to tunnel lb0.*EADDRINUSE" -tunnel lb1 -vni 500
"$CLI" -n "$H" bind lb2 vni 600 >/dev/null
go_refused "lb3 to VNI 600, bound by C to lb2" "already bound to tunnel lb2.*EADDRINUSE" -slot 3 -vni 600
MAC1=$(ip -n "$H" -j link show lb1 | jq -r '.[0].address')
go_ok "Go binds lb1 to VNI 500 with inner MAC $MAC1 (another key)" "^bound lb1 .* with inner MAC $MAC1$" -tunnel lb1 -vni 500 -mac "$MAC1"
check "C's show reads lb1: vni 500, inner MAC $MAC1" shows lb1 500 "\"$MAC1\""
MACB=$(tr ':' '\n' <<<"$MAC1" | while read -r b; do printf '%d,' "0x$b"; done)
check "lb1's record: BOUND | MAC_SEL | 500, the MAC in mac[1] with set 1, mac[0] empty ($(record 1))" test \
	"$(record 1 | jq -c '[.binding, .mac[1].addr, .mac[1].set, .mac[0].set]')" = "[$((0xc0000000 | 500)),[${MACB%,}],1,0]"
check "lb_config has LB_CFG_F_INNER_MAC" test $(($(bpftool -j map lookup pinned "$D/lb_config" key 0 0 0 0 | jq .formatted.value.flags) & 1)) -eq 1
go_refused "lb2 to VNI 500 with lb1's MAC" "already bound to tunnel lb1.*EADDRINUSE" -slot 2 -vni 500 -mac "$MAC1"
check "ping through lb0 still works" reach 192.168.50.2
check "C unbinds lb1 and lb2" bash -c "'$CLI' -n '$H' unbind lb1 >/dev/null && '$CLI' -n '$H' unbind lb2 >/dev/null"

# ---- refusals: non-zero exit, a clear message, no change ----------------------
go_refused "lb0's dummy VNI $D0" "dummy range.*EINVAL" -slot 1 -vni "$D0"
go_refused "the last dummy VNI 16777215" "dummy range.*EINVAL" -slot 1 -vni 16777215
go_refused "VNI 16777216" "outside 0-16777215.*ERANGE" -slot 1 -vni 16777216
go_refused "VNI 0x1000000" "outside 0-16777215.*ERANGE" -slot 1 -vni 0x1000000
go_refused "VNI 99999999999" "outside 0-16777215.*ERANGE" -slot 1 -vni 99999999999
go_refused "VNI 0100 (leading zero)" "leading zero" -slot 1 -vni 0100
go_refused "VNI abc" "not a number" -slot 1 -vni abc
go_refused "slot 4 of 4" "outside the pool (0-3)" -slot 4 -vni 5
go_refused "slot 4294967296" "outside the pool (0-3)" -slot 4294967296 -vni 5
go_refused "a multicast inner MAC" "multicast" -slot 1 -vni 5 -mac 01:00:5e:00:00:01
go_refused "the zero inner MAC" "not a unicast" -slot 1 -vni 5 -mac 00:00:00:00:00:00
go_refused "the underlay as a tunnel" "not a tunnel of the pool" -tunnel ulh -vni 5
go_refused "an unknown tunnel" "no device" -tunnel nosuchdev -vni 5
go_refused "both -slot and -tunnel" "need -dev" -slot 1 -tunnel lb1 -vni 5
go_refused "-vni with -unbind" "need -dev" -slot 1 -vni 5 -unbind
# The pool's lb_pool.version, 0 while pool create runs, another ABI after it.
# POOLV: its 80 bytes, split into words below on purpose.
POOLV=$(bpftool -j map lookup pinned "$D/lb_pool" key 0 0 0 0 | jq -r '.value | join(" ")')
for v in 0 2; do
	# shellcheck disable=SC2086
	bpftool map update pinned "$D/lb_pool" key 0 0 0 0 value $v 0 0 0 ${POOLV#* * * * }
	go_refused "a pool whose lb_pool.version is $v" "$([ $v = 0 ] && echo 'still being created' || echo 'ABI version 2')" -slot 1 -vni 5
done
# shellcheck disable=SC2086
bpftool map update pinned "$D/lb_pool" key 0 0 0 0 value $POOLV
go_ok "lb_pool restored: Go binds lb1 to VNI 5" "^bound lb1" -slot 1 -vni 5
go_ok "...and unbinds it" "^unbound lb1" -slot 1 -unbind

# ---- C and Go on one tunnel: bind with C, rebind with Go, unbind with C ---------
go_ok "Go unbinds lb0" "^unbound lb0" -slot 0 -unbind
check "C binds lb0 to VNI 500" "$CLI" -n "$H" bind lb0 vni 500 >/dev/null
check "ping through lb0 to the VNI 500 peer" reach 192.168.50.2
go_ok "Go rebinds lb0 to VNI 501 and deletes the old entry" "was VNI 500 from 10.20.0.2; its ingress entry is deleted" -tunnel lb0 -vni 501
check "ping through lb0 to the VNI 501 peer" reach 192.168.51.2
check_fails "no ping to the VNI 500 peer any more" cut_off 192.168.50.2
check "C's show reads it: lb0 vni 501, ingress entry in place" shows lb0 501 null
check "lb0's ingress entries: VNI 501 only ($(entries))" test "$(entries)" = "[501]"
check "the word: C's MAC_SEL flipped back by Go, BOUND | 501 ($(printf '%#x' "$(word0)"))" test "$(word0)" -eq $((0x80000000 | 501))
check "C unbinds lb0" "$CLI" -n "$H" unbind lb0 >/dev/null
check_fails "no ping to the VNI 501 peer" cut_off 192.168.51.2
check "the word is 0 and no entry left ($(entries))" test "$(word0)" -eq 0 -a "$(entries)" = "[]"

# ---- the lock: Go waits for it, and gives up after 5 s -------------------------
hold "$D" 1
t0=$EPOCHREALTIME
gob -slot 0 -vni 500 >"$CAP/out" 2>"$CAP/err"
rc=$? t=$(since "$t0")
wait "$HOLDER"
check "Go waits for a pool lock held for 1 s, then binds (rc $rc, $t s)" \
	bash -c "[ $rc -eq 0 ] && grep -q 'waiting for the lock' '$CAP/err' && grep -q '^bound lb0' '$CAP/out'"
check "...not before the lock was released ($t s)" within "$t" 0.8 4
check "C's show reads it: lb0 vni 500" shows lb0 500 null
hold "$D" 8
before=$(state)
t0=$EPOCHREALTIME
out=$(gob -slot 0 -vni 501 2>&1)
rc=$? t=$(since "$t0")
check "Go gives up on a lock held for 8 s: rc $rc, $(tail -1 <<<"$out")" \
	bash -c "[ $rc -ne 0 ] && grep -q 'stayed locked for 5s.*ETIMEDOUT' <<<'$out'"
check "...after about 5 s ($t s)" within "$t" 4.9 7
check "...and changed nothing" test "$(state)" = "$before"
kill "$HOLDER"
wait "$HOLDER" 2>/dev/null
set_lock "$D" 0

# ---- a destroyed pool: a clear error, non-zero exit ------------------------------
check "pool destroy" "$CLI" -n "$H" pool destroy dev ulh >/dev/null
out=$(gob -slot 0 -vni 500 2>&1)
rc=$?
check "Go against the destroyed pool: rc $rc, $out" bash -c "[ $rc -ne 0 ] && grep -q 'no latebind pool.*ENOENT' <<<'$out'"
check "...and nothing came back ($D)" test ! -e "$D"

# ---- destroyed while Go waits for the lock: ESTALE ------------------------------
# The holder removes the pool's pins under the lock, as destroy does last,
# once Go is waiting; Go sees the directory removed while it waits.
new_netns S stale && ip link add uls netns "$S" type veth peer name uls1 netns "$S" &&
	ip -n "$S" link set uls up && "$CLI" -n "$S" pool create dev uls type vxlan remote 10.40.0.2 count 2 >/dev/null ||
	fail "namespace S with a pool"
SD=$(pin_dir "$S" uls)
rm -f "$CAP/held"
(set_lock "$SD" "$BASHPID" && touch "$CAP/held" && for _ in $(seq 50); do grep -q waiting "$CAP/stale" 2>/dev/null && break; sleep 0.1; done &&
	rm -f "$SD"/* && rmdir "$SD") &
HOLDER=$!
while [ ! -e "$CAP/held" ]; do sleep 0.05; done
out=$(in_ns "$S" "$GOBIN" -dev uls -slot 0 -vni 500 2>"$CAP/stale")
rc=$?
wait "$HOLDER"
err=$(tail -1 "$CAP/stale")
check "Go against a pool removed while it waited: rc $rc, $err" bash -c "[ $rc -ne 0 ] && grep -q 'destroyed while we waited.*ESTALE' <<<'$err'"
check "...after it waited for the lock" grep -q 'waiting for the lock' "$CAP/stale"
check "...and it bound nothing (no output: $out)" test -z "$out"
rmdir "$(dirname "$SD")" 2>/dev/null

summary
