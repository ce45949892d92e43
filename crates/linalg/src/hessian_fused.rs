//! Eigenvalues of the finite-difference Hessian (`np.gradient` applied twice) of a 3-D
//! array in one fused pass: no Hessian plane is ever stored.
//!
//! Q12 in numpy builds the three first derivatives, six second-derivative planes, a
//! `(..., 3, 3)` stack and calls LAPACK per voxel (1.4 s for 128^3 f64, ~27 full-size
//! temporaries). [`hessian`](crate::hessian) + [`hessian_eigvals`](crate::hessian_eigvals)
//! already skip the stack but still write nine planes. Here each output row `(z, y, :)` is
//! computed from the input rows it depends on (at most `z +- 2`, `y +- 2`): the six Hessian
//! rows go to small row buffers that stay in L1, the batched closed-form eigensolver of
//! [`crate::eigvalsh3`] (with its Jacobi guard) runs on them, and only the three eigenvalue
//! rows are written. Work is split across threads by z-planes; each plane is one
//! `ndkern_core::multiversion!` leaf (differences and eigensolver compiled per SIMD level).
//!
//! Every second derivative is the composition numpy evaluates, in numpy's order and with its
//! stencils (`(f[i+1] - f[i-1]) / 2` inside, one-sided first differences at the two ends of
//! each axis), so the Hessian entries equal numpy's bit for bit for f64; f32 input is
//! differenced in f64 (numpy differences in f32) and the eigenvalues are rounded once.
//!
//! ```
//! use ndarray::Array3;
//! use ndkern_linalg::{hessian_eigvalsh, EigOrder};
//! // f = x^2 + 2 y^2 + 3 z^2 + x y has the constant Hessian [[2, 1, 0], [1, 4, 0], [0, 0, 6]].
//! let f = Array3::from_shape_fn((6, 7, 8), |(i, j, k)| {
//!     let (x, y, z) = (i as f64, j as f64, k as f64);
//!     x * x + 2.0 * y * y + 3.0 * z * z + x * y
//! });
//! let l = hessian_eigvalsh(&f, EigOrder::Ascending).unwrap();
//! let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
//! assert!(close(l[0][[3, 3, 3]], 3.0 - 2f64.sqrt()) && close(l[2][[3, 3, 3]], 6.0));
//! ```

use ndarray::{
    Array, ArrayBase, ArrayView3, ArrayViewMut, ArrayViewMut2, Axis, Data, Dimension, Ix3,
};
use ndkern_core::{Element, Error, Result};
use rayon::prelude::*;

use crate::eigh::{eigvals3_kernel, EigOrder};
use crate::hessian::{check_dims, hessian, hessian_eigvals};

/// numpy's first-order gradient stencil at index `i` of an axis of length `n >= 2`:
/// `D f(i) = (f(hi) - f(lo)) * s`.
#[inline(always)]
fn stencil(i: usize, n: usize) -> (usize, usize, f64) {
    if i == 0 {
        (0, 1, 1.0)
    } else if i == n - 1 {
        (n - 2, n - 1, 1.0)
    } else {
        (i - 1, i + 1, 0.5)
    }
}

/// `out = (hi - lo) * s` (one first difference across rows).
#[inline(always)]
fn diff<T: Element>(out: &mut [f64], hi: &[T], lo: &[T], s: f64) {
    for ((o, h), l) in out.iter_mut().zip(hi).zip(lo) {
        *o = (h.as_f64() - l.as_f64()) * s;
    }
}

/// `out = ((a - b) * sa - (c - d) * sc) * s`: a second difference across rows, the
/// composition of two [`diff`]s in numpy's order, in one pass.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn diff2<T: Element>(
    out: &mut [f64],
    a: &[T],
    b: &[T],
    sa: f64,
    c: &[T],
    d: &[T],
    sc: f64,
    s: f64,
) {
    let n = out.len();
    let (a, b, c, d) = (&a[..n], &b[..n], &c[..n], &d[..n]);
    for i in 0..n {
        let hi = (a[i].as_f64() - b[i].as_f64()) * sa;
        let lo = (c[i].as_f64() - d[i].as_f64()) * sc;
        out[i] = (hi - lo) * s;
    }
}

/// `np.gradient` of one row along itself (length >= 2).
#[inline(always)]
fn dx<T: Element>(out: &mut [f64], f: &[T]) {
    let n = out.len();
    out[0] = f[1].as_f64() - f[0].as_f64();
    out[n - 1] = f[n - 1].as_f64() - f[n - 2].as_f64();
    for ((o, h), l) in out[1..n - 1].iter_mut().zip(&f[2..n]).zip(&f[..n - 2]) {
        *o = (h.as_f64() - l.as_f64()) * 0.5;
    }
}

/// Row buffers of one worker: two first-derivative rows, six Hessian rows, three outputs.
struct Scratch {
    t: Vec<f64>,
    h: [Vec<f64>; 6],
    e: [Vec<f64>; 3],
}

