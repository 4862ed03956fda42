#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds a debug x86-64 guest kernel from Debian's linux-source-6.12 (the
# version pinned by KERNEL_ABI): a lean configuration (allnoconfig plus
# kernel-debug.config) with KASAN, lockdep, kmemleak, DEBUG_OBJECTS, the
# DMA-API checks, UBSAN and fault injection, and with what edgenpu.ko needs
# built in. Its release is <version>-edgenpu-debug, never Debian's.
#
# Prints the kernel root directory (KROOT) on stdout, laid out like
# scripts/setup/kernel.sh's, for `scripts/vm/edgenpu-vm --kernel-root KROOT`:
#   boot/vmlinuz-<ver>               the guest kernel (and its System.map,
#                                    config-<ver>)
#   lib/modules/<ver>/               its modules (depmod'ed; build -> KDIR)
#   usr/src/linux-headers-<ver>/     the module build tree (KDIR), standalone:
#                                    make -C KDIR M=DIR modules
#
# The result is cached under $EDGENPU_CACHE/kernel/linux-<version>-debug-<hash>,
# the hash covering this script, kernel-debug.config, the linux-source
# package's file name and the Kconfig text added to the tree; builds of
# other hashes are removed. The build runs out of tree (O=) under the
# cache, niced, one at a time; a line of progress every 30 seconds.
. "$(dirname "$0")/common.sh"

SELF=$SETUP_DIR/$(basename "${BASH_SOURCE[0]}")
FRAGMENT=$SETUP_DIR/kernel-debug.config
DRIVER_KCONFIG=$TOP_DIR/driver/Kconfig
DEPS_SYMBOL=EDGENPU_DEBUG_DEPS

major=${KERNEL_ABI%.*}		# 6.12
upstream=${KERNEL_ABI%%+*}	# 6.12.95
dl=$EDGENPU_CACHE/kernel/debs

find_srcdeb() { ls "$dl"/linux-source-"$major"_"$upstream"-*_all.deb 2>/dev/null | tail -n1 || true; }
srcdeb=$(find_srcdeb)
if [ -z "$srcdeb" ]; then
	papt_setup
	mkdir -p "$dl"
	msg "downloading linux-source-$major"
	(cd "$dl" && papt download "linux-source-$major" >&2)
	srcdeb=$(find_srcdeb)
	[ -n "$srcdeb" ] || die "no linux-source-$major $upstream (the version KERNEL_ABI pins) in $dl"
fi

# The Kconfig symbol added to the tree: the driver is built out of tree, so
# its `select`s never act on this kernel, and what they select has no prompt.
[ -f "$DRIVER_KCONFIG" ] || die "$DRIVER_KCONFIG missing"
mapfile -t selects < <(
	awk '$1 == "select" { $1 = ""; sub(/^ +/, ""); print }' "$DRIVER_KCONFIG" |
		awk '!seen[$1]++')
