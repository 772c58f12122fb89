#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# test-tools.sh - host-side tests of the mymem tools and their Rust twins,
# without /dev/mymem: options, --help, the device error messages, and the
# read/write paths on a regular file (its size stands in for the buffer's).
# The fuzzer must find a regular file diverging, reproducibly.  Device
# semantics: tools/harness/guest/tools.sh.  Prints KTAP.
#
#   sh common/test-tools.sh [BINDIR]      (default: bin next to common/)

here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../bin}
. "$here/../testing/selftests/mymem/ktap_helpers.sh"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# result NAME: pass iff the command before it succeeded; a failure shows
# the output of the command that failed
result() {
	if [ "$?" -eq 0 ]; then ktap_test_pass "$1"; return; fi
	ktap_test_fail "$1"
	[ -s "$tmp/out" ] && sed 's/^/# /' "$tmp/out" | head -n 15
}

# expect NAME STATUS PATTERN COMMAND...: COMMAND exits STATUS and its
# output (stdout and stderr) matches the grep -E PATTERN ('' for any)
expect() {
	name=$1 want=$2 pat=$3
	shift 3
	"$@" >"$tmp/out" 2>&1
	got=$?
	if [ "$got" -ne "$want" ]; then
		echo "# exit status $got, expected $want: $*" >>"$tmp/out"
		false
	elif [ -n "$pat" ] && ! grep -Eq -- "$pat" "$tmp/out"; then
		echo "# output does not match /$pat/: $*" >>"$tmp/out"
		false
	fi
	result "$name"
}

# jq_expect NAME TOOL FILTER FILE: jq -e FILTER (with $tool) holds on FILE
jq_expect() {
	if command -v jq >/dev/null 2>&1; then
		expect "$1" 0 "^true$" jq -e --arg tool "$2" "$3" "$4"
	else
		ktap_test_skip "$1" "no jq"
	fi
}

ktap_print_header
ktap_set_plan 75

fuzz=$bin/mymem-fuzz

# --- help, usage errors, a missing device ---
for t in mymem-bench mymem-race mymem-fuzz mymem-bench-rs mymem-race-rs; do
	expect "$t --help" 0 "^usage: $t" "$bin/$t" --help
	expect "$t -h" 0 "^usage: $t" "$bin/$t" -h
	expect "$t: unknown option is a usage error" 2 "usage:" "$bin/$t" --bogus
	expect "$t: stray argument is a usage error" 2 "unexpected argument" "$bin/$t" extra
	expect "$t: missing device names the module" 1 \
		"cannot open /nonexistent/mymem: No such file or directory \(is mymem_core loaded\?\)" \
		"$bin/$t" -d /nonexistent/mymem
done

# refused TOOL OPTION VALUE: a usage error (2) that names the option and value
refused() {
	expect "$1 $2 '$3' refused" 2 "invalid $2 $3" "$bin/mymem-$1" "$2" "$3"
}

for s in '' -rs; do
	for v in 0 5000; do refused "race$s" -w "$v"; done
	for v in 0 12x; do refused "race$s" -n "$v"; done
	for v in bogus 'locked,'; do refused "race$s" -m "$v"; done
	for v in '' 1,,2 0 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17; do
		refused "bench$s" -s "$v"
	done
	refused "bench$s" -i 0
done
# -z, make bench's zeroing yardstick, is the C tool's alone
refused bench -z 0
expect "bench -z 1 MiB: one zeroing pass, its seconds" 0 "^[0-9]+\.[0-9]{3}$" \
	"$bin/mymem-bench" -z 1048576
for v in 0 65; do refused fuzz -p "$v"; done
refused fuzz -s abc

# --- device problems ---
# the Rust twins say what the C tools say (their name aside) and exit alike
for t in mymem-bench mymem-race; do
	for d in /nonexistent/mymem /dev/null; do
		"$bin/$t" -d "$d" >"$tmp/c.out" 2>&1
		c=$?
		"$bin/$t-rs" -d "$d" >"$tmp/rs.out" 2>&1
		r=$?
		{ echo "exit status $c, $r"; cat "$tmp/c.out" "$tmp/rs.out"; } >"$tmp/out"
		[ $c -eq $r ] && [ -s "$tmp/c.out" ] &&
			sed "s/^$t-rs:/$t:/" "$tmp/rs.out" | cmp -s "$tmp/c.out" -
		result "$t-rs -d $d: the message and exit status of $t"
	done
