#!/bin/bash
# latebind apply end to end on the host kernel (VXLAN): pools from config
# files (docs/config.md), through the CLI only, in fresh namespaces.
#
#   netns H ("host")                                  netns V ("vpc")
#   a.conf: lb0..lb3 (1000-1003)   ulh 10.60.0.1 ==== ulv 10.60.0.2   vx100, moved to T:
#   b.conf: s0, s1 + taps st0, st1 ul2 10.61.0.1 ==== uv2             192.168.60.2/24, VNI 100
#   bad c.conf / not in the config: ul3, ul4 (later) ==== uv3, uv4
#
#  1 dry run changes nothing; apply creates both pools; taps as configured
#  2 a second apply changes nothing and says so (text and -j)
#  3 a member deleted from outside: repaired
#  4 a bound tunnel survives apply and --force (ping before and after)
#  5 a tap a VMM holds open stops --force
#  6 growing Count: refused without --force, the pool made again with it
#  7 bad configs, each refused with file, line and key, nothing changed
#  8 a missing underlay: refused at once, after --wait-underlay, or waited for
#  9 options; destroy leaves no pin
# shellcheck disable=SC2034 # SUITE: read by summary (tests/lib/results.sh)
SUITE=apply
. "$(dirname "$0")/lib.sh"

TAPIO=${LB_TAPIO:-${BUILD:-build}/tests/lb-tapio}
CONF=$(mktemp -d)
NSP=lba$$-
trap 'cleanup_netns; for n in $(ls /run/netns | grep "^$NSP"); do ip netns del "$n"; done; rm -rf "$CONF"' EXIT

lbj() { "$CLI" -n "$H" -j "$@"; }
# run_apply ARGS...: latebind -n H apply ARGS; its output in OUT, its status in RC.
run_apply() { OUT=$("$CLI" -n "$H" apply "$@" 2>&1); RC=$?; }
# line FILE KEY: the line of KEY= in FILE.
line() { grep -n "^$2=" "$1" | cut -d: -f1; }

# The namespace as apply could change it: devices (not their flags, which
# settle asynchronously), the pools, their bindings, nftables, the pins.
snapshot() {
	ip -n "$H" -d -j link show | jq -c '[.[] | {ifindex, ifname, k: .linkinfo.info_kind,
		id: .linkinfo.info_data.id, alias: .ifalias, group}]'
	lbj show
	in_ns "$H" nft list ruleset 2>/dev/null
	[ -z "${NSPINS:-}" ] || find "$NSPINS" | sort
}

# refused DESCRIPTION TEXT ARGS...: apply ARGS fails, says TEXT, changes nothing.
refused() {
	local what=$1 want=$2 before after
	shift 2
	before=$(snapshot)
	run_apply "$@"
	after=$(snapshot)
	check "$what: refused (exit $RC)" test "$RC" -ne 0
	grep -qF -- "$want" <<<"$OUT" || echo "$OUT" | grep latebind
	check "...with \"$want\"" grep -qF -- "$want" <<<"$OUT"
	check "...and nothing changed" test "$before" = "$after" ||
		diff <(echo "$before") <(echo "$after") | head -n 6
}

veth() { # H-DEV V-DEV ADDR
	ip link add "$1" netns "$H" type veth peer name "$2" netns "$V" &&
		ip -n "$H" addr add "$3" dev "$1" && ip -n "$H" link set "$1" up &&
		ip -n "$V" link set "$2" up
}

if ! { new_netns H aph && new_netns V apv && new_netns T apt && veth ulh ulv 10.60.0.1/24 &&
	veth ul2 uv2 10.61.0.1/24 && veth ul3 uv3 10.62.0.1/24; }; then
	fail "lab setup"
	summary
	exit 1
fi
ip -n "$V" addr add 10.60.0.2/24 dev ulv
# The peer: a stock VXLAN device with the real VNI, its socket in V.
ip -n "$V" link add vx100 type vxlan id 100 remote 10.60.0.1 dstport 4789 dev ulv
ip -n "$V" link set vx100 netns "$T"
ip -n "$T" addr add 192.168.60.2/24 dev vx100
ip -n "$T" link set vx100 up

GOOD=$CONF/good
mkdir "$GOOD"
cat >"$GOOD/a.conf" <<'EOF'
# The apply test's first pool.
[Pool]
Device=ulh
Type=vxlan
Remote=10.60.0.2
Count=4
DummyBase=1000
EOF
cat >"$GOOD/b.conf" <<'EOF'
[Pool]
Device=ul2
Type=vxlan
Remote=10.61.0.2
Count=2
DummyBase=2000
Prefix=s

