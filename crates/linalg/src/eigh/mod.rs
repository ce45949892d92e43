//! Batched eigenvalues of symmetric 2x2 and 3x3 fields stored as component planes.
//!
//! A Hessian or structure-tensor field is six same-shape planes `xx, xy, xz, yy, yz, zz`
//! (three in 2-D: `xx, xy, yy`). numpy users stack them into `(..., 3, 3)` and call
//! `np.linalg.eigvalsh`, which runs LAPACK per voxel (skimage does the same); here the
//! trigonometric closed form (Smith 1961, Kopp 2008) runs on four elements per `f64x4`
//! vector; where it loses accuracy (nearly equal eigenvalues) an element with a decoupled
//! axis (two zero off-diagonal entries sharing an index, e.g. diagonal matrices, common in
//! flat image regions) is solved exactly as that diagonal entry plus a 2x2 block, still four
//! at a time, and the rest are recomputed by cyclic Jacobi; no `(..., 3, 3)` array is built.
//!
//! * Accuracy (tested against nalgebra's `SymmetricEigen`): `<= 1e-10 max|lambda|` for f64 on
//!   random, two- and three-fold degenerate and badly scaled (entries 1e-150..1e150)
//!   matrices; f32 input is computed in f64 and rounded once (`<= 1e-6`).
//! * Ordering: ascending like `numpy.linalg.eigvalsh` ([`EigOrder::Ascending`]), descending
//!   like `skimage.feature.hessian_matrix_eigvals`, or by increasing |lambda|
//!   ([`EigOrder::AbsAscending`], Frangi's `|l1| <= |l2| <= |l3|`).
//! * Any layout: planes may be strided or permuted views (copied to contiguous blocks);
//!   outputs are standard-layout arrays of the planes' shape.
//!
//! ```
//! use ndarray::array;
//! use ndkern_linalg::{eigvalsh2, EigOrder};
//! // The field [[2, 1], [1, 2]] at every element: eigenvalues 1 and 3.
//! let xx = array![2.0f64, 2.0];
//! let xy = array![1.0, 1.0];
//! let [lo, hi] = eigvalsh2(&xx, &xy, &xx, EigOrder::Ascending).unwrap();
//! assert!((lo[0] - 1.0).abs() < 1e-15 && (hi[1] - 3.0).abs() < 1e-15);
//! ```

mod closed;
pub(crate) mod jacobi;

use ndarray::{Array, ArrayBase, ArrayD, Data, Dimension, IxDyn, Zip};
use ndkern_core::{Element, Error, Result};
use rayon::prelude::*;

use closed::{eigvals2_block, matrix3};
pub(crate) use closed::{eigvals3_block, eigvals3_kernel};
use jacobi::jacobi3;

/// Elements per work block (stack buffers; also the rayon grain).
const BLOCK: usize = 512;

/// The order of the eigenvalues of each element.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EigOrder {
    /// `l1 <= l2 <= l3` (`numpy.linalg.eigvalsh`).
    #[default]
    Ascending,
    /// `l1 >= l2 >= l3` (`skimage.feature.hessian_matrix_eigvals`).
    Descending,
    /// `|l1| <= |l2| <= |l3|` (Frangi vesselness); ties keep ascending order.
    AbsAscending,
}

impl EigOrder {
    #[inline]
    pub(crate) fn apply<const N: usize>(self, mut e: [f64; N]) -> [f64; N] {
        match self {
            EigOrder::Ascending => {}
            EigOrder::Descending => e.reverse(),
            EigOrder::AbsAscending => e.sort_by(|a, b| a.abs().total_cmp(&b.abs())),
        }
        e
    }
}

