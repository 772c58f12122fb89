// SPDX-License-Identifier: GPL-2.0
/*
 * mymem_core: /dev/mymem, the buffer as a fixed-size file.
 *
 * Each open file has its own position (f_pos).  read(2), write(2),
 * pread(2), pwrite(2), readv(2) and writev(2) have the semantics of
 * include/linux/mymem.h; lseek(2) accepts SEEK_SET, SEEK_CUR and SEEK_END
 * (relative to the buffer size) and keeps the position in [0, size].
 * An appending write (O_APPEND, RWF_APPEND) is a write at the end: -ENOSPC.
 * The ioctls are in include/uapi/linux/mymem.h.
 *
 * User memory can fault for as long as user space likes (userfaultfd,
 * FUSE, reclaim), so no stripe lock and no read section is ever held while
 * a fault is serviced: a write copies a small source in, or holds the
 * pages of a larger one, before it locks; a read copies out with page
 * faults disabled and starts again after faulting a missing page in; and
 * ADD_U64 stores its result the same way.  Every retry must make progress,
 * so every call ends.  With IOCB_NOWAIT (RWF_NOWAIT, io_uring's first try)
 * nothing waits for a lock held by another call or for a fault: the call
 * is short or -EAGAIN.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bvec.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mymem.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include <mymem_compat.h>
#include "mymem_core.h"

/*
 * The device's copy steps: user memory through an iov_iter, with page
 * faults disabled, so a missing page ends the copy short.  Under the locks
 * or in a read section nothing may sleep.
 */
static __always_inline size_t mymem_iter_out(void *to, u8 *buf, size_t n)
{
	size_t done;

	pagefault_disable();
	done = copy_to_iter(buf, n, to);
	pagefault_enable();
	return done;
}

static __always_inline size_t mymem_iter_in(void *from, u8 *buf, size_t n)
{
	size_t done;

	pagefault_disable();
	done = copy_from_iter(buf, n, from);
	pagefault_enable();
	return done;
}

static void mymem_iter_revert(void *it, size_t n)
{
	iov_iter_revert(it, n);
}

static const struct mymem_copy mymem_user_out = {
	.copy = mymem_iter_out, .revert = mymem_iter_revert,
};

static const struct mymem_copy mymem_user_in = { .copy = mymem_iter_in };

/*
 * What a transfer that stopped at a fault after @done bytes returns: those
 * bytes, or with none the reason it stopped.
 */
static ssize_t mymem_fault_result(size_t done, bool nowait)
{
	if (done)
		return done;
	if (nowait)
		return -EAGAIN;
	return fatal_signal_pending(current) ? -EINTR : -EFAULT;
}

/*
 * A missing destination page is faulted in with nothing held and the read
 * starts again, so the caller gets one snapshot.  Each pass must copy more
 * than the one before it, so a destination that faults again and again
 * (reclaim, fault injection) ends the read: with the bytes of its last
 * pass, or -EFAULT.  So does a fatal signal.  With IOCB_NOWAIT nothing is
 * faulted in: the bytes copied, or -EAGAIN.
 */
static ssize_t mymem_read_user(loff_t pos, struct iov_iter *to, bool nowait)
{
	size_t len = iov_iter_count(to);
	ssize_t n = mymem_span(pos, len, false), done, prev;

	if (n <= 0)
		return mymem_account_read(pos, len, n);
	for (prev = -1;; prev = done) {
		done = mymem_read_span(pos, n, nowait, &mymem_user_out, to);
		if (done < 0 || done == n)
			break;
		if (nowait || done <= prev || fatal_signal_pending(current)) {
			done = mymem_fault_result(done, nowait);
			break;
		}
		iov_iter_revert(to, done);
		mymem_count(MYMEM_STAT_FAULT_RETRIES, 1);
		n -= fault_in_iov_iter_writeable(to, n);
		if (!n) {
			done = -EFAULT;
			break;
		}
	}
	return mymem_account_read(pos, len, done);
}

/*
 * The pages of a user source, held by reference while the copy into the
 * buffer runs under the stripe locks, where they cannot fault.  Small
 * writes need no allocation.
 */
#define MYMEM_INLINE_BVECS	8

struct mymem_user_src {
	struct iov_iter iter;
	struct bio_vec *bvec;
	unsigned int nr;
	struct bio_vec inline_bvec[MYMEM_INLINE_BVECS];
};

