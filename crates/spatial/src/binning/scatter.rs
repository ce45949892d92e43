//! Integer-indexed accumulation: numpy `bincount`, `np.add.at` ([`scatter_add`]), per-label
//! statistics ([`label_stats`]) and mapping them back onto pixels ([`gather`]).
//!
//! All run on the same block/private-accumulator pass as the histograms. Q14 (every pixel
//! takes the mean colour of its label) is `label_stats` + `gather`: two O(N) passes, no sort,
//! no per-label mask. Indices are validated before anything is written: a negative or
//! too-large index is an `Err` naming it, never an out-of-bounds write.

use ndarray::{s, Array1, Array2, ArrayBase, ArrayD, Data, DataMut, Dimension, Ix1, Ix2, IxDyn};
use ndkern_core::{Element, Error, Label, Result, Sample};
use rayon::prelude::*;

use super::accumulate::{fold_blocks, fold_chunks, zip_merge, BLOCK};
use super::grid::MAX_CELLS;
use super::kernels::{first_bad_label, max_wrapped, prefetch, PREFETCH_BYTES};
use super::sample::{try_flat, write_out};

/// The error for label/index `i` of a function's input: `"{what} {i} {detail}"`, without
/// advice; each public function appends its own with [`advise`] (only it knows whether the
/// fix is a longer output, a larger `nlabels`, a bigger table or non-negative values).
fn label_error(what: &'static str, i: usize, detail: String) -> Error {
    Error::InvalidParameter {
        name: what,
        reason: format!("{what} {i} {detail}"),
    }
}

/// Appends `fix` (what the caller of this function should change) to a label or index
/// error; other errors pass through.
fn advise(fix: &'static str) -> impl Fn(Error) -> Error {
    move |e| match e {
        Error::InvalidParameter { name, reason } if name == "label" || name == "index" => {
            Error::InvalidParameter {
                name,
                reason: format!("{reason}; {fix}"),
            }
        }
        other => other,
    }
}

const BINCOUNT_FIX: &str = "bincount counts non-negative integers below 2^40 (numpy raises on \
                            negative values too): remove or shift the others";
const BINCOUNT_INTO_FIX: &str = "every value must be below out.len(): use a longer `out`, or \
                                 bincount, which sizes its result from the largest value";
const SCATTER_FIX: &str = "indices must lie in 0..shape on their axis (negative indices are \
                           not wrapped around as numpy does): fix or remove them";
const LABEL_STATS_FIX: &str = "labels must be non-negative and below nlabels: raise nlabels, \
                               or pass None to use max(label) + 1";
const GATHER_FIX: &str = "the table needs a row for every label: give it at least max(label) + \
                          1 rows, or fix the labels";

/// Largest label + 1 (0 when empty), or an error for a negative or absurd label. One
/// vectorized max, split across threads for long inputs.
fn label_extent<L: Label>(labels: &[L]) -> Result<usize> {
    let max = if ndkern_core::worth_parallel(labels.len()) {
        labels
            .par_chunks(BLOCK * 16)
            .map(max_wrapped)
            .max()
            .unwrap_or(0)
    } else {
        max_wrapped(labels)
    };
    if max >= MAX_CELLS {
        let i = first_bad_label(labels, MAX_CELLS).unwrap_or(0);
        return Err(label_error(
            "label",
            i,
            format!("is {:?}; labels must be in 0..{MAX_CELLS}", labels[i]),
        ));
    }
    Ok(if labels.is_empty() { 0 } else { max + 1 })
}

/// Checks labels `start..start + block.len()` (given as `block`) against `0..len`.
#[inline]
fn check_block<L: Label>(block: &[L], len: usize, start: usize) -> Result<()> {
    match first_bad_label(block, len) {
        None => Ok(()),
        Some(j) => Err(label_error(
            "index",
            start + j,
            format!("is {:?}, outside 0..{len}", block[j]),
        )),
    }
}

fn add_vecs(mut a: Vec<f64>, b: Vec<f64>) -> Vec<f64> {
    zip_merge(&mut a, &b, |x, y| *x += y);
    a
}

