#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh - build a debug kernel from a Debian linux-source package.
#
#   debug-kernel.sh KERNEL       build (or bring up to date) a kernel whose
#                                file in tools/harness/configs/kernels/ names
#                                a source= package and fragment= files
#   debug-kernel.sh --dir FLAVOUR   print its build directory
#
# The configuration: allnoconfig plus configs/debug-kernel/'s base.config
# and the kernel's fragment files; an option Kconfig dropped is an error.
# A patch= file there is applied to the source once; make= arguments
# (LLVM=1, RUSTC=...) go to every make.  Under $MYMEM_CACHE (default /var/cache/mymem): src/, each build in
# debug/FLAVOUR/ (modules_install tree in root/), ccache/.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
cd "$top"
. tools/harness/bin/functions.sh
cache=$MYMEM_CACHE

say() {
	echo "[debug-kernel $kernel] $* ($(($(date +%s) - t0)) s)"
}

dir_only=
if [ "${1:-}" = --dir ]; then
	dir_only=1
	shift
fi
[ $# -eq 1 ] || usage
fragment=$(kfact get "$1" fragment) || usage
srcpkg=$(kfact get "$1" source)
patch=$(kfact get "$1" patch)
margs=$(kfact get "$1" make)
[ -n "$fragment" ] || usage
[ -n "$srcpkg" ] || usage
kernel=$1 out=$cache/debug/$1
[ -z "$dir_only" ] || { echo "$out"; exit 0; }

# 1. source, extracted once, patched once
src=$(linux_source "$srcpkg") || die "no $srcpkg to build from"
conf=$here/../configs/debug-kernel
if [ -n "$patch" ] && ! cmp -s "$conf/$patch" "$src/.mymem-patch"; then
	rm -f "$src/.mymem-extracted"	# a new patch goes on a fresh source
	src=$(linux_source "$srcpkg") || die "no $srcpkg to build from"
	(cd "$src" && patch -p1 --no-backup-if-mismatch -F0 -s) \
		<"$conf/$patch" || die "$patch does not apply to $src"
	cp "$conf/$patch" "$src/.mymem-patch"
fi

for tool in gcc make bc flex bison ccache cpio; do
	command -v $tool >/dev/null ||
		die "$tool not found: make deps (tools/harness/bin/deps.sh check-debug)"
done

# 2. configuration: allnoconfig + fragments, every option kept
set -- "$conf/base.config"
for f in $fragment; do
	set -- "$@" "$conf/$f"
done
mkdir -p "$out"
cat "$@" >"$out/.mymem-fragments.new"
if ! cmp -s "$out/.mymem-fragments.new" "$out/.mymem-fragments" ||
   [ ! -f "$out/.config" ]; then
	say "configuring"
	# merge_config's own make would not get make=: it runs here
	# shellcheck disable=SC2086 # make= is a list of arguments
	{ (cd "$src" && ./scripts/kconfig/merge_config.sh -m -O "$out" "$@") &&
		mv "$out/.config" "$out/.mymem-allconfig" &&
		make -C "$src" O="$out" $margs \
			KCONFIG_ALLCONFIG="$out/.mymem-allconfig" allnoconfig; } \
		>"$out/config.log" 2>&1 || {
		tail -n 20 "$out/config.log" >&2
		die "merge_config failed; see $out/config.log"
	}
	missing=$(grep -h '^CONFIG_' "$@" | while IFS= read -r opt; do
		grep -qxF "$opt" "$out/.config" || printf ' %s' "$opt"
	done)
	[ -z "$missing" ] || die "options dropped by Kconfig:$missing"
	mv "$out/.mymem-fragments.new" "$out/.mymem-fragments"
fi
rm -f "$out/.mymem-fragments.new"

# 3. build: the image, and modules for Module.symvers
export CCACHE_DIR="$cache/ccache" CCACHE_DEPEND=1
say "building in $out"
cc=gcc
case " $margs " in *" LLVM=1 "*) cc=clang ;; esac
# shellcheck disable=SC2086
make -C "$src" O="$out" $margs CC="ccache $cc" -j"$(nproc)" bzImage modules \
	>"$out/build.log" 2>&1 || {
	grep -E 'error|Error' "$out/build.log" | head -n 20 >&2
	die "build failed; see $out/build.log"
}
rm -rf "$out/root"
# shellcheck disable=SC2086
make -C "$src" O="$out" $margs INSTALL_MOD_PATH="$out/root" modules_install \
	>>"$out/build.log" 2>&1 || die "modules_install failed; see $out/build.log"
say "built $(cat "$out/include/config/kernel.release"): $out/arch/x86/boot/bzImage"
