#!/bin/bash
# gc and the pins of deleted namespaces on the host kernel (tests/lib/gc-lib.sh):
# cls_bpf datapaths (and a tcx pool) of namespaces deleted without a destroy
# are collected, with their maps; namespaces kept alive by a mount, an fd or
# a socket keep theirs. Where gc cannot see every namespace (a process whose
# /proc entries refuse even root), it must collect none of them.
# shellcheck disable=SC2034 # read by results.sh and gc-lib.sh
SUITE=gc
. "$(dirname "$0")/lib.sh"
IP=ip BPFTOOL=bpftool NSENTER=nsenter
# shellcheck source=../lib/gc-lib.sh
. "$(dirname "$0")/../lib/gc-lib.sh"

gc_scenario
summary
