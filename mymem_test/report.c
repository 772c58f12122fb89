// SPDX-License-Identifier: GPL-2.0
/*
 * mymem_test report: the output of a run
 *
 * Report lines go to dmesg and to the debugfs file "results", records to
 * results.json.  Their buffers are sized from the run's settings before it
 * starts: nothing is allocated between two measurements.  The records'
 * buffer keeps room for the head of results.json, which it becomes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/minmax.h>
#include <linux/cpumask.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/time64.h>
#include <linux/utsname.h>

#include <linux/mymem.h>

#include "mymem_test.h"

#define MMT_LINE_MAX	400
#define MMT_ERR_MAX	20	/* error lines printed per run */
#define MMT_RECORD_MAX	400	/* longest results.json record */
#define MMT_JSON_HEAD	1024	/* results.json before its records */
#define MMT_JSON_TAIL	"\n]}\n"	/* and after them */

/* A preallocated text: what does not fit is dropped whole. */
struct mmt_text {
	char *data;		/* NUL-terminated */
	size_t size;
	size_t len;
	bool truncated;		/* something was dropped */
};

static struct mmt_report {
	struct mutex lock;	/* guards all but nr_errors */
	struct mmt_text lines;	/* "results" of the last run */
	struct mmt_text records;	/* its records, after MMT_JSON_HEAD bytes */
	struct mmt_text json;	/* results.json of the last ended run */
	atomic_t nr_errors;	/* mmt_err() calls in the run */
} report = {
	.lock = __MUTEX_INITIALIZER(report.lock),
};

/**
 * mmt_verdict() - the verdict of a run or of one test
 * @failures: its failed checks
 * @stopped:  it was stopped before its end
 *
 * Return: "STOPPED", "FAILURE" or "SUCCESS", the words of every line, file
 * and record.
 */
const char *mmt_verdict(unsigned int failures, bool stopped)
{
	return stopped ? "STOPPED" : failures ? "FAILURE" : "SUCCESS";
}

static int mmt_text_alloc(struct mmt_text *t, size_t size)
{
	*t = (struct mmt_text){ .data = kvmalloc(size, GFP_KERNEL), .size = size };
	if (!t->data)
		return -ENOMEM;
	t->data[0] = '\0';
	return 0;
}

static void mmt_text_free(struct mmt_text *t)
{
	kvfree(t->data);
	memset(t, 0, sizeof(*t));
}

/* Append @n bytes of @s, leaving @keep bytes free, or drop them whole. */
static void mmt_text_add(struct mmt_text *t, const char *s, size_t n,
			 size_t keep)
{
	if (!t->data || t->len + n + keep + 1 > t->size) {
		t->truncated = true;
		return;
	}
	memcpy(t->data + t->len, s, n);
	t->len += n;
	t->data[t->len] = '\0';
}

/**
 * mmt_report_begin() - allocate the output of a new run
 * @p: the run's settings: each selected test's row says how many lines and
 *     records they make it write
 *
 * Return: 0, or -ENOMEM (the output of the last run is then kept).
 */
int mmt_report_begin(const struct mmt_params *p)
{
	const struct mmt_test *t;
	struct mmt_text lines, records;
	size_t points = 0;

	/* every row a test says it may make, at the longest a row can be */
	for (t = p->table; t->name; t++)
		if (p->tests & BIT(t - p->table))
			points += t->records ? t->records(p) : t->nr_records;
	if (mmt_text_alloc(&lines, 8192 + (points + MMT_ERR_MAX) * MMT_LINE_MAX) ||
	    mmt_text_alloc(&records, MMT_JSON_HEAD + 4096 + points * MMT_RECORD_MAX)) {
		mmt_text_free(&lines);
		return -ENOMEM;
	}
	records.len = MMT_JSON_HEAD;
	mutex_lock(&report.lock);
	mmt_text_free(&report.lines);
	mmt_text_free(&report.records);
	report.lines = lines;
	report.records = records;
	mutex_unlock(&report.lock);
	atomic_set(&report.nr_errors, 0);
	return 0;
}

/* @line has room for the newline: @n < MMT_LINE_MAX. */
static void mmt_report_line(char *line, int n)
{
	line[n++] = '\n';
	mutex_lock(&report.lock);
	mmt_text_add(&report.lines, line, n, 0);
	mutex_unlock(&report.lock);
}

/**
 * mmt_info() - print a report line to dmesg and "results"
 * @fmt: printf format of the line, without the newline
 *
 * Context: process context; not in a timed region.
 */
void mmt_info(const char *fmt, ...)
{
	char line[MMT_LINE_MAX];
	va_list args;
	int n;

	va_start(args, fmt);
	n = vscnprintf(line, sizeof(line), fmt, args);
	va_end(args);
	pr_info("%s\n", line);
	mmt_report_line(line, n);
}

/**
 * mmt_err() - report a failed check, after "!!! " as locktorture does
 * @fmt: printf format of the line, without the newline
 *
 * Only the first MMT_ERR_MAX of a run are printed.
 * Context: process context; not in a timed region.
 * Return: 1, the failed check to count, printed or not.
 */
unsigned int mmt_err(const char *fmt, ...)
{
	int nr = atomic_inc_return(&report.nr_errors);
	char line[MMT_LINE_MAX];
	va_list args;
	int n;

	if (nr > MMT_ERR_MAX)
		return 1;
	n = scnprintf(line, sizeof(line), "!!! ");
	va_start(args, fmt);
	n += vscnprintf(line + n, sizeof(line) - n, fmt, args);
	va_end(args);
	if (nr == MMT_ERR_MAX)
		n += scnprintf(line + n, sizeof(line) - n,
			       " (further error lines suppressed)");
	pr_err("%s\n", line);
	mmt_report_line(line, n);
	return 1;
}

