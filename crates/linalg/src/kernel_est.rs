//! Least-squares estimation of a convolution kernel from an input/output pair (Q20).
//!
//! If `output = correlate(input, k)` (scipy.ndimage semantics: `out[p] = sum_o k[o]
//! in[p + o - c]`, `c = size / 2`), every position `p` whose whole window lies inside the
//! input gives one linear equation in the `K = prod(size)` unknowns; border positions are
//! skipped because they depend on the unknown padding. The normal equations `(A^T A) k =
//! A^T b` (`K x K`, accumulated in f64 from the windows) are solved by Cholesky. Fewer full
//! windows than unknowns, or an input that does not excite every tap (a pivot below `1e-12`
//! of the largest), is reported as "insufficient data" instead of returning a meaningless
//! minimum-norm kernel.
//!
//! ```
//! use ndarray::{Array2, array};
//! use ndkern_linalg::{estimate_kernel, KernelMode};
//! // Pseudo-random input (a smooth or periodic pattern would not excite every tap).
//! let input = Array2::from_shape_fn((8, 8), |(i, j)| (((i * 8 + j) as f64 * 12.9898).sin() * 43758.5453).fract());
//! let k = array![[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.5]];
//! // output = correlate(input, k) at interior points (borders are not used).
//! let mut output = Array2::zeros((8, 8));
//! for i in 1..7 { for j in 1..7 {
//!     output[[i, j]] = (0..3).flat_map(|a| (0..3).map(move |b| (a, b)))
//!         .map(|(a, b)| k[[a, b]] * input[[i + a - 1, j + b - 1]]).sum();
//! }}
//! let est = estimate_kernel(&input, &output, &[3, 3], KernelMode::Correlate).unwrap();
//! assert!(est.iter().zip(k.iter()).all(|(a, b)| (a - b).abs() < 1e-10));
//! ```

use nalgebra::{DMatrix, DVector};
use ndarray::{ArrayBase, ArrayD, Data, Dimension, IxDyn};
use ndkern_core::{Element, Error, Result};

use crate::sizes::{exponent, ldexp, pow2};

/// Whether `output` was produced by correlation or by convolution with the kernel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KernelMode {
    /// `scipy.ndimage.correlate` (no flip).
    #[default]
    Correlate,
    /// `scipy.ndimage.convolve` (the kernel flipped in every axis).
    Convolve,
}

