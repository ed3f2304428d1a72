#!/bin/bash
# Fills ${BUILD:-build}/vm/cache with what the test VM boots: one of Debian's
# stock kernels (apt-get download + dpkg -x, never installed) and
# busybox-static. Checks the host tools the initramfs carries. Idempotent:
# reuses the cache, which keeps each kernel by version.
#   LATEBIND_VM_SUITE    bullseye (5.10), bookworm (6.1, default), trixie (6.12), sid
#   LATEBIND_VM_FLAVOUR  generic (linux-image-amd64, default) or cloud (linux-image-cloud-amd64)
#   LATEBIND_VM_KERNEL_PKG  a kernel package instead of what the meta package depends on
# Bookworm is the host's own suite: its apt configuration finds it. The other
# suites go through a private apt configuration under the cache (its own
# sources list, lists and package cache); the machine's sources never change.
# Writes the cache's KERNEL.env (KERNEL: vm_kernel_id, e.g. trixie-cloud),
# read by build-initramfs.sh and run.sh.
set -euo pipefail

BUILD=${BUILD:-build}
CACHE=$BUILD/vm/cache
die() { echo "fetch: $*" >&2; exit 1; }
# shellcheck source=tests/vm/kernel-lib.sh
. "$(dirname "$0")/kernel-lib.sh"
SUITE=${LATEBIND_VM_SUITE:-bookworm}
FLAVOUR=${LATEBIND_VM_FLAVOUR:-generic}
vm_kernel_check "$SUITE" "$FLAVOUR" || exit 1
ID=$(vm_kernel_id "$SUITE" "$FLAVOUR")

# --- host tools --------------------------------------------------------------
# command:package. The initramfs carries these host binaries and their libraries.
TOOLS="qemu-system-x86_64:qemu-system-x86 cpio:cpio gzip:gzip objcopy:binutils ldd:libc-bin
bash:bash ip:iproute2 tc:iproute2 tcpdump:tcpdump iperf3:iperf3 ethtool:ethtool jq:jq
nsenter:util-linux setpriv:util-linux nft:nftables ping:iputils-ping bpftool:bpftool dpkg-deb:dpkg apt-get:apt
zstd:zstd"
missing=""
for t in $TOOLS; do
	PATH=/usr/sbin:/usr/bin:/sbin:/bin command -v "${t%%:*}" >/dev/null || missing="$missing ${t#*:}"
done
[ -z "$missing" ] || die "missing on this host:$missing (apt-get install -y$missing)"

mkdir -p "$CACHE/debs" "$CACHE/unpacked"
CACHE=$(cd "$CACHE" && pwd -P)

# --- apt: the host's for bookworm, a private configuration for the others ----
APT_OPTS=()
if [ "$SUITE" != bookworm ]; then
	A=$CACHE/apt/$SUITE
	mkdir -p "$A/lists/partial" "$A/cache/archives/partial" "$A/sources.list.d" "$A/preferences.d"
	: >>"$A/status"
	key=/usr/share/keyrings/debian-archive-keyring.gpg
	{
		echo "deb [signed-by=$key] http://deb.debian.org/debian $SUITE main"
		if [ "$SUITE" != sid ]; then
			echo "deb [signed-by=$key] http://deb.debian.org/debian $SUITE-updates main"
			echo "deb [signed-by=$key] http://deb.debian.org/debian-security $SUITE-security main"
		fi
	} >"$A/sources.list"
	APT_OPTS=(-o "Dir::Etc::SourceList=$A/sources.list" -o "Dir::Etc::SourceParts=$A/sources.list.d"
		-o "Dir::Etc::Preferences=$A/preferences" -o "Dir::Etc::PreferencesParts=$A/preferences.d"
		-o "Dir::State::Lists=$A/lists" -o "Dir::Cache=$A/cache" -o "Dir::State::status=$A/status"
		-o APT::Sandbox::User=root -o Acquire::Languages=none)
	# Lists older than a day are refreshed; a failed refresh keeps the old ones.
	if [ -z "$(find "$A/lists" -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null | head -n 1)" ]; then
		echo "fetch: apt-get update for $SUITE (private configuration in $A)" >&2
		apt-get -qq "${APT_OPTS[@]}" update >&2 || echo "fetch: apt-get update for $SUITE failed" >&2
	fi
fi

