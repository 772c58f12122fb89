// SPDX-License-Identifier: GPL-2.0
/*
 * test-common.c - unit tests of tools/common: number parsing and the
 * latency statistics (nearest-rank percentiles, rounded mean).
 * Prints KTAP; exit status 0 iff every test passed.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../common/common.h"

static int nr, failed;

static void ok(int cond, const char *name)
{
	nr++;
	printf("%s %d - %s\n", cond ? "ok" : "not ok", nr, name);
	failed += !cond;
}

static void test_parse(void)
{
	uint64_t v = 77;

	ok(!mm_parse_u64("0", 0, 10, &v) && v == 0, "parse 0");
	ok(!mm_parse_u64("150000", 1, 1000000, &v) && v == 150000, "parse 150000");
	ok(!mm_parse_u64("18446744073709551615", 0, UINT64_MAX, &v) &&
	   v == UINT64_MAX, "parse UINT64_MAX");
	ok(mm_parse_u64("18446744073709551616", 0, UINT64_MAX, &v), "reject 2^64");
	ok(mm_parse_u64("", 0, 10, &v), "reject empty");
	ok(mm_parse_u64("-1", 0, 10, &v), "reject negative");
	ok(mm_parse_u64(" 1", 0, 10, &v), "reject leading space");
	ok(mm_parse_u64("12x", 0, 100, &v), "reject trailing garbage");
	ok(mm_parse_u64("11", 0, 10, &v), "reject above max");
	ok(mm_parse_u64("0", 1, 10, &v), "reject below min");
	ok(mm_parse_u64(NULL, 0, 10, &v), "reject NULL");
}

static void test_rank(void)
{
	ok(mm_rank_index(1, 50) == 0 && mm_rank_index(1, 99) == 0, "rank n=1");
	ok(mm_rank_index(2, 50) == 0 && mm_rank_index(2, 99) == 1, "rank n=2");
	ok(mm_rank_index(100, 50) == 49 && mm_rank_index(100, 99) == 98, "rank n=100");
	ok(mm_rank_index(1000, 50) == 499 && mm_rank_index(1000, 99) == 989, "rank n=1000");
	ok(mm_rank_index(101, 50) == 50 && mm_rank_index(101, 99) == 99, "rank n=101");
	ok(mm_rank_index(7, 100) == 6, "rank p100 is the max");
}

static void test_stats(void)
{
	uint64_t one[] = { 42 }, odd[] = { 1, 2 }, v[100], big[] = { UINT64_MAX, UINT64_MAX, 1 };
	struct mm_stats st;
	int i;

	mm_stats_compute(one, 1, &st);
	ok(st.n == 1 && st.avg == 42 && st.min == 42 && st.p50 == 42 &&
	   st.p99 == 42 && st.max == 42, "stats of one sample");

	/* 100..1 shuffled by reversal: sorted 1..100 */
	for (i = 0; i < 100; i++)
		v[i] = 100 - i;
	mm_stats_compute(v, 100, &st);
	ok(st.min == 1 && st.max == 100, "min/max of 1..100");
	ok(st.p50 == 50 && st.p99 == 99, "p50/p99 of 1..100 (nearest rank)");
	ok(st.avg == 51, "avg of 1..100 is 50.5, rounded to 51");
	ok(v[0] == 1 && v[99] == 100, "samples sorted in place");

	mm_stats_compute(odd, 2, &st);
	ok(st.avg == 2 && st.p50 == 1 && st.p99 == 2, "avg 1.5 rounds to 2");

	mm_stats_compute(big, 3, &st);
	ok(st.max == UINT64_MAX && st.min == 1 &&
	   st.avg == (uint64_t)(((unsigned __int128)UINT64_MAX * 2 + 1 + 1) / 3),
	   "no overflow in the sum");
}

int main(void)
{
	printf("TAP version 13\n1..24\n");
	test_parse();
	test_rank();
	test_stats();
	if (nr != 24)
		printf("# planned 24 tests, ran %d\n", nr);
	return failed || nr != 24;
}
