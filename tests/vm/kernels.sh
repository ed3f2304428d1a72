#!/bin/bash
# The VM suite on each of Debian's kernels in turn (`make check-kernels`):
# generic 5.10, 6.1, 6.12 and 7.x, cloud 6.1 and 6.12 (kernel-lib.sh's
# VM_KERNELS), two VMs at a time (a guest takes one host core;
# LATEBIND_VM_JOBS=N for another number). Each kernel's whole output goes to
# build/vm/KERNEL/run.log; here, its failures and one closing line, then the
# summary table (written to build/vm/matrix.md, the source of README's
# "Kernel support" table: tests/vm/matrix.sh readme) and the sum:
#   check-kernels: N passed, N failed, N skipped
#   LATEBIND_VM_KERNELS="trixie/generic sid/generic"  another list
# The other knobs of run.sh (LATEBIND_VM_TESTS, LATEBIND_VM_TIMEOUT) apply
# to every kernel; the table is written for the whole default list only.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
export BUILD
# shellcheck source=tests/vm/kernel-lib.sh
. tests/vm/kernel-lib.sh
KERNELS=${LATEBIND_VM_KERNELS:-$VM_KERNELS}
JOBS=${LATEBIND_VM_JOBS:-2}
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || { echo "check-kernels: LATEBIND_VM_JOBS must be a positive number, not '$JOBS'" >&2; exit 2; }

# one SUITE FLAVOUR ID: the suite on one kernel, its time in run.seconds.
one() {
	local t1=$SECONDS
	LATEBIND_VM_SUITE=$1 LATEBIND_VM_FLAVOUR=$2 bash tests/vm/run.sh >"$BUILD/vm/$3/run.log" 2>&1
	echo $((SECONDS - t1)) >"$BUILD/vm/$3/run.seconds"
}

P=0 F=0 S=0 ids=() t0=$SECONDS running=0
for k in $KERNELS; do
	suite=${k%/*} flavour=${k#*/}
	[ "$k" = "$suite" ] && flavour=generic
	vm_kernel_check "$suite" "$flavour" || { F=$((F + 1)); continue; }
	id=$(vm_kernel_id "$suite" "$flavour")
	ids+=("$id")
	mkdir -p "$BUILD/vm/$id"
	rm -f "$BUILD/vm/$id/run.seconds"
	if [ "$running" -ge "$JOBS" ]; then
		wait -n
		running=$((running - 1))
	fi
	echo "check-kernels: $id started"
	one "$suite" "$flavour" "$id" &
	running=$((running + 1))
done
wait
echo

for id in "${ids[@]}"; do
	# The table reads its own copy: make check's runs reuse build/vm/KERNEL/.
	rm -rf "$BUILD/vm/matrix/$id"
	mkdir -p "$BUILD/vm/matrix/$id"
	cp "$BUILD/vm/$id/run.log" "$BUILD/vm/matrix/$id/"
	for f in console.log result.env; do
		[ -f "$BUILD/vm/$id/$f" ] && cp "$BUILD/vm/$id/$f" "$BUILD/vm/matrix/$id/"
	done
	grep -E '^(FAIL - |vm[a-z-]*: error: )' "$BUILD/vm/$id/run.log" | sed "s/^/$id: /"
	line=$(grep -E '^vm[a-z-]*: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$BUILD/vm/$id/run.log" | tail -n 1)
	[ -n "$line" ] || line="vm-$id: 0 passed, 1 failed, 0 skipped"
	read -r p f s <<<"$(sed -E 's/^[^:]*: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\1 \2 \3/' <<<"$line")"
	# shellcheck source=/dev/null
	kv=$(. "$BUILD/vm/cache/$id.env" 2>/dev/null && echo "$KERNEL_VERSION")
	echo "vm-$id: $p passed, $f failed, $s skipped (${kv:-?}, $(cat "$BUILD/vm/$id/run.seconds" 2>/dev/null || echo ?) s)"
	P=$((P + p)) F=$((F + f)) S=$((S + s))
done

echo
if [ -z "${LATEBIND_VM_KERNELS:-}" ] && [ -z "${LATEBIND_VM_TESTS:-}" ]; then
	bash tests/vm/matrix.sh table "${ids[@]}" >"$BUILD/vm/matrix.md.tmp" &&
		mv "$BUILD/vm/matrix.md.tmp" "$BUILD/vm/matrix.md"
	cat "$BUILD/vm/matrix.md"
	echo
	bash tests/vm/matrix.sh check || echo "check-kernels: README.md's kernel table is not this run's: make kernel-table updates it"
else
	bash tests/vm/matrix.sh table "${ids[@]}"
	echo
	echo "check-kernels: a partial run (LATEBIND_VM_KERNELS or LATEBIND_VM_TESTS): build/vm/matrix.md unchanged"
fi
echo "check-kernels: $((SECONDS - t0)) s for ${#ids[@]} kernels, $JOBS at a time"
echo "check-kernels: $P passed, $F failed, $S skipped"
[ "$F" -eq 0 ]
