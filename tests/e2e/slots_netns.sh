#!/bin/bash
# Slots in namespaces of their own (pool create ... taps netns-prefix) on the
# host kernel (VXLAN): each slot's tunnel and tap in /run/netns/PREFIXi, the
# tunnels' socket in the pool's namespace, each guest played by lb-tapio in
# its slot's namespace. The scenario is in tests/lib/slots-lib.sh.
SUITE=slots_netns
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../lib/slots-lib.sh"
slots_setup_host
slots_netns_scenario vxlan
summary
