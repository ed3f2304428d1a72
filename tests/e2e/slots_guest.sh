#!/bin/bash
# Slots with real VMs: qemu (TCG) boots Debian's stock kernel on a slot's tap,
# as the taps' unprivileged owner, and the guest's own virtio-net driver and
# network stack do the talking. tests/e2e/slots.sh covers the same paths with
# raw frames; this one shows a VMM and a guest kernel see what a platform
# promises them.
#
#   netns H                                            netns V, then T<vni>
#   guest 1: qemu on lbt0, 192.168.10.1 (uid nobody)   stock VXLAN peers, REAL VNIs
#   guest 2: qemu on lbt1, 192.168.11.1                vx100 192.168.10.2 (tenant 100)
#   lbt0..3 taps  <-redirect->  lb0..3 tunnels         vx101 192.168.11.2 (tenant 101)
#   ulh 10.60.0.1/24 =========== veth =============    vx200 192.168.10.2 (tenant 200)
#
# The guests (tests/e2e/guest/init, a busybox initramfs with the kernel's
# virtio_net, made by tests/e2e/guest/initramfs.sh) take commands on a second
# serial port, a pipe pair on the host: the test steers them without any
# network, one command at a time, and waits for each answer with a timeout
# (tests/e2e/guest/guest-lib.sh, which scripts/demo.sh uses too).
# qemu runs in H as uid nobody, in a private mount namespace where the test's
# own tun node covers /dev/net/tun (the host's is left as it is).
#
#  1 unbound: the guest's ping gets no reply, and nothing reaches the wire
#  2 bound to VNI 100: ping out, ping in, 1 MiB over TCP each way
#  3 rebind to VNI 200 while the guest pings: no VNI 100 packet after the
#    call returned; tenant 200 gets the guest's packets
#  4 guest 2 (lbt1, VNI 101) sends every L2 shape at guest 1 (broadcast, ARP,
#    IPv6 ND and multicast, unicast to its MAC): guest 1 receives none of it,
#    beside a control that shows it counts what its own tenant sends
#  5 the guests power off; pool destroy leaves no tap
# About 1.5 minutes on 2 idle cores (the guests boot in 10-20 s).
#   LB_GUEST_KEEP=1  keep the consoles, control logs and captures
# Debian packages: qemu-system-x86 busybox-static cpio gzip binutils tcpdump
# jq util-linux (and what tests/vm/fetch.sh needs to fetch the kernel).
# shellcheck disable=SC2034 # read by results.sh
SUITE=slots_guest
. "$(dirname "$0")/lib.sh"
# shellcheck source=guest/guest-lib.sh
. "$(dirname "$0")/guest/guest-lib.sh"

BUILD=${BUILD:-build}
T_START=$SECONDS
TCPDUMP=$(command -v tcpdump)
D=$(mktemp -d)
OWNER=nobody OWNER_GROUP=nogroup
# shellcheck disable=SC2034 # read by guest-lib.sh
GUEST_OWNER=$OWNER GUEST_GROUP=$OWNER_GROUP
G1_MAC=02:6c:00:00:00:0a G2_MAC=02:6c:00:00:00:0b
# guest 1's IPv6 link-local address, from its MAC (EUI-64)
G1_LL=fe80::6c:ff:fe00:a
TUN_MODE=$(stat -c '%a %u:%g' /dev/net/tun 2>/dev/null)

cleanup() {
	vm_stop_all
	[ -n "${TCPDUMP_PID:-}" ] && kill "$TCPDUMP_PID" 2>/dev/null
	[ -n "${H:-}" ] && "$CLI" -n "$H" pool destroy dev ulh >/dev/null 2>&1
	cleanup_netns
	if [ -n "${LB_GUEST_KEEP:-}" ]; then echo "# kept $D (consoles, control logs, captures)"; else rm -rf "$D"; fi
}
trap cleanup EXIT

# The guest's kernel and busybox (the VM suite's cache, tests/vm/fetch.sh),
# its initramfs, and a tun node of the test's own.
export BUILD
guest_dir "$D"
if ! guest_prepare; then
	[ -s "$D/fetch.log" ] && sed 's/^/fetch: /' "$D/fetch.log"
	[ -s "$D/initramfs.log" ] && cat "$D/initramfs.log"
	fail "$GUEST_ERR"
	summary
	exit 1
fi
[ -n "$TCPDUMP" ] || { fail "no tcpdump"; summary; exit 1; }

lbj() { "$CLI" -n "$H" -j "$@"; }
drops() { lbj stats | jq "[.[].drops.$1] | add"; }

