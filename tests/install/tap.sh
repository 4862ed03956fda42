# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# kselftest-style TAP for the shell tests in tests/install (sourced).
#
#   check NAME CMD...   one test: passes when CMD succeeds; CMD's output
#                       is printed as diagnostics when it fails
#   tap_skip NAME WHY   one explicit skip
#   tap_skip_all WHY NAME...  every named test skipped, totals, exit 0
#   tap_done            the "# Totals:" line; exit status 1 if any failed
TAP_N=0 TAP_PASS=0 TAP_FAIL=0 TAP_SKIP=0
echo "TAP version 13"

tap_ok() { TAP_N=$((TAP_N + 1)); TAP_PASS=$((TAP_PASS + 1)); echo "ok $TAP_N $1"; }
tap_not_ok() { TAP_N=$((TAP_N + 1)); TAP_FAIL=$((TAP_FAIL + 1)); echo "not ok $TAP_N $1"; }
tap_skip() { TAP_N=$((TAP_N + 1)); TAP_SKIP=$((TAP_SKIP + 1)); echo "ok $TAP_N $1 # SKIP $2"; }

check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		tap_ok "$name"
	else
		printf '%s\n' "$out" | sed 's/^/# /'
		tap_not_ok "$name"
		return 1
	fi
}

tap_done() {
	echo "# Totals: pass:$TAP_PASS fail:$TAP_FAIL xfail:0 xpass:0 skip:$TAP_SKIP error:0"
	[ "$TAP_FAIL" -eq 0 ]
}

tap_skip_all() {
	local why=$1 c
	shift
	for c in "$@"; do tap_skip "$c" "$why"; done
	tap_done
	exit
}
