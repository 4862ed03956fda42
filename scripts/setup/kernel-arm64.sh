#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The arm64 guest's kernel: Debian's bookworm-backports 6.12 arm64 kernel,
# the same release as the x86 guest's, unpacked under the cache.
#
# Debian builds its arm64 6.12 kernels with CONFIG_DRM_ACCEL unset, and
# that option only changes drm.ko (it adds the accel core: the accel
# major, /dev/accel/ nodes, accel_open). So drm.ko is rebuilt from
# Debian's linux-source-6.12 with Debian's arm64 config plus DRM_ACCEL=y
# and replaces Debian's copy; the image and every other module stay
# Debian's. This is what an integrator does in a vendor kernel: enable
# DRM_ACCEL. The rebuilt drm.ko must export every symbol Debian's did with
# the same CRC (other Debian modules link against them): checked here.
#
# The tree is prepared from the source package with the host's aarch64
# cross compiler (Debian's arm64 headers package carries arm64 kbuild
# tools), Debian's Module.symvers and KERNELRELEASE, so modules built
# against it carry Debian's vermagic.
#
# Prints the kernel root (KROOT), laid out like scripts/setup/kernel.sh's:
#   boot/vmlinuz-<ver>, lib/modules/<ver>/ (depmod'ed), usr/src/linux-<ver>/
#   (the prepared tree, KDIR), src/ (kselftest headers, shared with x86)
. "$(dirname "$0")/common.sh"

KVER=$KERNEL_ABI-arm64
ROOT=$EDGENPU_CACHE/kernel/$KVER
if [ -e "$ROOT/.complete" ]; then
	echo "$ROOT"
	exit 0
fi

papt_setup
major=${KERNEL_ABI%.*}
PKGS=(linux-source-"$major" linux-image-"$KVER"-unsigned:arm64
      linux-headers-"$KVER":arm64)
dl=$EDGENPU_CACHE/kernel/debs
mkdir -p "$dl"
msg "downloading ${PKGS[*]}"
(cd "$dl" && papt download "${PKGS[@]}" >&2)
srcdeb=$(ls "$dl"/linux-source-"$major"_*.deb | head -n1)
imgdeb=$(ls "$dl"/linux-image-"$KVER"-unsigned_*_arm64.deb | head -n1)
hdrdeb=$(ls "$dl"/linux-headers-"$KVER"_*_arm64.deb | head -n1)
[ -f "$srcdeb" ] && [ -f "$imgdeb" ] && [ -f "$hdrdeb" ] ||
	die "download of ${PKGS[*]} failed"

rm -rf "$ROOT.tmp"
TREE=$ROOT.tmp/usr/src/linux-$KVER
mkdir -p "$ROOT.tmp"
msg "unpacking $(basename "$imgdeb")"
dpkg-deb -x "$imgdeb" "$ROOT.tmp"
debian_source_tree "$srcdeb" "$hdrdeb" "$KVER" "$TREE"
cp "$TREE/Module.symvers" "$TREE/Module.symvers.debian"
ln -s "$("$SETUP_DIR/kernel.sh")/src" "$ROOT.tmp/src"

cross=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- KERNELRELEASE="$KVER")
msg "preparing $KVER with DRM_ACCEL=y (olddefconfig, modules_prepare)"
grep -q '^# CONFIG_DRM_ACCEL is not set' "$TREE/.config" ||
	grep -q '^CONFIG_DRM_ACCEL=y' "$TREE/.config" ||
	die "Debian's $KVER config does not say how DRM_ACCEL is set"
"$TREE/scripts/config" --file "$TREE/.config" --enable DRM_ACCEL
make -s -C "$TREE" "${cross[@]}" olddefconfig >&2
grep -q '^CONFIG_DRM_ACCEL=y' "$TREE/.config" || die "DRM_ACCEL=y did not stick"
make -s -C "$TREE" -j"$(nproc)" "${cross[@]}" modules_prepare >&2

# A single in-tree module without vmlinux: modpost is pointed at Debian's
# export list (all of it but drm.ko's own exports) through a wrapper, and
# told not to want vmlinux for BTF.
msg "building drm.ko with the accel core"
drm=drivers/gpu/drm/drm
awk -v m="$drm" '$3 != m' "$TREE/Module.symvers.debian" > "$TREE/vmlinux.symvers"
wrap=$ROOT.tmp/modpost
printf '#!/bin/sh\nexec "%s/scripts/mod/modpost" -i "%s/vmlinux.symvers" "$@"\n' \
	"$TREE" "$TREE" > "$wrap"
chmod +x "$wrap"
make -s -C "$TREE" -j"$(nproc)" "${cross[@]}" MODPOST="$wrap" KBUILD_BUILTIN= \
	"$drm.ko" >&2 2> >(grep -v -e 'is missing' -e 'may not have dep' \
	-e 'unresolved symbol errors' -e 'KBUILD_MODPOST_WARN' -e 'own risk' \
	-e 'Skipping BTF' >&2)
built=$TREE/$drm.ko
[ -f "$built" ] || die "drm.ko was not built"
rm -f "$wrap"

# Every symbol Debian's drm.ko exports, with the same CRC, in ours.
exports() {	# symvers file -> "symbol crc" lines of drm.ko
	awk -v m="$drm" '$3 == m { print $2, $1 }' "$1" | sort
}
ours=$TREE/modules-only.symvers
changed=$(comm -23 <(exports "$TREE/Module.symvers.debian") <(exports "$ours"))
[ -z "$changed" ] ||
	die "rebuilt drm.ko changes exports Debian's modules use: $(echo "$changed" | head -n 3)"
msg "drm.ko: all $(exports "$TREE/Module.symvers.debian" | wc -l) of Debian's exports" \
	"with equal CRCs, plus $(comm -13 <(exports "$TREE/Module.symvers.debian") \
	<(exports "$ours") | cut -d' ' -f1 | tr '\n' ' ')"
# what modules built against the tree link with
cat "$TREE/vmlinux.symvers" "$ours" > "$TREE/Module.symvers"

mods=$ROOT.tmp/lib/modules/$KVER
dest=$(find "$mods/kernel/drivers/gpu/drm" -maxdepth 1 -name 'drm.ko*' | head -n1)
[ -n "$dest" ] || die "Debian's $KVER has no drm.ko"
rm -f "$dest"
aarch64-linux-gnu-strip --strip-debug -o "$ROOT.tmp/drm.ko" "$built"
xz -c --check=crc32 "$ROOT.tmp/drm.ko" > "$mods/kernel/drivers/gpu/drm/drm.ko.xz"
rm -f "$ROOT.tmp/drm.ko"
depmod -b "$ROOT.tmp" "$KVER"
rm -rf "$ROOT"
mv "$ROOT.tmp" "$ROOT"
touch "$ROOT/.complete"
echo "$ROOT"