/// Checks that every plane has the first plane's shape and returns contiguous copies (or
/// borrows) of them.
fn contiguous_planes<'a, T, S, D, const N: usize>(
    planes: [&'a ArrayBase<S, D>; N],
) -> Result<[ndarray::CowArray<'a, T, D>; N]>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    let shape = planes[0].shape().to_vec();
    for p in &planes {
        if p.shape() != shape.as_slice() {
            return Err(Error::ShapeMismatch {
                expected: shape,
                got: p.shape().to_vec(),
            });
        }
    }
    // The planes may be huge broadcast views: their copies (and the outputs) are checked.
    let mut copies = Vec::with_capacity(N);
    for p in planes {
        copies.push(ndkern_core::try_standard_layout(
            "a C-order copy of a plane",
            p,
        )?);
    }
    let mut copies = copies.into_iter();
    Ok(std::array::from_fn(|_| {
        copies.next().expect("one copy per plane")
    }))
}

ndkern_core::multiversion! {
    /// `dst[i] = src[i]` in f64 (the shorter length), compiled per SIMD level.
    fn widen[T: Element](src: &[T], dst: &mut [f64]) {
        for (d, x) in dst.iter_mut().zip(src) {
            *d = x.as_f64();
        }
    }
}

ndkern_core::multiversion! {
    /// `dst[i] = src[i]` rounded to `T` (the shorter length), compiled per SIMD level.
    fn narrow[T: Element](src: &[f64], dst: &mut [T]) {
        for (d, x) in dst.iter_mut().zip(src) {
            *d = T::of_f64(*x);
        }
    }
}

/// Runs `kernel` over blocks of the contiguous planes, converting to f64 and back, writing
/// `M` outputs of the planes' shape.
fn run_blocks<T, D, const N: usize, const M: usize>(
    planes: &[ndarray::CowArray<'_, T, D>; N],
    kernel: impl Fn([&[f64]; N], [&mut [f64]; M]) + Sync,
) -> Result<[Array<T, D>; M]>
where
    T: Element,
    D: Dimension,
{
    let dim = planes[0].raw_dim();
    let len = planes[0].len();
    // The interleaved blocks and the M unpacked outputs are alive together.
    ndkern_core::check_alloc::<T>("the eigenvalue outputs", len.saturating_mul(2 * M))?;
    let slices: [&[T]; N] = std::array::from_fn(|k| {
        planes[k]
            .as_slice()
            .expect("try_standard_layout gives a contiguous array")
    });
    let mut flat: Vec<T> = ndkern_core::try_zeroed_vec("the eigenvalue outputs", len * M)?;
    let run = |b: usize, chunk: &mut [T]| {
        let start = b * BLOCK;
        let n = chunk.len() / M;
        let mut inp = [[0.0f64; BLOCK]; N];
        for (buf, s) in inp.iter_mut().zip(slices.iter()) {
            widen(&s[start..start + n], buf);
        }
        let mut out = [[0.0f64; BLOCK]; M];
        {
            let ins: [&[f64]; N] = std::array::from_fn(|k| &inp[k][..n]);
            let mut it = out.iter_mut();
            let outs: [&mut [f64]; M] = std::array::from_fn(|_| &mut it.next().unwrap()[..n]);
            kernel(ins, outs);
        }
        // Output block layout: M runs of n values.
        for (k, o) in out.iter().enumerate() {
            narrow(&o[..n], &mut chunk[k * n..(k + 1) * n]);
        }
    };
    // Blocks of the flat output: block b holds M runs of its n elements.
    let mut blocks: Vec<&mut [T]> = Vec::with_capacity(len.div_ceil(BLOCK));
    let mut rest = flat.as_mut_slice();
    let mut done = 0;
    while done < len {
        let n = BLOCK.min(len - done);
        let (head, tail) = rest.split_at_mut(n * M);
        blocks.push(head);
        rest = tail;
        done += n;
    }
    if ndkern_core::worth_parallel(len * 8) {
        blocks
            .into_par_iter()
            .enumerate()
            .for_each(|(b, c)| run(b, c));
    } else {
        blocks.into_iter().enumerate().for_each(|(b, c)| run(b, c));
    }
    // Unpack into M arrays.
    Ok(std::array::from_fn(|k| {
        let mut v = Vec::with_capacity(len);
        let mut done = 0;
        while done < len {
            let n = BLOCK.min(len - done);
            let base = done * M;
            v.extend_from_slice(&flat[base + k * n..base + (k + 1) * n]);
            done += n;
        }
        Array::from_shape_vec(dim.clone(), v).expect("length matches shape")
    }))
}

/// Eigenvalues of the 2x2 symmetric field `[[xx, xy], [xy, yy]]`, two arrays of the planes'
/// shape (`numpy.linalg.eigvalsh` of the stacked `(..., 2, 2)` field, without stacking).
///
/// Errors: [`Error::ShapeMismatch`] if the planes differ in shape. NaN propagates.
///
/// ```
/// use ndarray::array;
/// use ndkern_linalg::{eigvalsh2, EigOrder};
/// let [a, b] = eigvalsh2(&array![[1.0f64, -4.0]], &array![[0.0, 0.0]], &array![[-3.0, 2.0]],
///                        EigOrder::AbsAscending).unwrap();
/// let close = |x: f64, y: f64| (x - y).abs() < 1e-14;
/// assert!(close(a[[0, 0]], 1.0) && close(b[[0, 0]], -3.0));
/// assert!(close(a[[0, 1]], 2.0) && close(b[[0, 1]], -4.0));
/// ```
#[must_use = "the eigenvalues are returned, not written in place"]
pub fn eigvalsh2<T, S, D>(
    xx: &ArrayBase<S, D>,
    xy: &ArrayBase<S, D>,
    yy: &ArrayBase<S, D>,
    order: EigOrder,
) -> Result<[Array<T, D>; 2]>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    let planes = contiguous_planes([xx, xy, yy])?;
    run_blocks(&planes, |m, [lo, hi]| {
        eigvals2_block(m, lo, hi);
        if order != EigOrder::Ascending {
            for (l, h) in lo.iter_mut().zip(hi.iter_mut()) {
                [*l, *h] = order.apply([*l, *h]);
            }
        }
    })
}

