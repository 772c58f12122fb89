// SPDX-License-Identifier: GPL-2.0
/*
 * mymem_test parameters: the settings of a run
 *
 * Each parameter is one mmt_param() line: its module parameter, whose
 * description ends with what it accepts, and its row of mmt_param_table[],
 * which the load, the debugfs "run key=value ..." command, the echo of a
 * run and the "params" of results.json all go through.  A run starts from
 * the module parameters; "run" overrides some of them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/ratelimit.h>
#include <linux/string.h>
#include <linux/stringify.h>

#include <linux/mymem.h>

#include "mymem_test.h"

enum mmt_param_kind {
	MMT_TESTS,	/* a comma list of test names, or "all" */
	MMT_SIZES,	/* a comma list of min..max sizes, each 1..core size */
	MMT_UINT,	/* min..max */
	MMT_THREADS,	/* min..max, or 0 for 2 x online CPUs */
	MMT_BOOL,
};

/**
 * struct mmt_param - one parameter
 * @name: its name, as a module parameter and in "run key=value"
 * @kind: how its value is written and stored
 * @min:  smallest value (SIZES: fewest sizes)
 * @max:  largest value (SIZES: most sizes)
 * @load: the module parameter's variable
 */
struct mmt_param {
	const char *name;
	enum mmt_param_kind kind;
	unsigned int min;
	unsigned int max;
	const void *load;
};

#define MMT_CTYPE_TESTS		char *
#define MMT_CTYPE_SIZES		char *
#define MMT_CTYPE_UINT		unsigned int
#define MMT_CTYPE_THREADS	unsigned int
#define MMT_CTYPE_BOOL		bool
#define MMT_PTYPE_TESTS		charp
#define MMT_PTYPE_SIZES		charp
#define MMT_PTYPE_UINT		uint
#define MMT_PTYPE_THREADS	uint
#define MMT_PTYPE_BOOL		bool
#define MMT_DESC_TESTS(desc, min, max)	desc
#define MMT_DESC_SIZES(desc, min, max)					\
	desc ": comma list of " min " to " max " sizes, each 1..core size"
#define MMT_DESC_UINT(desc, min, max)	desc " (" min ".." max ")"
#define MMT_DESC_THREADS(desc, min, max)				\
	desc " (" min ".." max "; 0 = 2 x online CPUs)"
#define MMT_DESC_BOOL(desc, min, max)	desc

/* One more expansion, so that module_param_named() gets "uint", not a macro. */
#define mmt_module_param(name, var, type) module_param_named(name, var, type, 0444)

/* mmt_param(name, kind, min, max, default, description) */
#define mmt_param(_name, _kind, _min, _max, _def, _desc)		\
	static MMT_CTYPE_##_kind mmt_load_##_name = _def;		\
	mmt_module_param(_name, mmt_load_##_name, MMT_PTYPE_##_kind);	\
	MODULE_INFO(parm, #_name ":" MMT_DESC_##_kind(_desc,		\
		    __stringify(_min), __stringify(_max)));		\
	static const struct mmt_param mmt_param_##_name = {		\
		.name = #_name,						\
		.kind = MMT_##_kind,					\
		.min = _min,						\
		.max = _max,						\
		.load = &mmt_load_##_name,				\
	}

mmt_param(tests, TESTS, 0, 0, "all",
	  "tests to run: comma list of perf, race, scale, torture, or all");
mmt_param(sizes, SIZES, 1, MMT_MAX_SIZES, "1,64,1024,65536,524288",
	  "perf transfer sizes");
mmt_param(iterations, UINT, 1, 100000, 1000, "perf calls per size and op");
mmt_param(workers, UINT, 1, 1024, 50, "race worker kthreads");
mmt_param(increments, UINT, 1, 10000000, 150000, "race increments per worker");
mmt_param(max_threads, THREADS, 1, 256, 0, "scale: up to this many kthreads");
mmt_param(duration, UINT, 1, 3600, 10, "torture duration in seconds");
mmt_param(autorun, BOOL, 0, 1, true,
	  "start a run at load (N: idle until started through debugfs)");

