// SPDX-License-Identifier: GPL-2.0
/*
 * mymem_test perf: latency of one read or write call, per transfer size
 *
 * For each size and each of `iterations` rounds, four calls are timed with
 * ktime_get_ns() into preallocated sample arrays:
 *   memcpy        a raw memcpy of the same size (large-copy baseline)
 *   mutex_memcpy  uncontended mutex_lock + memcpy + mutex_unlock (the
 *                 small-op baseline)
 *   write         mymem_write() on a handle seeked to 0 beforehand
 *   read          mymem_read() on the handle seeked to 0 beforehand
 * The data written differs in every round and is compared on read-back.
 * The samples are then sorted for min/p50/p99/max (nearest rank).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include <linux/mymem.h>

#include "mymem_test.h"

enum mmt_perf_op {
	MMT_OP_READ,
	MMT_OP_WRITE,
	MMT_OP_MEMCPY,
	MMT_OP_MUTEX_MEMCPY,
	MMT_NR_OPS,
};

static const char *const mmt_op_names[MMT_NR_OPS] = {
	"read", "write", "memcpy", "mutex_memcpy"
};

/* of the samples of one op, in ns */
struct mmt_perf_stats {
	u64 avg, min, p50, p99, max;
};

/* The table and the records: one row per size and op. */
static const struct mmt_col mmt_perf_cols[] = {
	{ "size", "size", 8 },
	{ "op", "op", -12, MMT_COL_STR },
	{ "iters", "iterations", 6 },
	{ "avg", "avg_ns", 9 },
	{ "min", "min_ns", 9 },
	{ "p50", "p50_ns", 9 },
	{ "p99", "p99_ns", 9 },
	{ "max", "max_ns", 9 },
	{ "avg/cpy", NULL, 7, MMT_COL_X1000 },
	{ "p50/cpy", NULL, 7, MMT_COL_X1000 },
	{ "avg/mtx", NULL, 7, MMT_COL_X1000 },
	{ "p50/mtx", NULL, 7, MMT_COL_X1000 },
	{ }
};

/* The state of the perf test, allocated before timing. */
struct mmt_perf {
	u64 *samples[MMT_NR_OPS];	/* per op, one ns per iteration; one allocation */
	u8 *src;		/* data to write, new every iteration */
	u8 *dst;		/* read-back and memcpy destination, after @src */
	struct mymem_handle *h;
	struct mutex lock;	/* the mutex_memcpy baseline's, uncontended */
	unsigned int errors;	/* failed checks so far */
};

/* Sorts @s; the percentiles are nearest-rank. */
static void mmt_stats_compute(u64 *s, unsigned int n,
			      struct mmt_perf_stats *stat)
{
	u64 sum = 0;
	unsigned int i;

	sort(s, n, sizeof(*s), mmt_cmp_u64, NULL);
	for (i = 0; i < n; i++)
		sum += s[i];
	stat->avg = div64_u64(sum, n);
	stat->min = s[0];
	stat->p50 = s[DIV_ROUND_UP(n * 50, 100) - 1];
	stat->p99 = s[DIV_ROUND_UP(n * 99, 100) - 1];
	stat->max = s[n - 1];
}

/* Data unique to (size, iteration): a byte pattern plus two stamps. */
static void mmt_perf_fill(u8 *buf, size_t size, unsigned int iter)
{
	u64 stamp = (u64)size << 32 | iter, end = ~stamp;

	memset(buf, (u8)(iter * 31 + size * 7 + 1), size);
	if (size >= 16) {
		memcpy(buf, &stamp, sizeof(stamp));
		memcpy(buf + size - sizeof(end), &end, sizeof(end));
	}
}

static void mmt_perf_seek0(struct mmt_perf *perf, size_t size)
{
	loff_t pos = mymem_seek(perf->h, 0, SEEK_SET);

	if (pos)
		perf->errors += mmt_err("perf: size %zu: mymem_seek(0, SEEK_SET) returned %lld",
					size, pos);
}

