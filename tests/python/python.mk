# SPDX-License-Identifier: MIT
# The Python binding's tests. Included by the top-level Makefile.

# against the CPU backend on the host, with and without numpy; a model with
# state for it, written by a small program
SVDF_TFLITE := $(BUILD)/tests/python/svdf_tflite
$(SVDF_TFLITE): tests/python/svdf_tflite.c tests/host/svdf_tflite.h tests/fuzz/tflite_forge.h \
		libedgenpu/include/edgenpu/edgenpu.h
	@mkdir -p $(@D)
	$(call build_prog,$(TEST_CFLAGS) -Ilibedgenpu/include,$<)
HOST_TESTS += tests/python/edgenpu_python_host_test
host-tests: $(SVDF_TFLITE)
