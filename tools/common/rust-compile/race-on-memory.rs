// SPDX-License-Identifier: GPL-2.0
//! The lab's counter race on Rust memory: W threads, N increments of one
//! u64.  Safe Rust refuses to compile the racy versions: a counter
//! borrowed mutably by every thread (the borrow checker: one `&mut` at a
//! time), a Cell shared between threads (the trait system: Cell is not
//! Sync).  What compiles is a counter the lock owns, or an atomic.
//!
//! rustc: ok
//! rustc --cfg shared_mut: E0499
//! rustc --cfg shared_cell: E0277

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::thread;

const W: u64 = 4;
const N: u64 = 1000;

fn main() {
    #[cfg(shared_mut)]
    let mut counter = 0u64;
    #[cfg(shared_cell)]
    let counter = std::cell::Cell::new(0u64);
    let locked = Mutex::new(0u64);
    let atomic = AtomicU64::new(0);
    thread::scope(|s| {
        for _ in 0..W {
            s.spawn(|| {
                for _ in 0..N {
                    #[cfg(shared_mut)]
                    {
                        counter += 1;
                    }
                    #[cfg(shared_cell)]
                    counter.set(counter.get() + 1);
                    *locked.lock().unwrap() += 1;
                    atomic.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    assert_eq!(*locked.lock().unwrap(), W * N);
    assert_eq!(atomic.load(Ordering::Relaxed), W * N);
}
