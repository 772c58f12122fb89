# SPDX-License-Identifier: GPL-2.0
#
# check-lib.sh - what tools/check.sh and tools/check-debug.sh share
# (sourced; POSIX sh).  The caller sets top (the tree), logs (a directory
# for logs) and t0, and has cd'ed to $top.

npass=0 nfail=0 nskip=0

# record STATUS NAME [DETAIL]
record() {
	case "$1" in
	PASS) npass=$((npass + 1)) ;;
	FAIL) nfail=$((nfail + 1)) ;;
	SKIP) nskip=$((nskip + 1)) ;;
	esac
	echo "$1 $2${3:+ ($3)}"
}

# run_check NAME COMMAND...: PASS when the command exits 0, log kept
run_check() {
	name=$1
	shift
	log=$logs/$(echo "$name" | tr ' /' '__').log
	if "$@" >"$log" 2>&1; then
		record PASS "$name"
	else
		record FAIL "$name" "see $log"
		tail -n 20 "$log" | sed 's/^/    /'
	fi
}

phase() {
	echo "== $* ($(($(date +%s) - t0)) s)"
}

# ktap_count FILE NAME: one result per top-level KTAP result line, and a
# failure if the plan does not match the number of results
ktap_count() {
	file=$1 suite=$2
	if [ ! -s "$file" ]; then
		record FAIL "$suite" "no KTAP output"
		return
	fi
	plan=$(sed -n 's/^1\.\.\([0-9]*\).*/\1/p' "$file" | head -n 1)
	n=0
	while IFS= read -r line; do
		case "$line" in
		"ok "*|"not ok "*) ;;
		*) continue ;;
		esac
		n=$((n + 1))
		desc=$(echo "$line" | sed 's/^\(not \)\{0,1\}ok [0-9]* \{0,1\}-\{0,1\} \{0,1\}//')
		case "$line" in
		"not ok "*)	record FAIL "$suite: $desc" ;;
		*"# SKIP"*|*"# skip"*) record SKIP "$suite: $desc" ;;
		*)		record PASS "$suite: $desc" ;;
		esac
	done <"$file"
	if [ -z "$plan" ] || [ "$plan" -ne "$n" ]; then
		record FAIL "$suite: KTAP plan" "plan '${plan:-none}', $n results"
	fi
}

# build_clean FLAVOUR: W=1 build with zero warnings
build_clean() {
	out=$(make --no-print-directory KERNEL="$1" modules 2>&1)
	rc=$?
	echo "$out"
	[ $rc -eq 0 ] || return 1
	! echo "$out" | grep -E 'warning:|error:'
}

# kunit_built FLAVOUR: record whether mymem_kunit.ko was built as it should
# be: a kernel with CONFIG_KUNIT must give it; one without is a SKIP (Debian's
# stock kernels; make check-debug runs the suite on the debug kernels)
kunit_built() {
	kb_krel=$(tools/kernel.sh krel "$1") || return
	kb_conf=$(tools/kernel.sh kdir "$1")/include/config/auto.conf
	if grep -q '^CONFIG_KUNIT=[ym]' "$kb_conf" 2>/dev/null; then
		if [ -f "build/$kb_krel/mymem_kunit.ko" ]; then
			record PASS "KUnit $1: mymem_kunit.ko built"
		else
			record FAIL "KUnit $1: mymem_kunit.ko built" "CONFIG_KUNIT is set, no module"
		fi
	else
		record SKIP "KUnit $1: mymem_kunit.ko" "CONFIG_KUNIT is not set in $kb_krel; make check-debug runs the suite"
	fi
}

# make_payload FLAVOUR DIR: what the guest gets: the modules (also as an
# installed tree, for modprobe), the selftests, the tools and the guest
# scripts.
make_payload() {
	k=$1 p=$2
	krel=$(tools/kernel.sh krel "$k") || return 1
	# the vm stage must also work alone (CHECK_STAGES=vm)
	make --no-print-directory -C tools >/dev/null || return 1
	make --no-print-directory -C tools/testing/selftests/mymem \
		>/dev/null || return 1
	rm -rf "$p"
	mkdir -p "$p/ko" "$p/selftests" "$p/tests"
	# both modules, and mymem_kunit.ko where the kernel has KUnit
	cp "build/$krel/"*.ko "$p/ko/" || return 1
	make --no-print-directory KERNEL="$k" INSTALL_MOD_PATH="$p" install \
		>/dev/null || return 1
	st=tools/testing/selftests/mymem
	cp $st/mymem_dev $st/mymem_failnth $st/mymem_lib.sh \
	   $st/mymem_modules.sh $st/mymem_faults.sh $st/settings $st/config \
	   "$p/selftests/" || return 1
	mkdir -p "$p/bin"
	cp tools/bin/mymem-bench tools/bin/mymem-race tools/bin/mymem-fuzz \
	   tools/bin/mymem-bench-rs tools/bin/mymem-race-rs "$p/bin/" || return 1
	cp tools/tests/guest-tools.sh tools/check-guest.sh \
	   tools/check-debug-guest.sh "$p/tests/" || return 1
}

# installed_where FLAVOUR DIR: `make install INSTALL_MOD_PATH=DIR` must
# have put the modules (in their Kbuild subdirectories) in extra/ on 6.1
# and the 6.1 debug kernels, in updates/ and xz-compressed on Debian's
# 6.12 kernels; and depmod must have recorded mymem_test's dependency on
# mymem_core
installed_where() {
	krel=$(tools/kernel.sh krel "$1") || return 1
	case "$1" in
	6.12*)	dir=updates ext=.ko.xz ;;
	*)	dir=extra ext=.ko ;;
	esac
	core=$dir/mymem_core/mymem_core$ext test=$dir/mymem_test/mymem_test$ext
	rc=0
	for f in $core $test; do
		if [ -f "$2/lib/modules/$krel/$f" ]; then
			echo "installed: $f"
		else
			echo "missing: lib/modules/$krel/$f"
			rc=1
		fi
	done
	if ! grep -x "$test: $core" "$2/lib/modules/$krel/modules.dep"; then
		echo "modules.dep lacks '$test: $core'"
		rc=1
	fi
	return $rc
}

# summary: the last line, "N passed, N failed[, N skipped]"; returns 1 when
# anything failed
summary() {
	phase "done"
	if [ $nskip -gt 0 ]; then
		echo "$npass passed, $nfail failed, $nskip skipped"
	else
		echo "$npass passed, $nfail failed"
	fi
	[ $nfail -eq 0 ]
}
