#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# parse-bench.sh - judge one `make bench` run: every target of
# tools/harness/configs/bench/targets against the figures in DIR.
#
#   parse-bench.sh DIR [HOSTLOAD]
#
# Reads DIR/kernel-results.json (mymem_test), ubench.json and
# ubench-nowait.json (mymem-bench), load.txt (insmod times, the zeroing
# pass), stop.txt (rmmod times) and fio.txt (guest/fio.sh), whichever are
# there; prints each target's figure with PASS or MISS, or "not measured
# here" when the run has no figure for it (make run does not time the stop)
# or this machine cannot judge it (scaling, when memcpy itself does not
# scale: a ceiling below 1.5 or above the vCPUs); writes the figures alone
# to DIR/figures.txt ("NAME VALUE", for bench-locks.sh).  Printed with them:
# HOSTLOAD (the host's load average when the run began, default now) and
# DIR/vm/accel.txt (QEMU TCG or KVM; none: this machine's own kernel).
# Exit status 0 when no target is MISS.
set -eu

dir=$(cd "${1:?usage: parse-bench.sh DIR [HOSTLOAD]}" && pwd)
hostload=${2:-$(cut -d ' ' -f 1 /proc/loadavg)}
accel=$(cat "$dir/vm/accel.txt" 2>/dev/null) || accel=
case "$accel" in
tcg*)	under="under QEMU TCG (software emulation: read the ratios)" ;;
kvm*)	under="under QEMU KVM" ;;
*)	under="on this machine's own kernel" ;;
esac
targets=$(cd "$(dirname "$0")/../configs/bench" && pwd)/targets
: >"$dir/figures.txt"

{
	if [ -s "$dir/kernel-results.json" ]; then
		jq -r '"meta kernel \(.kernel)", "meta cpus \(.cpus)", "meta verdict \(.verdict)",
		       "meta workers \(.params.workers)", "meta increments \(.params.increments)",
		       "meta params tests=\(.params.tests) sizes=\(.params.sizes | map(tostring) | join(",")) iterations=\(.params.iterations) workers=\(.params.workers) increments=\(.params.increments) max_threads=\(.params.max_threads)",
		       (.records[] | select(.test == "perf") |
			"perf \(.op) \(.size) \(.p50_ns) \(.avg_ns)"),
		       (.records[] | select(.test == "scale") |
			"scale \(.workload) \(.region) \(.threads) \(.ops_per_sec)"),
		       (.records[] | select(.test == "race") |
			"race \(.mode) \(.elapsed_ns) \(.exact)")' \
			"$dir/kernel-results.json"
	fi
	# mymem-bench's records, and those of mymem-bench -N (the two write
	# paths), each line tagged with its file
	for f in ubench ubench-nowait; do
		[ -s "$dir/$f.json" ] || continue
		jq -r --arg tag "${f#ubench-}" '.records[] | select(.test == "ubench") |
		       "\($tag) \(.target) \(.op) \(.size) \(.p50_ns) \(.avg_ns)"' \
			"$dir/$f.json"
	done
	for f in load stop fio; do
		[ ! -s "$dir/$f.txt" ] || sed "s/^/$f /" "$dir/$f.txt"
	done
} | awk -v hostload="$hostload" -v under="$under" \
	-v date="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
	-v figures="$dir/figures.txt" '