; slots for VMs
[Slots]
Taps=yes
TapOwner=nobody
EOF

# ---- 1. dry run, then apply ---------------------------------------------------------
before=$(snapshot)
run_apply -d "$GOOD" --dry-run
check "dry run: exit 0 ($RC)" test "$RC" -eq 0
check "dry run: would create both pools" test "$(grep -c 'would create' <<<"$OUT")" -eq 2
check "dry run: says nothing changed" grep -q 'nothing changed' <<<"$OUT"
check "dry run: the namespace is as it was" test "$before" = "$(snapshot)"
check "dry run: no pool, no datapath" test "$(lbj show)" = "[]" -a -z "$(pin_dir "$H" ulh)"

run_apply -d "$GOOD"
check "apply: exit 0 ($(tail -n 1 <<<"$OUT"))" test "$RC" -eq 0
check "apply: created both pools" test "$(grep -c ': created: ' <<<"$OUT")" -eq 2
NSPINS=$(dirname "$(pin_dir "$H" ulh)")
check "the pools' pins are there ($NSPINS)" test -d "$NSPINS/$(ip -n "$H" -j link show ulh | jq '.[0].ifindex')"
show=$(lbj show)
check "pool on ulh: vxlan remote 10.60.0.2, 4 tunnels, dummy 1000-1003, no taps" \
	jq -e '.[] | select(.dev == "ulh") | .type == "vxlan" and .remote == "10.60.0.2" and
		.count == 4 and .dummy_min == 1000 and .dummy_max == 1003 and .prefix == "lb" and
		(.taps | not)' <<<"$show" >/dev/null
for s in 0 1 2 3; do
	check "lb$s: a VXLAN device with dummy VNI $((1000 + s))" \
		test "$(ip -n "$H" -d -j link show "lb$s" | jq '.[0].linkinfo.info_data.id')" = $((1000 + s))
done
# shellcheck disable=SC2016 # $u is jq's
check "pool on ul2: 2 tunnels s0, s1, dummy 2000-2001, taps st0, st1 owned by nobody" \
	jq -e --argjson u "$(id -u nobody)" '.[] | select(.dev == "ul2") | .count == 2 and
		.dummy_min == 2000 and .taps and .tap_prefix == "st" and .tap_owner_uid == $u and
		[.tunnels[].name] == ["s0", "s1"] and [.tunnels[].tap] == ["st0", "st1"]' <<<"$show" >/dev/null
for t in st0 st1; do
	check "$t: a persistent tap owned by nobody" \
		jq -e '.[0].linkinfo.info_kind == "tun" and .[0].linkinfo.info_data.type == "tap" and
			.[0].linkinfo.info_data.persist and .[0].linkinfo.info_data.user == "nobody"' \
		<<<"$(ip -n "$H" -d -j link show "$t")" >/dev/null
done

# ---- 2. idempotent -----------------------------------------------------------------
before=$(snapshot)
run_apply -d "$GOOD"
check "second apply: exit 0, \"$(tail -n 1 <<<"$OUT")\"" test "$RC" -eq 0
check "...says nothing to do" grep -q '^nothing to do: 2 pools as configured' <<<"$OUT"
check "...both pools unchanged" test "$(grep -c ': unchanged: ' <<<"$OUT")" -eq 2
check "...and nothing changed (devices and ifindexes, pins, nftables)" test "$before" = "$(snapshot)"
j=$(lbj apply -d "$GOOD")
check "-j: changes 0, every action unchanged" \
	jq -e '.pools_changed == 0 and ([.pools[].action] == ["unchanged", "unchanged"]) and
		(.pools | all(.done | not))' <<<"$j" >/dev/null

# ---- 3. a member deleted from outside ---------------------------------------------------
ip -n "$H" link del lb2
ip -n "$H" link del st1
before=$(snapshot)
run_apply -d "$GOOD" --dry-run
check "dry run: would repair ulh: lb2 missing" grep -q 'ulh: would repair: .*missing tunnels: lb2' <<<"$OUT"
check "dry run: would repair ul2: st1 missing" grep -q 'ul2: would repair: .*missing taps: st1' <<<"$OUT"
check "...and nothing changed" test "$before" = "$(snapshot)"
run_apply -d "$GOOD"
check "apply repairs both ($RC)" test "$RC" -eq 0 -a "$(grep -c ': repaired: ' <<<"$OUT")" -eq 2
check "lb2 is back, dummy VNI 1002" \
	test "$(ip -n "$H" -d -j link show lb2 | jq '.[0].linkinfo.info_data.id')" = 1002
