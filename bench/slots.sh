#!/bin/bash
# Slots (docs/slots.md) against the conventional wiring of a VM's network,
# side by side in one run. Numbers only: nothing passes or fails on speed.
#
# 1. Create time, each in fresh namespaces over a veth underlay:
#    - latebind: `pool create ... count N taps`, then `pool destroy`;
#    - latebind without taps (the tunnels alone);
#    - conventional: per slot a persistent tap, a Linux bridge and a plain
#      VXLAN tunnel with its own real VNI (1000 + i, nolearning, noudpcsum),
#      tap and tunnel enslaved, all up: one `ip -batch` file; then one group
#      delete (`ip link del group`, what `pool destroy` does too);
#    - the same with IPv6 off in the namespace first (net.ipv6.conf.default):
#      latebind turns the IPv6 of its taps and tunnels off, a stock host
#      does not.
#    Then where latebind's create time goes, if strace and perf are there:
#    syscall counts (strace -c), phases and on-CPU time by work from perf's
#    samples, and where it blocks from perf's context-switch events.
# 2. Throughput from a guest to its tenant's peer through ONE slot vs ONE
#    conventional tap + bridge + tunnel, alternating rounds:
#    - udp64: the guest is a tap fd: tap-blast writes 64-byte UDP payloads
#      (106-byte frames) as fast as it can, pinned to CPU 0, from 1.5 s after
#      it opened the tap (a bridge drops a new opener's first frames until the
#      link watch enabled its port); udp-sink counts the datagrams delivered
#      to a socket of the peer, pinned to CPU 1;
#    - tcp (guest -> peer) and tcp-rev (peer -> guest): the guest is a kernel
#      TCP stack in namespace G behind tap g0; tap-relay copies frames between
#      g0 and the slot's tap as a VMM does (virtio header, checksum and TSO
#      offload negotiated); one iperf3 stream, Gbit/s at the receiver.
#
#   netns G (guest)       netns H (host)                         netns V      netns P (peer)
#   g0 192.168.10.1 =relay= lbt0 -redirect- lb0 (bound, VNI 100)  ulv          vx100 (stock, VNI 100)
#                           ct0 - bridge cb0 - cv0 (VNI 100)      10.66.0.2    192.168.10.2
#                           ulh 10.66.0.1 ========= veth ========
# One such lab per wiring, identical but for H's wiring; the script checks
# that the two host tunnels and the two underlays have the same settings and
# offloads, and the two taps the same MTU and queue.
#
# Rounds alternate the wirings, slot first in odd rounds and conventional
# first in even ones, after one uncounted warm-up of each. Per round, the
# ratio slot/conventional of each metric; reported: medians, the median
# paired ratio and its range, and the rounds each wiring won.
#
# Env: BUILD (build), CLI ($BUILD/latebind), BENCH_OUT ($BUILD/bench; the
# JSON goes to $BENCH_OUT/slots.json), SLOTS_COUNT (4000), SLOTS_CREATE_ROUNDS
# (3, latebind), SLOTS_CONV_ROUNDS (1, conventional: about 3 minutes each
# here), SLOTS_SECONDS (10), SLOTS_ROUNDS (5), SLOTS_PROFILE (1; 0: skip).
set -u
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 1

BUILD=${BUILD:-build}
CLI=${CLI:-$BUILD/latebind}
OUT=${BENCH_OUT:-$BUILD/bench}
COUNT=${SLOTS_COUNT:-4000}
CREATE_ROUNDS=${SLOTS_CREATE_ROUNDS:-3}
CONV_ROUNDS=${SLOTS_CONV_ROUNDS:-1}
DUR=${SLOTS_SECONDS:-10}
ROUNDS=${SLOTS_ROUNDS:-5}
PROFILE=${SLOTS_PROFILE:-1}
BLAST=$BUILD/bench/tap-blast
RELAY=$BUILD/bench/tap-relay
SINK=$BUILD/bench/udp-sink
TAG=$$-$(printf '%04x' "$RANDOM")
WIRINGS=(slot conv)
VNI=100
GUEST_MAC=02:6c:00:00:00:0a
T0=$(date +%s.%N)
LOAD0=$(cut -d" " -f1-3 /proc/loadavg)

die() {
	echo "slots.sh: $*" >&2
	exit 1
}
note() { echo "$*" >&2; }

[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, BPF, taps)"
[ -x "$CLI" ] || die "no latebind CLI at $CLI (run make, or set CLI)"
for b in "$BLAST" "$RELAY" "$SINK"; do
	[ -x "$b" ] || die "no $b (make $b)"
done
for t in ip jq ethtool iperf3 nsenter ss timeout awk; do
	command -v "$t" >/dev/null || die "missing tool: $t"
done
for v in COUNT CREATE_ROUNDS DUR ROUNDS; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer"
done
[[ $CONV_ROUNDS =~ ^[0-9]+$ ]] || die "SLOTS_CONV_ROUNDS must be a number"
[ "$(nproc)" -ge 2 ] || die "needs 2 CPUs (sender and receiver pinned apart)"
mkdir -p "$OUT" || die "cannot create $OUT"

