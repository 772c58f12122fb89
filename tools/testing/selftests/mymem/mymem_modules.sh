#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# mymem_modules.sh - kselftest of the mymem kernel modules (KTAP output)
#
# Load order and dependencies, the test module's runs and its debugfs
# control, every bad parameter, rmmod during each kind of test, load/run/
# unload cycles, the core's statistics, its parameters and its trace
# events.  After every case the kernel log written since the case began is
# searched for warnings, BUGs, oopses, lockdep/KASAN/KCSAN/UBSAN/kmemleak
# reports.
#
# POSIX sh: runs under busybox ash in a minimal guest.  Needs root, kmod
# (insmod/rmmod/lsmod/modprobe/depmod), dmesg, jq and debugfs mounted.
#
# Environment:
#   MYMEM_KO_DIR=DIR        where mymem_core.ko and mymem_test.ko are (searched
#                           up to three levels deep); default: this script's
#                           directory, the build tree, /lib/modules/`uname -r`
#   MYMEM_SELFTEST_QUICK=1  shorter runs (small default-run parameters, 10
#                           load cycles instead of 50)
#   MYMEM_SELFTEST_CYCLES=N load/run/unload cycles (default 50, 10 if quick)
#   MYMEM_SELFTEST_CASES="a b"  run only these cases (names as in $CASES)
#   MYMEM_SELFTEST_HANG_S=N how long a run or an rmmod may take before the case
#                           reports a hang (default 600 s: a bound, not a
#                           speed test; make bench measures the stop time)
#
# Exit: 0 all passed, 1 a case failed, 4 skipped (not root, modules missing).
#
# shellcheck disable=SC2317 # the case_* functions are called through $CASES
# shellcheck disable=SC2086 # $CORE, $TEST, $DEV and the like have no spaces
# shellcheck source=mymem_lib.sh

QUICK=${MYMEM_SELFTEST_QUICK:-0}
HANG_S=${MYMEM_SELFTEST_HANG_S:-600}

CASES="load_core_then_test test_before_core_fails core_pinned_by_test
unload_reverse_order modprobe_loads_core modprobe_r_removes_both
default_run rerun_through_control
ebusy_concurrent_start control_bad_input
bad_param_tests bad_param_sizes bad_param_iterations bad_param_workers
bad_param_increments bad_param_max_threads bad_param_duration
bad_param_autorun
rmmod_during_perf rmmod_during_race rmmod_during_scale rmmod_during_torture
load_run_unload_cycles core_stats_count core_pinned_by_open_file
insmod_twice_eexist core_size_param tracepoints
rmmod_during_worker_creation run_needs_core_size wait_one_line_per_open
bad_input_rate_limited
kmemleak_clean"

. "$(cd "$(dirname "$0")" && pwd)/mymem_lib.sh"

# Problems in results.json, one a line; nothing when all is well.
#   $1 the tests that ran ("perf,race", or "all": every test of the
#   module's table, as its params.tests names them), $2 the expected verdict.
json_problems()
{
	jq -r --arg tests "$1" --arg verdict "$2" --arg krel "$krel" \
		--arg size "$(core_size)" '
	def num($v): ($v | tostring | tonumber);
	. as $j |
	($j.params.tests | tostring | split(",")) as $ran |
	def ran($t): $ran | index($t) != null;
	[ (if .schema != 1 then "schema is \(.schema), not 1" else empty end),
	  (if $tests != "all" and ($ran | sort) != ($tests | split(",") | sort)
	   then "params.tests is \($j.params.tests), not \($tests)"
	   else empty end),
	  (if .verdict != $verdict
	   then "verdict is \(.verdict), not \($verdict)" else empty end),
	  (if .kernel != $krel then "kernel is \(.kernel)" else empty end),
	  (if (.core_size | tostring) != $size
	   then "core_size is \(.core_size), not \($size)" else empty end),
	  (["tests", "sizes", "iterations", "workers", "increments",
	    "max_threads", "duration", "autorun"][] as $k |
		select($j.params | has($k) | not) | "params has no \($k)"),
	  (if (.records | type) != "array" then "no records array"
	   else empty end),
	  (.records[] | select(has("test") | not) |
		"record without test: \(tojson)"),
	  ($ran[] as $t | select($j.records | map(select(.test == $t)) | length == 0) |
		"no \($t) records"),
	  ($j.records[] | select(has("test")) | select(ran(.test) | not) |
		"a \(.test) record, but \(.test) did not run"),
	  (if ran("race") then
		(["locked", "atomic"][] as $m |
		 ($j.records | map(select(.test == "race" and .mode == $m))) as $r |
		 if ($r | length) == 0 then "no race \($m) record"
		 else ($r[] |
			select(.exact != true or .final != .expected or
			       .lost != 0 or
			       .expected != .workers * .increments) |
			"race \($m) not exact: \(tojson)")
		 end),
		(.records[] | select(.test == "race") |
		 select(.workers != num($j.params.workers) or
			.increments != num($j.params.increments)) |
		 "race record does not match the params: \(tojson)")
	   else empty end),
	  (.records[] | select(.test == "perf") |
		select(.iterations != num($j.params.iterations) or
		       .min_ns > .p50_ns or .p50_ns > .p99_ns or
		       .p99_ns > .max_ns or .avg_ns < .min_ns or
		       .avg_ns > .max_ns) |
		"perf record inconsistent: \(tojson)"),
	  (.records[] | select(.test == "torture") |
		select(.verdict != "SUCCESS" or .torn != 0 or .lost != 0 or
		       .add_errors != 0 or .errors != 0) |
		"torture record failed: \(tojson)"),
	  (.records[] | select(.test == "scale") |
		select(.ops <= 0 or .threads < 1) |
		"scale record inconsistent: \(tojson)")
	] | .[]' "$TDIR/results.json" 2>&1
}

