//! Exact evaluation: the whitened kernel sum (SIMD, with a branch-free exp) and the normal
//! CDF behind `integrate_box_1d`.

use ndarray::{Array1, ArrayBase, Data, Ix2};
use ndkern_core::f64x8;
use ndkern_core::{Element, Error, Result};
use rayon::prelude::*;

use super::{sorted_pairs, GaussianKde, Weights, CUTOFF};

/// `exp(x)` for `x <= 0`, eight lanes, without `wide`'s special-case branches and selects
/// (the kernel sum's arguments are never positive, NaN or infinite-and-positive): `x` is
/// clamped at -708 (so far samples add `exp(-708) = 3e-308` instead of 0: absolute, and
/// below any density worth reporting), `x = k ln2 + r` with `|r| <= ln2 / 2` by a two-part
/// `ln2`, `exp(r)` by its degree-13 Taylor polynomial (truncation `< 4e-18`) in Estrin form,
/// and `2^k` built in the exponent bits. Within 2 ulp of `f64::exp` (unit test).
#[inline(always)]
fn exp_nonpos(x: f64x8) -> f64x8 {
    let x = x.max(f64x8::splat(-708.0));
    let k = (x * f64x8::splat(std::f64::consts::LOG2_E)).round();
    let r = k.mul_neg_add(f64x8::splat(0.693_145_751_953_125), x);
    let r = k.mul_neg_add(f64x8::splat(1.428_606_820_309_417_2e-6), r);
    let c = |n: u32| f64x8::splat(1.0 / (1..=n).map(f64::from).product::<f64>());
    let (r2, one) = (r * r, f64x8::splat(1.0));
    let r4 = r2 * r2;
    let r8 = r4 * r4;
    let lo = r4.mul_add(
        r2.mul_add(r.mul_add(c(7), c(6)), r.mul_add(c(5), c(4))),
        r2.mul_add(r.mul_add(c(3), c(2)), r + one),
    );
    let hi = r4.mul_add(
        r.mul_add(c(13), c(12)),
        r2.mul_add(r.mul_add(c(11), c(10)), r.mul_add(c(9), c(8))),
    );
    let p = r8.mul_add(hi, lo);
    let biased = (k + f64x8::splat(1023.0 + 4_503_599_627_370_496.0)).to_bits();
    let two_k = f64x8::from_bits(biased.map(|b| b << 52));
    p * two_k
}

ndkern_core::multiversion! {
    /// `sum_i w_i exp(-|z_i - zp|^2 / 2)` over samples stored as `D` coordinate rows, eight
    /// samples per step in one `f64x8` (one AVX-512 or two AVX2 vectors at those dispatched
    /// levels) with [`exp_nonpos`], which dominates the cost; `D` is a constant so the coordinate
    /// loop unrolls.
    fn kernel_sum[const D: usize](zp: [f64; D], z: [&[f64]; D], w: &[f64]) -> f64 {
        let p = zp.map(f64x8::splat);
        let half = f64x8::splat(-0.5);
        let mut acc = f64x8::splat(0.0);
        let n = w.len();
        let body = n - n % 8;
        let lane =
            |s: &[f64], i: usize| f64x8::from(<[f64; 8]>::try_from(&s[i..i + 8]).expect("8 lanes"));
        for i in (0..body).step_by(8) {
            let mut q = f64x8::splat(0.0);
            for (row, &pk) in z.iter().zip(&p) {
                let d = lane(row, i) - pk;
                q = d.mul_add(d, q);
            }
            acc = exp_nonpos(q * half).mul_add(lane(w, i), acc);
        }
        let mut s = acc.reduce_add();
        for i in body..n {
            let q: f64 = z
                .iter()
                .zip(&zp)
                .map(|(row, &pk)| (row[i] - pk) * (row[i] - pk))
                .sum();
            s += w[i] * (-0.5 * q).exp();
        }
        s
    }
}

/// Standard normal CDF, accurate to ~1e-16 absolute (series for |x| < 3, continued fraction
/// for the tails).
pub(crate) fn normal_cdf(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x.is_infinite() {
        return if x > 0.0 { 1.0 } else { 0.0 };
    }
    let t = x / std::f64::consts::SQRT_2;
    if t.abs() < 3.0 {
        0.5 * (1.0 + erf_series(t))
    } else if t > 0.0 {
        1.0 - 0.5 * erfc_cf(t)
    } else {
        0.5 * erfc_cf(-t)
    }
}

