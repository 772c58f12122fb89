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
 * The test runs in `rounds` rounds; a round runs every (workload, region)
 * series in turn, and each series' thread counts once for `point_ms`,
 * starting from the next count each round, so that no count is always the
 * first (cold) one, and every point's runs, the ceiling's included, spread
 * over the whole test.  A point is its best run: under QEMU a vCPU is a
 * host thread that the host slows down at times, never speeds up, and a
 * median lands on whichever speed the host gave most often (so that 2
 * threads could measure over twice 1 thread on 2 vCPUs).  ops/s = all ops
 * / elapsed, where elapsed runs from the first worker's start to the last
 * one's end, and x1 = ops/s / that of 1 thread.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/time64.h>
#include <linux/timekeeping.h>

#include <linux/mymem.h>

#include "mymem_test.h"

#define MMT_SCALE_OP_SIZE	1024
/* Every this many calls a worker checks the clock and the stop flag. */
#define MMT_SCALE_CHECK_EVERY	16

enum mmt_scale_load {
	MMT_LOAD_READ,
	MMT_LOAD_WRITE,
	MMT_LOAD_MIXED,
	MMT_LOAD_MEMCPY,
	MMT_NR_LOADS,
};

/* every load on both regions, but memcpy only on disjoint */
#define MMT_SCALE_SERIES	(2 * MMT_NR_LOADS - 1)

static const char *const mmt_load_names[MMT_NR_LOADS] = {
	"read", "write", "mixed", "memcpy"
};

static const char *const mmt_region_names[2] = { "shared", "disjoint" };

/* The table and the records: one row per point. */
static const struct mmt_col mmt_scale_cols[] = {
	{ "workload", "workload", -8, MMT_COL_STR },
	{ "region", "region", -8, MMT_COL_STR },
	{ NULL, "size" },
	{ "threads", "threads", 7 },
	{ "ops", "ops", 12 },
	{ "elapsed_ms", "elapsed_ns", 10, MMT_COL_MS },
	{ "ops/s", "ops_per_sec", 12 },
	{ "x1", NULL, 6, MMT_COL_X1000 },
	{ }
};

/* A point's best run. */
struct mmt_scale_result {
	u64 ops_s;
	u64 ops;
	u64 span_ns;
};

/* One scale worker: @len-byte calls at @pos for @run_ns. */
struct mmt_scale_worker {
	struct mmt_worker w;
	int load;		/* enum mmt_scale_load */
	loff_t pos;
	size_t len;
	u64 run_ns;
	u64 ops;		/* calls done */
	unsigned int errors;	/* calls that did not transfer @len bytes */
	u8 *buf;		/* 2 x MMT_SCALE_OP_SIZE bytes */
};

