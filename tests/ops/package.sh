#!/bin/bash
# make check-ops: the Debian packages as an operator meets them, on a fresh
# Debian 12 root, then booted with Debian's systemd as PID 1.
#
#   $BUILD/ops/bookworm.tar   debootstrap --variant=minbase, made once
#        | copy, apt-get install ./latebind*.deb (chroot)
#        v
#   systemd-nspawn -b --network-namespace-path=/run/netns/lbops-PID-N
#        container: lbopsul0 (veth) ---- host: lbo<PID>h
#        /sys/fs/bpf: a bpffs of its own (the host's systemd mounts one at
#        boot; a container's does not)
#
# Boot 1: latebind.service's own sandbox, ExecStart swapped for a pool
# create; systemd-networkd with a catch-all .network must leave the pool
# alone; udevadm test runs the packaged rules on the pool's devices.
# Boot 2: latebind.service as shipped, with a pool in /etc/latebind/pools.d
# (`latebind apply` of /etc/latebind/pools.d).
SUITE=ops_package
# shellcheck source=tests/lib/results.sh
. "$(dirname "$0")/../lib/results.sh"
BUILD=${BUILD:-build}
DEBS=$(realpath -m "$BUILD/deb")
OPS=$(realpath -m "$BUILD/ops")
MIRROR=${LATEBIND_OPS_MIRROR:-http://deb.debian.org/debian}
V=$(sed -n 's/^LB_VERSION *:= *//p' Makefile)
T=$OPS/run-$$
R=$T/root
H=lbo$$h
NS=""

cleanup() {
	if [ "$FAILED" -ne 0 ]; then
		rm -rf "$OPS/last-failure" && mkdir -p "$OPS/last-failure"
		cp -r "$T"/*.log "$T/res" "$OPS/last-failure/" 2>/dev/null
		echo "ops: boot logs and reports in $OPS/last-failure"
	fi
	[ -n "$NS" ] && ip netns del "$NS" 2>/dev/null
	ip link del "$H" 2>/dev/null
	mountpoint -q "$T/bpffs" && umount "$T/bpffs"
	# Nothing stays mounted under the root: chroot steps mount nothing.
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$T"

# --- the packages -----------------------------------------------------------
for p in latebind liblatebind1 liblatebind-dev; do
	check "${p}_${V}_amd64.deb built" test -f "$DEBS/${p}_${V}_amd64.deb"
done
check "lintian reports no error" bash -c "[ -f '$DEBS/lintian.txt' ] && ! grep -q '^E:' '$DEBS/lintian.txt'"
has() { dpkg-deb -c "$DEBS/$1_${V}_amd64.deb" | awk '{ print $6 }' | grep -qx "./$2"; }
for f in usr/sbin/latebind usr/share/man/man8/latebind.8.gz usr/share/bash-completion/completions/latebind \
	lib/systemd/system/latebind.service lib/udev/rules.d/00-latebind.rules \
	lib/udev/rules.d/99-zz-latebind.rules lib/systemd/network/00-latebind.link \
	lib/systemd/network/00-latebind.network etc/latebind/pools.d/ usr/share/doc/latebind/examples/; do
	check "latebind holds /$f" has latebind "$f"
done
check "liblatebind1 holds liblatebind.so.$V" has liblatebind1 "usr/lib/x86_64-linux-gnu/liblatebind.so.$V"
for f in usr/include/latebind/latebind.h usr/include/latebind/abi.h usr/lib/x86_64-linux-gnu/liblatebind.so \
	usr/lib/x86_64-linux-gnu/liblatebind.a usr/lib/x86_64-linux-gnu/pkgconfig/latebind.pc; do
	check "liblatebind-dev holds /$f" has liblatebind-dev "$f"
done

# --- a fresh Debian 12 root -------------------------------------------------
if [ ! -f "$OPS/bookworm.tar" ]; then
	echo "ops: debootstrap bookworm from $MIRROR (once, into $OPS/bookworm.tar)"
	rm -rf "$OPS/base"
	if debootstrap --variant=minbase \
		--include=systemd,systemd-sysv,iproute2,man-db,gcc,libc6-dev,pkg-config \
		bookworm "$OPS/base" "$MIRROR" >"$OPS/debootstrap.log" 2>&1; then
		tar -C "$OPS/base" -cf "$OPS/bookworm.tar" . && rm -rf "$OPS/base"
	fi
fi
check "a bookworm root ($OPS/bookworm.tar)" test -f "$OPS/bookworm.tar"
mkdir -p "$R" && tar -C "$R" -xf "$OPS/bookworm.tar"
cp /etc/resolv.conf "$R/etc/resolv.conf"
cp "$DEBS"/latebind_"$V"_amd64.deb "$DEBS"/liblatebind1_"$V"_amd64.deb \
	"$DEBS"/liblatebind-dev_"$V"_amd64.deb "$R/tmp/"
in_root() { chroot "$R" "$@"; }
# dbus: for networkctl in the boot below.
check "apt-get installs the three packages and what they depend on" in_root sh -c \
	"export DEBIAN_FRONTEND=noninteractive; apt-get update -qq &&
	 apt-get install -y -qq --no-install-recommends /tmp/*.deb dbus >/tmp/apt.log 2>&1 || { cat /tmp/apt.log; false; }"

# --- as a user of the package ------------------------------------------------
check "latebind help" bash -c "chroot '$R' latebind help | grep -q 'latebind pool create dev'"
check "man latebind" bash -c "chroot '$R' man -P cat latebind 2>/dev/null | grep -q 'warm pools of Geneve and VXLAN'"
check "pkg-config --cflags latebind" in_root pkg-config --cflags latebind
check "pkg-config --modversion latebind is $V" bash -c "[ \"\$(chroot '$R' pkg-config --modversion latebind)\" = '$V' ]"
cat >"$R/tmp/user.c" <<'C'
#include <stdio.h>
#include <latebind/latebind.h>
int main(void)
{
	struct latebind_addr a;
	enum latebind_tunnel_type t;

	if (latebind_addr_parse("2001:db8::1", &a) || latebind_tunnel_type_parse("geneve", &t) ||
	    t != LATEBIND_GENEVE)
		return 1;
	printf("%s %s\n", latebind_tunnel_type_name(LATEBIND_VXLAN), latebind_drop_reason_name(6));
	return 0;
}
C
# shellcheck disable=SC2016 # expanded in the root
check "a program builds against the installed library (pkg-config)" \
	in_root sh -c 'gcc -Wall -Werror -o /tmp/user /tmp/user.c $(pkg-config --cflags --libs latebind)'
check "...and runs with liblatebind.so.1" bash -c \
	"[ \"\$(chroot '$R' /tmp/user)\" = 'vxlan bypass' ] && chroot '$R' ldd /tmp/user | grep -q 'liblatebind.so.1 '"
check "the command carries its own copy of the library" bash -c "! chroot '$R' ldd /usr/sbin/latebind | grep -q liblatebind"
check "latebind.service is enabled by the package" \
	test "$(readlink "$R/etc/systemd/system/multi-user.target.wants/latebind.service")" = /lib/systemd/system/latebind.service
for u in "$R"/lib/systemd/system/latebind*.service; do
	check "systemd-analyze verify ${u#"$R"}" bash -c \
		"out=\$(chroot '$R' systemd-analyze verify '${u#"$R"}' 2>&1) && [ -z \"\$out\" ] || { echo \"\$out\"; false; }"
done

# --- boots ---------------------------------------------------------------------
# boot N: a fresh namespace with the underlay, a fresh bpffs, and the root
# booted until lbops-check.service powers it off. Its report: $T/res/out.
boot() {
	[ -n "$NS" ] && ip netns del "$NS"
	ip link del "$H" 2>/dev/null
	mountpoint -q "$T/bpffs" && umount "$T/bpffs"
	NS=lbops-$$-$1
	ip netns add "$NS"
	ip link add "$H" type veth peer name lbopsul0 netns "$NS"
	ip -n "$NS" link set lbopsul0 up
	ip -n "$NS" link set lo up
	mkdir -p "$T/bpffs" "$T/res"
	rm -f "$T/res/out"
	mount -t bpf -o mode=0700 bpf "$T/bpffs"
	timeout 300 systemd-nspawn -q -D "$R" -b --register=no --keep-unit \
		--private-network --network-namespace-path="/run/netns/$NS" \
		--capability=CAP_NET_ADMIN,CAP_BPF,CAP_PERFMON --system-call-filter=bpf \
		--bind="$T/bpffs:/sys/fs/bpf" --bind="$T/res:/results" >"$T/boot$1.log" 2>&1
}
# The container's report: systemd's view of UNIT, the pools, networkd's links.
cat >"$R/usr/local/sbin/lbops-check" <<'SH'
#!/bin/sh
exec >/results/out 2>&1
unit=$1
echo "state: $(systemctl show "$unit" -p ActiveState --value) $(systemctl show "$unit" -p Result --value)"
# networkd has seen every link once none is pending.
for _ in $(seq 100); do
	networkctl list --no-legend 2>/dev/null | grep -qE 'pending|initialized' || break
	sleep 0.1
done
networkctl list --no-legend | awk '{ print "link:", $2, $5 }'
echo "show: $(latebind -j show)"
journalctl -b -u "$unit" --no-pager -o cat | sed 's/^/journal: /'
systemctl poweroff --no-block
SH
chmod 0755 "$R/usr/local/sbin/lbops-check"
# check_unit UNIT: the report's unit, after it.
cat >"$R/etc/systemd/system/lbops-check@.service" <<'UNIT'
[Unit]
After=%i.service systemd-networkd.service
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/lbops-check %i
UNIT
# A catch-all .network: without 00-latebind.network, networkd would take
# the pool's devices.
printf '[Match]\nName=*\n\n[Network]\nLinkLocalAddressing=no\n' >"$R/etc/systemd/network/99-ops-all.network"
in_root systemctl enable -q systemd-networkd.service 2>/dev/null

# Boot 1: the unit's sandbox as shipped, running a pool create.
sed -e 's|^ExecStart=.*|ExecStart=/usr/sbin/latebind pool create dev lbopsul0 type vxlan remote 192.0.2.1 local 192.0.2.2 count 16 taps|' \
	-e '/^ExecReload=/d' -e 's|^Description=.*|Description=latebind.service sandbox, pool create|' \
	"$R/lib/systemd/system/latebind.service" >"$R/etc/systemd/system/lbops-sandbox.service"
ln -sf /dev/null "$R/etc/systemd/system/latebind.service"
mkdir -p "$R/etc/systemd/system/multi-user.target.wants"
ln -sf /etc/systemd/system/lbops-sandbox.service "$R/etc/systemd/system/multi-user.target.wants/"
ln -sf /etc/systemd/system/lbops-check@.service \
	"$R/etc/systemd/system/multi-user.target.wants/lbops-check@lbops-sandbox.service"
boot 1
check "boot 1: systemd ran and powered the container off" grep -q '^state: ' "$T/res/out"
check "boot 1: the sandboxed pool create succeeded (${T##*/}/res)" grep -qx 'state: active success' "$T/res/out"
show=$(sed -n 's/^show: //p' "$T/res/out")
check "boot 1: a pool of 16 with taps on lbopsul0" bash -c \
	"jq -e '.[0].dev == \"lbopsul0\" and .[0].count == 16 and (.[0].tunnels | length) == 16 and
	        .[0].programs_first and .[0].input_guard and .[0].unguarded_tunnels == 0' <<<'$show' >/dev/null"
