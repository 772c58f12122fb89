#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# teeth.sh - `make teeth`: prove that the tests and the kernel's detectors
# catch real bugs.  Each entry plants one bug (tools/harness/configs/teeth/NAME.patch) in a
# copy of the tree, builds it for a debug kernel, boots that kernel with the
# planted modules and runs a command that exercises the bug; the entry
# passes when the expected report appears in the guest's console or output.
#
#   teeth.sh [NAME...]      default: every entry below
#
# Prints "CAUGHT NAME: <the matching line>" or "MISSED NAME"; exit status 0
# when every planted bug was caught.  Work trees in $MYMEM_CACHE/teeth.
set -u

top=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$top" || exit 1
cache=${MYMEM_CACHE:-/var/cache/mymem}/teeth

kunit='insmod ko/mymem_core.ko && insmod ko/mymem_kunit.ko; cat /sys/kernel/debug/kunit/mymem_core/results'
# NAME|KERNEL|COMMAND|EXPECTED (extended regex)
entries="kasan-oob-write|6.1-kasan|insmod ko/mymem_core.ko size=4097 && ./selftests/mymem_dev|BUG: KASAN: slab-out-of-bounds
kcsan-race-add|6.1-kcsan|$kunit|BUG: KCSAN: data-race in mymem_add_u64
kmemleak-handle|6.1-kasan|$kunit; rmmod mymem_kunit; sleep 6; echo scan > /sys/kernel/debug/kmemleak; echo scan > /sys/kernel/debug/kmemleak; cat /sys/kernel/debug/kmemleak|mymem_open
lockdep-abba|6.1-kasan|$kunit|WARNING: possible circular locking dependency
atomic-sleep-copy|6.1-kasan|insmod ko/mymem_core.ko && dd if=/dev/mymem of=/dev/null bs=4096 count=1|BUG: sleeping function called from invalid context
ubsan-index|6.1-kasan|$kunit|UBSAN: array-index-out-of-bounds
kunit-end-bound|6.1-kasan|$kunit|not ok [0-9]+ mmk_bounds_test
kunit-errno|6.1-kasan|$kunit|not ok [0-9]+ mmk_bounds_test
kunit-no-retry|6.1-kasan|$kunit|not ok [0-9]+ mmk_rw_race_test
kunit-add-bounds|6.1-kasan|$kunit|not ok [0-9]+ mmk_add_test
faults-init-leak|6.1-kasan|MYMEM_SELFTEST_CASES='core_load_every_fault kmemleak_clean' sh selftests/mymem_faults.sh|not ok [0-9]+ (core_load_every_fault|kmemleak_clean)"

make --no-print-directory -s -C tools/testing/selftests/mymem >/dev/null ||
	exit 1

echo "$entries" | while IFS='|' read -r name kernel cmd expect; do
	if [ $# -gt 0 ]; then
		case " $* " in
		*" $name "*) ;;
		*) continue ;;
		esac
	fi
	w=$cache/$name
	rm -rf "$w"
	mkdir -p "$w/tree" "$w/payload/ko" "$w/payload/selftests"
	git ls-files -z | xargs -0 cp --parents -t "$w/tree" || exit 1
	if ! patch -s -d "$w/tree" -p1 <"tools/harness/configs/teeth/$name.patch"; then
		echo "MISSED $name: the patch does not apply"
		continue
	fi
	if ! make --no-print-directory -C "$w/tree" KERNEL="$kernel" modules \
		>"$w/build.log" 2>&1; then
		echo "MISSED $name: does not build (see $w/build.log)"
		continue
	fi
	cp "$w/tree/mymem_core/"*.ko "$w/tree/mymem_test/mymem_test.ko" \
		"$w/payload/ko/"
	st=tools/testing/selftests/mymem
	cp $st/mymem_dev $st/mymem_failnth $st/mymem_lib.sh \
	   $st/mymem_faults.sh $st/config "$w/payload/selftests/"
	VM_QUIET=1 tools/harness/bin/vm.sh --kernel "$kernel" --payload "$w/payload" \
		--out "$w/vm" --timeout 900 --expect-alloc-failures 1 \
		--append "slub_nomerge slub_debug=A,kmalloc-*" \
		--cmd "MYMEM_KO_DIR=/mymem/ko; export MYMEM_KO_DIR; $cmd" \
		>"$w/vm.log" 2>&1
	hit=$(cat "$w/vm/console.log" "$w/vm/guest.log" 2>/dev/null |
		tr -d '\r' | grep -a -m 1 -E "$expect")
	if [ -n "$hit" ]; then
		echo "CAUGHT $name ($kernel): $hit"
	else
		echo "MISSED $name ($kernel): no '$expect' (see $w/vm/console.log)"
	fi
done | tee "$cache.log"
! grep -q '^MISSED' "$cache.log"
