//! Output allocation: checked against a memory cap (an `Err`, never an abort) and advised to
//! use transparent huge pages, as numpy does.
//!
//! Why checked: an input's logical size is not bounded by memory. A stride-0 broadcast view
//! (`ArrayView1::from(&[1.0][..]).broadcast(1 << 40)`) is one element in memory and 2^40
//! elements to every function that reads it, so an output "sized like the input" can be
//! terabytes, and Rust aborts the process when that allocation fails. The rule: every buffer
//! whose size an input or a parameter decides comes from a fallible helper here —
//! [`try_zeros`], [`try_zeroed_vec`], [`try_filled_vec`], [`try_standard_layout`],
//! [`try_to_owned`] — or is preceded by [`check_alloc`]. The check is at the allocation, not
//! one check at the front door, because the front door does not know how many buffers of which
//! type each path allocates (a `f32` input with `f64` moments, complex spectra, scratch); the
//! helpers cost one comparison per buffer and calloc like `vec![0.0; n]` (same speed).
//! [`zeros`] and [`filled_vec`] stay infallible for sizes already bounded (a checked table, a
//! constant).
//!
//! Why: a freshly allocated output is mapped lazily, and the first write to each 4 KiB page
//! takes a page fault in which the kernel zero-fills that page. On this machine (2 cores,
//! THP mode `madvise`) first-touching 200 MiB costs 90-130 ms in 4 KiB pages but ~31 ms in
//! 2 MiB huge pages (`/tmp` C probe: calloc + one write per cache line, 3 runs each) — for a
//! memory-bound filter that writes a 200 MB output, the faults are half of the call.
//! numpy calls `madvise(MADV_HUGEPAGE)` on every allocation of 4 MiB or more, so its outputs
//! get huge pages; [`zeros`] does the same for ndkern's allocating functions.
//!
//! The advice is only advice: on other systems, with THP disabled, or for small arrays,
//! [`zeros`] is exactly `Array::zeros`. Like numpy's `NUMPY_MADVISE_HUGEPAGE`, the environment
//! variable `NDKERN_MADVISE_HUGEPAGE=0` turns it off (read once per process), which is also how
//! its effect is measured: `NDKERN_MADVISE_HUGEPAGE=0 cargo xtask bench --quick uniform3`.

use crate::{Element, Error, Result};
use ndarray::{Array, ArrayBase, CowArray, Data, Dimension};

/// Buffers of at least this many bytes get the huge-page advice (numpy's threshold).
pub const HUGE_PAGE_MIN_BYTES: usize = 4 << 20;

/// A zero-filled array of shape `dim` (C order) whose buffer, when it is at least
/// [`HUGE_PAGE_MIN_BYTES`], is advised to be backed by transparent huge pages before its first
/// write. Infallible: only for sizes already bounded; an output sized like an input (which can
/// be a huge broadcast view) uses [`try_zeros`].
///
/// ```
/// use ndarray::Ix2;
/// let a = ndkern_core::zeros::<f32, _>(Ix2(3, 4));
/// assert_eq!(a.shape(), &[3, 4]);
/// assert!(a.iter().all(|&x| x == 0.0));
/// ```
#[must_use]
pub fn zeros<T: Element, D: Dimension>(dim: D) -> Array<T, D> {
    let v = filled_vec(T::zero(), dim.size());
    Array::from_shape_vec(dim, v).expect("buffer length equals the shape's size")
}

/// `vec![value; n]` for output buffers whose size is already bounded (else
/// [`try_filled_vec`] / [`try_zeroed_vec`]), with the huge-page advice of [`zeros`] when the buffer
/// is at least [`HUGE_PAGE_MIN_BYTES`]. The advice takes effect when `value`'s bytes are all
/// zero (`0.0`, `0`, `false`, `T::default()` of numbers): then the buffer comes from calloc
/// untouched; other fill values touch every page before the advice is given.
///
/// ```
/// let v = ndkern_core::filled_vec(0u32, 10);
/// assert_eq!(v, vec![0; 10]);
/// ```
#[must_use]
pub fn filled_vec<T: Clone>(value: T, n: usize) -> Vec<T> {
    // `vec![0.0; n]` allocates with calloc: large buffers are fresh, untouched mappings.
    let v = vec![value; n];
    advise_huge_pages(&v);
    v
}

