//! Runtime SIMD dispatch: the one place that detects the CPU and picks an instruction set.
//!
//! Why: a crate that depends on ndkern, and the Python wheel, are built with default flags
//! (x86-64 baseline, SSE2). Choosing SIMD at compile time made that build 1.2-3x slower than
//! `-C target-cpu=native` (BENCHMARKS.md, "default vs native"). Here the CPU is detected once
//! (cached) and every hot kernel runs the copy compiled for the best level it has:
//!
//! | [`Level`] | x86-64 features | vectors |
//! |---|---|---|
//! | `Baseline` | SSE2 (every x86-64), or the portable path on other architectures | 128-bit |
//! | `Avx2` | AVX, AVX2, FMA (Haswell, Zen and later) | 256-bit, fused multiply-add |
//! | `Avx512` | `Avx2` + AVX-512 F, DQ, BW, VL (Skylake-SP, Zen 4 and later) | 512-bit where a kernel is written for it |
//!
//! # How a kernel is dispatched
//!
//! Write the kernel once, generic and `#[inline(always)]`-friendly, with the portable vectors
//! of [`crate::Element`] ([`f32x8`], [`f64x4`], [`f64x8`]), and wrap it in
//! [`multiversion!`](crate::multiversion): the macro compiles the body once per level inside a
//! `#[target_feature]` function and picks the copy at run time from [`level()`]. Everything the
//! body inlines (element operations, slice helpers) is compiled for that level too; a call to
//! a function that is *not* inlined runs at the baseline, so dispatch at the leaf that owns
//! the hot loop (a lane, a slab, a block), below any rayon split.
//!
//! Kernels written with `std::arch` intrinsics for one level live in this module's submodules
//! and take a proof-of-detection token ([`Avx2`], [`Avx512`]) so that their safe wrappers need
//! no further check.
//!
//! # Override
//!
//! `NDKERN_SIMD=baseline|avx2|avx512` caps the level (tests run every level the CPU has;
//! benchmarks compare levels). Asking for a level the CPU lacks, or an unknown name, is an
//! error from [`level_from_env`] and [`set_level`]; kernels keep running at the detected
//! level and the library prints the reason once to stderr.
//!
//! ```
//! use ndkern_core::simd::{self, Level};
//! let l = simd::level();
//! assert!(l <= simd::detected());
//! assert!(simd::set_level(Level::Baseline).is_ok()); // always available
//! assert_eq!(simd::level(), Level::Baseline);
//! simd::set_level(l).unwrap();
//! assert_eq!("avx2".parse::<Level>().unwrap(), Level::Avx2);
//! assert!("sse9".parse::<Level>().is_err());
//! ```

mod vector;
#[cfg(target_arch = "x86_64")]
pub mod x86;

pub use vector::{f32x8, f64x4, f64x8};

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU8, Ordering};

use crate::error::{Error, Result};

/// An instruction-set level, ordered: `Baseline < Avx2 < Avx512`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// SSE2 on x86-64; the portable path elsewhere.
    Baseline = 1,
    /// AVX + AVX2 + FMA.
    Avx2 = 2,
    /// AVX2 level + AVX-512 F/DQ/BW/VL.
    Avx512 = 3,
}

impl Level {
    /// Every level, lowest first.
    pub const ALL: [Level; 3] = [Level::Baseline, Level::Avx2, Level::Avx512];

