# SPDX-License-Identifier: MIT
#
# The TFLite reader against hostile files, and the hardware contract
# against hostile command streams. Included by the top-level Makefile after
# tests/host/host.mk and hw/int8/int8.mk. Uses BUILD, HOST_CC, HOST_CFLAGS,
# SAN_FLAGS, KSFT_INC, LIB_SRCS, LIB_KERNEL_SRCS, LIB_HDRS, LIB_INC,
# DRM_LIBS, SHARED, ENGINE_*, INT8_*, TESTBUS_SRCS, MODEL_INC.
#
#   tflite_corrupt_test  host test (make check): deterministic mutations of
#                        every shared model and of small forged models
#   contract_fuzz_test   host test (make check): 10,000 jobs from a seed, the
#                        decoder and the kernel's region rule against the
#                        engine's accesses (contract_check.h)
#   make fuzz            both libFuzzer targets, FUZZ_SECONDS each; alone:
#   make fuzz-tflite     enpu_model_load_tflite_mem() (and validate/compile/
#                        run of what loads)
#   make fuzz-contract   contract_run(): one job an input
#   enpu_file_corrupt_test  host test (make check): mutation families of
#                        every shared model's compiled-model file
#   make fuzz-enpu       enpu_model_load_mem() on compiled-model files (the
#                        checksum recomputed so the checks behind it are
#                        reached), and a run of what loads
#   none of them part of make check

FUZZ_DIR     := tests/fuzz
FUZZ_HDRS    := $(FUZZ_DIR)/tflite_forge.h $(FUZZ_DIR)/run_zero.h

CORRUPT_TEST := $(BUILD)/tests/host/tflite_corrupt_test
HOST_TESTS   += $(CORRUPT_TEST)

$(CORRUPT_TEST): tests/host/tflite_corrupt_test.c $(FUZZ_HDRS) \
		$(LIB_SAN) $(LIB_HDRS) | $(KSFT_READY)
	@mkdir -p $(@D)
	$(call build_prog,$(HOST_CFLAGS) $(SAN_FLAGS) -isystem $(KSFT_INC) $(LIB_INC) \
		-I$(FUZZ_DIR),$<,$(LIB_SAN) $(DRM_LIBS) -lm)

ENPU_CORRUPT_TEST := $(BUILD)/tests/host/enpu_file_corrupt_test
HOST_TESTS        += $(ENPU_CORRUPT_TEST)

$(ENPU_CORRUPT_TEST): tests/host/enpu_file_corrupt_test.c $(FUZZ_DIR)/enpu_file_try.h \
		$(FUZZ_DIR)/run_zero.h \
		$(LIB_SAN) $(LIB_HDRS) | $(KSFT_READY)
	@mkdir -p $(@D)
	$(call build_prog,$(HOST_CFLAGS) $(SAN_FLAGS) -isystem $(KSFT_INC) $(LIB_INC) \
		-I$(FUZZ_DIR),$<,$(LIB_SAN) $(DRM_LIBS) -lm)

CONTRACT_SRCS := $(FUZZ_DIR)/contract_check.c $(TESTBUS_SRCS)
CONTRACT_HDRS := $(FUZZ_DIR)/contract_check.h $(FUZZ_DIR)/cmd_gen.h $(FUZZ_DIR)/fuzz_rng.h \
		 $(FUZZ_DIR)/fuzz_args.h \
		 tests/host/testbus.h $(ENGINE_HDRS) $(INT8_HDRS)
CONTRACT_TEST := $(BUILD)/tests/host/contract_fuzz_test
HOST_TESTS    += $(CONTRACT_TEST)

$(CONTRACT_TEST): tests/host/contract_fuzz_test.c $(CONTRACT_SRCS) $(CONTRACT_HDRS) \
		$(ENGINE_SAN_LIB) $(INT8_SAN_LIB) | $(KSFT_READY)
	@mkdir -p $(@D)
	$(call build_prog,$(HOST_CFLAGS) $(SAN_FLAGS) -isystem $(KSFT_INC) $(MODEL_INC) \
		-I$(FUZZ_DIR),$< $(CONTRACT_SRCS),$(ENGINE_SAN_LIB) $(INT8_SAN_LIB) -lm)

