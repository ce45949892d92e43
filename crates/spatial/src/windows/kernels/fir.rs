//! FIR kernels: taps applied to rows (`out[c] = sum_k taps[k] * row(k)[c]`) and to one
//! extended line (the lane route's correlation).
//!
//! Pure functions on slices: the engine decides which rows a window holds.

use ndkern_core::{axpy, Element};

/// The line kernel of a 1-D correlation: `out[i] = sum_j w[j] * ext[i + j]`.
pub(crate) fn correlate_line<T: Element>(ext: &[T], out: &mut [T], w: &[T]) {
    let n = out.len();
    out.iter_mut().for_each(|o| *o = T::zero());
    for (j, &wj) in w.iter().enumerate() {
        axpy(wj, &ext[j..j + n], out).expect("line lengths agree");
    }
}

ndkern_core::multiversion! {
    /// `out[c] = sum_k taps[k] * row(k)[c]`: fused multiply-adds in tap order, four vectors of
    /// columns per step so the taps' loads are the only memory traffic.
    pub(crate) fn fir_rows['r, T: Element](
        row: impl Fn(usize) -> &'r [T],
        taps: &[T],
        out: &mut [T],
    ) {
        let n = out.len();
        let l = T::LANES;
        let z = T::splat(T::zero());
        let mut c = 0;
        while c + 4 * l <= n {
            let (mut a0, mut a1, mut a2, mut a3) = (z, z, z, z);
            for (k, &t) in taps.iter().enumerate() {
                let tv = T::splat(t);
                let r = &row(k)[c..c + 4 * l];
                a0 = T::vmul_add(tv, T::load(r), a0);
                a1 = T::vmul_add(tv, T::load(&r[l..]), a1);
                a2 = T::vmul_add(tv, T::load(&r[2 * l..]), a2);
                a3 = T::vmul_add(tv, T::load(&r[3 * l..]), a3);
            }
            let o = &mut out[c..c + 4 * l];
            T::store(a0, o);
            T::store(a1, &mut o[l..]);
            T::store(a2, &mut o[2 * l..]);
            T::store(a3, &mut o[3 * l..]);
            c += 4 * l;
        }
        while c + l <= n {
            let mut a = z;
            for (k, &t) in taps.iter().enumerate() {
                a = T::vmul_add(T::splat(t), T::load(&row(k)[c..c + l]), a);
            }
            T::store(a, &mut out[c..c + l]);
            c += l;
        }
        for (j, o) in out.iter_mut().enumerate().skip(c) {
            *o = taps
                .iter()
                .enumerate()
                .fold(T::zero(), |a, (k, &t)| t.mul_add(row(k)[j], a));
        }
    }
}
