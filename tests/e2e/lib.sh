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
