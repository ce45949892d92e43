//! Box-sum kernels: direct window sums in the element type (short windows), the `f64`
//! running-sum row steps of an outer axis, and the line kernel of the lane route.
//!
//! Pure functions on slices: they know nothing of the walk (which rows are a window, how the
//! array is split) — the engine passes them rows and lines. The long-window running sums of one
//! line are in [`super::running`].

use ndkern_core::{axpy, window_sum_map, Element, ANCHOR_EVERY};

/// The line kernel of a box pass: windowed sums of width `w` over an extended line (`mean`
/// divides by `w`, or by the in-bounds count at the edges when `shrink`).
pub(crate) fn box_line<T: Element>(
    ext: &[T],
    out: &mut [T],
    w: usize,
    before: usize,
    mean: bool,
    shrink: bool,
) {
    let inv = if mean { 1.0 / w as f64 } else { 1.0 };
    window_sum_map(ext, w, out, |s| s * inv).expect("line lengths agree");
    if mean && shrink {
        // Only outputs whose window sticks out of the line need their own count.
        shrink_edges(ext, out, w, before);
    }
}

/// Recomputes the outputs whose window sticks out of the line as means of the in-bounds part.
pub(crate) fn shrink_edges<T: Element>(ext: &[T], out: &mut [T], w: usize, before: usize) {
    let n = out.len();
    let after = w - 1 - before;
    let edges = (0..before.min(n)).chain(n.saturating_sub(after).max(before.min(n))..n);
    for i in edges {
        let lo = i.saturating_sub(before);
        let hi = (i + w - before).min(n);
        let s: f64 = ext[before + lo..before + hi]
            .iter()
            .map(|v| v.as_f64())
            .sum();
        out[i] = T::of_f64(s / (hi - lo) as f64);
    }
}

/// The factor a box pass multiplies its window sum with at output `i` of `n`.
pub(crate) fn box_scale(
    i: usize,
    n: usize,
    w: usize,
    before: usize,
    mean: bool,
    shrink: bool,
) -> f64 {
    match (mean, shrink) {
        (false, _) => 1.0,
        (true, false) => 1.0 / w as f64,
        (true, true) => {
            let lo = i.saturating_sub(before);
            let hi = (i + w - before).min(n);
            1.0 / (hi - lo) as f64
        }
    }
}

ndkern_core::multiversion! {
    /// `out[c] = scale * sum_{k < w} row(k)[c]` (direct box sums in the element type).
    pub(crate) fn sum_rows['r, T: Element](
        row: impl Fn(usize) -> &'r [T],
        w: usize,
        scale: T,
        out: &mut [T],
    ) {
        let n = out.len();
        let l = T::LANES;
        let sv = T::splat(scale);
        let z = T::splat(T::zero());
        let mut c = 0;
        while c + 2 * l <= n {
            let (mut a0, mut a1) = (z, z);
            for k in 0..w {
                let r = &row(k)[c..c + 2 * l];
                a0 = a0 + T::load(r);
                a1 = a1 + T::load(&r[l..]);
            }
            T::store(a0 * sv, &mut out[c..c + l]);
            T::store(a1 * sv, &mut out[c + l..c + 2 * l]);
            c += 2 * l;
        }
        for (j, o) in out.iter_mut().enumerate().skip(c) {
            *o = (0..w).fold(T::zero(), |a, k| a + row(k)[j]) * scale;
        }
    }
}

ndkern_core::multiversion! {
    /// `acc[c] += x[c]` in `f64`.
    pub(crate) fn acc_add[T: Element](acc: &mut [f64], x: &[T]) {
        for (a, &v) in acc.iter_mut().zip(x) {
            *a += v.as_f64();
        }
    }
}

ndkern_core::multiversion! {
    /// `acc[c] += add[c] - sub[c]` in `f64` (the running-sum step of an outer axis), then
    /// `out[c] = acc[c] * scale` rounded to `T`, in one pass over `acc` (each sum is loaded and
    /// stored once per output row); false when some sum is not finite.
    pub(crate) fn step_row[T: Element](
        acc: &mut [f64],
        add: &[T],
        sub: &[T],
        scale: f64,
        out: &mut [T],
    ) -> bool {
        let mut ok = true;
        for (((a, &x), &y), o) in acc.iter_mut().zip(add).zip(sub).zip(out.iter_mut()) {
            let v = *a + (x.as_f64() - y.as_f64());
            *a = v;
            ok &= v.is_finite();
            *o = T::of_f64(v * scale);
        }
        ok
    }
}

