#!/bin/bash
# bench/create_vs_n.sh, VM part: on-demand Geneve create and bind latency
# with N Geneve tunnels already in the namespace, on Debian's 6.1 (TCG:
# only ratios mean anything). N grows in one namespace; each step prints
# "createvsn-geneve: {json}" (latebind bench bind -j, plus n and the time
# the filler took). Numbers only: a step counts as passed when it measured.
# Run alone (bench/create_vs_n.sh does): it leaves its namespaces behind.
# shellcheck disable=SC2034 # read by results.sh
SUITE=vm_create_vs_n
# shellcheck source=SCRIPTDIR/../lib-vm.sh
. "$(dirname "$0")/../lib-vm.sh"
# bench/create_vs_n.sh rewrites this line (CVN_VM_COUNTS).
read -ra COUNTS <<<"0 1000 4000 16000"
OPS=30000
CREATES=100

new_netns H cvh
new_netns V cvv
"$IP" link add ulh netns "$H" type veth peer name ulv netns "$V"
"$IP" -n "$H" addr add 10.89.0.1/24 dev ulh
"$IP" -n "$H" link set ulh up
"$CLI" -n "$H" pool create dev ulh type geneve remote 10.89.0.2 count 4 >/dev/null ||
	fail "pool create"

have=0
for n in "${COUNTS[@]}"; do
	# The filler: plain Geneve tunnels with VNIs 1000000 + i, up, as a
	# host carries them, added in one ip -batch.
	t0=${EPOCHREALTIME/./}
	batch=/tmp/cvn-filler
	for ((i = have; i < n; i++)); do
		echo "link add cvf$i type geneve id $((1000000 + i)) remote 10.89.0.2"
		echo "link set cvf$i up"
	done >"$batch"
	"$IP" -n "$H" -batch "$batch" || fail "filler to $n"
	rm -f "$batch"
	fill_ms=$(((${EPOCHREALTIME/./} - t0) / 1000))
	have=$n
	present=$("$IP" -n "$H" -o link show type geneve | grep -c ' cvf')
	load=$(cut -d' ' -f1 /proc/loadavg)
	if js=$("$CLI" -n "$H" -j bench bind dev ulh ops "$OPS" creates "$CREATES"); then
		# shellcheck disable=SC2016 # jq's variables
		echo "createvsn-geneve: $("$JQ" -c --argjson n "$present" --argjson fill_ms "$fill_ms" \
			--arg load "$load" '. + {n: $n, fill_ms: $fill_ms, load1: $load}' <<<"$js")"
		ok "measured at $present Geneve tunnels present (filler took $fill_ms ms)"
	else
		fail "bench bind at $present present"
	fi
done
"$CLI" -n "$H" pool destroy dev ulh >/dev/null
# No cleanup_netns: it runs a `datapath detach` per device, 16,000 processes
# under TCG (not done after 13 minutes here); the VM powers off after this suite.
trap - EXIT
summary
