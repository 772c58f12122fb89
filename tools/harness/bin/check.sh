#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# check.sh - every test mymem has (`make check`).
#
#   static    checkpatch --strict, kernel-doc on the API
#   build     W=1 (zero warnings) and sparse C=2 on each kernel, the test
#             module alone through KBUILD_EXTRA_SYMBOLS, and a dkms build
#   tools     the user-space tools' build and host-side tests
#   harness   the VM harness itself: a guest kernel panic and a failing
#             guest command must each fail vm.sh, with the reason shown
#   vm        per kernel: boot it in QEMU and run the kselftest suite
#             (tools/testing/selftests/mymem) and the tools' device tests;
#             every KTAP result line counts as one test
#
# Each result prints as "PASS name", "FAIL name" or "SKIP name"; logs go to
# results/check/.  The last line is "N passed, N failed, N skipped"; the exit
# status is non-zero when anything failed.
#
# Environment: CHECK_KERNELS (default "6.1 6.12 6.12-rt"), CHECK_STAGES (default
# "static build tools harness vm"), MYMEM_SELFTEST_QUICK=1 for shorter VM runs.
set -u

top=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$top" || exit 1
kernels=${CHECK_KERNELS:-6.1 6.12 6.12-rt}
stages=${CHECK_STAGES:-static build tools harness vm}
logs=$top/results/check
rm -rf "$logs"
mkdir -p "$logs"

t0=$(date +%s)
. tools/harness/bin/check-lib.sh

# The sources we own and check: tracked .c/.h files of both modules and
# the headers.
kernel_sources() {
	git ls-files 'mymem_core/*.[ch]' 'mymem_test/*.[ch]' 'include/*.h'
}

checkpatch_all() {
	cp=$1
	rc=0
	for f in $(kernel_sources); do
		# The compat header is where version tests belong.
		ignore=
		[ "$f" = include/mymem_compat.h ] &&
			ignore=--ignore=LINUX_VERSION_CODE,CONSTANT_COMPARISON
		# --terse prints nothing at all for a clean file
		out=$(perl "$cp" --no-tree --strict --terse --show-types \
			$ignore -f "$f" 2>&1) || rc=1
		[ -z "$out" ] || { echo "$out"; rc=1; }
	done
	return $rc
}

find_checkpatch() {
	cpdir=${MYMEM_CACHE:-/var/cache/mymem}/checkpatch
	cp=$cpdir/scripts/checkpatch.pl
	if [ ! -x "$cp" ]; then
		src=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n 1)
		[ -n "$src" ] || return 1
		mkdir -p "$cpdir"
		tar -xf "$src" -C "$cpdir" --strip-components=1 \
			--wildcards '*/scripts/checkpatch.pl' \
			'*/scripts/spelling.txt' \
			'*/scripts/const_structs.checkpatch' || return 1
	fi
	echo "$cp"
}


sparse_clean() {
	kdir=$(tools/harness/bin/kernel.sh kdir "$1") || return 1
	out=$(make --no-print-directory -C "$kdir" M="$top" C=2 W=1 modules 2>&1)
	rc=$?
	echo "$out"
	[ $rc -eq 0 ] || return 1
	! echo "$out" | grep -E 'warning:|error:'
}

api_doc_current() {
	tools/harness/bin/api-doc.sh | diff -u docs/API.rst -
}

kerneldoc_clean() {
	kdir=$(tools/harness/bin/kernel.sh kdir "$1") || return 1
	out=$(perl "$kdir/scripts/kernel-doc" -none \
		mymem_core/buffer.c include/linux/mymem.h \
		include/uapi/linux/mymem.h 2>&1)
	echo "$out"
	[ -z "$out" ]
}



# harness_catches NAME COMMAND PATTERN: vm.sh must fail and say PATTERN
harness_catches() {
	out=$logs/harness-$1
	mkdir -p "$out.payload"
	if VM_QUIET=1 tools/harness/bin/vm.sh --kernel 6.1 --payload "$out.payload" \
		--cmd "$2" --out "$out" --timeout 300 >"$out.log" 2>&1; then
		echo "vm.sh exited 0 for: $2"
		return 1
	fi
	grep -E "$3" "$out.log"
}

