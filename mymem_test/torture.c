// SPDX-License-Identifier: GPL-2.0
/*
 * mymem_test torture: random concurrent reads, writes, seeks and adds, checked
 *
 * Buffer layout (offsets in bytes, S = mymem_size()):
 *   [0, 64)            8 little-endian u64 counters for mymem_add_u64()
 *   [64, 64 + 64 * B)  B blocks of 64 bytes: a "hot" shared range of
 *                      blocks at the start, then one private slice of
 *                      blocks per thread
 *   [S - 64, S)        the tail, for calls that cross or pass the end
 *
 * Writes cover whole blocks.  Every 8-byte word a write stores is its
 * stamp: (writer id, writer sequence, first block, block count).  So any
 * word read names the write that stored it and the blocks that write
 * covered, and a read (of any offset and length) is checked exactly:
 *  - torn: the read holds words of two writes X and Y where each of them
 *    also covered a block at which the read saw the other one.  Whichever
 *    of X and Y came last would have to show at both places, so no single
 *    instant explains the read.  A word whose stamp does not cover its
 *    own block is also counted as torn (corrupt).
 *  - lost: only a slice's owner writes it, and it keeps a shadow of the
 *    stamps it wrote there; any read of its own slice, and a final pass
 *    over all slices, must match the shadow exactly.
 *  - adds: each thread sums the deltas of its successful adds per counter;
 *    a result below the thread's own sum is an error, and at the end each
 *    counter must equal the sum over all threads.
 * Sequence numbers wrap after 2^24 writes of one thread; a wrapped stamp
 * can only hide an error, never report a false one.
 * Calls at and past the end, with a negative position, of length 0, and
 * seeks out of [0, S] or with a bad whence must fail or succeed exactly
 * as <linux/mymem.h> says; anything else is counted in "errors".
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

#define MMT_T_NR_ADDS		8
#define MMT_T_BASE		64	/* first block; the adds are below */
#define MMT_T_BLOCK		64
#define MMT_T_WORDS		(MMT_T_BLOCK / 8)
#define MMT_T_TAIL		64
#define MMT_T_MAX_BLOCKS		65535	/* the stamp holds 16-bit block numbers */
#define MMT_T_HOT_BLOCKS		128
#define MMT_T_MAX_WBLOCKS	32	/* blocks per write */
#define MMT_T_MAX_READ		4096	/* bytes per read */
#define MMT_T_MAX_THREADS	254	/* writer ids; 255 is the initial fill */
#define MMT_T_INIT_ID		255
#define MMT_T_MAX_DELTA		1000

/* A stamp: id 8 bits, seq 24 bits, first block 16 bits, block count 16. */
static u64 mmt_stamp(unsigned int id, u32 seq, unsigned int first,
		     unsigned int n)
{
	return (u64)id << 56 | (u64)(seq & 0xffffff) << 32 |
	       (u64)first << 16 | n;
}

static unsigned int mmt_stamp_first(u64 s)
{
	return (s >> 16) & 0xffff;
}

static unsigned int mmt_stamp_n(u64 s)
{
	return s & 0xffff;
}

/**
 * struct mmt_torture - what all torture threads share (read-only)
 * @size:      mymem_size()
 * @nblocks:   blocks in the block area
 * @hot:       blocks in the shared hot range, starting at block 0
 * @slice:     blocks per private slice; thread i owns the slice starting at
 *             block @hot + i * @slice
 * @threads:   number of threads
 * @run_ns:    how long each thread runs
 */
struct mmt_torture {
	size_t size;
	unsigned int nblocks;
	unsigned int hot;
	unsigned int slice;
	unsigned int threads;
	u64 run_ns;
};

/* A run of equal words in a read: one stamp seen at blocks [lo, hi]. */
struct mmt_t_span {
	u64 stamp;
	unsigned int lo;
	unsigned int hi;
};

/**
 * struct mmt_t_thread - one torture thread
 * @w:      runner data
 * @t:      the shared layout
 * @h:      its handle; @pos is where it must be
 * @pos:    the handle's position as the thread knows it
 * @wbuf:   write data
 * @rbuf:   read data
 * @spans:  scratch for the torn-read check
 * @shadow: the stamp of each block of its slice
 * @first:  first block of its slice
 * @seq:    its last write sequence number
 * @add_sum: per counter, the sum of its successful adds
 * @reads:  read calls made
 * @writes: write calls made
 * @seeks:  seek calls made
 * @adds:   add calls made
 * @torn:   torn or corrupt reads (see the file comment)
 * @lost:   reads or final blocks that miss one of its own writes
 * @add_errors: adds whose result or final sum is wrong
 * @errors: calls that returned what they must not
 */
