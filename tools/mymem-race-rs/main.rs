// SPDX-License-Identifier: GPL-2.0
//! mymem-race-rs - mymem-race in safe Rust: the lab's Part 3 counter test
//! over /dev/mymem, the lab's Part 4 question
//!
//! W threads each add 1 to the u64 at offset 0 of the buffer N times; the
//! right final value is W x N.  The modes of tools/mymem-race, call for
//! call: `unlocked` lseek+read, +1, lseek+write; `locked` the same under
//! a std Mutex; `atomic` one MYMEM_IOC_ADD_U64.  Each thread owns a File
//! of its own, opened before the start barrier; the threads share the run
//! (its mode, the Barrier, the Mutex) through an Arc.
//!
//! This compiles, and `unlocked` loses updates: safe Rust rules out data
//! races on Rust memory, and here there is none.  The counter lives in the
//! driver; read, add and write are three system calls, each atomic on its
//! own, and the compiler cannot see that the sequence is not.  The Mutex
//! guards no data (Mutex<()>): it serialises the sequence only because
//! every locked worker takes it, a rule the type system does not check.
//!
//! The table, the JSON ("tool":"mymem-race-rs") and the exit status are
//! those of mymem-race: 0 when every locked and atomic run asked for is
//! exact, 1 when one is not or on an error, 2 for bad usage.

#![forbid(unsafe_code)]

use mymem_common as mm;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;
use std::process::exit;
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::Instant;

const PROG: &str = "mymem-race-rs";
const MAX_WORKERS: u64 = 4096;
const MAX_INCREMENTS: u64 = 1_000_000_000;

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Unlocked,
    Locked,
    Atomic,
}

const MODES: [Mode; 3] = [Mode::Unlocked, Mode::Locked, Mode::Atomic];

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Unlocked => "unlocked",
            Mode::Locked => "locked",
            Mode::Atomic => "atomic",
        }
    }
}

/// What the workers of one run share.
struct Run {
    mode: Mode,
    increments: u64,
    start: Barrier,
    lock: Mutex<()>,
}

/// A worker's first failed call and its error.
struct Failure {
    what: &'static str,
    err: io::Error,
}

fn fail(what: &'static str, err: io::Error) -> Failure {
    Failure { what, err }
}

struct Outcome {
    expected: u64,
    fin: u64,
    lost: i64,
    elapsed_ns: u64,
    ops_per_sec: f64,
    exact: bool,
}

fn usage(to_stderr: bool) {
    let text = format!(
        "usage: {p} [-d DEV] [-w W] [-n N] [-m MODES] [-j FILE]

W threads each increment a 64-bit counter at offset 0 of DEV N times;
the final value must be W x N.

  -d DEV    device (default {dev})
  -w W      worker threads, 1..{mw} (default 50)
  -n N      increments per worker, 1..{mn} (default 150000)
  -m MODES  comma-separated: unlocked, locked, atomic, or all (default)
              unlocked  lseek+read, +1, lseek+write (loses updates)
              locked    the same under a std::sync::Mutex
              atomic    ioctl MYMEM_IOC_ADD_U64
  -j FILE   also write the results as JSON to FILE
  -h, --help  this help

Exit status: 0 if every locked and atomic run is exact, 1 if not or on
an error, 2 usage.  Lost updates in unlocked mode are reported, not an error.
",
        p = PROG,
        dev = mm::DEFAULT_DEV,
        mw = MAX_WORKERS,
        mn = MAX_INCREMENTS
    );
    if to_stderr {
        eprint!("{}", text);
    } else {
        print!("{}", text);
    }
}

/// Add the modes of a -m list to `want`; None if an item is empty or
/// unknown.
fn parse_modes(arg: &str, want: &mut [bool; 3]) -> Option<()> {
    for tok in arg.split(',') {
        if tok == "all" {
            *want = [true; 3];
        } else {
            let m = MODES.iter().position(|m| m.name() == tok)?;
            want[m] = true;
        }
    }
    Some(())
}

fn read_counter(f: &File) -> io::Result<u64> {
    let mut v = [0u8; 8];
    match f.read_at(&mut v, 0)? {
        8 => Ok(u64::from_le_bytes(v)),
        _ => Err(io::Error::from_raw_os_error(mm::EIO)),
    }
}

fn seek0(mut f: &File) -> Result<(), Failure> {
    match f.seek(SeekFrom::Start(0)) {
        Ok(0) => Ok(()),
        Ok(_) => Err(fail("lseek", io::Error::from_raw_os_error(mm::EIO))),
        Err(e) => Err(fail("lseek", e)),
    }
}

