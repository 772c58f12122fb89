// SPDX-License-Identifier: GPL-2.0

//! mymem_core_rs: mymem_core's twin in Rust, for a Rust-enabled 6.12.
//!
//! The same buffer and the same GPL API under the same names
//! (include/linux/mymem.h), so mymem_test and every /dev/mymem client run
//! on it unchanged.  One `kernel::sync::Mutex` owns the buffer: every call,
//! the atomic add too, is one critical section over it.  The calls are
//! `extern "C"` here and exported by glue.c, which also holds the module
//! parameters and /dev/mymem (6.12 has no Rust misc device or iov_iter).
//! `unsafe` is used only where C hands over a pointer.

use core::ffi::{c_int, c_void};
use core::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
use kernel::prelude::*;
use kernel::sync::Mutex;

module! {
    type: MymemRs,
    name: "mymem_core_rs",
    author: "The mymem developers",
    description: "mymem: the shared byte buffer, its API and /dev/mymem, in Rust",
    license: "GPL",
}

const SEEK_SET: c_int = 0;
const SEEK_CUR: c_int = 1;
const SEEK_END: c_int = 2;
const U64: usize = core::mem::size_of::<u64>();

extern "C" {
    fn mymem_rs_param_size() -> isize;
    fn mymem_rs_dev_init() -> c_int;
    fn mymem_rs_dev_exit();
}

/// The buffer; its length is the size, fixed while the module is loaded.
type Core = Mutex<VVec<u8>>;

/// The module's one `Core`, for the exported calls.  Set before /dev/mymem
/// exists and before init returns (only then can another module link to
/// the calls), cleared after both are gone.
static CORE: AtomicPtr<Core> = AtomicPtr::new(core::ptr::null_mut());
/// Its size, for mymem_size() without the lock.
static SIZE: AtomicUsize = AtomicUsize::new(0);

fn core() -> &'static Core {
    // SAFETY: no call can run before init stored CORE or after the module
    // dropped it (see CORE), so the pointer is valid for the whole call.
    unsafe { &*CORE.load(Ordering::Acquire) }
}

struct MymemRs {
    core: Pin<KBox<Core>>,
}

impl kernel::Module for MymemRs {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        // SAFETY: a plain C function; it checks the parameters and says
        // why in one pr_err line.
        let size = unsafe { mymem_rs_param_size() };
        let size = usize::try_from(size).map_err(|_| EINVAL)?;
        let buf = VVec::from_elem(0u8, size, GFP_KERNEL | __GFP_NOWARN).inspect_err(|_| {
            pr_err!("cannot allocate the {}-byte buffer\n", size);
        })?;
        let this = MymemRs {
            core: KBox::pin_init(kernel::new_mutex!(buf, "mymem_core_rs"), GFP_KERNEL)?,
        };
        let p: *const Core = &*this.core;
        SIZE.store(size, Ordering::Relaxed);
        CORE.store(p.cast_mut(), Ordering::Release);
        // SAFETY: a plain C function; CORE is set, so its files may call in.
        let ret = unsafe { mymem_rs_dev_init() };
        if ret != 0 {
            return Err(Error::from_errno(ret)); // drop(this): module_exit's path
        }
        pr_info!("{}-byte buffer ready under one mutex\n", size);
        Ok(this)
    }
}

impl Drop for MymemRs {
    fn drop(&mut self) {
        // SAFETY: a plain C function; it unregisters /dev/mymem if it was
        // registered, and returns once no file operation is running.
        unsafe { mymem_rs_dev_exit() };
        CORE.store(core::ptr::null_mut(), Ordering::Release);
        pr_info!("unloaded\n");
    }
}

/// The bytes a transfer of `len` at `pos` moves (include/linux/mymem.h):
/// `EINVAL` for a negative `pos`, `ENOSPC` for a write at or past the end,
/// 0 for `len` 0 or a read at or past the end.
fn span(size: usize, pos: i64, len: usize, write: bool) -> Result<core::ops::Range<usize>> {
    let pos = usize::try_from(pos).map_err(|_| EINVAL)?;
    if len == 0 || (pos >= size && !write) {
        return Ok(0..0);
    }
    if pos >= size {
        return Err(ENOSPC);
    }
    Ok(pos..pos + len.min(size - pos))
}

fn ret(r: Result<usize>) -> isize {
    match r {
        // a range within a buffer of at most 1 GiB fits an isize
        Ok(n) => n as isize,
        Err(e) => e.to_errno() as isize,
    }
}

fn pread(dst: &mut [u8], pos: i64) -> Result<usize> {
    let buf = core().lock();
    let r = span(buf.len(), pos, dst.len(), false)?;
    let n = r.len();
    dst[..n].copy_from_slice(&buf[r]);
    Ok(n)
}

fn pwrite(src: &[u8], pos: i64) -> Result<usize> {
    let mut buf = core().lock();
    let r = span(buf.len(), pos, src.len(), true)?;
    let n = r.len();
    buf[r].copy_from_slice(&src[..n]);
    Ok(n)
}

/// A kernel buffer handed over by C: `len` bytes at `buf`.
///
/// # Safety
/// `buf` must be valid for reads of `len` bytes (any pointer when `len`
/// is 0) for the duration of the call.
unsafe fn slice<'a>(buf: *const c_void, len: usize) -> &'a [u8] {
    if len == 0 {
        return &[];
    }
    // SAFETY: the caller's guarantee.
    unsafe { core::slice::from_raw_parts(buf.cast(), len) }
}