struct mmt_t_thread {
	struct mmt_worker w;
	const struct mmt_torture *t;
	struct mymem_handle *h;
	loff_t pos;
	u8 *wbuf;
	u8 *rbuf;
	struct mmt_t_span *spans;
	u64 *shadow;
	unsigned int first;
	u32 seq;
	u64 add_sum[MMT_T_NR_ADDS];
	u64 reads, writes, seeks, adds;
	u64 torn, lost, add_errors, errors;
};

static u32 mmt_rand(u32 ceil)
{
	return get_random_u32_below(ceil);
}

static bool mmt_t_mine(const struct mmt_t_thread *tt, unsigned int blk)
{
	return blk >= tt->first && blk < tt->first + tt->t->slice;
}

static void mmt_t_error(struct mmt_t_thread *tt, const char *call, loff_t pos,
			size_t len, long long got, long long want)
{
	tt->errors++;
	mmt_err("torture: thread %u: %s(pos %lld, len %zu) returned %lld, expected %lld",
		tt->w.id, call, pos, len, got, want);
}

/* Seek the handle to @pos (valid) and check the result. */
static bool mmt_t_seek_to(struct mmt_t_thread *tt, loff_t pos)
{
	loff_t ret = mymem_seek(tt->h, pos, SEEK_SET);

	tt->seeks++;
	if (ret != pos) {
		mmt_t_error(tt, "mymem_seek", pos, 0, ret, pos);
		return false;
	}
	tt->pos = pos;
	return true;
}

/* A read or write through the handle or by position, chosen at random. */
static ssize_t mmt_t_read_at(struct mmt_t_thread *tt, void *buf, size_t len,
			     loff_t pos)
{
	ssize_t ret;

	if (mmt_rand(2))
		return mymem_pread(buf, len, pos);
	if (!mmt_t_seek_to(tt, pos))
		return -EIO;
	ret = mymem_read(tt->h, buf, len);
	if (ret > 0)
		tt->pos += ret;
	return ret;
}

static ssize_t mmt_t_write_at(struct mmt_t_thread *tt, const void *buf,
			      size_t len, loff_t pos)
{
	ssize_t ret;

	if (mmt_rand(2))
		return mymem_pwrite(buf, len, pos);
	if (!mmt_t_seek_to(tt, pos))
		return -EIO;
	ret = mymem_write(tt->h, buf, len);
	if (ret > 0)
		tt->pos += ret;
	return ret;
}

/**
 * mmt_t_check() - check the words of a read of the block area
 * @tt:   the reader
 * @data: what was read
 * @pos:  where it was read from
 * @len:  bytes read
 *
 * Only whole 8-byte words inside the block area are checked.
 */
static void mmt_t_check(struct mmt_t_thread *tt, const u8 *data, loff_t pos,
			size_t len)
{
	loff_t lo = max_t(loff_t, pos, MMT_T_BASE);
	loff_t hi = min_t(loff_t, pos + len,
			  MMT_T_BASE + (loff_t)tt->t->nblocks * MMT_T_BLOCK);
	unsigned int i, j, n = 0, blk, f, c;
	struct mmt_t_span *sp = tt->spans;
	bool torn = false, lost = false;
	loff_t x;
	u64 v;

	for (x = ALIGN(lo, 8); x + 8 <= hi; x += 8) {
		memcpy(&v, data + (x - pos), sizeof(v));
		blk = (x - MMT_T_BASE) / MMT_T_BLOCK;
		if (mmt_t_mine(tt, blk) && v != tt->shadow[blk - tt->first])
			lost = true;
		if (n && sp[n - 1].stamp == v) {
			sp[n - 1].hi = blk;
			continue;
		}
		sp[n].stamp = v;
		sp[n].lo = blk;
		sp[n].hi = blk;
		n++;
	}

	for (i = 0; i < n && !torn; i++) {
		f = mmt_stamp_first(sp[i].stamp);
		c = mmt_stamp_n(sp[i].stamp);
		if (!c || sp[i].lo < f || sp[i].hi >= f + c)
			torn = true;
	}
	for (i = 0; i < n && !torn; i++) {
		for (j = i + 1; j < n && !torn; j++) {
			u64 a = sp[i].stamp, b = sp[j].stamp;

			if (a == b)
				continue;
			/* b covers a block of span i, a a block of span j */
			torn = sp[i].hi >= mmt_stamp_first(b) &&
			       sp[i].lo < mmt_stamp_first(b) + mmt_stamp_n(b) &&
			       sp[j].hi >= mmt_stamp_first(a) &&
			       sp[j].lo < mmt_stamp_first(a) + mmt_stamp_n(a);
		}
	}
	if (torn) {
		tt->torn++;
		mmt_err("torture: thread %u: torn read at %lld len %zu",
			tt->w.id, pos, len);
	}
	if (lost) {
		tt->lost++;
		mmt_err("torture: thread %u: lost write: read of its slice at %lld len %zu differs from what it wrote",
			tt->w.id, pos, len);
	}
}

