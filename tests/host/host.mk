# SPDX-License-Identifier: MIT
#
# Every program of tests/host, registered once (HOST_TESTS; the three built
# from these sources for the guest, VMTESTS): the execution engine's and
# the INT8 kernels' unit tests, the golden tests, the library's, tools'
# and files' tests. Included by the top-level Makefile after
# hw/int8/int8.mk and the library's rules (uses INT8_SAN_LIB, INT8_HDRS,
# GOLDEN_SRCS, LIB_SAN, LIB_HDRS, KSFT_INC).

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
		$(ENGINE_HDRS) $(INT8_HDRS) $(ENGINE_SAN_LIB) $(INT8_SAN_LIB) | $(KSFT_READY)
	@mkdir -p $(@D)
	$(call build_prog,$(TEST_CFLAGS) $(SAN_FLAGS) -I$(KSFT_INC) $(MODEL_INC), \
		$< $(TESTBUS_SRCS),$(ENGINE_SAN_LIB) $(INT8_SAN_LIB) -lm)

# the runners of each operator family: tests/host/golden_ops_<family>.c
GOLDEN_OPS_SRCS := $(filter-out tests/host/golden_ops_test.c,$(wildcard tests/host/golden_ops_*.c))

$(GOLDEN_TEST): tests/host/golden_ops_test.c $(GOLDEN_OPS_SRCS) tests/host/golden_ops.h \
		tests/host/cpu_backend.c tests/host/npu_backend.c tests/host/golden_backend.h \
		$(GOLDEN_SRCS) $(GOLDEN_HDRS) $(TESTBUS_SRCS) $(ENGINE_SAN_LIB) \
		$(ENGINE_HDRS) $(INT8_HDRS) $(INT8_SAN_LIB) | $(KSFT_READY)
	@mkdir -p $(@D)
	$(call build_prog,$(HOST_CFLAGS) $(SAN_FLAGS) -isystem $(KSFT_INC) $(MODEL_INC), \
		$< $(GOLDEN_OPS_SRCS) tests/host/cpu_backend.c tests/host/npu_backend.c \
		$(GOLDEN_SRCS) $(TESTBUS_SRCS),$(ENGINE_SAN_LIB) $(INT8_SAN_LIB) -lm)

# The same, for the guests (VMTESTS): the CPU kernels once per variant the
# guest's CPU has -- the arm64 guest's NEON -- without the engine (the
# device model runs that on the host).
VMTESTS += $(BUILD)/tests/vm/golden_ops_variants_test
$(BUILD)/tests/vm/golden_ops_variants_test: tests/host/golden_ops_test.c $(GOLDEN_OPS_SRCS) \
		tests/host/golden_ops.h tests/host/cpu_backend.c tests/host/golden_backend.h \
		$(GOLDEN_SRCS) $(GOLDEN_HDRS) $(INT8_HDRS) $(INT8_LIB) | $(KSFT_READY)
	@mkdir -p $(@D)
	$(call build_prog,$(HOST_CFLAGS) -DGOLDEN_OPS_GUEST=1 -isystem $(KSFT_INC) $(MODEL_INC), \
		$< $(GOLDEN_OPS_SRCS) tests/host/cpu_backend.c $(GOLDEN_SRCS),$(INT8_LIB) -lm)

# A job paused, saved, loaded into another engine and resumed.
ENGINE_PARK_TEST := $(BUILD)/tests/host/engine_park_test
$(ENGINE_PARK_TEST): tests/host/engine_park_test.c $(TESTBUS_SRCS) tests/host/testbus.h \
		$(ENGINE_HDRS) $(INT8_HDRS) $(ENGINE_SAN_LIB) $(INT8_SAN_LIB) | $(KSFT_READY)
	@mkdir -p $(@D)
	$(call build_prog,$(TEST_CFLAGS) $(SAN_FLAGS) -I$(KSFT_INC) $(MODEL_INC), \
		$< $(TESTBUS_SRCS),$(ENGINE_SAN_LIB) $(INT8_SAN_LIB) -lm)

HOST_TESTS += $(ENGINE_TEST) $(ENGINE_PARK_TEST) $(GOLDEN_TEST)

