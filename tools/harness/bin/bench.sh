#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh - `make bench`: the performance targets, measured side by side
# in one VM run and judged one by one.
#
#   bench.sh     build, boot KERNEL (default 6.1) in QEMU with 2048 MiB, run
#                tools/harness/guest/bench.sh there, judge the figures with
#                parse-bench.sh against tools/harness/configs/bench/targets
#
# Everything goes to results/bench-<release>/ (or $BENCH_OUT): bench.txt
# (the verdicts, also printed), figures.txt, the guest's raw files (the
# ones parse-bench.sh reads: `parse-bench.sh DIR` judges them again) and
# vm/ (console, dmesg).  Exit status 0 exactly when the job ran, measured
# every target and none is MISS; a MISS is a result, printed as such, and
# exits 1; the scaling target is "not measured here" when the machine's
# own ceiling shows no two CPUs at work (printed, not a failure).  The
# figures want the machine to themselves: a host load average above 0.5
# is waited on for up to 3 minutes, then warned about.
set -eu

top=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$top"

kernel=${KERNEL:-6.1}
. tools/harness/bin/functions.sh

# busy: whether the host's 1-minute load average (now in hostload) is
# above 0.5
busy() {
	hostload=$(cut -d ' ' -f 1 /proc/loadavg)
	awk -v l="$hostload" 'BEGIN { exit !(l > 0.5) }'
}
# A job that just ended (make results' run before this one) still shows
# in that average: give it up to 3 minutes to settle.
if busy; then
	echo "bench: host load average $hostload > 0.5: waiting up to 3 min for it to settle"
	n=0
	while [ $n -lt 18 ] && busy; do
		sleep 10
		n=$((n + 1))
	done
fi
if busy; then
	echo "bench: WARNING: host load average $hostload > 0.5: something else is" >&2
	echo "bench: WARNING: running; benchmarks must run alone, the figures will be noisy" >&2
fi

$harness/bin/deps.sh bench "$kernel"
vm_prepare "$kernel"
out=${BENCH_OUT:-$top/results/bench-$krel}
phase "boot $krel in QEMU (2048 MiB) and run the benchmarks"
rc=0
# The guest reads the TSC, not the HPET it picks under TCG: an HPET read
# is emulated under QEMU's global lock, so timing calls in two vCPUs at
# once would serialise them and the scaling figures would measure that.
vm_job "$kernel" "$out" tools/harness/guest/bench.sh --mem 2048 --bin fio \
	--append "clocksource=tsc tsc=reliable" \
	--timeout "${BENCH_TIMEOUT:-1800}" || rc=$?

phase "evaluate"
erc=0
$harness/bin/parse-bench.sh "$out" "$hostload" >"$out/bench.txt" || erc=$?
cat "$out/bench.txt"
phase "done"
echo "results in $out/"
if [ $rc -ne 0 ]; then
	echo "make bench: FAIL: the bench job failed (rc=$rc; console log: $out/vm/console.log)"
elif [ $erc -ne 0 ]; then
	echo "make bench: MISS: at least one target is not met ($krel)"
elif grep -q 'not measured here (no data)' "$out/bench.txt"; then
	echo "make bench: FAIL: the job left a target without its figures ($krel)"
else
	echo "make bench: PASS: every target met ($krel)"
	exit 0
fi
exit 1
