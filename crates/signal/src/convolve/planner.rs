//! The convolution planner: what the front ends ([`convolve`](super) and friends) decide
//! before any executor runs. It owns the user-facing choices ([`Mode`], [`Method`]), the shape
//! checks ([`plan`], [`check_full`]), the measured cost model ([`choose`], the `*_NS_PER_*`
//! constants; the table is in the [`convolve`](super) module docs) and the overlap-add block
//! choice ([`oa_plan`], [`block_len`]).
//!
//! Dependency direction: front end -> planner -> executors (`direct`, `fftconv`,
//! `overlap_add`). The executors read the planner's types and constants; the planner calls no
//! executor and the executors never call the front end.

use ndarray::ArrayViewD;
use ndkern_core::{Error, Result};

use crate::fft::{check_axes, next_fast_len};

/// Output size of a convolution (scipy's `mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Every overlap: `s1 + s2 - 1`.
    Full,
    /// The centre of `Full` with `in1`'s shape.
    Same,
    /// Only complete overlaps: `s1 - s2 + 1` (inputs swapped if `in2` is the larger).
    Valid,
}

impl Mode {
    /// scipy's spelling: `"full"`, `"same"`, `"valid"`.
    ///
    /// ```
    /// assert_eq!(ndkern_signal::Mode::parse("same").unwrap(), ndkern_signal::Mode::Same);
    /// ```
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "full" => Ok(Mode::Full),
            "same" => Ok(Mode::Same),
            "valid" => Ok(Mode::Valid),
            _ => Err(Error::InvalidParameter {
                name: "mode",
                reason: format!("use \"full\", \"same\" or \"valid\", got {s:?}"),
            }),
        }
    }
}

/// How [`convolve()`](crate::convolve()) computes (scipy's `method`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Pick direct, FFT or overlap-add by the measured cost model in the
    /// [`convolve`](mod@crate::convolve) module docs.
    Auto,
    /// Sum of shifted copies, exact to one rounding per tap.
    Direct,
    /// Zero-padded real FFTs.
    Fft,
}

impl Method {
    /// scipy's spelling: `"auto"`, `"direct"`, `"fft"`.
    ///
    /// ```
    /// assert_eq!(ndkern_signal::Method::parse("fft").unwrap(), ndkern_signal::Method::Fft);
    /// ```
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "auto" => Ok(Method::Auto),
            "direct" => Ok(Method::Direct),
            "fft" => Ok(Method::Fft),
            _ => Err(Error::InvalidParameter {
                name: "method",
                reason: format!("use \"auto\", \"direct\" or \"fft\", got {s:?}"),
            }),
        }
    }
}

/// Validated geometry of one convolution.
pub(crate) struct Plan {
    pub axes: Vec<usize>,
    pub swap: bool,
}

/// Checks two input shapes for a convolution over `axes` (all axes when `None`) in `mode`:
/// same dimensionality, non-empty, valid axes, non-convolved lengths equal or 1, and for
/// `Valid` one input at least as large as the other; `swap` when `in2` is the larger.
pub(crate) fn plan(s1: &[usize], s2: &[usize], axes: Option<&[usize]>, mode: Mode) -> Result<Plan> {
    if s1.len() != s2.len() {
        return Err(Error::InvalidParameter {
            name: "in2",
            reason: format!(
                "in1 has {} dimension(s) and in2 {}; give both the same number",
                s1.len(),
                s2.len()
            ),
        });
    }
    if s1.contains(&0) || s2.contains(&0) {
        return Err(Error::InvalidParameter {
            name: if s1.contains(&0) { "in1" } else { "in2" },
            reason: format!(
                "inputs must not be empty (shapes {s1:?} and {s2:?}); scipy's convolve and \
                 correlate raise here too (fftconvolve and oaconvolve return an empty array)"
            ),
        });
    }
    let axes: Vec<usize> = match axes {
        Some(a) => a.to_vec(),
        None => (0..s1.len()).collect(),
    };
    if s1.is_empty() {
        return Err(Error::InvalidParameter {
            name: "in1",
            reason: "0-d inputs cannot be convolved; give arrays with at least one axis".into(),
        });
    }
    check_axes(&axes, s1.len())?;
    for ax in 0..s1.len() {
        // scipy broadcasts non-convolved axes of length 1.
        if !axes.contains(&ax) && s1[ax] != s2[ax] && s1[ax] != 1 && s2[ax] != 1 {
            return Err(Error::ShapeMismatch {
                expected: s1.to_vec(),
                got: s2.to_vec(),
            });
        }
    }
    let mut swap = false;
    if mode == Mode::Valid {
        let ge = axes.iter().all(|&a| s1[a] >= s2[a]);
        let le = axes.iter().all(|&a| s1[a] <= s2[a]);
        if !ge && !le {
            return Err(Error::InvalidParameter {
                name: "mode",
                reason: format!(
                    "for mode \"valid\" one input must be at least as large as the other in every \
                     convolved axis (shapes {s1:?} and {s2:?})"
                ),
            });
        }
        swap = !ge;
    }
    Ok(Plan { axes, swap })
}