/* Time every op @iters times at @size bytes; 0, or -EINTR when stopped. */
static int mmt_perf_size(struct mmt_perf *perf, size_t size, unsigned int iters)
{
	unsigned int i;
	ssize_t ret;
	u64 t0;

	for (i = 0; i < iters; i++) {
		if (mmt_must_stop())
			return -EINTR;
		mmt_perf_fill(perf->src, size, i);

		t0 = ktime_get_ns();
		memcpy(perf->dst, perf->src, size);
		perf->samples[MMT_OP_MEMCPY][i] = ktime_get_ns() - t0;

		t0 = ktime_get_ns();
		mutex_lock(&perf->lock);
		memcpy(perf->dst, perf->src, size);
		mutex_unlock(&perf->lock);
		perf->samples[MMT_OP_MUTEX_MEMCPY][i] = ktime_get_ns() - t0;

		mmt_perf_seek0(perf, size);
		t0 = ktime_get_ns();
		ret = mymem_write(perf->h, perf->src, size);
		perf->samples[MMT_OP_WRITE][i] = ktime_get_ns() - t0;
		if (ret != size)
			perf->errors +=
				mmt_err("perf: size %zu iteration %u: mymem_write returned %zd",
					size, i, ret);

		/* Clear the destination so that a read doing nothing fails. */
		memset(perf->dst, ~perf->src[0], size);
		mmt_perf_seek0(perf, size);
		t0 = ktime_get_ns();
		ret = mymem_read(perf->h, perf->dst, size);
		perf->samples[MMT_OP_READ][i] = ktime_get_ns() - t0;
		if (ret != size)
			perf->errors +=
				mmt_err("perf: size %zu iteration %u: mymem_read returned %zd",
					size, i, ret);
		else if (memcmp(perf->dst, perf->src, size))
			perf->errors +=
				mmt_err("perf: size %zu iteration %u: data read back differs from data written",
					size, i);
	}
	return 0;
}

static void mmt_perf_report(struct mmt_perf *perf, size_t size,
			    unsigned int iters)
{
	struct mmt_perf_stats stat[MMT_NR_OPS], *s;
	const struct mmt_perf_stats *cpy = &stat[MMT_OP_MEMCPY];
	const struct mmt_perf_stats *mtx = &stat[MMT_OP_MUTEX_MEMCPY];
	int op;

	for (op = 0; op < MMT_NR_OPS; op++)
		mmt_stats_compute(perf->samples[op], iters, &stat[op]);
	for (op = 0; op < MMT_NR_OPS; op++) {
		s = &stat[op];
		mmt_table_row("perf", mmt_perf_cols, { size },
			      { .s = mmt_op_names[op] }, { iters }, { s->avg },
			      { s->min }, { s->p50 }, { s->p99 }, { s->max },
			      { mmt_ratio_x1000(s->avg, cpy->avg) },
			      { mmt_ratio_x1000(s->p50, cpy->p50) },
			      { mmt_ratio_x1000(s->avg, mtx->avg) },
			      { mmt_ratio_x1000(s->p50, mtx->p50) });
	}
}

/* the records of a perf run: one per size and op */
static unsigned int mmt_perf_records(const struct mmt_params *p)
{
	return p->nr_sizes * MMT_NR_OPS;
}

static int mmt_perf_alloc(struct mmt_perf *perf, const struct mmt_params *p)
{
	size_t max = 0;
	unsigned int i;

	for (i = 0; i < p->nr_sizes; i++)
		max = max(max, p->sizes[i]);
	perf->samples[0] = kvmalloc_array(MMT_NR_OPS * p->iterations,
					  sizeof(u64), GFP_KERNEL);
	perf->src = kvmalloc(2 * max, GFP_KERNEL);
	if (!perf->samples[0] || !perf->src)
		return -ENOMEM;
	for (i = 1; i < MMT_NR_OPS; i++)
		perf->samples[i] = perf->samples[0] + i * p->iterations;
	perf->dst = perf->src + max;
	perf->h = mymem_open();
	return PTR_ERR_OR_ZERO(perf->h);
}

/* the perf test; Context: the controller kthread.  Return: failed checks */
static unsigned int mmt_perf_run(const struct mmt_params *p)
{
	struct mmt_perf perf = { };
	unsigned int i;
	int ret;

	mutex_init(&perf.lock);
	ret = mmt_perf_alloc(&perf, p);
	if (ret) {
		perf.errors = mmt_setup_failed("perf", ret);
		goto out;
	}

	mmt_info("perf: ns per call, %u calls per size and op; cpy = memcpy, mtx = mutex_memcpy, avg/cpy = avg / avg of memcpy",
		 p->iterations);
	mmt_table_head("perf", mmt_perf_cols);
	for (i = 0; i < p->nr_sizes; i++) {
		mmt_progress(i, p->nr_sizes);
		if (mmt_perf_size(&perf, p->sizes[i], p->iterations))
			break;
		mmt_perf_report(&perf, p->sizes[i], p->iterations);
	}
	mmt_progress(i, p->nr_sizes);
out:
	if (!IS_ERR_OR_NULL(perf.h))
		mymem_close(perf.h);
	kvfree(perf.src);
	kvfree(perf.samples[0]);
	return perf.errors;
}

const struct mmt_test mmt_perf_test = {
	.name		= "perf",
	.run		= mmt_perf_run,
	.records	= mmt_perf_records,
};
