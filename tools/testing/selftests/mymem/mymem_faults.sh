#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# mymem_faults.sh - kselftest: mymem under injected allocation failures,
# KTAP output; the cases and the setup: docs/TESTING.md.  Needs fault
# injection (config) and a boot with slub_debug=A,kmalloc-* slub_nomerge
# (debug-kernel.sh's kernels), else skipped.  Environment: as for
# mymem_modules.sh (MYMEM_KO_DIR, MYMEM_SELFTEST_CASES).
#
# shellcheck disable=SC2317 # the case_* functions are called through $CASES
# shellcheck disable=SC2086 # $CORE, $TEST, $DEV and the like have no spaces
# shellcheck source=mymem_lib.sh

CASES="core_load_every_fault test_load_every_fault run_start_every_fault
run_under_random_faults kmemleak_clean"

. "$(cd "$(dirname "$0")" && pwd)/mymem_lib.sh"

# The stack dump of an injected failure ("page allocation failure",
# "vmalloc error") is expected; kmemleak's own allocations fail too.
BAD_LOG=$(printf '%s' "$BAD_LOG" | sed 's/|Call Trace//')
OK_LOG='kmemleak: Cannot allocate a scan area'

FAILNTH=$script_dir/mymem_failnth
MAX_SITES=3000	# a sweep past this many injection points does not converge
SMALL_RUN="tests=race workers=2 increments=100"

# Fault injection set up, or the case skipped: armed by fail-nth or
# make-it-fail only, for the kmalloc caches (flagged at boot) and pages of
# order 3 and up, with no stack dump per fault (fail_usercopy's included).
have_fault_injection()
{
	if [ ! -w /proc/thread-self/fail-nth ] || [ ! -d $DBG/failslab ] ||
	   [ ! -d $DBG/fail_page_alloc ]; then
		skip "no fault injection (CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC, CONFIG_FAULT_INJECTION_DEBUG_FS)"
	elif [ "$(cat /sys/kernel/slab/kmalloc-64/failslab 2>/dev/null)" != 1 ]; then
		skip "kmalloc caches not flagged for failslab: boot with slub_debug=A,kmalloc-*"
	elif [ ! -x "$FAILNTH" ]; then
		skip "$FAILNTH not built"
	fi
	[ -z "$case_skip" ] || return 1
	for kv in probability=0 interval=1 times=-1 space=0 verbose=0 \
		  task-filter=Y ignore-gfp-wait=N; do
		fi_set ${kv%=*} ${kv#*=}
	done
	[ ! -d $DBG/fail_usercopy ] || fi_attr fail_usercopy/verbose 0
	fi_attr failslab/cache-filter Y
	fi_attr fail_page_alloc/ignore-gfp-highmem N
	fi_attr fail_page_alloc/min-order 3
}

# fi_attr FILE VALUE: VALUE into $DBG/FILE; fi_set NAME VALUE: into the
# attribute NAME of failslab and of fail_page_alloc
fi_attr() { echo "$2" > "$DBG/$1" || fail "cannot set $1 to $2"; }
fi_set() { fi_attr failslab/$1 "$2"; fi_attr fail_page_alloc/$1 "$2"; }

# sweep WHAT GONE ARGS...: mymem_failnth N ARGS for N = 1, 2, ... until a
# call passes fewer than N injection points.  A failed call: GONE checks
# nothing is left; a passed one: WHAT_works checks it and undoes it.  Then
# the log: no report, at most one line of ours per failed call.
sweep()
{
	what=$1 gone=$2
	shift 2
	sites=0 failed=0 errnos='' failed_at=''
	mark_log "$what: sweep"
	n=1
	while [ $n -le $MAX_SITES ]; do
		echo "mymem-selftest: $what: fault $n" > /dev/kmsg
		res=$("$FAILNTH" $n "$@" 2>&1) ||
			{ fail "$what: mymem_failnth $n: $res"; break; }
		rc=${res#rc=}
		rc=${rc%% *}
		if [ "${res##*injected=}" = 0 ]; then
			[ "$rc" = 0 ] || fail "$what: no fault injected, yet rc=$rc"
			"${what}_works" "with no fault"
			break
		fi
		sites=$n
		if [ "$rc" = 0 ]; then
			"${what}_works" "after fault $n"
		else
			failed=$((failed + 1)) failed_at="$failed_at $n"
			case " $errnos " in *" $rc "*) ;; *) errnos="$errnos $rc" ;; esac
			"$gone" "fault $n"
		fi
		[ $case_failed -eq 0 ] || { diag "stopped at fault $n"; break; }
		n=$((n + 1))
	done
	[ $n -le $MAX_SITES ] || fail "$what: still injecting after $MAX_SITES faults"
	many=$(log_since_mark | awk -v want=" $failed_at " '
		/mymem-selftest: .*: fault [0-9]+$/ { n = $NF; next }
		n != "" && index(want, " " n " ") &&
			/^(\[[ 0-9.]*\] )?mymem_(core|test): / { c[n]++ }
		END { for (k in c) if (c[k] > 1) print k, c[k] }')
	[ -z "$many" ] ||
		fail_lines "$what: more than one line of ours for a failure (fault, lines):" "$many"
	check_log "$what: after the sweep"
	diag "$what: $sites injection points: $failed failed cleanly (errno$errnos), $((sites - failed)) tolerated"
	[ $sites -gt 0 ] || fail "$what: no fault was injected at all"
	[ $failed -gt 0 ] || fail "$what: no injected fault made the call fail"
}

core_works()
{
	[ -c $DEV ] || fail "insmod $CORE succeeded $1 but there is no $DEV"
	echo x > $DEV 2>/dev/null || fail "$DEV not writable $1"
	unload $CORE "unloaded $1"
}

case_core_load_every_fault()
{
	have_fault_injection && sweep core expect_core_gone insmod "$CORE_KO"
}

test_works()
{
	# debugfs failures are not fatal, by the kernel's rules
	if [ -e "$TDIR/wait" ]; then
		run_ends 120 "insmod $TEST $1: the run"
	else
		diag "insmod $TEST succeeded $1 without $TDIR/wait"
	fi
	unload $TEST "unloaded $1"
}

# the run starts in init: its allocations are swept too
case_test_load_every_fault()
{
	have_fault_injection && load $CORE &&
		sweep test expect_test_gone insmod "$TEST_KO" "$SMALL_RUN"
}

start_works() { run_ends 120 "the run started $1"; }

# a refused start leaves the test module idle
start_refused()
{
	case $(status) in
	running*) fail "run refused ($1) but the status is '$(status)'" ;;
	esac
}

