#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# mymem_modules.sh - kselftest of the mymem kernel modules (KTAP output;
# docs/TESTING.md lists the cases): the test module's runs and its debugfs
# control, every refused parameter, rmmod during each kind of test,
# load/run/unload cycles, the core's statistics, parameters and trace
# events.  After every case the kernel log written since the case began is
# searched for warnings, BUGs, oopses, lockdep/KASAN/KCSAN/UBSAN/kmemleak
# reports.  POSIX sh (dash, busybox); needs root, insmod/rmmod/lsmod,
# dmesg, jq, timeout and debugfs.
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

CASES="load_core_then_test default_run rerun_through_control
ebusy_concurrent_start bad_input
rmmod_during_perf rmmod_during_race rmmod_during_scale rmmod_during_torture
load_run_unload_cycles core_stats_count core_pinned_by_open_file
core_size_param tracepoints
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
	[ (select(.schema != 1) | "schema is \(.schema), not 1"),
	  (select($tests != "all" and ($ran | sort) != ($tests | split(",") | sort)) |
		"params.tests is \($j.params.tests), not \($tests)"),
	  (select(.verdict != $verdict) | "verdict is \(.verdict), not \($verdict)"),
	  (select(.kernel != $krel) | "kernel is \(.kernel)"),
	  (select((.core_size | tostring) != $size) |
		"core_size is \(.core_size), not \($size)"),
	  (["tests", "sizes", "iterations", "workers", "increments",
	    "max_threads", "duration", "autorun"][] as $k |
		select($j.params | has($k) | not) | "params has no \($k)"),
	  (select((.records | type) != "array") | "no records array"),
	  (.records[] | select(has("test") | not) |
		"record without test: \(tojson)"),
	  ($ran[] as $t | select($j.records | map(select(.test == $t)) | length == 0) |
		"no \($t) records"),
	  ($j.records[] | select(has("test")) | select(ran(.test) | not) |
		"a \(.test) record, but \(.test) did not run"),
	  (select(ran("race")) |
		(["locked", "atomic"][] as $m |
		 ($j.records | map(select(.test == "race" and .mode == $m))) as $r |
		 if ($r | length) == 0 then "no race \($m) record"
		 else ($r[] |
			select(.exact != true or .final != .expected or .lost != 0 or
			       .expected != .workers * .increments) |
			"race \($m) not exact: \(tojson)")
		 end),
		(.records[] | select(.test == "race") |
		 select(.workers != num($j.params.workers) or
			.increments != num($j.params.increments)) |
		 "race record does not match the params: \(tojson)")),
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

# check_json TESTS VERDICT: results.json parses and has no problems.
check_json()
{
	if ! jq -e . "$TDIR/results.json" > /dev/null 2>&1; then
		fail "results.json does not parse"
		head -c 2000 "$TDIR/results.json" | diag_lines
		return 1
	fi
	problems=$(json_problems "$1" "$2")
	[ -n "$problems" ] || return 0
	fail "results.json:"
	printf '%s\n' "$problems" | head -n 20 | diag_lines
	return 1
}

# --- trace events --------------------------------------------------------------------

TRACE_EVENTS="mymem_read mymem_write mymem_seek mymem_add"

# The tracefs directory (mounted if need be); fails when there is none.
tracefs_dir()
{
	for d in /sys/kernel/tracing $DBG/tracing; do
		[ ! -d "$d/events" ] || { echo "$d"; return 0; }
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
		[ ! -x "$f" ] || { echo "$f"; return 0; }
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
	load $TEST autorun=N || return
	[ -c "$DEV" ] || fail "$DEV is not a character device"
	for f in $CDIR/size $CDIR/stats $TDIR/status $TDIR/results \
		 $TDIR/results.json $TDIR/control $TDIR/wait; do
		[ -e "$f" ] || fail "$f missing"
	done
	[ "$(status)" = idle ] || fail "status is '$(status)', expected 'idle' with autorun=N"
}

case_default_run()
{
	params=
	[ "$QUICK" != 1 ] || params="sizes=1,64,4096,65536 iterations=200
		workers=8 increments=5000 max_threads=4 duration=3"
	t0=$(now_cs)
	load $TEST $params || return
	run_ends 1800 "the default run"
	diag "run took $(( ($(now_cs) - t0) / 100 )) s: $st"
	log=$(log_since_mark)
	printf '%s\n' "$log" | grep -q "$TEST: End of test: SUCCESS" ||
		fail "no '$TEST: End of test: SUCCESS' in the kernel log"
	printf '%s\n' "$log" | grep -q "$TEST: End of test: FAILURE" &&
		fail "'End of test: FAILURE' in the kernel log"
	# debugfs files have no size: read a byte
	[ -n "$(head -c 1 "$TDIR/results")" ] || fail "results is empty"
	check_json all SUCCESS
	jq -c '.records[] | select(.test == "race")' "$TDIR/results.json" 2>/dev/null |
		diag_lines
}

case_rerun_through_control()
{
	load $TEST autorun=N || return
	for w in 4 3; do
		ctl "run tests=race workers=$w increments=1000" || return
		run_ends 600 "re-run with workers=$w" || return
		check_json race SUCCESS || return
		n=$(jq '[.records[] | select(.test == "race" and
			.workers == '"$w"' and .increments == 1000 and
			.expected == '"$((w * 1000))"')] | length' "$TDIR/results.json")
		[ "$n" -ge 2 ] || fail "race records of the re-run with workers=$w: $n"
	done
	check_log "rerun: second run checked"
	# another test through control
	ctl "run tests=perf sizes=1,64 iterations=10" || return
	run_ends 600 "the perf re-run" && check_json perf SUCCESS
}

