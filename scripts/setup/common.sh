# SPDX-License-Identifier: MIT
# Shared settings for the edgenpu set-up scripts (sourced, not run).
#
# Everything downloaded or built outside the clone lives under $EDGENPU_CACHE
# so a fresh clone reuses it, and nothing here touches the host's own apt
# sources or kernel: the extra suites live in a private apt configuration.

set -euo pipefail

EDGENPU_CACHE=${EDGENPU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/edgenpu}
SETUP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP_DIR=$(cd "$SETUP_DIR/../.." && pwd)

# shellcheck source=versions.env
. "$SETUP_DIR/versions.env"

APT_DIR=$EDGENPU_CACHE/apt
PAPT_SOURCES=$SETUP_DIR/edgenpu.sources.list

# Started by make, these scripts run their own make -j: they are not part
# of the caller's jobserver (whose descriptors they do not have).
unset MAKEFLAGS MFLAGS

msg() { printf '[edgenpu] %s\n' "$*" >&2; }
die() { printf '[edgenpu] error: %s\n' "$*" >&2; exit 1; }

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"
	elif command -v sudo >/dev/null; then sudo "$@"
	else die "need root to run: $*"; fi
}

# apt with the project's own sources (scripts/setup/edgenpu.sources.list) and
# its own state under the cache: used to download, never to install. A
# script that needs another suite set sets PAPT_SOURCES and APT_DIR (its
# own state) before papt_setup.
papt_setup() {
	mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/archives/partial"
	PAPT_OPTS=(-o "Dir::Etc::SourceList=$PAPT_SOURCES"
		   -o Dir::Etc::SourceParts=/dev/null
		   -o "Dir::State::Lists=$APT_DIR/lists"
		   -o "Dir::Cache=$APT_DIR" -o Dir::Cache::pkgcache=
		   -o Dir::Cache::srcpkgcache=
		   -o "Dir::Cache::archives=$APT_DIR/archives"
		   -o APT::Architectures::=amd64 -o APT::Architectures::=arm64
		   -o APT::Sandbox::User=root -o Debug::NoLocking=1)
	local stamp=$APT_DIR/lists/.updated
	papt_lock
	if [ ! -e "$stamp" ] || [ "$PAPT_SOURCES" -nt "$stamp" ]; then
		msg "updating the project's apt lists ($(grep -c '^deb' "$PAPT_SOURCES") suites)"
		apt-get -q "${PAPT_OPTS[@]}" update >&2
		touch "$stamp"
	fi
	papt_unlock
}

# The private apt state has no lock of its own (Debug::NoLocking), and
# make -j runs several set-up scripts at once: one apt at a time, by flock.
papt_lock() {
	exec {PAPT_LOCK_FD}>"$APT_DIR/.edgenpu-lock"
	flock "$PAPT_LOCK_FD"
}
papt_unlock() { exec {PAPT_LOCK_FD}>&-; }

# (a file another script is downloading is complete when the lock is free,
# and apt-get download skips a file already there)
papt() {
	local st=0
	papt_lock
	apt-get -q "${PAPT_OPTS[@]}" "$@" || st=$?
	papt_unlock
	return "$st"
}
papt_cache() { apt-cache "${PAPT_OPTS[@]}" "$@"; }

# A kernel tree from Debian's linux-source package, with Debian's build
# configuration (.config, Module.symvers) for one flavour taken from its
# linux-headers package -- the starting point for preparing a tree with
# this host's (cross) compiler.
#   debian_source_tree SOURCE-DEB HEADERS-DEB KVER TREE
debian_source_tree() {
	local srcdeb=$1 hdrdeb=$2 kver=$3 tree=$4 hdr
	mkdir -p "$tree"
	msg "unpacking $(basename "$srcdeb")"
	dpkg-deb --fsys-tarfile "$srcdeb" |
		tar -xO --wildcards './usr/src/linux-source-*.tar.xz' |
		tar -xJ -C "$tree" --strip-components=1
	hdr=$(mktemp -d)
	dpkg-deb -x "$hdrdeb" "$hdr"
	cp "$hdr/usr/src/linux-headers-$kver/.config" "$tree/.config"
	cp "$hdr/usr/src/linux-headers-$kver/Module.symvers" "$tree/Module.symvers"
	rm -rf "$hdr"
}
