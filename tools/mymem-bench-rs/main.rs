// SPDX-License-Identifier: GPL-2.0
//! mymem-bench-rs - mymem-bench in safe Rust: time read(2) and write(2) on
//! /dev/mymem against pread(2)/pwrite(2) on a tmpfs file
//!
//! The same measurement as tools/mymem-bench/mymem-bench.c, call for call:
//! per size and op, -i timed calls on each target, alternating, each timed
//! alone with Instant (CLOCK_MONOTONIC); an untimed lseek then a timed
//! read/write on mymem (-P: pread/pwrite), pread/pwrite on a baseline file
//! as large as the buffer (up to 256 MiB); every read checked against the
//! data last written.  The same table, ratios and JSON records; the JSON's
//! "tool" is "mymem-bench-rs".  Standard library only, no unsafe code:
//! File is read(2)/write(2) through Read/Write, pread/pwrite through
//! FileExt; the size comes from MYMEM_IOC_GET_SIZE in mymem_common.

#![forbid(unsafe_code)]

use mymem_common as mm;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::Path;
use std::process::exit;
use std::time::Instant;

const PROG: &str = "mymem-bench-rs";
const MAX_SIZES: usize = 16;
const MAX_ITER: u64 = 10_000_000;
const DEFAULT_SIZES: &str = "1,64,1024,65536,524288";
const MAX_FILE: u64 = 256 << 20; // largest baseline file
const MYMEM: usize = 0;
const TMPFS: usize = 1;

#[derive(Clone, Copy, PartialEq)]
enum Op {
    Write,
    Read,
}

const OPS: [Op; 2] = [Op::Write, Op::Read];

impl Op {
    fn name(self) -> &'static str {
        ["write", "read"][self as usize]
    }
}

struct Target {
    name: &'static str, // "mymem", "tmpfs" (or "file" off tmpfs)
    file: File,
    pos_call: bool, // untimed lseek + timed read/write
}

impl Target {
    fn method(&self, op: Op) -> String {
        format!("{}{}", if self.pos_call { "lseek+" } else { "p" }, op.name())
    }
}

/// A page-aligned buffer, as posix_memalign() gives the C tool: the
/// aligned part of a larger Vec.
struct PageBuf {
    v: Vec<u8>,
    off: usize,
    len: usize,
}

impl PageBuf {
    fn new(len: usize) -> Self {
        let v = vec![0u8; len + 4095];
        let off = v.as_ptr().align_offset(4096).min(4095);
        PageBuf { v, off, len }
    }

    fn get(&self, len: usize) -> &[u8] {
        &self.v[self.off..self.off + len.min(self.len)]
    }

    fn get_mut(&mut self, len: usize) -> &mut [u8] {
        &mut self.v[self.off..self.off + len.min(self.len)]
    }
}

struct Bench {
    sizes: Vec<u64>,
    iterations: u64,
    warmup: u64,
    buf_size: u64,
    wbuf: PageBuf,
    rbuf: PageBuf,
    samples: [Vec<u64>; 2],
    t: [Target; 2],
    res: Vec<[[mm::Stats; 2]; 2]>, // [size][op][target]
}

fn usage() -> String {
    format!(
        "usage: {PROG} [-d DEV] [-s SIZES] [-i N] [-t DIR] [-j FILE] [-P]

Time read(2) and write(2) on the mymem device for each transfer size,
against pread(2)/pwrite(2) on a tmpfs file of the same size.

  -d DEV    device (default {})
  -s SIZES  comma-separated transfer sizes in bytes, each 1..buffer size,
            at most {MAX_SIZES} (default {DEFAULT_SIZES})
  -i N      timed calls per size, op and target, 1..{MAX_ITER} (default 1000)
  -t DIR    directory of the baseline file (default /dev/shm if it is
            tmpfs, else /tmp); it should be a tmpfs
  -j FILE   also write the results as JSON to FILE
  -P        time pread/pwrite on mymem too (default: untimed lseek, then
            a timed read/write, as in the lab)
  -h        this help

Exit status: 0 success, 1 an I/O error or a read-back mismatch, 2 usage.
",
        mm::DEFAULT_DEV
    )
}