start_capture() { # FILE IFACE NETNS FILTER
	nsenter --net="/run/netns/$3" "$TCPDUMP" -Z root -i "$2" -nn -s 128 --immediate-mode -U \
		-w "$1" "$4" >/dev/null 2>&1 3>&- &
	TCPDUMP_PID=$!
	sleep 1
}
stop_capture() { sleep 0.5; kill "$TCPDUMP_PID" 2>/dev/null; wait "$TCPDUMP_PID" 2>/dev/null; TCPDUMP_PID=; }
cap_count() { "$TCPDUMP" -Z root -nn -r "$1" ${2:+"$2"} 2>/dev/null | wc -l; }
# vni_count FILE VNI [before|after TIME]: VXLAN packets from the pool (10.60.0.1) with VNI.
vni_count() {
	"$TCPDUMP" -Z root -nn -tt -r "$1" 'src host 10.60.0.1' 2>/dev/null |
		awk -v v="$2" -v w="${3:-}" -v t="${4:-0}" '
			(w == "after" && $1 <= t) || (w == "before" && $1 > t) { next }
			{ for (i = 1; i < NF; i++) if ($i == "vni" && $(i + 1) == v) { n++; break } }
			END { print n + 0 }'
}

# peer VNI NETNS-VAR ADDR/LEN: a stock VXLAN device made in V, moved to its
# own namespace, IPv6 off (a quiet tenant: what a guest hears is countable).
peer() {
	local vni=$1 var=$2 addr=$3 ns
	new_netns "$var" "t$vni" || return 1
	ns=${!var}
	ip -n "$V" link add "vx$vni" type vxlan id "$vni" remote 10.60.0.1 dstport 4789 dev ulv ||
		return 1
	ip -n "$V" link set "vx$vni" netns "$ns"
	in_ns "$ns" sysctl -qw "net.ipv6.conf.vx$vni.disable_ipv6=1"
	ip -n "$ns" addr add "$addr" dev "vx$vni"
	ip -n "$ns" link set "vx$vni" up
}
vx_rx() { ip -n "$1" -j -s link show "$2" | jq '.[0].stats64.rx.packets'; }

# ---- the lab --------------------------------------------------------------------
if ! new_netns H host || ! new_netns V vpc; then fail "lab setup"; summary; exit 1; fi
# shellcheck disable=SC2034 # read by guest-lib.sh
GUEST_NS=$H
ip link add ulh netns "$H" type veth peer name ulv netns "$V"
ip -n "$H" addr add 10.60.0.1/24 dev ulh
ip -n "$V" addr add 10.60.0.2/24 dev ulv
ip -n "$H" link set ulh up
ip -n "$V" link set ulv up
if ! peer 100 T100 192.168.10.2/24 || ! peer 101 T101 192.168.11.2/24 ||
	! peer 200 T200 192.168.10.2/24; then
	fail "peers"
	summary
	exit 1
fi

out=$("$CLI" -n "$H" pool create dev ulh type vxlan remote 10.60.0.2 count 4 taps \
	tap-owner "$OWNER:$OWNER_GROUP" 2>&1)
rc=$? # before any $(...) in check's arguments: they would set $? anew
check "pool create ... count 4 taps tap-owner $OWNER:$OWNER_GROUP ($(head -n 1 <<<"$out"))" test "$rc" -eq 0

t0=$SECONDS
vm_start g1 lbt0 "$G1_MAC" 192.168.10.1/24
vm_start g2 lbt1 "$G2_MAC" 192.168.11.1/24
sleep 1
for g in g1 g2; do
	st=$(awk '/^(Name|Uid|Gid|CapEff|CapPrm):/ { printf "%s %s ", $1, $2 }' "/proc/${VM_PID[$g]}/status" 2>/dev/null)
	check "$g: qemu runs as $OWNER with no capabilities ($st)" \
		test "$st" = "Name: qemu-system-x86 Uid: $(id -u "$OWNER") Gid: $(getent group "$OWNER_GROUP" | cut -d: -f3) CapPrm: 0000000000000000 CapEff: 0000000000000000 "
done
r1=$(vm_ready g1 180) && r2=$(vm_ready g2 180)
boot=$((SECONDS - t0))
for g in g1 g2; do
	if [ "$g" = g1 ]; then r=$r1 mac=$G1_MAC; else r=$r2 mac=$G2_MAC; fi
	check "$g booted Debian's $KVER with virtio_net, MAC $mac, on its tap as uid $OWNER ($r)" \
		grep -Eq "^kernel $KVER eth0 $mac driver virtio_net mtu [0-9]+ " <<<"$r"
done
check "the guests' MTU is the taps' ($(ip -n "$H" -j link show lbt0 | jq '.[0].mtu'))" \
	grep -q " mtu $(ip -n "$H" -j link show lbt0 | jq '.[0].mtu') " <<<"$r1"
