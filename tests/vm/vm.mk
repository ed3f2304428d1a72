# Test VM: Debian's stock kernels under qemu TCG (tests/vm/run.sh).
# Included by the main Makefile; needs $(CLI), $(LB_CRAFT) and $(BUILD).
#   make check-vm                       run tests/vm/tests/*.sh in the VM (6.1)
#   LATEBIND_VM_SUITE=trixie make check-vm   on 6.12: bullseye, bookworm,
#                                       trixie or sid; LATEBIND_VM_FLAVOUR=cloud
#   LATEBIND_VM_SHELL=1 make check-vm   debug shell in the VM instead
#   make check-kernels                  the suite on every kernel of the matrix
#                                       (tests/vm/kernels.sh): build/vm/matrix.md
#   make kernel-table                   README's kernel table from build/vm/matrix.md
.PHONY: check-vm check-kernels kernel-table
check-vm: $(CLI) $(LB_CRAFT) $(LB_TAPIO)
	$(Q)BUILD=$(BUILD) CLI=$(CLI) LB_CRAFT=$(LB_CRAFT) LB_TAPIO=$(LB_TAPIO) bash tests/vm/run.sh

check-kernels: deps
	$(Q)$(MAKE) --no-print-directory $(CLI) $(LB_CRAFT) $(LB_TAPIO)
	$(Q)BUILD=$(BUILD) CLI=$(CLI) LB_CRAFT=$(LB_CRAFT) LB_TAPIO=$(LB_TAPIO) bash tests/vm/kernels.sh

kernel-table:
	$(Q)BUILD=$(BUILD) bash tests/vm/matrix.sh readme
