// SPDX-License-Identifier: GPL-2.0
/*
 * mymem_core: module parameters and lifecycle.
 *
 * Init builds the buffer, then debugfs, then /dev/mymem (last, because it
 * opens the buffer to user space).  Any failure unwinds through
 * mymem_cleanup(), the same function module_exit runs, which tolerates a
 * half-built state.  The exported API is usable by other modules only once
 * init has returned 0: the module loader does not resolve symbols of a
 * module that is still initialising.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "mymem_core.h"

static ulong size = MYMEM_DEFAULT_SIZE;
module_param(size, ulong, 0444);
MODULE_PARM_DESC(size, "buffer size in bytes, 1..1073741824 (default 524288)");

static uint stripe_shift;
module_param(stripe_shift, uint, 0444);
MODULE_PARM_DESC(stripe_shift, "stripes of 2^stripe_shift bytes, 6..30, at most 1024 of them; 0 (default): 4 KiB, or larger for more than 4 MiB");

static ushort mode = 0600;
module_param(mode, ushort, 0444);
MODULE_PARM_DESC(mode, "permission bits of /dev/mymem, within 0666 (default 0600)");

static void mymem_cleanup(void)
{
	mymem_dev_exit();
	mymem_debugfs_exit();
	mymem_buf_exit();
}

static int __init mymem_init(void)
{
	int ret;

	if (size < 1 || size > MYMEM_MAX_SIZE) {
		pr_err("invalid size=%lu: allowed 1..%lu bytes\n",
		       size, MYMEM_MAX_SIZE);
		return -EINVAL;
	}
	if (mode & ~0666) {
		pr_err("invalid mode=0%o: allowed permission bits within 0666\n",
		       mode);
		return -EINVAL;
	}

	ret = mymem_buf_init(size, stripe_shift);
	if (ret)
		goto fail;
	stripe_shift = mymem.stripe_shift;	/* the one in effect, for sysfs */
	mymem_debugfs_init();
	ret = mymem_dev_init(mode);
	if (ret)
		goto fail;

	pr_info("%lu-byte buffer ready in %u stripes of %lu bytes, /dev/mymem mode 0%o\n",
		size, mymem.nr_stripes, 1UL << mymem.stripe_shift, mode);
	return 0;

fail:
	mymem_cleanup();
	return ret;
}

static void __exit mymem_exit(void)
{
	mymem_cleanup();
	pr_info("unloaded\n");
}

module_init(mymem_init);
module_exit(mymem_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The mymem developers");
MODULE_DESCRIPTION("mymem: a shared in-kernel byte buffer, its API and /dev/mymem");