echo "# both guests up in $boot s" >&3
if [ -z "$r1" ] || [ -z "$r2" ]; then
	fail "the guests did not boot: no further checks"
	summary
	exit 1
fi

# ---- 1. unbound: no reply, nothing on the wire -------------------------------------
start_capture "$D/unbound.pcap" ulv "$V" "udp port 4789"
d0=$(drops unbound)
gcmd g1 30 ping before 192.168.10.2 3 0.5 5
stop_capture
check "unbound lbt0: guest 1's ping to 192.168.10.2 got no reply (received/sent: $(field before))" \
	test "$(field before)" = 0/3
check "unbound lbt0: 0 packets on the wire (saw $(cap_count "$D/unbound.pcap"))" \
	test "$(cap_count "$D/unbound.pcap")" -eq 0
check "...the guest's frames reached the tap: unbound drops rose ($d0 -> $(drops unbound))" \
	test "$(drops unbound)" -gt "$d0"

# The guest's ARP for 192.168.10.2 gave up within that ping (3 probes, 1 s
# apart). Were it still going, its queue (where the next ping's first echo
# waits) would be dropped when it gives up: seen as a lost first echo when
# the bind came less than 3 s after the first probe. Start clean anyway.
gcmd g1 10 flush

# ---- 2. bound to VNI 100: ping both ways, TCP both ways ---------------------------
out=$("$CLI" -n "$H" bind lbt0 vni 100 2>&1)
check "bind lbt0 vni 100: $out" grep -q 'vni 100 tap lbt0' <<<"$out"
gcmd g1 30 ping bound 192.168.10.2 6 0.3 8
check "guest 1 pings tenant 100 (received/sent: $(field bound), echoes answered: $(field seqs))" answered 5
check "tenant 100 pings guest 1" in_ns "$T100" ping -c 3 -i 0.3 -w 10 192.168.10.1 >/dev/null

head -c 1048576 /dev/urandom >"$D/to-guest"
gcmd g1 15 listen 5001
if [ "$(field listening)" = 5001 ]; then
	in_ns "$T100" timeout 60 busybox nc 192.168.10.1 5001 <"$D/to-guest"
	gcmd g1 60 received 5001 50
	check "1 MiB from tenant 100 to guest 1 over TCP: $(field received) bytes, md5 $(field md5)" \
		test "$(field received) $(field md5)" = "1048576 $(md5sum <"$D/to-guest" | cut -d' ' -f1)"
else
	fail "guest 1 did not listen on 5001 ($GOUT)"
fi
# The receiver's stdin is a FIFO it holds itself (busybox nc ends the
# connection early at EOF on its stdin).
mkfifo "$D/hold"
in_ns "$T100" timeout 90 busybox nc -l -p 5002 0<>"$D/hold" >"$D/from-guest" &
lp=$!
sleep 0.5
gcmd g1 90 send 192.168.10.2 5002 1024
wait "$lp"
check "1 MiB from guest 1 to tenant 100 over TCP: $(wc -c <"$D/from-guest") bytes (guest sent $(field sent), nc rc $(field rc))" \
	test "$(wc -c <"$D/from-guest") $(md5sum <"$D/from-guest" | cut -d' ' -f1)" = "1048576 $(field md5)"

# ---- 3. rebind to VNI 200 while the guest pings ------------------------------------
start_capture "$D/rebind.pcap" ulv "$V" "udp port 4789"
rx200=$(vx_rx "$T200" vx200)
gsend g1 ping rebind 192.168.10.2 60 0.1 10
pseq=$GSEQ
sleep 2.5
"$CLI" -n "$H" bind lbt0 vni 200 >/dev/null
t_bind=$(date +%s.%N)
gwait g1 "$pseq" 30 >/dev/null
stop_capture
before=$(vni_count "$D/rebind.pcap" 100 before "$t_bind")
after=$(vni_count "$D/rebind.pcap" 100 after "$t_bind")
new=$(vni_count "$D/rebind.pcap" 200)
check "rebind: the guest's pings left with VNI 100 before the call ($before)" test "$before" -gt 0
check "rebind lbt0 vni 200: no VNI 100 packet after bind returned (saw $after)" test "$after" -eq 0
check "...and tenant 200 got the guest's packets ($new with VNI 200 on the wire, vx200 rx $rx200 -> $(vx_rx "$T200" vx200))" \
	test "$new" -gt 0 -a "$(vx_rx "$T200" vx200)" -gt "$rx200"
# The guest still has tenant 100's MAC for 192.168.10.2: a new tenant is a
# new neighbour.
gcmd g1 10 flush
gcmd g1 30 ping after 192.168.10.2 4 0.3 8
check "guest 1 now reaches tenant 200 (same address, other tenant; received/sent $(field after), echoes answered: $(field seqs))" \
	answered 3

