#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run-host.sh - `make run-host`: the job of `make run` on this machine's
# own running kernel, for real-hardware numbers.  Needs root, a kernel
# that loads modules, and its headers (/lib/modules/$(uname -r)/build).
# Here, and only here, the target kernel is the running one.
set -eu

top=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$top"
krel=$(uname -r)
kdir=/lib/modules/$krel/build
. tools/harness/bin/functions.sh

[ "$(id -u)" -eq 0 ] || die "must run as root (it loads kernel modules)"
[ -e /proc/modules ] ||
	die "the running kernel $krel has no module support; use 'make run' (QEMU)"
[ -d "$kdir" ] ||
	die "no headers for the running kernel in $kdir; install linux-headers-$krel"
! grep -q '^mymem_' /proc/modules ||
	die "mymem modules are already loaded; rmmod mymem_test mymem_core first"

echo "== build for $krel (KDIR=$kdir)"
make --no-print-directory -s KDIR="$kdir" modules
make --no-print-directory -s -C tools

out=$top/results/host-$krel
rm -rf "$out"
echo "== run on this machine"
rc=0
sh tools/harness/guest/run.sh "build/$krel" tools/bin "$out" || rc=$?
if [ $rc -eq 0 ]; then
	tools/harness/bin/report.sh "$out" || rc=1
fi
echo "results in $out/"
[ $rc -eq 0 ] && echo "make run-host: PASS ($krel)" ||
	echo "make run-host: FAIL ($krel)"
exit $rc