/* A parameter and where struct mmt_params keeps its value. */
struct mmt_param_row {
	const struct mmt_param *param;
	size_t offset;
};

#define MMT_ROW(name) { &mmt_param_##name, offsetof(struct mmt_params, name) }

/* In the order of the echo. */
static const struct mmt_param_row mmt_param_table[] = {
	MMT_ROW(tests), MMT_ROW(sizes), MMT_ROW(iterations), MMT_ROW(workers),
	MMT_ROW(increments), MMT_ROW(max_threads), MMT_ROW(duration),
	MMT_ROW(autorun),
};

#define MMT_PARAM_END	(mmt_param_table + ARRAY_SIZE(mmt_param_table))

/* A loop of bad input must not flood the kernel log. */
static DEFINE_RATELIMIT_STATE(mmt_reject_ratelimit, DEFAULT_RATELIMIT_INTERVAL,
			      DEFAULT_RATELIMIT_BURST);

/**
 * mmt_reject() - log why a parameter or a control write was refused
 * @fmt: printf format of the line, without the newline
 *
 * At most DEFAULT_RATELIMIT_BURST lines per DEFAULT_RATELIMIT_INTERVAL;
 * the kernel then says how many it dropped.
 */
void mmt_reject(const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	if (!__ratelimit(&mmt_reject_ratelimit))
		return;
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_err("%pV\n", &vaf);
	va_end(args);
}

static unsigned int mmt_nr_tests(const struct mmt_test *table)
{
	unsigned int n = 0;

	while (table[n].name)
		n++;
	return n;
}

static size_t mmt_tests_list(const struct mmt_params *p, char *buf, size_t len)
{
	const struct mmt_test *t;
	size_t n = 0;

	for (t = p->table; t->name; t++)
		if (p->tests & BIT(t - p->table))
			n += scnprintf(buf + n, len - n, "%s%s", n ? "," : "",
				       t->name);
	return n;
}

static size_t mmt_sizes_list(const struct mmt_params *p, char *buf, size_t len)
{
	unsigned int i;
	size_t n = 0;

	for (i = 0; i < p->nr_sizes; i++)
		n += scnprintf(buf + n, len - n, "%s%zu", i ? "," : "",
			       p->sizes[i]);
	return n;
}

static int mmt_parse_tests(struct mmt_params *p, const char *val)
{
	unsigned int i, nr = mmt_nr_tests(p->table);
	char list[64], *s = list, *name;
	unsigned long tests = 0;

	if (strscpy(list, val, sizeof(list)) <= 0)
		return -EINVAL;
	while ((name = strsep(&s, ","))) {
		if (!strcmp(name, "all")) {
			tests |= BIT(nr) - 1;
			continue;
		}
		for (i = 0; i < nr && strcmp(name, p->table[i].name); i++)
			;
		if (i == nr)
			return -EINVAL;
		tests |= BIT(i);
	}
	p->tests = tests;
	return 0;
}

static int mmt_parse_sizes(struct mmt_params *p, const struct mmt_param *param,
			   const char *val)
{
	char list[MMT_MAX_SIZES * 12], *s = list, *tok;
	unsigned int n = 0;
	unsigned long v;

	if (strscpy(list, val, sizeof(list)) <= 0)
		return -EINVAL;
	while ((tok = strsep(&s, ","))) {
		if (n == param->max || kstrtoul(tok, 10, &v) || !v ||
		    v > mymem_size())
			return -EINVAL;
		p->sizes[n++] = v;
	}
	p->nr_sizes = n;
	return 0;
}

static int mmt_set_uint(const struct mmt_param *param, unsigned int *field,
			unsigned int v)
{
	if (param->kind == MMT_THREADS && !v) {
		*field = min(2 * num_online_cpus(), param->max);
		return 0;
	}
	if (v < param->min || v > param->max)
		return -EINVAL;
	*field = v;
	return 0;
}

