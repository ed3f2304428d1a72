# shellcheck shell=bash
# The gc scenario for the pins of deleted namespaces, shared by the host
# (tests/e2e/gc.sh) and the VM (tests/vm/tests/40-gc.sh, Debian's 6.1,
# cls_bpf only). Sourced after lib.sh or lib-vm.sh, with CLI, IP, BPFTOOL
# and NSENTER set. One call of gc_scenario:
#
#   namespace   datapath                 then                        gc
#   dead_dp     cls_bpf                  ip netns del                collects it
#   dead_pool   a pool (cls_bpf in the   ip netns del                collects it
#               VM, tcx on the host)
#   by_mount    cls_bpf                  kept by its /run/netns      keeps it
#                                        mount alone
#   by_fd       cls_bpf                  ip netns del, kept by a     keeps it
#                                        process's open nsfs fd
#   by_socket   cls_bpf                  ip netns del, kept by a     keeps it: no scan sees
#                                        socket of a process that    it, its programs still
#                                        lives in our namespace      run (the probe)
#
# Then the holders go, and gc collects those too. "Collected" means the
# pins are gone and the kernel freed every map and program they held (by id).

GC_ERR=$(mktemp)
GC_HOLDERS=()
gc_cleanup() {
	local p
	for p in "${GC_HOLDERS[@]}"; do kill "$p" 2>/dev/null; done
	rm -f "$GC_ERR"
	cleanup_netns
}
trap gc_cleanup EXIT

# gc_pins NS DEV: DEV's pin directory in NS.
gc_pins() { "$CLI" -n "$1" -j datapath show dev "$2" 2>/dev/null | grep -oE '"pins": *"[^"]*"' | cut -d'"' -f4; }
# gc_ids DIR: the kernel ids of what DIR pins, "map:ID" and "prog:ID".
gc_ids() {
	local f kind
	for f in "$1"/*; do
		case ${f##*/} in lb_*) kind=map ;; prog_*) kind=prog ;; *) continue ;; esac
		echo "$kind:$("$BPFTOOL" -j "$kind" show pinned "$f" | grep -oE '"id": *[0-9]+' | head -n 1 | grep -oE '[0-9]+$')"
	done
}
# gc_alive ID...: how many of these maps and programs the kernel still has.
gc_alive() {
	local n=0 x
	for x; do "$BPFTOOL" "${x%%:*}" show id "${x#*:}" >/dev/null 2>&1 && n=$((n + 1)); done
	echo "$n"
}
# gc_freed SECONDS ID...: until the kernel has freed them all (it frees maps
# an RCU grace period after their last program).
gc_freed() {
	local i n=$(($1 * 10))
	shift
	for ((i = 0; i < n; i++)); do
		[ "$(gc_alive "$@")" -eq 0 ] && return 0
		sleep 0.1
	done
	return 1
}
# gc_run: one `latebind -v gc`; GC_REMOVED adds up, its stderr in GC_ERR.
gc_run() {
	local n
	n=$("$CLI" -v -j gc 2>"$GC_ERR" | grep -oE '"removed": *[0-9]+' | grep -oE '[0-9]+$')
	GC_REMOVED=$((GC_REMOVED + ${n:-0}))
}
# gc_until SECONDS DIR...: run gc until every DIR is gone; GC_RUNS, GC_SECS.
gc_until() {
	local t0=$EPOCHREALTIME end=$((SECONDS + $1)) d left
	shift
	GC_RUNS=0
	while :; do
		gc_run
		GC_RUNS=$((GC_RUNS + 1))
		left=0
		for d; do [ -d "$d" ] && left=1; done
		[ "$left" = 0 ] && break
		[ "$SECONDS" -ge "$end" ] && break
		sleep 0.2
	done
	GC_SECS=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	[ "$left" = 0 ]
}
# gc_ns VAR BASE [pool]: a namespace with veth u0/u1 and a cls_bpf datapath
# (or a pool) on u0. Sets VAR (its name), VAR_DIR (its pins), VAR_IDS (gc_ids).
gc_ns() {
	local ns dir
	new_netns "$1" "$2" || return 1
	ns=${!1}
	"$IP" -n "$ns" link add u0 type veth peer name u1 && "$IP" -n "$ns" link set u0 up || return 1
	if [ "${3:-}" = pool ]; then
		"$CLI" -n "$ns" pool create dev u0 type vxlan remote 10.99.0.2 count 2 >/dev/null
	else
		"$CLI" -n "$ns" datapath attach dev u0 mode cls_bpf >/dev/null
	fi || return 1
	dir=$(gc_pins "$ns" u0)
	[ -d "$dir" ] || return 1
	printf -v "$1_DIR" '%s' "$dir"
	printf -v "$1_IDS" '%s' "$(gc_ids "$dir")"
}
# gc_forget NS: deleted here, not by cleanup_netns.
gc_forget() { NAMESPACES=("${NAMESPACES[@]/$1/}"); }
# gc_holder_ready PID: PID is sleep, in our namespace, holding fd 7.
gc_holder_ready() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(cat "/proc/$1/comm" 2>/dev/null)" = sleep ] && [ -e "/proc/$1/fd/7" ] &&
			[ "$(readlink "/proc/$1/ns/net")" = "$(readlink /proc/self/ns/net)" ] && return 0
		sleep 0.1
	done
	return 1
}

