// SPDX-License-Identifier: GPL-2.0
//! The same counter on a file (a device, for mymem-race-rs): every
//! version compiles, racy or not, because the counter is not Rust memory.
//! read_at and write_at take &File: the OS serialises each call, and
//! nothing in the types says that a read, an add and a write must run as
//! one.  A Mutex<File> does make this one File unreachable without the
//! lock (bypassing it is a compile error), but a second File opened on the
//! same path, here or in another process, races with it all the same.
//!
//! rustc: ok
//! rustc --cfg bypass_lock: E0599

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::sync::{Arc, Mutex};
use std::thread;

fn increment(f: &File) {
    let mut v = [0u8; 8];
    f.read_at(&mut v, 0).unwrap();
    f.write_at(&(u64::from_le_bytes(v) + 1).to_le_bytes(), 0).unwrap();
}

fn main() {
    let path = std::env::temp_dir().join(format!("race-on-device.{}", std::process::id()));
    let file = Arc::new(File::options().read(true).write(true).create(true).open(&path).unwrap());
    file.write_at(&0u64.to_le_bytes(), 0).unwrap();

    // the lab's race: compiles, loses updates
    let racy = Arc::clone(&file);
    let t = thread::spawn(move || (0..1000).for_each(|_| increment(&racy)));
    (0..1000).for_each(|_| increment(&file));
    t.join().unwrap();

    // the lock owns the File: every access through it is locked...
    let locked = Arc::new(Mutex::new(File::options().read(true).write(true).open(&path).unwrap()));
    #[cfg(bypass_lock)]
    locked.read_at(&mut [0u8; 8], 0).unwrap();
    increment(&locked.lock().unwrap());
    // ...but this File is another way to the same counter, unlocked
    increment(&File::options().read(true).write(true).open(&path).unwrap());
    std::fs::remove_file(&path).unwrap();
}