static void mmt_t_read(struct mmt_t_thread *tt)
{
	const struct mmt_torture *t = tt->t;
	unsigned int first, count;
	size_t len, room;
	loff_t pos;
	ssize_t ret;

	switch (mmt_rand(3)) {
	case 0:		/* the hot range */
		first = 0;
		count = t->hot;
		break;
	case 1:		/* its own slice */
		first = tt->first;
		count = t->slice;
		break;
	default:	/* anywhere */
		first = 0;
		count = t->nblocks;
		break;
	}
	room = (size_t)count * MMT_T_BLOCK;
	pos = MMT_T_BASE + (loff_t)first * MMT_T_BLOCK + mmt_rand(room);
	room -= pos - MMT_T_BASE - (loff_t)first * MMT_T_BLOCK;
	len = 1 + mmt_rand(min_t(size_t, room, MMT_T_MAX_READ));

	tt->reads++;
	ret = mmt_t_read_at(tt, tt->rbuf, len, pos);
	if (ret != len) {
		mmt_t_error(tt, "read", pos, len, ret, len);
		return;
	}
	mmt_t_check(tt, tt->rbuf, pos, len);
}

static void mmt_t_write(struct mmt_t_thread *tt)
{
	const struct mmt_torture *t = tt->t;
	unsigned int first, count, n, blk, i;
	bool mine = mmt_rand(2);
	size_t len;
	loff_t pos;
	ssize_t ret;
	u64 stamp;

	first = mine ? tt->first : 0;
	count = mine ? t->slice : t->hot;
	n = 1 + mmt_rand(min_t(unsigned int, count, MMT_T_MAX_WBLOCKS));
	blk = first + mmt_rand(count - n + 1);
	stamp = mmt_stamp(tt->w.id, ++tt->seq, blk, n);
	len = (size_t)n * MMT_T_BLOCK;
	for (i = 0; i < n * MMT_T_WORDS; i++)
		memcpy(tt->wbuf + i * 8, &stamp, sizeof(stamp));
	pos = MMT_T_BASE + (loff_t)blk * MMT_T_BLOCK;

	tt->writes++;
	ret = mmt_t_write_at(tt, tt->wbuf, len, pos);
	if (ret != len) {
		mmt_t_error(tt, "write", pos, len, ret, len);
		return;
	}
	if (mine)
		for (i = 0; i < n; i++)
			tt->shadow[blk - tt->first + i] = stamp;
}

static void mmt_t_add(struct mmt_t_thread *tt)
{
	unsigned int slot = mmt_rand(MMT_T_NR_ADDS);
	u64 delta = 1 + mmt_rand(MMT_T_MAX_DELTA);
	u64 result;
	int ret;

	tt->adds++;
	ret = mymem_add_u64(slot * 8, delta, &result);
	if (ret) {
		mmt_t_error(tt, "mymem_add_u64", slot * 8, 8, ret, 0);
		return;
	}
	tt->add_sum[slot] += delta;
	if (result < tt->add_sum[slot]) {
		tt->add_errors++;
		mmt_err("torture: thread %u: add to counter %u returned %llu, below its own sum %llu",
			tt->w.id, slot, result, tt->add_sum[slot]);
	}
}

