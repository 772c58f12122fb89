#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - `make run`: install what is missing, build, boot Debian's kernel
# (KERNEL=6.1 by default) in QEMU with the modules and tools, run the whole
# job (tools/harness/guest/run.sh) there, bring the results back to
# results/<release>/ and make the report there (tools/harness/bin/report.sh).
# Exit status 0 exactly when the run passed.
set -eu

top=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$top"
kernel=${KERNEL:-6.1}
. tools/harness/bin/functions.sh

HOSTLOAD=$(cut -d ' ' -f 1 /proc/loadavg)
export HOSTLOAD
vm_prepare "$kernel"
out=$top/results/$krel
phase "boot $krel in QEMU and run"
rc=0
# TSC, not HPET, as the guest's clock: see tools/harness/bin/bench.sh
vm_job "$kernel" "$out" tools/harness/guest/run.sh --mem 2048 \
	--append "clocksource=tsc tsc=reliable" \
	--timeout "${RUN_TIMEOUT:-1800}" || rc=$?

if [ $rc -eq 0 ]; then
	phase "report"
	tools/harness/bin/report.sh "$out" || rc=1
	# the performance targets from this run's figures (make bench runs
	# them alone, on a quiet machine); a MISS does not fail the run
	phase "performance targets (as make bench judges them)"
	$harness/bin/parse-bench.sh "$out" "$HOSTLOAD" || true
fi

phase "done"
echo "results in $out/"
if [ $rc -eq 0 ]; then
	echo "make run: PASS ($krel)"
else
	echo "make run: FAIL ($krel, rc=$rc; console log: $out/vm/console.log)"
fi
exit $rc
