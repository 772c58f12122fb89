// SPDX-License-Identifier: GPL-2.0
//! mymem-bench-rs - mymem-bench in safe Rust: time read(2) and write(2) on
//! /dev/mymem against pread(2)/pwrite(2) on a tmpfs file
//!
//! The measurement of tools/mymem-bench/mymem-bench.c but -N and -z, call
//! for call, each call timed alone with Instant (CLOCK_MONOTONIC); the same
//! table, ratios and JSON records ("tool" is "mymem-bench-rs").
//! read(2)/write(2) are File's Read/Write, pread(2)/pwrite(2) FileExt's
//! read_at/write_at.

#![forbid(unsafe_code)]

use mymem_common::{self as mm, Opt, Val};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{FileExt, OpenOptionsExt};
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

/// The first len page-aligned bytes of buf (len + 4095 bytes long), as
/// posix_memalign() gives the C tool.
fn aligned(buf: &mut [u8], len: usize) -> &mut [u8] {
    let off = buf.as_ptr().align_offset(4096).min(4095);
    &mut buf[off..off + len]
}

struct Bench {
    iterations: u64,
    warmup: u64,
    wbuf: Vec<u8>,
    rbuf: Vec<u8>,
    samples: [Vec<u64>; 2],
    t: [Target; 2],
    res: Vec<(u64, Op, usize, mm::Stats)>, // (size, op, target, its statistics): the table, in order
}

const ABOUT: &str = "Time read(2) and write(2) on the mymem device for each transfer size,
against pread(2)/pwrite(2) on a tmpfs file of the same size.";
const FOOTER: &str = "Exit status: 0 success, 1 an I/O error or a read-back mismatch, 2 usage.\n";

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

/// Whether dir is on a tmpfs (None: unknown), by the mount that holds it
/// (the longest mount point above it, the last one mounted).  The C tool
/// asks statfs(2); std has no statfs, mountinfo says the same.
fn is_tmpfs(dir: &str) -> Option<bool> {
    let (path, info) = (fs::canonicalize(dir).ok()?, fs::read_to_string("/proc/self/mountinfo").ok()?);
    let mounts = info.lines().filter_map(|line| {
        // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [TAGS...] - FSTYPE SOURCE SUPER
        let mut words = line.split(' ');
        Some((unescape(words.nth(4)?), words.skip_while(|&w| w != "-").nth(1)?))
    });
    // max_by_key() returns the last of the longest
    let (_, fstype) = mounts.filter(|(mnt, _)| path.starts_with(mnt)).max_by_key(|(mnt, _)| mnt.len())?;
    Some(fstype == "tmpfs")
}

/// Create, unlink and fill the baseline file of size bytes with the
/// repeated fill (mkstemp in the C tool: a new name, O_EXCL, mode 0600).
fn open_baseline(dir: &str, size: u64, fill: &[u8]) -> Result<File, String> {
    let mut file = Err(io::Error::from(io::ErrorKind::AlreadyExists));
    for i in 0..100 {
        if !matches!(&file, Err(e) if e.kind() == io::ErrorKind::AlreadyExists) {
            break;
        }
        let path = format!("{dir}/{PROG}.{}.{i}", std::process::id());
        file = OpenOptions::new().read(true).write(true).create_new(true).mode(0o600).open(&path);
        if file.is_ok() {
            let _ = fs::remove_file(&path);
        }
    }
    let file = file.map_err(|e| format!("cannot create a file in {dir}: {}", mm::strerror(&e)))?;
    // write real data: a sparse file would read the zero page
    for off in (0..size).step_by(fill.len()) {
        let chunk = &fill[..(size - off).min(fill.len() as u64) as usize];
        file.write_all_at(chunk, off).map_err(|e| format!("filling the baseline file: {}", mm::strerror(&e)))?;
    }
    Ok(file)
}

/// One timed call on `t`: read into rbuf or write wbuf; the bytes it
/// moved and its duration in ns.
fn do_call(t: &Target, op: Op, rbuf: &mut [u8], wbuf: &[u8]) -> io::Result<(usize, u64)> {
    let mut f = &t.file;
    if t.pos_call {
        mm::rewind(f)?;
    }
    let t0 = Instant::now();
    let n = match (t.pos_call, op) {
        (true, Op::Read) => f.read(rbuf),
        (true, Op::Write) => f.write(wbuf),
        (false, Op::Read) => f.read_at(rbuf, 0),
        (false, Op::Write) => f.write_at(wbuf, 0),
    };
    let ns = t0.elapsed().as_nanos() as u64;
    Ok((n?, ns))
}

