// SPDX-License-Identifier: GPL-2.0
/*
 * mymem_core: the buffer, its lock, and the exported API.
 *
 * Locking (docs/DESIGN.md has the measurements behind it):
 *
 *  - Writers (write, pwrite, add) serialise on mymem.lock, a mutex, and
 *    bracket their stores with mymem.seq: the count is odd while a writer
 *    is changing the bytes.  The plain seqcount_t is driven with the raw_
 *    primitives: a writer holding the mutex may be preempted, so the write
 *    section must not disable preemption.
 *
 *  - Readers take no lock.  They sample the count, copy, and check the
 *    count again.  If a writer was active when they started or finished
 *    while they copied, they copy again under the mutex.  A reader never
 *    spins waiting for an even count: it sleeps on the mutex instead, and
 *    needs at most two passes.
 *
 *  - No lock and no read section is ever held across a user page fault,
 *    so a caller whose memory faults slowly (userfaultfd, FUSE, reclaim)
 *    delays only itself.  A write from user memory pins the source pages
 *    first, then copies from them under the lock; a read copies out with
 *    page faults disabled and, if a destination page is missing, faults it
 *    in with nothing held and starts again.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bvec.h>
#include <linux/kcsan-checks.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/mymem.h>
#include <linux/overflow.h>
#include <linux/pagemap.h>
#include <linux/rwsem.h>
#include <linux/seqlock.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <mymem_compat.h>
#include "mymem_core.h"

#define CREATE_TRACE_POINTS
#include "mymem_trace.h"

/*
 * The lock design.  mymem_core is built with the seqcount design described
 * above.  Two others exist only so that `make bench-locks` can run the same
 * benchmarks against them (docs/DESIGN.md, "Lock designs compared"); the
 * choice is made at build time (MYMEM_LOCK=mutex|rwsem) and confined to
 * the helpers below:
 *   mutex  every call, reader or writer, holds one mutex
 *   rwsem  an rw_semaphore: readers share it, writers hold it exclusively
 */
#if defined(MYMEM_LOCK_MUTEX)
#define MYMEM_LOCK_DESIGN	"mutex"
#define MYMEM_LOCKLESS_READS	false
#elif defined(MYMEM_LOCK_RWSEM)
#define MYMEM_LOCK_DESIGN	"rwsem"
#define MYMEM_LOCKLESS_READS	false
#else
#define MYMEM_LOCK_DESIGN	"seqcount"
#define MYMEM_LOCKLESS_READS	true
#endif

const char mymem_lock_design[] = MYMEM_LOCK_DESIGN;

/**
 * struct mymem_buffer - the one buffer of mymem_core
 * @data: @size zeroed bytes (kvzalloc)
 * @size: buffer size in bytes, fixed after init
 * @lock: serialises writers; readers take it only as a fallback
 * @seq:  odd while a writer changes @data; written only under @lock
 */
struct mymem_buffer {
	u8 *data;
	size_t size;
#ifdef MYMEM_LOCK_RWSEM
	struct rw_semaphore lock;
#else
	struct mutex lock;	/* serialises writers */
#endif
	seqcount_t seq;		/* odd while a writer changes @data */
};

static struct mymem_buffer mymem;

DEFINE_PER_CPU(struct mymem_stats, mymem_stats);

/**
 * struct mymem_handle - an open handle on the buffer
 * @pos: the handle's position, in [0, mymem.size]
 */
struct mymem_handle {
	loff_t pos;
};

/*
 * mymem_span - clamp a transfer of @len bytes at @pos to the buffer.
 * Return: the number of bytes to copy (> 0), 0 when there is nothing to do
 * (len 0, or a read at or past the end), or -EINVAL / -ENOSPC.
 */
static ssize_t mymem_span(loff_t pos, size_t len, bool write)
{
	if (pos < 0)
		return -EINVAL;
	if (!len)
		return 0;
	if ((u64)pos >= mymem.size)
		return write ? -ENOSPC : 0;
	return min_t(size_t, len, mymem.size - pos);
}

static ssize_t mymem_account_read(loff_t pos, size_t len, ssize_t ret)
{
	trace_mymem_read(pos, len, ret);
	if (ret < 0) {
		this_cpu_inc(mymem_stats.errors);
	} else {
		this_cpu_inc(mymem_stats.reads);
		this_cpu_add(mymem_stats.bytes_read, ret);
	}
	return ret;
}