/// 1 to MAX_SIZES sizes, comma-separated, each 1..u32::MAX; an empty
/// item ("1,,2", "1,") is malformed.
fn parse_sizes(arg: &str) -> Option<Vec<u64>> {
    let sizes: Option<Vec<u64>> = arg.split(',').map(|s| mm::parse_u64(s, 1, u32::MAX as u64)).collect();
    sizes.filter(|s| s.len() <= MAX_SIZES)
}

/// A mount point of /proc/self/mountinfo, the kernel's octal escapes (of
/// space, tab, newline and backslash) undone.
fn unescape(s: &str) -> String {
    s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\")
}

/// Whether dir is on a tmpfs: the file system type of the mount that
/// holds it (the longest mount point above it, the last one mounted).
/// The C tool asks statfs(2); std has no statfs, mountinfo says the same.
fn is_tmpfs(dir: &str) -> bool {
    let (path, info) = match (fs::canonicalize(dir), fs::read_to_string("/proc/self/mountinfo")) {
        (Ok(p), Ok(i)) => (p, i),
        _ => return false,
    };
    let mut best: Option<(usize, bool)> = None;
    for line in info.lines() {
        // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [TAGS...] - FSTYPE SOURCE SUPER
        let (head, tail) = match line.split_once(" - ") {
            Some(ht) => ht,
            None => continue,
        };
        let (mnt, fstype) = match (head.split(' ').nth(4), tail.split(' ').next()) {
            (Some(m), Some(f)) => (unescape(m), f),
            _ => continue,
        };
        if path.starts_with(Path::new(&mnt)) && best.map_or(true, |(len, _)| mnt.len() >= len) {
            best = Some((mnt.len(), fstype == "tmpfs"));
        }
    }
    best.map_or(false, |(_, tmpfs)| tmpfs)
}