static size_t mmt_col_value(char *buf, size_t len, const struct mmt_col *c,
			    const union mmt_val *v, bool json)
{
	int w = json ? 0 : c->width;
	u64 x = v->u;

	switch (c->kind) {
	case MMT_COL_STR:
		return scnprintf(buf, len, json ? "\"%*s\"" : "%*s", w, v->s);
	case MMT_COL_BOOL:
		return scnprintf(buf, len, "%*s", w, json ? (x ? "true" : "false") :
				 (x ? "yes" : "no"));
	case MMT_COL_X1000:
		return scnprintf(buf, len, "%*llu.%03llu", max(w - 4, 0), x / 1000,
				 x % 1000);
	case MMT_COL_MS:
		if (!json)
			x = div64_u64(x, NSEC_PER_MSEC);
		fallthrough;
	default:
		return scnprintf(buf, len, "%*llu", w, x);
	}
}

/**
 * mmt_table_print() - print the header or a row of a test's table
 * @test: the test's name: the first word of its lines, "test" of its records
 * @cols: its columns, up to an empty one
 * @v:    one value per column; NULL: print the header
 * @nr:   entries in @v
 *
 * A row is a line of the table (the columns with a head) and a
 * results.json record (the columns with a key).  Through mmt_table_head()
 * and mmt_table_row().
 * Context: process context; not in a timed region.
 */
void mmt_table_print(const char *test, const struct mmt_col *cols,
		     const union mmt_val *v, unsigned int nr)
{
	char line[MMT_LINE_MAX], rec[MMT_RECORD_MAX];
	unsigned int i, nr_cols = 0;
	size_t n, r, first;

	while (cols[nr_cols].head || cols[nr_cols].key)
		nr_cols++;
	if (v && nr != nr_cols) {
		mmt_err("%s: a row of %u values for %u columns", test, nr, nr_cols);
		return;
	}
	n = scnprintf(line, sizeof(line), "%s", test);
	/* a record after the first one starts with ",\n" */
	r = scnprintf(rec, sizeof(rec), ",\n{\"test\":\"%s\"", test);
	for (i = 0; i < nr_cols; i++) {
		if (cols[i].head && !v) {
			n += scnprintf(line + n, sizeof(line) - n, " %*s",
				       cols[i].width, cols[i].head);
		} else if (cols[i].head) {
			n += scnprintf(line + n, sizeof(line) - n, " ");
			n += mmt_col_value(line + n, sizeof(line) - n, &cols[i],
					   &v[i], false);
		}
		if (cols[i].key && v) {
			r += scnprintf(rec + r, sizeof(rec) - r, ",\"%s\":",
				       cols[i].key);
			r += mmt_col_value(rec + r, sizeof(rec) - r, &cols[i],
					   &v[i], true);
		}
	}
	mmt_info("%s", line);
	if (!v)
		return;
	r += scnprintf(rec + r, sizeof(rec) - r, "}");
	mutex_lock(&report.lock);
	first = report.records.len == MMT_JSON_HEAD ? 2 : 0;
	mmt_text_add(&report.records, rec + first, r - first,
		     strlen(MMT_JSON_TAIL));
	mutex_unlock(&report.lock);
}

/**
 * mmt_report_end() - make results.json from the records of the run
 * @p:       the run's settings
 * @verdict: the run's verdict
 *
 * The head is written before the records, in their buffer, which then
 * replaces results.json: nothing is allocated.
 */
void mmt_report_end(const struct mmt_params *p, const char *verdict)
{
	struct mmt_text *t = &report.records;
	char *head;
	size_t n;

	mutex_lock(&report.lock);
	head = t->data;
	if (!head)
		goto out;
	n = scnprintf(head, MMT_JSON_HEAD,
		      "{\"schema\":1,\"kernel\":\"%s\",\"cpus\":%u,\"core_size\":%zu,\n\"params\":",
		      init_utsname()->release, num_online_cpus(), mymem_size());
	n += mmt_params_print(p, head + n, MMT_JSON_HEAD - n, true);
	n += scnprintf(head + n, MMT_JSON_HEAD - n,
		       ",\n\"verdict\":\"%s\",\"truncated\":%s,\n\"records\":[\n",
		       verdict, t->truncated ? "true" : "false");
	memmove(head + n, head + MMT_JSON_HEAD, t->len - MMT_JSON_HEAD);
	t->len -= MMT_JSON_HEAD - n;
	mmt_text_add(t, MMT_JSON_TAIL, strlen(MMT_JSON_TAIL), 0);
	mmt_text_free(&report.json);
	report.json = *t;
	memset(t, 0, sizeof(*t));
out:
	mutex_unlock(&report.lock);
}

/**
 * mmt_report_show() - the output of the runs, for debugfs
 * @m:    the reader's seq_file
 * @json: results.json of the last ended run; false: the report lines of
 *        the last run ("results")
 */
void mmt_report_show(struct seq_file *m, bool json)
{
	const struct mmt_text *t = json ? &report.json : &report.lines;

	mutex_lock(&report.lock);
	if (t->len)
		seq_write(m, t->data, t->len);
	mutex_unlock(&report.lock);
}

/**
 * mmt_report_free() - free the output (module exit)
 */
void mmt_report_free(void)
{
	mutex_lock(&report.lock);
	mmt_text_free(&report.lines);
	mmt_text_free(&report.records);
	mmt_text_free(&report.json);
	mutex_unlock(&report.lock);
}
