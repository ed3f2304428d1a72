# latebind: one entry point. Everything is built out of tree into $(BUILD).
#   make            library and CLI
#   make check      install deps, build, run every test
#   make demo       install deps, build, show the datapath working
#   make fuzz       the long differential fuzz (FUZZ_CASES, default 1000000)
#   make bench      all benchmarks (bench-datapath for now)
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
BPF_CFLAGS := -O2 -g -target bpf -Wall -Werror -Iinclude -I$(ARCH_INC)
CFLAGS   ?= -O2 -g
CFLAGS   += -Wall -Wextra -Wno-unused-parameter -std=gnu11 -Iinclude -I$(BUILD) -fPIC
LIBBPF_LIBS := $(shell $(PKG_CONFIG) --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz)
LIBMNL_LIBS := $(shell $(PKG_CONFIG) --libs libmnl 2>/dev/null || echo -lmnl)
LDLIBS   := $(LIBBPF_LIBS) $(LIBMNL_LIBS)

BPF_OBJ   := $(BUILD)/bpf/latebind.bpf.o
SKEL      := $(BUILD)/latebind.skel.h
PASS_SKEL := $(BUILD)/passthrough.skel.h

LIB_SRCS := $(wildcard lib/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
LIB_A    := $(BUILD)/liblatebind.a
LIB_SO   := $(BUILD)/liblatebind.so
CLI      := $(BUILD)/latebind

TEST_LIB_OBJS := $(BUILD)/tests/lib/check.o $(BUILD)/tests/datapath/harness.o
DP_CASES := $(BUILD)/tests/dp_cases
DP_FUZZ  := $(BUILD)/tests/dp_fuzz
UNIT     := $(BUILD)/tests/unit_tests
BENCH_DP := $(BUILD)/bench/bench_datapath
TEST_BINS := $(DP_CASES) $(DP_FUZZ) $(UNIT)

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

$(BUILD)/bpf/passthrough.bpf.o: bench/passthrough.bpf.c
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
	$(Q)$(CC) $(CFLAGS) -fvisibility=hidden -c $< -o $@

$(LIB_A): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)$(AR) rcs $@ $^

$(LIB_SO): $(LIB_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) -shared -Wl,-soname,liblatebind.so.0 -o $@ $^ $(LDLIBS)

$(BUILD)/cli/%.o: cli/%.c $(wildcard cli/*.h include/latebind/*.h)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(CLI): $(patsubst %.c,$(BUILD)/%.o,$(wildcard cli/*.c)) $(LIB_A)
	$(call msg,LD,$@)
	$(Q)$(CC) -o $@ $^ $(LDLIBS)

# --- tests ----------------------------------------------------------------
$(BUILD)/tests/%.o: tests/%.c $(SKEL) $(wildcard tests/*/*.h include/latebind/*.h)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -Itests/lib -Itests/datapath -c $< -o $@

$(DP_CASES): $(BUILD)/tests/datapath/cases.o $(BUILD)/tests/datapath/pktbuild.o $(TEST_LIB_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) -o $@ $^ $(LDLIBS)

$(DP_FUZZ): $(BUILD)/tests/datapath/fuzz.o $(BUILD)/tests/datapath/model.o $(TEST_LIB_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) -o $@ $^ $(LDLIBS)

$(UNIT): $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/unit/*.c)) $(BUILD)/cli/args.o $(BUILD)/cli/output.o $(LIB_A)
	$(call msg,LD,$@)
	$(Q)$(CC) -o $@ $^ -lcmocka $(LDLIBS)

test: all $(TEST_BINS)
	$(Q)CLI=$(CLI) BUILD=$(BUILD) bash tests/run.sh

check: deps
	$(Q)$(MAKE) --no-print-directory test

fuzz: deps
	$(Q)$(MAKE) --no-print-directory $(DP_FUZZ)
	$(Q)$(DP_FUZZ) $(FUZZ_CASES)

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(CLI) datapath demo

# --- benchmarks (numbers, never pass/fail) --------------------------------
$(BUILD)/bench/%.o: bench/%.c $(SKEL) $(PASS_SKEL)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -Itests/datapath -Itests/lib -c $< -o $@

$(BENCH_DP): $(BUILD)/bench/bench_datapath.o $(BUILD)/tests/datapath/harness.o $(BUILD)/tests/datapath/pktbuild.o
	$(call msg,LD,$@)
	$(Q)$(CC) -o $@ $^ $(LDLIBS)

bench-datapath: deps
	$(Q)$(MAKE) --no-print-directory $(BENCH_DP)
	$(Q)$(BENCH_DP)

bench: bench-datapath

clean:
	$(Q)rm -rf $(BUILD)
