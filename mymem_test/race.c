// SPDX-License-Identifier: GPL-2.0
/*
 * mymem_test race: W workers each add 1 to the 64-bit counter at offset 0, N times
 *
 * Three modes, the counter set to 0 before each:
 *   unlocked  pread 8 bytes, add 1, pwrite 8 bytes: separate calls, so
 *             concurrent workers lose updates (reported, not a failure)
 *   locked    the same under a mutex of this module: must be exact
 *   atomic    mymem_add_u64(): must be exact
 * The counter is little-endian, as mymem_add_u64() defines it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/time64.h>

#include <linux/mymem.h>

#include "mymem_test.h"

/* Workers look at the stop flag every this many increments. */
#define MMT_RACE_CHECK_EVERY	256

enum mmt_race_mode {
	MMT_RACE_UNLOCKED,
	MMT_RACE_LOCKED,
	MMT_RACE_ATOMIC,
	MMT_NR_RACE_MODES,
};

static const char *const mmt_race_names[MMT_NR_RACE_MODES] = {
	"unlocked", "locked", "atomic"
};

/* The lab's fix: one lock around read + write, owned by the caller. */
static DEFINE_MUTEX(mmt_race_lock);

/* One race worker: @n increments to do, @done of them, @errors failed calls. */
struct mmt_race_worker {
	struct mmt_worker w;
	int mode;		/* enum mmt_race_mode */
	unsigned int n;
	unsigned int done;
	unsigned int errors;
};

/* the counter at offset 0 is a u64: the smallest core race runs on */
static size_t mmt_race_min_core_size(void)
{
	return sizeof(u64);
}

/* pread, +1, pwrite; Return: 0 or the unexpected return value. */
static ssize_t mmt_race_read_add_write(void)
{
	__le64 v;
	ssize_t ret;

	ret = mymem_pread(&v, sizeof(v), 0);
	if (ret == sizeof(v)) {
		v = cpu_to_le64(le64_to_cpu(v) + 1);
		ret = mymem_pwrite(&v, sizeof(v), 0);
	}
	return ret == sizeof(v) ? 0 : ret < 0 ? ret : -EIO;
}

static ssize_t mmt_race_increment(int mode)
{
	ssize_t ret;
	u64 result;

	switch (mode) {
	case MMT_RACE_UNLOCKED:
		return mmt_race_read_add_write();
	case MMT_RACE_LOCKED:
		mutex_lock(&mmt_race_lock);
		ret = mmt_race_read_add_write();
		mutex_unlock(&mmt_race_lock);
		return ret;
	default:
		return mymem_add_u64(0, 1, &result);
	}
}

static void mmt_race_body(struct mmt_worker *w)
{
	struct mmt_race_worker *worker;
	unsigned int i;
	ssize_t ret;

	worker = container_of(w, struct mmt_race_worker, w);
	for (i = 0; i < worker->n; i++) {
		if (!(i % MMT_RACE_CHECK_EVERY) && mmt_must_stop())
			break;
		ret = mmt_race_increment(worker->mode);
		if (ret) {
			if (!worker->errors++)
				mmt_err("race %s: worker %u: API call returned %zd",
					mmt_race_names[worker->mode], w->id, ret);
			break;
		}
	}
	worker->done = i;
}

/* Set the counter to @v and check it reads back. */
static int mmt_race_set(u64 v)
{
	__le64 le = cpu_to_le64(v), back = 0;

	if (mymem_pwrite(&le, sizeof(le), 0) != sizeof(le) ||
	    mymem_pread(&back, sizeof(back), 0) != sizeof(back) ||
	    back != le)
		return -EIO;
	return 0;
}

/* The table and the records: one row per mode. */
static const struct mmt_col mmt_race_cols[] = {
	{ "mode", "mode", -8, MMT_COL_STR },
	{ "workers", "workers", 7 },
	{ "increments", "increments", 10 },
	{ "expected", "expected", 12 },
	{ "final", "final", 12 },
	{ "lost", "lost", 12 },
	{ "elapsed_ms", "elapsed_ns", 10, MMT_COL_MS },
	{ "ops/s", "ops_per_sec", 12 },
	{ "exact", "exact", 0, MMT_COL_BOOL },
	{ }
};

