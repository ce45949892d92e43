//! N-d convolution and correlation over chosen axes: FFT (`fftconvolve`, `fftcorrelate`),
//! direct, and `convolve`/`correlate` that pick one by a cost model (scipy's
//! `choose_conv_method`).
//!
//! The FFT path pads both inputs to `next_fast_len(s1 + s2 - 1)` (5-smooth lengths) along the
//! convolved axes, multiplies their real spectra (`rfftn`, half the complex work) and crops
//! the inverse to scipy's `mode`: `Full` (`s1 + s2 - 1`), `Same` (centred, `s1`) or `Valid`
//! (`s1 - s2 + 1`, with the inputs swapped when the second is the larger, as scipy does).
//! Plans come from the thread's cached [`FftPlans`](crate::FftPlans). The direct path adds one
//! scaled, shifted copy of `in1` per tap of `in2` (an axpy over whole sub-arrays, lane by lane
//! in an `ndkern_core::multiversion!` leaf, so AVX2 or AVX-512 at those dispatched levels),
//! `O(size1 * size2)`.
//!
//! Cost model ([`Method::Auto`]): the estimated time of each route, the cheapest wins.
//!
//! | route | estimate (ns) |
//! |---|---|
//! | direct | [`DIRECT_NS_PER_MAC`] x outputs x taps (`Valid`: `(s1 - s2 + 1)` outputs per axis) |
//! | FFT | [`FFT_NS_PER_UNIT`] x 3 x `F log2 F`, `F` the padded size (three real transforms) |
//! | overlap-add ([`oaconvolve`](crate::oaconvolve)) | per block 2 x `FFT_NS_PER_UNIT` x `N log2 N` + [`OA_NS_PER_BLOCK`] (N-d; 100 ns on the lean 1-D path), plus one kernel transform |
//!
//! The constants were measured with `examples/conv_cost.rs` (1-D f64, `s1` in 10^3..10^6,
//! `s2` in 3..1001, native build, 2 threads, medians, load average ~3.5 so +-30%): direct
//! 0.26-0.41 ns per multiply-add while the data fits in cache (about 1 ns at 10^6, when every
//! tap streams the array from memory); FFT 0.40-0.65 ns per `F log2 F` unit (1.05 at
//! 10^6); overlap-add's fixed cost about 1.5 us per block (views, buffers, plan lookup).
//! Measured crossovers: direct beats one FFT up to ~100 taps at 10^4 and ~60 at 10^5;
//! overlap-add beats one FFT from ~30 taps at 10^5..10^6 (2-3x at 100-1000 taps).
//! Only ratios matter, so the model carries over to other machines to the extent their
//! SIMD width and FFT speed scale together.
//!
//! Axes not convolved must have equal lengths in both inputs, or length 1 in one of them,
//! which is broadcast (scipy's rule; stride-0 views, no copy). Results are `T`, computed in
//! `f64`.
//!
//! ```
//! use ndarray::array;
//! use ndkern_signal::{fftconvolve, Mode};
//! let a = array![1.0f64, 2.0, 3.0];
//! let k = array![0.0f64, 1.0, 0.5];
//! let c = fftconvolve(&a, &k, Mode::Full, None).unwrap();   // scipy.signal.fftconvolve(a, k)
//! let want = [0.0, 1.0, 2.5, 4.0, 1.5];
//! assert!(c.iter().zip(want).all(|(x, y)| (x - y).abs() < 1e-12));
//! ```

use ndarray::{ArrayBase, ArrayD, ArrayViewD, ArrayViewMutD, Axis, Data, Dimension, IxDyn, Slice};
use ndkern_core::{Element, Error, Result};

use crate::fft::{check_axes, next_fast_len, with_plans};

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

/// How [`convolve()`] computes (scipy's `method`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Pick direct, FFT or overlap-add by the measured cost model in the [module docs](self).
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