static void mmt_t_seek(struct mmt_t_thread *tt)
{
	static const int bad_whence[] = { 3, 4, 42, -1 };
	loff_t size = tt->t->size, target, base, ret, cur;
	int whence = mmt_rand(4);
	bool ok;

	/* A target in [-64, size + 64]: about 1 in 4 of them is invalid. */
	target = (loff_t)mmt_rand(min_t(u64, size + 129, U32_MAX)) - 64;
	if (mmt_rand(4) == 0)
		target = mmt_rand(2) ? -1 - (loff_t)mmt_rand(64) :
				      size + 1 + mmt_rand(64);
	switch (whence) {
	case 0:
		whence = SEEK_SET;
		base = 0;
		break;
	case 1:
		whence = SEEK_CUR;
		base = tt->pos;
		break;
	case 2:
		whence = SEEK_END;
		base = size;
		break;
	default:
		whence = bad_whence[mmt_rand(ARRAY_SIZE(bad_whence))];
		base = 0;
		break;
	}
	ok = (whence == SEEK_SET || whence == SEEK_CUR || whence == SEEK_END) &&
	     target >= 0 && target <= size;

	tt->seeks++;
	ret = mymem_seek(tt->h, target - base, whence);
	if (ok) {
		if (ret != target)
			mmt_t_error(tt, "mymem_seek", target - base, whence,
				    ret, target);
		else
			tt->pos = target;
		return;
	}
	if (ret != -EINVAL) {
		mmt_t_error(tt, "mymem_seek", target - base, whence, ret,
			    -EINVAL);
		if (ret >= 0)
			tt->pos = ret;
		return;
	}
	/* A failed seek leaves the position alone. */
	tt->seeks++;
	cur = mymem_seek(tt->h, 0, SEEK_CUR);
	if (cur != tt->pos)
		mmt_t_error(tt, "mymem_seek(0, SEEK_CUR) after a failed seek",
			    0, 0, cur, tt->pos);
}

/* Calls at the edges; they only ever change the tail. */
static void mmt_t_edge(struct mmt_t_thread *tt)
{
	loff_t size = tt->t->size, pos;
	size_t len, want;
	ssize_t ret;
	u64 result;
	int err;

	pos = size - 1 - mmt_rand(MMT_T_TAIL);
	len = size - pos + 1 + mmt_rand(MMT_T_TAIL);
	want = size - pos;

	switch (mmt_rand(8)) {
	case 0:		/* read crossing the end: short */
		tt->reads++;
		ret = mmt_t_read_at(tt, tt->rbuf, len, pos);
		if (ret != want)
			mmt_t_error(tt, "read across the end", pos, len, ret,
				    want);
		break;
	case 1:		/* read at or past the end: 0 */
		tt->reads++;
		if (mmt_rand(2)) {
			pos = size + mmt_rand(4096);
			ret = mymem_pread(tt->rbuf, len, pos);
		} else if (mmt_t_seek_to(tt, size)) {
			pos = size;
			ret = mymem_read(tt->h, tt->rbuf, len);
		} else {
			break;
		}
		if (ret != 0)
			mmt_t_error(tt, "read at/past the end", pos, len, ret, 0);
		break;
	case 2:		/* write crossing the end: short */
		tt->writes++;
		memset(tt->wbuf, 0xa5, len);
		ret = mmt_t_write_at(tt, tt->wbuf, len, pos);
		if (ret != want)
			mmt_t_error(tt, "write across the end", pos, len, ret,
				    want);
		break;
	case 3:		/* write at or past the end: -ENOSPC */
		tt->writes++;
		memset(tt->wbuf, 0xa5, len);
		if (mmt_rand(2)) {
			pos = size + mmt_rand(4096);
			ret = mymem_pwrite(tt->wbuf, len, pos);
		} else if (mmt_t_seek_to(tt, size)) {
			pos = size;
			ret = mymem_write(tt->h, tt->wbuf, len);
		} else {
			break;
		}
		if (ret != -ENOSPC)
			mmt_t_error(tt, "write at/past the end", pos, len, ret,
				    -ENOSPC);
		break;
	case 4:		/* negative position: -EINVAL */
		pos = -1 - (loff_t)mmt_rand(1024);
		if (mmt_rand(2)) {
			tt->reads++;
			ret = mymem_pread(tt->rbuf, len, pos);
		} else {
			tt->writes++;
			ret = mymem_pwrite(tt->wbuf, len, pos);
		}
		if (ret != -EINVAL)
			mmt_t_error(tt, "pread/pwrite at a negative position",
				    pos, len, ret, -EINVAL);
		break;
	case 5:		/* length 0: 0 */
		if (mmt_rand(2)) {
			tt->reads++;
			ret = mymem_pread(tt->rbuf, 0, pos);
		} else {
			tt->writes++;
			ret = mymem_pwrite(tt->wbuf, 0, pos);
		}
		if (ret != 0)
			mmt_t_error(tt, "pread/pwrite of length 0", pos, 0, ret,
				    0);
		break;
	case 6:		/* add out of bounds: -EINVAL */
		tt->adds++;
		pos = mmt_rand(2) ? size - 7 + mmt_rand(7) :
				   -1 - (loff_t)mmt_rand(64);
		err = mymem_add_u64(pos, 1, &result);
		if (err != -EINVAL)
			mmt_t_error(tt, "mymem_add_u64", pos, 8, err, -EINVAL);
		break;
	default:	/* add at the last valid offset, in the tail */
		tt->adds++;
		err = mymem_add_u64(size - 8, 1, &result);
		if (err)
			mmt_t_error(tt, "mymem_add_u64", size - 8, 8, err, 0);
		break;
	}
}

