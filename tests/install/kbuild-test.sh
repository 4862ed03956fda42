#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build-only check of edgenpu.ko against a kernel tree: the driver sources
# (driver/, hw/, uapi/, no build products) are copied into a scratch
# directory with the repository's layout and built out of tree the way
# `make module` does (top-level Kbuild, M=, -Werror). Prints
# kselftest-style TAP.
#
#   kbuild-test.sh --kdir KERNEL_BUILD_DIR [--name LABEL]
set -uo pipefail
KDIR='' NAME=''
while [ $# -gt 0 ]; do
	case "$1" in
	--kdir) KDIR=${2-}; shift $(($# > 1 ? 2 : 1)) ;;
	--name) NAME=${2-}; shift $(($# > 1 ? 2 : 1)) ;;
	*) echo "kbuild-test.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
REPO=$(cd "$(dirname "$0")/../.." && pwd)
[ -n "$NAME" ] || NAME=$(basename "${KDIR:-kbuild}")

CASES=("$NAME: module builds with -Werror" "$NAME: no compiler or modpost warnings"
       "$NAME: vermagic is the tree's kernelrelease"
       "$NAME: aliases for the PCI and platform buses")
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/tap.sh"
skip_all() { tap_skip_all "$1" "${CASES[@]}"; }
[ -n "$KDIR" ] || skip_all "no kernel tree given (--kdir)"
[ -f "$KDIR/Makefile" ] || skip_all "$KDIR has no Makefile (not a kernel build tree)"

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
S=$T/src
# The sources only, in the repository's layout (driver/Kbuild finds the
# hardware and uAPI headers at $(src)/../hw and $(src)/../uapi).
"$REPO/scripts/mirror-driver" "$S" ||
	{ echo "kbuild-test.sh: cannot copy the sources to $S" >&2; exit 2; }

KO=$S/driver/edgenpu.ko
built() {
	make -C "$KDIR" M="$S" KCFLAGS=-Werror modules >"$T/build.log" 2>&1 ||
		{ cat "$T/build.log"; return 1; }
}
no_warnings() {
	! grep -i 'warning:' "$T/build.log"
}
vermagic() {
	local rel vm
	[ -f "$KO" ] || { echo "no edgenpu.ko"; return 1; }
	# the release M= builds use; `make kernelrelease` recomputes it from
	# the source when the tree was prepared with KERNELRELEASE=
	if [ -f "$KDIR/include/config/kernel.release" ]; then
		rel=$(cat "$KDIR/include/config/kernel.release")
	else
		rel=$(make -s -C "$KDIR" kernelrelease) || return 1
	fi
	vm=$(modinfo -F vermagic "$KO") || return 1
	case "$vm" in
	"$rel "*) ;;
	*) echo "vermagic '$vm', kernelrelease '$rel'"; return 1 ;;
	esac
}
aliases() {
	local a st=0
	[ -f "$KO" ] || { echo "no edgenpu.ko"; return 1; }
	a=$(modinfo -F alias "$KO") || return 1
	grep -q '^pci:v00001234d00004E50' <<<"$a" || { echo "no PCI alias"; st=1; }
	grep -qxF 'of:N*T*Cedgenpu,npu-0.2' <<<"$a" || { echo "no OF alias"; st=1; }
	[ $st = 0 ] || printf 'aliases:\n%s\n' "$a"
	return $st
}

if check "${CASES[0]}" built; then
	check "${CASES[1]}" no_warnings
	check "${CASES[2]}" vermagic
	check "${CASES[3]}" aliases
else
	tap_skip "${CASES[1]}" "the build failed"
	tap_skip "${CASES[2]}" "the build failed"
	tap_skip "${CASES[3]}" "the build failed"
fi
tap_done
