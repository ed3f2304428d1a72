#!/bin/bash
# Create on demand on a full host: on-demand create and bind latency (p50,
# p99; `latebind bench bind`) with N tunnels already in the namespace.
# Numbers only, never pass/fail. Writes $BENCH_OUT/create_vs_n.json.
#
#   vxlan        a fresh netns, N plain VXLAN tunnels (up, VNIs 1000000 + i,
#                one ip -batch; N grows in the same netns) beside a pool of 4
#   vxlan_udev   the initial netns (uevents of other netns never reach udev),
#                under our own systemd-udevd on the guarded stock rules
#                (bench/udev-lib.sh); at each N once with udevd running, after
#                it settled the filler, and once with it stopped
#   geneve_vm    Geneve in Debian's 6.1 under TCG (tests/vm/bench/): ratios only
#
#   CVN_COUNTS="0 1000 4000 16000"  N, host VXLAN
#   CVN_UDEV_COUNTS="0 1000"       N under udevd ("" skips; 4,000 settles in minutes;
#                                  skipped, saying so, beside a running udevd)
#   CVN_OPS=30000 CVN_CREATES=200  binds and creates per point
#   CVN_VM=1                       the Geneve VM part (0 skips)
#   CVN_VM_COUNTS="0 1000 4000 16000"  N in the VM (16,000 takes about 20 minutes)
#   CVN_VM_MEM=3072                its memory, MiB
#   CVN_VM_CONSOLE=FILE            read an earlier VM run's console.log instead
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
CLI=$(realpath "${CLI:-$BUILD/latebind}")
OUT=${BENCH_OUT:-$BUILD/bench}
read -ra COUNTS <<<"${CVN_COUNTS-0 1000 4000 16000}"
read -ra UDEV_COUNTS <<<"${CVN_UDEV_COUNTS-0 1000}"
OPS=${CVN_OPS:-30000}
CREATES=${CVN_CREATES:-200}
VM=${CVN_VM:-1}
H=lbcvn-h-$$
V=lbcvn-v-$$
U=zcu$$
UNS=lbcvn-u-$$
T=$(mktemp -d)
UDEV_TMP=$T
UDEV_GUARD='zcf*|zcp*|lbod*'
# shellcheck source=bench/udev-lib.sh
. bench/udev-lib.sh
mkdir -p "$OUT"
OUT=$(realpath "$OUT")
# The udev part needs our own udevd: skipped, saying so, when one runs or
# the package is missing.
if [ "${#UDEV_COUNTS[@]}" -gt 0 ]; then
	if [ ! -x "$UDEVD" ]; then
		echo "   udev part skipped: no $UDEVD (apt-get install udev)"
		UDEV_COUNTS=()
	elif pgrep -x systemd-udevd >/dev/null; then
		echo "   udev part skipped: a systemd-udevd runs (this part starts its own)"
		UDEV_COUNTS=()
	else
		udev_refuse_running create_vs_n.sh
	fi
fi