done

dev=$tmp/dev
dd if=/dev/zero of="$dev" bs=1024 count=512 2>/dev/null
chmod 0600 "$dev"
chmod 0755 "$tmp"
for s in '' -rs; do
	race=$bin/mymem-race$s bench=$bin/mymem-bench$s
	if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
		expect "race$s: no permission says how to fix it" 1 \
			"Permission denied \(run as root or load mymem_core with mode=0666\)" \
			setpriv --reuid=65534 --regid=65534 --clear-groups "$race" -d "$dev"
	else
		ktap_test_skip "race$s: no permission says how to fix it" "needs root and setpriv"
	fi
	expect "race$s -m atomic on a file: not a mymem device" 1 \
		"does not support MYMEM_IOC_ADD_U64" "$race" -d "$dev" -m atomic -w 2 -n 10
	expect "bench$s: a size above the buffer is refused" 2 \
		"larger than the 524288-byte buffer" "$bench" -d "$dev" -s 524289

	# --- the read/write paths, on a regular file ---
	expect "race$s locked on a file is exact" 0 "^locked .* exact" \
		"$race" -d "$dev" -m locked -w 4 -n 2000 -j "$tmp/race.json"
	jq_expect "race$s JSON has the urace record" "mymem-race$s" \
		'.schema == 1 and .tool == $tool and (.records | length) == 1 and
		 (.records[0] | .test == "urace" and .mode == "locked" and
		  .workers == 4 and .increments == 2000 and .expected == 8000 and
		  .final == 8000 and .lost == 0 and .exact == true and
		  .elapsed_ns > 0)' "$tmp/race.json"
	expect "race$s unlocked on a file runs and reports" 0 "^unlocked " \
		"$race" -d "$dev" -m unlocked -w 4 -n 2000
	expect "bench$s on a file verifies and reports" 0 "^ratio mymem/" \
		"$bench" -d "$dev" -s 1,64,524288 -i 20 -j "$tmp/bench.json"
	jq_expect "bench$s JSON has 12 complete ubench records" "mymem-bench$s" \
		'.tool == $tool and .core_size == 524288 and
		 (.records | length) == 12 and
		 all(.records[]; .test == "ubench" and .iterations == 20 and
		     (.target == "mymem" or .target == "tmpfs" or .target == "file") and
		     (.op == "read" or .op == "write") and
		     .min_ns <= .p50_ns and .p50_ns <= .p99_ns and
		     .p99_ns <= .max_ns and .min_ns <= .avg_ns and .avg_ns <= .max_ns)' \
		"$tmp/bench.json"
done

# --- the fuzzer's model rejects a regular file, reproducibly ---
cp "$dev" "$tmp/f1"
cp "$dev" "$tmp/f2"
"$fuzz" -d "$tmp/f1" -p 2 -n 2000 -s 7 -o 1 >"$tmp/run1" 2>&1
s1=$?
"$fuzz" -d "$tmp/f2" -p 2 -n 2000 -s 7 -o 1 >"$tmp/run2" 2>&1
s2=$?
d1=$(grep 'DIVERGENCE' "$tmp/run1")
d2=$(grep 'DIVERGENCE' "$tmp/run2")
cp "$tmp/run1" "$tmp/out"
[ $s1 -eq 1 ] && echo "$d1" | grep -q 'seed=7 proc=1 call=[0-9]*: .*expected .*got'
result "fuzz finds a regular file diverging and prints seed, call, expected and got"
[ $s2 -eq 1 ] && [ -n "$d1" ] && [ "$d1" = "$d2" ]
result "fuzz: the same seed replays the same divergence"
grep -q "replay: mymem-fuzz -d $tmp/f1 -s 7 -p 2 -n 2000 -o 1 -v" "$tmp/run1"
result "fuzz prints the replay command"

ktap_finished