check "st1 is back, tagged as the pool's tap" \
	jq -e '.[0].ifalias | startswith("latebind-tap:")' <<<"$(ip -n "$H" -j link show st1)" >/dev/null
check "show: no guard broken after the repair" \
	jq -e 'all(.[]; .unguarded_tunnels == 0 and .input_guard and .programs_first)' <<<"$(lbj show)" >/dev/null
run_apply -d "$GOOD"
check "then nothing to do" grep -q '^nothing to do' <<<"$OUT"

# ---- 4. a bound tunnel survives apply and --force --------------------------------------------
"$CLI" -n "$H" bind lb0 vni 100 >/dev/null
ip -n "$H" addr add 192.168.60.1/24 dev lb0
check "lb0 bound to VNI 100: ping the peer" in_ns "$H" ping -q -c 2 -i 0.2 -w 5 192.168.60.2 >/dev/null
lb0=$(lbj show lb0 | jq -c '{ifindex, vni, dummy_vni}')
run_apply -d "$GOOD"
check "apply with lb0 bound: nothing to do" grep -q '^nothing to do' <<<"$OUT"
check "...and reports 1 bound" grep -q 'ulh: unchanged: 4 tunnels, 1 bound' <<<"$OUT"
sed -i 's/^Count=4$/Count=6/' "$GOOD/a.conf"
refused "Count 4 -> 6 without --force" \
	"$GOOD/a.conf:$(line "$GOOD/a.conf" Count): Count: the pool on ulh has 4, this file says 6" -d "$GOOD"
check "...says to add --force" grep -q 'add --force' <<<"$OUT"
refused "Count 4 -> 6 with --force while lb0 is bound" \
	"$GOOD/a.conf: the pool on ulh would be destroyed and made again (--force), but 1 of its tunnels are bound: lb0 (vni 100)" \
	-d "$GOOD" --force
check "lb0 is still bound to 100, the same device" test "$(lbj show lb0 | jq -c '{ifindex, vni, dummy_vni}')" = "$lb0"
check "...and still carries traffic" in_ns "$H" ping -q -c 2 -i 0.2 -w 5 192.168.60.2 >/dev/null

# ---- 5. a tap that a VMM holds stops --force ---------------------------------------------
sed -i 's/^Count=6$/Count=4/' "$GOOD/a.conf"
sed -i 's/^Count=2$/Count=3/' "$GOOD/b.conf"
if [ -x "$TAPIO" ]; then
	nsenter --net="/run/netns/$H" "$TAPIO" st0 vnet-hdr listen 4000 >/dev/null 2>&1 &
	holder=$!
	for _ in $(seq 20); do
		ip -n "$H" link show st0 | grep -q LOWER_UP && break
		sleep 0.1
	done
	check "lb-tapio holds st0 (its carrier is on)" bash -c "ip -n '$H' link show st0 | grep -q LOWER_UP"
	refused "ul2's Count 2 -> 3 with --force while st0 is open" \
		"but 1 of its taps are open (a VMM holds them): st0" -d "$GOOD" --force
	kill "$holder" 2>/dev/null
	wait "$holder" 2>/dev/null
else
	fail "no $TAPIO: build it (make $TAPIO)"
fi
sed -i 's/^Count=3$/Count=2/' "$GOOD/b.conf"

# ---- 6. growing Count: the pool made again, with --force, once nothing is bound -----------------
"$CLI" -n "$H" unbind lb0 >/dev/null
sed -i 's/^Count=4$/Count=6/' "$GOOD/a.conf"
run_apply -d "$GOOD" --force --dry-run
check "dry run --force: would recreate ulh (Count 4 -> 6)" grep -q 'ulh: would recreate: Count 4 -> 6' <<<"$OUT"
run_apply -d "$GOOD" --force
check "apply --force: exit 0 ($(tail -n 1 <<<"$OUT"))" test "$RC" -eq 0
check "...recreated ulh, left ul2" \
	bash -c "grep -q 'ulh: recreated: Count 4 -> 6' <<<'$OUT' && grep -q 'ul2: unchanged' <<<'$OUT'"
check "the pool on ulh has 6 tunnels lb0-lb5, dummy 1000-1005" \
	jq -e '.[] | select(.dev == "ulh") | .count == 6 and .dummy_max == 1005 and
		[.tunnels[].name] == ["lb0","lb1","lb2","lb3","lb4","lb5"]' <<<"$(lbj show)" >/dev/null
run_apply -d "$GOOD"
check "then nothing to do" grep -q '^nothing to do' <<<"$OUT"