static void mymem_user_src_put(struct mymem_user_src *src)
{
	unsigned int i;

	for (i = 0; i < src->nr; i++)
		put_page(src->bvec[i].bv_page);
	if (src->bvec != src->inline_bvec)
		kvfree(src->bvec);
}

/*
 * Hold the pages behind the first @n bytes of @from, as far as they can be
 * faulted in, and describe them in src->iter.
 * Return: the bytes held (short at the first page that cannot be held), or
 * when that is the first one the error of holding it (-EFAULT: not there,
 * or memory that cannot be held, such as VM_PFNMAP or memfd_secret), or
 * -ENOMEM.
 */
static ssize_t mymem_user_src_get(struct mymem_user_src *src,
				  struct iov_iter *from, size_t n)
{
	/* each segment adds at most two partial pages */
	size_t max = DIV_ROUND_UP(n, PAGE_SIZE) + 2 * max(from->nr_segs, 1UL);
	struct page *pages[16];
	size_t held = 0, start, len;
	ssize_t got = -EFAULT;
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
		mymem_user_src_put(src);
		return got ?: -EFAULT;
	}
	iov_iter_bvec(&src->iter, ITER_SOURCE, src->bvec, src->nr, held);
	return held;
}

/*
 * A write of up to this many bytes is copied in first, with nothing held,
 * and then from that copy under the stripe lock: for a few bytes a second
 * copy costs less than holding the source page.
 */
#define MYMEM_SMALL_WRITE	64

/*
 * The source is copied in (small writes) or its pages are held, so the
 * copy under the locks cannot fault.  Memory that cannot be held but can
 * be read (VM_PFNMAP, memfd_secret) is faulted in and copied from
 * directly with faults disabled, as IOCB_NOWAIT writes are: every source
 * a read accepts as its destination, a write accepts at every size.  A
 * source that cannot be read after k bytes gives a write of those k; at
 * the first byte -EFAULT (-EAGAIN for IOCB_NOWAIT), and nothing changes.
 */
static ssize_t mymem_write_user(loff_t pos, struct iov_iter *from, bool nowait)
{
	size_t len = iov_iter_count(from);
	ssize_t n = mymem_span(pos, len, true), held;
	u8 small[MYMEM_SMALL_WRITE];
	struct mymem_user_src src;
	struct iov_iter copied;
	struct kvec kv;

	if (n <= 0)
		return mymem_account_write(pos, len, n);
	if (nowait || !user_backed_iter(from)) {
		n = mymem_write_span(pos, n, nowait, &mymem_user_in, from);
	} else if (n <= sizeof(small)) {
		n = copy_from_iter(small, n, from);
		kv = (struct kvec){ .iov_base = small, .iov_len = n };
		iov_iter_kvec(&copied, ITER_SOURCE, &kv, 1, n);
		if (n)
			n = mymem_write_span(pos, n, false, &mymem_user_in, &copied);
	} else {
		held = mymem_user_src_get(&src, from, n);
		if (held > 0) {
			n = mymem_write_span(pos, held, false, &mymem_user_in, &src.iter);
			mymem_user_src_put(&src);
		} else if (held == -EFAULT) {
			/* memory that cannot be held: copy it if it can be read */
			n -= fault_in_iov_iter_readable(from, n);
			if (n)
				n = mymem_write_span(pos, n, false, &mymem_user_in, from);
		} else {
			n = held;
		}
	}
	if (!n)
		n = mymem_fault_result(0, nowait);
	return mymem_account_write(pos, len, n);
}

static ssize_t mymem_dev_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	ssize_t ret = mymem_read_user(iocb->ki_pos, to,
				      iocb->ki_flags & IOCB_NOWAIT);

	if (ret > 0)
		iocb->ki_pos += ret;
	return ret;
}

static ssize_t mymem_dev_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	ssize_t ret;

	/*
	 * O_APPEND and RWF_APPEND write at the end of the file, and nothing
	 * fits at the end of a fixed-size buffer: -ENOSPC, as any write
	 * there.  Silently writing at the file position instead would
	 * overwrite what the caller asked to keep.
	 */
	if (iocb->ki_flags & IOCB_APPEND)
		iocb->ki_pos = mymem_size();
	ret = mymem_write_user(iocb->ki_pos, from, iocb->ki_flags & IOCB_NOWAIT);
	if (ret > 0)
		iocb->ki_pos += ret;
	return ret;
}

