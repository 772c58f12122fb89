// SPDX-License-Identifier: GPL-2.0
//! mymem-race-rs - mymem-race in safe Rust: the lab's Part 3 counter test
//! over /dev/mymem, the lab's Part 4 question
//!
//! The modes of tools/mymem-race/mymem-race.c, call for call (`locked`
//! under a std Mutex).  Each thread owns a File, opened before the start
//! barrier, and borrows the run (its mode, the Barrier, the Mutex) in a
//! thread::scope.
//!
//! This compiles, and `unlocked` loses updates: safe Rust rules out data
//! races on Rust memory, and here there is none.  The counter lives in the
//! driver; read, add and write are three system calls, each atomic on its
//! own, and the compiler cannot see that the sequence is not.  The Mutex
//! guards no data (Mutex<()>): it serialises the sequence only because
//! every locked worker takes it, a rule the type system does not check.
//!
//! The table, the JSON ("tool":"mymem-race-rs") and the exit status
//! (FOOTER) are those of mymem-race.

#![forbid(unsafe_code)]

use mymem_common::{self as mm, Opt, Val};
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::unix::fs::FileExt;
use std::process::exit;
use std::sync::{Barrier, Mutex};
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
        ["unlocked", "locked", "atomic"][self as usize]
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
type Failure = (&'static str, io::Error);

const ABOUT: &str = "W threads each increment a 64-bit counter at offset 0 of DEV N times;
the final value must be W x N.";
const FOOTER: &str = "Exit status: 0 if every locked and atomic run is exact, 1 if not or on
an error, 2 usage.  Lost updates in unlocked mode are reported, not an error.\n";

/// The modes of a -m list; None if an item is empty or unknown.
fn parse_modes(arg: &str) -> Option<[bool; 3]> {
    let mut want = [false; 3];
    for tok in arg.split(',') {
        match MODES.iter().position(|m| m.name() == tok) {
            Some(m) => want[m] = true,
            None if tok == "all" => want = [true; 3],
            None => return None,
        }
    }
    Some(want)
}

fn read_counter(f: &File) -> io::Result<u64> {
    let mut v = [0u8; 8];
    if f.read_at(&mut v, 0)? == 8 { Ok(u64::from_le_bytes(v)) } else { Err(mm::eio()) }
}

/// One read-modify-write through the file position, as the lab does it:
/// four system calls, and another worker's may come between any two.
fn rmw(mut f: &File) -> Result<(), Failure> {
    let mut v = [0u8; 8];
    mm::rewind(f).map_err(|e| ("lseek", e))?;
    match f.read(&mut v) {
        Ok(8) => {}
        Ok(_) => return Err(("read (short)", mm::eio())),
        Err(e) => return Err(("read", e)),
    }
    let v = u64::from_le_bytes(v).wrapping_add(1);
    mm::rewind(f).map_err(|e| ("lseek", e))?;
    match f.write(&v.to_le_bytes()) {
        Ok(8) => Ok(()),
        Ok(_) => Err(("write (short)", mm::eio())),
        Err(e) => Err(("write", e)),
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
                mm::add_u64(file, 0, 1).map_err(|e| ("ioctl(MYMEM_IOC_ADD_U64)", e))?;
            }
        }
    }
    Ok(())
}

/// Print "PROG: MSG" on stderr; a failed run.
fn err<T>(msg: String) -> Option<T> {
    eprintln!("{PROG}: {msg}");
    None
}

fn run_mode(dev: &str, ctl: &File, mode: Mode, workers: u64, increments: u64) -> Option<(u64, u64)> {
    // reset the counter and make sure the reset took
    match ctl.write_all_at(&0u64.to_le_bytes(), 0).and_then(|()| read_counter(ctl)) {
        Ok(0) => {}
        Ok(v) => return err(format!("{dev}: counter reads {v} after the reset to 0")),
        Err(e) => return err(format!("{dev}: resetting the counter: {}", mm::strerror(&e))),
    }

    let files = (0..workers).map(|_| mm::open_dev(PROG, dev)).collect::<Option<Vec<_>>>()?;
    let run = &Run { mode, increments, start: Barrier::new(files.len() + 1), lock: Mutex::new(()) };
    let (results, elapsed_ns) = thread::scope(|s| {
        let threads: Vec<_> = files.iter()
            .map(|file| thread::Builder::new().spawn_scoped(s, move || worker(run, file)))
            // the started workers wait at the barrier forever
            .map(|t| t.unwrap_or_else(|e| mm::die(PROG, 1, format!("cannot start a thread: {}", mm::strerror(&e)))))
            .collect();
        run.start.wait();
        let t0 = Instant::now();
        let results: Vec<_> = threads.into_iter().map(|t| t.join()).collect();
        (results, t0.elapsed().as_nanos() as u64)
    });

    let name = mode.name();
    for (i, r) in results.into_iter().enumerate() {
        match r {
            Ok(Ok(())) => {}
            Ok(Err((what, e))) => {
                eprintln!("{PROG}: {dev}: {name} worker {i}: {what}: {}", mm::strerror(&e));
                if e.raw_os_error() == Some(mm::ENOTTY) {
                    eprintln!("{PROG}: {dev} does not support MYMEM_IOC_ADD_U64: not a mymem device?");
                }
                return None;
            }
            Err(_) => return err(format!("{dev}: {name} worker {i} panicked")),
        }
    }
    match read_counter(ctl) {
        Ok(fin) => Some((fin, elapsed_ns)),
        Err(e) => err(format!("{dev}: reading the counter: {}", mm::strerror(&e))),
    }
}

