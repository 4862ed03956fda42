# SPDX-License-Identifier: MIT
# Benchmarks (make bench): the host's, and those staged into the guest
# (VMBENCHES). int8_bench is hw/int8/int8.mk's. Included by the top-level
# Makefile.

# Compile time of generated models of up to 16,384 layers (host, make bench).
COMPILE_BENCH := $(BUILD)/bench/compile_bench
BENCHES += $(COMPILE_BENCH)
comma := ,
$(COMPILE_BENCH): tests/bench/compile_bench.c tests/bench/bench_clock.h $(LIB)
	@mkdir -p $(@D)
	$(call build_prog,$(HOST_CFLAGS) -Ilibedgenpu/include,$<,$(LDFLAGS) -L$(BUILD)/lib \
		-Wl$(comma)-rpath$(comma)$(abspath $(BUILD)/lib) -ledgenpu)

# Benchmarks that run in the guest (make bench), staged beside the tests.
VMBENCHES := $(BUILD)/tests/bench/edgenpu_submit_bench $(BUILD)/tests/bench/edgenpu_load_bench \
	     $(BUILD)/tests/bench/edgenpu_multi_bench $(BUILD)/tests/bench/edgenpu_roundtrip_bench
$(BUILD)/tests/bench/edgenpu_load_bench: tests/bench/load_bench.c tests/bench/bench_clock.h $(LIB) | $(KSFT_READY)
	@mkdir -p $(@D)
	$(call build_prog,$(TEST_CFLAGS) -Ilibedgenpu/include,$<,$(LDFLAGS) -L$(BUILD)/lib -ledgenpu)
$(BUILD)/tests/bench/edgenpu_multi_bench: tests/bench/multi_bench.c tests/bench/bench_clock.h $(LIB) | $(KSFT_READY)
	@mkdir -p $(@D)
	$(call build_prog,$(TEST_CFLAGS) -Ilibedgenpu/include,$<,$(LDFLAGS) -L$(BUILD)/lib -ledgenpu)
$(BUILD)/tests/bench/edgenpu_submit_bench: tests/bench/submit_bench.c tests/bench/bench_clock.h $(TEST_HDRS) | $(KSFT_READY)
	@mkdir -p $(@D)
	$(call build_prog,$(TEST_CFLAGS) $(SELFTEST_HELPERS_INC),$<)

$(BUILD)/tests/bench/edgenpu_roundtrip_bench: tests/bench/roundtrip_bench.c tests/bench/bench_clock.h $(TEST_HDRS) | $(KSFT_READY)
	@mkdir -p $(@D)
	$(call build_prog,$(TEST_CFLAGS) $(SELFTEST_HELPERS_INC),$<)
