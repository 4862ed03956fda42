#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds qemu-system-x86_64 (the EdgeNPU as a PCI device, `edgenpu`) and
# qemu-system-aarch64 (as an MMIO device on the virt machine's platform
# bus, `edgenpu-mmio`) from Debian's QEMU source package (trixie, 10.0.x),
# cached under $EDGENPU_CACHE/qemu.
#
#   qemu/build-qemu.sh            prints the directory holding the binary
#
# Steps, each skipped when its result is already cached:
#   1. download the source package (project apt config) and meson 1.7
#      from bookworm-backports (unpacked, not installed)
#   2. unpack it with Debian's patches, add hw/edgenpu to QEMU's build
#      (three lines: hw/meson.build, hw/Kconfig, trace_events_subdirs) and
#      let virt instantiate edgenpu-mmio with its device-tree node (two
#      lines in hw/core/sysbus-fdt.c, one in hw/arm/virt.c)
#   3. configure a minimal build: TCG, x86_64-softmmu and aarch64-softmmu
#   4. copy the device sources (qemu/, qemu/engine/, hw/, hw/int8/) in,
#      only files whose content changed, generate the device's meson.build
#      and build; with a warm cache only the device recompiles.
. "$(dirname "$0")/../scripts/setup/common.sh"

QDIR=$EDGENPU_CACHE/qemu
QVER=${QEMU_SRC_VERSION#*:}
QVER=${QVER%%-*}
SRC=$QDIR/qemu-$QVER
BUILD=$SRC/build
MESON_ROOT=$QDIR/meson
CONFIGURE_FLAGS=(--python=/usr/bin/python3 --disable-download
		 --disable-install-blobs --without-default-features
		 --enable-tcg --enable-fdt=system --enable-trace-backends=log
		 --target-list=x86_64-softmmu,aarch64-softmmu)

fetch_sources() {
	[ -e "$SRC/.edgenpu-prepared" ] && [ -d "$MESON_ROOT/usr" ] && return
	papt_setup
	mkdir -p "$QDIR/dl"
	if ! ls "$QDIR"/dl/qemu_*.dsc >/dev/null 2>&1; then
		msg "downloading Debian's qemu $QEMU_SRC_VERSION source package"
		(cd "$QDIR/dl" &&
		 papt source --download-only "qemu=$QEMU_SRC_VERSION" >&2)
	fi
	if [ ! -d "$MESON_ROOT/usr" ]; then
		# (bookworm itself, in the private sources for arm64 libraries,
		# has an older meson than QEMU needs)
		msg "downloading meson from bookworm-backports"
		(cd "$QDIR/dl" && papt download meson/bookworm-backports >&2)
		rm -rf "$MESON_ROOT"
		dpkg-deb -x "$(ls "$QDIR"/dl/meson_*.deb | head -n1)" \
			"$MESON_ROOT"
	fi
	if [ ! -e "$SRC/.edgenpu-prepared" ]; then
		msg "unpacking QEMU source with Debian's patches"
		rm -rf "$SRC"
		# apt verified the package's checksums; dpkg-source would only
		# warn that it has no key for the uploader's signature.
		dpkg-source --no-check -x "$(ls "$QDIR"/dl/qemu_*.dsc | head -n1)" \
			"$SRC" >/dev/null
		touch "$SRC/.edgenpu-prepared"
	fi
}

# The only changes made to QEMU's own files.
prepare_tree() {
	mkdir -p "$SRC/hw/edgenpu"
	grep -q "subdir('edgenpu')" "$SRC/hw/meson.build" ||
		echo "subdir('edgenpu')" >> "$SRC/hw/meson.build"
	grep -q "source edgenpu/Kconfig" "$SRC/hw/Kconfig" ||
		echo "source edgenpu/Kconfig" >> "$SRC/hw/Kconfig"
	grep -q "'hw/edgenpu'" "$SRC/meson.build" ||
		sed -i "s|^trace_events_subdirs = \[|&\n  'hw/edgenpu',|" \
			"$SRC/meson.build"
	grep -q "'hw/edgenpu'" "$SRC/meson.build" ||
		die "could not add hw/edgenpu to QEMU's trace_events_subdirs"

	# virt: edgenpu-mmio may be added with -device, and its node is
	# written by qemu/edgenpu_mmio_fdt.c.inc.
	local fdt=$SRC/hw/core/sysbus-fdt.c virt=$SRC/hw/arm/virt.c
	grep -q "edgenpu_mmio_fdt.c.inc" "$fdt" ||
		sed -i 's|^static const BindingEntry bindings\[\] = {|#include "hw/edgenpu/edgenpu_mmio_fdt.c.inc"\n\n&\n    TYPE_BINDING(TYPE_EDGENPU_MMIO, add_edgenpu_mmio_fdt_node),|' "$fdt"
	grep -q "TYPE_BINDING(TYPE_EDGENPU_MMIO" "$fdt" ||
		die "could not add edgenpu-mmio to $fdt"
	grep -q '"edgenpu-mmio"' "$virt" ||
		sed -i 's|^\(\s*\)machine_class_allow_dynamic_sysbus_dev(mc, TYPE_VFIO_AMD_XGBE);|&\n\1machine_class_allow_dynamic_sysbus_dev(mc, "edgenpu-mmio");|' "$virt"
	grep -q '"edgenpu-mmio"' "$virt" ||
		die "could not allow edgenpu-mmio on $virt"
}

# Copy the device sources in -- the PCI front end (qemu/), its engine
# (qemu/engine/), the INT8 kernels (hw/int8/) and the contract headers
# (hw/) -- and list them in the device's meson.build. Files whose content
# is unchanged keep their timestamps, so ninja rebuilds only what changed.
sync_device() {
	local dst=$SRC/hw/edgenpu f rel list=
	mkdir -p "$dst/engine" "$dst/int8"
	for f in "$TOP_DIR"/qemu/*.c "$TOP_DIR"/qemu/*.h "$TOP_DIR"/qemu/*.inc \
		 "$TOP_DIR"/qemu/Kconfig \
		 "$TOP_DIR"/qemu/trace-events "$TOP_DIR"/hw/*.h \
		 "$TOP_DIR"/qemu/engine/*.[ch] "$TOP_DIR"/hw/int8/*.[ch]; do
		[ -e "$f" ] || continue
		case "$f" in
		"$TOP_DIR"/qemu/engine/*) rel=engine/$(basename "$f") ;;
		"$TOP_DIR"/hw/int8/*) rel=int8/$(basename "$f") ;;
		*) rel=$(basename "$f") ;;
		esac
		cmp -s "$f" "$dst/$rel" || cp "$f" "$dst/$rel"
		case "$rel" in
		edgenpu_pci.c|edgenpu_mmio.c) ;;	# one front end each
		*.c) list+="  '$rel',"$'\n' ;;
		esac
	done
	# Files deleted from the tree (or left by another checkout sharing
	# this cache) leave the copy too: it mirrors the tree exactly.
	(cd "$dst" && for f in * engine/* int8/*; do
		[ -f "$f" ] || continue
		case "$f" in
		meson.build) continue ;;
		engine/*) [ -e "$TOP_DIR/qemu/$f" ] ;;
		int8/*) [ -e "$TOP_DIR/hw/$f" ] ;;
		*) [ -e "$TOP_DIR/qemu/$f" ] || [ -e "$TOP_DIR/hw/$f" ] ;;
		esac || rm -f "$f"
	done)
	printf '%s\n' \
		"# Generated by edgenpu's qemu/build-qemu.sh." \
		"edgenpu_core_ss = files(" "$list)" \
		"edgenpu_inc = declare_dependency(include_directories: include_directories('.', 'engine', 'int8'))" \
		"system_ss.add(when: 'CONFIG_EDGENPU_CORE', if_true: [edgenpu_core_ss, edgenpu_inc])" \
		"system_ss.add(when: 'CONFIG_EDGENPU', if_true: [files('edgenpu_pci.c'), edgenpu_inc])" \
		"system_ss.add(when: 'CONFIG_EDGENPU_MMIO', if_true: [files('edgenpu_mmio.c'), edgenpu_inc])" \
		> "$dst/meson.build.new"
	cmp -s "$dst/meson.build.new" "$dst/meson.build" &&
		rm "$dst/meson.build.new" ||
		mv "$dst/meson.build.new" "$dst/meson.build"
}

configure_qemu() {
	local want have=
	want=$(printf '%s\n' "${CONFIGURE_FLAGS[@]}")
	[ -e "$BUILD/.edgenpu-flags" ] && have=$(cat "$BUILD/.edgenpu-flags")
	[ -e "$BUILD/build.ninja" ] && [ "$want" = "$have" ] && return
	msg "configuring QEMU $QVER (TCG, x86_64-softmmu, aarch64-softmmu)"
	rm -rf "$BUILD"
	mkdir -p "$BUILD"
	(cd "$BUILD" && ../configure "${CONFIGURE_FLAGS[@]}" >configure.log 2>&1) ||
		{ tail -n 30 "$BUILD/configure.log" >&2; die "QEMU configure failed (log: $BUILD/configure.log)"; }
	echo "$want" > "$BUILD/.edgenpu-flags"
}

# ninja's progress, condensed to one line per 10% plus anything else it says.
progress() {
	awk '/^\[[0-9]+\/[0-9]+\]/ {
		s = $1; gsub(/[][]/, "", s); split(s, a, "/"); p = int(100 * a[1] / a[2]);
		if (p >= next_p) { printf "[edgenpu] qemu build %3d%% (%s)\n", p, s; next_p = p - p % 10 + 10 }
		fflush(); next }
	     { print; fflush() }' >&2
}

build_qemu() {
	local jobs
	jobs=$(nproc)
	ninja -C "$BUILD" -j "$jobs" qemu-system-x86_64 qemu-system-aarch64 2>&1 | progress
	[ "${PIPESTATUS[0]}" -eq 0 ] || die "QEMU build failed"
	if [ ! -e "$BUILD/pc-bios/optionrom/linuxboot_dma.bin" ]; then
		msg "building QEMU option ROMs"
		make -s -C "$BUILD/pc-bios/optionrom" >&2 ||
			die "option ROM build failed"
	fi
}

export CCACHE_DIR=${CCACHE_DIR:-$EDGENPU_CACHE/ccache}
export PYTHONPATH=$MESON_ROOT/usr/lib/python3/dist-packages${PYTHONPATH:+:$PYTHONPATH}
export PATH=$MESON_ROOT/usr/bin:$PATH

fetch_sources
prepare_tree
sync_device
configure_qemu
build_qemu
echo "$BUILD"
