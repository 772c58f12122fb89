# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# ktap_helpers.sh - KTAP output for mymem's shell tests (sourced; POSIX sh):
# what they use of the kernel's kselftest/ktap_helpers.sh (6.12; 6.1 has
# none).  ktap_finished exits 0 when every planned test passed or was
# skipped, 4 (the runner's skip; the kernel's helper exits 0) when all were
# skipped, 1 otherwise.

KTAP_TESTNO=0 KTAP_PLAN=0 KTAP_CNT_PASS=0 KTAP_CNT_FAIL=0 KTAP_CNT_SKIP=0

ktap_print_header() { echo "TAP version 13"; }
ktap_set_plan() { KTAP_PLAN=$1; echo "1..$1"; }
ktap_print_msg() { echo "# $*"; }

# __ktap_test RESULT DESC [DIRECTIVE]: the next result line
__ktap_test()
{
	KTAP_TESTNO=$((KTAP_TESTNO + 1))
	echo "$1 $KTAP_TESTNO $2${3:+ # $3}"
}

ktap_test_pass() { KTAP_CNT_PASS=$((KTAP_CNT_PASS + 1)); __ktap_test ok "$1"; }
ktap_test_fail() { KTAP_CNT_FAIL=$((KTAP_CNT_FAIL + 1)); __ktap_test "not ok" "$1"; }
ktap_test_skip() { KTAP_CNT_SKIP=$((KTAP_CNT_SKIP + 1)); __ktap_test ok "$1" "SKIP${2:+ $2}"; }

ktap_print_totals() { echo "# Totals: pass:$KTAP_CNT_PASS fail:$KTAP_CNT_FAIL xfail:0 xpass:0 skip:$KTAP_CNT_SKIP error:0"; }

ktap_finished()
{
	ktap_print_totals
	[ $KTAP_CNT_FAIL -eq 0 ] && [ $KTAP_TESTNO -eq "$KTAP_PLAN" ] || exit 1
	[ $KTAP_CNT_PASS -ne 0 ] || [ $KTAP_CNT_SKIP -eq 0 ] || exit 4
	exit 0
}
