// SPDX-License-Identifier: GPL-2.0
/*
 * mymem_test torture: random concurrent reads, writes, seeks and adds, checked
 *
 * The buffer (S = mymem_size()):
 *   [0, 64)            8 little-endian u64 counters for mymem_add_u64()
 *   [64, 64 + 64 * B)  B blocks of 64 bytes: a "hot" range shared by all
 *                      threads, then one private slice per thread
 *   [S - 64, S)        the tail, for calls that cross or pass the end
 * Threads read anywhere, write whole blocks (hot or their own), add, seek
 * and call at the edges, where every call must return exactly what
 * <linux/mymem.h> says.  torture_check.c sets them up and checks what they
 * read.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/time64.h>
#include <linux/timekeeping.h>

#include <linux/mymem.h>

#include "torture.h"

#define MMT_TORTURE_MAX_DELTA	1000

/* The table and the record: one row. */
static const struct mmt_col mmt_torture_cols[] = {
	{ "duration_s", "duration_s", 10 },
	{ "threads", "threads", 7 },
	{ "reads", "reads", 12 },
	{ "writes", "writes", 12 },
	{ "seeks", "seeks", 12 },
	{ "adds", "adds", 12 },
	{ "torn", "torn", 5 },
	{ "lost", "lost", 5 },
	{ "add_errors", "add_errors", 10 },
	{ "errors", "errors", 6 },
	{ "verdict", "verdict", 0, MMT_COL_STR },
	{ }
};

/* A random number below @ceil. */
static u32 mmt_random(u32 ceil)
{
	return get_random_u32_below(ceil);
}

static void mmt_call_error(struct mmt_torture_thread *thread, const char *call,
			   loff_t pos, size_t len, long long got, long long want)
{
	thread->count[MMT_ERRORS]++;
	mmt_err("torture: thread %u: %s(pos %lld, len %zu) returned %lld, expected %lld",
		thread->w.id, call, pos, len, got, want);
}

/* Seek the handle to @pos (valid) and check the result. */
static bool mmt_seek_to(struct mmt_torture_thread *thread, loff_t pos)
{
	loff_t ret = mymem_seek(thread->h, pos, SEEK_SET);

	thread->count[MMT_SEEKS]++;
	if (ret != pos) {
		mmt_call_error(thread, "mymem_seek", pos, 0, ret, pos);
		return false;
	}
	thread->pos = pos;
	return true;
}

/* A read or write through the handle or by position, chosen at random. */
static ssize_t mmt_read_at(struct mmt_torture_thread *thread, void *buf,
			   size_t len, loff_t pos)
{
	ssize_t ret;

	if (mmt_random(2))
		return mymem_pread(buf, len, pos);
	if (!mmt_seek_to(thread, pos))
		return -EIO;
	ret = mymem_read(thread->h, buf, len);
	if (ret > 0)
		thread->pos += ret;
	return ret;
}

static ssize_t mmt_write_at(struct mmt_torture_thread *thread, const void *buf,
			    size_t len, loff_t pos)
{
	ssize_t ret;

	if (mmt_random(2))
		return mymem_pwrite(buf, len, pos);
	if (!mmt_seek_to(thread, pos))
		return -EIO;
	ret = mymem_write(thread->h, buf, len);
	if (ret > 0)
		thread->pos += ret;
	return ret;
}

static void mmt_torture_read(struct mmt_torture_thread *thread)
{
	const struct mmt_torture_layout *layout = thread->layout;
	size_t len, room, most = MMT_TORTURE_MAX_READ;
	unsigned int first, count;
	loff_t pos;
	ssize_t ret;

	switch (mmt_random(3)) {
	case 0:		/* the hot range, sometimes all of it */
		first = 0;
		count = layout->hot;
		if (!mmt_random(8))
			most = MMT_TORTURE_LONG_BYTES;
		break;
	case 1:		/* its own slice */
		first = thread->first;
		count = layout->slice;
		break;
	default:	/* anywhere */
		first = 0;
		count = layout->blocks;
		break;
	}
	room = (size_t)count * MMT_TORTURE_BLOCK;
	pos = MMT_TORTURE_BASE + (loff_t)first * MMT_TORTURE_BLOCK;
	pos += mmt_random(room);
	room -= pos - MMT_TORTURE_BASE - (loff_t)first * MMT_TORTURE_BLOCK;
	len = 1 + mmt_random(min(room, most));

	thread->count[MMT_READS]++;
	ret = mmt_read_at(thread, thread->rbuf, len, pos);
	if (ret != len) {
		mmt_call_error(thread, "read", pos, len, ret, len);
		return;
	}
	mmt_torture_check_read(thread, thread->rbuf, pos, len);
}

