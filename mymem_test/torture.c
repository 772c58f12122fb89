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
 * <linux/mymem.h> says.
 *
 * Every 8-byte word a write stores is its stamp (writer id, sequence, first
 * block, block count), so any word read names the write that stored it and
 * the blocks that write covered, and a read of any offset and length is
 * checked exactly:
 *  - torn: the read holds words of two writes X and Y where each of them
 *    also covered a block at which the read saw the other one.  Whichever
 *    came last would have to show at both places, so no single instant
 *    explains the read.  A word whose stamp does not cover its own block
 *    is torn too (corrupt).
 *  - lost: only a slice's owner writes it, and keeps a shadow of the stamps
 *    it wrote; a read of its slice, and the final pass, must match it.
 *  - adds: a result below the thread's own sum of adds to that counter is
 *    an error, and at the end each counter must hold the sum of all adds.
 * Sequence numbers wrap after 2^24 writes of one thread; a wrapped stamp
 * can only hide an error, never report a false one.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/fs.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/time64.h>
#include <linux/timekeeping.h>

#include <linux/mymem.h>

#include "mymem_test.h"

#define MMT_TORTURE_COUNTERS	8	/* u64s for mymem_add_u64() at 0 */
#define MMT_TORTURE_BASE	64	/* offset of block 0 */
#define MMT_TORTURE_BLOCK	64
#define MMT_TORTURE_WORDS	(MMT_TORTURE_BLOCK / 8)
#define MMT_TORTURE_TAIL	64
#define MMT_TORTURE_MAX_READ	4096	/* bytes per read */
#define MMT_TORTURE_WRITE_BLOCKS	32	/* blocks per write */
/*
 * The hot range is 64 KiB, and one call in eight there reads or writes
 * up to all of it: calls that span many stripes of mymem_core's lock, run
 * against the short ones that fit in one.
 */
#define MMT_TORTURE_HOT_BLOCKS	1024
#define MMT_TORTURE_LONG_BYTES	(MMT_TORTURE_HOT_BLOCKS * MMT_TORTURE_BLOCK)
#define MMT_TORTURE_MAX_THREADS	254	/* writer ids; 255 is the initial fill */
#define MMT_TORTURE_INIT_ID	255
#define MMT_TORTURE_MAX_BLOCKS	65535	/* a stamp holds 16-bit block numbers */
#define MMT_TORTURE_MAX_DELTA	1000

/* A stamp: writer id 8 bits, sequence 24, first block 16, block count 16. */
static u64 mmt_stamp(unsigned int id, u32 seq, unsigned int first,
		     unsigned int blocks)
{
	return (u64)id << 56 | (u64)(seq & 0xffffff) << 32 |
	       (u64)first << 16 | blocks;
}

/* Whether the write of @stamp covered blocks @lo to @hi, all of them or any. */
static bool mmt_stamp_covers(u64 stamp, unsigned int lo, unsigned int hi,
			     bool all)
{
	unsigned int first = (stamp >> 16) & 0xffff, end = first + (stamp & 0xffff);

	return all ? lo >= first && hi < end : hi >= first && lo < end;
}

/* The buffer as every torture thread sees it. */
struct mmt_torture_layout {
	size_t size;
	unsigned int blocks;	/* in the block area */
	unsigned int hot;	/* blocks of the shared range, from block 0 */
	unsigned int slice;	/* thread i owns [hot + i * slice, + slice) */
	unsigned int threads;
	u64 run_ns;
};

/* A run of equal words in a read: one stamp seen at blocks [lo, hi]. */
struct mmt_torture_span {
	u64 stamp;
	unsigned int lo;
	unsigned int hi;
};

/* What a torture thread counts; the last four are failed checks. */
enum mmt_torture_count {
	MMT_READS,
	MMT_WRITES,
	MMT_SEEKS,
	MMT_ADDS,
	MMT_TORN,
	MMT_LOST,
	MMT_ADD_ERRORS,
	MMT_ERRORS,
	MMT_NR_COUNTS,
};

