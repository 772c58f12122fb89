#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# suite.sh - the guest half of bin/functions.sh's suite, in /mymem:
#
#   suite.sh PART...
#
#   kselftest  run_kselftest.sh (KSELFTESTS: which, default all)
#   kunit      mymem_kunit.ko over mymem_core of each KUNIT_SIZES size
#   tools      guest/tools.sh
#   cycles     mymem_modules.sh's load_run_unload_cycles and kmemleak_clean
#   large      guest/large.sh at the sizes of LARGE_SIZES
#
# KTAP to /results/PART.tap (kunit-SIZE.tap) and the console, the detectors
# to /results/detectors.txt; the host judges.  Exit 1 if a part could not run.

top=/mymem
cd "$top" || exit 1
MYMEM_KO_DIR=$top/ko
PATH=$PATH:$top/bin
export MYMEM_KO_DIR PATH
dbg=/sys/kernel/debug
rc=0

# part NAME COMMAND...: one part's output to /results/NAME.tap
part() {
	p_name=$1
	shift
	echo "[guest] $p_name: $*"
	"$@" 2>&1 | tee "/results/$p_name.tap"
	echo "[guest] $p_name done"
}

# detectors WHEN: one "WHEN key value" line per detector that is on
detectors() {
	{
		echo "cpus $(grep -c '^processor' /proc/cpuinfo)"
		[ -r /proc/lockdep_stats ] &&
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

kselftest() {
	ks_sel=
	for t in ${KSELFTESTS:-}; do
		ks_sel="$ks_sel -t mymem:$t"
	done
	cd kselftest && ./run_kselftest.sh $ks_sel
}

# one KUnit run of the suite over a buffer of $1 bytes ("default")
kunit() {
	ku_arg=
	[ "$1" = default ] || ku_arg=size=$1
	insmod ko/mymem_core.ko $ku_arg || return 1
	if insmod ko/mymem_kunit.ko; then
		cat $dbg/kunit/mymem_core/results
		rmmod mymem_kunit
	else
		echo "Bail out! insmod mymem_kunit.ko failed"
	fi
	rmmod mymem_core
}

detectors before
# kmemleak scans only when a case asks
[ -w $dbg/kmemleak ] && echo scan=off >$dbg/kmemleak

for p; do
	case "$p" in
	kselftest)
		part kselftest kselftest ;;
	kunit)
		for size in ${KUNIT_SIZES:-default}; do
			part "kunit-$size" kunit "$size"
		done ;;
	tools)
		core=${MYMEM_CORE:-mymem_core}
		insmod ko/$core.ko || { rc=1; continue; }
		part tools sh tools/harness/guest/tools.sh "$top/bin"
		rmmod $core || rc=1 ;;
	large)
		# shellcheck disable=SC2086 # a list of sizes
		part large sh tools/harness/guest/large.sh "$top/bin" \
			$LARGE_SIZES ;;
	cycles)
		part cycles env \
			MYMEM_SELFTEST_CASES="load_run_unload_cycles kmemleak_clean" \
			sh kselftest/mymem/mymem_modules.sh ;;
	*)
		echo "[guest] unknown part $p"
		rc=1 ;;
	esac
done
detectors after
exit $rc
