#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# edgenpu-vm's time limit: a guest whose command never ends is stopped
# with status 124, and first it and QEMU say where they are (QEMU's run
# state, the guest kernel's answers to SysRq, QEMU's threads), so that a
# guest that hangs in CI is not silent. x86_64 only (the SysRq keys go
# through its keyboard controller). Prints kselftest-style TAP.
#
#   time-limit-test.sh --vm "EDGENPU-VM COMMAND AND OPTIONS"
set -uo pipefail
VM=
while [ $# -gt 0 ]; do
	case "$1" in
	--vm) VM=$2; shift 2 ;;
	*) echo "time-limit-test.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ -n "$VM" ] || { echo "time-limit-test.sh: --vm is required" >&2; exit 2; }
read -ra vm <<<"$VM"
. "$(dirname "$0")/../install/tap.sh"

# Long enough for the guest to boot on a busy host (about 10 s alone
# under TCG); should it not, the guest's answers are skipped, not failed.
LIMIT=45
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"${vm[@]}" --no-load --timeout "$LIMIT" -- \
	sh -c 'echo time-limit-test: the command hangs; exec sleep 100000' > "$log" 2>&1
st=$?

has() { grep -qE -- "$1" "$log" || { echo "no line matching '$1' in:"; tail -n 40 "$log"; false; }; }
check "exit status 124 (got $st)" test "$st" -eq 124
check "the limit is reported" has "^edgenpu-vm: ${LIMIT}s time limit reached"
check "QEMU answers its monitor" has '^VM status: running'
if grep -q '^time-limit-test: the command hangs' "$log"; then
	check "the guest's blocked tasks (SysRq w)" has 'sysrq: Show Blocked State'
	check "the guest's CPU backtraces (SysRq l)" has 'sysrq: Show backtrace of all active CPUs'
	check "the guest's backtraces name functions" has 'Call Trace:'
else
	for c in "SysRq w" "SysRq l" "backtraces"; do
		tap_skip "$c" "the guest did not reach its command within ${LIMIT}s"
	done
fi
if command -v gdb >/dev/null; then
	check "QEMU's threads' backtraces" has '^Thread [0-9]+ .*qemu'
	check "QEMU's main thread is among them" has '^#[0-9]+ .* (qemu_main|main) '
else
	tap_skip "QEMU's threads" "no gdb (scripts/setup/host-deps.sh installs it)"
	tap_skip "QEMU's main thread" "no gdb"
fi
tap_done