/// Least-squares kernel of shape `size` (odd lengths, one per axis) such that `output ~
/// correlate(input, kernel)` (or `convolve`) over all full windows. Returns the kernel as
/// f64.
///
/// Errors: shape mismatch, `size` of the wrong length, even or zero, a non-finite value, and
/// "insufficient data" when the full windows do not determine the kernel (rank deficient).
///
/// ```
/// use ndarray::Array2;
/// use ndkern_linalg::{estimate_kernel, KernelMode};
/// // Q20: a 6x6 pair has only 2x2 full 5x5 windows: 4 equations for 25 unknowns.
/// let a = Array2::<f64>::from_shape_fn((6, 6), |(i, j)| (i * 6 + j) as f64);
/// let err = estimate_kernel(&a, &a, &[5, 5], KernelMode::Convolve).unwrap_err();
/// assert!(err.to_string().contains("insufficient data"));
/// ```
pub fn estimate_kernel<T, S1, S2, D>(
    input: &ArrayBase<S1, D>,
    output: &ArrayBase<S2, D>,
    size: &[usize],
    mode: KernelMode,
) -> Result<ArrayD<f64>>
where
    T: Element,
    S1: Data<Elem = T>,
    S2: Data<Elem = T>,
    D: Dimension,
{
    if input.shape() != output.shape() {
        return Err(Error::ShapeMismatch {
            expected: input.shape().to_vec(),
            got: output.shape().to_vec(),
        });
    }
    let nd = input.ndim();
    if size.len() != nd || size.iter().any(|&s| s == 0 || s % 2 == 0) {
        return Err(Error::InvalidParameter {
            name: "size",
            reason: format!(
                "kernel size {size:?}: give one odd length per axis of the {nd}-d input"
            ),
        });
    }
    // One scan: finiteness and the largest magnitudes (for the scaling below).
    let mut big = [0.0f64; 2];
    for (k, arr) in [input.view(), output.view()].iter().enumerate() {
        for v in arr.iter() {
            let v = v.as_f64();
            if !v.is_finite() {
                return Err(Error::InvalidParameter {
                    name: if k == 0 { "input" } else { "output" },
                    reason: format!(
                        "{} has a non-finite value ({v}); input and output must be finite",
                        if k == 0 { "input" } else { "output" }
                    ),
                });
            }
            big[k] = big[k].max(v.abs());
        }
    }
    // The unknowns: prod(size), checked (a size of [2^33 + 1, 2^33 + 1] overflows usize).
    let nk = ndkern_core::checked_len("kernel taps", size)?;
    // Positions whose window is fully inside: p in [c, n - size + c].
    let valid: Vec<usize> = (0..nd)
        .map(|a| input.shape()[a].saturating_add(1).saturating_sub(size[a]))
        .collect();
    let m: usize = valid.iter().fold(1usize, |a, &b| a.saturating_mul(b));
    let insufficient = |why: String| Error::InvalidParameter {
        name: "input",
        reason: format!(
            "insufficient data to determine a {size:?} kernel ({nk} unknowns): {why}; \
             use larger images or a smaller kernel"
        ),
    };
    if m < nk {
        return Err(insufficient(format!(
            "only {m} full window(s) fit in the {:?} input",
            input.shape()
        )));
    }
    // The normal equations are nk x nk (nk <= m, but nk^2 can exceed memory).
    let cells = ndkern_core::checked_len("kernel normal equations", &[nk, nk])?;
    ndkern_core::check_alloc::<f64>("kernel normal equations", cells)?;
    let inp = input.view().into_dyn();
    let out = output.view().into_dyn();
    let kdim = IxDyn(size);
    let taps: Vec<Vec<usize>> = ndarray::indices(kdim.clone())
        .into_iter()
        .map(|i| i.slice().to_vec())
        .collect();
    // Input and output divided by powers of two (largest |value| in [0.5, 1)): the sums of
    // products then neither overflow (data near 1e308, which would read as "singular")
    // nor underflow; the kernel is multiplied back by 2^(eo - ei) at the end.
    let (ei, eo) = (exponent(big[0]), exponent(big[1]));
    let (si, so) = (pow2(-ei), pow2(-eo));
    let mut ata = DMatrix::<f64>::zeros(nk, nk);
    let mut atb = DVector::<f64>::zeros(nk);
    let mut row = vec![0.0; nk];
    let mut idx = vec![0usize; nd];
    for start in ndarray::indices(IxDyn(&valid)) {
        for (t, tap) in taps.iter().enumerate() {
            for a in 0..nd {
                idx[a] = start[a] + tap[a];
            }
            row[t] = inp[IxDyn(&idx)].as_f64() * si;
        }
        for a in 0..nd {
            idx[a] = start[a] + size[a] / 2;
        }
        let b = out[IxDyn(&idx)].as_f64() * so;
        for i in 0..nk {
            atb[i] += row[i] * b;
            for j in i..nk {
                ata[(i, j)] += row[i] * row[j];
            }
        }
    }
    for i in 0..nk {
        for j in 0..i {
            ata[(i, j)] = ata[(j, i)];
        }
    }
    let dmax = (0..nk).fold(0.0f64, |s, i| s.max(ata[(i, i)]));
    let chol = ata
        .clone()
        .cholesky()
        .ok_or_else(|| insufficient("the normal equations are singular".into()))?;
    let l = chol.l();
    let pmin = (0..nk).fold(f64::INFINITY, |s, i| s.min(l[(i, i)] * l[(i, i)]));
    if pmin.is_nan() || pmin <= 1e-12 * dmax {
        return Err(insufficient(format!(
            "the input does not excite every tap (pivot ratio {:.1e})",
            pmin / dmax
        )));
    }
    let k = chol.solve(&atb);
    let mut taps: Vec<f64> = k.iter().map(|&v| ldexp(v, eo - ei)).collect();
    if mode == KernelMode::Convolve {
        // Every axis reversed: in C order that is the flat sequence reversed (no copy).
        taps.reverse();
    }
    Ok(ArrayD::from_shape_vec(kdim, taps).expect("size"))
}