ndkern_core::multiversion! {
    /// `out[c] = acc[c] * scale` rounded to `T`; false when some sum is not finite (the running
    /// sum must then be re-anchored).
    pub(crate) fn finish_row[T: Element](acc: &[f64], scale: f64, out: &mut [T]) -> bool {
        let mut ok = true;
        for (o, &a) in out.iter_mut().zip(acc) {
            ok &= a.is_finite();
            *o = T::of_f64(a * scale);
        }
        ok
    }
}

ndkern_core::multiversion! {
    /// [`box_line`] for lines known to be finite (checked once per array by the caller):
    /// short windows as direct SIMD sums, long ones as a plain `f64` running sum re-anchored
    /// every [`ANCHOR_EVERY`] outputs — no compensation or non-finite bookkeeping, several
    /// times faster.
    pub(crate) fn box_line_finite[T: Element](
        ext: &[T],
        out: &mut [T],
        w: usize,
        before: usize,
        mean: bool,
        shrink: bool,
    ) {
        let n = out.len();
        let inv = if mean { 1.0 / w as f64 } else { 1.0 };
        if w <= 8 {
            out.iter_mut().for_each(|o| *o = T::zero());
            for j in 0..w {
                axpy(T::one(), &ext[j..j + n], out).expect("line lengths agree");
            }
            if mean {
                let invt = T::of_f64(inv);
                out.iter_mut().for_each(|o| *o = *o * invt);
            }
        } else {
            let mut i = 0;
            while i < n {
                let end = (i + ANCHOR_EVERY).min(n);
                let mut s: f64 = ext[i..i + w].iter().map(|v| v.as_f64()).sum();
                out[i] = T::of_f64(s * inv);
                for j in i + 1..end {
                    s += ext[j + w - 1].as_f64() - ext[j - 1].as_f64();
                    out[j] = T::of_f64(s * inv);
                }
                if !s.is_finite() {
                    // A non-finite running sum stays non-finite, so one check per segment
                    // finds an overflow (1e308 + 1e308) or a non-finite sample: the segment is
                    // recomputed with core's sums, which re-anchor after it.
                    redo_segment(&ext[i..end + w - 1], &mut out[i..end], w, inv);
                }
                i = end;
            }
        }
        if mean && shrink {
            shrink_edges(ext, out, w, before);
        }
    }
}

/// Recomputes the window sums (times `inv`) of one segment with core's NaN-aware running sums,
/// which recover at the next window after an overflow (the rare path of the plain running
/// sums).
#[cold]
pub(crate) fn redo_segment<T: Element>(ext: &[T], out: &mut [T], w: usize, inv: f64) {
    window_sum_map(ext, w, out, |s| s * inv).expect("segment lengths agree");
}

ndkern_core::multiversion! {
    /// `acc[c] += sign * map(row[c])` (one row of a running sum, at the dispatched level).
    pub(crate) fn add_mapped[S: Element, M: Fn(f64) -> f64](acc: &mut [f64], row: &[S], sign: f64, map: &M) {
        for (a, &v) in acc.iter_mut().zip(row) {
            *a += sign * map(v.as_f64());
        }
    }
}

ndkern_core::multiversion! {
    /// `acc[c] += v` (a constant-mode row).
    pub(crate) fn add_const(acc: &mut [f64], v: f64) {
        acc.iter_mut().for_each(|a| *a += v);
    }
}

ndkern_core::multiversion! {
    /// `out[c] = finish(i, acc[c])` rounded to `U`; false when some sum is not finite.
    pub(crate) fn finish_mapped[U: Element, F: Fn(usize, f64) -> f64](
        out: &mut [U],
        acc: &[f64],
        i: usize,
        finish: &F,
    ) -> bool {
        let mut ok = true;
        for (o, &a) in out.iter_mut().zip(acc) {
            ok &= a.is_finite();
            *o = U::of_f64(finish(i, a));
        }
        ok
    }
}
