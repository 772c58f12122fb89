#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# mymem_lib.sh - what the mymem kselftest scripts share (sourced, POSIX sh):
# kernel-log checks after each case, finding and (un)loading the modules,
# the test module's debugfs interface, and the case runner, which reports
# through ktap_helpers.sh.
#
# A script sets CASES (case names; each is a function case_NAME) and may
# set NEEDS (more tools it needs), then sources this file and calls
# ktap_main.  MYMEM_KO_DIR and MYMEM_SELFTEST_CASES are read here (see
# mymem_modules.sh).
#
# shellcheck disable=SC2086 # $CORE, $TEST, $DEV and the like have no spaces

. "$(cd "$(dirname "$0")" && pwd)/ktap_helpers.sh"

CORE=mymem_core
TEST=mymem_test
DBG=/sys/kernel/debug
CDIR=$DBG/mymem
TDIR=$DBG/mymem_test
DEV=/dev/mymem
script_dir=$(cd "$(dirname "$0")" && pwd)
krel=$(uname -r)

# Kernel log lines that fail the case they appear in: one extended regex a
# line in kernel_problems, which the VM harness (vm.sh) reads too.
BAD_LOG=$(paste -s -d '|' "$script_dir/kernel_problems")
# A script may set OK_LOG to a pattern of lines it expects despite BAD_LOG.
# A stack frame line: "[  1.234] ? name+0x1/0x2 [module]"
FRAME='^(\[ *[0-9.]+\])? +(\? )?[A-Za-z0-9_.]+\+0x[0-9a-f]+/0x[0-9a-f]+'
# Taint flags a case must not add: B bad page, D die, W warning, L lockup.
BAD_TAINT=$((32 + 128 + 512 + 16384))

# --- case verdicts ----------------------------------------------------------

case_failed=0
case_skip=

diag()
{
	ktap_print_msg "$*"
}

# Print a command's output (or a file) as diagnostic lines.
diag_lines()
{
	sed 's/^/#   /'
}

fail()
{
	case_failed=1
	echo "# FAIL: $*"
}

skip()
{
	case_skip=$*
}

count_words()
{
	echo $#
}

# --- time, log marks ---------------------------------------------------------