check_json()
{
	if ! jq -e . "$TDIR/results.json" > /dev/null 2>&1; then
		fail "results.json does not parse"
		head -c 2000 "$TDIR/results.json" | diag_lines
		return 1
	fi
	problems=$(json_problems "$1" "$2")
	if [ -n "$problems" ]; then
		fail "results.json:"
		printf '%s\n' "$problems" | head -n 20 | diag_lines
		return 1
	fi
	return 0
}

# --- trace events --------------------------------------------------------------------

TRACE_EVENTS="mymem_read mymem_write mymem_seek mymem_add"
TRACE_INST=mymem_selftest

# The tracefs directory (mounted if need be); fails when there is none.
tracefs_dir()
{
	for d in /sys/kernel/tracing $DBG/tracing; do
		if [ -d "$d/events" ]; then
			echo "$d"
			return 0
		fi
	done
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null &&
		[ -d /sys/kernel/tracing/events ] && echo /sys/kernel/tracing
}

# mymem-race, for an ioctl(MYMEM_IOC_ADD_U64) from the shell: next to this
# script, in the payload's bin/ or in the source tree's tools/bin/.
find_race()
{
	for f in "$script_dir/mymem-race" "$script_dir/../bin/mymem-race" \
		 "$script_dir/../../../bin/mymem-race"; do
		if [ -x "$f" ]; then
			echo "$f"
			return 0
		fi
	done
	command -v mymem-race
}

# Set every mymem event of trace directory $1 to $2 (0 or 1).
trace_enable()
{
	for e in $TRACE_EVENTS; do
		echo "$2" > "$1/events/mymem/$e/enable" ||
			fail "could not write $2 to $1/events/mymem/$e/enable"
	done
}

# Each mymem event of trace directory $1 reads $2 in its enable file.
expect_enabled()
{
	for e in $TRACE_EVENTS; do
		v=$(cat "$1/events/mymem/$e/enable" 2>&1)
		[ "$v" = "$2" ] || fail "$1/events/mymem/$e/enable is '$v', expected $2 ($3)"
	done
}

# The trace text $1 holds exactly one event line ending with "$2"
# (letters, digits and "_:= -" only: no regex characters).
expect_event()
{
	n=$(printf '%s\n' "$1" | grep -c -e ": $2\$")
	[ "$n" -eq 1 ] || fail "$n trace lines '$2', expected one"
}

# --- cases -------------------------------------------------------------------------

core_size()
{
	tr -dc 0-9 < "$CDIR/size"
}

case_load_core_then_test()
{
	load $CORE || return
	load $TEST autorun=N || return
	is_loaded $CORE || fail "$CORE not in lsmod"
	is_loaded $TEST || fail "$TEST not in lsmod"
	[ -c "$DEV" ] || fail "$DEV is not a character device"
	for f in size stats; do
		[ -e "$CDIR/$f" ] || fail "$CDIR/$f missing"
	done
	for f in status results results.json control wait; do
		[ -e "$TDIR/$f" ] || fail "$TDIR/$f missing"
	done
	st=$(status)
	[ "$st" = idle ] || fail "status is '$st', expected 'idle' with autorun=N"
	[ -d /sys/module/$CORE/holders/$TEST ] ||
		fail "$TEST is not listed as a holder of $CORE"
}

case_test_before_core_fails()
{
	if out=$(insmod "$TEST_KO" autorun=N 2>&1); then
		fail "insmod $TEST without $CORE succeeded"
		return
	fi
	diag "insmod: $out"
	log=$(log_since_mark)
	printf '%s\n' "$log" | grep -q "$TEST: Unknown symbol" ||
		fail "no '$TEST: Unknown symbol' in the kernel log"
	expect_test_gone "after the failed insmod"
	is_loaded $CORE && fail "$CORE got loaded"
}

