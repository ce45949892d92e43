//! Running `f64` window sums of one border-extended line (box windows longer than the plan's
//! `DIRECT_MAX`), re-anchored every [`ANCHOR_EVERY`]
//! outputs so the error does not grow with the line's length.
//!
//! [`long_box_line`] picks the route: the AVX-512 intrinsics kernel
//! (`ndkern_core::simd::x86::running`: the steps, their scan and the scaled, rounded output in
//! one pass, eight samples per step; the measurements and the arithmetic are described there)
//! when [`ndkern_core::simd::level()`] is `Avx512` (an `Avx512` token; so `NDKERN_SIMD=avx2` or
//! `baseline` turns it off), otherwise the portable [`running_sums`], whose leaves are
//! `multiversion!` kernels (AVX2+FMA at the `Avx2` level, SSE2 at the baseline). Within a
//! segment of `ANCHOR_EVERY` outputs the intrinsics kernel associates the `f64` steps
//! blockwise, so its sums can differ from the portable route's in the last bits (before
//! rounding to `f32` they agree to ~1e-16 relative). A line holding a non-finite sample goes
//! through core's NaN-aware window sums instead (a running sum would carry it to the end of
//! the line: scipy issue 7818).

use ndkern_core::{Element, ANCHOR_EVERY};

use super::box_sum::{box_line, redo_segment};

/// Box sums (means with `mean`) of a long window (beyond the plan's `DIRECT_MAX`) over one
/// extended line:
/// running sums ([`running_sums_avx512`] at the AVX-512 dispatch level, else the
/// multiversioned [`running_sums`]), and
/// core's NaN-aware window sums for a line holding a non-finite sample (a running sum would
/// carry it to the end of the line: scipy issue 7818).
pub(crate) fn long_box_line<T: Element>(
    ext: &[T],
    w: usize,
    before: usize,
    mean: bool,
    out: &mut [T],
) {
    let inv = if mean { 1.0 / w as f64 } else { 1.0 };
    let finite = match running_sums_avx512(ext, w, inv, out) {
        Some(finite) => finite,
        None => {
            all_finite(ext) && {
                running_sums(ext, w, inv, out);
                true
            }
        }
    };
    if !finite {
        box_line(ext, out, w, before, mean, false);
    }
}

ndkern_core::multiversion! {
    /// True when every value is finite.
    pub(crate) fn all_finite[T: Element](x: &[T]) -> bool {
        let mut ok = true;
        for c in x.chunks(64) {
            ok &= c.iter().fold(true, |f, v| f & v.is_finite());
            if !ok {
                break;
            }
        }
        ok
    }
}

