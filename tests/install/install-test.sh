#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Checks `make install` / `make uninstall` into a DESTDIR, file by file, as
# a distribution package build would use them. Run from the repository root
# after `make all`; prints kselftest-style TAP.
#
#   install-test.sh --kver KVER --kdir KERNEL_BUILD_DIR [--build DIR]
set -uo pipefail
KVER= KDIR= BUILD=build
while [ $# -gt 0 ]; do
	case "$1" in
	--kver) KVER=$2; shift 2 ;;
	--build) BUILD=$2; shift 2 ;;
	--kdir) KDIR=$2; shift 2 ;;
	*) echo "install-test.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ -n "$KVER" ] && [ -d "$KDIR" ] ||
	{ echo "install-test.sh: --kver and --kdir are required" >&2; exit 2; }

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
D=$T/root
. "$(dirname "$0")/tap.sh"
if ! make -s --no-print-directory install BUILD="$BUILD" DESTDIR="$D" PREFIX=/usr >"$T/install.log" 2>&1; then
	sed 's/^/# /' "$T/install.log"
	tap_not_ok "make install"
	tap_done
	exit
fi
tap_ok "make install DESTDIR PREFIX=/usr"

SONAME=$(readelf -d "$BUILD"/lib/libedgenpu.so.*.*.* | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
REAL=$(basename "$BUILD"/lib/libedgenpu.so.*.*.*)
expected_files() {
	cat <<-LIST
	lib/modules/$KVER/updates/edgenpu.ko 644
	lib/udev/rules.d/70-edgenpu.rules 644
	usr/lib/$REAL 755
	usr/lib/pkgconfig/edgenpu.pc 644
	usr/include/edgenpu/edgenpu.h 644
	usr/include/edgenpu/drm/edgenpu_accel.h 644
	usr/lib/python3/dist-packages/edgenpu/__init__.py 644
	LIST
	for t in edgenpu-info edgenpu-run edgenpu-compile edgenpu-top edgenpu-doctor edgenpu-demo \
		 edgenpu-bench; do
		echo "usr/bin/$t 755"
		echo "usr/share/man/man1/$t.1 644"
	done
}
files_present() {
	local f mode st=0
	while read -r f mode; do
		if [ ! -f "$D/$f" ] || [ -L "$D/$f" ]; then
			echo "missing: $f"; st=1
		elif [ "$(stat -c %a "$D/$f")" != "$mode" ]; then
			echo "$f: mode $(stat -c %a "$D/$f"), expected $mode"; st=1
		fi
	done < <(expected_files)
	return $st
}
check "every file installed with its mode" files_present

nothing_else() {
	local extra
	extra=$(comm -13 <(expected_files | cut -d' ' -f1 | sort) \
		<(cd "$D" && find . -type f | sed 's|^\./||' | sort))
	[ -z "$extra" ] || { echo "unexpected files: $extra"; return 1; }
}
check "no other files installed" nothing_else

soname_links() {
	[ "$SONAME" = libedgenpu.so.0 ] || { echo "soname is '$SONAME'"; return 1; }
	[ "$(readlink "$D/usr/lib/$SONAME")" = "$REAL" ] || { echo "$SONAME -> $(readlink "$D/usr/lib/$SONAME")"; return 1; }
	[ "$(readlink "$D/usr/lib/libedgenpu.so")" = "$SONAME" ] || { echo "libedgenpu.so -> $(readlink "$D/usr/lib/libedgenpu.so")"; return 1; }
	readelf -d "$D/usr/lib/$REAL" | grep -q "(SONAME).*\[$SONAME\]"
}
check "soname $SONAME with its links" soname_links

no_rpath() {
	local f st=0
	for f in "$D/usr/lib/$REAL" "$D"/usr/bin/edgenpu-{info,run,compile}; do
		if readelf -d "$f" | grep -E '\((RPATH|RUNPATH)\)'; then
			echo "$f has a run path"; st=1
		fi
	done
	return $st
}
check "no RPATH or RUNPATH in library and tools" no_rpath

module_installed() {
	local vm
	vm=$(modinfo -F vermagic "$D/lib/modules/$KVER/updates/edgenpu.ko") || return 1
	case "$vm" in "$KVER "*) ;; *) echo "vermagic '$vm' is not for $KVER"; return 1 ;; esac
	# depmod must find it where the module loader will look
	depmod -b "$D" "$KVER" || return 1
	grep -q '^updates/edgenpu.ko:' "$D/lib/modules/$KVER/modules.dep" ||
		{ echo "modules.dep has no updates/edgenpu.ko"; return 1; }
	rm -f "$D/lib/modules/$KVER"/modules.*
}
check "module under /lib/modules/$KVER/updates, found by depmod" module_installed

# An integrator's own kernel: KDIR given, the release taken from it.
own_kernel() {
	local out=$T/own
	make -s --no-print-directory install-module BUILD="$BUILD" KDIR="$KDIR" DESTDIR="$out" ||
		return 1
	[ -f "$out/lib/modules/$KVER/updates/edgenpu.ko" ] ||
		{ echo "installed as: $(cd "$out" && find . -type f)"; return 1; }
}
check "install-module KDIR=... installs for that tree's kernel release" own_kernel

udev_rule() {
	grep -Eq '^SUBSYSTEM=="accel",.*DRIVERS=="edgenpu",.*GROUP="render", MODE="0660"$' \
		"$D/lib/udev/rules.d/70-edgenpu.rules"
}
check "udev rule gives accel nodes to group render, mode 0660" udev_rule