# ---- make fuzz ----------------------------------------------------------------
FUZZ_SECONDS ?= 60
FUZZ_MODELS  ?= $(or $(EDGENPU_MODELS),$(SHARED)/models)
# libFuzzer needs clang and its compiler-rt (Debian: clang-14 libclang-rt-14-dev).
FUZZ_CC      ?= $(firstword $(shell command -v clang clang-14 clang-15 clang-16 2>/dev/null))
FUZZ_CFLAGS  := -std=c11 -O1 -g -Wall -Wextra -Werror -D_GNU_SOURCE \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-fno-omit-frame-pointer
FUZZ_OUT     := $(BUILD)/fuzz
FUZZ_BIN     := $(FUZZ_OUT)/tflite_fuzz
FUZZ_SEEDS   := $(FUZZ_OUT)/tflite_seeds
FUZZ_CORPUS  ?= $(FUZZ_OUT)/corpus
# Extra libFuzzer flags, e.g. FUZZ_FLAGS='-jobs=2 -workers=2'.
FUZZ_FLAGS   ?=

$(FUZZ_BIN): $(FUZZ_DIR)/tflite_fuzz.c $(FUZZ_DIR)/run_zero.h $(LIB_SRCS) $(LIB_KERNEL_SRCS) $(LIB_HDRS)
	@mkdir -p $(@D)
	@$(MAKE) --no-print-directory fuzz-check-cc
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(LIB_INC) -o $@ $< $(LIB_SRCS) $(LIB_KERNEL_SRCS) \
		$(DRM_LIBS) -lm

# Seed writer (plain host build): the forged models of tflite_forge.h.
$(FUZZ_SEEDS): $(FUZZ_DIR)/tflite_seeds.c $(FUZZ_HDRS)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -o $@ $<

fuzz-check-cc:
	@if [ -z "$(FUZZ_CC)" ]; then \
		echo "make fuzz: clang not found; install it (Debian: apt-get install clang-14 libclang-rt-14-dev) or set FUZZ_CC=/path/to/clang" >&2; \
		exit 1; \
	fi
	@printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' | \
		$(FUZZ_CC) -x c -fsanitize=fuzzer - -o /dev/null 2>/dev/null || { \
		echo "make fuzz: $(FUZZ_CC) cannot link libFuzzer; install compiler-rt (Debian: apt-get install libclang-rt-14-dev)" >&2; \
		exit 1; }

# The corpus lives in the build directory: the shared models are copied in
# at run time (never committed), with the hand-made seeds of tests/fuzz/corpus
# (hex, '#' comments) and the forged ones. It keeps what libFuzzer adds.
fuzz: fuzz-tflite fuzz-contract fuzz-enpu

