// SPDX-License-Identifier: GPL-2.0
/*
 * common.c - helpers shared by the mymem user-space tools (see common.h)
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <linux/mymem.h>

#include "common.h"

uint64_t mm_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int mm_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int mm_parse_list(const char *arg, int (*item)(const char *tok, void *ctx), void *ctx)
{
	char *copy = strdup(arg), *rest = copy, *tok;
	int ret = copy ? 0 : -1;

	/* strsep(), unlike strtok(), yields the empty items */
	while (!ret && (tok = strsep(&rest, ",")))
		ret = *tok ? item(tok, ctx) : -1;
	free(copy);
	return ret;
}

static void print_range(FILE *f, const struct mm_opt *o)
{
	if (o->max >= INT64_MAX)
		fprintf(f, "%" PRIu64 " or more", o->min);
	else
		fprintf(f, "%" PRIu64 "..%" PRIu64, o->min, o->max);
}

/* to stdout for --help, exit 0; to stderr for a usage error, exit 2 */
static void __attribute__((noreturn)) usage(FILE *f, const char *prog, const char *about,
					    const char *footer, const struct mm_opt *opts,
					    size_t n, const uint64_t *def, const char *const *sdef)
{
	const char *h;
	size_t i;

	fprintf(f, "usage: %s", prog);
	for (i = 0; i < n; i++)
		fprintf(f, opts[i].flag ? " [-%c]" : " [-%c %s]", opts[i].c, opts[i].arg);
	fprintf(f, "\n\n%s\n\n", about);
	for (i = 0; i < n; i++) {
		const struct mm_opt *o = &opts[i];

		fprintf(f, "  -%c %-7s", o->c, o->flag ? "" : o->arg);
		for (h = o->help; *h; h++) {
			fputc(*h, f);
			if (*h == '\n')
				fputs("            ", f);
		}
		if (o->num && (o->min || o->max < INT64_MAX)) {
			fputs(" (", f);
			print_range(f, o);
			if (!o->seen)
				fprintf(f, ", default %" PRIu64, def[i]);
			fputc(')', f);
		} else if (o->num && !o->seen) {
			fprintf(f, " (default %" PRIu64 ")", def[i]);
		} else if (o->str && sdef[i]) {
			fprintf(f, " (default %s)", sdef[i]);
		}
		fputc('\n', f);
	}
	fprintf(f, "  -h, --help  this help\n\n%s", footer);
	exit(f == stdout ? 0 : 2);
}

void mm_parse_opts(int argc, char **argv, const char *prog, const char *about,
		   const char *footer, const struct mm_opt *opts, size_t n)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t def[MM_MAX_OPTS];
	const char *sdef[MM_MAX_OPTS];
	char spec[2 * MM_MAX_OPTS + 2], *p = spec;
	size_t i;
	int c;

	if (n > MM_MAX_OPTS)
		n = MM_MAX_OPTS;
	for (i = 0; i < n; i++) {
		def[i] = opts[i].num ? *opts[i].num : 0;
		sdef[i] = opts[i].str ? *opts[i].str : NULL;
		*p++ = opts[i].c;
		if (!opts[i].flag)
			*p++ = ':';
	}
	strcpy(p, "h");
	while ((c = getopt_long(argc, argv, spec, longopts, NULL)) != -1) {
		const struct mm_opt *o = NULL;

		for (i = 0; i < n && !o; i++)
			if (opts[i].c == c)
				o = &opts[i];
		if (c == 'h')
			usage(stdout, prog, about, footer, opts, n, def, sdef);
		if (!o)
			usage(stderr, prog, about, footer, opts, n, def, sdef);
		if (o->seen)
			*o->seen = true;
		if (o->flag) {
			*o->flag = true;
		} else if (o->str) {
			*o->str = optarg;
		} else if (mm_parse_u64(optarg, o->min, o->max, o->num)) {
			fprintf(stderr, "%s: invalid -%c %s: ", prog, c, optarg);
			print_range(stderr, o);
			fputc('\n', stderr);
			exit(2);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", prog, argv[optind]);
		usage(stderr, prog, about, footer, opts, n, def, sdef);
	}
}

int mm_open_dev(const char *prog, const char *path, int flags)
{
	int fd = open(path, flags);
	const char *hint = "";

	if (fd >= 0)
		return fd;
	if (errno == ENOENT || errno == ENXIO || errno == ENODEV)
		hint = " (is mymem_core loaded?)";
	else if (errno == EACCES || errno == EPERM)
		hint = " (run as root or load mymem_core with mode=0666)";
	fprintf(stderr, "%s: cannot open %s: %s%s\n", prog, path, strerror(errno), hint);
	return -1;
}

int mm_dev_size(const char *prog, const char *path, int fd, uint64_t *size)
{
	struct stat st;

	if (!ioctl(fd, MYMEM_IOC_GET_SIZE, size))	/* a __u64 */
		return 0;
	if (errno == ENOTTY && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		*size = (uint64_t)st.st_size;
		return 0;
	}
	fprintf(stderr, "%s: %s: MYMEM_IOC_GET_SIZE: %s (not a mymem device?)\n",
		prog, path, strerror(errno));
	return -1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

size_t mm_rank_index(size_t n, unsigned int pct)
{
	/* ceil(pct * n / 100) - 1, at least 0 */
	size_t rank = ((uint64_t)pct * n + 99) / 100;

	return rank ? rank - 1 : 0;
}

void mm_stats_compute(uint64_t *samples, size_t n, struct mm_stats *st)
{
	unsigned __int128 sum = 0;
	size_t i;

	qsort(samples, n, sizeof(*samples), cmp_u64);
	for (i = 0; i < n; i++)
		sum += samples[i];
	st->n = n;
	st->avg = (uint64_t)((sum + n / 2) / n);
	st->min = samples[0];
	st->p50 = samples[mm_rank_index(n, 50)];
	st->p99 = samples[mm_rank_index(n, 99)];
	st->max = samples[n - 1];
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

FILE *mm_json_begin(const char *prog, const char *file, const char *tool,
		    const char *dev, uint64_t size)
{
	FILE *f = fopen(file, "w");
	struct utsname u;

	if (!f) {
		fprintf(stderr, "%s: cannot write %s: %s\n", prog, file, strerror(errno));
		return NULL;
	}
	if (uname(&u))
		strcpy(u.release, "unknown");
	fputs("{\"schema\":1,\"tool\":", f);
	json_string(f, tool);
	fputs(",\"kernel\":", f);
	json_string(f, u.release);
	fprintf(f, ",\"cpus\":%ld,\"device\":", sysconf(_SC_NPROCESSORS_ONLN));
	json_string(f, dev);
	fprintf(f, ",\"core_size\":%llu,\"records\":[\n", (unsigned long long)size);
	return f;
}

void mm_json_record_sep(FILE *f, int *first)
{
	if (!*first)
		fputs(",\n", f);
	*first = 0;
}

int mm_json_end(const char *prog, const char *file, FILE *f)
{
	fputs("\n]}\n", f);
	if (!fclose(f))
		return 0;
	fprintf(stderr, "%s: writing %s: %s\n", prog, file, strerror(errno));
	return -1;
}