/// `Err` when the full convolution of `x` and `y` (broadcast views, possibly huge ones with
/// stride 0) would not fit: the full f64 result, its cropped copy and the output of `T`
/// (at most three of its size), plus f64 copies of both inputs. Checked before any route
/// allocates (the FFT routes check their padded spectra again themselves).
pub(crate) fn check_full<T>(
    x: &ArrayViewD<'_, T>,
    y: &ArrayViewD<'_, T>,
    axes: &[usize],
) -> Result<()> {
    let mut full = x.shape().to_vec();
    for &ax in axes {
        full[ax] = x.shape()[ax]
            .saturating_add(y.shape()[ax])
            .saturating_sub(1);
    }
    let len = ndkern_core::checked_len("the full convolution", &full)?;
    let need = len
        .saturating_mul(3)
        .saturating_add(x.len())
        .saturating_add(y.len());
    ndkern_core::check_alloc::<f64>("the convolution's output and working copies", need)
}

/// Measured nanoseconds per direct multiply-add (module docs).
pub const DIRECT_NS_PER_MAC: f64 = 0.3;
/// Measured nanoseconds per `F log2 F` unit of one real FFT (module docs).
pub const FFT_NS_PER_UNIT: f64 = 0.6;
/// Measured fixed nanoseconds per overlap-add block (module docs).
pub const OA_NS_PER_BLOCK: f64 = 1500.0;
/// Fixed cost per block of the lean 1-D overlap-add path in ns (buffers and plans reused: a
/// copy in, a product and an add out; measured with the `oaconvolve_1e6x41` bench row).
pub(crate) const OA_1D_NS_PER_BLOCK: f64 = 100.0;

/// The route [`Method::Auto`] takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Route {
    Direct,
    Fft,
    OverlapAdd,
}

/// Estimated nanoseconds of each route (module docs) and the cheapest.
pub(crate) fn choose(s1: &[usize], s2: &[usize], axes: &[usize], mode: Mode) -> Route {
    let rest: f64 = (0..s1.len())
        .filter(|d| !axes.contains(d))
        .map(|d| s1[d].max(s2[d]) as f64)
        .product();
    let taps: f64 = axes.iter().map(|&a| s2[a] as f64).product();
    let outputs: f64 = match mode {
        Mode::Valid => axes
            .iter()
            .map(|&a| (s1[a].max(s2[a]) - s1[a].min(s2[a]) + 1) as f64)
            .product::<f64>(),
        _ => axes.iter().map(|&a| s1[a] as f64).product::<f64>(),
    } * rest;
    let direct = DIRECT_NS_PER_MAC * outputs * taps;
    let unit = |f: f64| f * f.log2().max(1.0);
    let fast =
        |a: usize| next_fast_len(s1[a] + s2[a] - 1, true).map_or(f64::INFINITY, |n| n as f64);
    let f: f64 = axes.iter().map(|&a| fast(a)).product::<f64>() * rest;
    let fft = FFT_NS_PER_UNIT * 3.0 * unit(f);
    let oa = oa_plan(s1, s2, axes).map_or(f64::INFINITY, |p| {
        let long = s1[p.axis].max(s2[p.axis]);
        let blocks = long.div_ceil(p.step) as f64;
        let nb = f / fast(p.axis) * p.nfft as f64;
        blocks * (2.0 * FFT_NS_PER_UNIT * unit(nb) + p.block_ns) + FFT_NS_PER_UNIT * unit(nb)
    });
    if direct <= fft && direct <= oa {
        Route::Direct
    } else if fft <= oa {
        Route::Fft
    } else {
        Route::OverlapAdd
    }
}