# Monotonic centiseconds from /proc/uptime ("12345.67 ...").
now_cs()
{
	read -r up _ < /proc/uptime
	echo $(( ${up%.*} * 100 + 1${up#*.} - 100 ))
}

# bounded SECS COMMAND...: run COMMAND, print its output, return its status;
# if it has not returned after SECS seconds, say so and return 124.  A hang
# bound, not a speed test: a command stuck in the kernel cannot be killed,
# so it is left behind.
bounded()
{
	b_secs=$1
	shift
	b_out=$(mktemp)
	"$@" > "$b_out" 2>&1 &
	b_pid=$!
	b_end=$(( $(now_cs) + b_secs * 100 ))
	while kill -0 $b_pid 2>/dev/null; do
		if [ "$(now_cs)" -ge $b_end ]; then
			echo "'$*' has not returned after $b_secs s"
			rm -f "$b_out"
			return 124
		fi
		sleep 0.1 2>/dev/null || sleep 1
	done
	wait $b_pid
	b_rc=$?
	cat "$b_out"
	rm -f "$b_out"
	return $b_rc
}

mark_seq=0
cur_mark=

# Write a unique marker into the kernel log; the log is checked from it on.
mark_log()
{
	mark_seq=$((mark_seq + 1))
	cur_mark="mymem-selftest: [$mark_seq] $*"
	echo "$cur_mark" > /dev/kmsg
}

# The kernel log after the current marker; fails if the marker has been
# overwritten in the ring buffer.  The marker is nearly always among the
# last lines: look there first, so that a long run does not reread the
# whole log after every step.
log_since_mark()
{
	dmesg | tail -n 3000 | awk -v m="$cur_mark" '
		f { print } index($0, m) { f = 1 } END { exit !f }' ||
	dmesg | awk -v m="$cur_mark" '
		f { print } index($0, m) { f = 1 } END { exit !f }'
}

# Fail the case on any bad line (or new bad taint) since the marker, then
# start a new marker.
check_log()
{
	log=$(log_since_mark) || {
		diag "log marker '$cur_mark' was overwritten; checking the whole log"
		log=$(dmesg)
	}
	# stack frames name functions (lockdep_*, kasan_*): not reports
	bad=$(printf '%s\n' "$log" | grep -vE "$FRAME" | grep -E "$BAD_LOG" |
	      grep -v 'mymem-selftest:' | grep -vE "${OK_LOG:-^\$}")
	if [ -n "$bad" ]; then
		fail "kernel log reports a problem:"
		printf '%s\n' "$bad" | head -n 40 | diag_lines
	fi
	taint=$(cat /proc/sys/kernel/tainted)
	new=$(( (taint ^ taint0) & taint & BAD_TAINT ))
	if [ "$new" -ne 0 ]; then
		fail "kernel taint went from $taint0 to $taint"
	fi
	taint0=$taint
	mark_log "$*"
}

# --- modules -------------------------------------------------------------------

find_ko()
{
	if [ -n "${MYMEM_KO_DIR:-}" ]; then
		dirs=$MYMEM_KO_DIR
	else
		dirs="$script_dir $script_dir/../../../../$1
		      /lib/modules/$krel/extra /lib/modules/$krel/updates"
	fi
	for d in $dirs; do
		[ -d "$d" ] || continue
		f=$(find "$d" -maxdepth 3 -name "$1.ko*" 2>/dev/null | head -n 1)
		if [ -n "$f" ]; then
			echo "$f"
			return 0
		fi
	done
	return 1
}

is_loaded()
{
	lsmod | grep -q "^$1 "
}

# insmod with the output shown on failure; returns insmod's status.
load()
{
	ko=$CORE_KO
	[ "$1" = "$TEST" ] && ko=$TEST_KO
	shift
	if ! out=$(insmod "$ko" "$@" 2>&1); then
		fail "insmod $(basename "$ko") $*: $out"
		return 1
	fi
	return 0
}

unload()
{
	if ! out=$(rmmod "$1" 2>&1); then
		fail "rmmod $1: $out"
		return 1
	fi
	return 0
}

# Leave nothing loaded (between cases; not part of any case's verdict).
unload_all()
{
	is_loaded $TEST && rmmod $TEST 2>/dev/null
	is_loaded $CORE && rmmod $CORE 2>/dev/null
	if is_loaded $TEST || is_loaded $CORE; then
		diag "could not unload the modules:"
		lsmod | grep mymem | diag_lines
	fi
}

# Nothing of the test module left: not loaded, no debugfs directory.
expect_test_gone()
{
	is_loaded $TEST && fail "$TEST is still loaded ($*)"
	[ -e "$TDIR" ] && fail "$TDIR still exists ($*)"
}

expect_core_gone()
{
	is_loaded $CORE && fail "$CORE is still loaded ($*)"
	[ -e "$CDIR" ] && fail "$CDIR still exists ($*)"
	[ -e "$DEV" ] && fail "$DEV still exists ($*)"
}

# A counter of the core's stats file: "name: value", "name = value" or
# "name value".
stat_of()
{
	sed -n "s/^[[:space:]]*$1[[:space:]:=]*\([0-9-][0-9]*\).*/\1/p" \
		"$CDIR/stats" | head -n 1
}

# After the test module is gone, the core has no handle open any more.
expect_no_open_handles()
{
	h=$(stat_of open_now)
	if [ -z "$h" ]; then
		diag "no open_now in $CDIR/stats: handle leaks not checked"
	elif [ "$h" -ne 0 ]; then
		fail "$h mymem handles still open ($*): leaked by $TEST"
	fi
}

# --- the test module's debugfs interface ------------------------------------------

status()
{
	cat "$TDIR/status" 2>/dev/null
}

# Block until no run is going (at most $1 s); print the status line.
wait_run()
{
	if command -v timeout > /dev/null 2>&1; then
		timeout "$1" cat "$TDIR/wait"
	else
		cat "$TDIR/wait"
	fi
}

# Write a command to control in one write(2); on failure print the error
# (dd names the errno, shell builtins may not) and return non-zero.
control()
{
	if ! out=$(printf '%s\n' "$*" |
		   dd of="$TDIR/control" bs=1024 conv=notrunc 2>&1); then
		printf '%s\n' "$out" | grep -v records
		return 1
	fi
	return 0
}

# Poll the status until it says "running $1" (at most $2 s).
wait_running()
{
	deadline=$(( $(now_cs) + $2 * 100 ))
	while [ "$(now_cs)" -lt "$deadline" ]; do
		case $(status) in
		"running $1"*)
			return 0 ;;
		SUCCESS|FAILURE|STOPPED)
			return 1 ;;
		esac
		sleep 0.05 2>/dev/null || sleep 1
	done
	return 1
}

# Show what the test module knows after a failure.
dump_test_state()
{
	diag "status: $(status)"
	if [ -r "$TDIR/results" ]; then
		diag "results:"
		head -n 40 "$TDIR/results" | diag_lines
	fi
	diag "kernel log tail:"
	dmesg | tail -n 25 | diag_lines
}

# --- a case every script ends with -------------------------------------------------

# No object allocated by mymem is reported by kmemleak.
case_kmemleak_clean()
{
	if [ ! -w "$DBG/kmemleak" ]; then
		skip "no kmemleak (CONFIG_DEBUG_KMEMLEAK)"
		return
	fi
	# objects must be unreferenced for a while before they are reported
	sleep 6
	echo scan > "$DBG/kmemleak"
	echo scan > "$DBG/kmemleak"
	leaks=$(grep -B2 -A20 mymem "$DBG/kmemleak")
	if [ -n "$leaks" ]; then
		fail "kmemleak reports objects allocated by mymem:"
		printf '%s\n' "$leaks" | head -n 60 | diag_lines
	fi
}

# --- main --------------------------------------------------------------------------

skip_all()
{
	diag "$1"
	for main_case in $CASES; do
		ktap_test_skip "$main_case" "$1"
	done
	ktap_finished
}

# Run $CASES (or those of MYMEM_SELFTEST_CASES), each after unload_all and
# followed by check_log, one KTAP result each; exits as ktap_finished does
# (0 all passed, 1 a case failed, 4 all skipped).
ktap_main()
{
	if [ -n "${MYMEM_SELFTEST_CASES:-}" ]; then
		for main_case in $MYMEM_SELFTEST_CASES; do
			case " $(printf '%s ' $CASES)" in
			*" $main_case "*) ;;
			*) echo "$(basename "$0"): unknown case $main_case" >&2
			   exit 2 ;;
			esac
		done
		CASES=$MYMEM_SELFTEST_CASES
	fi

	ktap_print_header
	ktap_set_plan "$(count_words $CASES)"

	if [ "$(id -u)" -ne 0 ]; then
		skip_all "must be run as root"
	fi
	[ -r /proc/modules ] ||
		skip_all "kernel without module support (CONFIG_MODULES)"
	if ! CORE_KO=$(find_ko $CORE) || ! TEST_KO=$(find_ko $TEST); then
		diag "kernel configuration needed:"
		diag_lines < "$script_dir/config"
		skip_all "$CORE.ko / $TEST.ko not found (set MYMEM_KO_DIR)"
	fi
	for tool in insmod rmmod lsmod modprobe depmod modinfo dmesg jq \
		    ${NEEDS:-}; do
		command -v $tool > /dev/null 2>&1 || skip_all "$tool is missing"
	done
	grep -q " $DBG debugfs " /proc/mounts ||
		mount -t debugfs none "$DBG" 2>/dev/null
	grep -q " $DBG debugfs " /proc/mounts ||
		skip_all "debugfs is not mounted on $DBG"
	diag "kernel $krel; $CORE=$CORE_KO; $TEST=$TEST_KO"

	if [ -w "$DBG/kmemleak" ]; then
		echo clear > "$DBG/kmemleak"
	fi
	taint0=$(cat /proc/sys/kernel/tainted)

	# Shell functions share variables: the loop's own are prefixed main_.
	for main_case in $CASES; do
		unload_all
		case_failed=0
		case_skip=
		mark_log "case $main_case begin"
		main_t0=$(now_cs)
		"case_$main_case"
		check_log "case $main_case end"
		main_dt=$(( ($(now_cs) - main_t0) / 100 ))
		[ "$main_dt" -lt 5 ] || diag "$main_case took $main_dt s"
		if [ $case_failed -ne 0 ]; then
			ktap_test_fail "$main_case"
		elif [ -n "$case_skip" ]; then
			ktap_test_skip "$main_case" "$case_skip"
		else
			ktap_test_pass "$main_case"
		fi
	done
	unload_all
	ktap_finished
}
