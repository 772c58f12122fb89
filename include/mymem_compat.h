/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mymem_compat.h - every difference between the kernels mymem builds for
 * (Debian 6.1 and 6.12, including PREEMPT_RT), in one place.  No other
 * file tests the kernel version.
 */
#ifndef _MYMEM_COMPAT_H
#define _MYMEM_COMPAT_H

#include <linux/version.h>

/* 6.12 moved the unaligned access helpers from asm/ to linux/. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

#endif /* _MYMEM_COMPAT_H */
