#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest-tools.sh - the user-space tools against the real /dev/mymem, in the
# test VM (busybox sh), with mymem_core loaded with its default mode 0600.
#
#   sh guest-tools.sh [BINDIR]          (default: bin next to this script)
#
# Tests: the error messages (missing device, no permission), mymem-bench
# (every read verified; its JSON complete), mymem-race at W=4 N=20000 (all
# modes) and at the lab's W=50 N=150000 (locked and atomic exact, unlocked
# losing updates on 2+ CPUs), each for the C tool and its Rust twin (-rs),
# and mymem-fuzz (0 divergences, every call kind and error class
# exercised).  The JSON files go to $RESULTS (default
# /results if it exists) as tools-*.json for the report.
#
# Environment: TOOLS_BENCH_ITER (100), TOOLS_FUZZ_CALLS (200000),
# TOOLS_FUZZ_PROCS (4), TOOLS_FUZZ_SEED (random), TOOLS_RACE_FULL (1; 0
# skips the W=50 runs, reported as SKIP), TOOLS_RACE_N (150000: N of the
# W=50 runs; the debug kernels use fewer).
#
# Prints KTAP; exit status 0 iff every test passed.

bin=${1:-$(dirname "$0")/../bin}
dev=/dev/mymem
iter=${TOOLS_BENCH_ITER:-100}
fuzz_calls=${TOOLS_FUZZ_CALLS:-200000}
fuzz_procs=${TOOLS_FUZZ_PROCS:-4}
race_full=${TOOLS_RACE_FULL:-1}
race_n=${TOOLS_RACE_N:-150000}
res=${RESULTS:-}
[ -z "$res" ] && [ -d /results ] && res=/results
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
[ -n "$res" ] || res=$tmp
nr=0 failed=0
plan=21

ok() {
	nr=$((nr + 1))
	echo "ok $nr - $1"
}

not_ok() {
	nr=$((nr + 1))
	failed=$((failed + 1))
	echo "not ok $nr - $1"
}

skip() {
	nr=$((nr + 1))
	echo "ok $nr - $1 # SKIP $2"
}

# run NAME COMMAND...: run, output to $tmp/NAME.out (and shown as KTAP
# diagnostics), exit status in $rc, duration in the log
run() {
	name=$1
	shift
	t0=$(date +%s)
	"$@" >"$tmp/$name.out" 2>&1
	rc=$?
	sed 's/^/# /' "$tmp/$name.out"
	echo "# $name: exit status $rc in $(($(date +%s) - t0)) s: $*"
}

has_jq() {
	command -v jq >/dev/null 2>&1
}

# json_test NAME FILE FILTER: the jq filter must be true on FILE
json_test() {
	if ! has_jq; then
		skip "$1" "no jq"
	elif [ -s "$2" ] && jq -e "$3" "$2" >/dev/null; then
		ok "$1"
	else
		not_ok "$1"
	fi
}

echo "TAP version 13"
echo "1..$plan"

if [ -c "$dev" ]; then
	ok "$dev is a character device"
else
	not_ok "$dev is a character device (is mymem_core loaded?)"
fi

# --- messages ---
for t in mymem-race mymem-race-rs; do
	run $t-missing "$bin/$t" -d /nonexistent/mymem
	if [ $rc -eq 1 ] && grep -q "is mymem_core loaded?" "$tmp/$t-missing.out"; then
		ok "$t: missing device: the message names mymem_core"
	else
		not_ok "$t: missing device: the message names mymem_core"
	fi

	if [ "$(id -u)" != 0 ]; then
		skip "$t: no permission: the message says how to fix it" "not root"
	elif [ "$(stat -c %a "$dev" 2>/dev/null)" != 600 ]; then
		skip "$t: no permission: the message says how to fix it" "$dev is not mode 0600"
	elif ! grep -q '^nobody:' /etc/passwd 2>/dev/null; then
		skip "$t: no permission: the message says how to fix it" "no user nobody"
	else
		run $t-eacces su -s /bin/sh nobody -c "$bin/$t -w 1 -n 1"
		if [ $rc -eq 1 ] &&
		   grep -q "Permission denied (run as root or load mymem_core with mode=0666)" \
			"$tmp/$t-eacces.out"; then
			ok "$t: no permission: the message says how to fix it"
		else
			not_ok "$t: no permission: the message says how to fix it"
		fi
	fi
done

