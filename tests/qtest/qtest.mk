# SPDX-License-Identifier: MIT
#
# Device-level tests of the QEMU EdgeNPU model through QEMU's qtest
# accelerator: no guest kernel, the test itself plays the driver over the
# qtest socket (config space, MMIO, guest RAM, MSI-X into guest RAM).
# edgenpu_qtest: the PCI device on q35; edgenpu_mmio_qtest: the MMIO front
# end on arm virt with its SoC inputs (reset line, power domain).
# Included by the top-level Makefile after tests/host/host.mk. Uses BUILD,
# HOST_CC, TEST_CFLAGS, SAN_FLAGS, KSFT_INC, KSFT_READY and QEMU_BUILD (the
# binary's default location; $EDGENPU_QEMU_BUILD overrides it at run time).

QTEST_DIR  := tests/qtest
QTEST_LIB_SRCS := $(QTEST_DIR)/qtest_client.c $(QTEST_DIR)/enpu_qdev.c
QTEST_HDRS := $(wildcard $(QTEST_DIR)/*.h hw/*.h)
QTEST_BINS := $(BUILD)/tests/qtest/edgenpu_qtest $(BUILD)/tests/qtest/edgenpu_mmio_qtest

$(QTEST_BINS): $(BUILD)/tests/qtest/%: $(QTEST_DIR)/%.c $(QTEST_LIB_SRCS) $(QTEST_HDRS) \
		$(QTEST_DIR)/qtest.mk | $(KSFT_READY)
	@mkdir -p $(@D)
	$(call build_prog,$(TEST_CFLAGS) $(SAN_FLAGS) -I$(KSFT_INC) -Ihw -I$(QTEST_DIR) \
		-DEDGENPU_QEMU_BUILD_DEFAULT='"$(QEMU_BUILD)"',$< $(QTEST_LIB_SRCS))

# The same binaries named by their absolute paths (make $PWD/build/tests/qtest/...).
ifneq ($(abspath $(BUILD)),$(BUILD))
$(abspath $(QTEST_BINS)): $(abspath $(BUILD))/tests/qtest/%: $(BUILD)/tests/qtest/%
endif

.PHONY: qtest
qtest: $(QTEST_BINS)
	@for t in $(QTEST_BINS); do $$t || exit 1; done

HOST_TESTS += $(QTEST_BINS)
