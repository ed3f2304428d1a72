#!/bin/bash
# Geneve warm pools end to end on Debian's 6.1 kernel (cls_bpf attach), with
# the latebind CLI only, against stock Geneve peers configured with the REAL
# VNIs by plain `ip`: IPv4 and IPv6 underlays, udpcsum and noudpcsum, tx
# offload off on both veths. The scenarios are in tests/vm/pool-lib.sh.
# The IPv4 underlays start bare; the IPv6 ones carry someone else's clsact
# qdisc and filter, which latebind must leave as they were.
# shellcheck disable=SC2034 # read by results.sh
SUITE=vm_pool_geneve
# shellcheck source=SCRIPTDIR/../lib-vm.sh
. "$(dirname "$0")/../lib-vm.sh"
# shellcheck source=SCRIPTDIR/../pool-lib.sh
. "$(dirname "$0")/../pool-lib.sh"

for csum in udpcsum noudpcsum; do
	pool_scenario geneve 4 "$csum" bare
done
for csum in udpcsum noudpcsum; do
	pool_scenario geneve 6 "$csum" foreign
done
summary
