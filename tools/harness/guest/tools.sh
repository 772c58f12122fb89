#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tools.sh - the user-space tools against /dev/mymem (mode 0600) in the VM:
#
#   sh tools.sh [BINDIR]          (default: bin next to this script)
#
# Tests: the error messages, mymem-bench(-rs) and mymem-race(-rs) at W=50
# with their JSON (to $RESULTS, default /results, as tools-*.json),
# mymem-fuzz (0 divergences, every call kind and outcome).  Environment:
# TOOLS_BENCH_ITER (100), TOOLS_FUZZ_CALLS (200000), TOOLS_FUZZ_PROCS (4),
# TOOLS_FUZZ_SEED (random), TOOLS_RACE_N (20000).  Prints KTAP.

here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../../bin}
. "$here/../../testing/selftests/mymem/ktap_helpers.sh"
dev=/dev/mymem
iter=${TOOLS_BENCH_ITER:-100}
fuzz_calls=${TOOLS_FUZZ_CALLS:-200000}
fuzz_procs=${TOOLS_FUZZ_PROCS:-4}
race_n=${TOOLS_RACE_N:-20000}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
res=${RESULTS:-/results}
[ -d "$res" ] || res=$tmp
# run NAME COMMAND...: output to $tmp/NAME.out and as diagnostics; rc
run() {
	name=$1
	shift
	t0=$(date +%s)
	"$@" >"$tmp/$name.out" 2>&1
	rc=$?
	sed 's/^/# /' "$tmp/$name.out"
	echo "# $name: exit status $rc in $(($(date +%s) - t0)) s: $*"
}

# verdict STATUS NAME: a pass when STATUS (a $?) is 0
verdict() {
	if [ "$1" -eq 0 ]; then
		ktap_test_pass "$2"
	else
		ktap_test_fail "$2"
	fi
}

# json_test NAME FILE FILTER: the jq filter (jq is in every guest) must be
# true on FILE
json_test() {
	[ -s "$2" ] && jq -e "$3" "$2" >/dev/null
	verdict $? "$1"
}

ktap_print_header
ktap_set_plan 15

if [ -c "$dev" ]; then
	ktap_test_pass "$dev is a character device"
else
	ktap_test_fail "$dev is a character device (is mymem_core loaded?)"
fi

# --- messages ---
run race-missing "$bin/mymem-race" -d /nonexistent/mymem
[ $rc -eq 1 ] && grep -q "is mymem_core loaded?" "$tmp/race-missing.out"
verdict $? "missing device: the message names mymem_core"

if [ "$(id -u)" != 0 ]; then
	ktap_test_skip "no permission: the message says how to fix it" "not root"
elif [ "$(stat -c %a "$dev" 2>/dev/null)" != 600 ]; then
	ktap_test_skip "no permission: the message says how to fix it" "$dev is not mode 0600"
elif ! grep -q '^nobody:' /etc/passwd 2>/dev/null; then
	ktap_test_skip "no permission: the message says how to fix it" "no user nobody"
else
	run race-eacces su -s /bin/sh nobody -c "$bin/mymem-race -w 1 -n 1"
	[ $rc -eq 1 ] &&
	   grep -q "Permission denied (run as root or load mymem_core with mode=0666)" \
		"$tmp/race-eacces.out"
	verdict $? "no permission: the message says how to fix it"
fi

# --- mymem-bench, then its Rust twin ---
for t in mymem-bench mymem-bench-rs; do
	out=$res/tools-u${t#mymem-}.json
	run $t "$bin/$t" -i "$iter" -j "$out"
	verdict $rc "$t: $iter calls per size and op, every read verified"
	json_test "$t JSON: 20 ubench records, mymem and tmpfs" "$out" \
		".tool == \"$t\" and (.records | length) == 20 and
		 ([.records[] | select(.test == \"ubench\" and .iterations == $iter and
		   .min_ns <= .p50_ns and .p50_ns <= .p99_ns and .p99_ns <= .max_ns)]
		  | length) == 20 and
		 ([.records[] | select(.target == \"mymem\")] | length) == 10 and
		 ([.records[] | select(.target == \"tmpfs\")] | length) == 10"
done

# --- mymem-race, then its Rust twin: the lab's W=50 (N is TOOLS_RACE_N) ---
for t in mymem-race mymem-race-rs; do
	t3="$t W=50 N=$race_n unlocked loses updates (the lab's race)"
	out=$res/tools-u${t#mymem-}.json
	run $t "$bin/$t" -w 50 -n "$race_n" -j "$out"
	verdict $rc "$t W=50 N=$race_n: locked and atomic exact"
	json_test "$t JSON: three modes, locked and atomic at $((50 * race_n))" "$out" \
		".tool == \"$t\" and (.records | length) == 3 and
		 all(.records[]; .test == \"urace\" and .expected == $((50 * race_n)) and
		     .lost == .expected - .final) and
		 all(.records[] | select(.mode != \"unlocked\"); .exact and
		     .final == $((50 * race_n)))"
	if [ "$(grep -c '^processor' /proc/cpuinfo)" -lt 2 ]; then
		ktap_test_skip "$t3" "1 CPU"
	else
		[ $rc -eq 0 ] &&
		jq -e '.records[] | select(.mode == "unlocked") | .lost > 0' "$out" >/dev/null
		verdict $? "$t3"
	fi
done

# --- mymem-fuzz ---
seed_opt=
[ -n "${TOOLS_FUZZ_SEED:-}" ] && seed_opt="-s $TOOLS_FUZZ_SEED"
# shellcheck disable=SC2086
run fuzz "$bin/mymem-fuzz" -p "$fuzz_procs" -n "$fuzz_calls" $seed_opt
cp "$tmp/fuzz.out" "$res/tools-fuzz.log" 2>/dev/null
[ $rc -eq 0 ] && grep -q "calls=$fuzz_calls divergences=0\$" "$tmp/fuzz.out"
verdict $? "mymem-fuzz: $fuzz_calls calls from $fuzz_procs processes, 0 divergences"
# every call kind and every outcome class was exercised
missing=$(grep -E '^mymem-fuzz: (per call|outcomes):' "$tmp/fuzz.out" |
	tr ' ' '\n' | grep -E '^[^=]+=0$' | grep -v '^other=0$')
[ -z "$missing" ] || ktap_print_msg "never seen: $missing"
[ $rc -eq 0 ] && [ -z "$missing" ] && grep -q '^mymem-fuzz: outcomes:' "$tmp/fuzz.out"
verdict $? "mymem-fuzz: every call kind and outcome (short, EFAULT, ENOSPC, ...) exercised"

ktap_finished
