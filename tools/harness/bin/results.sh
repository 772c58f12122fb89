#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# results.sh - `make results`: rebuild docs/RESULTS.md and its plots from
# one recorded run, so that the page always describes the code it names.
#
#   results.sh      1. make run's job, with the counter race over W
#                      (RACE_W, default "1 2 4 8 16 50 100"): results/RELEASE/
#                   2. make bench's job (the verdicts, fio): results/bench-RELEASE/
#                   3. docs/results/RESULTS.md.in filled from both: docs/RESULTS.md,
#                      and the plots copied to docs/results/
#   RESULTS_REUSE=1 results.sh   step 3 alone, from the runs already in results/
#
# The template's "@NAME@" words are the values below, computed from the
# two runs' records; a line "@table NAME@" is results/RELEASE/tables/NAME.md,
# "@file NAME@" the bench job's NAME.txt.  A name without a value is an
# error: the page never shows a number the run did not make.  Run it on a
# quiet machine (the bench's verdicts want the CPUs to themselves).
set -eu

top=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$top"
kernel=${KERNEL:-6.1}
krel=$(tools/harness/bin/kernel.sh krel "$kernel")
run=results/$krel
bench=results/bench-$krel
if [ "${RESULTS_REUSE:-0}" != 1 ]; then
	RACE_W=${RACE_W:-1 2 4 8 16 50 100} tools/harness/bin/run.sh
	tools/harness/bin/bench.sh || echo "results: make bench did not pass; its verdicts go in the page as they are"
fi
for f in "$run/results.json" "$bench/bench.txt" "$bench/ubench-nowait.json" \
	"$bench/ubench.json" "$bench/figures.txt"; do
	[ -s "$f" ] || { echo "results: no $f: run without RESULTS_REUSE" >&2; exit 1; }
done

vals=$(mktemp)
trap 'rm -f "$vals"' EXIT
# "NAME VALUE" lines; r(a; b) is a / b to two decimals, pct(a; b) 100 a / b to one
jq -r '. as $R |
def r(a; b): a / b * 100 | round / 100;
def pct(a; b): a * 1000 / b | round / 10;
def perf($op; $s): [$R.records[] | select(.test == "perf" and .op == $op and .size == $s)][0].p50_ns;
def u($t; $op; $s): [$R.records[] | select(.test == "ubench" and .tool == "mymem-bench" and .target == $t and .op == $op and .size == $s)][0].p50_ns;
def race($src; $m): [$R.records[] | select((.test == "race" and $src == "kernel") or
	(.test == "urace" and .tool == "mymem-race" and $src == "user")) | select(.mode == $m)][0];
def us(ns): ns / 1000 | . * 10 | round / 10;
[.records[] | select(.test == "ubench" and .tool == "mymem-bench" and .target == "mymem")] as $m |
[$m[] | . as $x | u("tmpfs"; $x.op; $x.size) as $t | $x.p50_ns / $t] as $dt |
(.race_w | map(select(.mode == "unlocked" and .workers >= 2)) | map(.final / .increments)) as $cw |
"date \(.date)", "commit \(.produced_by.commit)\(if .produced_by.dirty then " (with uncommitted changes)" else "" end)",
"kernel \(.kernel)", "cpus \(.cpus)", "accel \(.produced_by.accel)", "host_load \(.produced_by.host_load)",
"core_size \(.core_size)", "scale_rounds \(.params.rounds)", "scale_point_ms \(.params.point_ms)",
"k_read_1 \(perf("read"; 1))", "k_write_1 \(perf("write"; 1))", "k_memcpy_1 \(perf("memcpy"; 1))",
(("read", "write") as $op | "k_\($op)_512k_x \(r(perf($op; 524288); perf("memcpy"; 524288)))"),
((["1", 1], ["64k", 65536], ["512k", 524288]) as [$n, $s] | ("read", "write") as $op |
 "u_\($op)_\($n)_us \(us(u("mymem"; $op; $s)))", "t_\($op)_\($n)_us \(us(u("tmpfs"; $op; $s)))",
 "k_\($op)_\($n)_us \(us(perf($op; $s)))"),
((["1", 1], ["512k", 524288]) as [$n, $s] | "u_over_k_\($n) \(r(u("mymem"; "read"; $s); perf("read"; $s)))"),
"dev_tmpfs_min \($dt | min * 100 | round / 100)", "dev_tmpfs_max \($dt | max * 100 | round / 100)",
"race_w \(race("kernel"; "unlocked").workers)", "race_n \(race("kernel"; "unlocked").increments)",
((["k", "kernel"], ["u", "user"]) as [$p, $src] |
 "\($p)_unlocked_lost \(pct(race($src; "unlocked").lost; race($src; "unlocked").expected))",
 "\($p)_locked_over_atomic \(r(race($src; "locked").elapsed_ns; race($src; "atomic").elapsed_ns))",
 (("unlocked", "locked", "atomic") as $m | "\($p)_\($m)_s \(race($src; $m).elapsed_ns / 1e7 | round / 100)")),
