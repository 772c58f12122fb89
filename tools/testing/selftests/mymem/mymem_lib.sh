#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# mymem_lib.sh - what the mymem kselftest scripts share (POSIX sh).  A
# script sets CASES (NAME: a function case_NAME), sources this, ktap_main.
#
# shellcheck disable=SC2086 # $CORE, $TEST, $DEV and the like have no spaces

script_dir=$(cd "$(dirname "$0")" && pwd)
. "$script_dir/ktap_helpers.sh"

CORE=${MYMEM_CORE:-mymem_core}	# or the Rust core, mymem_core_rs
TEST=mymem_test
DBG=/sys/kernel/debug
CDIR=$DBG/mymem
TDIR=$DBG/mymem_test
DEV=/dev/mymem
krel=$(uname -r)

# Kernel log lines that fail a case (kernel_problems, shared with vm.sh),
# unless a stack frame ("[ 1.2] ? name+0x1/0x2") or OK_LOG (a script's).
BAD_LOG=$(paste -s -d '|' "$script_dir/kernel_problems")
FRAME='^(\[ *[0-9.]+\])? +(\? )?[A-Za-z0-9_.]+\+0x[0-9a-f]+/0x[0-9a-f]+'
# Taint flags a case must not add: B bad page, D die, W warning, L lockup.
BAD_TAINT=$((32 + 128 + 512 + 16384))

diag() { ktap_print_msg "$*"; }
diag_lines() { sed 's/^/#   /'; }	# a command's output as diagnostics
fail() { case_failed=1; echo "# FAIL: $*"; }
# fail_lines WHY TEXT: fail, with TEXT's first 60 lines as diagnostics
fail_lines() { fail "$1"; printf '%s\n' "$2" | head -n 60 | diag_lines; }
skip() { case_skip=$*; }

