#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The uAPI headers (uapi/drm/*.h) through what a kernel tree puts its own
# through: each is installed by the kernel's scripts/headers_install.sh
# into a usr/include beside the kernel's DRM headers, as `make
# headers_install` does, then checked by usr/include/headers_check.pl (any
# finding fails, though the kernel only prints them), and compiled alone,
# included twice (the include guard), as C90 and as C++98 with -Wpedantic
# -Werror: userspace includes them with whatever standard it builds with.
# drm.h and what it includes are system headers there (-isystem), as
# they are to userspace: only the project's headers are judged; <linux/>
# and <asm/> headers are the build host's (/usr/include). Prints
# kselftest-style TAP.
#
#   uapi-header-test.sh --kroot KROOT
#
# KROOT is a kernel unpacked by scripts/setup/kernel.sh: its kbuild scripts
# (headers_install.sh, unifdef), its DRM uAPI headers, and headers_check.pl
# from its source (src/usr/include/). CC and CXX name the compilers (cc,
# g++).
set -uo pipefail
KROOT=''
while [ $# -gt 0 ]; do
	case "$1" in
	--kroot) KROOT=${2-}; shift $(($# > 1 ? 2 : 1)) ;;
	*) echo "uapi-header-test.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
REPO=$(cd "$(dirname "$0")/../.." && pwd)
CC=${CC:-cc}
CXX=${CXX:-g++}

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/../install/tap.sh"

HDRS=()
for h in "$REPO"/uapi/drm/*.h; do HDRS+=("${h##*/}"); done
CASES=()
for h in "${HDRS[@]}"; do
	CASES+=("$h: headers_install.sh" "$h: headers_check.pl"
		"$h: C90 -Wpedantic -Werror" "$h: C++98 -Wpedantic -Werror")
done
[ -n "$KROOT" ] || tap_skip_all "no kernel given (--kroot)" "${CASES[@]}"

KSCRIPTS=$(ls -d "$KROOT"/usr/lib/linux-kbuild-*/scripts 2>/dev/null | head -n 1)
KCOMMON=$(ls -d "$KROOT"/usr/src/linux-headers-*-common 2>/dev/null | head -n 1)
HEADERS_CHECK=$KROOT/src/usr/include/headers_check.pl
# the kernel's SRCARCH: the flavour's build tree has its arch/ alone
KARCH=
for d in "$KROOT"/usr/src/linux-headers-*/arch; do
	case "$d" in */linux-headers-*-common/arch) continue ;; esac
	[ -d "$d" ] && KARCH=$(ls "$d" | head -n 1)
done

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
INC=$T/usr/include
mkdir -p "$INC/drm" "$T/alone"

# headers_install.sh runs scripts/unifdef from the current directory.
install_hdr() {
	[ -n "$KSCRIPTS" ] || { echo "no kbuild scripts under $KROOT/usr/lib"; return 1; }
	(cd "$KSCRIPTS/.." && sh scripts/headers_install.sh "$1" "$2")
}

# <linux/...> and <asm/...> are the build host's installed kernel headers,
# for headers_check.pl's check that an included one is exported as for
# the compilers.
ln -s /usr/include/linux /usr/include/asm-generic "$INC/"
multiarch=$("$CC" -print-multiarch 2>/dev/null)
for d in "/usr/include/$multiarch/asm" /usr/include/asm; do
	[ -d "$d" ] && { ln -s "$d" "$INC/asm"; break; }
done

# The kernel's DRM uAPI headers, installed once for every header here.
drm_ok=1
drm_why=
if [ -z "$KCOMMON" ]; then
	drm_ok=0 drm_why="no kernel headers under $KROOT/usr/src"
else
	for f in "$KCOMMON"/include/uapi/drm/*.h; do
		out=$(install_hdr "$f" "$INC/drm/${f##*/}" 2>&1) ||
			{ drm_ok=0 drm_why="$out"; break; }
	done
fi

headers_check() {
	local out
	[ -f "$HEADERS_CHECK" ] ||
		{ echo "no $HEADERS_CHECK: scripts/setup/kernel.sh extracts it"; return 1; }
	# (from $T: the script looks for included files in the current
	# directory first)
	out=$(cd "$T" && perl "$HEADERS_CHECK" "$INC" "${KARCH:-x86}" "$1" 2>&1) ||
		{ printf '%s\n' "$out"; return 1; }
	[ -z "$out" ] || { printf '%s\n' "$out"; return 1; }
}

# compile_alone COMPILER LANGUAGE STANDARD HEADER
compile_alone() {
	"$1" -x "$2" -std="$3" -Wall -Wpedantic -Werror -fsyntax-only \
		-isystem "$INC" -isystem "$INC/drm" /dev/null -include "$4" -include "$4"
}

for h in "${HDRS[@]}"; do
	if [ "$drm_ok" = 0 ]; then
		printf '%s\n' "$drm_why" | sed 's/^/# /'
		tap_not_ok "$h: headers_install.sh"
		for c in headers_check.pl "C90 -Wpedantic -Werror" "C++98 -Wpedantic -Werror"; do
			tap_skip "$h: $c" "the kernel's DRM headers did not install"
		done
		continue
	fi
	if ! check "$h: headers_install.sh" install_hdr "$REPO/uapi/drm/$h" "$INC/drm/$h"; then
		for c in headers_check.pl "C90 -Wpedantic -Werror" "C++98 -Wpedantic -Werror"; do
			tap_skip "$h: $c" "it did not install"
		done
		continue
	fi
	check "$h: headers_check.pl" headers_check "$INC/drm/$h"
	# alone in its directory: the "drm.h" it includes is then the system's
	cp "$INC/drm/$h" "$T/alone/$h"
	check "$h: C90 -Wpedantic -Werror" compile_alone "$CC" c c90 "$T/alone/$h"
	check "$h: C++98 -Wpedantic -Werror" compile_alone "$CXX" c++ c++98 "$T/alone/$h"
done
tap_done