/// Per-label sums of `weights` in `f64` over `0..len` (the kernel of `bincount(x, weights)`
/// and of `np.add.at` into a flat target): one bounds-checked add per element into a private
/// per-thread table; a block with a bad label is an error naming the first one.
fn sum_by_label<L: Label, T: Element>(labels: &[L], weights: &[T], len: usize) -> Result<Vec<f64>> {
    debug_assert_eq!(labels.len(), weights.len());
    fold_chunks(
        labels.len(),
        len,
        size_of::<f64>(),
        || vec![0.0f64; len],
        |acc, lo, hi| {
            for (k, (ls, ws)) in labels[lo..hi]
                .chunks(BLOCK)
                .zip(weights[lo..hi].chunks(BLOCK))
                .enumerate()
            {
                // Check while adding (one stream over the data): a bad label skips its add
                // and fails the block; the private table is then discarded.
                let mut bad = false;
                for (&l, &w) in ls.iter().zip(ws) {
                    match acc.get_mut(l.to_index_wrapping()) {
                        Some(a) => *a += w.as_f64(),
                        None => bad = true,
                    }
                }
                if bad {
                    check_block(ls, len, lo + k * BLOCK)?;
                }
            }
            Ok(())
        },
        add_vecs,
    )
}

/// Occurrences of each label in `0..len` (the kernel of `bincount(x)`): one bounds-checked
/// increment per element; a block with a bad label is an error naming the first one.
fn count_by_label<L: Label>(labels: &[L], len: usize) -> Result<Vec<usize>> {
    fold_chunks(
        labels.len(),
        len,
        size_of::<usize>(),
        || vec![0usize; len],
        |acc, lo, hi| {
            for (k, ls) in labels[lo..hi].chunks(BLOCK).enumerate() {
                let mut bad = false;
                for &l in ls {
                    match acc.get_mut(l.to_index_wrapping()) {
                        Some(a) => *a += 1,
                        None => bad = true,
                    }
                }
                if bad {
                    check_block(ls, len, lo + k * BLOCK)?;
                }
            }
            Ok(())
        },
        |mut a, b| {
            zip_merge(&mut a, &b, |x, y| *x += y);
            a
        },
    )
}

/// numpy `bincount(x, minlength)`: occurrences of each value of `x` (non-negative integers),
/// length `max(x) + 1` or `minlength`, whichever is larger.
///
/// Errors: a negative value (numpy raises too).
///
/// ```
/// use ndarray::array;
/// let c = ndkern_spatial::binning::bincount(&array![0u8, 1, 1, 3], 6).unwrap();
/// assert_eq!(c.to_vec(), vec![1, 2, 0, 1, 0, 0]);
/// ```
#[must_use = "the counts are returned"]
pub fn bincount<L, S>(x: &ArrayBase<S, Ix1>, minlength: usize) -> Result<Array1<usize>>
where
    L: Label,
    S: Data<Elem = L>,
{
    let labels = try_flat("a C-order copy of bincount's x", x)?;
    let len = label_extent(&labels)
        .map_err(advise(BINCOUNT_FIX))?
        .max(minlength);
    ndkern_core::check_alloc::<usize>("bincount result", len)?;
    let counts = count_by_label(&labels, len).map_err(advise(BINCOUNT_FIX))?;
    Ok(Array1::from(counts))
}

