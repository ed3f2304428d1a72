#!/bin/bash
# make check-scale, VM part: pools of 65,536 Geneve tunnels over IPv4 and
# IPv6 on Debian's 6.1 (cls_bpf), and a failure injected at tunnel 40,000:
# the scenario of tests/lib/scale-lib.sh.
# shellcheck disable=SC2034 # read by results.sh
SUITE=vm_scale_geneve
# shellcheck source=SCRIPTDIR/../lib-vm.sh
. "$(dirname "$0")/../lib-vm.sh"
# shellcheck source=SCRIPTDIR/../../lib/scale-lib.sh
. "$(dirname "$0")/../scale-lib.sh"
COUNT=${SCALE_COUNT:-65536}

for fam in 4 6; do
	scale_scenario geneve "$fam" "$COUNT" $((COUNT * 40000 / 65536))
done
summary
