#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The arm64 libraries edgenpu's userspace is cross-built against and runs
# with in the arm64 guest, unpacked (not installed) from bookworm's arm64
# packages: libdrm (headers, pkg-config file, shared library) and a static
# busybox. The C library comes with the host's cross toolchain
# (libc6-dev-arm64-cross, scripts/setup/host-deps.sh).
#
# Prints the sysroot directory on stdout:
#   usr/include/, usr/lib/aarch64-linux-gnu/{libdrm.so*,pkgconfig/}
#   bin/busybox
. "$(dirname "$0")/common.sh"

ROOT=$EDGENPU_CACHE/arm64-sysroot
if [ -e "$ROOT/.complete" ]; then
	echo "$ROOT"
	exit 0
fi
papt_setup
PKGS=(libdrm-dev:arm64 libdrm2:arm64 libdrm-common busybox-static:arm64)
dl=$EDGENPU_CACHE/arm64-sysroot-debs
mkdir -p "$dl"
msg "downloading ${PKGS[*]}"
(cd "$dl" && papt download "${PKGS[@]}" >&2)
rm -rf "$ROOT.tmp"
mkdir -p "$ROOT.tmp"
for deb in "$dl"/*.deb; do
	dpkg-deb -x "$deb" "$ROOT.tmp"
done
[ -x "$ROOT.tmp/bin/busybox" ] || die "busybox-static:arm64 has no /bin/busybox"
rm -rf "$ROOT"
mv "$ROOT.tmp" "$ROOT"
touch "$ROOT/.complete"
echo "$ROOT"