TMP=$(mktemp -d)
NAMESPACES=() # every namespace this run made and has not deleted
POOLS=()      # "NETNS" of each latebind pool not yet destroyed (underlay ulh)
PIDS=()
declare -A H P G TAP TUN PEER_MAC

cleanup() {
	local p ns
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	for ns in "${POOLS[@]}"; do
		"$CLI" -n "$ns" pool destroy dev ulh >/dev/null 2>&1 ||
			"$CLI" -n "$ns" datapath detach dev ulh >/dev/null 2>&1
	done
	for ns in "${NAMESPACES[@]}"; do
		# Many devices left: delete them in one batch, not one by one.
		ip -n "$ns" link del group 7 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

in_ns() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" "$@"
}

new_netns() { # VAR ROLE
	local name="lbsl-$TAG-$2"
	ip netns add "$name" || die "ip netns add $name"
	NAMESPACES+=("$name")
	ip -n "$name" link set lo up
	printf -v "$1" '%s' "$name"
}

del_netns() { # NAME...
	local ns keep=() d
	for ns in "$@"; do ip netns del "$ns" 2>/dev/null; done
	for d in "${NAMESPACES[@]}"; do
		[[ " $* " == *" $d "* ]] || keep+=("$d")
	done
	NAMESPACES=("${keep[@]}")
}

forget_pool() { # NETNS
	local keep=() d
	for d in "${POOLS[@]}"; do [ "$d" = "$1" ] || keep+=("$d"); done
	POOLS=("${keep[@]}")
}

# underlay HVAR VVAR ROLE: two namespaces joined by a veth, 10.66.0.1 <-> .2.
underlay() {
	local uh uv
	new_netns uh "$3-h"
	new_netns uv "$3-v"
	ip link add ulh netns "$uh" type veth peer name ulv netns "$uv" || die "$3: veth"
	ip -n "$uh" addr add 10.66.0.1/24 dev ulh
	ip -n "$uv" addr add 10.66.0.2/24 dev ulv
	ip -n "$uh" link set ulh up
	ip -n "$uv" link set ulv up
	printf -v "$1" '%s' "$uh"
	printf -v "$2" '%s' "$uv"
}

now() { date +%s.%N; }
since() { awk -v a="$(date +%s.%N)" -v b="$1" 'BEGIN { printf "%.3f", a - b }'; }
ups() { ip -n "$1" -o link show up | wc -l; } # devices up in NS (lo and ulh included)

# ---- 1. create time ---------------------------------------------------------------
# The conventional wiring of N VMs, one batch: group 7 marks it for one delete.
conv_batch() { # FILE
	local i
	for ((i = 0; i < COUNT; i++)); do
		printf 'tuntap add dev ct%d mode tap\nlink set ct%d group 7\n' "$i" "$i"
		printf 'link add cb%d group 7 type bridge\n' "$i"
		printf 'link add cv%d group 7 type vxlan id %d dstport 4789 dev ulh remote 10.66.0.2 nolearning noudpcsum\n' \
			"$i" $((1000 + i))
		printf 'link set ct%d master cb%d up\nlink set cv%d master cb%d up\nlink set cb%d up\n' \
			"$i" "$i" "$i" "$i" "$i"
	done >"$1"
}

# create_round KIND ROUND: one create and one delete of KIND, timed, appended
# to $TMP/create.jsonl. KIND: taps, notaps, conv, conv-noipv6.
create_round() {
	local kind=$1 r=$2 h v t c d want got show=null
	underlay h v "c$kind$r"
	case $kind in
	taps | notaps)
		local args=(pool create dev ulh type vxlan remote 10.66.0.2 count "$COUNT")
		[ "$kind" = taps ] && args+=(taps)
		POOLS+=("$h")
		t=$(now)
		"$CLI" -n "$h" "${args[@]}" >/dev/null || die "create $kind: latebind pool create failed"
		c=$(since "$t")
		want=$((2 + COUNT))
		[ "$kind" = taps ] && want=$((want + COUNT))
		got=$(ups "$h")
		# What the CLI's listing of the pool costs (create prints it too).
		t=$(now)
		"$CLI" -n "$h" show >/dev/null || die "create $kind: show failed"
		show=$(since "$t")
		t=$(now)
		"$CLI" -n "$h" pool destroy dev ulh >/dev/null || die "create $kind: pool destroy failed"
		d=$(since "$t")
		forget_pool "$h"
		;;
	conv | conv-noipv6)
		[ "$kind" = conv-noipv6 ] &&
			in_ns "$h" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.all.disable_ipv6=1
		t=$(now)
		ip -n "$h" -batch "$TMP/conv.batch" || die "create $kind: ip -batch failed"
		c=$(since "$t")
		want=$((2 + COUNT * 3))
		got=$(ups "$h")
		t=$(now)
		ip -n "$h" link del group 7 || die "create $kind: ip link del group failed"
		d=$(since "$t")
		;;
	esac
	[ "$got" -eq "$want" ] || die "create $kind round $r: $got devices up, want $want"
	[ "$(ip -n "$h" -o link show | wc -l)" -eq 2 ] || die "create $kind round $r: devices left after delete"
	del_netns "$h" "$v"
	note "create $kind round $r: ${c} s create, ${d} s delete ($((want - 2)) devices)"
	jq -nc --arg k "$kind" --argjson r "$r" --argjson c "$c" --argjson d "$d" --argjson n $((want - 2)) \
		--argjson show "$show" '{kind: $k, round: $r, create_s: $c, delete_s: $d, devices: $n, show_s: $show}' \
		>>"$TMP/create.jsonl"
}