/// Eigenvalues of the 3x3 symmetric field with upper-triangle planes
/// `[xx, xy, xz, yy, yz, zz]`: three arrays of the planes' shape, in `order`.
///
/// Closed form with a Jacobi fallback for near-degenerate elements (see the module docs for
/// the error bound). Errors: [`Error::ShapeMismatch`] if the planes differ in shape. NaN
/// propagates; an infinite entry gives NaN.
///
/// ```
/// use ndarray::Array2;
/// use ndkern_linalg::{eigvalsh3, EigOrder};
/// // diag(3, -1, 2) everywhere on a 4x5 grid, plus a coupling xy = 1 -> {1 -+ sqrt 5, 2}.
/// let c = |v: f64| Array2::<f64>::from_elem((4, 5), v);
/// let (xx, xy, xz, yy, yz, zz) = (c(3.0), c(0.0), c(0.0), c(-1.0), c(0.0), c(2.0));
/// let [l1, l2, l3] = eigvalsh3([&xx, &xy, &xz, &yy, &yz, &zz], EigOrder::Ascending).unwrap();
/// let close = |x: f64, y: f64| (x - y).abs() < 1e-14;
/// assert!(close(l1[[0, 0]], -1.0) && close(l2[[2, 3]], 2.0) && close(l3[[3, 4]], 3.0));
/// let xy = c(1.0);
/// let [l1, _, l3] = eigvalsh3([&xx, &xy, &xz, &yy, &yz, &zz], EigOrder::Ascending).unwrap();
/// assert!(close(l1[[1, 1]], 1.0 - 5f64.sqrt()) && close(l3[[1, 1]], 1.0 + 5f64.sqrt()));
/// ```
#[must_use = "the eigenvalues are returned, not written in place"]
pub fn eigvalsh3<T, S, D>(
    planes: [&ArrayBase<S, D>; 6],
    order: EigOrder,
) -> Result<[Array<T, D>; 3]>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    let planes = contiguous_planes(planes)?;
    run_blocks(&planes, |m, [lo, mid, hi]| {
        eigvals3_block(m, lo, mid, hi);
        if order != EigOrder::Ascending {
            for ((l, md), h) in lo.iter_mut().zip(mid.iter_mut()).zip(hi.iter_mut()) {
                [*l, *md, *h] = order.apply([*l, *md, *h]);
            }
        }
    })
}

