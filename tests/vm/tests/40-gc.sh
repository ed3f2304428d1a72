#!/bin/bash
# gc and the pins of deleted namespaces on Debian's kernels: cls_bpf
# datapaths leave no trace of their namespace's death, and a pool in mode
# auto is cls_bpf before 6.6 and tcx after. The scenario of
# tests/lib/gc-lib.sh, a pool included.
# shellcheck disable=SC2034 # read by results.sh
SUITE=vm_gc
# shellcheck source=SCRIPTDIR/../lib-vm.sh
. "$(dirname "$0")/../lib-vm.sh"
# shellcheck source=SCRIPTDIR/../../lib/gc-lib.sh
. "$(dirname "$0")/../gc-lib.sh"
skip_without_cookie

gc_scenario
summary
