#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# dkms-check.sh - build both modules through DKMS, as a distribution
# package of mymem would: dkms add, dkms build, dkms remove.
#
#   dkms-check.sh KERNEL      (a Debian kernel: tools/harness/configs/kernels/)
#
# The git-known files are the DKMS source; everything DKMS writes goes to a
# temporary directory, removed on exit.  Passes when both modules build for
# the kernel's release with its vermagic, mymem_test depends on mymem_core,
# and `dkms remove` leaves nothing behind.
set -eu

top=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top/tools/harness/bin/functions.sh"
[ $# -eq 1 ] || usage
krel=$("$top/tools/harness/bin/kernel.sh" krel "$1")
command -v dkms >/dev/null 2>&1 || die "dkms is not installed (apt-get install dkms)"
git -C "$top" rev-parse --git-dir >/dev/null 2>&1 ||
	die "$top is not a git checkout: no list of its files"

# conf NAME: NAME="value" of dkms.conf
conf() {
	sed -n "s/^$1=\"\\(.*\\)\"\$/\\1/p" "$top/dkms.conf"
}
name=$(conf PACKAGE_NAME)
ver=$(conf PACKAGE_VERSION)
if [ -z "$name" ] || [ -z "$ver" ]; then
	die "no PACKAGE_NAME or PACKAGE_VERSION in dkms.conf"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mymem-dkms.XXXXXX")
mok_signing_key=$tmp/mok.key
mok_certificate=$tmp/mok.pub
export mok_signing_key mok_certificate

# dk COMMAND ARGS...: dkms COMMAND on this package, in the temporary trees
dk() {
	dkms "$@" -m "$name" -v "$ver" --sourcetree="$tmp/src" \
		--dkmstree="$tmp/dkms" --installtree="$tmp/install"
}

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	[ ! -d "$tmp/dkms/$name" ] || dk remove --all >/dev/null 2>&1 || :
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

src=$tmp/src/$name-$ver
mkdir -p "$src" "$tmp/dkms" "$tmp/install"
cd "$top"
git ls-files --cached --others --exclude-standard |
	while IFS= read -r f; do
		[ -f "$f" ] && printf '%s\n' "$f"
	done | tar -cf - -T - | tar -xf - -C "$src"

t0=$(date +%s)
dk add
if ! dk build -k "$krel"; then
	log=$tmp/dkms/$name/$ver/build/make.log
	if [ -f "$log" ]; then
		grep -E 'error|Error' "$log" | head -n 20
		tail -n 20 "$log"
	fi
	die "dkms build failed for $krel"
fi
echo "dkms-check: built for $krel in $(($(date +%s) - t0)) s"
dk status

rc=0
for m in mymem_core mymem_test; do
	ko=$(find "$tmp/dkms/$name/$ver/$krel" -path '*/module/*' -name "$m.ko*" | head -n 1)
	if [ -z "$ko" ]; then
		echo "dkms-check: no $m.ko built for $krel" >&2
		rc=1
		continue
	fi
	vermagic=$(modinfo -F vermagic "$ko" 2>&1) || :
	case "$vermagic" in
	"$krel "*) echo "dkms-check: ${ko#"$tmp"/} vermagic $vermagic" ;;
	*) echo "dkms-check: $m vermagic '$vermagic', expected $krel" >&2
	   rc=1 ;;
	esac
done
# $ko: mymem_test's
dep=$(modinfo -F depends "$ko" 2>&1) || :
[ "$dep" = mymem_core ] || {
	echo "dkms-check: mymem_test depends on '$dep', expected mymem_core" >&2
	rc=1
}

dk remove --all
if [ -e "$tmp/dkms/$name" ]; then
	echo "dkms-check: dkms remove left $tmp/dkms/$name behind:" >&2
	find "$tmp/dkms/$name" | head -n 20 >&2
	rc=1
fi
exit $rc
