/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mymem_test: the tests, in the order a run executes them
 *
 * A test is a file, NAME.c, that defines struct mmt_test mmt_NAME_test,
 * and its line here.  Included with MMT_TEST() defined: by mymem_test.h to
 * declare them, by main.c to fill the test table.
 */
MMT_TEST(perf);
MMT_TEST(race);
MMT_TEST(scale);
MMT_TEST(torture);