case_run_start_every_fault()
{
	have_fault_injection && load $TEST autorun=0 || return
	sweep start start_refused write "$TDIR/control" "run $SMALL_RUN"
	start_works "after the sweep"
}

# kthreads created while kthreadd has make-it-fail inherit it: the test
# module's controller and workers see random allocation failures.
case_run_under_random_faults()
{
	have_fault_injection || return
	fi_set probability 2
	fi_set times 100000
	load $CORE || return
	runs=0 passed=0
	for params in "tests=all sizes=1,4096 iterations=20 workers=4 increments=200 max_threads=4 duration=1" \
		      "tests=race,torture workers=8 increments=500 duration=1" \
		      "tests=perf,scale sizes=64,65536 iterations=50 max_threads=8"; do
		load $TEST autorun=0 || break
		check_log "random faults: $params"
		echo 1 > /proc/2/make-it-fail
		control "run $params" > /dev/null
		crc=$?
		echo 0 > /proc/2/make-it-fail
		runs=$((runs + 1)) st="start refused"
		[ $crc -ne 0 ] || st=$(wait_run 300)
		case $st in
		SUCCESS) passed=$((passed + 1)) ;;
		FAILURE|STOPPED)
			log_since_mark | grep -qE "^(\[[ 0-9.]*\] )?mymem_(core|test): " ||
				fail "run $runs ended '$st' without a line of ours" ;;
		"start refused") ;;
		*)	fail "run $runs did not end: '$st'"
			dump_test_state ;;
		esac
		diag "run $runs: $st"
		unload $TEST "random faults run $runs" || break
	done
	fi_set probability 0
	injected=$((200000 - $(cat $DBG/failslab/times) - $(cat $DBG/fail_page_alloc/times)))
	diag "$runs runs, $passed passed, $injected faults injected"
	[ $injected -gt 0 ] || fail "no fault was injected"
}

ktap_main
