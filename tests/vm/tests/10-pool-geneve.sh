#!/bin/bash
# Geneve warm pools end to end on the VM's kernel, with the latebind CLI
# only, against stock Geneve peers configured with the REAL VNIs by plain
# `ip`: IPv4 and IPv6 underlays, udpcsum and noudpcsum, tx offload off on
# both veths, in every attach mode the kernel has: mode auto (tcx from 6.6
# on, else cls_bpf) and, from 6.6 on, `mode cls_bpf` too. The scenarios are
# in tests/vm/pool-lib.sh.
# The IPv4 underlays start bare; the IPv6 ones carry someone else's clsact
# qdisc and filter, which latebind must leave as they were.
# shellcheck disable=SC2034 # read by results.sh
SUITE=vm_pool_geneve
# shellcheck source=SCRIPTDIR/../lib-vm.sh
. "$(dirname "$0")/../lib-vm.sh"
# shellcheck source=SCRIPTDIR/../pool-lib.sh
. "$(dirname "$0")/../pool-lib.sh"
skip_without_cookie

# POOL_MODE "": mode auto.
MODES=("")
[ "$TCX" = 1 ] && MODES+=(cls_bpf)
for POOL_MODE in "${MODES[@]}"; do
	for csum in udpcsum noudpcsum; do
		pool_scenario geneve 4 "$csum" bare
	done
	for csum in udpcsum noudpcsum; do
		pool_scenario geneve 6 "$csum" foreign
	done
done
summary
