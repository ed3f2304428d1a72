#!/bin/bash
# The packaging files, without building a package (make check-ops builds and
# boots one): one version everywhere, and the udev rule's device-group
# pattern covering exactly latebind's groups.
SUITE=packaging
# shellcheck source=tests/lib/results.sh
. "$(dirname "$0")/../lib/results.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

check "Makefile, debian/changelog and the man page give one version" sh scripts/version.sh
sed -e 's/^LB_VERSION := .*/LB_VERSION := 9.9.9/' Makefile >"$T/Makefile"
check_fails "control: another LB_VERSION is caught" \
	sh -c "cd '$T' && mkdir -p debian man && cp '$PWD/debian/changelog' debian/ &&
	       cp '$PWD/man/latebind.8' man/ && sh '$PWD/scripts/version.sh' 2>/dev/null"

# The tunnel rule's netdev_group pattern, split as udev splits it ("|").
pat=$(grep -o 'ATTR{netdev_group}=="[^"]*"' udev/00-latebind.rules | cut -d'"' -f2)
check "00-latebind.rules has a netdev_group pattern" [ -n "$pat" ]
IFS='|' read -r -a alts <<<"$pat"
matches() {
	local a
	for a in "${alts[@]}"; do
		# shellcheck disable=SC2053 # a glob, as udev's fnmatch reads it
		[[ $1 == $a ]] && return 0
	done
	return 1
}
lo=$((0x6c620000)) hi=$((0x6c62ffff)) bad=""
# Every group of the range, and 2,000 on each side of it.
for ((g = lo - 2000; g <= hi + 2000; g++)); do
	if matches "$g"; then in=1; else in=0; fi
	want=$(( g >= lo && g <= hi ))
	[ "$in" = "$want" ] || { bad="$g"; break; }
done
check "the pattern matches 0x6c620000..0x6c62ffff and nothing around it${bad:+ (wrong at $bad)}" [ -z "$bad" ]
check_fails "control: group 0 does not match" matches 0
tap_pat=$(grep -o 'KERNEL=="lbt[^"]*"' udev/00-latebind.rules | cut -d'"' -f2)
IFS='|' read -r -a alts <<<"$tap_pat"
check "the tap rule matches lbt0 and lbt65535" bash -c "$(declare -p alts; declare -f matches); matches lbt0 && matches lbt65535"
for n in lbt00 lbtx lb0 xlbt1; do
	check_fails "the tap rule does not match $n" matches "$n"
done

# Every installed unit runs the CLI where the package puts it.
for u in systemd/*.service; do
	check "$u starts /usr/sbin/latebind" grep -q '^ExecStart=/usr/sbin/latebind ' "$u"
done
summary
