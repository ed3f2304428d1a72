#!/bin/bash
# `make demo`: latebind in a two-namespace lab, explained as it runs.
# Everything it makes is removed at the end, also on Ctrl-C.
# Its last step hands a slot to a guest: a qemu VM (TCG) booting Debian's
# kernel, fetched once into $BUILD/vm/cache (tests/e2e/guest/guest-lib.sh);
# without qemu or a kernel, lb-tapio plays the guest.
#   LATEBIND_DEMO_VM=0  lb-tapio plays the guest even where qemu is
set -u
# shellcheck source-path=SCRIPTDIR source=../tests/e2e/guest/guest-lib.sh
. "$(dirname "$0")/../tests/e2e/guest/guest-lib.sh"
CLI=${CLI:-build/latebind}
BUILD=${BUILD:-build}
TAPIO=${LB_TAPIO:-$BUILD/tests/lb-tapio}
TAG=$$
H=lbdemo-host-$TAG
V=lbdemo-vpc-$TAG
CAP=$(mktemp -d)
B='' N=''
if [ -t 1 ]; then B=$(tput bold 2>/dev/null) N=$(tput sgr0 2>/dev/null); fi

step() { printf '\n%s== %s%s\n' "$B" "$*" "$N"; }
say() { printf '   %s\n' "$@"; }
run() { printf '   %s$ %s%s\n' "$B" "$*" "$N"; "$@" 2>&1 | sed 's/^/     /'; return "${PIPESTATUS[0]}"; }
die() { printf '\ndemo failed: %s\n' "$*" >&2; exit 1; }
# show_cmd ARGS...: a long command line, each option with its value, wrapped.
show_cmd() {
	local w line=''
	while [ $# -gt 0 ]; do
		w=$1
		shift
		case $w in *' '*) w="'$w'" ;; esac
		if [[ $w == -* && $# -gt 0 && $1 != -* ]]; then
			case $1 in *' '*) w="$w '$1'" ;; *) w="$w $1" ;; esac
			shift
		fi
		if [ -n "$line" ] && [ $((${#line} + ${#w})) -gt 70 ]; then
			printf '       %s \\\n' "$line"
			line=$w
		else
			line=${line:+$line }$w
		fi
	done
	printf '       %s\n' "$line"
}

cleanup() {
	trap - EXIT INT TERM
	vm_stop_all
	[ -n "${SERVE:-}" ] && kill "$SERVE" 2>/dev/null
	"$CLI" -n "$H" pool destroy dev ulh >/dev/null 2>&1
	for ns in "$H" "$V" "$V-100" "$V-200" "$V-300" "$V-4242"; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$CAP"
}
trap cleanup EXIT
trap 'echo; echo "interrupted: cleaning up"; exit 130' INT TERM

[ "$(id -u)" -eq 0 ] || die "run as root (it creates network namespaces and loads BPF)"
[ -x "$CLI" ] || die "$CLI is missing: run make first"

cat <<EOF
${B}latebind${N}: tunnels created ahead of time, bound to their tenant's network late.

A micro-VM's traffic reaches its tenant network (a VPC) through a VXLAN or
Geneve tunnel, and every packet carries a 24-bit VNI naming that network.
Linux fixes a tunnel's VNI when the device is created. Creating a device
on demand, during a VM's cold start, costs netlink work serialised behind
one global lock (RTNL). latebind creates the tunnels early, with
placeholder ("dummy") VNIs, and an eBPF program on the underlay device
rewrites dummy <-> real VNI in every packet. Binding a tunnel to its real
VNI is a BPF map update: microseconds, no netlink, no lock.
EOF

step "1. A lab: a VM host and the tenant network, in two network namespaces"
{ ip netns add "$H" && ip netns add "$V"; } || die "cannot create namespaces"
ip link add ulh netns "$H" type veth peer name ulv netns "$V"
ip -n "$H" addr add 10.77.0.1/24 dev ulh && ip -n "$H" link set ulh up
ip -n "$V" addr add 10.77.0.2/24 dev ulv && ip -n "$V" link set ulv up
say "$H  ulh 10.77.0.1  <== veth (the underlay) ==>  ulv 10.77.0.2  $V"
say "The tenant side is plain Linux: three VXLAN devices with the REAL VNIs"
say "100, 200 and 300, made with 'ip'. It knows nothing of latebind."
for vni in 100 200 300; do
	ip netns add "$V-$vni"
	ip -n "$V" link add "vx$vni" type vxlan id "$vni" remote 10.77.0.1 dstport 4789 dev ulv
	ip -n "$V" link set "vx$vni" netns "$V-$vni"
	ip -n "$V-$vni" addr add "192.168.$((vni / 100)).2/24" dev "vx$vni"
	ip -n "$V-$vni" link set "vx$vni" up
done

step "2. Ahead of time: a warm pool of 32 tunnels with dummy VNIs"
t0=$(date +%s%N)
run "$CLI" -n "$H" pool create dev ulh type vxlan remote 10.77.0.2 count 32 >"$CAP/create" ||
	{ cat "$CAP/create"; die "pool create failed"; }
t1=$(date +%s%N)
head -5 "$CAP/create"
say "  ... ($(grep -c ' dummy ' "$CAP/create") tunnels, all up; created in $(((t1 - t0) / 1000000)) ms, in one batch)"
say "Every tunnel is closed until bound: the eBPF program drops what it sends."

step "3. Linux cannot change a tunnel's VNI afterwards"
run ip -n "$H" link set lb0 type vxlan id 100
say "That refusal is the kernel's own. So without latebind, the VNI must be"
say "known when the device is created: on the cold-start path."

step "4. Before binding, nothing leaves"
ip -n "$H" addr add 192.168.1.1/24 dev lb0
run nsenter --net="/run/netns/$H" ping -q -c 2 -W 1 192.168.1.2
say "Dropped and counted at the underlay:"
"$CLI" -n "$H" stats | grep drops | sed 's/^/     /'

step "5. VM init: three tenants learn their VNIs, and bind"
nsenter --net="/run/netns/$V" tcpdump -Z root -i ulv -nn -s 96 --immediate-mode -U -w "$CAP/wire.pcap" \
	udp port 4789 >/dev/null 2>&1 &
TCPDUMP=$!
sleep 1
i=0
for vni in 100 200 300; do
	ip -n "$H" addr add "192.168.$((vni / 100)).1/24" dev "lb$i" 2>/dev/null
	run "$CLI" -n "$H" bind "lb$i" vni "$vni"
	i=$((i + 1))
done
ip -n "$H" neigh flush dev lb0
for n in 1 2 3; do
	printf '   ping tenant %d: ' "$((n * 100))"
	nsenter --net="/run/netns/$H" ping -c 3 -i 0.2 -w 5 "192.168.$n.2" | grep -o '[0-9]* received.*loss'
done
sleep 1
kill "$TCPDUMP" 2>/dev/null
wait "$TCPDUMP" 2>/dev/null

step "6. On the wire: real VNIs only. Inside the host: dummy VNIs"
say "Captured on the tenant side (VNIs seen, packets):"
tcpdump -Z root -nn -r "$CAP/wire.pcap" 2>/dev/null | grep -oE 'vni [0-9]+' | sort | uniq -c |
	awk '{printf "       VNI %-9s %d packets\n", $3, $1}'
ndummy=$(tcpdump -Z root -nn -r "$CAP/wire.pcap" 2>/dev/null | grep -oE 'vni [0-9]+' | awk '$2 >= 16777184' | wc -l)
say "Packets with a dummy VNI (16777184-16777215) on the wire: $ndummy"
say "The host's tunnel devices still carry their dummy VNIs:"
for d in lb0 lb1 lb2; do
	printf '       %s: %s  ->  bound to %s\n' "$d" \
		"$(ip -n "$H" -d link show "$d" | grep -oE 'vxlan id [0-9]+')" \
		"$("$CLI" -n "$H" -j show "$d" | jq -r '"VNI \(.vni)"')"
done

step "7. Isolation: a forged tunnel packet from an unprivileged process"
CRAFT=${LB_CRAFT:-build/tests/lb-craft}
if [ -x "$CRAFT" ]; then
	dummy=$("$CLI" -n "$H" -j show lb0 | jq -r .dummy_vni)
	say "User nobody sends 3 VXLAN packets with lb0's dummy VNI $dummy to the remote."
	say "If latebind rewrote them, tenant 100 would receive them as its own."
	rx0=$(ip -n "$V-100" -j -s link show vx100 | jq '.[0].stats64.rx.packets')
	forged0=$("$CLI" -n "$H" -j stats | jq '.[0].drops.forged')
	cp "$CRAFT" "$CAP/lb-craft" && chmod 755 "$CAP" "$CAP/lb-craft"
	run nsenter --net="/run/netns/$H" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$CAP/lb-craft" udp 10.77.0.2 4789 vxlan "$dummy" count 3
	sleep 0.5
	rx1=$(ip -n "$V-100" -j -s link show vx100 | jq '.[0].stats64.rx.packets')
	forged1=$("$CLI" -n "$H" -j stats | jq '.[0].drops.forged')
	say "Tenant 100's device received $((rx1 - rx0)) of them; lb_egress dropped $((forged1 - forged0)) as forged."
	say "Only lb0's own packets carry lb0's tag (docs/security.md)."
else
	say "(skipped: $CRAFT is missing; make demo builds it)"
fi

step "8. What it costs: a bind next to creating a tunnel on demand, measured now"
run "$CLI" -n "$H" bench bind dev ulh ops 30000 creates 200
say "Both rows use the same library on this host: binds write BPF maps; the"
say "on-demand row creates VXLAN devices with the netlink requests pool create"
say "batches. Under load the create row grows (RTNL waits); the bind row does not."

step "9. A slot handed to a guest: a VM's network, ready before the VM"
say "With 'taps', each tunnel of a pool gets a tap: a slot. The VMM opens the"
say "tap as an unprivileged user; the control plane binds the slot, by the tap's"
say "name, when it learns the tenant. tc programs wire tap and tunnel with"
say "bpf_redirect: no bridge, no host stack (docs/slots.md)."
say "The 32 tunnels make way for a pool of 4 slots on the same underlay:"
run "$CLI" -n "$H" pool destroy dev ulh
run "$CLI" -n "$H" pool create dev ulh type vxlan remote 10.77.0.2 count 4 taps tap-owner nobody:nogroup \
	>"$CAP/create-taps" || { cat "$CAP/create-taps"; die "pool create ... taps failed"; }
head -4 "$CAP/create-taps"
printf '   lbt0, as the kernel sees it: %s\n' "$(ip -n "$H" -d link show lbt0 |
	awk '$1 == "tun" { for (i = 1; i < NF; i++) { printf "%s ", $i; if ($i == "group") { print $(i + 1); exit } } }')"
say "Tenant 4242 is plain Linux too: vx4242, VNI 4242, 192.168.42.2."
ip netns add "$V-4242"
ip -n "$V" link add vx4242 type vxlan id 4242 remote 10.77.0.1 dstport 4789 dev ulv
ip -n "$V" link set vx4242 netns "$V-4242"
ip -n "$V-4242" addr add 192.168.42.2/24 dev vx4242
ip -n "$V-4242" link set vx4242 up

GUEST_NS=$H GUEST_OWNER=nobody GUEST_GROUP=nogroup
GMAC=02:6c:00:00:00:2a
{ mkdir "$CAP/guest" && chmod 0755 "$CAP" && guest_dir "$CAP/guest"; } || die "cannot make $CAP/guest"
VM='' GUEST_ERR='' PREP_LOGS=''
if [ "${LATEBIND_DEMO_VM:-1}" = 0 ]; then
	GUEST_ERR="LATEBIND_DEMO_VM=0 asks for no VM"
else
	kvm="no KVM here"
	[ -e /dev/kvm ] && kvm="software emulation, the same on every host"
	if [ -n "$(command -v qemu-system-x86_64)" ] && [ ! -f "$BUILD/vm/cache/bookworm.env" ]; then
		say "No VM kernel cached yet: tests/vm/fetch.sh downloads Debian's kernel"
		say "package (apt-get download, about 70 MB, never installed) into $BUILD/vm/cache."
	fi
	t0=$SECONDS
	if ! guest_prepare; then
		PREP_LOGS="fetch initramfs"
	else
		VM=1
		say "guest: qemu-system-x86_64 with TCG ($kvm), Debian kernel $KVER"
		say "       ($KERNEL_PKG $KERNEL_VERSION) from $BUILD/vm/cache, busybox initramfs"
		say "       ($(du -h "$GUEST_DIR/initramfs.cpio.gz" | cut -f1): busybox, virtio_net, tests/e2e/guest/init),"
		say "       virtio-net on tap lbt0 as user nobody. Both ready in $((SECONDS - t0)) s."
	fi
fi

if [ -n "$VM" ]; then
	say "qemu runs in the host namespace as nobody, with no capabilities. It opens a"
	say "tun node of the demo's own, 0666, bound over /dev/net/tun in its private mount"
	say "namespace, as a jailer does (the host's, $(stat -c %a /dev/net/tun) here, stays as it is):"
	say "only the tap's owner decides who opens lbt0. Its command line:"
	t0=$SECONDS
	vm_start g lbt0 "$GMAC" 192.168.42.1/24
	show_cmd "${VM_CMD[@]}"
	say "Booting (TCG emulates every instruction: 10-30 s) ..."
	if r=$(vm_ready g 180); then
		say "The guest's /init is up after $((SECONDS - t0)) s and says:" "  $r"
	else
		GUEST_ERR="the guest did not boot in 180 s (qemu: $(head -c 200 "$GUEST_DIR/g/qemu.out"))"
		vm_stop_all
		VM=''
	fi
fi

if [ -n "$VM" ]; then
	echo
	say "Before bind, the guest pings 192.168.42.2 (busybox ping, inside the VM):"
	gcmd g 30 ping before 192.168.42.2 3 0.5 5
	say "  received/sent: $(field before)"
	say "Its frames reached lbt0 and were dropped there, counted as unbound:"
	"$CLI" -n "$H" stats | grep drops | sed 's/^/     /'
	gcmd g 10 flush # its ARP entry for 192.168.42.2 failed: start clean
	echo
	run "$CLI" -n "$H" bind lbt0 vni 4242
	say "The same ping from the guest, now:"
	gcmd g 30 ping bound 192.168.42.2 5 0.3 8
	say "  received/sent: $(field bound) (echoes answered: $(field seqs))"
	say "And tenant 4242 pings the guest:"
	run nsenter --net="/run/netns/$V-4242" ping -c 3 -i 0.3 -w 10 192.168.42.1
elif [ -x "$TAPIO" ]; then
	say "No VM: $GUEST_ERR."
	for f in $PREP_LOGS; do
		[ -s "$GUEST_DIR/$f.log" ] && tail -n 3 "$GUEST_DIR/$f.log" | sed 's/^/     /'
	done
	say "lb-tapio plays the guest instead ($TAPIO, a test tool): it opens"
	say "lbt0 as user nobody, as a VMM would (through the demo's own tun node), and"
	say "speaks raw Ethernet: ARP and ICMP echo."
	tapio=(nsenter --net="/run/netns/$H" "$TAPIO" lbt0 tun "$GUEST_TUN" user "$(id -u nobody)" vnet-hdr)
	echo
	say "Before bind, the guest pings 192.168.42.2:"
	run "${tapio[@]}" ping "$GMAC" 192.168.42.1 192.168.42.2 count 3 wait 1000
	say "Its frames reached lbt0 and were dropped there, counted as unbound:"
	"$CLI" -n "$H" stats | grep drops | sed 's/^/     /'
	echo
	run "$CLI" -n "$H" bind lbt0 vni 4242
	say "The same ping, now:"
	run "${tapio[@]}" ping "$GMAC" 192.168.42.1 192.168.42.2 count 5
	say "And tenant 4242 pings the guest, which lb-tapio answers:"
	"${tapio[@]}" serve "$GMAC" 192.168.42.1 3000 >/dev/null &
	SERVE=$!
	sleep 0.3
	run nsenter --net="/run/netns/$V-4242" ping -c 3 -i 0.3 -w 3 192.168.42.1
	wait "$SERVE"
	SERVE=''
else
	say "No VM ($GUEST_ERR), and no $TAPIO"
	say "to play the guest (make demo builds it): the slot is bound without a guest."
	run "$CLI" -n "$H" bind lbt0 vni 4242
fi
say "The slots as latebind shows them: lbt0's tunnel lb0 bound to VNI 4242, the"
say "taps owned by uid $(id -u nobody) (nobody):"
run "$CLI" -n "$H" show
if [ -n "$VM" ]; then
	gsend g poweroff
	vm_wait_exit g 60
	say "The guest powered off (qemu exit status $VM_RC)."
fi

step "10. Tearing down"
run "$CLI" -n "$H" pool destroy dev ulh
say "Tunnels and taps are gone. Done. The lab namespaces are removed next."