case_core_pinned_by_test()
{
	load $CORE || return
	load $TEST autorun=N || return
	if out=$(rmmod $CORE 2>&1); then
		fail "rmmod $CORE succeeded while $TEST was loaded"
		return
	fi
	diag "rmmod: $out"
	is_loaded $CORE || fail "$CORE is gone"
	[ -c "$DEV" ] || fail "$DEV is gone"
	[ "$(status)" = idle ] || fail "status is '$(status)'"
	size=$(dd if=$DEV bs=16 count=1 2>/dev/null | wc -c)
	[ "$size" -eq 16 ] || fail "a read of $DEV returned $size bytes, not 16"
}

case_unload_reverse_order()
{
	load $CORE || return
	load $TEST autorun=N || return
	unload $TEST || return
	expect_test_gone "after rmmod $TEST"
	is_loaded $CORE || fail "$CORE went away with $TEST"
	unload $CORE || return
	expect_core_gone "after rmmod $CORE"
}

# Both modules installed under /lib/modules (make install); else skip.
installed()
{
	if ! find "/lib/modules/$krel" -name "$TEST.ko*" 2>/dev/null | grep -q . ||
	   ! find "/lib/modules/$krel" -name "$CORE.ko*" 2>/dev/null | grep -q .; then
		skip "modules not installed under /lib/modules/$krel"
		return 1
	fi
	return 0
}

case_modprobe_loads_core()
{
	installed || return
	if ! out=$(depmod -a 2>&1); then
		fail "depmod -a: $out"
		return
	fi
	dep=$(modinfo -F depends $TEST 2>&1)
	[ "$dep" = "$CORE" ] || fail "modinfo -F depends $TEST: '$dep', expected '$CORE'"
	if ! out=$(modprobe $TEST autorun=N 2>&1); then
		fail "modprobe $TEST: $out"
		return
	fi
	is_loaded $CORE || fail "modprobe $TEST did not load $CORE"
	is_loaded $TEST || fail "modprobe $TEST did not load $TEST"
	[ "$(status)" = idle ] || fail "status is '$(status)'"
	if ! out=$(modprobe -r $TEST 2>&1); then
		fail "modprobe -r $TEST: $out"
		return
	fi
	expect_test_gone "after modprobe -r"
	expect_core_gone "after modprobe -r (unused dependency)"
}

# modprobe -r of the core alone is refused while the test module uses it;
# "modprobe -r mymem_test mymem_core" removes both.
case_modprobe_r_removes_both()
{
	installed || return
	if ! out=$(modprobe $TEST autorun=N 2>&1); then
		fail "modprobe $TEST: $out"
		return
	fi
	if out=$(modprobe -r $CORE 2>&1); then
		fail "modprobe -r $CORE succeeded while $TEST uses it"
	else
		diag "modprobe -r $CORE refused: $out"
	fi
	is_loaded $CORE || fail "$CORE unloaded under $TEST"
	is_loaded $TEST || fail "$TEST unloaded by modprobe -r $CORE"
	if ! out=$(modprobe -r $TEST $CORE 2>&1); then
		fail "modprobe -r $TEST $CORE: $out"
		return
	fi
	expect_test_gone "after modprobe -r $TEST $CORE"
	expect_core_gone "after modprobe -r $TEST $CORE"
}

case_default_run()
{
	if [ "$QUICK" = 1 ]; then
		tests=all
		params="sizes=1,64,4096,65536 iterations=200 workers=8
			increments=5000 max_threads=4 duration=3"
		diag "MYMEM_SELFTEST_QUICK=1: $params"
	else
		tests=all
		params=
	fi
	load $CORE || return
	t0=$(now_cs)
	# shellcheck disable=SC2086 # params is a list of words
	load $TEST $params || return
	st=$(wait_run 1800)
	diag "run took $(( ($(now_cs) - t0) / 100 )) s: $st"
	if [ "$st" != SUCCESS ]; then
		fail "status after the run is '$st', expected SUCCESS"
		dump_test_state
	fi
	log=$(log_since_mark)
	printf '%s\n' "$log" | grep -q "$TEST: End of test: SUCCESS" ||
		fail "no '$TEST: End of test: SUCCESS' in the kernel log"
	printf '%s\n' "$log" | grep -q "$TEST: End of test: FAILURE" &&
		fail "'End of test: FAILURE' in the kernel log"
	# debugfs files have no size: read a byte
	[ -n "$(head -c 1 "$TDIR/results")" ] || fail "results is empty"
	check_json "$tests" SUCCESS
	jq -c '.records[] | select(.test == "race")' "$TDIR/results.json" 2>/dev/null |
		diag_lines
}