static void mmt_torture_write(struct mmt_torture_thread *thread)
{
	const struct mmt_torture_layout *layout = thread->layout;
	unsigned int first, count, n, blk, i, most = MMT_TORTURE_WRITE_BLOCKS;
	bool mine = mmt_random(2);
	size_t len;
	loff_t pos;
	ssize_t ret;
	u64 stamp;

	first = mine ? thread->first : 0;
	count = mine ? layout->slice : layout->hot;
	if (!mine && !mmt_random(8))
		most = count;	/* the hot range, up to all of it */
	n = 1 + mmt_random(min(count, most));
	blk = first + mmt_random(count - n + 1);
	stamp = mmt_stamp(thread->w.id, ++thread->seq, blk, n);
	len = (size_t)n * MMT_TORTURE_BLOCK;
	for (i = 0; i < n * MMT_TORTURE_WORDS; i++)
		memcpy(thread->wbuf + i * 8, &stamp, sizeof(stamp));
	pos = MMT_TORTURE_BASE + (loff_t)blk * MMT_TORTURE_BLOCK;

	thread->count[MMT_WRITES]++;
	ret = mmt_write_at(thread, thread->wbuf, len, pos);
	if (ret != len) {
		mmt_call_error(thread, "write", pos, len, ret, len);
		return;
	}
	if (mine)
		for (i = 0; i < n; i++)
			thread->shadow[blk - thread->first + i] = stamp;
}

static void mmt_torture_add(struct mmt_torture_thread *thread)
{
	unsigned int slot = mmt_random(MMT_TORTURE_COUNTERS);
	u64 delta = 1 + mmt_random(MMT_TORTURE_MAX_DELTA);
	u64 result;
	int ret;

	thread->count[MMT_ADDS]++;
	ret = mymem_add_u64(slot * 8, delta, &result);
	if (ret) {
		mmt_call_error(thread, "mymem_add_u64", slot * 8, 8, ret, 0);
		return;
	}
	thread->add_sum[slot] += delta;
	if (result < thread->add_sum[slot]) {
		thread->count[MMT_ADD_ERRORS]++;
		mmt_err("torture: thread %u: add to counter %u returned %llu, below its own sum %llu",
			thread->w.id, slot, result, thread->add_sum[slot]);
	}
}

static void mmt_torture_seek(struct mmt_torture_thread *thread)
{
	static const int bad_whence[] = { 3, 4, 42, -1 };
	loff_t size = thread->layout->size, target, base, ret, cur;
	int whence = mmt_random(4);
	bool ok;

	/* A target in [-64, size + 64]: about 1 in 4 of them is invalid. */
	target = (loff_t)mmt_random(min_t(u64, size + 129, U32_MAX)) - 64;
	if (mmt_random(4) == 0)
		target = mmt_random(2) ? -1 - (loff_t)mmt_random(64) :
				      size + 1 + mmt_random(64);
	switch (whence) {
	case 0:
		whence = SEEK_SET;
		base = 0;
		break;
	case 1:
		whence = SEEK_CUR;
		base = thread->pos;
		break;
	case 2:
		whence = SEEK_END;
		base = size;
		break;
	default:
		whence = bad_whence[mmt_random(ARRAY_SIZE(bad_whence))];
		base = 0;
		break;
	}
	ok = (whence == SEEK_SET || whence == SEEK_CUR || whence == SEEK_END) &&
	     target >= 0 && target <= size;

	thread->count[MMT_SEEKS]++;
	ret = mymem_seek(thread->h, target - base, whence);
	if (ok) {
		if (ret != target)
			mmt_call_error(thread, "mymem_seek", target - base, whence,
				       ret, target);
		else
			thread->pos = target;
		return;
	}
	if (ret != -EINVAL) {
		mmt_call_error(thread, "mymem_seek", target - base, whence, ret,
			       -EINVAL);
		if (ret >= 0)
			thread->pos = ret;
		return;
	}
	/* A failed seek leaves the position alone. */
	thread->count[MMT_SEEKS]++;
	cur = mymem_seek(thread->h, 0, SEEK_CUR);
	if (cur != thread->pos)
		mmt_call_error(thread, "mymem_seek(0, SEEK_CUR) after a failed seek",
			       0, 0, cur, thread->pos);
}

