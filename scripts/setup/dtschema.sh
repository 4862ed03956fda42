#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# dt-schema, the checker the kernel's `make dt_binding_check` and `make
# dtbs_check` run, and the 6.12 tree's bindings it checks against, unpacked
# (not installed) under the cache.
#
# Debian ships dt-schema $DTSCHEMA_VERSION in trixie-backports; bookworm's
# is too old, and so is bookworm's jsonschema (4.10: dt-schema needs 4.18
# or later, with the referencing library and its compiled rpds-py, which
# bookworm does not have). So dt-schema runs as trixie runs it: with
# trixie's Python 3.13 and trixie's packages of its dependencies, started
# through trixie's dynamic loader with trixie's C library (its Python needs
# a newer one than bookworm's). They are downloaded through a private apt
# configuration of their own (trixie.sources.list) and the host is not
# touched. One upstream fix is applied to dt-schema 2025.08, without which
# dt-mk-schema crashes on the 6.12 tree's bindings
# (dtschema-fix-schema-id.patch).
#
# The bindings are the 6.12 tree's Documentation/devicetree/bindings (the
# schemas dt-schema validates against, beside its own), with the headers
# examples include (include/dt-bindings, as scripts/dtc/include-prefixes
# has them), from Debian's linux-source-6.12.
#
# Prints two directories on stdout, one a line:
#   $EDGENPU_CACHE/dtschema/$DTSCHEMA_VERSION     the tool
#       bin/dt-doc-validate, dt-mk-schema, dt-extract-example, dt-validate
#       root/   the unpacked packages
#   $EDGENPU_CACHE/dtschema/linux-$KERNEL_ABI     the kernel's side
#       Documentation/devicetree/bindings/, scripts/dtc/include-prefixes/,
#       include/dt-bindings/
. "$(dirname "$0")/common.sh"

TOOL=$EDGENPU_CACHE/dtschema/$DTSCHEMA_VERSION
KSRC=$EDGENPU_CACHE/dtschema/linux-$KERNEL_ABI

# dt-schema, what it imports, and the Python and C library under them.
PKGS=(dt-schema
      python3-jsonschema python3-jsonschema-specifications python3-referencing
      python3-rpds-py python3-attr python3-ruamel.yaml python3-ruamel.yaml.clib
      python3-rfc3987 python3-libfdt libfdt1
      python3.13-minimal libpython3.13-minimal libpython3.13-stdlib
      libc6 libgcc-s1 libexpat1 zlib1g libffi8 libbz2-1.0 liblzma5 libuuid1)
TOOLS=(dt-doc-validate dt-mk-schema dt-extract-example dt-validate)

fetch_tool() {
	local dl=$TOOL.tmp/debs root=$TOOL.tmp/root deb t got
	rm -rf "$TOOL.tmp"
	mkdir -p "$dl" "$root" "$TOOL.tmp/bin"
	(
		APT_DIR=$EDGENPU_CACHE/apt-trixie
		PAPT_SOURCES=$SETUP_DIR/trixie.sources.list
		papt_setup
		ver=$(papt_cache policy dt-schema |
		      awk '/Candidate:/ { print $2 }')
		case $ver in
		"$DTSCHEMA_VERSION"-*) ;;
		*) die "trixie-backports has dt-schema '$ver', not $DTSCHEMA_VERSION" ;;
		esac
		msg "downloading dt-schema $ver and what it runs with (${#PKGS[@]} packages)"
		cd "$dl" && papt download "dt-schema=$ver" "${PKGS[@]:1}" >&2
	)
	for deb in "$dl"/*.deb; do
		dpkg-deb -x "$deb" "$root"
	done
	rm -rf "$dl"
	patch -s -d "$root/usr/lib/python3/dist-packages" -p1 \
		<"$SETUP_DIR/dtschema-fix-schema-id.patch"
	# Each tool runs as trixie's /usr/bin/<tool> would, with trixie's
	# loader, libraries and Python (which finds its standard library and
	# dist-packages under root/usr from where it is).
	for t in "${TOOLS[@]}"; do
		cat >"$TOOL.tmp/bin/$t" <<-EOF
		#!/bin/sh
		# $t from Debian trixie's dt-schema (scripts/setup/dtschema.sh)
		R=\$(cd "\$(dirname "\$0")/.." && pwd)/root
		exec "\$R/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" \\
			--library-path "\$R/usr/lib/x86_64-linux-gnu" \\
			"\$R/usr/bin/python3.13" "\$R/usr/bin/$t" "\$@"
		EOF
		chmod +x "$TOOL.tmp/bin/$t"
	done
	rm -rf "$TOOL"
	mv "$TOOL.tmp" "$TOOL"
	got=$("$TOOL/bin/dt-doc-validate" --version) ||
		die "dt-schema does not start: $TOOL/bin/dt-doc-validate --version"
	[ "$got" = "$DTSCHEMA_VERSION" ] ||
		die "$TOOL/bin/dt-doc-validate --version says $got, not $DTSCHEMA_VERSION"
	touch "$TOOL/.complete"
}

fetch_bindings() {
	local dl=$EDGENPU_CACHE/kernel/debs major=${KERNEL_ABI%.*} srcdeb tmp base
	# (through papt even when the file is there: kernel.sh may be
	# downloading it, and the lock tells when it is complete)
	papt_setup
	mkdir -p "$dl"
	(cd "$dl" && papt download "linux-source-$major" >&2)
	srcdeb=$(ls "$dl"/linux-source-"$major"_*.deb | head -n1)
	msg "extracting the device-tree bindings from $(basename "$srcdeb")"
	rm -rf "$KSRC.tmp"
	mkdir -p "$KSRC.tmp"
	tmp=$(mktemp -d)
	dpkg-deb --fsys-tarfile "$srcdeb" |
		tar -x -C "$tmp" --wildcards './usr/src/linux-source-*.tar.xz'
	base=$(basename "$(ls "$tmp"/usr/src/linux-source-*.tar.xz)" .tar.xz)
	tar -xJf "$tmp/usr/src/$base.tar.xz" -C "$KSRC.tmp" --strip-components=1 \
		"$base/Documentation/devicetree/bindings" "$base/include/dt-bindings" \
		"$base/scripts/dtc/include-prefixes/dt-bindings"
	rm -rf "$tmp"
	rm -rf "$KSRC"
	mv "$KSRC.tmp" "$KSRC"
	touch "$KSRC/.complete"
}

# (in an if, not after ||: set -e holds inside the functions)
if [ ! -e "$TOOL/.complete" ]; then
	fetch_tool
fi
if [ ! -e "$KSRC/.complete" ]; then
	fetch_bindings
fi
echo "$TOOL"
echo "$KSRC"
