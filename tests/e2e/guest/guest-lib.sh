# shellcheck shell=bash
# Real guests on slot taps, shared by tests/e2e/slots_guest.sh and
# scripts/demo.sh: qemu (TCG) boots Debian's stock kernel from the VM suite's
# cache (tests/vm/fetch.sh) with the busybox initramfs of this directory
# (initramfs.sh, init), in a namespace, as the taps' unprivileged owner.
#
# The guests take commands on a second serial port, a pipe pair on the host
# (see init): gsend/gwait/gcmd steer them without any network, one command
# at a time, and wait for each answer with a timeout.
#
# Set before use: BUILD, GUEST_NS (the taps' namespace), GUEST_OWNER and
# GUEST_GROUP (the taps' owner: qemu runs as them). Then:
#   guest_dir DIR    DIR (new, empty) holds everything; makes its tun node
#   guest_prepare    the kernel (fetched once), the initramfs, qemu
#   vm_start ...     boot a guest; vm_ready, gcmd ... to steer it
#   vm_stop_all      kill what still runs (for a trap)

# shellcheck disable=SC2034 # GUEST_ERR, GUEST_TUN, VM_CMD: for the callers
GUEST_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
declare -gA VM_PID VM_FD VM_SEQ VM_READER

# guest_dir DIR: qemu runs as the owner and reads its kernel, initramfs and
# pipes from DIR. /dev/net/tun may be 0600 (this host's is), and it is left
# as it is: a tun node of our own, 0666, is bound over /dev/net/tun in qemu's
# private mount namespace (as a jailer makes one in its jail), so that only
# the taps' ownership decides who gets in. Its path: $GUEST_TUN.
guest_dir() {
	GUEST_DIR=$1
	chmod 0755 "$GUEST_DIR" || return 1
	GUEST_TUN=$GUEST_DIR/tun
	mknod -m 0666 "$GUEST_TUN" c 10 200
}

# guest_prepare: qemu, Debian's bookworm kernel (tests/vm/fetch.sh fills
# $BUILD/vm/cache once; one fetch at a time) and the guest's initramfs, in
# GUEST_DIR. Sets QEMU, GUEST_KENV and what it holds (KVER, KERNEL_PKG,
# VMLINUZ, ...). On failure: 1, the reason in GUEST_ERR; the logs are
# $GUEST_DIR/fetch.log and initramfs.log.
guest_prepare() {
	QEMU=$(command -v qemu-system-x86_64)
	if [ -z "$QEMU" ]; then
		GUEST_ERR="no qemu-system-x86_64 (apt-get install qemu-system-x86)"
		return 1
	fi
	mkdir -p "$BUILD/vm"
	if ! flock -w 1200 "$BUILD/vm/cache.lock" \
		env BUILD="$BUILD" LATEBIND_VM_SUITE=bookworm LATEBIND_VM_FLAVOUR=generic \
		bash "$GUEST_LIB_DIR/../../vm/fetch.sh" >"$GUEST_DIR/fetch.log" 2>&1; then
		GUEST_ERR="no guest kernel: tests/vm/fetch.sh failed"
		return 1
	fi
	GUEST_KENV=$BUILD/vm/cache/bookworm.env
	# shellcheck source=/dev/null
	. "$GUEST_KENV"
	cp "$VMLINUZ" "$GUEST_DIR/vmlinuz"
	if ! bash "$GUEST_LIB_DIR/initramfs.sh" "$GUEST_KENV" "$GUEST_DIR/initramfs.cpio.gz" \
		2>"$GUEST_DIR/initramfs.log"; then
		GUEST_ERR="the guest's initramfs (tests/e2e/guest/initramfs.sh) failed"
		return 1
	fi
}

# vm_cmd TAP MAC ADDR/LEN MTU DIR: qemu's command line, in VM_CMD. TCG, one
# vCPU, 256 MiB; virtio-net on TAP, vhost off (no /dev/vhost-net for the
# owner); the console into DIR/console.log, the control port the pipes DIR/ctl.
vm_cmd() {
	local tap=$1 mac=$2 addr=$3 mtu=$4 dir=$5
	# shellcheck disable=SC2054 # commas in qemu's options
	VM_CMD=("$QEMU" -accel tcg,thread=single -cpu max -m 256 -smp 1 -nographic -no-reboot
		-monitor none -nic none -kernel "$GUEST_DIR/vmlinuz" -initrd "$GUEST_DIR/initramfs.cpio.gz"
		-append "console=ttyS0 panic=-1 quiet lbguest.ip=$addr lbguest.mtu=$mtu"
		-netdev "tap,id=n0,ifname=$tap,script=no,downscript=no,vhost=off"
		-device "virtio-net-pci,netdev=n0,mac=$mac"
		-serial "file:$dir/console.log" -serial "pipe:$dir/ctl")
}

