#!/bin/bash
# The kernel table: what each kernel's last run in `make check-kernels`
# proved, from build/vm/matrix/KERNEL/result.env and console.log
# (tests/vm/run.sh writes both, kernels.sh copies them there).
#   matrix.sh table KERNEL...  print the Markdown table (kernels.sh writes
#                              it to build/vm/matrix.md)
#   matrix.sh check            README.md's table is build/vm/matrix.md
#   matrix.sh readme           put build/vm/matrix.md into README.md
# (`make kernel-table` runs readme; README marks the table with
# <!-- kernel-table --> lines.)
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
MATRIX=$BUILD/vm/matrix.md
README=README.md
BEGIN='<!-- kernel-table: begin (make check-kernels, then make kernel-table) -->'
END='<!-- kernel-table: end -->'

# cell LOG KIND FAMILY: per attach mode, "MODE pass" or "MODE FAIL (n)".
cell() {
	awk -v k="$2" -v f="$3" '
		match($0, "^(ok  |FAIL) - " k "/ipv" f "/[a-z]+/[a-z_]+[:+]") {
			split(substr($0, 8), a, "/")
			m = a[4]; sub(/[:+].*/, "", m)
			if (!(m in seen)) { seen[m] = 1; order[++n] = m }
			if ($1 == "FAIL") bad[m]++
		}
		END {
			for (i = 1; i <= n; i++) {
				m = order[i]
				printf "%s%s %s", (i > 1 ? ", " : ""), m, (bad[m] ? "FAIL (" bad[m] ")" : "pass")
			}
		}' "$1"
}

# modes LOG: the attach modes of vm_kernel ("auto" first), or the refusal.
modes() {
	local log=$1 auto all
	if grep -q '^ok   - datapath attach refused' "$log"; then
		echo "none: refused (no SO_NETNS_COOKIE)"
		return
	fi
	auto=$(sed -nE 's/^ok   - \.\.\.and reports mode ([a-z_]+) .*/\1/p' "$log" | head -n 1)
	all=$(sed -nE 's/^ok   - \.\.\.and reports mode ([a-z_]+) .*/\1/p' "$log" | awk '!s[$0]++' | paste -sd, - | sed 's/,/, /g')
	printf '%s' "${all:-none} (auto: ${auto:-?})"
	grep -q '^ok   - mode tcx refused' "$log" && printf '; tcx refused'
	echo
}

table() {
	local id log kv kp p f s iso g4 g6 v4 v6 refused
	echo "| kernel | package | attach modes | Geneve IPv4 | Geneve IPv6 | VXLAN IPv4 | VXLAN IPv6 | Geneve isolation | checks (pass/fail/skip) | run |"
	echo "|---|---|---|---|---|---|---|---|---|---|"
	for id in "$@"; do
		log=$BUILD/vm/matrix/$id/console.log
		if [ ! -f "$BUILD/vm/matrix/$id/result.env" ] || [ ! -f "$log" ]; then
			echo "| $id | | no result | | | | | | | |"
			continue
		fi
		# shellcheck source=/dev/null
		. "$BUILD/vm/matrix/$id/result.env"
		kv=${KERNEL_VERSION%-*} kp="$KERNEL_PKG $KERNEL_VERSION"
		refused=""
		grep -q 'SO_NETNS_COOKIE (5.14): latebind refuses' "$log" && refused="refused"
		g4=$(cell "$log" geneve 4) g6=$(cell "$log" geneve 6)
		v4=$(cell "$log" vxlan 4) v6=$(cell "$log" vxlan 6)
		iso=$(sed -nE 's/^vm_isolation_geneve: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\1 \2 \3/p' "$log" | tail -n 1)
		if [ -n "$refused" ]; then
			iso=refused
		elif [ -n "$iso" ]; then
			read -r p f s <<<"$iso"
			if [ "$f" -ne 0 ]; then
				iso="FAIL ($f of $((p + f)))"
			elif [ "$s" -ne 0 ]; then
				iso="pass ($p checks; $s shapes the kernel drops itself)"
			else
				iso="pass ($p checks)"
			fi
		else
			iso="not run"
		fi
		echo "| $kv ($id) | $kp | $(modes "$log") | ${g4:-${refused:-not run}} | ${g6:-${refused:-not run}} | ${v4:-${refused:-not run}} | ${v6:-${refused:-not run}} | $iso | $PASSED/$FAILED/$SKIPPED | $DATE |"
	done
}

# readme_table: the table now in README.md.
readme_table() { sed -n "\\|^$BEGIN\$|,\\|^$END\$|p" "$README" | sed '1d;$d'; }

case ${1:-} in
table)
	shift
	table "$@"
	;;
check)
	[ -f "$MATRIX" ] || { echo "matrix: no $MATRIX: run make check-kernels" >&2; exit 1; }
	grep -qxF "$BEGIN" "$README" || { echo "matrix: $README has no kernel table markers" >&2; exit 1; }
	diff <(readme_table) "$MATRIX" >/dev/null
	;;
readme)
	[ -f "$MATRIX" ] || { echo "matrix: no $MATRIX: run make check-kernels" >&2; exit 1; }
	grep -qxF "$BEGIN" "$README" || { echo "matrix: $README has no kernel table markers" >&2; exit 1; }
	awk -v b="$BEGIN" -v e="$END" -v m="$MATRIX" '
		$0 == b { print; while ((getline l < m) > 0) print l; skip = 1; next }
		$0 == e { skip = 0 }
		!skip' "$README" >"$README.tmp" && mv "$README.tmp" "$README"
	echo "matrix: README.md's kernel table is now $MATRIX"
	;;
*)
	echo "usage: matrix.sh { table KERNEL... | check | readme }" >&2
	exit 2
	;;
esac
