// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for mymem_core's exported API: bounds, seek arithmetic
 * (including overflow), short transfers, mymem_add_u64(), and reads that
 * never see half a write.  The counter under concurrent adds is
 * mymem_test's race test.
 *
 * Built as mymem_kunit.ko when the target kernel has CONFIG_KUNIT; it needs
 * mymem_core loaded (of any size: cases that need more room than the buffer
 * has are skipped, with the reason) and overwrites the buffer's contents.
 *
 *   insmod mymem_core.ko && insmod mymem_kunit.ko
 *   cat /sys/kernel/debug/kunit/mymem_core/results
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

static int mmk_kvmalloc_init(struct kunit_resource *res, void *len)
{
	res->data = kvmalloc(*(size_t *)len, GFP_KERNEL);
	return res->data ? 0 : -ENOMEM;
}

static void mmk_kvmalloc_free(struct kunit_resource *res)
{
	kvfree(res->data);
}

/*
 * kunit_kmalloc() for any size the core allows: a buffer as large as a
 * 1 GiB core, freed at the end of the test.
 */
static void *mmk_alloc(struct kunit *test, size_t len)
{
	return kunit_alloc_resource(test, mmk_kvmalloc_init, mmk_kvmalloc_free,
				    GFP_KERNEL, &len);
}

/* Fill [pos, pos + len) of the buffer with @c; the caller checks room. */
static void mmk_fill(struct kunit *test, loff_t pos, size_t len, u8 c)
{
	u8 *b = mmk_alloc(test, len);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, b);
	memset(b, c, len);
	KUNIT_ASSERT_EQ(test, mymem_pwrite(b, len, pos), (ssize_t)len);
}

/* Assert that [pos, pos + len) of the buffer holds only @c. */
static void mmk_expect_filled(struct kunit *test, loff_t pos, size_t len, u8 c)
{
	u8 *b = mmk_alloc(test, len);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, b);
	KUNIT_ASSERT_EQ(test, mymem_pread(b, len, pos), (ssize_t)len);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(b, c, len), NULL);
}

static void mmk_need(struct kunit *test, size_t bytes)
{
	if (mymem_size() < bytes)
		kunit_skip(test, "needs a buffer of %zu bytes, mymem_core has %zu",
			   bytes, mymem_size());
}

/* ---- bounds: one table for pread and pwrite ---- */

enum mmk_where { MMK_ABS, MMK_FROM_END };

#define MMK_WHOLE	SSIZE_MAX

struct mmk_bound {
	const char *name;
	enum mmk_where where;
	loff_t pos;		/* absolute, or relative to the size */
	size_t len;
	ssize_t read;		/* expected; MMK_WHOLE: the buffer size */
	ssize_t write;
};

static const struct mmk_bound mmk_bounds[] = {
	{ "start", MMK_ABS, 0, 1, 1, 1 },
	{ "start len 0", MMK_ABS, 0, 0, 0, 0 },
	{ "last byte", MMK_FROM_END, -1, 1, 1, 1 },
	{ "across the end", MMK_FROM_END, -1, 2, 1, 1 },
	{ "at the end", MMK_FROM_END, 0, 1, 0, -ENOSPC },
	{ "at the end len 0", MMK_FROM_END, 0, 0, 0, 0 },
	{ "past the end", MMK_FROM_END, 1, 1, 0, -ENOSPC },
	{ "huge pos", MMK_ABS, LLONG_MAX, 1, 0, -ENOSPC },
	{ "pos -1", MMK_ABS, -1, 1, -EINVAL, -EINVAL },
	{ "pos LLONG_MIN", MMK_ABS, LLONG_MIN, 1, -EINVAL, -EINVAL },
	{ "negative pos len 0", MMK_ABS, -1, 0, -EINVAL, -EINVAL },
	{ "huge len", MMK_ABS, 0, SIZE_MAX, MMK_WHOLE, MMK_WHOLE },
};

