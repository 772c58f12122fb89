// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for mymem_core's exported API.  Needs mymem_core loaded, of
 * any size (cases that need more room are skipped), and overwrites its
 * buffer.  The counter under concurrent adds is mymem_test's race test.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/limits.h>
#include <linux/module.h>
#include <linux/mymem.h>
#include <linux/random.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>

/* kunit_kmalloc() for any size the core allows (kvzalloc) */
static int mmk_kvmalloc_init(struct kunit_resource *res, void *len)
{
	res->data = kvzalloc(*(size_t *)len, GFP_KERNEL);
	return res->data ? 0 : -ENOMEM;
}

static void mmk_kvmalloc_free(struct kunit_resource *res)
{
	kvfree(res->data);
}

static void *mmk_alloc(struct kunit *test, size_t len)
{
	void *p = kunit_alloc_resource(test, mmk_kvmalloc_init,
				       mmk_kvmalloc_free, GFP_KERNEL, &len);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, p);
	return p;
}

static void mmk_need(struct kunit *test, size_t bytes)
{
	if (mymem_size() < bytes)
		kunit_skip(test, "needs a buffer of %zu bytes, mymem_core has %zu",
			   bytes, mymem_size());
}

#define MMK_WHOLE	SSIZE_MAX

struct mmk_bound {
	const char *name;
	bool end;		/* @pos counts from the end */
	loff_t pos;
	size_t len;
	ssize_t read;		/* expected; MMK_WHOLE: the buffer size */
	ssize_t write;
};

static const struct mmk_bound mmk_bounds[] = {
	{ "start", 0, 0, 1, 1, 1 },
	{ "start len 0", 0, 0, 0, 0, 0 },
	{ "last byte", 1, -1, 1, 1, 1 },
	{ "across the end", 1, -1, 2, 1, 1 },
	{ "100 across the end", 1, -10, 100, 10, 10 },
	{ "at the end", 1, 0, 1, 0, -ENOSPC },
	{ "at the end len 0", 1, 0, 0, 0, 0 },
	{ "past the end", 1, 1, 1, 0, -ENOSPC },
	{ "huge pos", 0, LLONG_MAX, 1, 0, -ENOSPC },
	{ "pos -1", 0, -1, 1, -EINVAL, -EINVAL },
	{ "pos LLONG_MIN", 0, LLONG_MIN, 1, -EINVAL, -EINVAL },
	{ "negative pos len 0", 0, -1, 0, -EINVAL, -EINVAL },
	{ "huge len", 0, 0, SIZE_MAX, MMK_WHOLE, MMK_WHOLE },
};