# the limits, from the targets file (the first input)
NR == FNR { if ($1 !~ /^#/ && NF >= 2) lim[$1] = $2; next }
function ok(c) { if (c) { npass++; return "PASS" } nmiss++; return "MISS" }
# a target without a figure, or one this machine cannot judge: neither
function na(why) { nna++; return "not measured here (" why ")" }
function have(a, k) { return (k in a) && a[k] > 0 }
# ratio of two keyed figures, -1 when either is missing
function ratio(a, ka, kb) {
	return (have(a, ka) && have(a, kb)) ? a[ka] / a[kb] : -1
}
function fmt(r) { return r < 0 ? "no data" : sprintf("%.3f", r) }
# a[k], or "?" when it was not measured
function val(a, k) { return (k in a) ? a[k] : "?" }
function max2(x, y) { return (x < 0 || y < 0) ? -1 : (x > y ? x : y) }
# read and write at size against op at size: sets r, w (p50) and ra, wa
# (mean); returns the worse p50 ratio
function rw_ratios(op, size) {
	r = ratio(p50, "read" SUBSEP size, op SUBSEP size)
	w = ratio(p50, "write" SUBSEP size, op SUBSEP size)
	ra = ratio(avg, "read" SUBSEP size, op SUBSEP size)
	wa = ratio(avg, "write" SUBSEP size, op SUBSEP size)
	return max2(r, w)
}
# least-squares fit of fig[op, size] over the perf sizes that have it
# (x[1..n], y[1..n]): sets fa (ns), fb (ns/byte), fr2; returns 0 without
# at least 3 points
function fit(fig, op,    i, n, x, y, sx, sy, sxx, sxy, d, ym, ssr, sst) {
	n = sx = sy = sxx = sxy = 0
	for (i = 1; i <= nsz; i++) {
		if (!have(fig, op SUBSEP psz[i]))
			continue
		x[++n] = psz[i]; y[n] = fig[op, psz[i]]
		sx += x[n]; sy += y[n]; sxx += x[n] * x[n]; sxy += x[n] * y[n]
	}
	d = n * sxx - sx * sx
	if (n < 3 || d == 0)
		return 0
	fb = (n * sxy - sx * sy) / d
	fa = (sy - fb * sx) / n
	ym = sy / n; ssr = sst = 0
	for (i = 1; i <= n; i++) {
		ssr += (y[i] - fa - fb * x[i]) ^ 2
		sst += (y[i] - ym) ^ 2
	}
	fr2 = sst > 0 ? 1 - ssr / sst : 0
	return 1
}
$1 == "meta" { k = $2; $1 = $2 = ""; sub(/^ +/, ""); meta[k] = $0; next }
$1 == "perf" {
	p50[$2, $3] = $4; avg[$2, $3] = $5
	if (!($3 in seen_p)) { seen_p[$3] = 1; psz[++nsz] = $3 }
	next
}
$1 == "scale" { sc[$2, $3, $4] = $5; next }
$1 == "race" { rns[$2] = $3; rex[$2] = $4; next }
$1 == "ubench" {
	u50[$2, $3, $4] = $5; uavg[$2, $3, $4] = $6
	if ($2 != "mymem") base = $2
	if (!($4 in seen_u)) { seen_u[$4] = 1; usz[++nu] = $4 }
	next
}
$1 == "nowait" {
	nw[$2, $3, $4] = $5
	if (!($4 in seen_n)) { seen_n[$4] = 1; nsz_n[++nn] = $4 }
	next
}
$1 == "load" { load[$2] = $3; next }
$1 == "stop" { stop[$2] = $3; next }
# fio ENGINE BS RW TARGET ROUND IOPS: the rounds of each cell, in order
$1 == "fio" {
	c = $2 " " $3 " " $4
	if (!(c in seen_f)) { seen_f[c] = 1; fcell[++nf] = c }
	fv[c, $5, ++fn[c, $5]] = $7
	next
}
# the best of fv[c, t, 1..fn[c, t]] (the host only ever slows a round
# down), -1 when there is none
function best(c, t,    i, x) {
	x = -1
	for (i = 1; i <= fn[c, t]; i++)
		if (fv[c, t, i] + 0 > x)
			x = fv[c, t, i] + 0
	return x
}
# the time of one race mode, and whether it was exact
function race_mode(m) {
	return (m in rns) ? sprintf("%s %.0f ms exact %s", m, rns[m] / 1e6, rex[m]) : m " no data"
}
END {
	pad = "          "
	print "mymem bench: " (("kernel" in meta) ? meta["kernel"] : "no in-kernel results") \
	      ", " val(meta, "cpus") " vCPUs " under ", " date
	print "in-kernel run: " val(meta, "params") "; verdict " val(meta, "verdict")
	print "host load average at start: " hostload \
	      (hostload + 0 > 0.5 ? " (above 0.5: the host was busy, expect noise)" : "")
	print "Every figure is a ratio of two measurements taken side by side in"
	print "the same run. Per-call ratios use the median (p50); the mean-based"
	print "ratio is printed for reference only."
	if (under ~ /TCG/) {
		print "Under TCG each vCPU is a host thread, the host preempts it at"
		print "random, and one preemption adds milliseconds to the one call it"
		print "hits, so the mean measures the host scheduler more than mymem."
	}
	print ""

	# 1. large copies
	m = rw_ratios("memcpy", 524288)
	printf "target 1: 512 KiB in-kernel read and write p50 / memcpy p50 (worse op) = %s (limit <= %.2f) %s\n",
	       fmt(m), lim["large_copy"], m < 0 ? na("no data") : ok(m <= lim["large_copy"])
	printf "%sp50: read %s, write %s; mean-based: read %s, write %s\n",
	       pad, fmt(r), fmt(w), fmt(ra), fmt(wa)
	print "large_read " fmt(r) "\nlarge_write " fmt(w) > figures

	# 2. small ops
	m = rw_ratios("mutex_memcpy", 1)
	printf "target 2: 1 B in-kernel read and write p50 / mutex_memcpy p50 (worse op) = %s (limit <= %.2f) %s\n",
	       fmt(m), lim["small_op"], m < 0 ? na("no data") : ok(m <= lim["small_op"])
	printf "%sp50: read %s, write %s (mutex_memcpy %s ns); mean-based: read %s, write %s\n",
	       pad, fmt(r), fmt(w), val(p50, "mutex_memcpy" SUBSEP 1), fmt(ra), fmt(wa)
	print "small_read " fmt(r) "\nsmall_write " fmt(w) > figures

	# 3. two threads against one, over the ceiling of the machine itself
	c = ratio(sc, "memcpy" SUBSEP "disjoint" SUBSEP 2, "memcpy" SUBSEP "disjoint" SUBSEP 1)
	split("write disjoint,mixed disjoint,read shared", loads, ",")
	worst = line = ""
	for (j = 1; j <= 3; j++) {
		split(loads[j], wl, " ")
		r = ratio(sc, wl[1] SUBSEP wl[2] SUBSEP 2, wl[1] SUBSEP wl[2] SUBSEP 1)
		f = (r < 0 || c < 0) ? -1 : r / c
		if (worst == "" || f < worst)
			worst = f
		line = line sprintf("%s%s %s %s (%s)", j > 1 ? ", " : "", wl[1], wl[2], fmt(r), fmt(f))
		print "scale_" wl[1] " " fmt(f) > figures
	}
	# the ceiling of the machine itself must show two CPUs at work first
	cpus = val(meta, "cpus") + 0
	if (worst < 0)
		v = na("no data")
	else if (c < 1.5 || c > cpus * 1.05)
		v = na(sprintf("the ceiling, memcpy 2 / 1, is %.3f, not 1.5 to %.2f", c, cpus * 1.05))
	else
		v = ok(worst >= lim["scaling"])
	printf "target 3: 1 KiB calls, 2 / 1 threads ops/s over memcpy 2 / 1 threads, worst of writes, mixed, reads = %s (limit >= %.2f) %s\n",
	       fmt(worst), lim["scaling"], v
	printf "%s2 / 1 threads (over the ceiling): %s; the ceiling, memcpy 2 / 1 = %s\n",
	       pad, line, fmt(c)

	# 4. atomic add against a mutex around read + write
	r = ratio(rns, "locked", "atomic")
	exact = rex["locked"] == "true" && rex["atomic"] == "true"
	printf "target 4: race W=%s N=%s, locked time / atomic time = %s (limit >= %.2f, both exact) %s\n",
	       val(meta, "workers"), val(meta, "increments"), fmt(r), lim["atomic_speedup"],
	       r < 0 ? na("no data") : ok(r >= lim["atomic_speedup"] && exact)
	print "atomic_speedup " fmt(r) > figures
	printf "%s%s, %s\n", pad, race_mode("locked"), race_mode("atomic")

	# 5. /dev/mymem against a tmpfs file, every size and op
	worst = worsta = -1; n = 0; line = ""
	for (i = 1; i <= nu; i++) {
		s = usz[i]
		line = line sprintf("%s%s B", i > 1 ? ", " : "", s)
		for (j = 1; j <= 2; j++) {
			op = j == 1 ? "read" : "write"
			r = ratio(u50, "mymem" SUBSEP op SUBSEP s, base SUBSEP op SUBSEP s)
			ra = ratio(uavg, "mymem" SUBSEP op SUBSEP s, base SUBSEP op SUBSEP s)
			line = line sprintf(" %s %s", substr(op, 1, 1), fmt(r))
			if (r < 0) { missing = 1; continue }
			n++
			if (r > worst) { worst = r; wat = s " B " op }
			if (ra > worsta) { worsta = ra; waat = s " B " op }
		}
	}
	if (n == 0)
		missing = 1
	printf "target 5: /dev/mymem p50 / %s p50, worst of %d (size, op) = %s%s (limit <= %.2f) %s\n",
	       base ? base : "tmpfs", n, fmt(worst), (worst >= 0 ? " at " wat : ""),
	       lim["dev_vs_tmpfs"], missing ? na("no data") : ok(worst <= lim["dev_vs_tmpfs"])
	printf "%sp50: %s\n", pad, n ? line : "no data"
	print "dev_vs_tmpfs " fmt(worst) > figures
	printf "%smean-based worst: %s%s\n", pad, fmt(worsta), (worsta >= 0 ? " at " waat : "")
	# (reference) the two write paths of /dev/mymem, side by side
	# (mymem-bench -N): pread/pwrite against preadv2/pwritev2(RWF_NOWAIT)
	if (nn) {
		line = ""
		for (i = 1; i <= nn; i++) {
			s = nsz_n[i]
			line = line sprintf("%s%s B w %s r %s", i > 1 ? ", " : "", s,
				fmt(ratio(nw, "mymem" SUBSEP "write" SUBSEP s, "nowait" SUBSEP "write" SUBSEP s)),
				fmt(ratio(nw, "mymem" SUBSEP "read" SUBSEP s, "nowait" SUBSEP "read" SUBSEP s)))
		}
		printf "%s(reference) p50 of pwrite (pinned source) / pwritev2 RWF_NOWAIT (plain copy), reads the same path both: %s\n",
		       pad, line
	}

	# 6. linear cost, and the 1 GiB buffer
	lin = 1; r2min = 2
	for (j = 1; j <= 2; j++) {
		op = j == 1 ? "read" : "write"
		if (fit(p50, op)) {
			fl[j] = sprintf("%s p50 = %.0f ns + %.4f ns/B x size, R^2 %.5f",
					op, fa, fb, fr2)
			if (fr2 < r2min) r2min = fr2
			if (fr2 < lim["linear_r2"]) lin = 0
		} else {
			fl[j] = op ": no data"; lin = 0; r2min = -1
		}
		fla[j] = fit(avg, op) ? sprintf("%s mean = %.0f ns + %.4f ns/B x size, R^2 %.5f",
						op, fa, fb, fr2) : op " mean: no data"
	}
	t = ratio(load, "load_1g_s", "zero_1g_s")
	printf "target 6: insmod size=1 GiB / one zeroing pass over 1 GiB = %s (limit <= %.2f); linear fit R^2 = %s (limit >= %.2f) %s\n",
	       fmt(t), lim["load_1g"],
	       ((r2min < 0 || r2min > 1) ? "no data" : sprintf("%.5f", r2min)), lim["linear_r2"],
	       t < 0 || r2min < 0 ? na("no data") : ok(t <= lim["load_1g"] && lin)
	printf "%sinsmod size=1 GiB %s s, one memset(0) pass over 1 GiB %s s\n",
	       pad, val(load, "load_1g_s"), val(load, "zero_1g_s")
	print "load_1g " fmt(t) > figures
	print "linear_r2 " ((r2min < 0 || r2min > 1) ? "no data" : r2min) > figures
	printf "%s%s\n%s%s\n", pad, fl[1], pad, fl[2]
	printf "%s(reference) %s\n%s(reference) %s\n", pad, fla[1], pad, fla[2]
	if (fit(p50, "memcpy"))
		printf "%s(reference) memcpy p50 = %.0f ns + %.4f ns/B x size, R^2 %.5f: the machine'"'"'s own curve\n",
		       pad, fa, fb, fr2
	printf "%sthe fixed cost measured directly: 1 B read p50 %s ns, write p50 %s ns\n",
	       pad, val(p50, "read" SUBSEP 1), val(p50, "write" SUBSEP 1)
	printf "%sfit over sizes", pad
	for (i = 1; i <= nsz; i++) printf " %s", psz[i]
	printf " B; load at the default size: %s\n",
	       ("default_s" in load) ? load["default_s"] " s" : "no data"
	if ("load_1g_error" in load)
		printf "%sinsmod size=1 GiB failed: %s\n", pad, load["load_1g_error"]

	# 7. the stop time: rmmod of the test module during a race run
	s = max2(have(stop, "w50_module_ms") ? stop["w50_module_ms"] + 0 : -1,
		 have(stop, "w1024_module_ms") ? stop["w1024_module_ms"] + 0 : -1)
	printf "target 7: rmmod mymem_test during a race run, time to stop the run (worse of W=50, W=1024) = %s (limit <= %d ms) %s\n",
	       (s < 0 ? "no data" : s " ms"), lim["stop_ms"],
	       s < 0 ? na("no data") : ok(s <= lim["stop_ms"])
	printf "%sW=50 %s ms, W=1024 %s ms (mymem_test'"'"'s own figure); the whole rmmod: %s ms, %s ms\n",
	       pad, val(stop, "w50_module_ms"), val(stop, "w1024_module_ms"),
	       val(stop, "w50_rmmod_ms"), val(stop, "w1024_rmmod_ms")
	print "stop_ms " (s < 0 ? "no data" : s) > figures

	# 8. fio, a client nobody here wrote: mymem against brd and tmpfs
	worst = -1; line = ""; nrounds = 0
	for (i = 1; i <= nf; i++) {
		c = fcell[i]
		m = best(c, "mymem"); b = best(c, "brd"); t = best(c, "tmpfs")
		rb = (m < 0 || b <= 0) ? -1 : m / b
		rt = (m < 0 || t <= 0) ? -1 : m / t
		if (fn[c, "mymem"] > nrounds) nrounds = fn[c, "mymem"]
		line = line sprintf("%s%-22s %9d %9d %9d %8s %8s\n", pad, c, m, b, t,
				    fmt(rb), fmt(rt))
		for (j = 1; j <= 2; j++) {
			r = j == 1 ? rb : rt
			if (r < 0) { fmiss = 1; continue }
			if (worst < 0 || r < worst) { worst = r; fat = c ((j == 1) ? " / brd" : " / tmpfs") }
		}
		# the widest spread of the rounds of a read cell on one target
		for (j = 1; c ~ /read/ && j <= 3; j++) {
			tt = j == 1 ? "mymem" : (j == 2 ? "brd" : "tmpfs")
			for (k = 1; k <= fn[c, tt]; k++)
				if (fv[c, tt, k] + 0 > 0 && best(c, tt) / fv[c, tt, k] > spread)
					spread = best(c, tt) / fv[c, tt, k]
		}
	}
	printf "target 8: fio IOPS, /dev/mymem / brd and / tmpfs (best of %d rounds), worst of %d cells = %s%s (limit >= %.2f) %s\n",
	       nrounds, nf, fmt(worst), (worst >= 0 ? " at " fat : ""), lim["fio_vs_brd_tmpfs"],
	       (nf == 0 || fmiss) ? na("no data") : ok(worst >= lim["fio_vs_brd_tmpfs"])
	if (nf)
		printf "%s%-22s %9s %9s %9s %8s %8s\n%s", pad, "engine bs pattern",
		       "mymem", "brd", "tmpfs", "/ brd", "/ tmpfs", line
	print "fio_worst " fmt(worst) > figures
	# for the page (results.sh): the time per I/O of a 1-byte psync read
	printf "fio_rounds %d\nfio_read_spread %.2f\n", nrounds, spread > figures
	if ((x = best("psync 1 read", "mymem")) > 0)
		printf "fio_r1_us %.2f\n", 1e6 / x > figures

	print ""
	printf "bench: %d of %d targets judged PASS, %d MISS; %d not measured here\n",
	       npass, npass + nmiss, nmiss, nna
	exit nmiss ? 1 : 0
}' "$targets" -
