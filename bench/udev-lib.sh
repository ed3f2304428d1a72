# shellcheck shell=bash
# Our own systemd-udevd for a benchmark, in a private mount namespace where
# every stock rules file starts with a guard that sends the host's other
# devices to its end. Uevents of a device reach only the udev of its own
# network namespace, so the measured devices live in the initial one.
#   UDEV_GUARD  a KERNEL match for the devices udev may touch, e.g. "zq[0-9]*"
#   UDEV_TMP    a scratch directory, removed by the caller
# udev_refuse_running, then udev_prepare; udev_start stock|latebind; udev_stop;
# udev_cleanup at exit (drops /run/udev if it did not exist before).
UDEVD=/lib/systemd/systemd-udevd
udevd_pid=""
udev_had_run=0

udev_refuse_running() {
	[ -x "$UDEVD" ] || { echo "$1: $UDEVD missing (apt-get install udev)" >&2; exit 1; }
	if pgrep -x systemd-udevd >/dev/null; then
		echo "$1: a systemd-udevd runs already; this script starts its own" >&2
		exit 1
	fi
	[ -e /run/udev ] && udev_had_run=1
	return 0
}

# The stock rules, each file guarded: udev has no rule that skips the
# files after it, so every file jumps to its end for others' devices.
udev_prepare() {
	mkdir -p "$UDEV_TMP/stock" "$UDEV_TMP/etc-rules" "$UDEV_TMP/etc-network"
	for f in /usr/lib/udev/rules.d/*.rules; do
		{
			echo "KERNEL!=\"$UDEV_GUARD\", GOTO=\"lb_bench_guard_end\""
			cat "$f"
			echo 'LABEL="lb_bench_guard_end"'
		} >"$UDEV_TMP/stock/${f##*/}"
	done
}

# udev_start stock|latebind: udevd on the guarded stock rules, and with
# latebind's udev files if asked.
udev_start() {
	rm -f "$UDEV_TMP"/etc-rules/* "$UDEV_TMP"/etc-network/*
	if [ "$1" = latebind ]; then
		cp udev/*.rules "$UDEV_TMP/etc-rules/"
		cp udev/*.link "$UDEV_TMP/etc-network/"
	fi
	# shellcheck disable=SC2016 # expanded by the inner sh
	unshare -m --propagation private sh -c \
		'mount --bind "$1/stock" /usr/lib/udev/rules.d &&
		 mount --bind "$1/etc-rules" /etc/udev/rules.d &&
		 mkdir -p /etc/systemd/network && mount --bind "$1/etc-network" /etc/systemd/network &&
		 exec "$2"' sh "$UDEV_TMP" "$UDEVD" >>"$UDEV_TMP/udevd.log" 2>&1 &
	udevd_pid=$!
	for _ in $(seq 100); do
		udevadm control --ping 2>/dev/null && return 0
		sleep 0.1
	done
	echo "systemd-udevd did not start" >&2
	exit 1
}

udev_stop() {
	[ -n "$udevd_pid" ] || return 0
	kill "$udevd_pid" 2>/dev/null || true
	wait "$udevd_pid" 2>/dev/null || true
	udevd_pid=""
}

udev_cleanup() {
	udev_stop
	[ "$udev_had_run" = 1 ] || rm -rf /run/udev
}
