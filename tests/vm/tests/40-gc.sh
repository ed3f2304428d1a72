#!/bin/bash
# gc and the pins of deleted namespaces on Debian's 6.1, where every
# datapath is cls_bpf and leaves no trace of its namespace's death: the
# scenario of tests/lib/gc-lib.sh, a pool included.
# shellcheck disable=SC2034 # read by results.sh
SUITE=vm_gc
# shellcheck source=SCRIPTDIR/../lib-vm.sh
. "$(dirname "$0")/../lib-vm.sh"
# shellcheck source=SCRIPTDIR/../../lib/gc-lib.sh
. "$(dirname "$0")/../gc-lib.sh"

gc_scenario
summary