static void mmt_scale_body(struct mmt_worker *w)
{
	struct mmt_scale_worker *worker;
	bool write;
	ssize_t ret;
	u64 ops, end;

	worker = container_of(w, struct mmt_scale_worker, w);
	end = w->start_ns + worker->run_ns;
	for (ops = 0; ; ops++) {
		if (!(ops % MMT_SCALE_CHECK_EVERY)) {
			if (ktime_get_ns() >= end || mmt_must_stop())
				break;
			/*
			 * memcpy has no sleeping lock, hence no preemption
			 * point of its own: without this, on a voluntary-
			 * preemption kernel a worker beyond the CPU count
			 * waits for another to finish, and a point of 3
			 * threads on 2 CPUs takes two point_ms in a row.
			 */
			cond_resched();
		}
		if (worker->load == MMT_LOAD_MEMCPY) {
			memcpy(worker->buf, worker->buf + MMT_SCALE_OP_SIZE,
			       worker->len);
			continue;
		}
		write = worker->load == MMT_LOAD_WRITE ||
			(worker->load == MMT_LOAD_MIXED && ops % 4 == 3);
		ret = write ? mymem_pwrite(worker->buf, worker->len, worker->pos) :
			      mymem_pread(worker->buf, worker->len, worker->pos);
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

static size_t mmt_scale_len(void)
{
	return min_t(size_t, MMT_SCALE_OP_SIZE, mymem_size());
}

/*
 * One run of @threads workers, kept in @best if it beats it.
 * Return: failed checks or -EINTR.
 */
static int mmt_scale_once(struct mmt_scale_worker *workers, int load,
			  int region, unsigned int threads, unsigned int ms,
			  struct mmt_scale_result *best)
{
	size_t len = mmt_scale_len();
	unsigned int i, errors = 0, slots = mymem_size() / len;
	unsigned int stride = max(slots / threads, 1U);
	u64 ops = 0, ops_s, span;
	int ret;

	for (i = 0; i < threads; i++)
		workers[i] = (struct mmt_scale_worker){
			.load = load,
			.len = len,
			.pos = region ? (loff_t)((i * stride) % slots) * len : 0,
			.run_ns = (u64)ms * NSEC_PER_MSEC,
			.buf = workers[i].buf,
		};
	ret = mmt_group_run(&workers[0].w, sizeof(workers[0]), threads,
			    mmt_scale_body, &span);
	if (ret == -EINTR)
		return ret;
	for (i = 0; i < threads; i++) {
		ops += workers[i].ops;
		errors += workers[i].errors;
	}
	ops_s = span ? div64_u64(ops * NSEC_PER_SEC, span) : 0;
	if (ops_s > best->ops_s)
		*best = (struct mmt_scale_result){ ops_s, ops, span };
	return errors + (ret ? 1 : 0);
}

/*
 * The thread count of point @i of a sweep up to @n: every count up to 8,
 * then doubling, and @n last, so a large machine measures O(log n) points.
 */
static unsigned int mmt_scale_threads(unsigned int i, unsigned int n)
{
	return min(i < 8 ? i + 1 : 8U << (i - 7), n);
}

static unsigned int mmt_scale_points(unsigned int n)
{
	unsigned int i = 0;

	while (mmt_scale_threads(i, n) < n)
		i++;
	return i + 1;
}

/* the records of a scale run: one per point */
static unsigned int mmt_scale_records(const struct mmt_params *p)
{
	return MMT_SCALE_SERIES * mmt_scale_points(p->max_threads);
}

/*
 * Series @s (one workload on one region) into @load and @region (0 shared,
 * 1 disjoint); memcpy, the last load, only on disjoint.
 */
static void mmt_scale_series(unsigned int s, int *load, int *region)
{
	*region = s >= MMT_NR_LOADS - 1;
	*load = s - *region * (MMT_NR_LOADS - 1);
}

/*
 * Every point of every series, in rounds, its best run into @best.
 * Return: failed checks, or -EINTR.
 */
static int mmt_scale_rounds(const struct mmt_params *p,
			    struct mmt_scale_worker *workers,
			    struct mmt_scale_result *best)
{
	unsigned int n = p->max_threads, points = mmt_scale_points(n);
	unsigned int i, pt, r, s, done = 0, failures = 0;
	int load, region, ret;

	for (r = 0; r < p->rounds; r++) {
		for (s = 0; s < MMT_SCALE_SERIES; s++) {
			mmt_scale_series(s, &load, &region);
			for (i = 0; i < points; i++) {
				pt = (i + r) % points;
				mmt_progress(done++, MMT_SCALE_SERIES * points * p->rounds);
				ret = mmt_scale_once(workers, load, region,
						     mmt_scale_threads(pt, n), p->point_ms,
						     &best[s * points + pt]);
				if (ret < 0)
					return ret;
				failures += ret;
			}
		}
	}
	mmt_progress(done, done);
	return failures;
}

/* Context: the controller kthread.  Return: the number of failed checks. */
static unsigned int mmt_scale_run(const struct mmt_params *p)
{
	unsigned int i, n = p->max_threads, points = mmt_scale_points(n);
	const struct mmt_scale_result *res, *one;
	struct mmt_scale_worker *workers;
	struct mmt_scale_result *best;
	int load, region, ret;
	unsigned int failures;
	u8 *bufs;

	best = kvcalloc(mmt_scale_records(p), sizeof(*best), GFP_KERNEL);
	workers = kvcalloc(n, sizeof(*workers), GFP_KERNEL);
	bufs = kvcalloc(n, 2 * MMT_SCALE_OP_SIZE, GFP_KERNEL);
	if (!best || !workers || !bufs) {
		failures = mmt_setup_failed("scale", -ENOMEM);
		goto out;
	}
	for (i = 0; i < n; i++)
		workers[i].buf = bufs + i * 2 * MMT_SCALE_OP_SIZE;
	mmt_info("scale: %zu-byte calls, 1..%u threads, each point the best of %u runs of %u ms, one per round",
		 mmt_scale_len(), n, p->rounds, p->point_ms);
	mmt_info("scale: mixed = 3 reads + 1 write per thread; memcpy = no API call, the machine's ceiling");
	mmt_info("scale: x1 = ops/s / ops/s of 1 thread");
	ret = mmt_scale_rounds(p, workers, best);
	failures = max(ret, 0);
	if (ret < 0)
		goto out;
	mmt_table_head("scale", mmt_scale_cols);
	for (i = 0; i < mmt_scale_records(p); i++) {
		res = &best[i];
		one = &best[i - i % points];
		mmt_scale_series(i / points, &load, &region);
		mmt_table_row("scale", mmt_scale_cols, { .s = mmt_load_names[load] },
			      { .s = mmt_region_names[region] },
			      { mmt_scale_len() }, { mmt_scale_threads(i % points, n) },
			      { res->ops }, { res->span_ns }, { res->ops_s },
			      { mmt_ratio_x1000(res->ops_s, one->ops_s) });
	}
out:
	kvfree(bufs);
	kvfree(workers);
	kvfree(best);
	return failures;
}

const struct mmt_test mmt_scale_test = {
	.name		= "scale",
	.run		= mmt_scale_run,
	.records	= mmt_scale_records,
};