    /// The name used by `NDKERN_SIMD` and printed by the benchmarks.
    pub const fn name(self) -> &'static str {
        match self {
            Level::Baseline => "baseline",
            Level::Avx2 => "avx2",
            Level::Avx512 => "avx512",
        }
    }

    /// Whether this CPU can run the level.
    pub fn is_supported(self) -> bool {
        self <= detected()
    }

    fn from_u8(v: u8) -> Option<Level> {
        match v {
            1 => Some(Level::Baseline),
            2 => Some(Level::Avx2),
            3 => Some(Level::Avx512),
            _ => None,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Level {
    type Err = Error;
    fn from_str(s: &str) -> Result<Level> {
        match s.trim().to_ascii_lowercase().as_str() {
            "baseline" | "sse2" | "portable" => Ok(Level::Baseline),
            "avx2" => Ok(Level::Avx2),
            "avx512" => Ok(Level::Avx512),
            other => Err(Error::InvalidParameter {
                name: "NDKERN_SIMD",
                reason: format!("unknown SIMD level {other:?}; use baseline, avx2 or avx512"),
            }),
        }
    }
}

/// The best level this CPU supports (detected once by the standard library, which caches).
pub fn detected() -> Level {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::is_x86_feature_detected as has;
        let avx2 = has!("avx") && has!("avx2") && has!("fma");
        let avx512 =
            avx2 && has!("avx512f") && has!("avx512dq") && has!("avx512bw") && has!("avx512vl");
        if avx512 {
            Level::Avx512
        } else if avx2 {
            Level::Avx2
        } else {
            Level::Baseline
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        Level::Baseline
    }
}

/// The level `NDKERN_SIMD` asks for (`None` when unset), or an error when the name is
/// unknown or the CPU lacks the level. Benchmarks and tests call this to fail loudly.
pub fn level_from_env() -> Result<Option<Level>> {
    match std::env::var("NDKERN_SIMD") {
        Err(_) => Ok(None),
        Ok(s) if s.trim().is_empty() => Ok(None),
        Ok(s) => {
            let l: Level = s.parse()?;
            check_supported(l)?;
            Ok(Some(l))
        }
    }
}

fn check_supported(l: Level) -> Result<()> {
    if l.is_supported() {
        Ok(())
    } else {
        Err(Error::InvalidParameter {
            name: "NDKERN_SIMD",
            reason: format!(
                "this CPU cannot run SIMD level {l} (the best it has is {}); ask for {} or lower",
                detected(),
                detected()
            ),
        })
    }
}

/// 0 = not chosen yet; otherwise a `Level` discriminant.
static LEVEL: AtomicU8 = AtomicU8::new(0);

/// The level kernels run at: `NDKERN_SIMD` if set and valid, else [`detected()`]; chosen on
/// the first call and cached (one relaxed atomic load afterwards).
#[inline]
pub fn level() -> Level {
    match Level::from_u8(LEVEL.load(Ordering::Relaxed)) {
        Some(l) => l,
        None => choose(),
    }
}

#[cold]
fn choose() -> Level {
    let l = match level_from_env() {
        Ok(Some(l)) => l,
        Ok(None) => detected(),
        Err(e) => {
            eprintln!("ndkern: {e}; running at {}", detected());
            detected()
        }
    };
    LEVEL.store(l as u8, Ordering::Relaxed);
    l
}

/// Sets the level for the whole process (tests, benchmarks, a Python `set_simd_level`).
/// Errors, changing nothing, when the CPU lacks it.
pub fn set_level(l: Level) -> Result<()> {
    check_supported(l)?;
    LEVEL.store(l as u8, Ordering::Relaxed);
    Ok(())
}

/// Asks the CPU to bring the cache line at `p` into L1 (`prefetcht0`; a no-op off x86-64).
/// A prefetch never faults, so `p` may point anywhere, past the end of a slice included
/// (compute it with `wrapping_add`).
#[inline(always)]
pub fn prefetch_read<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: PREFETCHT0 reads nothing architecturally and cannot fault, whatever the
    // address; SSE is part of the x86-64 baseline.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast())
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Proof that the CPU runs AVX, AVX2 and FMA and the dispatched level allows them.
#[derive(Clone, Copy, Debug)]
pub struct Avx2(());

impl Avx2 {
    /// The token when [`level()`] is at least [`Level::Avx2`].
    #[inline]
    pub fn new() -> Option<Avx2> {
        (level() >= Level::Avx2).then_some(Avx2(()))
    }
}

/// Proof that the CPU runs the AVX-512 level (F, DQ, BW, VL, plus AVX2 and FMA) and the
/// dispatched level allows it.
#[derive(Clone, Copy, Debug)]
pub struct Avx512(());

impl Avx512 {
    /// The token when [`level()`] is [`Level::Avx512`].
    #[inline]
    pub fn new() -> Option<Avx512> {
        (level() >= Level::Avx512).then_some(Avx512(()))
    }
    /// Every AVX-512 CPU runs the AVX2 level.
    #[inline]
    pub fn avx2(self) -> Avx2 {
        Avx2(())
    }
}

/// Compiles a function once per SIMD [`Level`] and dispatches at run time.
///
/// The body is written once; the macro emits an `#[inline(always)]` generic body, an
/// AVX2+FMA copy and an AVX-512 copy (x86-64 only) under `#[target_feature]`, and a public
/// wrapper that picks the copy from [`simd::level()`](crate::simd::level) with one relaxed
/// atomic load. Arguments are `name: Type` (no patterns); generics go in square brackets.
///
/// ```
/// ndkern_core::multiversion! {
///     /// Sum of squares, vectorised at the dispatched level.
///     pub fn sum_sq_demo[T: ndkern_core::Element](x: &[T]) -> f64 {
///         x.iter().map(|v| v.as_f64() * v.as_f64()).sum()
///     }
/// }
/// assert_eq!(sum_sq_demo(&[1.0f32, 2.0, 3.0]), 14.0);
/// ```
#[macro_export]
macro_rules! multiversion {
    (
        $(#[$attr:meta])*
        $vis:vis fn $name:ident $([$($gen:tt)*])? ($($arg:ident : $ty:ty),* $(,)?) $(-> $ret:ty)?
        $body:block
    ) => {
        $(#[$attr])*
        #[inline]
        $vis fn $name $(<$($gen)*>)? ($($arg: $ty),*) $(-> $ret)? {
            #[inline(always)]
            fn body $(<$($gen)*>)? ($($arg: $ty),*) $(-> $ret)? $body

            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx,avx2,fma")]
            fn avx2 $(<$($gen)*>)? ($($arg: $ty),*) $(-> $ret)? {
                body($($arg),*)
            }

            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx,avx2,fma,avx512f,avx512dq,avx512bw,avx512vl")]
            fn avx512 $(<$($gen)*>)? ($($arg: $ty),*) $(-> $ret)? {
                body($($arg),*)
            }

            #[cfg(target_arch = "x86_64")]
            {
                match $crate::simd::level() {
                    // SAFETY: `level()` returns a level only when the CPU supports its
                    // features (checked by `simd::detected`), and these copies enable them.
                    $crate::simd::Level::Avx512 => unsafe { avx512($($arg),*) },
                    // SAFETY: as above, for AVX, AVX2 and FMA.
                    $crate::simd::Level::Avx2 => unsafe { avx2($($arg),*) },
                    $crate::simd::Level::Baseline => body($($arg),*),
                }
            }
            #[cfg(not(target_arch = "x86_64"))]
            {
                body($($arg),*)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_order_and_refuse_unsupported() {
        assert!(Level::Baseline < Level::Avx2 && Level::Avx2 < Level::Avx512);
        for l in Level::ALL {
            assert_eq!(l.name().parse::<Level>().unwrap(), l);
        }
        let e = "avx1024".parse::<Level>().unwrap_err().to_string();
        assert!(e.contains("baseline, avx2 or avx512"), "{e}");
        assert!(Level::Baseline.is_supported());
        if !Level::Avx512.is_supported() {
            let e = set_level(Level::Avx512).unwrap_err().to_string();
            assert!(e.contains("cannot run"), "{e}");
        }
    }
}
