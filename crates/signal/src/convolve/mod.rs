//! N-d convolution and correlation over chosen axes: FFT (`fftconvolve`, `fftcorrelate`),
//! overlap-add (`oaconvolve`), direct, and `convolve`/`correlate` that pick one by a cost
//! model (scipy's `choose_conv_method`).
//!
//! Structure, one direction only: the public functions here (the front end) ask the
//! `planner` (modes, shape checks, the cost model, the overlap-add block choice), then run one
//! executor (`direct`, `fftconv`, `overlap_add`), which read the planner's types and never
//! call back into the front end.
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

use ndarray::{ArrayBase, ArrayD, ArrayViewD, Axis, Data, Dimension, IxDyn, Slice};
use ndkern_core::{Element, Result};

mod direct;
mod fftconv;
mod overlap_add;
mod planner;

pub use planner::{Method, Mode, DIRECT_NS_PER_MAC, FFT_NS_PER_UNIT, OA_NS_PER_BLOCK};

use direct::direct_full;
use fftconv::fft_full;
use overlap_add::oa_full;
use planner::{check_full, choose, plan, Route};

/// Crops a full convolution (shape `s1 + s2 - 1` on `axes`) to `mode`.
fn crop(full: ArrayD<f64>, s1: &[usize], s2: &[usize], axes: &[usize], mode: Mode) -> ArrayD<f64> {
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

/// Both inputs broadcast to the larger length on every non-convolved axis (scipy's rule for
/// length-1 axes; [`plan`] has checked that the lengths are equal or 1). Stride-0 views, no copy.
fn broadcast_pair<'a, T>(
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
fn trivial<T: Element, S1: Data<Elem = T>, S2: Data<Elem = T>, D: Dimension>(
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

/// The one front-end pipeline: scipy's trivial answers, the planner's checks, broadcasting,
/// the route (`None`: the cost model's choice), the executor, the crop to `mode`.
/// `empty_ok` returns an empty 1-D array for an empty input (`fftconvolve`, `oaconvolve`).
fn run<T: Element, S1: Data<Elem = T>, S2: Data<Elem = T>, D: Dimension>(
    in1: &ArrayBase<S1, D>,
    in2: &ArrayBase<S2, D>,
    mode: Mode,
    axes: Option<&[usize]>,
    route: Option<Route>,
    flip: bool,
    empty_ok: bool,
) -> Result<ArrayD<T>> {
    if in1.ndim() == in2.ndim() {
        if let Some(r) = trivial(in1, in2, empty_ok) {
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
    let route = route.unwrap_or_else(|| choose(x.shape(), y.shape(), &p.axes, mode));
    let full = match route {
        Route::Fft => fft_full(x, y, &p.axes)?,
        Route::OverlapAdd => oa_full(x, y, &p.axes)?,
        Route::Direct => direct_full(x, y, &p.axes),
    };
    Ok(crop(full, in1.shape(), in2.shape(), &p.axes, mode).mapv(T::of_f64))
}

/// The route a [`Method`] fixes (`None`: [`Method::Auto`], the cost model decides).
fn fixed_route(method: Method) -> Option<Route> {
    match method {
        Method::Auto => None,
        Method::Direct => Some(Route::Direct),
        Method::Fft => Some(Route::Fft),
    }
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
    run(in1, in2, mode, axes, Some(Route::Fft), false, true)
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
    run(in1, in2, mode, axes, Some(Route::Fft), true, false)
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
    run(
        in1,
        in2,
        mode,
        axes,
        fixed_route(method),
        false,
        method == Method::Fft,
    )
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
    run(in1, in2, mode, axes, fixed_route(method), true, false)
}

/// scipy `scipy.signal.oaconvolve(in1, in2, mode, axes)`: [`fftconvolve`] by overlap-add;
/// `axes = None` convolves over all axes. Same conventions (0-d and empty inputs, `Same`'s
/// shape) and errors as `fftconvolve`; results equal `fftconvolve`'s to rounding, in `f64`.
///
/// The long input is cut into blocks along one axis (the convolved axis with the largest
/// long/short ratio where the short side is under half the long one; either input may be the
/// long one there, full convolution commutes), each block transformed at a short 5-smooth
/// length `N` minimizing `(2 N log2 N c + b) / (N - s2 + 1)` with `c` and the per-block cost
/// `b` from the cost model in the [module docs](self) (scipy minimizes `N log2 N / (N - s2 +
/// 1)` by a Lambert W; its blocks run as one batched transform, so it has no `b`). Other
/// convolved axes are transformed whole; without such an axis this is `fftconvolve`. 1-D
/// inputs take a lean path (plans and buffers reused across runs of blocks): see the
/// `oaconvolve_1e6x41` row in BENCHMARKS.md.
///
/// ```
/// use ndarray::{Array1, Array2};
/// use ndkern_signal::{fftconvolve, oaconvolve, Mode};
/// let x = Array1::from_shape_fn(5000, |i| (i as f64 * 0.01).sin());
/// let k = Array1::from_shape_fn(31, |i| 1.0 / (1.0 + i as f64));
/// let a = oaconvolve(&x, &k, Mode::Same, None).unwrap();   // scipy.signal.oaconvolve(x, k, "same")
/// let b = fftconvolve(&x, &k, Mode::Same, None).unwrap();
/// assert!(a.iter().zip(&b).all(|(p, q)| (p - q).abs() < 1e-12));
///
/// let rows = Array2::from_shape_fn((3, 4000), |(i, j)| ((i + j) % 7) as f32);
/// let k = Array2::from_elem((1, 5), 0.2f32);          // length 1 on axis 0: broadcast
/// let s = oaconvolve(&rows, &k, Mode::Valid, Some(&[1])).unwrap();
/// assert_eq!(s.shape(), &[3, 3996]);
/// ```
pub fn oaconvolve<T: Element, S1: Data<Elem = T>, S2: Data<Elem = T>, D: Dimension>(
    in1: &ArrayBase<S1, D>,
    in2: &ArrayBase<S2, D>,
    mode: Mode,
    axes: Option<&[usize]>,
) -> Result<ArrayD<T>> {
    run(in1, in2, mode, axes, Some(Route::OverlapAdd), false, true)
}
