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

/// The [`Plan`] of `axis` (`n` samples), after checking `edge_order` and the axis length.
fn checked_plan(spacing: &Spacing, axis: usize, n: usize, edge_order: usize) -> Result<Plan> {
    if !(edge_order == 1 || edge_order == 2) {
        return Err(Error::InvalidParameter {
            name: "edge_order",
            reason: format!("edge_order must be 1 or 2, got {edge_order}"),
        });
    }
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
    plan(spacing, n)
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
                let (a, b, c) = coord_weights(dx, i);
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

/// numpy's weights of `f[i-1]`, `f[i]`, `f[i+1]` at an interior sample of a coordinate axis.
#[inline(always)]
fn coord_weights(dx: &[f64], i: usize) -> (f64, f64, f64) {
    let (d1, d2) = (dx[i - 1], dx[i]);
    let a = -d2 / (d1 * (d1 + d2));
    let b = (d2 - d1) / (d1 * d2);
    let c = d1 / (d2 * (d1 + d2));
    (a, b, c)
}

/// One formula applied to every sample of a run of rows (or of a shifted lane), hoisted out of
/// the loop so that the loop is branch-free and vectorises. `m`, `c`, `p` are the samples at
/// offsets -1, 0, +1 (for a one-sided first-order edge, `m` and `p` are samples 0 and 1).
#[derive(Clone, Copy, Debug)]
enum Diff<T> {
    /// `(p - m) * r`: numpy's `(p - m) / d` in the element type when `d` is a power of two,
    /// whose reciprocal `r` is exact, so the product is the same correctly rounded quotient.
    Mul(T),
    /// `(p - m) / d` in the element type (numpy's weak Python-float spacing).
    Div(T),
    /// `(p - m)` in the element type, divided by `d` in `f64` (a numpy float64 spacing).
    DivF64(f64),
    /// `a m + b c + w p` in `f64`, rounded once (coordinates).
    Weights(f64, f64, f64),
}

/// `1 / d` when it is exact (`d` a normal power of two with a normal reciprocal).
fn exact_reciprocal<T: Element>(d: T) -> Option<T> {
    let r = T::one() / d;
    let pow2 = d.as_f64().to_bits() & ((1u64 << 52) - 1) == 0;
    (pow2 && d.is_normal() && r.is_normal()).then_some(r)
}

/// The formula `(p - m) / d` of a uniform step (weak: in the element type, as [`point`]).
fn diff_op<T: Element>(d: f64, weak: bool) -> Diff<T> {
    if weak {
        let dt = T::of_f64(d);
        exact_reciprocal(dt).map_or(Diff::Div(dt), Diff::Mul)
    } else {
        Diff::DivF64(d)
    }
}

/// The interior and first-order edge formulas of a uniform axis (`None` for coordinates).
fn uniform_ops<T: Element>(plan: &Plan) -> Option<(Diff<T>, Diff<T>)> {
    match *plan {
        Plan::Uniform { h, weak } => Some((diff_op(2.0 * h, weak), diff_op(h, weak))),
        Plan::Coords(_) => None,
    }
}

/// `op(m, c, p)` for one sample (the loops of [`apply`] compute exactly this).
#[inline(always)]
fn diff1<T: Element>(op: Diff<T>, m: T, c: T, p: T) -> T {
    let t = T::of_f64;
    match op {
        Diff::Mul(r) => (p - m) * r,
        Diff::Div(d) => (p - m) / d,
        Diff::DivF64(d) => t((p - m).as_f64() / d),
        Diff::Weights(a, b, w) => t(a * m.as_f64() + b * c.as_f64() + w * p.as_f64()),
    }
}

/// `out[k] = op(m[k], c[k], p[k])`; the slices are at least `out.len()` long.
#[inline(always)]
fn apply<T: Element>(op: Diff<T>, m: &[T], c: &[T], p: &[T], out: &mut [T]) {
    let n = out.len();
    let (m, c, p) = (&m[..n], &c[..n], &p[..n]);
    let t = T::of_f64;
    match op {
        Diff::Mul(r) => {
            for ((o, &p), &m) in out.iter_mut().zip(p).zip(m) {
                *o = (p - m) * r;
            }
        }
        Diff::Div(d) => {
            for ((o, &p), &m) in out.iter_mut().zip(p).zip(m) {
                *o = (p - m) / d;
            }
        }
        Diff::DivF64(d) => {
            for ((o, &p), &m) in out.iter_mut().zip(p).zip(m) {
                *o = t((p - m).as_f64() / d);
            }
        }
        Diff::Weights(a, b, w) => {
            for (((o, &p), &c), &m) in out.iter_mut().zip(p).zip(c).zip(m) {
                *o = t(a * m.as_f64() + b * c.as_f64() + w * p.as_f64());
            }
        }
    }
}

/// The derivative along a lane `f` at samples `k0 .. k0 + out.len()` into `out`; `ops` is
/// [`uniform_ops`] of `plan`, computed once by the caller.
#[inline(always)]
fn lane_segment<T: Element>(
    f: &[T],
    k0: usize,
    out: &mut [T],
    plan: &Plan,
    ops: Option<(Diff<T>, Diff<T>)>,
    edge_order: usize,
) {
    let n = f.len();
    let k1 = k0 + out.len();
    match ops {
        // Interior samples (1 .. n-1) in one branch-free pass over shifted slices.
        Some((inner, edge)) => {
            let lo = k0.max(1).min(k1);
            let hi = k1.min(n - 1).max(lo);
            for k in (k0..lo).chain(hi..k1) {
                out[k - k0] = match (edge_order, k) {
                    (1, 0) => diff1(edge, f[0], f[0], f[1]),
                    (1, _) => diff1(edge, f[n - 2], f[n - 2], f[n - 1]),
                    _ => point(k, n, |j| f[j], plan, edge_order),
                };
            }
            if lo < hi {
                apply(
                    inner,
                    &f[lo - 1..],
                    &f[lo..],
                    &f[lo + 1..],
                    &mut out[lo - k0..hi - k0],
                );
            }
        }
        None => {
            for (k, o) in (k0..k1).zip(out.iter_mut()) {
                *o = point(k, n, |j| f[j], plan, edge_order);
            }
        }
    }
}

ndkern_core::multiversion! {
    fn lane_gradient[T: Element](f: &[T], k0: usize, out: &mut [T], plan: &Plan, edge_order: usize) {
        lane_segment(f, k0, out, plan, uniform_ops(plan), edge_order);
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
    let n = a.len_of(Axis(axis));
    let plan = checked_plan(spacing, axis, n, edge_order)?;
    if a.is_empty() {
        return Ok(());
    }
    // Two lane buffers per worker (for strided lanes): checked like any buffer sized by input.
    ndkern_core::check_alloc::<T>("the gradient's lane buffers", n.saturating_mul(2))?;
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
                Some(o) => lane_gradient(f, 0, o, &plan, edge_order),
                None => {
                    lane_gradient(f, 0, fout, &plan, edge_order);
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
    // One output per axis, each sized like `a`: all of them must fit, not only each (three
    // outputs of a large volume, each under the cap, would abort on the third).
    ndkern_core::check_alloc::<T>(
        "gradient outputs (one per axis, each sized like the input)",
        a.len().saturating_mul(axes.len()),
    )?;
    axes.iter()
        .zip(&sp)
        .map(|(&ax, s)| {
            let mut out = ndkern_core::try_zeros("gradient output", a.raw_dim())?;
            gradient_axis_into(a, s, ax, edge_order, out.view_mut())?;
            Ok(out)
        })
        .collect()
}

/// All partial derivatives stacked on a new last axis: shape `(..., ndim)` (Q11: the gradient
/// of a 50^3 volume as one `(50, 50, 50, 3)` array; numpy: `np.stack(np.gradient(a), -1)`).
///
/// One pass: every row along the last axis is read once with its neighbouring rows along the
/// other axes (in cache: the previous and next planes), its `ndim` components are computed for
/// a block of samples into a small buffer, and written interleaved into the fresh output,
/// rows split across threads (BENCHMARKS.md row `q11_gradient_stack`). A non-C-contiguous
/// input is first copied to C order.
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
    let (_, sp) = axes_and_spacing(nd, spacing, None)?;
    let dims = a.shape().to_vec();
    let plans = sp
        .iter()
        .enumerate()
        .map(|(ax, s)| checked_plan(s, ax, dims[ax], edge_order))
        .collect::<Result<Vec<Plan>>>()?;
    let mut shape = dims.clone();
    shape.push(nd);
    // The output and, for a non-C-contiguous input, its C-order copy: both must fit.
    let out_len = ndkern_core::checked_len("gradient output", &shape)?;
    let copy_len = if a.as_slice().is_some() { 0 } else { a.len() };
    ndkern_core::check_alloc::<T>(
        "gradient output and the C-order copy of the input",
        out_len.saturating_add(copy_len),
    )?;
    let mut out = ndkern_core::try_zeros::<T, _>("gradient output", IxDyn(&shape))?;
    // Every axis has at least two samples here, so only a 0-d input is empty (numpy: no
    // gradients, shape (0,)).
    if nd == 0 || a.is_empty() {
        return Ok(out);
    }
    let a = a.view().into_dyn();
    let copy;
    let src: &[T] = match a.as_slice() {
        Some(s) => s,
        None => {
            let mut c = ndkern_core::try_zeros::<T, _>("C-order copy of the input", a.raw_dim())?;
            c.assign(&a);
            copy = c;
            copy.as_slice().expect("fresh arrays are C-contiguous")
        }
    };
    let dst = out.as_slice_mut().expect("fresh arrays are C-contiguous");
    if nd == 1 {
        // One lane: split it into segments (the output (n, 1) is laid out as the lane).
        let seg = 1 << 15;
        let job = |(c, o): (usize, &mut [T])| lane_gradient(src, c * seg, o, &plans[0], edge_order);
        if worth_parallel(dst.len()) {
            dst.par_chunks_mut(seg).enumerate().for_each(job);
        } else {
            dst.chunks_mut(seg).enumerate().for_each(job);
        }
        return Ok(out);
    }
    let strides: Vec<usize> = (0..nd).map(|ax| dims[ax + 1..].iter().product()).collect();
    let ops: Vec<Option<(Diff<T>, Diff<T>)>> = plans.iter().map(uniform_ops).collect();
    let len = dims[nd - 1];
    let rows = src.len() / len;
    let tasks = ndkern_core::task_count(dst.len()).min(rows);
    let rows_per_task = rows.div_ceil(tasks);
    let geo = Geometry {
        dims: &dims,
        strides: &strides,
        plans: &plans,
        ops: &ops,
        edge_order,
    };
    let job = |(t, o): (usize, &mut [T])| stacked_rows(src, o, t * rows_per_task, &geo);
    if tasks > 1 {
        dst.par_chunks_mut(rows_per_task * len * nd)
            .enumerate()
            .for_each(job);
    } else {
        job((0, dst));
    }
    Ok(out)
}

/// What every row of [`stacked_rows`] needs to know about the C-contiguous input.
struct Geometry<'a, T> {
    /// The input's shape.
    dims: &'a [usize],
    /// Its strides in elements.
    strides: &'a [usize],
    plans: &'a [Plan],
    /// Per axis: the interior and first-order edge formulas of a uniform step.
    ops: &'a [Option<(Diff<T>, Diff<T>)>],
    edge_order: usize,
}

/// Samples per block of a row: the `ndim` components of a block stay in L1 until they are
/// written interleaved.
const BLOCK: usize = 512;

ndkern_core::multiversion! {
    /// The stacked partials of the rows `row0 ..` (along the last axis) of the C-contiguous
    /// `src` into `o` (`ndim` values per sample, whole rows).
    fn stacked_rows[T: Element](src: &[T], o: &mut [T], row0: usize, g: &Geometry<'_, T>) {
        let dims = g.dims;
        let nd = dims.len();
        let len = dims[nd - 1];
        let block = BLOCK.min(len);
        let mut buf = vec![T::zero(); nd * block];
        // Multi-index of the first row over the leading axes, then an odometer.
        let mut idx: Vec<usize> = (0..nd - 1)
            .map(|ax| (row0 * len / g.strides[ax]) % dims[ax])
            .collect();
        for (r, orow) in o.chunks_exact_mut(len * nd).enumerate() {
            let base = (row0 + r) * len;
            let mut k0 = 0;
            while k0 < len {
                let b = block.min(len - k0);
                for ax in 0..nd - 1 {
                    let (i, n, st) = (idx[ax], dims[ax], g.strides[ax]);
                    // Rows `lo ..= lo + 2` along `ax` (two when the axis has two samples) hold
                    // every sample the formula of row `i` reads.
                    let lo = i.saturating_sub(1).min(n.saturating_sub(3));
                    let at = |j: usize| {
                        let s = (base - i * st + j.min(n - 1) * st) + k0;
                        &src[s..s + b]
                    };
                    let rows = [at(lo), at(lo + 1), at(lo + 2)];
                    let out = &mut buf[ax * b..(ax + 1) * b];
                    let op = match (&g.plans[ax], g.ops[ax]) {
                        (_, Some((inner, _))) if i > 0 && i + 1 < n => Some(inner),
                        (_, Some((_, edge))) if g.edge_order == 1 => Some(edge),
                        (Plan::Coords(dx), None) if i > 0 && i + 1 < n => {
                            let (a, c, w) = coord_weights(dx, i);
                            Some(Diff::Weights(a, c, w))
                        }
                        _ => None,
                    };
                    match op {
                        // Interior: rows i-1, i, i+1 = lo, lo+1, lo+2. First-order edge of a
                        // uniform axis: (f1 - f0) or (f[n-1] - f[n-2]).
                        Some(op) if i > 0 && i + 1 < n => apply(op, rows[0], rows[1], rows[2], out),
                        Some(op) if i == 0 => apply(op, rows[0], rows[0], rows[1], out),
                        Some(op) => apply(op, at(n - 2), rows[0], at(n - 1), out),
                        None => {
                            for (k, v) in out.iter_mut().enumerate() {
                                *v = point(i, n, |j| rows[j - lo][k], &g.plans[ax], g.edge_order);
                            }
                        }
                    }
                }
                let f = &src[base..base + len];
                let out = &mut buf[(nd - 1) * b..nd * b];
                lane_segment(f, k0, out, &g.plans[nd - 1], g.ops[nd - 1], g.edge_order);
                interleave(&buf[..nd * b], nd, &mut orow[k0 * nd..(k0 + b) * nd]);
                k0 += b;
            }
            for ax in (0..nd - 1).rev() {
                idx[ax] += 1;
                if idx[ax] < dims[ax] {
                    break;
                }
                idx[ax] = 0;
            }
        }
    }
}

/// `o[k * nd + ax] = comp[ax * b + k]` (`b = o.len() / nd` samples of `nd` components).
#[inline(always)]
fn interleave<T: Copy>(comp: &[T], nd: usize, o: &mut [T]) {
    let b = o.len() / nd;
    match nd {
        2 => {
            let (c0, c1) = (&comp[..b], &comp[b..2 * b]);
            for ((cell, &x), &y) in o.chunks_exact_mut(2).zip(c0).zip(c1) {
                cell[0] = x;
                cell[1] = y;
            }
        }
        3 => {
            let (c0, c1, c2) = (&comp[..b], &comp[b..2 * b], &comp[2 * b..3 * b]);
            for (((cell, &x), &y), &z) in o.chunks_exact_mut(3).zip(c0).zip(c1).zip(c2) {
                cell[0] = x;
                cell[1] = y;
                cell[2] = z;
            }
        }
        _ => {
            for (k, cell) in o.chunks_exact_mut(nd).enumerate() {
                for (ax, v) in cell.iter_mut().enumerate() {
                    *v = comp[ax * b + k];
                }
            }
        }
    }
}
