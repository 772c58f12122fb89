// SPDX-License-Identifier: GPL-2.0
/*
 * mymem_test scale: throughput of 1 KiB calls with 1, 2, ... max_threads kthreads
 * (every count up to 8, then doubling, and max_threads itself)
 *
 * Workloads: read (mymem_pread), write (mymem_pwrite), mixed (each worker
 * does 3 reads then 1 write).  Regions: shared (every worker at offset 0)
 * and disjoint (worker i at i * 1 KiB, wrapping inside the buffer).
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
	struct mmt_scale_worker *sw = container_of(w, struct mmt_scale_worker, w);
	u64 end = w->start_ns + MMT_SCALE_POINT_MS * NSEC_PER_MSEC;
	bool write;
	ssize_t ret;
	u64 ops;

	for (ops = 0; ; ops++) {
		if (!(ops % MMT_SCALE_CHECK_EVERY) &&
		    (ktime_get_ns() >= end || mmt_worker_should_stop(w)))
			break;
		if (sw->load == MMT_LOAD_MEMCPY) {
			memcpy(sw->buf, sw->buf + MMT_SCALE_OP_SIZE, sw->len);
			continue;
		}
		write = sw->load == MMT_LOAD_WRITE ||
			(sw->load == MMT_LOAD_MIXED && ops % 4 == 3);
		if (write)
			ret = mymem_pwrite(sw->buf, sw->len, sw->pos);
		else
			ret = mymem_pread(sw->buf, sw->len, sw->pos);
		if (ret != sw->len) {
			if (!sw->errors++)
				mmt_err("scale %s: worker %u: %s at %lld returned %zd",
					mmt_load_names[sw->load], w->id,
					write ? "mymem_pwrite" : "mymem_pread",
					sw->pos, ret);
			break;
		}
	}
	sw->ops = ops;
}

/* One timed run of @threads workers; Return: failed checks or -EINTR. */
static int mmt_scale_once(struct mmt_scale_worker *sws, unsigned int threads,
			  struct mmt_scale_result *res)
{
	unsigned int i, errors = 0;
	u64 ops = 0, span;
	int ret;

	for (i = 0; i < threads; i++) {
		sws[i].ops = 0;
		sws[i].errors = 0;
	}
	ret = mmt_group_run(&sws[0].w, sizeof(sws[0]), threads, mmt_scale_body,
			    "scale", &span);
	if (ret == -EINTR)
		return ret;
	for (i = 0; i < threads; i++) {
		ops += sws[i].ops;
		errors += sws[i].errors;
	}
	res->ops = ops;
	res->span_ns = span;
	res->ops_s = span ? div64_u64(ops * NSEC_PER_SEC, span) : 0;
	return errors + (ret ? 1 : 0);
}

/**
 * mmt_scale_point() - measure one (workload, region, threads) point
 * @sws:     at least @threads workers with their buffers
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
static int mmt_scale_point(struct mmt_scale_worker *sws, int load, int region,
			   unsigned int threads, struct mmt_scale_result *res)
{
	size_t len = min_t(size_t, MMT_SCALE_OP_SIZE, mymem_size());
	unsigned int i, rep, slots = mymem_size() / len;
	struct mmt_scale_result one;
	int ret, failures = 0;
	struct mmt_rec r;

	for (i = 0; i < threads; i++) {
		sws[i].load = load;
		sws[i].len = len;
		sws[i].pos = region ? (loff_t)(i % slots) * len : 0;
	}
	memset(res, 0, sizeof(*res));
	for (rep = 0; rep < MMT_SCALE_REPEAT; rep++) {
		ret = mmt_scale_once(sws, threads, &one);
		if (ret < 0)
			return ret;
		failures += ret;
		if (one.ops_s >= res->ops_s)
			*res = one;
	}

	mmt_rec_begin(&r, "scale");
	mmt_rec_str(&r, "workload", mmt_load_names[load]);
	mmt_rec_str(&r, "region", mmt_region_names[region]);
	mmt_rec_u64(&r, "size", len);
	mmt_rec_u64(&r, "threads", threads);
	mmt_rec_u64(&r, "ops", res->ops);
	mmt_rec_u64(&r, "elapsed_ns", res->span_ns);
	mmt_rec_u64(&r, "ops_per_sec", res->ops_s);
	mmt_rec_end(&r);
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
 * mmt_scale_run() - the scale test
 * @p: the run's settings (max_threads)
 *
 * Context: the controller kthread.
 * Return: the number of failed checks.
 */
unsigned int mmt_scale_run(const struct mmt_params *p)
{
	unsigned int n = p->max_threads;
	unsigned int total = (2 * MMT_NR_LOADS - 1) * mmt_scale_points(n);
	unsigned int i, threads, done = 0, failures = 0;
	struct mmt_scale_worker *sws;
	struct mmt_scale_result res;
	int region, load, ret = 0;
	u64 one = 0, x;

	sws = kvcalloc(n, sizeof(*sws), GFP_KERNEL);
	if (!sws)
		goto nomem;
	for (i = 0; i < n; i++) {
		sws[i].buf = kmalloc(2 * MMT_SCALE_OP_SIZE, GFP_KERNEL);
		if (!sws[i].buf)
			goto nomem;
		memset(sws[i].buf, 0x5a, 2 * MMT_SCALE_OP_SIZE);
	}

	mmt_info("scale: %zu-byte calls, 1..%u threads, each point the best of %u runs of %u ms",
		 min_t(size_t, MMT_SCALE_OP_SIZE, mymem_size()), n,
		 MMT_SCALE_REPEAT, MMT_SCALE_POINT_MS);
	mmt_info("scale: mixed = 3 reads + 1 write per thread; memcpy = no API call, the machine's ceiling");
	mmt_info("scale: x1 = ops/s / ops/s of 1 thread");
	mmt_info("scale workload region   threads          ops elapsed_ms        ops/s     x1");
	for (region = 0; region < 2; region++) {
		for (load = 0; load < MMT_NR_LOADS; load++) {
			if (load == MMT_LOAD_MEMCPY && !region)
				continue;
			for (threads = 1; threads <= n;
			     threads = mmt_scale_next(threads, n)) {
				mmt_progress(MMT_SCALE, done++, total);
				ret = mmt_scale_point(sws, load, region, threads,
						      &res);
				if (ret < 0)
					goto stopped;
				failures += ret;
				if (threads == 1)
					one = res.ops_s;
				x = mmt_ratio_x1000(res.ops_s, one);
				mmt_info("scale %-8s %-8s %7u %12llu %10llu %12llu %2llu.%03llu",
					 mmt_load_names[load],
					 mmt_region_names[region], threads,
					 res.ops,
					 div64_u64(res.span_ns, NSEC_PER_MSEC),
					 res.ops_s, x / 1000, x % 1000);
			}
		}
	}
	mmt_progress(MMT_SCALE, done, total);
	goto out;

stopped:
	mmt_info("scale: stopped");
	goto out;
nomem:
	failures += mmt_not_run("scale", -ENOMEM);
out:
	mmt_info("scale: %s (%u failed checks)", failures ? "FAIL" : "ok",
		 failures);
	for (i = 0; sws && i < n; i++)
		kfree(sws[i].buf);
	kvfree(sws);
	return failures;
}
