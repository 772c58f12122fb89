// SPDX-License-Identifier: GPL-2.0
//! mymem_common - what the Rust tools share, the twin of common.c
//!
//! Device opening with the messages a user needs (module not loaded, no
//! permission), the buffer size, the two ioctls of
//! include/uapi/linux/mymem.h, number and option parsing, the latency
//! statistics and the JSON envelope.  Standard library only.  The one
//! `unsafe` block of the Rust tools is the ioctl(2) call in this file.

#![deny(unsafe_code)]

use std::fs::{self, File, OpenOptions};
use std::io::{self, Seek, SeekFrom};
use std::mem::size_of;
use std::os::raw::{c_int, c_ulong};
use std::os::unix::io::AsRawFd;
use std::process::exit;

pub const DEFAULT_DEV: &str = "/dev/mymem";

// errno values: the same on every Linux architecture
pub const EPERM: i32 = 1;
pub const ENOENT: i32 = 2;
pub const EIO: i32 = 5;
pub const ENXIO: i32 = 6;
pub const EACCES: i32 = 13;
pub const ENODEV: i32 = 19;
pub const ENOTTY: i32 = 25;

/// struct mymem_add of include/uapi/linux/mymem.h.
#[repr(C)]
pub struct MymemAdd {
    pub offset: i64,
    pub delta: u64,
    pub result: u64,
}

// MYMEM_IOC_* and the size of struct mymem_add, as the C compiler computes
// them from the header (tools/Makefile runs common/uapi-rs.c)
include!("../bin/mymem_uapi.rs");
const _: () = assert!(size_of::<MymemAdd>() == MYMEM_ADD_SIZE, "struct mymem_add differs");

extern "C" {
    fn ioctl(fd: c_int, request: c_ulong, ...) -> c_int;
}

/// ioctl(2) with a pointer to `arg`.  The kernel reads and writes at most
/// the size the request encodes; checking that it is the size of T keeps
/// the call within `arg` whatever the caller passes.
#[allow(unsafe_code)]
fn ioctl_ptr<T>(file: &File, request: c_ulong, arg: &mut T) -> io::Result<()> {
    assert_eq!((request >> 16) & 0x3fff, size_of::<T>() as c_ulong);
    // SAFETY: fd is open for the life of `file`; arg is a valid, exclusive
    // T of the size the request tells the kernel to access.
    let ret = unsafe { ioctl(file.as_raw_fd(), request, arg as *mut T) };
    if ret < 0 { Err(io::Error::last_os_error()) } else { Ok(()) }
}

/// MYMEM_IOC_ADD_U64: add `delta` to the u64 at `offset`, atomically in
/// the driver; returns the new value.
pub fn add_u64(file: &File, offset: i64, delta: u64) -> io::Result<u64> {
    let mut add = MymemAdd { offset, delta, result: 0 };
    ioctl_ptr(file, MYMEM_IOC_ADD_U64, &mut add)?;
    Ok(add.result)
}

/// An EIO error, for a short read or write, or an unexpected file offset.
pub fn eio() -> io::Error {
    io::Error::from_raw_os_error(EIO)
}

/// lseek(2) to offset 0: the file position the lab's read and write use.
pub fn rewind(mut file: &File) -> io::Result<()> {
    if file.seek(SeekFrom::Start(0))? == 0 { Ok(()) } else { Err(eio()) }
}

/// strerror(3) text of an error: io::Error's Display without the
/// " (os error N)" it appends, so the messages read as the C tools' do.
pub fn strerror(e: &io::Error) -> String {
    let s = e.to_string();
    match (e.raw_os_error(), s.rfind(" (os error ")) {
        (Some(_), Some(i)) => s[..i].to_string(),
        _ => s,
    }
}