/// Create, unlink and fill the baseline file of size bytes with the
/// repeated fill (mkstemp in the C tool: a new name, O_EXCL, mode 0600).
fn open_baseline(dir: &str, size: u64, fill: &[u8]) -> Option<File> {
    let mut err = io::Error::from(io::ErrorKind::AlreadyExists);
    for i in 0..100 {
        let path = format!("{}/{}.{}.{}", dir, PROG, std::process::id(), i);
        match OpenOptions::new().read(true).write(true).create_new(true).mode(0o600).open(&path) {
            Ok(file) => {
                let _ = fs::remove_file(&path);
                // write real data: a sparse file would read the zero page
                let mut done = 0u64;
                while done < size {
                    let chunk = (size - done).min(fill.len() as u64) as usize;
                    match file.write_at(&fill[..chunk], done) {
                        Ok(n) if n > 0 => done += n as u64,
                        r => {
                            let why = r.map_or_else(|e| mm::strerror(&e), |_| "short write".to_string());
                            eprintln!("{PROG}: filling the baseline file: {why}");
                            return None;
                        }
                    }
                }
                return Some(file);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => err = e,
            Err(e) => {
                err = e;
                break;
            }
        }
    }
    eprintln!("{PROG}: cannot create a file in {dir}: {}", mm::strerror(&err));
    None
}

/// One timed call on `t`: read into rbuf or write wbuf; its result and
/// its duration in ns (0 when the untimed lseek failed).
fn do_call(t: &Target, op: Op, rbuf: &mut [u8], wbuf: &[u8]) -> (io::Result<usize>, u64) {
    let mut f = &t.file;
    if t.pos_call {
        match f.seek(SeekFrom::Start(0)) {
            Ok(0) => {}
            Ok(pos) => return (Err(io::Error::new(io::ErrorKind::Other, format!("lseek returned {}", pos))), 0),
            Err(e) => return (Err(e), 0),
        }
    }
    let t0 = Instant::now();
    let n = match (t.pos_call, op) {
        (true, Op::Read) => f.read(rbuf),
        (true, Op::Write) => f.write(wbuf),
        (false, Op::Read) => f.read_at(rbuf, 0),
        (false, Op::Write) => f.write_at(wbuf, 0),
    };
    (n, t0.elapsed().as_nanos() as u64)
}

/// Run one (size, op) cell for both targets, as run_cell() of the C tool:
/// calls alternate between mymem and the baseline; each write stamps its
/// data and is read back after the loop; each read must return what the
/// last write left, its first and last byte spoiled first.
fn run_cell(b: &mut Bench, si: usize, op: Op) -> Result<(), ()> {
    let len = b.sizes[si] as usize;
    for i in 0..b.warmup + b.iterations {
        if op == Op::Write {
            let w = b.wbuf.get_mut(len);
            w[0] = i as u8;
            w[len - 1] = !(i as u8);
        }
        for ti in [MYMEM, TMPFS] {
            let t = &b.t[ti];
            let wbuf = b.wbuf.get(len);
            let rbuf = b.rbuf.get_mut(len);
            if op == Op::Read {
                rbuf[0] = !wbuf[0];
                rbuf[len - 1] = !wbuf[len - 1];
            }
            let (n, ns) = do_call(t, op, rbuf, wbuf);
            match n {
                Ok(n) if n == len => {}
                Ok(n) => return Err(eprintln!("{PROG}: {} {} of {len} bytes returned {n}", t.name, op.name())),
                Err(e) => {
                    let e = mm::strerror(&e);
                    return Err(eprintln!("{PROG}: {} {} of {len} bytes returned -1: {e}", t.name, op.name()));
                }
            }
            if op == Op::Read && rbuf != wbuf {
                return Err(eprintln!("{PROG}: {} read of {len} bytes: data differs from what was written", t.name));
            }
            if i >= b.warmup {
                b.samples[ti][(i - b.warmup) as usize] = ns;
            }
        }
    }
    for ti in [MYMEM, TMPFS] {
        let t = &b.t[ti];
        if op == Op::Write {
            let rbuf = b.rbuf.get_mut(len);
            rbuf.fill(0);
            let n = t.file.read_at(rbuf, 0);
            if !matches!(n, Ok(n) if n == len) || rbuf != b.wbuf.get(len) {
                return Err(eprintln!("{PROG}: {} write of {len} bytes: read-back differs", t.name));
            }
        }
        b.res[si][op as usize][ti] = mm::stats_compute(&mut b.samples[ti]);
    }
    Ok(())
}

fn timer_overhead() -> u64 {
    (0..1000).map(|_| Instant::now().elapsed().as_nanos() as u64).min().unwrap_or(0)
}

fn ratio(a: u64, b: u64) -> f64 {
    if b != 0 { a as f64 / b as f64 } else { 0.0 }
}

fn print_tables(b: &Bench) {
    println!(
        "{:<6} {:<5} {:>8} {:>6} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}",
        "target", "op", "size", "iters", "avg_ns", "min_ns", "p50_ns", "p99_ns", "max_ns", "MB/s"
    );
    for (si, &size) in b.sizes.iter().enumerate() {
        for op in OPS {
            for ti in [MYMEM, TMPFS] {
                let s = &b.res[si][op as usize][ti];
                let mbs = if s.avg != 0 { size as f64 * 1e3 / s.avg as f64 } else { 0.0 };
                let (name, op) = (b.t[ti].name, op.name());
                println!(
                    "{name:<6} {op:<5} {size:>8} {:>6} {:>10} {:>10} {:>10} {:>10} {:>10} {mbs:>10.1}",
                    s.n, s.avg, s.min, s.p50, s.p99, s.max
                );
            }
        }
    }
    println!("\nratio mymem/{} (<= 1.00: mymem is no slower)", b.t[TMPFS].name);
    println!(
        "{:<5} {:>8} {:>10} {:>10} {:>9} {:>9}",
        "op", "size", "mymem_avg", "base_avg", "ratio_avg", "ratio_p50"
    );
    for (si, &size) in b.sizes.iter().enumerate() {
        for op in OPS {
            let m = &b.res[si][op as usize][MYMEM];
            let t = &b.res[si][op as usize][TMPFS];
            let (name, ra, rp) = (op.name(), ratio(m.avg, t.avg), ratio(m.p50, t.p50));
            println!("{name:<5} {size:>8} {:>10} {:>10} {ra:>9.2} {rp:>9.2}", m.avg, t.avg);
        }
    }
}

fn write_json(b: &Bench, file: &str, dev: &str) -> Result<(), ()> {
    let mut recs = Vec::new();
    for (si, &size) in b.sizes.iter().enumerate() {
        for op in OPS {
            for ti in [MYMEM, TMPFS] {
                let s = &b.res[si][op as usize][ti];
                let t = &b.t[ti];
                let (name, opn, method) = (t.name, op.name(), t.method(op));
                recs.push(format!(
                    "{{\"test\":\"ubench\",\"target\":\"{name}\",\"op\":\"{opn}\",\"method\":\"{method}\",\"size\":{size},\"iterations\":{},\"avg_ns\":{},\"min_ns\":{},\"p50_ns\":{},\"p99_ns\":{},\"max_ns\":{}}}",
                    s.n, s.avg, s.min, s.p50, s.p99, s.max
                ));
            }
        }
    }
    fs::write(file, mm::json_doc(PROG, dev, b.buf_size, &recs)).map_err(|e| eprintln!("{PROG}: cannot write {file}: {}", mm::strerror(&e)))
}

fn main() {
    let mut dev = mm::DEFAULT_DEV.to_string();
    let mut dir: Option<String> = None;
    let mut json: Option<String> = None;
    let mut sizes_arg = DEFAULT_SIZES.to_string();
    let mut iterations = 1000;
    let mut pread_mymem = false;
    mm::parse_args(PROG, "d:s:i:t:j:Ph", &usage(), |c, v| {
        match c {
            'd' => dev = v,
            's' => sizes_arg = v,
            'i' => iterations = mm::num(PROG, c, &v, MAX_ITER)?,
            't' => dir = Some(v),
            'j' => json = Some(v),
            _ => pread_mymem = true,
        }
        Ok(())
    });
    let sizes = parse_sizes(&sizes_arg).unwrap_or_else(|| {
        eprintln!("{PROG}: invalid -s {sizes_arg}: 1 to {MAX_SIZES} sizes, comma-separated, each >= 1");
        exit(2)
    });

    let mfile = mm::open_dev(PROG, &dev).unwrap_or_else(|| exit(1));
    let buf_size = mm::dev_size(PROG, &dev, &mfile).unwrap_or_else(|| exit(1));
    if let Some(&s) = sizes.iter().find(|&&s| s > buf_size) {
        eprintln!("{PROG}: invalid -s: size {s} is larger than the {buf_size}-byte buffer of {dev}");
        exit(2);
    }
    let max_len = *sizes.iter().max().unwrap_or(&1);
    // as large as the buffer, unless that would not fit in a small VM
    let file_size = if buf_size <= MAX_FILE { buf_size } else { max_len };

    let dir = dir.unwrap_or_else(|| if is_tmpfs("/dev/shm") { "/dev/shm" } else { "/tmp" }.to_string());
    let base_name = if is_tmpfs(&dir) {
        println!("{PROG}: baseline: pread/pwrite on a {file_size}-byte file in {dir} (tmpfs)");
        "tmpfs"
    } else {
        println!("{PROG}: warning: {dir} is not a tmpfs; the baseline is a {file_size}-byte file there, labelled \"file\"");
        "file"
    };

    let warmup = if iterations / 10 < 100 { iterations / 10 + 1 } else { 100 };
    let mut wbuf = PageBuf::new(max_len as usize);
    let rbuf = PageBuf::new(max_len as usize);
    for (i, c) in wbuf.get_mut(max_len as usize).iter_mut().enumerate() {
        *c = (i as u64 * 31 + 7) as u8;
    }
    let bfile = open_baseline(&dir, file_size, wbuf.get(max_len as usize)).unwrap_or_else(|| exit(1));

    let nr_sizes = sizes.len();
    let mut b = Bench {
        sizes,
        iterations,
        warmup,
        buf_size,
        wbuf,
        rbuf,
        samples: [vec![0; iterations as usize], vec![0; iterations as usize]],
        t: [
            Target { name: "mymem", file: mfile, pos_call: !pread_mymem },
            Target { name: base_name, file: bfile, pos_call: false },
        ],
        res: vec![Default::default(); nr_sizes],
    };

    println!(
        "{PROG}: {dev} ({buf_size} bytes), {iterations} timed calls per cell after {warmup} warm-up calls; mymem: {}; timer overhead {} ns",
        if pread_mymem { "pread/pwrite" } else { "untimed lseek + timed read/write" },
        timer_overhead()
    );
    for si in 0..nr_sizes {
        for op in OPS {
            run_cell(&mut b, si, op).unwrap_or_else(|_| exit(1));
        }
    }
    print_tables(&b);
    if let Some(j) = json {
        write_json(&b, &j, &dev).unwrap_or_else(|_| exit(1));
    }
}
