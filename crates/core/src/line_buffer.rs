//! Line buffers: gather a lane of an N-d array, extend it, run a contiguous kernel, scatter.
//!
//! This is scipy's `NI_LineBuffer` idea (ni_support.c): every along-axis filter works on a
//! reused contiguous buffer holding one lane plus its border extension, so the inner kernel is
//! always a plain slice kernel whatever the array's strides are. [`for_each_lane`] runs a
//! closure over all lanes of an input/output pair along one axis, in parallel over lanes when
//! the work is large enough (never inside a lane), each worker with its own buffer.
//!
//! ```
//! use ndarray::{array, Axis};
//! use ndkern_core::{BorderMode, LineBuffer};
//! let a = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
//! let mut buf = LineBuffer::<f64>::new(3, 1, 1, BorderMode::Nearest).unwrap();
//! buf.gather(a.row(1)).unwrap();
//! assert_eq!(buf.extended(), &[4.0, 4.0, 5.0, 6.0, 6.0]);
//! assert_eq!(buf.line(), &[4.0, 5.0, 6.0]);
//! ```

use ndarray::{ArrayBase, ArrayView1, ArrayViewMut1, Axis, Data, DataMut, Dimension, Zip};
use rayon::prelude::*;

use crate::border::BorderMode;
use crate::element::Element;
use crate::error::{Error, Result};
use crate::parallel::worth_parallel;

/// A reusable buffer for one lane of `len` samples extended by `before`/`after` samples.
#[derive(Clone, Debug)]
pub struct LineBuffer<T> {
    data: Vec<T>,
    len: usize,
    before: usize,
    mode: BorderMode,
}

impl<T: Element> LineBuffer<T> {
    /// A buffer for lanes of `len` samples with the given padding and border mode.
    /// [`Error::TooLarge`] when `before + len + after` overflows or is over the memory cap
    /// (the paddings usually come from a caller's radius or window size).
    pub fn new(len: usize, before: usize, after: usize, mode: BorderMode) -> Result<Self> {
        const WHAT: &str = "the line buffer (lane + border extension)";
        let total = before
            .checked_add(len)
            .and_then(|t| t.checked_add(after))
            .ok_or(Error::TooLarge {
                what: WHAT,
                bytes: None,
                limit: crate::memory_limit(),
            })?;
        // NaN-filled in debug builds so a kernel that reads unwritten samples shows it.
        let init = if cfg!(debug_assertions) {
            T::nan()
        } else {
            T::zero()
        };
        Ok(Self {
            data: crate::try_filled_vec(WHAT, init, total)?,
            len,
            before,
            mode,
        })
    }

    /// Copies `lane` (which must have `len` samples, else [`Error::ShapeMismatch`]) into the
    /// buffer and extends it.
    pub fn gather(&mut self, lane: ArrayView1<'_, T>) -> Result<()> {
        if lane.len() != self.len {
            return Err(Error::ShapeMismatch {
                expected: vec![self.len],
                got: vec![lane.len()],
            });
        }
        let (before, len) = (self.before, self.len);
        match lane.as_slice() {
            Some(s) => self.data[before..before + len].copy_from_slice(s),
            None => {
                for (d, &v) in self.data[before..before + len].iter_mut().zip(lane.iter()) {
                    *d = v;
                }
            }
        }
        let (head, rest) = self.data.split_at_mut(before);
        let (mid, tail) = rest.split_at_mut(len);
        extend_edges(mid, head, tail, self.mode);
        Ok(())
    }

    /// The extended line: `before` samples, the lane, `after` samples.
    pub fn extended(&self) -> &[T] {
        &self.data
    }

    /// The lane itself, without the extension.
    pub fn line(&self) -> &[T] {
        &self.data[self.before..self.before + self.len]
    }
}

/// Fills `head` and `tail` from `mid` per `mode` (the line sits between them); no allocation.
fn extend_edges<T: Element>(mid: &[T], head: &mut [T], tail: &mut [T], mode: BorderMode) {
    let (b, n) = (head.len() as isize, mid.len());
    let fill = match mode {
        BorderMode::Constant(c) => T::of_f64(c),
        _ => T::zero(),
    };
    let value = |i: isize| match (n > 0).then(|| mode.source_index(i, n)).flatten() {
        Some(src) => mid[src],
        None => fill,
    };
    for (k, h) in head.iter_mut().enumerate() {
        *h = value(k as isize - b);
    }
    for (k, t) in tail.iter_mut().enumerate() {
        *t = value((n + k) as isize);
    }
}

/// Writes `values` into `lane` (the scatter half of a line-buffer pass);
/// [`Error::ShapeMismatch`] (nothing written) when their lengths differ.
pub fn scatter<T: Element>(values: &[T], mut lane: ArrayViewMut1<'_, T>) -> Result<()> {
    if values.len() != lane.len() {
        return Err(Error::ShapeMismatch {
            expected: vec![lane.len()],
            got: vec![values.len()],
        });
    }
    match lane.as_slice_mut() {
        Some(s) => s.copy_from_slice(values),
        None => lane.iter_mut().zip(values).for_each(|(d, &v)| *d = v),
    }
    Ok(())
}

/// Runs `f(input_lane, output_lane, scratch)` for every lane along `axis` of a same-shape
/// input/output pair. `make_scratch` builds one scratch value (a [`LineBuffer`], an output
/// line) per worker. Parallel over lanes when the array is large; never inside a lane.
pub fn for_each_lane<T, U, S, So, D, B>(
    input: &ArrayBase<S, D>,
    output: &mut ArrayBase<So, D>,
    axis: usize,
    make_scratch: impl Fn() -> B + Sync + Send,
    f: impl Fn(ArrayView1<'_, T>, ArrayViewMut1<'_, U>, &mut B) + Sync + Send,
) -> Result<()>
where
    T: Element,
    U: Send + Sync,
    S: Data<Elem = T>,
    So: DataMut<Elem = U>,
    D: Dimension,
{
    if input.shape() != output.shape() {
        return Err(Error::ShapeMismatch {
            expected: input.shape().to_vec(),
            got: output.shape().to_vec(),
        });
    }
    if axis >= input.ndim() {
        return Err(Error::AxisOutOfRange {
            axis: axis as isize,
            ndim: input.ndim(),
        });
    }
    let zip = Zip::from(input.lanes(Axis(axis))).and(output.lanes_mut(Axis(axis)));
    if worth_parallel(input.len()) {
        zip.into_par_iter()
            .for_each_init(&make_scratch, |scratch, (a, b)| f(a, b, scratch));
    } else {
        let mut scratch = make_scratch();
        zip.for_each(|a, b| f(a, b, &mut scratch));
    }
    Ok(())
}