/// # Safety
/// As [`slice`], for writes.
unsafe fn slice_mut<'a>(buf: *mut c_void, len: usize) -> &'a mut [u8] {
    if len == 0 {
        return &mut [];
    }
    // SAFETY: the caller's guarantee.
    unsafe { core::slice::from_raw_parts_mut(buf.cast(), len) }
}

/// mymem_pread() of include/linux/mymem.h: `buf` is `len` writable bytes.
#[no_mangle]
pub extern "C" fn mymem_pread(buf: *mut c_void, len: usize, pos: i64) -> isize {
    // SAFETY: the API's contract: the caller's buffer holds `len` bytes.
    ret(pread(unsafe { slice_mut(buf, len) }, pos))
}

/// mymem_pwrite(): `buf` is `len` readable bytes.
#[no_mangle]
pub extern "C" fn mymem_pwrite(buf: *const c_void, len: usize, pos: i64) -> isize {
    // SAFETY: the API's contract: the caller's buffer holds `len` bytes.
    ret(pwrite(unsafe { slice(buf, len) }, pos))
}

/// mymem_add_u64(): the little-endian u64 at `pos` += `delta`, its new
/// value in `*result` unless `result` is NULL.
#[no_mangle]
pub extern "C" fn mymem_add_u64(pos: i64, delta: u64, result: *mut u64) -> c_int {
    let val = {
        let mut buf = core().lock();
        let size = buf.len();
        let Some(r) = usize::try_from(pos)
            .ok()
            .filter(|&p| size >= U64 && p <= size - U64)
            .map(|p| p..p + U64)
        else {
            return EINVAL.to_errno();
        };
        let mut le = [0u8; U64];
        le.copy_from_slice(&buf[r.clone()]);
        let val = u64::from_le_bytes(le).wrapping_add(delta);
        buf[r].copy_from_slice(&val.to_le_bytes());
        val
    };
    if !result.is_null() {
        // SAFETY: the API's contract: a non-NULL `result` is writable.
        unsafe { result.write(val) };
    }
    0
}

/// mymem_size(): the buffer size in bytes.
#[no_mangle]
pub extern "C" fn mymem_size() -> usize {
    SIZE.load(Ordering::Relaxed)
}

/// A handle: a position over the positional calls, as a struct file.
pub struct Handle {
    pos: i64,
}

/// mymem_open(): a new handle at 0, or ERR_PTR(-ENOMEM).
#[no_mangle]
pub extern "C" fn mymem_open() -> *mut Handle {
    match KBox::new(Handle { pos: 0 }, GFP_KERNEL) {
        Ok(h) => KBox::into_raw(h),
        Err(_) => ENOMEM.to_errno() as isize as *mut Handle,
    }
}

/// mymem_close(): release a handle of mymem_open(); NULL is ignored.
#[no_mangle]
pub extern "C" fn mymem_close(h: *mut Handle) {
    if !h.is_null() {
        // SAFETY: the API's contract: `h` came from mymem_open() and is
        // not used after this call.
        drop(unsafe { KBox::from_raw(h) });
    }
}

/// # Safety
/// `h` is a live handle of mymem_open() that no other thread uses now.
unsafe fn handle<'a>(h: *mut Handle) -> &'a mut Handle {
    // SAFETY: the caller's guarantee.
    unsafe { &mut *h }
}

fn advance(h: &mut Handle, n: isize) -> isize {
    if n > 0 {
        h.pos += n as i64;
    }
    n
}

/// mymem_read(): mymem_pread() at the handle's position, which advances.
#[no_mangle]
pub extern "C" fn mymem_read(h: *mut Handle, buf: *mut c_void, len: usize) -> isize {
    // SAFETY: the API's contract for `h` and for `len` bytes at `buf`.
    let (h, buf) = unsafe { (handle(h), slice_mut(buf, len)) };
    let n = ret(pread(buf, h.pos));
    advance(h, n)
}

/// mymem_write(): mymem_pwrite() at the handle's position, which advances.
#[no_mangle]
pub extern "C" fn mymem_write(h: *mut Handle, buf: *const c_void, len: usize) -> isize {
    // SAFETY: the API's contract for `h` and for `len` bytes at `buf`.
    let (h, buf) = unsafe { (handle(h), slice(buf, len)) };
    let n = ret(pwrite(buf, h.pos));
    advance(h, n)
}

/// mymem_seek(): the new position in [0, size], or -EINVAL (unchanged).
#[no_mangle]
pub extern "C" fn mymem_seek(h: *mut Handle, offset: i64, whence: c_int) -> i64 {
    // SAFETY: the API's contract for `h`.
    let h = unsafe { handle(h) };
    let size = mymem_size() as i64;
    let base = match whence {
        SEEK_SET => 0,
        SEEK_CUR => h.pos,
        SEEK_END => size,
        _ => return EINVAL.to_errno().into(),
    };
    match base.checked_add(offset) {
        Some(pos) if (0..=size).contains(&pos) => {
            h.pos = pos;
            pos
        }
        _ => EINVAL.to_errno().into(),
    }
}
