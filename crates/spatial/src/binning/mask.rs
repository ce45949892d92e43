//! Mask selections: `a[mask]` ([`masked_select`]), a histogram of the masked voxels only
//! ([`histogram_masked`], Q5: 0 is a valid value, so "multiply by the mask" is wrong), the
//! points whose grid cell is set in a raster ([`select_in_mask`], Q4: bin index by
//! arithmetic, no `digitize`), and per-frame selection into a ragged CSR result
//! ([`ragged_select`], Q10).

use ndarray::{Array1, Array2, ArrayBase, ArrayView1, ArrayView2, Data, Dimension, Ix2, Ix3, Zip};
use ndkern_core::{Element, Error, Result};

use super::accumulate::{fold_blocks, fold_chunks, zip_merge, BLOCK, NONE};
use super::grid::{uniform_index, AxisBins, Grid, Outside};
use super::kernels::{masked_uniform_cells, UniformAxis};
use super::points::{check_points, fill_cells};
use super::sample::try_flat;

fn check_shape(expected: &[usize], got: &[usize]) -> Result<()> {
    if expected != got {
        return Err(Error::ShapeMismatch {
            expected: expected.to_vec(),
            got: got.to_vec(),
        });
    }
    Ok(())
}

/// numpy `a[mask]` (`np.compress(mask.ravel(), a.ravel())`): the elements where `mask` is
/// true, in C order.
///
/// Errors: `mask.shape() != a.shape()`.
///
/// ```
/// use ndarray::array;
/// let v = ndkern_spatial::binning::masked_select(&array![[1, 2], [3, 4]],
///     &array![[true, false], [false, true]]).unwrap();
/// assert_eq!(v.to_vec(), vec![1, 4]);
/// ```
#[must_use = "the selection is returned"]
pub fn masked_select<X, S, Sm, D>(a: &ArrayBase<S, D>, mask: &ArrayBase<Sm, D>) -> Result<Array1<X>>
where
    X: Copy,
    S: Data<Elem = X>,
    Sm: Data<Elem = bool>,
    D: Dimension,
{
    check_shape(a.shape(), mask.shape())?;
    if ndkern_core::check_alloc::<X>("masked_select's output", a.len()).is_err() {
        // Only a huge broadcast view gets here: count the selection before collecting it.
        check_selection::<X>("masked_select's output", mask)?;
    }
    // Logical (C) order, as numpy: `Zip` would walk a transposed pair in memory order.
    let out: Vec<X> = match (a.as_slice(), mask.as_slice()) {
        (Some(xs), Some(ms)) => xs
            .iter()
            .zip(ms)
            .filter_map(|(&x, &m)| m.then_some(x))
            .collect(),
        _ => a
            .iter()
            .zip(mask.iter())
            .filter_map(|(&x, &m)| m.then_some(x))
            .collect(),
    };
    Ok(Array1::from(out))
}

/// `Err` (naming `what`) when `mask` selects more elements of `X` than fit under the
/// allocation cap; stops counting as soon as it does.
fn check_selection<X>(
    what: &'static str,
    mask: &ArrayBase<impl Data<Elem = bool>, impl Dimension>,
) -> Result<()> {
    let cap = ndkern_core::memory_limit() / std::mem::size_of::<X>().max(1);
    let mut n = 0usize;
    for &m in mask {
        n += usize::from(m);
        if n > cap {
            break;
        }
    }
    ndkern_core::check_alloc::<X>(what, n)
}

/// numpy `histogram(a[mask], bins, range)`: counts of the voxels where `mask` is set (Q5),
/// as `f64`, without materializing `a[mask]`. Masked-out voxels are never looked at, so a
/// value 0 under the mask counts and a 0 outside it does not.
///
/// Errors: `mask.shape() != a.shape()`, more bins than can be allocated.
///
/// ```
/// use ndarray::array;
/// use ndkern_spatial::binning::{histogram_masked, AxisBins};
/// let b = AxisBins::uniform(0.0, 2.0, 2).unwrap();
/// let h = histogram_masked(&array![0.0, 0.0, 1.5], &array![true, false, true], &b).unwrap();
/// assert_eq!(h.to_vec(), vec![1.0, 1.0]);
/// ```
#[must_use = "the histogram is returned"]
pub fn histogram_masked<T, S, Sm, D>(
    a: &ArrayBase<S, D>,
    mask: &ArrayBase<Sm, D>,
    bins: &AxisBins,
) -> Result<Array1<f64>>
where
    T: Element,
    S: Data<Elem = T> + Sync,
    Sm: Data<Elem = bool> + Sync,
    D: Dimension,
{
    check_shape(a.shape(), mask.shape())?;
    let counts = match (bins.uniform_params(), a.as_slice(), mask.as_slice()) {
        (Some(p), Some(xs), Some(ms)) => {
            masked_counts_uniform(xs, ms, bins.len(), &UniformAxis::new(p))?
        }
        (Some((lo, hi, last, inv, step)), _, _) => masked_counts(a, mask, bins.len(), |x| {
            uniform_index(x, lo, hi, last, inv, step)
        })?,
        (None, _, _) => masked_counts(a, mask, bins.len(), |x| bins.index(x))?,
    };
    Ok(counts.iter().map(|&c| c as f64).collect())
}

