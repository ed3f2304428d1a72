#!/bin/bash
# Slots in namespaces of their own with Geneve on the VM's kernel
# (tests/lib/slots-lib.sh, slots_netns_scenario): each slot's tunnel and tap
# in /run/netns/PREFIXi, the Geneve socket in the pool's namespace, each guest
# played by lb-tapio in its slot's namespace against stock Geneve peers.
# shellcheck disable=SC2034 # read by results.sh
SUITE=vm_slots_netns_geneve
# shellcheck source=SCRIPTDIR/../lib-vm.sh
. "$(dirname "$0")/../lib-vm.sh"
# shellcheck source=SCRIPTDIR/../../lib/slots-lib.sh
. "$(dirname "$0")/../slots-lib.sh"
skip_without_cookie
slots_setup_vm
slots_netns_scenario geneve
summary
