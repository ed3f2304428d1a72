#!/bin/bash
# bench/peers.sh's designs with Geneve, in Debian's 6.1 under TCG (run by
# bench/peers_geneve.sh): latebind, plain, collectmd and plain2 in the labs
# of bench/peers-lib.sh (vnifilter is VXLAN's alone), in a rotated order per
# round, after an uncounted warm-up. Prints "peers-geneve-info: {json}"
# (CPUs, pinning, MTUs), then per design and round "peers-geneve: {json}"
# (tcp_gbps, pps_fwd, pps_rev, sent_*, as bench/peers.sh's rounds). TCG
# makes absolute numbers meaningless: the host reads ratios only. Numbers
# only: a check passes when the lab works or a round measured.
# Needs in /payload (LATEBIND_VM_FILES): peers-lib.sh, pps-blast, udp-sink,
# collectmd.bpf.o.
# shellcheck disable=SC2034 # read by results.sh and peers-lib.sh
SUITE=vm_peers_geneve
# shellcheck source=SCRIPTDIR/../lib-vm.sh
. "$(dirname "$0")/../lib-vm.sh"
# bench/peers_geneve.sh rewrites these two lines (PEERS_VM_ROUNDS, PEERS_VM_SECONDS).
ROUNDS=10
DUR=3
PAYLOAD=$(dirname "$0")/..
KIND=geneve
BLAST=$PAYLOAD/pps-blast
SINK=$PAYLOAD/udp-sink
BPFOBJ=$PAYLOAD/collectmd.bpf.o
PIN=/sys/fs/bpf/lbpeers-$TAG
DESIGNS=(latebind plain collectmd plain2)
# A sender stalled by the host (qemu is one thread) must not end a run.
SINK_IDLE_MS=1000
# run.sh gives the guest two vCPUs, run in turn by one TCG thread: sender
# and receiver on CPUs of their own as on the host; with one, both on 0.
CPUS=$(nproc)
TX_CPU=0 RX_CPU=1
[ "$CPUS" -ge 2 ] || RX_CPU=0

die() {
	fail "$*"
	[ "$BASH_SUBSHELL" -gt 0 ] || summary
	exit 1
}
for f in "$PAYLOAD/peers-lib.sh" "$BLAST" "$SINK" "$BPFOBJ"; do
	[ -e "$f" ] || die "no $f (bench/peers_geneve.sh passes it in LATEBIND_VM_FILES)"
done
TMP=$(mktemp -d)
# shellcheck source=SCRIPTDIR/../../../bench/peers-lib.sh
. "$PAYLOAD/peers-lib.sh"
peers_kind
# Not lib-vm.sh's cleanup_netns: the VM powers off after this suite.
trap 'peers_cleanup; rm -rf "$TMP"' EXIT

# wire DESIGN: H's first two packets of a ping from T, seen on P's
# underlay, are Geneve with VNI 100.
wire() {
	local d=$1 tp
	in_ns "${P[$d]}" timeout 20 "$TCPDUMP" -Z root -l -n -Q in -c 2 -i ulp udp dst port 6081 >"$TMP/wire" 2>"$TMP/wire.err" &
	tp=$!
	for _ in $(seq 100); do grep -q listening "$TMP/wire.err" && break; sleep 0.1; done
	in_ns "${T[$d]}" ping -q -c 2 -i 0.2 -W 2 10.77.3.2 >/dev/null
	wait "$tp"
	check "$d: on the wire, Geneve with VNI 100 ($(grep -o 'vni 0x[0-9a-f]*' "$TMP/wire" | tr '\n' ' '))" \
		test "$(grep -cE 'Geneve.* vni 0x64[^0-9a-f]' "$TMP/wire")" -eq 2
}

declare -A TUN=([latebind]=lb0 [plain]=$PDEV [plain2]=$PDEV [collectmd]=$XDEV)
mtu='{}'
for d in "${DESIGNS[@]}"; do
	lab "$d"
	ok "$d: lab built, ping through the tunnel both ways"
	wire "$d"
	# shellcheck disable=SC2016 # jq's variables
	mtu=$("$JQ" -c --arg d "$d" --argjson m "$("$IP" -n "${H[$d]}" -j link show dev "${TUN[$d]}" | "$JQ" '.[0].mtu')" \
		'.[$d] = $m' <<<"$mtu")
done
attach=$("$CLI" -n "${H[latebind]}" -j show | "$JQ" -r '.[0].attach')
# shellcheck disable=SC2016 # jq's variables
echo "peers-geneve-info: $("$JQ" -nc --arg kernel "$(uname -r)" --argjson cpus "$CPUS" --argjson tx "$TX_CPU" \
	--argjson rx "$RX_CPU" --argjson rounds "$ROUNDS" --argjson secs "$DUR" --argjson mtu "$mtu" --arg attach "$attach" \
	'{kernel: $kernel, cpus: $cpus, tx_cpu: $tx, rx_cpu: $rx, rounds: $rounds, seconds: $secs,
	  tunnel_mtu: $mtu, latebind_attach: $attach}')"

for d in "${DESIGNS[@]}"; do # warm-up, not counted
	pps "$d" fwd >/dev/null || die "$d: warm-up"
done
n=${#DESIGNS[@]}
for ((r = 1; r <= ROUNDS; r++)); do
	for ((i = 0; i < n; i++)); do
		d=${DESIGNS[$(((r - 1 + i) % n))]}
		g=$(tcp "$d") || die "round $r $d: tcp"
		f=$(pps "$d" fwd) || die "round $r $d: pps fwd"
		v=$(pps "$d" rev) || die "round $r $d: pps rev"
		# shellcheck disable=SC2016 # jq's variables
		echo "peers-geneve: $("$JQ" -nc --arg d "$d" --argjson r "$r" --argjson g "$g" --arg f "$f" --arg v "$v" '
			($f | split(" ") | map(tonumber)) as $f | ($v | split(" ") | map(tonumber)) as $v |
			{design: $d, round: $r, tcp_gbps: $g, pps_fwd: $f[0], sent_fwd: $f[3], pps_rev: $v[0], sent_rev: $v[3]}')"
		ok "round $r $d: tcp $g Gbit/s, pps fwd ${f%% *}, rev ${v%% *} (TCG)"
	done
done
summary
