#!/bin/bash
# Fills ${BUILD:-build}/vm/cache with what the test VM boots: Debian's stock
# kernel (apt-get download + dpkg -x, never installed) and busybox-static.
# Checks the host tools the initramfs carries. Idempotent: reuses the cache.
# Writes the cache's current.env (read by build-initramfs.sh and run.sh).
#   LATEBIND_VM_KERNEL_PKG  kernel package (default: what linux-image-amd64 depends on)
set -euo pipefail

BUILD=${BUILD:-build}
CACHE=$BUILD/vm/cache
die() { echo "fetch: $*" >&2; exit 1; }

# --- host tools --------------------------------------------------------------
# command:package. The initramfs carries these host binaries and their libraries.
TOOLS="qemu-system-x86_64:qemu-system-x86 cpio:cpio gzip:gzip objcopy:binutils ldd:libc-bin
bash:bash ip:iproute2 tc:iproute2 tcpdump:tcpdump iperf3:iperf3 ethtool:ethtool jq:jq
nsenter:util-linux setpriv:util-linux nft:nftables ping:iputils-ping bpftool:bpftool dpkg-deb:dpkg apt-get:apt"
missing=""
for t in $TOOLS; do
	PATH=/usr/sbin:/usr/bin:/sbin:/bin command -v "${t%%:*}" >/dev/null || missing="$missing ${t#*:}"
done
[ -z "$missing" ] || die "missing on this host:$missing (apt-get install -y$missing)"

mkdir -p "$CACHE/debs" "$CACHE/unpacked"
CACHE=$(cd "$CACHE" && pwd)

# fetch_deb PKG: print the path of PKG's candidate .deb in the cache, downloading it if needed.
fetch_deb() {
	local pkg=$1 ver tmp deb
	ver=$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ { print $2 }')
	if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
		echo "fetch: apt knows no package $pkg" >&2
		return 1
	fi
	deb="$CACHE/debs/${pkg}_${ver//:/%3a}_amd64.deb"
	if [ ! -f "$deb" ]; then
		echo "fetch: downloading $pkg $ver" >&2
		tmp=$(mktemp -d "$CACHE/debs/.dl.XXXXXX")
		# apt downloads as _apt when run as root
		if [ "$(id -u)" -eq 0 ] && id _apt >/dev/null 2>&1; then chown _apt "$tmp"; fi
		if ! (cd "$tmp" && apt-get download -q "$pkg=$ver" >&2); then
			rm -rf "$tmp"
			echo "fetch: apt-get download $pkg=$ver failed" >&2
			return 1
		fi
		mv "$tmp"/*.deb "$deb"
		rm -rf "$tmp"
	fi
	dpkg-deb --info "$deb" >/dev/null || { echo "fetch: $deb is not a valid .deb" >&2; return 1; }
	echo "$deb"
}

# unpack DEB: print the directory DEB is unpacked into (dpkg -x, once).
unpack() {
	local deb=$1 dir
	dir="$CACHE/unpacked/$(basename "$deb" .deb)"
	if [ ! -f "$dir/.unpacked" ]; then
		rm -rf "$dir" "$dir.tmp"
		dpkg -x "$deb" "$dir.tmp" >&2 || return 1
		touch "$dir.tmp/.unpacked" && mv "$dir.tmp" "$dir" || return 1
	fi
	echo "$dir"
}

# --- kernel --------------------------------------------------------------------
resolve_kernel() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -nE 's/^ *Depends: (linux-image-6\.1\.[0-9]+-[0-9]+-amd64)$/\1/p' | head -n 1
}
pkg=${LATEBIND_VM_KERNEL_PKG:-$(resolve_kernel)}
if [ -z "$pkg" ] && [ "$(id -u)" -eq 0 ]; then
	echo "fetch: apt does not know linux-image-amd64; running apt-get update" >&2
	apt-get update -qq >&2 || true
	pkg=$(resolve_kernel)
fi
if [ -z "$pkg" ]; then
	# Offline and apt knows nothing: a kernel fetched earlier will do.
	[ -f "$CACHE/current.env" ] ||
		die "cannot resolve linux-image-amd64's 6.1 kernel package (apt-cache depends linux-image-amd64) and nothing is cached"
	echo "fetch: apt cannot resolve linux-image-amd64; reusing the cached kernel" >&2
	exit 0
fi
kdeb=$(fetch_deb "$pkg") || die "cannot fetch the kernel package $pkg"
kdir=$(unpack "$kdeb") || die "cannot unpack $kdeb"
kver=${pkg#linux-image-}
[ -f "$kdir/boot/vmlinuz-$kver" ] || die "$kdeb has no boot/vmlinuz-$kver"
[ -d "$kdir/lib/modules/$kver/kernel" ] || die "$kdeb has no lib/modules/$kver/kernel"

# Drop other kernels: the cache holds one.
for old in "$CACHE"/debs/linux-image-*.deb "$CACHE"/unpacked/linux-image-*; do
	[ -e "$old" ] || continue
	case $old in "$kdeb" | "$kdir") continue ;; esac
	rm -rf "$old"
done

# --- busybox-static ------------------------------------------------------------
# The installed one if it is static, else the package unpacked into the cache.
if dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q "install ok installed" &&
	! ldd /bin/busybox >/dev/null 2>&1; then
	busybox=/bin/busybox
else
	bdeb=$(fetch_deb busybox-static) || die "busybox-static is not installed and cannot be fetched"
	bdir=$(unpack "$bdeb") || die "cannot unpack $bdeb"
	busybox=$bdir/bin/busybox
	[ -x "$busybox" ] || die "$bdeb has no bin/busybox"
fi

{
	printf 'KERNEL_PKG=%q\n' "$pkg"
	printf 'KERNEL_DEB=%q\n' "$kdeb"
	printf 'KVER=%q\n' "$kver"
	printf 'KERNEL_DIR=%q\n' "$kdir"
	printf 'VMLINUZ=%q\n' "$kdir/boot/vmlinuz-$kver"
	printf 'BUSYBOX=%q\n' "$busybox"
} >"$CACHE/current.env.tmp"
mv "$CACHE/current.env.tmp" "$CACHE/current.env"
echo "fetch: kernel $pkg ($(basename "$kdeb")), busybox $busybox" >&2