/* One torture thread. */
struct mmt_torture_thread {
	struct mmt_worker w;
	const struct mmt_torture_layout *layout;
	struct mymem_handle *h;
	loff_t pos;		/* the handle's position as the thread knows it */
	u8 *wbuf;
	u8 *rbuf;
	struct mmt_torture_span *spans;	/* scratch for the torn-read check */
	u64 *shadow;		/* the stamp of each block of its slice */
	unsigned int first;	/* first block of its slice */
	u32 seq;		/* its last write sequence number */
	u64 add_sum[MMT_TORTURE_COUNTERS];	/* its successful adds */
	u64 count[MMT_NR_COUNTS];	/* by enum mmt_torture_count */
};

/* The threads torture runs: 2 x online CPUs, at most MMT_TORTURE_MAX_THREADS. */
static unsigned int mmt_torture_threads(void)
{
	return min(2 * num_online_cpus(), MMT_TORTURE_MAX_THREADS);
}

/* The smallest core torture runs on now: a hot range and a slice per thread */
static size_t mmt_torture_min_core_size(void)
{
	return MMT_TORTURE_BASE + MMT_TORTURE_TAIL +
	       2 * MMT_TORTURE_BLOCK * (mmt_torture_threads() + 1);
}

/* The buffer laid out for @threads threads; -ENOSPC when it is too small. */
static int mmt_torture_lay_out(struct mmt_torture_layout *layout,
			       unsigned int threads, unsigned int duration)
{
	size_t size = mymem_size(), blocks;

	if (size < mmt_torture_min_core_size())
		return -ENOSPC;
	blocks = (size - MMT_TORTURE_BASE - MMT_TORTURE_TAIL) / MMT_TORTURE_BLOCK;
	layout->size = size;
	layout->threads = threads;
	layout->run_ns = (u64)duration * NSEC_PER_SEC;
	layout->blocks = min_t(size_t, blocks, MMT_TORTURE_MAX_BLOCKS);
	layout->hot = min(MMT_TORTURE_HOT_BLOCKS, layout->blocks / 2);
	layout->slice = (layout->blocks - layout->hot) / threads;
	return 0;
}

/*
 * Thread @id (zeroed) gets its buffers, slice and handle: 0 or a negative
 * errno, which mmt_torture_thread_free() undoes either way.
 */
static int mmt_torture_thread_init(struct mmt_torture_thread *thread,
				   const struct mmt_torture_layout *layout,
				   unsigned int id)
{
	unsigned int i;

	thread->layout = layout;
	thread->first = layout->hot + id * layout->slice;
	thread->wbuf = kvmalloc(MMT_TORTURE_LONG_BYTES, GFP_KERNEL);
	thread->rbuf = kvmalloc(MMT_TORTURE_LONG_BYTES, GFP_KERNEL);
	thread->spans = kvmalloc_array(MMT_TORTURE_LONG_BYTES / 8 + 1,
				       sizeof(*thread->spans), GFP_KERNEL);
	thread->shadow = kvmalloc_array(layout->slice, sizeof(u64), GFP_KERNEL);
	if (!thread->wbuf || !thread->rbuf || !thread->spans || !thread->shadow)
		return -ENOMEM;
	for (i = 0; i < layout->slice; i++)
		thread->shadow[i] = mmt_stamp(MMT_TORTURE_INIT_ID, thread->first + i,
					      thread->first + i, 1);
	thread->h = mymem_open();
	return PTR_ERR_OR_ZERO(thread->h);
}

static void mmt_torture_thread_free(struct mmt_torture_thread *thread)
{
	if (!IS_ERR_OR_NULL(thread->h))
		mymem_close(thread->h);
	kvfree(thread->wbuf);
	kvfree(thread->rbuf);
	kvfree(thread->spans);
	kvfree(thread->shadow);
}

