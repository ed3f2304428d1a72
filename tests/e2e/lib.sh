# shellcheck shell=bash
# Shared helpers for the end-to-end tests: results, namespaces, cleanup.
# Each test sources this, sets SUITE, and ends with `summary`.

CLI=${CLI:-build/latebind}
# shellcheck source=/dev/null
. "$(dirname "${BASH_SOURCE[0]}")/../lib/results.sh"
TAG=$(printf '%04x' $((RANDOM)))
NAMESPACES=()

# new_netns VAR BASENAME: create a namespace with a unique name.
new_netns() {
	local name="lb$2-$TAG"
	ip netns add "$name" || return 1
	ip -n "$name" link set lo up
	NAMESPACES+=("$name")
	printf -v "$1" '%s' "$name"
}

# host_vpc_lab NET: netns H ("host") and V ("vpc") joined by a veth underlay,
# ulh NET.1/24 in H and ulv NET.2/24 in V, both up.
host_vpc_lab() {
	new_netns H host && new_netns V vpc || return 1
	ip link add ulh netns "$H" type veth peer name ulv netns "$V" || return 1
	ip -n "$H" addr add "$1.1/24" dev ulh
	ip -n "$V" addr add "$1.2/24" dev ulv
	ip -n "$H" link set ulh up
	ip -n "$V" link set ulv up
}

cleanup_netns() {
	local ns
	for ns in "${NAMESPACES[@]}"; do
		# Detach first so pins of this namespace go too.
		for dev in $(ip -n "$ns" -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
			"$CLI" -n "$ns" datapath detach dev "$dev" >/dev/null 2>&1
		done
		ip netns del "$ns" 2>/dev/null
	done
}
trap cleanup_netns EXIT

# in_ns NS CMD...: run CMD in NS, keeping this mount namespace (bpffs pins).
in_ns() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" "$@"
}

# pin_dir NS DEV: the datapath pin directory of DEV in NS (empty if none).
pin_dir() {
	"$CLI" -n "$1" -j datapath show dev "$2" 2>/dev/null | jq -r '.pins // empty'
}
