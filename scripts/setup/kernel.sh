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
#   src/                             kselftest headers, checkpatch.pl,
#                                    usr/include/headers_check.pl
. "$(dirname "$0")/common.sh"

KVER=$KERNEL_ABI-$KERNEL_FLAVOUR
KROOT=$EDGENPU_CACHE/kernel/$KVER
major=${KERNEL_ABI%.*}
dl=$EDGENPU_CACHE/kernel/debs

# What the project needs of linux-source, taken out of the tarball without
# unpacking the whole tree.
SRC_FILES=(tools/testing/selftests/kselftest_harness.h
	   tools/testing/selftests/kselftest.h
	   scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch
	   usr/include/headers_check.pl)

# extract_src DIR: SRC_FILES from the downloaded linux-source into DIR.
extract_src() {
	local srcdeb tmp tarball base
	srcdeb=$(ls "$dl"/linux-source-"$major"_*.deb | head -n1)
	msg "extracting ${SRC_FILES[*]##*/} from $(basename "$srcdeb")"
	tmp=$(mktemp -d)
	dpkg-deb --fsys-tarfile "$srcdeb" |
		tar -x -C "$tmp" --wildcards './usr/src/linux-source-*.tar.xz'
	tarball=$(ls "$tmp"/usr/src/linux-source-*.tar.xz)
	base=$(basename "$tarball" .tar.xz)
	tar -xJf "$tarball" -C "$1" --strip-components=1 "${SRC_FILES[@]/#/$base/}"
	rm -rf "$tmp"
}

missing_src() {
	local f
	for f in "${SRC_FILES[@]}"; do
		[ -e "$KROOT/src/$f" ] || return 0
	done
	return 1
}

if [ -e "$KROOT/.complete" ]; then
	# A tree unpacked before a file joined SRC_FILES gets what it lacks,
	# each file renamed into place whole.
	if missing_src; then
		if ! ls "$dl"/linux-source-"$major"_*.deb >/dev/null 2>&1; then
			papt_setup
			mkdir -p "$dl"
			(cd "$dl" && papt download "linux-source-$major" >&2)
		fi
		top=$(mktemp -d "$KROOT/src.tmp.XXXXXX")
		trap 'rm -rf "$top"' EXIT
		extract_src "$top"
		for f in "${SRC_FILES[@]}"; do
			[ -e "$KROOT/src/$f" ] && continue
			mkdir -p "$(dirname "$KROOT/src/$f")"
			mv "$top/$f" "$KROOT/src/$f"
		done
	fi
	echo "$KROOT"
	exit 0
fi

papt_setup
PKGS=(linux-image-$KVER-unsigned linux-headers-$KVER
      linux-headers-$KERNEL_ABI-common linux-kbuild-$KERNEL_ABI
      linux-source-$major)
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

extract_src "$KROOT.tmp/src"

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