/* The whole words of a read in the blocks; counts it torn or lost. */
static void mmt_torture_check_read(struct mmt_torture_thread *thread,
				   const u8 *data, loff_t pos, size_t len)
{
	const struct mmt_torture_layout *layout = thread->layout;
	loff_t lo = max_t(loff_t, pos, MMT_TORTURE_BASE);
	loff_t hi = min_t(loff_t, pos + len, MMT_TORTURE_BASE +
			  (loff_t)layout->blocks * MMT_TORTURE_BLOCK);
	struct mmt_torture_span *spans = thread->spans;
	unsigned int i, j, n = 0, blk;
	bool torn = false, lost = false;
	loff_t x;
	u64 v;

	for (x = ALIGN(lo, 8); x + 8 <= hi; x += 8) {
		memcpy(&v, data + (x - pos), sizeof(v));
		blk = (x - MMT_TORTURE_BASE) / MMT_TORTURE_BLOCK;
		if (blk >= thread->first &&
		    blk < thread->first + layout->slice &&
		    v != thread->shadow[blk - thread->first])
			lost = true;
		if (!n || spans[n - 1].stamp != v)
			spans[n++] = (struct mmt_torture_span){ .stamp = v, .lo = blk };
		spans[n - 1].hi = blk;
	}

	for (i = 0; i < n && !torn; i++)
		torn = !mmt_stamp_covers(spans[i].stamp, spans[i].lo,
					 spans[i].hi, true);
	for (i = 0; i < n && !torn; i++)
		for (j = i + 1; j < n && !torn; j++)
			torn = spans[i].stamp != spans[j].stamp &&
			       mmt_stamp_covers(spans[j].stamp, spans[i].lo, spans[i].hi, false) &&
			       mmt_stamp_covers(spans[i].stamp, spans[j].lo, spans[j].hi, false);
	if (torn)
		thread->count[MMT_TORN] += mmt_err("torture: thread %u: torn read at %lld len %zu",
						   thread->w.id, pos, len);
	if (lost)
		thread->count[MMT_LOST] +=
			mmt_err("torture: thread %u: lost write: read of its slice at %lld len %zu differs from what it wrote",
				thread->w.id, pos, len);
}

/* Every counter holds the sum of all successful adds to it. */
static void mmt_check_counters(const struct mmt_torture_layout *layout,
			       const struct mmt_torture_thread *threads,
			       const u8 *buf, u64 *count)
{
	unsigned int i, j;
	__le64 le;
	u64 total;

	for (i = 0; i < MMT_TORTURE_COUNTERS; i++) {
		memcpy(&le, buf + i * 8, sizeof(le));
		for (total = 0, j = 0; j < layout->threads; j++)
			total += threads[j].add_sum[i];
		if (le64_to_cpu(le) != total)
			count[MMT_ADD_ERRORS] +=
				mmt_err("torture: counter %u is %llu, the adds sum to %llu",
					i, le64_to_cpu(le), total);
	}
}

/* Block @blk, at @data, holds one valid stamp: its owner's last. */
static void mmt_check_block(const struct mmt_torture_layout *layout,
			    const struct mmt_torture_thread *threads,
			    unsigned int blk, const u8 *data, u64 *count)
{
	unsigned int j, owner;
	bool bad;
	u64 first;

	memcpy(&first, data, sizeof(first));
	bad = !mmt_stamp_covers(first, blk, blk, true);
	for (j = 1; j < MMT_TORTURE_WORDS && !bad; j++)
		bad = memcmp(data + j * 8, data, sizeof(first));
	if (bad)
		count[MMT_TORN] += mmt_err("torture: block %u holds no single valid write", blk);
	if (blk < layout->hot)
		return;
	owner = (blk - layout->hot) / layout->slice;
	if (owner < layout->threads &&
	    first != threads[owner].shadow[blk - threads[owner].first])
		count[MMT_LOST] += mmt_err("torture: block %u lost the last write of thread %u",
					   blk, owner);
}

/*
 * The counters and every block, in calls of up to MMT_TORTURE_MAX_READ
 * bytes through @buf.  The counters fill the room of one block before
 * block 0, so unit u of the buffer is the counters (0) or block u - 1.
 * @threads NULL, before the run: the counters zeroed and each block a
 * one-block write of MMT_TORTURE_INIT_ID.  Else, once every thread has
 * ended: both read back and checked, what fails added to @count.
 * Return: 0 or -EIO.
 */
