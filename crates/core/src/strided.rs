//! The strided layer: canonical (length, stride) forms of any array view, and offset walks.
//!
//! Any ndarray view is a base pointer plus `(len, stride)` per axis. Before a kernel runs, the
//! layout is canonicalized the way faer and ndarray's `Zip` do it:
//!
//! 1. negative strides are flipped (the base moves to the lowest address),
//! 2. length-1 axes are dropped (their stride is irrelevant),
//! 3. axes are ordered by decreasing |stride|, so the innermost axis is the densest,
//! 4. neighbours that are contiguous together (`outer.stride == inner.stride * inner.len`)
//!    are merged into one axis.
//!
//! A fully contiguous array of any shape and memory order becomes one axis of stride 1: one
//! slice-kernel call. [`canonicalize`] does this for an ndarray view (for order-independent
//! work such as reductions over all axes); [`Dims`] and [`for_each_offset`] are the raw form
//! the reduction engine uses.
//!
//! ```
//! use ndarray::{Array3, Axis, s};
//! let a = Array3::<f64>::zeros((4, 5, 6));
//! // Reversed and transposed, but still one contiguous block of memory.
//! let v = a.slice(s![..;-1, .., ..]).reversed_axes();
//! let c = ndkern_core::canonicalize(&v);
//! assert_eq!(c.shape(), &[120]);
//! assert!(c.as_slice().is_some());
//! ```

use ndarray::{ArrayBase, ArrayViewD, Axis, Data, Dimension, IxDyn};

/// `(len, stride)` per axis, strides in elements.
pub type Dims = Vec<(usize, isize)>;

/// Canonical form of raw dims: returns the element offset to add to the base pointer (from
/// flipping negative strides) and the canonical dims, outermost first. An array with a zero
/// length axis keeps that axis (length 0) so callers see that it is empty; a 0-d or all-ones
/// shape canonicalizes to no axes (one element).
#[doc(hidden)]
pub fn canonical_dims(dims: &[(usize, isize)]) -> (isize, Dims) {
    if dims.iter().any(|&(len, _)| len == 0) {
        return (0, vec![(0, 1)]);
    }
    let mut shift = 0isize;
    let mut out: Dims = Vec::with_capacity(dims.len());
    for &(len, stride) in dims {
        if len == 1 {
            continue;
        }
        if stride < 0 {
            shift += (len as isize - 1) * stride;
            out.push((len, -stride));
        } else {
            out.push((len, stride));
        }
    }
    out.sort_by_key(|&(_, s)| std::cmp::Reverse(s));
    (shift, merge_dims(&out))
}

/// Merges neighbouring axes that are contiguous together (`outer.stride == inner.stride *
/// inner.len`); the input is ordered outermost first.
#[doc(hidden)]
pub fn merge_dims(dims: &[(usize, isize)]) -> Dims {
    let mut out: Dims = Vec::with_capacity(dims.len());
    for &(len, stride) in dims {
        if let Some(last) = out.last_mut() {
            if last.1 == stride * len as isize {
                *last = (last.0 * len, stride);
                continue;
            }
        }
        out.push((len, stride));
    }
    out
}

/// The `(len, stride)` pairs of an ndarray view.
pub fn dims_of<S: Data, D: Dimension>(a: &ArrayBase<S, D>) -> Dims {
    a.shape()
        .iter()
        .zip(a.strides())
        .map(|(&l, &s)| (l, s))
        .collect()
}

/// Number of elements described by `dims`.
///
/// Internal (doc-hidden) layout helpers like this one take the dims of an array that exists
/// (`dims_of`), so their products and offsets fit in `isize`; they are not for arbitrary
/// input.
#[doc(hidden)]
pub fn dims_len(dims: &[(usize, isize)]) -> usize {
    dims.iter().map(|&(l, _)| l).product()
}

/// A view of the same elements in canonical order: no negative strides, densest axis last,
/// contiguous neighbours merged, length-1 axes dropped. Element order is that of memory, not
/// of the logical index, so use it for order-independent work (sums, min/max, counts).
pub fn canonicalize<'a, S, D>(a: &'a ArrayBase<S, D>) -> ArrayViewD<'a, S::Elem>
where
    S: Data,
    D: Dimension,
{
    let mut v = a.view().into_dyn();
    for ax in 0..v.ndim() {
        if v.strides()[ax] < 0 {
            v.invert_axis(Axis(ax));
        }
    }
    if v.is_empty() {
        return v.into_shape_with_order(IxDyn(&[0])).expect("empty reshape");
    }
    let mut order: Vec<usize> = (0..v.ndim()).filter(|&ax| v.shape()[ax] > 1).collect();
    order.sort_by_key(|&ax| std::cmp::Reverse(v.strides()[ax]));
    let ones: Vec<usize> = (0..v.ndim()).filter(|&ax| v.shape()[ax] == 1).collect();
    // Length-1 axes go first (outermost), where they are removed below.
    let perm: Vec<usize> = ones.iter().chain(order.iter()).copied().collect();
    let mut v = v.permuted_axes(IxDyn(&perm));
    for _ in 0..ones.len() {
        v = v.index_axis_move(Axis(0), 0);
    }
    // Merge from the inside out: merge_axes(take, into) folds `take` into `into` when possible.
    let mut ax = v.ndim();
    while ax >= 2 {
        let (outer, inner) = (ax - 2, ax - 1);
        if v.merge_axes(Axis(outer), Axis(inner)) {
            v = v.index_axis_move(Axis(outer), 0);
        }
        ax -= 1;
    }
    v
}

/// Calls `f(offset)` for every element offset of `dims`, in C order (last axis fastest),
/// skipping the first `start` positions and stopping after `count`. Always inlined, so the
/// callback runs at the SIMD level of the kernel copy that walks (`multiversion!`).
#[doc(hidden)]
#[inline(always)]
pub fn for_each_offset(
    dims: &[(usize, isize)],
    start: usize,
    count: usize,
    mut f: impl FnMut(isize),
) {
    if count == 0 {
        return;
    }
    let nd = dims.len();
    // Unravel `start` into a multi-index and its offset.
    let mut idx = vec![0usize; nd];
    let mut rest = start;
    let mut off = 0isize;
    for ax in (0..nd).rev() {
        let (len, stride) = dims[ax];
        idx[ax] = rest % len.max(1);
        rest /= len.max(1);
        off += idx[ax] as isize * stride;
    }
    let mut left = count;
    loop {
        f(off);
        left -= 1;
        if left == 0 {
            return;
        }
        // Odometer step.
        let mut ax = nd;
        loop {
            if ax == 0 {
                return;
            }
            ax -= 1;
            let (len, stride) = dims[ax];
            idx[ax] += 1;
            off += stride;
            if idx[ax] < len {
                break;
            }
            off -= stride * len as isize;
            idx[ax] = 0;
        }
    }
}