#[cfg(target_os = "linux")]
fn advise_huge_pages<T>(v: &[T]) {
    const PAGE: usize = 4096;
    let bytes = std::mem::size_of_val(v);
    if bytes < HUGE_PAGE_MIN_BYTES || !huge_pages_enabled() {
        return;
    }
    let start = v.as_ptr() as usize;
    let aligned = (start + PAGE - 1) & !(PAGE - 1);
    let len = bytes - (aligned - start);
    // SAFETY: MADV_HUGEPAGE only changes how the kernel backs the pages of this range, never
    // their contents; the range [aligned, aligned + len) lies inside `v`'s allocation, which
    // outlives the call. The result is ignored: the advice is optional.
    unsafe {
        libc::madvise(aligned as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
    }
}

/// False when `NDKERN_MADVISE_HUGEPAGE` is set to `0`.
#[cfg(target_os = "linux")]
fn huge_pages_enabled() -> bool {
    static ENABLED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ENABLED.get_or_init(|| std::env::var("NDKERN_MADVISE_HUGEPAGE").map_or(true, |v| v != "0"))
}

#[cfg(not(target_os = "linux"))]
fn advise_huge_pages<T>(_v: &[T]) {}

/// The most bytes one buffer sized by a caller's parameters may take: the machine's physical
/// memory, lowered to the process's address-space limit (`RLIMIT_AS`) when one is set, or the
/// value of `NDKERN_MAX_ALLOC_BYTES` when that is set. Read once per process.
///
/// Why a cap: Rust aborts the process when an allocation fails, and on Linux a huge request
/// can also "succeed" lazily and be killed later. numpy raises `MemoryError` instead; ndkern
/// returns [`Error::TooLarge`] before asking, so a window of `1e9` on a 5-sample line or a
/// histogram of `2^40` cells is an `Err`, never an abort.
///
/// ```
/// assert!(ndkern_core::memory_limit() > 0);
/// ```
#[must_use]
pub fn memory_limit() -> usize {
    static LIMIT: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *LIMIT.get_or_init(|| {
        if let Some(v) = std::env::var("NDKERN_MAX_ALLOC_BYTES")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
        {
            return v;
        }
        system_memory_limit()
    })
}

#[cfg(target_os = "linux")]
fn system_memory_limit() -> usize {
    // SAFETY: sysconf and getrlimit only read process/system facts; `lim` is a valid,
    // writable rlimit for the duration of the call.
    let (pages, page, lim) = unsafe {
        let mut lim = libc::rlimit {
            rlim_cur: libc::RLIM_INFINITY,
            rlim_max: libc::RLIM_INFINITY,
        };
        if libc::getrlimit(libc::RLIMIT_AS, &mut lim) != 0 {
            lim.rlim_cur = libc::RLIM_INFINITY;
        }
        (
            libc::sysconf(libc::_SC_PHYS_PAGES),
            libc::sysconf(libc::_SC_PAGESIZE),
            lim.rlim_cur,
        )
    };
    let phys = if pages > 0 && page > 0 {
        (pages as u128 * page as u128).min(isize::MAX as u128) as usize
    } else {
        isize::MAX as usize
    };
    if lim == libc::RLIM_INFINITY {
        phys
    } else {
        phys.min(usize::try_from(lim).unwrap_or(usize::MAX))
    }
}

#[cfg(not(target_os = "linux"))]
fn system_memory_limit() -> usize {
    isize::MAX as usize
}

/// The product of `dims`, or [`Error::TooLarge`] naming `what` when it overflows `usize`.
/// Every size computed from a caller's parameters (cells, grid points, padded lengths) goes
/// through this or [`check_alloc`].
///
/// ```
/// assert_eq!(ndkern_core::checked_len("cells", &[3, 4, 5]).unwrap(), 60);
/// assert!(ndkern_core::checked_len("cells", &[1 << 40, 1 << 40]).is_err());
/// ```
pub fn checked_len(what: &'static str, dims: &[usize]) -> Result<usize> {
    dims.iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or(Error::TooLarge {
            what,
            bytes: None,
            limit: memory_limit(),
        })
}

/// `Ok` when `n` elements of `T` fit under [`memory_limit`], else [`Error::TooLarge`] naming
/// `what`. Call it before allocating (or before a loop that would allocate) anything whose size
/// a caller's parameter decides.
///
/// ```
/// assert!(ndkern_core::check_alloc::<f64>("grid", 1000).is_ok());
/// assert!(ndkern_core::check_alloc::<f64>("grid", usize::MAX / 2).is_err());
/// ```
pub fn check_alloc<T>(what: &'static str, n: usize) -> Result<()> {
    let bytes = n as u128 * std::mem::size_of::<T>().max(1) as u128;
    let limit = memory_limit();
    if bytes > limit as u128 {
        return Err(Error::TooLarge {
            what,
            bytes: Some(bytes),
            limit,
        });
    }
    Ok(())
}

/// Plain-old-data numbers whose all-zero bit pattern is the value zero, so a zeroed
/// allocation is a valid buffer of them (sealed: implemented here for the primitive numbers).
pub trait ZeroBits: Copy + private::Sealed {}
mod private {
    pub trait Sealed {}
}
macro_rules! zero_bits {
    ($($t:ty),*) => {$(impl private::Sealed for $t {} impl ZeroBits for $t {})*};
}
zero_bits!(f32, f64, u8, u16, u32, u64, usize, i8, i16, i32, i64, isize);

/// A zero-filled `Vec` of `n` elements, or [`Error::TooLarge`] when it is over the cap or the
/// allocator refuses it — never an abort. Like [`filled_vec`] the memory comes zeroed from the
/// allocator (untouched pages) and gets the huge-page advice.
///
/// ```
/// let v = ndkern_core::try_zeroed_vec::<f64>("bins", 4).unwrap();
/// assert_eq!(v, vec![0.0; 4]);
/// assert!(ndkern_core::try_zeroed_vec::<u64>("bins", 1 << 62).is_err());
/// ```
pub fn try_zeroed_vec<T: ZeroBits>(what: &'static str, n: usize) -> Result<Vec<T>> {
    check_alloc::<T>(what, n)?;
    if n == 0 || std::mem::size_of::<T>() == 0 {
        return Ok(vec![]);
    }
    let refused = || Error::TooLarge {
        what,
        bytes: Some(n as u128 * std::mem::size_of::<T>() as u128),
        limit: memory_limit(),
    };
    let layout = std::alloc::Layout::array::<T>(n).map_err(|_| refused())?;
    // SAFETY: `layout` has non-zero size (n > 0, T not zero-sized).
    let p = unsafe { std::alloc::alloc_zeroed(layout) }.cast::<T>();
    if p.is_null() {
        return Err(refused());
    }
    // SAFETY: `p` was allocated by the global allocator with the layout of `[T; n]`
    // (`Layout::array`, which is what `Vec<T>` with capacity `n` uses), it is non-null, and
    // its `n` elements are initialised: all-zero bits are a valid `T` (`ZeroBits`).
    let v = unsafe { Vec::from_raw_parts(p, n, n) };
    advise_huge_pages(&v);
    Ok(v)
}

/// `vec![value; n]` that returns [`Error::TooLarge`] instead of aborting (see
/// [`try_zeroed_vec`], which is faster for zeros).
///
/// ```
/// let v = ndkern_core::try_filled_vec("labels", u32::MAX, 3).unwrap();
/// assert_eq!(v, vec![u32::MAX; 3]);
/// ```
pub fn try_filled_vec<T: Clone>(what: &'static str, value: T, n: usize) -> Result<Vec<T>> {
    check_alloc::<T>(what, n)?;
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| Error::TooLarge {
        what,
        bytes: Some(n as u128 * std::mem::size_of::<T>() as u128),
        limit: memory_limit(),
    })?;
    // Advise before the fill touches the pages, so they fault in as huge pages.
    advise_huge_pages(v.spare_capacity_mut());
    v.resize(n, value);
    Ok(v)
}