static void mmk_bound_desc(const struct mmk_bound *b, char *desc)
{
	strscpy(desc, b->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(mmk_bound, mmk_bounds, mmk_bound_desc);

/* The buffer's byte @i, inverted where a write changed it. */
static u8 mmk_pat(u64 i, bool written)
{
	return (i * 7 + 3) ^ (written ? 0xff : 0);
}

/*
 * pread and pwrite at one boundary, over a buffer of distinct neighbouring
 * bytes: the return value; a read fills exactly the bytes it reports, from
 * @pos (a guard byte after them); a write changes exactly those, no other.
 */
static void mmk_bounds_test(struct kunit *test)
{
	const struct mmk_bound *b = test->param_value;
	size_t size = mymem_size(), cap = min(b->len, size), i;
	ssize_t want_r = b->read == MMK_WHOLE ? (ssize_t)size : b->read;
	ssize_t want_w = b->write == MMK_WHOLE ? (ssize_t)size : b->write;
	loff_t pos = b->pos + (b->end ? (loff_t)size : 0);
	u8 *all = mmk_alloc(test, size), *buf = mmk_alloc(test, cap + 1);

	if (b->end && pos < 0)
		kunit_skip(test, "mymem_core has only %zu bytes", size);
	for (i = 0; i < size; i++)
		all[i] = mmk_pat(i, false);
	KUNIT_ASSERT_EQ(test, mymem_pwrite(all, size, 0), (ssize_t)size);

	memset(buf, 0xee, cap + 1);
	KUNIT_EXPECT_EQ(test, mymem_pread(buf, b->len, pos), want_r);
	i = max_t(ssize_t, want_r, 0);
	KUNIT_EXPECT_EQ(test, memcmp(buf, all + (i ? pos : 0), i), 0);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(buf + i, 0xee, cap + 1 - i), NULL);

	for (i = 0; i <= cap; i++)
		buf[i] = mmk_pat((u64)pos + i, true);
	KUNIT_EXPECT_EQ(test, mymem_pwrite(buf, b->len, pos), want_w);
	KUNIT_ASSERT_EQ(test, mymem_pread(all, size, 0), (ssize_t)size);
	for (i = 0; i < size; i++)
		if (all[i] != mmk_pat(i, want_w > 0 && (loff_t)i >= pos &&
				      (loff_t)i < pos + want_w))
			break;
	KUNIT_EXPECT_EQ_MSG(test, i, size, "write: wrong byte %zu", i);
}

/*
 * Every seek that would leave [0, size] or overflow loff_t fails with
 * -EINVAL and leaves the position where it was.
 */
static void mmk_seek_test(struct kunit *test)
{
	loff_t size = mymem_size();
	struct mymem_handle *h = mymem_open();

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, h);
	KUNIT_EXPECT_EQ(test, mymem_seek(h, 0, SEEK_SET), 0);
	KUNIT_EXPECT_EQ(test, mymem_seek(h, size, SEEK_SET), size);
	KUNIT_EXPECT_EQ(test, mymem_seek(h, size + 1, SEEK_SET), -EINVAL);
	KUNIT_EXPECT_EQ(test, mymem_seek(h, -1, SEEK_SET), -EINVAL);
	KUNIT_EXPECT_EQ(test, mymem_seek(h, LLONG_MAX, SEEK_SET), -EINVAL);
	KUNIT_EXPECT_EQ(test, mymem_seek(h, LLONG_MIN, SEEK_SET), -EINVAL);
	/* the failures above left the position at size */
	KUNIT_EXPECT_EQ(test, mymem_seek(h, 0, SEEK_CUR), size);

	/* SEEK_CUR: base + offset must not wrap */
	KUNIT_EXPECT_EQ(test, mymem_seek(h, LLONG_MAX, SEEK_CUR), -EINVAL);
	KUNIT_EXPECT_EQ(test, mymem_seek(h, LLONG_MIN, SEEK_CUR), -EINVAL);
	KUNIT_EXPECT_EQ(test, mymem_seek(h, 1, SEEK_CUR), -EINVAL);
	KUNIT_EXPECT_EQ(test, mymem_seek(h, -size, SEEK_CUR), 0);
	KUNIT_EXPECT_EQ(test, mymem_seek(h, -1, SEEK_CUR), -EINVAL);
	KUNIT_EXPECT_EQ(test, mymem_seek(h, 0, SEEK_CUR), 0);

	/* SEEK_END counts from the size */
	KUNIT_EXPECT_EQ(test, mymem_seek(h, 0, SEEK_END), size);
	KUNIT_EXPECT_EQ(test, mymem_seek(h, -size, SEEK_END), 0);
	KUNIT_EXPECT_EQ(test, mymem_seek(h, -size - 1, SEEK_END), -EINVAL);
	KUNIT_EXPECT_EQ(test, mymem_seek(h, 1, SEEK_END), -EINVAL);
	KUNIT_EXPECT_EQ(test, mymem_seek(h, LLONG_MAX, SEEK_END), -EINVAL);
	KUNIT_EXPECT_EQ(test, mymem_seek(h, LLONG_MIN, SEEK_END), -EINVAL);

	/* only SET, CUR and END */
	KUNIT_EXPECT_EQ(test, mymem_seek(h, 0, SEEK_DATA), -EINVAL);
	KUNIT_EXPECT_EQ(test, mymem_seek(h, 0, SEEK_HOLE), -EINVAL);
	KUNIT_EXPECT_EQ(test, mymem_seek(h, 0, -1), -EINVAL);
	KUNIT_EXPECT_EQ(test, mymem_seek(h, 0, SEEK_CUR), 0);

	mymem_close(h);
}

/*
 * A handle's position advances by what was transferred, stops at the end,
 * and is its own: two handles do not share it.
 */
