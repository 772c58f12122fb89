#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2034 # the facts are read through eval
# kernel.sh - the facts of a kernel, from its file in
# tools/harness/configs/kernels/ (LIST: which targets run which), never
# from its name or uname -r.
#
#   kernel.sh pkgs   KERNEL      Debian packages it needs
#   kernel.sh krel   KERNEL      kernel release, e.g. 6.1.0-57-amd64
#   kernel.sh kdir   KERNEL      headers directory (or tree) for make -C
#   kernel.sh image  KERNEL      the kernel image to boot
#   kernel.sh moddir KERNEL      its lib/modules/KREL directory
#   kernel.sh get    KERNEL KEY  one fact of its file: meta, source,
#                                fragment, patch, make, deps, qemu, install,
#                                detectors, suite
#   kernel.sh list   TARGET      the kernels TARGET runs (check, check-debug)
#   kernel.sh known              every kernel
#
# A Debian kernel names its meta package (meta=; the release comes from the
# installed linux-headers-META), a debug kernel its source= package.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
dir=$here/../configs/kernels
. "$here/functions.sh"

known() {
	for f in "$dir"/*; do
		[ "${f##*/}" = LIST ] || printf '%s ' "${f##*/}"
	done
}

[ $# -ge 1 ] || usage
what=$1
case "$what" in
known)	known; echo; exit 0 ;;
list)	[ $# -eq 2 ] || usage
	l=$(sed -n "s/^$2: *//p" "$dir/LIST")
	[ -n "$l" ] || die "no '$2:' line in $dir/LIST"
	echo "$l"
	exit 0 ;;
get)	[ $# -eq 3 ] || usage ;;
*)	[ $# -eq 2 ] || usage ;;
esac
kernel=$2
[ -f "$dir/$kernel" ] || die "unknown KERNEL=$kernel (known: $(known))"
meta='' source='' fragment='' patch='' make='' deps='' qemu='' install='' detectors='' suite=''
# shellcheck source=/dev/null # a file of data
. "$dir/$kernel"

case "$what" in
get)	case "$3" in
	meta|source|fragment|patch|make|deps|qemu|install|detectors|suite) eval "echo \"\$$3\"" ;;
	*)	usage ;;
	esac
	exit 0 ;;
pkgs)	if [ -n "$source" ]; then
		echo "$source bc bison flex libelf-dev libssl-dev ccache $deps"
	else
		echo "linux-image-$meta linux-headers-$meta"
	fi
	exit 0 ;;
esac

if [ -n "$source" ]; then
	kdir=$("$here/debug-kernel.sh" --dir "$kernel")
	image=$kdir/arch/x86/boot/bzImage
	if [ ! -f "$kdir/include/config/kernel.release" ] || [ ! -f "$image" ]; then
		die "$kernel is not built; run: tools/harness/bin/debug-kernel.sh $kernel"
	fi
	krel=$(cat "$kdir/include/config/kernel.release")
	moddir=$kdir/root/lib/modules/$krel
else
	krel=$(dpkg-query -W -f='${Depends}' "linux-headers-$meta" 2>/dev/null |
		tr ',' '\n' | sed -n 's/^ *linux-headers-\([^ ]*\).*/\1/p' | head -n 1)
	[ -n "$krel" ] ||
		die "linux-headers-$meta is not installed; run: make deps KERNEL=$kernel"
	kdir=/usr/src/linux-headers-$krel image=/boot/vmlinuz-$krel
	moddir=/lib/modules/$krel
fi
case "$what" in
krel|kdir|image|moddir) eval "echo \"\$$what\"" ;;
*)	usage ;;
esac