/// [`zeros`] for shapes that a caller's parameters decide: the element count is checked for
/// overflow and against [`memory_limit`], and a refused allocation is an `Err`.
///
/// ```
/// use ndarray::Ix2;
/// let a = ndkern_core::try_zeros::<f32, _>("grid", Ix2(3, 4)).unwrap();
/// assert_eq!(a.shape(), &[3, 4]);
/// assert!(ndkern_core::try_zeros::<f64, _>("grid", Ix2(1 << 40, 1 << 40)).is_err());
/// ```
pub fn try_zeros<T: ZeroBits, D: Dimension>(what: &'static str, dim: D) -> Result<Array<T, D>> {
    let n = checked_len(what, dim.slice())?;
    // ndarray also requires the element count to fit in isize.
    if n > isize::MAX as usize {
        return Err(Error::TooLarge {
            what,
            bytes: None,
            limit: memory_limit(),
        });
    }
    let v = try_zeroed_vec::<T>(what, n)?;
    Array::from_shape_vec(dim, v).map_err(|e| Error::InvalidParameter {
        name: what,
        reason: e.to_string(),
    })
}

/// `a` in standard (C-contiguous) layout: borrowed when it already is, else a checked copy —
/// [`Error::TooLarge`] naming `what` instead of an abort when the copy would not fit (a huge
/// broadcast view). The fallible twin of ndarray's `as_standard_layout`.
///
/// ```
/// use ndarray::ArrayView1;
/// let one = [2.0f64];
/// let v = ArrayView1::from(&one[..]);
/// let small = v.broadcast(3).unwrap();
/// let c = ndkern_core::try_standard_layout("input", &small).unwrap();
/// assert_eq!(c.as_slice().unwrap(), &[2.0, 2.0, 2.0]);
/// let huge = v.broadcast(1usize << 60).unwrap();
/// assert!(ndkern_core::try_standard_layout("input", &huge).is_err());
/// ```
pub fn try_standard_layout<'a, A: Clone, S: Data<Elem = A>, D: Dimension>(
    what: &'static str,
    a: &'a ArrayBase<S, D>,
) -> Result<CowArray<'a, A, D>> {
    if !a.is_standard_layout() {
        check_alloc::<A>(what, a.len())?;
    }
    Ok(a.as_standard_layout())
}