static void mmt_torture_body(struct mmt_worker *w)
{
	struct mmt_t_thread *tt = container_of(w, struct mmt_t_thread, w);
	u64 now, end = w->start_ns + tt->t->run_ns;
	unsigned int r;

	for (;;) {
		now = ktime_get_ns();
		if (now >= end || mmt_worker_should_stop(w))
			break;
		if (!w->id)
			mmt_progress(MMT_TORTURE,
				     div64_u64(now - w->start_ns, NSEC_PER_SEC),
				     div64_u64(tt->t->run_ns, NSEC_PER_SEC));
		r = mmt_rand(100);
		if (r < 30)
			mmt_t_read(tt);
		else if (r < 55)
			mmt_t_write(tt);
		else if (r < 70)
			mmt_t_add(tt);
		else if (r < 85)
			mmt_t_seek(tt);
		else
			mmt_t_edge(tt);
	}
}

/* The initial content: each block is a one-block write of writer 255. */
static void mmt_t_init_stamps(u8 *buf, unsigned int blk, unsigned int n)
{
	unsigned int i, j;
	u64 s;

	for (i = 0; i < n; i++) {
		s = mmt_stamp(MMT_T_INIT_ID, blk + i, blk + i, 1);
		for (j = 0; j < MMT_T_WORDS; j++)
			memcpy(buf + (i * MMT_T_WORDS + j) * 8, &s, sizeof(s));
	}
}

/**
 * mmt_t_fill() - write the initial stamps and zero the add counters
 * @t:   layout
 * @buf: MMT_T_MAX_READ bytes of scratch
 *
 * Return: 0 or -EIO.
 */
static int mmt_t_fill(const struct mmt_torture *t, u8 *buf)
{
	unsigned int per = MMT_T_MAX_READ / MMT_T_BLOCK, blk, n;
	size_t len;

	memset(buf, 0, MMT_T_BASE);
	if (mymem_pwrite(buf, MMT_T_BASE, 0) != MMT_T_BASE)
		return -EIO;
	for (blk = 0; blk < t->nblocks; blk += n) {
		n = min(per, t->nblocks - blk);
		len = (size_t)n * MMT_T_BLOCK;
		mmt_t_init_stamps(buf, blk, n);
		if (mymem_pwrite(buf, len, MMT_T_BASE + (loff_t)blk * MMT_T_BLOCK) !=
		    len)
			return -EIO;
	}
	return 0;
}

/**
 * mmt_t_final() - the checks made once every thread has ended
 * @t:   layout
 * @tts: the threads
 * @buf: MMT_T_MAX_READ bytes of scratch
 * @sum: the totals, updated
 *
 * Every block must hold one valid stamp, every slice its owner's shadow,
 * every counter the sum of all successful adds to it.
 */