thread_local! {
    /// Per-thread `f64` step buffer of [`running_sums`].
    static STEPS: std::cell::RefCell<Vec<f64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Running `f64` window sums of a finite extended line, `out[i] = inv * sum ext[i..i + w]`:
/// the steps `ext[i + w - 1] - ext[i - 1]` are first computed in `f64` in one vectorized pass
/// (the conversions leave the serial part), then the line is cut into segments re-anchored
/// from their samples, four of them advanced together so the four dependency chains overlap.
/// The sums are the same, bit for bit, as adding each step as it comes.
pub(crate) fn running_sums<T: Element>(ext: &[T], w: usize, inv: f64, out: &mut [T]) {
    let n = out.len();
    if w == 1 {
        // A 1-wide window is the sample itself (exactly).
        scale_line(ext, inv, out);
        return;
    }
    STEPS.with(|cell| {
        let mut d = cell.borrow_mut();
        if d.len() < n {
            d.resize(n, 0.0);
        }
        steps_and_scan(ext, w, inv, &mut d[..n], out);
    });
}

ndkern_core::multiversion! {
    /// `out[i] = ext[i] * inv` rounded to `T`.
    fn scale_line[T: Element](ext: &[T], inv: f64, out: &mut [T]) {
        for (o, &v) in out.iter_mut().zip(ext) {
            *o = T::of_f64(v.as_f64() * inv);
        }
    }
}

ndkern_core::multiversion! {
    /// The two passes of [`running_sums`] (`w >= 2`, `d.len() == out.len()`): the `f64`
    /// steps into `d`, then [`scan_segments`].
    fn steps_and_scan[T: Element](ext: &[T], w: usize, inv: f64, d: &mut [f64], out: &mut [T]) {
        let n = out.len();
        // d[i] = ext[i + w - 1] - ext[i - 1] for i >= 1 (d[0] unused).
        if n > 1 {
            for ((s, &a), &b) in d[1..n]
                .iter_mut()
                .zip(&ext[w..n + w - 1])
                .zip(&ext[..n - 1])
            {
                *s = a.as_f64() - b.as_f64();
            }
        }
        scan_segments(ext, d, w, inv, out);
    }
}

/// The serial part of [`running_sums`]: segment sums advanced by the steps `d`.
#[inline(always)]
fn scan_segments<T: Element>(ext: &[T], d: &[f64], w: usize, inv: f64, out: &mut [T]) {
    let n = out.len();
    let seg = ANCHOR_EVERY.min(n.div_ceil(4)).max(1);
    let start_sum = |b: usize| -> f64 { ext[b..b + w].iter().map(|v| v.as_f64()).sum() };
    let mut b = 0;
    // Groups of four full segments.
    while b + 4 * seg <= n {
        let st = [b, b + seg, b + 2 * seg, b + 3 * seg];
        // Not `st.map(start_sum)`: `array::map` is not inlined, and its closure would run at
        // the baseline level instead of this kernel's.
        let mut s = [
            start_sum(st[0]),
            start_sum(st[1]),
            start_sum(st[2]),
            start_sum(st[3]),
        ];
        for j in 0..4 {
            out[st[j]] = T::of_f64(s[j] * inv);
        }
        let (d0, d1, d2, d3) = (
            &d[st[0]..st[1]],
            &d[st[1]..st[2]],
            &d[st[2]..st[3]],
            &d[st[3]..st[3] + seg],
        );
        let (o01, o23) = out[b..b + 4 * seg].split_at_mut(2 * seg);
        let (o0, o1) = o01.split_at_mut(seg);
        let (o2, o3) = o23.split_at_mut(seg);
        for t in 1..seg {
            s[0] += d0[t];
            s[1] += d1[t];
            s[2] += d2[t];
            s[3] += d3[t];
            o0[t] = T::of_f64(s[0] * inv);
            o1[t] = T::of_f64(s[1] * inv);
            o2[t] = T::of_f64(s[2] * inv);
            o3[t] = T::of_f64(s[3] * inv);
        }
        // The line is finite, so a sum that ends non-finite overflowed (and a non-finite sum
        // stays non-finite): that segment is recomputed with sums that recover after it.
        if !(s[0] + s[1] + s[2] + s[3]).is_finite() {
            for (j, &b0) in st.iter().enumerate() {
                if !s[j].is_finite() {
                    redo_segment(&ext[b0..b0 + seg + w - 1], &mut out[b0..b0 + seg], w, inv);
                }
            }
        }
        b += 4 * seg;
    }
    // The rest one segment at a time.
    while b < n {
        let end = (b + seg).min(n);
        let mut s = start_sum(b);
        out[b] = T::of_f64(s * inv);
        for i in b + 1..end {
            s += d[i];
            out[i] = T::of_f64(s * inv);
        }
        if !s.is_finite() {
            redo_segment(&ext[b..end + w - 1], &mut out[b..end], w, inv);
        }
        b = end;
    }
}

/// Fills `out[i] = inv * sum ext[i..i + w]` (`ext` holds `out.len() + w - 1` samples) and
/// returns whether every sum was finite; `None` (having done nothing) when the dispatched
/// level is below AVX-512 (no `Avx512` token: the CPU lacks it or `NDKERN_SIMD` caps the
/// level), `T` is neither `f32` nor `f64`, or `w < 2`.
pub(crate) fn running_sums_avx512<T: Element + 'static>(
    ext: &[T],
    w: usize,
    inv: f64,
    out: &mut [T],
) -> Option<bool> {
    #[cfg(target_arch = "x86_64")]
    {
        use ndkern_core::simd::{x86::running, Avx512};
        use ndkern_core::{downcast_slice, downcast_slice_mut};
        // A 1-wide window is the sample itself: the portable route copies it exactly.
        let (Some(avx512), true) = (Avx512::new(), w >= 2) else {
            return None;
        };
        if let (Some(e), Some(o)) = (downcast_slice::<T, f32>(ext), downcast_slice_mut(out)) {
            Some(running::running_sums_f32(avx512, e, w, inv, o))
        } else if let (Some(e), Some(o)) = (downcast_slice::<T, f64>(ext), downcast_slice_mut(out))
        {
            Some(running::running_sums_f64(avx512, e, w, inv, o))
        } else {
            None
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (ext, w, inv, out);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Direct `f64` window sums, the oracle.
    fn direct<T: Element>(ext: &[T], w: usize, inv: f64, n: usize) -> Vec<f64> {
        (0..n)
            .map(|i| ext[i..i + w].iter().map(|v| v.as_f64()).sum::<f64>() * inv)
            .collect()
    }

    fn check<T: Element>(tol: f64) {
        // Lengths around the block of eight and the anchoring segments.
        for n in [1, 2, 7, 8, 9, 16, 17, 100, 1023, 1024, 1025, 2049, 4000] {
            for w in [2, 3, 9, 31, 64] {
                let ext: Vec<T> = (0..n + w - 1)
                    .map(|i| T::of_f64(1e6 + ((i * 7919) % 1009) as f64 * 0.37))
                    .collect();
                let inv = 1.0 / w as f64;
                let mut out = vec![T::zero(); n];
                let Some(finite) = running_sums_avx512(&ext, w, inv, &mut out) else {
                    return; // no AVX-512 here: the portable route is tested elsewhere
                };
                assert!(finite);
                let mut portable = vec![T::zero(); n];
                running_sums(&ext, w, inv, &mut portable);
                let want = direct(&ext, w, inv, n);
                for i in 0..n {
                    let (a, p) = (out[i].as_f64(), portable[i].as_f64());
                    assert!(
                        (a - want[i]).abs() <= tol * want[i].abs(),
                        "n {n} w {w} i {i}"
                    );
                    assert!((a - p).abs() <= tol * want[i].abs(), "n {n} w {w} i {i}");
                }
            }
        }
    }

    #[test]
    fn agrees_with_direct_sums_f64() {
        check::<f64>(1e-13);
    }

    #[test]
    fn agrees_with_direct_sums_f32() {
        // One rounding to f32 (the f64 sums agree far below that).
        check::<f32>(1.2e-7);
    }

    #[test]
    fn reports_non_finite_lines() {
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            for pos in [0, 5, 40, 1030, 2999] {
                let (n, w) = (3000, 31);
                let mut ext = vec![1.0f64; n + w - 1];
                ext[pos] = bad;
                let mut out = vec![0.0; n];
                if let Some(finite) = running_sums_avx512(&ext, w, 1.0, &mut out) {
                    assert!(!finite, "{bad} at {pos}");
                }
            }
        }
        let mut out = vec![0.0f32; 10];
        let ext = vec![2.0f32; 12];
        if let Some(finite) = running_sums_avx512(&ext, 3, 1.0, &mut out) {
            assert!(finite);
            assert!(out.iter().all(|&v| v == 6.0));
        }
    }
}
