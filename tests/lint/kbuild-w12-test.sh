#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The module built with the kernel's extra warnings, W=12 (levels 1 and 2:
# -Wextra-style compiler warnings, kernel-doc -Wall on every source): what
# the driver's own files (driver/, hw/, uapi/) are blamed for must be
# nothing. The kernel's headers warn at W=2 on their own (GENMASK(), min()
# and max(), shadowed locals of nested macros): those are not counted. The
# sources are built from a copy (scripts/mirror-driver), never beside the
# module other tests load. Prints kselftest-style TAP.
#
#   kbuild-w12-test.sh --kdir KERNEL_BUILD_DIR
set -uo pipefail
KDIR=''
while [ $# -gt 0 ]; do
	case "$1" in
	--kdir) KDIR=${2-}; shift $(($# > 1 ? 2 : 1)) ;;
	*) echo "kbuild-w12-test.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
REPO=$(cd "$(dirname "$0")/../.." && pwd)

CASES=("module builds with W=12" "no W=12 warning in the driver's own files")
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/../install/tap.sh"
[ -n "$KDIR" ] || tap_skip_all "no kernel tree given (--kdir)" "${CASES[@]}"
[ -f "$KDIR/Makefile" ] || tap_skip_all "$KDIR has no Makefile (not a kernel build tree)" \
	"${CASES[@]}"

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
S=$T/src
"$REPO/scripts/mirror-driver" "$S" ||
	{ echo "kbuild-w12-test.sh: cannot copy the sources to $S" >&2; exit 2; }

built() {
	make -C "$KDIR" M="$S" W=12 modules >"$T/build.log" 2>&1 ||
		{ cat "$T/build.log"; return 1; }
}
# (a warning is blamed on the file its first line names: the driver's,
# under the copy, or a kernel header's)
own_clean() {
	! grep -E "^$S/(driver|hw|uapi)/[^:]+:[0-9]+(:[0-9]+)?: (warning|error):" "$T/build.log"
}

if check "${CASES[0]}" built; then
	check "${CASES[1]}" own_clean
else
	tap_skip "${CASES[1]}" "the module did not build"
fi
tap_done
