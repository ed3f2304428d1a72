#!/bin/bash
# Slots with Geneve on the VM's kernel (tests/lib/slots-lib.sh): a tap per
# tunnel, each guest played by lb-tapio (static, in the payload) as its tap's
# unprivileged owner, against stock Geneve peers. A nested VM would be too
# slow under TCG; lb-tapio speaks raw frames through the tap as a VMM would.
# shellcheck disable=SC2034 # read by results.sh
SUITE=vm_slots_geneve
# shellcheck source=SCRIPTDIR/../lib-vm.sh
. "$(dirname "$0")/../lib-vm.sh"
# shellcheck source=SCRIPTDIR/../../lib/slots-lib.sh
. "$(dirname "$0")/../slots-lib.sh"
skip_without_cookie
slots_setup_vm
slots_scenario geneve
summary
