#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# large.sh - mymem_core at sizes other than the default, in the test VM:
#
#   sh large.sh BINDIR SIZE[:full]...
#
# Per SIZE: mymem_core size=SIZE, the whole buffer in one write(2) and one
# read(2), lockdep still on; SIZE:full adds KUnit, mymem_dev and a
# 20000-call mymem-fuzz.  Prints KTAP.

here=$(cd "$(dirname "$0")" && pwd)
bin=$1
shift
top=$here/../../..
ko=${MYMEM_KO_DIR:-$top/ko}
. "$here/../../testing/selftests/mymem/ktap_helpers.sh"
dbg=/sys/kernel/debug
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# check NAME COMMAND...: one KTAP test, the command's output as diagnostics
check() {
	c_name=$1
	shift
	if "$@" >"$tmp/out" 2>&1; then
		ktap_test_pass "$c_name"
	else
		sed 's/^/# /' "$tmp/out"
		ktap_test_fail "$c_name"
	fi
}

# whole SIZE: one write and one read of SIZE bytes: random bytes compared
# up to 64 MiB, above zeroes over marked ends (a compare would take minutes)
whole() {
	src=/dev/zero back=/dev/null
	if [ "$1" -le 67108864 ]; then
		src=$tmp/src back=$tmp/back
		head -c "$1" /dev/urandom >"$src" || return 1
	else
		printf x | dd of=/dev/mymem conv=notrunc 2>/dev/null &&
		printf x | dd of=/dev/mymem bs=1 seek=$(($1 - 1)) \
			conv=notrunc 2>/dev/null || return 1
	fi
	if ! dd if="$src" of=/dev/mymem bs="$1" count=1 2>"$tmp/dd" ||
	   ! grep -q '^1+0 records out' "$tmp/dd" ||
	   ! dd if=/dev/mymem of="$back" bs="$1" count=1 2>"$tmp/dd" ||
	   ! grep -q '^1+0 records in' "$tmp/dd"; then
		cat "$tmp/dd"
		return 1
	fi
	if [ "$src" = /dev/zero ]; then
		ends=$(dd if=/dev/mymem bs=1 count=1 2>/dev/null | od -An -tx1)
		ends=$ends$(dd if=/dev/mymem bs=1 skip=$(($1 - 1)) count=1 \
			2>/dev/null | od -An -tx1)
		[ "$ends" = " 00 00" ] || { echo "ends: $ends"; return 1; }
	else
		cmp "$back" "$src" || return 1
		rm -f "$src" "$back"
	fi
}

lockdep_on() {
	[ -r /proc/lockdep_stats ] || return 0
	grep -q '^ *debug_locks: *1' /proc/lockdep_stats
}

n=0
for s; do
	n=$((n + 3))
	case $s in *:full) n=$((n + 3)) ;; esac
done
ktap_print_header
ktap_set_plan $n

for s; do
	size=${s%:full}
	if ! insmod "$ko/mymem_core.ko" size="$size"; then
		for t in load whole lockdep; do
			ktap_test_fail "size=$size: $t"
		done
		continue
	fi
	ktap_test_pass "size=$size: mymem_core loaded ($(dmesg | grep 'mymem_core: .*ready' | tail -n 1 | sed 's/.*mymem_core: //'))"
	check "size=$size: the whole buffer in one write and one read" whole "$size"
	check "size=$size: lockdep still on" lockdep_on
	if [ "$s" != "$size" ]; then
		if [ -e "$ko/mymem_kunit.ko" ]; then
			check "size=$size: KUnit" sh -c "insmod $ko/mymem_kunit.ko &&
				cat $dbg/kunit/mymem_core/results > $tmp/kunit;
				rmmod mymem_kunit; cat $tmp/kunit;
				grep -Eq '^ok [0-9]+ (- )?mymem_core' $tmp/kunit"
		else
			ktap_test_skip "size=$size: KUnit" "no mymem_kunit.ko"
		fi
		check "size=$size: mymem_dev" "$top/kselftest/mymem/mymem_dev"
		check "size=$size: mymem-fuzz, 20000 calls" sh -c \
			"$bin/mymem-fuzz -p 2 -n 20000 > $tmp/fuzz 2>&1;
			tail -n 5 $tmp/fuzz;
			grep -q 'calls=20000 divergences=0\$' $tmp/fuzz"
	fi
	rmmod mymem_core || ktap_test_fail "size=$size: rmmod mymem_core"
done
ktap_finished
