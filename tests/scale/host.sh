#!/bin/bash
# make check-scale, host part: pools of 65,536 VXLAN tunnels over IPv4 and
# IPv6, and a failure injected at tunnel 40,000 (tests/lib/scale-lib.sh).
# Slow on purpose (the kernel checks every VXLAN device for a VNI clash on
# each create): not part of make check.
SUITE=scale_host
. "$(dirname "$0")/../e2e/lib.sh"
. "$(dirname "$0")/../lib/scale-lib.sh"
COUNT=${SCALE_COUNT:-65536}
FAULT=${SCALE_FAULT:-40000}

for fam in 4 6; do
	scale_scenario vxlan "$fam" "$COUNT" "$FAULT"
done
summary