/// numpy `bincount(x, weights, minlength)`: sums of `weights` per value of `x`, accumulated
/// in `f64`.
///
/// Errors: a negative value, `weights.len() != x.len()`.
///
/// ```
/// use ndarray::array;
/// let s = ndkern_spatial::binning::bincount_weighted(&array![2i64, 0, 2], &array![0.5f32, 1.0, 2.0], 0)
///     .unwrap();
/// assert_eq!(s.to_vec(), vec![1.0, 0.0, 2.5]);
/// ```
#[must_use = "the sums are returned"]
pub fn bincount_weighted<L, T, S, S2>(
    x: &ArrayBase<S, Ix1>,
    weights: &ArrayBase<S2, Ix1>,
    minlength: usize,
) -> Result<Array1<f64>>
where
    L: Label,
    T: Element,
    S: Data<Elem = L>,
    S2: Data<Elem = T> + Sync,
{
    if weights.len() != x.len() {
        return Err(Error::ShapeMismatch {
            expected: vec![x.len()],
            got: vec![weights.len()],
        });
    }
    let labels = try_flat("a C-order copy of bincount's x", x)?;
    let len = label_extent(&labels)
        .map_err(advise(BINCOUNT_FIX))?
        .max(minlength);
    ndkern_core::check_alloc::<f64>("bincount result", len)?;
    let weights = try_flat("a C-order copy of bincount's weights", weights)?;
    let sums = sum_by_label(&labels, &weights, len).map_err(advise(BINCOUNT_FIX))?;
    Ok(Array1::from(sums))
}

/// [`bincount`] into `out`: counts of each value of `x` in `0..out.len()` (`out.len()`
/// plays `minlength`; a value `>= out.len()` is an error instead of growing the result).
///
/// Errors: a negative value or one `>= out.len()` (nothing is written then).
///
/// ```
/// use ndarray::{array, Array1};
/// let mut c = Array1::<usize>::zeros(4);
/// ndkern_spatial::binning::bincount_into(&array![0u8, 1, 1, 3], &mut c).unwrap();
/// assert_eq!(c.to_vec(), vec![1, 2, 0, 1]);
/// assert!(ndkern_spatial::binning::bincount_into(&array![4u8], &mut c).is_err());
/// ```
pub fn bincount_into<L, S, So>(x: &ArrayBase<S, Ix1>, out: &mut ArrayBase<So, Ix1>) -> Result<()>
where
    L: Label,
    S: Data<Elem = L>,
    So: DataMut<Elem = usize>,
{
    let labels = try_flat("a C-order copy of bincount's x", x)?;
    let counts = count_by_label(&labels, out.len()).map_err(advise(BINCOUNT_INTO_FIX))?;
    write_out(out, &[counts.len()], &counts)
}

/// [`bincount_weighted`] into `out`: sums of `weights` per value of `x` in `0..out.len()`.
///
/// Errors: a negative value or one `>= out.len()`, `weights.len() != x.len()`.
///
/// ```
/// use ndarray::{array, Array1};
/// let mut s = Array1::<f64>::zeros(3);
/// ndkern_spatial::binning::bincount_weighted_into(&array![2i64, 0, 2],
///     &array![0.5f32, 1.0, 2.0], &mut s).unwrap();
/// assert_eq!(s.to_vec(), vec![1.0, 0.0, 2.5]);
/// ```
pub fn bincount_weighted_into<L, T, S, S2, So>(
    x: &ArrayBase<S, Ix1>,
    weights: &ArrayBase<S2, Ix1>,
    out: &mut ArrayBase<So, Ix1>,
) -> Result<()>
where
    L: Label,
    T: Element,
    S: Data<Elem = L>,
    S2: Data<Elem = T>,
    So: DataMut<Elem = f64>,
{
    if weights.len() != x.len() {
        return Err(Error::ShapeMismatch {
            expected: vec![x.len()],
            got: vec![weights.len()],
        });
    }
    let labels = try_flat("a C-order copy of bincount's x", x)?;
    let weights = try_flat("a C-order copy of bincount's weights", weights)?;
    let sums = sum_by_label(&labels, &weights, out.len()).map_err(advise(BINCOUNT_INTO_FIX))?;
    write_out(out, &[sums.len()], &sums)
}

