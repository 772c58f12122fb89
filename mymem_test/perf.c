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
	[MMT_OP_READ]		= "read",
	[MMT_OP_WRITE]		= "write",
	[MMT_OP_MEMCPY]		= "memcpy",
	[MMT_OP_MUTEX_MEMCPY]	= "mutex_memcpy",
};

struct mmt_stats {
	u64 avg;
	u64 min;
	u64 p50;
	u64 p99;
	u64 max;
};

/**
 * struct mmt_perf - the state of one perf test, allocated before timing
 * @samples: per op, one ns sample per iteration
 * @src:     data to write, regenerated every iteration
 * @dst:     read-back and memcpy destination
 * @h:       the handle measured
 * @lock:    the mutex of the mutex_memcpy baseline, never contended
 * @errors:  failed checks so far
 */
struct mmt_perf {
	u64 *samples[MMT_NR_OPS];
	u8 *src;
	u8 *dst;
	struct mymem_handle *h;
	struct mutex lock;	/* only this thread takes it */
	unsigned int errors;
};

static int mmt_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of @n sorted samples. */
static u64 mmt_pct(const u64 *s, unsigned int n, unsigned int pct)
{
	return s[DIV_ROUND_UP(n * pct, 100) - 1];
}

static void mmt_stats_compute(u64 *s, unsigned int n, struct mmt_stats *st)
{
	u64 sum = 0;
	unsigned int i;

	sort(s, n, sizeof(*s), mmt_cmp_u64, NULL);
	for (i = 0; i < n; i++)
		sum += s[i];
	st->avg = div64_u64(sum, n);
	st->min = s[0];
	st->p50 = mmt_pct(s, n, 50);
	st->p99 = mmt_pct(s, n, 99);
	st->max = s[n - 1];
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

static void mmt_perf_seek0(struct mmt_perf *pf, size_t size)
{
	loff_t pos = mymem_seek(pf->h, 0, SEEK_SET);

	if (pos) {
		pf->errors++;
		mmt_err("perf: size %zu: mymem_seek(0, SEEK_SET) returned %lld",
			size, pos);
	}
}

/**
 * mmt_perf_size() - time every op @iters times at one size
 * @pf:    the test state
 * @size:  bytes per call
 * @iters: rounds
 *
 * Return: 0, or -EINTR when the run is being stopped.
 */
static int mmt_perf_size(struct mmt_perf *pf, size_t size, unsigned int iters)
{
	unsigned int i;
	ssize_t ret;
	u64 t0, t1;

	for (i = 0; i < iters; i++) {
		if (mmt_stop_requested())
			return -EINTR;
		mmt_perf_fill(pf->src, size, i);

		t0 = ktime_get_ns();
		memcpy(pf->dst, pf->src, size);
		t1 = ktime_get_ns();
		pf->samples[MMT_OP_MEMCPY][i] = t1 - t0;

		t0 = ktime_get_ns();
		mutex_lock(&pf->lock);
		memcpy(pf->dst, pf->src, size);
		mutex_unlock(&pf->lock);
		t1 = ktime_get_ns();
		pf->samples[MMT_OP_MUTEX_MEMCPY][i] = t1 - t0;

		mmt_perf_seek0(pf, size);
		t0 = ktime_get_ns();
		ret = mymem_write(pf->h, pf->src, size);
		t1 = ktime_get_ns();
		pf->samples[MMT_OP_WRITE][i] = t1 - t0;
		if (ret != size) {
			pf->errors++;
			mmt_err("perf: size %zu iteration %u: mymem_write returned %zd",
				size, i, ret);
		}

		/* Clear the destination so that a read doing nothing fails. */
		memset(pf->dst, ~pf->src[0], size);
		mmt_perf_seek0(pf, size);
		t0 = ktime_get_ns();
		ret = mymem_read(pf->h, pf->dst, size);
		t1 = ktime_get_ns();
		pf->samples[MMT_OP_READ][i] = t1 - t0;
		if (ret != size) {
			pf->errors++;
			mmt_err("perf: size %zu iteration %u: mymem_read returned %zd",
				size, i, ret);
		} else if (memcmp(pf->dst, pf->src, size)) {
			pf->errors++;
			mmt_err("perf: size %zu iteration %u: data read back differs from data written",
				size, i);
		}
	}
	return 0;
}

static void mmt_perf_report(struct mmt_perf *pf, size_t size, unsigned int iters)
{
	struct mmt_stats st[MMT_NR_OPS];
	u64 x[4];
	struct mmt_rec r;
	int op;

	for (op = 0; op < MMT_NR_OPS; op++)
		mmt_stats_compute(pf->samples[op], iters, &st[op]);

	for (op = 0; op < MMT_NR_OPS; op++) {
		x[0] = mmt_ratio_x1000(st[op].avg, st[MMT_OP_MEMCPY].avg);
		x[1] = mmt_ratio_x1000(st[op].p50, st[MMT_OP_MEMCPY].p50);
		x[2] = mmt_ratio_x1000(st[op].avg, st[MMT_OP_MUTEX_MEMCPY].avg);
		x[3] = mmt_ratio_x1000(st[op].p50, st[MMT_OP_MUTEX_MEMCPY].p50);
		mmt_info("perf %8zu %-12s %6u %9llu %9llu %9llu %9llu %9llu %3llu.%03llu %3llu.%03llu %3llu.%03llu %3llu.%03llu",
			 size, mmt_op_names[op], iters, st[op].avg, st[op].min,
			 st[op].p50, st[op].p99, st[op].max,
			 x[0] / 1000, x[0] % 1000, x[1] / 1000, x[1] % 1000,
			 x[2] / 1000, x[2] % 1000, x[3] / 1000, x[3] % 1000);
		mmt_rec_begin(&r, "perf");
		mmt_rec_str(&r, "op", mmt_op_names[op]);
		mmt_rec_u64(&r, "size", size);
		mmt_rec_u64(&r, "iterations", iters);
		mmt_rec_u64(&r, "avg_ns", st[op].avg);
		mmt_rec_u64(&r, "min_ns", st[op].min);
		mmt_rec_u64(&r, "p50_ns", st[op].p50);
		mmt_rec_u64(&r, "p99_ns", st[op].p99);
		mmt_rec_u64(&r, "max_ns", st[op].max);
		mmt_rec_end(&r);
	}
}

static int mmt_perf_alloc(struct mmt_perf *pf, const struct mmt_params *p)
{
	size_t max = 0;
	unsigned int i;
	int op;

	for (i = 0; i < p->nr_sizes; i++)
		max = max(max, p->sizes[i]);
	for (op = 0; op < MMT_NR_OPS; op++) {
		pf->samples[op] = kvmalloc_array(p->iterations, sizeof(u64),
						 GFP_KERNEL);
		if (!pf->samples[op])
			return -ENOMEM;
	}
	pf->src = kvmalloc(max, GFP_KERNEL);
	pf->dst = kvmalloc(max, GFP_KERNEL);
	if (!pf->src || !pf->dst)
		return -ENOMEM;
	pf->h = mymem_open();
	if (IS_ERR_OR_NULL(pf->h)) {
		int ret = pf->h ? PTR_ERR(pf->h) : -ENOMEM;

		pf->h = NULL;
		return ret;
	}
	return 0;
}

static void mmt_perf_free(struct mmt_perf *pf)
{
	int op;

	if (pf->h)
		mymem_close(pf->h);
	kvfree(pf->dst);
	kvfree(pf->src);
	for (op = 0; op < MMT_NR_OPS; op++)
		kvfree(pf->samples[op]);
}

/**
 * mmt_perf_run() - the perf test
 * @p: the run's settings (sizes, iterations)
 *
 * Context: the controller kthread.
 * Return: the number of failed checks.
 */
unsigned int mmt_perf_run(const struct mmt_params *p)
{
	struct mmt_perf pf = { };
	unsigned int i, failures;
	int ret;

	mutex_init(&pf.lock);
	ret = mmt_perf_alloc(&pf, p);
	if (ret) {
		mmt_perf_free(&pf);
		return mmt_not_run("perf", ret);
	}

	mmt_info("perf: ns per call, %u calls per size and op; cpy = memcpy, mtx = mutex_memcpy, avg/cpy = avg / avg of memcpy",
		 p->iterations);
	mmt_info("perf     size op            iters       avg       min       p50       p99       max avg/cpy p50/cpy avg/mtx p50/mtx");
	for (i = 0; i < p->nr_sizes; i++) {
		mmt_progress(MMT_PERF, i, p->nr_sizes);
		if (mmt_perf_size(&pf, p->sizes[i], p->iterations)) {
			mmt_info("perf: stopped");
			break;
		}
		mmt_perf_report(&pf, p->sizes[i], p->iterations);
	}
	if (i == p->nr_sizes)
		mmt_progress(MMT_PERF, i, p->nr_sizes);

	failures = pf.errors;
	mmt_info("perf: %s (%u failed checks)", failures ? "FAIL" : "ok",
		 failures);
	mmt_perf_free(&pf);
	return failures;
}