/// Run one (size, op) cell for both targets, as run_cell() of the C tool:
/// calls alternate between mymem and the baseline; each write stamps its
/// data and is read back after the loop; each read must return what the
/// last write left, its first and last byte spoiled first.
fn run_cell(b: &mut Bench, len: usize, op: Op) -> Result<(), String> {
    for i in 0..b.warmup + b.iterations {
        if op == Op::Write {
            let w = aligned(&mut b.wbuf, len);
            w[0] = i as u8;
            w[len - 1] = !(i as u8);
        }
        for ti in [MYMEM, TMPFS] {
            let (t, wbuf, rbuf) = (&b.t[ti], aligned(&mut b.wbuf, len), aligned(&mut b.rbuf, len));
            if op == Op::Read {
                rbuf[0] = !wbuf[0];
                rbuf[len - 1] = !wbuf[len - 1];
            }
            let (name, opn) = (t.name, op.name());
            let ns = match do_call(t, op, rbuf, wbuf) {
                Ok((n, ns)) if n == len => ns,
                Ok((n, _)) => return Err(format!("{name} {opn} of {len} bytes returned {n}")),
                Err(e) => return Err(format!("{name} {opn} of {len} bytes returned -1: {}", mm::strerror(&e))),
            };
            if op == Op::Read && rbuf != wbuf {
                return Err(format!("{name} read of {len} bytes: data differs from what was written"));
            }
            if i >= b.warmup {
                b.samples[ti][(i - b.warmup) as usize] = ns;
            }
        }
    }
    for ti in [MYMEM, TMPFS] {
        let t = &b.t[ti];
        if op == Op::Write {
            let rbuf = aligned(&mut b.rbuf, len);
            rbuf.fill(0);
            let n = t.file.read_at(rbuf, 0);
            if !matches!(n, Ok(n) if n == len) || rbuf != aligned(&mut b.wbuf, len) {
                return Err(format!("{} write of {len} bytes: read-back differs", t.name));
            }
        }
        b.res.push((len as u64, op, ti, mm::stats_compute(&mut b.samples[ti])));
    }
    Ok(())
}

fn ratio(a: u64, b: u64) -> f64 {
    if b != 0 { a as f64 / b as f64 } else { 0.0 }
}

fn print_tables(b: &Bench) {
    println!("target op        size  iters     avg_ns     min_ns     p50_ns     p99_ns     max_ns       MB/s");
    for &(size, op, ti, s) in &b.res {
        let (name, op, mbs) = (b.t[ti].name, op.name(), ratio(size * 1000, s.avg));
        println!(
            "{name:<6} {op:<5} {size:>8} {:>6} {:>10} {:>10} {:>10} {:>10} {:>10} {mbs:>10.1}",
            s.n, s.avg, s.min, s.p50, s.p99, s.max
        );
    }
    println!("\nratio mymem/{} (<= 1.00: mymem is no slower)", b.t[TMPFS].name);
    println!("op        size  mymem_avg   base_avg ratio_avg ratio_p50");
    for pair in b.res.chunks(2) {
        let ((size, op, _, m), t) = (pair[0], pair[1].3);
        let (name, ra, rp) = (op.name(), ratio(m.avg, t.avg), ratio(m.p50, t.p50));
        println!("{name:<5} {size:>8} {:>10} {:>10} {ra:>9.2} {rp:>9.2}", m.avg, t.avg);
    }
}

fn write_json(b: &Bench, file: &str, dev: &str, size: u64) -> Result<(), String> {
    let mut recs = Vec::new();
    for &(size, op, ti, s) in &b.res {
        let (name, opn, how) = (b.t[ti].name, op.name(), if b.t[ti].pos_call { "lseek+" } else { "p" });
        recs.push(format!(
            "{{\"test\":\"ubench\",\"target\":\"{name}\",\"op\":\"{opn}\",\"method\":\"{how}{opn}\",\"size\":{size},\"iterations\":{},\"avg_ns\":{},\"min_ns\":{},\"p50_ns\":{},\"p99_ns\":{},\"max_ns\":{}}}",
            s.n, s.avg, s.min, s.p50, s.p99, s.max
        ));
    }
    fs::write(file, mm::json_doc(PROG, dev, size, &recs))
        .map_err(|e| format!("cannot write {file}: {}", mm::strerror(&e)))
}

