//! Regular and irregular bin specifications, and the point -> cell index by arithmetic.
//!
//! A uniform axis finds a point's bin with one subtract and one multiply,
//! `floor((x - lo) * inv_step)` (fast-histogram's approach), then nudges the result by at most
//! an ulp-sized step so that it agrees exactly with numpy's edges (`np.linspace(lo, hi, n + 1)`)
//! and numpy's rule that every bin is half-open `[e_i, e_{i+1})` except the last, which is
//! closed `[e_{n-1}, e_n]`. No binary search is done for uniform bins; arbitrary edges use one
//! `partition_point` (numpy's `searchsorted(side="right")`).
//!
//! Points outside the grid and NaN coordinates follow an explicit [`Outside`] policy:
//! dropped (numpy's behaviour with an explicit `range`) or reported as an error. Whatever the
//! input (±inf, NaN, 1e308, values exactly on an edge), [`AxisBins::index`] returns either
//! `None` or an index `< len()`: the accumulators built on it cannot write out of bounds
//! (fuzzed in `tests/binning_proptest.rs`).

use ndkern_core::{Error, Result};

/// What to do with a point outside the grid or with a NaN coordinate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outside {
    /// Skip the point (numpy `histogramdd` with an explicit `range`, scipy
    /// `binned_statistic_dd`).
    #[default]
    Drop,
    /// Return [`Error::InvalidParameter`] naming the first such point.
    Error,
}

/// The largest number of cells a grid may have (2^40): a guard against a step far smaller
/// than the data's span allocating the machine away.
pub const MAX_CELLS: usize = 1 << 40;

#[derive(Clone, Debug, PartialEq)]
enum Kind {
    /// `n` equal bins over `[lo, hi]`; `step = (hi - lo) / n` and `inv = n / (hi - lo)`
    /// (numpy's `norm`).
    Uniform {
        lo: f64,
        hi: f64,
        n: usize,
        step: f64,
        inv: f64,
    },
    /// Monotonically non-decreasing edges, `len >= 2`.
    Edges(Vec<f64>),
}

/// The bins of one axis: uniform (`lo`, `hi`, `n`) or arbitrary edges.
///
/// ```
/// use ndkern_spatial::binning::AxisBins;
/// let b = AxisBins::uniform(0.0, 1.0, 4).unwrap();     // numpy: bins=4, range=(0, 1)
/// assert_eq!(b.index(0.25), Some(1));                   // on an inner edge: the upper bin
/// assert_eq!(b.index(1.0), Some(3));                    // the last bin is closed
/// assert_eq!(b.index(1.0 + 1e-12), None);               // outside: dropped
/// assert_eq!(b.index(f64::NAN), None);
/// let e = AxisBins::edges(vec![0.0, 1.0, 10.0]).unwrap();
/// assert_eq!(e.index(5.0), Some(1));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct AxisBins {
    kind: Kind,
}

fn invalid(name: &'static str, reason: String) -> Error {
    Error::InvalidParameter { name, reason }
}

impl AxisBins {
    /// `bins` equal bins over `[lo, hi]` (numpy `bins=n, range=(lo, hi)`; edges are
    /// `np.linspace(lo, hi, bins + 1)`).
    ///
    /// Errors: `bins == 0` or above [`MAX_CELLS`], a non-finite bound, `lo >= hi`, `hi - lo`
    /// overflowing, or a range so narrow that the bin width underflows.
    ///
    /// ```
    /// let b = ndkern_spatial::binning::AxisBins::uniform(-1.0, 1.0, 2).unwrap();
    /// assert_eq!(b.edges_vec(), vec![-1.0, 0.0, 1.0]);
    /// ```
    pub fn uniform(lo: f64, hi: f64, bins: usize) -> Result<Self> {
        if bins == 0 {
            return Err(invalid("bins", "must be at least 1, got 0".into()));
        }
        if bins > MAX_CELLS {
            return Err(invalid(
                "bins",
                format!("{bins} bins is more than the {MAX_CELLS} allowed; use fewer bins"),
            ));
        }
        if !lo.is_finite() || !hi.is_finite() {
            return Err(invalid(
                "range",
                format!("bounds must be finite, got ({lo}, {hi})"),
            ));
        }
        if lo >= hi {
            return Err(invalid(
                "range",
                format!("lower bound must be below the upper bound, got ({lo}, {hi})"),
            ));
        }
        let width = hi - lo;
        if !width.is_finite() {
            return Err(invalid(
                "range",
                format!("the width hi - lo of ({lo}, {hi}) overflows f64; narrow the range"),
            ));
        }
        let (step, inv) = (width / bins as f64, bins as f64 / width);
        if !(step > 0.0 && inv.is_finite()) {
            // The point -> bin arithmetic needs `bins / width` finite (numpy's `norm` is inf
            // here and its indices garbage).
            return Err(invalid(
                "range",
                format!(
                    "({lo}, {hi}) is too narrow for {bins} bins: the bin width underflows; \
                     widen the range or use fewer bins"
                ),
            ));
        }
        Ok(AxisBins {
            kind: Kind::Uniform {
                lo,
                hi,
                n: bins,
                step,
                inv,
            },
        })
    }