/// Crops a full convolution (shape `s1 + s2 - 1` on `axes`) to `mode`.
pub(crate) fn crop(
    full: ArrayD<f64>,
    s1: &[usize],
    s2: &[usize],
    axes: &[usize],
    mode: Mode,
) -> ArrayD<f64> {
    if mode == Mode::Full {
        return full;
    }
    let mut v = full.view();
    for ax in 0..v.ndim() {
        let len = match mode {
            // scipy `_centered(ret, s1)`: in1's shape on every axis, also a non-convolved
            // axis where in2's length broadcast in1's length 1 (the centre row is kept).
            Mode::Same => s1[ax],
            _ if !axes.contains(&ax) => continue,
            _ => s1[ax].max(s2[ax]) - s1[ax].min(s2[ax]) + 1,
        };
        let start = (v.shape()[ax] - len) / 2;
        v.slice_axis_inplace(Axis(ax), Slice::from(start..start + len));
    }
    v.to_owned()
}

/// Full linear convolution by FFT, in f64.
pub(crate) fn fft_full<T: Element>(
    a: &ndarray::ArrayViewD<T>,
    b: &ndarray::ArrayViewD<T>,
    axes: &[usize],
) -> Result<ArrayD<f64>> {
    let full: Vec<usize> = axes
        .iter()
        .map(|&ax| a.shape()[ax] + b.shape()[ax] - 1)
        .collect();
    let k = axes.len();
    // Fast lengths; the real (last) axis wants 5-smooth, the complex ones allow 7 and 11.
    let fast: Vec<usize> = full
        .iter()
        .enumerate()
        .map(|(i, &n)| next_fast_len(n, i + 1 == k))
        .collect::<Result<_>>()?;
    let out = with_plans(|p| -> Result<ArrayD<f64>> {
        let mut sa = p.rfftn_shape(a, axes, &fast)?;
        let sb = p.rfftn_shape(b, axes, &fast)?;
        ndarray::Zip::from(&mut sa)
            .and(&sb)
            .for_each(|x, &y| *x *= y);
        p.irfftn(&sa, axes, fast[k - 1])
    })?;
    let mut v = out.view();
    for (&ax, &n) in axes.iter().zip(&full) {
        v.slice_axis_inplace(Axis(ax), Slice::from(0..n));
    }
    Ok(v.to_owned())
}

/// Full linear convolution directly: one axpy of a shifted `a` per element of `b`.
fn direct_full<T: Element>(
    a: &ndarray::ArrayViewD<T>,
    b: &ndarray::ArrayViewD<T>,
    axes: &[usize],
) -> ArrayD<f64> {
    let nd = a.ndim();
    let mut shape = a.shape().to_vec();
    for &ax in axes {
        shape[ax] = a.shape()[ax] + b.shape()[ax] - 1;
    }
    // Sizes checked by `check_full`.
    let mut out = ndkern_core::zeros::<f64, _>(IxDyn(&shape));
    let af = a.mapv(|v| v.as_f64());
    for (j, &w) in b.indexed_iter() {
        let w = w.as_f64();
        let mut dst = out.view_mut();
        let mut src = af.view();
        for d in 0..nd {
            if axes.contains(&d) {
                dst.slice_axis_inplace(Axis(d), Slice::from(j[d]..j[d] + a.shape()[d]));
            } else {
                // Not convolved: tap j only meets in1's samples at the same index.
                dst.slice_axis_inplace(Axis(d), Slice::from(j[d]..j[d] + 1));
                src.slice_axis_inplace(Axis(d), Slice::from(j[d]..j[d] + 1));
            }
        }
        add_scaled(dst, w, src);
    }
    out
}

/// `dst += w src` over same-shape views: lane by lane along the last axis through the
/// multiversioned [`axpy`] when both lanes are contiguous (the usual case), else ndarray's
/// `scaled_add`. Each element gets the same `d + w s` either way.
pub(crate) fn add_scaled(mut dst: ArrayViewMutD<'_, f64>, w: f64, src: ArrayViewD<'_, f64>) {
    let nd = dst.ndim();
    if nd == 0 {
        dst.scaled_add(w, &src);
        return;
    }
    ndarray::Zip::from(dst.lanes_mut(Axis(nd - 1)))
        .and(src.lanes(Axis(nd - 1)))
        .for_each(|mut d, s| match (d.as_slice_mut(), s.as_slice()) {
            (Some(d), Some(s)) => axpy(w, s, d),
            _ => d.scaled_add(w, &s),
        });
}

ndkern_core::multiversion! {
    /// `d[i] += w s[i]` (unfused, as ndarray's `scaled_add`), compiled per SIMD level.
    fn axpy(w: f64, s: &[f64], d: &mut [f64]) {
        for (d, s) in d.iter_mut().zip(s) {
            *d += w * s;
        }
    }
}