/*
 * Run one mode on p->workers @workers and report it; @span: set to its
 * elapsed ns only if it ran to its end without an error.  Return: failed
 * checks.
 */
static unsigned int mmt_race_mode(struct mmt_race_worker *workers,
				  const struct mmt_params *p, int mode, u64 *span)
{
	u64 want = (u64)p->workers * p->increments, expected = 0, final, ns;
	unsigned int i, failures = 0;
	__le64 le = 0;
	int ret;

	if (mmt_race_set(0))
		return mmt_err("race %s: cannot set the counter to 0",
			       mmt_race_names[mode]);
	for (i = 0; i < p->workers; i++)
		workers[i] = (struct mmt_race_worker){ .mode = mode,
						       .n = p->increments };
	ret = mmt_group_run(&workers[0].w, sizeof(workers[0]), p->workers,
			    mmt_race_body, &ns);
	if (ret)
		return ret == -EINTR ? 0 : 1;

	for (i = 0; i < p->workers; i++) {
		expected += workers[i].done;
		failures += workers[i].errors;
	}
	if (mymem_pread(&le, sizeof(le), 0) != sizeof(le))
		return failures + mmt_err("race %s: cannot read the counter",
					  mmt_race_names[mode]);
	final = le64_to_cpu(le);
	if (expected != want)
		failures += mmt_err("race %s: only %llu of %llu increments done",
				    mmt_race_names[mode], expected, want);
	if (mode != MMT_RACE_UNLOCKED && final != expected)
		failures += mmt_err("race %s: final %llu != expected %llu",
				    mmt_race_names[mode], final, expected);
	mmt_table_row("race", mmt_race_cols, { .s = mmt_race_names[mode] },
		      { p->workers }, { p->increments }, { expected }, { final },
		      { final < expected ? expected - final : 0 }, { ns },
		      { ns ? div64_u64(expected * NSEC_PER_SEC, ns) : 0 },
		      { final == expected });
	if (!failures)
		*span = ns;
	return failures;
}

/* the race test; Context: the controller kthread.  Return: failed checks */
static unsigned int mmt_race_run(const struct mmt_params *p)
{
	u64 span[MMT_NR_RACE_MODES] = { };
	struct mmt_race_worker *workers;
	unsigned int failures = 0;
	int mode;
	u64 x;

	workers = kvcalloc(p->workers, sizeof(*workers), GFP_KERNEL);
	if (!workers)
		return mmt_setup_failed("race", -ENOMEM);

	mmt_info("race: %u workers x %u increments of the counter at offset 0; ops/s = increments per second",
		 p->workers, p->increments);
	mmt_table_head("race", mmt_race_cols);
	for (mode = 0; mode < MMT_NR_RACE_MODES && !mmt_must_stop(); mode++) {
		mmt_progress(mode, MMT_NR_RACE_MODES);
		failures += mmt_race_mode(workers, p, mode, &span[mode]);
	}
	mmt_progress(mode, MMT_NR_RACE_MODES);
	/* Only modes that ran to their end, without an error, are compared. */
	if (span[MMT_RACE_LOCKED] && span[MMT_RACE_ATOMIC]) {
		x = mmt_ratio_x1000(span[MMT_RACE_LOCKED], span[MMT_RACE_ATOMIC]);
		mmt_info("race: atomic is %llu.%03llux as fast as locked",
			 x / 1000, x % 1000);
	}
	kvfree(workers);
	return failures;
}

const struct mmt_test mmt_race_test = {
	.name		= "race",
	.run		= mmt_race_run,
	.nr_records	= MMT_NR_RACE_MODES,
	.min_core_size	= mmt_race_min_core_size,
};
