#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# rust-compile.sh - what the Rust compiler does and does not enforce about
# the lab's counter race (docs/RESULTS.md, Part 4).  Each tests/rust/*.rs
# lists its builds in "//! rustc [--cfg NAME]: ok|EXXXX" lines: "ok" must
# build with -D warnings and run with exit status 0; an error code must be
# the error rustc stops with.
#
#   sh tests/rust-compile.sh [RUSTC]          (default /usr/bin/rustc)
#
# Prints KTAP; exit status 0 iff every test passed.

rustc=${1:-/usr/bin/rustc}
dir=$(dirname "$0")/rust
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
nr=0 failed=0

grep -H '^//! rustc' "$dir"/*.rs >"$tmp/cases"
echo "TAP version 13"
echo "1..$(wc -l <"$tmp/cases")"
while IFS= read -r line; do
	f=${line%%:*}
	want=${line##*: }
	cfg=$(echo "$line" | sed -n 's/.*rustc --cfg \([a-z_]*\):.*/\1/p')
	name="$(basename "$f")${cfg:+ --cfg $cfg}: $want"
	nr=$((nr + 1))
	if [ "$want" = ok ]; then
		"$rustc" --edition 2021 -D warnings -o "$tmp/prog" "$f" \
			>"$tmp/out" 2>&1 && "$tmp/prog" >>"$tmp/out" 2>&1
	else
		! "$rustc" --edition 2021 -D warnings --emit=metadata \
			-o "$tmp/out.rmeta" ${cfg:+--cfg "$cfg"} "$f" \
			>"$tmp/out" 2>&1 && grep -q "^error\[$want\]" "$tmp/out"
	fi
	if [ $? -eq 0 ]; then
		echo "ok $nr - $name"
	else
		failed=$((failed + 1))
		echo "not ok $nr - $name"
		sed 's/^/# /' "$tmp/out" | head -n 15
	fi
done <"$tmp/cases"
echo "# $((nr - failed)) passed, $failed failed of $nr"
[ "$failed" -eq 0 ]
