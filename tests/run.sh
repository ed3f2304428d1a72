#!/bin/bash
# Runs every test suite and adds up their closing lines
# ("SUITE: N passed, N failed[, N skipped]"; cmocka's own for the unit tests).
# The last line is the total. Exit status is non-zero if anything failed.
set -u
BUILD=${BUILD:-build}
export CLI=${CLI:-$BUILD/latebind}
FUZZ_CHECK_CASES=${FUZZ_CHECK_CASES:-50000}

total_pass=0 total_fail=0 total_skip=0 broken=""

# run NAME CMD...: run a suite, echo its output, add its counts.
run() {
	local name=$1 out rc line p f s t0=$SECONDS
	shift
	echo "=== $name"
	out=$("$@" 2>&1)
	rc=$?
	echo "$out"
	echo "=== $name took $((SECONDS - t0)) s"
	if line=$(grep -oE '\[  PASSED  \] [0-9]+ test' <<<"$out" | tail -1) && [ -n "$line" ]; then
		p=$(grep -oE '[0-9]+' <<<"$line" | head -1)
		f=$(grep -oE '\[  FAILED  \] [0-9]+ test' <<<"$out" | grep -oE '[0-9]+' | head -1)
		s=$(grep -oE '\[  SKIPPED \] [0-9]+ test' <<<"$out" | grep -oE '[0-9]+' | head -1)
	elif line=$(grep -E '^[A-Za-z_0-9-]+: [0-9]+ passed, [0-9]+ failed' <<<"$out" | tail -1) && [ -n "$line" ]; then
		p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")
		f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
		s=$(sed -nE 's/.* ([0-9]+) skipped.*/\1/p' <<<"$line")
	else
		p=0 f=1 s=0
		echo "$name: no closing line (exit $rc): counted as a failure"
	fi
	f=${f:-0} s=${s:-0}
	# A suite that exits non-zero has failed, whatever it printed.
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "$name: exit status $rc with no failure counted: counted as a failure"
	fi
	[ "$f" -ne 0 ] && broken="$broken $name"
	total_pass=$((total_pass + p)) total_fail=$((total_fail + f)) total_skip=$((total_skip + s))
}

if [ "$(id -u)" -ne 0 ]; then
	echo "tests need root (BPF, network namespaces)" >&2
	exit 1
fi

run unit "$BUILD/tests/unit_tests"
run library bash tests/build/library.sh
run packaging bash tests/build/packaging.sh
run dp_cases "$BUILD/tests/dp_cases"
run pool_maps "$BUILD/tests/pool_maps"
run pool_handle "$BUILD/tests/pool_handle"
run pool_lock "$BUILD/tests/pool_lock"
run dp_fuzz "$BUILD/tests/dp_fuzz" "$FUZZ_CHECK_CASES"
for t in tests/e2e/*.sh; do
	[ "$(basename "$t")" = lib.sh ] && continue
	run "$(basename "$t" .sh)" bash "$t"
done
# Geneve end to end on Debian's stock kernels under qemu: the whole VM suite
# on 6.1 (cls_bpf); on 6.12 the kernel checks, the Geneve pools in both
# attach modes, tcx and cls_bpf, and slots in namespaces of their own (its
# VXLAN pools, isolation attacks and gc run in `make check-kernels`: make check stays under 15 minutes on 2
# cores). The two guests run side by side, one host core each.
mkdir -p "$BUILD/vm"
# vm_start NAME CMD...: run CMD in the background, output to $BUILD/vm/NAME.out.
vm_start() {
	local name=$1
	shift
	("$@" >"$BUILD/vm/$name.out" 2>&1; echo $? >"$BUILD/vm/$name.rc") &
}
# vm_wait NAME: wait for it; its output and exit status.
vm_wait() {
	while [ ! -f "$BUILD/vm/$1.rc" ]; do sleep 1; done
	cat "$BUILD/vm/$1.out"
	return "$(cat "$BUILD/vm/$1.rc")"
}
rm -f "$BUILD/vm/vm.rc" "$BUILD/vm/vm-trixie.rc"
vm_start vm bash tests/vm/run.sh
vm_start vm-trixie env LATEBIND_VM_SUITE=trixie \
	LATEBIND_VM_TESTS="tests/vm/tests/00-kernel.sh tests/vm/tests/10-pool-geneve.sh tests/vm/tests/55-slots-netns-geneve.sh" \
	bash tests/vm/run.sh
run vm vm_wait vm
run vm-trixie vm_wait vm-trixie

echo
[ -n "$broken" ] && echo "failed suites:$broken"
echo "check: $total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ]
