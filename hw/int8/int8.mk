# SPDX-License-Identifier: MIT
#
# INT8 kernels (hw/int8) as libraries, and their benchmark (the unit test
# is tests/host/host.mk's, with the other host tests). Included by the
# top-level Makefile, run from the repository root. Uses:
#   BUILD       output directory
#   HOST_CC     host C compiler
#   HOST_CFLAGS host flags (-std=c11 -O2 -g -Wall -Wextra -Werror ...)
#   SAN_FLAGS   sanitizer flags for the test binaries
#   KSFT_INC    kselftest include directory (kselftest.h, kselftest_harness.h;
#               scripts/setup/kselftest-headers.sh)
# BUILD must be set before this file is included (target names use it).
# Defines INT8_SRCS and the targets below, appends to BENCHES.
# The golden test, which also runs the NPU engine, is in tests/host/host.mk.

INT8_DIR      := hw/int8
INT8_SRCS     := $(wildcard $(INT8_DIR)/*.c)
INT8_HDRS     := $(wildcard $(INT8_DIR)/*.h)
INT8_LIB      := $(BUILD)/hw/libenpu_int8.a
INT8_SAN_LIB  := $(BUILD)/hw/libenpu_int8_san.a
INT8_OBJS     := $(patsubst $(INT8_DIR)/%.c,$(BUILD)/hw/int8/%.o,$(INT8_SRCS))
INT8_SAN_OBJS := $(patsubst $(INT8_DIR)/%.c,$(BUILD)/hw/int8/san/%.o,$(INT8_SRCS))

INT8_CFLAGS    = $(HOST_CFLAGS) -I$(INT8_DIR)
INT8_LDLIBS   := -lm

INT8_BENCH    := $(BUILD)/bench/int8_bench

GOLDEN_SRCS   := tests/host/golden.c
GOLDEN_HDRS   := tests/host/golden.h
BENCH_SRCS    := tests/bench/int8_bench.c tests/bench/ref_kernels.c tests/bench/host_peak.c

$(INT8_OBJS): $(BUILD)/hw/int8/%.o: $(INT8_DIR)/%.c $(INT8_HDRS)
	@mkdir -p $(@D)
	$(HOST_CC) $(INT8_CFLAGS) -c $< -o $@

$(INT8_SAN_OBJS): $(BUILD)/hw/int8/san/%.o: $(INT8_DIR)/%.c $(INT8_HDRS)
	@mkdir -p $(@D)
	$(HOST_CC) $(INT8_CFLAGS) $(SAN_FLAGS) -c $< -o $@

$(INT8_LIB): $(INT8_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(INT8_SAN_LIB): $(INT8_SAN_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(INT8_BENCH): $(BENCH_SRCS) tests/bench/ref_kernels.h tests/bench/host_peak.h \
		tests/bench/bench_clock.h $(GOLDEN_SRCS) \
		$(GOLDEN_HDRS) $(INT8_HDRS) $(INT8_LIB)
	@mkdir -p $(@D)
	$(call build_prog,$(INT8_CFLAGS) -Itests/host -Itests/bench, \
		$(BENCH_SRCS) $(GOLDEN_SRCS),$(INT8_LIB) $(INT8_LDLIBS))

.PHONY: int8 int8-bench
int8: $(INT8_LIB) $(INT8_SAN_LIB) $(INT8_BENCH)

int8-bench: $(INT8_BENCH)
	$(INT8_BENCH)

BENCHES    += $(INT8_BENCH)