/// numpy `np.add.at(target, tuple(index.T), values)`: adds `values[i]` to
/// `target[index[i, 0], ..., index[i, d-1]]`, repeated indices accumulating (unlike
/// `target[idx] += v`). `index` is `(n, target.ndim())`; sums accumulate in `f64` and are
/// added to `target` once, so an f32 target does not drift.
///
/// Errors (before anything is written): `index` not `(n, target.ndim())`,
/// `values.len() != n`, a negative or out-of-range index (numpy's negative wrap-around is
/// not applied: pass non-negative indices).
///
/// ```
/// use ndarray::{array, Array2};
/// let mut t = Array2::<f64>::zeros((2, 3));
/// ndkern_spatial::binning::scatter_add(&mut t, &array![[0usize, 1], [1, 2], [0, 1]],
///     &array![1.0, 2.0, 3.0]).unwrap();
/// assert_eq!(t, array![[0.0, 4.0, 0.0], [0.0, 0.0, 2.0]]);
/// ```
pub fn scatter_add<T, L, S, D, Si, Sv>(
    target: &mut ArrayBase<S, D>,
    index: &ArrayBase<Si, Ix2>,
    values: &ArrayBase<Sv, Ix1>,
) -> Result<()>
where
    T: Element,
    L: Label,
    S: DataMut<Elem = T>,
    D: Dimension,
    Si: Data<Elem = L> + Sync,
    Sv: Data<Elem = T> + Sync,
{
    let (n, d) = index.dim();
    if d != target.ndim() {
        return Err(Error::InvalidParameter {
            name: "indices",
            reason: format!(
                "index rows have {d} entries but the target has {} dimension(s); pass an \
                 (n, {}) index array",
                target.ndim(),
                target.ndim()
            ),
        });
    }
    if values.len() != n {
        return Err(Error::ShapeMismatch {
            expected: vec![n],
            got: vec![values.len()],
        });
    }
    let shape = target.shape().to_vec();
    let len = target.len();
    // The f64 sums are sized like `target` (twice an f32 target's bytes).
    ndkern_core::check_alloc::<f64>("scatter_add's f64 sums (sized like target)", len)?;
    let fill = |start: usize, cells: &mut [usize]| -> Result<()> {
        cells.fill(0);
        let mut stride = 1;
        for k in (0..d).rev() {
            let col = index.slice(s![start..start + cells.len(), k]);
            for (j, (c, &l)) in cells.iter_mut().zip(col.iter()).enumerate() {
                match l.to_index() {
                    Some(i) if i < shape[k] => *c += i * stride,
                    _ => {
                        return Err(label_error(
                            "index",
                            start + j,
                            format!("is {l:?} on axis {k}, outside 0..{}", shape[k]),
                        ))
                    }
                }
            }
            stride *= shape[k];
        }
        Ok(())
    };
    let sums = if d == 1 {
        // The common 1-d form (np.add.at(t, idx, v)): the label kernel on flat slices.
        let col = index.column(0);
        let col = try_flat("a contiguous copy of scatter_add's index", &col)?;
        let values = try_flat("a contiguous copy of scatter_add's values", values)?;
        sum_by_label(&col, &values, len)
    } else {
        scatter_nd(n, len, fill, values)
    }
    .map_err(advise(SCATTER_FIX))?;
    for (t, &s) in target.iter_mut().zip(&sums) {
        *t = T::of_f64(t.as_f64() + s);
    }
    Ok(())
}

/// The N-d scatter-add: flat target cells from the index columns, then the block pass.
fn scatter_nd<T, F, Sv>(
    n: usize,
    len: usize,
    fill: F,
    values: &ArrayBase<Sv, Ix1>,
) -> Result<Vec<f64>>
where
    T: Element,
    F: Fn(usize, &mut [usize]) -> Result<()> + Sync,
    Sv: Data<Elem = T> + Sync,
{
    fold_blocks(
        n,
        len,
        size_of::<f64>(),
        fill,
        || vec![0.0f64; len],
        |acc, start, cells| {
            let vs = values.slice(s![start..start + cells.len()]);
            for (&c, &v) in cells.iter().zip(vs.iter()) {
                acc[c] += v.as_f64();
            }
        },
        add_vecs,
    )
}