/* One line saying what @param accepts; Return: -EINVAL. */
static int mmt_param_invalid(const struct mmt_params *p,
			     const struct mmt_param *param, const char *val)
{
	char allowed[96];
	const struct mmt_test *t;
	size_t n = 0;

	switch (param->kind) {
	case MMT_TESTS:
		n = scnprintf(allowed, sizeof(allowed), "comma list of");
		for (t = p->table; t->name; t++)
			n += scnprintf(allowed + n, sizeof(allowed) - n, " %s,",
				       t->name);
		scnprintf(allowed + n, sizeof(allowed) - n, " or all");
		break;
	case MMT_SIZES:
		scnprintf(allowed, sizeof(allowed),
			  "comma list of %u to %u sizes, each 1..%zu",
			  param->min, param->max, mymem_size());
		break;
	case MMT_UINT:
		scnprintf(allowed, sizeof(allowed), "%u..%u", param->min,
			  param->max);
		break;
	case MMT_THREADS:
		scnprintf(allowed, sizeof(allowed),
			  "0 (2 x online CPUs) or %u..%u", param->min, param->max);
		break;
	case MMT_BOOL:
		strscpy(allowed, "Y or N", sizeof(allowed));
		break;
	}
	mmt_reject("invalid %s=%.64s: %s", param->name, val, allowed);
	return -EINVAL;
}

/* Set the value of @row in @p from its text; one line for a bad one. */
static int mmt_param_set(struct mmt_params *p, const struct mmt_param_row *row,
			 const char *val)
{
	const struct mmt_param *param = row->param;
	void *field = (void *)p + row->offset;
	unsigned int v;
	int ret;

	switch (param->kind) {
	case MMT_TESTS:
		ret = mmt_parse_tests(p, val);
		break;
	case MMT_SIZES:
		ret = mmt_parse_sizes(p, param, val);
		break;
	case MMT_BOOL:
		ret = kstrtobool(val, field);
		break;
	default:
		ret = kstrtouint(val, 10, &v);
		if (!ret)
			ret = mmt_set_uint(param, field, v);
		break;
	}
	return ret ? mmt_param_invalid(p, param, val) : 0;
}

/* Set the value of @row in @p from its module parameter. */
static int mmt_param_load(struct mmt_params *p, const struct mmt_param_row *row)
{
	const struct mmt_param *param = row->param;
	void *field = (void *)p + row->offset;
	unsigned int v;
	char val[12];

	switch (param->kind) {
	case MMT_TESTS:
	case MMT_SIZES:
		return mmt_param_set(p, row, *(char *const *)param->load ?: "");
	case MMT_BOOL:
		*(bool *)field = *(const bool *)param->load;
		return 0;
	default:
		v = *(const unsigned int *)param->load;
		if (!mmt_set_uint(param, field, v))
			return 0;
		snprintf(val, sizeof(val), "%u", v);
		return mmt_param_invalid(p, param, val);
	}
}

/* Each test selected must fit in the core; one line for the first that does not. */
static int mmt_params_check(const struct mmt_params *p)
{
	size_t min, size = mymem_size();
	const struct mmt_test *t;

	for (t = p->table; t->name; t++) {
		if (!(p->tests & BIT(t - p->table)) || !t->min_core_size)
			continue;
		min = t->min_core_size();
		if (size < min) {
			mmt_reject("tests=%s needs a core of at least %zu bytes, not %zu",
				   t->name, min, size);
			return -EINVAL;
		}
	}
	return 0;
}

/**
 * mmt_params_load() - the settings given as module parameters
 * @p:     out: the settings
 * @table: the test table, which the "tests" parameter selects from
 *
 * Return: 0, or -EINVAL after one line naming the first bad parameter.
 */
int mmt_params_load(struct mmt_params *p, const struct mmt_test *table)
{
	const struct mmt_param_row *row;
	int ret;

	memset(p, 0, sizeof(*p));
	p->table = table;
	for (row = mmt_param_table; row < MMT_PARAM_END; row++) {
		ret = mmt_param_load(p, row);
		if (ret)
			return ret;
	}
	return mmt_params_check(p);
}

