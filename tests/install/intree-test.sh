#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Proves driver/ is ready to sit in a kernel tree as drivers/accel/edgenpu:
# scripts/intree-export into a skeleton tree, its Kconfig entry parsed and
# resolved by the kernel's own kconfig tool, and the exported directory
# built as kbuild builds it in-tree (its Makefile, M=, driven by
# CONFIG_DRM_ACCEL_EDGENPU). Prints kselftest-style TAP.
#
#   intree-test.sh --kdir KERNEL_BUILD_DIR --kconfig-conf PATH
set -uo pipefail
KDIR= CONF=
while [ $# -gt 0 ]; do
	case "$1" in
	--kdir) KDIR=$2; shift 2 ;;
	--kconfig-conf) CONF=$2; shift 2 ;;
	*) echo "intree-test.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ -d "$KDIR" ] && [ -x "$CONF" ] || { echo "intree-test.sh: --kdir and --kconfig-conf are required" >&2; exit 2; }

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
L=$T/linux
. "$(dirname "$0")/tap.sh"

# A skeleton of the kernel tree's accel directory, as mainline has it.
mkdir -p "$L/drivers/accel"
cat > "$L/drivers/accel/Kconfig" <<'K'
menuconfig DRM_ACCEL
	bool "Compute Acceleration Framework"
	depends on DRM
K
echo 'obj-$(CONFIG_DRM_ACCEL)	+= drm_accel.o' > "$L/drivers/accel/Makefile"
# The symbols the entry depends on or selects, as the real tree defines them.
cat > "$L/Kconfig" <<'K'
mainmenu "edgenpu in-tree check"
config MODULES
	bool "modules"
	default y
	modules
config MMU
	def_bool y
config HAS_IOMEM
	def_bool y
config OF
	bool "OF"
config PCI
	bool "PCI"
config PCI_MSI
	bool "MSI"
	depends on PCI
config DRM
	tristate "DRM"
config DRM_SCHED
	tristate
config DRM_GEM_SHMEM_HELPER
	tristate
config WANT_DEV_COREDUMP
	bool
source "drivers/accel/Kconfig"
K

exported() {
	scripts/intree-export "$L" && scripts/intree-export "$L" >/dev/null || return 1
	local f
	for f in drivers/accel/edgenpu/Kconfig drivers/accel/edgenpu/Makefile \
		 drivers/accel/edgenpu/edgenpu_drv.c drivers/accel/edgenpu/edgenpu_hw.h \
		 include/uapi/drm/edgenpu_accel.h; do
		[ -f "$L/$f" ] || { echo "missing $f"; return 1; }
	done
	[ ! -e "$L/drivers/accel/edgenpu/Kbuild" ] || { echo "out-of-tree Kbuild exported"; return 1; }
	[ "$(grep -c 'source "drivers/accel/edgenpu/Kconfig"' "$L/drivers/accel/Kconfig")" = 1 ] ||
		{ echo "Kconfig hook missing or doubled"; return 1; }
	[ "$(grep -c 'CONFIG_DRM_ACCEL_EDGENPU.*edgenpu/' "$L/drivers/accel/Makefile")" = 1 ] ||
		{ echo "Makefile hook missing or doubled"; return 1; }
}
check "scripts/intree-export places the driver and hooks Kconfig/Makefile once" exported

# kconfig: resolve a .config seeded with SEED lines; print the result.
kconf() {
	printf '%s\n' "$@" > "$T/.config"
	(cd "$L" && srctree=$L KCONFIG_CONFIG=$T/.config "$CONF" -s --olddefconfig Kconfig) || return 1
	cat "$T/.config"
}
kconfig_selects() {
	local c
	c=$(kconf CONFIG_PCI=y CONFIG_PCI_MSI=y CONFIG_DRM=m CONFIG_DRM_ACCEL=y \
		CONFIG_DRM_ACCEL_EDGENPU=m) || return 1
	for s in CONFIG_DRM_ACCEL_EDGENPU=m CONFIG_DRM_SCHED=m CONFIG_DRM_GEM_SHMEM_HELPER=m \
		 CONFIG_WANT_DEV_COREDUMP=y; do
		grep -qx "$s" <<<"$c" || { echo "expected $s in:"; echo "$c"; return 1; }
	done
}
check "Kconfig: DRM_ACCEL_EDGENPU=m selects the scheduler, shmem helper, devcoredump" kconfig_selects
kconfig_depends() {
	local c
	c=$(kconf CONFIG_PCI=y CONFIG_DRM=m CONFIG_DRM_ACCEL=y CONFIG_DRM_ACCEL_EDGENPU=m) || return 1
	! grep -q '^CONFIG_DRM_ACCEL_EDGENPU=' <<<"$c" ||
		{ echo "enabled with PCI but neither PCI_MSI nor OF"; return 1; }
	c=$(kconf CONFIG_OF=y CONFIG_DRM=m CONFIG_DRM_ACCEL=y CONFIG_DRM_ACCEL_EDGENPU=m) || return 1
	grep -qx 'CONFIG_DRM_ACCEL_EDGENPU=m' <<<"$c" ||
		{ echo "not available on a device-tree system without PCI"; return 1; }
	c=$(kconf CONFIG_PCI=y CONFIG_PCI_MSI=y CONFIG_OF=y CONFIG_DRM=m CONFIG_DRM_ACCEL_EDGENPU=m) || return 1
	! grep -q '^CONFIG_DRM_ACCEL_EDGENPU=' <<<"$c" ||
		{ echo "enabled without DRM_ACCEL"; return 1; }
}
check "Kconfig: the entry needs DRM_ACCEL, and PCI with MSI or OF" kconfig_depends

# In the tree, the uAPI header sits beside drm.h.
# (Debian splits headers into an arch and a -common directory.)
for h in "$KDIR"/include/uapi/drm/drm.h "$KDIR"/../linux-headers-*-common/include/uapi/drm/drm.h; do
	[ -f "$h" ] && { ln -s "$(realpath "$h")" "$L/include/uapi/drm/drm.h"; break; }
done
D=$L/drivers/accel/edgenpu
build_intree() {
	make -s -C "$KDIR" M="$D" KCFLAGS="-Werror -I$L/include/uapi" "$@" modules
}
builds_with_symbol() {
	build_intree CONFIG_DRM_ACCEL_EDGENPU=m || return 1
	[ "$(modinfo -F name "$D/edgenpu.ko")" = edgenpu ] || { echo "no edgenpu.ko"; return 1; }
	modinfo -F alias "$D/edgenpu.ko" | grep -q '^pci:' || { echo "no PCI alias"; return 1; }
	modinfo -F alias "$D/edgenpu.ko" | grep -q '^of:.*Cedgenpu,npu-0\.2' ||
		{ echo "no device-tree alias"; return 1; }
}
check "the exported driver builds with CONFIG_DRM_ACCEL_EDGENPU=m, no warnings" builds_with_symbol
not_built_without_symbol() {
	make -s -C "$KDIR" M="$D" clean || return 1
	build_intree || return 1
	[ ! -e "$D/edgenpu.ko" ] || { echo "built although CONFIG_DRM_ACCEL_EDGENPU is unset"; return 1; }
}
check "nothing is built when CONFIG_DRM_ACCEL_EDGENPU is unset" not_built_without_symbol

tap_done
