#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench-locks.sh - `make bench-locks`: the same benchmarks (make bench) with
# mymem_core built with each lock design (MYMEM_LOCK, see
# mymem_core/buffer.c), and one table comparing them.  One VM run per
# design per round, the designs interleaved within a round; each cell of
# the table is the median over the rounds (BENCH_LOCKS_ROUNDS, default 3):
# a single run under TCG is at the mercy of the host scheduler.
#
#   seqcount  lockless readers, a mutex for writers (what mymem ships)
#   mutex     one mutex for every call
#   rwsem     an rw_semaphore: readers shared, writers exclusive
#
# Results in results/bench-locks-<release>/<design>.<round>/, the table in
# results/bench-locks-<release>/table.md (Markdown, for docs/DESIGN.md) and
# every round's row in rounds.md.
# The modules are rebuilt with the shipped design at the end.
set -eu

top=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$top"
kernel=${KERNEL:-6.1}
designs=${BENCH_LOCKS:-seqcount mutex rwsem}
rounds=${BENCH_LOCKS_ROUNDS:-3}
krel=$(tools/harness/bin/kernel.sh krel "$kernel")
out=$top/results/bench-locks-$krel
rm -rf "$out"
mkdir -p "$out"

r=1
while [ $r -le "$rounds" ]; do
	for d in $designs; do
		echo "== bench-locks: round $r of $rounds, $d"
		MYMEM_LOCK=$d BENCH_OUT=$out/$d.$r tools/harness/bin/bench.sh \
			>"$out/$d.$r.log" 2>&1 || true
		tail -n 1 "$out/$d.$r.log"
		if ! grep -q "($d lock)" "$out/$d.$r/vm/dmesg.txt" 2>/dev/null; then
			echo "bench-locks: the $d run did not load a $d build" >&2
			exit 1
		fi
	done
	r=$((r + 1))
done
make --no-print-directory -s KERNEL="$kernel" modules >/dev/null


# row DIR: the figures of one run, tab-separated, in the table's order
row() {
	f=$1/figures.txt
	fig() { sed -n "s/^$1 //p" "$f"; }
	t1="$(fig large_read)	$(fig large_write)"
	t2="$(fig small_read)	$(fig small_write)"
	t3=$(fig read_scaling)
	t4=$(fig atomic_speedup)
	t5=$(fig dev_vs_tmpfs)
	mixed=$(jq -r '[.records[] | select(.test == "scale" and
			.workload == "mixed" and .region == "shared")] |
		(map(select(.threads == 1))[0].ops_per_sec) as $a |
		(map(select(.threads == 2))[0].ops_per_sec) as $b |
		if $a and $b then $b / $a else "n/a" end' \
		"$1/kernel-results.json" 2>/dev/null || echo n/a)
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$t1" "$t2" "$t3" "$mixed" "$t4" "$t5"
}

head='| design | 512 KiB read / memcpy | 512 KiB write / memcpy | 1 B read / mutex+memcpy | 1 B write / mutex+memcpy | 1 KiB reads, 2 threads / 1 | mixed r/w, 2 threads / 1 | race W=50: locked / atomic | /dev/mymem / tmpfs, worst of 10 |
|---|---:|---:|---:|---:|---:|---:|---:|---:|'
{
	echo "$head"
	for d in $designs; do
		r=1
		while [ $r -le "$rounds" ]; do
			printf '%s\t' "$d.$r"
			row "$out/$d.$r"
			r=$((r + 1))
		done
	done | awk -F '\t' '{ printf "| %s |", $1
		for (i = 2; i <= NF; i++) printf " %s |", ($i + 0 == $i ? sprintf("%.3f", $i) : $i)
		printf "\n" }'
} >"$out/rounds.md"
{
	echo "$head"
	for d in $designs; do
		r=1
		while [ $r -le "$rounds" ]; do
			row "$out/$d.$r"
			r=$((r + 1))
		done | awk -F '\t' -v d="$d" '
		{ for (i = 1; i <= NF; i++) v[i, NR] = $i; n = NR; nf = NF }
		END {
			printf "| %s |", d
			for (i = 1; i <= nf; i++) {
				m = 0
				for (k = 1; k <= n; k++) a[++m] = v[i, k]
				# insertion sort, then the middle value
				for (x = 2; x <= m; x++) {
					t = a[x]
					for (y = x - 1; y >= 1 && a[y] + 0 > t + 0; y--)
						a[y + 1] = a[y]
					a[y + 1] = t
				}
				printf " %.3f |", a[int((m + 1) / 2)]
			}
			printf "\n"
		}'
	done
} >"$out/table.md"
echo
echo "median of $rounds rounds:"
cat "$out/table.md"
echo
echo "every round: $out/rounds.md"