/**
 * mmt_params_parse() - apply "key=value ..." to settings
 * @p:    the settings, changed only where the whole text is valid
 * @args: the text after "run" (NULL: none), modified in place
 *
 * Return: 0, or -EINVAL after one line naming what is wrong.
 */
int mmt_params_parse(struct mmt_params *p, char *args)
{
	const struct mmt_param_row *row;
	struct mmt_params new = *p;
	char names[128], *arg, *val;
	size_t n = 0;
	int ret;

	while ((arg = strsep(&args, " \t\n"))) {
		if (!*arg)
			continue;
		val = strchr(arg, '=');
		if (!val) {
			mmt_reject("invalid control argument '%.64s': key=value expected",
				   arg);
			return -EINVAL;
		}
		*val++ = '\0';
		for (row = mmt_param_table; row < MMT_PARAM_END; row++)
			if (!strcmp(arg, row->param->name))
				break;
		if (row == MMT_PARAM_END) {
			for (row = mmt_param_table; row < MMT_PARAM_END; row++)
				n += scnprintf(names + n, sizeof(names) - n,
					       "%s%s", n ? ", " : "", row->param->name);
			mmt_reject("invalid parameter %.32s=%.64s: one of %s",
				   arg, val, names);
			return -EINVAL;
		}
		ret = mmt_param_set(&new, row, val);
		if (ret)
			return ret;
	}
	ret = mmt_params_check(&new);
	if (!ret)
		*p = new;
	return ret;
}

/**
 * mmt_params_print() - the settings as "key=value ..." for the log
 * @p:   the settings
 * @buf: output
 * @len: size of @buf
 *
 * Return: the number of characters written (scnprintf() semantics).
 */
size_t mmt_params_print(const struct mmt_params *p, char *buf, size_t len)
{
	const struct mmt_param_row *row;
	const void *val;
	size_t n = 0;

	for (row = mmt_param_table; row < MMT_PARAM_END; row++) {
		val = (const void *)p + row->offset;
		n += scnprintf(buf + n, len - n, "%s%s=", n ? " " : "",
			       row->param->name);
		switch (row->param->kind) {
		case MMT_TESTS:
			n += mmt_tests_list(p, buf + n, len - n);
			break;
		case MMT_SIZES:
			n += mmt_sizes_list(p, buf + n, len - n);
			break;
		case MMT_BOOL:
			n += scnprintf(buf + n, len - n, "%c",
				       *(const bool *)val ? 'Y' : 'N');
			break;
		default:
			n += scnprintf(buf + n, len - n, "%u",
				       *(const unsigned int *)val);
			break;
		}
	}
	return n;
}

/**
 * mmt_params_json() - the settings as a JSON object
 * @p:   the settings
 * @buf: output
 * @len: size of @buf
 *
 * Return: the number of characters written (scnprintf() semantics).
 */
size_t mmt_params_json(const struct mmt_params *p, char *buf, size_t len)
{
	const struct mmt_param_row *row;
	const void *val;
	size_t n = 0;

	for (row = mmt_param_table; row < MMT_PARAM_END; row++) {
		val = (const void *)p + row->offset;
		n += scnprintf(buf + n, len - n, "%c\"%s\":", n ? ',' : '{',
			       row->param->name);
		switch (row->param->kind) {
		case MMT_TESTS:
			n += scnprintf(buf + n, len - n, "\"");
			n += mmt_tests_list(p, buf + n, len - n);
			n += scnprintf(buf + n, len - n, "\"");
			break;
		case MMT_SIZES:
			n += scnprintf(buf + n, len - n, "[");
			n += mmt_sizes_list(p, buf + n, len - n);
			n += scnprintf(buf + n, len - n, "]");
			break;
		case MMT_BOOL:
			n += scnprintf(buf + n, len - n, "%s",
				       *(const bool *)val ? "true" : "false");
			break;
		default:
			n += scnprintf(buf + n, len - n, "%u",
				       *(const unsigned int *)val);
			break;
		}
	}
	return n + scnprintf(buf + n, len - n, "}");
}
