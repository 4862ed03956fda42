#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# kselftest.h and kselftest_harness.h of the 6.12 source, for the programs
# that need nothing else of the kernel (the host tests, the qtests, the
# selftests' compile): copied from the kernel tree when it is unpacked
# already, else taken out of linux-source alone, without waiting for the
# kernel image, headers and kbuild. Prints the directory.
. "$(dirname "$0")/common.sh"

major=${KERNEL_ABI%.*}
KROOT=$EDGENPU_CACHE/kernel/$KERNEL_ABI-$KERNEL_FLAVOUR
DIR=$EDGENPU_CACHE/kselftest/$KERNEL_ABI
dl=$EDGENPU_CACHE/kernel/debs
FILES=(kselftest_harness.h kselftest.h)

if [ -e "$DIR/.complete" ]; then
	echo "$DIR"
	exit 0
fi
tmp=$(mktemp -d "$EDGENPU_CACHE/kselftest.tmp.XXXXXX" 2>/dev/null ||
      { mkdir -p "$EDGENPU_CACHE" && mktemp -d "$EDGENPU_CACHE/kselftest.tmp.XXXXXX"; })
trap 'rm -rf "$tmp"' EXIT
have=1
for f in "${FILES[@]}"; do
	[ -e "$KROOT/src/tools/testing/selftests/$f" ] || have=0
done
if [ $have = 1 ]; then
	for f in "${FILES[@]}"; do
		cp "$KROOT/src/tools/testing/selftests/$f" "$tmp/"
	done
else
	if ! ls "$dl"/linux-source-"$major"_*.deb >/dev/null 2>&1; then
		papt_setup
		mkdir -p "$dl"
		msg "downloading linux-source-$major (kselftest headers)"
		(cd "$dl" && papt download "linux-source-$major" >&2)
	fi
	srcdeb=$(ls "$dl"/linux-source-"$major"_*.deb | head -n1)
	msg "extracting ${FILES[*]} from $(basename "$srcdeb")"
	dpkg-deb --fsys-tarfile "$srcdeb" |
		tar -x -C "$tmp" --wildcards './usr/src/linux-source-*.tar.xz'
	tarball=$(ls "$tmp"/usr/src/linux-source-*.tar.xz)
	base=$(basename "$tarball" .tar.xz)
	tar -xJf "$tarball" -C "$tmp" --strip-components=4 \
		"${FILES[@]/#/$base/tools/testing/selftests/}"
	rm -rf "$tmp/usr"
fi
touch "$tmp/.complete"
mkdir -p "$(dirname "$DIR")"
# another make may have finished first: either copy is the same
mv -T "$tmp" "$DIR" 2>/dev/null || true
chmod 755 "$DIR" 2>/dev/null
trap - EXIT
rm -rf "$tmp"
echo "$DIR"
