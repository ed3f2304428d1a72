#!/bin/bash
# build-initramfs.sh KERNEL.env OUT.cpio.gz PAYLOAD_DIR
# Builds the test VM's initramfs: busybox-static, host tools (iproute2, bash,
# tcpdump, iperf3, ethtool, jq, nsenter, setpriv, ping, bpftool, nft) with their libraries,
# the kernel's modules, tests/vm/init as /init, PAYLOAD_DIR as /payload.
# KERNEL.env is what tests/vm/fetch.sh wrote for that kernel in the cache.
#   LATEBIND_VM_MODULES  modules to load at boot (their dependencies are added;
#                        NAME? is left out where the kernel has no such module)
set -euo pipefail

die() { echo "build-initramfs: $*" >&2; exit 1; }
[ $# -eq 3 ] || die "usage: build-initramfs.sh KERNEL.env OUT.cpio.gz PAYLOAD_DIR"
ENV_FILE=$1 OUT=$2 PAYLOAD=$3
HERE=$(cd "$(dirname "$0")" && pwd)
[ -f "$ENV_FILE" ] || die "no $ENV_FILE: run tests/vm/fetch.sh first"
[ -d "$PAYLOAD" ] || die "no payload directory $PAYLOAD"
# shellcheck source=/dev/null
. "$ENV_FILE"
# crc32c: nf_tables' libcrc32c asks the crypto API for it at run time (no
# module dependency); 6.14 and later have it as a library function only.
# nfnetlink: a module up to 6.12, part of the netfilter core in 7.x (built
# in, but under no name in modules.builtin); nf_tables depends on it anyway.
MODULES=${LATEBIND_VM_MODULES:-udp_tunnel ip6_udp_tunnel geneve vxlan veth sch_ingress cls_bpf crc32c_generic? nfnetlink? nf_tables bridge tun?}
# setpriv: util-linux's (busybox's applet has no --reuid), for unprivileged senders.
HOST_BINS="bash ip tc tcpdump iperf3 ethtool jq nsenter setpriv ping bpftool nft"
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

mkdir -p "$(dirname "$OUT")"
R=$(mktemp -d "$OUT.root.XXXXXX")
TMPF=$(mktemp)
trap 'rm -rf "$R" "$TMPF"' EXIT
# mktemp made $R 0700, and the cpio's "." sets the VM's / to that: an
# unprivileged process (setpriv --reuid) could not even look up /tmp.
chmod 755 "$R"
mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,proc,sys,dev,tmp,run,root,etc/latebind,var,payload}
ln -s ../run "$R/var/run" # iproute2 keeps netns under /var/run/netns

# --- host binaries, then busybox applets for everything else -----------------
elfs=()
for b in $HOST_BINS; do
	p=$(command -v "$b") || die "host has no $b"
	mkdir -p "$R$(dirname "$p")"
	cp -L "$p" "$R$p"
	elfs+=("$p")
done
[ -e "$R/bin/bash" ] || ln -s "$(command -v bash)" "$R/bin/bash" # for #!/bin/bash
cp "$BUSYBOX" "$R/bin/busybox"
for a in $("$BUSYBOX" --list); do
	# No applet shadows a carried tool, whatever the PATH order.
	case " $HOST_BINS " in *" $a "*) continue ;; esac
	[ -e "$R/bin/$a" ] || ln -s busybox "$R/bin/$a"
done

# --- payload, and the libraries of every dynamic ELF ---------------------------
cp -a "$PAYLOAD/." "$R/payload/"
while IFS= read -r -d '' f; do
	[ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] && elfs+=("$f")
done < <(find "$R/payload" -type f -print0)
libs=""
for e in "${elfs[@]}"; do
	out=$(ldd "$e" 2>&1) || continue # static
	! grep -q 'not found' <<<"$out" || die "$e: missing libraries: $(grep 'not found' <<<"$out" | tr -s ' \t\n' ' ')"
	libs="$libs $(grep -oE '/[^ ]+' <<<"$out")"
done
for l in $(tr ' ' '\n' <<<"$libs" | sort -u); do
	mkdir -p "$R$(dirname "$l")"
	cp -L "$l" "$R$l"
done

# --- kernel modules, dependencies first (tests/vm/modules-lib.sh) --------------
[ -d "$MODROOT/kernel" ] || die "no modules in $MODROOT"
MODULE_LIST=etc/latebind/modules
# shellcheck source=tests/vm/modules-lib.sh
. "$HERE/modules-lib.sh"
: >"$R/etc/latebind/modules"
for m in $MODULES; do add_module "$m"; done

# --- /etc, /init ---------------------------------------------------------------
# tcpdump: use -Z root. nobody owns the slot tests' taps.
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$R/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$R/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files\n' >"$R/etc/nsswitch.conf"
printf '127.0.0.1 localhost\n::1 localhost\n' >"$R/etc/hosts"
for f in /etc/protocols /etc/services /etc/iproute2 /lib/terminfo; do
	[ -e "$f" ] || continue
	mkdir -p "$R$(dirname "$f")"
	cp -a "$f" "$R$f"
done
install -m 755 "$HERE/init" "$R/init"

(cd "$R" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "build-initramfs: $OUT ($(du -h "$OUT" | cut -f1)), kernel $KVER, modules: $(tr '\n' ' ' <"$R/etc/latebind/modules")" >&2
