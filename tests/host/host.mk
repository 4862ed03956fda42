# SPDX-License-Identifier: MIT
#
# Host tests of the NPU model: the execution engine's unit tests and the
# golden test, which runs every case of shared/goldens/ops on the CPU
# kernels and on the engine. Included by the top-level Makefile after
# hw/int8/int8.mk (uses INT8_SAN_LIB, INT8_HDRS, GOLDEN_SRCS, LIB_SAN).

ENGINE_SRCS  := $(wildcard qemu/engine/*.c)
ENGINE_HDRS  := $(wildcard qemu/engine/*.h hw/*.h)
TESTBUS_SRCS := tests/host/testbus.c
MODEL_INC    := -Ihw -Ihw/int8 -Iqemu/engine -Itests/host

# The engine compiled once with ASan and UBSan for every test that uses it.
ENGINE_SAN_LIB  := $(BUILD)/san/libenpu_engine_san.a
ENGINE_SAN_OBJS := $(ENGINE_SRCS:qemu/engine/%.c=$(BUILD)/san/engine/%.o)
$(ENGINE_SAN_OBJS): $(BUILD)/san/engine/%.o: qemu/engine/%.c $(ENGINE_HDRS) $(INT8_HDRS)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) $(MODEL_INC) -c $< -o $@

$(ENGINE_SAN_LIB): $(ENGINE_SAN_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

ENGINE_TEST  := $(BUILD)/tests/host/engine_test
GOLDEN_TEST  := $(BUILD)/tests/host/golden_ops_test

$(ENGINE_TEST): tests/host/engine_test.c $(TESTBUS_SRCS) tests/host/testbus.h \
		$(ENGINE_HDRS) $(INT8_HDRS) $(ENGINE_SAN_LIB) $(INT8_SAN_LIB) | $(KROOT)/.complete
	@mkdir -p $(@D)
	$(call build_prog,$(TEST_CFLAGS) $(SAN_FLAGS) -I$(KSFT_INC) $(MODEL_INC), \
		$< $(TESTBUS_SRCS),$(ENGINE_SAN_LIB) $(INT8_SAN_LIB) -lm)

# the runners of each operator family: tests/host/golden_ops_<family>.c
GOLDEN_OPS_SRCS := $(filter-out tests/host/golden_ops_test.c,$(wildcard tests/host/golden_ops_*.c))

$(GOLDEN_TEST): tests/host/golden_ops_test.c $(GOLDEN_OPS_SRCS) tests/host/golden_ops.h \
		tests/host/cpu_backend.c tests/host/npu_backend.c tests/host/golden_backend.h \
		$(GOLDEN_SRCS) $(GOLDEN_HDRS) $(TESTBUS_SRCS) $(ENGINE_SAN_LIB) \
		$(ENGINE_HDRS) $(INT8_HDRS) $(INT8_SAN_LIB) | $(KROOT)/.complete
	@mkdir -p $(@D)
	$(call build_prog,$(HOST_CFLAGS) $(SAN_FLAGS) -isystem $(KSFT_INC) $(MODEL_INC), \
		$< $(GOLDEN_OPS_SRCS) tests/host/cpu_backend.c tests/host/npu_backend.c \
		$(GOLDEN_SRCS) $(TESTBUS_SRCS),$(ENGINE_SAN_LIB) $(INT8_SAN_LIB) -lm)

# A job paused, saved, loaded into another engine and resumed.
ENGINE_PARK_TEST := $(BUILD)/tests/host/engine_park_test
$(ENGINE_PARK_TEST): tests/host/engine_park_test.c $(TESTBUS_SRCS) tests/host/testbus.h \
		$(ENGINE_HDRS) $(INT8_HDRS) $(ENGINE_SAN_LIB) $(INT8_SAN_LIB) | $(KROOT)/.complete
	@mkdir -p $(@D)
	$(call build_prog,$(TEST_CFLAGS) $(SAN_FLAGS) -I$(KSFT_INC) $(MODEL_INC), \
		$< $(TESTBUS_SRCS),$(ENGINE_SAN_LIB) $(INT8_SAN_LIB) -lm)

HOST_TESTS += $(ENGINE_TEST) $(ENGINE_PARK_TEST) $(GOLDEN_TEST)

# The NPU compiler's output on the engine, no kernel involved.
COMPILER_TEST := $(BUILD)/tests/host/compiler_engine_test
$(COMPILER_TEST): tests/host/compiler_engine_test.c $(TESTBUS_SRCS) tests/host/testbus.h \
		$(GOLDEN_SRCS) tests/host/golden_placement.c tests/host/golden_placement.h \
		tests/host/golden_graph.c tests/host/golden_graph.h $(wildcard tests/host/*_graph.h) \
		$(ENGINE_SAN_LIB) $(ENGINE_HDRS) $(LIB_SAN) $(LIB_HDRS) | $(KROOT)/.complete
	@mkdir -p $(@D)
	$(call build_prog,$(HOST_CFLAGS) $(SAN_FLAGS) -isystem $(KSFT_INC) $(LIB_INC) \
		$(MODEL_INC),$< $(TESTBUS_SRCS) $(GOLDEN_SRCS) tests/host/golden_placement.c \
		tests/host/golden_graph.c,$(ENGINE_SAN_LIB) $(LIB_SAN) $(DRM_LIBS) -lm)

HOST_TESTS += $(COMPILER_TEST)
