#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh - the job of `make bench`, in the VM (tools/harness/bin/bench.sh
# boots it with 2048 MiB so that the 1 GiB buffer fits):
#
#   bench.sh KO_DIR BIN_DIR OUT_DIR
#
# The four steps (--- below): one in-kernel run of perf, race and scale
# (mymem_core with MYMEM_CORE_PARAMS, as make bench-locks sets them);
# mymem-bench, mymem-bench -N (the pinned write path against RWF_NOWAIT's
# plain copy) and fio (fio.sh); rmmod's stop time during race runs; the
# load time.  The host (tools/harness/bin/parse-bench.sh) judges the files
# in OUT_DIR; this script only fails when a step could not be done.

ko=${1:?KO_DIR} bin=${2:?BIN_DIR} out=${3:?OUT_DIR}
dbg=/sys/kernel/debug/mymem_test
# Everything explicit, so that the figures do not depend on the defaults
# of the module being benchmarked.
run_args="tests=perf,race,scale sizes=1,64,1024,65536,524288 iterations=1000"
run_args="$run_args workers=50 increments=150000 max_threads=0 rounds=11 point_ms=100"
. "$(dirname "$0")/functions.sh"
job_start bench "$out"

# --- 1. the in-kernel benchmarks
say "insmod mymem_core ${MYMEM_CORE_PARAMS:-}, mymem_test autorun=0"
# shellcheck disable=SC2086 # the parameters are a list
insmod "$ko/mymem_core.ko" ${MYMEM_CORE_PARAMS:-} ||
	{ fail "insmod mymem_core"; exit 1; }
if ! insmod "$ko/mymem_test.ko" autorun=0; then
	fail "insmod mymem_test autorun=0"
	rmmod mymem_core
	exit 1
fi

tr '\n' ' ' </sys/kernel/debug/mymem/stripes >"$out/stripes.txt"
say "mymem_core: $(cat "$out/stripes.txt")"
say "control: run $run_args"
if echo "run $run_args" >$dbg/control; then
	await_run $dbg "$out/status.txt"
	cat $dbg/results.json >"$out/kernel-results.json" ||
		fail "no results.json"
	cat $dbg/results >"$out/kernel-results.txt"
	grep -qx SUCCESS "$out/status.txt" ||
		fail "in-kernel run: $(cat "$out/status.txt")"
else
	fail "write to $dbg/control"
fi
dmesg | grep 'mymem_test: ' >"$out/kernel-dmesg.txt"

# --- 2. user space against tmpfs, the two write paths, fio
say "mymem-bench"
"$bin/mymem-bench" -j "$out/ubench.json" || fail "mymem-bench"
say "mymem-bench -N"
"$bin/mymem-bench" -N -j "$out/ubench-nowait.json" || fail "mymem-bench -N"
rmmod mymem_test || fail "rmmod mymem_test"
say "fio: mymem, brd, tmpfs"
sh "$(dirname "$0")/fio.sh" "$ko" "$out" || fail "fio"

# --- 3. the stop time
# uptime_ms: the guest's clock, in ms
uptime_ms() {
	awk '{ printf "%d", $1 * 1000 }' /proc/uptime
}

# stop_time W: rmmod mymem_test 2 s into a race run of W workers; append
# "wW_module_ms", the module's own figure (from kthread_stop() of the
# run to its end), and "wW_rmmod_ms", the whole rmmod in the guest's clock
# (with W workers busy, starting any process takes long under emulation),
# to stop.txt
stop_time() {
	insmod "$ko/mymem_test.ko" autorun=0 || { fail "insmod mymem_test"; return; }
	echo "run tests=race workers=$1 increments=10000000" >$dbg/control ||
		{ fail "start a race run of $1 workers"; return; }
	n=0
	until case $(cat $dbg/status) in "running race"*) true ;; *) false ;; esac; do
		n=$((n + 1))
		[ $n -le 600 ] || { fail "the race run of $1 workers never ran"; return; }
		sleep 0.1
	done
	sleep 2
	t0=$(uptime_ms)
	rmmod mymem_test || { fail "rmmod mymem_test during the race run"; return; }
	t1=$(uptime_ms)
	own=$(dmesg | sed -n 's/.*mymem_test: unload: the run stopped in \([0-9]*\) ms.*/\1/p' |
		tail -n 1)
	echo "w$1_module_ms ${own:-?}" >>"$out/stop.txt"
	echo "w$1_rmmod_ms $((t1 - t0))" >>"$out/stop.txt"
	say "rmmod during a race run of $1 workers: the run stopped in ${own:-?} ms, rmmod took $((t1 - t0)) ms"
}

: >"$out/stop.txt"
stop_time 50
stop_time 1024
rmmod mymem_core || { fail "rmmod mymem_core"; exit 1; }

# --- 4. load time: the default size for reference, then 1 GiB
load_times "$ko" "$out/load.txt" "$bin"

[ $rc -eq 0 ] && say "done" || say "done, with failures"
exit $rc