fn main() {
    let (mut dev, mut modes, mut json) = (mm::DEFAULT_DEV.to_string(), None, None);
    let (mut workers, mut increments) = (50, 150000);
    #[rustfmt::skip]
    mm::parse_opts(PROG, ABOUT, FOOTER, &mut [
        Opt('d', "DEV", "device", Val::Str(&mut dev)),
        Opt('w', "W", "worker threads", Val::Num(&mut workers, 1, MAX_WORKERS)),
        Opt('n', "N", "increments per worker", Val::Num(&mut increments, 1, MAX_INCREMENTS)),
        Opt('m', "MODES", "comma-separated: unlocked, locked, atomic, or all (default)\n  \
                           unlocked  lseek+read, +1, lseek+write (loses updates)\n  \
                           locked    the same under a std::sync::Mutex\n  \
                           atomic    ioctl MYMEM_IOC_ADD_U64", Val::Maybe(&mut modes)),
        Opt('j', "FILE", "also write the results as JSON to FILE", Val::Maybe(&mut json)),
    ]);
    let modes = modes.unwrap_or_else(|| "all".to_string());
    let want = parse_modes(&modes).unwrap_or_else(|| {
        mm::die(PROG, 2, format!("invalid -m {modes}: unlocked, locked, atomic or all, comma-separated"))
    });

    let ctl = mm::open_dev(PROG, &dev).unwrap_or_else(|| exit(1));
    let size = mm::dev_size(PROG, &dev, &ctl).unwrap_or_else(|| exit(1));
    if size < 8 {
        mm::die(PROG, 1, format!("{dev}: the buffer ({size} bytes) cannot hold the 8-byte counter"));
    }
    let mut jf = json.as_ref().map(|j| {
        File::create(j).unwrap_or_else(|e| mm::die(PROG, 1, format!("cannot write {j}: {}", mm::strerror(&e))))
    });

    let expected = workers * increments;
    println!("{PROG}: {dev}, {workers} workers x {increments} increments (expected {expected})");
    println!("mode          expected        final         lost   lost%   elapsed_ms        ops/s  result");
    let (mut bad, mut ops, mut recs) = (false, [None; 3], Vec::new());
    for (m, mode) in MODES.into_iter().enumerate().filter(|&(m, _)| want[m]) {
        let (fin, ns) = match run_mode(&dev, &ctl, mode, workers, increments) {
            Some(o) => o,
            None => {
                bad = true;
                break;
            }
        };
        let (name, exact, lost) = (mode.name(), fin == expected, expected.wrapping_sub(fin) as i64);
        let ops_s = if ns != 0 { expected as f64 * 1e9 / ns as f64 } else { 0.0 };
        ops[m] = Some(ops_s);
        let verdict = match (exact, mode) {
            (true, _) => "exact",
            (false, Mode::Unlocked) => "lost updates (expected without a lock)",
            _ => "WRONG",
        };
        let (pct, ms) = (100.0 * lost as f64 / expected as f64, ns as f64 / 1e6);
        println!("{name:<9} {expected:>12} {fin:>12} {lost:>12} {pct:>6.1}% {ms:>12.1} {ops_s:>12.0}  {verdict}");
        bad |= verdict == "WRONG";
        recs.push(format!("{{\"test\":\"urace\",\"mode\":\"{name}\",\"workers\":{workers},\"increments\":{increments},\"expected\":{expected},\"final\":{fin},\"lost\":{lost},\"elapsed_ns\":{ns},\"ops_per_sec\":{ops_s:.0},\"exact\":{exact}}}"));
    }
    if let [_, Some(locked), Some(atomic)] = ops {
        println!("{PROG}: atomic is {:.2}x the speed of locked", atomic / locked);
    }
    if let (Some(f), Some(j)) = (jf.as_mut(), &json) {
        if let Err(e) = f.write_all(mm::json_doc(PROG, &dev, size, &recs).as_bytes()) {
            eprintln!("{PROG}: writing {j}: {}", mm::strerror(&e));
            bad = true;
        }
    }
    println!("{PROG}: {}", if bad { "FAIL" } else { "PASS" });
    exit(if bad { 1 } else { 0 });
}
