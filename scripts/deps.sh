#!/bin/sh
# Installs what latebind needs to build, test and demo, from Debian 12
# packages only. Idempotent: does nothing when everything is present.
#   deps.sh        make check, make demo
#   deps.sh deb    make deb: Debian's packaging tools too
#   deps.sh ops    make check-ops: and a Debian root to install into, booted
#                  by systemd-nspawn
set -eu

PKGS="clang llvm gcc make pkg-config libbpf-dev bpftool libmnl-dev libnftables-dev \
nftables libcmocka-dev iproute2 iputils-ping tcpdump ethtool iperf3 jq"
# The test VM (tests/vm/packages.txt): qemu and a busybox initramfs; zstd
# for kernels whose modules are .ko.zst. The kernels it boots are fetched
# into build/ by tests/vm/fetch.sh, never installed.
PKGS="$PKGS qemu-system-x86 busybox-static cpio gzip binutils util-linux zstd"
# make bench draws its plot with gnuplot.
PKGS="$PKGS gnuplot-nox"
# The exporter's test (tests/e2e/exporter.sh): curl, and systemd-analyze to
# verify its unit. Debian's prometheus it fetches itself (tests/lib/prometheus.sh).
PKGS="$PKGS curl systemd"
# examples/go (make go-example, tests/e2e/go_consumer.sh): Go in GOPATH mode.
PKGS="$PKGS golang-go golang-github-cilium-ebpf-dev golang-golang-x-sys-dev"
case "${1:-}" in
deb) PKGS="$PKGS debhelper dpkg-dev lintian" ;;
ops) PKGS="$PKGS debhelper dpkg-dev lintian debootstrap systemd systemd-container udev" ;;
"") ;;
*) echo "deps: unknown set \"$1\" (deb or ops)" >&2; exit 1 ;;
esac

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
