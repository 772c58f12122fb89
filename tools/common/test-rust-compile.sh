#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# test-rust-compile.sh - what the Rust compiler does and does not enforce
# about the lab's counter race (docs/RESULTS.md, Part 4).  Each
# rust-compile/*.rs lists its builds in "//! rustc [--cfg NAME]: ok|EXXXX"
# lines: "ok" must build with -D warnings and run with exit status 0; an
# error code must be the error rustc stops with.
#
#   sh common/test-rust-compile.sh [RUSTC]      (default /usr/bin/rustc)
#
# Prints KTAP (ktap_helpers.sh); exit status 0 iff every test passed.

here=$(cd "$(dirname "$0")" && pwd)
rustc=${1:-/usr/bin/rustc}
. "$here/../testing/selftests/mymem/ktap_helpers.sh"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

grep -H '^//! rustc' "$here"/rust-compile/*.rs >"$tmp/cases"
ktap_print_header
ktap_set_plan "$(wc -l <"$tmp/cases")"
while IFS= read -r line; do
	f=${line%%:*}
	want=${line##*: }
	cfg=$(echo "$line" | sed -n 's/.*rustc --cfg \([a-z_]*\):.*/\1/p')
	name="$(basename "$f")${cfg:+ --cfg $cfg}: $want"
	if [ "$want" = ok ]; then
		"$rustc" --edition 2021 -D warnings -o "$tmp/prog" "$f" \
			>"$tmp/out" 2>&1 && "$tmp/prog" >>"$tmp/out" 2>&1
	else
		! "$rustc" --edition 2021 -D warnings --emit=metadata \
			-o "$tmp/out.rmeta" ${cfg:+--cfg "$cfg"} "$f" \
			>"$tmp/out" 2>&1 && grep -q "^error\[$want\]" "$tmp/out"
	fi
	if [ $? -eq 0 ]; then
		ktap_test_pass "$name"
	else
		ktap_test_fail "$name"
		sed 's/^/# /' "$tmp/out" | head -n 15
	fi
done <"$tmp/cases"
ktap_finished