    /// `bins` bins of width `step` starting at `lo`: edges `lo + i * step` for `i = 0..=bins`.
    ///
    /// Errors: `step` not finite and positive, plus [`AxisBins::uniform`]'s.
    ///
    /// ```
    /// let b = ndkern_spatial::binning::AxisBins::from_step(0.0, 0.5, 4).unwrap();
    /// assert_eq!(b.index(1.9), Some(3));
    /// ```
    pub fn from_step(lo: f64, step: f64, bins: usize) -> Result<Self> {
        check_step(step)?;
        Self::uniform(lo, lo + step * bins as f64, bins)
    }

    /// The grid of Q1: bins of width `step` from `min` that cover `[min, max]`, i.e.
    /// `floor((max - min) / step) + 1` bins, so the maximum lies strictly inside the last bin
    /// (never on a dropped edge). `min == max` gives one bin.
    ///
    /// ```
    /// use ndkern_spatial::binning::AxisBins;
    /// let b = AxisBins::covering(0.0, 1.0, 0.1).unwrap();
    /// assert_eq!(b.len(), 11);                 // 1.0 falls in [1.0, 1.1)
    /// assert_eq!(b.index(1.0), Some(10));
    /// ```
    pub fn covering(min: f64, max: f64, step: f64) -> Result<Self> {
        check_step(step)?;
        if !min.is_finite() || !max.is_finite() || min > max {
            return Err(invalid(
                "range",
                format!("need finite min <= max to cover, got ({min}, {max})"),
            ));
        }
        let span = (max - min) / step;
        if span.is_nan() || span >= MAX_CELLS as f64 {
            return Err(invalid(
                "step",
                format!(
                    "step {step} over the span ({min}, {max}) gives more than {MAX_CELLS} bins; \
                     use a larger step"
                ),
            ));
        }
        let bins = span.floor() as usize + 1;
        Self::from_step(min, step, bins)
    }

    /// Arbitrary bin edges (numpy `bins=[e0, e1, ...]`): at least two, finite, monotonically
    /// non-decreasing. Bin `i` is `[e_i, e_{i+1})`, the last one closed.
    ///
    /// ```
    /// assert!(ndkern_spatial::binning::AxisBins::edges(vec![1.0, 0.0]).is_err());
    /// ```
    pub fn edges(edges: Vec<f64>) -> Result<Self> {
        if edges.len() < 2 {
            return Err(invalid(
                "bins",
                format!("need at least 2 edges, got {}", edges.len()),
            ));
        }
        if let Some(bad) = edges.iter().find(|e| !e.is_finite()) {
            return Err(invalid("bins", format!("edges must be finite, got {bad}")));
        }
        if let Some(i) = (1..edges.len()).find(|&i| edges[i] < edges[i - 1]) {
            return Err(invalid(
                "bins",
                format!(
                    "edges must increase monotonically; edge {i} ({}) is below edge {} ({})",
                    edges[i],
                    i - 1,
                    edges[i - 1]
                ),
            ));
        }
        Ok(AxisBins {
            kind: Kind::Edges(edges),
        })
    }

    /// Number of bins.
    ///
    /// ```
    /// assert_eq!(ndkern_spatial::binning::AxisBins::uniform(0.0, 1.0, 7).unwrap().len(), 7);
    /// ```
    #[allow(clippy::len_without_is_empty)] // never empty
    pub fn len(&self) -> usize {
        match &self.kind {
            Kind::Uniform { n, .. } => *n,
            Kind::Edges(e) => e.len() - 1,
        }
    }

