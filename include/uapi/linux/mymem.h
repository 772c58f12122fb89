/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/**
 * DOC: the user-space ABI of /dev/mymem
 *
 * /dev/mymem is a fixed-size byte buffer.  read(2), write(2), pread(2),
 * pwrite(2) and lseek(2) work on it with the usual file semantics (see
 * docs/DESIGN.md).  The file never grows: a write at or past the end is
 * -ENOSPC, and so is every appending write (O_APPEND, RWF_APPEND), since
 * appending means writing at the end.  Two ioctls add what plain file I/O
 * cannot do:
 *
 * ``MYMEM_IOC_ADD_U64`` (struct mymem_add, read-write): atomically add
 * ``delta`` to the little-endian 64-bit integer at ``offset`` and return
 * its new value in ``result``.  The add reads the integer as much as it
 * writes it, so it needs a file opened for reading and writing (O_RDWR;
 * -EBADF otherwise); -EINVAL out of bounds; -EFAULT for a bad argument
 * pointer, and then the buffer is unchanged.
 *
 * ``MYMEM_IOC_GET_SIZE`` (__u64, read): the buffer size in bytes.
 *
 * Any other command is -ENOTTY.
 *
 * The ioctl type is 0xD9, free in the kernel's table of ioctl numbers
 * (Documentation/userspace-api/ioctl/ioctl-number.rst).  Until 2026-12
 * it was 0xB7, which that table gives to nsfs and remoteproc.
 */
#ifndef _UAPI_LINUX_MYMEM_H
#define _UAPI_LINUX_MYMEM_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * struct mymem_add - argument of MYMEM_IOC_ADD_U64
 * @offset: byte offset of a little-endian 64-bit integer; any alignment,
 *          0 <= @offset and @offset + 8 <= buffer size
 * @delta:  value added, modulo 2^64
 * @result: out: the integer's new value
 */
struct mymem_add {
	__s64 offset;
	__u64 delta;
	__u64 result;
};

#define MYMEM_IOC_MAGIC		0xD9

/* Atomically add @delta at @offset: O_RDWR, -EINVAL out of bounds, -EFAULT bad arg. */
#define MYMEM_IOC_ADD_U64	_IOWR(MYMEM_IOC_MAGIC, 1, struct mymem_add)
/* The buffer size in bytes. */
#define MYMEM_IOC_GET_SIZE	_IOR(MYMEM_IOC_MAGIC, 2, __u64)

#endif /* _UAPI_LINUX_MYMEM_H */