static void mmt_t_final(const struct mmt_torture *t, struct mmt_t_thread *tts,
			u8 *buf, struct mmt_t_thread *sum)
{
	unsigned int per = MMT_T_MAX_READ / MMT_T_BLOCK, blk, n, i, j, owner;
	u64 v, first, total;
	size_t len;
	bool bad;

	if (mymem_pread(buf, MMT_T_BASE, 0) != MMT_T_BASE) {
		mmt_err("torture: final check: cannot read the counters");
		sum->errors++;
		return;
	}
	for (i = 0; i < MMT_T_NR_ADDS; i++) {
		__le64 le;

		memcpy(&le, buf + i * 8, sizeof(le));
		for (total = 0, j = 0; j < t->threads; j++)
			total += tts[j].add_sum[i];
		if (le64_to_cpu(le) != total) {
			sum->add_errors++;
			mmt_err("torture: counter %u is %llu, the adds sum to %llu",
				i, le64_to_cpu(le), total);
		}
	}

	for (blk = 0; blk < t->nblocks; blk += n) {
		n = min(per, t->nblocks - blk);
		len = (size_t)n * MMT_T_BLOCK;
		if (mymem_pread(buf, len, MMT_T_BASE + (loff_t)blk * MMT_T_BLOCK) !=
		    len) {
			mmt_err("torture: final check: cannot read block %u", blk);
			sum->errors++;
			return;
		}
		for (i = 0; i < n; i++) {
			memcpy(&first, buf + i * MMT_T_BLOCK, sizeof(first));
			bad = !mmt_stamp_n(first) ||
			      blk + i < mmt_stamp_first(first) ||
			      blk + i >= mmt_stamp_first(first) + mmt_stamp_n(first);
			for (j = 1; j < MMT_T_WORDS; j++) {
				memcpy(&v, buf + i * MMT_T_BLOCK + j * 8, sizeof(v));
				bad |= v != first;
			}
			if (bad) {
				sum->torn++;
				mmt_err("torture: block %u holds no single valid write",
					blk + i);
			}
			if (blk + i < t->hot)
				continue;
			owner = (blk + i - t->hot) / t->slice;
			if (owner < t->threads &&
			    first != tts[owner].shadow[blk + i - tts[owner].first]) {
				sum->lost++;
				mmt_err("torture: block %u lost the last write of thread %u",
					blk + i, owner);
			}
		}
	}
}

static int mmt_t_alloc(struct mmt_t_thread *tt, const struct mmt_torture *t,
		       unsigned int id)
{
	unsigned int i;

	tt->t = t;
	tt->first = t->hot + id * t->slice;
	tt->wbuf = kmalloc(max(MMT_T_MAX_WBLOCKS * MMT_T_BLOCK, 2 * MMT_T_TAIL + 2),
			   GFP_KERNEL);
	tt->rbuf = kmalloc(MMT_T_MAX_READ, GFP_KERNEL);
	tt->spans = kmalloc_array(MMT_T_MAX_READ / 8 + 1, sizeof(*tt->spans),
				  GFP_KERNEL);
	tt->shadow = kvmalloc_array(t->slice, sizeof(u64), GFP_KERNEL);
	if (!tt->wbuf || !tt->rbuf || !tt->spans || !tt->shadow)
		return -ENOMEM;
	for (i = 0; i < t->slice; i++)
		tt->shadow[i] = mmt_stamp(MMT_T_INIT_ID, tt->first + i,
					  tt->first + i, 1);
	tt->h = mymem_open();
	if (IS_ERR_OR_NULL(tt->h)) {
		int ret = tt->h ? PTR_ERR(tt->h) : -ENOMEM;

		tt->h = NULL;
		return ret;
	}
	return 0;
}

static void mmt_t_free(struct mmt_t_thread *tt)
{
	if (tt->h)
		mymem_close(tt->h);
	kfree(tt->wbuf);
	kfree(tt->rbuf);
	kfree(tt->spans);
	kvfree(tt->shadow);
}

/* The layout for @threads threads; false when the buffer is too small. */
static bool mmt_t_layout(struct mmt_torture *t, unsigned int threads,
			 unsigned int duration)
{
	size_t size = mymem_size();

	memset(t, 0, sizeof(*t));
	t->size = size;
	t->threads = threads;
	t->run_ns = (u64)duration * NSEC_PER_SEC;
	if (size < MMT_T_BASE + MMT_T_TAIL + 2 * MMT_T_BLOCK * (threads + 1))
		return false;
	t->nblocks = min_t(size_t, (size - MMT_T_BASE - MMT_T_TAIL) / MMT_T_BLOCK,
			   MMT_T_MAX_BLOCKS);
	t->hot = min(MMT_T_HOT_BLOCKS, t->nblocks / 2);
	t->slice = (t->nblocks - t->hot) / threads;
	return t->hot >= 2 && t->slice >= 1;
}

