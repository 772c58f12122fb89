#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# mymem_modules.sh - kselftest of the mymem modules, KTAP output; the cases:
# docs/TESTING.md.  Needs root, insmod, rmmod, dmesg, jq, timeout, debugfs.
# Environment: MYMEM_KO_DIR (the .ko files, up to 3 levels deep; default
# here, the build tree, /lib/modules), MYMEM_SELFTEST_QUICK=1 (a small
# default run, 10 cycles), MYMEM_SELFTEST_CYCLES (50), MYMEM_SELFTEST_CASES
# ("a b": only these), MYMEM_SELFTEST_HANG_S (600: a run or rmmod that
# takes longer is a hang).  Exit: 0 passed, 1 failed, 4 skipped.
#
# shellcheck disable=SC2317 # the case_* functions are called through $CASES
# shellcheck disable=SC2086 # $CORE, $TEST, $DEV and the like have no spaces
# shellcheck source=mymem_lib.sh

QUICK=${MYMEM_SELFTEST_QUICK:-0}
HANG_S=${MYMEM_SELFTEST_HANG_S:-600}

CASES="load_core_then_test default_run rerun_through_control
ebusy_concurrent_start bad_input rmmod_during_perf rmmod_during_race
rmmod_during_scale rmmod_during_torture load_run_unload_cycles
core_stats_count core_pinned_by_open_file core_size_param tracepoints
rmmod_during_worker_creation run_needs_core_size wait_one_line_per_open
bad_input_rate_limited kmemleak_clean"

. "$(cd "$(dirname "$0")" && pwd)/mymem_lib.sh"

core_size() { tr -dc 0-9 < "$CDIR/size"; }
# load_idle CORE_PARAMS...: the core, and the test module idle on it
load_idle() { load $CORE "$@" && load $TEST autorun=N tests=perf sizes=1; }
# running TEST PARAMS...: the test module loaded idle, TEST started through
# control and seen running (else the case fails)
running() { load $TEST autorun=N && ctl "run tests=$*" && wait_running $1 60; }

# check_json TESTS VERDICT: results.json parses, has no problem, and says
# TESTS ("perf,race"; "all": whatever params.tests names) ran to VERDICT.
check_json()
{
	problems=$(jq -r --arg tests "$1" --arg verdict "$2" --arg krel "$krel" \
		--arg size "$(core_size)" '
	def num($v): ($v | tostring | tonumber);
	. as $j |
	($j.params.tests | tostring | split(",")) as $ran |
	def ran($t): $ran | index($t) != null;
	def rec($t): $j.records[] | select(.test == $t);
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
	  (.records[] | select(has("test") | not) | "record without test: \(tojson)"),
	  ($ran[] as $t | select([rec($t)] == []) | "no \($t) records"),
	  ($j.records[] | select(has("test")) | select(ran(.test) | not) |
		"a \(.test) record, but \(.test) did not run"),
	  (select(ran("race")) | ["locked", "atomic"][] as $m |
		[rec("race") | select(.mode == $m)] as $r |
		if $r == [] then "no race \($m) record"
		else $r[] | select(.exact != true or .final != .expected or
			.lost != 0 or .expected != .workers * .increments) |
			"race \($m) not exact: \(tojson)"
		end),
	  (rec("race") | select(.workers != num($j.params.workers) or
		.increments != num($j.params.increments)) |
		"race record does not match the params: \(tojson)"),
	  (rec("perf") | select(.iterations != num($j.params.iterations) or
		.min_ns > .p50_ns or .p50_ns > .p99_ns or .p99_ns > .max_ns or
		.avg_ns < .min_ns or .avg_ns > .max_ns) |
		"perf record inconsistent: \(tojson)"),
	  (rec("torture") | select(.verdict != "SUCCESS" or .torn != 0 or
		.lost != 0 or .add_errors != 0 or .errors != 0) |
		"torture record failed: \(tojson)"),
	  (rec("scale") | select(.ops <= 0 or .threads < 1) |
		"scale record inconsistent: \(tojson)")
	] | .[]' "$TDIR/results.json" 2>&1) && [ -z "$problems" ] && return 0
	fail_lines "results.json:" "$problems"
	jq -e . "$TDIR/results.json" > /dev/null 2>&1 ||
		head -c 2000 "$TDIR/results.json" | diag_lines
	return 1
}