    /// Lower and upper bound (first and last edge).
    ///
    /// ```
    /// let b = ndkern_spatial::binning::AxisBins::uniform(2.0, 3.0, 7).unwrap();
    /// assert_eq!(b.bounds(), (2.0, 3.0));
    /// ```
    pub fn bounds(&self) -> (f64, f64) {
        match &self.kind {
            Kind::Uniform { lo, hi, .. } => (*lo, *hi),
            Kind::Edges(e) => (e[0], e[e.len() - 1]),
        }
    }

    /// Edge `i` (`0..=len()`), computed as numpy's `linspace` does for uniform bins.
    ///
    /// Errors: `i > len()`.
    ///
    /// ```
    /// let b = ndkern_spatial::binning::AxisBins::uniform(0.0, 1.0, 4).unwrap();
    /// assert_eq!(b.edge(1).unwrap(), 0.25);
    /// assert!(b.edge(5).is_err());
    /// ```
    pub fn edge(&self, i: usize) -> Result<f64> {
        if i > self.len() {
            return Err(invalid(
                "edge",
                format!(
                    "edge {i} does not exist: {} bins have edges 0..={}",
                    self.len(),
                    self.len()
                ),
            ));
        }
        Ok(self.edge_at(i))
    }

    /// Edge `i`, `i <= len()` (checked by the caller).
    #[inline]
    pub(crate) fn edge_at(&self, i: usize) -> f64 {
        match &self.kind {
            Kind::Uniform {
                lo, hi, n, step, ..
            } => {
                if i >= *n {
                    *hi
                } else {
                    i as f64 * step + lo
                }
            }
            Kind::Edges(e) => e[i],
        }
    }

    /// All `len() + 1` edges.
    ///
    /// ```
    /// let b = ndkern_spatial::binning::AxisBins::uniform(0.0, 1.0, 2).unwrap();
    /// assert_eq!(b.edges_vec(), vec![0.0, 0.5, 1.0]);
    /// ```
    pub fn edges_vec(&self) -> Vec<f64> {
        (0..=self.len()).map(|i| self.edge_at(i)).collect()
    }

    /// Width of bin `i`.
    ///
    /// Errors: `i >= len()`.
    ///
    /// ```
    /// let b = ndkern_spatial::binning::AxisBins::edges(vec![0.0, 1.0, 3.0]).unwrap();
    /// assert_eq!(b.width(1).unwrap(), 2.0);
    /// assert!(b.width(2).is_err());
    /// ```
    pub fn width(&self, i: usize) -> Result<f64> {
        if i >= self.len() {
            return Err(invalid(
                "bin",
                format!("bin {i} does not exist: the bins are 0..{}", self.len()),
            ));
        }
        Ok(self.width_at(i))
    }

    /// Width of bin `i < len()` (checked by the caller).
    #[inline]
    pub(crate) fn width_at(&self, i: usize) -> f64 {
        self.edge_at(i + 1) - self.edge_at(i)
    }

    /// The bin of `x`, or `None` for NaN and points outside `[first edge, last edge]`.
    /// Always `< len()` when `Some`.
    ///
    /// ```
    /// let b = ndkern_spatial::binning::AxisBins::uniform(0.0, 3.0, 3).unwrap();
    /// assert_eq!(b.index(2.0), Some(2));
    /// assert_eq!(b.index(f64::INFINITY), None);
    /// ```
    #[inline]
    pub fn index(&self, x: f64) -> Option<usize> {
        match &self.kind {
            Kind::Uniform {
                lo,
                hi,
                n,
                step,
                inv,
            } => uniform_index(x, *lo, *hi, n - 1, *inv, *step),
            Kind::Edges(e) => {
                let (lo, hi) = (e[0], e[e.len() - 1]);
                if !(x >= lo && x <= hi) {
                    return None;
                }
                let n = e.len() - 1;
                // searchsorted(side="right") - 1, the last edge belongs to the last bin.
                let i = e.partition_point(|&b| b <= x).saturating_sub(1);
                Some(i.min(n - 1))
            }
        }
    }
}

impl AxisBins {
    /// The uniform parameters `(lo, hi, last bin, inv, step)` for hoisting out of a loop;
    /// `None` for arbitrary edges.
    #[inline]
    pub(crate) fn uniform_params(&self) -> Option<(f64, f64, usize, f64, f64)> {
        match &self.kind {
            Kind::Uniform {
                lo,
                hi,
                n,
                step,
                inv,
            } => Some((*lo, *hi, n - 1, *inv, *step)),
            Kind::Edges(_) => None,
        }
    }
}