case_rerun_through_control()
{
	load $CORE || return
	load $TEST autorun=N || return
	for w in 4 3; do
		if ! err=$(control "run tests=race workers=$w increments=1000"); then
			fail "control 'run tests=race workers=$w increments=1000': $err"
			return
		fi
		st=$(wait_run 600)
		if [ "$st" != SUCCESS ]; then
			fail "status after re-run is '$st'"
			dump_test_state
			return
		fi
		check_json race SUCCESS || return
		n=$(jq '[.records[] | select(.test == "race" and
			.workers == '"$w"' and .increments == 1000 and
			.expected == '"$((w * 1000))"')] | length' "$TDIR/results.json")
		[ "$n" -ge 2 ] || fail "race records of the re-run with workers=$w: $n"
	done
	check_log "rerun: second run checked"
	# another test through control
	if ! err=$(control "run tests=perf sizes=1,64 iterations=10"); then
		fail "control 'run tests=perf ...': $err"
		return
	fi
	st=$(wait_run 600)
	[ "$st" = SUCCESS ] || fail "status after the perf re-run is '$st'"
	check_json perf SUCCESS
}

case_ebusy_concurrent_start()
{
	load $CORE || return
	load $TEST autorun=N || return
	if ! err=$(control "run tests=torture duration=60"); then
		fail "control 'run tests=torture duration=60': $err"
		return
	fi
	if ! wait_running torture 30; then
		fail "status never said 'running torture': '$(status)'"
		return
	fi
	if err=$(control "run"); then
		fail "a second 'run' during a run was accepted"
	else
		case $err in
		*"busy"*) diag "second run refused: $err" ;;
		*) fail "second run refused with '$err', expected EBUSY" ;;
		esac
	fi
	if err=$(control "run tests=race workers=2 increments=10"); then
		fail "a second 'run tests=race' during a run was accepted"
	fi
	case $(status) in
	"running torture"*) ;;
	*) fail "status after the refused starts: '$(status)'" ;;
	esac
	if ! err=$(control stop); then
		fail "control 'stop': $err"
		return
	fi
	st=$(wait_run "$HANG_S")
	[ "$st" = STOPPED ] || fail "status after stop is '$st', expected STOPPED"
	v=$(jq -r .verdict "$TDIR/results.json" 2>&1)
	[ "$v" = STOPPED ] || fail "results.json verdict after stop: '$v'"
	# and the module takes a new run afterwards
	if ! err=$(control "run tests=race workers=2 increments=100"); then
		fail "run after stop refused: $err"
		return
	fi
	st=$(wait_run 120)
	[ "$st" = SUCCESS ] || fail "run after stop: '$st'"
}

case_control_bad_input()
{
	load $CORE || return
	load $TEST autorun=N || return
	size=$(core_size)
	for cmd in "frobnicate" "run bogus=1" "run workers=0" \
		   "run workers=100000" "run tests=bogus" "run sizes=" \
		   "run sizes=$((size + 1))" "run duration=0" "run workers"; do
		check_log "control '$cmd'"
		if err=$(control "$cmd"); then
			fail "control '$cmd' was accepted"
			wait_run 60 > /dev/null
			continue
		fi
		case $err in
		*"Invalid argument"*) ;;
		*) fail "control '$cmd': '$err', expected EINVAL" ;;
		esac
		n=$(log_since_mark | grep -c "$TEST: ")
		[ "$n" -eq 1 ] || {
			fail "control '$cmd' logged $n lines, expected one"
			log_since_mark | diag_lines
		}
		[ "$(status)" = idle ] || fail "status after '$cmd': '$(status)'"
	done
}

# Every bad value of one parameter fails insmod with one log line naming
# the parameter, and leaves nothing behind.
bad_param()
{
	p=$1
	shift
	is_loaded $CORE || load $CORE || return
	for v in "$@"; do
		check_log "$p=$v"
		if insmod "$TEST_KO" "$p=$v" > /dev/null 2>&1; then
			fail "insmod $TEST $p='$v' succeeded"
			rmmod $TEST 2>/dev/null
			continue
		fi
		expect_test_gone "$p='$v'"
		lines=$(log_since_mark | grep "$TEST" | grep -F -- "$p")
		n=$(printf '%s' "$lines" | grep -c .)
		if [ "$n" -ne 1 ]; then
			fail "$p='$v': $n kernel log lines name the parameter, expected one"
			log_since_mark | diag_lines
		fi
	done
	# no reference on the core was leaked
	unload $CORE && expect_core_gone "after the refused loads"
}

case_bad_param_tests()
{
	bad_param tests bogus perf,bogus , PERF
}

case_bad_param_sizes()
{
	load $CORE || return
	size=$(core_size)
	bad_param sizes "" "1,,2" "$((size + 1))" 0 abc 1,2, \
		1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17
}

case_bad_param_iterations()
{
	bad_param iterations 0 100001 -1 x
}

case_bad_param_workers()
{
	bad_param workers 0 100000 1025 -1
}

case_bad_param_increments()
{
	bad_param increments 0 10000001
}

case_bad_param_max_threads()
{
	bad_param max_threads 1000 257
}

