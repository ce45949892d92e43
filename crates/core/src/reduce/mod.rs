//! Axis reductions with numpy semantics: `sum`, `mean`, `var`, `std`, `norm_l2`, `min`, `max`,
//! `count_nonzero`, over one axis, several, or all, with `keepdims`.
//!
//! Why not `ndarray`'s own `sum_axis`/`var_axis`? They accumulate in the element type, walk
//! lane by lane even when the reduced axis is the outer one, and run on one core. Here:
//!
//! * every sum is accumulated in `f64` and pairwise (f32 too), so numpy's float32 error along
//!   non-contiguous axes (numpy issue 11331: a mean of 127.5 coming out as 64.0) cannot occur;
//! * `var`/`std` are a corrected two-pass (mean first, then squared deviations), never
//!   `E[x^2] - E[x]^2`;
//! * `norm_l2` is overflow- and underflow-safe: a fast `f64` sum of squares, and where that
//!   overflowed or lost precision to underflow, a rescaled second pass for those outputs only;
//! * the engine ([`engine`](self)) reduces outer axes by adding whole rows ("vertical SIMD")
//!   and spreads every layout across all cores.
//!
//! Results have the input's element type (`count_nonzero`: `usize`). NaN propagates as in
//! numpy (these are not the `nan*` functions). Bad input — an axis out of range or named
//! twice, `min`/`max` of an empty selection, an `_into` output of the wrong shape — is an
//! `Err`. Where numpy answers with a warning, ndkern gives numpy's value: `mean` of an empty
//! selection is NaN, `var`/`std` with `ddof` at or above the element count divide by zero
//! (inf, or NaN for zero deviations or no elements).
//!
//! ```
//! use ndarray::{Array, Array4};
//! use ndkern_core::{reduce, Axes};
//! // Q7: variance of every voxel along the last axis of a (10, 10, 10, 5) stack.
//! let a: Array4<f64> = Array::from_shape_fn((10, 10, 10, 5), |(i, j, k, t)| (i + j * k + t) as f64);
//! let v = reduce::var(&a, -1, 0).unwrap();
//! assert_eq!(v.shape(), &[10, 10, 10]);
//! assert_eq!(v[[1, 2, 3, ]], 2.0); // var of [7, 8, 9, 10, 11]
//! // Q8: L2 norm of each of the d sub-arrays (a, b, c).
//! let n = reduce::norm_l2(&a, [0, 1, 2]).unwrap();
//! assert_eq!(n.shape(), &[5]);
//! let kept = reduce::sum(&a, Axes::from([0, 1]).keepdims()).unwrap();
//! assert_eq!(kept.shape(), &[1, 1, 10, 5]);
//! ```

mod axes;
mod engine;
mod ops;
mod short_rows;

pub use axes::Axes;

use ndarray::{ArrayBase, ArrayD, ArrayViewMutD, Data, Dimension, IxDyn};

use crate::element::Element;
use crate::error::{Error, Result};
use crate::strided::dims_of;
use engine::Plan;

/// A planned reduction: the plan plus the output shape including keepdims.
struct Prepared<T> {
    plan: Plan<T>,
    shape: Vec<usize>,
}

fn prepare<T: Element, S: Data<Elem = T>, D: Dimension>(
    a: &ArrayBase<S, D>,
    axes: Axes,
) -> Result<Prepared<T>> {
    let mask = axes.resolve(a.ndim())?;
    let plan = Plan::new(a.as_ptr(), &dims_of(a), &mask);
    // A huge broadcast input can ask for more outputs than memory holds. A reduction keeps up
    // to four output-sized f64 buffers at once (sums, means, the outer walk's temporary
    // layout, the result): refuse before any of them is allocated.
    let n_out = crate::checked_len("reduction output", &plan.out_shape)?;
    crate::check_alloc::<f64>("reduction output", n_out.saturating_mul(4))?;
    let shape = if axes.keeps_dims() {
        a.shape()
            .iter()
            .zip(&mask)
            .map(|(&l, &m)| if m { 1 } else { l })
            .collect()
    } else {
        plan.out_shape.clone()
    };
    Ok(Prepared { plan, shape })
}

