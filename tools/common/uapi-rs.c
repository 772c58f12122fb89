// SPDX-License-Identifier: GPL-2.0
/*
 * uapi-rs.c - include/uapi/linux/mymem.h for the Rust tools: tools/Makefile
 * builds and runs this at build time, and common.rs includes what it
 * prints (bin/mymem_uapi.rs), so the ioctl numbers are the C compiler's.
 */
#include <stdio.h>
#include <linux/mymem.h>

int main(void)
{
	printf("// generated from include/uapi/linux/mymem.h by tools/common/uapi-rs.c\n"
	       "pub const MYMEM_IOC_MAGIC: c_ulong = %#x;\n"
	       "pub const MYMEM_IOC_ADD_U64: c_ulong = %#lx;\n"
	       "pub const MYMEM_IOC_GET_SIZE: c_ulong = %#lx;\n"
	       "pub const MYMEM_ADD_SIZE: usize = %zu;\n",
	       MYMEM_IOC_MAGIC, (unsigned long)MYMEM_IOC_ADD_U64,
	       (unsigned long)MYMEM_IOC_GET_SIZE, sizeof(struct mymem_add));
	return 0;
}
