# shellcheck shell=bash
# Shared helpers for the end-to-end tests: results, namespaces, cleanup.
# Each test sources this, sets SUITE, and ends with `summary`.

CLI=${CLI:-build/latebind}
PASSED=0 FAILED=0 SKIPPED=0
# Random suffix: parallel runs and leftovers never collide.
TAG=$(printf '%04x' $((RANDOM)))
NAMESPACES=()

# Results go to fd 3, the suite's stdout, so `check ... >/dev/null` hides only
# the command's output, never the verdict.
exec 3>&1
ok()   { PASSED=$((PASSED + 1)); echo "ok   - $*" >&3; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL - $*" >&3; }
skip() { SKIPPED=$((SKIPPED + 1)); echo "skip - $*" >&3; }

# check DESCRIPTION COMMAND...: passes when COMMAND exits 0.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else fail "$desc"; fi
}

# check_fails DESCRIPTION COMMAND...: passes when COMMAND exits non-zero.
check_fails() {
	local desc=$1
	shift
	if "$@"; then fail "$desc (unexpectedly succeeded)"; else ok "$desc"; fi
}

summary() {
	echo "$SUITE: $PASSED passed, $FAILED failed, $SKIPPED skipped" >&3
	[ "$FAILED" -eq 0 ] && [ "$PASSED" -gt 0 ]
}

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
