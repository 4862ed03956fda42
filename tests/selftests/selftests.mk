# SPDX-License-Identifier: MIT
# The kselftests built in this repository (Makefile, beside this file, is
# kselftest's own, for a kernel tree: scripts/intree-export). Included by
# the top-level Makefile; defines SELFTESTS, SELFTEST_INC, TEST_HDRS and
# SELFTEST_HELPERS_INC (the fuzzers and a benchmark use the helpers).

SELFTEST_SRCS := $(wildcard tests/selftests/*_test.c)
SELFTESTS := $(SELFTEST_SRCS:tests/selftests/%.c=$(BUILD)/tests/selftests/%)
# The selftests include the uAPI header and their own, as in a kernel tree:
# what they know of the hardware is a header of theirs generated from hw/
# (scripts/selftest-hw-header; scripts/intree-export writes it into a tree).
SELFTEST_INC := $(BUILD)/tests/selftests/include
SELFTEST_HW_H := $(SELFTEST_INC)/edgenpu_selftest_hw.h
$(SELFTEST_HW_H): scripts/selftest-hw-header $(wildcard hw/*.h)
	@mkdir -p $(@D)
	scripts/selftest-hw-header > $@
TEST_HDRS := $(wildcard tests/selftests/*.h hw/*.h uapi/drm/*.h) $(SELFTEST_HW_H)
# for the fuzzer, the fault storm and a benchmark, which use the selftests'
# helpers (edgenpu_job_util.h)
SELFTEST_HELPERS_INC = -Itests/selftests -Iuapi -Ihw -I$(SELFTEST_INC) $(DRM_CFLAGS)

$(BUILD)/tests/selftests/%: tests/selftests/%.c $(TEST_HDRS) | $(KSFT_READY)
	@mkdir -p $(@D)
	$(call build_prog,$(TEST_CFLAGS) -I$(KSFT_INC) -Iuapi -I$(SELFTEST_INC) $(DRM_CFLAGS),$<)