case_ebusy_concurrent_start()
{
	load $TEST autorun=N || return
	ctl "run tests=torture duration=60" || return
	wait_running torture 30 || return
	for cmd in run "run tests=race workers=2 increments=10"; do
		case $(control "$cmd") in
		*"Device or resource busy"*) ;;
		*) fail "a second '$cmd' during a run: not refused with EBUSY" ;;
		esac
	done
	case $(status) in
	"running torture"*) ;;
	*) fail "status after the refused starts: '$(status)'" ;;
	esac
	ctl stop || return
	run_ends "$HANG_S" "the stopped run" STOPPED
	v=$(jq -r .verdict "$TDIR/results.json" 2>&1)
	[ "$v" = STOPPED ] || fail "results.json verdict after stop: '$v'"
	# and the module takes a new run afterwards
	ctl "run tests=race workers=2 increments=100" || return
	run_ends 120 "the run after stop"
}

# Refused input, one case a line of the table: WHERE|INPUT|ERROR|LINE.
# WHERE is core (insmod mymem_core INPUT), test (insmod mymem_test INPUT)
# or control (INPUT written to control, mymem_test loaded idle), then the
# core's parameters, if any ("test size=7": over a 7-byte core).  The call
# fails with ERROR in its output, logs exactly one line of ours, matching
# the extended regex mymem_LINE, and leaves nothing behind (no module, or
# idle).  A value the kernel's own parser refuses (-1 for a uint) gets the
# kernel's line.  The modules a line needs stay loaded for the next.  The
# log is read once, at the end: each row's lines lie between its marker
# and the next "row -".
case_bad_input()
{
	have='' row=0 rows=$(mktemp)
	while IFS='|' read -r where input want line; do
		set -- $where
		what=$1
		shift
		if [ "$what $*" != "$have" ]; then
			unload_all
			have="$what $*"
			[ $what = core ] || load $CORE "$@" || break
			[ $what != control ] ||
				load $TEST autorun=N tests=perf sizes=1 || break
		fi
		row=$((row + 1))
		echo "$row|$where: $input|mymem_$line" >> "$rows"
		echo "mymem-selftest: bad_input row $row" > /dev/kmsg
		case $what in
		core)	out=$(insmod "$CORE_KO" $input 2>&1) ;;
		test)	out=$(insmod "$TEST_KO" $input 2>&1) ;;
		*)	out=$(control "$input") ;;
		esac
		rc=$?
		echo "mymem-selftest: bad_input row -" > /dev/kmsg
		if [ $rc -eq 0 ]; then
			fail "$where: $input: accepted"
			have=
			continue
		fi
		case $out in
		*"$want"*) ;;
		*) fail "$where: $input: '$out', expected '$want'" ;;
		esac
		case $what in
		core)	expect_core_gone "$where: $input" ;;
		test)	expect_test_gone "$where: $input" ;;
		*)	[ "$(status)" = idle ] ||
				fail "$where: $input: status '$(status)'" ;;
		esac
	done <<'EOF'
