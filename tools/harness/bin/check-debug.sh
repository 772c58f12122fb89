#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# check-debug.sh - `make check-debug`: mymem under the kernel's own bug
# detectors.  For each debug kernel (6.1-kasan, 6.1-kcsan; built from
# Debian's linux-source-6.1 by tools/harness/bin/debug-kernel.sh, with lockdep,
# DEBUG_ATOMIC_SLEEP, kmemleak, UBSAN, DEBUG_OBJECTS, KUnit and fault
# injection in both):
#
#   build     the kernel (ccache: quick when only the fragments or nothing
#             changed), then both modules and mymem_kunit W=1 against it
#   vm        boot it (panic_on_warn, oops=panic: any report ends the run)
#             and run the kselftests (mymem_modules.sh, mymem_dev), the
#             KUnit suite and the tools' tests; every KTAP
#             result line counts as one test.  The long runs, 200 load/run/
#             unload cycles and a 1,000,000-call mymem-fuzz, and the fault
#             sweeps (mymem_faults.sh) are made on one kernel
#             (CHECK_DEBUG_LONG, default 6.1-kasan: KASAN and kmemleak
#             watch them); the other gets 10 cycles and 200,000 calls
#   detectors each detector the kernel was built with was still active at
#             the end (lockdep switches itself off after a report), with
#             both CPUs online
#
# Output and exit status as for tools/harness/bin/check.sh; logs in results/check-debug/.
# Environment: CHECK_DEBUG_KERNELS (default "6.1-kasan 6.1-kcsan"),
# CHECK_DEBUG_LONG (6.1-kasan), CHECK_DEBUG_CYCLES (200),
# CHECK_DEBUG_FUZZ_CALLS (1000000).
set -u

top=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$top" || exit 1
kernels=${CHECK_DEBUG_KERNELS:-6.1-kasan 6.1-kcsan}
long=${CHECK_DEBUG_LONG:-6.1-kasan}
long_cycles=${CHECK_DEBUG_CYCLES:-200}
long_fuzz=${CHECK_DEBUG_FUZZ_CALLS:-1000000}
logs=$top/results/check-debug
rm -rf "$logs"
mkdir -p "$logs"

t0=$(date +%s)
. tools/harness/bin/check-lib.sh

# kunit_count FILE NAME: one result per KUnit case (the indented case
# lines; a parameterised case's own line sums up its parameters), the
# case plan checked, and the suite's own result line must be ok
kunit_count() {
	file=$1 suite=$2
	if [ ! -s "$file" ]; then
		record FAIL "$suite" "no KUnit results"
		return
	fi
	plan=$(sed -n 's/^    1\.\.\([0-9]*\).*/\1/p' "$file" | head -n 1)
	n=0
	while IFS= read -r line; do
		case "$line" in
		"    ok "*|"    not ok "*) ;;
		*) continue ;;
		esac
		n=$((n + 1))
		line=${line#    }
		desc=$(echo "$line" | sed 's/^\(not \)\{0,1\}ok [0-9]* \(- \)\{0,1\}//')
		case "$line" in
		"not ok "*)	record FAIL "$suite: $desc" ;;
		*"# SKIP"*)	record SKIP "$suite: $desc" ;;
		*)		record PASS "$suite: $desc" ;;
		esac
	done <"$file"
	if [ -z "$plan" ] || [ "$plan" -ne "$n" ]; then
		record FAIL "$suite: KUnit plan" "plan '${plan:-none}', $n results"
	fi
	grep -q '^ok [0-9]* \(- \)\{0,1\}mymem_core$' "$file" ||
		record FAIL "$suite: suite result" "$(grep -E '^(not )?ok' "$file")"
}

# detectors_check FLAVOUR FILE: what must have been on, before and after
detectors_check() {
	f=$2
	want="cpus 2
lockdep 1
kmemleak 1
kunit 1"
	case "$1" in
	*-kasan) want="$want
kasan 1" ;;
	*-kcsan) want="$want
kcsan 1" ;;
	esac
	for when in before after; do
		echo "$want" | while read -r key val; do
			got=$(sed -n "s/^$when $key //p" "$f")
			[ "$got" = "$val" ] || echo "$when: $key is '${got:-missing}', not $val"
		done
	done >"$logs/detectors-$1.bad"
	if [ -s "$logs/detectors-$1.bad" ]; then
		record FAIL "$1: detectors active" \
			"$(tr '\n' ';' <"$logs/detectors-$1.bad")"
		return
	fi
	detail="lockdep, kmemleak, KUnit, 2 CPUs"
	case "$1" in
	*-kasan) detail="KASAN, $detail" ;;
	*-kcsan) w=$(sed -n 's/^after kcsan_watchpoints //p' "$f")
		 detail="KCSAN ($w watchpoints set up), $detail"
		 [ "${w:-0}" -gt 0 ] || {
			record FAIL "$1: detectors active" "KCSAN set up no watchpoint"
			return
		 } ;;
	esac
	record PASS "$1: detectors active before and after" "$detail"
}

debug_suite() {
	k=$1
	out=$logs/vm-$k
	payload=$logs/payload-$k
	if ! make_payload "$k" "$payload" >"$logs/payload-$k.log" 2>&1; then
		record FAIL "vm $k: payload" "see $logs/payload-$k.log"
		return
	fi
	cycles=10 fuzz_calls=200000 faults=0
	if [ "$k" = "$long" ]; then
		cycles=$long_cycles fuzz_calls=$long_fuzz faults=1
	fi
	VM_QUIET=1 tools/harness/bin/vm.sh --kernel "$k" --payload "$payload" \
		--cmd "MYMEM_SELFTEST_QUICK=1 MYMEM_SELFTEST_CYCLES=$cycles MYMEM_FAULTS=$faults TOOLS_FUZZ_CALLS=$fuzz_calls TOOLS_RACE_N=20000 sh guest/check-debug.sh" \
		--out "$out" --timeout "${CHECK_VM_TIMEOUT:-2400}" \
		--append "kasan_multi_shot slub_nomerge slub_debug=A,kmalloc-*" \
		--expect-alloc-failures 1 \
		>"$logs/vm-$k.log" 2>&1
	rc=$?
	grep '^\[vm\]' "$logs/vm-$k.log" | sed 's/^/    /'
	for t in mymem_modules mymem_dev tools; do
		ktap_count "$out/$t.tap" "$k $t"
	done
	[ $faults = 0 ] || ktap_count "$out/mymem_faults.tap" "$k mymem_faults"
	kunit_count "$out/kunit.tap" "$k kunit"
	if [ -f "$out/detectors.txt" ]; then
		detectors_check "$k" "$out/detectors.txt"
	else
		record FAIL "$k: detectors active" "no $out/detectors.txt"
	fi
	if [ $rc -eq 0 ]; then
		record PASS "vm $k: clean boot, run and shutdown" \
			"no report from any detector"
	else
		record FAIL "vm $k: clean boot, run and shutdown" \
			"vm.sh rc=$rc, console in $out/console.log"
	fi
}

for k in $kernels; do
	phase "debug kernel $k"
	run_check "debug kernel $k builds" tools/harness/bin/debug-kernel.sh "$k"
	if ! tools/harness/bin/kernel.sh krel "$k" >/dev/null 2>&1; then
		record FAIL "vm $k" "the kernel did not build"
		continue
	fi
	run_check "build $k W=1, no warnings (with mymem_kunit)" \
		build_clean "$k"
	kunit_built "$k"
	phase "kselftests, KUnit, fuzz in the VM on $k"
	debug_suite "$k"
done

summary
