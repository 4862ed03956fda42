#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs one suite of make check, after everything it needs is built; each
# suite is a make target (make check-SUITE) and logs to DIR/results in the
# format scripts/ksft-summary reads.
#
#   check.sh SUITE --build DIR [option...]
#
#   host      host tests (ASan/UBSan), run from the repository root, one log
#             each (results/host-NAME.log); --host-tests "BIN..."
#   lint      checkpatch --strict and sparse on the driver and the test
#             board's module (sparse on the arm64 builds too, where the
#             device-tree code is compiled for real: --sparse-arm64 "KDIR
#             MODDIR..."); the module built with W=12, no warning in the
#             driver's own files; the uAPI headers checked as a kernel
#             tree checks its own (headers_check.pl), compiled as C90 and
#             C++98 with -Wpedantic; --kdir, --kroot
#   install   make install/uninstall into a DESTDIR, file by file; the
#             driver exported into a kernel tree, its Kconfig and build;
#             the selftests exported into a copy of the 6.12 source tree
#             and built and run there by kselftest's make; DKMS; a
#             build-only check against the newest kernel Debian offers;
#             --kdir, --kroot, --kdir-newest, --ksft-tree
#   dt        the device-tree bindings checked by dt-schema as the kernel's
#             dt_binding_check checks them, and QEMU virt's tree with the
#             example overlay applied as dtbs_check checks a board's
#   vm-script the guest runner's time limit (tests/vm/time-limit-test.sh):
#             --vm "VM-COMMAND"
#   vm, vm-debug, vm-debug-fuzz, vm-iommu, arm64-vm, arm64-vm-plain
#             a guest running edgenpu-run-tests: --vm "VM-COMMAND", and
#             --tests "RUN-TESTS-ARGS" or --tests-file FILE (one test a
#             line, tests/vm/*.tests)
#   summary   every log of results/: the failures with why, the totals;
#             exit 1 if anything failed
#
# A suite prints one summary line per log and exits 1 if its logs hold a
# failure. make check runs them in three chains (Makefile, "make check").
set -uo pipefail
SUITE=${1:-}
[ $# -gt 0 ] && shift
BUILD= KDIR= KROOT= KDIR_NEWEST= KSFT_TREE= HOST_TESTS= SPARSE_ARM64= VMCMD= TESTS= TESTS_FILE=
while [ $# -gt 0 ]; do
	case "$1" in
	--build) BUILD=$2; shift 2 ;;
	--kdir) KDIR=$2; shift 2 ;;
	--kroot) KROOT=$2; shift 2 ;;
	--kdir-newest) KDIR_NEWEST=$2; shift 2 ;;
	--ksft-tree) KSFT_TREE=$2; shift 2 ;;
	--host-tests) HOST_TESTS=$2; shift 2 ;;
	--sparse-arm64) SPARSE_ARM64=$2; shift 2 ;;
	--vm) VMCMD=$2; shift 2 ;;
	--tests) TESTS=$2; shift 2 ;;
	--tests-file) TESTS_FILE=$2; shift 2 ;;
	*) echo "check.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
if [ -z "$SUITE" ] || [ -z "$BUILD" ]; then
	echo "usage: check.sh SUITE --build DIR [option...]" >&2
	exit 2
fi
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 2
# A suite's own makes (kbuild, the install tests) are not part of the make
# that started it: without its jobserver they would warn, and the lint
# counts every warning.
unset MAKEFLAGS MFLAGS MAKELEVEL
RES=$BUILD/results
mkdir -p "$RES"

# Wraps one program's output in the markers ksft-summary reads.
run_logged() {
	local name=$1 log=$2 st
	shift 2
	echo "edgenpu-test: start $name" >> "$log"
	"$@" >> "$log" 2>&1
	st=$?
	echo "edgenpu-test: end $name exit $st" >> "$log"
	return $st
}

