/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mymem_test - what the files of the test module share
 *
 * The files in layers, lowest first; each calls only the ones above it:
 *   params.c   the settings: module parameters, the "run" command, echo
 *   report.c   the output: dmesg, debugfs "results" and "results.json"
 *   runner.c   the run: its state, stop flag, controller and workers
 *   perf.c, race.c, scale.c, torture.c: the tests, one file each,
 *              listed in tests.h
 *   main.c     the test table, the debugfs files, module init and exit
 */
#ifndef _MYMEM_TEST_H
#define _MYMEM_TEST_H

#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/types.h>

struct mmt_params;
struct seq_file;

/**
 * struct mmt_test - a test, a row of the test table (tests.h)
 * @name:          its name, in the "tests" parameter and in its lines
 * @run:           runs it; returns the number of failed checks
 * @min_core_size: the smallest core it runs on; NULL: any
 * @records:       the most records (and table rows) a run with these
 *                 settings makes, so the report has room for them;
 *                 NULL: @nr_records
 * @nr_records:    the records of every run, without @records
 */
struct mmt_test {
	const char *name;
	unsigned int (*run)(const struct mmt_params *p);
	size_t (*min_core_size)(void);
	unsigned int (*records)(const struct mmt_params *p);
	unsigned int nr_records;
};

#define MMT_MAX_SIZES	16

/**
 * struct mmt_params - the settings of a run, valid for the core loaded
 * @table:       the test table, which ends with a row without a name
 * @tests:       BIT(i) selects @table[i]; they run in table order
 * @nr_sizes:    entries in @sizes
 * @sizes:       perf transfer sizes
 * @iterations:  perf calls per size and op
 * @workers:     race kthreads
 * @increments:  race increments per worker
 * @max_threads: scale kthreads at most, never 0
 * @rounds:      scale runs of each point, one per round
 * @point_ms:    scale ms per run
 * @duration:    torture seconds
 * @autorun:     start a run at load
 */
struct mmt_params {
	const struct mmt_test *table;
	unsigned long tests;
	unsigned int nr_sizes;
	size_t sizes[MMT_MAX_SIZES];
	unsigned int iterations;
	unsigned int workers;
	unsigned int increments;
	unsigned int max_threads;
	unsigned int rounds;
	unsigned int point_ms;
	unsigned int duration;
	bool autorun;
};

/* params.c */
int mmt_params_load(struct mmt_params *p, const struct mmt_test *table);
int mmt_params_parse(struct mmt_params *p, char *args);
size_t mmt_params_print(const struct mmt_params *p, char *buf, size_t len,
			bool json);
int mmt_reject(const char *fmt, ...) __printf(1, 2);

/* report.c */
const char *mmt_verdict(unsigned int failures, bool stopped);
int mmt_report_begin(const struct mmt_params *p);
void mmt_report_end(const struct mmt_params *p, const char *verdict);
void mmt_report_free(void);
void mmt_report_show(struct seq_file *m, bool json);
void mmt_info(const char *fmt, ...) __printf(1, 2);
unsigned int mmt_err(const char *fmt, ...) __printf(1, 2);
/**
 * mmt_setup_failed() - report a test that could not be set up
 * @test: its name
 * @err:  a negative errno
 *
 * Return: 1, the failed check to count.
 */
#define mmt_setup_failed(test, err)	\
	mmt_err("%s: cannot set up (%d): not run", test, err)

/**
 * enum mmt_col_kind - how a column shows its value
 * @MMT_COL_U64:   a number
 * @MMT_COL_STR:   a string (&union mmt_val.s); quoted in JSON
 * @MMT_COL_BOOL:  "yes" or "no"; true or false in JSON
 * @MMT_COL_MS:    nanoseconds, shown in milliseconds; ns in JSON
 * @MMT_COL_X1000: thousandths, shown as "1.234"
 */
enum mmt_col_kind {
	MMT_COL_U64,
	MMT_COL_STR,
	MMT_COL_BOOL,
	MMT_COL_MS,
	MMT_COL_X1000,
};

/**
 * struct mmt_col - a column of a test's table and a member of its records
 * @head:  its header in the table; NULL: only in the records
 * @key:   its name in results.json; NULL: only in the table (both NULL:
 *         the end of the columns)
 * @width: its width in the table; negative: left-aligned
 * @kind:  how it shows its value
 */
struct mmt_col {
	const char *head;
	const char *key;
	int width;
	enum mmt_col_kind kind;
};

/* A value of a row, one per column: .u, or .s for MMT_COL_STR. */
union mmt_val {
	u64 u;
	const char *s;
};

void mmt_table_print(const char *test, const struct mmt_col *cols,
		     const union mmt_val *v, unsigned int nr);
/* The header of the table whose columns are @cols. */
#define mmt_table_head(test, cols)	mmt_table_print(test, cols, NULL, 0)
/* A row of that table and its record: one value per column, in order. */
#define mmt_table_row(test, cols, ...) do {				\
	const union mmt_val _row[] = { __VA_ARGS__ };			\
									\
	mmt_table_print(test, cols, _row, ARRAY_SIZE(_row));		\
} while (0)

/* runner.c */

/**
 * struct mmt_worker - the runner's part of a worker's data
 * @id:       0..nr-1 in its group
 * @start_ns: when it passed the start gate; 0: it did not run
 * @end_ns:   when its work returned
 */
struct mmt_worker {
	unsigned int id;
	u64 start_ns;
	u64 end_ns;
};

int mmt_run_start(const struct mmt_params *p);
void mmt_run_stop(void);
void mmt_run_exit(void);
int mmt_run_status(char *buf, size_t len, bool wait);
bool mmt_must_stop(void);
void mmt_progress(unsigned int done, unsigned int total);
int mmt_group_run(struct mmt_worker *first, size_t stride, unsigned int nr,
		  void (*body)(struct mmt_worker *w), u64 *span_ns);

/* the tests */
#define MMT_TEST(name)	extern const struct mmt_test mmt_##name##_test
#include "tests.h"
#undef MMT_TEST

/* the order of two u64s, or of structs that start with one, for sort() */
static inline int mmt_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* a / b in thousandths, for "%llu.%03llu" */
static inline u64 mmt_ratio_x1000(u64 a, u64 b)
{
	return b ? div64_u64(a * 1000, b) : 0;
}

#endif /* _MYMEM_TEST_H */