core|size=0|Invalid parameters|core: invalid size=0: allowed 1\.\.1073741824 bytes$
core|size=1073741825|Invalid parameters|core: invalid size=1073741825: allowed
core|size=4294967297|Invalid parameters|core: invalid size=4294967297: allowed
core|size=-1|Invalid parameters|core: .-1. invalid for parameter .size.$
core|size=abc|Invalid parameters|core: .abc. invalid for parameter .size.$
core|stripe_shift=5|Invalid parameters|core: invalid stripe_shift=5: allowed 9\.\.30 for size=524288 \(at most 1024 stripes\)$
core|size=4096 stripe_shift=5|Invalid parameters|core: invalid stripe_shift=5: allowed 6\.\.30 for size=4096 \(at most 1024 stripes\)$
core|stripe_shift=31|Invalid parameters|core: invalid stripe_shift=31: allowed 9\.\.30
core|size=1073741824 stripe_shift=19|Invalid parameters|core: invalid stripe_shift=19: allowed 20\.\.30 for size=1073741824
core|mode=0777|Invalid parameters|core: invalid mode=0777: allowed permission bits within 0666$
test|tests=bogus|Invalid parameters|test: invalid tests=bogus: comma list of perf, race, scale, torture, or all$
test|tests=perf,bogus|Invalid parameters|test: invalid tests=perf,bogus: comma list
test|tests=,|Invalid parameters|test: invalid tests=,: comma list
test|tests=PERF|Invalid parameters|test: invalid tests=PERF: comma list
test|sizes=|Invalid parameters|test: invalid sizes=: comma list of 1 to 16 sizes, each 1\.\.core size$
test|sizes=1,,2|Invalid parameters|test: invalid sizes=1,,2: comma list
test|sizes=524289|Invalid parameters|test: invalid sizes=524289: comma list
test|sizes=0|Invalid parameters|test: invalid sizes=0: comma list
test|sizes=abc|Invalid parameters|test: invalid sizes=abc: comma list
test|sizes=1,2,|Invalid parameters|test: invalid sizes=1,2,: comma list
test|sizes=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17|Invalid parameters|test: invalid sizes=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17: comma list
test|iterations=0|Invalid parameters|test: invalid iterations=0: 1\.\.100000$
test|iterations=100001|Invalid parameters|test: invalid iterations=100001: 1\.\.100000$
test|iterations=-1|Invalid parameters|test: .-1. invalid for parameter .iterations.$
test|iterations=x|Invalid parameters|test: .x. invalid for parameter .iterations.$
test|workers=0|Invalid parameters|test: invalid workers=0: 1\.\.1024$
test|workers=1025|Invalid parameters|test: invalid workers=1025: 1\.\.1024$
test|workers=100000|Invalid parameters|test: invalid workers=100000: 1\.\.1024$
test|workers=-1|Invalid parameters|test: .-1. invalid for parameter .workers.$
test|increments=0|Invalid parameters|test: invalid increments=0: 1\.\.10000000$
test|increments=10000001|Invalid parameters|test: invalid increments=10000001: 1\.\.10000000$
test|max_threads=257|Invalid parameters|test: invalid max_threads=257: 0 \(2 x online CPUs\) or 1\.\.256$
test|max_threads=1000|Invalid parameters|test: invalid max_threads=1000: 0 \(2 x online CPUs\) or 1\.\.256$
test|rounds=0|Invalid parameters|test: invalid rounds=0: 1\.\.99$
test|point_ms=10001|Invalid parameters|test: invalid point_ms=10001: 1\.\.10000$
test|duration=0|Invalid parameters|test: invalid duration=0: 1\.\.3600$
test|duration=3601|Invalid parameters|test: invalid duration=3601: 1\.\.3600$
test|autorun=maybe|Invalid parameters|test: .maybe. invalid for parameter .autorun.$
test|autorun=2|Invalid parameters|test: .2. invalid for parameter .autorun.$
test size=7|tests=race sizes=1 workers=2 increments=10|Invalid parameters|test: tests=race needs a core of at least 8 bytes, not 7$
control|frobnicate|Invalid argument|test: invalid control command 'frobnicate': run \[key=value \.\.\.\] or stop$
control|run bogus=1|Invalid argument|test: invalid parameter bogus=1: one of tests, sizes, iterations, workers, increments, max_threads, rounds, point_ms, duration, autorun$
control|run workers|Invalid argument|test: invalid control argument 'workers': key=value expected$
control|run workers=0|Invalid argument|test: invalid workers=0: 1\.\.1024$
control|run workers=100000|Invalid argument|test: invalid workers=100000: 1\.\.1024$
control|run tests=bogus|Invalid argument|test: invalid tests=bogus: comma list
control|run sizes=|Invalid argument|test: invalid sizes=: comma list
control|run sizes=524289|Invalid argument|test: invalid sizes=524289: comma list
control|run duration=0|Invalid argument|test: invalid duration=0: 1\.\.3600$
control size=7|run tests=race workers=2 increments=10|Invalid argument|test: tests=race needs a core of at least 8 bytes, not 7$
EOF
	# (a boot's first load of each module also taints the kernel)
	bad=$(log_since_mark | awk -F'|' '
		NR == FNR { what[$1] = $2; re[$1] = $3; next }
		/mymem-selftest: bad_input row / { r = $0; sub(/.* /, "", r); next }
		!(r in re) || !/mymem_(core|test): / ||
			/taints kernel|module verification failed/ { next }
		{ n[r]++; ok[r] += $0 ~ re[r]; l[r] = l[r] "\n  " $0 }
		END {
			for (r = 1; r in re; r++)
				if (n[r] != 1 || !ok[r])
					printf "%s: not one kernel log line /%s/:%s\n",
						what[r], re[r], l[r]
		}' "$rows" -)
	rm -f "$rows"
	[ -z "$bad" ] || { fail "bad input without its one line:"; printf '%s\n' "$bad" | diag_lines; }
}