# fetch_deb PKG: print the path of PKG's candidate .deb in the cache, downloading it if needed.
fetch_deb() {
	local pkg=$1 ver tmp deb
	ver=$(apt-cache "${APT_OPTS[@]}" policy "$pkg" 2>/dev/null | awk '/Candidate:/ { print $2 }')
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
		if ! (cd "$tmp" && apt-get download -q "${APT_OPTS[@]}" "$pkg=$ver" >&2); then
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
META=$(vm_kernel_meta "$FLAVOUR")
# The versioned image package the meta package depends on (Debian names it
# linux-image-ABI-FLAVOUR: 6.1.0-56-amd64, 6.12.118+deb13-cloud-amd64, ...).
resolve_kernel() {
	apt-cache "${APT_OPTS[@]}" depends "$META" 2>/dev/null |
		sed -nE "s/^ *Depends: (linux-image-[0-9][^ ]*-${META#linux-image-})$/\1/p" | head -n 1
}
pkg=${LATEBIND_VM_KERNEL_PKG:-$(resolve_kernel)}
if [ -z "$pkg" ] && [ "$SUITE" = bookworm ] && [ "$(id -u)" -eq 0 ]; then
	echo "fetch: apt does not know $META; running apt-get update" >&2
	apt-get update -qq >&2 || true
	pkg=$(resolve_kernel)
fi
if [ -z "$pkg" ]; then
	# Offline and apt knows nothing: a kernel fetched earlier will do.
	[ -f "$CACHE/$ID.env" ] ||
		die "cannot resolve $SUITE's $META (apt-cache depends $META) and nothing is cached for $ID"
	echo "fetch: apt cannot resolve $SUITE's $META; reusing the cached kernel" >&2
	exit 0
fi
kver=${pkg#linux-image-}
# 7.x splits the image: linux-image-ABI depends on linux-binary-ABI (the
# vmlinuz, as usr/lib/modules/ABI/vmlinuz), linux-modules-ABI and
# linux-base-ABI (modules.builtin, the config). Each is unpacked on its own.
kdeb=$(fetch_deb "$pkg") || die "cannot fetch the kernel package $pkg"
debs=("$kdeb")
kre=${kver//./\\.} kre=${kre//+/\\+}
for part in $(dpkg-deb -f "$kdeb" Depends | tr ',' '\n' | sed -nE "s/^ *(linux-(base|binary|modules)-$kre)( .*)?$/\1/p"); do
	d=$(fetch_deb "$part") || die "cannot fetch $part, a part of $pkg"
	debs+=("$d")
done
vmlinuz="" moddir=""
for d in "${debs[@]}"; do
	kdir=$(unpack "$d") || die "cannot unpack $d"
	for v in "$kdir/boot/vmlinuz-$kver" "$kdir/usr/lib/modules/$kver/vmlinuz"; do
		[ -f "$v" ] && vmlinuz=$v
	done
	# Trixie and later ship the modules under /usr (merged /usr).
	for m in "$kdir/lib/modules/$kver" "$kdir/usr/lib/modules/$kver"; do
		[ -d "$m/kernel" ] && moddir=$m
	done
done
[ -n "$vmlinuz" ] || die "no boot/vmlinuz-$kver nor usr/lib/modules/$kver/vmlinuz in ${debs[*]##*/}"
# modules.builtin tells built-in from missing; 7.x has it in another package.
builtin=""
for d in "${debs[@]}"; do
	for m in lib/modules usr/lib/modules; do
		b=$CACHE/unpacked/$(basename "$d" .deb)/$m/$kver/modules.builtin
		[ -f "$b" ] && builtin=$b
	done
done
[ -n "$builtin" ] || die "no modules.builtin for $kver in ${debs[*]##*/}"
[ -n "$moddir" ] || die "no lib/modules/$kver/kernel nor usr/lib/modules/$kver/kernel in ${debs[*]##*/}"

# Each kernel is kept by version. The packages no KERNEL.env names any more
# (the suite moved on) go when their successors are in.
if [ -f "$CACHE/$ID.env" ]; then
	# shellcheck source=/dev/null
	# By name: the cache may be reached by another path (a link, a move).
	for old in $(. "$CACHE/$ID.env" && echo "${KERNEL_DEBS:-}"); do
		old=$(basename "$old")
		case " ${debs[*]##*/} " in *" $old "*) continue ;; esac
		grep -qsF "$old" --exclude="$ID.env" "$CACHE"/*.env && continue
		echo "fetch: dropping $old, replaced by $pkg" >&2
		rm -rf "${CACHE:?}/debs/$old" "$CACHE/unpacked/${old%.deb}"
	done
fi

# --- busybox-static ------------------------------------------------------------
# The installed one if it is static, else the package unpacked into the cache.
if dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q "install ok installed" &&
	! ldd /bin/busybox >/dev/null 2>&1; then
	busybox=/bin/busybox
else
	APT_OPTS=()
	bdeb=$(fetch_deb busybox-static) || die "busybox-static is not installed and cannot be fetched"
	bdir=$(unpack "$bdeb") || die "cannot unpack $bdeb"
	busybox=$bdir/bin/busybox
	[ -x "$busybox" ] || die "$bdeb has no bin/busybox"
fi

{
	printf 'KERNEL_ID=%q\n' "$ID"
	printf 'KERNEL_SUITE=%q\n' "$SUITE"
	printf 'KERNEL_FLAVOUR=%q\n' "$FLAVOUR"
	printf 'KERNEL_PKG=%q\n' "$pkg"
	printf 'KERNEL_VERSION=%q\n' "$(dpkg-deb -f "$kdeb" Version)"
	printf 'KERNEL_DEBS=%q\n' "${debs[*]}"
	printf 'KVER=%q\n' "$kver"
	printf 'MODROOT=%q\n' "$moddir"
	printf 'MODULES_BUILTIN=%q\n' "$builtin"
	printf 'VMLINUZ=%q\n' "$vmlinuz"
	printf 'BUSYBOX=%q\n' "$busybox"
} >"$CACHE/$ID.env.tmp"
mv "$CACHE/$ID.env.tmp" "$CACHE/$ID.env"
echo "fetch: $ID: kernel $pkg ($(basename "$kdeb")), busybox $busybox" >&2
