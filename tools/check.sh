#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs every edgenpu test and prints one summary; called by `make check`
# after everything is built.
#
#   check.sh --build DIR --kdir DIR --kroot DIR --kdir-newest DIR
#            --ksft-tree DIR --host-tests "BIN..." [--sparse-arm64 "KDIR MODDIR..."]
#            [--arm64-vm "VM-COMMAND"]
#            [--arm64-vm-plain "VM-COMMAND"] [--vm-iommu "VM-COMMAND"]
#            [--vm-debug "VM-COMMAND" --debug-suite "RUN-TESTS-ARGS"
#             [--vm-debug-fuzz "VM-COMMAND"] --debug-fuzz "RUN-TESTS-ARGS"]
#            -- VM-COMMAND...
#   check.sh --build DIR --only arm64 --arm64-vm ... --arm64-vm-plain ...
#
# Suites, each logged to DIR/results/<suite>.log in one format
# (tools/ksft-summary reads them):
#   host-*   host tests (ASan/UBSan), run from the repository root
#   lint     checkpatch --strict and sparse on the driver and the test
#            board's module (sparse on the arm64 builds too, where the
#            device-tree code is compiled for real and the board module is
#            built: --sparse-arm64 names the arm64 kernel tree and the
#            build directories); the module built with W=12, no warning
#            in the driver's own files; the uAPI headers installed and
#            checked as a kernel tree's (headers_check.pl), compiled as
#            C90 and C++98 with -Wpedantic
#   install  make install/uninstall into a DESTDIR, file by file; the
#            driver exported into a kernel tree, its Kconfig and build;
#            the selftests exported into a copy of the 6.12 source tree
#            (--ksft-tree) and built and run there by kselftest's make;
#            DKMS add/build/install/remove; a build-only check against
#            the newest kernel Debian offers (--kdir-newest)
#   dt       the device-tree bindings checked by dt-schema as the kernel's
#            dt_binding_check checks them, and QEMU virt's tree with the
#            example overlay applied as dtbs_check checks a board's
#   vm-debug-fuzz, vm-debug
#            the ioctl fuzzer and the fault storm; the whole guest suite:
#            two guests on the debug kernel (KASAN, lockdep, kmemleak,
#            DMA-API debug, UBSAN, fault injection), any kernel report or
#            leak failing the run (--vm-debug; --debug-fuzz, --debug-suite:
#            what edgenpu-run-tests runs in each). They start first, each
#            at the head of a chain of guests (the arm64 guests after the
#            whole suite, the IOMMU guest after the fuzzer), so that two
#            guests run at a time beside the host checks
#   vm       the kselftests and library tests inside the QEMU guest, on
#            Debian's kernel, when there is no debug kernel (the debug
#            suite runs the same tests)
#   arm64-vm the same on the arm64 guest (QEMU virt, the NPU found through
#            the device tree, wired as dts/examples/qemu-virt-npu.dtso
#            says)
#   arm64-vm-plain  probe, platform, job and model tests on the node QEMU
#            writes by itself (no clocks, carve-out or address width), for
#            a device that is not DMA-coherent
#   vm-iommu the x86-64 guest with a VT-d IOMMU in front of the NPU (strict
#            invalidation): probe, buffers, jobs, imports, recovery, every
#            golden op case and model, with the NPU's DMA translated
set -uo pipefail
BUILD= KDIR= KROOT= KDIR_NEWEST= KSFT_TREE= HOST_TESTS= ARM64_VM= ARM64_VM_PLAIN= VM_IOMMU= ONLY=
VM_DEBUG= DEBUG_SUITE= VM_DEBUG_FUZZ= DEBUG_FUZZ=
SPARSE_ARM64=
while [ $# -gt 0 ]; do
	case "$1" in
	--build) BUILD=$2; shift 2 ;;
	--kdir) KDIR=$2; shift 2 ;;
	--kroot) KROOT=$2; shift 2 ;;
	--kdir-newest) KDIR_NEWEST=$2; shift 2 ;;
	--ksft-tree) KSFT_TREE=$2; shift 2 ;;
	--host-tests) HOST_TESTS=$2; shift 2 ;;
	--sparse-arm64) SPARSE_ARM64=$2; shift 2 ;;
	--arm64-vm) ARM64_VM=$2; shift 2 ;;
	--arm64-vm-plain) ARM64_VM_PLAIN=$2; shift 2 ;;
	--vm-iommu) VM_IOMMU=$2; shift 2 ;;
	--vm-debug) VM_DEBUG=$2; shift 2 ;;
	--debug-suite) DEBUG_SUITE=$2; shift 2 ;;
	--debug-fuzz) DEBUG_FUZZ=$2; shift 2 ;;
	--vm-debug-fuzz) VM_DEBUG_FUZZ=$2; shift 2 ;;
	--only) ONLY=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "check.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 2