# profile_create: where `pool create ... taps` spends its time: one more
# create under each tool, so slower than the timed ones.
#  - strace -f -c -w: syscall counts (exact) and their wall time (inflated:
#    every syscall is traced);
#  - perf record -F 999 -a -g (cpu-clock): latebind's on-CPU samples, by the
#    work their kernel call chain shows, by syscall, and the phases from the
#    samples' timestamps: the tunnels until the first tap ioctl, the taps
#    made until the last one, then recorded, guarded and up until the
#    listing's first SIOCGIFNAME, then the CLI's listing of the pool;
#  - perf record -e cs -c 1 -a -g: every time latebind left the CPU, by the
#    kernel call chain it blocked in.
# Writes $TMP/profile.json and $OUT/slots-create-profile.txt.
profile_create() {
	local h v t wall rep="$OUT/slots-create-profile.txt" args
	args=(pool create dev ulh type vxlan remote 10.66.0.2 count "$COUNT" taps)
	echo '{}' >"$TMP/profile.json"
	: >"$rep"
	if command -v strace >/dev/null; then
		underlay h v prof1
		POOLS+=("$h")
		strace -f -c -w -o "$TMP/strace-c" "$CLI" -n "$h" "${args[@]}" >/dev/null ||
			die "profile: create under strace -c failed"
		"$CLI" -n "$h" pool destroy dev ulh >/dev/null
		forget_pool "$h"
		del_netns "$h" "$v"
		{
			echo "== strace -f -c -w of one pool create ... count $COUNT taps"
			echo "== (wall time per syscall, inflated by tracing every call; the counts are exact)"
			cat "$TMP/strace-c"
		} >>"$rep"
		awk '$NF ~ /^[a-z_0-9]+$/ && $1 ~ /^[0-9.]+$/ && $NF != "total" { print $NF, $1, $4 }' "$TMP/strace-c" |
			head -12 | jq -Rsc 'split("\n") | map(select(length > 0) | split(" ") |
				{syscall: .[0], wall_pct: (.[1] | tonumber), calls: (.[2] | tonumber)}) | {strace_c_top: .}' \
			>"$TMP/p.json"
		jq -s '.[0] + .[1]' "$TMP/profile.json" "$TMP/p.json" >"$TMP/p2" && mv "$TMP/p2" "$TMP/profile.json"
	fi
	command -v perf >/dev/null || { note "profile: $rep (no perf)"; return 0; }
	underlay h v prof2
	POOLS+=("$h")
	t=$(now)
	perf record -q -F 999 -a -g -o "$TMP/perf.data" -- "$CLI" -n "$h" "${args[@]}" >/dev/null 2>"$TMP/perf.err" ||
		die "profile: create under perf failed: $(tail -1 "$TMP/perf.err")"
	wall=$(since "$t")
	"$CLI" -n "$h" pool destroy dev ulh >/dev/null
	forget_pool "$h"
	del_netns "$h" "$v"
	# shellcheck disable=SC2016
	perf script -i "$TMP/perf.data" --comm latebind -F time,ip,sym 2>/dev/null | awk -v wall="$wall" '
		function flush() {
			if (t == "") return
			c = "other kernel"
			if (s ~ / vxlan_newlink/) c = "tunnels: vxlan newlink"
			else if (s ~ / (__tun_chr_ioctl|tun_chr_close|tun_chr_open)/) c = "taps: tun open, ioctl, close"
			else if (s ~ / __sys_bpf/) c = "bpf: maps, programs, tcx links"
			else if (s ~ / do_setlink/) c = "netlink setlink: tag, up"
			else if (s ~ / rtnl_dump_ifinfo/) c = "netlink link dump"
			else if (s ~ / proc_sys_/) c = "sysctl: IPv6 off"
			else if (s ~ / netdev_get_name/) c = "SIOCGIFNAME: if_indextoname"
			else if (s ~ / (bprm_execve|do_exit|exit_mmap)/) c = "exec, exit"
			else if (s !~ / ffffffff/ && first ~ /strcmp/) c = "user space: strcmp (name lookups)"
			else if (s !~ / ffffffff/) c = "user space: other"
			if (s ~ / __x64_sys_/) { y = s; sub(/.* __x64_sys_/, "", y); sub(/ .*/, "", y); sc[y]++ }
			n[c]++; total++
			if (!t0) t0 = t
			tl = t
			if (s ~ / (__tun_chr_ioctl|tun_chr_close)/) { if (!tf) tf = t; tt = t }
			if (c ~ /^SIOCGIFNAME/ && tt && t > tt && !lf) lf = t
			t = ""; s = ""; first = ""
		}
		/^ *[0-9]+\.[0-9]+: *$/ { flush(); t = $1 + 0; next }
		{ s = s " " $1 " " $2; if (first == "") first = $2 }
		END {
			flush()
			if (!lf) lf = tl
			printf "{\"perf_wall_s\": %.3f, \"perf_oncpu_s\": %.3f, \"oncpu_by_work_s\": {", wall, total / 999
			sep = ""
			for (c in n) { printf "%s\"%s\": %.3f", sep, c, n[c] / 999; sep = ", " }
			printf "}, \"oncpu_by_syscall_s\": {"
			sep = ""
			for (y in sc) if (sc[y] >= 10) { printf "%s\"%s\": %.3f", sep, y, sc[y] / 999; sep = ", " }
			printf "}, \"phases_s\": {\"tunnels\": %.3f, \"taps_made\": %.3f, \"taps_recorded_guarded_up\": %.3f, ", tf - t0, tt - tf, lf - tt
			printf "\"listing\": %.3f, \"first_to_last_sample\": %.3f}}\n", tl - lf, tl - t0
		}' >"$TMP/p.json" || die "profile: cannot read the perf samples"
	jq -s '.[0] + .[1]' "$TMP/profile.json" "$TMP/p.json" >"$TMP/p2" && mv "$TMP/p2" "$TMP/profile.json"
	{
		echo "== perf record -F 999 -a -g of one pool create ... count $COUNT taps, latebind's samples"
		jq -r '"wall \(.perf_wall_s) s, on CPU \(.perf_oncpu_s) s", "phases (s):",
			(.phases_s | to_entries[] | "  \(.key) \(.value)"), "on CPU by work (s):",
			(.oncpu_by_work_s | to_entries | sort_by(-.value)[] | "  \(.key) \(.value)"),
			"on CPU by syscall (s):", (.oncpu_by_syscall_s | to_entries | sort_by(-.value)[] | "  \(.key) \(.value)")' \
			"$TMP/profile.json"
		echo "== self, top 25 (share of latebind's samples)"
		perf report -i "$TMP/perf.data" --comm latebind --no-children --sort symbol --stdio -g none \
			--percentage relative 2>/dev/null | grep -v '^#' | grep -v '^$' | awk '{ print $1, $3 }' | head -25
	} >>"$rep"

	# Where it blocks: one sample per context switch.
	underlay h v prof3
	POOLS+=("$h")
	perf record -q -e cs -c 1 -a -g -o "$TMP/cs.data" -- "$CLI" -n "$h" "${args[@]}" >/dev/null 2>"$TMP/perf.err" ||
		die "profile: create under perf -e cs failed: $(tail -1 "$TMP/perf.err")"
	"$CLI" -n "$h" pool destroy dev ulh >/dev/null
	forget_pool "$h"
	del_netns "$h" "$v"
	perf script -i "$TMP/cs.data" --comm latebind -F time,ip,sym 2>/dev/null | awk '
		function flush() {
			if (!rec) return
			c = "other"
			if (s ~ / tcx_prog_attach/ && s ~ /synchronize_rcu/) c = "tcx attach: synchronize_rcu (expedited)"
			else if (s ~ / __tun_detach/) c = "tap close: __tun_detach, synchronize_net"
			else if (s ~ / synchronize_rcu/) c = "other synchronize_rcu"
			else if (s ~ /reschedule_ipi|irqentry_exit/) c = "preempted"
			n[c]++; rec = 0; s = ""
		}
		/^ *[0-9]+\.[0-9]+: *$/ { flush(); rec = 1; next }
		{ s = s " " $1 " " $2 }
		END {
			flush(); printf "{\"context_switches\": {"; sep = ""
			for (c in n) { printf "%s\"%s\": %d", sep, c, n[c]; sep = ", " }
			printf "}}\n"
		}' >"$TMP/p.json" || die "profile: cannot read the context switches"
	jq -s '.[0] + .[1]' "$TMP/profile.json" "$TMP/p.json" >"$TMP/p2" && mv "$TMP/p2" "$TMP/profile.json"
	{
		echo "== perf record -e cs -c 1 -a -g: latebind's context switches, by where it blocked"
		jq -r '.context_switches | to_entries | sort_by(-.value)[] | "  \(.value) \(.key)"' "$TMP/profile.json"
	} >>"$rep"
	note "profile: $rep"
}