static void mmk_handle_test(struct kunit *test)
{
	size_t size = mymem_size();
	struct mymem_handle *a, *b;
	u8 in[4] = { 1, 2, 3, 4 }, out[4];

	mmk_need(test, 8);
	a = mymem_open();
	b = mymem_open();
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, a);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, b);

	KUNIT_EXPECT_EQ(test, mymem_write(a, in, 4), 4);
	KUNIT_EXPECT_EQ(test, mymem_seek(a, 0, SEEK_CUR), 4);
	KUNIT_EXPECT_EQ(test, mymem_seek(b, 0, SEEK_CUR), 0);
	KUNIT_EXPECT_EQ(test, mymem_read(b, out, 4), 4);
	KUNIT_EXPECT_EQ(test, memcmp(in, out, 4), 0);
	KUNIT_EXPECT_EQ(test, mymem_seek(b, 0, SEEK_CUR), 4);

	/* at the end: a read gives 0, a write -ENOSPC, neither moves */
	KUNIT_EXPECT_EQ(test, mymem_seek(a, -2, SEEK_END), size - 2);
	KUNIT_EXPECT_EQ(test, mymem_write(a, in, 4), 2);
	KUNIT_EXPECT_EQ(test, mymem_seek(a, 0, SEEK_CUR), size);
	KUNIT_EXPECT_EQ(test, mymem_write(a, in, 4), -ENOSPC);
	KUNIT_EXPECT_EQ(test, mymem_read(a, out, 4), 0);
	KUNIT_EXPECT_EQ(test, mymem_seek(a, 0, SEEK_CUR), size);
	KUNIT_EXPECT_EQ(test, mymem_read(a, out, 0), 0);

	mymem_close(a);
	mymem_close(b);
	mymem_close(NULL);
}

