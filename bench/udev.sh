#!/bin/bash
# Pool create under udev, without and with udev/00-latebind.rules
# (docs/operations.md, "What udev costs"). Numbers only, never pass/fail.
#
#   init netns:  zqN (VXLAN, the pool)  -- underlay zqu$$ (veth) -- peer in a netns
#
# Uevents of a device reach only the udev of its own network namespace, and
# systemd-udevd runs in the initial one: so the pool is made there, under a
# prefix and dummy range of its own. The script starts its own
# systemd-udevd (package udev) in a private mount namespace, where every
# stock rules file starts with a guard that sends every other device of the
# host to its end, and stops it at the end; it refuses to run beside a
# running udevd. Each run: create COUNT, time it, then time the wait until udev
# has handled every event (udevadm settle), then destroy.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
CLI=$(realpath "${CLI:-$BUILD/latebind}")
COUNT=${COUNT:-4000}
RUNS=${RUNS:-3}
U=zqu$$
NS=lbudev-$$
T=$(mktemp -d)
UDEV_TMP=$T
UDEV_GUARD='zq[0-9]*'
# shellcheck source=bench/udev-lib.sh
. bench/udev-lib.sh
udev_refuse_running udev.sh

cleanup() {
	"$CLI" pool destroy dev "$U" >/dev/null 2>&1 || true
	udev_cleanup
	ip link del "$U" 2>/dev/null || true
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

udev_prepare

ms() { date +%s%N | cut -c1-13; }

# one LABEL: a run; prints create and settle times in ms.
one() {
	local t0 t1 t2
	t0=$(ms)
	"$CLI" pool create dev "$U" type vxlan remote 198.18.77.2 local 198.18.77.1 \
		count "$COUNT" prefix zq dummy-base 12000000 >/dev/null
	t1=$(ms)
	if [ -n "$udevd_pid" ]; then
		udevadm settle --timeout=600
		t2=$(ms)
		echo "$1 create_ms=$((t1 - t0)) settle_ms=$((t2 - t1))"
	else
		echo "$1 create_ms=$((t1 - t0))"
	fi
	"$CLI" pool destroy dev "$U" >/dev/null
	if [ -n "$udevd_pid" ]; then udevadm settle --timeout=600; fi
}

ip netns add "$NS"
ip link add "$U" type veth peer name zqp netns "$NS"
ip link set "$U" up

echo "== $COUNT VXLAN tunnels, $RUNS runs each, $(nproc) cores, $(uname -r)"
for _ in $(seq "$RUNS"); do one "no-udevd"; done
udev_start stock
for _ in $(seq "$RUNS"); do one "udevd"; done
udev_stop
udev_start latebind
for _ in $(seq "$RUNS"); do one "udevd+latebind-files"; done
# What udev did to a member, with the rule: one sample.
"$CLI" pool create dev "$U" type vxlan remote 198.18.77.2 local 198.18.77.1 \
	count 2 prefix zq dummy-base 12000000 >/dev/null
udevadm settle
echo "== udevadm info zq0 (with latebind's files)"
udevadm info /sys/class/net/zq0 | sed 's/^/   /'
echo "== udevd's messages"
sed 's/^/   /' "$T/udevd.log"
