# SPDX-License-Identifier: MIT
#
# The TFLite reader against hostile files. Included by the top-level
# Makefile after tests/host/host.mk. Uses BUILD, HOST_CC, HOST_CFLAGS,
# SAN_FLAGS, KSFT_INC, LIB_SRCS, LIB_KERNEL_SRCS, LIB_HDRS, LIB_INC,
# DRM_LIBS, SHARED.
#
#   tflite_corrupt_test  host test (make check): deterministic mutations of
#                        every shared model and of small forged models
#   make fuzz            libFuzzer on enpu_model_load_tflite_mem() (and
#                        validate/compile/run of what loads), FUZZ_SECONDS
#                        long; not part of make check

FUZZ_DIR     := tests/fuzz
FUZZ_HDRS    := $(FUZZ_DIR)/tflite_forge.h

CORRUPT_TEST := $(BUILD)/tests/host/tflite_corrupt_test
HOST_TESTS   += $(CORRUPT_TEST)

$(CORRUPT_TEST): tests/host/tflite_corrupt_test.c $(FUZZ_HDRS) \
		$(LIB_SAN) $(LIB_HDRS) | $(KROOT)/.complete
	@mkdir -p $(@D)
	$(call build_prog,$(HOST_CFLAGS) $(SAN_FLAGS) -isystem $(KSFT_INC) $(LIB_INC) \
		-I$(FUZZ_DIR),$<,$(LIB_SAN) $(DRM_LIBS) -lm)

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

$(FUZZ_BIN): $(FUZZ_DIR)/tflite_fuzz.c $(LIB_SRCS) $(LIB_KERNEL_SRCS) $(LIB_HDRS)
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
fuzz: fuzz-check-cc $(FUZZ_BIN) $(FUZZ_SEEDS)
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

.PHONY: fuzz fuzz-check-cc