/// Open the mymem device read-write.  On failure print one line naming
/// the likely cause (module not loaded, no permission).
pub fn open_dev(prog: &str, path: &str) -> Option<File> {
    let file = OpenOptions::new().read(true).write(true).open(path);
    file.map_err(|e| {
        let hint = match e.raw_os_error() {
            Some(ENOENT) | Some(ENXIO) | Some(ENODEV) => " (is mymem_core loaded?)",
            Some(EACCES) | Some(EPERM) => " (run as root or load mymem_core with mode=0666)",
            _ => "",
        };
        eprintln!("{prog}: cannot open {path}: {}{hint}", strerror(&e));
    })
    .ok()
}

/// Size of the buffer behind `file`: MYMEM_IOC_GET_SIZE, or the length of
/// a regular file (lets the host tests run without the module).
pub fn dev_size(prog: &str, path: &str, file: &File) -> Option<u64> {
    let mut size = 0u64;
    match (ioctl_ptr(file, MYMEM_IOC_GET_SIZE, &mut size), file.metadata()) {
        (Ok(()), _) => Some(size),
        (Err(e), Ok(m)) if m.is_file() && e.raw_os_error() == Some(ENOTTY) => Some(m.len()),
        (Err(e), _) => {
            eprintln!("{prog}: {path}: MYMEM_IOC_GET_SIZE: {} (not a mymem device?)", strerror(&e));
            None
        }
    }
}

/// Parse a decimal unsigned integer in [min, max]: digits only, as
/// mm_parse_u64() (no sign, no space, nothing after).
pub fn parse_u64(s: &str, min: u64, max: u64) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse::<u64>().ok().filter(|v| (min..=max).contains(v))
}