/// The bin of `x` among `last + 1` uniform bins over `[lo, hi]` (edges `i * step + lo`, the
/// last one `hi`): the arithmetic guess, corrected to numpy's edges.
#[inline(always)]
pub(crate) fn uniform_index(
    x: f64,
    lo: f64,
    hi: f64,
    last: usize,
    inv: f64,
    step: f64,
) -> Option<usize> {
    // Also rejects NaN.
    if !(x >= lo && x <= hi) {
        return None;
    }
    let edge = |i: usize| if i > last { hi } else { i as f64 * step + lo };
    // `(x - lo) * inv` is in [0, n] up to rounding; the cast saturates, the min clamps.
    let mut i = (((x - lo) * inv) as usize).min(last);
    // The guess can be one off when x is within an ulp of an edge; one step each way, as
    // numpy does (`while` loops here measured 5x slower: they defeat the loop optimizer).
    // The index fuzz tests check this against a linear scan of the edges.
    if i > 0 && x < edge(i) {
        i -= 1;
    }
    if i < last && x >= edge(i + 1) {
        i += 1;
    }
    Some(i)
}

fn check_step(step: f64) -> Result<()> {
    if !(step.is_finite() && step > 0.0) {
        return Err(invalid(
            "step",
            format!("must be finite and positive, got {step}"),
        ));
    }
    Ok(())
}

/// An N-d grid: one [`AxisBins`] per dimension, cells numbered in C order.
///
/// ```
/// use ndarray::array;
/// use ndkern_spatial::binning::{AxisBins, Grid};
/// let g = Grid::new(vec![
///     AxisBins::uniform(0.0, 1.0, 2).unwrap(),
///     AxisBins::uniform(0.0, 1.0, 4).unwrap(),
/// ])
/// .unwrap();
/// assert_eq!(g.shape(), vec![2, 4]);
/// assert_eq!(g.cell(&[0.75, 0.3]).unwrap(), Some(1 * 4 + 1));
/// // Q1: a 0.1 grid over the points' bounding box.
/// let pts = array![[0.0, 0.0, 0.0], [1.0, 0.25, 0.5]];
/// let g = Grid::covering(&pts, &[0.1, 0.1, 0.1]).unwrap();
/// assert_eq!(g.shape(), vec![11, 3, 6]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    axes: Vec<AxisBins>,
    strides: Vec<usize>,
    cells: usize,
}

impl Grid {
    /// A grid from one [`AxisBins`] per dimension (at least one). Errors when the number of
    /// cells exceeds [`MAX_CELLS`].
    ///
    /// ```
    /// use ndkern_spatial::binning::{AxisBins, Grid};
    /// assert!(Grid::new(vec![]).is_err());
    /// ```
    pub fn new(axes: Vec<AxisBins>) -> Result<Self> {
        if axes.is_empty() {
            return Err(invalid(
                "bins",
                "a grid needs at least one dimension".into(),
            ));
        }
        let mut strides = vec![0; axes.len()];
        let mut cells = 1usize;
        for d in (0..axes.len()).rev() {
            strides[d] = cells;
            cells = cells
                .checked_mul(axes[d].len())
                .filter(|&c| c <= MAX_CELLS)
                .ok_or_else(|| {
                    invalid(
                        "bins",
                        format!("the grid has more than {MAX_CELLS} cells; use fewer bins"),
                    )
                })?;
        }
        Ok(Grid {
            axes,
            strides,
            cells,
        })
    }

    /// `bins[d]` uniform bins over `range[d]` per dimension (numpy
    /// `histogramdd(sample, bins, range)`).
    ///
    /// ```
    /// let g = ndkern_spatial::binning::Grid::uniform(&[(0.0, 1.0), (0.0, 2.0)], &[2, 3]).unwrap();
    /// assert_eq!(g.len(), 6);
    /// ```
    pub fn uniform(range: &[(f64, f64)], bins: &[usize]) -> Result<Self> {
        if range.len() != bins.len() {
            return Err(Error::ShapeMismatch {
                expected: vec![bins.len()],
                got: vec![range.len()],
            });
        }
        Self::new(
            range
                .iter()
                .zip(bins)
                .map(|(&(lo, hi), &n)| AxisBins::uniform(lo, hi, n))
                .collect::<Result<_>>()?,
        )
    }

