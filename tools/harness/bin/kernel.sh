#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kernel.sh - map a kernel flavour to its packages, release, headers and
# image.
#
# Debian's kernels: 6.1 (linux-image-amd64), 6.12 (linux-image-6.12-amd64)
# and 6.12-rt (linux-image-6.12-rt-amd64, PREEMPT_RT).  The ABI
# (6.1.0-NN-amd64) is read from the installed meta package, never
# hard-coded and never taken from `uname -r` (the build machine's own
# kernel).
#
# The project's debug kernels, built from linux-source-6.1 by
# tools/harness/bin/debug-kernel.sh: 6.1-kasan and 6.1-kcsan.
#
#   kernel.sh pkgs   FLAVOUR  Debian packages it needs
#   kernel.sh krel   FLAVOUR  kernel release, e.g. 6.1.0-56-amd64
#   kernel.sh kdir   FLAVOUR  headers directory (or tree) for make -C
#   kernel.sh image  FLAVOUR  the kernel image to boot
#   kernel.sh moddir FLAVOUR  its lib/modules/KREL directory
#   kernel.sh qemu   FLAVOUR  extra qemu options it boots with
set -eu

here=$(cd "$(dirname "$0")" && pwd)

usage() {
	echo "usage: $0 {pkgs|krel|kdir|image|moddir|qemu} {6.1|6.12|6.12-rt|6.1-kasan|6.1-kcsan}" >&2
	exit 2
}

[ $# -eq 2 ] || usage
what=$1
flavour=$2

case "$flavour" in
6.1)	meta=amd64 ;;
6.12)	meta=6.12-amd64 ;;
6.12-rt) meta=6.12-rt-amd64 ;;
6.1-kasan|6.1-kcsan) meta= ;;
*)	echo "kernel.sh: unknown KERNEL=$flavour (known: 6.1 6.12 6.12-rt 6.1-kasan 6.1-kcsan)" >&2
	exit 2 ;;
esac

if [ -z "$meta" ]; then
	# A debug kernel has no ACPI: qboot, not SeaBIOS, brings up every
	# CPU (see tools/harness/bin/debug-kernel.sh).
	dir=$("$here/debug-kernel.sh" --dir "$flavour")
	case "$what" in
	pkgs)	echo "linux-source-6.1 bc bison flex libelf-dev libssl-dev ccache"
		exit 0 ;;
	qemu)	echo "-bios /usr/share/qemu/qboot.rom"
		exit 0 ;;
	esac
	if [ ! -f "$dir/include/config/kernel.release" ] ||
	   [ ! -f "$dir/arch/x86/boot/bzImage" ]; then
		echo "kernel.sh: $flavour is not built; run: tools/harness/bin/debug-kernel.sh $flavour" >&2
		exit 1
	fi
	krel=$(cat "$dir/include/config/kernel.release")
	case "$what" in
	krel)	echo "$krel" ;;
	kdir)	echo "$dir" ;;
	image)	echo "$dir/arch/x86/boot/bzImage" ;;
	moddir)	echo "$dir/root/lib/modules/$krel" ;;
	*)	usage ;;
	esac
	exit 0
fi

case "$what" in
pkgs)	echo "linux-image-$meta linux-headers-$meta"
	exit 0 ;;
qemu)	exit 0 ;;
esac

deps=$(dpkg-query -W -f='${Depends}' "linux-headers-$meta" 2>/dev/null) || deps=
krel=$(printf '%s\n' "$deps" | tr ',' '\n' |
	sed -n 's/^ *linux-headers-\([^ ]*\).*/\1/p' | head -n 1)
if [ -z "$krel" ]; then
	echo "kernel.sh: linux-headers-$meta is not installed;" \
	     "run: make deps KERNEL=$flavour" >&2
	exit 1
fi

case "$what" in
krel)	echo "$krel" ;;
kdir)	echo "/usr/src/linux-headers-$krel" ;;
image)	echo "/boot/vmlinuz-$krel" ;;
moddir)	echo "/lib/modules/$krel" ;;
*)	usage ;;
esac
