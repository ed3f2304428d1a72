# latebind: one entry point. Everything is built out of tree into $(BUILD).
#   make            library and CLI
#   make check      install deps, build, run every test
#   make check-scale  pools of 65,536 tunnels of every type x family (an hour or more)
#   make demo       install deps, build, show a warm pool, late binds, a slot handed to a VM
#   make install    PREFIX=/usr/local, DESTDIR supported
#   make deb        Debian packages into $(BUILD)/deb (dpkg-buildpackage, lintian)
#   make check-ops  the packages on a fresh Debian 12 root, booted by systemd
#   make fuzz       the long differential fuzz (FUZZ_CASES, default 1000000)
#   make bench      all benchmarks into build/bench (docs/BENCHMARKS.md)
#   make go-example the Go consumer of the pinned maps (examples/go, needs Go)
#   make V=1        show the commands

BUILD    ?= build
CC       ?= gcc
CLANG    ?= clang
BPFTOOL  ?= bpftool
PKG_CONFIG ?= pkg-config

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' $(1) $(2);
endif

.DELETE_ON_ERROR:
# Keep the BPF objects and skeletons: they are intermediates, but useful to inspect.
.SECONDARY:
.SUFFIXES:

ARCH_INC := /usr/include/$(shell $(CC) -dumpmachine)
BPF_CFLAGS := -O2 -g -target bpf -Wall -Werror -Iinclude/uapi -Iinclude -I$(ARCH_INC)
CFLAGS   ?= -O2 -g
CFLAGS   += -Wall -Wextra -Wno-unused-parameter -std=gnu11 -Iinclude/uapi -Iinclude -I$(BUILD) -fPIC
LIBBPF_LIBS := $(shell $(PKG_CONFIG) --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz)
LIBMNL_LIBS := $(shell $(PKG_CONFIG) --libs libmnl 2>/dev/null || echo -lmnl)
LIBNFT_LIBS := $(shell $(PKG_CONFIG) --libs libnftables 2>/dev/null || echo -lnftables)
LDLIBS   := $(LIBBPF_LIBS) $(LIBMNL_LIBS) $(LIBNFT_LIBS)

BPF_OBJ   := $(BUILD)/bpf/latebind.bpf.o
SKEL      := $(BUILD)/latebind.skel.h
PASS_SKEL := $(BUILD)/passthrough.skel.h

LIB_SRCS := $(wildcard lib/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
LIB_A    := $(BUILD)/liblatebind.a
LIB_SO   := $(BUILD)/liblatebind.so
LB_VERSION := 1.4.1
LB_SONAME  := liblatebind.so.1
CLI      := $(BUILD)/latebind

TEST_LIB_OBJS := $(BUILD)/tests/lib/check.o $(BUILD)/tests/datapath/harness.o
DP_CASES := $(BUILD)/tests/dp_cases
DP_FUZZ  := $(BUILD)/tests/dp_fuzz
UNIT     := $(BUILD)/tests/unit_tests
POOL_MAPS := $(BUILD)/tests/pool_maps
POOL_HANDLE := $(BUILD)/tests/pool_handle
POOL_LOCK := $(BUILD)/tests/pool_lock
BENCH_DP := $(BUILD)/bench/bench_datapath
BENCH_TOOLS := $(BUILD)/bench/tap-blast $(BUILD)/bench/tap-relay $(BUILD)/bench/udp-sink \
	       $(BUILD)/bench/pps-blast
BENCH_BPF := $(BUILD)/bpf/collectmd.bpf.o
LB_CRAFT := $(BUILD)/tests/lb-craft
LB_TAPIO := $(BUILD)/tests/lb-tapio
TEST_BINS := $(DP_CASES) $(DP_FUZZ) $(UNIT) $(POOL_MAPS) $(POOL_HANDLE) $(POOL_LOCK) $(LB_CRAFT) $(LB_TAPIO)

FUZZ_CASES ?= 1000000

.PHONY: all deps check test fuzz demo bench bench-datapath clean
all: $(CLI) $(LIB_A) $(LIB_SO)

deps:
	$(Q)sh scripts/deps.sh

# --- datapath -------------------------------------------------------------
$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) include/latebind/abi.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bpf/passthrough.bpf.o $(BENCH_BPF): $(BUILD)/bpf/%.bpf.o: bench/%.bpf.c
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst .skel.h,,$(notdir $@))_bpf > $@