/// One read-modify-write through the file position, as the lab does it:
/// four system calls, and another worker's may come between any two.
fn rmw(mut f: &File) -> Result<(), Failure> {
    let mut v = [0u8; 8];
    seek0(f)?;
    match f.read(&mut v) {
        Ok(8) => {}
        Ok(_) => return Err(fail("read (short)", io::Error::from_raw_os_error(mm::EIO))),
        Err(e) => return Err(fail("read", e)),
    }
    let v = u64::from_le_bytes(v).wrapping_add(1);
    seek0(f)?;
    match f.write(&v.to_le_bytes()) {
        Ok(8) => Ok(()),
        Ok(_) => Err(fail("write (short)", io::Error::from_raw_os_error(mm::EIO))),
        Err(e) => Err(fail("write", e)),
    }
}

fn worker(run: &Run, file: &File) -> Result<(), Failure> {
    run.start.wait();
    for _ in 0..run.increments {
        match run.mode {
            Mode::Unlocked => rmw(file)?,
            Mode::Locked => {
                // a worker that failed under the lock poisons nothing: the
                // Mutex holds no data
                let _guard = run.lock.lock().unwrap_or_else(|p| p.into_inner());
                rmw(file)?;
            }
            Mode::Atomic => {
                mm::add_u64(file, 0, 1).map_err(|e| fail("ioctl(MYMEM_IOC_ADD_U64)", e))?;
            }
        }
    }
    Ok(())
}

fn run_mode(dev: &str, ctl: &File, mode: Mode, workers: u64, increments: u64) -> Option<Outcome> {
    // reset the counter and make sure the reset took
    let reset = ctl.write_at(&0u64.to_le_bytes(), 0).and_then(|n| match n {
        8 => read_counter(ctl),
        _ => Err(io::Error::from_raw_os_error(mm::EIO)),
    });
    match reset {
        Ok(0) => {}
        Ok(v) => {
            eprintln!("{}: {}: counter reads {} after the reset to 0", PROG, dev, v);
            return None;
        }
        Err(e) => {
            eprintln!("{}: {}: resetting the counter: {}", PROG, dev, mm::strerror(&e));
            return None;
        }
    }

    let mut files = Vec::with_capacity(workers as usize);
    for _ in 0..workers {
        files.push(mm::open_dev(PROG, dev)?);
    }
    let run = Arc::new(Run {
        mode,
        increments,
        start: Barrier::new(workers as usize + 1),
        lock: Mutex::new(()),
    });
    let mut threads = Vec::with_capacity(files.len());
    for file in files {
        let run = Arc::clone(&run);
        match thread::Builder::new().spawn(move || worker(&run, &file)) {
            Ok(t) => threads.push(t),
            Err(e) => {
                eprintln!("{}: cannot start a thread: {}", PROG, mm::strerror(&e));
                // the started workers wait at the barrier forever
                exit(1);
            }
        }
    }
    run.start.wait();
    let t0 = Instant::now();
    let results: Vec<_> = threads.into_iter().map(|t| t.join()).collect();
    let elapsed_ns = t0.elapsed().as_nanos() as u64;

    for (i, r) in results.into_iter().enumerate() {
        match r {
            Ok(Ok(())) => {}
            Ok(Err(f)) => {
                eprintln!(
                    "{}: {}: {} worker {}: {}: {}",
                    PROG,
                    dev,
                    mode.name(),
                    i,
                    f.what,
                    mm::strerror(&f.err)
                );
                if f.err.raw_os_error() == Some(mm::ENOTTY) {
                    eprintln!("{}: {} does not support MYMEM_IOC_ADD_U64: not a mymem device?", PROG, dev);
                }
                return None;
            }
            Err(_) => {
                eprintln!("{}: {}: {} worker {} panicked", PROG, dev, mode.name(), i);
                return None;
            }
        }
    }
    let fin = match read_counter(ctl) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{}: {}: reading the counter: {}", PROG, dev, mm::strerror(&e));
            return None;
        }
    };
    let expected = workers * increments;
    Some(Outcome {
        expected,
        fin,
        lost: expected.wrapping_sub(fin) as i64,
        elapsed_ns,
        ops_per_sec: if elapsed_ns != 0 { expected as f64 * 1e9 / elapsed_ns as f64 } else { 0.0 },
        exact: fin == expected,
    })
}

fn parse_or_exit(opt: char, v: &str, max: u64) -> u64 {
    mm::parse_u64(v, 1, max).unwrap_or_else(|| {
        eprintln!("{}: invalid -{} {}: 1..{}", PROG, opt, v, max);
        exit(2)
    })
}

