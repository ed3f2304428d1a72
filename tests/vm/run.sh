#!/bin/bash
# Boots one of Debian's stock kernels under qemu TCG and runs
# tests/vm/tests/*.sh inside it (see tests/vm/init). The entry point of
# `make check-vm`; tests/vm/kernels.sh runs it once per kernel.
# The last line is "vm: N passed, N failed, N skipped" (vm-SUITE[-cloud]: for
# a kernel other than the default); the exit status is non-zero on any
# failure, on a timeout, or when the VM did not finish.
#   LATEBIND_VM_SUITE=bookworm  bullseye (5.10), bookworm (6.1), trixie (6.12), sid (7.x)
#   LATEBIND_VM_FLAVOUR=generic generic (linux-image-amd64) or cloud (linux-image-cloud-amd64)
#   LATEBIND_SKIP_VM=1         skip (reported as skipped, never as passed)
#   LATEBIND_VM_TIMEOUT=900    seconds for the whole VM run
#   LATEBIND_VM_SHELL=1        interactive shell in the VM instead of the tests
#                              (=after: after them); no timeout; Ctrl-A X quits
#   LATEBIND_VM_TESTS="F ..."  test scripts to run (default tests/vm/tests/*.sh)
#   LATEBIND_VM_FILES="F ..."  more files for /payload (the benchmarks' tools)
#   LATEBIND_VM_MEM=1024       the VM's memory in MiB
# Per kernel, build/vm/KERNEL/ keeps the payload, the initramfs and the
# whole console (console.log); result.env sums the run up for kernels.sh.
# Debian packages (also in tests/vm/packages.txt): qemu-system-x86
# busybox-static cpio gzip binutils util-linux iproute2 tcpdump iperf3 ethtool
# jq iputils-ping bpftool nftables zstd
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
CLI=${CLI:-$BUILD/latebind}
# shellcheck source=tests/vm/kernel-lib.sh
. tests/vm/kernel-lib.sh
export LATEBIND_VM_SUITE=${LATEBIND_VM_SUITE:-bookworm}
export LATEBIND_VM_FLAVOUR=${LATEBIND_VM_FLAVOUR:-generic}
vm_kernel_check "$LATEBIND_VM_SUITE" "$LATEBIND_VM_FLAVOUR" || {
	echo "vm: 0 passed, 1 failed, 0 skipped"
	exit 1
}
ID=$(vm_kernel_id "$LATEBIND_VM_SUITE" "$LATEBIND_VM_FLAVOUR")
# The default kernel keeps the plain "vm:" closing line.
NAME=vm
[ "$ID" = bookworm ] || NAME=vm-$ID
VM=$BUILD/vm/$ID
LOG=$VM/console.log
TIMEOUT=${LATEBIND_VM_TIMEOUT:-900}
# The packet crafter of the isolation tests (static; `make build/tests/lb-craft`).
LB_CRAFT=${LB_CRAFT:-$BUILD/tests/lb-craft}
# The slot tests' guest stand-in (static; `make build/tests/lb-tapio`).
LB_TAPIO=${LB_TAPIO:-$BUILD/tests/lb-tapio}
export BUILD

result() { echo "$NAME: $1 passed, $2 failed, $3 skipped"; }
die() {
	echo "$NAME: error: $*"
	result 0 1 0
	exit 1
}

if [ "${LATEBIND_SKIP_VM:-0}" = 1 ]; then
	echo "$NAME: skipped: LATEBIND_SKIP_VM=1"
	result 0 0 1
	exit 0
fi
[ -x "$CLI" ] || die "no $CLI: build it first (make)"
[ -x "$LB_CRAFT" ] || die "no $LB_CRAFT: build it first (make $LB_CRAFT)"
[ -x "$LB_TAPIO" ] || die "no $LB_TAPIO: build it first (make $LB_TAPIO)"
[[ $TIMEOUT =~ ^[1-9][0-9]*$ ]] || die "LATEBIND_VM_TIMEOUT must be a number of seconds, not '$TIMEOUT'"

mkdir -p "$VM"
# One run per kernel at a time. Runs of different kernels may overlap: with
# thread=single (below) a guest takes one host core.
exec 9>"$VM/lock"
flock -w 1200 9 || die "another VM run of $ID holds $VM/lock"
t0=$SECONDS
rm -f "$VM/result.env"

# The download cache is shared: one fetch at a time.
flock -w 1200 "$BUILD/vm/cache.lock" bash tests/vm/fetch.sh ||
	die "tests/vm/fetch.sh failed (see above)"
KENV=$BUILD/vm/cache/$ID.env
# shellcheck source=/dev/null
. "$KENV"

# --- payload: the CLI, lb-craft, the helpers, the tests -------------------------
rm -rf "$VM/payload"
mkdir -p "$VM/payload/tests"
cp "$CLI" "$VM/payload/latebind"
cp "$LB_CRAFT" "$VM/payload/lb-craft"
cp "$LB_TAPIO" "$VM/payload/lb-tapio"
# Helpers next to tests/ (the VM runs /payload/tests/*.sh only): lib-vm.sh,
# results.sh, pool-lib.sh, the scenarios the pool tests share, and
# gc-lib.sh, the gc scenario the host runs too.
cp tests/vm/lib-vm.sh tests/vm/pool-lib.sh tests/lib/results.sh tests/lib/gc-lib.sh \
	tests/lib/scale-lib.sh tests/lib/slots-lib.sh "$VM/payload/"
