#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kernel.sh - map a kernel flavour (6.1, 6.12, 6.12-rt) to Debian's packages
# and to the installed release, headers and image.  The ABI (6.1.0-NN-amd64)
# is read from the installed meta package, never hard-coded and never taken
# from `uname -r` (the build machine's own kernel).
#
#   kernel.sh pkgs  FLAVOUR   meta packages: image and headers
#   kernel.sh krel  FLAVOUR   kernel release, e.g. 6.1.0-56-amd64
#   kernel.sh kdir  FLAVOUR   headers directory for make -C
#   kernel.sh image FLAVOUR   the kernel image to boot
set -eu

usage() {
	echo "usage: $0 {pkgs|krel|kdir|image} {6.1|6.12|6.12-rt}" >&2
	exit 2
}

[ $# -eq 2 ] || usage
what=$1
flavour=$2

case "$flavour" in
6.1)	meta=amd64 ;;
6.12)	meta=6.12-amd64 ;;
6.12-rt) meta=6.12-rt-amd64 ;;
*)	echo "kernel.sh: unknown KERNEL=$flavour (known: 6.1 6.12 6.12-rt)" >&2
	exit 2 ;;
esac

if [ "$what" = pkgs ]; then
	echo "linux-image-$meta linux-headers-$meta"
	exit 0
fi

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
*)	usage ;;
esac