# c_core WHAT: a case of the C core's own WHAT, a skip for the Rust core
c_core() { [ $CORE = mymem_core ] || { skip "$CORE has no $*"; return 1; }; }

case_load_core_then_test()
{
	load $TEST autorun=N || return
	[ -c "$DEV" ] || fail "$DEV is not a character device"
	stats=$CDIR/stats
	[ $CORE = mymem_core ] || stats=	# the Rust core has none
	for f in $CDIR/size $stats $TDIR/status $TDIR/results \
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
	load $TEST $params || return
	run_ends 1800 "the default run"
	ends=$(log_since_mark | grep -o "$TEST: End of test: [A-Z]*" | sort -u)
	[ "$ends" = "$TEST: End of test: SUCCESS" ] || fail "'End of test' lines: '$ends'"
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
	ctl "run tests=perf sizes=1,64 iterations=10" || return
	run_ends 600 "the perf re-run" && check_json perf SUCCESS
}

case_ebusy_concurrent_start()
{
	running torture duration=60 || return
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
	ctl "run tests=race workers=2 increments=100" || return
	run_ends 120 "the run after stop"
}

# Refused input, a row each: WHERE|INPUTS|ERROR|LINE.  WHERE: "core" (insmod
# mymem_core INPUT), "test" (insmod mymem_test INPUT) or "control" (INPUT
# written to an idle mymem_test), then the core's parameters; consecutive
# inputs share the modules.  Each INPUT (INPUTS: ';' between them) fails with
# ERROR, leaves nothing behind (expect_WHERE_gone: after a control write,
# the test module idle) and logs exactly one line of ours matching
# mymem_LINE, with INPUT for an @ in LINE (read once at the end: an input's
# lines lie between its marker and the next "row -").
expect_control_gone() { [ "$(status)" = idle ] || fail "$*: status '$(status)'"; }
case_bad_input()
{
	c_core "stripe_shift (bad_input's core rows)" || return
	have='' row=0 rows=$(mktemp)
	while IFS='|' read -r where inputs want re; do
		what=${where%% *}
		IFS=';'
		for input in $inputs; do
			unset IFS
			if [ "$where" != "$have" ]; then
				unload_all
				have=$where
				case $what in
				test)	load $CORE ${where#test} ;;
				control) load_idle ${where#control} ;;
				esac || break 2
			fi
			row=$((row + 1)) line=$re
			[ "${re#*@}" = "$re" ] || line=${re%%@*}$input${re#*@}
			echo "$row|$where: $input|mymem_$line" >> "$rows"
			echo "mymem-selftest: bad_input row $row" > /dev/kmsg
			case $what in
			core)	out=$(insmod "$CORE_KO" $input 2>&1) ;;
			test)	out=$(insmod "$TEST_KO" $input 2>&1) ;;
			*)	out=$(control "$input") ;;
			esac
			rc=$?
			echo "mymem-selftest: bad_input row -" > /dev/kmsg
			[ $rc -ne 0 ] || { fail "$where: $input: accepted"; have=; continue; }
			case $out in
			*"$want"*) ;;
			*) fail "$where: $input: '$out', expected '$want'" ;;
			esac
			expect_${what}_gone "$where: $input"
		done
	done <<'ROWS'