# ---- 2. throughput labs --------------------------------------------------------------
lab() { # WIRING
	local w=$1 h v p g
	underlay h v "$w"
	new_netns p "$w-p"
	new_netns g "$w-g"
	H[$w]=$h P[$w]=$p G[$w]=$g
	# The peer: a stock VXLAN device with the real VNI, made in V and moved
	# to its own namespace (as tests/e2e/slots.sh does), IPv6 off.
	ip -n "$v" link add vx$VNI type vxlan id $VNI remote 10.66.0.1 dstport 4789 dev ulv || die "$w: peer"
	ip -n "$v" link set vx$VNI netns "$p"
	in_ns "$p" sysctl -qw net.ipv6.conf.vx$VNI.disable_ipv6=1
	ip -n "$p" addr add 192.168.10.2/24 dev vx$VNI
	ip -n "$p" link set vx$VNI up
	if [ "$w" = slot ]; then
		POOLS+=("$h")
		"$CLI" -n "$h" pool create dev ulh type vxlan remote 10.66.0.2 count 4 taps >/dev/null ||
			die "$w: pool create failed"
		"$CLI" -n "$h" bind lbt0 vni $VNI >/dev/null || die "$w: bind lbt0 vni $VNI failed"
		TAP[$w]=lbt0 TUN[$w]=lb0
	else
		# What a host without latebind does, with latebind's settings where
		# they touch the path: IPv6 off on all three, the tap at its
		# tunnel's MTU, noudpcsum and nolearning.
		ip -n "$h" tuntap add dev ct0 mode tap || die "$w: tap"
		ip -n "$h" link add cb0 type bridge || die "$w: bridge"
		ip -n "$h" link add cv0 type vxlan id $VNI dstport 4789 dev ulh remote 10.66.0.2 \
			nolearning noudpcsum || die "$w: vxlan"
		for d in ct0 cb0 cv0; do in_ns "$h" sysctl -qw "net.ipv6.conf.$d.disable_ipv6=1"; done
		ip -n "$h" link set ct0 mtu 1450
		ip -n "$h" link set ct0 master cb0 up
		ip -n "$h" link set cv0 master cb0 up
		ip -n "$h" link set cb0 up
		TAP[$w]=ct0 TUN[$w]=cv0
	fi
	# The guest: a kernel stack behind tap g0, at the slot tap's MTU.
	ip -n "$g" tuntap add dev g0 mode tap || die "$w: guest tap"
	in_ns "$g" sysctl -qw net.ipv6.conf.g0.disable_ipv6=1
	ip -n "$g" link set g0 mtu 1450 address $GUEST_MAC
	ip -n "$g" addr add 192.168.10.1/24 dev g0
	ip -n "$g" link set g0 up
	PEER_MAC[$w]=$(ip -n "$p" -j link show vx$VNI | jq -r '.[0].address')
	relay_start "$w"
	in_ns "$g" ping -q -c 3 -i 0.2 -w 10 192.168.10.2 >/dev/null || die "$w: the guest cannot ping its peer"
	tapconf "$h" "${TAP[$w]}" >"$TMP/tapconf-$w"
	relay_stop "$w" >/dev/null
}