# ---- 4. guest 2 reaches nothing of guest 1's ----------------------------------------
"$CLI" -n "$H" bind lbt1 vni 101 >/dev/null
gcmd g2 30 ping own 192.168.11.2 4 0.3 8
check "guest 2 (lbt1, VNI 101) reaches its own tenant (received/sent $(field own), echoes answered: $(field seqs))" answered 3
# Quiet guest 1's side first: a neighbour entry in use sends probes, and
# draws answers (tenant 200's, confirming guest 1, came in the window once).
gcmd g1 10 flush
ip -n "$T200" neigh flush dev vx200
sleep 1
# What leaves lbt0 for guest 1 (after lb_tap_egress): nothing during the
# flood, its tenant's frames during the control.
nsenter --net="/run/netns/$H" "$TCPDUMP" -Z root -i lbt0 -Q out -e -nn -s 128 --immediate-mode -U \
	-w "$D/to-g1.pcap" >/dev/null 2>&1 3>&- &
cap_g1=$!
gcmd g1 10 counters
rx0=$(field rx)
start_capture "$D/flood.pcap" ulv "$V" "udp port 4789"
gcmd g2 60 flood 192.168.10.1 "$G1_MAC" "$G1_LL"
shapes=$(sed -n 's/^flooded //p' <<<"$GOUT")
sleep 1
gcmd g1 10 counters
rx1=$(field rx)
stop_capture
t_ctrl=$(date +%s.%N)
check "guest 2 sent every shape at guest 1 (frames: $shapes)" \
	test "$(grep -oE '[a-z]+:[1-9][0-9]*' <<<"$shapes" | wc -l)" -eq 6
check "...they left on guest 2's own VNI 101 ($(vni_count "$D/flood.pcap" 101) packets)" \
	test "$(vni_count "$D/flood.pcap" 101)" -gt 0
check "guest 1 received nothing meanwhile (eth0 rx_packets $rx0 -> $rx1)" \
	test -n "$rx0" -a "$rx0" = "$rx1"
# Control: guest 1 counts what its own tenant (now 200) sends it.
in_ns "$T200" ping -c 3 -i 0.3 -w 10 192.168.10.1 >/dev/null
prc=$?
gcmd g1 10 counters
rx2=$(field rx)
sleep 0.5
kill "$cap_g1"
wait "$cap_g1" 2>/dev/null
check "control: tenant 200 pings guest 1 (ping rc $prc), and guest 1 counts it (rx_packets $rx1 -> $rx2)" \
	test "$prc" -eq 0 -a "${rx2:-0}" -ge $((${rx1:-0} + 3))
to_g1=$("$TCPDUMP" -Z root -nn -e -tt -r "$D/to-g1.pcap" 2>/dev/null)
flood_g1=$(awk -v t="$t_ctrl" '$1 <= t' <<<"$to_g1")
ctrl_g1=$(awk -v t="$t_ctrl" '$1 > t' <<<"$to_g1" | grep -c .)
check "lbt0 sent guest 1 nothing during the flood, its tenant's frames after ($(grep -c . <<<"$flood_g1"), then $ctrl_g1)" \
	test -z "$flood_g1" -a "$ctrl_g1" -gt 0
[ -z "$flood_g1" ] || while read -r l; do echo "# to guest 1: $l"; done <<<"$flood_g1" >&3

# ---- 5. the guests power off; destroy leaves no tap -----------------------------------
for g in g1 g2; do gsend "$g" poweroff; done
for g in g1 g2; do
	vm_wait_exit "$g" 60
	check "$g powered off, qemu exited ($VM_RC)" test "$VM_RC" = 0
done
out=$("$CLI" -n "$H" pool destroy dev ulh 2>&1)
rc=$?
check "pool destroy dev ulh ($(head -n 1 <<<"$out"))" test "$rc" -eq 0
check "...no tap left in the namespace ($(ip -n "$H" -o link show type tun | awk -F': ' '{ printf "%s ", $2 }'))" \
	test -z "$(ip -n "$H" -o link show type tun)"
check "...nor a tunnel ($(ip -n "$H" -o link show | grep -c ': lb'))" \
	test -z "$(ip -n "$H" -o link show | grep ': lb')"
check "the host's /dev/net/tun is as it was ($TUN_MODE), nothing mounted over it" \
	test "$(stat -c '%a %u:%g' /dev/net/tun)" = "$TUN_MODE" -a -z "$(findmnt -n /dev/net/tun)"

echo "# took $((SECONDS - T_START)) s" >&3
summary