/// Counters per bin of [`masked_counts_uniform`] when the bins are few (at most
/// [`FEW_BINS`]): the values of a run in one bin (a flat region of an image) then add to
/// different counters instead of each waiting on the previous one's store.
const SUB: usize = 4;
const FEW_BINS: usize = 4096;

/// Counts per uniform bin (`n` of them) of the values of `xs` where `ms` is set (contiguous
/// inputs, Q5): the bins of a block of values by a vectorized kernel (masked-out and outside
/// values go to a discard bin `n`: no branch on the data), then one add per value into a
/// private table per thread ([`fold_chunks`], work stealing), merged at the end.
fn masked_counts_uniform<T: Element>(
    xs: &[T],
    ms: &[bool],
    n: usize,
    u: &UniformAxis,
) -> Result<Vec<u64>> {
    let sub = if n <= FEW_BINS { SUB } else { 1 };
    // `n + 1` bins (the discard bin last) of `sub` counters.
    let width = n
        .checked_add(1)
        .and_then(|b| b.checked_mul(sub))
        .ok_or(Error::TooLarge {
            what: "histogram bins",
            bytes: None,
            limit: ndkern_core::memory_limit(),
        })?;
    ndkern_core::check_alloc::<u64>("histogram bins", width.saturating_add(n))?;
    let table = fold_chunks(
        xs.len(),
        width,
        size_of::<u64>(),
        || vec![0u64; width],
        |acc, lo, hi| {
            let mut cells = [0usize; BLOCK];
            for start in (lo..hi).step_by(BLOCK) {
                let end = hi.min(start + BLOCK);
                let cells = &mut cells[..end - start];
                masked_uniform_cells(&xs[start..end], &ms[start..end], u, n, cells);
                if sub == SUB {
                    count_cells_sub(cells, acc);
                } else {
                    cells.iter().for_each(|&c| acc[c] += 1);
                }
            }
            Ok(())
        },
        |mut a, b| {
            zip_merge(&mut a, &b, |p, q| *p += q);
            a
        },
    )?;
    Ok(table[..n * sub]
        .chunks_exact(sub)
        .map(|c| c.iter().sum())
        .collect())
}

/// `acc[c * SUB + j % SUB] += 1` for the `j`-th cell `c` of `cells`.
#[inline]
fn count_cells_sub(cells: &[usize], acc: &mut [u64]) {
    let mut quads = cells.chunks_exact(SUB);
    for q in &mut quads {
        for (k, &c) in q.iter().enumerate() {
            acc[c * SUB + k] += 1;
        }
    }
    for (k, &c) in quads.remainder().iter().enumerate() {
        acc[c * SUB + k] += 1;
    }
}

/// Q4: the indices (ascending) of the `points` (`(n, d)`) whose cell of `grid` is set in
/// `mask` (shape `grid.shape()`). Points outside the grid or with a NaN coordinate are not
/// selected.
///
/// Errors: `points` not `(n, grid.ndim())`, `mask.shape() != grid.shape()`.
///
/// ```
/// use ndarray::array;
/// use ndkern_spatial::binning::{select_in_mask, Grid};
/// let g = Grid::uniform(&[(0.0, 1.0), (0.0, 1.0)], &[2, 2]).unwrap();
/// let mask = array![[true, false], [false, true]];
/// let pts = array![[0.1, 0.1], [0.1, 0.9], [0.7, 0.6], [2.0, 2.0]];
/// assert_eq!(select_in_mask(&pts, &g, &mask).unwrap(), vec![0, 2]);
/// ```
#[must_use = "the selected indices are returned"]
pub fn select_in_mask<T, S, Sm, D>(
    points: &ArrayBase<S, Ix2>,
    grid: &Grid,
    mask: &ArrayBase<Sm, D>,
) -> Result<Vec<usize>>
where
    T: Element,
    S: Data<Elem = T> + Sync,
    Sm: Data<Elem = bool>,
    D: Dimension,
{
    check_points(grid, points, None::<&ArrayBase<S, ndarray::Ix1>>)?;
    check_shape(&grid.shape(), mask.shape())?;
    let m = try_flat("mask", mask)?;
    let m: &[bool] = &m;
    fold_blocks(
        points.nrows(),
        0,
        0,
        |start, cells| fill_cells(grid, points, Outside::Drop, start, cells),
        Vec::new,
        |acc: &mut Vec<usize>, start, cells| {
            for (j, &c) in cells.iter().enumerate() {
                if c != NONE && m[c] {
                    acc.push(start + j);
                }
            }
        },
        |mut a, b| {
            a.extend(b);
            a
        },
    )
}

