// SPDX-License-Identifier: GPL-2.0
/*
 * mymem_test report: the results of a run: human tables and results.json
 *
 * A run owns two text buffers sized from its parameters before it starts:
 * the human report (every line also goes to dmesg) and the JSON records.
 * Lines and records are formatted between measurements, never inside a
 * timed region.  At the end of the run the records are wrapped into the
 * results.json document, which stays until the next run ends.  debugfs
 * readers get a private copy made at open time.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/utsname.h>

#include <linux/mymem.h>

#include "mymem_test.h"

#define MMT_LINE_MAX	400	/* longest table line or JSON record */
#define MMT_ERR_MAX	20	/* error lines printed per run */

/**
 * struct mmt_buf - a preallocated, append-only text buffer
 * @data:      the text, NUL-terminated
 * @size:      bytes allocated
 * @len:       bytes used, without the NUL
 * @truncated: an append did not fit and was dropped
 */
struct mmt_buf {
	char *data;
	size_t size;
	size_t len;
	bool truncated;
};

/* mmt_report_lock protects the three buffers below. */
static DEFINE_MUTEX(mmt_report_lock);
static struct mmt_buf mmt_text;		/* human report of the last run */
static struct mmt_buf mmt_records;	/* JSON records of the last run */
static struct mmt_buf mmt_doc;		/* results.json of the last ended run */
static unsigned int mmt_nr_records;
static atomic_t mmt_nr_errors;

static int mmt_buf_alloc(struct mmt_buf *b, size_t size)
{
	b->data = kvmalloc(size, GFP_KERNEL);
	if (!b->data)
		return -ENOMEM;
	b->data[0] = '\0';
	b->size = size;
	b->len = 0;
	b->truncated = false;
	return 0;
}

static void mmt_buf_free(struct mmt_buf *b)
{
	kvfree(b->data);
	memset(b, 0, sizeof(*b));
}

