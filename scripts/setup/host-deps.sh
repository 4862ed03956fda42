#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian 12 packages edgenpu builds with (only the missing ones).
# gcc-12-multilib (for QEMU's option ROMs) rather than the gcc-multilib meta
# package, which conflicts with the aarch64 cross compiler.
. "$(dirname "$0")/common.sh"

PKGS=(build-essential pkg-config libdrm-dev busybox-static cpio xz-utils
      kmod ccache ninja-build flex bison python3-venv dpkg-dev
      libglib2.0-dev libfdt-dev libpixman-1-dev zlib1g-dev gcc-12-multilib
      seabios sparse dwarves groff-base dkms graphviz gnuplot-nox
      device-tree-compiler yamllint python3-yaml python3-numpy
      libelf-dev libssl-dev bc gdb
      gcc-aarch64-linux-gnu libc6-dev-arm64-cross)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
msg "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# another apt (unattended upgrades, a parallel job) may hold the lock: wait
lock=(-o DPkg::Lock::Timeout=600)
as_root apt-get -q "${lock[@]}" update >&2
as_root apt-get -q -y "${lock[@]}" --no-install-recommends install "${missing[@]}" >&2