# vm_start NAME TAP MAC ADDR/LEN: boot a guest on TAP, in GUEST_NS, as the
# taps' owner, with the tap's MTU. Its console goes to GUEST_DIR/NAME/console.log;
# its control port (ttyS1) is the pipe pair GUEST_DIR/NAME/ctl.in (commands)
# and ctl.out (answers, logged in ctl.log). Its command line stays in VM_CMD.
vm_start() {
	local name=$1 tap=$2 mac=$3 addr=$4 dir=$GUEST_DIR/$1 mtu fd
	mkdir -m 0755 "$dir"
	mkfifo -m 0600 "$dir/ctl.in" "$dir/ctl.out"
	: >"$dir/console.log"
	chown "$GUEST_OWNER:$GUEST_GROUP" "$dir/ctl.in" "$dir/ctl.out" "$dir/console.log"
	mtu=$(ip -n "$GUEST_NS" -j link show "$tap" | jq '.[0].mtu')
	vm_cmd "$tap" "$mac" "$addr" "$mtu" "$dir"
	# shellcheck disable=SC2016 # for the inner shell
	nsenter --net="/run/netns/$GUEST_NS" unshare --mount --propagation private -- \
		sh -c 'mount --bind "$1" /dev/net/tun && shift && exec "$@"' sh "$GUEST_TUN" \
		setpriv --reuid="$GUEST_OWNER" --regid="$GUEST_GROUP" --clear-groups --inh-caps=-all \
		"${VM_CMD[@]}" </dev/null >"$dir/qemu.out" 2>&1 3>&- &
	VM_PID[$name]=$!
	cat "$dir/ctl.out" >"$dir/ctl.log" 3>&- &
	VM_READER[$name]=$!
	# Read-write: never blocks, whether or not qemu has opened it yet.
	exec {fd}<>"$dir/ctl.in"
	VM_FD[$name]=$fd
	VM_SEQ[$name]=0
}

# vm_ready NAME TIMEOUT: wait for the guest's "ready" line; print it. On a
# timeout or a qemu gone, the tails of its console and qemu's output go to
# stderr.
vm_ready() {
	local end=$((SECONDS + $2)) dir=$GUEST_DIR/$1
	until grep -q '^guest: 0 ready' "$dir/ctl.log" 2>/dev/null; do
		if [ "$SECONDS" -ge "$end" ] || ! kill -0 "${VM_PID[$1]}" 2>/dev/null; then
			tail -n 5 "$dir/console.log" "$dir/qemu.out" | sed "s/^/$1: /" >&2
			return 1
		fi
		sleep 0.3
	done
	grep -m 1 '^guest: 0 ready' "$dir/ctl.log" | tr -d '\r' | sed 's/^guest: 0 ready //'
}

# gsend NAME COMMAND...: send a command; its number is in $GSEQ. Not in $(...).
gsend() {
	local name=$1
	shift
	VM_SEQ[$name]=$((VM_SEQ[$name] + 1))
	GSEQ=${VM_SEQ[$name]}
	printf '%s %s\n' "$GSEQ" "$*" >&"${VM_FD[$name]}"
}

# gwait NAME SEQ TIMEOUT: wait for command SEQ to finish; print its answers
# (without "guest: SEQ "). Fails on a timeout or when the guest is gone.
gwait() {
	local name=$1 seq=$2 end=$((SECONDS + $3)) log=$GUEST_DIR/$1/ctl.log
	until grep -q "^guest: $seq done" "$log"; do
		if [ "$SECONDS" -ge "$end" ] || ! kill -0 "${VM_PID[$name]}" 2>/dev/null; then
			echo "no answer from $name to command $seq in $3 s" >&2
			return 1
		fi
		sleep 0.2
	done
	tr -d '\r' <"$log" | sed -n "s/^guest: $seq //p" | grep -v '^done$'
}

# gcmd NAME TIMEOUT COMMAND...: both; the answers in $GOUT.
gcmd() {
	local name=$1 t=$2
	shift 2
	gsend "$name" "$@"
	GOUT=$(gwait "$name" "$GSEQ" "$t")
}

# field KEY: the word after KEY in $GOUT.
field() { awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }' <<<"$GOUT"; }

# answered N: the guest's ping in $GOUT got replies to its echoes 0..N-1. Its
# pings send one echo more: busybox ping waits for the last reply only
# max(1 s, twice the slowest RTT), and a TCG guest can stall that long.
answered() {
	local i
	for ((i = 0; i < $1; i++)); do
		grep -qE "(^|,)$i(,|$)" <<<"$(field seqs)" || return 1
	done
}

# vm_wait_exit NAME TIMEOUT: wait for the guest's qemu to exit (after a
# poweroff); its exit status, or "timeout", in VM_RC. Not in $(...).
vm_wait_exit() {
	local name=$1 end=$((SECONDS + $2))
	while kill -0 "${VM_PID[$name]}" 2>/dev/null && [ "$SECONDS" -lt "$end" ]; do sleep 0.3; done
	if kill -0 "${VM_PID[$name]}" 2>/dev/null; then
		VM_RC=timeout
		return 1
	fi
	wait "${VM_PID[$name]}" 2>/dev/null
	VM_RC=$?
	unset "VM_PID[$name]"
	[ "$VM_RC" = 0 ]
}

# vm_stop_all: kill the guests still running and their readers.
vm_stop_all() {
	local n
	for n in "${!VM_PID[@]}"; do kill "${VM_PID[$n]}" 2>/dev/null; done
	for n in "${!VM_PID[@]}"; do wait "${VM_PID[$n]}" 2>/dev/null; done
	for n in "${!VM_READER[@]}"; do kill "${VM_READER[$n]}" 2>/dev/null; done
	VM_PID=() VM_READER=()
}