/// A ragged result in CSR form: frame `f` owns rows `offsets[f]..offsets[f + 1]` of
/// `values` and of `index` (the selected point numbers within the frame).
#[derive(Clone, Debug, PartialEq)]
pub struct Ragged<X> {
    /// `frames + 1` offsets, starting at 0.
    pub offsets: Vec<usize>,
    /// The selected point of each row, within its frame.
    pub index: Vec<usize>,
    /// `(total selected, features)`.
    pub values: Array2<X>,
}

impl<X> Ragged<X> {
    /// Number of frames (0 for a `Ragged` whose `offsets` is empty).
    ///
    /// ```
    /// use ndarray::Array3;
    /// let r = ndkern_spatial::binning::ragged_select(&Array3::<f32>::zeros((2, 3, 4)),
    ///     &ndarray::Array2::from_elem((2, 3), true)).unwrap();
    /// assert_eq!(r.frames(), 2);
    /// ```
    pub fn frames(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// The rows `offsets[f]..offsets[f + 1]` of frame `f`, checked against `frames()` and
    /// against `len` (the row count of `values` and `index`): the fields are public, so a
    /// hand-built `Ragged` may be inconsistent.
    fn rows_of(&self, f: usize, len: usize) -> Result<std::ops::Range<usize>> {
        if f >= self.frames() {
            return Err(Error::InvalidParameter {
                name: "frame",
                reason: format!(
                    "frame {f} does not exist: the result has frames 0..{}",
                    self.frames()
                ),
            });
        }
        let (lo, hi) = (self.offsets[f], self.offsets[f + 1]);
        if lo > hi || hi > len {
            return Err(Error::InvalidParameter {
                name: "offsets",
                reason: format!(
                    "frame {f} spans rows {lo}..{hi}, which is not a range of the {len} rows; \
                     offsets must increase and end at the row count"
                ),
            });
        }
        Ok(lo..hi)
    }

    /// The selected rows of frame `f`, `(count_f, features)`.
    ///
    /// Errors: `f >= frames()` (or `offsets` inconsistent with `values`).
    ///
    /// ```
    /// use ndarray::{array, Array3};
    /// let feat = Array3::from_shape_fn((2, 3, 2), |(f, p, k)| (f * 100 + p * 10 + k) as f32);
    /// let r = ndkern_spatial::binning::ragged_select(&feat,
    ///     &array![[false, true, false], [true, false, true]]).unwrap();
    /// assert_eq!(r.frame(0).unwrap(), array![[10.0f32, 11.0]]);
    /// assert_eq!(r.frame_index(1).unwrap(), &[0, 2]);
    /// assert!(r.frame(2).is_err());
    /// ```
    pub fn frame(&self, f: usize) -> Result<ArrayView2<'_, X>> {
        let r = self.rows_of(f, self.values.nrows())?;
        Ok(self.values.slice(ndarray::s![r, ..]))
    }

    /// The selected point numbers of frame `f`.
    ///
    /// Errors: `f >= frames()` (or `offsets` inconsistent with `index`).
    pub fn frame_index(&self, f: usize) -> Result<&[usize]> {
        let r = self.rows_of(f, self.index.len())?;
        Ok(&self.index[r])
    }
}