# rmmod of the test module in the middle of a test returns (within the hang
# bound), leaves nothing behind, the core can be unloaded (no handle leaked).
#   $1 test, $2 "autorun" or "control", $3.. long-running parameters
rmmod_during()
{
	t=$1 how=$2
	shift 2
	if [ "$how" = autorun ]; then
		load $TEST "tests=$t" "$@" || return
	elif ! load $TEST autorun=N || ! ctl "run tests=$t $*"; then
		return
	fi
	wait_running "$t" 60 || return
	sleep 1
	st=$(status)
	case $st in
	"running $t"*) diag "before rmmod: $st" ;;
	*) fail "the run ended before rmmod ('$st'); parameters too small"
	   return ;;
	esac
	t0=$(now_cs)
	out=$(bounded "$HANG_S" rmmod $TEST 2>&1) ||
		{ fail "rmmod $TEST during $t: $out"; return; }
	diag "rmmod $TEST during $t returned after $(( $(now_cs) - t0 )) cs"
	expect_test_gone "after rmmod during $t"
	expect_no_open_handles "after rmmod during $t"
	unload $CORE && expect_core_gone "after rmmod during $t"
}

while read -r t how params; do
	eval "case_rmmod_during_$t() { rmmod_during $t $how $params; }"
done <<'EOF'
perf autorun sizes=524288 iterations=100000
race control workers=50 increments=10000000
scale control max_threads=16
torture control duration=120
EOF

case_load_run_unload_cycles()
{
	cycles=50
	[ "$QUICK" = 1 ] && cycles=10
	cycles=${MYMEM_SELFTEST_CYCLES:-$cycles}
	i=1
	while [ $i -le $cycles ]; do
		params="tests=race workers=2 increments=100"
		[ $((i % 10)) -ne 0 ] || params="tests=all sizes=1,64
			iterations=10 workers=2 increments=100 max_threads=2 duration=1"
		load $TEST $params || break
		run_ends 120 "cycle $i ($params)" || break
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
	for c in reads writes seeks adds; do
		eval "b_$c=\$(stat_of $c)"
	done
	dd if=$DEV of=/dev/null bs=4096 count=4 2>/dev/null
	dd if=/dev/zero of=$DEV bs=512 count=2 conv=notrunc 2>/dev/null
	dd if=$DEV of=/dev/null bs=4096 skip=2 count=1 2>/dev/null
	load $TEST tests=race workers=2 increments=100 || return
	run_ends 120 "the race run"
	# reads: 4 + 1 by dd; writes: 2 by dd; seeks: dd skip=; adds: the
	# atomic race mode, 2 x 100
	for want in reads:5 writes:2 seeks:1 adds:200; do
		c=${want%:*}
		eval "b=\$b_$c"
		a=$(stat_of "$c")
		if [ -z "$a" ] || [ -z "$b" ] || [ $((a - b)) -lt "${want#*:}" ]; then
			fail "$c went from '$b' to '$a', expected +${want#*:} or more"
		fi
	done
	[ "$(core_size)" = 524288 ] || fail "$CDIR/size says '$(cat "$CDIR/size")', expected 524288"
	[ $case_failed -eq 0 ] || diag_lines < "$CDIR/stats"
}