case_bad_param_duration()
{
	bad_param duration 0 3601
}

case_bad_param_autorun()
{
	bad_param autorun maybe 2
}

# rmmod of the test module in the middle of a test returns (within the hang
# bound), leaves nothing behind, the core can be unloaded (no handle leaked).
#   $1 test, $2 "autorun" or "control", $3.. long-running parameters
rmmod_during()
{
	t=$1
	how=$2
	shift 2
	load $CORE || return
	if [ "$how" = autorun ]; then
		load $TEST "tests=$t" "$@" || return
	else
		load $TEST autorun=N || return
		if ! err=$(control "run tests=$t $*"); then
			fail "control 'run tests=$t $*': $err"
			return
		fi
	fi
	if ! wait_running "$t" 60; then
		fail "status never said 'running $t': '$(status)'"
		return
	fi
	sleep 1
	st=$(status)
	case $st in
	"running $t"*) diag "before rmmod: $st" ;;
	*) fail "the run ended before rmmod ('$st'); parameters too small"
	   return ;;
	esac
	t0=$(now_cs)
	if ! out=$(bounded "$HANG_S" rmmod $TEST 2>&1); then
		fail "rmmod $TEST during $t: $out"
		return
	fi
	diag "rmmod $TEST during $t returned after $(( $(now_cs) - t0 )) cs"
	expect_test_gone "after rmmod during $t"
	expect_no_open_handles "after rmmod during $t"
	unload $CORE && expect_core_gone "after rmmod during $t"
}

case_rmmod_during_perf()
{
	rmmod_during perf autorun sizes=524288 iterations=100000
}

case_rmmod_during_race()
{
	rmmod_during race control workers=50 increments=10000000
}

case_rmmod_during_scale()
{
	rmmod_during scale control max_threads=16
}

case_rmmod_during_torture()
{
	rmmod_during torture control duration=120
}

case_load_run_unload_cycles()
{
	cycles=50
	[ "$QUICK" = 1 ] && cycles=10
	cycles=${MYMEM_SELFTEST_CYCLES:-$cycles}
	i=1
	while [ $i -le $cycles ]; do
		if [ $((i % 10)) -eq 0 ]; then
			params="tests=all sizes=1,64 iterations=10 workers=2
				increments=100 max_threads=2 duration=1"
		else
			params="tests=race workers=2 increments=100"
		fi
		load $CORE || break
		# shellcheck disable=SC2086 # params is a list of words
		load $TEST $params || break
		st=$(wait_run 120)
		if [ "$st" != SUCCESS ]; then
			fail "cycle $i ($params): status '$st'"
			dump_test_state
			break
		fi
		unload $TEST || break
		expect_no_open_handles "cycle $i"
		unload $CORE || break
		expect_test_gone "cycle $i"
		expect_core_gone "cycle $i"
		# the log every 10 cycles (and at the end of the case): a
		# warning would have stopped a panic_on_warn kernel anyway
		[ $((i % 10)) -ne 0 ] || check_log "cycle $i"
		[ $case_failed -eq 0 ] || break
		i=$((i + 1))
	done
	diag "$((i - 1)) of $cycles cycles completed"
}

case_core_stats_count()
{
	load $CORE || return
	diag "stats before:"
	diag_lines < "$CDIR/stats"
	for c in reads writes seeks adds; do
		eval "b_$c=\$(stat_of $c)"
	done
	dd if=$DEV of=/dev/null bs=4096 count=4 2>/dev/null
	dd if=/dev/zero of=$DEV bs=512 count=2 conv=notrunc 2>/dev/null
	dd if=$DEV of=/dev/null bs=4096 skip=2 count=1 2>/dev/null
	load $TEST tests=race workers=2 increments=100 || return
	st=$(wait_run 120)
	[ "$st" = SUCCESS ] || fail "race run: '$st'"
	diag "stats after:"
	diag_lines < "$CDIR/stats"
	# reads: 4 + 1 by dd; writes: 2 by dd; seeks: dd skip=; adds: the
	# atomic race mode, 2 x 100
	for want in reads:5 writes:2 seeks:1 adds:200; do
		c=${want%:*}
		eval "b=\$b_$c"
		a=$(stat_of "$c")
		if [ -z "$a" ] || [ -z "$b" ]; then
			fail "no '$c' counter in $CDIR/stats"
			continue
		fi
		[ $((a - b)) -ge "${want#*:}" ] ||
			fail "$c went from $b to $a, expected +${want#*:} or more"
	done
	sz=$(core_size)
	[ "$sz" = 524288 ] || fail "$CDIR/size says '$(cat "$CDIR/size")', expected 524288"
}