impl<T: Element> Prepared<T> {
    fn array<O: Copy>(&self, native: Vec<O>) -> ArrayD<O> {
        let values = self.plan.to_output_order(native);
        ArrayD::from_shape_vec(IxDyn(&self.shape), values).expect("planned output size")
    }
    fn require_nonempty(&self, op: &'static str) -> Result<()> {
        if self.plan.n == 0 {
            return Err(Error::EmptyReduction { op });
        }
        Ok(())
    }
    fn sums(&self) -> Vec<f64> {
        self.plan.run(&ops::SUM)
    }
    fn sum_dev_sq(&self) -> Vec<f64> {
        // The outer walk needs the means from a first pass; the inner walk computes its own.
        let m = self.plan.native_row_len();
        let means: Vec<f64> = if self.uses_outer() {
            let n = self.plan.n as f64;
            self.sums().into_iter().map(|s| s / n).collect()
        } else {
            Vec::new()
        };
        self.plan.run(&ops::SumDevSq { center: &means, m })
    }
    fn uses_outer(&self) -> bool {
        self.plan.native_row_len() > 1
    }
    /// numpy's variance: the squared deviations over `max(n - ddof, 0)`, so `ddof >= n` (and
    /// an empty selection) gives inf or NaN as numpy does (numpy also warns), like `mean` of
    /// an empty selection gives NaN.
    fn variances(&self, ddof: usize) -> Vec<f64> {
        let d = self.plan.n.saturating_sub(ddof) as f64;
        self.sum_dev_sq().into_iter().map(|s| s / d).collect()
    }
    fn norms(&self) -> Vec<f64> {
        let sq = self.plan.run(&ops::SUM_SQ);
        // f32 squares cannot overflow or underflow f64; f64 ones can: redo those rescaled.
        let suspect = |s: f64| s.is_infinite() || s < 1e-280;
        if T::DTYPE == "float32" || !sq.iter().any(|&s| suspect(s)) {
            return sq.into_iter().map(f64::sqrt).collect();
        }
        let scale = self.plan.run(&ops::MaxAbs);
        let safe: Vec<f64> = scale
            .iter()
            .map(|&s| if s > 0.0 && s.is_finite() { s } else { 1.0 })
            .collect();
        let m = self.plan.native_row_len();
        let scaled = self.plan.run(&ops::ScaledSumSq { scale: &safe, m });
        sq.iter()
            .zip(scale.iter().zip(safe.iter().zip(scaled)))
            .map(|(&s, (&mx, (&sc, ss)))| {
                if !suspect(s) {
                    s.sqrt()
                } else if mx.is_infinite() || mx.is_nan() {
                    mx
                } else {
                    sc * ss.sqrt()
                }
            })
            .collect()
    }
}

fn cast<T: Element>(v: Vec<f64>) -> Vec<T> {
    v.into_iter().map(T::of_f64).collect()
}

fn write_into<O: Copy>(values: ArrayD<O>, mut out: ArrayViewMutD<'_, O>) -> Result<()> {
    if values.shape() != out.shape() {
        return Err(Error::ShapeMismatch {
            expected: values.shape().to_vec(),
            got: out.shape().to_vec(),
        });
    }
    out.assign(&values);
    Ok(())
}