# the C tools, then their Rust twins (-rs): the same tests
for s in '' -rs; do
	bench=mymem-bench$s race=mymem-race$s

	# --- mymem-bench ---
	run bench$s "$bin/$bench" -i "$iter" -j "$res/tools-ubench$s.json"
	if [ $rc -eq 0 ]; then
		ok "$bench: $iter calls per size and op, every read verified"
	else
		not_ok "$bench: $iter calls per size and op, every read verified"
	fi
	json_test "$bench JSON: 20 ubench records, mymem and tmpfs" \
		"$res/tools-ubench$s.json" \
		".tool == \"$bench\" and (.records | length) == 20 and
		 ([.records[] | select(.test == \"ubench\" and .iterations == $iter and
		   .min_ns <= .p50_ns and .p50_ns <= .p99_ns and .p99_ns <= .max_ns)]
		  | length) == 20 and
		 ([.records[] | select(.target == \"mymem\")] | length) == 10 and
		 ([.records[] | select(.target == \"tmpfs\")] | length) == 10"

	# --- mymem-race, small ---
	run race-small$s "$bin/$race" -w 4 -n 20000 -j "$res/tools-urace-w4$s.json"
	if [ $rc -eq 0 ]; then
		ok "$race W=4 N=20000: locked and atomic exact"
	else
		not_ok "$race W=4 N=20000: locked and atomic exact"
	fi
	json_test "$race W=4 JSON: three modes, locked and atomic exact" \
		"$res/tools-urace-w4$s.json" \
		'(.records | length) == 3 and
		 all(.records[]; .test == "urace" and .expected == 80000 and
		     .lost == .expected - .final) and
		 all(.records[] | select(.mode != "unlocked"); .exact and .final == 80000)'

	# --- mymem-race, the lab's W=50 N=150000 (N is TOOLS_RACE_N) ---
	if [ "$race_full" = 1 ]; then
		run race-w50$s "$bin/$race" -w 50 -n "$race_n" -m locked,atomic \
			-j "$res/tools-urace-w50$s.json"
		if [ $rc -eq 0 ]; then
			ok "$race W=50 N=$race_n: locked and atomic exact"
		else
			not_ok "$race W=50 N=$race_n: locked and atomic exact"
		fi
		json_test "$race W=50 JSON: final $((50 * race_n)) in both modes" \
			"$res/tools-urace-w50$s.json" \
			"(.records | length) == 2 and
			 all(.records[]; .final == $((50 * race_n)) and .exact)"
		cpus=$(grep -c '^processor' /proc/cpuinfo)
		run race-w50-unlocked$s "$bin/$race" -w 50 -n "$race_n" -m unlocked \
			-j "$res/tools-urace-w50-unlocked$s.json"
		if [ "$cpus" -lt 2 ]; then
			skip "$race W=50 N=$race_n unlocked loses updates" "1 CPU"
		elif [ $rc -eq 0 ] && has_jq &&
		     jq -e '.records[0].lost > 0' "$res/tools-urace-w50-unlocked$s.json" >/dev/null; then
			ok "$race W=50 N=$race_n unlocked loses updates (the lab's race)"
		else
			not_ok "$race W=50 N=$race_n unlocked loses updates (the lab's race)"
		fi
	else
		skip "$race W=50 N=$race_n: locked and atomic exact" "TOOLS_RACE_FULL=0"
		skip "$race W=50 JSON: final $((50 * race_n)) in both modes" "TOOLS_RACE_FULL=0"
		skip "$race W=50 N=$race_n unlocked loses updates" "TOOLS_RACE_FULL=0"
	fi
done

# --- mymem-fuzz ---
seed_opt=
[ -n "${TOOLS_FUZZ_SEED:-}" ] && seed_opt="-s $TOOLS_FUZZ_SEED"
# shellcheck disable=SC2086
run fuzz "$bin/mymem-fuzz" -p "$fuzz_procs" -n "$fuzz_calls" $seed_opt
cp "$tmp/fuzz.out" "$res/tools-fuzz.log" 2>/dev/null
if [ $rc -eq 0 ] && grep -q "calls=$fuzz_calls divergences=0\$" "$tmp/fuzz.out"; then
	ok "mymem-fuzz: $fuzz_calls calls from $fuzz_procs processes, 0 divergences"
else
	not_ok "mymem-fuzz: $fuzz_calls calls from $fuzz_procs processes, 0 divergences"
fi
# every call kind and every outcome class was exercised
missing=$(grep -E '^mymem-fuzz: (per call|outcomes):' "$tmp/fuzz.out" |
	tr ' ' '\n' | grep -E '^[^=]+=0$' | grep -v '^other=0$')
if [ $rc -eq 0 ] && [ -z "$missing" ] &&
   grep -q '^mymem-fuzz: outcomes:' "$tmp/fuzz.out"; then
	ok "mymem-fuzz: every call kind and outcome (short, EFAULT, ENOSPC, ...) exercised"
else
	echo "# never seen: $missing"
	not_ok "mymem-fuzz: every call kind and outcome (short, EFAULT, ENOSPC, ...) exercised"
fi

echo "# $((nr - failed)) passed, $failed failed of $nr"
[ "$failed" -eq 0 ] && [ "$nr" -eq "$plan" ]
