#!/bin/bash
# initramfs.sh KERNEL.env OUT.cpio.gz
# The initramfs of the guests of tests/e2e/slots_guest.sh: busybox-static and
# its applets, the kernel's virtio-net driver and its dependencies, and
# tests/e2e/guest/init as /init. Nothing else: the guest is a plain VM.
# KERNEL.env is what tests/vm/fetch.sh wrote for that kernel in the cache.
set -euo pipefail

die() { echo "guest-initramfs: $*" >&2; exit 1; }
[ $# -eq 2 ] || die "usage: initramfs.sh KERNEL.env OUT.cpio.gz"
ENV_FILE=$1 OUT=$2
HERE=$(cd "$(dirname "$0")" && pwd)
[ -f "$ENV_FILE" ] || die "no $ENV_FILE: run tests/vm/fetch.sh first"
# shellcheck source=/dev/null
. "$ENV_FILE"
# virtio_pci finds the device, virtio_net drives it (it depends on
# net_failover, which depends on failover; the dependencies come from the
# modules' .modinfo).
MODULES="virtio_pci virtio_net"
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

R=$(mktemp -d "$OUT.root.XXXXXX")
TMPF=$(mktemp)
trap 'rm -rf "$R" "$TMPF"' EXIT
chmod 755 "$R" # the cpio's "." is the guest's /
mkdir -p "$R"/{bin,dev,proc,sys,tmp,etc,lib/modules}
cp "$BUSYBOX" "$R/bin/busybox"
for a in $("$BUSYBOX" --list); do
	[ -e "$R/bin/$a" ] || ln -s busybox "$R/bin/$a"
done

# The modules, dependencies first, listed in /etc/modules (tests/vm/modules-lib.sh).
MODULE_LIST=etc/modules
# shellcheck source=tests/vm/modules-lib.sh
. "$HERE/../../vm/modules-lib.sh"
: >"$R/etc/modules"
for m in $MODULES; do add_module "$m"; done
install -m 755 "$HERE/init" "$R/init"

(cd "$R" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "guest-initramfs: $OUT ($(du -h "$OUT" | cut -f1)), kernel $KVER, modules: $(tr '\n' ' ' <"$R/etc/modules")" >&2
