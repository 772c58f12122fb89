/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mymem_test - what the files of the test module share
 *
 * main.c    parameters, validation, debugfs, run control, module lifecycle
 * runner.c  worker groups: spawn, start gate, "all done" completion, stop
 * report.c  human tables (dmesg + debugfs "results") and results.json
 * perf.c, race.c, scale.c, torture.c: one test each
 *
 * One run at a time: a run is driven by one controller kthread (main.c),
 * which runs the selected tests in order.  Each test runs its workers
 * through mmt_group_run() and reports through mmt_info() and mmt_rec_*().
 */
#ifndef _MYMEM_TEST_H
#define _MYMEM_TEST_H

/*
 * ---- 6.1/6.12 compatibility shims (to be moved to include/mymem_compat.h) ----
 * None needed: every worker waits for kthread_should_stop() before it
 * returns, so plain kthread_stop() is safe on both kernels and
 * kthread_stop_put() (6.12 only) is not used.  get_random_u32_below(),
 * sort(), seq_buf, div64_u64() and the debugfs calls used here have the
 * same form in 6.1 and 6.12.
 * ---- end of compatibility shims ----
 */

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/math64.h>
#include <linux/types.h>

#define MMT_MAX_SIZES		16
#define MMT_PARAMS_LEN		512	/* "tests=... duration=N autorun=Y" */

/* Tests, in the order a run executes them. */
enum mmt_test {
	MMT_PERF,
	MMT_RACE,
	MMT_SCALE,
	MMT_TORTURE,
	MMT_NR_TESTS,
};

/**
 * struct mmt_params - the validated settings of one run
 * @tests:       bit mask, BIT(enum mmt_test)
 * @nr_sizes:    number of entries in @sizes
 * @sizes:       perf transfer sizes, each 1..mymem_size()
 * @iterations:  perf calls per size and op
 * @workers:     race kthreads
 * @increments:  race increments per worker
 * @max_threads: scale thread count limit (already resolved: never 0)
 * @duration:    torture seconds
 * @autorun:     start a run at load (echoed only)
 */
struct mmt_params {
	unsigned int tests;
	unsigned int nr_sizes;
	size_t sizes[MMT_MAX_SIZES];
	unsigned int iterations;
	unsigned int workers;
	unsigned int increments;
	unsigned int max_threads;
	unsigned int duration;
	bool autorun;
};

/* main.c */
extern const char *const mmt_test_names[MMT_NR_TESTS];
bool mmt_stop_requested(void);
void mmt_progress(enum mmt_test test, unsigned int done, unsigned int total);
size_t mmt_list_format(char *buf, size_t len, const struct mmt_params *p,
		       bool sizes);
void mmt_params_format(const struct mmt_params *p, char *buf, size_t len);

/* runner.c */
struct mmt_group;

/**
 * struct mmt_worker - the runner's part of a worker's private data
 * @group:    the group the worker belongs to
 * @task:     its kthread, or NULL when it could not be created
 * @id:       0..nr-1 within the group
 * @start_ns: ktime_get_ns() when the worker passed the start gate
 * @end_ns:   ktime_get_ns() when its body returned
 *
 * Embed it in a test's per-worker struct and hand an array of those to
 * mmt_group_run() with its element size.
 */
struct mmt_worker {
	struct mmt_group *group;
	struct task_struct *task;
	unsigned int id;
	u64 start_ns;
	u64 end_ns;
};

int mmt_group_run(struct mmt_worker *first, size_t stride, unsigned int nr,
		  void (*body)(struct mmt_worker *w), const char *name,
		  u64 *span_ns);
bool mmt_worker_should_stop(const struct mmt_worker *w);
void mmt_wait_for_stop(void);

/* report.c */
int mmt_report_begin(const struct mmt_params *p);
void mmt_report_end(const struct mmt_params *p, const char *verdict);
void mmt_report_free(void);
void mmt_info(const char *fmt, ...) __printf(1, 2);

#define MMT_REC_MAX	400	/* longest JSON record */

/**
 * struct mmt_rec - one results.json record being built
 * @buf: the text so far, from the opening brace
 * @len: its length
 */
struct mmt_rec {
	char buf[MMT_REC_MAX];
	size_t len;
};

void mmt_rec_begin(struct mmt_rec *r, const char *test);
void mmt_rec_str(struct mmt_rec *r, const char *key, const char *val);
void mmt_rec_u64(struct mmt_rec *r, const char *key, u64 val);
void mmt_rec_bool(struct mmt_rec *r, const char *key, bool val);
void mmt_rec_end(struct mmt_rec *r);
void mmt_err(const char *fmt, ...) __printf(1, 2);
unsigned int mmt_not_run(const char *test, int err);
ssize_t mmt_report_snapshot(bool json, char **buf);

/* The tests: each returns the number of failed checks (0: pass). */
unsigned int mmt_perf_run(const struct mmt_params *p);
unsigned int mmt_race_run(const struct mmt_params *p);
unsigned int mmt_scale_run(const struct mmt_params *p);
unsigned int mmt_torture_run(const struct mmt_params *p);

/* Integer ratio a/b printed as "%llu.%03llu": returns a * 1000 / b. */
static inline u64 mmt_ratio_x1000(u64 a, u64 b)
{
	return b ? div64_u64(a * 1000, b) : 0;
}

#endif /* _MYMEM_TEST_H */
