/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mymem tracepoints: mymem:mymem_read, mymem_write, mymem_seek, mymem_add.
 * Disabled tracepoints cost a patched-out branch (static key) and nothing
 * else.  Enable with e.g.
 *   echo 1 > /sys/kernel/tracing/events/mymem/enable
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM mymem

#if !defined(_MYMEM_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _MYMEM_TRACE_H

#include <linux/tracepoint.h>

DECLARE_EVENT_CLASS(mymem_xfer,
		    TP_PROTO(loff_t pos, size_t len, ssize_t ret),
		    TP_ARGS(pos, len, ret),
		    TP_STRUCT__entry(__field(loff_t, pos)
				     __field(size_t, len)
				     __field(ssize_t, ret)),
		    TP_fast_assign(__entry->pos = pos;
				   __entry->len = len;
				   __entry->ret = ret;),
		    TP_printk("pos=%lld len=%zu ret=%zd",
			      __entry->pos, __entry->len, __entry->ret));

DEFINE_EVENT(mymem_xfer, mymem_read,
	     TP_PROTO(loff_t pos, size_t len, ssize_t ret),
	     TP_ARGS(pos, len, ret));

DEFINE_EVENT(mymem_xfer, mymem_write,
	     TP_PROTO(loff_t pos, size_t len, ssize_t ret),
	     TP_ARGS(pos, len, ret));

TRACE_EVENT(mymem_seek,
	    TP_PROTO(loff_t offset, int whence, loff_t ret),
	    TP_ARGS(offset, whence, ret),
	    TP_STRUCT__entry(__field(loff_t, offset)
			     __field(int, whence)
			     __field(loff_t, ret)),
	    TP_fast_assign(__entry->offset = offset;
			   __entry->whence = whence;
			   __entry->ret = ret;),
	    TP_printk("offset=%lld whence=%d ret=%lld",
		      __entry->offset, __entry->whence, __entry->ret));

TRACE_EVENT(mymem_add,
	    TP_PROTO(loff_t pos, u64 delta, int ret),
	    TP_ARGS(pos, delta, ret),
	    TP_STRUCT__entry(__field(loff_t, pos)
			     __field(u64, delta)
			     __field(int, ret)),
	    TP_fast_assign(__entry->pos = pos;
			   __entry->delta = delta;
			   __entry->ret = ret;),
	    TP_printk("pos=%lld delta=%llu ret=%d",
		      __entry->pos, __entry->delta, __entry->ret));

#endif /* _MYMEM_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE mymem_trace
#include <trace/define_trace.h>
