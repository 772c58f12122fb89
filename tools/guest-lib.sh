# SPDX-License-Identifier: GPL-2.0
#
# guest-lib.sh - what the jobs run on the test machine share (sourced by
# tools/run-guest.sh and tools/bench-guest.sh; POSIX sh: dash, busybox
# ash).  The caller defines say().

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