/// An owned copy of `a` (its layout kept when contiguous, else C order), or
/// [`Error::TooLarge`] naming `what` when it would not fit — the fallible twin of `to_owned`.
///
/// ```
/// use ndarray::ArrayView1;
/// let one = [2.0f32];
/// let v = ArrayView1::from(&one[..]);
/// let two = v.broadcast(2).unwrap();
/// assert_eq!(ndkern_core::try_to_owned("input", &two).unwrap().to_vec(), vec![2.0, 2.0]);
/// let huge = v.broadcast(1usize << 60).unwrap();
/// assert!(ndkern_core::try_to_owned("input", &huge).is_err());
/// ```
pub fn try_to_owned<A: Clone, S: Data<Elem = A>, D: Dimension>(
    what: &'static str,
    a: &ArrayBase<S, D>,
) -> Result<Array<A, D>> {
    check_alloc::<A>(what, a.len())?;
    Ok(a.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Ix1, Ix3};

    #[test]
    fn sized_allocations_fail_with_an_error_not_an_abort() {
        let e = try_zeroed_vec::<f64>("cells", usize::MAX / 4).unwrap_err();
        assert!(e.to_string().contains("cells"), "{e}");
        assert!(try_filled_vec("cells", 1.5f32, usize::MAX / 2).is_err());
        assert!(checked_len("cells", &[usize::MAX, 2]).is_err());
        assert_eq!(checked_len("cells", &[]).unwrap(), 1);
        assert_eq!(checked_len("cells", &[7, 0, usize::MAX]).unwrap(), 0);
        let z = try_zeros::<f64, _>("grid", Ix3(2, 3, 4)).unwrap();
        assert!(z.iter().all(|&x| x == 0.0) && z.len() == 24);
        let big = try_zeroed_vec::<f32>("big", HUGE_PAGE_MIN_BYTES).unwrap();
        assert!(big.iter().all(|&x| x == 0.0));
    }

    #[test]
    fn large_and_small_buffers_are_zero_with_the_requested_shape() {
        let big = zeros::<f64, _>(Ix1(HUGE_PAGE_MIN_BYTES / 8 + 3));
        assert!(big.iter().all(|&x| x == 0.0));
        let small = zeros::<f32, _>(Ix3(2, 0, 5));
        assert_eq!(small.shape(), &[2, 0, 5]);
        assert!(big.is_standard_layout());
    }
}