/// numpy `np.add.at(target, idx, values)` for a 1-d target: the common "scatter into bins"
/// form (Q27 after `ang2pix`).
///
/// Errors: `idx.len() != values.len()`, a negative or out-of-range index.
///
/// ```
/// use ndarray::{array, Array1};
/// let mut t = Array1::<f32>::zeros(4);
/// ndkern_spatial::binning::scatter_add_1d(&mut t, &array![3u32, 3, 0], &array![1.0f32, 2.0, 5.0])
///     .unwrap();
/// assert_eq!(t.to_vec(), vec![5.0, 0.0, 0.0, 3.0]);
/// ```
pub fn scatter_add_1d<T, L, S, Si, Sv>(
    target: &mut ArrayBase<S, Ix1>,
    idx: &ArrayBase<Si, Ix1>,
    values: &ArrayBase<Sv, Ix1>,
) -> Result<()>
where
    T: Element,
    L: Label,
    S: DataMut<Elem = T>,
    Si: Data<Elem = L> + Sync,
    Sv: Data<Elem = T> + Sync,
{
    let col = idx.view().insert_axis(ndarray::Axis(1));
    scatter_add(target, &col, values)
}

/// Per-label count and per-channel sums (see [`label_stats`]).
#[derive(Clone, Debug, PartialEq)]
pub struct LabelStats {
    /// Pixels per label, length `nlabels`.
    pub count: Array1<usize>,
    /// Sum of each channel per label, `(nlabels, channels)`, accumulated in `f64`.
    pub sum: Array2<f64>,
}

impl LabelStats {
    /// Mean of each channel per label, `(nlabels, channels)`; NaN for labels with no pixel.
    ///
    /// ```
    /// use ndarray::array;
    /// let st = ndkern_spatial::binning::label_stats(&array![0u8, 0, 2], &array![1.0, 3.0, 5.0],
    ///     None).unwrap();
    /// assert_eq!(st.mean().column(0).to_vec()[..1], [2.0]);
    /// assert!(st.mean()[[1, 0]].is_nan());
    /// ```
    #[must_use]
    pub fn mean(&self) -> Array2<f64> {
        let mut m = self.sum.clone();
        for (mut row, &c) in m.rows_mut().into_iter().zip(&self.count) {
            row.mapv_inplace(|s| if c == 0 { f64::NAN } else { s / c as f64 });
        }
        m
    }
}

/// Count and per-channel sums of `values` per label (scipy.ndimage `sum_labels` /
/// `mean` over all labels at once). `values` has `labels`' shape (one channel) or
/// `labels.shape + [channels]` (an `(h, w, 3)` image with `(h, w)` labels). `nlabels`
/// fixes the table length (labels must be below it); `None` uses `max(label) + 1`.
///
/// Errors: a shape that is neither, a negative label, a label `>= nlabels`.
///
/// ```
/// use ndarray::{array, Array3};
/// use ndkern_spatial::binning::{gather, label_stats};
/// // Q14: every pixel takes its label's mean colour.
/// let labels = array![[1u16, 1], [2, 1]];
/// let img = Array3::from_shape_fn((2, 2, 3), |(i, j, c)| (i * 2 + j) as f64 + c as f64);
/// let st = label_stats(&labels, &img, None).unwrap();
/// let out = gather(&st.mean(), &labels).unwrap();
/// assert_eq!(out.shape(), &[2, 2, 3]);
/// assert_eq!(out[[0, 0, 0]], (0.0 + 1.0 + 3.0) / 3.0);
/// assert_eq!(out[[1, 0, 2]], 4.0);
/// ```
#[must_use = "the statistics are returned"]
pub fn label_stats<L, X, Sl, Sv, D, Dv>(
    labels: &ArrayBase<Sl, D>,
    values: &ArrayBase<Sv, Dv>,
    nlabels: Option<usize>,
) -> Result<LabelStats>
where
    L: Label,
    X: Sample,
    Sl: Data<Elem = L>,
    Sv: Data<Elem = X>,
    D: Dimension,
    Dv: Dimension,
{
    let ls = labels.shape();
    let vs = values.shape();
    let channels = if vs == ls {
        1
    } else if vs.len() == ls.len() + 1 && &vs[..ls.len()] == ls {
        vs[ls.len()]
    } else {
        let mut expected = ls.to_vec();
        expected.push(vs.last().copied().unwrap_or(1));
        return Err(Error::ShapeMismatch {
            expected,
            got: vs.to_vec(),
        });
    };
    let lab = try_flat("a C-order copy of label_stats' labels", labels)?;
    let val = try_flat("a C-order copy of label_stats' values", values)?;
    let len = match nlabels {
        Some(m) => m,
        None => label_extent(&lab).map_err(advise(LABEL_STATS_FIX))?,
    };
    // The table: `len` rows of a count and `channels` sums, and beside it the counts it is
    // unpacked into (the sums are compacted in place). More private tables (one per thread)
    // only where they fit too: see `fold_chunks`.
    let row = channels.checked_add(1).ok_or(Error::TooLarge {
        what: "label table",
        bytes: None,
        limit: ndkern_core::memory_limit(),
    })?;
    let cells = ndkern_core::checked_len("label table", &[len, row])?;
    ndkern_core::check_alloc::<f64>("label table and counts", cells.saturating_add(len))?;
    // Channel counts up to 4 get their own monomorphic loop.
    let (count, sum) = match channels {
        1 => label_sums::<1, _, _>(&lab, &val, len, 1),
        2 => label_sums::<2, _, _>(&lab, &val, len, 2),
        3 => label_sums::<3, _, _>(&lab, &val, len, 3),
        4 => label_sums::<4, _, _>(&lab, &val, len, 4),
        c => label_sums::<0, _, _>(&lab, &val, len, c),
    }
    .map_err(advise(LABEL_STATS_FIX))?;
    Ok(LabelStats {
        count: Array1::from(count),
        sum: Array2::from_shape_vec((len, channels), sum).expect("len x channels"),
    })
}