static ssize_t mymem_account_write(loff_t pos, size_t len, ssize_t ret)
{
	trace_mymem_write(pos, len, ret);
	if (ret < 0) {
		this_cpu_inc(mymem_stats.errors);
	} else {
		this_cpu_inc(mymem_stats.writes);
		this_cpu_add(mymem_stats.bytes_written, ret);
	}
	return ret;
}

static int mymem_account_add(loff_t pos, u64 delta, int ret)
{
	trace_mymem_add(pos, delta, ret);
	if (ret)
		this_cpu_inc(mymem_stats.errors);
	else
		this_cpu_inc(mymem_stats.adds);
	return ret;
}

/**
 * mymem_account_seek() - trace and count a seek
 * @offset: the requested offset
 * @whence: SEEK_SET, SEEK_CUR or SEEK_END
 * @ret:    the new position, or a negative errno
 */
void mymem_account_seek(loff_t offset, int whence, loff_t ret)
{
	trace_mymem_seek(offset, whence, ret);
	if (ret < 0)
		this_cpu_inc(mymem_stats.errors);
	else
		this_cpu_inc(mymem_stats.seeks);
}

/*
 * Writers: the lock, exclusive, and (seqcount design) an odd count while
 * the bytes change.  The _killable form is for user-space callers.
 */
static void mymem_write_lock(void)
{
#ifdef MYMEM_LOCK_RWSEM
	down_write(&mymem.lock);
#else
	mutex_lock(&mymem.lock);
#endif
}

static int mymem_write_lock_killable(void)
{
#ifdef MYMEM_LOCK_RWSEM
	return down_write_killable(&mymem.lock);
#else
	return mutex_lock_killable(&mymem.lock);
#endif
}

static void mymem_write_unlock(void)
{
#ifdef MYMEM_LOCK_RWSEM
	up_write(&mymem.lock);
#else
	mutex_unlock(&mymem.lock);
#endif
}

/* Open a write section: the caller holds mymem.lock. */
static void mymem_write_begin(void)
{
	lockdep_assert_held(&mymem.lock);
	if (MYMEM_LOCKLESS_READS)
		raw_write_seqcount_begin(&mymem.seq);
}

static void mymem_write_end(void)
{
	if (MYMEM_LOCKLESS_READS)
		raw_write_seqcount_end(&mymem.seq);
}

/*
 * Readers: a lockless pass first (seqcount design only; the other designs
 * go straight to the lock), then, if a writer interfered, one pass under
 * the lock.
 */
static bool mymem_lockless_begin(unsigned int *seq)
{
	if (!MYMEM_LOCKLESS_READS)
		return false;
	*seq = raw_read_seqcount(&mymem.seq);
	return !(*seq & 1);
}

static bool mymem_lockless_valid(unsigned int seq)
{
	return !read_seqcount_retry(&mymem.seq, seq);
}

static void mymem_read_lock(void)
{
	if (MYMEM_LOCKLESS_READS)
		this_cpu_inc(mymem_stats.read_retries);
#ifdef MYMEM_LOCK_RWSEM
	down_read(&mymem.lock);
#else
	mutex_lock(&mymem.lock);
#endif
}

static int mymem_read_lock_killable(void)
{
	if (MYMEM_LOCKLESS_READS)
		this_cpu_inc(mymem_stats.read_retries);
#ifdef MYMEM_LOCK_RWSEM
	return down_read_killable(&mymem.lock);
#else
	return mutex_lock_killable(&mymem.lock);
#endif
}

static void mymem_read_unlock(void)
{
#ifdef MYMEM_LOCK_RWSEM
	up_read(&mymem.lock);
#else
	mutex_unlock(&mymem.lock);
#endif
}

/**
 * mymem_pread() - read from the buffer at a position
 * @buf: kernel destination, @len bytes
 * @len: bytes wanted
 * @pos: byte offset in the buffer
 *
 * Copies min(@len, size - @pos) bytes, atomically with respect to every
 * other mymem call.
 *
 * Context: Process context; may sleep (only if a writer is active).
 * Return: bytes read (short across the end, 0 at or past the end or for
 * @len 0), or -EINVAL for a negative @pos.
 */
