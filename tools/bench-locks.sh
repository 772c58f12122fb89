#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench-locks.sh - `make bench-locks`: the same benchmarks (make bench) with
# mymem_core built with each lock design (MYMEM_LOCK, see
# mymem_core/buffer.c), one VM run each, and one table comparing them.
#
#   seqcount  lockless readers, a mutex for writers (what mymem ships)
#   mutex     one mutex for every call
#   rwsem     an rw_semaphore: readers shared, writers exclusive
#
# Results in results/bench-locks-<release>/<design>/ and the table in
# results/bench-locks-<release>/table.md (Markdown, for docs/DESIGN.md).
# The modules are rebuilt with the shipped design at the end.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kernel=${KERNEL:-6.1}
designs=${BENCH_LOCKS:-seqcount mutex rwsem}
krel=$(tools/kernel.sh krel "$kernel")
out=$top/results/bench-locks-$krel
rm -rf "$out"
mkdir -p "$out"

for d in $designs; do
	echo "== bench-locks: $d"
	MYMEM_LOCK=$d BENCH_OUT=$out/$d tools/bench.sh >"$out/$d.log" 2>&1 ||
		true
	tail -n 3 "$out/$d.log"
	if ! grep -q "($d lock)" "$out/$d/vm/dmesg.txt" 2>/dev/null; then
		echo "bench-locks: the $d run did not load a $d build" >&2
		exit 1
	fi
done
make --no-print-directory -s KERNEL="$kernel" modules >/dev/null


{
	echo "| design | 512 KiB read / memcpy | 512 KiB write / memcpy | 1 B read / mutex+memcpy | 1 B write / mutex+memcpy | 1 KiB reads, 2 threads / 1 | mixed r/w, 2 threads / 1 | race: locked / atomic | /dev/mymem / tmpfs, worst |"
	echo "|---|---|---|---|---|---|---|---|---|"
	for d in $designs; do
		b=$out/$d/bench.txt
		j=$out/$d/kernel-results.json
		t1=$(sed -n '/^target 1:/{n;s/^ *p50: read \([0-9.]*\), write \([0-9.]*\);.*/\1 \2/p}' "$b")
		t2=$(sed -n '/^target 2:/{n;s/^ *p50: read \([0-9.]*\), write \([0-9.]*\) .*/\1 \2/p}' "$b")
		t3=$(sed -n 's/^target 3: .* = \([0-9.]*\) .*/\1/p' "$b")
		t4=$(sed -n 's/^target 4: .* = \([0-9.]*\) .*/\1/p' "$b")
		t5=$(sed -n 's/^target 5: .* = \([0-9.]*\) at \([0-9]* B [a-z]*\) .*/\1 (\2)/p' "$b")
		mixed=$(jq -r '[.records[] | select(.test == "scale" and
				.workload == "mixed" and .region == "shared")] |
			(map(select(.threads == 1))[0].ops_per_sec) as $a |
			(map(select(.threads == 2))[0].ops_per_sec) as $b |
			if $a and $b then ($b / $a * 1000 | round / 1000) else "n/a" end' "$j" 2>/dev/null || echo n/a)
		echo "| $d | ${t1%% *} | ${t1##* } | ${t2%% *} | ${t2##* } | $t3 | $mixed | $t4 | $t5 |"
	done
} >"$out/table.md"
echo
cat "$out/table.md"
echo "results in $out/"