/* Calls at the edges; they only ever change the tail. */
static void mmt_torture_edge(struct mmt_torture_thread *thread)
{
	loff_t size = thread->layout->size, pos;
	size_t len, want;
	ssize_t ret;
	u64 result;
	int err;

	pos = size - 1 - mmt_random(MMT_TORTURE_TAIL);
	len = size - pos + 1 + mmt_random(MMT_TORTURE_TAIL);
	want = size - pos;

	switch (mmt_random(8)) {
	case 0:		/* read crossing the end: short */
		thread->count[MMT_READS]++;
		ret = mmt_read_at(thread, thread->rbuf, len, pos);
		if (ret != want)
			mmt_call_error(thread, "read across the end", pos, len, ret,
				       want);
		break;
	case 1:		/* read at or past the end: 0 */
		thread->count[MMT_READS]++;
		if (mmt_random(2)) {
			pos = size + mmt_random(4096);
			ret = mymem_pread(thread->rbuf, len, pos);
		} else if (mmt_seek_to(thread, size)) {
			pos = size;
			ret = mymem_read(thread->h, thread->rbuf, len);
		} else {
			break;
		}
		if (ret != 0)
			mmt_call_error(thread, "read at/past the end", pos, len, ret, 0);
		break;
	case 2:		/* write crossing the end: short */
		thread->count[MMT_WRITES]++;
		memset(thread->wbuf, 0xa5, len);
		ret = mmt_write_at(thread, thread->wbuf, len, pos);
		if (ret != want)
			mmt_call_error(thread, "write across the end", pos, len, ret,
				       want);
		break;
	case 3:		/* write at or past the end: -ENOSPC */
		thread->count[MMT_WRITES]++;
		memset(thread->wbuf, 0xa5, len);
		if (mmt_random(2)) {
			pos = size + mmt_random(4096);
			ret = mymem_pwrite(thread->wbuf, len, pos);
		} else if (mmt_seek_to(thread, size)) {
			pos = size;
			ret = mymem_write(thread->h, thread->wbuf, len);
		} else {
			break;
		}
		if (ret != -ENOSPC)
			mmt_call_error(thread, "write at/past the end", pos, len, ret,
				       -ENOSPC);
		break;
	case 4:		/* negative position: -EINVAL */
		pos = -1 - (loff_t)mmt_random(1024);
		if (mmt_random(2)) {
			thread->count[MMT_READS]++;
			ret = mymem_pread(thread->rbuf, len, pos);
		} else {
			thread->count[MMT_WRITES]++;
			ret = mymem_pwrite(thread->wbuf, len, pos);
		}
		if (ret != -EINVAL)
			mmt_call_error(thread, "pread/pwrite at a negative position",
				       pos, len, ret, -EINVAL);
		break;
	case 5:		/* length 0: 0 */
		if (mmt_random(2)) {
			thread->count[MMT_READS]++;
			ret = mymem_pread(thread->rbuf, 0, pos);
		} else {
			thread->count[MMT_WRITES]++;
			ret = mymem_pwrite(thread->wbuf, 0, pos);
		}
		if (ret != 0)
			mmt_call_error(thread, "pread/pwrite of length 0", pos, 0, ret,
				       0);
		break;
	case 6:		/* add out of bounds: -EINVAL */
		thread->count[MMT_ADDS]++;
		pos = mmt_random(2) ? size - 7 + mmt_random(7) :
				   -1 - (loff_t)mmt_random(64);
		err = mymem_add_u64(pos, 1, &result);
		if (err != -EINVAL)
			mmt_call_error(thread, "mymem_add_u64", pos, 8, err, -EINVAL);
		break;
	default:	/* add at the last valid offset, in the tail */
		thread->count[MMT_ADDS]++;
		err = mymem_add_u64(size - 8, 1, &result);
		if (err)
			mmt_call_error(thread, "mymem_add_u64", size - 8, 8, err, 0);
		break;
	}
}

