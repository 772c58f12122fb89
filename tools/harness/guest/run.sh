#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - the job of `make run` (in the VM's /mymem, or make run-host):
#
#   run.sh KO_DIR BIN_DIR OUT_DIR
#
# the in-kernel run of mymem_test, its results and verdict, the user-space
# tools (C, then Rust), the RACE_W sweep and load times, into OUT_DIR.
# Exit 0 exactly when every part passed.

ko=${1:?KO_DIR} bin=${2:?BIN_DIR} out=${3:?OUT_DIR}
dbg=/sys/kernel/debug/mymem_test
. "$(dirname "$0")/functions.sh"
job_start run "$out"

say "insmod mymem_core"
insmod "$ko/mymem_core.ko" || { fail "insmod mymem_core"; exit 1; }
say "insmod mymem_test (the run goes on in the background)"
if ! insmod "$ko/mymem_test.ko"; then
	fail "insmod mymem_test"
	rmmod mymem_core
	exit 1
fi

say "waiting for the in-kernel run: $(cat $dbg/status)"
await_run $dbg "$out/status.txt"

cat $dbg/results | tee "$out/kernel-results.txt"
cp $dbg/results.json "$out/kernel-results.json"
dmesg | grep 'mymem_test: ' >"$out/kernel-dmesg.txt"
verdict=$(grep 'End of test:' "$out/kernel-dmesg.txt" | tail -n 1)
say "verdict: ${verdict:-none}"
echo "$verdict" | grep -q 'End of test: SUCCESS' ||
	fail "in-kernel run: ${verdict:-no verdict in dmesg}"
grep -qx SUCCESS "$out/status.txt" || fail "status: $(cat "$out/status.txt")"

# each Rust twin right after its C tool, so both see the machine alike
say "user-space timing test: mymem-bench"
"$bin/mymem-bench" -j "$out/ubench.json" || fail "mymem-bench"
say "the two write paths: mymem-bench -N"
"$bin/mymem-bench" -N -j "$out/ubench-nowait.json" || fail "mymem-bench -N"
say "the same in Rust: mymem-bench-rs"
"$bin/mymem-bench-rs" -j "$out/ubench-rs.json" || fail "mymem-bench-rs"
say "user-space counter test: mymem-race"
"$bin/mymem-race" -j "$out/urace.json" || fail "mymem-race"
say "the same in Rust: mymem-race-rs"
"$bin/mymem-race-rs" -j "$out/urace-rs.json" || fail "mymem-race-rs"

# the race over each W of RACE_W (N = RACE_N), in-kernel and mymem-race's
# unlocked mode, into race-w.jsonl
for w in ${RACE_W:-}; do
	say "race sweep: W=$w N=${RACE_N:-150000}"
	if echo "run tests=race workers=$w increments=${RACE_N:-150000}" \
		>$dbg/control; then
		await_run $dbg "$out/status-w$w.txt"
		jq -c '.records[] | . + {source: "kernel"}' $dbg/results.json \
			>>"$out/race-w.jsonl" || fail "race sweep W=$w: results"
	else
		fail "race sweep W=$w: control"
	fi
	"$bin/mymem-race" -w "$w" -n "${RACE_N:-150000}" -m unlocked \
		-j "$out/urace-w.json" >/dev/null &&
		jq -c '.records[] | . + {source: "user", tool: "mymem-race"}' \
			"$out/urace-w.json" >>"$out/race-w.jsonl" ||
		fail "race sweep W=$w: mymem-race"
done
rm -f "$out/urace-w.json"

rmmod mymem_test || fail "rmmod mymem_test"
rmmod mymem_core || fail "rmmod mymem_core"
say "load time: default size, 1 GiB (for the make bench verdicts)"
load_times "$ko" "$out/load.txt" "$bin"
[ $rc -eq 0 ] && say "PASS" || say "FAIL"
exit $rc
