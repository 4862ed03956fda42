#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The selftests as a kernel tree takes them: scripts/intree-export into a
# copy of the prepared 6.12 tree (scripts/setup/kernel-selftests.sh), `make
# headers`, then kselftest's own build,
#
#   make -C tools/testing/selftests TARGETS=drivers/accel/edgenpu
#
# without a warning; every program built, each including only uAPI
# headers, the C library's and its own; the settings file's timeout; and
# kselftest's runner on this machine, which has no EdgeNPU: every case
# skips. Prints kselftest-style TAP.
#
#   intree-selftests-test.sh --ktree KERNEL_TREE
set -uo pipefail
KTREE=
while [ $# -gt 0 ]; do
	case "$1" in
	--ktree) KTREE=${2-}; shift $(($# > 1 ? 2 : 1)) ;;
	*) echo "intree-selftests-test.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
REPO=$(cd "$(dirname "$0")/../.." && pwd)
REL=drivers/accel/edgenpu

CASES=("scripts/intree-export puts the selftests into tools/testing/selftests/$REL, in TARGETS once"
       "their header of the hardware is generated from hw/, no copy of hw/ in tests/selftests"
       "settings sets a timeout"
       "make headers installs the uAPI header"
       "make -C tools/testing/selftests TARGETS=$REL builds every program, no warnings"
       "they include uAPI headers, the C library's and their own only"
       "run_tests without an EdgeNPU: every case skips, with the settings' timeout")
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/tap.sh"
skip_all() { tap_skip_all "$1" "${CASES[@]}"; }
[ -n "$KTREE" ] || skip_all "no kernel tree given (--ktree)"
[ -f "$KTREE/tools/testing/selftests/lib.mk" ] || skip_all "$KTREE has no kselftest lib.mk"

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
L=$T/linux
cp -a "$KTREE" "$L" || { echo "intree-selftests-test.sh: cannot copy $KTREE" >&2; exit 2; }
KSFT=$L/tools/testing/selftests
D=$KSFT/$REL
# the test programs, by their sources
mapfile -t PROGS < <(cd "$REPO/tests/selftests" && ls -- *_test.c | sed 's/\.c$//')

exported() {
	"$REPO/scripts/intree-export" "$L" >/dev/null && "$REPO/scripts/intree-export" "$L" >/dev/null ||
		return 1
	local f
	for f in "$REPO"/tests/selftests/*; do
		case "${f##*/}" in
		selftests.mk) [ ! -e "$D/selftests.mk" ] || return 1 ;;	# the repository's own
		*) cmp "$f" "$D/${f##*/}" || return 1 ;;
		esac
	done
	[ -f "$D/edgenpu_selftest_hw.h" ] || { echo "no edgenpu_selftest_hw.h"; return 1; }
	[ "$(grep -c "^TARGETS += $REL\$" "$KSFT/Makefile")" = 1 ] ||
		{ echo "TARGETS += $REL missing or doubled"; return 1; }
}
check "${CASES[0]}" exported

generated() {
	local names n
	"$REPO/scripts/selftest-hw-header" | cmp - "$D/edgenpu_selftest_hw.h" || return 1
	[ ! -e "$REPO/tests/selftests/edgenpu_selftest_hw.h" ] ||
		{ echo "tests/selftests/edgenpu_selftest_hw.h is a copy"; return 1; }
	# no macro, structure or enumeration of hw/ defined again in the tests
	names=$(sed -nE -e 's/^#define[[:space:]]+([A-Za-z0-9_]+).*/\1/p' \
		-e 's/^(struct|enum)[[:space:]]+([a-z0-9_]+)[[:space:]]*\{.*/\2/p' "$REPO"/hw/*.h |
		sort -u)
	for n in $names; do
		grep -nE "^#define[[:space:]]+${n}\\b|^(struct|enum)[[:space:]]+${n}[[:space:]]*\\{" \
			"$REPO"/tests/selftests/* && { echo "$n of hw/ defined again"; return 1; }
	done
	return 0
}
check "${CASES[1]}" generated

timeout_set() {
	grep -Eq '^timeout=[1-9][0-9]*$' "$D/settings" || { cat "$D/settings"; return 1; }
}
check "${CASES[2]}" timeout_set

headers() {
	make -s -C "$L" headers || return 1
	cmp "$REPO/uapi/drm/edgenpu_accel.h" "$L/include/uapi/drm/edgenpu_accel.h" &&
		[ -f "$L/usr/include/drm/edgenpu_accel.h" ] && [ -f "$L/usr/include/drm/drm.h" ]
}
check "${CASES[3]}" headers

builds() {
	local out p st=0
	out=$(make -C "$KSFT" TARGETS=$REL 2>&1) || { echo "$out"; return 1; }
	if grep -E 'warning:|error:' <<<"$out"; then
		return 1
	fi
	for p in "${PROGS[@]}"; do
		[ -x "$D/$p" ] || { echo "$p not built: is it in TEST_GEN_PROGS?"; st=1; }
	done
	return $st
}
check "${CASES[4]}" builds

# Each header a build includes (gcc -H), into another output directory:
# under the installed uAPI headers, the compiler's system directories,
# kselftest's harness or the selftests' own directory, nowhere else (not
# the driver's hw/ headers beside them in the tree).
only_uapi() {
	local sys out h bad=0
	sys=$(${CC:-gcc} -E -Wp,-v -xc /dev/null 2>&1 | sed -n 's/^ \(\/.*\)/\1/p')
	mkdir -p "$T/deps"
	out=$(cd "$D" && make -B OUTPUT="$T/deps" USERCFLAGS=-H 2>&1) || { echo "$out"; return 1; }
	while read -r h; do
		h=$(cd "$D" && realpath -m "$h")
		case "$h" in
		"$L/usr/include/"*|"$D/"*|"$KSFT/kselftest.h"|"$KSFT/kselftest_harness.h") continue ;;
		esac
		local ok=
		while read -r s; do
			case "$h" in "$(realpath -m "$s")/"*) ok=1; break ;; esac
		done <<<"$sys"
		[ -n "$ok" ] || { echo "includes $h"; bad=1; }
	done < <(sed -n 's/^\.\+ //p' <<<"$out" | sort -u)
	return $bad
}
check "${CASES[5]}" only_uapi

# kselftest's runner: each program ok, each case a skip, with the timeout
# the settings file gives.
skips() {
	local out n t
	out=$(env -u EDGENPU_REQUIRE_DEVICE make -C "$KSFT" TARGETS=$REL run_tests 2>&1)
	t=$(sed -n 's/^timeout=//p' "$D/settings")
	n=$(grep -cE "^ok [0-9]+ selftests: $REL: " <<<"$out")
	[ "$n" = ${#PROGS[@]} ] || { echo "$out"; echo "$n of ${#PROGS[@]} programs ok"; return 1; }
	if grep -E '^(# )*not ok' <<<"$out"; then
		return 1
	fi
	grep -E '^# ok [0-9]+ ' <<<"$out" | grep -v ' # SKIP ' && { echo "not skipped"; return 1; }
	[ "$(grep -c "^# timeout set to $t\$" <<<"$out")" = ${#PROGS[@]} ] ||
		{ echo "the runner did not take timeout=$t"; return 1; }
}
has_edgenpu() {
	local d
	for d in /sys/class/accel/accel*/device/driver; do
		[ "$(basename "$(readlink "$d" 2>/dev/null)")" = edgenpu ] && return 0
	done
	return 1
}
if has_edgenpu; then
	tap_skip "${CASES[6]}" "this machine has an EdgeNPU"
else
	check "${CASES[6]}" skips
fi

tap_done