# ---- 7. bad configs: file, line and key; nothing changed ----------------------------------------
# bad NAME: a copy of the good directory, to spoil.
bad() { rm -rf "$CONF/bad"; cp -r "$GOOD" "$CONF/bad"; B=$CONF/bad; }
bad
sed -i 's/^Count=6$/Count=12x/' "$B/a.conf"
refused "a count that is no number" "$B/a.conf:6: Count: \"12x\" is not a number" -d "$B"
bad
printf 'Colour=blue\n' >>"$B/a.conf"
refused "an unknown key" "$B/a.conf:8: Colour: unknown key in [Pool]" -d "$B"
bad
sed -i 's/^DummyBase=1000$/DummyRange=1005-1000/' "$B/a.conf"
refused "a bad VNI range (inverted)" "$B/a.conf:7: DummyRange: dummy range 1005-1000 is inverted" -d "$B"
bad
sed -i 's/^DummyBase=1000$/DummyBase=16777214/' "$B/a.conf"
refused "a bad VNI range (past 2^24-1)" \
	"$B/a.conf:7: DummyBase: dummy range 16777214-16777219 (Count=6) runs past the largest VNI 16777215" -d "$B"
bad
printf '[Pool]\nDevice=ulh\nType=vxlan\nRemote=10.60.0.2\nCount=2\nDummyBase=3000\nPrefix=c\n' >"$B/c.conf"
refused "two pools on one underlay" \
	"$B/c.conf:2: Device: ulh has a pool in $B/a.conf (line 3) already: one pool per underlay" -d "$B"
bad
printf '[Pool]\nDevice=ul3\nType=vxlan\nRemote=10.62.0.2\nCount=4\nDummyBase=1004\nPrefix=c\n' >"$B/c.conf"
refused "overlapping dummy ranges" \
	"$B/c.conf:6: DummyBase: dummy range 1004-1007 overlaps 1000-1005 of $B/a.conf" -d "$B"
bad
printf '[Pool]\nDevice=ul3\nType=vxlan\nRemote=10.62.0.2\nCount=4\nDummyBase=3000\n' >"$B/c.conf"
refused "two pools' tunnel names (the default prefix twice)" \
	"$B/c.conf:1: Prefix: lb0 would name a tunnel of this pool and a tunnel of $B/a.conf" -d "$B"
bad
printf '[Pool]\nDevice=ul3\nType=vxlan\nRemote=10.62.0.2\nCount=4\nDummyBase=3000\nPrefix=c\n' >"$B/c.conf"
ip -n "$H" link add c2 type veth peer name c2peer
refused "a device holding a name the pool would make" \
	"$B/c.conf:7: Prefix: names this pool would make are held by other devices: c2" -d "$B"
ip -n "$H" link del c2
# A pool that no file names is left alone, and a new one must not overlap it.
"$CLI" -n "$H" pool create dev ul3 type vxlan remote 10.62.0.2 count 2 dummy-base 4000 prefix u >/dev/null
ip link add ul4 netns "$H" type veth peer name uv4 netns "$V"
bad
printf '[Pool]\nDevice=ul4\nType=vxlan\nRemote=10.63.0.2\nCount=4\nDummyBase=4001\nPrefix=c\n' >"$B/c.conf"
refused "a dummy range overlapping a pool not in the config" \
	"$B/c.conf:6: DummyBase: dummy range 4001-4004 overlaps 4000-4001 of the pool on ul3 (not in the config)" -d "$B"
ip -n "$H" link del ul4
run_apply -d "$GOOD"
check "a pool no file names: left as it is" bash -c \
	"[ $RC -eq 0 ] && grep -q '^ul3: a pool that no file names: left as it is' <<<'$OUT'"
"$CLI" -n "$H" pool destroy dev ul3 >/dev/null

# ---- 8. a missing underlay -------------------------------------------------------------
bad
printf '[Pool]\nDevice=ul4\nType=vxlan\nRemote=10.63.0.2\nCount=2\nDummyBase=5000\nPrefix=w\n' >"$B/c.conf"
refused "a missing underlay" \
	"$B/c.conf:2: Device: there is no device ul4 in this network namespace (--wait-underlay SECONDS waits for it)" -d "$B"
t0=$(date +%s%N)
refused "a missing underlay after --wait-underlay 1" \
	"$B/c.conf:2: Device: there is no device ul4 in this network namespace (waited 1 s)" -d "$B" --wait-underlay 1