# What must be equal between the wirings' tunnels (all but name and VNI).
tunconf() { # NS DEV
	ip -n "$1" -d -j link show "$2" | jq -S '.[0] | {mtu, qdisc, txqlen, gso_max_size,
		gso_max_segs, gro_max_size, tso_max_size, tso_max_segs, num_tx_queues,
		num_rx_queues, vxlan: (.linkinfo.info_data | del(.id))}'
	in_ns "$1" ethtool -k "$2" | tail -n +2
}
# ...and between the taps, while the relay holds them (the opener sets the
# offloads).
tapconf() { # NS DEV
	ip -n "$1" -d -j link show "$2" | jq -S '.[0] | {mtu, qdisc, txqlen, gso_max_size, gso_max_segs,
		tso_max_size, tso_max_segs, num_tx_queues, type: .linkinfo.info_data.type}'
	in_ns "$1" ethtool -k "$2" | tail -n +2
}

relay_start() { # WIRING: the VMM's relay between g0 and the wiring's tap
	local w=$1
	"$RELAY" "${G[$w]}" g0 "${H[$w]}" "${TAP[$w]}" >"$TMP/relay-$w" 2>&1 &
	RELAY_PID=$!
	PIDS+=("$RELAY_PID")
	for _ in $(seq 50); do
		grep -q ready "$TMP/relay-$w" && return 0
		kill -0 "$RELAY_PID" 2>/dev/null || break
		sleep 0.1
	done
	die "$w: tap-relay did not start: $(cat "$TMP/relay-$w")"
}
relay_stop() { # -> the relay's counters line
	kill -TERM "$RELAY_PID" 2>/dev/null
	wait "$RELAY_PID" 2>/dev/null
	unset 'PIDS[-1]'
	tail -1 "$TMP/relay-$1"
}