/* Append whole strings only: a line that does not fit is dropped. */
static void mmt_buf_add(struct mmt_buf *b, const char *s, size_t n)
{
	if (!b->data || b->len + n + 1 > b->size) {
		b->truncated = true;
		return;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

/**
 * mmt_report_begin() - allocate the report buffers of a new run
 * @p: the run's parameters, which bound the number of lines and records
 *
 * Context: process context, no run going.
 * Return: 0 or -ENOMEM (the previous report is then kept).
 */
int mmt_report_begin(const struct mmt_params *p)
{
	size_t points = (size_t)p->nr_sizes * 4 + 3 + 6 * p->max_threads + 1;
	struct mmt_buf text, records;

	if (mmt_buf_alloc(&text, 8192 + points * 128 + MMT_ERR_MAX * MMT_LINE_MAX))
		return -ENOMEM;
	if (mmt_buf_alloc(&records, 4096 + points * 256)) {
		mmt_buf_free(&text);
		return -ENOMEM;
	}

	mutex_lock(&mmt_report_lock);
	mmt_buf_free(&mmt_text);
	mmt_buf_free(&mmt_records);
	mmt_text = text;
	mmt_records = records;
	mmt_nr_records = 0;
	mutex_unlock(&mmt_report_lock);
	atomic_set(&mmt_nr_errors, 0);
	return 0;
}

static __printf(2, 0) void mmt_vout(bool error, const char *fmt,
				    va_list args)
{
	char line[MMT_LINE_MAX];
	int n;

	n = vscnprintf(line, sizeof(line) - 1, fmt, args);
	if (error)
		pr_err("%s\n", line);
	else
		pr_info("%s\n", line);
	line[n++] = '\n';
	mutex_lock(&mmt_report_lock);
	mmt_buf_add(&mmt_text, line, n);
	mutex_unlock(&mmt_report_lock);
}

static __printf(2, 3) void mmt_emit(bool error, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	mmt_vout(error, fmt, args);
	va_end(args);
}

/**
 * mmt_info() - print one report line to dmesg and to the "results" file
 * @fmt: printf format of the line, without the trailing newline
 *
 * Context: process context (takes a mutex); not for timed regions.
 */
void mmt_info(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	mmt_vout(false, fmt, args);
	va_end(args);
}

/**
 * mmt_err() - report a failed check (at most MMT_ERR_MAX lines per run)
 * @fmt: printf format of the line, without "!!! " and newline
 *
 * Context: process context; any thread of the run.
 */
void mmt_err(const char *fmt, ...)
{
	int nr = atomic_inc_return(&mmt_nr_errors);
	char line[MMT_LINE_MAX];
	va_list args;

	if (nr > MMT_ERR_MAX)
		return;
	va_start(args, fmt);
	vscnprintf(line, sizeof(line), fmt, args);
	va_end(args);
	mmt_emit(true, "!!! %s%s", line,
		 nr == MMT_ERR_MAX ? " (further error lines suppressed)" : "");
}

/**
 * mmt_not_run() - report a test that could not be set up
 * @test: its name
 * @err:  why (a negative errno)
 *
 * Return: 1, the failed check to count.
 */
unsigned int mmt_not_run(const char *test, int err)
{
	mmt_err("%s: cannot set up (%d): not run", test, err);
	return 1;
}

/**
 * mmt_rec_begin() - start a results.json record
 * @r:    the record, usually on the caller's stack
 * @test: the value of its "test" member
 */
void mmt_rec_begin(struct mmt_rec *r, const char *test)
{
	r->len = 0;
	mmt_rec_str(r, "test", test);
}

static __printf(2, 3) void mmt_rec_add(struct mmt_rec *r, const char *fmt,
				       ...)
{
	va_list args;

	va_start(args, fmt);
	r->len += vscnprintf(r->buf + r->len, sizeof(r->buf) - r->len, fmt,
			     args);
	va_end(args);
}

/**
 * mmt_rec_str() - add a string member (@val needs no JSON escaping)
 * @r:   the record
 * @key: member name
 * @val: member value
 */
void mmt_rec_str(struct mmt_rec *r, const char *key, const char *val)
{
	mmt_rec_add(r, "%c\"%s\":\"%s\"", r->len ? ',' : '{', key, val);
}

/**
 * mmt_rec_u64() - add a number member
 * @r:   the record
 * @key: member name
 * @val: member value
 */
void mmt_rec_u64(struct mmt_rec *r, const char *key, u64 val)
{
	mmt_rec_add(r, ",\"%s\":%llu", key, val);
}

/**
 * mmt_rec_bool() - add a true/false member
 * @r:   the record
 * @key: member name
 * @val: member value
 */
void mmt_rec_bool(struct mmt_rec *r, const char *key, bool val)
{
	mmt_rec_add(r, ",\"%s\":%s", key, val ? "true" : "false");
}

/**
 * mmt_rec_end() - close a record and append it to the run's records
 * @r: the record
 *
 * Context: process context (takes a mutex); not for timed regions.
 */
void mmt_rec_end(struct mmt_rec *r)
{
	mmt_rec_add(r, "}");
	mutex_lock(&mmt_report_lock);
	if (!mmt_records.data ||
	    mmt_records.len + 2 + r->len + 1 > mmt_records.size) {
		mmt_records.truncated = true;
	} else {
		if (mmt_nr_records)
			mmt_buf_add(&mmt_records, ",\n", 2);
		mmt_buf_add(&mmt_records, r->buf, r->len);
		mmt_nr_records++;
	}
	mutex_unlock(&mmt_report_lock);
}

/* The "params" object of results.json. */
static size_t mmt_json_params(char *buf, size_t len, const struct mmt_params *p)
{
	size_t n;

	n = scnprintf(buf, len, "{\"tests\":\"");
	n += mmt_list_format(buf + n, len - n, p, false);
	n += scnprintf(buf + n, len - n, "\",\"sizes\":[");
	n += mmt_list_format(buf + n, len - n, p, true);
	n += scnprintf(buf + n, len - n, "],\"iterations\":%u", p->iterations);
	n += scnprintf(buf + n, len - n, ",\"workers\":%u", p->workers);
	n += scnprintf(buf + n, len - n, ",\"increments\":%u", p->increments);
	n += scnprintf(buf + n, len - n, ",\"max_threads\":%u",
		       p->max_threads);
	n += scnprintf(buf + n, len - n, ",\"duration\":%u", p->duration);
	n += scnprintf(buf + n, len - n, ",\"autorun\":%s}",
		       p->autorun ? "true" : "false");
	return n;
}

/**
 * mmt_report_end() - build results.json from the records of the run
 * @p:       the run's parameters
 * @verdict: "PASS", "FAIL" or "ABORTED"
 *
 * On allocation failure results.json keeps the previous document and an
 * error line says so.
 */
void mmt_report_end(const struct mmt_params *p, const char *verdict)
{
	const size_t head_size = 1024;
	struct mmt_buf doc;
	size_t n;
	char *head;

	head = kmalloc(head_size, GFP_KERNEL);
	if (!head)
		goto nomem;
	n = scnprintf(head, head_size, "{\"schema\":1,\"kernel\":\"%s\"",
		      init_utsname()->release);
	n += scnprintf(head + n, head_size - n, ",\"cpus\":%u,\"core_size\":%zu",
		       num_online_cpus(), mymem_size());
	n += scnprintf(head + n, head_size - n, ",\n\"params\":");
	n += mmt_json_params(head + n, head_size - n, p);
	n += scnprintf(head + n, head_size - n, ",\n\"verdict\":\"%s\"", verdict);

	mutex_lock(&mmt_report_lock);
	n += scnprintf(head + n, head_size - n, ",\"truncated\":%s,\n\"records\":[\n",
		       mmt_records.truncated ? "true" : "false");
	if (mmt_buf_alloc(&doc, n + mmt_records.len + 8)) {
		mutex_unlock(&mmt_report_lock);
		goto nomem;
	}
	mmt_buf_add(&doc, head, n);
	mmt_buf_add(&doc, mmt_records.data, mmt_records.len);
	mmt_buf_add(&doc, "\n]}\n", 4);
	mmt_buf_free(&mmt_doc);
	mmt_doc = doc;
	mutex_unlock(&mmt_report_lock);
	kfree(head);
	return;

nomem:
	kfree(head);
	mmt_err("results.json: no memory for the document, not updated");
}

/**
 * mmt_report_snapshot() - copy the human report or results.json
 * @json: true for results.json, false for the human report
 * @buf:  out: a kvmalloc'ed copy (kvfree it), NULL when there is nothing
 *
 * Return: its length, or -ENOMEM.
 */
ssize_t mmt_report_snapshot(bool json, char **buf)
{
	struct mmt_buf *b = json ? &mmt_doc : &mmt_text;
	ssize_t len = 0;

	*buf = NULL;
	mutex_lock(&mmt_report_lock);
	if (b->len) {
		*buf = kvmalloc(b->len, GFP_KERNEL);
		len = *buf ? (ssize_t)b->len : -ENOMEM;
		if (*buf)
			memcpy(*buf, b->data, b->len);
	}
	mutex_unlock(&mmt_report_lock);
	return len;
}

/**
 * mmt_report_free() - free every report buffer (module unload)
 */
void mmt_report_free(void)
{
	mutex_lock(&mmt_report_lock);
	mmt_buf_free(&mmt_text);
	mmt_buf_free(&mmt_records);
	mmt_buf_free(&mmt_doc);
	mutex_unlock(&mmt_report_lock);
}
