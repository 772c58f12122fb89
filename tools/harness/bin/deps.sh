#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh - install the Debian packages mymem needs, if any are missing.
#
#   deps.sh [run|bench|check|check-debug|check-rust] FLAVOUR...
#
# run:   what `make run` needs for the given kernel flavours (default)
# bench: that plus fio, the client make bench runs in the guest
# check: that plus the static-analysis tools `make check` uses
# check-debug, check-rust: what the kernels of that LIST line need, and
# the kselftest framework (a debug kernel's source)
# As root, missing packages are installed; otherwise the command is printed.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
set_name=run
case "${1:-}" in
run|bench|check) set_name=$1; shift ;;
check-debug|check-rust)
	set_name=$1
	shift
	# shellcheck disable=SC2046 # a list of kernels
	set -- $("$here/kernel.sh" list "$set_name") $("$here/kernel.sh" list check-debug) "$@" ;;
esac
[ $# -gt 0 ] || set -- 6.1

pkgs="make gcc libc6-dev rustc-web qemu-system-x86 busybox-static cpio gzip
      xz-utils kmod jq gnuplot-nox rsync"
[ "$set_name" != bench ] || pkgs="$pkgs fio"
if [ "$set_name" = check ]; then
	# checkpatch and the kselftest framework: a debug kernel's source
	# shellcheck disable=SC2046 # the first of a list
	src=$("$here/kernel.sh" get $(set -- $("$here/kernel.sh" list check-debug)
		echo "$1") source)
	pkgs="$pkgs sparse $src perl dkms"
fi
for flavour; do
	pkgs="$pkgs $("$here/kernel.sh" pkgs "$flavour")"
	pkgs=$(echo $pkgs | tr ' ' '\n' | sort -u)
done

missing=
for p in $pkgs; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null) || status=
	[ "$status" = installed ] || missing="$missing $p"
done
[ -n "$missing" ] || exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "mymem needs these Debian packages:$missing" >&2
	echo "run as root: apt-get update && apt-get install -y$missing" >&2
	exit 1
fi

echo "[deps] installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
echo "[deps] done"
