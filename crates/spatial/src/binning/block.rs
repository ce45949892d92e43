//! scikit-image `block_reduce`: reduce every non-overlapping block of an N-d array.
//!
//! The output has `ceil(n / b)` cells per axis. A partial block at the far edge is reduced
//! over the elements it actually has: its mean is the mean of those, its fraction nonzero is
//! nonzero / present. scikit-image pads the array with `cval = 0` first, so its edge means
//! are biased towards 0 (scikit-image issue 4940); interior blocks agree exactly.
//!
//! The walk visits each row along the last axis once, folding runs of `b_last` elements into
//! the output row's accumulators; rayon splits the array into slabs of whole blocks along the
//! first axis, each writing its own output rows. Q9 (fraction of nonzero pixels per 3x3 block)
//! is `block_reduce(img, &[3, 3], BlockFunc::FractionNonzero)`.

use ndarray::{ArrayBase, ArrayD, ArrayViewD, Axis, Data, Dimension, IxDyn};
use ndkern_core::{Error, Result};
use rayon::prelude::*;

use super::accumulate::{nan_max, nan_min};
use super::sample::Sample;

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
    if block.len() != a.ndim() {
        return Err(Error::InvalidParameter {
            name: "block_size",
            reason: format!(
                "has {} entries but the array has {} dimension(s); give one block size per axis",
                block.len(),
                a.ndim()
            ),
        });
    }
    if let Some(k) = block.iter().position(|&b| b == 0) {
        return Err(Error::InvalidParameter {
            name: "block_size",
            reason: format!("entry {k} is 0; block sizes must be at least 1"),
        });
    }
    let mut v = a.view().into_dyn();
    let mut block = block.to_vec();
    if v.ndim() == 0 {
        v = v.insert_axis(Axis(0));
        block.push(1);
    }
    let out_shape: Vec<usize> = v
        .shape()
        .iter()
        .zip(&block)
        .map(|(&n, &b)| n.div_ceil(b))
        .collect();
    let mut out = ArrayD::<f64>::zeros(IxDyn(&out_shape));
    if out.is_empty() {
        return Ok(out
            .into_shape_with_order(IxDyn(&out_shape_orig(a, &block)))
            .expect("shape"));
    }
    let b0 = block[0];
    let slabs: Vec<_> = v
        .axis_chunks_iter(Axis(0), b0)
        .zip(out.axis_iter_mut(Axis(0)))
        .collect();
    let work = |(slab, mut o): (ArrayViewD<'_, X>, ndarray::ArrayViewMutD<'_, f64>)| {
        let o = o.as_slice_mut().expect("fresh output is contiguous");
        reduce_slab(&slab, &block, func, o);
    };
    if ndkern_core::worth_parallel(v.len()) {
        slabs.into_par_iter().for_each(work);
    } else {
        slabs.into_iter().for_each(work);
    }
    Ok(out
        .into_shape_with_order(IxDyn(&out_shape_orig(a, &block)))
        .expect("shape"))
}

fn out_shape_orig<S: Data, D: Dimension>(a: &ArrayBase<S, D>, block: &[usize]) -> Vec<usize> {
    a.shape()
        .iter()
        .zip(block)
        .map(|(&n, &b)| n.div_ceil(b))
        .collect()
}

/// Per-output-cell accumulator.
#[derive(Clone, Copy)]
struct Cell {
    sum: f64,
    n: usize,
    nz: usize,
    min: f64,
    max: f64,
}

/// Reduces one slab (at most `block[0]` rows along axis 0) into `out` (the slab's output
/// cells in C order).
fn reduce_slab<X: Sample>(
    slab: &ArrayViewD<'_, X>,
    block: &[usize],
    func: BlockFunc,
    out: &mut [f64],
) {
    let nd = slab.ndim();
    let init = Cell {
        sum: 0.0,
        n: 0,
        nz: 0,
        min: f64::INFINITY,
        max: f64::NEG_INFINITY,
    };
    let mut cells = vec![init; out.len()];
    let shape = slab.shape().to_vec();
    let out_shape: Vec<usize> = shape
        .iter()
        .zip(block)
        .map(|(&n, &b)| n.div_ceil(b))
        .collect();
    let b_last = block[nd - 1];
    let row_cells = out_shape[nd - 1];
    // Multi-index over all axes but the last (axis 0 inside the slab maps to one output row).
    let mut idx = vec![0usize; nd - 1];
    let (want_sum, want_nz, want_mm) = match func {
        BlockFunc::Sum | BlockFunc::Mean => (true, false, false),
        BlockFunc::Min | BlockFunc::Max => (false, false, true),
        BlockFunc::CountNonzero | BlockFunc::Any | BlockFunc::FractionNonzero => {
            (false, true, false)
        }
    };
    for row in slab.rows() {
        // Output row of this input row: block index on axes 1..nd-1 (axis 0 is one block).
        let mut base = 0;
        for k in 1..nd - 1 {
            base = base * out_shape[k] + idx[k] / block[k];
        }
        let orow = &mut cells[base * row_cells..(base + 1) * row_cells];
        let fold = |cell: &mut Cell, x: X| {
            cell.n += 1;
            if want_sum {
                cell.sum += x.to_f64();
            }
            if want_nz {
                cell.nz += usize::from(x.is_nonzero());
            }
            if want_mm {
                let f = x.to_f64();
                cell.min = nan_min(cell.min, f);
                cell.max = nan_max(cell.max, f);
            }
        };
        match row.as_slice() {
            // Contiguous rows: reduce each run of `b_last` elements locally, then add it to
            // its cell once (the runs are independent, so this vectorizes).
            Some(r) => {
                for (cell, chunk) in orow.iter_mut().zip(r.chunks(b_last)) {
                    cell.n += chunk.len();
                    if want_sum {
                        cell.sum += chunk.iter().map(|x| x.to_f64()).sum::<f64>();
                    }
                    if want_nz {
                        cell.nz += chunk.iter().filter(|x| x.is_nonzero()).count();
                    }
                    if want_mm {
                        for &x in chunk {
                            let f = x.to_f64();
                            cell.min = nan_min(cell.min, f);
                            cell.max = nan_max(cell.max, f);
                        }
                    }
                }
            }
            None => {
                for (j, &x) in row.iter().enumerate() {
                    fold(&mut orow[j / b_last], x);
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
    for (o, c) in out.iter_mut().zip(&cells) {
        *o = match func {
            BlockFunc::Sum => c.sum,
            BlockFunc::Mean => c.sum / c.n as f64,
            BlockFunc::Min => c.min,
            BlockFunc::Max => c.max,
            BlockFunc::CountNonzero => c.nz as f64,
            BlockFunc::Any => f64::from(u8::from(c.nz > 0)),
            BlockFunc::FractionNonzero => c.nz as f64 / c.n as f64,
        };
    }
}