static void mmk_bound_desc(const struct mmk_bound *b, char *desc)
{
	strscpy(desc, b->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(mmk_bound, mmk_bounds, mmk_bound_desc);

/*
 * pread and pwrite at one boundary: the return value, and that a short or
 * refused transfer copies exactly what it reports, not a byte more.
 */
static void mmk_bounds_test(struct kunit *test)
{
	const struct mmk_bound *b = test->param_value;
	size_t size = mymem_size();
	size_t cap = min_t(size_t, b->len, size);
	ssize_t want_r = b->read == MMK_WHOLE ? (ssize_t)size : b->read;
	ssize_t want_w = b->write == MMK_WHOLE ? (ssize_t)size : b->write;
	loff_t pos = b->pos;
	u8 *buf;

	if (b->where == MMK_FROM_END)
		pos += size;
	/* a guard byte after what may be copied */
	buf = mmk_alloc(test, cap + 1);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);

	if (size >= 1)
		mmk_fill(test, size - 1, 1, 0x5a);
	memset(buf, 0xee, cap + 1);
	KUNIT_EXPECT_EQ(test, mymem_pread(buf, b->len, pos), want_r);
	KUNIT_EXPECT_EQ(test, buf[want_r > 0 ? want_r : 0], 0xee);
	if (b->where == MMK_FROM_END && want_r == 1)
		KUNIT_EXPECT_EQ(test, buf[0], 0x5a);

	memset(buf, 0xa5, cap + 1);
	KUNIT_EXPECT_EQ(test, mymem_pwrite(buf, b->len, pos), want_w);
	if (want_w <= 0)
		mmk_expect_filled(test, size - 1, 1, 0x5a);
	else if (b->where == MMK_FROM_END)
		mmk_expect_filled(test, size - 1, 1, 0xa5);
}

/* A read or write across the end copies exactly the bytes before it. */
static void mmk_short_transfer_test(struct kunit *test)
{
	size_t size = mymem_size();
	u8 *buf;

	mmk_need(test, 64);
	buf = kunit_kmalloc(test, 100, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);

	mmk_fill(test, size - 64, 64, 0x11);
	memset(buf, 0x22, 100);
	KUNIT_EXPECT_EQ(test, mymem_pwrite(buf, 100, size - 10), 10);
	mmk_expect_filled(test, size - 64, 54, 0x11);
	mmk_expect_filled(test, size - 10, 10, 0x22);

	memset(buf, 0, 100);
	KUNIT_EXPECT_EQ(test, mymem_pread(buf, 100, size - 12), 12);
	KUNIT_EXPECT_EQ(test, buf[0], 0x11);
	KUNIT_EXPECT_EQ(test, buf[1], 0x11);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(buf + 2, 0x22, 10), NULL);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(buf + 12, 0, 88), NULL);
}

/* ---- handles and seek ---- */

static struct mymem_handle *mmk_open(struct kunit *test)
{
	struct mymem_handle *h = mymem_open();

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, h);
	return h;
}

/*
 * Every seek that would leave [0, size] or overflow loff_t fails with
 * -EINVAL and leaves the position where it was.
 */