# --- library and CLI ------------------------------------------------------
$(BUILD)/lib/%.o: lib/%.c $(SKEL) $(wildcard lib/*.h include/latebind/*.h)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -fvisibility=hidden -c $< -o $@

$(LIB_A): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)$(AR) rcs $@ $^

$(LIB_SO): $(LIB_OBJS) lib/liblatebind.map
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -shared -Wl,-soname,$(LB_SONAME) -Wl,--version-script=lib/liblatebind.map \
		-o $@ $(LIB_OBJS) $(LDLIBS)

$(BUILD)/cli/%.o: cli/%.c $(wildcard cli/*.h include/latebind/*.h)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(CLI): $(patsubst %.c,$(BUILD)/%.o,$(wildcard cli/*.c)) $(LIB_A)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# --- tests ----------------------------------------------------------------
$(BUILD)/tests/%.o: tests/%.c $(SKEL) $(wildcard tests/*/*.h include/latebind/*.h)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -Itests/lib -Itests/datapath -c $< -o $@

$(DP_CASES): $(BUILD)/tests/datapath/cases.o $(BUILD)/tests/datapath/pktbuild.o $(TEST_LIB_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) -o $@ $^ $(LDLIBS)

$(DP_FUZZ): $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/datapath/fuzz*.c)) $(BUILD)/tests/datapath/model.o \
	     $(TEST_LIB_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) -o $@ $^ $(LDLIBS)

$(POOL_MAPS): $(BUILD)/tests/pool/pool_maps.o $(BUILD)/tests/lib/check.o $(BUILD)/tests/lib/itab.o $(LIB_A)
	$(call msg,LD,$@)
	$(Q)$(CC) -o $@ $^ $(LDLIBS)

$(POOL_HANDLE): $(BUILD)/tests/pool/pool_handle.o $(BUILD)/tests/lib/check.o $(BUILD)/tests/lib/itab.o $(LIB_A)
	$(call msg,LD,$@)
	$(Q)$(CC) -o $@ $^ $(LDLIBS) -lpthread

$(POOL_LOCK): $(BUILD)/tests/pool/pool_lock.o $(BUILD)/tests/lib/check.o $(LIB_A)
	$(call msg,LD,$@)
	$(Q)$(CC) -o $@ $^ $(LDLIBS) -lpthread

$(UNIT): $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/unit/*.c)) $(BUILD)/cli/args.o $(BUILD)/cli/output.o \
	 $(BUILD)/cli/conf.o $(LIB_A)
	$(call msg,LD,$@)
	$(Q)$(CC) -o $@ $^ -lcmocka $(LDLIBS)

# Static, libc only: the VM's busybox initramfs runs it too.
$(LB_CRAFT): tests/tools/lb-craft.c tests/tools/wire.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O2 -static -Wall -Wextra -o $@ $<

$(LB_TAPIO): tests/tools/lb-tapio.c tests/tools/wire.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O2 -static -Wall -Wextra -o $@ $<

test: all $(TEST_BINS)
	$(Q)CLI=$(CLI) BUILD=$(BUILD) bash tests/run.sh

check: deps
	$(Q)$(MAKE) --no-print-directory test

fuzz: deps
	$(Q)$(MAKE) --no-print-directory $(DP_FUZZ)
	$(Q)$(DP_FUZZ) $(FUZZ_CASES)

demo: deps
	$(Q)$(MAKE) --no-print-directory all $(LB_CRAFT) $(LB_TAPIO)
	$(Q)BUILD=$(BUILD) CLI=$(CLI) LB_CRAFT=$(LB_CRAFT) LB_TAPIO=$(LB_TAPIO) bash scripts/demo.sh

# --- examples/go: a control plane in Go, against the pinned maps only -------
# Debian's Go packages in GOPATH mode, offline: golang-go,
# golang-github-cilium-ebpf-dev, golang-golang-x-sys-dev (scripts/deps.sh).
# Not part of `make`; tests/e2e/go_consumer.sh builds it.
GO         ?= go
GO_GOPATH  ?= /usr/share/gocode
GO_EXAMPLE := $(BUILD)/examples/latebind-go-bind

.PHONY: go-example
go-example:
	$(call msg,GO,$(GO_EXAMPLE))
	$(Q)mkdir -p $(BUILD)/examples $(BUILD)/go-cache
	$(Q)cd examples/go && GO111MODULE=off GOPATH=$(GO_GOPATH) GOPROXY=off GOFLAGS= \
		CGO_ENABLED=0 GOCACHE=$(abspath $(BUILD))/go-cache $(GO) build -o $(abspath $(GO_EXAMPLE)) .

# --- the test VM: Debian's 6.1 kernel under qemu (make check runs it too) ---
include tests/vm/vm.mk

# --- make check-scale: pools of 65,536 of every type x family (slow) ---------
.PHONY: check-scale
check-scale: deps
	$(Q)$(MAKE) --no-print-directory all $(LB_CRAFT) $(LB_TAPIO)
	$(Q)CLI=$(CLI) bash tests/scale/host.sh
	$(Q)BUILD=$(BUILD) CLI=$(CLI) LB_CRAFT=$(LB_CRAFT) LB_TAPIO=$(LB_TAPIO) LATEBIND_VM_MEM=$${LATEBIND_VM_MEM:-3072} \
		LATEBIND_VM_TIMEOUT=$${LATEBIND_VM_TIMEOUT:-14400} \
		LATEBIND_VM_TESTS=tests/vm/scale/50-scale-geneve.sh bash tests/vm/run.sh

# --- benchmarks (numbers, never pass/fail) --------------------------------
$(BUILD)/bench/%.o: bench/%.c $(SKEL) $(PASS_SKEL)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -Itests/datapath -Itests/lib -c $< -o $@

$(BENCH_DP): $(BUILD)/bench/bench_datapath.o $(BUILD)/tests/datapath/harness.o $(BUILD)/tests/datapath/pktbuild.o
	$(call msg,LD,$@)
	$(Q)$(CC) -o $@ $^ $(LDLIBS)

# bench/slots.sh's guest, VMM relay and receiver, bench/peers.sh's sender:
# static, libc only.
$(BENCH_TOOLS): $(BUILD)/bench/%: bench/%.c bench/tapbench.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O2 -static -Wall -Wextra -o $@ $<

bench-datapath: deps
	$(Q)$(MAKE) --no-print-directory $(BENCH_DP)
	$(Q)$(BENCH_DP)

# bench/run.sh: every benchmark, numbers and a plot into $(BUILD)/bench/.
bench: deps
	$(Q)$(MAKE) --no-print-directory all $(BENCH_DP) $(BENCH_TOOLS) $(BENCH_BPF)
	$(Q)CLI=$(CLI) BUILD=$(BUILD) bash bench/run.sh

clean:
	$(Q)rm -rf $(BUILD)

# --- Debian packages (docs/operations.md) ----------------------------------
.PHONY: deb check-ops
deb:
	$(Q)sh scripts/deps.sh deb
	$(Q)BUILD=$(BUILD) bash scripts/deb.sh

# Slow (a debootstrap'ed root, a container boot): not part of make check.
check-ops: deb
	$(Q)sh scripts/deps.sh ops
	$(Q)BUILD=$(BUILD) bash tests/ops/package.sh

# --- install (make install PREFIX=/usr DESTDIR=/tmp/stage) -------------------
PREFIX      ?= /usr/local
SBINDIR     ?= $(PREFIX)/sbin
LIBDIR      ?= $(PREFIX)/lib
INCLUDEDIR  ?= $(PREFIX)/include
MANDIR      ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DOCDIR      ?= $(PREFIX)/share/doc/latebind
UNITDIR     ?= $(PREFIX)/lib/systemd/system
NETWORKDIR  ?= $(PREFIX)/lib/systemd/network
# udev reads /etc, /run and /usr/lib (or /lib) only: no /usr/local.
UDEVDIR     ?= /usr/lib/udev
CONFDIR     ?= /etc/latebind
INSTALL     ?= install
LB_PC       := $(BUILD)/latebind.pc
UNITS       := $(wildcard systemd/*.service)
NETWORKS    := $(wildcard systemd/*.network udev/*.link)
UDEVRULES   := $(wildcard udev/*.rules)
EXAMPLES    := $(wildcard examples/pools.d/*.conf)

.PHONY: install uninstall
install: all
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(LB_VERSION)|' \
		lib/latebind.pc.in > $(LB_PC)
	$(Q)$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig \
		$(DESTDIR)$(INCLUDEDIR)/latebind $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(BASHCOMPDIR)
	$(Q)$(INSTALL) -m 0755 $(CLI) $(DESTDIR)$(SBINDIR)/latebind
	$(Q)$(INSTALL) -m 0644 $(LIB_A) $(DESTDIR)$(LIBDIR)/liblatebind.a
	$(Q)$(INSTALL) -m 0755 $(LIB_SO) $(DESTDIR)$(LIBDIR)/liblatebind.so.$(LB_VERSION)
	$(Q)ln -sf liblatebind.so.$(LB_VERSION) $(DESTDIR)$(LIBDIR)/$(LB_SONAME)
	$(Q)ln -sf $(LB_SONAME) $(DESTDIR)$(LIBDIR)/liblatebind.so
	$(Q)$(INSTALL) -m 0644 include/latebind/latebind.h include/latebind/abi.h \
		$(DESTDIR)$(INCLUDEDIR)/latebind/
	$(Q)$(INSTALL) -m 0644 $(LB_PC) $(DESTDIR)$(LIBDIR)/pkgconfig/latebind.pc
	$(Q)$(INSTALL) -m 0644 man/latebind.8 $(DESTDIR)$(MANDIR)/man8/latebind.8
	$(Q)$(INSTALL) -m 0644 completion/latebind.bash $(DESTDIR)$(BASHCOMPDIR)/latebind
	$(Q)$(INSTALL) -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(NETWORKDIR) $(DESTDIR)$(UDEVDIR)/rules.d \
		$(DESTDIR)$(CONFDIR)/pools.d $(DESTDIR)$(DOCDIR)/examples/pools.d
	$(Q)for u in $(UNITS); do \
		sed 's|/usr/sbin/latebind|$(SBINDIR)/latebind|g' $$u > $(DESTDIR)$(UNITDIR)/$${u##*/} && \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$${u##*/} || exit 1; \
	done
	$(Q)$(INSTALL) -m 0644 $(NETWORKS) $(DESTDIR)$(NETWORKDIR)/
	$(Q)$(INSTALL) -m 0644 $(UDEVRULES) $(DESTDIR)$(UDEVDIR)/rules.d/
	$(Q)$(if $(EXAMPLES),$(INSTALL) -m 0644 $(EXAMPLES) $(DESTDIR)$(DOCDIR)/examples/pools.d/)

uninstall:
	$(call msg,UNINSTALL,$(DESTDIR)$(PREFIX))
	$(Q)rm -f $(DESTDIR)$(SBINDIR)/latebind $(DESTDIR)$(LIBDIR)/liblatebind.a \
		$(DESTDIR)$(LIBDIR)/liblatebind.so.$(LB_VERSION) $(DESTDIR)$(LIBDIR)/$(LB_SONAME) \
		$(DESTDIR)$(LIBDIR)/liblatebind.so $(DESTDIR)$(LIBDIR)/pkgconfig/latebind.pc \
		$(DESTDIR)$(INCLUDEDIR)/latebind/latebind.h $(DESTDIR)$(INCLUDEDIR)/latebind/abi.h \
		$(DESTDIR)$(MANDIR)/man8/latebind.8 $(DESTDIR)$(BASHCOMPDIR)/latebind \
		$(addprefix $(DESTDIR)$(UNITDIR)/,$(notdir $(UNITS))) \
		$(addprefix $(DESTDIR)$(NETWORKDIR)/,$(notdir $(NETWORKS))) \
		$(addprefix $(DESTDIR)$(UDEVDIR)/rules.d/,$(notdir $(UDEVRULES)))
	$(Q)rm -rf $(DESTDIR)$(DOCDIR)
	$(Q)rmdir $(DESTDIR)$(INCLUDEDIR)/latebind $(DESTDIR)$(CONFDIR)/pools.d $(DESTDIR)$(CONFDIR) 2>/dev/null || true
