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

/* One parameter: its name, as a module parameter and in "run key=value". */
struct mmt_param {
	const char *name;
	enum mmt_param_kind kind;
	unsigned int min;	/* SIZES: fewest sizes */
	unsigned int max;	/* SIZES: most sizes */
	const char *allowed;	/* for its description and a refused value */
	const void *load;	/* the module parameter's variable */
};

#define MMT_CTYPE_charp		char *
#define MMT_CTYPE_uint		unsigned int
#define MMT_CTYPE_bool		bool
#define MMT_ALLOWED_TESTS(min, max)	"comma list of test names, or all"
#define MMT_ALLOWED_SIZES(min, max)					\
	"comma list of " min " to " max " sizes, each 1..core size"
#define MMT_ALLOWED_UINT(min, max)	min ".." max
#define MMT_ALLOWED_THREADS(min, max)	"0 (2 x online CPUs) or " min ".." max
#define MMT_ALLOWED_BOOL(min, max)	"Y or N"

/* One more expansion, so that module_param_named() gets "uint", not a macro. */
#define mmt_module_param(name, var, type) module_param_named(name, var, type, 0444)

/* mmt_param(name, kind, module parameter type, min, max, default, description) */
#define mmt_param(_name, _kind, _type, _min, _max, _def, _desc)	\
	static MMT_CTYPE_##_type mmt_load_##_name = _def;		\
	mmt_module_param(_name, mmt_load_##_name, _type);		\
	MODULE_INFO(parm, #_name ":" _desc " (" MMT_ALLOWED_##_kind(	\
		    __stringify(_min), __stringify(_max)) ")");		\
	static const struct mmt_param mmt_param_##_name = {		\
		.name = #_name,						\
		.kind = MMT_##_kind,					\
		.min = _min,						\
		.max = _max,						\
		.allowed = MMT_ALLOWED_##_kind(__stringify(_min),	\
					       __stringify(_max)),	\
		.load = &mmt_load_##_name,				\
	}

mmt_param(tests, TESTS, charp, 0, 0, "all", "tests to run, in their order");
mmt_param(sizes, SIZES, charp, 1, MMT_MAX_SIZES, "1,64,1024,65536,524288",
	  "perf transfer sizes");
mmt_param(iterations, UINT, uint, 1, 100000, 1000, "perf calls per size and op");
mmt_param(workers, UINT, uint, 1, 1024, 50, "race worker kthreads");
mmt_param(increments, UINT, uint, 1, 10000000, 150000,
	  "race increments per worker");
mmt_param(max_threads, THREADS, uint, 1, 256, 0,
	  "scale: up to this many kthreads");
mmt_param(rounds, UINT, uint, 1, 99, 5,
	  "scale: runs of each point, one per round; a point is the best");
mmt_param(point_ms, UINT, uint, 1, 10000, 80, "scale: ms of each run");
mmt_param(duration, UINT, uint, 1, 3600, 10, "torture duration in seconds");
mmt_param(autorun, BOOL, bool, 0, 1, true,
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
	MMT_ROW(increments), MMT_ROW(max_threads), MMT_ROW(rounds),
	MMT_ROW(point_ms), MMT_ROW(duration), MMT_ROW(autorun),
};

/* A loop of bad input must not flood the kernel log. */
static DEFINE_RATELIMIT_STATE(mmt_reject_ratelimit, DEFAULT_RATELIMIT_INTERVAL,
			      DEFAULT_RATELIMIT_BURST);

/**
 * mmt_reject() - log why a parameter or a control write was refused
 * @fmt: printf format of the line, without the newline
 *
 * At most DEFAULT_RATELIMIT_BURST lines per DEFAULT_RATELIMIT_INTERVAL;
 * the kernel then says how many it dropped.
 * Return: -EINVAL, the error of the refusal, logged or not.
 */
int mmt_reject(const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	if (!__ratelimit(&mmt_reject_ratelimit))
		return -EINVAL;
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_err("%pV\n", &vaf);
	va_end(args);
	return -EINVAL;
}

/* The names of the tests selected by @tests (all: ~0UL), after @sep. */
static size_t mmt_tests_list(const struct mmt_params *p, unsigned long tests,
			     const char *sep, char *buf, size_t len)
{
	const struct mmt_test *t;
	size_t n = 0;

	for (t = p->table; t->name; t++)
		if (tests & BIT(t - p->table))
			n += scnprintf(buf + n, len - n, "%s%s", n ? sep : "",
				       t->name);
	return n;
}

/* A comma list: of test names (or all) into p->tests, of sizes into p->sizes. */
static int mmt_parse_list(struct mmt_params *p, const struct mmt_param *param,
			  const char *val)
{
	char list[MMT_MAX_SIZES * 12], *s = list, *tok;
	unsigned long tests = 0, found, v;
	const struct mmt_test *t;
	unsigned int n = 0;

	if (strscpy(list, val, sizeof(list)) <= 0)
		return -EINVAL;
	while ((tok = strsep(&s, ","))) {
		if (param->kind == MMT_SIZES) {
			if (n == param->max || kstrtoul(tok, 10, &v) || !v ||
			    v > mymem_size())
				return -EINVAL;
			p->sizes[n++] = v;
			continue;
		}
		found = 0;
		for (t = p->table; t->name; t++)
			if (!strcmp(tok, "all") || !strcmp(tok, t->name))
				found |= BIT(t - p->table);
		if (!found)
			return -EINVAL;
		tests |= found;
	}
	if (param->kind == MMT_SIZES)
		p->nr_sizes = n;
	else
		p->tests = tests;
	return 0;
}

