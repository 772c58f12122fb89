# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash # local (dash, busybox ash)
#
# functions.sh - what the guest jobs (run.sh, bench.sh) and /init share.

job='[job]' rc=0

# say TEXT / fail TEXT: "[JOB] TEXT" ("vm-init: TEXT"); fail also sets rc=1
say() {
	echo "$job $*"
}

# shellcheck disable=SC2034 # rc: the job's exit status, the caller's
fail() {
	say "FAIL: $*"
	rc=1
}

# job_start NAME OUT: name the job, make OUT, mount debugfs (run-host)
job_start() {
	job="[$1]"
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

# await_run DBG STATUS_FILE: wait (DBG/wait) for the mymem_test run, its
# final status into STATUS_FILE; the status every 10 s meanwhile
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

# load_times KO LOAD BIN: mymem_core's load time at the default size and
# 1 GiB, and a 1 GiB zeroing pass (mymem-bench -z), into LOAD; needs 2 GiB
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
