# SPDX-License-Identifier: MIT
#
# Device-level tests of the QEMU EdgeNPU model through QEMU's qtest
# accelerator: no guest kernel, the test itself plays the driver over the
# qtest socket (config space, MMIO, guest RAM, MSI-X into guest RAM).
# Included by the top-level Makefile after tests/host/host.mk. Uses BUILD,
# HOST_CC, TEST_CFLAGS, SAN_FLAGS, KSFT_INC, KROOT and QEMU_BUILD (the
# binary's default location; $EDGENPU_QEMU_BUILD overrides it at run time).

QTEST_DIR  := tests/qtest
QTEST_SRCS := $(QTEST_DIR)/edgenpu_qtest.c $(QTEST_DIR)/qtest_client.c \
	      $(QTEST_DIR)/enpu_qdev.c
QTEST_HDRS := $(wildcard $(QTEST_DIR)/*.h hw/*.h)
QTEST_BIN  := $(BUILD)/tests/qtest/edgenpu_qtest

$(QTEST_BIN): $(QTEST_SRCS) $(QTEST_HDRS) $(QTEST_DIR)/qtest.mk | $(KROOT)/.complete
	@mkdir -p $(@D)
	$(HOST_CC) $(TEST_CFLAGS) $(SAN_FLAGS) -I$(KSFT_INC) -Ihw -I$(QTEST_DIR) \
		-DEDGENPU_QEMU_BUILD_DEFAULT='"$(QEMU_BUILD)"' -o $@ $(QTEST_SRCS)

# The same binary named by its absolute path (make $PWD/build/tests/qtest/...).
ifneq ($(abspath $(QTEST_BIN)),$(QTEST_BIN))
$(abspath $(QTEST_BIN)): $(QTEST_BIN)
endif

.PHONY: qtest
qtest: $(QTEST_BIN)
	$(QTEST_BIN)

HOST_TESTS += $(QTEST_BIN)