static loff_t mymem_dev_llseek(struct file *file, loff_t offset, int whence)
{
	loff_t ret = fixed_size_llseek(file, offset, whence, mymem_size());

	mymem_account_seek(offset, whence, ret);
	return ret;
}

/*
 * The result is stored before the buffer changes, so a bad result pointer
 * changes nothing.  It is stored under the stripe locks with page faults
 * disabled; on a missing page the locks are dropped, the page faulted in,
 * and the add starts again, once: a store that faults again right after
 * its page was faulted in is -EFAULT, and nothing changed.
 */
static int mymem_add_user(loff_t pos, u64 delta, u64 __user *result)
{
	struct mymem_range r;
	long missing = 1;
	int ret, pass;
	u64 val;

	if (!mymem_u64_in_bounds(pos))
		return mymem_account_add(pos, delta, -EINVAL);
	r = mymem_range(pos, sizeof(u64));
	for (pass = 0; missing && pass < 2; pass++) {
		if (pass) {
			mymem_count(MYMEM_STAT_FAULT_RETRIES, 1);
			if (fault_in_safe_writeable((const char __user *)result,
						    sizeof(*result)))
				break;
		}
		ret = mymem_lock_range(r, false);
		if (ret)
			return mymem_account_add(pos, delta, ret);
		val = get_unaligned_le64(mymem.data + pos) + delta;
		missing = copy_to_user_nofault(result, &val, sizeof(val));
		if (!missing) {
			mymem_write_begin(r);
			put_unaligned_le64(val, mymem.data + pos);
			mymem_write_end(r);
		}
		mymem_unlock_range(r);
	}
	return mymem_account_add(pos, delta, missing ? -EFAULT : 0);
}

/* The add reads the buffer as much as it writes it: it needs both modes. */
static long mymem_ioc_add(struct file *file, struct mymem_add __user *uarg)
{
	struct mymem_add arg;

	if ((file->f_mode & (FMODE_READ | FMODE_WRITE)) !=
	    (FMODE_READ | FMODE_WRITE))
		return -EBADF;
	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	return mymem_add_user(arg.offset, arg.delta, &uarg->result);
}

static long mymem_dev_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case MYMEM_IOC_ADD_U64:
		return mymem_ioc_add(file, argp);
	case MYMEM_IOC_GET_SIZE:
		return put_user((u64)mymem_size(), (u64 __user *)argp);
	default:
		return -ENOTTY;
	}
}

static int mymem_dev_open(struct inode *inode, struct file *file)
{
	/*
	 * POSIX wants read, write and lseek on one open file description to
	 * update its offset atomically, even when threads share it.  The VFS
	 * does that (f_pos_lock) only for files that ask for it.
	 */
	file->f_mode |= FMODE_ATOMIC_POS;
	/* IOCB_NOWAIT is honoured: -EAGAIN instead of a wait or a fault */
	file->f_mode |= FMODE_NOWAIT;
	mymem_count(MYMEM_STAT_OPENS, 1);
	return 0;
}

static int mymem_dev_release(struct inode *inode, struct file *file)
{
	mymem_count(MYMEM_STAT_CLOSES, 1);
	return 0;
}

static const struct file_operations mymem_fops = {
	.owner		= THIS_MODULE,
	.open		= mymem_dev_open,
	.release	= mymem_dev_release,
	.read_iter	= mymem_dev_read_iter,
	.write_iter	= mymem_dev_write_iter,
	.llseek		= mymem_dev_llseek,
	.unlocked_ioctl	= mymem_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice mymem_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "mymem",
	.fops	= &mymem_fops,
};

static bool mymem_misc_registered;

/**
 * mymem_dev_init() - register /dev/mymem
 * @mode: permission bits of the device node
 *
 * Return: 0 or the error of misc_register().
 */
int mymem_dev_init(umode_t mode)
{
	int ret;

	mymem_misc.mode = mode;
	ret = misc_register(&mymem_misc);
	if (ret) {
		pr_err("cannot register /dev/mymem: %d\n", ret);
		return ret;
	}
	mymem_misc_registered = true;
	return 0;
}

/**
 * mymem_dev_exit() - unregister /dev/mymem; safe if it was never registered
 */
void mymem_dev_exit(void)
{
	if (mymem_misc_registered)
		misc_deregister(&mymem_misc);
	mymem_misc_registered = false;
}