fn main() {
    let mut dev = mm::DEFAULT_DEV.to_string();
    let mut json: Option<String> = None;
    let mut want = [false; 3];
    let (mut workers, mut increments) = (50, 150000);
    let mut operand: Option<String> = None;

    for arg in mm::Getopt::new("d:w:n:m:j:h", std::env::args()) {
        match arg {
            Ok(mm::Arg::Opt('d', Some(v))) => dev = v,
            Ok(mm::Arg::Opt('w', Some(v))) => workers = parse_or_exit('w', &v, MAX_WORKERS),
            Ok(mm::Arg::Opt('n', Some(v))) => increments = parse_or_exit('n', &v, MAX_INCREMENTS),
            Ok(mm::Arg::Opt('m', Some(v))) => {
                if parse_modes(&v, &mut want).is_none() {
                    eprintln!(
                        "{}: invalid -m {}: unlocked, locked, atomic or all, comma-separated",
                        PROG, v
                    );
                    exit(2);
                }
            }
            Ok(mm::Arg::Opt('j', Some(v))) => json = Some(v),
            Ok(mm::Arg::Opt('h', None)) => {
                usage(false);
                exit(0);
            }
            Ok(mm::Arg::Operand(a)) => {
                operand.get_or_insert(a);
            }
            Ok(mm::Arg::Opt(..)) => unreachable!("an option outside the spec"),
            Err(msg) => {
                eprintln!("{}", msg);
                usage(true);
                exit(2);
            }
        }
    }
    if let Some(a) = operand {
        eprintln!("{}: unexpected argument '{}'", PROG, a);
        usage(true);
        exit(2);
    }
    if want == [false; 3] {
        want = [true; 3];
    }

    let ctl = mm::open_dev(PROG, &dev).unwrap_or_else(|| exit(1));
    let size = mm::dev_size(PROG, &dev, &ctl).unwrap_or_else(|| exit(1));
    if size < 8 {
        eprintln!("{}: {}: the buffer ({} bytes) cannot hold the 8-byte counter", PROG, dev, size);
        exit(1);
    }
    let mut jf = json.as_ref().map(|j| {
        let f = OpenOptions::new().write(true).create(true).truncate(true).open(j);
        let f = f.unwrap_or_else(|e| {
            eprintln!("{}: cannot write {}: {}", PROG, j, mm::strerror(&e));
            exit(1)
        });
        (f, Vec::new())
    });

    println!(
        "{}: {}, {} workers x {} increments (expected {})",
        PROG,
        dev,
        workers,
        increments,
        workers * increments
    );
    println!(
        "{:<9} {:>12} {:>12} {:>12} {:>7} {:>12} {:>12}  result",
        "mode", "expected", "final", "lost", "lost%", "elapsed_ms", "ops/s"
    );
    let mut bad = false;
    let mut ops = [None; 3];
    for (m, mode) in MODES.into_iter().enumerate() {
        if !want[m] {
            continue;
        }
        let o = match run_mode(&dev, &ctl, mode, workers, increments) {
            Some(o) => o,
            None => {
                bad = true;
                break;
            }
        };
        ops[m] = Some(o.ops_per_sec);
        println!(
            "{:<9} {:>12} {:>12} {:>12} {:>6.1}% {:>12.1} {:>12.0}  {}",
            mode.name(),
            o.expected,
            o.fin,
            o.lost,
            100.0 * o.lost as f64 / o.expected as f64,
            o.elapsed_ns as f64 / 1e6,
            o.ops_per_sec,
            if o.exact {
                "exact"
            } else if mode == Mode::Unlocked {
                "lost updates (expected without a lock)"
            } else {
                "WRONG"
            }
        );
        if !o.exact && mode != Mode::Unlocked {
            bad = true;
        }
        if let Some((_, recs)) = jf.as_mut() {
            recs.push(format!(
                "{{\"test\":\"urace\",\"mode\":\"{}\",\"workers\":{},\"increments\":{},\"expected\":{},\"final\":{},\"lost\":{},\"elapsed_ns\":{},\"ops_per_sec\":{:.0},\"exact\":{}}}",
                mode.name(),
                workers,
                increments,
                o.expected,
                o.fin,
                o.lost,
                o.elapsed_ns,
                o.ops_per_sec,
                o.exact
            ));
        }
    }
    if let [_, Some(locked), Some(atomic)] = ops {
        println!("{}: atomic is {:.2}x the speed of locked", PROG, atomic / locked);
    }
    if let (Some((mut f, recs)), Some(j)) = (jf, json.as_ref()) {
        let doc = mm::json_begin(PROG, &dev, size) + &recs.join(mm::JSON_RECORD_SEP) + mm::JSON_END;
        if let Err(e) = f.write_all(doc.as_bytes()) {
            eprintln!("{}: writing {}: {}", PROG, j, mm::strerror(&e));
            bad = true;
        }
    }
    println!("{}: {}", PROG, if bad { "FAIL" } else { "PASS" });
    exit(if bad { 1 } else { 0 });
}
