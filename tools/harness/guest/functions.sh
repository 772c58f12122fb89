# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash # local (dash, busybox ash)
#
# functions.sh - what the guest jobs (run.sh, bench.sh) share, sourced in
# the VM's /mymem and, for make run-host, in this tree.  POSIX sh (dash,
# busybox ash).

job=job rc=0

# say TEXT / fail TEXT: a job's progress line, "[JOB] TEXT"; a failure also
# sets rc=1.
say() {
	echo "[$job] $*"
}

# shellcheck disable=SC2034 # rc: the job's exit status, the caller's
fail() {
	say "FAIL: $*"
	rc=1
}

# job_start NAME OUT: the job's lines say NAME, OUT exists, debugfs is
# mounted (run-host runs the job on a machine that may not have it).
job_start() {
	job=$1
	mkdir -p "$2"
	mountpoint -q /sys/kernel/debug 2>/dev/null ||
		mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
}

# uptime_s; since T0 [DECIMALS]: seconds of uptime, and since T0
uptime_s() {
	cut -d ' ' -f 1 /proc/uptime
}

since() {
	awk -v a="$1" -v b="$(uptime_s)" -v f="%.${2:-1}f" 'BEGIN { printf f, b - a }'
}

# await_run DBG STATUS_FILE: wait for the mymem_test run to end through the
# blocking read of DBG/wait, keeping its final status line in STATUS_FILE;
# say the status every 10 s meanwhile, and the time taken.
await_run() {
	local t0 waiter
	t0=$(uptime_s)
	cat "$1/wait" >"$2" &
	waiter=$!
	while kill -0 $waiter 2>/dev/null; do
		sleep 10
		kill -0 $waiter 2>/dev/null && say "  $(cat "$1/status")"
	done
	wait $waiter
	say "in-kernel run ended after $(since "$t0") s: $(cat "$2")"
}

# timed_insmod KO LOAD KEY ARGS...: insmod KO/mymem_core.ko with ARGS and
# append "KEY_s SECONDS" to the file LOAD; fails like insmod.
timed_insmod() {
	local ko=$1 load=$2 key=$3 t0 st s
	shift 3
	t0=$(uptime_s)
	insmod "$ko/mymem_core.ko" "$@"
	st=$?
	s=$(since "$t0" 2)
	if [ $st -ne 0 ]; then
		echo "${key}_error insmod-exit-$st" >>"$load"
		return $st
	fi
	echo "${key}_s $s" >>"$load"
	say "insmod mymem_core${*:+ $*}: $s s"
}

# load_times KO LOAD BIN: the load time of mymem_core at the default size
# and with a 1 GiB buffer, and for scale one zeroing pass over 1 GiB
# (BIN/mymem-bench -z), into the file LOAD; the core must not be loaded.
# Needs a guest with 2 GiB of memory.
load_times() {
	local zero got
	: >"$2"
	if timed_insmod "$1" "$2" default; then
		rmmod mymem_core || fail "rmmod mymem_core"
	else
		fail "insmod mymem_core (default size)"
	fi
	if zero=$("$3/mymem-bench" -z 1073741824); then
		echo "zero_1g_s $zero" >>"$2"
	else
		fail "mymem-bench -z 1073741824"
	fi
	if timed_insmod "$1" "$2" load_1g size=1073741824; then
		got=$(cat /sys/kernel/debug/mymem/size 2>/dev/null)
		echo "load_1g_size ${got:-unknown}" >>"$2"
		[ "$got" = 1073741824 ] ||
			fail "debugfs mymem/size is '${got:-unreadable}', not 1073741824"
		rmmod mymem_core || fail "rmmod mymem_core (1 GiB)"
	else
		fail "insmod mymem_core size=1073741824"
	fi
}