ssize_t mymem_pread(void *buf, size_t len, loff_t pos)
{
	ssize_t n = mymem_span(pos, len, false);
	unsigned int seq;

	if (n <= 0)
		return mymem_account_read(pos, len, n);

	if (mymem_lockless_begin(&seq)) {
		memcpy(buf, mymem.data + pos, n);
		if (mymem_lockless_valid(seq))
			return mymem_account_read(pos, len, n);
	}
	mymem_read_lock();
	memcpy(buf, mymem.data + pos, n);
	mymem_read_unlock();
	return mymem_account_read(pos, len, n);
}
EXPORT_SYMBOL_GPL(mymem_pread);

/**
 * mymem_pwrite() - write to the buffer at a position
 * @buf: kernel source, @len bytes
 * @len: bytes to write
 * @pos: byte offset in the buffer
 *
 * Copies min(@len, size - @pos) bytes, atomically with respect to every
 * other mymem call.
 *
 * Context: Process context; sleeps on the writers' mutex.
 * Return: bytes written (short across the end, 0 for @len 0), -EINVAL for
 * a negative @pos, -ENOSPC when @pos is at or past the end.
 */
ssize_t mymem_pwrite(const void *buf, size_t len, loff_t pos)
{
	ssize_t n = mymem_span(pos, len, true);

	if (n <= 0)
		return mymem_account_write(pos, len, n);

	mymem_write_lock();
	mymem_write_begin();
	memcpy(mymem.data + pos, buf, n);
	mymem_write_end();
	mymem_write_unlock();
	return mymem_account_write(pos, len, n);
}
EXPORT_SYMBOL_GPL(mymem_pwrite);

/*
 * Bounds of the 8-byte integer at @pos: the subtraction cannot wrap because
 * the size is checked first.
 */
static bool mymem_u64_in_bounds(loff_t pos)
{
	return pos >= 0 && mymem.size >= sizeof(u64) &&
	       (u64)pos <= mymem.size - sizeof(u64);
}

/**
 * mymem_add_u64() - atomically add to a 64-bit integer in the buffer
 * @pos:    byte offset of a little-endian u64, any alignment
 * @delta:  value to add, modulo 2^64
 * @result: if not NULL, receives the new value
 *
 * The read, the addition and the store form one write section, so no
 * concurrent read or write, in the kernel or from user space, can see or
 * lose a partial update.  This is how the driver itself keeps a shared
 * counter exact however many threads increment it.
 *
 * Context: Process context; sleeps on the writers' mutex.
 * Return: 0, or -EINVAL unless 0 <= @pos and @pos + 8 <= size.
 */
int mymem_add_u64(loff_t pos, u64 delta, u64 *result)
{
	u64 val;

	if (!mymem_u64_in_bounds(pos))
		return mymem_account_add(pos, delta, -EINVAL);

	mymem_write_lock();
	mymem_write_begin();
	val = get_unaligned_le64(mymem.data + pos) + delta;
	put_unaligned_le64(val, mymem.data + pos);
	mymem_write_end();
	mymem_write_unlock();

	if (result)
		*result = val;
	return mymem_account_add(pos, delta, 0);
}
EXPORT_SYMBOL_GPL(mymem_add_u64);

/**
 * mymem_size() - the buffer size
 *
 * Context: Any context.
 * Return: the size of the buffer in bytes, fixed while mymem_core is loaded.
 */
size_t mymem_size(void)
{
	return mymem.size;
}
EXPORT_SYMBOL_GPL(mymem_size);

/**
 * mymem_open() - open a handle on the buffer
 *
 * Context: Process context; may sleep (GFP_KERNEL allocation).  One handle
 * must not be used by two threads at once without the caller's own
 * serialisation.
 * Return: a new handle with its own position, starting at 0, to release
 * with mymem_close(); or ERR_PTR(-ENOMEM).
 */
struct mymem_handle *mymem_open(void)
{
	struct mymem_handle *h = kzalloc(sizeof(*h), GFP_KERNEL);

	if (!h)
		return ERR_PTR(-ENOMEM);
	this_cpu_inc(mymem_stats.opens);
	return h;
}
EXPORT_SYMBOL_GPL(mymem_open);

