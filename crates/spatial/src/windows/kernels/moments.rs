//! Two-channel kernels of local moments: the shifted samples `d = x - K` and `d^2` summed
//! together in `f64`, and the final `mean = K + m1`, `var = max(m2 - m1^2, 0)`.
//!
//! Pure functions on rows; the engine's moments sweep decides which rows form a window.

use ndkern_core::Element;

ndkern_core::multiversion! {
    /// Both channel sums of an input row: `a1 += sign * d`, `a2 += sign * d * d` with
    /// `d = x - k` (the leaves below run at the dispatched SIMD level).
    pub(crate) fn add_shifted[T: Element](a1: &mut [f64], a2: &mut [f64], row: &[T], k: f64, sign: f64) {
        for ((p, q), &x) in a1.iter_mut().zip(a2.iter_mut()).zip(row) {
            let d = x.as_f64() - k;
            *p += sign * d;
            *q += sign * (d * d);
        }
    }
}

ndkern_core::multiversion! {
    /// One running step of both channel sums in one pass: with `d = x - k` of the row `add`
    /// entering and `e = y - k` of the row `sub` leaving, `a1 = (a1 + d) - e`,
    /// `a2 = (a2 + d^2) - e^2`, then `o1 = a1 * sc`, `o2 = a2 * sc` (the same values, bit for
    /// bit, as [`add_shifted`] in, [`add_shifted`] out and [`scale_row`] on each channel, with
    /// one load and store of the sums instead of three); false when some sum is not finite.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn step_shifted[T: Element](
        a1: &mut [f64],
        a2: &mut [f64],
        add: &[T],
        sub: &[T],
        k: f64,
        sc: f64,
        o1: &mut [f64],
        o2: &mut [f64],
    ) -> bool {
        let mut ok = true;
        let sums = a1.iter_mut().zip(a2.iter_mut());
        let rows = add.iter().zip(sub);
        let outs = o1.iter_mut().zip(o2.iter_mut());
        for (((p, q), (&x, &y)), (u, v)) in sums.zip(rows).zip(outs) {
            let (d, e) = (x.as_f64() - k, y.as_f64() - k);
            let s1 = (*p + d) - e;
            let s2 = (*q + d * d) - e * e;
            (*p, *q) = (s1, s2);
            ok &= s1.is_finite() & s2.is_finite();
            (*u, *v) = (s1 * sc, s2 * sc);
        }
        ok
    }
}

ndkern_core::multiversion! {
    /// Both channel sums of a buffered slab: `a1 += sign * r1`, `a2 += sign * r2`.
    pub(crate) fn add_rows2(a1: &mut [f64], a2: &mut [f64], r1: &[f64], r2: &[f64], sign: f64) {
        for (p, &x) in a1.iter_mut().zip(r1) {
            *p += sign * x;
        }
        for (q, &x) in a2.iter_mut().zip(r2) {
            *q += sign * x;
        }
    }
}

ndkern_core::multiversion! {
    /// A constant slab: `a1 += v1`, `a2 += v2`.
    pub(crate) fn add_const2(a1: &mut [f64], a2: &mut [f64], v1: f64, v2: f64) {
        a1.iter_mut().for_each(|p| *p += v1);
        a2.iter_mut().for_each(|q| *q += v2);
    }
}

ndkern_core::multiversion! {
    /// `out = a * sc`; false when some sum is not finite.
    pub(crate) fn scale_row(out: &mut [f64], a: &[f64], sc: f64) -> bool {
        let mut ok = true;
        for (o, &v) in out.iter_mut().zip(a) {
            ok &= v.is_finite();
            *o = v * sc;
        }
        ok
    }
}

ndkern_core::multiversion! {
    /// `mean = k + m1`, `var = max(m2 - m1^2, 0)` (NaN stays NaN), rounded to `T`; false when
    /// some output is not finite.
    pub(crate) fn mean_var_row[T: Element](
        mean: &mut [T],
        var: &mut [T],
        m1: &[f64],
        m2: &[f64],
        k: f64,
    ) -> bool {
        let mut ok = true;
        for (((mo, vo), &d1), &d2) in mean.iter_mut().zip(var.iter_mut()).zip(m1).zip(m2) {
            let (m, v) = (T::of_f64(k + d1), d2 - d1 * d1);
            let v = T::of_f64(if v < 0.0 { 0.0 } else { v });
            ok &= m.is_finite() & v.is_finite();
            (*mo, *vo) = (m, v);
        }
        ok
    }
}

ndkern_core::multiversion! {
    /// `e1 = x - k` and `e2 = (x - k)^2` over an extended line whose samples are
    /// `ext[b0..b0 + n0]` (with `shrink`, the border room is 0 in both).
    pub(crate) fn shifted_line[T: Element](
        ext: &[T],
        e1: &mut [f64],
        e2: &mut [f64],
        b0: usize,
        n0: usize,
        shrink: bool,
        k: f64,
    ) {
        for (i, &x) in ext.iter().enumerate() {
            let inside = (b0..b0 + n0).contains(&i);
            let d = if shrink && !inside {
                0.0
            } else {
                x.as_f64() - k
            };
            e1[i] = d;
            e2[i] = d * d;
        }
    }
}
