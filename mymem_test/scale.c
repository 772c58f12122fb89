// SPDX-License-Identifier: GPL-2.0
/*
 * mymem_test scale: throughput of 1 KiB calls with 1, 2, ... max_threads kthreads
 * (every count up to 8, then doubling, and max_threads itself)
 *
 * Workloads: read (mymem_pread), write (mymem_pwrite), mixed (each worker
 * does 3 reads then 1 write).  Regions: shared (every worker at offset 0)
 * and disjoint (the buffer cut into one part per worker, each working at
 * the start of its own part, so that writers of different parts take
 * different stripe locks whatever the stripe size).
 * A last workload, memcpy (disjoint only), copies 1 KiB between two private
 * buffers without calling the API: how far the machine itself lets
 * independent threads scale, the ceiling for the others.
 * Each point is the best of MMT_SCALE_REPEAT runs of MMT_SCALE_POINT_MS;
 * ops/s = all ops / elapsed, where elapsed runs from the first worker's
 * start to the last one's end.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/time64.h>
#include <linux/timekeeping.h>

#include <linux/mymem.h>

#include "mymem_test.h"

#define MMT_SCALE_OP_SIZE	1024
#define MMT_SCALE_POINT_MS	100
#define MMT_SCALE_REPEAT	3	/* runs per point; the best is kept */
/* Workers look at the clock and the stop flag every this many calls. */
#define MMT_SCALE_CHECK_EVERY	16

enum mmt_scale_load {
	MMT_LOAD_READ,
	MMT_LOAD_WRITE,
	MMT_LOAD_MIXED,
	MMT_LOAD_MEMCPY,
	MMT_NR_LOADS,
};

static const char *const mmt_load_names[MMT_NR_LOADS] = {
	[MMT_LOAD_READ]	= "read",
	[MMT_LOAD_WRITE]	= "write",
	[MMT_LOAD_MIXED]	= "mixed",
	[MMT_LOAD_MEMCPY]	= "memcpy",
};

static const char *const mmt_region_names[2] = { "shared", "disjoint" };

/* One measured point. */
struct mmt_scale_result {
	u64 ops;
	u64 span_ns;
	u64 ops_s;
};

/**
 * struct mmt_scale_worker - one scale worker
 * @w:      runner data
 * @load:   enum mmt_scale_load
 * @pos:    its offset
 * @len:    bytes per call
 * @ops:    calls done
 * @errors: calls that did not transfer @len bytes
 * @buf:    2 x MMT_SCALE_OP_SIZE bytes of data
 */
struct mmt_scale_worker {
	struct mmt_worker w;
	int load;
	loff_t pos;
	size_t len;
	u64 ops;
	unsigned int errors;
	u8 *buf;
};

static void mmt_scale_body(struct mmt_worker *w)
{
	u64 end = w->start_ns + MMT_SCALE_POINT_MS * NSEC_PER_MSEC;
	struct mmt_scale_worker *worker;
	bool write;
	ssize_t ret;
	u64 ops;

	worker = container_of(w, struct mmt_scale_worker, w);
	for (ops = 0; ; ops++) {
		if (!(ops % MMT_SCALE_CHECK_EVERY) &&
		    (ktime_get_ns() >= end || mmt_must_stop()))
			break;
		if (worker->load == MMT_LOAD_MEMCPY) {
			memcpy(worker->buf, worker->buf + MMT_SCALE_OP_SIZE,
			       worker->len);
			continue;
		}
		write = worker->load == MMT_LOAD_WRITE ||
			(worker->load == MMT_LOAD_MIXED && ops % 4 == 3);
		if (write)
			ret = mymem_pwrite(worker->buf, worker->len, worker->pos);
		else
			ret = mymem_pread(worker->buf, worker->len, worker->pos);
		if (ret != worker->len) {
			if (!worker->errors++)
				mmt_err("scale %s: worker %u: %s at %lld returned %zd",
					mmt_load_names[worker->load], w->id,
					write ? "mymem_pwrite" : "mymem_pread",
					worker->pos, ret);
			break;
		}
	}
	worker->ops = ops;
}

/* One timed run of @threads workers; Return: failed checks or -EINTR. */
static int mmt_scale_once(struct mmt_scale_worker *workers, unsigned int threads,
			  struct mmt_scale_result *res)
{
	unsigned int i, errors = 0;
	u64 ops = 0, span;
	int ret;

	for (i = 0; i < threads; i++) {
		workers[i].ops = 0;
		workers[i].errors = 0;
	}
	ret = mmt_group_run(&workers[0].w, sizeof(workers[0]), threads,
			    mmt_scale_body, &span);
	if (ret == -EINTR)
		return ret;
	for (i = 0; i < threads; i++) {
		ops += workers[i].ops;
		errors += workers[i].errors;
	}
	res->ops = ops;
	res->span_ns = span;
	res->ops_s = span ? div64_u64(ops * NSEC_PER_SEC, span) : 0;
	return errors + (ret ? 1 : 0);
}

/**
 * mmt_scale_point() - measure one (workload, region, threads) point
 * @workers: at least @threads workers with their buffers
 * @load:    enum mmt_scale_load
 * @region:  0 shared, 1 disjoint
 * @threads: number of workers
 * @res:     out: the best of MMT_SCALE_REPEAT runs
 *
 * The best run is kept because interference (other vCPUs, the host)
 * only ever makes a run slower.
 *
 * Return: the number of failed checks, or -EINTR when stopped.
 */