/// Maps a per-label table (`(nlabels, channels)`, e.g. [`LabelStats::mean`]) back onto the
/// pixels: the result has shape `labels.shape + [channels]` and `out[p, c] =
/// table[labels[p], c]` (numpy `table[labels]`).
///
/// Errors: a negative label or one `>= table.nrows()`.
///
/// ```
/// use ndarray::array;
/// let out = ndkern_spatial::binning::gather(&array![[10.0], [20.0]], &array![1u8, 0, 1]).unwrap();
/// assert_eq!(out.into_raw_vec_and_offset().0, vec![20.0, 10.0, 20.0]);
/// ```
#[must_use = "the gathered array is returned"]
pub fn gather<X, L, St, Sl, D>(
    table: &ArrayBase<St, Ix2>,
    labels: &ArrayBase<Sl, D>,
) -> Result<ArrayD<X>>
where
    X: Copy + Send + Sync + Default,
    L: Label,
    St: Data<Elem = X>,
    Sl: Data<Elem = L>,
    D: Dimension,
{
    let channels = table.ncols();
    let lab = try_flat("a C-order copy of gather's labels", labels)?;
    let size = ndkern_core::checked_len("gathered output", &[lab.len(), channels])?;
    ndkern_core::check_alloc::<X>("gathered output", size)?;
    // calloc'd and huge-page advised (the zero fill is lazy): a memset here cost q14 3x.
    let mut out = ndkern_core::filled_vec(X::default(), size);
    gather_slice(table, &lab, &mut out).map_err(advise(GATHER_FIX))?;
    let mut shape = labels.shape().to_vec();
    shape.push(channels);
    Ok(ArrayD::from_shape_vec(IxDyn(&shape), out).expect("labels x channels"))
}