case_core_pinned_by_open_file()
{
	load $CORE || return
	# a background process of ours holds the device open
	# shellcheck disable=SC2217 # the redirection is the point
	sleep 600 < $DEV &
	holder=$!
	sleep 1
	kill -0 $holder 2>/dev/null || { fail "could not hold $DEV open"; return; }
	rmmod $CORE 2>/dev/null && { fail "rmmod $CORE succeeded with $DEV open"; return; }
	n=$(dd if=$DEV bs=8 count=1 2>/dev/null | wc -c)
	[ "$n" -eq 8 ] || fail "a read of $DEV returned $n bytes"
	kill $holder
	wait $holder 2>/dev/null
	is_loaded $CORE && unload $CORE && expect_core_gone "after closing $DEV"
}

# Sizes and stripe sizes the core takes (bad_input has those it refuses).
case_core_size_param()
{
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
# the offset, length and result of the call it traces.  A trace instance of
# our own keeps the global buffer as it was.
case_tracepoints()
{
	tr=$(tracefs_dir) || { skip "no tracefs (CONFIG_FTRACE)"; return; }
	load $CORE || return
	expect_enabled "$tr" 0 "after insmod"
	[ $case_failed -eq 0 ] || return
	inst=$tr/instances/mymem_selftest
	rmdir "$inst" 2>/dev/null
	out=$(mkdir "$inst" 2>&1) || { fail "mkdir $inst: $out"; return; }
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
	attempt=1
	while [ $attempt -le 3 ]; do
		load $TEST autorun=N || return
		ctl "run tests=race workers=1024 increments=10000000" || return
		wait_running race 60 || return
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

# race needs its 8-byte counter (BAD_INPUT: a 7-byte core is refused),
# torture its block layout: a 512-byte core is refused at load with one
# line naming the minimum size, one byte less at "run" too, and a core of
# exactly that size runs each test.
case_run_needs_core_size()
{
	load $CORE size=512 || return
	check_log "tests=torture on a 512-byte core"
	insmod "$TEST_KO" tests=torture sizes=1 duration=1 > /dev/null 2>&1 &&
		fail "tests=torture on a 512-byte core was accepted"
	lines=$(log_since_mark | grep "$TEST: ")
	min=$(printf '%s\n' "$lines" | sed -n \
		's/.*tests=torture needs a core of at least \([0-9]*\) bytes, not 512$/\1/p')
	if [ -z "$min" ] || [ "$(printf '%s\n' "$lines" | wc -l)" -ne 1 ]; then
		fail "not one line 'tests=torture needs a core of at least N bytes, not 512':"
		printf '%s\n' "$lines" | diag_lines
		return
	fi
	diag "torture: minimum core size $min bytes"
	for v in "race 8 workers=2 increments=10" "torture $min duration=1" \
		 "torture $((min - 1)) duration=1"; do
		set -- $v
		unload_all
		load $CORE size=$2 && load $TEST autorun=N tests=perf sizes=1 ||
			return
		check_log "run tests=$1 on a $2-byte core"
		if [ $2 -ge "$min" ] || [ $1 = race ]; then
			ctl "run tests=$1 $3" && run_ends 300 "tests=$1 on a $2-byte core"
			continue
		fi
		control "run tests=$1 $3" > /dev/null &&
			fail "run tests=$1 on a $2-byte core was accepted"
		n=$(log_since_mark | grep -c "$TEST: tests=$1 needs a core of at least $min bytes, not $2$")
		[ "$n" -eq 1 ] || fail "run tests=$1 on a $2-byte core: $n lines naming the minimum size"
	done
}

# The wait file's line is taken once per open, as results is: a run that
# starts between two reads of one open file does not change the line.
case_wait_one_line_per_open()
{
	load $TEST autorun=N || return
	exec 3< "$TDIR/wait"
	head=$(dd bs=2 count=1 <&3 2>/dev/null)
	ctl "run tests=torture duration=600" && wait_running torture 60
	rest=$(cat <&3)
	exec 3<&-
	[ "$head$rest" = idle ] ||
		fail "one open wait file read '$head' then '$rest', expected 'idle'"
	ctl stop && run_ends 120 "the stopped run" STOPPED
}

# A loop of bad control writes and bad run parameters does not flood the
# kernel log: each error has its line, rate-limited.
case_bad_input_rate_limited()
{
	load $TEST autorun=N || return
	check_log "bad input loop"
	writes=200 t0=$(now_cs) i=0
	while [ $i -lt $writes ]; do
		echo frobnicate > "$TDIR/control" 2>/dev/null
		echo "run workers=0" > "$TDIR/control" 2>/dev/null
		i=$((i + 2))
	done
	dt=$(( ($(now_cs) - t0 + 99) / 100 ))
	cmds=$(log_since_mark | grep -c "$TEST: invalid control command")
	params=$(log_since_mark | grep -c "$TEST: invalid workers=0")
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