# The Python binding where Debian's python3 looks for packages, importable
# with the installed library.
python_binding() {
	local py=/usr/bin/python3 got
	[ -x "$py" ] || { echo "no $py"; return 1; }
	"$py" -c 'import sys; sys.exit("/usr/lib/python3/dist-packages" not in sys.path)' ||
		{ echo "/usr/lib/python3/dist-packages is not on $py's path"; return 1; }
	got=$(PYTHONPATH="$D/usr/lib/python3/dist-packages" \
	      EDGENPU_LIBRARY="$D/usr/lib/libedgenpu.so.0" "$py" -c \
	      'import edgenpu; print(edgenpu.library_version())') || return 1
	[ "$got" = "$(sed -n 's/^Version: //p' "$D/usr/lib/pkgconfig/edgenpu.pc")" ] ||
		{ echo "the binding says $got"; return 1; }
}
check "python3 imports the installed binding (import edgenpu)" python_binding

# A small program built only from the installed tree, through pkg-config.
cat > "$T/prog.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <edgenpu/edgenpu.h>
#include <edgenpu/drm/edgenpu_accel.h>

int main(void)
{
	char want[32];

	snprintf(want, sizeof(want), "%d.%d.%d", ENPU_LIB_VERSION_MAJOR,
		 ENPU_LIB_VERSION_MINOR, ENPU_LIB_VERSION_PATCH);
	if (strcmp(want, enpu_version_string())) {
		printf("header says %s, library says %s\n", want, enpu_version_string());
		return 1;
	}
	printf("%s %lx\n", enpu_version_string(), (unsigned long)DRM_IOCTL_EDGENPU_QUERY);
	return 0;
}
C
pc_build() {
	local flags out
	# edgenpu.pc's own flags must point into the installed tree; libdrm's
	# (a Requires.private) come from the system, as on a target.
	export PKG_CONFIG_PATH=$D/usr/lib/pkgconfig
	[ "$(pkg-config --modversion edgenpu)" = "${REAL#libedgenpu.so.}" ] ||
		{ echo "pkg-config version $(pkg-config --modversion edgenpu), library $REAL"; return 1; }
	pkg-config --print-requires-private edgenpu | grep -q '^libdrm' ||
		{ echo "edgenpu.pc does not require libdrm"; return 1; }
	flags="$(PKG_CONFIG_SYSROOT_DIR=$D pkg-config --cflags --libs edgenpu) $(pkg-config --cflags libdrm)" ||
		return 1
	case "$flags" in *"-I$D/usr/include "*"-L$D/usr/lib "*) ;;
	*) echo "flags do not point into the installed tree: $flags"; return 1 ;; esac
	# shellcheck disable=SC2086
	cc -std=c11 -Wall -Wextra -Werror -o "$T/prog" "$T/prog.c" $flags || return 1
	readelf -d "$T/prog" | grep -q "(NEEDED).*\[$SONAME\]" ||
		{ echo "prog does not need $SONAME"; return 1; }
	out=$(LD_LIBRARY_PATH=$D/usr/lib "$T/prog") || { echo "$out"; return 1; }
}
check "pkg-config --cflags --libs builds and links a program against the installed tree" pc_build

man_pages() {
	local m out st=0
	for m in "$D"/usr/share/man/man1/*.1; do
		out=$(groff -man -Tutf8 -ww -z "$m" 2>&1)
		[ -z "$out" ] || { echo "$m: $out"; st=1; }
		grep -q "^\.SH SYNOPSIS" "$m" || { echo "$m: no SYNOPSIS"; st=1; }
	done
	return $st
}
check "man pages format without warnings" man_pages

uninstall_clean() {
	local left
	make -s --no-print-directory uninstall BUILD="$BUILD" DESTDIR="$D" PREFIX=/usr || return 1
	left=$(cd "$D" && find . \( -type f -o -type l \) | sed 's|^\./||')
	[ -z "$left" ] || { echo "left behind: $left"; return 1; }
}
check "make uninstall removes every installed file" uninstall_clean

# Package builds pass their own flags: they must reach every compile and
# link, with no run path added.
flags_honoured() {
	local b=$T/build f st=0 line
	make --no-print-directory -j2 BUILD="$b" CFLAGS="-O0 -frecord-gcc-switches -ffunction-sections" \
		CPPFLAGS="-DENPU_PKG_FLAG_TEST" LDFLAGS="-Wl,-z,now" lib tools >"$T/flags.log" 2>&1 ||
		{ tail -n 20 "$T/flags.log"; return 1; }
	# every compiler command make ran (continuation lines joined)
	while read -r line; do
		case "$line" in *-ffunction-sections*) ;;
		*) echo "CFLAGS missing: $line"; st=1 ;; esac
		case "$line" in *-DENPU_PKG_FLAG_TEST*) ;; *.c\ *)
			echo "CPPFLAGS missing: $line"; st=1 ;; esac
		case "$line" in *" -c "*) ;; *"-Wl,-z,now"*) ;;
		*) echo "LDFLAGS missing: $line"; st=1 ;; esac
	done < <(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$T/flags.log" | grep -E '^(cc|gcc) ')
	for f in "$b"/lib/libedgenpu.so.*.*.* "$b"/bin/edgenpu-run; do
		readelf -d "$f" | grep -q 'BIND_NOW' || { echo "$f: not linked with LDFLAGS"; st=1; }
		readelf -p .GCC.command.line "$f" 2>/dev/null | grep -q -- -ffunction-sections ||
			{ echo "$f: not compiled with CFLAGS"; st=1; }
		if readelf -d "$f" | grep -E '\((RPATH|RUNPATH)\)'; then
			echo "$f has a run path"; st=1
		fi
	done
	return $st
}
check "CFLAGS, CPPFLAGS and LDFLAGS reach every compile and link" flags_honoured

tap_done