impl Scratch {
    fn new(nx: usize) -> Scratch {
        Scratch {
            t: vec![0.0; nx],
            h: std::array::from_fn(|_| vec![0.0; nx]),
            e: std::array::from_fn(|_| vec![0.0; nx]),
        }
    }
}

ndkern_core::multiversion! {
    /// Eigenvalue rows of output plane `z` of the C-contiguous `f` (shape `[nz, ny, nx]`).
    fn plane[T: Element](
        f: &[T],
        shape: [usize; 3],
        z: usize,
        order: EigOrder,
        sc: &mut Scratch,
        out: [ArrayViewMut2<'_, T>; 3],
    ) {
        let mut out = out;
        let [nz, ny, nx] = shape;
        let row = |z: usize, y: usize| &f[(z * ny + y) * nx..(z * ny + y + 1) * nx];
        let (zl, zh, sz) = stencil(z, nz);
        let (zll, zlh, szl) = stencil(zl, nz);
        let (zhl, zhh, szh) = stencil(zh, nz);
        for y in 0..ny {
            let (yl, yh, sy) = stencil(y, ny);
            let (yll, ylh, syl) = stencil(yl, ny);
            let (yhl, yhh, syh) = stencil(yh, ny);
            let [h00, h01, h02, h11, h12, h22] = &mut sc.h;
            // H00 = D_z(D_z f), H01 = D_y(D_z f), H11 = D_y(D_y f): second differences of rows.
            diff2(
                h00,
                row(zhh, y),
                row(zhl, y),
                szh,
                row(zlh, y),
                row(zll, y),
                szl,
                sz,
            );
            diff2(
                h01,
                row(zh, yh),
                row(zl, yh),
                sz,
                row(zh, yl),
                row(zl, yl),
                sz,
                sy,
            );
            diff2(
                h11,
                row(z, yhh),
                row(z, yhl),
                syh,
                row(z, ylh),
                row(z, yll),
                syl,
                sy,
            );
            // H02 = D_x(D_z f), H12 = D_x(D_y f), H22 = D_x(D_x f): a row difference, then along x.
            diff(&mut sc.t, row(zh, y), row(zl, y), sz);
            dx(h02, &sc.t);
            diff(&mut sc.t, row(z, yh), row(z, yl), sy);
            dx(h12, &sc.t);
            dx(&mut sc.t, row(z, y));
            dx(h22, &sc.t);
            let [lo, mid, hi] = &mut sc.e;
            eigvals3_kernel(
                [&sc.h[0], &sc.h[1], &sc.h[2], &sc.h[3], &sc.h[4], &sc.h[5]],
                lo,
                mid,
                hi,
            );
            if order != EigOrder::Ascending {
                for ((l, m), h) in lo.iter_mut().zip(mid.iter_mut()).zip(hi.iter_mut()) {
                    [*l, *m, *h] = order.apply([*l, *m, *h]);
                }
            }
            for (o, e) in out.iter_mut().zip(&sc.e) {
                let mut r = o.row_mut(y);
                if let Some(s) = r.as_slice_mut() {
                    for (d, v) in s.iter_mut().zip(e) {
                        *d = T::of_f64(*v);
                    }
                } else {
                    for (d, v) in r.iter_mut().zip(e) {
                        *d = T::of_f64(*v);
                    }
                }
            }
        }
    }
}

/// The fused 3-D pass: `a` any layout (a checked C-order copy when it is not C-contiguous),
/// outputs any layout, all of `a`'s shape.
fn fused3<T: Element>(
    a: ArrayView3<'_, T>,
    order: EigOrder,
    out: [ArrayViewMut<'_, T, Ix3>; 3],
) -> Result<()> {
    let f = ndkern_core::try_standard_layout("a C-order copy of the input", &a)?;
    let f = f.as_slice().expect("standard layout is contiguous");
    let shape: [usize; 3] = [a.shape()[0], a.shape()[1], a.shape()[2]];
    if a.is_empty() {
        return Ok(());
    }
    let [mut o0, mut o1, mut o2] = out;
    let work = |sc: &mut Scratch, (z, ((p0, p1), p2))| plane(f, shape, z, order, sc, [p0, p1, p2]);
    if ndkern_core::worth_parallel(a.len() * 16) {
        o0.axis_iter_mut(Axis(0))
            .into_par_iter()
            .zip(o1.axis_iter_mut(Axis(0)))
            .zip(o2.axis_iter_mut(Axis(0)))
            .enumerate()
            .for_each_init(|| Scratch::new(shape[2]), work);
    } else {
        let mut sc = Scratch::new(shape[2]);
        o0.axis_iter_mut(Axis(0))
            .zip(o1.axis_iter_mut(Axis(0)))
            .zip(o2.axis_iter_mut(Axis(0)))
            .enumerate()
            .for_each(|p| work(&mut sc, p));
    }
    Ok(())
}

fn check_out<T, D: Dimension>(shape: &[usize], out: &[ArrayViewMut<'_, T, D>]) -> Result<()> {
    if out.len() != shape.len() {
        return Err(Error::InvalidParameter {
            name: "out",
            reason: format!(
                "a {}-D Hessian has {} eigenvalue planes, got {} output views",
                shape.len(),
                shape.len(),
                out.len()
            ),
        });
    }
    for o in out {
        if o.shape() != shape {
            return Err(Error::ShapeMismatch {
                expected: shape.to_vec(),
                got: o.shape().to_vec(),
            });
        }
    }
    Ok(())
}

fn check_axes(shape: &[usize]) -> Result<()> {
    if let Some(ax) = shape.iter().position(|&n| n < 2) {
        return Err(Error::InvalidParameter {
            name: "image",
            reason: format!(
                "np.gradient needs at least 2 samples along every axis; axis {ax} has {}",
                shape[ax]
            ),
        });
    }
    Ok(())
}

/// Eigenvalues of the finite-difference Hessian of a 2-D or 3-D array (`np.gradient` twice,
/// unit spacing, first-order edges), one plane per eigenvalue in `order`: the result of
/// [`hessian_eigvals`]`(&`[`hessian`]`(a)?, order)` without storing the Hessian (3-D: one
/// fused pass, see the module docs; 2-D: the two-step route).
///
/// numpy: `g = np.gradient(a); H[..., i, j] = np.gradient(g[i], axis=j);
/// np.linalg.eigvalsh(H)` (ascending, last axis) = planes `[l[0], l[1], l[2]]`.
/// Errors: not 2-D/3-D, or an axis shorter than 2.
///
/// ```
/// use ndarray::Array3;
/// use ndkern_linalg::{hessian_eigvalsh, EigOrder};
/// let a = Array3::from_shape_fn((4, 5, 6), |(i, j, k)| (i * j + k * k) as f64);
/// let l = hessian_eigvalsh(&a, EigOrder::Descending).unwrap();
/// assert_eq!(l.len(), 3);
/// // Inside: H = [[0, 1, 0], [1, 0, 0], [0, 0, 2]] -> eigenvalues 2, 1, -1.
/// assert!((l[0][[2, 2, 2]] - 2.0).abs() < 1e-12 && (l[2][[2, 2, 2]] + 1.0).abs() < 1e-12);
/// ```
#[must_use = "the eigenvalue planes are returned"]
pub fn hessian_eigvalsh<T, S, D>(a: &ArrayBase<S, D>, order: EigOrder) -> Result<Vec<Array<T, D>>>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    check_dims(a.ndim())?;
    let mut out: Vec<Array<T, D>> = (0..a.ndim())
        .map(|_| ndkern_core::try_zeros("an eigenvalue plane", a.raw_dim()))
        .collect::<Result<_>>()?;
    let mut views: Vec<_> = out.iter_mut().map(|o| o.view_mut()).collect();
    hessian_eigvalsh_into(a, order, &mut views)?;
    drop(views);
    Ok(out)
}

/// [`hessian_eigvalsh`] writing into `out` (one view of `a`'s shape per eigenvalue: 2 in
/// 2-D, 3 in 3-D; any layout).
///
/// Errors: those of [`hessian_eigvalsh`], a wrong number of views or a view of another shape.
///
/// ```
/// use ndarray::{Array2, Array3, Axis};
/// use ndkern_linalg::{hessian_eigvalsh_into, EigOrder};
/// let a = Array2::from_shape_fn((5, 6), |(i, j)| (i * i + 3 * j * j) as f32);
/// let mut out = Array3::<f32>::zeros((2, 5, 6)); // planes along the first axis
/// let mut views: Vec<_> = out.outer_iter_mut().collect();
/// hessian_eigvalsh_into(&a, EigOrder::Ascending, &mut views).unwrap();
/// assert_eq!((out[[0, 2, 3]], out[[1, 2, 3]]), (2.0, 6.0));
/// ```
pub fn hessian_eigvalsh_into<T, S, D>(
    a: &ArrayBase<S, D>,
    order: EigOrder,
    out: &mut [ArrayViewMut<'_, T, D>],
) -> Result<()>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    check_dims(a.ndim())?;
    check_out(a.shape(), out)?;
    check_axes(a.shape())?;
    if a.ndim() == 3 {
        let a3 = a.view().into_dimensionality::<Ix3>().expect("3-D");
        let mut it = out.iter_mut().map(|o| {
            o.view_mut()
                .into_dimensionality::<Ix3>()
                .expect("checked shape")
        });
        let views = std::array::from_fn(|_| it.next().expect("three views"));
        fused3(a3, order, views)?;
    } else {
        let l = hessian_eigvals(&hessian(a)?, order)?;
        for (o, l) in out.iter_mut().zip(&l) {
            o.assign(l);
        }
    }
    Ok(())
}