/**
 * mymem_close() - close a handle
 * @h: a handle from mymem_open(), or NULL (then nothing happens)
 *
 * Context: Any context.
 */
void mymem_close(struct mymem_handle *h)
{
	if (!h)
		return;
	this_cpu_inc(mymem_stats.closes);
	kfree(h);
}
EXPORT_SYMBOL_GPL(mymem_close);

/**
 * mymem_read() - read at a handle's position and advance it
 * @h:   handle from mymem_open()
 * @buf: kernel destination, @len bytes
 * @len: bytes wanted
 *
 * Same semantics as mymem_pread() at the handle's position; the position
 * advances by the number of bytes read.
 *
 * Context: Process context; may sleep.
 * Return: bytes read, 0 at the end of the buffer.
 */
ssize_t mymem_read(struct mymem_handle *h, void *buf, size_t len)
{
	ssize_t ret = mymem_pread(buf, len, h->pos);

	if (ret > 0)
		h->pos += ret;
	return ret;
}
EXPORT_SYMBOL_GPL(mymem_read);

/**
 * mymem_write() - write at a handle's position and advance it
 * @h:   handle from mymem_open()
 * @buf: kernel source, @len bytes
 * @len: bytes to write
 *
 * Same semantics as mymem_pwrite() at the handle's position; the position
 * advances by the number of bytes written.
 *
 * Context: Process context; sleeps on the writers' mutex.
 * Return: bytes written (short across the end), or -ENOSPC when the
 * position is at the end of the buffer.
 */
ssize_t mymem_write(struct mymem_handle *h, const void *buf, size_t len)
{
	ssize_t ret = mymem_pwrite(buf, len, h->pos);

	if (ret > 0)
		h->pos += ret;
	return ret;
}
EXPORT_SYMBOL_GPL(mymem_write);

/**
 * mymem_seek() - set a handle's position
 * @h:      handle from mymem_open()
 * @offset: signed offset
 * @whence: SEEK_SET (from 0), SEEK_CUR (from the position) or SEEK_END
 *          (from the buffer size)
 *
 * The arithmetic is overflow-checked for every input.
 *
 * Context: Any context.
 * Return: the new position, in [0, size]; or -EINVAL for another @whence
 * or a result outside [0, size], and then the position is unchanged.
 */
loff_t mymem_seek(struct mymem_handle *h, loff_t offset, int whence)
{
	loff_t base, pos;

	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = h->pos;
		break;
	case SEEK_END:
		base = mymem.size;
		break;
	default:
		pos = -EINVAL;
		goto out;
	}

	if (check_add_overflow(base, offset, &pos) || pos < 0 ||
	    (u64)pos > mymem.size)
		pos = -EINVAL;
	else
		h->pos = pos;
out:
	mymem_account_seek(offset, whence, pos);
	return pos;
}
EXPORT_SYMBOL_GPL(mymem_seek);

/*
 * The reader's copy to user memory, inside a read section or under the
 * lock: with page faults disabled it cannot sleep, and a missing page ends
 * it short.  The lockless pass races with writers by design (the count
 * check discards what it copied), which KCSAN is told for the whole copy:
 * the allowance of read_seqcount_begin() covers only its first accesses,
 * and an iovec walk makes many.
 */
static size_t mymem_copy_to_user_nofault(loff_t pos, size_t n,
					 struct iov_iter *to, bool lockless)
{
	size_t done;

	if (lockless)
		kcsan_nestable_atomic_begin();
	pagefault_disable();
	done = copy_to_iter(mymem.data + pos, n, to);
	pagefault_enable();
	if (lockless)
		kcsan_nestable_atomic_end();
	return done;
}

/* One snapshot of [pos, pos + n) into @to; short only on a missing page. */
static ssize_t mymem_read_user_once(loff_t pos, size_t n, struct iov_iter *to)
{
	unsigned int seq;
	size_t done;

	if (mymem_lockless_begin(&seq)) {
		done = mymem_copy_to_user_nofault(pos, n, to, true);
		if (mymem_lockless_valid(seq))
			return done;
		iov_iter_revert(to, done);
	}
	if (mymem_read_lock_killable())
		return -EINTR;
	done = mymem_copy_to_user_nofault(pos, n, to, false);
	mymem_read_unlock();
	return done;
}

