#!/bin/bash
# The harness works, and the kernel the VM booted (run.sh's
# LATEBIND_VM_SUITE/FLAVOUR) behaves as docs/testing.md says: the modules
# load, Geneve and VXLAN refuse a VNI change with the kernel's own message,
# and latebind attaches through tcx where the kernel has it (6.6 and later),
# through cls_bpf everywhere, and refuses tcx with a clear message before 6.6.
# Devices live in a namespace of our own; 192.0.2.1 is device config only.
SUITE=vm_kernel
# shellcheck source=SCRIPTDIR/../lib-vm.sh
. "$(dirname "$0")/../lib-vm.sh"

kver=$(uname -r)
check "kernel is the one asked for: ${KERNEL_PKG:-?} ${KERNEL_VERSION:-?} (uname -r $kver)" \
	test "$kver" = "${KERNEL_PKG#linux-image-}"
while read -r m; do
	m=${m##*/} m=${m%.ko} m=${m//-/_}
	check "module $m loaded" grep -q "^$m " /proc/modules
done </etc/latebind/modules

new_netns NS kern || { fail "create a network namespace"; summary; exit 1; }

# info DEV FIELD: a field of DEV's link info data (ip -d -j).
info() { "$IP" -n "$NS" -d -j link show "$1" | "$JQ" -r ".[0].linkinfo.info_data.$2"; }

# vni_fixed KIND DEV MESSAGE CONTROL...: DEV (VNI 100) refuses VNI 200 with
# the kernel's MESSAGE; `ip link set DEV type KIND CONTROL...` (same VNI,
# ttl 5) is accepted, so the refusal is about the VNI, not the command.
vni_fixed() {
	local kind=$1 dev=$2 msg=$3 err rc
	shift 3
	check "$kind: $dev has VNI 100" test "$(info "$dev" id)" = 100
	err=$("$IP" -n "$NS" link set "$dev" type "$kind" id 200 2>&1 >/dev/null)
	rc=$?
	check "$kind: changing the VNI to 200 is refused (exit $rc)" test "$rc" -ne 0
	check "$kind: ...with the kernel's message ($err)" grep -qF "Error: $msg" <<<"$err"
	echo "kernel-fact: $kind VNI change: $err"
	check "$kind: ...and $dev keeps VNI 100" test "$(info "$dev" id)" = 100
	check "$kind: changing ttl with the same VNI is accepted" \
		"$IP" -n "$NS" link set "$dev" type "$kind" "$@"
	check "$kind: ...and takes effect (ttl $(info "$dev" ttl))" test "$(info "$dev" ttl)" = 5
}

check "geneve: create gnv0 id 100" \
	"$IP" -n "$NS" link add gnv0 type geneve id 100 remote 192.0.2.1
# The list of attributes after "Changing VNI" grows with the kernel (5.10's
# has no inner_proto_inherit); the console keeps each kernel's whole message.
vni_fixed geneve gnv0 "Changing VNI" id 100 remote 192.0.2.1 ttl 5
check "vxlan: create vx0 id 100" \
	"$IP" -n "$NS" link add vx0 type vxlan id 100 remote 192.0.2.1 dstport 4789
vni_fixed vxlan vx0 "Cannot change VNI" id 100 ttl 5

# --- latebind ----------------------------------------------------------------
out=$("$CLI" help 2>&1)
rc=$?
check "latebind help exits 0 (exit $rc)" test "$rc" -eq 0
check "...and prints the datapath usage" grep -q 'latebind datapath attach dev' <<<"$out"

"$IP" -n "$NS" link add ul0 type veth peer name ul1
"$IP" -n "$NS" link set ul0 up
"$IP" -n "$NS" link set ul1 up
# bpf_filter HOOK PROG: PROG is a direct-action cls_bpf filter on ul0's HOOK.
bpf_filter() { in_ns "$NS" "$TC" filter show dev ul0 "$1" | grep -q "$2.*direct-action"; }
# nothing_attached: show says so, no bpf filter, no pins.
nothing_attached() {
	local o
	o=$("$CLI" -n "$NS" datapath show dev ul0 2>&1) && return 1
	grep -q 'not attached' <<<"$o" &&
		! in_ns "$NS" "$TC" filter show dev ul0 ingress 2>/dev/null | grep -q bpf &&
		! in_ns "$NS" "$TC" filter show dev ul0 egress 2>/dev/null | grep -q bpf &&
		test ! -e "$pins"
}

# attached_as WANT [MODE]: attach in MODE (none: auto), find WANT, detach.
attached_as() {
	local want=$1 mode=${2:-} out rc show
	out=$("$CLI" -n "$NS" datapath attach dev ul0 ${mode:+mode "$mode"} 2>&1)
	rc=$?
	check "attach (mode ${mode:-auto}) exits 0 (exit $rc)" test "$rc" -eq 0
	check "...and reports mode $want (${out%%$'\n'*})" grep -q "mode $want" <<<"$out"
	show=$("$CLI" -n "$NS" -j datapath show dev ul0)
	# shellcheck disable=SC2016 # jq's $
	check "show: mode $want ($show)" "$JQ" -e --arg m "$want" '.mode == $m' <<<"$show" >/dev/null
	pins=$("$JQ" -r '.pins // empty' <<<"$show")
	check "pins under /sys/fs/bpf/latebind ($pins)" test -d "$pins" -a "${pins#/sys/fs/bpf/latebind/}" != "$pins"
	if [ "$want" = cls_bpf ]; then
		check "cls_bpf: lb_ingress on ingress" bpf_filter ingress lb_ingress
		check "cls_bpf: lb_egress on egress" bpf_filter egress lb_egress
	else
		check "tcx: no bpf filter in tc on ul0" no_tc_filter
		check "tcx: lb_ingress and lb_egress are the programs of BPF links" \
			bpf_links "$("$JQ" -r '.ingress_prog_id' <<<"$show")" "$("$JQ" -r '.egress_prog_id' <<<"$show")"
	fi
	check "detach" "$CLI" -n "$NS" datapath detach dev ul0
	check "after detach: nothing attached" nothing_attached
}
no_tc_filter() {
	! in_ns "$NS" "$TC" filter show dev ul0 ingress 2>/dev/null | grep -q bpf &&
		! in_ns "$NS" "$TC" filter show dev ul0 egress 2>/dev/null | grep -q bpf
}
# bpf_links ID...: each program id is a BPF link's (Debian 12's bpftool 7.1
# prints tcx links as "type 11", without their device).
bpf_links() {
	local links id
	links=$("$BPFTOOL" -j link show)
	for id in "$@"; do
		# shellcheck disable=SC2016 # jq's $
		"$JQ" -e --argjson p "$id" 'any(.[]; .prog_id == $p)' <<<"$links" >/dev/null || return 1
	done
}

# refused WHAT CMD...: CMD fails, naming SO_NETNS_COOKIE and 5.14, and leaves
# nothing: no pins, no tc filter, no tunnel device, no nftables table.
refused() {
	local what=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	check "$what refused (exit $rc)" test "$rc" -ne 0
	check "...naming SO_NETNS_COOKIE and 5.14 ($out)" grep -q 'SO_NETNS_COOKIE, Linux 5\.14' <<<"$out"
	echo "kernel-fact: $what on $KVER: $out"
	# shellcheck disable=SC2016 # eval's
	check "...and leaves no pins, no filter, no device, no nftables table" \
		eval '[ -z "$(ls -A /sys/fs/bpf/latebind 2>/dev/null)" ] && no_tc_filter &&
			! "$IP" -n "$NS" link show lb0 >/dev/null 2>&1 && ! in_ns "$NS" nft list table inet latebind >/dev/null 2>&1'
}

if [ "$COOKIE" = 0 ]; then
	# The programs themselves pass this kernel's verifier.
	out=$("$CLI" datapath load 2>&1)
	rc=$?
	check "datapath load: both programs pass the verifier (exit $rc: ${out%%$'\n'*})" test "$rc" -eq 0
	refused "datapath attach" "$CLI" -n "$NS" datapath attach dev ul0
	refused "pool create" "$CLI" -n "$NS" pool create dev ul0 type geneve remote 192.0.2.2 count 2
	refused "pool create mode cls_bpf" "$CLI" -n "$NS" pool create dev ul0 type geneve remote 192.0.2.2 count 2 mode cls_bpf
elif [ "$TCX" = 1 ]; then
	attached_as tcx
	attached_as tcx tcx
	attached_as cls_bpf cls_bpf
else
	attached_as cls_bpf
	attached_as cls_bpf cls_bpf
	out=$("$CLI" -n "$NS" datapath attach dev ul0 mode tcx 2>&1)
	rc=$?
	check "mode tcx refused (exit $rc)" test "$rc" -ne 0
	check "...with a message naming tcx and 6.6 ($out)" grep -q 'tcx.*6\.6' <<<"$out"
	check "...and nothing attached" nothing_attached
fi

summary