static void mmk_add_test(struct kunit *test)
{
	static const u8 sum[10] = { 0, 8, 7, 6, 5, 4, 3, 2, 1, 0 };
	static const u8 one[16] = { 0, 1 };
	size_t size = mymem_size();
	u8 raw[16] = {};
	u64 v = 0;

	mmk_need(test, 16);
	KUNIT_ASSERT_EQ(test, mymem_pwrite(raw, 16, 0), 16);

	/* little-endian, at any alignment, and only its own 8 bytes */
	KUNIT_EXPECT_EQ(test, mymem_add_u64(1, 0x0102030405060708ULL, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 0x0102030405060708ULL);
	KUNIT_ASSERT_EQ(test, mymem_pread(raw, 10, 0), 10);
	KUNIT_EXPECT_EQ(test, memcmp(raw, sum, 10), 0);

	/* modulo 2^64, and a NULL result is allowed */
	KUNIT_EXPECT_EQ(test, mymem_add_u64(1, -0x0102030405060709ULL, &v), 0);
	KUNIT_EXPECT_EQ(test, v, U64_MAX);
	KUNIT_EXPECT_EQ(test, mymem_add_u64(1, 2, NULL), 0);
	KUNIT_EXPECT_EQ(test, mymem_add_u64(1, 0, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 1);
	KUNIT_ASSERT_EQ(test, mymem_pread(raw, 16, 0), 16);
	KUNIT_EXPECT_EQ(test, memcmp(raw, one, 16), 0);

	/* the whole integer must lie inside the buffer */
	KUNIT_EXPECT_EQ(test, mymem_add_u64(size - 8, 1, &v), 0);
	v = 42;
	KUNIT_EXPECT_EQ(test, mymem_add_u64(size - 7, 1, &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, mymem_add_u64(size, 1, &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, mymem_add_u64(-1, 1, &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, mymem_add_u64(LLONG_MAX, 1, &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, mymem_add_u64(LLONG_MIN, 1, &v), -EINVAL);
	/* a refused add does not touch *result */
	KUNIT_EXPECT_EQ(test, v, 42);
}

#define MMK_THREADS	4
#define MMK_ROUNDS	2000
#define MMK_EDGE	512

/*
 * Threads start on @go and count out on @done (kthread_stop() would skip a
 * thread function not started yet).  Readers read [pos, pos + len), or if
 * @piece mostly random pieces of up to @piece bytes of it.
 */
struct mmk_race {
	void (*roles[MMK_THREADS])(struct mmk_race *r, int id, u8 *b);
	struct completion go, done;
	atomic_t started, running;
	atomic_t torn;		/* reads that saw two writes' bytes */
	atomic_t errors;	/* calls that did not return what they should */
	loff_t pos;
	size_t len, piece;
	int writes;		/* calls per span writer */
};

static int mmk_thread(void *arg)
{
	struct mmk_race *r = arg;
	int id = atomic_inc_return(&r->started) - 1;
	u8 *b = kvmalloc(r->len, GFP_KERNEL);

	wait_for_completion(&r->go);
	if (b)
		r->roles[id](r, id, b);
	else
		atomic_inc(&r->errors);
	kvfree(b);
	if (atomic_dec_and_test(&r->running))
		complete(&r->done);
	return 0;
}

/* Fills the span, each call with another byte value than the last. */
static void mmk_writer(struct mmk_race *r, int id, u8 *b)
{
	int i;

	for (i = 0; i < r->writes; i++) {
		memset(b, (u8)(id * 64 + i % 64), r->len);
		if (mymem_pwrite(b, r->len, r->pos) != r->len)
			atomic_inc(&r->errors);
	}
}

/* Every read must be one write's bytes. */
static void mmk_reader(struct mmk_race *r, int id, u8 *b)
{
	size_t len;
	loff_t pos;
	int i;

	for (i = 0; i < MMK_ROUNDS; i++) {
		len = r->len;
		pos = r->pos;
		if (r->piece && i % 16) {
			len = 1 + get_random_u32_below(r->piece);
			pos += get_random_u32_below(r->len - len + 1);
		}
		if (mymem_pread(b, len, pos) != len)
			atomic_inc(&r->errors);
		else if (memchr_inv(b, b[0], len))
			atomic_inc(&r->torn);
	}
}

/* Writes and reads back its own bytes just before and just after the span. */
static void mmk_edge_writer(struct mmk_race *r, int id, u8 *b)
{
	loff_t pos;
	int i;

	for (i = 0; i < MMK_ROUNDS; i++) {
		pos = i & 1 ? r->pos - MMK_EDGE : r->pos + r->len;
		memset(b, (u8)i, MMK_EDGE);
		if (mymem_pwrite(b, MMK_EDGE, pos) != MMK_EDGE ||
		    mymem_pread(b + MMK_EDGE, MMK_EDGE, pos) != MMK_EDGE ||
		    memcmp(b, b + MMK_EDGE, MMK_EDGE))
			atomic_inc(&r->errors);
	}
}

/* Zero the span, run the roles in kthreads: no torn read, no failed call. */
static void mmk_race(struct kunit *test, struct mmk_race *r, size_t need)
{
	struct task_struct *t[MMK_THREADS];
	int i, n;

	mmk_need(test, need);
	KUNIT_ASSERT_EQ(test, mymem_pwrite(mmk_alloc(test, r->len), r->len,
					   r->pos), (ssize_t)r->len);
	init_completion(&r->go);
	init_completion(&r->done);
	for (n = 0; n < MMK_THREADS; n++) {
		t[n] = kthread_run(mmk_thread, r, "mmk/%d", n);
		if (IS_ERR(t[n]))
			break;
		/* kthread_stop() below needs the task even after it exits */
		get_task_struct(t[n]);
	}
	atomic_set(&r->running, n);
	complete_all(&r->go);
	if (n)
		wait_for_completion(&r->done);
	for (i = 0; i < n; i++) {
		kthread_stop(t[i]);
		put_task_struct(t[i]);
	}
	KUNIT_ASSERT_EQ_MSG(test, n, MMK_THREADS, "kthread_run failed");
	KUNIT_EXPECT_EQ(test, atomic_read(&r->torn), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->errors), 0);
}

/* Two writers and two readers of one 4 KiB block. */
static void mmk_rw_race_test(struct kunit *test)
{
	struct mmk_race r = { .pos = 1, .len = 4096, .writes = MMK_ROUNDS,
		.roles = { mmk_writer, mmk_reader, mmk_writer, mmk_reader } };

	mmk_race(test, &r, r.pos + r.len);
}

/*
 * 70000 bytes from 1000 start and end inside a stripe and cover whole ones
 * (stripes up to 64 KiB), an edge writer in their first and last stripes:
 * a call that locks or checks fewer stripes than it covers fails here.
 */
static void mmk_stripe_race_test(struct kunit *test)
{
	struct mmk_race r = { .pos = 1000, .len = 70000, .piece = 8192,
		.writes = MMK_ROUNDS / 4, .roles = { mmk_writer, mmk_reader,
						     mmk_edge_writer, mmk_reader } };

	mmk_race(test, &r, r.pos + r.len + MMK_EDGE);
}

static struct kunit_case mmk_cases[] = {
	KUNIT_CASE_PARAM(mmk_bounds_test, mmk_bound_gen_params),
	KUNIT_CASE(mmk_seek_test),
	KUNIT_CASE(mmk_handle_test),
	KUNIT_CASE(mmk_add_test),
	KUNIT_CASE(mmk_rw_race_test),
	KUNIT_CASE(mmk_stripe_race_test),
	{}
};

static struct kunit_suite mmk_suite = {
	.name = "mymem_core",
	.test_cases = mmk_cases,
};

kunit_test_suite(mmk_suite);

MODULE_DESCRIPTION("KUnit tests for mymem_core");
MODULE_AUTHOR("mymem developers");
MODULE_LICENSE("GPL");