/// erf by its Maclaurin series (|t| < 3: terms peak near 1e3, so ~1e-13 relative to 1).
fn erf_series(t: f64) -> f64 {
    // erf t = 2/sqrt(pi) exp(-t^2) sum_k 2^k t^(2k+1) / (1*3*...*(2k+1)), all terms positive.
    let t2 = t * t;
    let mut term = t;
    let mut sum = t;
    let mut k = 0.0;
    while term.abs() > 1e-17 * sum.abs() {
        k += 1.0;
        term *= 2.0 * t2 / (2.0 * k + 1.0);
        sum += term;
    }
    2.0 / std::f64::consts::PI.sqrt() * (-t2).exp() * sum
}

/// erfc by its continued fraction (t >= 3), modified Lentz.
fn erfc_cf(t: f64) -> f64 {
    // erfc t = exp(-t^2)/sqrt(pi) * 1/(t + (1/2)/(t + 1/(t + (3/2)/(t + 2/(t + ...)))))
    let tiny = 1e-300;
    let mut f = t;
    let mut c = t;
    let mut d = 0.0;
    for k in 1..200 {
        let a = k as f64 * 0.5;
        d = t + a * d;
        d = if d.abs() < tiny { tiny } else { d };
        c = t + a / c;
        c = if c.abs() < tiny { tiny } else { c };
        d = 1.0 / d;
        let delta = c * d;
        f *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    (-t * t).exp() / std::f64::consts::PI.sqrt() / f
}

impl GaussianKde {
    /// Exact density at each column of `points` (`(d, m)`), scipy `kde(points)`. Errors:
    /// wrong number of rows; [`Error::TooLarge`] when the output and the f64 copies of the
    /// points (sized like `points`, which may be a huge stride-0 broadcast view) do not fit.
    pub fn evaluate<T: Element, S: Data<Elem = T>>(
        &self,
        points: &ArrayBase<S, Ix2>,
    ) -> Result<Array1<f64>> {
        if points.nrows() != self.d {
            return Err(Error::ShapeMismatch {
                expected: vec![self.d, points.ncols()],
                got: points.shape().to_vec(),
            });
        }
        // Per point: its f64 copy (a Vec: 3 words of header and d values) and one output value.
        ndkern_core::check_alloc::<f64>(
            "the KDE's f64 copies of the points and its output",
            ndkern_core::checked_len("KDE evaluation points", &[points.ncols(), self.d + 4])?,
        )?;
        let cols: Vec<Vec<f64>> = points
            .columns()
            .into_iter()
            .map(|c| c.iter().map(|v| v.as_f64()).collect())
            .collect();
        let sorted = (self.d == 1).then(|| {
            self.sorted
                .get_or_init(|| sorted_pairs(&self.z[0], &self.w))
        });
        let w2 = if self.d == 2 {
            self.w.to_vec(self.n)
        } else {
            vec![]
        };
        let out: Vec<f64> = cols
            .par_iter()
            .map(|p| {
                if p.iter().any(|v| v.is_nan()) {
                    return f64::NAN;
                }
                if (self.d == 1 && !self.inside(p[0])) || p.iter().any(|v| v.is_infinite()) {
                    // Outside the bounds, or infinitely far from every sample (scipy:
                    // exp(-inf) = 0; the SIMD exp would leave exp(-708) per sample).
                    return 0.0;
                }
                let zp = self.whiten(p);
                if self.d == 1 {
                    // Sorted samples: only those within CUTOFF contribute.
                    let (z, w) = sorted.expect("1-D");
                    let a = z.partition_point(|&v| v < zp[0] - CUTOFF);
                    let b = z.partition_point(|&v| v <= zp[0] + CUTOFF);
                    return self.norm * kernel_sum([zp[0]], [&z[a..b]], &w[a..b]);
                }
                let rows: Vec<&[f64]> = self.z.iter().map(|r| r.as_slice()).collect();
                if let Some(bx) = self.box2 {
                    if (0..2).any(|k| p[k] < bx[k].0 || p[k] > bx[k].1) {
                        return 0.0;
                    }
                    let mut total = 0.0;
                    for x0 in Self::images(p[0], bx[0]) {
                        for x1 in Self::images(p[1], bx[1]) {
                            let zi = self.whiten(&[x0, x1]);
                            total += kernel_sum([zi[0], zi[1]], [rows[0], rows[1]], &w2);
                        }
                    }
                    return self.norm * total;
                }
                self.norm * kernel_sum([zp[0], zp[1]], [rows[0], rows[1]], &w2)
            })
            .collect();
        Ok(Array1::from(out))
    }

    /// 1-D exact density at each of `x`. Errors: the KDE is not 1-D.
    ///
    /// ```
    /// use ndarray::array;
    /// use ndkern_signal::{Bandwidth, GaussianKde};
    /// let kde = GaussianKde::new_1d(&array![-1.0f64, 1.0], Bandwidth::Factor(1.0), None).unwrap();
    /// let p = kde.evaluate_1d(&[0.0]).unwrap();
    /// let s = 2f64.sqrt(); // data std of [-1, 1]
    /// let want = (-0.5f64 / (s * s)).exp() / (s * (2.0 * std::f64::consts::PI).sqrt());
    /// assert!((p[0] - want).abs() < 1e-15);
    /// ```
    pub fn evaluate_1d(&self, x: &[f64]) -> Result<Array1<f64>> {
        let v = ndarray::ArrayView2::from_shape((1, x.len()), x).expect("1 x m");
        self.evaluate(&v)
    }

    /// scipy `kde.integrate_box_1d(lo, hi)`: the probability mass in `[lo, hi]` (with
    /// reflection, of the bounded density). Returns NaN for a 2-D KDE or a NaN bound.
    pub fn integrate_box_1d(&self, lo: f64, hi: f64) -> f64 {
        if self.d != 1 {
            return f64::NAN;
        }
        if lo.is_nan() || hi.is_nan() {
            return f64::NAN;
        }
        let (lo, hi) = match self.bounds {
            Some((a, b)) => (ndkern_core::nan_max(lo, a), ndkern_core::nan_min(hi, b)),
            None => (lo, hi),
        };
        if hi <= lo {
            return 0.0;
        }
        let s = self.chol[0];
        let (zl, zh) = (lo / s, hi / s);
        let mass = |z: f64| normal_cdf(zh - z) - normal_cdf(zl - z);
        match &self.w {
            Weights::Uniform(u) => u * self.z[0].iter().map(|&z| mass(z)).sum::<f64>(),
            Weights::Each(w) => self.z[0].iter().zip(w).map(|(&z, &w)| w * mass(z)).sum(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The branch-free exp against `f64::exp` on a dense sweep of `[-708, 0]`, the
    /// reduction's boundaries `(k + 1/2) ln2`, and the clamp below -708.
    #[test]
    fn exp_nonpos_within_2_ulp() {
        let ln2 = std::f64::consts::LN_2;
        let mut xs: Vec<f64> = (0..=200_000)
            .map(|i| -708.0 * i as f64 / 200_000.0)
            .collect();
        for k in 0..1021 {
            let b = -(k as f64 + 0.5) * ln2;
            xs.extend([b, b.next_up(), b.next_down()]);
        }
        xs.extend([0.0, -0.0, -1e-300, -5e-324, -1e-17]);
        for ch in xs.chunks(8) {
            let mut v = [0.0; 8];
            v[..ch.len()].copy_from_slice(ch);
            let got = exp_nonpos(f64x8::from(v)).to_array();
            for (&x, &g) in v.iter().zip(&got) {
                let want = x.exp();
                let ulp = want.next_up() - want;
                assert!((g - want).abs() <= 2.0 * ulp, "x = {x}: {g} vs {want}");
            }
        }
        for x in [-708.5, -745.0, -1e5, f64::NEG_INFINITY] {
            let got = exp_nonpos(f64x8::splat(x)).to_array()[0];
            assert!(
                (0.0..=(-708f64).exp() * (1.0 + 1e-15)).contains(&got),
                "{x}: {got}"
            );
        }
    }
}
