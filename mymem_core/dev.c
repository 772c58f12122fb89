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
 * ADD_U64 stores its result the same way.
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

/* Copy out without sleeping: a missing page ends the copy short. */
static size_t mymem_copy_to_iter_nofault(loff_t pos, size_t n,
					 struct iov_iter *to)
{
	size_t done;

	pagefault_disable();
	done = copy_to_iter(mymem.data + pos, n, to);
	pagefault_enable();
	return done;
}

/* One snapshot of [pos, pos + n); short only at a missing page. */
static size_t mymem_read_user_once(loff_t pos, size_t n, struct iov_iter *to)
{
	struct mymem_range r = mymem_range(pos, n);
	size_t done;
	u64 snap;

	if (mymem_read_begin(r, &snap)) {
		done = mymem_copy_to_iter_nofault(pos, n, to);
		if (mymem_read_valid(r, snap))
			return done;
		iov_iter_revert(to, done);
	}
	mymem_count(MYMEM_STAT_READ_RETRIES, 1);
	mymem_lock_range(r);
	done = mymem_copy_to_iter_nofault(pos, n, to);
	mymem_unlock_range(r);
	return done;
}

/*
 * A missing destination page is faulted in with nothing held and the read
 * starts again, so the caller gets one snapshot.  A destination that
 * cannot be faulted in after k bytes gives a read of those k; at the
 * first byte, -EFAULT.
 */
static ssize_t mymem_read_user(loff_t pos, struct iov_iter *to)
{
	size_t len = iov_iter_count(to), done;
	ssize_t n = mymem_span(pos, len, false);

	if (n <= 0)
		return mymem_account_read(pos, len, n);
	for (;;) {
		done = mymem_read_user_once(pos, n, to);
		if (done == n)
			return mymem_account_read(pos, len, n);
		iov_iter_revert(to, done);
		mymem_count(MYMEM_STAT_FAULT_RETRIES, 1);
		n -= fault_in_iov_iter_writeable(to, n);
		if (!n)
			return mymem_account_read(pos, len, -EFAULT);
	}
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
 * Return: the bytes held (short at the first page that cannot be faulted
 * in), -EFAULT when that is the first one, or -ENOMEM.
 */
static ssize_t mymem_user_src_get(struct mymem_user_src *src,
				  struct iov_iter *from, size_t n)
{
	/* each segment adds at most two partial pages */
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
		mymem_user_src_put(src);
		return -EFAULT;
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
 * A source that cannot be faulted in after k bytes gives a write of those
 * k; at the first byte, -EFAULT and nothing changes.
 */
static ssize_t mymem_write_user(loff_t pos, struct iov_iter *from)
{
	size_t len = iov_iter_count(from);
	ssize_t n = mymem_span(pos, len, true);
	struct iov_iter *it = from, copied;
	u8 small[MYMEM_SMALL_WRITE];
	struct mymem_user_src src;
	struct mymem_range r;
	struct kvec kv;

	if (n <= 0)
		return mymem_account_write(pos, len, n);
	if (user_backed_iter(from) && n <= sizeof(small)) {
		n = copy_from_iter(small, n, from);
		if (!n)
			return mymem_account_write(pos, len, -EFAULT);
		kv = (struct kvec){ .iov_base = small, .iov_len = n };
		iov_iter_kvec(&copied, ITER_SOURCE, &kv, 1, n);
		it = &copied;
	} else if (user_backed_iter(from)) {
		n = mymem_user_src_get(&src, from, n);
		if (n < 0)
			return mymem_account_write(pos, len, n);
		it = &src.iter;
	}
	r = mymem_range(pos, n);
	mymem_lock_range(r);
	mymem_write_begin(r);
	mymem_kcsan_check(pos, n, KCSAN_ACCESS_WRITE);
	n = copy_from_iter(mymem.data + pos, n, it);
	mymem_write_end(r);
	mymem_unlock_range(r);
	if (it == &src.iter)
		mymem_user_src_put(&src);
	return mymem_account_write(pos, len, n);
}

static ssize_t mymem_dev_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	ssize_t ret = mymem_read_user(iocb->ki_pos, to);

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
	ret = mymem_write_user(iocb->ki_pos, from);
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
 * and the add starts again, as futexes do.
 */
static int mymem_add_user(loff_t pos, u64 delta, u64 __user *result)
{
	struct mymem_range r;
	long missing;
	u64 val;

	if (!mymem_u64_in_bounds(pos))
		return mymem_account_add(pos, delta, -EINVAL);
	r = mymem_range(pos, sizeof(u64));
	for (;;) {
		mymem_lock_range(r);
		val = get_unaligned_le64(mymem.data + pos) + delta;
		missing = copy_to_user_nofault(result, &val, sizeof(val));
		if (!missing) {
			mymem_write_begin(r);
			put_unaligned_le64(val, mymem.data + pos);
			mymem_write_end(r);
		}
		mymem_unlock_range(r);
		if (!missing)
			return mymem_account_add(pos, delta, 0);
		mymem_count(MYMEM_STAT_FAULT_RETRIES, 1);
		if (fault_in_safe_writeable((const char __user *)result,
					    sizeof(*result)))
			return mymem_account_add(pos, delta, -EFAULT);
	}
}

static long mymem_ioc_add(struct file *file, struct mymem_add __user *uarg)
{
	struct mymem_add arg;

	if (!(file->f_mode & FMODE_WRITE))
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