case_core_pinned_by_open_file()
{
	load $CORE || return
	# a background process of ours holds the device open
	# shellcheck disable=SC2217 # the redirection is the point
	sleep 600 < $DEV &
	holder=$!
	sleep 1
	if ! kill -0 $holder 2>/dev/null; then
		fail "could not hold $DEV open"
		return
	fi
	if out=$(rmmod $CORE 2>&1); then
		fail "rmmod $CORE succeeded with $DEV open"
	else
		diag "rmmod with $DEV open: $out"
	fi
	is_loaded $CORE || fail "$CORE is gone"
	n=$(dd if=$DEV bs=8 count=1 2>/dev/null | wc -c)
	[ "$n" -eq 8 ] || fail "a read of $DEV returned $n bytes"
	kill $holder
	wait $holder 2>/dev/null
	is_loaded $CORE && unload $CORE && expect_core_gone "after closing $DEV"
}

case_insmod_twice_eexist()
{
	load $CORE || return
	if out=$(insmod "$CORE_KO" 2>&1); then
		fail "a second insmod $CORE succeeded"
	else
		case $out in
		*"File exists"*) ;;
		*) fail "second insmod $CORE: '$out', expected EEXIST" ;;
		esac
	fi
	load $TEST autorun=N || return
	if out=$(insmod "$TEST_KO" autorun=N 2>&1); then
		fail "a second insmod $TEST succeeded"
	else
		case $out in
		*"File exists"*) ;;
		*) fail "second insmod $TEST: '$out', expected EEXIST" ;;
		esac
	fi
	[ "$(status)" = idle ] || fail "status after the second insmod: '$(status)'"
	[ -c "$DEV" ] || fail "$DEV is gone"
}