for l in lb0 lb15 lbt0 lbt15; do
	check "boot 1: networkd leaves $l unmanaged" grep -qx "link: $l unmanaged" "$T/res/out"
done
check "control: networkd manages the underlay (the catch-all .network)" bash -c \
	"grep -E '^link: lbopsul0 ' '$T/res/out' | grep -qv unmanaged"
check "boot 1: the pool outlives the container (lb0 in $NS)" ip -n "$NS" link show lb0 >/dev/null

# The packaged udev files on those devices: udevadm test, in the pool's
# namespace, with a private /run.
mkdir -p "$T/udev-rules" "$T/udev-link"
cp "$R"/lib/udev/rules.d/*latebind*.rules "$T/udev-rules/"
cp "$R"/lib/systemd/network/00-latebind.link "$T/udev-link/"
udev_test() {
	# shellcheck disable=SC2016 # expanded by the inner sh
	ip netns exec "$NS" unshare -m sh -c \
		'mount -t tmpfs tmpfs /run && mount --bind "$1" /etc/udev/rules.d &&
		 mkdir -p /etc/systemd/network && mount --bind "$2" /etc/systemd/network &&
		 udevadm test --action=add "/sys/class/net/$3" 2>&1' sh "$T/udev-rules" "$T/udev-link" "$1"
}
# has_line PATTERN: grep -E of $out.
has_line() { grep -qE "$1" <<<"$out"; }
for l in lb0 lbt0; do
	out=$(udev_test "$l")
	check "udev: $l unmanaged for NetworkManager" has_line '^NM_UNMANAGED=1$'
	check "udev: $l unmanaged for networkd 255+ (ID_NET_MANAGED_BY)" has_line '^ID_NET_MANAGED_BY=latebind$'
	check "udev: $l keeps its MAC (00-latebind.link)" has_line '^ID_NET_LINK_FILE=/etc/systemd/network/00-latebind.link$'
	check_fails "udev: $l runs no systemd-sysctl" has_line '^run: .*systemd-sysctl'
done
out=$(udev_test lbopsul0)
check_fails "control: the underlay is not marked" has_line '^NM_UNMANAGED='
check "control: the underlay runs systemd-sysctl" has_line '^run: .*systemd-sysctl'

# Boot 2: latebind.service as shipped, a pool in /etc/latebind/pools.d.
rm -f "$R/etc/systemd/system/latebind.service" "$R/etc/systemd/system/multi-user.target.wants/lbops-"*
ln -sf /etc/systemd/system/lbops-check@.service \
	"$R/etc/systemd/system/multi-user.target.wants/lbops-check@latebind.service"
printf '[Pool]\nDevice=lbopsul0\nType=vxlan\nRemote=192.0.2.1\nLocal=192.0.2.2\nCount=16\n\n[Slots]\nTaps=yes\n' \
	>"$R/etc/latebind/pools.d/50-ops.conf"
boot 2
check "boot 2: latebind.service (latebind apply) is active after boot" grep -qx 'state: active success' "$T/res/out"
show=$(sed -n 's/^show: //p' "$T/res/out")
check "boot 2: the configured pool exists, 16 slots with taps ($(jq -c '[.[0].dev, (.[0].tunnels | length), .[0].taps]' <<<"$show" 2>/dev/null))" bash -c \
	"jq -e '.[0].dev == \"lbopsul0\" and (.[0].tunnels | length) == 16 and .[0].taps' <<<'$show' >/dev/null"

check "apt-get purge latebind removes the command and the unit's link" in_root sh -c \
	'DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq latebind >/dev/null 2>&1 &&
	 [ ! -e /usr/sbin/latebind ] && [ ! -e /etc/systemd/system/multi-user.target.wants/latebind.service ]'
summary
