// SPDX-License-Identifier: GPL-2.0
/*
 * mymem_core: the buffer, its lock, and the exported API.
 *
 * Locking (see docs/DESIGN.md for the measurements behind it):
 *
 *  - Writers (write, pwrite, add) serialise on mymem.lock, a mutex, and
 *    bracket their stores with mymem.seq: the count is odd while a writer
 *    is changing the bytes.  A writer may sleep with the count odd (a
 *    user-space source can fault), so the plain seqcount_t is driven with
 *    the raw_ primitives, which neither disable preemption nor expect it
 *    disabled.
 *
 *  - Readers take no lock.  They sample the count, copy, and check the
 *    count again.  If a writer was active when they started or finished
 *    while they copied, they copy again under the mutex.  A reader never
 *    spins waiting for an even count: it sleeps on the mutex instead, so a
 *    sleeping writer cannot make readers burn a CPU, and a reader needs at
 *    most two passes.
 *
 * Both passes see a complete state: every call is atomic with respect to
 * every other, and no write is lost because writers are mutually exclusive.
 * Two readers share only the read-mostly sequence count, so they proceed
 * in parallel without bouncing a cache line between CPUs.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/mymem.h>
#include <linux/overflow.h>
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

static ssize_t mymem_done_read(loff_t pos, size_t len, ssize_t ret)
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

static ssize_t mymem_done_write(loff_t pos, size_t len, ssize_t ret)
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

static int mymem_done_add(loff_t pos, u64 delta, int ret)
{
	trace_mymem_add(pos, delta, ret);
	if (ret)
		this_cpu_inc(mymem_stats.errors);
	else
		this_cpu_inc(mymem_stats.adds);
	return ret;
}

/**
 * mymem_buf_note_seek() - account for a seek done elsewhere
 * @offset: the requested offset
 * @whence: SEEK_SET, SEEK_CUR or SEEK_END
 * @ret:    the new position, or a negative errno
 */
void mymem_buf_note_seek(loff_t offset, int whence, loff_t ret)
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
		return mymem_done_read(pos, len, n);

	if (mymem_lockless_begin(&seq)) {
		memcpy(buf, mymem.data + pos, n);
		if (mymem_lockless_valid(seq))
			return mymem_done_read(pos, len, n);
	}
	mymem_read_lock();
	memcpy(buf, mymem.data + pos, n);
	mymem_read_unlock();
	return mymem_done_read(pos, len, n);
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
		return mymem_done_write(pos, len, n);

	mymem_write_lock();
	mymem_write_begin();
	memcpy(mymem.data + pos, buf, n);
	mymem_write_end();
	mymem_write_unlock();
	return mymem_done_write(pos, len, n);
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
		return mymem_done_add(pos, delta, -EINVAL);

	mymem_write_lock();
	mymem_write_begin();
	val = get_unaligned_le64(mymem.data + pos) + delta;
	put_unaligned_le64(val, mymem.data + pos);
	mymem_write_end();
	mymem_write_unlock();

	if (result)
		*result = val;
	return mymem_done_add(pos, delta, 0);
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
	mymem_buf_note_seek(offset, whence, pos);
	return pos;
}
EXPORT_SYMBOL_GPL(mymem_seek);

/**
 * mymem_buf_read_iter() - read for /dev/mymem
 * @pos: byte offset in the buffer
 * @to:  destination (user memory)
 *
 * Like mymem_pread(), copying straight to user space.  A fault after some
 * bytes gives a short read; a fault on the first byte gives -EFAULT.
 *
 * Return: bytes read, or a negative errno.
 */
ssize_t mymem_buf_read_iter(loff_t pos, struct iov_iter *to)
{
	size_t len = iov_iter_count(to);
	ssize_t n = mymem_span(pos, len, false);
	unsigned int seq;
	size_t done;

	if (n <= 0)
		return mymem_done_read(pos, len, n);

	if (mymem_lockless_begin(&seq)) {
		done = copy_to_iter(mymem.data + pos, n, to);
		if (mymem_lockless_valid(seq))
			goto out;
		iov_iter_revert(to, done);
	}
	if (mymem_read_lock_killable())
		return mymem_done_read(pos, len, -EINTR);
	done = copy_to_iter(mymem.data + pos, n, to);
	mymem_read_unlock();
out:
	return mymem_done_read(pos, len, done ? (ssize_t)done : -EFAULT);
}

/**
 * mymem_buf_write_iter() - write for /dev/mymem
 * @pos:  byte offset in the buffer
 * @from: source (user memory)
 *
 * Like mymem_pwrite(), copying straight from user space under the writers'
 * mutex.  A fault after some bytes gives a short write of exactly those
 * bytes; a fault on the first byte gives -EFAULT and changes nothing.
 *
 * Return: bytes written, or a negative errno.
 */
ssize_t mymem_buf_write_iter(loff_t pos, struct iov_iter *from)
{
	size_t len = iov_iter_count(from);
	ssize_t n = mymem_span(pos, len, true);
	size_t done;

	if (n <= 0)
		return mymem_done_write(pos, len, n);

	if (mymem_write_lock_killable())
		return mymem_done_write(pos, len, -EINTR);
	mymem_write_begin();
	done = copy_from_iter(mymem.data + pos, n, from);
	mymem_write_end();
	mymem_write_unlock();
	return mymem_done_write(pos, len, done ? (ssize_t)done : -EFAULT);
}

/**
 * mymem_buf_add_user() - MYMEM_IOC_ADD_U64
 * @pos:    byte offset of the integer
 * @delta:  value to add
 * @result: user address that receives the new value
 *
 * The new value is stored to user space before the buffer changes, under
 * the mutex: if that store faults, the buffer is left as it was.
 *
 * Return: 0, -EINVAL out of bounds, -EFAULT for a bad @result, -EINTR.
 */
int mymem_buf_add_user(loff_t pos, u64 delta, u64 __user *result)
{
	int ret = 0;
	u64 val;

	if (!mymem_u64_in_bounds(pos))
		return mymem_done_add(pos, delta, -EINVAL);

	if (mymem_write_lock_killable())
		return mymem_done_add(pos, delta, -EINTR);
	val = get_unaligned_le64(mymem.data + pos) + delta;
	if (put_user(val, result)) {
		ret = -EFAULT;
	} else {
		mymem_write_begin();
		put_unaligned_le64(val, mymem.data + pos);
		mymem_write_end();
	}
	mymem_write_unlock();
	return mymem_done_add(pos, delta, ret);
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
