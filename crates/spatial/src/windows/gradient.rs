//! Gradients with numpy.gradient semantics (Q11, Q15): second-order central differences
//! inside, first- or second-order one-sided differences at the edges, spacing given as one
//! scalar per axis or as sample coordinates.
//!
//! Arithmetic follows numpy operation by operation, so results are bit-identical to numpy for
//! scalar spacings: inside, `(f[i+1] - f[i-1]) / (2 h)` in the element type (numpy keeps a
//! Python-float spacing "weak", so float32 stays float32); with coordinates the weights
//! `a, b, c` are `f64` and `a f[i-1] + b f[i] + c f[i+1]` is evaluated in `f64` and rounded once.
//! Each lane is one pass over memory; [`gradient_stacked`] writes all axes into one
//! `(..., ndim)` array (Q11).

use ndarray::{Array, ArrayBase, ArrayD, ArrayViewMut, Axis, Data, Dimension, IxDyn};
use ndkern_core::{for_each_lane, worth_parallel, Element, Error, Result};
use rayon::prelude::*;

use super::params::check_axis;

/// Sample spacing along one axis (numpy.gradient's `*varargs`).
#[derive(Clone, Debug, PartialEq)]
pub enum Spacing {
    /// A constant step (numpy: a scalar).
    Uniform(f64),
    /// The coordinate of every sample along the axis (numpy: a 1-D array of the axis length).
    Coords(Vec<f64>),
}

impl Default for Spacing {
    fn default() -> Self {
        Spacing::Uniform(1.0)
    }
}

/// Which formula a lane uses, with everything precomputed once per axis.
enum Plan {
    /// Scalar step; `weak` keeps numpy's promotion (Python float: element type arithmetic).
    Uniform { h: f64, weak: bool },
    /// Coordinate differences.
    Coords(Vec<f64>),
}

fn plan(spacing: &Spacing, n: usize) -> Result<Plan> {
    match spacing {
        Spacing::Uniform(h) => {
            if !(h.is_finite() && *h != 0.0) {
                return Err(Error::InvalidParameter {
                    name: "spacing",
                    reason: format!("the spacing must be finite and non-zero, got {h}"),
                });
            }
            Ok(Plan::Uniform { h: *h, weak: true })
        }
        Spacing::Coords(x) => {
            if x.len() != n {
                return Err(Error::InvalidParameter {
                    name: "spacing",
                    reason: format!("coordinates must have the axis length {n}, got {}", x.len()),
                });
            }
            let dx: Vec<f64> = x.windows(2).map(|p| p[1] - p[0]).collect();
            // numpy: equal differences are treated as a (numpy float64, not weak) scalar step.
            if !dx.is_empty() && dx.iter().all(|&d| d == dx[0]) {
                Ok(Plan::Uniform {
                    h: dx[0],
                    weak: false,
                })
            } else {
                Ok(Plan::Coords(dx))
            }
        }
    }
}

/// The derivative at sample `i` of a lane of `n` samples read through `get` (numpy's formulas
/// and operation order; the one place they are written).
#[inline(always)]
fn point<T: Element>(
    i: usize,
    n: usize,
    get: impl Fn(usize) -> T,
    plan: &Plan,
    edge_order: usize,
) -> T {
    let t = T::of_f64;
    match plan {
        Plan::Uniform { h, weak } => {
            let h = *h;
            // `w * f` in the element type (weak) or in f64 (a numpy float64 scalar).
            let mul = |w: f64, v: T| if *weak { t(w) * v } else { t(w * v.as_f64()) };
            let div = |v: T, d: f64| if *weak { v / t(d) } else { t(v.as_f64() / d) };
            if i > 0 && i + 1 < n {
                div(get(i + 1) - get(i - 1), 2.0 * h)
            } else if edge_order == 1 {
                if i == 0 {
                    div(get(1) - get(0), h)
                } else {
                    div(get(n - 1) - get(n - 2), h)
                }
            } else if *weak {
                if i == 0 {
                    mul(-1.5 / h, get(0)) + mul(2.0 / h, get(1)) + mul(-0.5 / h, get(2))
                } else {
                    mul(0.5 / h, get(n - 3)) + mul(-2.0 / h, get(n - 2)) + mul(1.5 / h, get(n - 1))
                }
            } else {
                let g = |k: usize| get(k).as_f64();
                if i == 0 {
                    t(-1.5 / h * g(0) + 2.0 / h * g(1) + -0.5 / h * g(2))
                } else {
                    t(0.5 / h * g(n - 3) + -2.0 / h * g(n - 2) + 1.5 / h * g(n - 1))
                }
            }
        }
        Plan::Coords(dx) => {
            let g = |k: usize| get(k).as_f64();
            if i > 0 && i + 1 < n {
                let (d1, d2) = (dx[i - 1], dx[i]);
                let a = -d2 / (d1 * (d1 + d2));
                let b = (d2 - d1) / (d1 * d2);
                let c = d1 / (d2 * (d1 + d2));
                t(a * g(i - 1) + b * g(i) + c * g(i + 1))
            } else if edge_order == 1 {
                if i == 0 {
                    t((get(1) - get(0)).as_f64() / dx[0])
                } else {
                    t((get(n - 1) - get(n - 2)).as_f64() / dx[n - 2])
                }
            } else if i == 0 {
                let (d1, d2) = (dx[0], dx[1]);
                let a = -(2.0 * d1 + d2) / (d1 * (d1 + d2));
                let b = (d1 + d2) / (d1 * d2);
                let c = -d1 / (d2 * (d1 + d2));
                t(a * g(0) + b * g(1) + c * g(2))
            } else {
                let (d1, d2) = (dx[n - 3], dx[n - 2]);
                let a = d2 / (d1 * (d1 + d2));
                let b = -(d2 + d1) / (d1 * d2);
                let c = (2.0 * d2 + d1) / (d2 * (d1 + d2));
                t(a * g(n - 3) + b * g(n - 2) + c * g(n - 1))
            }
        }
    }
}

