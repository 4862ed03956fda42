#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Downloads Debian's bookworm-backports 6.12 kernel (image, headers, kbuild,
# and the bits of linux-source the tests need) and unpacks them under the
# cache, without installing anything as the host's kernel.
#
# Prints the kernel root directory (KROOT) on stdout. Layout of KROOT:
#   boot/vmlinuz-<ver>               the guest kernel
#   lib/modules/<ver>/               its modules (depmod'ed in place)
#   usr/src/linux-headers-<ver>/     the module build tree (KDIR)
#   src/                             kselftest headers, checkpatch.pl
. "$(dirname "$0")/common.sh"

KVER=$KERNEL_ABI-$KERNEL_FLAVOUR
KROOT=$EDGENPU_CACHE/kernel/$KVER
if [ -e "$KROOT/.complete" ]; then
	echo "$KROOT"
	exit 0
fi

papt_setup
major=${KERNEL_ABI%.*}
PKGS=(linux-image-$KVER-unsigned linux-headers-$KVER
      linux-headers-$KERNEL_ABI-common linux-kbuild-$KERNEL_ABI
      linux-source-$major)
dl=$EDGENPU_CACHE/kernel/debs
mkdir -p "$dl"
msg "downloading kernel $KVER packages (${PKGS[*]})"
(cd "$dl" && papt download "${PKGS[@]}" >&2)

rm -rf "$KROOT.tmp"
mkdir -p "$KROOT.tmp/src"
for p in "${PKGS[@]}"; do
	deb=$(ls "$dl"/"${p}"_*.deb | head -n1)
	[ -f "$deb" ] || die "download of $p failed"
	if [ "${p#linux-source}" != "$p" ]; then
		continue
	fi
	msg "unpacking $(basename "$deb")"
	dpkg-deb -x "$deb" "$KROOT.tmp"
done

# linux-source: only what the project needs (kselftest headers, checkpatch),
# taken out of the tarball without unpacking the whole tree.
srcdeb=$(ls "$dl"/linux-source-"$major"_*.deb | head -n1)
msg "extracting kselftest headers and checkpatch from $(basename "$srcdeb")"
tmp=$(mktemp -d)
dpkg-deb --fsys-tarfile "$srcdeb" |
	tar -x -C "$tmp" --wildcards './usr/src/linux-source-*.tar.xz'
tarball=$(ls "$tmp"/usr/src/linux-source-*.tar.xz)
base=$(basename "$tarball" .tar.xz)
tar -xJf "$tarball" -C "$KROOT.tmp/src" --strip-components=1 \
	"$base/tools/testing/selftests/kselftest_harness.h" \
	"$base/tools/testing/selftests/kselftest.h" \
	"$base/scripts/checkpatch.pl" "$base/scripts/spelling.txt" \
	"$base/scripts/const_structs.checkpatch"
rm -rf "$tmp"

# The headers' Makefile includes the common tree by absolute path; point it
# at the unpacked copy instead of /usr/src.
sed -i "s|^include /usr/src/|include $KROOT/usr/src/|" \
	"$KROOT.tmp/usr/src/linux-headers-$KVER/Makefile"

# Guest module dependencies, computed once on the unpacked tree.
depmod -b "$KROOT.tmp" "$KVER"
rm -rf "$KROOT"
mv "$KROOT.tmp" "$KROOT"
touch "$KROOT/.complete"
echo "$KROOT"
