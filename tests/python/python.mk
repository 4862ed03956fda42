# SPDX-License-Identifier: MIT
# The Python binding's tests. Included by the top-level Makefile.

# against the CPU backend on the host, with and without numpy
HOST_TESTS += tests/python/edgenpu_python_host_test
