#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# report.sh - turn one run's raw results into the report of `make run`.
#
#   report.sh DIR
#
# Reads DIR/kernel-results.json (mymem_test's results.json),
# DIR/ubench.json (mymem-bench), DIR/urace.json (mymem-race) and their Rust
# twins' DIR/ubench-rs.json and DIR/urace-rs.json, and writes
#
#   DIR/results.json  every record of the five and what produced them, one
#                     schema (docs/RESULTS.md); host_load is HOSTLOAD (the
#                     load average when the run began), default now
#   DIR/tables/*.md   each table, in Markdown (docs/RESULTS.md takes them)
#   DIR/results.md    all the tables under their headings
#   DIR/*.png         the plots: latency (ns per call vs transfer size,
#                     log-log), throughput (bytes/s), rust-c (Rust / C time
#                     per call), race (lost updates and time per mode),
#                     race-w (the unlocked race over W), scaling (ops/s vs
#                     threads)
#
# Needs jq and gnuplot (gnuplot-nox).
set -eu

dir=${1:?usage: report.sh DIR}
top=$(cd "$(dirname "$0")/../../.." && pwd)
commit=$(git -C "$top" rev-parse --short=12 HEAD 2>/dev/null) || commit=unknown
dirty=false
[ -z "$(git -C "$top" status --porcelain --untracked-files=no 2>/dev/null)" ] ||
	dirty=true
hostload=${HOSTLOAD:-$(cut -d ' ' -f 1 /proc/loadavg)}
cd "$dir"
accel=$(cut -d ' ' -f 1 vm/accel.txt 2>/dev/null) || accel=none
[ -f race-w.jsonl ] || : >race-w.jsonl
for f in kernel-results.json ubench.json urace.json ubench-rs.json urace-rs.json; do
	[ -s "$f" ] || { echo "report.sh: $dir/$f missing" >&2; exit 1; }
done

# --- results.json: one document, every record tagged with its source and
# a user-space record with its tool (mymem-bench, mymem-bench-rs, ...)
jq -n --slurpfile k kernel-results.json --slurpfile b ubench.json \
	--slurpfile r urace.json --slurpfile brs ubench-rs.json \
	--slurpfile rrs urace-rs.json --slurpfile rw race-w.jsonl --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
	--arg commit "$commit" --argjson dirty "$dirty" --arg accel "$accel" \
	--arg hostload "$hostload" '
	def user($doc): [$doc[0].records[] | . + {source: "user", tool: $doc[0].tool}];
	{schema: 1, date: $date,
	 produced_by: {commit: $commit, dirty: $dirty, accel: $accel,
		       host_load: ($hostload | tonumber)},
	 kernel: $k[0].kernel, cpus: $k[0].cpus, core_size: $k[0].core_size,
	 params: $k[0].params, verdict: $k[0].verdict,
	 records: ([$k[0].records[] | . + {source: "kernel"}] +
		   user($b) + user($r) + user($brs) + user($rrs)),
	 race_w: $rw}' >results.json

# q FILTER: jq over results.json, with r(a; b), a / b to two decimals
q() {
	jq -r "def r(a; b): if b > 0 then (a / b * 100 | round / 100) else \"-\" end; $1" \
		results.json
}

# --- the tables, one Markdown file each in DIR/tables/ (docs/RESULTS.md
# takes them from there: tools/harness/bin/results.sh), and results.md,
# all of them under their headings.  table NAME HEAD FILTER: tables/NAME.md,
# HEAD's lines, then FILTER's
mkdir -p tables
table() {
	printf '%s\n' "$2" >"tables/$1.md"
	q "$3" >>"tables/$1.md"
}
table perf "| size (B) | op | avg | min | p50 | p99 | max | avg / memcpy | p50 / memcpy |
|---:|---|---:|---:|---:|---:|---:|---:|---:|" '[.records[] | select(.test == "perf")] as $p |
	   $p[] | . as $r |
	   ($p[] | select(.op == "memcpy" and .size == $r.size)) as $m |
	   "| \(.size) | \(.op) | \(.avg_ns) | \(.min_ns) | \(.p50_ns) | \(.p99_ns) | \(.max_ns) | \(r(.avg_ns; $m.avg_ns)) | \(r(.p50_ns; $m.p50_ns)) |"'
