#!/bin/bash
# Pool create streams its netlink requests: a failure in the middle of a
# create of thousands stops what is not sent yet and removes what was made.
# The scenario is tests/lib/scale-lib.sh's; `make check-scale` runs it with
# 65,536 tunnels.
SUITE=pool_stream
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../lib/scale-lib.sh"
COUNT=${STREAM_COUNT:-6000}

scale_scenario vxlan 4 "$COUNT" $((COUNT * 5 / 6))
summary