# shellcheck disable=SC2086 # lists of ids, one a word
gc_scenario() {
	local dead_ids kept_ids d n pool_mode blind=0 before
	GC_REMOVED=0
	if ! { gc_ns DP dead_dp && gc_ns POOL dead_pool pool && gc_ns KM by_mount &&
		gc_ns KF by_fd && gc_ns KS by_socket; }; then
		fail "gc: setup"
		return
	fi
	pool_mode=$("$CLI" -n "$POOL" -j show | grep -oE '"attach": *"[a-z_]+"' | cut -d'"' -f4)
	ok "gc: five namespaces with datapaths (the pool's in mode $pool_mode)"
	# shellcheck disable=SC2153 # set by gc_ns
	before=$(for d in "$KM_DIR" "$KF_DIR" "$KS_DIR"; do ls "$d"; done)

	# The holders. By fd: a process of our namespace with KF's nsfs file
	# open. By socket: a UDP socket made in KS, its process back in ours.
	bash -c "exec 7<'/run/netns/$KF' && exec sleep 600" >/dev/null 2>&1 3>&- &
	GC_HOLDERS+=($!)
	check "gc: a process of this namespace holds $KF open" gc_holder_ready "$!"
	"$NSENTER" --net="/run/netns/$KS" bash -c \
		"exec 7<>/dev/udp/127.0.0.1/9 && exec '$NSENTER' --net=/proc/$$/ns/net sleep 600" \
		>/dev/null 2>&1 3>&- &
	GC_HOLDERS+=($!)
	check "gc: a process of this namespace holds a socket of $KS" gc_holder_ready "$!"
	"$IP" netns del "$DP" && "$IP" netns del "$POOL" && "$IP" netns del "$KF" && "$IP" netns del "$KS"
	for d in "$DP" "$POOL" "$KF" "$KS"; do gc_forget "$d"; done
	check "gc: ip netns del leaves the pins" test -d "$DP_DIR" -a -d "$POOL_DIR" -a -d "$KF_DIR" -a -d "$KS_DIR"
	dead_ids="$DP_IDS"$'\n'"$POOL_IDS" kept_ids="$KM_IDS"$'\n'"$KF_IDS"$'\n'"$KS_IDS"
	sleep 2
	n=$(gc_alive $DP_IDS)
	check "gc: 2 s after ip netns del, $n of the $(wc -w <<<"$DP_IDS") maps and programs of $DP are still there" \
		test "$n" -eq "$(wc -w <<<"$DP_IDS")"

	gc_run
	if grep -q 'cannot tell whether those live' "$GC_ERR"; then
		blind=1
		check "gc: a scan that cannot see every namespace collects no cls_bpf datapath ($(sed -n 's/.*cannot tell whether those live (\(.*\); -v says more).*/\1/p' "$GC_ERR"))" \
			test -d "$DP_DIR" -a -d "$KF_DIR" -a -d "$KS_DIR" -a -d "$KM_DIR"
	fi
	if [ "$blind" = 1 ]; then
		skip "gc: collection by namespace liveness: gc cannot see every namespace here (proven in the VM)"
		# What gc would not take: ours to clean, with the empty cookie directories.
		for d in "$DP_DIR" "$KF_DIR" "$KS_DIR" "$([ "$pool_mode" = tcx ] || echo "$POOL_DIR")"; do
			[ -n "$d" ] && rm -rf "$d" && rmdir "${d%/*}" 2>/dev/null
		done
		if [ "$pool_mode" = tcx ]; then
			gc_until 20 "$POOL_DIR"
			check "gc: the tcx pool went by its defunct links all the same" test ! -d "$POOL_DIR"
		fi
		return
	fi
	gc_until 60 "$DP_DIR" "$POOL_DIR"
	check "gc: collects $DP and $POOL (gc runs: $GC_RUNS more, ${GC_SECS} s)" \
		test ! -d "$DP_DIR" -a ! -d "$POOL_DIR"
	check "gc: reported them ($GC_REMOVED removed)" test "$GC_REMOVED" -ge 2
	check "gc: the kernel freed all their maps and programs ($(wc -w <<<"$dead_ids"))" gc_freed 10 $dead_ids
	check "gc: $KM (kept by its mount), $KF (by an fd), $KS (by a socket) keep every pin" \
		test "$(for d in "$KM_DIR" "$KF_DIR" "$KS_DIR"; do ls "$d"; done)" = "$before"
	check "gc: ...and the kernel still has all their maps and programs, same ids" \
		test "$(gc_alive $kept_ids)" -eq "$(wc -w <<<"$kept_ids")" -a \
		"$(for d in "$KM_DIR" "$KF_DIR" "$KS_DIR"; do gc_ids "$d"; done)" = "$kept_ids"
	check "gc: $KS's is kept by the probe, its programs still running (no scan sees a socket)" \
		grep -q "keeping $KS_DIR: its programs are still held" "$GC_ERR"
	check "gc: $KF's and $KM's by the scan (no probe)" \
		bash -c "! grep -qE 'keeping ($KF_DIR|$KM_DIR)' '$GC_ERR'"
	check "gc: the scan saw every namespace (no warning)" \
		bash -c "! grep -q 'cannot tell' '$GC_ERR'"

	# The holders go: so do their namespaces, and gc collects them.
	kill "${GC_HOLDERS[@]}"
	wait "${GC_HOLDERS[@]}" 2>/dev/null
	GC_HOLDERS=()
	"$IP" netns del "$KM"
	gc_forget "$KM"
	GC_REMOVED=0
	gc_until 60 "$KF_DIR" "$KS_DIR" "$KM_DIR"
	check "gc: once their holders are gone, collects $KF, $KS and $KM (gc runs: $GC_RUNS, ${GC_SECS} s)" \
		test ! -d "$KF_DIR" -a ! -d "$KS_DIR" -a ! -d "$KM_DIR"
	check "gc: reported them ($GC_REMOVED removed)" test "$GC_REMOVED" -ge 3
	check "gc: ...and the kernel freed all their maps and programs ($(wc -w <<<"$kept_ids"))" gc_freed 10 $kept_ids
	GC_REMOVED=0
	gc_run
	check "gc: again removes nothing ($GC_REMOVED)" test "$GC_REMOVED" -eq 0
}