table ubench "| size (B) | op | target | avg | min | p50 | p99 | max | avg mymem / tmpfs | p50 mymem / tmpfs |
|---:|---|---|---:|---:|---:|---:|---:|---:|---:|" '[.records[] | select(.test == "ubench" and
	   .tool == "mymem-bench")] as $u | $u[] | . as $r |
	   ($u[] | select(.target != "mymem" and .op == $r.op and .size == $r.size)) as $t |
	   "| \(.size) | \(.op) | \(.target) | \(.avg_ns) | \(.min_ns) | \(.p50_ns) | \(.p99_ns) | \(.max_ns) | \(if .target == "mymem" then r(.avg_ns; $t.avg_ns) else "" end) | \(if .target == "mymem" then r(.p50_ns; $t.p50_ns) else "" end) |"'
table rust "| size (B) | op | target | p50 C | p50 Rust | p50 Rust / C | avg Rust / C |
|---:|---|---|---:|---:|---:|---:|" '[.records[] | select(.test == "ubench")] as $u |
	   $u[] | select(.tool == "mymem-bench") | . as $c |
	   ($u[] | select(.tool == "mymem-bench-rs" and .target == $c.target and
			  .op == $c.op and .size == $c.size)) as $rs |
	   "| \(.size) | \(.op) | \(.target) | \(.p50_ns) | \($rs.p50_ns) | \(r($rs.p50_ns; .p50_ns)) | \(r($rs.avg_ns; .avg_ns)) |"'
table race "| where | mode | workers | increments | expected | final | lost | time (ms) | exact |
|---|---|---:|---:|---:|---:|---:|---:|---|" 'def where: if .test == "race" then "kernel"
		     elif .tool == "mymem-race-rs" then "user, Rust" else "user, C" end;
	   .records[] | select(.test == "race" or .test == "urace") |
	   "| \(where) | \(.mode) | \(.workers) | \(.increments) | \(.expected) | \(.final) | \(.lost) | \(.elapsed_ns / 1000000 | floor) | \(.exact) |"'
table race-rust "| mode | C time (ms) | Rust time (ms) | Rust / C time | C lost | Rust lost |
|---|---:|---:|---:|---:|---:|" '[.records[] | select(.test == "urace")] as $u |
	   $u[] | select(.tool == "mymem-race") | . as $c |
	   ($u[] | select(.tool == "mymem-race-rs" and .mode == $c.mode)) as $rs |
	   "| \(.mode) | \(.elapsed_ns / 1000000 | floor) | \($rs.elapsed_ns / 1000000 | floor) | \(r($rs.elapsed_ns; .elapsed_ns)) | \(.lost) | \($rs.lost) |"'
[ "$(q '.race_w | length')" -eq 0 ] ||
	table race-w "| W | N | user space: final / N | lost % | in the kernel: final / N | lost % | kernel locked exact | kernel atomic exact |
|---:|---:|---:|---:|---:|---:|---|---|" '.race_w as $s | [$s[] | .workers] | unique[] as $w |
	   ($s[] | select(.workers == $w and .source == "user")) as $u |
	   ($s[] | select(.workers == $w and .source == "kernel" and .mode == "unlocked")) as $k |
	   ($s[] | select(.workers == $w and .source == "kernel" and .mode == "locked")) as $l |
	   ($s[] | select(.workers == $w and .source == "kernel" and .mode == "atomic")) as $a |
	   "| \($w) | \($u.increments) | \(r($u.final; $u.increments)) | \(r($u.lost * 100; $u.expected)) | \(r($k.final; $k.increments)) | \(r($k.lost * 100; $k.expected)) | \($l.exact) | \($a.exact) |"'
table scale "| workload | region | threads | ops/s | / 1 thread |
|---|---|---:|---:|---:|" '[.records[] | select(.test == "scale")] as $s | $s[] | . as $p |
	   ($s[] | select(.workload == $p.workload and .region == $p.region and .threads == 1)) as $one |
	   "| \(.workload) | \(.region) | \(.threads) | \(.ops_per_sec) | \(r(.ops_per_sec; $one.ops_per_sec)) |"'
