# Test VM: Debian's stock kernels under qemu TCG (tests/vm/run.sh).
# Included by the main Makefile; needs $(CLI), $(LB_CRAFT) and $(BUILD).
#   make check-vm                       run tests/vm/tests/*.sh in the VM (6.1)
#   LATEBIND_VM_SUITE=trixie make check-vm    on 6.12 (bullseye, bookworm,
#                                       trixie, sid; LATEBIND_VM_FLAVOUR=cloud)
#   LATEBIND_VM_SHELL=1 make check-vm   debug shell in the VM instead
.PHONY: check-vm
check-vm: $(CLI) $(LB_CRAFT)
	$(Q)BUILD=$(BUILD) CLI=$(CLI) LB_CRAFT=$(LB_CRAFT) bash tests/vm/run.sh
