#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh - the job of `make bench`, in the VM (tools/harness/bin/bench.sh
# boots it with 2048 MiB so that the 1 GiB buffer fits):
#
#   bench.sh KO_DIR BIN_DIR OUT_DIR
#
# 1. insmod mymem_core (default size) and mymem_test autorun=0, start one
#    run of perf, race and scale through debugfs control with explicit
#    parameters, wait for it, save results.json;
# 2. mymem-bench -j against /dev/mymem;
# 3. unload both, then time `insmod mymem_core.ko size=1073741824` (and,
#    for reference, the load at the default size) with /proc/uptime.
#
# OUT_DIR gets kernel-results.json, kernel-results.txt, kernel-dmesg.txt,
# status.txt, ubench.json and load.txt ("key value" lines).  The host
# (tools/harness/bin/bench.sh) judges the figures; this script only fails when a step
# could not be done.  POSIX sh (dash, busybox ash).

ko=${1:?KO_DIR} bin=${2:?BIN_DIR} out=${3:?OUT_DIR}
dbg=/sys/kernel/debug/mymem_test
# Everything explicit, so that the figures do not depend on the defaults
# of the module being benchmarked.
run_args="tests=perf,race,scale sizes=1,64,1024,65536,524288 iterations=1000"
run_args="$run_args workers=50 increments=150000 max_threads=0"
rc=0
. "$(dirname "$0")/../bin/functions.sh"

say() {
	echo "[bench] $*"
}

fail() {
	echo "[bench] FAIL: $*"
	rc=1
}

mkdir -p "$out"
mountpoint -q /sys/kernel/debug 2>/dev/null ||
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

# --- 1. the in-kernel benchmarks
say "insmod mymem_core, mymem_test autorun=0"
insmod "$ko/mymem_core.ko" || { fail "insmod mymem_core"; exit 1; }
if ! insmod "$ko/mymem_test.ko" autorun=0; then
	fail "insmod mymem_test autorun=0"
	rmmod mymem_core
	exit 1
fi

say "control: run $run_args"
if echo "run $run_args" >$dbg/control; then
	await_run $dbg "$out/status.txt"
	cat $dbg/results.json >"$out/kernel-results.json" ||
		fail "no results.json"
	cat $dbg/results >"$out/kernel-results.txt"
	grep -q '^done PASS' "$out/status.txt" ||
		fail "in-kernel run: $(cat "$out/status.txt")"
else
	fail "write to $dbg/control"
fi
dmesg | grep 'mymem_test: ' >"$out/kernel-dmesg.txt"

# --- 2. user space against tmpfs
say "mymem-bench"
"$bin/mymem-bench" -j "$out/ubench.json" || fail "mymem-bench"

rmmod mymem_test || fail "rmmod mymem_test"
rmmod mymem_core || { fail "rmmod mymem_core"; exit 1; }

# --- 3. load time: the default size for reference, then 1 GiB
load_times "$ko" "$out/load.txt"

[ $rc -eq 0 ] && say "done" || say "done, with failures"
exit $rc