core|size=0;size=1073741825;size=4294967297|Invalid parameters|core: invalid @: allowed 1\.\.1073741824 bytes$
core|stripe_shift=5;stripe_shift=31|Invalid parameters|core: invalid @: allowed 9\.\.30 for size=524288 \(at most 1024 stripes\)$
core|size=4096 stripe_shift=5|Invalid parameters|core: invalid stripe_shift=5: allowed 6\.\.30 for size=4096 \(at most 1024 stripes\)$
core|size=1073741824 stripe_shift=19|Invalid parameters|core: invalid stripe_shift=19: allowed 20\.\.30 for size=1073741824
core|mode=0777|Invalid parameters|core: invalid @: allowed permission bits within 0666$
test|tests=bogus;tests=perf,bogus;tests=,;tests=PERF|Invalid parameters|test: invalid @: comma list of perf, race, scale, torture, or all$
test|sizes=;sizes=1,,2;sizes=524289;sizes=0|Invalid parameters|test: invalid @: comma list of 1 to 16 sizes, each 1\.\.core size$
test|sizes=abc;sizes=1,2,;sizes=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17|Invalid parameters|test: invalid @: comma list of 1 to 16 sizes, each 1\.\.core size$
test|iterations=0;iterations=100001|Invalid parameters|test: invalid @: 1\.\.100000$
test|workers=0;workers=1025;workers=100000|Invalid parameters|test: invalid @: 1\.\.1024$
test|increments=0;increments=10000001|Invalid parameters|test: invalid @: 1\.\.10000000$
test|max_threads=257;max_threads=1000|Invalid parameters|test: invalid @: 0 \(2 x online CPUs\) or 1\.\.256$
test|rounds=0|Invalid parameters|test: invalid @: 1\.\.99$
test|point_ms=10001|Invalid parameters|test: invalid @: 1\.\.10000$
test|duration=0;duration=3601|Invalid parameters|test: invalid @: 1\.\.3600$
test size=7|tests=race sizes=1 workers=2 increments=10|Invalid parameters|test: tests=race needs a core of at least 8 bytes, not 7$
test size=512|tests=torture sizes=1 duration=1|Invalid parameters|test: tests=torture needs a core of at least [0-9]+ bytes, not 512$
control|frobnicate|Invalid argument|test: invalid control command 'frobnicate': run \[key=value \.\.\.\] or stop$
control|run bogus=1|Invalid argument|test: invalid parameter bogus=1: one of tests, sizes, iterations, workers, increments, max_threads, rounds, point_ms, duration, autorun$
control|run workers|Invalid argument|test: invalid control argument 'workers': key=value expected$
control|run workers=0|Invalid argument|test: invalid workers=0: 1\.\.1024$
control|run iterations=-1|Invalid argument|test: invalid iterations=-1: 1\.\.100000$
control|run tests=bogus|Invalid argument|test: invalid tests=bogus: comma list
control size=7|run tests=race workers=2 increments=10|Invalid argument|test: tests=race needs a core of at least 8 bytes, not 7$
control size=512|run tests=torture duration=1|Invalid argument|test: tests=torture needs a core of at least [0-9]+ bytes, not 512$
ROWS
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
	[ -z "$bad" ] || fail_lines "bad input without its one line:" "$bad"
}

# rmmod_during TEST autorun|control PARAMS...: rmmod of the test module in
# the middle of TEST returns within the hang bound, leaving nothing behind.
rmmod_during()
{
	t=$1 how=$2
	shift 2
	case $how in
	autorun) load $TEST "tests=$t" "$@" && wait_running "$t" 60 ;;
	*) running "$t" "$@" ;;
	esac || return
	sleep 1
	st=$(status)
	case $st in
	"running $t"*) diag "before rmmod: $st" ;;
	*) fail "the run ended before rmmod ('$st'); parameters too small"; return ;;
	esac
	t0=$(now_cs)
	out=$(bounded "$HANG_S" rmmod $TEST 2>&1) ||
		{ fail "rmmod $TEST during $t: $out"; return; }
	diag "rmmod $TEST during $t returned after $(( $(now_cs) - t0 )) cs"
	expect_test_gone "after rmmod during $t"
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
	cycles=${MYMEM_SELFTEST_CYCLES:-$((QUICK == 1 ? 10 : 50))}
	i=1
	while [ $i -le $cycles ]; do
		params="tests=race workers=2 increments=100"
		[ $((i % 10)) -ne 0 ] || params="tests=all sizes=1,64
			iterations=10 workers=2 increments=100 max_threads=2 duration=1"
		{ load $TEST $params && run_ends 120 "cycle $i ($params)" &&
			unload $TEST "cycle $i" && unload $CORE "cycle $i"; } || break
		[ $((i % 10)) -ne 0 ] || check_log "cycle $i"
		[ $case_failed -eq 0 ] || break
		i=$((i + 1))
	done
	diag "$((i - 1)) of $cycles cycles completed"
}

