/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mymem_test - what the files of the test module share
 *
 * The files in layers, lowest first; each calls only the ones above it:
 *   params.c   the settings: module parameters, the "run" command, echo
 *   report.c   the output: dmesg, debugfs "results" and "results.json"
 *   runner.c   the run: its state, stop flag, controller and workers
 *   perf.c, race.c, scale.c, torture.c (over torture_check.c): the tests
 *   main.c     the test table, the debugfs files, module init and exit
 */
#ifndef _MYMEM_TEST_H
#define _MYMEM_TEST_H

#include <linux/math64.h>
#include <linux/types.h>

struct mmt_params;
struct seq_file;

/**
 * struct mmt_test - a row of the test table
 * @name:          its name, in the "tests" parameter and in its lines
 * @run:           runs it; returns the number of failed checks
 * @min_core_size: the smallest core it runs on; NULL: any
 * @records:       the most records (and table rows) a run with these
 *                 settings makes, so the report has room for them
 */
struct mmt_test {
	const char *name;
	unsigned int (*run)(const struct mmt_params *p);
	size_t (*min_core_size)(void);
	unsigned int (*records)(const struct mmt_params *p);
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
	unsigned int duration;
	bool autorun;
};

/* params.c */
int mmt_params_load(struct mmt_params *p, const struct mmt_test *table);
int mmt_params_parse(struct mmt_params *p, char *args);
size_t mmt_params_print(const struct mmt_params *p, char *buf, size_t len);
size_t mmt_params_json(const struct mmt_params *p, char *buf, size_t len);
void mmt_reject(const char *fmt, ...) __printf(1, 2);

/* report.c */
const char *mmt_verdict(unsigned int failures, bool stopped);
int mmt_report_begin(const struct mmt_params *p);
void mmt_report_end(const struct mmt_params *p, const char *verdict);
void mmt_report_free(void);
void mmt_report_show_lines(struct seq_file *m);
void mmt_report_show_json(struct seq_file *m);
void mmt_info(const char *fmt, ...) __printf(1, 2);
void mmt_err(const char *fmt, ...) __printf(1, 2);
unsigned int mmt_setup_failed(const char *test, int err);

/* A results.json record being built; mmt_record_end() adds it. */
struct mmt_record {
	char text[400];
	size_t len;
};

void mmt_record_begin(struct mmt_record *r, const char *test);
void mmt_record_add(struct mmt_record *r, const char *key, const char *fmt, ...)
	__printf(3, 4);
void mmt_record_end(struct mmt_record *r);

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
void mmt_run_status(char *buf, size_t len);
int mmt_run_wait(char *buf, size_t len);
bool mmt_must_stop(void);
void mmt_progress(unsigned int done, unsigned int total);
int mmt_group_run(struct mmt_worker *first, size_t stride, unsigned int nr,
		  void (*body)(struct mmt_worker *w), u64 *span_ns);

/* the tests */
unsigned int mmt_perf_run(const struct mmt_params *p);
unsigned int mmt_perf_records(const struct mmt_params *p);
unsigned int mmt_race_run(const struct mmt_params *p);
unsigned int mmt_race_records(const struct mmt_params *p);
size_t mmt_race_min_core_size(void);
unsigned int mmt_scale_run(const struct mmt_params *p);
unsigned int mmt_scale_records(const struct mmt_params *p);
unsigned int mmt_torture_run(const struct mmt_params *p);
unsigned int mmt_torture_records(const struct mmt_params *p);
size_t mmt_torture_min_core_size(void);

/* a / b in thousandths, for "%llu.%03llu" */
static inline u64 mmt_ratio_x1000(u64 a, u64 b)
{
	return b ? div64_u64(a * 1000, b) : 0;
}

#endif /* _MYMEM_TEST_H */
