# SPDX-License-Identifier: MIT
# The library and tool tests that run in the guest (tests/vm/*_test.c;
# three more are built from tests/host's sources, in tests/host/host.mk).
# Included by the top-level Makefile after tests/selftests/selftests.mk.

VMTEST_SRCS := $(wildcard tests/vm/*_test.c)
VMTESTS := $(VMTEST_SRCS:tests/vm/%.c=$(BUILD)/tests/vm/%)
$(BUILD)/tests/vm/%: tests/vm/%.c $(TEST_HDRS) $(wildcard tests/host/*_graph.h) tests/host/tool_run.h \
		$(LIB) | $(KSFT_READY)
	@mkdir -p $(@D)
	$(call build_prog,$(TEST_CFLAGS) -I$(KSFT_INC) -Ilibedgenpu/include -Iuapi -Ihw \
		-I$(SELFTEST_INC) $(DRM_CFLAGS),$<,$(LDFLAGS) -L$(BUILD)/lib -ledgenpu)