case_core_stats_count()
{
	c_core "debugfs stats" || return
	load $CORE || return
	for c in reads writes seeks adds; do eval "b_$c=\$(stat_of $c)"; done
	dd if=$DEV of=/dev/null bs=4096 count=4 2>/dev/null
	dd if=/dev/zero of=$DEV bs=512 count=2 conv=notrunc 2>/dev/null
	dd if=$DEV of=/dev/null bs=4096 skip=2 count=1 2>/dev/null
	load $TEST tests=race workers=2 increments=100 || return
	run_ends 120 "the race run"
	# dd: 4 + 1 reads, 2 writes, a seek; the atomic race mode: 2 x 100 adds
	for want in reads:5 writes:2 seeks:1 adds:200; do
		c=${want%:*}
		eval "b=\$b_$c"
		a=$(stat_of "$c")
		{ [ -n "$a" ] && [ -n "$b" ] && [ $((a - b)) -ge "${want#*:}" ]; } ||
			fail "$c went from '$b' to '$a', expected +${want#*:} or more"
	done
	[ "$(core_size)" = 524288 ] || fail "$CDIR/size says '$(cat "$CDIR/size")', expected 524288"
	[ $case_failed -eq 0 ] || diag_lines < "$CDIR/stats"
}

case_core_pinned_by_open_file()
{
	load $CORE || return
	# shellcheck disable=SC2217 # a process of ours holds the device open
	sleep 600 < $DEV &
	holder=$!
	sleep 1
	kill -0 $holder 2>/dev/null || { fail "could not hold $DEV open"; return; }
	rmmod $CORE 2>/dev/null && { fail "rmmod $CORE succeeded with $DEV open"; return; }
	n=$(dd if=$DEV bs=8 count=1 2>/dev/null | wc -c)
	[ "$n" -eq 8 ] || fail "a read of $DEV returned $n bytes"
	kill $holder
	wait $holder 2>/dev/null
	unload $CORE "after closing $DEV"
}

# Sizes and stripe sizes the core takes: "PARAMS... STRIPE_SHIFT".
case_core_size_param()
{
	c_core "stripe_shift" || return
	for v in "size=1 12" "size=4097 12" "size=4097 stripe_shift=6 6" \
		 "size=16777216 14"; do
		load $CORE ${v% *} || return
		sz=$(core_size)
		[ "size=$sz" = "${v%% *}" ] || fail "$v: $CDIR/size says '$(cat "$CDIR/size")'"
		shift_p=$(cat /sys/module/$CORE/parameters/stripe_shift)
		[ "$shift_p" = "${v##* }" ] || fail "$v: stripe_shift is $shift_p, expected ${v##* }"
		n=$(dd if=$DEV bs=8192 count=1 2>/dev/null | wc -c)
		[ "$n" -eq "$(( sz < 8192 ? sz : 8192 ))" ] ||
			fail "$v: a read from 0 returned $n bytes"
		unload $CORE || return
	done
}

# trace_enable DIR 0|1 [WHEN]: write 0|1 to each mymem event's enable file
# under DIR; with WHEN, check that each reads 0|1 instead.
trace_enable()
{
	for e in mymem_read mymem_write mymem_seek mymem_add; do
		f=$1/events/mymem/$e/enable
		if [ -z "${3:-}" ]; then
			echo "$2" > "$f" || fail "could not write $2 to $f"
		elif [ "$(cat "$f" 2>&1)" != "$2" ]; then
			fail "$f is '$(cat "$f" 2>&1)', expected $2 ($3)"
		fi
	done
}