q '.records[] | select(.test == "torture") |
   "\(.verdict): \(.duration_s) s, \(.threads) threads, reads \(.reads), writes \(.writes), seeks \(.seeks), adds \(.adds); torn \(.torn), lost \(.lost), add errors \(.add_errors), errors \(.errors)"' >tables/torture.md

{
	echo "# mymem results: $(q .kernel), $(q .cpus) CPUs, $(q .date)"
	echo
	echo "Verdict of the in-kernel run: **$(q .verdict)**. Times are in ns per call."
	echo "Commit $commit$([ "$dirty" = false ] || echo ' (with uncommitted changes)'), accelerator $accel, host load $hostload at the start."
	if [ "$accel" = tcg ]; then
		echo "Under QEMU's software emulation (TCG) absolute times are emulated;"
		echo "the ratios between columns measured in the same run are what hold."
	fi
	for t in "perf:In-kernel perf (mymem_test)" \
		 "ubench:User-space timing over /dev/mymem against a tmpfs file (mymem-bench)" \
		 "rust:Rust against C: the same calls (mymem-bench-rs / mymem-bench)" \
		 "race:Counter race (W workers, N increments each)" \
		 "race-rust:Counter race, Rust against C" \
		 "race-w:Counter race over W (RACE_W)" \
		 "scale:Scaling: 1 KiB operations per second (mymem_test)" \
		 "torture:Torture (mymem_test)"; do
		[ -s "tables/${t%%:*}.md" ] || continue
		printf '\n## %s\n\n' "${t#*:}"
		cat "tables/${t%%:*}.md"
	done
	echo
	echo "![latency](latency.png) ![throughput](throughput.png)"
	echo "![race](race.png) ![scaling](scaling.png) ![race over W](race-w.png) ![Rust / C](rust-c.png)"
} >results.md

# --- plot data: one file per series, "x y" lines, each line written by
# jq after its file's name.  Latency and throughput plot the median (p50):
# under emulation on a shared host the mean is dominated by the host's
# preemptions of the vCPU.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
q '(.records[] | select(.test == "perf") | "k_\(.op) \(.size) \(.p50_ns)"),
   ([.records[] | select(.test == "ubench")] as $u | $u[] |
    "\(if .tool == "mymem-bench" then "u" else "rs" end)_\(.target)_\(.op) \(.size) \(.p50_ns)",
    (select(.tool == "mymem-bench") | . as $c | $u[] | select(.tool == "mymem-bench-rs" and
	.target == $c.target and .op == $c.op and .size == $c.size) |
     "rc_\(.target)_\(.op) \(.size) \(.p50_ns / $c.p50_ns)")),
   (.records[] | select(.test == "race" or .test == "urace") |
    "race \"\(if .test == "race" then "kernel" elif .tool == "mymem-race-rs" then "Rust" else "C" end) \(.mode)\" \(.lost * 100 / .expected) \(.elapsed_ns / 1e9)"),
   (.race_w[] | select(.mode == "unlocked") |
    "w_\(.source) \(.workers) \(.lost * 100 / .expected) \(.final / .increments)"),
   (.records[] | select(.test == "scale") |
    "s_\(.workload)_\(.region) \(.threads) \(.ops_per_sec)")' |
	awk -v tmp="$tmp" '{ f = tmp "/" $1 ".dat"; sub(/^[^ ]* /, ""); print >f }'
# without a sweep (RACE_W), one point at W = 1
for f in w_user w_kernel; do
	[ -s "$tmp/$f.dat" ] || echo "1 0 1" >"$tmp/$f.dat"
done