fn main() {
    let (mut dev, mut sizes_arg) = (mm::DEFAULT_DEV.to_string(), DEFAULT_SIZES.to_string());
    let (mut dir, mut json, mut iterations, mut pread_mymem) = (None, None, 1000, false);
    let sizes_help = format!("comma-separated transfer sizes in bytes, each 1..buffer size,\nat most {MAX_SIZES}");
    #[rustfmt::skip]
    mm::parse_opts(PROG, ABOUT, FOOTER, &mut [
        Opt('d', "DEV", "device", Val::Str(&mut dev)),
        Opt('s', "SIZES", &sizes_help, Val::Str(&mut sizes_arg)),
        Opt('i', "N", "timed calls per size, op and target", Val::Num(&mut iterations, 1, MAX_ITER)),
        Opt('t', "DIR", "directory of the baseline file (default /dev/shm if it is\n\
                         tmpfs, else /tmp); it should be a tmpfs", Val::Maybe(&mut dir)),
        Opt('j', "FILE", "also write the results as JSON to FILE", Val::Maybe(&mut json)),
        Opt('P', "", "time pread/pwrite on mymem too (default: untimed lseek, then\n\
                      a timed read/write, as in the lab)", Val::Flag(&mut pread_mymem)),
    ]);
    let sizes = parse_sizes(&sizes_arg).unwrap_or_else(|| {
        mm::die(PROG, 2, format!("invalid -s {sizes_arg}: 1 to {MAX_SIZES} sizes, comma-separated, each >= 1"))
    });

    let mfile = mm::open_dev(PROG, &dev).unwrap_or_else(|| exit(1));
    let buf_size = mm::dev_size(PROG, &dev, &mfile).unwrap_or_else(|| exit(1));
    if let Some(s) = sizes.iter().find(|&&s| s > buf_size) {
        mm::die(PROG, 2, format!("invalid -s: size {s} is larger than the {buf_size}-byte buffer of {dev}"));
    }
    let max_len = *sizes.iter().max().unwrap_or(&1);
    // as large as the buffer, unless that would not fit in a small VM
    let file_size = if buf_size <= MAX_FILE { buf_size } else { max_len };

    let dir = dir.unwrap_or_else(|| if is_tmpfs("/dev/shm") == Some(true) { "/dev/shm" } else { "/tmp" }.to_string());
    let base_name = if is_tmpfs(&dir) == Some(true) {
        println!("{PROG}: baseline: pread/pwrite on a {file_size}-byte file in {dir} (tmpfs)");
        "tmpfs"
    } else {
        println!("{PROG}: warning: {dir} is not a tmpfs; the baseline is a {file_size}-byte file there, labelled \"file\"");
        "file"
    };

    let warmup = if iterations / 10 < 100 { iterations / 10 + 1 } else { 100 };
    let (mut wbuf, rbuf) = (vec![0u8; max_len as usize + 4095], vec![0u8; max_len as usize + 4095]);
    for (i, c) in aligned(&mut wbuf, max_len as usize).iter_mut().enumerate() {
        *c = (i as u64 * 31 + 7) as u8;
    }
    let bfile = open_baseline(&dir, file_size, aligned(&mut wbuf, max_len as usize));
    let bfile = bfile.unwrap_or_else(|e| mm::die(PROG, 1, e));

    let mut b = Bench {
        iterations,
        warmup,
        wbuf,
        rbuf,
        samples: [vec![0; iterations as usize], vec![0; iterations as usize]],
        t: [
            Target { name: "mymem", file: mfile, pos_call: !pread_mymem },
            Target { name: base_name, file: bfile, pos_call: false },
        ],
        res: Vec::new(),
    };
    let overhead = (0..1000).map(|_| Instant::now().elapsed().as_nanos()).min().unwrap_or(0);

    println!(
        "{PROG}: {dev} ({buf_size} bytes), {iterations} timed calls per cell after {warmup} warm-up calls; mymem: {}; timer overhead {} ns",
        if pread_mymem { "pread/pwrite" } else { "untimed lseek + timed read/write" },
        overhead
    );
    for &size in &sizes {
        for op in OPS {
            run_cell(&mut b, size as usize, op).unwrap_or_else(|e| mm::die(PROG, 1, e));
        }
    }
    print_tables(&b);
    if let Some(j) = json {
        write_json(&b, &j, &dev, buf_size).unwrap_or_else(|e| mm::die(PROG, 1, e));
    }
}
