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