# The NPU compiler's output on the engine, no kernel involved.
COMPILER_TEST := $(BUILD)/tests/host/compiler_engine_test
$(COMPILER_TEST): tests/host/compiler_engine_test.c $(TESTBUS_SRCS) tests/host/testbus.h \
		$(GOLDEN_SRCS) tests/host/golden_placement.c tests/host/golden_placement.h \
		tests/host/golden_graph.c tests/host/golden_graph.h $(wildcard tests/host/*_graph.h) \
		tests/host/old_format.h $(ENGINE_SAN_LIB) $(ENGINE_HDRS) $(LIB_SAN) $(LIB_HDRS) | $(KSFT_READY)
	@mkdir -p $(@D)
	$(call build_prog,$(HOST_CFLAGS) $(SAN_FLAGS) -isystem $(KSFT_INC) $(LIB_INC) \
		$(MODEL_INC),$< $(TESTBUS_SRCS) $(GOLDEN_SRCS) tests/host/golden_placement.c \
		tests/host/golden_graph.c,$(ENGINE_SAN_LIB) $(LIB_SAN) $(DRM_LIBS) -lm)

HOST_TESTS += $(COMPILER_TEST)

# Host tests link the library's sources with ASan and UBSan.
HOST_TESTS += $(BUILD)/tests/host/libedgenpu_test
$(BUILD)/tests/host/libedgenpu_test: tests/host/libedgenpu_test.c $(LIB_SAN) \
		$(LIB_HDRS) | $(KSFT_READY)
	@mkdir -p $(@D)
	$(call build_prog,$(TEST_CFLAGS) $(SAN_FLAGS) -I$(KSFT_INC) $(LIB_INC),$<, \
		$(LIB_SAN) $(DRM_LIBS) -lm)

# Compile targets with no device, edgenpu-compile --target included.
HOST_TESTS += $(BUILD)/tests/host/target_test
$(BUILD)/tests/host/target_test: tests/host/target_test.c tests/host/tool_run.h $(LIB_SAN) $(LIB_HDRS) \
		$(BUILD)/bin/edgenpu-compile | $(KSFT_READY)
	@mkdir -p $(@D)
	$(call build_prog,$(TEST_CFLAGS) $(SAN_FLAGS) -I$(KSFT_INC) $(LIB_INC) -Ihw,$<, \
		$(LIB_SAN) $(DRM_LIBS) -lm)

# The selftests on this machine, which has no EdgeNPU: each must skip.
HOST_TESTS += tests/host/selftests_without_device_test

# Compiled-model files and the compile cache, with no device.
HOST_TESTS += $(BUILD)/tests/host/model_file_test
$(BUILD)/tests/host/model_file_test: tests/host/model_file_test.c tests/host/old_format.h \
		$(LIB_SAN) $(LIB_HDRS) | $(KSFT_READY)
	@mkdir -p $(@D)
	$(call build_prog,$(TEST_CFLAGS) $(SAN_FLAGS) -I$(KSFT_INC) $(LIB_INC),$<, \
		$(LIB_SAN) $(DRM_LIBS) -lm)

# make demo's build wrapper: progress on the terminal, commands in the log.
HOST_TESTS += $(BUILD)/tests/host/quiet_build_test
$(BUILD)/tests/host/quiet_build_test: tests/host/quiet_build_test.c tests/host/tool_run.h \
		scripts/setup/quiet-build \
		| $(KSFT_READY)
	@mkdir -p $(@D)
	$(call build_prog,$(TEST_CFLAGS) $(SAN_FLAGS) -I$(KSFT_INC),$<)

# edgenpu-run's options and errors on the CPU backend.
HOST_TESTS += $(BUILD)/tests/host/edgenpu_run_test
$(BUILD)/tests/host/edgenpu_run_test: tests/host/edgenpu_run_test.c tests/host/tool_run.h \
		$(BUILD)/bin/edgenpu-run \
		| $(KSFT_READY)
	@mkdir -p $(@D)
	$(call build_prog,$(TEST_CFLAGS) $(SAN_FLAGS) -I$(KSFT_INC),$<)

HOST_TESTS += $(BUILD)/tests/host/libedgenpu_graph_test
$(BUILD)/tests/host/libedgenpu_graph_test: tests/host/libedgenpu_graph_test.c $(LIB_SAN) \
		$(LIB_HDRS) | $(KSFT_READY)
	@mkdir -p $(@D)
	$(call build_prog,$(TEST_CFLAGS) $(SAN_FLAGS) -I$(KSFT_INC) $(LIB_INC),$<, \
		$(LIB_SAN) $(DRM_LIBS) -lm)

# Variable tensors (SVDF's state) through the public API.
HOST_TESTS += $(BUILD)/tests/host/libedgenpu_variable_test
$(BUILD)/tests/host/libedgenpu_variable_test: tests/host/libedgenpu_variable_test.c \
		tests/fuzz/tflite_forge.h tests/host/svdf_tflite.h $(LIB_SAN) $(LIB_HDRS) | $(KSFT_READY)
	@mkdir -p $(@D)
	$(call build_prog,$(TEST_CFLAGS) $(SAN_FLAGS) -I$(KSFT_INC) $(LIB_INC),$<, \
		$(LIB_SAN) $(DRM_LIBS) -lm)

# TFLite models of the newer operators: refusals and a PyTorch-style head.
HOST_TESTS += $(BUILD)/tests/host/tflite_ops_test
$(BUILD)/tests/host/tflite_ops_test: tests/host/tflite_ops_test.c tests/fuzz/tflite_forge.h \
		$(LIB_SAN) $(LIB_HDRS) | $(KSFT_READY)
	@mkdir -p $(@D)
	$(call build_prog,$(TEST_CFLAGS) $(SAN_FLAGS) -I$(KSFT_INC) $(LIB_INC),$<, \
		$(LIB_SAN) $(DRM_LIBS) -lm)

# Every golden case through the public graph API: CPU backend on the host,
# NPU through the driver in the VM (the goldens are staged into the guest).
GRAPH_GOLDEN_SRCS := tests/host/graph_golden_test.c tests/host/golden_graph.c tests/host/golden_tflite.c \
	tests/host/golden.c tests/host/golden_placement.c
HOST_TESTS += $(BUILD)/tests/host/graph_golden_test
$(BUILD)/tests/host/graph_golden_test: $(GRAPH_GOLDEN_SRCS) $(wildcard tests/host/golden*.h) \
		tests/fuzz/tflite_forge.h $(LIB_SAN) $(LIB_HDRS) | $(KSFT_READY)
	@mkdir -p $(@D)
	$(call build_prog,$(HOST_CFLAGS) $(SAN_FLAGS) -isystem $(KSFT_INC) $(LIB_INC) \
		-Itests/host,$(GRAPH_GOLDEN_SRCS),$(LIB_SAN) $(DRM_LIBS) -lm)

VMTESTS += $(BUILD)/tests/vm/graph_golden_npu_test
$(BUILD)/tests/vm/graph_golden_npu_test: $(GRAPH_GOLDEN_SRCS) $(wildcard tests/host/golden*.h) \
		tests/fuzz/tflite_forge.h $(LIB) | $(KSFT_READY)
	@mkdir -p $(@D)
	$(call build_prog,$(HOST_CFLAGS) -DGRAPH_GOLDEN_NPU=1 -isystem $(KSFT_INC) \
		-Ilibedgenpu/include -Itests/host,$(GRAPH_GOLDEN_SRCS), \
		$(LDFLAGS) -L$(BUILD)/lib -ledgenpu)

# Whole models from shared/models against goldens/models, same split.
MODEL_GOLDEN_SRCS := tests/host/model_golden_test.c tests/host/golden.c \
	tests/host/golden_placement.c
HOST_TESTS += $(BUILD)/tests/host/model_golden_test
$(BUILD)/tests/host/model_golden_test: $(MODEL_GOLDEN_SRCS) $(wildcard tests/host/golden*.h) \
		$(LIB_SAN) $(LIB_HDRS) | $(KSFT_READY)
	@mkdir -p $(@D)
	$(call build_prog,$(HOST_CFLAGS) $(SAN_FLAGS) -isystem $(KSFT_INC) $(LIB_INC) \
		-Itests/host,$(MODEL_GOLDEN_SRCS),$(LIB_SAN) $(DRM_LIBS) -lm)

VMTESTS += $(BUILD)/tests/vm/model_golden_npu_test
$(BUILD)/tests/vm/model_golden_npu_test: $(MODEL_GOLDEN_SRCS) $(wildcard tests/host/golden*.h) \
		$(LIB) | $(KSFT_READY)
	@mkdir -p $(@D)
	$(call build_prog,$(HOST_CFLAGS) -DMODEL_GOLDEN_NPU=1 -isystem $(KSFT_INC) \
		-Ilibedgenpu/include -Itests/host,$(MODEL_GOLDEN_SRCS), \
		$(LDFLAGS) -L$(BUILD)/lib -ledgenpu)

# The INT8 kernels (hw/int8) one by one.
INT8_UNIT := $(BUILD)/tests/host/int8_unit_test
# kselftest_harness.h's TEST() passes parameters a plain test never uses;
# -isystem silences that for gcc, clang needs the explicit flag.
$(INT8_UNIT): tests/host/int8_unit_test.c $(INT8_HDRS) $(INT8_SAN_LIB)
	@mkdir -p $(@D)
	$(call build_prog,$(INT8_CFLAGS) -Wno-unused-parameter $(SAN_FLAGS) \
		-isystem $(KSFT_INC),tests/host/int8_unit_test.c, \
		$(INT8_SAN_LIB) $(INT8_LDLIBS))
HOST_TESTS += $(INT8_UNIT)
# The same in the guests (VMTESTS), without sanitizers: the arm64 guest's
# variants (NEON, neon-dotprod) against the scalar kernels.
VMTESTS += $(BUILD)/tests/vm/int8_unit_variants_test
$(BUILD)/tests/vm/int8_unit_variants_test: tests/host/int8_unit_test.c $(INT8_HDRS) $(INT8_LIB) \
		| $(KSFT_READY)
	@mkdir -p $(@D)
	$(call build_prog,$(INT8_CFLAGS) -Wno-unused-parameter -isystem $(KSFT_INC), \
		tests/host/int8_unit_test.c,$(INT8_LIB) $(INT8_LDLIBS))
