#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# DKMS: `make install-dkms` into a DESTDIR, then dkms add, build, install
# and remove for the downloaded kernel, with DKMS's trees in a scratch
# directory (nothing of the host's /var/lib/dkms or /lib/modules is used).
# dkms add needs root; without it every case is an explicit skip. Prints
# kselftest-style TAP.
#
#   dkms-test.sh --kver KVER --kdir KERNEL_BUILD_DIR
set -uo pipefail
KVER= KDIR=
while [ $# -gt 0 ]; do
	case "$1" in
	--kver) KVER=$2; shift 2 ;;
	--kdir) KDIR=$2; shift 2 ;;
	*) echo "dkms-test.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ -n "$KVER" ] && [ -d "$KDIR" ] || { echo "dkms-test.sh: --kver and --kdir are required" >&2; exit 2; }

CASES=("dkms.conf version is the uAPI version" "make install-dkms" "dkms add"
       "dkms build" "dkms install puts edgenpu.ko under updates/dkms"
       "dkms remove takes the module away")
. "$(dirname "$0")/tap.sh"
skip_all() { tap_skip_all "$1" "${CASES[@]}"; }
command -v dkms >/dev/null || skip_all "dkms is not installed (scripts/setup/host-deps.sh installs it)"
[ "$(id -u)" = 0 ] || skip_all "dkms add needs root"

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
VER=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
DK=(--dkmstree "$T/dkms" --sourcetree "$T/root/usr/src" --installtree "$T/lib/modules"
    -m edgenpu -v "$VER")
mkdir -p "$T/dkms" "$T/lib/modules/$KVER"
# Each step needs the one before: after a failure the rest are skips.
stop=
step() {
	if [ -n "$stop" ]; then
		tap_skip "$1" "an earlier step failed"
	else
		check "$@" || stop=1
	fi
}

version_matches() {
	local uapi
	uapi=$(awk '/define DRM_EDGENPU_DRIVER_MAJOR/ { ma = $3 }
		    /define DRM_EDGENPU_DRIVER_MINOR/ { mi = $3 } END { print ma "." mi }' \
		uapi/drm/edgenpu_accel.h)
	[ "$VER" = "$uapi" ] || { echo "dkms.conf says $VER, the uAPI $uapi"; return 1; }
}
step "${CASES[0]}" version_matches
step "${CASES[1]}" make -s --no-print-directory install-dkms DESTDIR="$T/root"
step "${CASES[2]}" dkms add "${DK[@]}"
step "${CASES[3]}" dkms build "${DK[@]}" -k "$KVER" --kernelsourcedir "$KDIR"
installed() {
	local ko vm
	dkms install "${DK[@]}" -k "$KVER" --kernelsourcedir "$KDIR" --no-depmod || return 1
	ko=$(ls "$T/lib/modules/$KVER"/updates/dkms/edgenpu.ko* 2>/dev/null | head -n 1)
	[ -n "$ko" ] || { find "$T/lib/modules"; echo "no edgenpu.ko under updates/dkms"; return 1; }
	vm=$(modinfo -F vermagic "$ko") || return 1
	case "$vm" in "$KVER "*) ;; *) echo "vermagic '$vm' is not for $KVER"; return 1 ;; esac
	depmod -b "$T" "$KVER" || return 1
	grep -q '^updates/dkms/edgenpu.ko' "$T/lib/modules/$KVER/modules.dep" ||
		{ echo "depmod does not list it"; return 1; }
	dkms status "${DK[@]}" -k "$KVER" | grep -q ': installed' ||
		{ dkms status "${DK[@]}"; return 1; }
}
step "${CASES[4]}" installed
removed() {
	dkms remove "${DK[@]}" --all --no-depmod || return 1
	! ls "$T/lib/modules/$KVER"/updates/dkms/edgenpu.ko* 2>/dev/null ||
		{ echo "module still installed"; return 1; }
	[ -z "$(dkms status "${DK[@]}")" ] || { dkms status "${DK[@]}"; return 1; }
}
step "${CASES[5]}" removed

tap_done
