# SPDX-License-Identifier: MIT
# edgenpu: top-level build. `make help` lists the targets.
#
# External inputs (Debian's 6.12 kernel, Debian's QEMU source) are fetched
# and built by scripts/setup/ and qemu/build-qemu.sh into $(EDGENPU_CACHE);
# everything built from this tree goes to $(BUILD) (and driver/ for the
# module, as Kbuild does).

SHELL := /bin/bash
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:

include scripts/setup/versions.env

EDGENPU_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/edgenpu
export EDGENPU_CACHE
BUILD ?= build
# Reference material (goldens, models) beside the clone.
SHARED ?= ../shared
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
BINDIR ?= $(PREFIX)/bin
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
# udev and the module loader only look in the system locations, whatever
# PREFIX is.
UDEVRULESDIR ?= /lib/udev/rules.d
DESTDIR ?=

# The downloaded Debian kernel the VM boots and the tests build against.
KERNEL_DL := $(KERNEL_ABI)-$(KERNEL_FLAVOUR)
KROOT := $(EDGENPU_CACHE)/kernel/$(KERNEL_DL)
# The module is built for it too, unless KDIR names another kernel's build
# tree (e.g. KDIR=/lib/modules/$$(uname -r)/build); KVER is the release it
# installs for.
ifeq ($(origin KDIR),undefined)
KDIR := $(KROOT)/usr/src/linux-headers-$(KERNEL_DL)
MODULE_KERNEL := $(KROOT)/.complete
KVER ?= $(KERNEL_DL)
else
MODULE_KERNEL :=
ifeq ($(origin KVER),undefined)
KVER := $(shell $(MAKE) -s --no-print-directory -C $(KDIR) kernelrelease 2>/dev/null)
endif
endif
# kselftest's headers alone (scripts/setup/kselftest-headers.sh): what the
# test programs need of the kernel, without waiting for the rest of it
KSFT_INC := $(EDGENPU_CACHE)/kselftest/$(KERNEL_ABI)
KSFT_READY := $(KSFT_INC)/.complete
# The newest kernel Debian offers, prepared from source: build-only check.
KDIR_NEWEST := $(EDGENPU_CACHE)/kernel/$(KERNEL_NEWEST_ABI)-amd64-src
QVER := $(firstword $(subst -, ,$(lastword $(subst :, ,$(QEMU_SRC_VERSION)))))
QEMU_BUILD := $(EDGENPU_CACHE)/qemu/qemu-$(QVER)/build
# Host tests that start QEMU themselves (tests/qtest) find it here.
export EDGENPU_QEMU_BUILD := $(QEMU_BUILD)
VM_TIMEOUT ?= 900
# The debug kernel's guests: several times slower, and slower still on a
# loaded machine (about 9 minutes each with both cores busy here).
VM_DEBUG_TIMEOUT ?= 1800
NPROC := $(shell nproc)

CC ?= cc
CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Werror
# CCACHE=/usr/bin/ccache puts compiles through ccache (make check and make
# demo do): a clean clone then gets its objects from the last build,
# whatever directory it was in (paths under the tree are hashed relative
# to it). Plain builds, as a package build, leave it out.
CCACHE ?=
ifneq ($(CCACHE),)
export CCACHE_DIR ?= $(EDGENPU_CACHE)/ccache
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1
endif
HOST_CC := $(strip $(CCACHE) $(CC))
HOST_CFLAGS := -std=c11 $(CPPFLAGS) $(CFLAGS) $(WARN) -D_GNU_SOURCE
# kselftest_harness.h passes parameters its tests need not use, and its
# EXPECT_EQ(0, unsigned) idiom compares signed with unsigned; its fork
# and setjmp machinery trips -Wclobbered.
TEST_CFLAGS := -std=gnu11 $(CFLAGS) $(WARN) -Wno-unused-parameter -Wno-sign-compare -Wno-clobbered -D_GNU_SOURCE
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all
# Recursive on purpose: evaluated after `make deps` installed libdrm-dev.
DRM_CFLAGS = $(shell pkg-config --cflags libdrm)
DRM_LIBS = $(shell pkg-config --libs libdrm)

HOST_TESTS :=
BENCHES :=

# $(call build_prog,CFLAGS,SOURCES,LINK-ARGS) builds the program $@: each
# of the C SOURCES compiled apart into $(BUILD)/objs/<program>/ (a compile
# that also links cannot come from the compiler cache), then linked with
# LINK-ARGS.
prog_objs = $(BUILD)/objs/$(patsubst $(BUILD)/%,%,$@)
define build_prog
@mkdir -p $(prog_objs)
set -e; objs=; for src in $(2); do \
	obj=$(prog_objs)/$$(basename $$src .c).o; \
	$(HOST_CC) $(1) -c $$src -o $$obj; \
	objs="$$objs $$obj"; \
