/* SPDX-License-Identifier: GPL-2.0 */
/* mymem_core_rs: what mymem_rs.rs calls in glue.c (its `extern "C"` block). */
#ifndef _MYMEM_RS_GLUE_H
#define _MYMEM_RS_GLUE_H

#include <linux/types.h>

ssize_t mymem_rs_param_size(void);
int mymem_rs_dev_init(void);
void mymem_rs_dev_exit(void);

#endif /* _MYMEM_RS_GLUE_H */