fuzz-tflite: fuzz-check-cc $(FUZZ_BIN) $(FUZZ_SEEDS)
	@mkdir -p $(FUZZ_CORPUS) $(FUZZ_OUT)/artifacts
	@if ls $(FUZZ_MODELS)/*.tflite >/dev/null 2>&1; then \
		cp $(FUZZ_MODELS)/*.tflite $(FUZZ_CORPUS)/ && chmod u+w $(FUZZ_CORPUS)/*.tflite; \
	else \
		echo "make fuzz: no models in $(FUZZ_MODELS) (set EDGENPU_MODELS); hand-made seeds only"; \
	fi
	@for h in $(FUZZ_DIR)/corpus/*.hex; do \
		sed 's/#.*//' $$h | tr -cd '0-9a-fA-F' | \
			perl -ne 'print pack("H*", $$_)' > $(FUZZ_CORPUS)/$$(basename $$h .hex).tflite || exit 1; \
	done
	@$(FUZZ_SEEDS) $(FUZZ_CORPUS)
	@maxlen=$$(ls -l $(FUZZ_CORPUS) | awk 'NR > 1 && $$5 > m { m = $$5 } END { print m + 0 }'); \
	[ $$maxlen -ge 4096 ] || maxlen=4096; \
	echo "== fuzzing enpu_model_load_tflite_mem for $(FUZZ_SECONDS) s, corpus $(FUZZ_CORPUS) ($$(ls $(FUZZ_CORPUS) | wc -l) files), -max_len=$$maxlen"; \
	$(FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -max_len=$$maxlen -timeout=30 \
		-rss_limit_mb=2560 -print_final_stats=1 -dict=$(FUZZ_DIR)/tflite.dict \
		-artifact_prefix=$(FUZZ_OUT)/artifacts/ $(FUZZ_FLAGS) $(FUZZ_CORPUS)

# The contract: the engine and the kernel's rule built with clang, seeded
# with inputs of the make check run (contract_fuzz_test --write-corpus).
CONTRACT_FUZZ_BIN    := $(FUZZ_OUT)/contract_fuzz
CONTRACT_FUZZ_CORPUS ?= $(FUZZ_OUT)/contract-corpus

$(CONTRACT_FUZZ_BIN): $(FUZZ_DIR)/contract_fuzz.c $(CONTRACT_SRCS) $(CONTRACT_HDRS) \
		$(ENGINE_SRCS) $(INT8_SRCS)
	@mkdir -p $(@D)
	@$(MAKE) --no-print-directory fuzz-check-cc
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(MODEL_INC) -I$(FUZZ_DIR) -o $@ $< $(CONTRACT_SRCS) \
		$(ENGINE_SRCS) $(INT8_SRCS) -lm

fuzz-contract: fuzz-check-cc $(CONTRACT_FUZZ_BIN) $(CONTRACT_TEST)
	@mkdir -p $(CONTRACT_FUZZ_CORPUS) $(FUZZ_OUT)/contract-artifacts
	@$(CONTRACT_TEST) --write-corpus $(CONTRACT_FUZZ_CORPUS) --cases 1000
	@echo "== fuzzing contract_run for $(FUZZ_SECONDS) s, corpus $(CONTRACT_FUZZ_CORPUS)" \
		"(replay a finding: $(CONTRACT_TEST) --input FILE)"
	$(CONTRACT_FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -max_len=16393 -timeout=10 \
		-rss_limit_mb=2560 -print_final_stats=1 \
		-artifact_prefix=$(FUZZ_OUT)/contract-artifacts/ $(FUZZ_FLAGS) \
		$(CONTRACT_FUZZ_CORPUS)

# Compiled-model files: seeded with every shared model compiled for the
# default target (edgenpu-compile -t default -o), written at run time.
ENPU_FUZZ_BIN    := $(FUZZ_OUT)/enpu_file_fuzz
ENPU_FUZZ_CORPUS ?= $(FUZZ_OUT)/enpu-corpus

$(ENPU_FUZZ_BIN): $(FUZZ_DIR)/enpu_file_fuzz.c $(FUZZ_DIR)/enpu_file_try.h \
		$(FUZZ_DIR)/run_zero.h $(LIB_SRCS) \
		$(LIB_KERNEL_SRCS) $(LIB_HDRS)
	@mkdir -p $(@D)
	@$(MAKE) --no-print-directory fuzz-check-cc
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(LIB_INC) -I$(FUZZ_DIR) -o $@ $< $(LIB_SRCS) \
		$(LIB_KERNEL_SRCS) $(DRM_LIBS) -lm

fuzz-enpu: fuzz-check-cc $(ENPU_FUZZ_BIN) $(BUILD)/bin/edgenpu-compile
	@mkdir -p $(ENPU_FUZZ_CORPUS) $(FUZZ_OUT)/enpu-artifacts
	@for m in $(FUZZ_MODELS)/*.tflite; do \
		[ -e "$$m" ] || continue; \
		LD_LIBRARY_PATH=$(BUILD)/lib $(BUILD)/bin/edgenpu-compile -t default \
			-o $(ENPU_FUZZ_CORPUS)/$$(basename $$m .tflite).enpu $$m > /dev/null || exit 1; \
	done
	@echo "== fuzzing compiled-model files for $(FUZZ_SECONDS) s, corpus $(ENPU_FUZZ_CORPUS)"
	$(ENPU_FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -max_len=400000 -timeout=30 \
		-rss_limit_mb=2560 -print_final_stats=1 \
		-artifact_prefix=$(FUZZ_OUT)/enpu-artifacts/ $(FUZZ_FLAGS) $(ENPU_FUZZ_CORPUS)

.PHONY: fuzz fuzz-tflite fuzz-contract fuzz-enpu fuzz-check-cc

# The ioctl fuzzer and the fault storm run in the guest too
# (tests/fuzz/), staged beside the tests; make check runs them on the
# debug kernel.
VMFUZZ := $(BUILD)/tests/fuzz/edgenpu_ioctl_fuzz $(BUILD)/tests/fuzz/edgenpu_storm
$(BUILD)/tests/fuzz/edgenpu_ioctl_fuzz: tests/fuzz/ioctl_fuzz.c $(wildcard tests/fuzz/*.h) \
		$(TEST_HDRS) | $(KSFT_READY)
	@mkdir -p $(@D)
	$(call build_prog,$(TEST_CFLAGS) $(SELFTEST_HELPERS_INC),$<,-lpthread)
$(BUILD)/tests/fuzz/edgenpu_storm: tests/fuzz/storm.c $(TEST_HDRS) | $(KSFT_READY)
	@mkdir -p $(@D)
	$(call build_prog,$(TEST_CFLAGS) $(SELFTEST_HELPERS_INC),$<)
