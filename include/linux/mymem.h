/* SPDX-License-Identifier: GPL-2.0 */
/**
 * DOC: the in-kernel API of mymem_core
 *
 * mymem_core owns one zeroed byte buffer of mymem_size() bytes.  Other
 * modules reach it through the calls below; user space reaches the same
 * buffer through /dev/mymem (include/uapi/linux/mymem.h).
 *
 * Shared semantics of every transfer call:
 *  - a negative position is -EINVAL;
 *  - a length of 0 returns 0;
 *  - a read at or past the end returns 0; a read that crosses the end is
 *    short and returns the bytes read;
 *  - a write that starts at or past the end is -ENOSPC; a write that
 *    crosses the end is short and returns the bytes written;
 *  - every call is atomic with respect to every other call, from any
 *    module or from user space: a read never returns part of a concurrent
 *    write, and no write is lost.
 *  - every transfer call may sleep, and says so on every call
 *    (might_sleep(), in the mutex for the calls that write); a wait
 *    for the locks ends early with -EINTR on a fatal signal, and then
 *    nothing was transferred.
 *
 * A handle carries a position, like a struct file.  One handle belongs to
 * one thread at a time: calls on the same handle from two threads at once
 * must be serialised by the caller.  Distinct handles are independent.
 *
 * The positional calls and mymem_size() are in mymem_core/buffer.c, the
 * handle calls in mymem_core/handle.c; all are exported with
 * EXPORT_SYMBOL_GPL.  A module that calls them depends on mymem_core
 * through those symbols: modprobe loads the core first, and the core
 * cannot be unloaded while such a module is loaded.
 */
#ifndef _LINUX_MYMEM_H
#define _LINUX_MYMEM_H

#include <linux/types.h>
#include <uapi/linux/mymem.h>

struct mymem_handle;

struct mymem_handle *mymem_open(void);
void mymem_close(struct mymem_handle *h);

ssize_t mymem_read(struct mymem_handle *h, void *buf, size_t len);
ssize_t mymem_write(struct mymem_handle *h, const void *buf, size_t len);
loff_t mymem_seek(struct mymem_handle *h, loff_t offset, int whence);

ssize_t mymem_pread(void *buf, size_t len, loff_t pos);
ssize_t mymem_pwrite(const void *buf, size_t len, loff_t pos);

int mymem_add_u64(loff_t pos, u64 delta, u64 *result);

size_t mymem_size(void);

#endif /* _LINUX_MYMEM_H */