# Which kernel the tests should find themselves on.
{
	printf 'KERNEL_ID=%q\n' "$ID"
	printf 'KERNEL_PKG=%q\n' "$KERNEL_PKG"
	printf 'KERNEL_VERSION=%q\n' "$KERNEL_VERSION"
	printf 'KVER=%q\n' "$KVER"
} >"$VM/payload/kernel.env"
if [ -n "${LATEBIND_VM_TESTS:-}" ]; then
	read -ra tests <<<"$LATEBIND_VM_TESTS"
else
	tests=(tests/vm/tests/*.sh)
fi
for t in "${tests[@]}"; do
	[ -f "$t" ] || die "no test $t"
	cp "$t" "$VM/payload/tests/"
done
read -ra files <<<"${LATEBIND_VM_FILES:-}"
for f in "${files[@]}"; do
	[ -f "$f" ] || die "no file $f (LATEBIND_VM_FILES)"
	cp "$f" "$VM/payload/"
done
bash tests/vm/build-initramfs.sh "$KENV" "$VM/initramfs.cpio.gz" "$VM/payload" ||
	die "tests/vm/build-initramfs.sh failed (see above)"

# One TCG thread for both vCPUs: with a thread per vCPU, a vCPU can run code
# that another has just patched back from int3 (static keys flip as tcx and
# clsact hooks come and go), and the guest dies of "Oops: int3" in
# __netif_receive_skb_core (seen on 6.12 under load; docs/testing.md).
# shellcheck disable=SC2054 # tcg's options, not array elements
QEMU=(qemu-system-x86_64 -accel tcg,thread=single -cpu max -m "${LATEBIND_VM_MEM:-1024}" -smp 2 -nographic -no-reboot -nic none
	-kernel "$VMLINUZ" -initrd "$VM/initramfs.cpio.gz")
APPEND="console=ttyS0 panic=-1 quiet"

if [ -n "${LATEBIND_VM_SHELL:-}" ]; then
	echo "$NAME: booting $KVER with a debug shell; Ctrl-A X quits qemu"
	exec "${QEMU[@]}" -append "$APPEND latebind.shell=$LATEBIND_VM_SHELL"
fi

# --- boot; stream the result lines; keep the whole console ---------------------
t1=$SECONDS
: >"$LOG.raw" # exists before tail opens it
timeout -k 10 "$TIMEOUT" "${QEMU[@]}" -append "$APPEND" </dev/null >>"$LOG.raw" 2>&1 &
qpid=$!
trap 'kill "$qpid" 2>/dev/null' EXIT
trap 'echo "$NAME: error: interrupted"; result 0 1 0; exit 130' INT TERM
# CRs and the firmware's escape sequences out
clean() { sed -u -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1bc//g'; }
# In the background, so that a signal reaches the trap while we wait.
tail -n +1 -f --pid="$qpid" "$LOG.raw" | clean |
	grep --line-buffered -E '^(=== |ok   - |FAIL - |skip - |vm-init: |dmesg: |[A-Za-z_0-9-]+: [0-9]+ passed, [0-9]+ failed)' |
	grep --line-buffered -v '^vm: ' &
spid=$!
wait "$qpid"
qrc=$?
trap - EXIT
wait "$spid"
clean <"$LOG.raw" >"$LOG"
rm -f "$LOG.raw"
qemu_s=$((SECONDS - t1))
echo "vm-info: kernel $KVER ($KERNEL_PKG $KERNEL_VERSION); qemu ran $qemu_s s, $((SECONDS - t0)) s in all; console: $LOG"

# --- verdict -------------------------------------------------------------------
done_line=$(grep -E '^LATEBIND-VM-DONE rc=[0-9]+$' "$LOG" | tail -n 1)
vm_line=$(grep -E '^vm: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$LOG" | tail -n 1)
if [ -z "$done_line" ] || [ -z "$vm_line" ]; then
	tail -n 20 "$LOG" | sed 's/^/console: /'
	if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
		die "the VM did not finish within ${TIMEOUT} s (LATEBIND_VM_TIMEOUT)"
	fi
	die "the VM stopped without its closing lines (qemu exit $qrc)"
fi
read -r p f s <<<"$(sed -E 's/^vm: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\1 \2 \3/' <<<"$vm_line")"
if [ "${done_line#*rc=}" != 0 ] && [ "$f" -eq 0 ]; then
	echo "$NAME: error: the VM reported $done_line with no failure counted"
	f=1
fi
if [ "$qrc" -ne 0 ]; then
	echo "$NAME: error: qemu exited with $qrc after the tests"
	f=$((f + 1))
fi
{
	printf 'KERNEL_ID=%q\nKERNEL_PKG=%q\nKERNEL_VERSION=%q\nKVER=%q\n' "$ID" "$KERNEL_PKG" "$KERNEL_VERSION" "$KVER"
	printf 'PASSED=%d\nFAILED=%d\nSKIPPED=%d\nQEMU_SECONDS=%d\nDATE=%q\n' "$p" "$f" "$s" "$qemu_s" "$(date -u +%Y-%m-%d)"
} >"$VM/result.env"
result "$p" "$f" "$s"
[ "$f" -eq 0 ]