/// Eigenvalues and unit eigenvectors of the 3x3 symmetric field `[xx, xy, xz, yy, yz, zz]`.
///
/// Returns `(values, vectors)` where `values[k]` is the k-th eigenvalue plane (in `order`)
/// and `vectors[k][i]` is component `i` (x, y, z) of its eigenvector (sign arbitrary, as in
/// LAPACK). Vectors come from cyclic Jacobi per element (accurate for every spectrum, ~10x
/// the cost of [`eigvalsh3`]); `A v = lambda v` holds to ~1e-15 of max|lambda| in f64.
///
/// ```
/// use ndarray::array;
/// use ndkern_linalg::{eigh3, EigOrder};
/// let (o, i) = (array![0.0f64], array![1.0]);
/// let (w, v) = eigh3([&i, &o, &o, &i, &i, &i], EigOrder::Ascending).unwrap();
/// // [[1,0,0],[0,1,1],[0,1,1]]: eigenvalue 0 with vector (0, 1, -1)/sqrt 2.
/// assert!(w[0][0].abs() < 1e-15);
/// assert!((v[0][1][0] + v[0][2][0]).abs() < 1e-15 && v[0][0][0].abs() < 1e-15);
/// ```
#[allow(clippy::type_complexity)]
#[must_use = "the eigenpairs are returned, not written in place"]
pub fn eigh3<T, S, D>(
    planes: [&ArrayBase<S, D>; 6],
    order: EigOrder,
) -> Result<([Array<T, D>; 3], [[Array<T, D>; 3]; 3])>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    let planes = contiguous_planes(planes)?;
    #[allow(clippy::needless_range_loop)] // j indexes 12 output planes at once
    let out: [Array<T, D>; 12] = run_blocks(&planes, |m, outs: [&mut [f64]; 12]| {
        for j in 0..m[0].len() {
            let (w, v) = eigh3_one(matrix3(m, j), order);
            for k in 0..3 {
                outs[k][j] = w[k];
                for i in 0..3 {
                    outs[3 + 3 * k + i][j] = v[i][k];
                }
            }
        }
    })?;
    let mut it = out.into_iter();
    let w = std::array::from_fn(|_| it.next().unwrap());
    let v = std::array::from_fn(|_| std::array::from_fn(|_| it.next().unwrap()));
    Ok((w, v))
}

/// One element: scaled Jacobi, sorted per `order`, vectors permuted alike.
fn eigh3_one(a: [[f64; 3]; 3], order: EigOrder) -> ([f64; 3], [[f64; 3]; 3]) {
    let s = a.iter().flatten().fold(0.0f64, |acc, x| acc.max(x.abs()));
    let s = if s > 0.0 && s.is_finite() { s } else { 1.0 };
    let (w, v) = jacobi3(a.map(|r| r.map(|x| x / s)));
    let mut idx = [0usize, 1, 2];
    idx.sort_by(|&x, &y| w[x].total_cmp(&w[y]));
    match order {
        EigOrder::Ascending => {}
        EigOrder::Descending => idx.reverse(),
        EigOrder::AbsAscending => idx.sort_by(|&x, &y| w[x].abs().total_cmp(&w[y].abs())),
    }
    let ws = idx.map(|k| w[k] * s);
    let vs = std::array::from_fn(|i| idx.map(|k| v[i][k]));
    (ws, vs)
}