static void mmk_seek_test(struct kunit *test)
{
	loff_t size = mymem_size();
	struct mymem_handle *h = mmk_open(test);

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
	a = mmk_open(test);
	b = mmk_open(test);

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

/* ---- mymem_add_u64 ---- */

static void mmk_add_test(struct kunit *test)
{
	size_t size = mymem_size();
	u8 raw[10];
	u64 v = 0;

	mmk_need(test, 16);
	mmk_fill(test, 0, 16, 0);

	/* little-endian, at any alignment, and only its own 8 bytes */
	KUNIT_EXPECT_EQ(test, mymem_add_u64(1, 0x0102030405060708ULL, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 0x0102030405060708ULL);
	KUNIT_ASSERT_EQ(test, mymem_pread(raw, 10, 0), 10);
	KUNIT_EXPECT_EQ(test, raw[0], 0);
	KUNIT_EXPECT_EQ(test, raw[1], 0x08);
	KUNIT_EXPECT_EQ(test, raw[8], 0x01);
	KUNIT_EXPECT_EQ(test, raw[9], 0);

	/* modulo 2^64, and a NULL result is allowed */
	KUNIT_EXPECT_EQ(test, mymem_add_u64(1, -0x0102030405060709ULL, &v), 0);
	KUNIT_EXPECT_EQ(test, v, U64_MAX);
	KUNIT_EXPECT_EQ(test, mymem_add_u64(1, 2, NULL), 0);
	KUNIT_EXPECT_EQ(test, mymem_add_u64(1, 0, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 1);
	mmk_expect_filled(test, 9, 7, 0);

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

/* ---- reads against concurrent writes ---- */

#define MMK_THREADS	4
#define MMK_ROUNDS	2000
#define MMK_BLOCK	4096

/*
 * Threads start together on @go and count themselves out on @done.  The
 * test calls kthread_stop() only after @done, so every thread has run its
 * function to the end: kthread_stop() then just collects the return value
 * (it would skip a thread function that had not started yet).
 */
struct mmk_race {
	struct completion go;
	struct completion done;
	atomic_t running;
	loff_t pos;
	atomic_t torn;		/* reads that saw two writers' bytes */
	atomic_t errors;	/* calls that did not return what they should */
};

struct mmk_worker {
	struct mmk_race *race;
	int id;
	int (*fn)(struct mmk_worker *w);
};

static int mmk_thread(void *arg)
{
	struct mmk_worker *w = arg;
	int ret;

	wait_for_completion(&w->race->go);
	ret = w->fn(w);
	if (atomic_dec_and_test(&w->race->running))
		complete(&w->race->done);
	return ret;
}

/* Run @w[0..MMK_THREADS) in kthreads; each one's return value to @rets. */
static void mmk_run(struct kunit *test, struct mmk_race *r,
		    struct mmk_worker *w, int *rets)
{
	struct task_struct *t[MMK_THREADS];
	int i, started;

	init_completion(&r->go);
	init_completion(&r->done);
	atomic_set(&r->torn, 0);
	atomic_set(&r->errors, 0);
	for (started = 0; started < MMK_THREADS; started++) {
		w[started].race = r;
		w[started].id = started;
		t[started] = kthread_run(mmk_thread, &w[started], "mmk/%d",
					 started);
		if (IS_ERR(t[started]))
			break;
		/* kthread_stop() below needs the task even after it exits */
		get_task_struct(t[started]);
	}
	atomic_set(&r->running, started);
	complete_all(&r->go);
	if (started)
		wait_for_completion(&r->done);
	for (i = 0; i < started; i++) {
		rets[i] = kthread_stop(t[i]);
		put_task_struct(t[i]);
	}
	KUNIT_ASSERT_EQ_MSG(test, started, MMK_THREADS, "kthread_run failed");
}

/* Writers fill the block with one byte value per call. */
static int mmk_block_writer(struct mmk_worker *w)
{
	u8 *b = kmalloc(MMK_BLOCK, GFP_KERNEL);
	int i;

	if (!b)
		return -ENOMEM;
	for (i = 0; i < MMK_ROUNDS; i++) {
		memset(b, (u8)(w->id * 64 + i % 64), MMK_BLOCK);
		if (mymem_pwrite(b, MMK_BLOCK, w->race->pos) != MMK_BLOCK)
			atomic_inc(&w->race->errors);
	}
	kfree(b);
	return 0;
}

/* Readers check that every read saw one writer's call, whole. */
static int mmk_block_reader(struct mmk_worker *w)
{
	u8 *b = kmalloc(MMK_BLOCK, GFP_KERNEL);
	int i;

	if (!b)
		return -ENOMEM;
	for (i = 0; i < MMK_ROUNDS; i++) {
		if (mymem_pread(b, MMK_BLOCK, w->race->pos) != MMK_BLOCK)
			atomic_inc(&w->race->errors);
		else if (memchr_inv(b, b[0], MMK_BLOCK))
			atomic_inc(&w->race->torn);
	}
	kfree(b);
	return 0;
}

/* Two writers and two readers on one block: no read sees a torn block. */
static void mmk_rw_race_test(struct kunit *test)
{
	struct mmk_worker w[MMK_THREADS] = {};
	struct mmk_race r = { .pos = 1 };
	int rets[MMK_THREADS];
	int i;

	mmk_need(test, r.pos + MMK_BLOCK);
	mmk_fill(test, r.pos, MMK_BLOCK, 0);
	for (i = 0; i < MMK_THREADS; i++)
		w[i].fn = i & 1 ? mmk_block_reader : mmk_block_writer;

	mmk_run(test, &r, w, rets);
	for (i = 0; i < MMK_THREADS; i++)
		KUNIT_EXPECT_EQ(test, rets[i], 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&r.torn), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&r.errors), 0);
}

/*
 * The span of the stripe race: 70000 bytes from offset 1000, so that it
 * starts and ends inside a stripe and covers many whole ones, whatever
 * the stripe size up to 64 KiB.  The single-stripe writer works in the
 * bytes just before and just after it, in its first and last stripes.
 */
#define MMK_SPAN_POS	1000
#define MMK_SPAN_LEN	70000
#define MMK_EDGE	512
#define MMK_PIECE	8192

/* Fills the whole span, each call with another byte value than the last. */
static int mmk_span_writer(struct mmk_worker *w)
{
	u8 *b = kvmalloc(2 * MMK_SPAN_LEN, GFP_KERNEL);
	int i;

	if (!b)
		return -ENOMEM;
	memset(b, 0x11, MMK_SPAN_LEN);
	memset(b + MMK_SPAN_LEN, 0x22, MMK_SPAN_LEN);
	for (i = 0; i < MMK_ROUNDS / 4; i++)
		if (mymem_pwrite(b + (i & 1) * MMK_SPAN_LEN, MMK_SPAN_LEN,
				 MMK_SPAN_POS) != MMK_SPAN_LEN)
			atomic_inc(&w->race->errors);
	kvfree(b);
	return 0;
}

/*
 * Reads pieces of the span, from a few bytes to two stripes, and now and
 * then all of it: every read must be one write's bytes.
 */
static int mmk_span_reader(struct mmk_worker *w)
{
	u8 *b = kvmalloc(MMK_SPAN_LEN, GFP_KERNEL);
	size_t len;
	loff_t pos;
	int i;

	if (!b)
		return -ENOMEM;
	for (i = 0; i < MMK_ROUNDS; i++) {
		len = i % 16 ? 1 + get_random_u32_below(MMK_PIECE) :
			       MMK_SPAN_LEN;
		pos = MMK_SPAN_POS +
		      get_random_u32_below(MMK_SPAN_LEN - len + 1);
		if (mymem_pread(b, len, pos) != len)
			atomic_inc(&w->race->errors);
		else if (memchr_inv(b, b[0], len))
			atomic_inc(&w->race->torn);
	}
	kvfree(b);
	return 0;
}

/* Writes and reads back its own bytes beside the span, one stripe each. */
static int mmk_edge_writer(struct mmk_worker *w)
{
	u8 out[MMK_EDGE], in[MMK_EDGE];
	loff_t pos;
	int i;

	for (i = 0; i < MMK_ROUNDS; i++) {
		pos = i & 1 ? MMK_SPAN_POS - MMK_EDGE :
			      MMK_SPAN_POS + MMK_SPAN_LEN;
		memset(out, (u8)i, sizeof(out));
		if (mymem_pwrite(out, sizeof(out), pos) != sizeof(out) ||
		    mymem_pread(in, sizeof(in), pos) != sizeof(in) ||
		    memcmp(in, out, sizeof(in)))
			atomic_inc(&w->race->errors);
	}
	return 0;
}

/*
 * Writes spanning many stripes, reads of single stripes and of the whole
 * span, and single-stripe writes that share the span's first and last
 * stripes: no read sees a torn span, no write is lost.  A call that locks
 * or checks fewer stripes than it covers fails here.
 */
static void mmk_stripe_race_test(struct kunit *test)
{
	static int (*const roles[MMK_THREADS])(struct mmk_worker *) = {
		mmk_span_writer, mmk_span_reader, mmk_edge_writer,
		mmk_span_reader,
	};
	struct mmk_worker w[MMK_THREADS] = {};
	struct mmk_race r = { .pos = MMK_SPAN_POS };
	int rets[MMK_THREADS];
	int i;

	mmk_need(test, MMK_SPAN_POS + MMK_SPAN_LEN + MMK_EDGE);
	mmk_fill(test, MMK_SPAN_POS, MMK_SPAN_LEN, 0);
	for (i = 0; i < MMK_THREADS; i++)
		w[i].fn = roles[i];

	mmk_run(test, &r, w, rets);
	for (i = 0; i < MMK_THREADS; i++)
		KUNIT_EXPECT_EQ(test, rets[i], 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&r.torn), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&r.errors), 0);
}

static struct kunit_case mmk_cases[] = {
	KUNIT_CASE_PARAM(mmk_bounds_test, mmk_bound_gen_params),
	KUNIT_CASE(mmk_short_transfer_test),
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