static int mmt_scale_point(struct mmt_scale_worker *workers, int load, int region,
			   unsigned int threads, struct mmt_scale_result *res)
{
	size_t len = min_t(size_t, MMT_SCALE_OP_SIZE, mymem_size());
	unsigned int i, rep, slots = mymem_size() / len;
	unsigned int stride = max(slots / threads, 1U);
	struct mmt_scale_result once;
	int ret, failures = 0;
	struct mmt_record r;

	for (i = 0; i < threads; i++) {
		workers[i].load = load;
		workers[i].len = len;
		workers[i].pos = region ?
				 (loff_t)((i * stride) % slots) * len : 0;
	}
	memset(res, 0, sizeof(*res));
	for (rep = 0; rep < MMT_SCALE_REPEAT; rep++) {
		ret = mmt_scale_once(workers, threads, &once);
		if (ret < 0)
			return ret;
		failures += ret;
		if (once.ops_s >= res->ops_s)
			*res = once;
	}

	mmt_record_begin(&r, "scale");
	mmt_record_add(&r, "workload", "\"%s\"", mmt_load_names[load]);
	mmt_record_add(&r, "region", "\"%s\"", mmt_region_names[region]);
	mmt_record_add(&r, "size", "%zu", len);
	mmt_record_add(&r, "threads", "%u", threads);
	mmt_record_add(&r, "ops", "%llu", res->ops);
	mmt_record_add(&r, "elapsed_ns", "%llu", res->span_ns);
	mmt_record_add(&r, "ops_per_sec", "%llu", res->ops_s);
	mmt_record_end(&r);
	return failures;
}

/*
 * The thread counts of a sweep: every count up to 8, then doubling, and
 * always @n itself, so a large machine measures O(log n) points, not n.
 */
static unsigned int mmt_scale_next(unsigned int threads, unsigned int n)
{
	unsigned int next = threads < 8 ? threads + 1 : threads * 2;

	return threads < n && next > n ? n : next;
}

static unsigned int mmt_scale_points(unsigned int n)
{
	unsigned int threads, points = 0;

	for (threads = 1; threads <= n; threads = mmt_scale_next(threads, n))
		points++;
	return points;
}

/**
 * mmt_scale_records() - the records of a scale run: one per point
 * @p: the run's settings (max_threads)
 *
 * Return: that count.
 */
unsigned int mmt_scale_records(const struct mmt_params *p)
{
	return (2 * MMT_NR_LOADS - 1) * mmt_scale_points(p->max_threads);
}

/* Every point of the sweep; Return: failed checks, or -EINTR when stopped. */
static int mmt_scale_sweep(struct mmt_scale_worker *workers, unsigned int n)
{
	unsigned int total = (2 * MMT_NR_LOADS - 1) * mmt_scale_points(n);
	unsigned int threads, done = 0, failures = 0;
	struct mmt_scale_result res;
	u64 single = 0, speedup;
	int region, load, ret;

	for (region = 0; region < 2; region++) {
		for (load = 0; load < MMT_NR_LOADS; load++) {
			if (load == MMT_LOAD_MEMCPY && !region)
				continue;
			for (threads = 1; threads <= n;
			     threads = mmt_scale_next(threads, n)) {
				mmt_progress(done++, total);
				ret = mmt_scale_point(workers, load, region,
						      threads, &res);
				if (ret < 0)
					return ret;
				failures += ret;
				if (threads == 1)
					single = res.ops_s;
				speedup = mmt_ratio_x1000(res.ops_s, single);
				mmt_info("scale %-8s %-8s %7u %12llu %10llu %12llu %2llu.%03llu",
					 mmt_load_names[load],
					 mmt_region_names[region], threads,
					 res.ops,
					 div64_u64(res.span_ns, NSEC_PER_MSEC),
					 res.ops_s, speedup / 1000,
					 speedup % 1000);
			}
		}
	}
	mmt_progress(done, total);
	return failures;
}

/**
 * mmt_scale_run() - the scale test
 * @p: the run's settings (max_threads)
 *
 * Context: the controller kthread.
 * Return: the number of failed checks.
 */
unsigned int mmt_scale_run(const struct mmt_params *p)
{
	unsigned int i, n = p->max_threads;
	struct mmt_scale_worker *workers;
	int ret = -ENOMEM;

	workers = kvcalloc(n, sizeof(*workers), GFP_KERNEL);
	for (i = 0; workers && i < n; i++) {
		workers[i].buf = kmalloc(2 * MMT_SCALE_OP_SIZE, GFP_KERNEL);
		if (!workers[i].buf)
			break;
		memset(workers[i].buf, 0x5a, 2 * MMT_SCALE_OP_SIZE);
	}
	if (workers && i == n) {
		mmt_info("scale: %zu-byte calls, 1..%u threads, each point the best of %u runs of %u ms",
			 min_t(size_t, MMT_SCALE_OP_SIZE, mymem_size()), n,
			 MMT_SCALE_REPEAT, MMT_SCALE_POINT_MS);
		mmt_info("scale: mixed = 3 reads + 1 write per thread; memcpy = no API call, the machine's ceiling");
		mmt_info("scale: x1 = ops/s / ops/s of 1 thread");
		mmt_info("scale workload region   threads          ops elapsed_ms        ops/s     x1");
		ret = mmt_scale_sweep(workers, n);
	}
	for (i = 0; workers && i < n; i++)
		kfree(workers[i].buf);
	kvfree(workers);
	if (ret == -ENOMEM)
		return mmt_setup_failed("scale", ret);
	return ret < 0 ? 0 : ret;
}
