//! scikit-image `block_reduce`: reduce every non-overlapping block of an N-d array.
//!
//! The output has `ceil(n / b)` cells per axis. A partial block at the far edge is reduced
//! over the elements it actually has: its mean is the mean of those, its fraction nonzero is
//! nonzero / present. scikit-image pads the array with `cval = 0` first, so its edge means
//! are biased towards 0 (scikit-image issue 4940); interior blocks agree exactly.
//!
//! The walk visits each row along the last axis once and adds it, whole, into one row of
//! per-column accumulators of its output row (u16 nonzero counts, u32 when an output row
//! folds more than 65535 rows; f64 sums, f64 min/max): a vertical loop that vectorizes over
//! columns (64 u8 per AVX-512 compare for Q9; the slab
//! kernel is a `multiversion!` leaf, so it runs as SSE2, AVX2 or AVX-512 code at the
//! dispatched level, not the build's). Once a
//! slab is done, each run of `b_last` columns is folded into its output cell. rayon splits
//! the array into slabs of whole blocks along the first axis, each writing its own output
//! rows with per-thread reused accumulators. Q9 (fraction of nonzero pixels per 4x4 block of
//! an 8000 x 8000 u8 image) is `block_reduce(img, &[4, 4], BlockFunc::FractionNonzero)`:
//! BENCHMARKS.md row `q9_block_density` (against numpy's reshape-mean idiom and a numba loop).

use ndarray::{
    ArrayBase, ArrayD, ArrayViewD, ArrayViewMutD, Axis, Data, DataMut, Dimension, IxDyn,
};
use ndkern_core::{Error, Result, Sample};
use rayon::prelude::*;

use super::accumulate::{nan_max, nan_min};

/// The reduction applied to each block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BlockFunc {
    /// Sum of the block (`f64` accumulation).
    Sum,
    /// Mean over the block's present elements.
    Mean,
    /// Minimum (NaN propagates).
    Min,
    /// Maximum (NaN propagates).
    Max,
    /// Number of nonzero elements (NaN counts as nonzero).
    CountNonzero,
    /// 1 if any element is nonzero, else 0.
    Any,
    /// Nonzero elements / present elements.
    FractionNonzero,
}

impl std::str::FromStr for BlockFunc {
    type Err = Error;
    /// numpy function names as passed to skimage's `func`: `"sum"`, `"mean"`, `"min"`,
    /// `"max"`, `"count_nonzero"`, `"any"`, and `"fraction_nonzero"`.
    ///
    /// ```
    /// use ndkern_spatial::binning::BlockFunc;
    /// assert_eq!("mean".parse::<BlockFunc>().unwrap(), BlockFunc::Mean);
    /// ```
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "sum" => BlockFunc::Sum,
            "mean" => BlockFunc::Mean,
            "min" => BlockFunc::Min,
            "max" => BlockFunc::Max,
            "count_nonzero" => BlockFunc::CountNonzero,
            "any" => BlockFunc::Any,
            "fraction_nonzero" => BlockFunc::FractionNonzero,
            other => {
                return Err(Error::InvalidParameter {
                    name: "func",
                    reason: format!(
                        "unknown block function {other:?}; use sum, mean, min, max, \
                         count_nonzero, any or fraction_nonzero"
                    ),
                })
            }
        })
    }
}