vm_suite() {
	k=$1
	out=$logs/vm-$k
	payload=$logs/payload-$k
	if ! make_payload "$k" "$payload" >"$logs/payload-$k.log" 2>&1; then
		record FAIL "vm $k: payload" "see $logs/payload-$k.log"
		return
	fi
	run_check "make install $k: place, compression, depmod" \
		installed_where "$k" "$payload"
	# PREEMPT_RT: every contended mutex is an rt_mutex that sleeps and
	# hands over with a context switch; under TCG the W=50 x N=150000
	# counter runs would take over ten minutes each, so RT gets the
	# selftests' quick sizes and N=20000 (the same code paths)
	genv=
	case "$k" in
	*-rt)	genv="MYMEM_SELFTEST_QUICK=1 TOOLS_RACE_N=20000 " ;;
	esac
	VM_QUIET=1 tools/harness/bin/vm.sh --kernel "$k" --payload "$payload" \
		--cmd "${genv}sh guest/check.sh" --out "$out" \
		--timeout "${CHECK_VM_TIMEOUT:-1500}" \
		>"$logs/vm-$k.log" 2>&1
	rc=$?
	grep '^\[vm\]' "$logs/vm-$k.log" | sed 's/^/    /'
	for t in mymem_dev mymem_modules tools; do
		ktap_count "$out/$t.tap" "$k $t"
	done
	if [ $rc -eq 0 ]; then
		record PASS "vm $k: clean boot, run and shutdown"
	else
		record FAIL "vm $k: clean boot, run and shutdown" \
			"vm.sh rc=$rc, console in $out/console.log"
	fi
}

for stage in $stages; do
	case "$stage" in
	static)
		phase "static checks"
		if cp=$(find_checkpatch); then
			run_check "checkpatch --strict" checkpatch_all "$cp"
		else
			record FAIL "checkpatch --strict" "linux-source-6.1 not installed (make deps)"
		fi
		run_check "kernel-doc on the API" kerneldoc_clean 6.1
		run_check "docs/API.rst matches the kernel-doc (make docs)" \
			api_doc_current
		;;
	build)
		for k in $kernels; do
			phase "build for $k"
			run_check "build $k W=1, no warnings" build_clean "$k"
			run_check "sparse $k C=2, no warnings" sparse_clean "$k"
			run_check "mymem_test alone via KBUILD_EXTRA_SYMBOLS $k" \
				make --no-print-directory KERNEL="$k" extmod
			run_check "dkms build $k" sh tools/harness/bin/dkms-check.sh "$k"
			# leave the tree built for this kernel for the vm stage
			make --no-print-directory KERNEL="$k" modules >/dev/null 2>&1
			kunit_built "$k"
		done
		;;
	tools)
		phase "user-space tools"
		run_check "tools build" make --no-print-directory -C tools
		run_check "tools host tests" make --no-print-directory -C tools test
		run_check "selftests build" make --no-print-directory \
			-C tools/testing/selftests/mymem
		;;
	harness)
		phase "VM harness"
		run_check "harness fails on a guest kernel panic" \
			harness_catches panic 'echo c >/proc/sysrq-trigger' \
			'panic|Oops|BUG'
		run_check "harness fails on a failing guest command" \
			harness_catches rc 'exit 3' 'exit (status|code)? *3|rc=3'
		;;
	vm)
		for k in $kernels; do
			phase "kselftests in the VM on $k"
			make --no-print-directory KERNEL="$k" modules \
				>"$logs/modules-$k.log" 2>&1 ||
				record FAIL "vm $k: build" "see $logs/modules-$k.log"
			vm_suite "$k"
		done
		;;
	*)
		record FAIL "unknown stage $stage"
		;;
	esac
done

summary