# Monotonic centiseconds from /proc/uptime.
now_cs()
{
	read -r up _ < /proc/uptime
	echo $(( ${up%.*} * 100 + 1${up#*.} - 100 ))
}

# bounded SECS COMMAND...: COMMAND's output and status, or 124 if it has not
# returned in SECS s (left behind: stuck in the kernel, it cannot be killed).
bounded()
{
	b_end=$(( $(now_cs) + $1 * 100 )) b_out=$(mktemp)
	shift
	"$@" > "$b_out" 2>&1 &
	while kill -0 $! 2>/dev/null; do
		[ "$(now_cs)" -lt $b_end ] ||
			{ echo "'$*' has not returned in time"; return 124; }
		sleep 0.1
	done
	cat "$b_out"
	rm -f "$b_out"
	wait $!
}

mark_seq=0 cur_mark=
# A unique marker in the kernel log: the log is checked from it on.
mark_log()
{
	mark_seq=$((mark_seq + 1))
	cur_mark="mymem-selftest: [$mark_seq] $*"
	echo "$cur_mark" > /dev/kmsg
}

# The log after the marker; fails if the ring buffer has lost the marker.
log_since_mark() { dmesg | awk -v m="$cur_mark" 'f; index($0, m) { f = 1 } END { exit !f }'; }

# Fail the case on a bad line (not ours) or a new bad taint since the
# marker (the whole log without it); set a new marker.  The patterns go to
# awk through its environment, where backslashes stay as they are.
check_log()
{
	bad=$(dmesg | M=$cur_mark B=$BAD_LOG F=$FRAME O=${OK_LOG:-^\$} awk '
		index($0, ENVIRON["M"]) { f = 1; n = 0; next }
		$0 ~ ENVIRON["B"] && $0 !~ ENVIRON["F"] && $0 !~ ENVIRON["O"] &&
			!index($0, "mymem-selftest:") { b[++n] = $0 }
		END {
			for (i = 1; i <= n && i <= 40; i++) print b[i]
			exit (n > 0) + 2 * !f
		}')
	rc=$?
	[ $((rc & 2)) -eq 0 ] ||
		diag "log marker '$cur_mark' was overwritten; the whole log checked"
	[ $((rc & 1)) -eq 0 ] || fail_lines "kernel log reports a problem:" "$bad"
	read -r taint < /proc/sys/kernel/tainted
	[ $(( (taint ^ taint0) & taint & BAD_TAINT )) -eq 0 ] ||
		fail "kernel taint went from $taint0 to $taint"
	taint0=$taint
	mark_log "$*"
}

find_ko()
{
	find ${MYMEM_KO_DIR:-$script_dir $script_dir/../../../../$1 \
	     /lib/modules/$krel/extra /lib/modules/$krel/updates} \
		-maxdepth 3 -name "$1.ko*" 2>/dev/null | head -n 1 | grep .
}

is_loaded() { [ -d /sys/module/$1 ]; }

# load MODULE ARGS...: insmod (the core first if need be); a refusal fails.
load()
{
	ko=$CORE_KO
	if [ "$1" = "$TEST" ]; then
		is_loaded $CORE || load $CORE || return
		ko=$TEST_KO
	fi
	shift
	out=$(insmod "$ko" "$@" 2>&1) || { fail "insmod $(basename "$ko") $*: $out"; return 1; }
}

# unload MODULE [WHY]: rmmod, then nothing of it left (expect_gone); a
# refusal fails the case.  expect_test_gone also wants no handle of the
# core left open by the test module.
unload()
{
	out=$(rmmod "$1" 2>&1) || { fail "rmmod $1: $out"; return 1; }
	w="test"
	[ "$1" != "$CORE" ] || w=core
	expect_${w}_gone "${2:-rmmod $1}"
}

unload_all() { for m in $TEST $CORE; do ! is_loaded $m || unload $m; done; }

# expect_gone MODULE WHY "FILE...": MODULE not loaded, none of FILE left.
expect_gone()
{
	is_loaded $1 && fail "$1 is still loaded ($2)"
	for f in $3; do
		[ ! -e "$f" ] || fail "$f still exists ($2)"
	done
}
expect_core_gone() { expect_gone $CORE "$*" "$CDIR $DEV"; }
expect_test_gone()
{
	expect_gone $TEST "$*" $TDIR
	h=$(stat_of open_now)
	[ "${h:-0}" -eq 0 ] || fail "$h mymem handles still open ($*): leaked by $TEST"
}

# A counter of the core's stats file ("name value" lines).
stat_of() { awk -v k="$1" '$1 == k { print $2; exit }' "$CDIR/stats" 2>/dev/null; }

status() { read -r status_line < "$TDIR/status" 2>/dev/null && echo "$status_line"; }

# The status line once no run is going (waiting at most $1 s).
wait_run() { timeout "$1" cat "$TDIR/wait" 2>/dev/null; }

# control CMD: CMD to control in one write(2); on failure print the error
# (dd names the errno), return 1.  ctl CMD: the same; a refusal fails.
control()
{
	out=$(printf '%s\n' "$*" | dd of="$TDIR/control" bs=1024 conv=notrunc 2>&1) ||
		{ printf '%s\n' "$out" | grep -v records; return 1; }
}
ctl() { err=$(control "$*") || { fail "control '$*': $err"; return 1; }; }

# run_ends SECS WHAT [STATUS]: the run ends within SECS s with STATUS
# (SUCCESS); else fail, show the test module's state, return 1.
run_ends()
{
	st=$(wait_run "$1")
	[ "$st" = "${3:-SUCCESS}" ] && return 0
	fail "$2 ended '$st', expected ${3:-SUCCESS}"
	dump_test_state
	return 1
}

# The status says "running $1" within $2 s; else the case fails.
wait_running()
{
	deadline=$(( $(now_cs) + $2 * 100 ))
	while [ "$(now_cs)" -lt "$deadline" ]; do
		case $(status) in
		"running $1"*) return 0 ;;
		SUCCESS|FAILURE|STOPPED) break ;;
		esac
		sleep 0.05
	done
	fail "status never said 'running $1': '$(status)'"
	return 1
}

dump_test_state()
{
	diag "status: $(status); results:"
	head -n 40 "$TDIR/results" 2>/dev/null | diag_lines
	diag "kernel log tail:"
	dmesg | tail -n 25 | diag_lines
}

# kmemleak reports no object of mymem's.  It reports an object 5 s old
# that two scans found unreferenced: the second starts 6 s after the first.
case_kmemleak_clean()
{
	[ -w "$DBG/kmemleak" ] || { skip "no kmemleak (CONFIG_DEBUG_KMEMLEAK)"; return; }
	t0=$(now_cs)
	echo scan > "$DBG/kmemleak"
	dt=$(( 600 - ($(now_cs) - t0) ))
	[ $dt -le 0 ] || sleep $((dt / 100)).$((dt % 100 / 10))
	echo scan > "$DBG/kmemleak"
	leaks=$(grep -B2 -A20 mymem "$DBG/kmemleak")
	[ -z "$leaks" ] || fail_lines "kmemleak reports objects allocated by mymem:" "$leaks"
}

skip_all()
{
	for main_case in $CASES; do
		ktap_test_skip "$main_case" "$1"
	done
	ktap_finished
}

# Run $CASES (or MYMEM_SELFTEST_CASES), one KTAP result each; a case must
# end with everything unloadable, gone, and a clean log.
ktap_main()
{
	for main_case in ${MYMEM_SELFTEST_CASES:-}; do
		type "case_$main_case" > /dev/null 2>&1 ||
			{ echo "$(basename "$0"): unknown case $main_case" >&2; exit 2; }
	done
	CASES=${MYMEM_SELFTEST_CASES:-$CASES}

	ktap_print_header
	ktap_set_plan "$(echo $CASES | wc -w)"
	[ "$(id -u)" -eq 0 ] || skip_all "must be run as root"
	[ -r /proc/modules ] || skip_all "kernel without module support (CONFIG_MODULES)"
	if ! CORE_KO=$(find_ko $CORE) || ! TEST_KO=$(find_ko $TEST); then
		diag "kernel configuration needed:"
		diag_lines < "$script_dir/config"
		skip_all "$CORE.ko / $TEST.ko not found (set MYMEM_KO_DIR)"
	fi
	for tool in insmod rmmod dmesg jq timeout; do
		command -v $tool > /dev/null 2>&1 || skip_all "$tool is missing"
	done
	grep -q " $DBG debugfs " /proc/mounts || mount -t debugfs none "$DBG" 2>/dev/null
	grep -q " $DBG debugfs " /proc/mounts || skip_all "debugfs is not mounted on $DBG"
	diag "kernel $krel; $CORE=$CORE_KO; $TEST=$TEST_KO"

	[ ! -w "$DBG/kmemleak" ] || echo clear > "$DBG/kmemleak"
	read -r taint0 < /proc/sys/kernel/tainted
	unload_all
	for main_case in $CASES; do
		case_failed=0 case_skip=
		mark_log "case $main_case begin"
		main_t0=$(now_cs)
		"case_$main_case"
		unload_all
		check_log "case $main_case end"
		main_dt=$(( ($(now_cs) - main_t0) / 100 ))
		[ "$main_dt" -lt 5 ] || diag "$main_case took $main_dt s"
		if [ $case_failed -ne 0 ]; then ktap_test_fail "$main_case"
		elif [ -n "$case_skip" ]; then ktap_test_skip "$main_case" "$case_skip"
		else ktap_test_pass "$main_case"; fi
	done
	ktap_finished
}