/* Set the value of @row in @p from its text; one line for a bad one. */
static int mmt_param_set(struct mmt_params *p, const struct mmt_param_row *row,
			 const char *val)
{
	const struct mmt_param *param = row->param;
	void *field = (void *)p + row->offset;
	char names[96];
	unsigned int v;
	int ret;

	switch (param->kind) {
	case MMT_TESTS:
	case MMT_SIZES:
		ret = mmt_parse_list(p, param, val);
		break;
	case MMT_BOOL:
		ret = kstrtobool(val, field);
		break;
	default:
		ret = kstrtouint(val, 10, &v);
		if (!ret && !v && param->kind == MMT_THREADS)
			v = min(2 * num_online_cpus(), param->max);
		if (!ret && (v < param->min || v > param->max))
			ret = -EINVAL;
		if (!ret)
			*(unsigned int *)field = v;
		break;
	}
	if (!ret)
		return 0;
	if (param->kind != MMT_TESTS)
		return mmt_reject("invalid %s=%.64s: %s", param->name, val,
				  param->allowed);
	mmt_tests_list(p, ~0UL, ", ", names, sizeof(names));
	return mmt_reject("invalid %s=%.64s: comma list of %s, or all",
			  param->name, val, names);
}

/* Set the value of @row in @p from its module parameter. */
static int mmt_param_load(struct mmt_params *p, const struct mmt_param_row *row)
{
	const struct mmt_param *param = row->param;
	char val[12];

	if (param->kind == MMT_TESTS || param->kind == MMT_SIZES)
		return mmt_param_set(p, row, *(char *const *)param->load ?: "");
	snprintf(val, sizeof(val), "%u", param->kind == MMT_BOOL ?
		 *(const bool *)param->load : *(const unsigned int *)param->load);
	return mmt_param_set(p, row, val);
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
		if (size < min)
			return mmt_reject("tests=%s needs a core of at least %zu bytes, not %zu",
					  t->name, min, size);
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
	unsigned int i;
	int ret;

	*p = (struct mmt_params){ .table = table };
	for (i = 0; i < ARRAY_SIZE(mmt_param_table); i++) {
		ret = mmt_param_load(p, &mmt_param_table[i]);
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
	const struct mmt_param_row *row = NULL;
	struct mmt_params new = *p;
	char names[160], *arg, *val;
	unsigned int i;
	size_t n = 0;
	int ret;

	while ((arg = strsep(&args, " \t\n"))) {
		if (!*arg)
			continue;
		val = strchr(arg, '=');
		if (!val)
			return mmt_reject("invalid control argument '%.64s': key=value expected",
					  arg);
		*val++ = '\0';
		for (i = 0; i < ARRAY_SIZE(mmt_param_table); i++) {
			row = &mmt_param_table[i];
			if (!strcmp(arg, row->param->name))
				break;
			n += scnprintf(names + n, sizeof(names) - n, "%s%s",
				       n ? ", " : "", row->param->name);
		}
		if (i == ARRAY_SIZE(mmt_param_table))
			return mmt_reject("invalid parameter %.32s=%.64s: one of %s",
					  arg, val, names);
		n = 0;
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
 * mmt_params_print() - the settings, for the log or for results.json
 * @p:    the settings
 * @buf:  output
 * @len:  size of @buf
 * @json: a JSON object; false: "key=value ..."
 *
 * Return: the number of characters written (scnprintf() semantics).
 */
size_t mmt_params_print(const struct mmt_params *p, char *buf, size_t len,
			bool json)
{
	const char *q = json ? "\"" : "";
	const struct mmt_param *param;
	unsigned int i, j;
	const void *val;
	size_t n = 0;

	for (i = 0; i < ARRAY_SIZE(mmt_param_table); i++) {
		param = mmt_param_table[i].param;
		val = (const void *)p + mmt_param_table[i].offset;
		n += scnprintf(buf + n, len - n, json ? "%s\"%s\":" : "%s%s=",
			       !i ? (json ? "{" : "") : json ? "," : " ",
			       param->name);
		switch (param->kind) {
		case MMT_TESTS:
			n += scnprintf(buf + n, len - n, "%s", q);
			n += mmt_tests_list(p, p->tests, ",", buf + n, len - n);
			n += scnprintf(buf + n, len - n, "%s", q);
			break;
		case MMT_SIZES:
			n += scnprintf(buf + n, len - n, "%s", json ? "[" : "");
			for (j = 0; j < p->nr_sizes; j++)
				n += scnprintf(buf + n, len - n, "%s%zu",
					       j ? "," : "", p->sizes[j]);
			n += scnprintf(buf + n, len - n, "%s", json ? "]" : "");
			break;
		case MMT_BOOL:
			n += scnprintf(buf + n, len - n, "%s", *(const bool *)val ?
				       (json ? "true" : "Y") : (json ? "false" : "N"));
			break;
		default:
			n += scnprintf(buf + n, len - n, "%u",
				       *(const unsigned int *)val);
			break;
		}
	}
	return n + scnprintf(buf + n, len - n, "%s", json ? "}" : "");
}