/// scikit-image `block_reduce(image, block_size, func)`, with partial edge blocks reduced
/// exactly (no zero padding). Output shape: `ceil(shape[k] / block[k])` per axis, `f64`.
///
/// The output is `f64` for every input type, on purpose: scikit-image returns the dtype of
/// `func`'s result (`float32` for the mean of a `float32` image, `float64` for the mean of a
/// `uint8` one, `int64` for `count_nonzero`); here every block is accumulated in `f64` and
/// returned as `f64`, so sums of `f32` or `u8` blocks do not round or wrap. For scikit-image's
/// `float32` result, cast: `out.mapv(|x| x as f32)` (that rounds the `f64` value once).
///
/// Errors: `block.len() != a.ndim()`, a zero block size.
///
/// ```
/// use ndarray::Array2;
/// use ndkern_spatial::binning::{block_reduce, BlockFunc};
/// // Q9: fraction of nonzero pixels per 3x3 block of a 12x12 binary image.
/// let img = Array2::from_shape_fn((12, 12), |(i, j)| u8::from((i + j) % 2 == 0));
/// let d = block_reduce(&img, &[3, 3], BlockFunc::FractionNonzero).unwrap();
/// assert_eq!(d.shape(), &[4, 4]);
/// assert_eq!(d[[0, 0]], 5.0 / 9.0);
/// // A partial edge block (5 = 2 + 2 + 1): mean over the one element present.
/// let a = ndarray::array![1.0, 1.0, 1.0, 1.0, 1.0];
/// assert_eq!(block_reduce(&a, &[2], BlockFunc::Mean).unwrap()[[2]], 1.0);
/// ```
#[must_use = "the reduced array is returned"]
pub fn block_reduce<X, S, D>(
    a: &ArrayBase<S, D>,
    block: &[usize],
    func: BlockFunc,
) -> Result<ArrayD<f64>>
where
    X: Sample,
    S: Data<Elem = X>,
    D: Dimension,
{
    let shape = out_shape_of(a.shape(), block)?;
    let n = ndkern_core::checked_len("block_reduce's output", &shape)?;
    let mut out = ndkern_core::try_zeroed_vec::<f64>("block_reduce's output", n)?;
    reduce_into_slice(a, block, func, &mut out)?;
    Ok(ArrayD::from_shape_vec(IxDyn(&shape), out).expect("shape"))
}

/// [`block_reduce`] writing into `out` (shape `ceil(shape[k] / block[k])` per axis, any
/// layout; a C-contiguous `out` is written in place, with no temporary).
///
/// Errors: as [`block_reduce`], and `out` of the wrong shape.
///
/// ```
/// use ndarray::{Array2, Array1};
/// use ndkern_spatial::binning::{block_reduce_into, BlockFunc};
/// let img = Array2::from_shape_fn((4, 6), |(i, j)| (i * 6 + j) as f64);
/// let mut out = Array2::zeros((2, 2));
/// block_reduce_into(&img, &[2, 3], BlockFunc::Max, &mut out).unwrap();
/// assert_eq!(out, ndarray::array![[8.0, 11.0], [20.0, 23.0]]);
/// assert!(block_reduce_into(&img, &[2, 3], BlockFunc::Max, &mut Array1::zeros(4)).is_err());
/// ```
pub fn block_reduce_into<X, S, D, So, Do>(
    a: &ArrayBase<S, D>,
    block: &[usize],
    func: BlockFunc,
    out: &mut ArrayBase<So, Do>,
) -> Result<()>
where
    X: Sample,
    S: Data<Elem = X>,
    D: Dimension,
    So: DataMut<Elem = f64>,
    Do: Dimension,
{
    let shape = out_shape_of(a.shape(), block)?;
    if out.shape() != &shape[..] {
        return Err(Error::ShapeMismatch {
            expected: shape,
            got: out.shape().to_vec(),
        });
    }
    match out.as_slice_mut() {
        Some(o) => reduce_into_slice(a, block, func, o)?,
        None => {
            let mut tmp =
                ndkern_core::try_zeroed_vec::<f64>("a block_reduce temporary", out.len())?;
            reduce_into_slice(a, block, func, &mut tmp)?;
            out.iter_mut().zip(tmp).for_each(|(o, t)| *o = t);
        }
    }
    Ok(())
}

/// The output shape, or the error for a bad `block`.
fn out_shape_of(shape: &[usize], block: &[usize]) -> Result<Vec<usize>> {
    if block.len() != shape.len() {
        return Err(Error::InvalidParameter {
            name: "block_size",
            reason: format!(
                "has {} entries but the array has {} dimension(s); give one block size per axis",
                block.len(),
                shape.len()
            ),
        });
    }
    if let Some(k) = block.iter().position(|&b| b == 0) {
        return Err(Error::InvalidParameter {
            name: "block_size",
            reason: format!("entry {k} is 0; block sizes must be at least 1"),
        });
    }
    Ok(shape
        .iter()
        .zip(block)
        .map(|(&n, &b)| n.div_ceil(b))
        .collect())
}