# A check that is not a kselftest program, reported as a one-test result.
run_check() {
	local name=$1 log=$2 out st
	shift 2
	out=$("$@" 2>&1)
	st=$?
	{
		echo "edgenpu-test: start $name"
		[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/# /'
		if [ $st -eq 0 ]; then
			echo "ok 1 $name"
			echo "# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0"
		else
			echo "not ok 1 $name"
			echo "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0"
		fi
		echo "edgenpu-test: end $name exit $st"
	} >> "$log"
}

# The brief summary of @logs; fails if they hold a failure.
report() {
	local st=0 f

	for f in "$@"; do
		scripts/ksft-summary --brief "$f"
	done
	scripts/ksft-summary "$@" > /dev/null || st=1
	return $st
}

checkpatch() {
	local cp="$KROOT/src/scripts/checkpatch.pl --strict --no-tree --terse"

	$cp --ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG \
		-f $(ls driver/*.[ch] | grep -Ev '\.mod\.c$|edgenpu_compat\.h$|edgenpu_trace\.h$') \
		driver/Kconfig driver/Makefile tests/board/*.c tests/board/Kbuild || return 1
	# the one place kernel versions are compared
	$cp --ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG,LINUX_VERSION_CODE,CONSTANT_COMPARISON \
		-f driver/edgenpu_compat.h || return 1
	# TRACE_EVENT()'s layout, as in every trace header of the kernel
	$cp --ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG,OPEN_ENDED_LINE,PARENTHESIS_ALIGNMENT \
		-f driver/edgenpu_trace.h || return 1
	# uAPI headers cannot use BIT(): it is not part of the uAPI
	$cp --ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG,BIT_MACRO -f uapi/drm/*.h
}

sparse_check() {
	local out kdir dir dirs
	out=$(make -s -C "$KDIR" M="$TOP" C=2 CHECK=sparse modules 2>&1)
	if [ -n "$SPARSE_ARM64" ]; then
		read -r kdir dirs <<<"$SPARSE_ARM64"
		for dir in $dirs; do
			out+=$'\n'$(make -s -C "$kdir" M="$(cd "$dir" && pwd)" ARCH=arm64 \
				CROSS_COMPILE=aarch64-linux-gnu- C=2 CHECK=sparse modules 2>&1)
		done
	fi
	printf '%s\n' "$out" | grep -E 'warning:|error:' && return 1
	return 0
}

# The guest's console is the suite's log, ended by the runner's exit status.
vm_suite() {
	local name=$SUITE st cmd args=()
	read -ra cmd <<<"$VMCMD"
	if [ -n "$TESTS_FILE" ]; then
		mapfile -t args < <(grep -v '^[[:space:]]*\(#\|$\)' "$TESTS_FILE")
	else
		read -ra args <<<"$TESTS"
	fi
	rm -f "$RES/$name.log" "$RES/$name.out" "$RES/$name-console.txt"
	"${cmd[@]}" --log "$RES/$name-console.txt" -- edgenpu-run-tests "${args[@]}" \
		> "$RES/$name.out" 2>&1
	st=$?
	{
		cat "$RES/$name-console.txt" 2>/dev/null
		echo "edgenpu-vm: exit $st"
	} > "$RES/$name.log"
	grep -hE 'took [0-9]+ s$|^# (fuzz|storm):' "$RES/$name-console.txt" 2>/dev/null |
		sed "s/^/  | $name: /"
	report "$RES/$name.log"
}

case "$SUITE" in
host)
	rm -f "$RES"/host-*.log
	st=0
	for t in $HOST_TESTS; do
		name=$(basename "$t")
		run_logged "$name" "$RES/host-$name.log" "$t"
		report "$RES/host-$name.log" || st=1
	done
	exit $st
	;;
lint)
	rm -f "$RES/lint.log"
	run_check checkpatch "$RES/lint.log" checkpatch
	run_check sparse "$RES/lint.log" sparse_check
	run_logged kbuild-w12-test "$RES/lint.log" tests/lint/kbuild-w12-test.sh --kdir "$KDIR"
	run_logged uapi-header-test "$RES/lint.log" tests/lint/uapi-header-test.sh \
		--kroot "$KROOT"
	report "$RES/lint.log"
	;;
install)
	rm -f "$RES/install.log"
	run_logged install-test "$RES/install.log" tests/install/install-test.sh \
		--kver "$(basename "$KROOT")" --kdir "$KDIR" --build "$BUILD"
	run_logged intree-test "$RES/install.log" tests/install/intree-test.sh --kdir "$KDIR" \
		--kconfig-conf "$(ls "$KROOT"/usr/lib/linux-kbuild-*/scripts/kconfig/conf | head -n 1)"
	run_logged intree-selftests-test "$RES/install.log" \
		tests/install/intree-selftests-test.sh --ktree "$KSFT_TREE"
	run_logged dkms-test "$RES/install.log" tests/install/dkms-test.sh \
		--kver "$(basename "$KROOT")" --kdir "$KDIR"
	run_logged kbuild-newest-test "$RES/install.log" tests/install/kbuild-test.sh \
		--kdir "$KDIR_NEWEST"
	report "$RES/install.log"
	;;
dt)
	rm -f "$RES/dt.log"
	run_logged dt-binding "$RES/dt.log" tests/dt/dt_binding_check.py --work "$BUILD/dt"
	report "$RES/dt.log"
	;;
vm-script)
	rm -f "$RES/vm-script.log"
	run_logged time-limit-test "$RES/vm-script.log" tests/vm/time-limit-test.sh --vm "$VMCMD"
	report "$RES/vm-script.log"
	;;
vm | vm-debug | vm-debug-fuzz | vm-iommu | arm64-vm | arm64-vm-plain)
	vm_suite
	;;
summary)
	scripts/ksft-summary "$RES"/*.log
	;;
*)
	echo "check.sh: unknown suite $SUITE" >&2
	exit 2
	;;
esac
