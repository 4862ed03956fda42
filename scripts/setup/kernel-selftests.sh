#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A 6.12 kernel source tree (Debian's linux-source, the version KERNEL_ABI
# pins) prepared for building kselftests, with the parts of the tree that
# takes: the top-level Makefile and scripts/ (for `make headers`), the uAPI
# headers (include/uapi, arch/x86), tools/include, and of
# tools/testing/selftests the top-level Makefile, lib.mk, the harness and
# the runner. `make headers` has run, so a copy only installs what an
# export adds (tests/install/intree-selftests-test.sh):
#
#   cp -a TREE T && scripts/intree-export T && make -C T headers &&
#   make -C T/tools/testing/selftests TARGETS=drivers/accel/edgenpu
#
# Prints the tree, $EDGENPU_CACHE/kernel/<KERNEL_ABI>-selftests. Its
# .complete lists the parts: a tree prepared with other parts is prepared
# again.
. "$(dirname "$0")/common.sh"

major=${KERNEL_ABI%.*}		# 6.12
upstream=${KERNEL_ABI%%+*}	# 6.12.95
dl=$EDGENPU_CACHE/kernel/debs
TREE=$EDGENPU_CACHE/kernel/$KERNEL_ABI-selftests
PARTS=(Makefile scripts include/uapi arch/x86 tools/include
       tools/testing/selftests/Makefile tools/testing/selftests/lib.mk
       tools/testing/selftests/kselftest_harness.h
       tools/testing/selftests/kselftest.h tools/testing/selftests/kselftest)

complete() { [ "$(cat "$TREE/.complete" 2>/dev/null)" = "${PARTS[*]}" ]; }
if complete; then
	echo "$TREE"
	exit 0
fi

# one preparation at a time (make -j, or another clone's make)
mkdir -p "$EDGENPU_CACHE/kernel"
exec {lock_fd}>"$EDGENPU_CACHE/kernel/.selftests-tree.lock"
flock "$lock_fd"
if complete; then
	echo "$TREE"
	exit 0
fi

find_srcdeb() { ls "$dl"/linux-source-"$major"_"$upstream"-*_all.deb 2>/dev/null | tail -n1 || true; }
srcdeb=$(find_srcdeb)
if [ -z "$srcdeb" ]; then
	papt_setup
	mkdir -p "$dl"
	msg "downloading linux-source-$major"
	(cd "$dl" && papt download "linux-source-$major" >&2)
	srcdeb=$(find_srcdeb)
	[ -n "$srcdeb" ] || die "no linux-source-$major $upstream (the version KERNEL_ABI pins) in $dl"
fi

tmp=$TREE.tmp
rm -rf "$tmp"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
msg "extracting a kselftest tree from $(basename "$srcdeb")"
dpkg-deb --fsys-tarfile "$srcdeb" |
	tar -xO --wildcards './usr/src/linux-source-*.tar.xz' |
	tar -xJ -C "$tmp" --strip-components=1 "${PARTS[@]/#/linux-source-$major/}"
msg "make headers in it"
make -s -C "$tmp" headers >&2
printf '%s\n' "${PARTS[*]}" > "$tmp/.complete"
rm -rf "$TREE.old"
[ ! -e "$TREE" ] || mv "$TREE" "$TREE.old"
mv "$tmp" "$TREE"
rm -rf "$TREE.old"
trap - EXIT
echo "$TREE"