ndkern_core::multiversion! {
    fn lane_gradient[T: Element](f: &[T], out: &mut [T], plan: &Plan, edge_order: usize) {
        let n = f.len();
        for (i, o) in out.iter_mut().enumerate() {
            *o = point(i, n, |k| f[k], plan, edge_order);
        }
    }
}

/// The gradient along one axis (numpy: `np.gradient(a, spacing, axis=axis,
/// edge_order=edge_order)`) into `out` (the input's shape). The axis needs at least
/// `edge_order + 1` samples.
///
/// ```
/// use ndarray::{array, Array1};
/// use ndkern_spatial::{gradient_axis_into, Spacing};
/// let a = array![1.0, 4.0, 9.0, 16.0];
/// let mut out = Array1::zeros(4);
/// gradient_axis_into(&a, &Spacing::Uniform(1.0), 0, 2, out.view_mut()).unwrap();
/// assert_eq!(out, array![2.0, 4.0, 6.0, 8.0]); // exact for a quadratic
/// ```
pub fn gradient_axis_into<T, S, D>(
    a: &ArrayBase<S, D>,
    spacing: &Spacing,
    axis: usize,
    edge_order: usize,
    mut out: ArrayViewMut<'_, T, D>,
) -> Result<()>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    check_axis(axis, a.ndim())?;
    if !(edge_order == 1 || edge_order == 2) {
        return Err(Error::InvalidParameter {
            name: "edge_order",
            reason: format!("edge_order must be 1 or 2, got {edge_order}"),
        });
    }
    let n = a.len_of(Axis(axis));
    if n < edge_order + 1 {
        return Err(Error::InvalidParameter {
            name: "a",
            reason: format!(
                "axis {axis} has {n} sample(s); a gradient with edge_order {edge_order} needs \
                 at least {}",
                edge_order + 1
            ),
        });
    }
    let plan = plan(spacing, n)?;
    if a.is_empty() {
        return Ok(());
    }
    for_each_lane(
        a,
        &mut out,
        axis,
        || (vec![T::zero(); n], vec![T::zero(); n]),
        |lane, mut olane, (fin, fout)| {
            let f: &[T] = match lane.as_slice() {
                Some(s) => s,
                None => {
                    fin.iter_mut().zip(lane.iter()).for_each(|(d, &v)| *d = v);
                    fin
                }
            };
            match olane.as_slice_mut() {
                Some(o) => lane_gradient(f, o, &plan, edge_order),
                None => {
                    lane_gradient(f, fout, &plan, edge_order);
                    olane.iter_mut().zip(fout.iter()).for_each(|(d, &v)| *d = v);
                }
            }
        },
    )
}

fn axes_and_spacing(
    ndim: usize,
    spacing: &[Spacing],
    axes: Option<&[usize]>,
) -> Result<(Vec<usize>, Vec<Spacing>)> {
    let axes: Vec<usize> = match axes {
        None => (0..ndim).collect(),
        Some(ax) => ax.to_vec(),
    };
    for (i, &ax) in axes.iter().enumerate() {
        check_axis(ax, ndim)?;
        if axes[..i].contains(&ax) {
            return Err(Error::RepeatedAxis { axis: ax });
        }
    }
    let sp = match spacing.len() {
        0 => vec![Spacing::Uniform(1.0); axes.len()],
        1 => vec![spacing[0].clone(); axes.len()],
        k if k == axes.len() => spacing.to_vec(),
        k => {
            return Err(Error::InvalidParameter {
                name: "spacing",
                reason: format!(
                    "give no spacing, one, or one per axis ({}), got {k}",
                    axes.len()
                ),
            })
        }
    };
    Ok((axes, sp))
}

