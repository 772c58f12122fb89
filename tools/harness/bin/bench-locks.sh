#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench-locks.sh - `make bench-locks`: the benchmarks of `make bench` with
# mymem_core built with each lock design, and one table comparing them.
# The designs besides the shipped striped lock (docs/DESIGN.md, "Lock
# designs compared") are its stripe_shift parameter (DESIGN.params in
# tools/harness/configs/bench/locks/, given to insmod mymem_core) or a
# patch (DESIGN.patch, applied to a scratch copy of the tree, as `make
# teeth` plants its bugs), or both, so the source holds no alternatives.
# BENCH_LOCKS picks them (default "striped single mutex").
#
# One VM run per design per round, the designs interleaved within a round;
# each cell of the table is the median over the rounds (BENCH_LOCKS_ROUNDS,
# default 3): a single run under TCG is at the mercy of the host scheduler.
#
# Results in results/bench-locks-<release>/<design>.<round>/, the table in
# results/bench-locks-<release>/table.md (Markdown, for docs/DESIGN.md) and
# every round's row in rounds.md, a plot of the medians in locks.png.
set -eu

top=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$top"
. tools/harness/bin/functions.sh
kernel=${KERNEL:-6.1}
designs=${BENCH_LOCKS:-striped single mutex}
rounds=${BENCH_LOCKS_ROUNDS:-3}
krel=$(tools/harness/bin/kernel.sh krel "$kernel")
out=$top/results/bench-locks-$krel
trees=$MYMEM_CACHE/bench-locks
rm -rf "$out" "$trees"
mkdir -p "$out" "$trees"

# each design's tree: the shipped one, or a patched copy
for d in $designs; do
	[ -f "$harness/configs/bench/locks/$d.patch" ] || continue
	mkdir -p "$trees/$d"
	git ls-files -z | xargs -0 cp --parents -t "$trees/$d"
	if ! patch -s --fuzz=0 -d "$trees/$d" -p1 <"$harness/configs/bench/locks/$d.patch"; then
		echo "bench-locks: $d.patch does not apply" >&2
		exit 1
	fi
done

for r in $(seq "$rounds"); do
	for d in $designs; do
		tree=$top params=
		[ -d "$trees/$d" ] && tree=$trees/$d
		[ -f "$harness/configs/bench/locks/$d.params" ] &&
			params=$(cat "$harness/configs/bench/locks/$d.params")
		echo "== bench-locks: round $r of $rounds, $d"
		BENCH_OUT=$out/$d.$r KERNEL=$kernel MYMEM_CORE_PARAMS=$params \
			"$tree/tools/harness/bin/bench.sh" >"$out/$d.$r.log" 2>&1 || true
		echo "   $(cat "$out/$d.$r/stripes.txt" 2>/dev/null): $(tail -n 1 "$out/$d.$r.log")"
	done
done

# every run's figures, "DESIGN.ROUND" then the figures in the table's
# order, tab-separated
rows=$(for d in $designs; do
	for r in $(seq "$rounds"); do
		printf '%s' "$d.$r"
		for k in large_read large_write small_read small_write scale_write \
			scale_mixed scale_read atomic_speedup dev_vs_tmpfs; do
			printf '\t%s' "$(sed -n "s/^$k //p" "$out/$d.$r/figures.txt" 2>/dev/null)"
		done
		echo
	done
done)
head='| design | 512 KiB read / memcpy | 512 KiB write / memcpy | 1 B read / mutex+memcpy | 1 B write / mutex+memcpy | disjoint writes, 2 / 1 threads, over memcpy 2 / 1 | disjoint mixed, same | shared reads, same | race W=50: locked / atomic | /dev/mymem / tmpfs, worst |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|'
# rounds.md: every run's row under the tables' head
echo "$head" | tee "$out/rounds.md" >"$out/table.md"
echo "$rows" | awk -F '\t' '{ printf "| %s |", $1
	for (i = 2; i <= NF; i++) printf " %s |", ($i + 0 == $i ? sprintf("%.3f", $i) : $i)
	printf "\n" }' >>"$out/rounds.md"
# each design's median over its rounds, and the plot's data: one cluster of
# bars a figure, one bar a design (per-call ratios: lower is better;
# scaling over the ceiling: higher)
echo "$rows" | awk -F '\t' -v dat="$out/locks.dat" '
{	d = $1; sub(/\.[0-9]+$/, "", d)
	if (!(d in n)) order[++nd] = d
	k = ++n[d]
	for (i = 2; i <= NF; i++) v[d, i, k] = $i
	nf = NF }
END {
	for (j = 1; j <= nd; j++) {
		d = order[j]; m = n[d]
		printf "| %s |", d
		for (i = 2; i <= nf; i++) {
			# insertion sort, then the middle value
			for (x = 1; x <= m; x++) {
				t = v[d, i, x]
				for (y = x - 1; y >= 1 && a[y] + 0 > t + 0; y--)
					a[y + 1] = a[y]
				a[y + 1] = t
			}
			med[j, i] = sprintf("%.3f", a[int((m + 1) / 2)])
			printf " %s |", med[j, i]
		}
		printf "\n"
	}
	split("512K-read 512K-write 1B-read 1B-write writes-2/1 mixed-2/1 reads-2/1", f, " ")
	printf "figure" >dat; for (j = 1; j <= nd; j++) printf " %s", order[j] >dat; print "" >dat
	for (i = 2; i <= 8; i++) {
		printf "%s", f[i - 1] >dat
		for (j = 1; j <= nd; j++) printf " %s", med[j, i] >dat
		print "" >dat
	}
}' >>"$out/table.md"
gnuplot <<EOF
set terminal pngcairo size 1000,500 font "sans,11" noenhanced
set output "$out/locks.png"
set title "Lock designs, median of $rounds rounds ($krel): per call, time over the reference (lower is better); 2 / 1 threads over the ceiling (higher is better)" font ",10"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set grid y
set key outside right top vertical
set ylabel "ratio"
set yrange [0:*]
plot for [i=2:$(($(echo "$designs" | wc -w) + 1))] "$out/locks.dat" using i:xtic(1) title columnhead(i)
EOF
echo
echo "median of $rounds rounds:"
cat "$out/table.md"
echo
echo "every round: $out/rounds.md"