    /// Q1's grid: per dimension, bins of width `step[d]` from the points' minimum that cover
    /// their maximum ([`AxisBins::covering`]). `points` is `(n, d)`, `n >= 1`, finite.
    ///
    /// ```
    /// use ndarray::array;
    /// let g = ndkern_spatial::binning::Grid::covering(&array![[0.0f32], [0.3]], &[0.1]).unwrap();
    /// assert_eq!(g.shape(), vec![4]);
    /// ```
    pub fn covering<T, S>(
        points: &ndarray::ArrayBase<S, ndarray::Ix2>,
        step: &[f64],
    ) -> Result<Self>
    where
        T: ndkern_core::Element,
        S: ndarray::Data<Elem = T>,
    {
        let (n, d) = points.dim();
        if step.len() != d {
            return Err(Error::ShapeMismatch {
                expected: vec![d],
                got: vec![step.len()],
            });
        }
        if n == 0 {
            return Err(invalid(
                "points",
                "cannot derive a grid from zero points; give the range explicitly".into(),
            ));
        }
        let mut axes = Vec::with_capacity(d);
        for (k, col) in points.columns().into_iter().enumerate() {
            let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
            for &x in col {
                let x = x.as_f64();
                if !x.is_finite() {
                    return Err(invalid(
                        "points",
                        format!("coordinate {k} has a non-finite value {x}; a grid from the points' min..max needs finite points"),
                    ));
                }
                lo = lo.min(x);
                hi = hi.max(x);
            }
            axes.push(AxisBins::covering(lo, hi, step[k])?);
        }
        Self::new(axes)
    }

    /// Number of dimensions.
    ///
    /// ```
    /// let g = ndkern_spatial::binning::Grid::uniform(&[(0.0, 1.0)], &[3]).unwrap();
    /// assert_eq!(g.ndim(), 1);
    /// ```
    pub fn ndim(&self) -> usize {
        self.axes.len()
    }

    /// Total number of cells.
    ///
    /// ```
    /// let g = ndkern_spatial::binning::Grid::uniform(&[(0.0, 1.0)], &[3]).unwrap();
    /// assert_eq!(g.len(), 3);
    /// ```
    #[allow(clippy::len_without_is_empty)] // never empty
    pub fn len(&self) -> usize {
        self.cells
    }

    /// Cells per dimension.
    ///
    /// ```
    /// let g = ndkern_spatial::binning::Grid::uniform(&[(0.0, 1.0)], &[3]).unwrap();
    /// assert_eq!(g.shape(), vec![3]);
    /// ```
    pub fn shape(&self) -> Vec<usize> {
        self.axes.iter().map(AxisBins::len).collect()
    }

    /// The per-dimension bins.
    ///
    /// ```
    /// let g = ndkern_spatial::binning::Grid::uniform(&[(0.0, 1.0)], &[3]).unwrap();
    /// assert_eq!(g.axes()[0].len(), 3);
    /// ```
    pub fn axes(&self) -> &[AxisBins] {
        &self.axes
    }

    /// C-order strides of the cell numbering.
    pub(crate) fn strides(&self) -> &[usize] {
        &self.strides
    }

    /// Volume (product of widths) of the cell with flat index `cell`.
    pub(crate) fn volume(&self, cell: usize) -> f64 {
        let mut rest = cell;
        let mut v = 1.0;
        for (ax, &s) in self.axes.iter().zip(&self.strides) {
            v *= ax.width_at(rest / s);
            rest %= s;
        }
        v
    }

    /// The flat (C-order) cell of point `x`: `Ok(None)` when it is outside the grid or has a
    /// NaN coordinate.
    ///
    /// Errors: `x.len() != ndim()`.
    ///
    /// ```
    /// let g = ndkern_spatial::binning::Grid::uniform(&[(0.0, 1.0), (0.0, 1.0)], &[2, 2]).unwrap();
    /// assert_eq!(g.cell(&[1.0, 1.0]).unwrap(), Some(3));
    /// assert_eq!(g.cell(&[1.0, 2.0]).unwrap(), None);
    /// assert!(g.cell(&[1.0]).is_err());
    /// ```
    pub fn cell(&self, x: &[f64]) -> Result<Option<usize>> {
        if x.len() != self.axes.len() {
            return Err(invalid(
                "point",
                format!(
                    "has {} coordinate(s) but the grid has {} dimension(s); pass one \
                     coordinate per dimension",
                    x.len(),
                    self.axes.len()
                ),
            ));
        }
        let mut c = 0;
        for ((ax, &s), &v) in self.axes.iter().zip(&self.strides).zip(x) {
            match ax.index(v) {
                Some(i) => c += i * s,
                None => return Ok(None),
            }
        }
        Ok(Some(c))
    }
}
