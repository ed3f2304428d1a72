#!/bin/bash
# `latebind bench bind` on a live pool must never touch a tunnel that the
# orchestrator binds while the bench runs.
#
#   netns H: ulh (veth) with a pool of 2 VXLAN tunnels lbb0 lbb1
#   bench bind on it, in the background (binds, rebinds, unbinds one slot)
#   meanwhile the "orchestrator" binds both tunnels with `latebind bind`
SUITE=bench_live
. "$(dirname "$0")/lib.sh"

new_netns H h || exit 1
ip -n "$H" link add ulh type veth peer name ulp
ip -n "$H" link set ulh up
ip -n "$H" link set ulp up
ip -n "$H" addr add 10.20.0.1/24 dev ulh
lb() { "$CLI" -n "$H" "$@"; }
vni_of() { "$CLI" -n "$H" -j show "$1" | jq -r '.vni // "unbound"'; }

check "pool of 2" lb pool create dev ulh type vxlan remote 10.20.0.2 count 2 prefix lbb >/dev/null

# Control: alone, the bench runs to its end and leaves both tunnels unbound.
check "control: bench bind alone succeeds" lb bench bind dev ulh ops 3000 creates 10 >/dev/null
check "control: lbb0 unbound after it" [ "$(vni_of lbb0)" = unbound ]

OUT=$(mktemp)
trap 'cleanup_netns; rm -f "$OUT"' EXIT
# The creates keep it running for seconds, whatever a bind costs: 3,000,000
# binds alone take under a second since bind makes no syscall.
lb bench bind dev ulh ops 3000000 creates 20000 >"$OUT" 2>&1 &
BENCH=$!
sleep 1.5
check "the bench is still running when the orchestrator binds" kill -0 "$BENCH"
check "orchestrator binds lbb0 to VNI 500" lb bind lbb0 vni 500
check "orchestrator binds lbb1 to VNI 501" lb bind lbb1 vni 501
wait "$BENCH"
rc=$?
check "the bench stops with an error" [ "$rc" -ne 0 ]
check "...naming the tunnel someone else took: $(tr '\n' ' ' <"$OUT" | cut -c1-160)" \
	grep -q "lbb0 was bound or unbound by someone else" "$OUT"
check "lbb0 keeps the orchestrator's VNI 500" [ "$(vni_of lbb0)" = 500 ]
check "lbb1 keeps the orchestrator's VNI 501" [ "$(vni_of lbb1)" = 501 ]
check "no leftover ingress entry" [ "$("$CLI" -n "$H" -j show | jq '.[0].leftover_ingress_entries')" = 0 ]
check "pool destroy" lb pool destroy dev ulh
summary
