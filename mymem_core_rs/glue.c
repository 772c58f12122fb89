// SPDX-License-Identifier: GPL-2.0
/*
 * mymem_core_rs: the C half of the Rust core.  The API's calls are Rust
 * functions of mymem_rs.rs, with the C ABI and the names of
 * include/linux/mymem.h; this file exports them, holds the module
 * parameters, and offers /dev/mymem, for which 6.12's Rust has no misc
 * device and no iov_iter yet, and debugfs mymem/size, as the C core does
 * (not its stats).
 *
 * /dev/mymem keeps the C core's file semantics, but no lock is held while
 * user memory faults: a read takes its snapshot into a bounce buffer and
 * copies that out; a write copies in first (as far as the source can be
 * read) and then writes the copy.  It does not offer IOCB_NOWAIT (no
 * FMODE_NOWAIT): the mutex cannot be tried.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mymem.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include "glue.h"

#define MYMEM_RS_MAX_SIZE	((ulong)SZ_1G)

/* the API's functions are Rust's, defined in mymem_rs.rs */
EXPORT_SYMBOL_GPL(mymem_open);
EXPORT_SYMBOL_GPL(mymem_close);
EXPORT_SYMBOL_GPL(mymem_read);
EXPORT_SYMBOL_GPL(mymem_write);
EXPORT_SYMBOL_GPL(mymem_seek);
EXPORT_SYMBOL_GPL(mymem_pread);
EXPORT_SYMBOL_GPL(mymem_pwrite);
EXPORT_SYMBOL_GPL(mymem_add_u64);
EXPORT_SYMBOL_GPL(mymem_size);

static ulong size = 512 * 1024;
module_param(size, ulong, 0444);
MODULE_PARM_DESC(size, "buffer size in bytes, 1..1073741824 (default 524288)");

static ushort mode = 0600;
module_param(mode, ushort, 0444);
MODULE_PARM_DESC(mode, "permission bits of /dev/mymem, within 0666 (default 0600)");

/* The checked size parameter, or -EINVAL after one line saying why. */
ssize_t mymem_rs_param_size(void)
{
	if (size < 1 || size > MYMEM_RS_MAX_SIZE) {
		pr_err("invalid size=%lu: allowed 1..%lu bytes\n",
		       size, MYMEM_RS_MAX_SIZE);
		return -EINVAL;
	}
	if (mode & ~0666) {
		pr_err("invalid mode=0%o: allowed permission bits within 0666\n",
		       mode);
		return -EINVAL;
	}
	return size;
}

/*
 * A read is a snapshot taken into a bounce buffer, copied out with page
 * faults disabled.  If the destination was not all there, it is faulted
 * in and a second snapshot is copied out (faults allowed): the read ends
 * after its faults, as the C core's does, short or -EFAULT if the memory
 * still cannot take it.
 */
static ssize_t mymem_rs_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	size_t len = min(iov_iter_count(to), mymem_size());
	ssize_t n, done;
	void *bounce;

	if (!len || iocb->ki_pos >= mymem_size())
		return mymem_pread(NULL, 0, iocb->ki_pos);
	bounce = kvmalloc(len, GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;
	n = mymem_pread(bounce, len, iocb->ki_pos);
	pagefault_disable();
	done = n > 0 ? copy_to_iter(bounce, n, to) : n;
	pagefault_enable();
	if (done >= 0 && done < n) {
		iov_iter_revert(to, done);
		fault_in_iov_iter_writeable(to, n);
		n = mymem_pread(bounce, len, iocb->ki_pos);
		done = n > 0 ? copy_to_iter(bounce, n, to) : n;
	}
	kvfree(bounce);
	if (!done && n > 0)
		return -EFAULT;
	if (done > 0)
		iocb->ki_pos += done;
	return done;
}

static ssize_t mymem_rs_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	size_t len = min(iov_iter_count(from), mymem_size());
	ssize_t n;
	void *bounce;

	/* appending means writing at the end, where nothing fits */
	if (iocb->ki_flags & IOCB_APPEND)
		iocb->ki_pos = mymem_size();
	if (!len || iocb->ki_pos >= mymem_size())
		return mymem_pwrite(NULL, iov_iter_count(from), iocb->ki_pos);
	bounce = kvmalloc(len, GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;
	n = copy_from_iter(bounce, len, from);
	n = n ? mymem_pwrite(bounce, n, iocb->ki_pos) : -EFAULT;
	kvfree(bounce);
	if (n > 0)
		iocb->ki_pos += n;
	return n;
}

static loff_t mymem_rs_llseek(struct file *file, loff_t offset, int whence)
{
	return fixed_size_llseek(file, offset, whence, mymem_size());
}

/* The result's place is checked before the add, so -EFAULT changes nothing. */
static long mymem_rs_ioc_add(struct file *file, struct mymem_add __user *uarg)
{
	struct mymem_add arg;
	int ret;

	if ((file->f_mode & (FMODE_READ | FMODE_WRITE)) !=
	    (FMODE_READ | FMODE_WRITE))
		return -EBADF;
	if (copy_from_user(&arg, uarg, sizeof(arg)) ||
	    put_user(arg.result, &uarg->result))
		return -EFAULT;
	ret = mymem_add_u64(arg.offset, arg.delta, &arg.result);
	if (ret)
		return ret;
	return put_user(arg.result, &uarg->result);
}

static long mymem_rs_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case MYMEM_IOC_ADD_U64:
		return mymem_rs_ioc_add(file, argp);
	case MYMEM_IOC_GET_SIZE:
		return put_user((u64)mymem_size(), (u64 __user *)argp);
	default:
		return -ENOTTY;
	}
}

static int mymem_rs_open(struct inode *inode, struct file *file)
{
	file->f_mode |= FMODE_ATOMIC_POS;
	return 0;
}

static const struct file_operations mymem_rs_fops = {
	.owner		= THIS_MODULE,
	.open		= mymem_rs_open,
	.read_iter	= mymem_rs_read_iter,
	.write_iter	= mymem_rs_write_iter,
	.llseek		= mymem_rs_llseek,
	.unlocked_ioctl	= mymem_rs_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice mymem_rs_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "mymem",
	.fops	= &mymem_rs_fops,
};

static bool mymem_rs_registered;
static struct dentry *mymem_rs_debugfs;

/* /dev/mymem and debugfs mymem/size (best effort, as debugfs is) */
int mymem_rs_dev_init(void)
{
	int ret;

	mymem_rs_debugfs = debugfs_create_dir("mymem", NULL);
	debugfs_create_ulong("size", 0444, mymem_rs_debugfs, &size);
	mymem_rs_misc.mode = mode;
	ret = misc_register(&mymem_rs_misc);
	if (ret) {
		pr_err("cannot register /dev/mymem: %d\n", ret);
		return ret;
	}
	mymem_rs_registered = true;
	return 0;
}

/* safe when mymem_rs_dev_init() failed or never ran */
void mymem_rs_dev_exit(void)
{
	if (mymem_rs_registered)
		misc_deregister(&mymem_rs_misc);
	mymem_rs_registered = false;
	debugfs_remove(mymem_rs_debugfs);
	mymem_rs_debugfs = NULL;
}