/// The reduction of `a` into the C-order slice `out` (checked sizes).
fn reduce_into_slice<X, S, D>(
    a: &ArrayBase<S, D>,
    block: &[usize],
    func: BlockFunc,
    out: &mut [f64],
) -> Result<()>
where
    X: Sample,
    S: Data<Elem = X>,
    D: Dimension,
{
    let mut v = a.view().into_dyn();
    let mut block = block.to_vec();
    if v.ndim() == 0 {
        v = v.insert_axis(Axis(0));
        block.push(1);
    }
    if out.is_empty() {
        return Ok(());
    }
    // The nonzero counters are u32 per column: a cell folds up to the product of its block
    // sizes over the leading axes rows into one column. Past u32::MAX (an array of more than
    // 4e9 rows), count through the f64 sums of a 0/1 mask instead (exact below 2^53).
    let nd = v.ndim();
    let rows_per_cell = v.shape()[..nd - 1]
        .iter()
        .zip(&block)
        .try_fold(1u64, |acc, (&n, &b)| acc.checked_mul(n.min(b) as u64))
        .unwrap_or(u64::MAX);
    let counts = matches!(
        func,
        BlockFunc::CountNonzero | BlockFunc::Any | BlockFunc::FractionNonzero
    );
    if counts && rows_per_cell > u64::from(u32::MAX) {
        ndkern_core::check_alloc::<u8>("nonzero mask", v.len())?;
        let mask = v.mapv(|x| u8::from(x.is_nonzero()));
        let f = if func == BlockFunc::FractionNonzero {
            BlockFunc::Mean
        } else {
            BlockFunc::Sum
        };
        reduce_into_slice(&mask, &block, f, out)?;
        if func == BlockFunc::Any {
            out.iter_mut()
                .for_each(|o| *o = f64::from(u8::from(*o > 0.0)));
        }
        return Ok(());
    }
    let out_shape: Vec<usize> = v
        .shape()
        .iter()
        .zip(&block)
        .map(|(&n, &b)| n.div_ceil(b))
        .collect();
    let mut out = ArrayViewMutD::from_shape(IxDyn(&out_shape), out).expect("checked size");
    let b0 = block[0];
    let slabs: Vec<_> = v
        .axis_chunks_iter(Axis(0), b0)
        .zip(out.axis_iter_mut(Axis(0)))
        .collect();
    // Column counts fit in u16 when no output row folds more rows than that (every real
    // block: 16 per Q9 cell): twice the columns per vector of u32 counts.
    let narrow = rows_per_cell <= u64::from(u16::MAX);
    let work =
        |scratch: &mut Scratch<X>,
         (slab, mut o): (ArrayViewD<'_, X>, ndarray::ArrayViewMutD<'_, f64>)| {
            let o = o.as_slice_mut().expect("C-order output");
            reduce_slab(&slab, &block, func, narrow, o, scratch);
        };
    if ndkern_core::worth_parallel(v.len()) {
        slabs.into_par_iter().for_each_init(Scratch::default, work);
    } else {
        let mut scratch = Scratch::default();
        slabs.into_iter().for_each(|x| work(&mut scratch, x));
    }
    Ok(())
}

/// Column accumulators of one slab, reused from slab to slab: for each output row, one
/// accumulator per input column, updated a whole input row at a time ("vertical SIMD", the
/// loop vectorizes over columns; the first row of an output row assigns, so the buffers are
/// never cleared), then folded `b_last` columns at a time into the output cells.
struct Scratch<X> {
    /// Sums, or minima.
    a: Vec<f64>,
    /// Maxima.
    b: Vec<f64>,
    /// Nonzero counts.
    nz: Vec<u32>,
    /// Nonzero counts, when they fit in 16 bits.
    nz16: Vec<u16>,
    /// Rows folded into each output row.
    rows_in: Vec<u64>,
    /// A non-contiguous row, copied.
    row: Vec<X>,
}