/// Where and how overlap-add cuts blocks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct OaPlan {
    /// The axis cut into blocks.
    pub axis: usize,
    /// Block FFT length along `axis`.
    pub nfft: usize,
    /// Samples of the long input per block (`nfft - short + 1`).
    pub step: usize,
    /// Whether `in1` is the long input along `axis`.
    pub first_is_long: bool,
    /// Fixed cost of one block in ns (the cost model's term; the lean 1-D path's is smaller).
    pub block_ns: f64,
}

/// The 5-smooth block FFT length minimizing the estimated time per output sample for `s2`
/// taps: two transforms (the cost model) and a fixed `per_block` ns.
pub(crate) fn block_len(s2: usize, per_block: f64) -> usize {
    let per_output = |n: usize| {
        let n_f = n as f64;
        (2.0 * FFT_NS_PER_UNIT * n_f * n_f.log2() + per_block) / (n + 1 - s2) as f64
    };
    // `s2` is the short side of an existing array, so these lengths are far from overflow;
    // saturate anyway and stop at the first length with no smooth successor.
    let Ok(mut best) = next_fast_len(s2.max(2).saturating_mul(2), true) else {
        return usize::MAX;
    };
    let mut n = best;
    while n <= s2.max(64).saturating_mul(64) {
        if per_output(n) < per_output(best) {
            best = n;
        }
        match next_fast_len(n.saturating_add(1), true) {
            Ok(m) if m > n => n = m,
            _ => break,
        }
    }
    best
}

/// The overlap-add plan for shapes `s1`, `s2` over `axes`, or `None` when one FFT is better:
/// the convolved axis with the largest long/short ratio where the short side is under half
/// the long one and a block is shorter than the long side.
pub(crate) fn oa_plan(s1: &[usize], s2: &[usize], axes: &[usize]) -> Option<OaPlan> {
    axes.iter()
        .filter_map(|&ax| {
            let (long, short) = (s1[ax].max(s2[ax]), s1[ax].min(s2[ax]));
            if 2 * short >= long {
                return None;
            }
            let block_ns = if s1.len() == 1 {
                OA_1D_NS_PER_BLOCK
            } else {
                OA_NS_PER_BLOCK
            };
            let nfft = block_len(short, block_ns);
            (nfft < long).then(|| {
                let p = OaPlan {
                    axis: ax,
                    nfft,
                    step: nfft + 1 - short,
                    first_is_long: s1[ax] >= s2[ax],
                    block_ns,
                };
                (long as f64 / short as f64, p)
            })
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, p)| p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_cut_long_axes_only() {
        let p = oa_plan(&[5000], &[31], &[0]).expect("long signal, short kernel");
        assert_eq!(p.step, p.nfft - 30);
        assert!(p.first_is_long && p.nfft < 5000);
        assert!(
            !oa_plan(&[31], &[5000], &[0])
                .expect("either order")
                .first_is_long
        );
        assert_eq!(oa_plan(&[100], &[60], &[0]), None);
        // The block length grows with the kernel and never drops to a handful of samples.
        let b = |s| block_len(s, OA_NS_PER_BLOCK);
        assert!(b(2) >= 256 && b(101) > b(2));
    }
}
