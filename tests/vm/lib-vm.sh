# shellcheck shell=bash
# Helpers for tests that run inside the test VM (bash, one of Debian's kernels).
# Same results convention as tests/e2e/lib.sh: set SUITE, source this, end
# with `summary`. Lines: "ok   - ...", "FAIL - ...", "skip - ...", then
# "SUITE: N passed, N failed, N skipped".

# shellcheck disable=SC2034 # the tests use these
# Full paths: busybox ash would run its own ip/tc/ping/nsenter applets.
# (In bash, PATH finds these too: the VM has no applet links for them.)
IP=/usr/sbin/ip
TC=/usr/sbin/tc
BPFTOOL=/usr/sbin/bpftool
ETHTOOL=/usr/sbin/ethtool
NSENTER=/usr/bin/nsenter
PING=/usr/bin/ping
TCPDUMP=/usr/bin/tcpdump # no tcpdump user here: pass -Z root
IPERF3=/usr/bin/iperf3
JQ=/usr/bin/jq
CLI=${CLI:-/payload/latebind}
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

# shellcheck source=/dev/null
. "$(dirname "${BASH_SOURCE[0]}")/results.sh"
# The kernel run.sh booted (KERNEL_ID, KERNEL_PKG, KERNEL_VERSION, KVER), and
# what follows from its version: TCX=1 from 6.6 on (attach mode auto picks
# tcx there), ATTACH_AUTO the mode auto picks.
KVER=$(uname -r)
# shellcheck source=/dev/null
[ -f "$(dirname "${BASH_SOURCE[0]}")/kernel.env" ] && . "$(dirname "${BASH_SOURCE[0]}")/kernel.env"
KMAJOR=${KVER%%.*} KMINOR=${KVER#*.} KMINOR=${KMINOR%%[!0-9]*}
# kernel_at_least MAJOR MINOR
kernel_at_least() { [ "$KMAJOR" -gt "$1" ] || { [ "$KMAJOR" -eq "$1" ] && [ "$KMINOR" -ge "$2" ]; }; }
TCX=0 ATTACH_AUTO=cls_bpf
if kernel_at_least 6 6; then TCX=1 ATTACH_AUTO=tcx; fi
# Before 5.14 (no SO_NETNS_COOKIE) latebind refuses to attach or create a
# pool (vm_kernel asserts how); the pool suites then skip, saying so.
COOKIE=0
kernel_at_least 5 14 && COOKIE=1
# skip_without_cookie: in a pool suite, skip it all before 5.14.
skip_without_cookie() {
	[ "$COOKIE" = 1 ] && return 0
	skip "$SUITE: kernel $KVER has no SO_NETNS_COOKIE (5.14): latebind refuses pools here (vm_kernel checks the refusal)"
	summary
	exit 0
}
TAG=$(printf '%04x' $((RANDOM)))
NAMESPACES=()

# new_netns VAR BASENAME: create a namespace with a unique name.
new_netns() {
	local name="lb$2-$TAG"
	"$IP" netns add "$name" || return 1
	"$IP" -n "$name" link set lo up
	NAMESPACES+=("$name")
	printf -v "$1" '%s' "$name"
}

cleanup_netns() {
	local ns dev
	for ns in "${NAMESPACES[@]}"; do
		for dev in $("$IP" -n "$ns" -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
			"$CLI" -n "$ns" datapath detach dev "$dev" >/dev/null 2>&1
		done
		"$IP" netns del "$ns" 2>/dev/null
	done
}
trap cleanup_netns EXIT

# in_ns NS CMD...: run CMD in NS, keeping this mount namespace (bpffs pins).
in_ns() {
	local ns=$1
	shift
	"$NSENTER" --net="/run/netns/$ns" "$@"
}