RES=$BUILD/results
rm -rf "$RES"
mkdir -p "$RES"

# A suite's heading, with the seconds since check.sh started.
section() {
	echo "== $* [${SECONDS} s]"
}

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

# The guest's console is the suite's log, ended by the runner's exit status.
#   vm_suite NAME "VM-COMMAND" [TEST...]
vm_suite() {
	local name=$1 st cmd
	read -ra cmd <<<"$2"
	shift 2
	"${cmd[@]}" --log "$RES/$name-console.txt" -- edgenpu-run-tests "$@" \
		> "$RES/$name.out" 2>&1
	st=$?
	{
		cat "$RES/$name-console.txt" 2>/dev/null
		echo "edgenpu-vm: exit $st"
	} > "$RES/$name.log"
}

ARM64_PLAIN_TESTS=(edgenpu_probe_test edgenpu_platform_test edgenpu_submit_test
		   model_golden_npu_test)
arm64_full() {
	[ -n "$ARM64_VM" ] && vm_suite arm64-vm "$ARM64_VM"
	return 0
}
arm64_plain() {
	[ -n "$ARM64_VM_PLAIN" ] &&
		vm_suite arm64-vm-plain "$ARM64_VM_PLAIN" "${ARM64_PLAIN_TESTS[@]}"
	return 0
}
arm64_suites() {
	arm64_full
	arm64_plain
}

if [ "$ONLY" = arm64 ]; then
	section "arm64 VM tests (QEMU virt, the NPU through the device tree)"
	arm64_suites
	section "summary"
	tools/ksft-summary "$RES"/arm64-vm*.log
	exit
fi

IOMMU_TESTS=(edgenpu_probe_test edgenpu_bo_test edgenpu_submit_test
	     edgenpu_prime_test edgenpu_recovery_test graph_golden_npu_test
	     model_golden_npu_test libedgenpu_device_test libedgenpu_multi_test
	     edgenpu_python_test edgenpu_top_test)
# Two guests at a time, beside the host checks here, in two chains of
# about the same length: the debug kernel's whole suite (it replaces the
# suite on Debian's kernel, which still runs the IOMMU guest's), then the
# arm64 guest's; the fuzzer's debug guest, then the IOMMU guest, then the
# arm64 guest without the NPU's optional resources. make check
# gives each guest one host thread (--tcg-thread single): more guests, or
# vCPUs on their own threads, leave vCPUs spinning for others the host is
# not running.
debug_pid=
if [ -n "$VM_DEBUG$ARM64_VM" ]; then
	{
		if [ -n "$VM_DEBUG" ]; then
			read -ra dargs <<<"$DEBUG_SUITE"
			vm_suite vm-debug "$VM_DEBUG" "${dargs[@]}"
		fi
		arm64_full
	} &
	debug_pid=$!
fi
chain_pid=
if [ -n "$VM_DEBUG$VM_IOMMU$ARM64_VM_PLAIN" ]; then
	{
		if [ -n "$VM_DEBUG" ] && [ -n "$DEBUG_FUZZ" ]; then
			read -ra fargs <<<"$DEBUG_FUZZ"
			vm_suite vm-debug-fuzz "${VM_DEBUG_FUZZ:-$VM_DEBUG}" "${fargs[@]}"
		fi
		[ -n "$VM_IOMMU" ] && vm_suite vm-iommu "$VM_IOMMU" "${IOMMU_TESTS[@]}"
		arm64_plain
	} &
	chain_pid=$!
fi

section "host tests"
for t in $HOST_TESTS; do
	name=$(basename "$t")
	run_logged "$name" "$RES/host-$name.log" "$t"
	tools/ksft-summary --brief "$RES/host-$name.log"