static void mmt_torture_body(struct mmt_worker *w)
{
	struct mmt_torture_thread *thread;
	u64 now, end, run_ns;
	unsigned int r;

	thread = container_of(w, struct mmt_torture_thread, w);
	run_ns = thread->layout->run_ns;
	end = w->start_ns + run_ns;
	for (;;) {
		now = ktime_get_ns();
		if (now >= end || mmt_must_stop())
			break;
		if (!w->id)
			mmt_progress(div64_u64(now - w->start_ns, NSEC_PER_SEC),
				     div64_u64(run_ns, NSEC_PER_SEC));
		r = mmt_random(100);
		if (r < 30)
			mmt_torture_read(thread);
		else if (r < 55)
			mmt_torture_write(thread);
		else if (r < 70)
			mmt_torture_add(thread);
		else if (r < 85)
			mmt_torture_seek(thread);
		else
			mmt_torture_edge(thread);
	}
}

static void mmt_torture_report(const struct mmt_params *p, unsigned int threads,
			       const u64 *count, const char *verdict)
{
	mmt_table_head("torture", mmt_torture_cols);
	mmt_table_row("torture", mmt_torture_cols, { p->duration }, { threads },
		      { count[MMT_READS] }, { count[MMT_WRITES] },
		      { count[MMT_SEEKS] }, { count[MMT_ADDS] },
		      { count[MMT_TORN] }, { count[MMT_LOST] },
		      { count[MMT_ADD_ERRORS] }, { count[MMT_ERRORS] },
		      { .s = verdict });
}

/* the records of a torture run: one */
static unsigned int mmt_torture_records(const struct mmt_params *p)
{
	return 1;
}

/* the torture test; Context: the controller kthread.  Return: failed checks */
static unsigned int mmt_torture_run(const struct mmt_params *p)
{
	unsigned int i, threads = mmt_torture_threads(), failures = 0;
	struct mmt_torture_thread *thread;
	u64 count[MMT_NR_COUNTS] = { };
	struct mmt_torture_layout layout;
	bool stopped;
	int c, ret;
	u64 span;

	ret = mmt_torture_lay_out(&layout, threads, p->duration);
	if (ret)
		return mmt_setup_failed("torture", ret);
	thread = kvcalloc(threads, sizeof(*thread), GFP_KERNEL);
	if (!thread)
		return mmt_setup_failed("torture", -ENOMEM);
	for (i = 0; i < threads && !ret; i++)
		ret = mmt_torture_thread_init(&thread[i], &layout, i);
	if (!ret)
		ret = mmt_torture_fill(&layout, thread[0].rbuf);
	if (ret) {
		failures = mmt_setup_failed("torture", ret);
		goto out;
	}

	mmt_info("torture: %u threads for %u s; %u blocks of %u bytes: %u hot shared, %u private per thread",
		 threads, p->duration, layout.blocks, MMT_TORTURE_BLOCK,
		 layout.hot, layout.slice);
	mmt_progress(0, p->duration);
	ret = mmt_group_run(&thread[0].w, sizeof(thread[0]), threads,
			    mmt_torture_body, &span);
	stopped = ret == -EINTR;
	for (i = 0; i < threads; i++)
		for (c = 0; c < MMT_NR_COUNTS; c++)
			count[c] += thread[i].count[c];
	if (!ret)
		mmt_torture_check_final(&layout, thread, thread[0].rbuf, count);
	else if (!stopped)
		count[MMT_ERRORS]++;
	if (!stopped)
		mmt_progress(p->duration, p->duration);
	for (c = MMT_FIRST_FAILURE_COUNT; c < MMT_NR_COUNTS; c++)
		failures += count[c];
	mmt_torture_report(p, threads, count, mmt_verdict(failures, stopped));
out:
	for (i = 0; i < threads; i++)
		mmt_torture_thread_free(&thread[i]);
	kvfree(thread);
	return failures;
}

const struct mmt_test mmt_torture_test = {
	.name		= "torture",
	.run		= mmt_torture_run,
	.records	= mmt_torture_records,
	.min_core_size	= mmt_torture_min_core_size,
};
