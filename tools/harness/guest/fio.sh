#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# fio.sh - a client nobody here wrote: fio against /dev/mymem, the kernel's
# own RAM disk (brd's /dev/ram0) and a tmpfs file of the same size, in one
# boot, for make bench (tools/harness/guest/bench.sh, with mymem_core
# loaded):
#
#   fio.sh KO_DIR OUT_DIR
#
# Each cell is an engine (psync, io_uring, queue depth 1), a block size
# (1, 4k, 512k) and a pattern (read, write, randread, randwrite), buffered
# I/O on all three (brd's direct I/O would refuse 1-byte blocks).  A round
# runs every cell on the three targets one after another, the first target
# rotating from round to round, each job FIO_RUNTIME long (default 500ms);
# FIO_ROUNDS rounds (default 5).  OUT_DIR/fio.txt gets one line a job,
# "ENGINE BS RW TARGET ROUND IOPS"; parse-bench.sh takes each cell's best
# round (the host only ever slows a vCPU down).
# POSIX sh (dash, busybox ash).

ko=${1:?KO_DIR} out=${2:?OUT_DIR}
rounds=${FIO_ROUNDS:-5} runtime=${FIO_RUNTIME:-500ms}
size=$(cat /sys/module/mymem_core/parameters/size) || exit 1
tmpf=/tmp/fio-tmpfs.dat

# the kernel's own brd, one RAM disk of the buffer's size (rd_size in KiB)
if ! insmod "$ko"/brd.ko* rd_nr=1 rd_size=$((size / 1024)) 2>/dev/null &&
	! modprobe brd rd_nr=1 rd_size=$((size / 1024)); then
	echo "fio.sh: cannot load brd" >&2
	exit 1
fi
head -c "$size" /dev/zero >$tmpf

set -- mymem:/dev/mymem brd:/dev/ram0 tmpfs:$tmpf
: >"$out/fio.txt"
rc=0
for r in $(seq "$rounds"); do
	job=$out/fio-round$r.fio
	printf '[global]\nsize=%s\nruntime=%s\ntime_based\ninvalidate=0\nstonewall\n' \
		"$size" "$runtime" >"$job"
	for engine in psync io_uring; do
		for bs in 1 4k 512k; do
			for rw in read write randread randwrite; do
				for t in "$@"; do
					printf '[%s %s %s %s]\nioengine=%s\nbs=%s\nrw=%s\nfilename=%s\n' \
						"$engine" "$bs" "$rw" "${t%%:*}" \
						"$engine" "$bs" "$rw" "${t#*:}"
				done >>"$job"
			done
		done
	done
	if fio --output-format=json --output="$out/fio-round$r.json" "$job" \
		>"$out/fio-round$r.log" 2>&1; then
		jq -r --arg r "$r" '.jobs[] | "\(.jobname) \($r) " +
			"\(.read.iops + .write.iops | floor)"' \
			"$out/fio-round$r.json" >>"$out/fio.txt" || rc=1
	else
		echo "fio.sh: round $r failed: $(tail -n 3 "$out/fio-round$r.log")" >&2
		rc=1
	fi
	# the next round starts with the next target
	t=$1
	shift
	set -- "$@" "$t"
done
rm -f $tmpf
rmmod brd
exit $rc