ms=$((($(date +%s%N) - t0) / 1000000))
check "...which waited 1 s ($ms ms)" test "$ms" -ge 1000 -a "$ms" -lt 5000
(sleep 1; veth ul4 uv4 10.63.0.1/24) &
t0=$(date +%s%N)
run_apply -d "$B" --wait-underlay 10
ms=$((($(date +%s%N) - t0) / 1000000))
wait
check "--wait-underlay 10: ul4 appears after 1 s, the pool is made ($RC, $ms ms)" \
	bash -c "[ $RC -eq 0 ] && [ $ms -ge 900 ] && grep -q 'ul4: created' <<<'$OUT'"
check "...w0, w1 on ul4" jq -e '.[] | select(.dev == "ul4") | [.tunnels[].name] == ["w0", "w1"]' \
	<<<"$(lbj show)" >/dev/null

# ---- 9. options, one file, destroy -----------------------------------------------------------
refused "-f and -d together" "apply: -f and -d exclude each other" -f "$GOOD/a.conf" -d "$GOOD"
refused "an unknown option" "apply: unknown argument \"--yes\"" -d "$GOOD" --yes
refused "a directory that is not there" "$CONF/none: No such file or directory" -d "$CONF/none"
run_apply -f "$GOOD/a.conf" -f "$B/c.conf"
check "-f twice: two files, nothing to do ($RC)" \
	bash -c "[ $RC -eq 0 ] && grep -q '^nothing to do: 2 pools as configured' <<<'$OUT'"
j=$(lbj apply -d "$CONF/bad" --dry-run -f x 2>/dev/null)
check "-j: an error is {\"error\": ...}" jq -e '.error | test("exclude")' <<<"$j" >/dev/null
# The shipped example, with this lab's underlay and a prefix of its own.
EXAMPLE=$(dirname "$0")/../../examples/pools.d/vxlan-example.conf
sed -e 's/^Device=eth1$/Device=ul3/' -e 's/^Remote=.*/Remote=10.62.0.2/' -e 's/^#Prefix=lb$/Prefix=ex/' \
	"$EXAMPLE" >"$CONF/example.conf"
run_apply -f "$CONF/example.conf" --dry-run
check "examples/pools.d/vxlan-example.conf reads: would create 512 tunnels ex0-ex511 ($RC)" bash -c \
	"[ $RC -eq 0 ] && grep -q 'ul3: would create: vxlan remote 10.62.0.2, 512 tunnels ex0-ex511, dummy range 16776704-16777215' <<<'$OUT'"

# ---- 10. slots in namespaces of their own ----------------------------------------------------
veth ul5 uv5 10.63.0.1/24
printf '[Pool]\nDevice=ul5\nType=vxlan\nRemote=10.63.0.2\nCount=2\nDummyBase=7000\nPrefix=n\n\n[Slots]\nTaps=yes\nTapPrefix=nt\nNetnsPrefix=%s\n' \
	"$NSP" >"$CONF/ns.conf"
run_apply -f "$CONF/ns.conf"
check "NetnsPrefix=: the pool is made, its slots in ${NSP}0 and ${NSP}1 ($RC)" \
	bash -c "[ $RC -eq 0 ] && [ -e /run/netns/${NSP}0 ] && [ -e /run/netns/${NSP}1 ]"
check "...show: each slot's namespace" jq -e --arg p "$NSP" \
	'.[] | select(.dev == "ul5") | [.tunnels[].netns] == [$p + "0", $p + "1"]' <<<"$(lbj show)" >/dev/null
run_apply -f "$CONF/ns.conf"
check "again: nothing to do ($RC: $OUT)" bash -c "[ $RC -eq 0 ] && grep -q '^nothing to do' <<<'$OUT'"
sed -i "s/^NetnsPrefix=.*/NetnsPrefix=${NSP}x/" "$CONF/ns.conf"
run_apply -f "$CONF/ns.conf"
check "another NetnsPrefix: refused without --force ($RC)" test "$RC" -ne 0
check "...naming the key: $(head -n 1 <<<"$OUT")" grep -q "NetnsPrefix: the pool on ul5 has ${NSP}, this file says ${NSP}x" <<<"$OUT"
"$CLI" -n "$H" pool destroy dev ul5 >/dev/null
check "destroy: the slot namespaces are gone" test -z "$(ls /run/netns | grep "^$NSP")"

for d in ulh ul2 ul4; do "$CLI" -n "$H" pool destroy dev "$d" >/dev/null; done
check "after destroy: no pool, no pin of this namespace left" \
	test "$(lbj show)" = "[]" -a -z "$(find "$NSPINS" -mindepth 1 2>/dev/null)"
check "...no tunnel or tap left" test -z "$(ip -n "$H" -o link show | grep -E ': (lb|s|st|w)[0-9]+[:@]')"
summary
