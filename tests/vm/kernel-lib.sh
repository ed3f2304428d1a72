# shellcheck shell=bash
# The kernels the test VM boots: a Debian suite and a flavour. Sourced by
# fetch.sh, run.sh and kernels.sh.

# shellcheck disable=SC2034 # for the scripts that source this
# The matrix of `make check-kernels`, as SUITE/FLAVOUR, oldest first.
VM_KERNELS="bullseye/generic bookworm/generic bookworm/cloud trixie/generic trixie/cloud sid/generic"
# What `make check` boots: 6.1 (cls_bpf) and 6.12 (tcx and cls_bpf).
VM_CHECK_KERNELS="bookworm/generic trixie/generic"

# vm_kernel_check SUITE FLAVOUR: a suite and flavour we know, or a message.
vm_kernel_check() {
	case $1 in bullseye | bookworm | trixie | sid) ;;
	*) echo "vm: unknown suite '$1' (LATEBIND_VM_SUITE): bullseye, bookworm, trixie or sid" >&2; return 1 ;;
	esac
	case $2 in generic | cloud) ;;
	*) echo "vm: unknown flavour '$2' (LATEBIND_VM_FLAVOUR): generic or cloud" >&2; return 1 ;;
	esac
}
# vm_kernel_id SUITE FLAVOUR: bookworm, trixie-cloud, ...
vm_kernel_id() { if [ "$2" = cloud ]; then echo "$1-cloud"; else echo "$1"; fi; }
# vm_kernel_meta FLAVOUR: Debian's meta package of that flavour.
vm_kernel_meta() { if [ "$1" = cloud ]; then echo linux-image-cloud-amd64; else echo linux-image-amd64; fi; }