done

section "lint: checkpatch --strict, sparse, W=12, uAPI headers"
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
run_check checkpatch "$RES/lint.log" checkpatch
run_check sparse "$RES/lint.log" sparse_check
run_logged kbuild-w12-test "$RES/lint.log" tests/lint/kbuild-w12-test.sh --kdir "$KDIR"
run_logged uapi-header-test "$RES/lint.log" tests/lint/uapi-header-test.sh --kroot "$KROOT"
tools/ksft-summary --brief "$RES/lint.log"

section "install: make install DESTDIR=..., make uninstall, in-tree build and selftests, DKMS"
run_logged install-test "$RES/install.log" \
	tests/install/install-test.sh --kver "$(basename "$KROOT")" --kdir "$KDIR" --build "$BUILD"
run_logged intree-test "$RES/install.log" \
	tests/install/intree-test.sh --kdir "$KDIR" \
	--kconfig-conf "$(ls "$KROOT"/usr/lib/linux-kbuild-*/scripts/kconfig/conf | head -n 1)"
run_logged intree-selftests-test "$RES/install.log" \
	tests/install/intree-selftests-test.sh --ktree "$KSFT_TREE"
run_logged dkms-test "$RES/install.log" \
	tests/install/dkms-test.sh --kver "$(basename "$KROOT")" --kdir "$KDIR"
run_logged kbuild-newest-test "$RES/install.log" \
	tests/install/kbuild-test.sh --kdir "$KDIR_NEWEST"
tools/ksft-summary --brief "$RES/install.log"

section "device-tree bindings: dt-schema (dt_binding_check; dt-validate on QEMU virt's tree)"
run_logged dt-binding "$RES/dt.log" tests/dt/dt_binding_check.py --work "$BUILD/dt"
tools/ksft-summary --brief "$RES/dt.log"

# The suite in the foreground streams its guest's output.
#   fg_suite NAME "VM-COMMAND" [edgenpu-run-tests ARG...]
fg_suite() {
	local name=$1 st cmd
	read -ra cmd <<<"$2"
	shift 2
	"${cmd[@]}" --log "$RES/$name-console.txt" -- edgenpu-run-tests "$@" 2>&1 |
		sed "s/^/  | /"
	st=${PIPESTATUS[0]}
	{
		cat "$RES/$name-console.txt" 2>/dev/null
		echo "edgenpu-vm: exit $st"
	} > "$RES/$name.log"
	tools/ksft-summary --brief "$RES/$name.log"
}

if [ -z "$VM_DEBUG" ]; then
	section "VM tests (QEMU TCG guest with the EdgeNPU)"
	fg_suite vm "$*"
fi

if [ -n "$chain_pid" ]; then
	wait "$chain_pid"
	section "ran alongside, one after the other: the debug kernel's ioctl fuzzer and" \
		"fault storm, the x86-64 VM behind an IOMMU on Debian's kernel (two NPUs)," \
		"the arm64 VM without the NPU's optional resources"
	if [ -e "$RES/vm-debug-fuzz.log" ]; then
		grep -hE '^# (fuzz|storm):|took [0-9]+ s$' "$RES/vm-debug-fuzz-console.txt" \
			2>/dev/null | sed 's/^/  | /'
		tools/ksft-summary --brief "$RES/vm-debug-fuzz.log"
	fi
	[ -e "$RES/vm-iommu.log" ] && tools/ksft-summary --brief "$RES/vm-iommu.log"
	[ -e "$RES/arm64-vm-plain.log" ] && tools/ksft-summary --brief "$RES/arm64-vm-plain.log"
fi
if [ -n "$debug_pid" ]; then
	wait "$debug_pid"
	section "ran alongside, one after the other: the whole suite on the debug kernel" \
		"(leaks scanned after it), the arm64 VM tests (QEMU virt, the NPU through" \
		"the device tree)"
	grep -hE 'took [0-9]+ s$' "$RES/vm-debug-console.txt" 2>/dev/null | sed 's/^/  | /'
	for f in "$RES"/vm-debug.log "$RES"/arm64-vm.log; do
		[ -e "$f" ] && tools/ksft-summary --brief "$f"
	done
fi

section "summary"
tools/ksft-summary "$RES"/*.log