/// `numpy.linalg.eigvalsh(a)` (lower triangle, `UPLO='L'`): eigenvalues, ascending, of every
/// `n x n` matrix in the last two axes of `a`, shape `a.shape[:-2] + (n,)`.
///
/// n = 2 and 3 use the batched closed form above; other n use nalgebra's `SymmetricEigen`
/// per matrix. Errors: fewer than two dimensions or non-square last axes.
///
/// ```
/// use ndarray::array;
/// let a = array![[[2.0f64, 0.0], [1.0, 2.0]]]; // lower triangle read: [[2, 1], [1, 2]]
/// let w = ndkern_linalg::eigvalsh(&a).unwrap();
/// assert_eq!(w.shape(), &[1, 2]);
/// assert!((w[[0, 0]] - 1.0).abs() < 1e-15 && (w[[0, 1]] - 3.0).abs() < 1e-15);
/// ```
#[must_use = "the eigenvalues are returned"]
pub fn eigvalsh<T, S, D>(a: &ArrayBase<S, D>) -> Result<ArrayD<T>>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    let a = a.view().into_dyn();
    let nd = a.ndim();
    if nd < 2 || a.shape()[nd - 1] != a.shape()[nd - 2] {
        return Err(Error::InvalidParameter {
            name: "a",
            reason: format!(
                "eigvalsh needs a stack of square matrices (..., n, n), got shape {:?}",
                a.shape()
            ),
        });
    }
    let n = a.shape()[nd - 1];
    let batch: Vec<usize> = a.shape()[..nd - 2].to_vec();
    let mut out_shape = batch.clone();
    out_shape.push(n);
    if a.is_empty() {
        // No matrix (an empty batch, or n = 0): nothing to solve. Returning here also keeps
        // a (0, 2^31, 2^31) stack from building 2^61 empty planes.
        return Ok(ArrayD::<T>::zeros(IxDyn(&out_shape)));
    }
    // Lower-triangle plane (i >= j) of the batch: drop axis nd-2 twice.
    let ax = ndarray::Axis(nd - 2);
    // `a` may be a huge broadcast view: the planes copied below and the output are checked.
    let plane_len = ndkern_core::checked_len("the eigvalsh batch", &batch)?;
    ndkern_core::check_alloc::<T>(
        "eigvalsh's copies of the matrix planes",
        plane_len.saturating_mul(n.saturating_mul(n + 1) / 2 + 2 * n),
    )?;
    let plane = |i: usize, j: usize| a.index_axis(ax, i).index_axis(ax, j).to_owned();
    let mut out = ndkern_core::try_zeros::<T, _>("eigvalsh's output", IxDyn(&out_shape))?;
    let results: Vec<ArrayD<T>> = match n {
        0 => Vec::new(),
        1 => vec![plane(0, 0)],
        2 => eigvalsh2(
            &plane(0, 0),
            &plane(1, 0),
            &plane(1, 1),
            EigOrder::Ascending,
        )?
        .to_vec(),
        3 => {
            let p = [
                plane(0, 0),
                plane(1, 0),
                plane(2, 0),
                plane(1, 1),
                plane(2, 1),
                plane(2, 2),
            ];
            eigvalsh3(
                [&p[0], &p[1], &p[2], &p[3], &p[4], &p[5]],
                EigOrder::Ascending,
            )?
            .to_vec()
        }
        _ => {
            let mut res: Vec<ArrayD<T>> = (0..n)
                .map(|_| ndkern_core::try_zeros("eigvalsh's output", IxDyn(&batch)))
                .collect::<Result<_>>()?;
            let planes: Vec<Vec<ArrayD<T>>> = (0..n)
                .map(|i| (0..=i).map(|j| plane(i, j)).collect())
                .collect();
            for (flat, idx) in ndarray::indices(IxDyn(&batch)).into_iter().enumerate() {
                let m = nalgebra::DMatrix::<f64>::from_fn(n, n, |i, j| {
                    let (i, j) = if i >= j { (i, j) } else { (j, i) };
                    planes[i][j].as_slice().expect("owned standard layout")[flat].as_f64()
                });
                let mut w: Vec<f64> = if m.iter().all(|x| x.is_finite()) {
                    nalgebra::SymmetricEigen::try_new(m, f64::EPSILON, 10_000)
                        .map_or(vec![f64::NAN; n], |e| {
                            e.eigenvalues.iter().copied().collect()
                        })
                } else {
                    vec![f64::NAN; n]
                };
                w.sort_by(f64::total_cmp);
                for k in 0..n {
                    res[k][&idx] = T::of_f64(w[k]);
                }
            }
            res
        }
    };
    for (k, r) in results.iter().enumerate() {
        Zip::from(out.index_axis_mut(ndarray::Axis(nd - 2), k))
            .and(r)
            .for_each(|o, &x| *o = x);
    }
    Ok(out)
}