/// [`gather`] writing into `out` (shape `labels.shape + [channels]`, any layout; a
/// C-contiguous `out` is written in place, with no temporary: reusing one output buffer
/// across calls also saves the page faults of a fresh 96 MB array in Q14). The labels are
/// all checked before anything is written.
///
/// Errors: as [`gather`], and `out` of the wrong shape.
///
/// ```
/// use ndarray::{array, Array2};
/// let mut out = Array2::<f64>::zeros((3, 1));
/// ndkern_spatial::binning::gather_into(&array![[10.0], [20.0]], &array![1u8, 0, 1], &mut out)
///     .unwrap();
/// assert_eq!(out, array![[20.0], [10.0], [20.0]]);
/// ```
pub fn gather_into<X, L, St, Sl, D, So, Do>(
    table: &ArrayBase<St, Ix2>,
    labels: &ArrayBase<Sl, D>,
    out: &mut ArrayBase<So, Do>,
) -> Result<()>
where
    X: Copy + Send + Sync + Default,
    L: Label,
    St: Data<Elem = X>,
    Sl: Data<Elem = L>,
    D: Dimension,
    So: DataMut<Elem = X>,
    Do: Dimension,
{
    let mut shape = labels.shape().to_vec();
    shape.push(table.ncols());
    if out.shape() != &shape[..] {
        return Err(Error::ShapeMismatch {
            expected: shape,
            got: out.shape().to_vec(),
        });
    }
    let lab = try_flat("a C-order copy of gather's labels", labels)?;
    let m = table.nrows();
    if label_extent(&lab).map_err(advise(GATHER_FIX))? > m {
        return Err(advise(GATHER_FIX)(bad_row(&lab, m)));
    }
    match out.as_slice_mut() {
        Some(o) => gather_slice(table, &lab, o),
        None => {
            ndkern_core::check_alloc::<X>("a gather_into temporary (sized like out)", out.len())?;
            let mut tmp = ndkern_core::filled_vec(X::default(), out.len());
            gather_slice(table, &lab, &mut tmp)?;
            out.iter_mut().zip(tmp).for_each(|(o, t)| *o = t);
            Ok(())
        }
    }
    .map_err(advise(GATHER_FIX))
}

/// The error naming the first label outside the table's `0..m` rows (one must exist).
fn bad_row<L: Label>(lab: &[L], m: usize) -> Error {
    let i = first_bad_label(lab, m).unwrap_or(0);
    label_error(
        "label",
        i,
        format!("is {:?}, outside the table's 0..{m} rows", lab[i]),
    )
}

/// `out[p, ..] = table[lab[p], ..]` into the C-order `out` (`lab.len() * channels` long).
fn gather_slice<X, L, St>(table: &ArrayBase<St, Ix2>, lab: &[L], out: &mut [X]) -> Result<()>
where
    X: Copy + Send + Sync,
    L: Label,
    St: Data<Elem = X>,
{
    let (m, channels) = table.dim();
    let tab = ndkern_core::try_standard_layout("a C-order copy of the gather table", table)?;
    let tab = tab.as_slice().expect("standard layout");
    // Each block checks its labels (one vectorized max) and copies; on a bad label the
    // error names the first one.
    let ok = match channels {
        0 => first_bad_label(lab, m).is_none(),
        1 => gather_rows::<1, _, _>(tab, lab, out, m, 1),
        2 => gather_rows::<2, _, _>(tab, lab, out, m, 2),
        3 => gather_rows::<3, _, _>(tab, lab, out, m, 3),
        4 => gather_rows::<4, _, _>(tab, lab, out, m, 4),
        c => gather_rows::<0, _, _>(tab, lab, out, m, c),
    };
    if ok {
        Ok(())
    } else {
        Err(bad_row(lab, m))
    }
}

ndkern_core::multiversion! {
    /// Label counts and channel sums of pixels `lo..hi` into `rows` (`len` rows of `c + 1`),
    /// compiled per SIMD level (the label -> index and `as_f64` conversions, and the `C`
    /// channel adds, are this loop's work). `C` is `c` as a constant, or 0.
    #[allow(clippy::too_many_arguments)]
    fn label_sums_range[const C: usize, L: Label, X: Sample](
        lab: &[L],
        val: &[X],
        rows: &mut [f64],
        lo: usize,
        hi: usize,
        len: usize,
        c: usize,
        _const_c: [(); C]
    ) -> Result<()> {
            let c = if C == 0 { c } else { C };
            let w = c + 1;
            for (k, ls) in lab[lo..hi].chunks(BLOCK).enumerate() {
                let start = lo + k * BLOCK;
                let px = &val[start * c..(start + ls.len()) * c];
                let mut bad = false;
                for (j, &l) in ls.iter().enumerate() {
                    // The image is read a page ahead (the streamer stops at 4 KiB pages).
                    prefetch(
                        px.as_ptr()
                            .wrapping_add(j * c + PREFETCH_BYTES / size_of::<X>()),
                    );
                    // A negative label wraps to a huge index: compare before multiplying.
                    let k = l.to_index_wrapping();
                    if k >= len {
                        bad = true;
                        continue;
                    }
                    let row = &mut rows[k * w..k * w + w];
                    row[0] += 1.0;
                    for (s, &x) in row[1..].iter_mut().zip(&px[j * c..j * c + c]) {
                        *s += x.as_f64();
                    }
                }
                if bad {
                    check_block(ls, len, start)?;
                }
            }
            Ok(())
    }
}

