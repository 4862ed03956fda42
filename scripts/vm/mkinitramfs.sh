#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the guest initramfs (uncompressed newc cpio).
#
#   mkinitramfs.sh KROOT STAGE MODULE OUT
#
# KROOT   unpacked kernel (scripts/setup/kernel.sh)
# STAGE   tree installed with DESTDIR (library, tools, tests); its ELF
#         files get their shared libraries copied from the host
# MODULE  edgenpu.ko; the modules it depends on are resolved through the
#         kernel's modules.dep and loaded first, in dependency order
# OUT     the cpio file to write
#
# Environment:
#   BUSYBOX        static busybox for the guest (default /bin/busybox)
#   LIB_SEARCH     for a cross-built stage: colon-separated directories the
#                  stage's shared libraries are taken from (they go to the
#                  guest's /lib; the program interpreter to its own path)
#                  instead of asking the host's ldd
set -euo pipefail
KROOT=$1 STAGE=$2 MODULE=$3 OUT=$4
HERE=$(cd "$(dirname "$0")" && pwd)
KVER=$(ls "$KROOT/lib/modules")
MODDIR=$KROOT/lib/modules/$KVER
BUSYBOX=${BUSYBOX:-/bin/busybox}

[ -x "$BUSYBOX" ] || { echo "mkinitramfs: $BUSYBOX missing (busybox-static)" >&2; exit 1; }
case "$(ldd "$BUSYBOX" 2>&1 || true)" in *"not a dynamic"*) false ;; esac &&
	{ echo "mkinitramfs: $BUSYBOX is not static" >&2; exit 1; }

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/lib,etc/edgenpu,proc,sys,dev,tmp,root,lib/modules/deps,lib/modules/edgenpu}
cp "$BUSYBOX" "$root/bin/busybox"
install -m 0755 "$HERE/init" "$root/init"
install -m 0755 "$HERE/run-tests" "$root/bin/edgenpu-run-tests"
cp -a "$STAGE"/. "$root"/
cp "$MODULE" "$root/lib/modules/edgenpu/edgenpu.ko"

# Kernel module chain: depth-first over "depends", so every module comes
# after what it needs.
declare -A path_of seen
while IFS=: read -r p _; do
	n=${p##*/}; n=${n%%.ko*}; n=${n//-/_}	# (no process per line: ~4,000 lines)
	path_of[$n]=$p
done < "$MODDIR/modules.dep"
order=()
visit() {
	local n=${1//-/_} d
	[ -n "${seen[$n]:-}" ] && return
	seen[$n]=1
	[ -n "${path_of[$n]:-}" ] || { echo "mkinitramfs: module $n not in $KVER" >&2; exit 1; }
	for d in $(modinfo -F depends "$MODDIR/${path_of[$n]}" | tr ',' ' '); do
		visit "$d"
	done
	order+=("$n")
}
for d in $(modinfo -F depends "$MODULE" | tr ',' ' '); do
	visit "$d"
done
for n in "${order[@]}"; do
	p=$MODDIR/${path_of[$n]}
	case "$p" in
	*.xz) xz -dc "$p" > "$root/lib/modules/deps/$n.ko" ;;
	*.zst) zstd -qdc "$p" > "$root/lib/modules/deps/$n.ko" ;;
	*) cp "$p" "$root/lib/modules/deps/$n.ko" ;;
	esac
done
printf '%s\n' "${order[@]}" > "$root/lib/modules/edgenpu-load-order"

# The ELF files under the stage's /usr (not /usr/share: data, the goldens
# among it), told by their magic without a process per file.
elf_files() {
	local f magic
	find "$root/usr" -path "$root/usr/share" -prune -o -type f -print 2>/dev/null |
		while read -r f; do
			LC_ALL=C IFS= read -r -n 4 magic < "$f" 2>/dev/null || true
			if [ "$magic" = $'\x7fELF' ]; then echo "$f"; fi
		done
}

# Cross-built stage: follow DT_NEEDED through LIB_SEARCH.
if [ -n "${LIB_SEARCH:-}" ]; then
	find_lib() {
		local d
		IFS=: read -ra dirs <<<"$LIB_SEARCH"
		for d in "${dirs[@]}"; do
			[ -e "$d/$1" ] && { echo "$d/$1"; return 0; }
		done
		return 1
	}
	mapfile -t queue < <(elf_files)
	declare -A have
	while [ ${#queue[@]} -gt 0 ]; do
		f=${queue[0]}
		queue=("${queue[@]:1}")
		interp=$(readelf -lW "$f" | sed -n 's/.*program interpreter: \(.*\)]$/\1/p')
		if [ -n "$interp" ] && [ ! -e "$root$interp" ]; then
			src=$(find_lib "$(basename "$interp")") ||
				{ echo "mkinitramfs: no $interp in $LIB_SEARCH" >&2; exit 1; }
			mkdir -p "$root$(dirname "$interp")"
			cp -L "$src" "$root$interp"
		fi
		for n in $(readelf -dW "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
			[ -n "${have[$n]:-}" ] && continue
			have[$n]=1
			[ -e "$root/usr/lib/$n" ] && continue	# from the stage
			src=$(find_lib "$n") ||
				{ echo "mkinitramfs: $f needs $n, not in $LIB_SEARCH" >&2; exit 1; }
			mkdir -p "$root/lib"
			cp -L "$src" "$root/lib/$n"
			queue+=("$root/lib/$n")
		done
	done
	(cd "$root" && find . -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc --quiet) > "$OUT"
	exit 0
fi

# Shared libraries of every dynamically linked program in the stage.
elf_files | while read -r f; do
	LD_LIBRARY_PATH="$root/usr/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
		ldd "$f" 2>/dev/null | awk '/=> \// { print $3 } /^\t\/[^ ]+ \(/ { print $1 }'
done | sort -u | while read -r lib; do
	case "$lib" in "$root"/*) continue ;; esac
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
# The dynamic loader, also under the name x86-64 binaries ask for.
[ -e "$root/lib64/ld-linux-x86-64.so.2" ] || {
	mkdir -p "$root/lib64"
	cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
}

(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --quiet) > "$OUT"