# curves COLUMN: the latency plot's curves, with COLUMN as y
curves() {
	sep=
	for c in "k_read::kernel mymem_read" "k_write::kernel mymem_write" \
		 "k_memcpy::kernel memcpy" "u_mymem_read::C read(2) /dev/mymem" \
		 "u_mymem_write::C write(2) /dev/mymem" "u_tmpfs_read::C pread(2) tmpfs" \
		 "u_tmpfs_write::C pwrite(2) tmpfs" \
		 "rs_mymem_read: dashtype 2:Rust read(2) /dev/mymem" \
		 "rs_mymem_write: dashtype 2:Rust write(2) /dev/mymem"; do
		f=${c%%:*} c=${c#*:}
		printf '%s"%s" using 1:%s with linespoints%s title "%s"' "$sep" \
			"$tmp/$f.dat" "$1" "${c%%:*}" "${c#*:}"
		sep=", "
	done
}
title="$(q .kernel), $(q .cpus) CPUs"
race_title=$(q '[.records[] | select(.test == "race")][0] |
	"W = \(.workers) workers x N = \(.increments) increments"')
gnuplot <<EOF
set terminal pngcairo size 1000,600 font "sans,11" noenhanced
set grid
set key outside right top vertical
set logscale xy
set format x "%.0s%cB"
set xlabel "transfer size (bytes)"

set output "latency.png"
set title "Median time per call vs transfer size ($title)"
set ylabel "median time per call (ns, log scale)"
plot $(curves 2)

set output "throughput.png"
set title "Throughput at the median call vs transfer size ($title)"
set ylabel "bytes per second (size / median time, log scale)"
set format y "%.0s%cB/s"
plot $(curves '($1 * 1e9 / $2)')

set output "rust-c.png"
set title "Rust tool / C tool, median time per call ($title)"
set ylabel "p50 Rust / p50 C (1: the same)"
unset logscale y
set format y "%g"
set yrange [0:*]
plot "$tmp/rc_mymem_read.dat" using 1:2 with linespoints title "read /dev/mymem", \
     "$tmp/rc_mymem_write.dat" using 1:2 with linespoints title "write /dev/mymem", \
     "$tmp/rc_tmpfs_read.dat" using 1:2 with linespoints dashtype 2 title "pread tmpfs (control)", \
     "$tmp/rc_tmpfs_write.dat" using 1:2 with linespoints dashtype 2 title "pwrite tmpfs (control)", \
     1 with lines lc rgb "black" notitle

set output "race-w.png"
set title "Unlocked counter race over the workers W ($title)"
set logscale x 2
set format x "%g"
set xlabel "workers W (log scale)"
set ylabel "updates lost (% of W x N)"
set y2label "final counter / N"
set y2tics
set yrange [0:100]
set y2range [0:*]
plot "$tmp/w_user.dat" using 1:2 with linespoints title "user space: lost %", \
     "$tmp/w_kernel.dat" using 1:2 with linespoints title "kernel: lost %", \
     "$tmp/w_user.dat" using 1:3 axes x1y2 with linespoints dashtype 2 title "user space: final / N", \
     "$tmp/w_kernel.dat" using 1:3 axes x1y2 with linespoints dashtype 2 title "kernel: final / N"
unset y2tics
unset y2label

unset logscale
set output "race.png"
set multiplot layout 1,2 title "Counter race, $race_title ($title)"
set style data histograms
set style fill solid 0.7 border -1
set boxwidth 0.8
set xtics rotate by -45 font ",9"
set key off
set xlabel ""
set title "updates lost"
set ylabel "% of W x N"
plot "$tmp/race.dat" using 2:xtic(1) lc rgb "#c0392b"
set title "elapsed time"
set ylabel "seconds"
set yrange [0:*]
plot "$tmp/race.dat" using 3:xtic(1) lc rgb "#2c7fb8"
unset multiplot

set output "scaling.png"
set style data linespoints
set xtics 1 norotate font ",11"
set key outside right top vertical
set title "1 KiB operations per second vs threads ($title)"
set xlabel "kthreads"
set ylabel "operations per second"
plot for [w in "read write mixed"] for [r in "shared disjoint"] \
	"$tmp/s_".w."_".r.".dat" using 1:2 title w.", ".r, \
     "$tmp/s_memcpy_disjoint.dat" using 1:2 dashtype 2 title "memcpy, no API (ceiling)"
EOF
echo "report: $dir/results.json, results.md, tables/, latency.png, throughput.png, race.png, scaling.png, race-w.png, rust-c.png"