rx_packets() { ip -n "$1" -j -s link show "$2" | jq '.[0].stats64.rx.packets'; }
tx_packets() { ip -n "$1" -j -s link show "$2" | jq '.[0].stats64.tx.packets'; }
backlog_drops() { # the machine's softnet backlog drops, all CPUs (not per namespace)
	local n=0 x
	while read -r _ x _; do n=$((n + 16#$x)); done </proc/net/softnet_stat
	echo "$n"
}
udp_rcvbuf_errors() { # NS
	# shellcheck disable=SC2016
	in_ns "$1" awk '$1 == "Udp:" { if (!h) { for (i = 1; i <= NF; i++) c[$i] = i; h = 1 } else print $c["RcvbufErrors"] }' /proc/net/snmp
}

# udp64 WIRING ROUND SECONDS: tap-blast on the tap (CPU 0) -> udp-sink (CPU 1).
udp64() {
	local w=$1 r=$2 d=$3 h=${H[$1]} p=${P[$1]} sink=$TMP/sink-$1-$2 blast=$TMP/blast-$1-$2 t0 t1 e0 e1 sp line
	local p0 p1 b0 b1
	t0=$(tx_packets "$h" "${TUN[$w]}")
	p0=$(rx_packets "$p" vx$VNI)
	e0=$(udp_rcvbuf_errors "$p")
	b0=$(backlog_drops)
	# The sink stops when told, not when idle: on this shared machine a
	# pinned sender can stall for over a second.
	# nsenter, not in_ns: $! must be the sink itself (nsenter execs it).
	nsenter --net="/run/netns/$p" "$SINK" 192.168.10.2 9 cpu 1 idle-ms 600000 max-seconds $((d + 60)) \
		>"$sink" 2>&1 &
	sp=$!
	PIDS+=("$sp")
	for _ in $(seq 50); do grep -q ready "$sink" && break; sleep 0.1; done
	grep -q ready "$sink" || die "udp64 $w: udp-sink did not start: $(cat "$sink")"
	in_ns "$h" "$BLAST" "${TAP[$w]}" $GUEST_MAC "${PEER_MAC[$w]}" 192.168.10.1 192.168.10.2 \
		dport 9 payload 64 seconds "$d" cpu 0 settle 1500 >"$blast" 2>&1 || die "udp64 $w: tap-blast: $(cat "$blast")"
	sleep 0.5 # the last frames reach the socket within the sender's own write; a margin
	kill -TERM "$sp"
	wait "$sp"
	unset 'PIDS[-1]'
	t1=$(tx_packets "$h" "${TUN[$w]}")
	p1=$(rx_packets "$p" vx$VNI)
	e1=$(udp_rcvbuf_errors "$p")
	b1=$(backlog_drops)
	# Where frames went missing: before the host tunnel (tunnel_tx < sent),
	# on the underlay or in a backlog (peer_rx < tunnel_tx; backlog_drops
	# counts the whole machine), at the socket (rcvbuf_errors).
	line=$(awk -v w="$w" -v r="$r" -v tun=$((t1 - t0)) -v rb=$((e1 - e0)) -v prx=$((p1 - p0)) -v bd=$((b1 - b0)) '
		FNR == 1 && /^sent/ { sent = $2; secs = $4; err = $8 }
		/^received/ { rx = $2; span = $6 }
		END {
			if (secs <= 0 || rx == "") exit 1
			printf "{\"test\":\"udp64\",\"wiring\":\"%s\",\"round\":%d,\"sent\":%d,\"seconds\":%.6f,", w, r, sent, secs
			printf "\"write_errors\":%d,\"received\":%d,\"tunnel_tx\":%d,\"rcvbuf_errors\":%d,", err, rx, tun, rb
			printf "\"peer_rx\":%d,\"backlog_drops\":%d,\"sink_span_s\":%.3f,", prx, bd, span
			printf "\"sent_pps\":%.0f,\"value\":%.0f,\"loss\":%.6f}\n", sent / secs, rx / secs, 1 - rx / sent
		}' "$blast" "$sink") || die "udp64 $w round $r: no result ($(cat "$blast" "$sink" | tr '\n' ' '))"
	echo "$line" >>"$TMP/runs.jsonl"
	jq -r '"udp64 \(.wiring) round \(.round): sent \(.sent_pps) pps, received \(.value) pps, loss \(.loss * 1000 | round / 10)%" +
		(if .received < .sent then " (lost: \(.sent - .tunnel_tx) before the tunnel, \(.tunnel_tx - .peer_rx) before the peer" +
			" [backlog drops \(.backlog_drops)], \(.rcvbuf_errors) at the socket; sink span \(.sink_span_s) s)" else "" end)' <<<"$line" >&2
}

iperf_server() { # NS
	nsenter --net="/run/netns/$1" iperf3 -s -1 -B 192.168.10.2 >/dev/null 2>&1 &
	PIDS+=("$!")
	for _ in $(seq 50); do
		[ -n "$(in_ns "$1" ss -Hltn 'sport = :5201')" ] && return 0
		sleep 0.1
	done
	die "iperf3 server did not start in $1"
}

# tcp WIRING ROUND SECONDS [-R]: iperf3 client in G, server in P, through the relay.
tcp() {
	local w=$1 r=$2 d=$3 t=tcp j err rl line rev=()
	[ -n "${4:-}" ] && t=tcp-rev rev=(-R)
	j=$TMP/$t-$w-$r.json
	relay_start "$w"
	iperf_server "${P[$w]}"
	in_ns "${G[$w]}" timeout $((d + 30)) iperf3 -c 192.168.10.2 -t "$d" -J "${rev[@]}" >"$j"
	err=$?
	wait "${PIDS[-1]}" 2>/dev/null
	unset 'PIDS[-1]'
	rl=$(relay_stop "$w")
	[ "$err" -eq 0 ] || die "$t $w round $r: iperf3 failed: $(jq -r '.error // empty' "$j" 2>/dev/null)"
	line=$(jq -c --arg t "$t" --arg w "$w" --argjson r "$r" --arg rl "$rl" '
		.end as $e | {test: $t, wiring: $w, round: $r,
		 value: ($e.sum_received.bits_per_second / 1e9), rx_bytes: $e.sum_received.bytes,
		 retransmits: $e.sum_sent.retransmits, relay: $rl}' "$j") || die "$t $w round $r: unreadable iperf3 JSON"
	echo "$line" >>"$TMP/runs.jsonl"
	jq -r '"\(.test) \(.wiring) round \(.round): \(.value * 100 | round / 100) Gbit/s (retransmits \(.retransmits))"' <<<"$line" >&2
}

measure() { # TEST WIRING ROUND SECONDS
	case $1 in
	udp64) udp64 "$2" "$3" "$4" ;;
	tcp) tcp "$2" "$3" "$4" ;;
	tcp-rev) tcp "$2" "$3" "$4" -R ;;
	esac
	sleep 1
}

# ---- run ---------------------------------------------------------------------------
note "== slots: create time, $COUNT slots ($CREATE_ROUNDS latebind rounds, $CONV_ROUNDS conventional)"
conv_batch "$TMP/conv.batch"
: >"$TMP/create.jsonl"
for r in $(seq "$CREATE_ROUNDS"); do
	create_round taps "$r"
	create_round notaps "$r"
	if [ "$r" -le "$CONV_ROUNDS" ]; then
		create_round conv "$r"
		create_round conv-noipv6 "$r"
	fi
done
echo '{}' >"$TMP/profile.json"
[ "$PROFILE" = 1 ] && profile_create

note "== slots: throughput, $ROUNDS alternating rounds of $DUR s"
for w in "${WIRINGS[@]}"; do lab "$w"; done
[ "$(tunconf "${H[slot]}" lb0)" = "$(tunconf "${H[conv]}" cv0)" ] ||
	die "host tunnels differ: $(diff <(tunconf "${H[slot]}" lb0) <(tunconf "${H[conv]}" cv0) | tr '\n' ' ')"
[ "$(in_ns "${H[slot]}" ethtool -k ulh)" = "$(in_ns "${H[conv]}" ethtool -k ulh)" ] || die "underlay offloads differ"
cmp -s "$TMP/tapconf-slot" "$TMP/tapconf-conv" ||
	die "taps differ: $(diff "$TMP/tapconf-slot" "$TMP/tapconf-conv" | tr '\n' ' ')"
OFFLOADS=$(in_ns "${H[conv]}" ethtool -k ulh | awk -F': ' '
	/^(tcp-segmentation-offload|generic-segmentation-offload|generic-receive-offload|tx-udp_tnl-segmentation|tx-checksumming):/ {
		printf "%s%s %s", sep, $1, $2; sep = ", " }')
note "labs up: kernel $(uname -r), $(nproc) CPUs; underlay offloads: $OFFLOADS"

: >"$TMP/runs.jsonl"
for t in udp64 tcp tcp-rev; do
	for w in "${WIRINGS[@]}"; do measure "$t" "$w" 0 3; done # warm-up, not counted
	for r in $(seq "$ROUNDS"); do
		if [ $((r % 2)) -eq 1 ]; then order=(slot conv); else order=(conv slot); fi
		for w in "${order[@]}"; do measure "$t" "$w" "$r" "$DUR"; done
	done
done

# ---- report ------------------------------------------------------------------
ELAPSED=$(since "$T0")
RESULT=$(jq -n -S --slurpfile runs "$TMP/runs.jsonl" --slurpfile creates "$TMP/create.jsonl" \
	--slurpfile profile "$TMP/profile.json" --argjson count "$COUNT" --argjson secs "$DUR" \
	--argjson rounds "$ROUNDS" --arg kernel "$(uname -r)" --argjson cpus "$(nproc)" \
	--arg cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')" \
	--arg offloads "$OFFLOADS" --arg iperf "$(iperf3 --version | head -1)" --argjson elapsed "$ELAPSED" \
	--arg load0 "$LOAD0" --arg load1 "$(cut -d" " -f1-3 /proc/loadavg)" --arg date "$(date -u +%FT%TZ)" '
	def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
		else (.[length / 2 - 1] + .[length / 2]) / 2 end;
	def r3: . * 1000 | round / 1000;
	def vals($t; $w; $k): [$runs[] | select(.test == $t and .wiring == $w and .round > 0)] | sort_by(.round) | map(.[$k]);
	def metric($t; $k; $unit; $scale; $higher):
		(vals($t; "slot"; $k) | map(. * $scale)) as $s | (vals($t; "conv"; $k) | map(. * $scale)) as $c |
		{unit: $unit, slot: ($s | map(r3)), conv: ($c | map(r3)),
		 slot_median: ($s | median | r3), conv_median: ($c | median | r3)} +
		(if $higher then ([range(0; $s | length)] | map($s[.] / $c[.])) as $ratio |
		 {ratio_per_round: ($ratio | map(r3)), ratio_median: ($ratio | median | r3),
		  ratio_min: ($ratio | min | r3), ratio_max: ($ratio | max | r3)}
		 else ([range(0; $s | length)] | map($s[.] - $c[.])) as $diff |
		 {diff_per_round: ($diff | map(r3)), diff_median: ($diff | median | r3)} end) +
		{rounds_won_slot: ([range(0; $s | length)] | map(select(if $higher then $s[.] > $c[.] else $s[.] < $c[.] end)) | length),
		 rounds_won_conv: ([range(0; $s | length)] | map(select(if $higher then $s[.] < $c[.] else $s[.] > $c[.] end)) | length)};
	def create($k): [$creates[] | select(.kind == $k)] as $x |
		{create_s: ($x | map(.create_s)), create_median_s: ($x | map(.create_s) | median),
		 delete_s: ($x | map(.delete_s)), delete_median_s: ($x | map(.delete_s) | median),
		 show_s: ($x | map(.show_s) | map(select(. != null))),
		 devices: ($x[0].devices // null)};
	{
	  machine: {kernel: $kernel, cpu: $cpu, cpus: $cpus, date: $date, loadavg_before: $load0,
		    loadavg_after: $load1, elapsed_s: ($elapsed | round)},
	  create: {slots: $count,
		   latebind_taps: create("taps"), latebind_no_taps: create("notaps"),
		   conventional: create("conv"), conventional_ipv6_off: create("conv-noipv6"),
		   conventional_wiring: "per slot: persistent tap + bridge + VXLAN (VNI 1000+i, nolearning, noudpcsum), enslaved, all up; one ip -batch; deleted with one ip link del group",
		   profile: $profile[0]},
	  throughput: {
		seconds: $secs, rounds: $rounds, iperf3: $iperf, offloads: ("defaults; underlay veth: " + $offloads),
		order: "slot, conventional in odd rounds; conventional, slot in even rounds; after an uncounted 3 s warm-up of each",
		udp64_rx_pps: metric("udp64"; "value"; "datagrams/s delivered to the peer socket"; 1; true),
		udp64_sent_pps: metric("udp64"; "sent_pps"; "frames/s written to the tap"; 1; true),
		udp64_loss_pct: metric("udp64"; "loss"; "% of sent frames not delivered (lower is better; per round slot - conventional)"; 100; false),
		tcp_guest_to_peer_gbps: metric("tcp"; "value"; "Gbit/s at the receiver"; 1; true),
		tcp_peer_to_guest_gbps: metric("tcp-rev"; "value"; "Gbit/s at the receiver"; 1; true),
		udp64_frame: "64-byte UDP payload: 106-byte Ethernet frames, one write() each, 12-byte zeroed virtio header",
		udp64_pinning: "tap-blast on CPU 0, udp-sink on CPU 1; the whole path up to the socket runs in the sender syscall",
		tcp_path: "iperf3 in G -> g0 -> tap-relay (virtio header, CSUM|TSO4|TSO6) -> slot tap -> tunnel -> veth -> peer; nothing pinned",
		runs: $runs}
	}') || die "cannot build the result"
echo "$RESULT" >"$OUT/slots.json" || die "cannot write $OUT/slots.json"

# Human summary.
jq -r '
	def f: if . == null then "-" else tostring end;
	def l: if length == 0 then "-" else map(f) | join(", ") end;
	def c($n; $x): "  \($n)  create \($x.create_s | l) s (median \($x.create_median_s | f)),  delete \($x.delete_s | l) s" +
		(if ($x.show_s | length) > 0 then ",  show \($x.show_s | l) s" else "" end);
	"slots: kernel \(.machine.kernel), \(.machine.cpus) CPUs, load \(.machine.loadavg_before) -> \(.machine.loadavg_after)",
	"",
	"create \(.create.slots) slots:",
	c("latebind taps        "; .create.latebind_taps),
	c("latebind no taps     "; .create.latebind_no_taps),
	c("conventional         "; .create.conventional),
	c("conventional IPv6 off"; .create.conventional_ipv6_off),
	(.create.profile | if .phases_s then
		"  profiled create (perf): wall \(.perf_wall_s) s, on CPU \(.perf_oncpu_s) s",
		"    phases (s): \(.phases_s | to_entries | map("\(.key) \(.value)") | join(", "))",
		"    on CPU (s): \(.oncpu_by_work_s | to_entries | sort_by(-.value) | map("\(.key) \(.value)") | join(", "))",
		"    left the CPU: \(.context_switches | to_entries | sort_by(-.value) | map("\(.value) \(.key)") | join(", "))"
		else empty end),
	"",
	"throughput, \(.throughput.rounds) alternating rounds of \(.throughput.seconds) s; per round slot / conventional",
	(.throughput | to_entries[] | select(.value | type == "object" and has("slot_median")) |
		"  \(.key) (\(.value.unit))",
		"    slot         \(.value.slot | map(tostring) | join("  "))   median \(.value.slot_median)",
		"    conventional \(.value.conv | map(tostring) | join("  "))   median \(.value.conv_median)",
		(if .value.ratio_median then
		"    ratio        \(.value.ratio_per_round | map(tostring) | join("  "))   median \(.value.ratio_median) (\(.value.ratio_min)..\(.value.ratio_max))"
		 else
		"    difference   \(.value.diff_per_round | map(tostring) | join("  "))   median \(.value.diff_median)" end),
		"    rounds won: slot \(.value.rounds_won_slot), conventional \(.value.rounds_won_conv)")
	' <<<"$RESULT"
echo "   $OUT/slots.json"