/**
 * mmt_torture_run() - the torture test
 * @p: the run's settings (duration)
 *
 * Context: the controller kthread.
 * Return: the number of failed checks.
 */
unsigned int mmt_torture_run(const struct mmt_params *p)
{
	unsigned int threads = min(2 * num_online_cpus(), MMT_T_MAX_THREADS);
	struct mmt_t_thread *tts, sum = { };
	unsigned int i, failures;
	const char *verdict;
	struct mmt_torture t;
	struct mmt_rec r;
	bool stopped = false;
	u64 span;
	int ret;

	if (!mmt_t_layout(&t, threads, p->duration)) {
		mmt_err("torture: a %zu-byte buffer is too small for %u threads: not run",
			mymem_size(), threads);
		return 1;
	}
	tts = kvcalloc(threads, sizeof(*tts), GFP_KERNEL);
	if (!tts)
		return mmt_not_run("torture", -ENOMEM);
	for (i = 0; i < threads; i++) {
		ret = mmt_t_alloc(&tts[i], &t, i);
		if (ret)
			goto setup_failed;
	}
	ret = mmt_t_fill(&t, tts[0].rbuf);
	if (ret)
		goto setup_failed;

	mmt_info("torture: %u threads for %u s; %u blocks of %u bytes: %u hot shared, %u private per thread",
		 threads, p->duration, t.nblocks, MMT_T_BLOCK, t.hot, t.slice);
	mmt_progress(MMT_TORTURE, 0, p->duration);
	ret = mmt_group_run(&tts[0].w, sizeof(tts[0]), threads, mmt_torture_body,
			    "torture", &span);
	if (ret == -EINTR)
		stopped = true;
	else if (ret)
		sum.errors++;

	for (i = 0; i < threads; i++) {
		sum.reads += tts[i].reads;
		sum.writes += tts[i].writes;
		sum.seeks += tts[i].seeks;
		sum.adds += tts[i].adds;
		sum.torn += tts[i].torn;
		sum.lost += tts[i].lost;
		sum.add_errors += tts[i].add_errors;
		sum.errors += tts[i].errors;
	}
	if (!stopped && !ret)
		mmt_t_final(&t, tts, tts[0].rbuf, &sum);
	else if (!stopped)
		mmt_info("torture: final checks skipped: not every thread ran");
	failures = sum.torn + sum.lost + sum.add_errors + sum.errors;
	if (!stopped)
		mmt_progress(MMT_TORTURE, p->duration, p->duration);

	verdict = stopped ? "STOPPED" : failures ? "FAILURE" : "SUCCESS";
	mmt_info("torture duration_s threads        reads       writes        seeks         adds  torn  lost add_errors errors verdict");
	mmt_info("torture %10u %7u %12llu %12llu %12llu %12llu %5llu %5llu %10llu %6llu %s",
		 p->duration, threads, sum.reads, sum.writes, sum.seeks,
		 sum.adds, sum.torn, sum.lost, sum.add_errors, sum.errors,
		 verdict);
	mmt_rec_begin(&r, "torture");
	mmt_rec_u64(&r, "duration_s", p->duration);
	mmt_rec_u64(&r, "threads", threads);
	mmt_rec_u64(&r, "reads", sum.reads);
	mmt_rec_u64(&r, "writes", sum.writes);
	mmt_rec_u64(&r, "seeks", sum.seeks);
	mmt_rec_u64(&r, "adds", sum.adds);
	mmt_rec_u64(&r, "torn", sum.torn);
	mmt_rec_u64(&r, "lost", sum.lost);
	mmt_rec_u64(&r, "add_errors", sum.add_errors);
	mmt_rec_u64(&r, "errors", sum.errors);
	mmt_rec_str(&r, "verdict", failures || stopped ? "FAILURE" : "SUCCESS");
	mmt_rec_end(&r);
	goto out;

setup_failed:
	failures = mmt_not_run("torture", ret);
out:
	for (i = 0; i < threads; i++)
		mmt_t_free(&tts[i]);
	kvfree(tts);
	return failures;
}