/**
 * mymem_buf_read_iter() - read for /dev/mymem
 * @pos: byte offset in the buffer
 * @to:  destination
 *
 * Like mymem_pread().  A destination page that is not present is faulted
 * in with no lock held, and the read starts again: what the caller gets is
 * one snapshot.  A destination that cannot be faulted in after some bytes
 * gives a short read of exactly those bytes; on the first byte, -EFAULT.
 *
 * Return: bytes read, or a negative errno.
 */
ssize_t mymem_buf_read_iter(loff_t pos, struct iov_iter *to)
{
	size_t len = iov_iter_count(to);
	ssize_t n = mymem_span(pos, len, false);
	ssize_t done;

	if (n <= 0)
		return mymem_account_read(pos, len, n);

	for (;;) {
		done = mymem_read_user_once(pos, n, to);
		if (done < 0 || done == n)
			break;
		iov_iter_revert(to, done);
		this_cpu_inc(mymem_stats.fault_retries);
		n -= fault_in_iov_iter_writeable(to, n);
		if (!n) {
			done = -EFAULT;
			break;
		}
	}
	return mymem_account_read(pos, len, done);
}

/*
 * The pages of a user source, held while the copy into the buffer runs
 * under the lock: a pinned page cannot fault, so no fault is ever serviced
 * with the lock held.  Small writes need no allocation.
 */
#define MYMEM_INLINE_BVECS	8

struct mymem_user_src {
	struct iov_iter iter;
	struct bio_vec *bvec;
	unsigned int nr;
	struct bio_vec inline_bvec[MYMEM_INLINE_BVECS];
};

static void mymem_user_src_release(struct mymem_user_src *src)
{
	unsigned int i;

	for (i = 0; i < src->nr; i++)
		put_page(src->bvec[i].bv_page);
	if (src->bvec != src->inline_bvec)
		kvfree(src->bvec);
}

/*
 * Take references on the pages behind the first @n bytes of @from, as far
 * as they can be faulted in, and describe them in src->iter.
 * Return: the bytes held (short at the first page that cannot be faulted
 * in), -EFAULT when that is the first one, or -ENOMEM.
 */
static ssize_t mymem_user_src_get(struct mymem_user_src *src,
				  struct iov_iter *from, size_t n)
{
	/* Each segment adds at most two partial pages. */
	size_t max = DIV_ROUND_UP(n, PAGE_SIZE) + 2 * max(from->nr_segs, 1UL);
	struct page *pages[16];
	size_t held = 0, start, len;
	ssize_t got;
	int k;

	src->nr = 0;
	src->bvec = src->inline_bvec;
	if (max > MYMEM_INLINE_BVECS) {
		src->bvec = kvmalloc_array(max, sizeof(*src->bvec), GFP_KERNEL);
		if (!src->bvec)
			return -ENOMEM;
	}
	while (held < n) {
		got = iov_iter_get_pages2(from, pages, n - held,
					  ARRAY_SIZE(pages), &start);
		if (got <= 0)
			break;
		held += got;
		for (k = 0; got > 0; k++) {
			len = min_t(size_t, got, PAGE_SIZE - start);
			bvec_set_page(&src->bvec[src->nr++], pages[k], len, start);
			got -= len;
			start = 0;
		}
	}
	if (!held) {
		mymem_user_src_release(src);
		return -EFAULT;
	}
	iov_iter_bvec(&src->iter, ITER_SOURCE, src->bvec, src->nr, held);
	return held;
}

/**
 * mymem_buf_write_iter() - write for /dev/mymem
 * @pos:  byte offset in the buffer
 * @from: source
 *
 * Like mymem_pwrite().  A user source is faulted in and held before the
 * lock is taken.  A source that cannot be faulted in after some bytes
 * gives a short write of exactly those bytes; on the first byte, -EFAULT
 * and nothing changes.
 *
 * Return: bytes written, or a negative errno.
 */
