#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# parse-ktap.sh - the harness's one KTAP parser: one line per result.
#
#   parse-ktap.sh FILE DEPTH NAME
#
# DEPTH 0: each result line of FILE is a case.  DEPTH 1: nested one level
# ("# " by the kselftest runner, four spaces by KUnit), each nested result a
# case of the test whose result line follows them.  Prints
#
#   PASS NAME[ TEST]: CASE
#   FAIL NAME[ TEST]: CASE[ (DIRECTIVE)]
#   SKIP NAME[ TEST]: CASE (REASON)
#
# and a FAIL for no output, a plan that does not match, a failed test whose
# cases passed, a test without a result line, "Bail out!", a runner warning.
set -eu

file=${1:?usage: parse-ktap.sh FILE DEPTH NAME} depth=${2:?DEPTH} name=${3:?NAME}
[ -s "$file" ] || { echo "FAIL $name: no KTAP output"; exit 0; }

tr -d '\r' <"$file" | awk -v depth="$depth" -v name="$name" '
# the nesting level of a line, its rest in "rest"; only KTAP (not a "# text"
# diagnostic) nests
function split_level(s,    l) {
	for (l = 0; s ~ /^(# |    )(ok |not ok |[0-9]+\.\.[0-9]+|K?TAP version |# |    )/; l++)
		s = substr(s, s ~ /^# / ? 3 : 5)
	rest = s
	return l
}
# "ok 3 - desc # SKIP why" -> res ("ok"/"not ok"), desc, dir ("SKIP why")
function parse_result(s,    i) {
	res = (s ~ /^not ok /) ? "not ok" : "ok"
	sub(/^(not )?ok [0-9]+ ?/, "", s)
	sub(/^- /, "", s)
	dir = ""
	i = s ~ /^#/ ? 1 : index(s, "# ")
	if (i) {
		dir = substr(s, i + 2)
		s = substr(s, 1, i - 1)
	}
	sub(/ +$/, "", s)
	desc = s
	# kselftest.h writes a skip as "ok N # SKIP text": the text names it
	if (desc == "" && dir ~ /^SKIP /) {
		desc = substr(dir, 6)
		dir = "SKIP"
	}
}
function emit(prefix, r, d, x) {
	if (r == "not ok")
		printf "FAIL %s: %s%s\n", prefix, d, (x != "" ? " (" x ")" : "")
	else if (sub(/^(SKIP|skip) ?/, "", x))
		printf "SKIP %s: %s%s\n", prefix, d, (x != "" ? " (" x ")" : "")
	else
		printf "PASS %s: %s\n", prefix, d
}
# the short name of a test: "selftests: mymem: mymem_modules.sh" -> mymem_modules
function short(d) {
	sub(/^(Subtest: |selftests: [^:]*: )/, "", d)
	sub(/\.sh$/, "", d)
	return d
}
function check_plan(what, plan, n) {
	if (plan == "")
		printf "FAIL %s: KTAP plan (none, %d results)\n", what, n
	else if (plan + 0 != n)
		printf "FAIL %s: KTAP plan (1..%d, %d results)\n", what, plan, n
}
# close the block of cases of the test named t, whose own result is r/x
function flush(t, r, x,    i, failed) {
	failed = 0
	for (i = 1; i <= nc; i++) {
		emit(name " " t, cr[i], cd[i], cx[i])
		if (cr[i] == "not ok")
			failed = 1
	}
	if (nc || cplan != "")
		check_plan(name " " t, cplan, nc)
	if (r == "")
		printf "FAIL %s %s: no result (it did not finish)\n", name, t
	else if (r == "not ok" && !failed)
		printf "FAIL %s %s%s\n", name, t, (x != "" ? " (" x ")" : "")
	else if (!nc && x ~ /^SKIP/)
		printf "SKIP %s %s%s\n", name, t, (x != "SKIP" ? " (" substr(x, 6) ")" : "")
	nc = 0; cplan = ""; pending = ""
}
{
	l = split_level($0)
	line = rest
	if (line ~ /^Bail out!/) {
		printf "FAIL %s: %s\n", name, line
		next
	}
	if (l == 0 && line ~ /^# Warning: /) {
		printf "FAIL %s: runner %s\n", name, substr(line, 3)
		next
	}
	if (depth == 1 && l == 0 && line ~ /^# (selftests: |Subtest: )/) {
		if (pending != "")
			flush(pending, "", "")
		pending = short(substr(line, 3))
		next
	}
	if (line ~ /^[0-9]+\.\.[0-9]+/) {
		split(line, p, /\.\./)
		if (l == 0)
			plan0 = p[2] + 0
		else if (l == depth)
			cplan = p[2] + 0
		next
	}
	if (line !~ /^(ok|not ok) /)
		next
	parse_result(line)
	if (l == depth && depth == 0) {
		emit(name, res, desc, dir)
		n0++
	} else if (l == depth) {
		nc++; cr[nc] = res; cd[nc] = desc; cx[nc] = dir
	} else if (l == 0) {
		flush(short(desc), res, dir)
		n0++
	}
}
END {
	if (depth == 1 && (nc || pending != ""))
		flush(pending != "" ? pending : "?", "", "")
	if (depth == 0 || plan0 != "")
		check_plan(name, plan0, n0)
}'
