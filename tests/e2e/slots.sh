#!/bin/bash
# Slots end to end on the host kernel (VXLAN): `pool create ... taps`, each
# guest played by lb-tapio as its tap's unprivileged owner, against stock
# VXLAN peers. The scenario and its numbered proofs are in
# tests/lib/slots-lib.sh, which the VM runs for Geneve.
SUITE=slots
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../lib/slots-lib.sh"
slots_setup_host
slots_scenario vxlan
summary