"u_locked_over_unlocked \(r(race("user"; "locked").elapsed_ns; race("user"; "unlocked").elapsed_ns))",
"sweep_ws \([.race_w[] | .workers] | unique | map(tostring) | join(", "))",
"sweep_w_max \([.race_w[] | .workers] | max)",
"w2_c_user \([.race_w[] | select(.source == "user" and .workers == 2)][0] | .final / .increments * 100 | round / 100)",
"sweep_c_min \(if ($cw | length) > 0 then ($cw | min * 100 | round / 100) else "-" end)",
"sweep_c_max \(if ($cw | length) > 0 then ($cw | max * 100 | round / 100) else "-" end)",
([.records[] | select(.test == "torture")][0] |
 "torture_reads \(.reads)", "torture_torn \(.torn)", "torture_s \(.duration_s)"),
"scale_ceiling \(r([.records[] | select(.test == "scale" and .workload == "memcpy" and .threads == 2)][0].ops_per_sec;
	[.records[] | select(.test == "scale" and .workload == "memcpy" and .threads == 1)][0].ops_per_sec))",
([.records[] | select(.test == "ubench" and .target == "mymem")] as $u |
 [$u[] | select(.tool == "mymem-bench") | . as $c |
  ($u[] | select(.tool == "mymem-bench-rs" and .op == $c.op and .size == $c.size)) | .p50_ns / $c.p50_ns] as $rc |
 "rust_min \($rc | min * 100 | round / 100)", "rust_max \($rc | max * 100 | round / 100)"),
# the two write paths of /dev/mymem side by side (mymem-bench -N, make bench)
(def nw($t; $op; $s): [$NW[0].records[] | select(.target == $t and .op == $op and .size == $s)][0].p50_ns;
 ((["1", 1], ["64k", 65536], ["512k", 524288]) as [$n, $s] | ("read", "write") as $op |
  "nw_\($op[:1])_\($n) \(r(nw("mymem"; $op; $s); nw("nowait"; $op; $s)))"),
 "nw_copy_over_read_512k \(r(nw("nowait"; "write"; 524288); nw("mymem"; "read"; 524288)))")
' --slurpfile NW "$bench/ubench-nowait.json" "$run/results.json" >"$vals"
# fio's figures as parse-bench.sh judged them; the bare 1-byte read's
# median (mymem-bench) in the same boot
{
grep -E '^fio_(rounds|r1_us|read_spread) ' "$bench/figures.txt"
jq -r 'def b($t): [.records[] | select(.target == $t and .op == "read" and .size == 1)][0].p50_ns / 10 | round / 100;
	"b_r1_us \(b("mymem"))", "b_t1_us \(b("tmpfs"))"' "$bench/ubench.json"
echo "bench_date $(sed -n 's/^mymem bench: .*, \([0-9T:Z-]*\)$/\1/p' "$bench/bench.txt")"
echo "bench_summary $(grep '^bench: ' "$bench/bench.txt")"
} >>"$vals"

awk -v vals="$vals" -v run="$run" -v bench="$bench" '
BEGIN {
	while ((getline l <vals) > 0) {
		k = l; sub(/ .*/, "", k); v = l; sub(/^[^ ]* /, "", v)
		if (v == "null" || v == "") { print "results: no value for " k >"/dev/stderr"; bad = 1 }
		val[k] = v
	}
}
/^@table [a-z-]+@$/ { f = run "/tables/" substr($2, 1, length($2) - 1) ".md"; cat(f); next }
/^@file [a-z-]+@$/ { f = bench "/" substr($2, 1, length($2) - 1) ".txt"; cat(f); next }
{
	out = ""
	while (match($0, /@[a-z0-9_]+@/)) {
		k = substr($0, RSTART + 1, RLENGTH - 2)
		if (!(k in val)) { print "results: the template names @" k "@, which has no value" >"/dev/stderr"; bad = 1 }
		out = out substr($0, 1, RSTART - 1) val[k]
		$0 = substr($0, RSTART + RLENGTH)
	}
	print out $0
}
function cat(f,    l, n) {
	n = 0
	while ((getline l <f) > 0) { print l; n++ }
	if (!n) { print "results: " f " is missing or empty" >"/dev/stderr"; bad = 1 }
	close(f)
}
END { exit bad }' docs/results/RESULTS.md.in >docs/RESULTS.md.new ||
	{ rm -f docs/RESULTS.md.new; exit 1; }
mv docs/RESULTS.md.new docs/RESULTS.md
for p in latency throughput race race-w scaling rust-c; do
	cp "$run/$p.png" docs/results/
done
echo "results: docs/RESULTS.md and docs/results/*.png rebuilt from $run and $bench (commit $(sed -n 's/^commit //p' "$vals"))"
