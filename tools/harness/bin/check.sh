#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash # local
#
# check.sh - `make check`, `make check-debug` and `make soak`.
#
#   check.sh         LIST's check: kernels, stages:
#     static         checkpatch, kernel-doc, docs/API.rst, patches at fuzz 0
#     build          per kernel: W=1, sparse C=2, extmod, dkms, KUnit built
#     tools          the programs and their host tests, kselftest install
#     harness        vm.sh fails on a panic, a dmesg BUG, a failing command
#                    and the hard timeout
#     vm             per kernel: the suite in QEMU (its configs/suite/ file)
#   check.sh --debug LIST's check-debug: kernels (debug-build, vm)
#   check.sh --soak  the soak scenario on LIST's soak: kernels
#   check.sh --rust  LIST's check-rust: kernels (debug-build, vm)
#
# Results: "PASS|FAIL|SKIP name", logs in results/check/ (check-debug/,
# soak/, check-rust/), last line "N passed, N failed[, N skipped]"; non-zero on a failure.
# Environment: CHECK_KERNELS (the kernels), CHECK_STAGES.
set -u

top=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$top" || exit 1
. tools/harness/bin/functions.sh

scenario=
case "${1:-}" in
--debug)
	mode=check-debug
	stages=${CHECK_STAGES:-debug-build vm} ;;
--soak)
	mode=soak scenario=soak
	stages=${CHECK_STAGES:-debug-build vm} ;;
--rust)
	mode=check-rust
	stages=${CHECK_STAGES:-debug-build vm} ;;
'')
	mode=check
	stages=${CHECK_STAGES:-static build tools harness vm} ;;
*)	usage ;;
esac
kernels=${CHECK_KERNELS:-$(kfact list "$mode")} || exit 1
# make check also builds the check-build kernels, without their vm stage
build_only=
if [ "$mode" = check ] && [ -z "${CHECK_KERNELS:-}" ]; then
	build_only=$(kfact list check-build) || exit 1
fi
logs=$top/results/$mode
rm -rf "$logs"
mkdir -p "$logs"

checkpatch_all() {
	local cp f ignore out rc=0
	cp=$(linux_source)/scripts/checkpatch.pl || return 1
	for f in $(git ls-files 'mymem_core*/*.[ch]' 'mymem_test/*.[ch]' 'include/*.h'); do
		# the compat header is where version tests belong; glue.c
		# exports functions that Rust defines
		case $f in
		include/mymem_compat.h)
			ignore=--ignore=LINUX_VERSION_CODE,CONSTANT_COMPARISON ;;
		mymem_core_rs/glue.c) ignore=--ignore=EXPORT_SYMBOL ;;
		*)	ignore= ;;
		esac
		out=$(perl "$cp" --no-tree --strict --terse --show-types \
			$ignore -f "$f" 2>&1) || rc=1
		[ -z "$out" ] || { echo "$out"; rc=1; }
	done
	return $rc
}

kerneldoc_clean() {
	local kdir out
	kdir=$(kfact kdir "$1") || return 1
	out=$(perl "$kdir/scripts/kernel-doc" -none mymem_core/buffer.c \
		mymem_core/handle.c mymem_core/dev.c mymem_core/mymem_core.h \
		include/linux/mymem.h include/uapi/linux/mymem.h 2>&1)
	echo "$out"
	[ -z "$out" ]
}

# no_warnings COMMAND...: it succeeds and prints no warning and no error
no_warnings() {
	local out rc=0
	out=$("$@" 2>&1) || rc=1
	echo "$out"
	[ $rc -eq 0 ] && ! echo "$out" | grep -E 'warning:|error:'
}

# kunit_built FLAVOUR: mymem_kunit.ko built iff CONFIG_KUNIT (else a SKIP)
kunit_built() {
	local krel
	krel=$(kfact krel "$1") || return
	if ! grep -q '^CONFIG_KUNIT=[ym]' "$(kfact kdir "$1")/include/config/auto.conf" 2>/dev/null; then
		record SKIP "KUnit $1: mymem_kunit.ko" "CONFIG_KUNIT is not set in $krel; make check-debug runs the suite"
	elif [ -f "build/$krel/mymem_kunit.ko" ]; then
		record PASS "KUnit $1: mymem_kunit.ko built"
	else
		record FAIL "KUnit $1: mymem_kunit.ko built" "CONFIG_KUNIT is set, no module"
	fi
}

