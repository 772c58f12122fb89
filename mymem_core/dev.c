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
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mymem.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include "mymem_core.h"

static int mymem_dev_open(struct inode *inode, struct file *file)
{
	/*
	 * POSIX wants read, write and lseek on one open file description to
	 * update its offset atomically, even when threads share it.  The VFS
	 * does that (f_pos_lock) only for files that ask for it.
	 */
	file->f_mode |= FMODE_ATOMIC_POS;
	this_cpu_inc(mymem_stats.opens);
	return 0;
}

static int mymem_dev_release(struct inode *inode, struct file *file)
{
	this_cpu_inc(mymem_stats.closes);
	return 0;
}

static ssize_t mymem_dev_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	ssize_t ret = mymem_buf_read_iter(iocb->ki_pos, to);

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
	ret = mymem_buf_write_iter(iocb->ki_pos, from);

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

static long mymem_ioc_add(struct file *file, struct mymem_add __user *uarg)
{
	struct mymem_add arg;

	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;
	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	return mymem_buf_add_user(arg.offset, arg.delta, &uarg->result);
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
