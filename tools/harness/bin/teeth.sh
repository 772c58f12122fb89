#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# teeth.sh - `make teeth`: each line of configs/teeth/teeth.list plants a bug
# (NAME.patch) in a copy of the tree, boots it on a debug kernel and runs a
# command; the line passes when the expected report is in the console/output.
#
#   teeth.sh [NAME...]      default: every line of the list
#
# Prints "CAUGHT NAME: <the matching line>" or "MISSED NAME"; exit status 0
# when every planted bug was caught.  Work trees in $MYMEM_CACHE/teeth.
set -u

top=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$top" || exit 1
. tools/harness/bin/functions.sh
cache=$MYMEM_CACHE/teeth
list=$harness/configs/teeth
kunit='insmod ko/mymem_core.ko && insmod ko/mymem_kunit.ko; cat /sys/kernel/debug/kunit/mymem_core/results'

grep -v '^#' "$list/teeth.list" | while IFS='|' read -r name kernel cmd expect; do
	case " ${*:-$name} " in
	*" $name "*) ;;
	*) continue ;;
	esac
	w=$cache/$name
	rm -rf "$w"
	mkdir -p "$w/tree"
	git ls-files -z | xargs -0 cp --parents -t "$w/tree" || exit 1
	if ! patch -s --fuzz=0 -d "$w/tree" -p1 <"$list/$name.patch"; then
		echo "MISSED $name: the patch does not apply"
		continue
	fi
	if ! payload "$w/payload" "$kernel" "$w/tree" >"$w/build.log" 2>&1; then
		echo "MISSED $name: does not build (see $w/build.log)"
		continue
	fi
	case "$cmd" in
	*@kunit*) cmd=${cmd%%@kunit*}$kunit${cmd#*@kunit} ;;
	esac
	VM_QUIET=1 $harness/bin/vm.sh --kernel "$kernel" --payload "$w/payload" \
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