/// Count and `c`-channel sums per label over `0..len` (`val` holds `c` values per label).
/// `C` is `c` as a compile-time constant (the channel loop unrolls), or 0 for "read `c`".
///
/// Each label has one row `[count, sum_0, .., sum_{c-1}]` of `f64` (the count exact below
/// 2^53), so a pixel updates one row: for Q14's 3 channels, one 32-byte line instead of a
/// count in one table and three sums in another. `C` is re-read inside the loop closure:
/// a closure handed to rayon is not inlined, and a channel count it captured from the
/// enclosing function would be a run-time value there (the loop then did not unroll).
fn label_sums<const C: usize, L: Label, X: Sample>(
    lab: &[L],
    val: &[X],
    len: usize,
    c: usize,
) -> Result<(Vec<usize>, Vec<f64>)> {
    let w = if C == 0 { c } else { C } + 1;
    let mut table = fold_chunks(
        lab.len(),
        len * w,
        size_of::<f64>(),
        || vec![0.0f64; len * w],
        |rows: &mut Vec<f64>, lo, hi| label_sums_range(lab, val, rows, lo, hi, len, c, [(); C]),
        add_vecs,
    )?;
    let count = table.chunks_exact(w).map(|r| r[0] as usize).collect();
    // The sums, compacted in place (row `k`'s sums move down to `k * c`, never past a row
    // still to be read): no second table-sized allocation.
    let c = w - 1;
    for k in 0..len {
        table.copy_within(k * w + 1..k * w + w, k * c);
    }
    table.truncate(len * c);
    table.shrink_to_fit();
    Ok((count, table))
}

/// `out[p*c..p*c+c] = tab[l*c..l*c+c]` for each label `l = lab[p]`, in parallel blocks;
/// false (output unspecified) when some label is not in `0..m`. `c >= 1`; `C` is `c` as a
/// compile-time constant (the row copy becomes `C` moves instead of a `memcpy` call), or 0.
fn gather_rows<const C: usize, X: Copy + Send + Sync, L: Label>(
    tab: &[X],
    lab: &[L],
    out: &mut [X],
    m: usize,
    c: usize,
) -> bool {
    let c = if C == 0 { c } else { C };
    let work = |(b, o): (usize, &mut [X])| -> bool {
        // `C` again inside the closure: rayon does not inline it, so a captured `c` would be
        // a run-time value in its body and the row copy a loop (see `label_sums`).
        let c = if C == 0 { c } else { C };
        let ls = &lab[b * BLOCK..b * BLOCK + o.len() / c];
        if first_bad_label(ls, m).is_some() {
            return false;
        }
        for (px, &l) in o.chunks_exact_mut(c).zip(ls) {
            let k = l.to_index_wrapping();
            // An element loop, not copy_from_slice: with a constant `c` it is `c` moves.
            for (o, &t) in px.iter_mut().zip(&tab[k * c..k * c + c]) {
                *o = t;
            }
        }
        true
    };
    let chunks = out.len().div_ceil(BLOCK * c);
    if ndkern_core::worth_parallel(out.len()) && chunks > 1 {
        out.par_chunks_mut(BLOCK * c).enumerate().all(work)
    } else {
        out.chunks_mut(BLOCK * c).enumerate().all(work)
    }
}