/// Q10: per frame, the points of `features` (`(frames, points, k)`) where `mask`
/// (`(frames, points)`) is set, as one CSR [`Ragged`] result that keeps each frame's group
/// although the counts differ (numpy: a list `[feat[f][mask[f]] for f in range(frames)]`).
///
/// Errors: `mask.shape() != (frames, points)`.
///
/// ```
/// use ndarray::{array, Array3};
/// let feat = Array3::<f64>::ones((3, 4, 128));
/// let mask = array![[true, true, false, false], [false; 4], [true; 4]];
/// let r = ndkern_spatial::binning::ragged_select(&feat, &mask).unwrap();
/// assert_eq!(r.offsets, vec![0, 2, 2, 6]);
/// assert_eq!(r.values.dim(), (6, 128));
/// ```
#[must_use = "the selection is returned"]
pub fn ragged_select<X, S, Sm>(
    features: &ArrayBase<S, Ix3>,
    mask: &ArrayBase<Sm, Ix2>,
) -> Result<Ragged<X>>
where
    X: Copy,
    S: Data<Elem = X>,
    Sm: Data<Elem = bool>,
{
    let (f, p, k) = features.dim();
    check_shape(&[f, p], mask.shape())?;
    ndkern_core::check_alloc::<usize>("ragged_select's frame offsets", f.saturating_add(1))?;
    if ndkern_core::check_alloc::<usize>("ragged_select's index", mask.len()).is_err() {
        // Only a huge broadcast mask gets here: count the selection before collecting it.
        check_selection::<usize>("ragged_select's index", mask)?;
    }
    let mut offsets = Vec::with_capacity(f + 1);
    offsets.push(0);
    let mut index = Vec::new();
    for row in mask.rows() {
        index.extend(row.iter().enumerate().filter(|(_, &m)| m).map(|(i, _)| i));
        offsets.push(index.len());
    }
    let n = ndkern_core::checked_len("ragged_select's output", &[index.len(), k])?;
    ndkern_core::check_alloc::<X>("ragged_select's output", n)?;
    let mut data = Vec::with_capacity(n);
    for fr in 0..f {
        for &pt in &index[offsets[fr]..offsets[fr + 1]] {
            let row: ArrayView1<'_, X> = features.slice(ndarray::s![fr, pt, ..]);
            match row.as_slice() {
                Some(s) => data.extend_from_slice(s),
                None => data.extend(row.iter().copied()),
            }
        }
    }
    Ok(Ragged {
        offsets,
        values: Array2::from_shape_vec((index.len(), k), data).expect("rows x features"),
        index,
    })
}

ndkern_core::multiversion! {
    /// Adds the counts of the bins of the masked `xs` (equal lengths) into `acc`, one chunk,
    /// compiled per SIMD level: the bin index leaves the float domain through `f64 -> usize`,
    /// one instruction with AVX-512 (`vcvttsd2usi`) and a branchy sequence at the SSE2
    /// baseline.
    fn count_masked[T: Element, F: Fn(f64) -> Option<usize>](
        xs: &[T],
        ms: &[bool],
        acc: &mut [u64],
        bin: &F
    ) {
        for (&x, &m) in xs.iter().zip(ms) {
            if m {
                if let Some(i) = bin(x.as_f64()) {
                    acc[i] += 1;
                }
            }
        }
    }
}

/// Most bins for which the strided path of [`masked_counts`] splits across threads (1 MiB
/// tables; rayon's `par_fold` makes a table per split, so their count is not bounded by the
/// thread count).
const SMALL_TABLE_BINS: usize = 1 << 17;

/// Counts per bin of the values of `a` under `mask`, splitting across threads when large
/// and the bins are fewer than the values (each thread keeps one table of `n` counts).
fn masked_counts<T, S, Sm, D>(
    a: &ArrayBase<S, D>,
    mask: &ArrayBase<Sm, D>,
    n: usize,
    bin: impl Fn(f64) -> Option<usize> + Sync,
) -> Result<Vec<u64>>
where
    T: Element,
    S: Data<Elem = T> + Sync,
    Sm: Data<Elem = bool> + Sync,
    D: Dimension,
{
    let sum = |mut x: Vec<u64>, y: Vec<u64>| {
        x.iter_mut().zip(&y).for_each(|(p, q)| *p += q);
        x
    };
    let parallel = ndkern_core::worth_parallel(a.len()) && n <= a.len();
    // Standard-layout inputs (the common case): plain slices in chunks.
    if let (Some(xs), Some(ms)) = (a.as_slice(), mask.as_slice()) {
        return Ok(if parallel {
            // One private table per thread, no more than fit under the memory cap.
            ndkern_core::check_alloc::<u64>("histogram bins", n)?;
            fold_chunks(
                xs.len(),
                n,
                size_of::<u64>(),
                || vec![0u64; n],
                |acc, lo, hi| {
                    count_masked(&xs[lo..hi], &ms[lo..hi], acc, &bin);
                    Ok(())
                },
                sum,
            )?
        } else {
            let mut acc = ndkern_core::try_zeroed_vec::<u64>("histogram bins", n)?;
            count_masked(xs, ms, &mut acc, &bin);
            acc
        });
    }
    let add = |mut acc: Vec<u64>, x: &T, m: &bool| {
        if *m {
            if let Some(i) = bin(x.as_f64()) {
                acc[i] += 1;
            }
        }
        acc
    };
    let zip = Zip::from(a).and(mask);
    // rayon's fold keeps one table per split it runs (a few per thread): only small tables.
    let parallel = parallel && n <= SMALL_TABLE_BINS;
    Ok(if parallel {
        zip.par_fold(|| vec![0u64; n], add, sum)
    } else {
        zip.fold(
            ndkern_core::try_zeroed_vec::<u64>("histogram bins", n)?,
            add,
        )
    })
}