impl<X> Default for Scratch<X> {
    fn default() -> Self {
        Scratch {
            a: Vec::new(),
            b: Vec::new(),
            nz: Vec::new(),
            nz16: Vec::new(),
            rows_in: Vec::new(),
            row: Vec::new(),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Sum,
    Nonzero,
    Nonzero16,
    MinMax,
}

ndkern_core::multiversion! {
    /// Reduces one slab (at most `block[0]` rows along axis 0) into `out` (the slab's output
    /// cells in C order); `narrow`: nonzero counts in u16 columns (no output row folds more
    /// than `u16::MAX` rows).
    fn reduce_slab[X: Sample](
        slab: &ArrayViewD<'_, X>,
        block: &[usize],
        func: BlockFunc,
        narrow: bool,
        out: &mut [f64],
        sc: &mut Scratch<X>,
    ) {
        let nd = slab.ndim();
        let shape = slab.shape().to_vec();
        let out_shape: Vec<usize> = shape
            .iter()
            .zip(block)
            .map(|(&n, &b)| n.div_ceil(b))
            .collect();
        let row_len = shape[nd - 1];
        let row_cells = out_shape[nd - 1];
        let out_rows = out.len() / row_cells;
        let width = out_rows * row_len;
        let kind = match func {
            BlockFunc::Sum | BlockFunc::Mean => Kind::Sum,
            BlockFunc::Min | BlockFunc::Max => Kind::MinMax,
            BlockFunc::CountNonzero | BlockFunc::Any | BlockFunc::FractionNonzero => {
                if narrow {
                    Kind::Nonzero16
                } else {
                    Kind::Nonzero
                }
            }
        };
        match kind {
            Kind::Sum => sc.a.resize(width, 0.0),
            Kind::MinMax => {
                sc.a.resize(width, 0.0);
                sc.b.resize(width, 0.0);
            }
            Kind::Nonzero => sc.nz.resize(width, 0),
            Kind::Nonzero16 => sc.nz16.resize(width, 0),
        }
        sc.rows_in.clear();
        sc.rows_in.resize(out_rows, 0);
        // Multi-index over all axes but the last (axis 0 inside the slab maps to one output row).
        let mut idx = vec![0usize; nd - 1];
        for row in slab.rows() {
            // Output row of this input row: block index on axes 1..nd-1 (axis 0 is one block).
            let mut base = 0;
            for k in 1..nd - 1 {
                base = base * out_shape[k] + idx[k] / block[k];
            }
            let r: &[X] = match row.as_slice() {
                Some(r) => r,
                None => {
                    sc.row.clear();
                    sc.row.extend(row.iter().copied());
                    &sc.row
                }
            };
            let first = sc.rows_in[base] == 0;
            sc.rows_in[base] += 1;
            let span = base * row_len..(base + 1) * row_len;
            match kind {
                Kind::Sum => {
                    let a = &mut sc.a[span];
                    if first {
                        a.iter_mut().zip(r).for_each(|(a, &x)| *a = x.as_f64());
                    } else {
                        a.iter_mut().zip(r).for_each(|(a, &x)| *a += x.as_f64());
                    }
                }
                Kind::Nonzero => {
                    // u32 column counts: at most u32::MAX rows per output row reach this loop
                    // (`reduce_into_slice` counts larger blocks through f64 sums).
                    debug_assert!(sc.rows_in[base] <= u64::from(u32::MAX), "u32 column counts");
                    let a = &mut sc.nz[span];
                    if first {
                        a.iter_mut()
                            .zip(r)
                            .for_each(|(a, &x)| *a = u32::from(x.is_nonzero()));
                    } else {
                        a.iter_mut()
                            .zip(r)
                            .for_each(|(a, &x)| *a += u32::from(x.is_nonzero()));
                    }
                }
                Kind::Nonzero16 => {
                    debug_assert!(sc.rows_in[base] <= u64::from(u16::MAX), "u16 column counts");
                    let a = &mut sc.nz16[span];
                    if first {
                        a.iter_mut()
                            .zip(r)
                            .for_each(|(a, &x)| *a = u16::from(x.is_nonzero()));
                    } else {
                        a.iter_mut()
                            .zip(r)
                            .for_each(|(a, &x)| *a += u16::from(x.is_nonzero()));
                    }
                }
                Kind::MinMax => {
                    let (lo, hi) = (&mut sc.a[span.clone()], &mut sc.b[span]);
                    if first {
                        lo.iter_mut().zip(r).for_each(|(l, &x)| *l = x.as_f64());
                        hi.copy_from_slice(lo);
                    } else {
                        for ((l, h), &x) in lo.iter_mut().zip(hi.iter_mut()).zip(r) {
                            let f = x.as_f64();
                            *l = nan_min(*l, f);
                            *h = nan_max(*h, f);
                        }
                    }
                }
            }
            // Advance the multi-index over axes 0..nd-1 (C order, as rows() yields).
            for k in (0..nd - 1).rev() {
                idx[k] += 1;
                if idx[k] < shape[k] {
                    break;
                }
                idx[k] = 0;
            }
        }
        let b = block[nd - 1];
        for (o, (orow, &rows)) in out.chunks_exact_mut(row_cells).zip(&sc.rows_in).enumerate() {
            let span = o * row_len..(o + 1) * row_len;
            // Elements in cell j of this output row.
            // Elements in a cell of `w` columns of this output row (`b`, or fewer in a partial
            // last cell): `finish` gets `w`, a constant in the loop over full cells.
            let n = |w: usize| (rows as usize * w) as f64;
            match func {
                BlockFunc::Sum => fold_cells(&sc.a[span], orow, b, sum_f64, |_, s| s),
                BlockFunc::Mean => fold_cells(&sc.a[span], orow, b, sum_f64, |w, s| s / n(w)),
                BlockFunc::Min => fold_cells(&sc.a[span], orow, b, min_f64, |_, m| m),
                BlockFunc::Max => fold_cells(&sc.b[span], orow, b, max_f64, |_, m| m),
                BlockFunc::CountNonzero if narrow => {
                    fold_cells(&sc.nz16[span], orow, b, sum_u16, |_, k| k)
                }
                BlockFunc::Any if narrow => fold_cells(&sc.nz16[span], orow, b, sum_u16, |_, k| {
                    f64::from(u8::from(k > 0.0))
                }),
                BlockFunc::FractionNonzero if narrow => {
                    fold_cells(&sc.nz16[span], orow, b, sum_u16, |w, k| k / n(w))
                }
                BlockFunc::CountNonzero => fold_cells(&sc.nz[span], orow, b, sum_u32, |_, k| k),
                BlockFunc::Any => fold_cells(&sc.nz[span], orow, b, sum_u32, |_, k| {
                    f64::from(u8::from(k > 0.0))
                }),
                BlockFunc::FractionNonzero => {
                    fold_cells(&sc.nz[span], orow, b, sum_u32, |w, k| k / n(w))
                }
            }
        }
    }
}

#[inline(always)]
fn sum_f64(c: &[f64]) -> f64 {
    c.iter().sum()
}
#[inline(always)]
fn min_f64(c: &[f64]) -> f64 {
    c.iter().fold(f64::INFINITY, |m, &x| nan_min(m, x))
}
#[inline(always)]
fn max_f64(c: &[f64]) -> f64 {
    c.iter().fold(f64::NEG_INFINITY, |m, &x| nan_max(m, x))
}
#[inline(always)]
fn sum_u16(c: &[u16]) -> f64 {
    c.iter().map(|&k| u64::from(k)).sum::<u64>() as f64
}
#[inline(always)]
fn sum_u32(c: &[u32]) -> f64 {
    c.iter().map(|&k| u64::from(k)).sum::<u64>() as f64
}

/// `out[j] = finish(w, reduce(cols[j*b..(j+1)*b]))`, `w` the width of the group: `b`, or
/// fewer columns for a shorter last group. Small block widths get a constant chunk length, so
/// the per-cell reduction unrolls and `finish` sees a constant width in the loop over full
/// groups (Q9's division by the cell size is then loop-invariant).
#[inline(always)]
fn fold_cells<A>(
    cols: &[A],
    out: &mut [f64],
    b: usize,
    reduce: impl Fn(&[A]) -> f64 + Copy,
    finish: impl Fn(usize, f64) -> f64 + Copy,
) {
    match b {
        2 => fold_width::<2, A>(cols, out, 2, reduce, finish),
        3 => fold_width::<3, A>(cols, out, 3, reduce, finish),
        4 => fold_width::<4, A>(cols, out, 4, reduce, finish),
        8 => fold_width::<8, A>(cols, out, 8, reduce, finish),
        w => fold_width::<0, A>(cols, out, w, reduce, finish),
    }
}

/// [`fold_cells`] with the width `W` a constant (0: read `w`).
#[inline(always)]
fn fold_width<const W: usize, A>(
    cols: &[A],
    out: &mut [f64],
    w: usize,
    reduce: impl Fn(&[A]) -> f64,
    finish: impl Fn(usize, f64) -> f64,
) {
    let w = if W == 0 { w } else { W };
    let full = cols.len() / w;
    for (o, c) in out.iter_mut().zip(cols.chunks_exact(w)) {
        *o = finish(w, reduce(c));
    }
    if full < out.len() {
        let rest = &cols[full * w..];
        out[full] = finish(rest.len(), reduce(rest));
    }
}