# the teeth and bench-locks patches apply to the tree at fuzz 0
patches_apply() {
	local p rc=0
	for p in "$harness"/configs/teeth/*.patch "$harness"/configs/bench/locks/*.patch; do
		patch -s -p1 --dry-run --fuzz=0 <"$p" >/dev/null 2>&1 ||
			{ echo "does not apply at fuzz 0: $p"; rc=1; }
	done
	return $rc
}

# the kselftests installed in a kernel tree: run_kselftest.sh lists every
# program of the Makefile, each executable
kselftest_installs() {
	local d=$logs/kselftest-install want got t rc=0
	ksft_install "$d" || return 1
	want=$(sed -n 's/^TEST_\(GEN_\)\{0,1\}PROGS := //p' \
		tools/testing/selftests/mymem/Makefile | tr ' ' '\n' |
		sed 's/^/mymem:/' | sort)
	got=$(cd "$d" && ./run_kselftest.sh -l | sort)
	echo "run_kselftest.sh -l: $(echo "$got" | tr '\n' ' ')"
	[ "$got" = "$want" ] || { echo "expected: $(echo "$want" | tr '\n' ' ')"; return 1; }
	for t in $got; do
		[ -x "$d/mymem/${t#mymem:}" ] || { echo "not executable: ${t#mymem:}"; rc=1; }
	done
	return $rc
}

# vm.sh must fail each of these and say why:
#   NAME|COMMAND|what vm.sh says|more vm.sh options
harness_cases="a guest kernel panic|echo c >/proc/sysrq-trigger|FAIL: .*Kernel panic|
a BUG line seen only in dmesg|echo '<6>harness: BUG: planted' >/dev/kmsg|FAIL: .*BUG: planted|
a failing command|exit 3|command exit status 3|
the hard timeout|sleep 600|FAIL: hard timeout|--timeout 20"

# harness_catches COMMAND PATTERN OPTIONS: vm.sh exits non-zero, saying PATTERN
harness_catches() {
	local out rc=0
	out=$logs/harness-$(echo "$1" | cksum | cut -d ' ' -f 1)
	mkdir -p "$out.payload"
	# shellcheck disable=SC2086 # $3 is a list of options
	VM_QUIET=1 $harness/bin/vm.sh --kernel 6.1 --payload "$out.payload" \
		--cmd "$1" --out "$out" --timeout 300 $3 >"$out.log" 2>&1 || rc=$?
	cat "$out.log"
	[ $rc -ne 0 ] || { echo "vm.sh exited 0 for: $1"; return 1; }
	grep -E "$2" "$out.log"
}

for stage in $stages; do
	case "$stage" in
	static)
		phase "static checks"
		run_check "checkpatch --strict" checkpatch_all
		run_check "kernel-doc on the API" kerneldoc_clean 6.1
		run_check "docs/API.rst matches the kernel-doc (make docs)" \
			sh -c "$harness/bin/api-doc.sh | diff -u docs/API.rst -"
		run_check "teeth and lock-design patches apply at fuzz 0" \
			patches_apply
		;;
	build)
		for k in $kernels $build_only; do
			phase "build for $k"
			run_check "build $k W=1, no warnings" \
				no_warnings make --no-print-directory KERNEL="$k" modules
			run_check "sparse $k C=2, no warnings" no_warnings make \
				--no-print-directory -C "$(kfact kdir "$k")" M="$top" C=2 W=1 modules
			run_check "mymem_test alone via KBUILD_EXTRA_SYMBOLS $k" \
				make --no-print-directory KERNEL="$k" extmod
			run_check "dkms build $k" sh $harness/bin/dkms-check.sh "$k"
			kunit_built "$k"
		done
		;;
	debug-build)
		for k in $kernels; do
			phase "debug kernel $k"
			run_check "debug kernel $k builds" \
				$harness/bin/debug-kernel.sh "$k"
			run_check "build $k W=1, no warnings (with mymem_kunit)" \
				no_warnings make --no-print-directory KERNEL="$k" modules
			kunit_built "$k"
		done
		;;
	tools)
		phase "user-space tools"
		run_check "tools build" make --no-print-directory -C tools
		run_check "tools host tests" make --no-print-directory -C tools test
		run_check "selftests build" make --no-print-directory \
			-C tools/testing/selftests/mymem
		run_check "kselftests install in a kernel tree, run_kselftest.sh lists them" \
			kselftest_installs
		;;
	harness)
		phase "VM harness"
		while IFS='|' read -r name cmd pat opts; do
			run_check "harness fails on $name" \
				harness_catches "$cmd" "$pat" "$opts"
		done <<EOF
$harness_cases
EOF
		;;
	vm)
		for k in $kernels; do
			phase "the suite in the VM: $k"
			# shellcheck disable=SC2086 # no scenario: the kernel's own
			suite "$k" $scenario
		done
		;;
	*)
		record FAIL "unknown stage $stage"
		;;
	esac
done

summary