macro_rules! into_twin {
    ($(#[$doc:meta])* $name:ident => $alloc:ident ( $($arg:ident : $ty:ty),* ) -> $out:ty) => {
        $(#[$doc])*
        pub fn $name<T: Element, S: Data<Elem = T>, D: Dimension>(
            a: &ArrayBase<S, D>,
            axes: impl Into<Axes>,
            $($arg: $ty,)*
            out: ArrayViewMutD<'_, $out>,
        ) -> Result<()> {
            write_into($alloc(a, axes, $($arg),*)?, out)
        }
    };
}

/// Sum over `axes` (numpy `a.sum(axis)`), accumulated in `f64`. The empty sum is 0.
///
/// ```
/// use ndarray::array;
/// let a = array![[1.0f32, 2.0], [3.0, 4.0]];
/// assert_eq!(ndkern_core::reduce::sum(&a, 0).unwrap(), array![4.0f32, 6.0].into_dyn());
/// ```
#[must_use = "the reduction result is returned, not written in place"]
pub fn sum<T: Element, S: Data<Elem = T>, D: Dimension>(
    a: &ArrayBase<S, D>,
    axes: impl Into<Axes>,
) -> Result<ArrayD<T>> {
    let p = prepare(a, axes.into())?;
    Ok(p.array(cast(p.sums())))
}
into_twin!(
    /// [`sum`] into a preallocated output of the result's shape.
    sum_into => sum() -> T);

/// Arithmetic mean over `axes` (numpy `a.mean(axis)`); NaN for an empty selection, as numpy
/// returns (numpy also warns).
///
/// ```
/// use ndarray::array;
/// let a = array![[1.0, 2.0], [3.0, 5.0]];
/// assert_eq!(ndkern_core::reduce::mean(&a, 1).unwrap(), array![1.5, 4.0].into_dyn());
/// ```
#[must_use = "the reduction result is returned, not written in place"]
pub fn mean<T: Element, S: Data<Elem = T>, D: Dimension>(
    a: &ArrayBase<S, D>,
    axes: impl Into<Axes>,
) -> Result<ArrayD<T>> {
    let p = prepare(a, axes.into())?;
    let n = p.plan.n as f64;
    Ok(p.array(p.sums().into_iter().map(|s| T::of_f64(s / n)).collect()))
}
into_twin!(
    /// [`mean`] into a preallocated output of the result's shape.
    mean_into => mean() -> T);

/// Variance over `axes` with `ddof` delta degrees of freedom (numpy `a.var(axis, ddof=ddof)`):
/// corrected two-pass in `f64`. As in numpy, `ddof >=` the number of reduced elements divides
/// by zero: inf, or NaN where the deviations are zero or the selection is empty.
///
/// ```
/// use ndarray::array;
/// let a = array![1e9 + 1.0, 1e9 + 2.0, 1e9 + 3.0, 1e9 + 4.0];
/// let v = ndkern_core::reduce::var(&a, 0, 1).unwrap();
/// assert_eq!(v[[]], 5.0 / 3.0);
/// ```
#[must_use = "the reduction result is returned, not written in place"]
pub fn var<T: Element, S: Data<Elem = T>, D: Dimension>(
    a: &ArrayBase<S, D>,
    axes: impl Into<Axes>,
    ddof: usize,
) -> Result<ArrayD<T>> {
    let p = prepare(a, axes.into())?;
    Ok(p.array(cast(p.variances(ddof))))
}
into_twin!(
    /// [`var`] into a preallocated output of the result's shape.
    var_into => var(ddof: usize) -> T);

/// Standard deviation over `axes` (numpy `a.std(axis, ddof=ddof)`): the square root of [`var`].
///
/// ```
/// use ndarray::array;
/// let a = array![[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]];
/// assert_eq!(ndkern_core::reduce::std(&a, 1, 0).unwrap()[[0]], 2.0);
/// ```
#[must_use = "the reduction result is returned, not written in place"]
pub fn std<T: Element, S: Data<Elem = T>, D: Dimension>(
    a: &ArrayBase<S, D>,
    axes: impl Into<Axes>,
    ddof: usize,
) -> Result<ArrayD<T>> {
    let p = prepare(a, axes.into())?;
    Ok(p.array(
        p.variances(ddof)
            .into_iter()
            .map(|v| T::of_f64(v.sqrt()))
            .collect(),
    ))
}
into_twin!(
    /// [`std`] into a preallocated output of the result's shape.
    std_into => std(ddof: usize) -> T);

/// Euclidean (L2) norm over `axes` (numpy `np.sqrt((a * a).sum(axis))`, but overflow- and
/// underflow-safe: `[1e200, 1e200]` gives `1.414e200`, not inf).
///
/// ```
/// use ndarray::array;
/// let a = array![[3.0, 1e200], [4.0, 1e200]];
/// let n = ndkern_core::reduce::norm_l2(&a, 0).unwrap();
/// assert_eq!(n[[0]], 5.0);
/// assert!((n[[1]] / (2f64.sqrt() * 1e200) - 1.0).abs() < 1e-15);
/// ```
#[must_use = "the reduction result is returned, not written in place"]
pub fn norm_l2<T: Element, S: Data<Elem = T>, D: Dimension>(
    a: &ArrayBase<S, D>,
    axes: impl Into<Axes>,
) -> Result<ArrayD<T>> {
    let p = prepare(a, axes.into())?;
    Ok(p.array(cast(p.norms())))
}
into_twin!(
    /// [`norm_l2`] into a preallocated output of the result's shape.
    norm_l2_into => norm_l2() -> T);

/// Minimum over `axes` (numpy `a.min(axis)`): NaN if any reduced element is NaN; `Err` for
/// an empty selection (numpy raises too).
///
/// ```
/// use ndarray::array;
/// let a = array![[1.0, -2.0], [3.0, f64::NAN]];
/// let m = ndkern_core::reduce::min(&a, 1).unwrap();
/// assert_eq!(m[[0]], -2.0);
/// assert!(m[[1]].is_nan());
/// ```
#[must_use = "the reduction result is returned, not written in place"]
pub fn min<T: Element, S: Data<Elem = T>, D: Dimension>(
    a: &ArrayBase<S, D>,
    axes: impl Into<Axes>,
) -> Result<ArrayD<T>> {
    let p = prepare(a, axes.into())?;
    p.require_nonempty("min")?;
    Ok(p.array(p.plan.run(&ops::Extreme { is_max: false })))
}
into_twin!(
    /// [`min`] into a preallocated output of the result's shape.
    min_into => min() -> T);

/// Maximum over `axes` (numpy `a.max(axis)`): NaN if any reduced element is NaN; `Err` for
/// an empty selection.
///
/// ```
/// use ndarray::array;
/// let a = array![[1.0f32, -2.0], [3.0, 0.5]];
/// assert_eq!(ndkern_core::reduce::max(&a, 0).unwrap(), array![3.0f32, 0.5].into_dyn());
/// ```
#[must_use = "the reduction result is returned, not written in place"]
pub fn max<T: Element, S: Data<Elem = T>, D: Dimension>(
    a: &ArrayBase<S, D>,
    axes: impl Into<Axes>,
) -> Result<ArrayD<T>> {
    let p = prepare(a, axes.into())?;
    p.require_nonempty("max")?;
    Ok(p.array(p.plan.run(&ops::Extreme { is_max: true })))
}
into_twin!(
    /// [`max`] into a preallocated output of the result's shape.
    max_into => max() -> T);

/// Number of non-zero elements over `axes` (numpy `np.count_nonzero(a, axis)`); NaN counts as
/// non-zero.
///
/// ```
/// use ndarray::array;
/// let a = array![[0.0, 1.0, f64::NAN], [0.0, 0.0, 2.0]];
/// assert_eq!(ndkern_core::reduce::count_nonzero(&a, 1).unwrap(), array![2usize, 1].into_dyn());
/// ```
#[must_use = "the reduction result is returned, not written in place"]
pub fn count_nonzero<T: Element, S: Data<Elem = T>, D: Dimension>(
    a: &ArrayBase<S, D>,
    axes: impl Into<Axes>,
) -> Result<ArrayD<usize>> {
    let p = prepare(a, axes.into())?;
    Ok(p.array(p.plan.run(&ops::CountNonzero)))
}
into_twin!(
    /// [`count_nonzero`] into a preallocated output of the result's shape.
    count_nonzero_into => count_nonzero() -> usize);