done; \
$(CC) $(1) -o $@ $$objs $(3)
endef

# ---- libedgenpu ------------------------------------------------------------
LIB_VERSION := $(shell awk '/define ENPU_LIB_VERSION_(MAJOR|MINOR|PATCH)/ \
	{ v = v s $$3; s = "." } END { print v }' libedgenpu/include/edgenpu/edgenpu.h)
LIB_SONAME := libedgenpu.so.$(firstword $(subst ., ,$(LIB_VERSION)))
# The library carries the INT8 kernels (CPU backend, derivations) inside.
LIB_SRCS := $(wildcard libedgenpu/*.c)
LIB_KERNEL_SRCS := $(wildcard hw/int8/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o) $(LIB_KERNEL_SRCS:hw/int8/%.c=$(BUILD)/libedgenpu/int8/%.o)
LIB_INC = -Ilibedgenpu/include -Ilibedgenpu -Iuapi -Ihw -Ihw/int8 $(DRM_CFLAGS)
LIB := $(BUILD)/lib/libedgenpu.so.$(LIB_VERSION)

LIB_HDRS = $(wildcard libedgenpu/*.h libedgenpu/include/edgenpu/*.h hw/*.h hw/int8/*.h uapi/drm/*.h)
$(BUILD)/libedgenpu/%.o: libedgenpu/%.c $(LIB_HDRS)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -fPIC -fvisibility=hidden $(LIB_INC) -c $< -o $@

$(BUILD)/libedgenpu/int8/%.o: hw/int8/%.c $(LIB_HDRS)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -fPIC -fvisibility=hidden -Ihw/int8 -c $< -o $@

$(LIB): $(LIB_OBJS)
	@mkdir -p $(@D)
	$(HOST_CC) $(CFLAGS) $(LDFLAGS) -shared -Wl,-soname,$(LIB_SONAME) \
		-Wl,--no-undefined -o $@ $^ $(DRM_LIBS) -lm
	ln -sf $(@F) $(@D)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(@D)/libedgenpu.so

# The library (with its INT8 kernels, INT8_SAN_LIB) compiled once with
# ASan and UBSan; the host tests link it instead of each compiling it.
LIB_SAN_LIB := $(BUILD)/san/libedgenpu_san.a
LIB_SAN_OBJS := $(LIB_SRCS:libedgenpu/%.c=$(BUILD)/san/libedgenpu/%.o)
$(LIB_SAN_OBJS): $(BUILD)/san/libedgenpu/%.o: libedgenpu/%.c $(LIB_HDRS)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) $(LIB_INC) -c $< -o $@

$(LIB_SAN_LIB): $(LIB_SAN_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

include hw/int8/int8.mk
# what a host test links for the library
LIB_SAN := $(LIB_SAN_LIB) $(INT8_SAN_LIB)

PC_SED = sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(LIB_VERSION)|'
$(BUILD)/lib/pkgconfig/edgenpu.pc: libedgenpu/edgenpu.pc.in Makefile
	@mkdir -p $(@D)
	$(PC_SED) $< > $@

lib: $(LIB) $(BUILD)/lib/pkgconfig/edgenpu.pc

# ---- tools -----------------------------------------------------------------
TOOLS := $(BUILD)/bin/edgenpu-info $(BUILD)/bin/edgenpu-run $(BUILD)/bin/edgenpu-compile \
	 $(BUILD)/bin/edgenpu-top $(BUILD)/bin/edgenpu-doctor

$(BUILD)/bin/%: tools/%.c $(LIB) libedgenpu/include/edgenpu/edgenpu.h
	@mkdir -p $(@D)
	$(call build_prog,$(HOST_CFLAGS) -Ilibedgenpu/include,$<,$(LDFLAGS) \
		-L$(BUILD)/lib -ledgenpu)

tools: $(TOOLS)

# ---- kernel module ---------------------------------------------------------
$(KROOT)/.complete:
	scripts/setup/kernel.sh >/dev/null

$(KSFT_READY):
	scripts/setup/kselftest-headers.sh >/dev/null

# The kernel's uAPI header check (make check's lint), from linux-source:
# kernel.sh adds it to a tree unpacked before it was needed.
HEADERS_CHECK := $(KROOT)/src/usr/include/headers_check.pl
$(HEADERS_CHECK): | $(KROOT)/.complete
	scripts/setup/kernel.sh >/dev/null

# A 6.12 source tree with what kselftest builds need, `make headers` done
# (make check builds the selftests in a copy, tests/install).
KSFT_TREE := $(EDGENPU_CACHE)/kernel/$(KERNEL_ABI)-selftests
$(KSFT_TREE)/.complete: scripts/setup/kernel-selftests.sh
	scripts/setup/kernel-selftests.sh >/dev/null

kernel: $(KROOT)/.complete $(HEADERS_CHECK) $(KSFT_TREE)/.complete

$(KDIR_NEWEST)/.complete:
	scripts/setup/kernel-newest.sh >/dev/null

kernel-newest: $(KDIR_NEWEST)/.complete

# dt-schema (Debian trixie's, with what it runs with) and the 6.12 tree's
# device-tree bindings it checks against: make check's dt suite.
DTSCHEMA := $(EDGENPU_CACHE)/dtschema/$(DTSCHEMA_VERSION)
DT_KSRC := $(EDGENPU_CACHE)/dtschema/linux-$(KERNEL_ABI)
$(DTSCHEMA)/.complete $(DT_KSRC)/.complete &:
	scripts/setup/dtschema.sh >/dev/null

dtschema: $(DTSCHEMA)/.complete $(DT_KSRC)/.complete

module: $(MODULE_KERNEL)
	$(MAKE) -C $(KDIR) M=$(CURDIR) KCFLAGS=-Werror modules

# ---- the debug kernel --------------------------------------------------------
# A lean x86-64 6.12 with KASAN, lockdep, kmemleak, DMA-API debug, UBSAN,
# DEBUG_OBJECTS and fault injection (scripts/setup/kernel-debug.sh, cached by
# a hash of its configuration); the module is built for it from a mirror.
DEBUG_DIR := $(BUILD)/debug
DEBUG_KROOT_FILE := $(DEBUG_DIR)/kroot
DEBUG_MODULE := $(DEBUG_DIR)/module/driver/edgenpu.ko
# (read by the shell when a recipe runs: the file is made by debug-kernel)
DEBUG_KROOT = $$(cat $(DEBUG_KROOT_FILE))

debug-kernel:
	@mkdir -p $(DEBUG_DIR)
	@scripts/setup/kernel-debug.sh > $(DEBUG_KROOT_FILE).tmp
	@mv $(DEBUG_KROOT_FILE).tmp $(DEBUG_KROOT_FILE)

debug-module: debug-kernel
	@scripts/mirror-driver $(DEBUG_DIR)/module
	$(MAKE) -C $$(echo $$(cat $(DEBUG_KROOT_FILE))/usr/src/linux-headers-*) \
		M=$(abspath $(DEBUG_DIR)/module) KCFLAGS=-Werror modules

# ---- QEMU with the EdgeNPU -------------------------------------------------
qemu:
	qemu/build-qemu.sh >/dev/null

# ---- tests -----------------------------------------------------------------
# Each test folder registers its programs once, in its own makefile.
include tests/selftests/selftests.mk
include tests/vm/vm.mk
include tests/host/host.mk
include tests/python/python.mk
include tests/fuzz/fuzz.mk
include tests/qtest/qtest.mk
include tests/bench/bench.mk

selftests: $(SELFTESTS) $(VMTESTS)
host-tests: $(HOST_TESTS)
bench: all $(BENCHES)
	@for b in $(BENCHES); do echo "== $$b"; $$b || exit 1; done
	@echo "== models on the NPU, submit latency (QEMU guest)"
	@mkdir -p $(BUILD)/bench
	@set -o pipefail; $(VM) --npus 4 --timeout $(VM_TIMEOUT) -- sh -c 'edgenpu-bench && \
		/usr/lib/edgenpu/bench/edgenpu_submit_bench && \
		/usr/lib/edgenpu/bench/edgenpu_roundtrip_bench && \
		/usr/lib/edgenpu/bench/edgenpu_load_bench && \
		/usr/lib/edgenpu/bench/edgenpu_multi_bench' | \
		grep -v -e '^EDGENPU-VM-EXIT' -e 'reboot: Power down' | tee $(BUILD)/bench/guest.txt
	@tests/bench/plot-models.sh $(BUILD)/bench/guest.txt $(BUILD)/bench/models.svg

# ---- install and the guest image -------------------------------------------
# install-user: library (soname links), public headers, pkg-config file,
# tools, man pages. install-module: edgenpu.ko for $(KVER) under updates/.
# install-udev: the rule giving /dev/accel/accel* to the "render" group.
MODDIR ?= /lib/modules/$(KVER)/updates
MANPAGES := $(wildcard tools/man/*.1)
UDEV_RULE := tools/udev/70-edgenpu.rules
SCRIPTS := tools/edgenpu-demo tools/edgenpu-bench

# The Python binding goes where the system's python3 finds packages: for
# PREFIX=/usr, /usr/lib/python3/dist-packages (Debian), else
# PREFIX/lib/python3.X/dist-packages (on Debian's path for /usr/local).
PYTHONDIR ?= $(shell v=$$(/usr/bin/python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' \
	2>/dev/null || echo 3); if [ "$(PREFIX)" = /usr ]; then \
	echo /usr/lib/python3/dist-packages; else echo $(PREFIX)/lib/python$$v/dist-packages; fi)

install-user: $(LIB) $(TOOLS)
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(BINDIR) \
		$(DESTDIR)$(INCLUDEDIR)/edgenpu/drm $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(PYTHONDIR)/edgenpu
	install -m 0755 $(LIB) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(LIB)) $(DESTDIR)$(LIBDIR)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(DESTDIR)$(LIBDIR)/libedgenpu.so
	# written here, not copied from the build: PREFIX may differ from the build's
	$(PC_SED) libedgenpu/edgenpu.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/edgenpu.pc
	chmod 0644 $(DESTDIR)$(LIBDIR)/pkgconfig/edgenpu.pc
	install -m 0644 libedgenpu/include/edgenpu/edgenpu.h $(DESTDIR)$(INCLUDEDIR)/edgenpu/
	install -m 0644 uapi/drm/edgenpu_accel.h $(DESTDIR)$(INCLUDEDIR)/edgenpu/drm/
	install -m 0755 $(TOOLS) $(SCRIPTS) $(DESTDIR)$(BINDIR)/
	install -m 0644 $(MANPAGES) $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 python/edgenpu/__init__.py $(DESTDIR)$(PYTHONDIR)/edgenpu/

install-module: module
	install -d $(DESTDIR)$(MODDIR)
	install -m 0644 driver/edgenpu.ko $(DESTDIR)$(MODDIR)/
	if [ -z "$(DESTDIR)" ]; then depmod -a $(KVER); fi

install-udev:
	install -d $(DESTDIR)$(UDEVRULESDIR)
	install -m 0644 $(UDEV_RULE) $(DESTDIR)$(UDEVRULESDIR)/

install: install-user install-module install-udev

# The driver's sources for DKMS, as /usr/src/edgenpu-<version> (dkms.conf's
# PACKAGE_VERSION: the uAPI version).
DKMS_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
DKMS_SRC := /usr/src/edgenpu-$(DKMS_VERSION)
install-dkms:
	install -D -m 0644 dkms.conf $(DESTDIR)$(DKMS_SRC)/dkms.conf
	for f in $$(scripts/driver-files); do \
		install -D -m 0644 $$f $(DESTDIR)$(DKMS_SRC)/$$f || exit 1; \
	done

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/$(notdir $(LIB)) $(DESTDIR)$(LIBDIR)/$(LIB_SONAME) \
		$(DESTDIR)$(LIBDIR)/libedgenpu.so $(DESTDIR)$(LIBDIR)/pkgconfig/edgenpu.pc \
		$(DESTDIR)$(INCLUDEDIR)/edgenpu/edgenpu.h \
		$(DESTDIR)$(INCLUDEDIR)/edgenpu/drm/edgenpu_accel.h \
		$(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(TOOLS) $(SCRIPTS))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MANPAGES))) \
		$(DESTDIR)$(MODDIR)/edgenpu.ko \
		$(DESTDIR)$(UDEVRULESDIR)/$(notdir $(UDEV_RULE)) \
		$(DESTDIR)$(PYTHONDIR)/edgenpu/__init__.py
	rm -rf $(DESTDIR)$(DKMS_SRC) $(DESTDIR)$(PYTHONDIR)/edgenpu/__pycache__
	rmdir $(DESTDIR)$(PYTHONDIR)/edgenpu 2>/dev/null || true
	rmdir $(DESTDIR)$(INCLUDEDIR)/edgenpu/drm $(DESTDIR)$(INCLUDEDIR)/edgenpu 2>/dev/null || true
	if [ -z "$(DESTDIR)" ]; then depmod -a $(KVER); fi

STAGE := $(BUILD)/stage
stage: $(LIB) $(TOOLS) $(SELFTESTS) $(VMTESTS) $(VMBENCHES) $(VMFUZZ) \
		python/edgenpu/__init__.py $(wildcard tests/python/*) \
		$(wildcard $(SHARED)/goldens/*/*/*.golden)
	rm -rf $(STAGE)
	$(MAKE) --no-print-directory install-user DESTDIR=$(CURDIR)/$(STAGE) PREFIX=/usr >/dev/null
	install -d $(STAGE)/usr/lib/edgenpu/selftests $(STAGE)/usr/share/edgenpu
	install -m 0755 $(SELFTESTS) $(VMTESTS) tests/python/edgenpu_python_test \
		$(STAGE)/usr/lib/edgenpu/selftests/
	install -D -m 0644 tests/python/edgenpu_python_test.py \
		$(STAGE)/usr/lib/edgenpu/python/edgenpu_python_test.py
	# the host's Python only into a stage of the host's architecture
	if [ "$$($(CC) -dumpmachine)" = "$$(cc -dumpmachine)" ]; then \
		scripts/vm/stage-python $(STAGE) $(LIB); fi
	install -d $(STAGE)/usr/lib/edgenpu/bench $(STAGE)/usr/lib/edgenpu/fuzz
	install -m 0755 $(VMBENCHES) $(STAGE)/usr/lib/edgenpu/bench/
	install -m 0755 $(VMFUZZ) $(STAGE)/usr/lib/edgenpu/fuzz/
	if [ -d $(SHARED)/goldens ]; then cp -r $(SHARED)/goldens $(STAGE)/usr/share/edgenpu/; fi
	if [ -d $(SHARED)/models ]; then cp -r $(SHARED)/models $(STAGE)/usr/share/edgenpu/; fi

all: lib tools module qemu selftests host-tests stage

VM = scripts/vm/edgenpu-vm --qemu $(QEMU_BUILD) --kernel-root $(KROOT) --device-opts debug=on \
	--stage $(STAGE) --module driver/edgenpu.ko
VM_DEBUG = scripts/vm/edgenpu-vm --qemu $(QEMU_BUILD) --kernel-root $(DEBUG_KROOT) \
	--device-opts debug=on --stage $(STAGE) --module $(DEBUG_MODULE)
# The fuzzer's guest has 2 GiB: KASAN's shadow, kmemleak and the quarantine
# take their share, and the fuzzer pins up to a quarter of it.
VM_DEBUG_FUZZ = $(VM_DEBUG) --mem 2G
# What the debug kernel runs, in two guests side by side: the ioctl
# fuzzer, the fault storm, then the whole-model and per-op goldens on the
# device they went through; the whole suite. Each ends with a scan for
# leaks.
DEBUG_FUZZ := --kmemleak /usr/lib/edgenpu/fuzz/edgenpu_ioctl_fuzz \
	/usr/lib/edgenpu/fuzz/edgenpu_storm model_golden_npu_test graph_golden_npu_test
# (the Python binding's and edgenpu-top's tests, userspace over interfaces
# the others cover, run in the IOMMU guest instead: scripts/check.sh)
# graph_golden_npu_test runs in the fuzzer's guest, after the storm: the
# two debug guests' lengths then match. golden_ops_variants_test and
# int8_unit_variants_test are the arm64 guest's (its NEON and neon-dotprod
# kernels); the x86 ones run on the host (int8_unit_test, with sanitizers).
DEBUG_SUITE := --kmemleak --all --except=edgenpu_python_test --except=edgenpu_top_test \
	--except=graph_golden_npu_test --except=golden_ops_variants_test \
	--except=int8_unit_variants_test

# ---- arm64: the NPU as a device-tree platform device ----------------------
# The arm64 guest boots Debian's arm64 6.12 kernel (with drm.ko rebuilt for
# DRM_ACCEL=y, see scripts/setup/kernel-arm64.sh) on QEMU's virt machine with
# edgenpu-mmio; ARM64_KERNEL=newest boots trixie-backports' newest arm64
# kernel instead. Module, library, tools and tests are cross-built with
# Debian's aarch64 toolchain.
ARM64_BUILD := $(BUILD)/arm64
ARM64_KERNEL ?= 6.12
ifeq ($(ARM64_KERNEL),newest)
ARM64_KVER := $(KERNEL_NEWEST_ABI)-arm64
ARM64_KERNEL_SETUP := scripts/setup/kernel-newest.sh arm64
else ifeq ($(ARM64_KERNEL),6.12)
ARM64_KVER := $(KERNEL_ABI)-arm64
ARM64_KERNEL_SETUP := scripts/setup/kernel-arm64.sh
else
$(error ARM64_KERNEL is 6.12 (default) or newest, not $(ARM64_KERNEL))
endif
ARM64_KROOT := $(EDGENPU_CACHE)/kernel/$(ARM64_KVER)
ARM64_KDIR := $(ARM64_KROOT)/usr/src/linux-$(ARM64_KVER)
ARM64_SYSROOT := $(EDGENPU_CACHE)/arm64-sysroot
ARM64_LIBDIR := $(ARM64_SYSROOT)/usr/lib/aarch64-linux-gnu
ARM64_CROSS := aarch64-linux-gnu-
ARM64_MODULE := $(ARM64_BUILD)/module/driver/edgenpu.ko

# (the arm64 tree links the x86 one's kselftest headers: not both at once)
$(ARM64_KROOT)/.complete: | $(KROOT)/.complete
	$(ARM64_KERNEL_SETUP) >/dev/null
$(ARM64_SYSROOT)/.complete:
	scripts/setup/arm64-sysroot.sh >/dev/null

# Kbuild writes beside the sources: the module builds from a mirror.
arm64-module: $(ARM64_KROOT)/.complete
	@scripts/mirror-driver $(ARM64_BUILD)/module
	$(MAKE) -C $(ARM64_KDIR) M=$(abspath $(ARM64_BUILD)/module) ARCH=arm64 \
		CROSS_COMPILE=$(ARM64_CROSS) KCFLAGS=-Werror modules

# The example integration's power controller (tests/board/), from a mirror too.
ARM64_BOARD := $(ARM64_BUILD)/board
ARM64_BOARD_MODULE := $(ARM64_BOARD)/edgenpu_virt_pd.ko
arm64-board: $(ARM64_KROOT)/.complete
	@install -D -C -m 0644 -t $(ARM64_BOARD) tests/board/Kbuild tests/board/*.c
	@install -D -C -m 0644 -t $(ARM64_BOARD)/hw hw/edgenpu_sysctrl.h
	$(MAKE) -C $(ARM64_KDIR) M=$(abspath $(ARM64_BOARD)) ARCH=arm64 \
		CROSS_COMPILE=$(ARM64_CROSS) KCFLAGS=-Werror modules

# (pkg-config reads its settings from the environment, for libdrm's flags)
arm64-stage: $(ARM64_SYSROOT)/.complete | $(KROOT)/.complete
	PKG_CONFIG_SYSROOT_DIR=$(ARM64_SYSROOT) PKG_CONFIG_LIBDIR=$(ARM64_LIBDIR)/pkgconfig \
		$(MAKE) --no-print-directory BUILD=$(ARM64_BUILD) CC=$(ARM64_CROSS)gcc \
		LDFLAGS="$(LDFLAGS) -Wl,-rpath-link,$(ARM64_LIBDIR)" stage

arm64: arm64-module arm64-board arm64-stage qemu

# The integration the arm64 suite runs on: clock, reset, power domain,
# carve-out, 40-bit bus; the guest loads the power controller's driver.
ARM64_INTEGRATION := --dt-overlay dts/examples/qemu-virt-npu.dtso \
	--board-module $(ARM64_BOARD_MODULE)
# The plain run: the node QEMU writes by itself, describing a device that
# does not snoop CPU caches (write-combined CPU mappings in the guest).
ARM64_PLAIN := --device-opts debug=on,dma-coherent=off
VM_ARM64 = scripts/vm/edgenpu-vm --arch arm64 --qemu $(QEMU_BUILD) \
	--kernel-root $(ARM64_KROOT) --device-opts debug=on \
	--stage $(ARM64_BUILD)/stage --module $(ARM64_MODULE) \
	--busybox $(ARM64_SYSROOT)/bin/busybox \
	--lib-search /usr/aarch64-linux-gnu/lib:$(ARM64_LIBDIR)

# ---- the two commands ------------------------------------------------------
deps:
	scripts/setup/host-deps.sh

demo:
	@scripts/setup/host-deps.sh
	@mkdir -p $(BUILD)
	@echo "[edgenpu] building (commands in $(BUILD)/demo-build.log; long steps report here)" >&2
	@scripts/setup/quiet-build $(BUILD)/demo-build.log \
		$(MAKE) --no-print-directory -j$(NPROC) CCACHE="$$(command -v ccache)" all
	$(VM) --timeout $(VM_TIMEOUT) -- edgenpu-demo

# ---- make check: each suite a target, with its own log in $(BUILD)/results ----
# make check-host, -lint, -install, -dt, -vm-debug, -vm-debug-fuzz,
# -vm-iommu, -arm64 (-arm64-vm, -arm64-vm-plain), -vm run one suite (after
# building what it needs) and fail if it fails; make check-summary reads
# every log there. make check builds everything once, then runs the suites
# in three chains side by side -- the host's checks; the debug kernel's
# whole suite, then the arm64 guest's; the debug kernel's fuzzer and
# storm, then the IOMMU guest, then the arm64 guest without the NPU's
# optional resources -- so that two guests run at a time beside the host
# checks, and ends with the summary. Each guest gets one host thread
# (--tcg-thread single): more guests, or vCPUs on their own threads, leave
# vCPUs spinning for others the host is not running.
CHECK_VM := --tcg-thread single
CHECK = scripts/check.sh
CHECK_ARGS = --build $(BUILD)
CHECK_SUITES := check-host check-lint check-install check-dt check-vm-debug \
	check-vm-debug-fuzz check-vm-iommu check-arm64-vm check-arm64-vm-plain

# Standalone, a suite builds what it needs; within make check
# (CHECK_BUILT=1) everything is built already, once.
ifeq ($(CHECK_BUILT),)
check-host: host-tests
check-lint: module kernel arm64-module arm64-board
check-install: all kernel kernel-newest
check-dt: dtschema qemu
check-vm check-vm-iommu check-vm-script: all
check-vm-debug check-vm-debug-fuzz: all debug-module
check-arm64-vm check-arm64-vm-plain: arm64
endif

check-host:
	@$(CHECK) host $(CHECK_ARGS) --host-tests "$(HOST_TESTS)"
check-lint:
	@$(CHECK) lint $(CHECK_ARGS) --kdir $(KDIR) --kroot $(KROOT) \
		--sparse-arm64 "$(ARM64_KDIR) $(ARM64_BUILD)/module $(ARM64_BOARD)"
check-install:
	@$(CHECK) install $(CHECK_ARGS) --kdir $(KDIR) --kroot $(KROOT) \
		--kdir-newest $(KDIR_NEWEST) --ksft-tree $(KSFT_TREE)
check-dt:
	@$(CHECK) dt $(CHECK_ARGS)
# the guests: Debian's kernel; the debug kernel (the whole suite, and the
# fuzzer's guest); two NPUs behind an IOMMU; arm64 through the device tree
check-vm:
	@$(CHECK) vm $(CHECK_ARGS) --vm "$(VM) $(CHECK_VM) --timeout $(VM_TIMEOUT)" \
		--tests "--all --except=int8_unit_variants_test"
check-vm-debug:
	@$(CHECK) vm-debug $(CHECK_ARGS) --tests "$(DEBUG_SUITE)" \
		--vm "$(VM_DEBUG) $(CHECK_VM) --timeout $(VM_DEBUG_TIMEOUT)"
check-vm-debug-fuzz:
	@$(CHECK) vm-debug-fuzz $(CHECK_ARGS) --tests "$(DEBUG_FUZZ)" \
		--vm "$(VM_DEBUG_FUZZ) $(CHECK_VM) --timeout $(VM_DEBUG_TIMEOUT)"
check-vm-iommu:
	@$(CHECK) vm-iommu $(CHECK_ARGS) --tests-file tests/vm/iommu.tests \
		--vm "$(VM) --iommu --npus 2 $(CHECK_VM) --timeout $(VM_TIMEOUT)"
# the guest runner itself: a guest that hangs is stopped, and says where
check-vm-script:
	@$(CHECK) vm-script $(CHECK_ARGS) --vm "$(VM) $(CHECK_VM)"
check-arm64-vm:
	@$(CHECK) arm64-vm $(CHECK_ARGS) --tests --all \
		--vm "$(VM_ARM64) $(ARM64_INTEGRATION) $(CHECK_VM) --timeout $(VM_TIMEOUT)"
check-arm64-vm-plain:
	@$(CHECK) arm64-vm-plain $(CHECK_ARGS) --tests-file tests/vm/arm64-plain.tests \
		--vm "$(VM_ARM64) $(ARM64_PLAIN) $(CHECK_VM) --timeout $(VM_TIMEOUT)"
check-arm64:
	@scripts/setup/host-deps.sh
	@$(MAKE) --no-print-directory -k check-arm64-vm check-arm64-vm-plain; \
		$(CHECK) summary $(CHECK_ARGS)
check-summary:
	@echo "== summary"
	@$(CHECK) summary $(CHECK_ARGS)

# the chains make check runs side by side (a failure does not stop one)
check-chain-host:
	-@$(MAKE) --no-print-directory check-host
	-@$(MAKE) --no-print-directory check-lint
	-@$(MAKE) --no-print-directory check-install
	-@$(MAKE) --no-print-directory check-dt
	-@$(MAKE) --no-print-directory check-vm-script
check-chain-debug:
	-@$(MAKE) --no-print-directory check-vm-debug
	-@$(MAKE) --no-print-directory check-arm64-vm
check-chain-fuzz:
	-@$(MAKE) --no-print-directory check-vm-debug-fuzz
	-@$(MAKE) --no-print-directory check-vm-iommu
	-@$(MAKE) --no-print-directory check-arm64-vm-plain

check:
	@scripts/setup/host-deps.sh
	@$(MAKE) --no-print-directory -j$(NPROC) CCACHE="$$(command -v ccache)" \
		all kernel kernel-newest arm64 debug-module dtschema
	@rm -rf $(BUILD)/results
	@$(MAKE) --no-print-directory -j3 CHECK_BUILT=1 \
		check-chain-host check-chain-debug check-chain-fuzz
	@$(MAKE) --no-print-directory CHECK_BUILT=1 check-summary

# Run one command in the VM: make vm CMD='edgenpu-info'
vm: all
	$(VM) --timeout $(VM_TIMEOUT) -- sh -c '$(CMD)'

# The same on the debug kernel: make vm-debug CMD='edgenpu-run-tests --kmemleak'
vm-debug: all debug-module
	$(VM_DEBUG) --timeout $(VM_TIMEOUT) -- sh -c '$(CMD)'

# Long runs on the debug kernel (minutes, not part of make check):
#   make fuzz-ioctl FUZZ_SECONDS=600 [FUZZ_SEED=N]   the ioctl fuzzer
#   make stress [STRESS_FAULTS=1000]                  the fault storm
FUZZ_SEED ?= $(shell date +%s)
FUZZ_SECONDS ?= 600
STRESS_FAULTS ?= 1000
fuzz-ioctl: all debug-module
	$(VM_DEBUG_FUZZ) --timeout $$(($(FUZZ_SECONDS) + 600)) -- sh -c \
		'EDGENPU_FUZZ_SECONDS=$(FUZZ_SECONDS) EDGENPU_FUZZ_SEED=$(FUZZ_SEED) \
		edgenpu-run-tests --kmemleak /usr/lib/edgenpu/fuzz/edgenpu_ioctl_fuzz \
		model_golden_npu_test'
stress: all debug-module
	$(VM_DEBUG_FUZZ) --timeout $$(($(STRESS_FAULTS) * 2 + 600)) -- sh -c \
		'/usr/lib/edgenpu/fuzz/edgenpu_storm --faults $(STRESS_FAULTS)'

clean:
	rm -rf $(BUILD)
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true

help:
	@echo "make demo    boot the VM with the NPU, load the module, run the demo"
	@echo "make check   build everything and run every test (host and VM); one suite:"
	@echo "             make check-host, -lint, -install, -dt, -vm-debug, -vm-debug-fuzz,"
	@echo "             -vm-iommu, -arm64 (-arm64-vm, -arm64-vm-plain), -vm (Debian's"
	@echo "             kernel), each logged to build/results; make check-summary"
	@echo "make all     build library, tools, module, QEMU, tests"
	@echo "make bench   run the benchmarks (figures, not pass/fail)"
	@echo "make vm CMD='...'  run a command in the VM (make vm-debug: on the debug kernel)"
	@echo "make fuzz-ioctl FUZZ_SECONDS=N   the ioctl fuzzer on the debug kernel, N seconds"
	@echo "make stress  1000 injected faults on the debug kernel (STRESS_FAULTS=N)"
	@echo "make fuzz    libFuzzer on the TFLite reader and on the hardware contract,"
	@echo "             FUZZ_SECONDS each (make fuzz-tflite, make fuzz-contract: one)"
	@echo "make install DESTDIR=... PREFIX=...   install library, headers, tools, man pages,"
	@echo "             module (/lib/modules/KVER/updates) and udev rule; make uninstall"
	@echo "make install-dkms DESTDIR=...   driver sources and dkms.conf in /usr/src/edgenpu-VER"

.PHONY: all lib tools kernel kernel-newest dtschema module qemu selftests host-tests bench install \
	debug-kernel debug-module vm-debug fuzz-ioctl stress \
	arm64 arm64-module arm64-board arm64-stage check-arm64 \
	install-user install-module install-udev install-dkms uninstall \
	stage deps demo check vm clean help $(CHECK_SUITES) check-vm check-arm64 \
	check-summary check-chain-host check-chain-debug check-chain-fuzz
