#!/bin/bash
# bench/peers.sh's designs with Geneve (docs/BENCHMARKS.md §8): latebind,
# plain, collectmd and plain2, in Debian's 6.1 under qemu TCG
# (tests/vm/bench/peers-geneve.sh; the host kernel has no Geneve). TCG
# makes absolute numbers meaningless: this reports, per metric (tcp_gbps,
# pps_fwd, pps_rev) and design, the median of the ratios to plain paired by
# round, their range and the rounds won; plain2/plain, the A/A pair, shows
# what the run resolves. Pinning: the VM has two vCPUs (one TCG thread runs
# both); sender and receiver go on CPUs 0 and 1 as on the host, both on 0 if
# the VM has one. About 11 minutes with the defaults. bench/peers.sh runs it
# after its VXLAN designs (PEERS_VM=0 skips it); it adds "geneve_vm" to
# $BENCH_OUT/peers.json (makes the file if there is none).
#
# Env: BUILD (build), CLI ($BUILD/latebind), BENCH_OUT ($BUILD/bench),
# PEERS_VM_ROUNDS (10), PEERS_VM_SECONDS (3), PEERS_VM_MEM (1024, MiB),
# PEERS_VM_TIMEOUT (1500 s), PEERS_VM_CONSOLE (read an earlier run's
# console.log instead of booting the VM).
set -u
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 1

BUILD=${BUILD:-build}
CLI=${CLI:-$BUILD/latebind}
OUT=${BENCH_OUT:-$BUILD/bench}
ROUNDS=${PEERS_VM_ROUNDS:-10}
DUR=${PEERS_VM_SECONDS:-3}
MEM=${PEERS_VM_MEM:-1024}
TIMEOUT=${PEERS_VM_TIMEOUT:-1500}
CONSOLE=${PEERS_VM_CONSOLE:-}
DESIGNS='["latebind", "plain", "collectmd", "plain2"]'
T0=$SECONDS
LOAD0=$(cut -d" " -f1-3 /proc/loadavg)

die() {
	echo "peers_geneve.sh: $*" >&2
	exit 1
}
for v in ROUNDS DUR MEM TIMEOUT; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "PEERS_VM_$v must be a positive integer"
done
mkdir -p "$OUT" || die "cannot create $OUT"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

if [ -z "$CONSOLE" ]; then
	echo "== 8: peer designs, Geneve in the 6.1 VM ($ROUNDS rounds of $DUR s; TCG: ratios only)"
	tools=("$BUILD/bench/pps-blast" "$BUILD/bench/udp-sink" "$BUILD/bpf/collectmd.bpf.o")
	make --no-print-directory BUILD="$BUILD" "$BUILD/tests/lb-craft" "$BUILD/tests/lb-tapio" "${tools[@]}" >/dev/null ||
		die "cannot build the VM's tools"
	# The VM sees no environment: rounds and seconds go into its copy of the suite.
	sed -e "s/^ROUNDS=.*/ROUNDS=$ROUNDS/" -e "s/^DUR=.*/DUR=$DUR/" tests/vm/bench/peers-geneve.sh >"$TMP/peers-geneve.sh"
	BUILD=$BUILD CLI=$CLI LATEBIND_VM_SUITE=bookworm LATEBIND_VM_FLAVOUR=generic \
		LATEBIND_VM_MEM=$MEM LATEBIND_VM_TIMEOUT=$TIMEOUT LATEBIND_VM_TESTS=$TMP/peers-geneve.sh \
		LATEBIND_VM_FILES="bench/peers-lib.sh ${tools[*]}" bash tests/vm/run.sh ||
		echo "   the VM run did not finish cleanly (above); reading what it measured"
	CONSOLE=$BUILD/vm/bookworm/console.log
else
	echo "== 8: peer designs, Geneve in the 6.1 VM, from $CONSOLE (TCG: ratios only)"
fi
[ -r "$CONSOLE" ] || die "no console log $CONSOLE"
sed -n 's/^peers-geneve: //p' "$CONSOLE" >"$TMP/rounds.jsonl"
info=$(sed -n 's/^peers-geneve-info: //p' "$CONSOLE" | tail -n 1)
qemu_s=$(sed -n 's/^vm-init: peers-geneve took \([0-9]*\) s$/\1/p' "$CONSOLE" | tail -n 1)

# Complete rounds only (every design measured): a run cut short by the
# timeout leaves a partial one. Rounds and seconds as the VM had them.
# shellcheck disable=SC2016 # jq's variables
jq -s --argjson designs "$DESIGNS" --argjson info "${info:-null}" --argjson secs "$DUR" \
	--argjson asked "$ROUNDS" --argjson mem "$MEM" --argjson suite_s "${qemu_s:-null}" \
	--arg load0 "$LOAD0" --arg load1 "$(cut -d" " -f1-3 /proc/loadavg)" \
	--argjson wall $((SECONDS - T0)) -L bench 'include "peers";
	. as $all | ["tcp_gbps", "pps_fwd", "pps_rev"] as $metrics |
	[$all[].round] | unique | map(. as $r | select([$all[] | select(.round == $r) | .design] | unique == ($designs | sort))) |
	. as $rounds | [$all[] | select(.round as $r | $rounds | index($r))] |
	if $rounds == [] then {error: "no complete round came back from the VM", rounds: 0}
	else designs($metrics; $rounds) as $d |
		{rounds: ($rounds | length),
		 designs: ($d | map_values(map_values({ratio_median, ratio_min, ratio_max, rounds_won_vs_plain}))),
		 per_round: .}
	end |
	{note: "qemu TCG: absolute numbers are meaningless, read the ratios to plain only",
	 rounds_asked: ($info.rounds // $asked), seconds: ($info.seconds // $secs), vm: $info, vm_mem_mib: $mem,
	 load_before: $load0, load_after: $load1, suite_s: $suite_s, wall_s: $wall} + .' \
	"$TMP/rounds.jsonl" >"$TMP/geneve.json" || die "cannot summarise $CONSOLE"
if [ -r "$OUT/peers.json" ]; then
	jq --slurpfile g "$TMP/geneve.json" '.geneve_vm = $g[0]' "$OUT/peers.json" >"$TMP/peers.json"
else
	jq '{geneve_vm: .}' "$TMP/geneve.json" >"$TMP/peers.json"
fi || die "cannot write peers.json"
mv "$TMP/peers.json" "$OUT/peers.json"

jq -r '.geneve_vm | if .error then "   \(.error)" else
	"   design       tcp               pps fwd           pps rev       (ratio to plain, median [range] won)",
	(.designs | to_entries[] | select(.key != "plain") | .key as $d | .value as $v |
	"   \(if $d == "plain2" then "plain2 A/A" else $d end | .[0:10] | . + (" " * (10 - length)))   " + ([$v.tcp_gbps, $v.pps_fwd, $v.pps_rev] |
		map("\(.ratio_median) [\(.ratio_min)-\(.ratio_max)] \(.rounds_won_vs_plain)") | join("   "))),
	"   (\(.rounds) of \(.rounds_asked) rounds of \(.seconds) s; \(.vm.cpus) vCPUs, sender on \(.vm.tx_cpu), receiver on \(.vm.rx_cpu); host load \(.load_before) -> \(.load_after); suite \(.suite_s) s, \(.wall_s) s in all)"
	end' "$OUT/peers.json"
echo "   $OUT/peers.json (geneve_vm)"
jq -e '.geneve_vm.error == null' "$OUT/peers.json" >/dev/null
