#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# check-debug.sh - the guest half of `make check-debug`, run by
# tools/harness/bin/check-debug.sh in a debug kernel from /mymem.  Each suite's KTAP goes
# to /results/<suite>.tap; /results/detectors.txt says which bug detectors
# were active before and after (the host checks them).  The exit status is
# 0 unless the suites could not be run at all.

cd /mymem || exit 1
MYMEM_KO_DIR=/mymem/ko
export MYMEM_KO_DIR
dbg=/sys/kernel/debug

# suite NAME COMMAND...
suite() {
	name=$1
	shift
	echo "[guest] $name: $*"
	"$@" 2>&1 | tee "/results/$name.tap"
	echo "[guest] $name done"
}

# detectors WHEN: one "WHEN key value" line per detector
detectors() {
	{
		echo "cpus $(grep -c '^processor' /proc/cpuinfo)"
		echo "lockdep $(sed -n 's/^ *debug_locks: *//p' /proc/lockdep_stats)"
		[ -e $dbg/kmemleak ] && echo "kmemleak 1"
		dmesg | grep -q 'KernelAddressSanitizer initialized' &&
			echo "kasan 1"
		if [ -r $dbg/kcsan ]; then
			echo "kcsan $(sed -n 's/^enabled: *//p' $dbg/kcsan)"
			echo "kcsan_watchpoints $(sed -n 's/^setup_watchpoints: *//p' $dbg/kcsan)"
		fi
		[ -d $dbg/kunit ] && echo "kunit 1"
	} | sed "s/^/$1 /" >>/results/detectors.txt
}

detectors before
# kmemleak scans when asked (the kmemleak_clean cases, which look for
# mymem's objects), not every 10 minutes in the middle of another case
[ -w $dbg/kmemleak ] && echo scan=off > $dbg/kmemleak
suite mymem_modules sh selftests/mymem_modules.sh
# the fault sweeps check cleanup and leaks: KASAN and kmemleak watch them;
# the KCSAN kernel has nothing to add there (MYMEM_FAULTS=0)
if [ "${MYMEM_FAULTS:-1}" = 1 ]; then
	suite mymem_faults sh selftests/mymem_faults.sh
fi

insmod ko/mymem_core.ko || exit 1
echo "[guest] kunit: insmod ko/mymem_kunit.ko"
insmod ko/mymem_kunit.ko || exit 1
cp $dbg/kunit/mymem_core/results /results/kunit.tap
cat /results/kunit.tap
rmmod mymem_kunit || exit 1
suite mymem_dev ./selftests/mymem_dev
suite tools sh guest/tools.sh /mymem/bin
rmmod mymem_core || exit 1
detectors after
exit 0