static int mmt_torture_pass(const struct mmt_torture_layout *layout,
			    const struct mmt_torture_thread *threads, u8 *buf,
			    u64 *count)
{
	unsigned int per = MMT_TORTURE_MAX_READ / MMT_TORTURE_BLOCK, u, n, i, b;
	unsigned int units = layout->blocks + 1;
	size_t len;
	loff_t pos;
	u64 stamp;

	BUILD_BUG_ON(MMT_TORTURE_BASE != MMT_TORTURE_BLOCK);
	for (u = 0; u < units; u += n) {
		n = min(per, units - u);
		len = (size_t)n * MMT_TORTURE_BLOCK;
		pos = (loff_t)u * MMT_TORTURE_BLOCK;
		for (i = 0; !threads && i < n * MMT_TORTURE_WORDS; i++) {
			b = u + i / MMT_TORTURE_WORDS;	/* the word's unit */
			stamp = b ? mmt_stamp(MMT_TORTURE_INIT_ID, b - 1, b - 1, 1) : 0;
			memcpy(buf + i * 8, &stamp, sizeof(stamp));
		}
		if ((threads ? mymem_pread(buf, len, pos) :
			       mymem_pwrite(buf, len, pos)) != len) {
			if (threads)
				count[MMT_ERRORS] +=
					mmt_err("torture: final check: cannot read %zu bytes at %lld",
						len, pos);
			return -EIO;
		}
		for (i = 0; threads && i < n; i++) {
			if (u + i)
				mmt_check_block(layout, threads, u + i - 1,
						buf + i * MMT_TORTURE_BLOCK, count);
			else
				mmt_check_counters(layout, threads, buf, count);
		}
	}
	return 0;
}

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
	thread->count[MMT_ERRORS] +=
		mmt_err("torture: thread %u: %s(pos %lld, len %zu) returned %lld, expected %lld",
			thread->w.id, call, pos, len, got, want);
}

/* mymem_pwrite() of wbuf or mymem_pread() into rbuf */
static ssize_t mmt_prw(struct mmt_torture_thread *thread, bool write,
		       size_t len, loff_t pos)
{
	return write ? mymem_pwrite(thread->wbuf, len, pos) :
		       mymem_pread(thread->rbuf, len, pos);
}

/* A read or write through the handle or by position, chosen at random. */
static ssize_t mmt_rw_at(struct mmt_torture_thread *thread, bool write,
			 size_t len, loff_t pos)
{
	ssize_t ret;

	if (mmt_random(2))
		return mmt_prw(thread, write, len, pos);
	thread->count[MMT_SEEKS]++;
	ret = mymem_seek(thread->h, pos, SEEK_SET);
	if (ret != pos) {
		mmt_call_error(thread, "mymem_seek", pos, 0, ret, pos);
		return -EIO;
	}
	thread->pos = pos;
	ret = write ? mymem_write(thread->h, thread->wbuf, len) :
		      mymem_read(thread->h, thread->rbuf, len);
	if (ret > 0)
		thread->pos += ret;
	return ret;
}

static void mmt_torture_read(struct mmt_torture_thread *thread)
{
	const struct mmt_torture_layout *layout = thread->layout;
	size_t len, room, off, most = MMT_TORTURE_MAX_READ;
	unsigned int r = mmt_random(3), first = 0, count = layout->blocks;
	loff_t pos;
	ssize_t ret;

	/* anywhere, its own slice, or the hot range, sometimes all of it */
	if (r == 1) {
		first = thread->first;
		count = layout->slice;
	} else if (r == 2) {
		count = layout->hot;
		if (!mmt_random(8))
			most = MMT_TORTURE_LONG_BYTES;
	}
	room = (size_t)count * MMT_TORTURE_BLOCK;
	off = mmt_random(room);
	pos = MMT_TORTURE_BASE + (loff_t)first * MMT_TORTURE_BLOCK + off;
	len = 1 + mmt_random(min(room - off, most));

	thread->count[MMT_READS]++;
	ret = mmt_rw_at(thread, false, len, pos);
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
	ret = mmt_rw_at(thread, true, len, pos);
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
	if (result < thread->add_sum[slot])
		thread->count[MMT_ADD_ERRORS] +=
			mmt_err("torture: thread %u: add to counter %u returned %llu, below its own sum %llu",
				thread->w.id, slot, result, thread->add_sum[slot]);
}