# Each refused value fails insmod with one log line naming the parameter
# (the last one given); the stripe counts that lockdep could not follow
# (more than 1024 stripes) are refused before anything is allocated.
case_core_size_param()
{
	for v in size=0 size=1073741825 size=-1 size=abc size=4294967297 \
		 stripe_shift=5 stripe_shift=31 "size=1073741824 stripe_shift=19"; do
		check_log "$v"
		if insmod "$CORE_KO" $v > /dev/null 2>&1; then
			fail "insmod $CORE $v succeeded"
			rmmod $CORE 2>/dev/null
			continue
		fi
		expect_core_gone "$v"
		p=${v##* }
		n=$(log_since_mark | grep "$CORE" | grep -c "${p%%=*}")
		if [ "$n" -ne 1 ]; then
			fail "$v: $n kernel log lines name the parameter, expected one"
			log_since_mark | diag_lines
		fi
	done
	for v in "size=1 12" "size=4097 12" "size=4097 stripe_shift=6 6" \
		 "size=16777216 14"; do
		load $CORE ${v% *} || return
		sz=$(core_size)
		want=${v%% *}
		[ "$sz" = "${want#size=}" ] ||
			fail "$v: $CDIR/size says '$(cat "$CDIR/size")'"
		shift_p=$(cat /sys/module/$CORE/parameters/stripe_shift)
		[ "$shift_p" = "${v##* }" ] ||
			fail "$v: stripe_shift is $shift_p, expected ${v##* }"
		n=$(dd if=$DEV bs=8192 count=1 2>/dev/null | wc -c)
		[ "$n" -eq "$(( sz < 8192 ? sz : 8192 ))" ] ||
			fail "$v: a read from 0 returned $n bytes"
		unload $CORE || return
	done
}

# The four events exist, are off after load, and once enabled each records
# the offset, length and result of the call it traces; disabled again they
# record nothing.  A trace instance of our own keeps the global buffer as
# it was.
case_tracepoints()
{
	if ! tr=$(tracefs_dir); then
		skip "no tracefs (CONFIG_FTRACE)"
		return
	fi
	load $CORE || return
	for e in $TRACE_EVENTS; do
		for f in enable format id; do
			[ -e "$tr/events/mymem/$e/$f" ] ||
				fail "$tr/events/mymem/$e/$f missing"
		done
	done
	[ $case_failed -eq 0 ] || return
	expect_enabled "$tr" 0 "after insmod"
	inst=$tr/instances/$TRACE_INST
	rmdir "$inst" 2>/dev/null
	if ! out=$(mkdir "$inst" 2>&1); then
		fail "could not create the trace instance $inst: $out"
		return
	fi
	expect_enabled "$inst" 0 "in a new instance"
	trace_enable "$inst" 1
	echo 1 > "$inst/tracing_on"
	sz=$(core_size)
	# dd seeks with SEEK_CUR (whence=1): a write at 40, a read of 24 bytes
	# at 24 that must end with it, a write at the end (-ENOSPC)
	printf mymemTRC | dd of=$DEV bs=8 seek=5 count=1 conv=notrunc 2>/dev/null ||
		fail "dd: the write at 40 failed"
	got=$(dd if=$DEV bs=24 skip=1 count=1 2>/dev/null | tail -c 8)
	[ "$got" = mymemTRC ] || fail "read back '$got' at 40, expected 'mymemTRC'"
	printf x | dd of=$DEV bs=1 seek="$sz" count=1 conv=notrunc 2>/dev/null &&
		fail "dd: a write at the end ($sz) succeeded"
	race=$(find_race)
	if [ -n "$race" ]; then
		out=$("$race" -d $DEV -w 1 -n 1 -m atomic 2>&1) ||
			fail "$race -w 1 -n 1 -m atomic: $out"
	else
		diag "mymem-race not found: no MYMEM_IOC_ADD_U64, mymem_add not checked"
	fi
	trace_enable "$inst" 0
	expect_enabled "$inst" 0 "after disabling"
	buf=$(cat "$inst/trace")
	for ev in "mymem_write: pos=40 len=8 ret=8" \
		  "mymem_seek: offset=40 whence=1 ret=40" \
		  "mymem_seek: offset=24 whence=1 ret=24" \
		  "mymem_read: pos=24 len=24 ret=24" \
		  "mymem_seek: offset=$sz whence=1 ret=$sz" \
		  "mymem_write: pos=$sz len=1 ret=-28"; do
		expect_event "$buf" "$ev"
	done
	[ -n "$race" ] && expect_event "$buf" "mymem_add: pos=0 delta=1 ret=0"
	if [ $case_failed -ne 0 ]; then
		diag "trace buffer:"
		printf '%s\n' "$buf" | grep -v '^#' | head -n 40 | diag_lines
	fi
	# disabled: a read leaves no event behind
	echo > "$inst/trace"
	dd if=$DEV of=/dev/null bs=8 skip=1 count=1 2>/dev/null
	n=$(grep -c 'mymem_' "$inst/trace")
	[ "$n" -eq 0 ] || fail "$n mymem events recorded with the events disabled"
	rmdir "$inst" || fail "could not remove the trace instance $inst"
	expect_enabled "$tr" 0 "at the end"
	[ -n "$race" ] || skip "mymem-race not found: mymem_add not checked"
}

# rmmod while the race test creates 1024 workers: creation is abandoned at
# the stop, and the log says how many workers were created.  The status
# says "running race" from the start of the run and creating 1024 kthreads
# takes far longer than starting rmmod; a stop that still came before the
# race or after its last worker proves nothing and is tried again.
case_rmmod_during_worker_creation()
{
	load $CORE || return
	attempt=1
	while [ $attempt -le 3 ]; do
		load $TEST autorun=N || return
		if ! err=$(control "run tests=race workers=1024 increments=10000000"); then
			fail "control 'run tests=race workers=1024 ...': $err"
			return
		fi
		if ! wait_running race 60; then
			fail "status never said 'running race': '$(status)'"
			return
		fi
		unload $TEST || return
		log=$(log_since_mark)
		printf '%s\n' "$log" | grep -E "$TEST: (race: stopped|unload:)" |
			diag_lines
		n=$(printf '%s\n' "$log" | grep -c "$TEST: unload: the run stopped in [0-9]* ms$")
		[ "$n" -eq 1 ] ||
			fail "$n lines 'unload: the run stopped in N ms', expected one"
		created=$(printf '%s\n' "$log" | sed -n \
			"s/.*$TEST: race: stopped after creating \([0-9]*\) of 1024 workers.*/\1/p")
		check_log "worker creation: attempt $attempt"
		if [ -n "$created" ]; then
			[ "$created" -lt 1024 ] ||
				fail "creation went on to $created of 1024 workers after the stop"
			break
		fi
		diag "attempt $attempt: the stop did not come during worker creation"
		attempt=$((attempt + 1))
	done
	[ $attempt -le 3 ] ||
		fail "no 'race: stopped after creating N of 1024 workers' line in 3 attempts"
	expect_test_gone "after rmmod during worker creation"
	expect_no_open_handles "after rmmod during worker creation"
}

# Set min_size to the smallest core (in bytes) that "$TEST tests=$1 ..."
# accepts, from the one line with which a core of $2 bytes refuses it at
# load; empty when there is no such line.
refused_core_size()
{
	t=$1 small=$2
	shift 2
	min_size=
	load $CORE "size=$small" || return
	check_log "tests=$t on a $small-byte core"
	if insmod "$TEST_KO" "tests=$t" sizes=1 "$@" > /dev/null 2>&1; then
		fail "insmod $TEST tests=$t on a $small-byte core succeeded"
		diag "the run ended '$(wait_run 120)'"
		log_since_mark | grep -q "$TEST: race: atomic is .* as fast" &&
			fail "a ratio of race modes that could not run was printed"
		rmmod $TEST
		unload $CORE
		return
	fi
	expect_test_gone "tests=$t on a $small-byte core"
	lines=$(log_since_mark | grep "$TEST: ")
	n=$(printf '%s' "$lines" | grep -c .)
	if [ "$n" -ne 1 ]; then
		fail "tests=$t on a $small-byte core: $n lines, expected one"
		printf '%s\n' "$lines" | diag_lines
	fi
	min_size=$(printf '%s\n' "$lines" |
		   sed -n 's/.* at least \([0-9][0-9]*\) bytes.*/\1/p' | head -n 1)
	if [ -z "$min_size" ] || [ "$min_size" -le "$small" ]; then
		fail "tests=$t on a $small-byte core: no minimum size above $small in '$lines'"
		min_size=
	fi
	unload $CORE
}

# "run tests=$1 ..." on a core of $2 bytes: $3 is "refused" or "runs".
run_on_core()
{
	t=$1 size=$2 want=$3
	shift 3
	load $CORE "size=$size" || return
	load $TEST autorun=N tests=perf sizes=1 || return
	check_log "run tests=$t on a $size-byte core"
	if err=$(control "run tests=$t $*"); then
		st=$(wait_run 300)
		[ "$want" = runs ] ||
			fail "run tests=$t on a $size-byte core accepted, ended '$st'"
		[ "$want" = refused ] || [ "$st" = SUCCESS ] ||
			fail "run tests=$t on a $size-byte core ended '$st'"
	else
		[ "$want" = refused ] ||
			fail "run tests=$t on a $size-byte core: $err"
		lines=$(log_since_mark | grep "$TEST: ")
		n=$(printf '%s' "$lines" | grep -c .)
		if [ "$want" = refused ] && { [ "$n" -ne 1 ] ||
		   ! printf '%s' "$lines" | grep -q "at least [0-9]* bytes"; }; then
			fail "run tests=$t on a $size-byte core: $n lines, expected one naming the minimum size"
			printf '%s\n' "$lines" | diag_lines
		fi
	fi
	unload $TEST
	unload $CORE
}

# race needs the 8-byte counter, torture its block layout: a smaller core
# is refused at load and at "run" with one line naming the minimum size,
# and a core of exactly that size runs the test.
case_run_needs_core_size()
{
	refused_core_size race 7 workers=2 increments=10
	if [ -n "$min_size" ]; then
		[ "$min_size" -eq 8 ] ||
			fail "race: minimum core size $min_size, expected 8"
	fi
	run_on_core race 7 refused workers=2 increments=10
	run_on_core race 8 runs workers=2 increments=10

	refused_core_size torture 512 duration=1
	[ -n "$min_size" ] || return
	diag "torture: minimum core size $min_size bytes"
	run_on_core torture $((min_size - 1)) refused duration=1
	run_on_core torture "$min_size" runs duration=1
}

# The wait file's line is taken once per open, as results is: a run that
# starts between two reads of one open file does not change the line.
case_wait_one_line_per_open()
{
	load $CORE || return
	load $TEST autorun=N || return
	exec 3< "$TDIR/wait"
	head=$(dd bs=2 count=1 <&3 2>/dev/null)
	if ! err=$(control "run tests=torture duration=600"); then
		fail "control 'run tests=torture duration=600': $err"
		exec 3<&-
		return
	fi
	wait_running torture 60 || fail "status never said 'running torture': '$(status)'"
	rest=$(cat <&3)
	exec 3<&-
	[ "$head$rest" = idle ] ||
		fail "one open wait file read '$head' then '$rest', expected 'idle'"
	control stop || fail "control 'stop' failed"
	wait_run 120 > /dev/null
}

# A loop of bad control writes and bad run parameters does not flood the
# kernel log: each error has its line, rate-limited.
case_bad_input_rate_limited()
{
	load $CORE || return
	load $TEST autorun=N || return
	check_log "bad input loop"
	writes=200
	t0=$(now_cs)
	i=0
	while [ $i -lt $writes ]; do
		echo frobnicate > "$TDIR/control" 2>/dev/null
		echo "run workers=0" > "$TDIR/control" 2>/dev/null
		i=$((i + 2))
	done
	dt=$(( ($(now_cs) - t0 + 99) / 100 ))
	log=$(log_since_mark)
	cmds=$(printf '%s\n' "$log" | grep -c "$TEST: invalid control command")
	params=$(printf '%s\n' "$log" | grep -c "$TEST: invalid workers=0")
	lines=$((cmds + params))
	diag "$writes bad writes in $dt s: $cmds + $params lines"
	[ "$cmds" -ge 1 ] || fail "no line for a bad control command"
	[ "$params" -ge 1 ] || [ "$lines" -ge 10 ] ||
		fail "no line for a bad run parameter"
	[ "$lines" -lt "$writes" ] ||
		fail "each of $writes bad writes logged its line: no rate limit"
	# at most 10 lines per 5 s (the module's limit)
	[ "$lines" -le $(( (dt / 5 + 2) * 10 )) ] ||
		fail "$lines lines in $dt s: more than 10 per 5 s"
	[ "$(status)" = idle ] || fail "status after the bad writes: '$(status)'"
}

ktap_main