ssize_t mymem_buf_write_iter(loff_t pos, struct iov_iter *from)
{
	size_t len = iov_iter_count(from);
	ssize_t n = mymem_span(pos, len, true);
	struct mymem_user_src src = { };
	struct iov_iter *it = from;

	if (n <= 0)
		return mymem_account_write(pos, len, n);

	if (user_backed_iter(from)) {
		n = mymem_user_src_get(&src, from, n);
		if (n < 0)
			return mymem_account_write(pos, len, n);
		it = &src.iter;
	}
	if (mymem_write_lock_killable()) {
		n = -EINTR;
	} else {
		mymem_write_begin();
		n = copy_from_iter(mymem.data + pos, n, it);
		mymem_write_end();
		mymem_write_unlock();
	}
	if (it == &src.iter)
		mymem_user_src_release(&src);
	return mymem_account_write(pos, len, n);
}

/**
 * mymem_buf_add_user() - MYMEM_IOC_ADD_U64
 * @pos:    byte offset of the integer
 * @delta:  value to add
 * @result: user address that receives the new value
 *
 * The new value is stored to user space before the buffer changes, under
 * the lock but with page faults disabled.  If the page is missing, the
 * lock is dropped, the page faulted in, and the add starts again (as the
 * futex code does); if it cannot be faulted in, the buffer is unchanged.
 *
 * Return: 0, -EINVAL out of bounds, -EFAULT for a bad @result, -EINTR.
 */
int mymem_buf_add_user(loff_t pos, u64 delta, u64 __user *result)
{
	long missing;
	u64 val;

	if (!mymem_u64_in_bounds(pos))
		return mymem_account_add(pos, delta, -EINVAL);

	for (;;) {
		if (mymem_write_lock_killable())
			return mymem_account_add(pos, delta, -EINTR);
		val = get_unaligned_le64(mymem.data + pos) + delta;
		missing = copy_to_user_nofault(result, &val, sizeof(val));
		if (!missing) {
			mymem_write_begin();
			put_unaligned_le64(val, mymem.data + pos);
			mymem_write_end();
		}
		mymem_write_unlock();
		if (!missing)
			return mymem_account_add(pos, delta, 0);
		this_cpu_inc(mymem_stats.fault_retries);
		if (fault_in_safe_writeable((const char __user *)result,
					    sizeof(*result)))
			return mymem_account_add(pos, delta, -EFAULT);
	}
}

/**
 * mymem_stats_sum() - add up the per-CPU counters
 * @sum: receives the totals
 *
 * Each CPU's counters change under our feet: the marked loads give a
 * snapshot that may miss an increment in flight, which is all a statistic
 * needs, and keep KCSAN informed that the race is intended.
 */
void mymem_stats_sum(struct mymem_stats *sum)
{
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct mymem_stats *s = per_cpu_ptr(&mymem_stats, cpu);

		sum->reads += READ_ONCE(s->reads);
		sum->writes += READ_ONCE(s->writes);
		sum->seeks += READ_ONCE(s->seeks);
		sum->adds += READ_ONCE(s->adds);
		sum->bytes_read += READ_ONCE(s->bytes_read);
		sum->bytes_written += READ_ONCE(s->bytes_written);
		sum->errors += READ_ONCE(s->errors);
		sum->read_retries += READ_ONCE(s->read_retries);
		sum->fault_retries += READ_ONCE(s->fault_retries);
		sum->opens += READ_ONCE(s->opens);
		sum->closes += READ_ONCE(s->closes);
	}
}

/**
 * mymem_buf_init() - allocate the zeroed buffer
 * @size: bytes, already validated by the caller
 *
 * Return: 0 or -ENOMEM.
 */
int mymem_buf_init(size_t size)
{
#ifdef MYMEM_LOCK_RWSEM
	init_rwsem(&mymem.lock);
#else
	mutex_init(&mymem.lock);
#endif
	seqcount_init(&mymem.seq);
	mymem.data = kvzalloc(size, GFP_KERNEL | __GFP_NOWARN);
	if (!mymem.data) {
		pr_err("cannot allocate a buffer of %zu bytes\n", size);
		return -ENOMEM;
	}
	mymem.size = size;
	return 0;
}

/**
 * mymem_buf_exit() - free the buffer; safe after a failed or no init
 */
void mymem_buf_exit(void)
{
	kvfree(mymem.data);
	mymem.data = NULL;
	mymem.size = 0;
}