# The four events exist, are off after load, and, enabled in a trace
# instance of our own, record the offset, length and result of each call.
case_tracepoints()
{
	c_core "trace events" || return
	tr=/sys/kernel/tracing
	[ -d $tr/events ] || mount -t tracefs nodev $tr 2>/dev/null
	[ -d $tr/events ] || tr=$DBG/tracing
	[ -d "$tr/events" ] || { skip "no tracefs (CONFIG_FTRACE)"; return; }
	load $CORE || return
	trace_enable "$tr" 0 "after insmod"
	[ $case_failed -eq 0 ] || return
	inst=$tr/instances/mymem_selftest
	rmdir "$inst" 2>/dev/null
	out=$(mkdir "$inst" 2>&1) || { fail "mkdir $inst: $out"; return; }
	trace_enable "$inst" 1
	echo 1 > "$inst/tracing_on"
	sz=$(core_size)
	# dd seeks with whence=1: a write at 40, a read of 24 at 24 ending with
	# it, a write at the end (-ENOSPC)
	printf mymemTRC | dd of=$DEV bs=8 seek=5 count=1 conv=notrunc 2>/dev/null ||
		fail "dd: the write at 40 failed"
	got=$(dd if=$DEV bs=24 skip=1 count=1 2>/dev/null | tail -c 8)
	[ "$got" = mymemTRC ] || fail "read back '$got' at 40, expected 'mymemTRC'"
	printf x | dd of=$DEV bs=1 seek="$sz" count=1 conv=notrunc 2>/dev/null &&
		fail "dd: a write at the end ($sz) succeeded"
	# MYMEM_IOC_ADD_U64 by mymem-race: here, bin/, tools/bin/ or the PATH
	add=
	if race=$(PATH=$script_dir:$script_dir/../bin:$script_dir/../../../bin:$PATH \
		  command -v mymem-race); then
		out=$("$race" -d $DEV -w 1 -n 1 -m atomic 2>&1) ||
			fail "$race -w 1 -n 1 -m atomic: $out"
		add="mymem_add: pos=0 delta=1 ret=0"
	fi
	trace_enable "$inst" 0
	buf=$(cat "$inst/trace")
	for ev in "mymem_write: pos=40 len=8 ret=8" \
		  "mymem_seek: offset=40 whence=1 ret=40" \
		  "mymem_seek: offset=24 whence=1 ret=24" \
		  "mymem_read: pos=24 len=24 ret=24" \
		  "mymem_seek: offset=$sz whence=1 ret=$sz" \
		  "mymem_write: pos=$sz len=1 ret=-28" ${add:+"$add"}; do
		n=$(printf '%s\n' "$buf" | grep -c -e ": $ev\$")
		[ "$n" -eq 1 ] || fail "$n trace lines '$ev', expected one"
	done
	if [ $case_failed -ne 0 ]; then
		diag "trace buffer:"
		printf '%s\n' "$buf" | grep -v '^#' | head -n 40 | diag_lines
	fi
	rmdir "$inst" || fail "could not remove the trace instance $inst"
	[ -n "$add" ] || skip "mymem-race not found: mymem_add not checked"
}

# rmmod while the race test creates 1024 workers: creation stops, the log
# says how many were created; a stop outside creation is tried again.
case_rmmod_during_worker_creation()
{
	for attempt in 1 2 3; do
		running race workers=1024 increments=10000000 || return
		unload $TEST "rmmod during worker creation" || return
		log=$(log_since_mark)
		printf '%s\n' "$log" | grep -E "$TEST: (race: stopped|unload:)" | diag_lines
		n=$(printf '%s\n' "$log" | grep -c "$TEST: unload: the run stopped in [0-9]* ms$")
		[ "$n" -eq 1 ] || fail "$n lines 'unload: the run stopped in N ms', expected one"
		created=$(printf '%s\n' "$log" | sed -n \
			"s/.*$TEST: race: stopped after creating \([0-9]*\) of 1024 workers.*/\1/p")
		check_log "worker creation: attempt $attempt"
		[ -z "$created" ] || break
		diag "attempt $attempt: the stop did not come during worker creation"
	done
	[ -n "$created" ] ||
		fail "no 'race: stopped after creating N of 1024 workers' line in 3 attempts"
	[ "${created:-0}" -lt 1024 ] ||
		fail "creation went on to $created of 1024 workers after the stop"
}

# A core of exactly the minimum size runs race (8 bytes) and torture (the
# size its refusal on 512 bytes names); one byte less is refused at "run"
# with one line naming the minimum.
case_run_needs_core_size()
{
	load_idle size=512 || return
	control "run tests=torture duration=1" > /dev/null
	min=$(log_since_mark | sed -n \
		's/.*tests=torture needs a core of at least \([0-9]*\) bytes, not 512$/\1/p')
	[ -n "$min" ] || { fail "no line 'tests=torture needs a core of at least N bytes'"; return; }
	diag "torture: minimum core size $min bytes"
	for v in "race 8 workers=2 increments=10" "torture $min duration=1" \
		 "torture $((min - 1)) duration=1"; do
		set -- $v
		unload_all
		load_idle size=$2 || return
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

# The wait file's line is taken once per open: a run that starts between
# two reads of one open file does not change it.
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

# 200 bad control writes and run parameters: each error has its line, at
# most 10 per 5 s (the module's rate limit).
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
	[ "$params" -ge 1 ] || [ "$lines" -ge 10 ] || fail "no line for a bad run parameter"
	[ "$lines" -lt "$writes" ] || fail "each of $writes bad writes logged its line: no rate limit"
	[ "$lines" -le $(( (dt / 5 + 2) * 10 )) ] || fail "$lines lines in $dt s: more than 10 per 5 s"
	[ "$(status)" = idle ] || fail "status after the bad writes: '$(status)'"
}

ktap_main
