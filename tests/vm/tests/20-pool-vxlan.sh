#!/bin/bash
# VXLAN warm pool end to end on the VM's kernel, in mode auto (tcx from 6.6
# on, else cls_bpf): the same scenarios as 10-pool-geneve.sh
# (tests/vm/pool-lib.sh), over IPv4 and IPv6 with udpcsum (the mode where a
# wrong rewrite breaks checksums); the IPv4 underlay carries someone else's
# clsact qdisc and filter.
# shellcheck disable=SC2034 # read by results.sh
SUITE=vm_pool_vxlan
# shellcheck source=SCRIPTDIR/../lib-vm.sh
. "$(dirname "$0")/../lib-vm.sh"
# shellcheck source=SCRIPTDIR/../pool-lib.sh
. "$(dirname "$0")/../pool-lib.sh"
skip_without_cookie

pool_scenario vxlan 4 udpcsum foreign
pool_scenario vxlan 6 udpcsum bare
summary