/// numpy.gradient: one array per axis in `axes` (`None`: all axes). `spacing` is empty (unit
/// steps), one [`Spacing`] for every axis, or one per axis; `edge_order` is 1 or 2.
///
/// ```
/// use ndarray::Array2;
/// use ndkern_spatial::{gradient, Spacing};
/// let a = Array2::from_shape_fn((4, 5), |(i, j)| (3 * i + j * j) as f64);
/// let g = gradient(&a, &[Spacing::Uniform(1.0)], None, 2).unwrap();
/// assert!(g[0].iter().all(|&v| v == 3.0));
/// assert_eq!(g[1][[0, 2]], 4.0);
/// ```
#[must_use = "the gradients are returned"]
pub fn gradient<T, S, D>(
    a: &ArrayBase<S, D>,
    spacing: &[Spacing],
    axes: Option<&[usize]>,
    edge_order: usize,
) -> Result<Vec<Array<T, D>>>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    let (axes, sp) = axes_and_spacing(a.ndim(), spacing, axes)?;
    axes.iter()
        .zip(&sp)
        .map(|(&ax, s)| {
            let mut out = ndkern_core::zeros(a.raw_dim());
            gradient_axis_into(a, s, ax, edge_order, out.view_mut())?;
            Ok(out)
        })
        .collect()
}

/// All partial derivatives stacked on a new last axis: shape `(..., ndim)` (Q11: the gradient
/// of a 50^3 volume as one `(50, 50, 50, 3)` array; numpy: `np.stack(np.gradient(a), -1)`).
///
/// ```
/// use ndarray::Array3;
/// use ndkern_spatial::{gradient_stacked, Spacing};
/// let a = Array3::from_shape_fn((4, 4, 4), |(i, j, k)| (i + 2 * j + 3 * k) as f32);
/// let g = gradient_stacked(&a, &[], 1).unwrap();
/// assert_eq!(g.shape(), &[4, 4, 4, 3]);
/// assert_eq!(g[[1, 2, 3, 2]], 3.0);
/// ```
#[must_use = "the stacked gradient is returned"]
pub fn gradient_stacked<T, S, D>(
    a: &ArrayBase<S, D>,
    spacing: &[Spacing],
    edge_order: usize,
) -> Result<ArrayD<T>>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    let nd = a.ndim();
    let (axes, sp) = axes_and_spacing(nd, spacing, None)?;
    let mut shape = a.shape().to_vec();
    shape.push(nd);
    let mut out = ndkern_core::zeros::<T, _>(IxDyn(&shape));
    let a = a.view().into_dyn();
    if let (Some(src), true) = (a.as_slice(), nd > 0 && !a.is_empty()) {
        // C-contiguous input: one sequential pass writes all partials of each sample together.
        if !(edge_order == 1 || edge_order == 2) {
            let r = gradient_axis_into(&a, &sp[0], 0, edge_order, out.index_axis_mut(Axis(nd), 0));
            return r.map(|()| out);
        }
        let dims = a.shape().to_vec();
        let mut plans = Vec::with_capacity(nd);
        for (ax, s) in sp.iter().enumerate() {
            if dims[ax] < edge_order + 1 {
                // Reuse the per-axis checks for the message.
                let r = gradient_axis_into(&a, s, ax, edge_order, out.index_axis_mut(Axis(nd), ax));
                return r.map(|()| out);
            }
            plans.push(plan(s, dims[ax])?);
        }
        let strides: Vec<usize> = (0..nd).map(|ax| dims[ax + 1..].iter().product()).collect();
        let dst = out.as_slice_mut().expect("fresh array");
        let chunk = 1 << 14;
        let job = |(c, o): (usize, &mut [T])| {
            stacked_chunk(src, o, c * chunk, &dims, &strides, &plans, edge_order);
        };
        if worth_parallel(dst.len()) {
            dst.par_chunks_mut(chunk * nd).enumerate().for_each(job);
        } else {
            dst.chunks_mut(chunk * nd).enumerate().for_each(job);
        }
        return Ok(out);
    }
    for (&ax, s) in axes.iter().zip(&sp) {
        let o = out.index_axis_mut(Axis(nd), ax);
        gradient_axis_into(&a, s, ax, edge_order, o)?;
    }
    Ok(out)
}

ndkern_core::multiversion! {
    /// The stacked partials of the samples `f0..` of the C-contiguous `src` (of shape `dims`,
    /// `strides` in elements) into `o` (`nd` values per sample).
    fn stacked_chunk[T: Element](
        src: &[T],
        o: &mut [T],
        f0: usize,
        dims: &[usize],
        strides: &[usize],
        plans: &[Plan],
        edge_order: usize,
    ) {
        // Multi-index of the chunk's first sample, then an odometer (no divisions per
        // sample).
        let nd = dims.len();
        let mut idx: Vec<usize> = (0..nd).map(|ax| (f0 / strides[ax]) % dims[ax]).collect();
        for (k, cell) in o.chunks_exact_mut(nd).enumerate() {
            let f = f0 + k;
            for (ax, slot) in cell.iter_mut().enumerate() {
                let (st, n, i) = (strides[ax], dims[ax], idx[ax]);
                let base = f - i * st;
                *slot = point(i, n, |j| src[base + j * st], &plans[ax], edge_order);
            }
            for ax in (0..nd).rev() {
                idx[ax] += 1;
                if idx[ax] < dims[ax] {
                    break;
                }
                idx[ax] = 0;
            }
        }
    }
}
