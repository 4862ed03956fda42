#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The newest kernel Debian offers (trixie-backports), prepared for module
# builds from its source package:
#
#   kernel-newest.sh amd64   a tree for the build-only check of edgenpu.ko
#   kernel-newest.sh arm64   an arm64 guest on the newest kernel (make
#                            check-arm64 ARM64_KERNEL=newest): Debian's
#                            image and modules, and a tree to cross-build
#                            edgenpu.ko against
#
# Debian's linux-headers for that kernel come with kbuild tools linked
# against trixie's glibc, which this (bookworm) host cannot run, so the tree
# is prepared from the linux-source package instead: Debian's own config
# and Module.symvers (taken from the headers package), then `make
# olddefconfig modules_prepare` with the host's gcc (the aarch64 cross gcc
# for arm64) and Debian's KERNELRELEASE, so modules carry its vermagic.
#
# Prints, for amd64, the prepared tree (usable as KDIR); for arm64, the
# kernel root (KROOT), laid out like scripts/setup/kernel.sh's:
#   boot/vmlinuz-<ver>, lib/modules/<ver>/ (depmod'ed),
#   usr/src/linux-<ver>/ (the prepared tree, KDIR), src/ (kselftest
#   headers, shared with the 6.12 tree)
. "$(dirname "$0")/common.sh"

ARCH=${1:-amd64}
ABI=$KERNEL_NEWEST_ABI
KVER=$ABI-$ARCH
case "$ARCH" in
amd64)	ROOT=$EDGENPU_CACHE/kernel/$KVER-src
	TREE_REL=. MAKE_ARCH=() ;;
arm64)	ROOT=$EDGENPU_CACHE/kernel/$KVER
	TREE_REL=usr/src/linux-$KVER
	MAKE_ARCH=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-) ;;
*)	die "unknown architecture $ARCH (amd64 or arm64)" ;;
esac
if [ -e "$ROOT/.complete" ]; then
	echo "$ROOT"
	exit 0
fi

papt_setup
PKGS=(linux-source-$KERNEL_NEWEST_SRC linux-headers-$KVER:$ARCH)
# (7.x packaging: the image and the modules in their own packages)
[ "$ARCH" = arm64 ] && PKGS+=(linux-binary-$KVER:arm64 linux-modules-$KVER:arm64)
dl=$EDGENPU_CACHE/kernel/debs
mkdir -p "$dl"
msg "downloading ${PKGS[*]}"
(cd "$dl" && papt download "${PKGS[@]}" >&2)
srcdeb=$(ls "$dl"/linux-source-"$KERNEL_NEWEST_SRC"_*.deb | head -n1)
hdrdeb=$(ls "$dl"/linux-headers-"$KVER"_*_"$ARCH".deb | head -n1)
[ -f "$srcdeb" ] && [ -f "$hdrdeb" ] || die "download of ${PKGS[*]} failed"

rm -rf "$ROOT.tmp"
TREE=$ROOT.tmp/$TREE_REL
debian_source_tree "$srcdeb" "$hdrdeb" "$KVER" "$TREE"

if [ "$ARCH" = arm64 ]; then
	for p in linux-binary linux-modules; do
		deb=$(ls "$dl"/"$p-$KVER"_*_arm64.deb | head -n1)
		[ -f "$deb" ] || die "download of $p-$KVER failed"
		msg "unpacking $(basename "$deb")"
		dpkg-deb -x "$deb" "$ROOT.tmp"
	done
	# merged /usr: modules and image are under usr/lib/modules/<ver>
	mkdir -p "$ROOT.tmp/boot" "$ROOT.tmp/lib"
	mv "$ROOT.tmp/usr/lib/modules" "$ROOT.tmp/lib/modules"
	mv "$ROOT.tmp/lib/modules/$KVER/vmlinuz" "$ROOT.tmp/boot/vmlinuz-$KVER"
	ln -s "$("$SETUP_DIR/kernel.sh")/src" "$ROOT.tmp/src"
	depmod -b "$ROOT.tmp" "$KVER"
fi

# Debian's config, adapted to this host's compiler (gcc 12 rather than the
# gcc 14 Debian built with): options the older compiler cannot provide are
# dropped by olddefconfig, everything a module sees stays as Debian has it.
msg "preparing $KVER for module builds (olddefconfig, modules_prepare)"
make -s -C "$TREE" "${MAKE_ARCH[@]}" olddefconfig >&2
make -s -C "$TREE" -j"$(nproc)" "${MAKE_ARCH[@]}" KERNELRELEASE="$KVER" \
	modules_prepare >&2
rm -rf "$ROOT"
mv "$ROOT.tmp" "$ROOT"
touch "$ROOT/.complete"
echo "$ROOT"