cleanup() {
	"$CLI" -n "$H" pool destroy dev ulh >/dev/null 2>&1 || true
	ip -n "$H" link del group 77 2>/dev/null || true
	ip netns del "$H" 2>/dev/null || true
	ip netns del "$V" 2>/dev/null || true
	if [ -e "$T/zcf" ]; then
		udev_cleanup
		"$CLI" pool destroy dev "$U" >/dev/null 2>&1 || true
		sed 's/^link add \([^ ]*\) .*/link del \1/' "$T/zcf" | ip -force -batch - 2>/dev/null || true
		ip link del "$U" 2>/dev/null || true
		ip netns del "$UNS" 2>/dev/null || true
	fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now_ms() { echo $((${EPOCHREALTIME/./} / 1000)); }
load1() { cut -d' ' -f1 /proc/loadavg; }

# fill NS PREFIX FROM TO GROUP DEVARGS...: VXLAN tunnels PREFIX<i>, i in
# [FROM, TO), up, in one ip -batch; the lines are kept in $T/PREFIX.
fill() {
	local ns=$1 prefix=$2 from=$3 to=$4 group=$5 i
	shift 5
	[ "$from" -lt "$to" ] || return 0
	for ((i = from; i < to; i++)); do
		echo "link add $prefix$i type vxlan id $((1000000 + i)) $*"
		echo "link set $prefix$i group $group up"
	done >"$T/batch"
	grep '^link add' "$T/batch" >>"$T/$prefix"
	if [ -n "$ns" ]; then ip -n "$ns" -batch "$T/batch"; else ip -batch "$T/batch"; fi
}

# point NS DEV N FILL_MS [EXTRA-JSON]: one bench bind, as a JSON line.
point() {
	local js ns=()
	[ -z "$1" ] || ns=(-n "$1")
	js=$("$CLI" "${ns[@]}" -j bench bind dev "$2" ops "$OPS" creates "$CREATES")
	# shellcheck disable=SC2016 # jq's variables
	jq -c --argjson n "$3" --argjson fill_ms "$4" --argjson load1 "$(load1)" --argjson extra "${5:-"{}"}" \
		'{n: $n, fill_ms: $fill_ms, load1: $load1} + . + $extra' <<<"$js"
}

show() {
	jq -r '"   N=\(.n)\t bind p50 \(.bind_p50_us) p99 \(.bind_p99_us) µs\t create p50 \(.create_p50_us) p99 \(.create_p99_us) µs\t ratio p50 \(.ratio_p50 | round)x p99 \(.ratio_p99 | round)x\t filler \(.fill_ms) ms, load \(.load1)" + (if .udevd == null then "" elif .udevd then ", udevd (settled in \(.settle_ms) ms)" else ", no udevd" end)' "$1"
}

t_all=$(now_ms)
: >"$T/vxlan.jsonl"
: >"$T/udev.jsonl"
: >"$T/geneve.jsonl"

vxlan_s=0
if [ "${#COUNTS[@]}" -gt 0 ]; then
	echo "== create vs N: VXLAN, fresh netns, no udev ($OPS binds, $CREATES creates per point; load $(load1))"
	t_part=$(now_ms)
	ip netns add "$H"
	ip netns add "$V"
	ip link add ulh netns "$H" type veth peer name ulv netns "$V"
	ip -n "$H" addr add 10.89.0.1/24 dev ulh
	ip -n "$H" link set ulh up
	"$CLI" -n "$H" pool create dev ulh type vxlan remote 10.89.0.2 count 4 >/dev/null
	have=0
	for n in "${COUNTS[@]}"; do
		t0=$(now_ms)
		fill "$H" cvf "$have" "$n" 77 dev ulh remote 10.89.0.2 dstport 4789
		fill_ms=$(($(now_ms) - t0))
		have=$n
		point "$H" ulh "$n" "$fill_ms" >>"$T/vxlan.jsonl"
		tail -n 1 "$T/vxlan.jsonl" | show /dev/stdin
	done
	"$CLI" -n "$H" pool destroy dev ulh >/dev/null
	[ "$have" -eq 0 ] || ip -n "$H" link del group 77
	ip netns del "$H"
	ip netns del "$V"
	vxlan_s=$((($(now_ms) - t_part) / 1000))
fi

udev_s=0
if [ "${#UDEV_COUNTS[@]}" -gt 0 ]; then
	echo "== create vs N: VXLAN, initial netns, systemd-udevd running and stopped"
	t_part=$(now_ms)
	if ip -o link show | grep -qE ': (zcf|zcp|lbod)[0-9]'; then
		echo "create_vs_n.sh: devices zcf*, zcp* or lbod* exist in the initial netns" >&2
		exit 1
	fi
	udev_prepare
	: >"$T/zcf"
	ip netns add "$UNS"
	ip link add "$U" type veth peer name zcp netns "$UNS"
	ip link set "$U" up
	udev_start stock
	"$CLI" pool create dev "$U" type vxlan remote 198.18.79.2 local 198.18.79.1 \
		count 4 prefix zcp dummy-base 12500000 dstport 14789 >/dev/null
	udevadm settle --timeout=1200
	have=0
	for n in "${UDEV_COUNTS[@]}"; do
		[ -n "$udevd_pid" ] || udev_start stock
		t0=$(now_ms)
		fill "" zcf "$have" "$n" 0 dev "$U" remote 198.18.79.2 local 198.18.79.1 dstport 14789
		fill_ms=$(($(now_ms) - t0))
		have=$n
		t0=$(now_ms)
		udevadm settle --timeout=1200
		settle_ms=$(($(now_ms) - t0))
		point "" "$U" "$n" "$fill_ms" "{\"udevd\": true, \"settle_ms\": $settle_ms}" >>"$T/udev.jsonl"
		tail -n 1 "$T/udev.jsonl" | show /dev/stdin
		udevadm settle --timeout=1200
		udev_stop
		point "" "$U" "$n" "$fill_ms" '{"udevd": false}' >>"$T/udev.jsonl"
		tail -n 1 "$T/udev.jsonl" | show /dev/stdin
	done
	"$CLI" pool destroy dev "$U" >/dev/null
	sed 's/^link add \([^ ]*\) .*/link del \1/' "$T/zcf" | ip -batch -
	rm -f "$T/zcf"
	udev_cleanup
	ip link del "$U"
	ip netns del "$UNS"
	udev_s=$((($(now_ms) - t_part) / 1000))
fi

vm_s=0
if [ -n "${CVN_VM_CONSOLE:-}" ] || [ "$VM" = 1 ]; then
	echo "== create vs N: Geneve in the 6.1 VM (TCG: ratios only)"
	t_part=$(now_ms)
	console=${CVN_VM_CONSOLE:-}
	if [ -z "$console" ]; then
		make --no-print-directory BUILD="$BUILD" "$BUILD/tests/lb-craft" "$BUILD/tests/lb-tapio" >/dev/null
		# The VM sees no environment: the counts go into its copy of the suite.
		sed "s/^read -ra COUNTS .*/COUNTS=(${CVN_VM_COUNTS:-0 1000 4000 16000})/" \
			tests/vm/bench/create-vs-n-geneve.sh >"$T/create-vs-n-geneve.sh"
		BUILD=$BUILD CLI=$CLI LATEBIND_VM_MEM=${CVN_VM_MEM:-3072} LATEBIND_VM_TIMEOUT=${CVN_VM_TIMEOUT:-3600} \
			LATEBIND_VM_TESTS=$T/create-vs-n-geneve.sh bash tests/vm/run.sh || true
		console=$BUILD/vm/bookworm/console.log
	fi
	sed -n 's/^createvsn-geneve: //p' "$console" >"$T/geneve.jsonl"
	show "$T/geneve.jsonl"
	vm_s=$((($(now_ms) - t_part) / 1000))
fi

# The headline: create/bind at 4,000 present next to the empty namespace.
jq -n --arg kernel "$(uname -r)" --argjson cpus "$(nproc)" --arg date "$(date -u +%FT%TZ)" \
	--argjson ops "$OPS" --argjson creates "$CREATES" --argjson vm_mem "${CVN_VM_MEM:-3072}" \
	--argjson vxlan_s "$vxlan_s" --argjson udev_s "$udev_s" --argjson vm_s "$vm_s" \
	--argjson total_s $((($(now_ms) - t_all) / 1000)) \
	--slurpfile vx "$T/vxlan.jsonl" --slurpfile ud "$T/udev.jsonl" --slurpfile gv "$T/geneve.jsonl" '
	def at($s; $n): [$s[] | select(.n == $n)][0];
	def headline($s): if at($s; 0) and at($s; 4000) then
		{ratio_p50_at_0: at($s; 0).ratio_p50, ratio_p99_at_0: at($s; 0).ratio_p99,
		 ratio_p50_at_4000: at($s; 4000).ratio_p50, ratio_p99_at_4000: at($s; 4000).ratio_p99,
		 create_p50_growth: (at($s; 4000).create_p50_us / at($s; 0).create_p50_us)}
		else null end;
	{machine: {kernel: $kernel, cpus: $cpus, date: $date}, ops: $ops, creates: $creates,
	 seconds: {vxlan: $vxlan_s, vxlan_udev: $udev_s, geneve_vm: $vm_s, total: $total_s},
	 vm_mem_mib: $vm_mem,
	 headline: {vxlan: headline($vx), geneve_vm: headline($gv)},
	 vxlan: $vx, vxlan_udev: $ud, geneve_vm: $gv}' >"$OUT/create_vs_n.json"
jq -r '.headline | to_entries[] | select(.value) |
	"   headline \(.key): create/bind p50 \(.value.ratio_p50_at_0 | round)x at N=0, \(.value.ratio_p50_at_4000 | round)x at N=4000; p99 \(.value.ratio_p99_at_0 | round)x, \(.value.ratio_p99_at_4000 | round)x"' \
	"$OUT/create_vs_n.json"
echo "   $OUT/create_vs_n.json (vxlan ${vxlan_s} s, udev ${udev_s} s, VM ${vm_s} s)"
# Plot data: N, then bind and create p50 and p99 in µs.
for s in vxlan vxlan_udev geneve_vm; do
	jq -r --arg s "$s" '.[$s][] | select(.udevd != false) |
		"\(.n) \(.bind_p50_us) \(.bind_p99_us) \(.create_p50_us) \(.create_p99_us)"' \
		"$OUT/create_vs_n.json" >"$OUT/create_vs_n-$s.dat"
done
if command -v gnuplot >/dev/null; then
	host_plot=0 vm_plot=0
	if [ -s "$OUT/create_vs_n-vxlan.dat" ]; then host_plot=1; fi
	if [ -s "$OUT/create_vs_n-geneve_vm.dat" ]; then vm_plot=1; fi
	if [ $((host_plot + vm_plot)) -eq 0 ]; then
		echo "   nothing to plot"
	elif gnuplot -e "dir='$OUT'; host=$host_plot; vm=$vm_plot" bench/create_vs_n.gp; then
		echo "   $OUT/create-vs-n.png"
	fi
else
	echo "   gnuplot missing (gnuplot-nox): no plot"
fi
