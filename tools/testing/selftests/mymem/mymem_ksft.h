/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The part of the kernel's tools/testing/selftests/kselftest.h that
 * mymem_dev and mymem_uffd use, for a build outside a kernel tree.  Inside
 * one, they include ../kselftest.h instead: same names, same output, same
 * exit codes.
 */
#ifndef MYMEM_KSFT_H
#define MYMEM_KSFT_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define KSFT_PASS	0
#define KSFT_FAIL	1
#define KSFT_SKIP	4

static struct {
	unsigned int pass, fail, skip;
} ksft_cnt;
static unsigned int ksft_plan;

static inline unsigned int ksft_test_num(void)
{
	return ksft_cnt.pass + ksft_cnt.fail + ksft_cnt.skip;
}

static inline void ksft_print_header(void)
{
	if (!getenv("KSFT_TAP_LEVEL"))
		printf("TAP version 13\n");
}

static inline void ksft_set_plan(unsigned int plan)
{
	ksft_plan = plan;
	printf("1..%u\n", plan);
}

/* Count a result in @cnt, then print "@fmt" with its number, then @msg. */
static inline void ksft_vresult(unsigned int *cnt, const char *fmt,
				const char *msg, va_list ap)
{
	(*cnt)++;
	printf(fmt, ksft_test_num());
	vprintf(msg, ap);
}

#define KSFT_RESULT(name, cnt, fmt)					\
static inline void name(const char *msg, ...)				\
{									\
	va_list ap;							\
									\
	va_start(ap, msg);						\
	ksft_vresult(cnt, fmt, msg, ap);				\
	va_end(ap);							\
}

KSFT_RESULT(ksft_test_result_pass, &ksft_cnt.pass, "ok %u ")
KSFT_RESULT(ksft_test_result_fail, &ksft_cnt.fail, "not ok %u ")
KSFT_RESULT(ksft_test_result_skip, &ksft_cnt.skip, "ok %u # SKIP ")

static inline void ksft_print_msg(const char *msg, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, msg);
	vprintf(msg, ap);
	va_end(ap);
}

static inline int ksft_get_pass_cnt(void)
{
	return ksft_cnt.pass;
}

static inline int ksft_get_fail_cnt(void)
{
	return ksft_cnt.fail;
}

static inline int ksft_get_xskip_cnt(void)
{
	return ksft_cnt.skip;
}

static inline void ksft_print_cnts(void)
{
	if (ksft_plan != ksft_test_num())
		printf("# Planned tests != run tests (%u != %u)\n",
		       ksft_plan, ksft_test_num());
	printf("# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:%u error:0\n",
	       ksft_cnt.pass, ksft_cnt.fail, ksft_cnt.skip);
}

static inline void ksft_exit_pass(void)
{
	ksft_print_cnts();
	exit(KSFT_PASS);
}

static inline void ksft_exit_fail(void)
{
	ksft_print_cnts();
	exit(KSFT_FAIL);
}

#define ksft_finished()							\
	do {								\
		if (ksft_plan == ksft_cnt.pass + ksft_cnt.skip)		\
			ksft_exit_pass();				\
		ksft_exit_fail();					\
	} while (0)

#endif /* MYMEM_KSFT_H */
