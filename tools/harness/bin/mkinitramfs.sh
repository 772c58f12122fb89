#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh - build the gzip'ed cpio initramfs booted by vm.sh.
#
#   mkinitramfs.sh --krel KREL --modules DIR --payload DIR --cmd-file FILE
#                  --out FILE.cpio.gz [--bin PATH]...
#
# Contents (tools/harness/README.md): busybox applets, dash as /bin/sh, kmod
# in /sbin, jq and each --bin with its libraries, DIR's modules.* lists, the
# payload in /mymem, the command in /etc/vm/cmd, guest/init as /init (with
# guest/functions.sh in /etc/vm).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
. "$here/functions.sh"

krel='' moddir='' payload='' cmdfile='' out='' bins=''
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || usage
	case "$1" in
	--krel)		krel=$2 ;;
	--modules)	moddir=$2 ;;
	--payload)	payload=$2 ;;
	--cmd-file)	cmdfile=$2 ;;
	--out)		out=$2 ;;
	--bin)		bins="$bins $2" ;;
	*)		usage ;;
	esac
	shift 2
done
for v in "$krel" "$moddir" "$payload" "$cmdfile" "$out"; do
	[ -n "$v" ] || usage
done
[ -d "$payload" ] || die "payload $payload is not a directory"
[ -f "$cmdfile" ] || die "no command file $cmdfile"
for f in modules.order modules.builtin; do
	[ -f "$moddir/$f" ] || die "$moddir/$f missing (is the kernel image package installed?)"
done

busybox=$(command -v busybox) || die "busybox not found: apt-get install busybox-static"
! ldd "$busybox" >/dev/null 2>&1 ||
	die "$busybox is dynamically linked: apt-get install busybox-static"
for t in kmod jq cpio; do
	command -v $t >/dev/null || die "$t not found: apt-get install $t"
done

stage=$(mktemp -d "${TMPDIR:-/tmp}/mymem-initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT
trap 'exit 1' INT TERM HUP
chmod 0755 "$stage"
(cd "$stage" && mkdir -p bin sbin etc/vm proc sys dev tmp results root mymem usr "lib/modules/$krel")
ln -s ../bin "$stage/usr/bin"
ln -s ../sbin "$stage/usr/sbin"

# Copy the shared libraries of ELF program $1 to the same paths in $stage.
add_libs() {
	ldd "$1" 2>/dev/null | while read -r a b c _; do
		case "$a:$b:$c" in
		/*) lib=$a ;;
		*:=\>:/*) lib=$c ;;
		*) continue ;;
		esac
		[ -e "$stage$lib" ] && continue
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	done
}

# add_prog PROG [NAME]: PROG as /bin/NAME (its own name), with its libraries
add_prog() {
	p=$(command -v "$1") || die "--bin $1: not found"
	n=${2:-${p##*/}}
	rm -f "$stage/bin/$n"
	cp -L "$p" "$stage/bin/$n"
	add_libs "$p"
}

# busybox: every applet is a link; kmod's tools replace busybox's below
cp "$busybox" "$stage/bin/busybox"
for app in $("$busybox" --list); do
	case "$app" in
	busybox|init|linuxrc) ;;
	*) ln -sf busybox "$stage/bin/$app" ;;
	esac
done

# /bin/sh is dash: busybox ash would run its own modprobe, not kmod's
if command -v dash >/dev/null; then
	add_prog dash sh
else
	echo "mkinitramfs: warning: no dash, /bin/sh is busybox ash (its modprobe etc. win over kmod's)" >&2
fi

for b in kmod jq $bins; do
	add_prog "$b"
done
for t in modprobe depmod modinfo insmod rmmod lsmod; do
	rm -f "$stage/bin/$t" "$stage/sbin/$t"
	ln -s ../bin/kmod "$stage/sbin/$t"
done

for f in modules.order modules.builtin modules.builtin.modinfo; do
	[ -f "$moddir/$f" ] && cp "$moddir/$f" "$stage/lib/modules/$krel/"
done

# the payload, plus the libraries its dynamic programs need
cp -a "$payload/." "$stage/mymem/"
find "$stage/mymem" -type f -perm -u+x | while read -r f; do
	case "$(head -c 4 "$f" | od -An -c | tr -d ' ')" in
	177ELF) add_libs "$f" ;;
	esac
done

cp "$cmdfile" "$stage/etc/vm/cmd"
echo "$krel" >"$stage/etc/vm/krel"
cp "$here/../guest/init" "$stage/init"
cp "$here/../guest/functions.sh" "$stage/etc/vm/"
chmod 0755 "$stage/init"

printf '%s\n' root:x:0:0:root:/root:/bin/sh \
	nobody:x:65534:65534:nobody:/nonexistent:/bin/sh >"$stage/etc/passwd"
printf '%s\n' root:x:0: nogroup:x:65534: >"$stage/etc/group"
: >"$stage/etc/fstab"
chmod 1777 "$stage/tmp"
# the kernel's built-in initramfs has /dev/console already; add it if we can
mknod -m 0600 "$stage/dev/console" c 5 1 2>/dev/null || true

(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
	gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
