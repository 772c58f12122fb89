// SPDX-License-Identifier: GPL-2.0
/*
 * mymem_core: handles.  A handle is a position over the positional API of
 * buffer.c, as a struct file is over pread and pwrite.
 */

#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mymem.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "mymem_core.h"

/**
 * struct mymem_handle - an open handle on the buffer
 * @pos: the handle's position, in [0, mymem.size]
 */
struct mymem_handle {
	loff_t pos;
};

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
	mymem_count(MYMEM_STAT_OPENS, 1);
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
	mymem_count(MYMEM_STAT_CLOSES, 1);
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
 * Context: Process context; sleeps on the locks of the stripes written.
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