/// Measured nanoseconds per direct multiply-add (module docs).
pub const DIRECT_NS_PER_MAC: f64 = 0.3;
/// Measured nanoseconds per `F log2 F` unit of one real FFT (module docs).
pub const FFT_NS_PER_UNIT: f64 = 0.6;
/// Measured fixed nanoseconds per overlap-add block (module docs).
pub const OA_NS_PER_BLOCK: f64 = 1500.0;

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
    let oa = crate::overlap_add::oa_plan(s1, s2, axes).map_or(f64::INFINITY, |p| {
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

/// Both inputs broadcast to the larger length on every non-convolved axis (scipy's rule for
/// length-1 axes; [`plan`] has checked that the lengths are equal or 1). Stride-0 views, no copy.
pub(crate) fn broadcast_pair<'a, T>(
    a: &'a ArrayViewD<'a, T>,
    b: &'a ArrayViewD<'a, T>,
    axes: &[usize],
) -> (ArrayViewD<'a, T>, ArrayViewD<'a, T>) {
    let target = |s: &[usize]| -> Vec<usize> {
        (0..s.len())
            .map(|d| {
                if axes.contains(&d) {
                    s[d]
                } else {
                    a.shape()[d].max(b.shape()[d])
                }
            })
            .collect()
    };
    let bc = |x: &'a ArrayViewD<'a, T>| {
        x.broadcast(IxDyn(&target(x.shape())))
            .expect("non-convolved lengths are equal or 1")
    };
    (bc(a), bc(b))
}

/// scipy's answers before any planning: the product of two 0-d inputs, and (when
/// `empty_ok`, as `fftconvolve`/`oaconvolve`) an empty 1-D array for an empty input.
pub(crate) fn trivial<T: Element, S1: Data<Elem = T>, S2: Data<Elem = T>, D: Dimension>(
    in1: &ArrayBase<S1, D>,
    in2: &ArrayBase<S2, D>,
    empty_ok: bool,
) -> Option<ArrayD<T>> {
    if in1.ndim() == 0 && in2.ndim() == 0 {
        let (a, b) = (in1.iter().next()?, in2.iter().next()?);
        return Some(ArrayD::from_elem(
            IxDyn(&[]),
            T::of_f64(a.as_f64() * b.as_f64()),
        ));
    }
    if empty_ok && (in1.is_empty() || in2.is_empty()) {
        return Some(ArrayD::from_shape_vec(IxDyn(&[0]), Vec::new()).expect("0 elements"));
    }
    None
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

fn run<T: Element, S1: Data<Elem = T>, S2: Data<Elem = T>, D: Dimension>(
    in1: &ArrayBase<S1, D>,
    in2: &ArrayBase<S2, D>,
    mode: Mode,
    axes: Option<&[usize]>,
    method: Method,
    flip: bool,
) -> Result<ArrayD<T>> {
    if in1.ndim() == in2.ndim() {
        if let Some(r) = trivial(in1, in2, method == Method::Fft && !flip) {
            return Ok(r);
        }
    }
    let p = plan(in1.shape(), in2.shape(), axes, mode)?;
    let a0 = in1.view().into_dyn();
    let mut b0 = in2.view().into_dyn();
    if flip {
        // Correlation = convolution with the kernel reversed along the convolved axes.
        for &ax in &p.axes {
            b0.invert_axis(Axis(ax));
        }
    }
    let (a, b) = broadcast_pair(&a0, &b0, &p.axes);
    let (x, y) = if p.swap { (&b, &a) } else { (&a, &b) };
    check_full(x, y, &p.axes)?;
    let route = match method {
        Method::Fft => Route::Fft,
        Method::Direct => Route::Direct,
        Method::Auto => choose(x.shape(), y.shape(), &p.axes, mode),
    };
    let full = match route {
        Route::Fft => fft_full(x, y, &p.axes)?,
        Route::OverlapAdd => crate::overlap_add::oa_full(x, y, &p.axes)?,
        Route::Direct => direct_full(x, y, &p.axes),
    };
    Ok(crop(full, in1.shape(), in2.shape(), &p.axes, mode).mapv(T::of_f64))
}

/// scipy `scipy.signal.fftconvolve(in1, in2, mode, axes)`; `axes = None` convolves over all
/// axes. As scipy: two 0-d inputs give their product (0-d), an empty input gives an empty
/// 1-D array, and `Same` has `in1`'s shape on every axis. Errors: different dimensionality,
/// unequal non-convolved axes, `Valid` with neither input the larger.
///
/// ```
/// use ndarray::Array2;
/// use ndkern_signal::{fftconvolve, Mode};
/// let img = Array2::<f32>::ones((8, 8));
/// let k = Array2::<f32>::from_elem((3, 3), 1.0 / 9.0);
/// let s = fftconvolve(&img, &k, Mode::Valid, None).unwrap();
/// assert_eq!(s.shape(), &[6, 6]);
/// assert!((s[[2, 2]] - 1.0).abs() < 1e-6);
/// ```
pub fn fftconvolve<T: Element, S1: Data<Elem = T>, S2: Data<Elem = T>, D: Dimension>(
    in1: &ArrayBase<S1, D>,
    in2: &ArrayBase<S2, D>,
    mode: Mode,
    axes: Option<&[usize]>,
) -> Result<ArrayD<T>> {
    run(in1, in2, mode, axes, Method::Fft, false)
}

/// scipy `scipy.signal.correlate(in1, in2, mode, method='fft')` over `axes`
/// (`z[k] = sum_n in1[n + k] in2[n]`, lags from `-(s2 - 1)` in `Full`). Two 0-d inputs give
/// their product; an empty input is an error (scipy raises too).
///
/// ```
/// use ndarray::array;
/// use ndkern_signal::{fftcorrelate, Mode};
/// let c = fftcorrelate(&array![1.0f64, 2.0, 3.0], &array![0.0f64, 1.0, 0.5], Mode::Full, None).unwrap();
/// let want = [0.5, 2.0, 3.5, 3.0, 0.0];
/// assert!(c.iter().zip(want).all(|(x, y)| (x - y).abs() < 1e-12));
/// ```
pub fn fftcorrelate<T: Element, S1: Data<Elem = T>, S2: Data<Elem = T>, D: Dimension>(
    in1: &ArrayBase<S1, D>,
    in2: &ArrayBase<S2, D>,
    mode: Mode,
    axes: Option<&[usize]>,
) -> Result<ArrayD<T>> {
    run(in1, in2, mode, axes, Method::Fft, true)
}

/// scipy `scipy.signal.convolve(in1, in2, mode, method)` over all axes (or `axes`). Two 0-d
/// inputs give their product; an empty input is an error (scipy raises too).
///
/// ```
/// use ndarray::array;
/// use ndkern_signal::{convolve, Method, Mode};
/// let c = convolve(&array![1.0f64, 2.0, 3.0], &array![1.0f64, 1.0], Mode::Same, Method::Direct, None).unwrap();
/// assert_eq!(c.iter().copied().collect::<Vec<_>>(), vec![1.0, 3.0, 5.0]);
/// ```
pub fn convolve<T: Element, S1: Data<Elem = T>, S2: Data<Elem = T>, D: Dimension>(
    in1: &ArrayBase<S1, D>,
    in2: &ArrayBase<S2, D>,
    mode: Mode,
    method: Method,
    axes: Option<&[usize]>,
) -> Result<ArrayD<T>> {
    run(in1, in2, mode, axes, method, false)
}

/// scipy `scipy.signal.correlate(in1, in2, mode, method)` over all axes (or `axes`).
///
/// ```
/// use ndarray::array;
/// use ndkern_signal::{correlate, Method, Mode};
/// let c = correlate(&array![1.0f64, 2.0, 3.0], &array![1.0f64, 0.0], Mode::Valid, Method::Auto, None).unwrap();
/// assert_eq!(c.iter().copied().collect::<Vec<_>>(), vec![1.0, 2.0]);
/// ```
pub fn correlate<T: Element, S1: Data<Elem = T>, S2: Data<Elem = T>, D: Dimension>(
    in1: &ArrayBase<S1, D>,
    in2: &ArrayBase<S2, D>,
    mode: Mode,
    method: Method,
    axes: Option<&[usize]>,
) -> Result<ArrayD<T>> {
    run(in1, in2, mode, axes, method, true)
}