static void mmt_torture_seek(struct mmt_torture_thread *thread)
{
	static const int whences[] = { SEEK_SET, SEEK_CUR, SEEK_END, 3, 4, 42, -1 };
	loff_t size = thread->layout->size, target, base, want, ret, cur;
	/* as often one of the bad ones as each of the good ones */
	unsigned int r = mmt_random(4);
	int whence = whences[r < 3 ? r : 3 + mmt_random(4)];

	/* A target in [-64, size + 64]: about 1 in 4 of them is invalid. */
	target = (loff_t)mmt_random(min_t(u64, size + 129, U32_MAX)) - 64;
	if (mmt_random(4) == 0)
		target = mmt_random(2) ? -1 - (loff_t)mmt_random(64) :
				      size + 1 + mmt_random(64);
	base = whence == SEEK_CUR ? thread->pos : whence == SEEK_END ? size : 0;
	want = r < 3 && target >= 0 && target <= size ? target : -EINVAL;

	thread->count[MMT_SEEKS]++;
	ret = mymem_seek(thread->h, target - base, whence);
	if (ret != want)
		mmt_call_error(thread, "mymem_seek", target - base, whence, ret,
			       want);
	if (ret >= 0) {
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
	unsigned int r = mmt_random(8);
	bool write = mmt_random(2);
	ssize_t ret, want;
	const char *call;
	u64 result;
	size_t len;

	pos = size - 1 - mmt_random(MMT_TORTURE_TAIL);
	len = size - pos + 1 + mmt_random(MMT_TORTURE_TAIL);
	memset(thread->wbuf, 0xa5, len);
	thread->count[r >= 6 ? MMT_ADDS : write ? MMT_WRITES : MMT_READS]++;

	switch (r) {
	case 0:		/* read or write crossing the end: short */
	case 1:
		call = write ? "write across the end" : "read across the end";
		want = size - pos;
		ret = mmt_rw_at(thread, write, len, pos);
		break;
	case 2:		/* read at or past the end: 0; write: -ENOSPC */
	case 3:
		call = write ? "write at/past the end" : "read at/past the end";
		want = write ? -ENOSPC : 0;
		pos = size + (mmt_random(2) ? mmt_random(4096) : 0);
		ret = pos > size ? mmt_prw(thread, write, len, pos) :
				   mmt_rw_at(thread, write, len, pos);
		break;
	case 4:		/* negative position: -EINVAL */
		call = "pread/pwrite at a negative position";
		want = -EINVAL;
		pos = -1 - (loff_t)mmt_random(1024);
		ret = mmt_prw(thread, write, len, pos);
		break;
	case 5:		/* length 0: 0 */
		call = "pread/pwrite of length 0";
		want = 0;
		len = 0;
		ret = mmt_prw(thread, write, len, pos);
		break;
	default:	/* add out of bounds: -EINVAL; at the last valid offset */
		call = "mymem_add_u64";
		want = r == 6 ? -EINVAL : 0;
		if (r == 7)
			pos = size - 8;
		else
			pos = mmt_random(2) ? size - 7 + mmt_random(7) :
					      -1 - (loff_t)mmt_random(64);
		len = 8;
		ret = mymem_add_u64(pos, 1, &result);
		break;
	}
	if (ret != want)
		mmt_call_error(thread, call, pos, len, ret, want);
}

static void mmt_torture_body(struct mmt_worker *w)
{
	struct mmt_torture_thread *thread;
	u64 now, end, run_ns;
	unsigned int r;

	thread = container_of(w, struct mmt_torture_thread, w);
	run_ns = thread->layout->run_ns;
	end = w->start_ns + run_ns;
	while ((now = ktime_get_ns()) < end && !mmt_must_stop()) {
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
		ret = mmt_torture_pass(&layout, NULL, thread[0].rbuf, NULL);
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
		mmt_torture_pass(&layout, thread, thread[0].rbuf, count);
	else if (!stopped)
		count[MMT_ERRORS]++;
	if (!stopped)
		mmt_progress(p->duration, p->duration);
	for (c = MMT_TORN; c < MMT_NR_COUNTS; c++)
		failures += count[c];
	mmt_table_head("torture", mmt_torture_cols);
	mmt_table_row("torture", mmt_torture_cols, { p->duration }, { threads },
		      { count[MMT_READS] }, { count[MMT_WRITES] },
		      { count[MMT_SEEKS] }, { count[MMT_ADDS] },
		      { count[MMT_TORN] }, { count[MMT_LOST] },
		      { count[MMT_ADD_ERRORS] }, { count[MMT_ERRORS] },
		      { .s = mmt_verdict(failures, stopped) });
out:
	for (i = 0; i < threads; i++)
		mmt_torture_thread_free(&thread[i]);
	kvfree(thread);
	return failures;
}

const struct mmt_test mmt_torture_test = {
	.name		= "torture",
	.run		= mmt_torture_run,
	.nr_records	= 1,
	.min_core_size	= mmt_torture_min_core_size,
};