/// What an option sets: a number in min..max, a string (Maybe: none
/// unless given) or a flag.
pub enum Val<'a> {
    Num(&'a mut u64, u64, u64),
    Str(&'a mut String),
    Maybe(&'a mut Option<String>),
    Flag(&'a mut bool),
}

/// One option of a tool's table, as struct mm_opt of common.h: -c, the
/// name of its argument, its help (a line after the first is indented
/// under it) and what it sets.  The value before parsing is the default.
pub struct Opt<'a>(pub char, pub &'a str, pub &'a str, pub Val<'a>);

/// Why getopt() stopped: -h or --help; a usage error (its message, then
/// the usage); a number out of its range (the message alone).
#[derive(Debug, PartialEq)]
pub enum Stop {
    Help,
    Usage(String),
    Bad(String),
}

/// getopt_long(3) as mm_parse_opts() calls it, over the command line
/// (argv[0] first): each option sets what its entry in `opts` says, in
/// order.  Short options clustered or not, an argument attached or the
/// next word, "--help" (or a prefix of it) as -h, "--" ends the options;
/// an operand is an error once the options are read.  glibc's messages
/// name argv[0], as glibc does; the tool's name `prog`.
pub fn getopt(prog: &str, opts: &mut [Opt], args: impl IntoIterator<Item = String>) -> Result<(), Stop> {
    let mut args = args.into_iter();
    let argv0 = args.next().unwrap_or_default();
    let (mut operand, mut done) = (None, false);
    while let Some(a) = args.next() {
        if done || a == "-" || !a.starts_with('-') {
            operand.get_or_insert(a);
        } else if a == "--" {
            done = true;
        } else if let Some(long) = a.strip_prefix("--") {
            let (name, val) = long.split_once('=').map_or((long, false), |(n, _)| (n, true));
            return Err(if name.is_empty() || !"help".starts_with(name) {
                Stop::Usage(format!("{argv0}: unrecognized option '{a}'"))
            } else if val {
                Stop::Usage(format!("{argv0}: option '--help' doesn't allow an argument"))
            } else {
                Stop::Help
            });
        } else {
            for (i, c) in a.char_indices().skip(1) {
                let o = match opts.iter_mut().find(|o| o.0 == c) {
                    _ if c == 'h' => return Err(Stop::Help),
                    None => return Err(Stop::Usage(format!("{argv0}: invalid option -- '{c}'"))),
                    Some(o) => o,
                };
                let (rest, takes_arg) = (&a[i + c.len_utf8()..], !matches!(o.3, Val::Flag(_)));
                let v = match (takes_arg, rest.is_empty()) {
                    (false, _) => String::new(),
                    (true, false) => rest.to_string(),
                    (true, true) => args
                        .next()
                        .ok_or_else(|| Stop::Usage(format!("{argv0}: option requires an argument -- '{c}'")))?,
                };
                match &mut o.3 {
                    Val::Num(n, min, max) => {
                        **n = parse_u64(&v, *min, *max)
                            .ok_or_else(|| Stop::Bad(format!("{prog}: invalid -{c} {v}: {min}..{max}")))?
                    }
                    Val::Str(s) => **s = v,
                    Val::Maybe(s) => **s = Some(v),
                    Val::Flag(f) => **f = true,
                }
                if takes_arg {
                    break; // its argument ends the cluster
                }
            }
        }
    }
    operand.map_or(Ok(()), |a| Err(Stop::Usage(format!("{prog}: unexpected argument '{a}'"))))
}

/// The usage text of mm_parse_opts(): "usage: PROG [-c ARG]...", about,
/// one line per option with a number's range and the default, footer.
fn usage(prog: &str, about: &str, footer: &str, opts: &[Opt]) -> String {
    let mut head = format!("usage: {prog}");
    let mut lines = String::new();
    for Opt(c, arg, help, val) in opts {
        head += &if arg.is_empty() { format!(" [-{c}]") } else { format!(" [-{c} {arg}]") };
        let default = match val {
            Val::Num(v, min, max) => format!(" ({min}..{max}, default {v})"),
            Val::Str(s) => format!(" (default {s})"),
            _ => String::new(),
        };
        lines += &format!("  -{c} {arg:<7}{}{default}\n", help.replace('\n', "\n            "));
    }
    format!("{head}\n\n{about}\n\n{lines}  -h, --help  this help\n\n{footer}")
}

/// The command line through getopt(), as mm_parse_opts() takes it: -h
/// prints the usage and exits 0; a usage error prints its message and the
/// usage on stderr, a number out of its range its message, and exit 2.
pub fn parse_opts(prog: &str, about: &str, footer: &str, opts: &mut [Opt]) {
    let usage = usage(prog, about, footer, opts);
    match getopt(prog, opts, std::env::args()) {
        Ok(()) => return,
        Err(Stop::Help) => {
            print!("{usage}");
            exit(0)
        }
        Err(Stop::Usage(msg)) => eprint!("{msg}\n{usage}"),
        Err(Stop::Bad(msg)) => eprintln!("{msg}"),
    }
    exit(2)
}

/// Print "PROG: MSG" on stderr and exit with `status`.
pub fn die(prog: &str, status: i32, msg: impl std::fmt::Display) -> ! {
    eprintln!("{prog}: {msg}");
    exit(status)
}

/// Latency statistics of n samples, in the unit of the samples (ns).
#[derive(Clone, Copy, Default, Debug, PartialEq)]
pub struct Stats {
    pub n: u64,
    pub avg: u64,
    pub min: u64,
    pub p50: u64,
    pub p99: u64,
    pub max: u64,
}

/// Nearest-rank index (0-based) of percentile pct (1..100) among n > 0:
/// ceil(pct * n / 100) - 1, at least 0.
pub fn rank_index(n: usize, pct: u32) -> usize {
    ((pct as u64 * n as u64 + 99) / 100).saturating_sub(1) as usize
}

/// Sort the samples and compute their statistics, as mm_stats_compute():
/// nearest-rank percentiles, the mean rounded to the nearest integer.
/// `samples` must not be empty.
pub fn stats_compute(samples: &mut [u64]) -> Stats {
    let n = samples.len();
    samples.sort_unstable();
    let sum: u128 = samples.iter().map(|&s| s as u128).sum();
    Stats {
        n: n as u64,
        avg: ((sum + n as u128 / 2) / n as u128) as u64,
        min: samples[0],
        p50: samples[rank_index(n, 50)],
        p99: samples[rank_index(n, 99)],
        max: samples[n - 1],
    }
}

/// A JSON string literal.
pub fn json_string(s: &str) -> String {
    let mut out = String::from('"');
    for c in s.chars() {
        match c {
            '"' | '\\' => out.extend(['\\', c]),
            c if (c as u32) < 0x20 => out += &format!("\\u{:04x}", c as u32),
            c => out.push(c),
        }
    }
    out + "\""
}

/// Online CPUs, as sysconf(_SC_NPROCESSORS_ONLN) counts them: the ranges
/// in /sys/devices/system/cpu/online ("0-1,4").
pub fn online_cpus() -> usize {
    let list = fs::read_to_string("/sys/devices/system/cpu/online").unwrap_or_default();
    let range = |r: &str| {
        let (a, b) = r.split_once('-').unwrap_or((r, r));
        Some(b.parse::<usize>().ok()?.checked_sub(a.parse().ok()?)? + 1)
    };
    let n = list.trim().split(',').map(range).sum::<Option<usize>>();
    n.or_else(|| std::thread::available_parallelism().ok().map(|n| n.get())).unwrap_or(1)
}

/// The JSON document, as mm_json_begin() and mm_json_end() write it:
/// {"schema":1,"tool":T,"kernel":K,"cpus":N,"device":D,"core_size":S,
/// "records":[ the records, separated by ",\n" ]}.
pub fn json_doc(tool: &str, dev: &str, size: u64, records: &[String]) -> String {
    let release = fs::read_to_string("/proc/sys/kernel/osrelease");
    let kernel = json_string(release.as_deref().map_or("unknown", str::trim_end));
    let (tool, cpus, dev, records) = (json_string(tool), online_cpus(), json_string(dev), records.join(",\n"));
    format!("{{\"schema\":1,\"tool\":{tool},\"kernel\":{kernel},\"cpus\":{cpus},\"device\":{dev},\"core_size\":{size},\"records\":[\n{records}\n]}}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse() {
        assert_eq!(parse_u64("0", 0, 10), Some(0));
        assert_eq!(parse_u64("150000", 1, 1000000), Some(150000));
        assert_eq!(parse_u64("18446744073709551615", 0, u64::MAX), Some(u64::MAX));
        for bad in ["18446744073709551616", "", "-1", "+1", " 1", "1 ", "12x", "11"] {
            assert_eq!(parse_u64(bad, 0, 10), None, "{:?}", bad);
        }
        assert_eq!(parse_u64("0", 1, 10), None);
    }

    #[test]
    fn rank() {
        assert_eq!((rank_index(1, 50), rank_index(1, 99)), (0, 0));
        assert_eq!((rank_index(2, 50), rank_index(2, 99)), (0, 1));
        assert_eq!((rank_index(100, 50), rank_index(100, 99)), (49, 98));
        assert_eq!((rank_index(1000, 50), rank_index(1000, 99)), (499, 989));
        assert_eq!((rank_index(101, 50), rank_index(101, 99)), (50, 99));
        assert_eq!(rank_index(7, 100), 6);
    }

    #[test]
    fn stats() {
        let st = stats_compute(&mut [42]);
        assert_eq!(st, Stats { n: 1, avg: 42, min: 42, p50: 42, p99: 42, max: 42 });

        let mut v: Vec<u64> = (1..=100).rev().collect();
        let st = stats_compute(&mut v);
        assert_eq!((st.min, st.max, st.p50, st.p99), (1, 100, 50, 99));
        assert_eq!(st.avg, 51, "50.5 rounds to 51");
        assert_eq!((v[0], v[99]), (1, 100), "sorted in place");

        let st = stats_compute(&mut [1, 2]);
        assert_eq!((st.avg, st.p50, st.p99), (2, 1, 2));

        let st = stats_compute(&mut [u64::MAX, u64::MAX, 1]);
        let want = ((u64::MAX as u128 * 2 + 1 + 1) / 3) as u64;
        assert_eq!((st.max, st.min, st.avg), (u64::MAX, 1, want), "no overflow in the sum");
    }

    #[test]
    fn ioctl_numbers() {
        // _IOWR(MAGIC, 1, struct mymem_add) and _IOR(MAGIC, 2, __u64): the
        // direction, size, type and number fields of asm-generic/ioctl.h
        let ioc = |dir: c_ulong, nr, size: usize| (dir << 30) | (size as c_ulong) << 16 | MYMEM_IOC_MAGIC << 8 | nr;
        assert_eq!(MYMEM_IOC_ADD_U64, ioc(3, 1, size_of::<MymemAdd>()));
        assert_eq!(MYMEM_IOC_GET_SIZE, ioc(2, 2, size_of::<u64>()));
    }

    #[test]
    fn json() {
        assert_eq!(json_string("a\"b\\c\n"), "\"a\\\"b\\\\c\\u000a\"");
        let doc = json_doc("t", "/dev/mymem", 524288, &["{}".to_string(), "{}".to_string()]);
        assert!(doc.starts_with("{\"schema\":1,\"tool\":\"t\",\"kernel\":\""));
        assert!(doc.ends_with(",\"device\":\"/dev/mymem\",\"core_size\":524288,\"records\":[\n{},\n{}\n]}\n"));
    }

    #[test]
    fn options() {
        let parse = |line: &str| {
            let (mut d, mut w, mut j, mut p) = ("dev".to_string(), 1, None, false);
            let mut opts = [
                Opt('d', "DEV", "device", Val::Str(&mut d)),
                Opt('w', "W", "workers\nper run", Val::Num(&mut w, 1, 10)),
                Opt('j', "FILE", "JSON", Val::Maybe(&mut j)),
                Opt('P', "", "pread", Val::Flag(&mut p)),
            ];
            let r = getopt("t", &mut opts, line.split(' ').map(String::from));
            (r, format!("{d} {w} {j:?} {p}"))
        };
        let bad_usage = |msg: &str| Err(Stop::Usage(msg.to_string()));
        assert_eq!(parse("p -d /dev/x -w5 -Pw 7"), (Ok(()), "/dev/x 7 None true".into()));
        assert_eq!(parse("p -d -w -jx"), (Ok(()), "-w 1 Some(\"x\") false".into()));
        assert_eq!(parse("p x -P -- -w").0, bad_usage("t: unexpected argument 'x'"));
        assert_eq!(parse("p --he -x"), (Err(Stop::Help), "dev 1 None false".into()));
        assert_eq!(parse("p -Ph -x").0, Err(Stop::Help));
        assert_eq!(parse("p -w 11").0, Err(Stop::Bad("t: invalid -w 11: 1..10".into())));
        assert_eq!(parse("p -w 0").0, Err(Stop::Bad("t: invalid -w 0: 1..10".into())));
        assert_eq!(parse("p -x").0, bad_usage("p: invalid option -- 'x'"));
        assert_eq!(parse("p -Pd").0, bad_usage("p: option requires an argument -- 'd'"));
        assert_eq!(parse("p --bogus").0, bad_usage("p: unrecognized option '--bogus'"));
        assert_eq!(parse("p --help=1").0, bad_usage("p: option '--help' doesn't allow an argument"));

        let (mut d, mut w, mut p) = ("/dev/mymem".to_string(), 50, false);
        let opts = [
            Opt('d', "DEV", "device", Val::Str(&mut d)),
            Opt('w', "W", "worker threads\nof the run", Val::Num(&mut w, 1, 4096)),
            Opt('P', "", "pread", Val::Flag(&mut p)),
        ];
        assert_eq!(
            usage("t", "About.", "Footer.\n", &opts),
            "usage: t [-d DEV] [-w W] [-P]\n\nAbout.\n\n  -d DEV    device (default /dev/mymem)\n  \
             -w W      worker threads\n            of the run (1..4096, default 50)\n  \
             -P        pread\n  -h, --help  this help\n\nFooter.\n"
        );
    }

    #[test]
    fn errors() {
        let e = io::Error::from_raw_os_error(ENOENT);
        assert_eq!(strerror(&e), "No such file or directory");
        assert!(open_dev("t", "/nonexistent/mymem").is_none());
    }
}