[ ${#selects[@]} -gt 0 ] || die "no select in $DRIVER_KCONFIG"
kconfig_text=$(
	printf '\n# added by edgenpu scripts/setup/kernel-debug.sh\n'
	printf 'config %s\n' "$DEPS_SYMBOL"
	printf '\tbool "Build in what the out-of-tree EdgeNPU driver selects"\n'
	printf '\tdepends on DRM_ACCEL\n'
	printf '\tselect %s\n' "${selects[@]}"
	printf '\thelp\n'
	printf '\t  %s\n' \
		"Not part of Linux: added by the edgenpu project's debug-kernel" \
		"set-up script. edgenpu.ko is built out of tree, so the symbols its" \
		"Kconfig selects (the DRM GPU scheduler, the GEM shmem helpers, ...)" \
		"have no prompt here and nothing else in a lean configuration" \
		"selects them. This option selects the same symbols (generated from" \
		"the driver's Kconfig) so" \
		"that they are built in and the guest loads no other module."
)

hash=$( { sha256sum "$SELF" "$FRAGMENT" | cut -d' ' -f1
	  basename "$srcdeb"
	  printf '%s\n' "$kconfig_text"; } | sha256sum | cut -c1-12)
KROOT=$EDGENPU_CACHE/kernel/linux-$upstream-debug-$hash
if [ -e "$KROOT/.complete" ]; then
	echo "$KROOT"
	exit 0
fi

# One kernel build at a time (make -j may start several set-up scripts).
mkdir -p "$EDGENPU_CACHE/kernel"
exec {lock_fd}>"$EDGENPU_CACHE/kernel/.debug-kernel.lock"
if ! flock -n "$lock_fd"; then
	msg "waiting for another debug-kernel build to finish"
	flock "$lock_fd"
fi
if [ -e "$KROOT/.complete" ]; then
	echo "$KROOT"
	exit 0
fi

BUILD=$KROOT.build
SRC=$BUILD/src OBJ=$BUILD/obj LOG=$BUILD/build.log
ticker=
cleanup() { [ -z "$ticker" ] || kill "$ticker" 2>/dev/null || true; }
trap cleanup EXIT
start=$SECONDS
elapsed() { local s=$((SECONDS - start)); printf '%dm%02ds' $((s / 60)) $((s % 60)); }

# (a failed build's tree stays for a look until the next build starts)
for old in "$EDGENPU_CACHE"/kernel/linux-*-debug-*.build \
	   "$EDGENPU_CACHE"/kernel/linux-*-debug-*.tmp; do
	[ ! -e "$old" ] || rm -rf "$old"
done
mkdir -p "$SRC" "$OBJ"
msg "unpacking $(basename "$srcdeb") into $BUILD"
dpkg-deb --fsys-tarfile "$srcdeb" |
	tar -xO --wildcards './usr/src/linux-source-*.tar.xz' |
	tar -xJ -C "$SRC" --strip-components=1
grep -q "^config $DEPS_SYMBOL\$" "$SRC/drivers/accel/Kconfig" &&
	die "$DEPS_SYMBOL already in the tree"
printf '%s\n' "$kconfig_text" >> "$SRC/drivers/accel/Kconfig"

kmake() { nice -n 10 make -C "$SRC" O="$OBJ" "$@"; }

# allnoconfig with the fragment (merge_config.sh -n), then olddefconfig; an
# option the fragment sets that did not survive (unmet dependency, hidden
# symbol, misspelling) is an error.
msg "configuring: allnoconfig + $(basename "$FRAGMENT") + $DEPS_SYMBOL (selects ${selects[*]})"
(cd "$SRC" && nice -n 10 scripts/kconfig/merge_config.sh -n -O "$OBJ" "$FRAGMENT") \
	> "$BUILD/config.log" 2>&1 || { cat "$BUILD/config.log" >&2; die "merge_config.sh failed"; }
kmake -s olddefconfig >> "$BUILD/config.log" 2>&1 ||
	{ cat "$BUILD/config.log" >&2; die "olddefconfig failed"; }
dropped=()
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*)
		grep -qxF -- "$line" "$OBJ/.config" || dropped+=("$line") ;;
	"# CONFIG_"*" is not set")
		name=${line#\# }; name=${name%% *}
		! grep -q "^$name=" "$OBJ/.config" || dropped+=("$line") ;;
	esac
done < "$FRAGMENT"
if [ ${#dropped[@]} -gt 0 ]; then
	msg "the configuration lost options kernel-debug.config sets:"
	for d in "${dropped[@]}"; do
		name=${d#\# }; name=${name%%[= ]*}
		msg "  wanted: $d; got: $(grep -E "^$name=" "$OBJ/.config" || echo 'not set')"
	done
	die "configuration check failed ($OBJ/.config)"
fi
rel=$(kmake -s kernelrelease)
case "$rel" in
*-edgenpu-debug) ;;
*) die "unexpected kernel release $rel (LOCALVERSION should be -edgenpu-debug)" ;;
esac

# The build, its output in build.log; every 30 s a line of progress.
nproc=$(nproc)
msg "building $rel with make -j$nproc under nice (log: $LOG)"
(
	exec >/dev/null
	n=0
	while sleep 1; do
		n=$((n + 1))
		[ $((n % 30)) -eq 0 ] || continue
		steps=$(grep -c '^  [A-Z]' "$LOG" 2>/dev/null || true)
		last=$(tail -n1 "$LOG" 2>/dev/null | sed 's/^ *//' | cut -c1-70)
		msg "kernel build: $(elapsed), $steps steps done; $last"
	done
) &
ticker=$!
st=0
kmake -j"$nproc" all > "$LOG" 2>&1 || st=$?
kill "$ticker" 2>/dev/null || true
wait "$ticker" 2>/dev/null || true
ticker=
if [ "$st" -ne 0 ]; then
	msg "kernel build failed; the end of $LOG:"
	grep -E 'error|Error' "$LOG" | head -n 20 >&2 || true
	tail -n 30 "$LOG" >&2
	die "kernel build failed after $(elapsed) (tree kept in $BUILD)"
fi
nwarn=$(grep -c 'warning:' "$LOG" || true)
msg "kernel built in $(elapsed): $(grep -c '^  [A-Z]' "$LOG") steps, $nwarn compiler warnings"
[ "$nwarn" -eq 0 ] || grep 'warning:' "$LOG" | head -n 10 >&2

# The kernel root: image, modules (depmod'ed by modules_install), and a
# standalone module build tree made the way the kernel's own packages make
# theirs (scripts/package/install-extmod-build).
T=$KROOT.tmp
KDIR_REL=usr/src/linux-headers-$rel
mkdir -p "$T/boot" "$T/$KDIR_REL"
cp "$OBJ/arch/x86/boot/bzImage" "$T/boot/vmlinuz-$rel"
cp "$OBJ/System.map" "$T/boot/System.map-$rel"
cp "$OBJ/.config" "$T/boot/config-$rel"
msg "installing modules and the module build tree"
kmake -s INSTALL_MOD_PATH="$T" modules_install >> "$BUILD/install.log" 2>&1 ||
	{ cat "$BUILD/install.log" >&2; die "modules_install failed"; }
kmake -s run-command \
	KBUILD_RUN_COMMAND="$SRC/scripts/package/install-extmod-build $T/$KDIR_REL" \
	>> "$BUILD/install.log" 2>&1 ||
	{ cat "$BUILD/install.log" >&2; die "install-extmod-build failed"; }
cp "$OBJ/.config" "$T/$KDIR_REL/.config"
# modules_install points build at the (temporary) O= directory
ln -sfn "../../../$KDIR_REL" "$T/lib/modules/$rel/build"
[ -e "$T/lib/modules/$rel/modules.dep" ] || depmod -b "$T" "$rel"
[ -e "$T/lib/modules/$rel/modules.dep" ] || die "no modules.dep"

# The tree must build a module that this kernel accepts.
msg "checking the module build tree with a one-file module"
probe=$BUILD/probe
mkdir -p "$probe"
printf 'obj-m := probe.o\n' > "$probe/Kbuild"
cat > "$probe/probe.c" <<'EOF'
#include <linux/module.h>
static int __init probe_init(void) { return 0; }
static void __exit probe_exit(void) { }
module_init(probe_init);
module_exit(probe_exit);
MODULE_DESCRIPTION("kernel-debug.sh build check");
MODULE_LICENSE("GPL");
EOF
make -C "$T/$KDIR_REL" M="$probe" modules > "$probe/build.log" 2>&1 ||
	{ cat "$probe/build.log" >&2; die "a module does not build against $T/$KDIR_REL"; }
! grep -q 'warning:' "$probe/build.log" ||
	{ cat "$probe/build.log" >&2; die "warnings building a module against $T/$KDIR_REL"; }
vermagic=$(modinfo -F vermagic "$probe/probe.ko")
[ "${vermagic%% *}" = "$rel" ] || die "module vermagic '$vermagic' is not $rel's"

rm -rf "$KROOT"
mv "$T" "$KROOT"
touch "$KROOT/.complete"
rm -rf "$BUILD"
# Only the newest debug kernel stays in the cache.
for old in "$EDGENPU_CACHE"/kernel/linux-*-debug-*; do
	case "$old" in "$KROOT") continue ;; esac
	[ -e "$old" ] || continue
	msg "removing the older debug kernel $(basename "$old")"
	rm -rf "$old"
done
msg "debug kernel $rel ready after $(elapsed) (vermagic: $vermagic); KDIR: $KROOT/$KDIR_REL"
echo "$KROOT"
