# SPDX-License-Identifier: GPL-2.0
#
# lib.sh - what the jobs run on the test machine share (sourced by
# tools/harness/guest/run.sh and tools/harness/guest/bench.sh; POSIX sh: dash, busybox
# ash).  The caller defines say() and fail().

# wait_run DBG STATUS_FILE - wait for the mymem_test run to end through
# the blocking read of DBG/wait, saving the final status line in
# STATUS_FILE; print the status every 10 s meanwhile, and the time taken
wait_run() {
	wr_dbg=$1 wr_status=$2
	wr_t0=$(cut -d ' ' -f 1 /proc/uptime)
	cat "$wr_dbg/wait" >"$wr_status" &
	wr_waiter=$!
	while kill -0 $wr_waiter 2>/dev/null; do
		sleep 10
		kill -0 $wr_waiter 2>/dev/null && say "  $(cat "$wr_dbg/status")"
	done
	wait $wr_waiter
	wr_t1=$(cut -d ' ' -f 1 /proc/uptime)
	say "in-kernel run ended after $(awk -v a="$wr_t0" -v b="$wr_t1" \
		'BEGIN { printf "%.1f", b - a }') s: $(cat "$wr_status")"
}

# timed_insmod KO LOAD KEY ARGS... - insmod KO/mymem_core.ko with ARGS and
# record the seconds it took as "KEY_s" in the file LOAD; fails like insmod
timed_insmod() {
	ti_ko=$1 ti_load=$2 ti_key=$3
	shift 3
	ti_t0=$(cut -d ' ' -f 1 /proc/uptime)
	insmod "$ti_ko/mymem_core.ko" "$@"
	ti_st=$?
	ti_t1=$(cut -d ' ' -f 1 /proc/uptime)
	ti_s=$(awk -v a="$ti_t0" -v b="$ti_t1" 'BEGIN { printf "%.2f", b - a }')
	if [ $ti_st -ne 0 ]; then
		echo "${ti_key}_error insmod-exit-$ti_st" >>"$ti_load"
		return $ti_st
	fi
	echo "${ti_key}_s $ti_s" >>"$ti_load"
	say "insmod mymem_core${*:+ $*}: $ti_s s"
}

# load_times KO LOAD - the load time of mymem_core at the default size and
# with a 1 GiB buffer (issue 8, target 6), into the file LOAD; the core must
# not be loaded.  Needs a guest with 2 GiB of memory.
load_times() {
	: >"$2"
	if timed_insmod "$1" "$2" default; then
		rmmod mymem_core || fail "rmmod mymem_core"
	else
		fail "insmod mymem_core (default size)"
	fi
	if timed_insmod "$1" "$2" load_1g size=1073741824; then
		lt_got=$(cat /sys/kernel/debug/mymem/size 2>/dev/null)
		echo "load_1g_size ${lt_got:-unknown}" >>"$2"
		[ "$lt_got" = 1073741824 ] ||
			fail "debugfs mymem/size is '${lt_got:-unreadable}', not 1073741824"
		rmmod mymem_core || fail "rmmod mymem_core (1 GiB)"
	else
		fail "insmod mymem_core size=1073741824"
	fi
}
