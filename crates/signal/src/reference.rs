//! Naive scalar versions of the signal kernels, for tests and benches as oracles: direct
//! sums in `f64`, no FFT, no running sums, no shortcuts.

use crate::C64;

/// Naive DFT of a complex sequence (`inverse` flips the sign, unnormalized).
pub fn dft(x: &[C64], inverse: bool) -> Vec<C64> {
    let n = x.len();
    let sign = if inverse { 1.0 } else { -1.0 };
    (0..n)
        .map(|k| {
            x.iter()
                .enumerate()
                .map(|(t, &v)| {
                    let ang = sign * 2.0 * std::f64::consts::PI * ((k * t) % n) as f64 / n as f64;
                    v * C64::new(ang.cos(), ang.sin())
                })
                .sum()
        })
        .collect()
}

/// Full 1-D linear convolution by the definition.
pub fn convolve_full(a: &[f64], b: &[f64]) -> Vec<f64> {
    if a.is_empty() || b.is_empty() {
        return vec![];
    }
    let mut out = vec![0.0; a.len() + b.len() - 1];
    for (i, &x) in a.iter().enumerate() {
        for (j, &y) in b.iter().enumerate() {
            out[i + j] += x * y;
        }
    }
    out
}

/// Linear detrend of one segment by solving the 2x2 normal equations of `x ~ p + q t`.
pub fn detrend_linear(x: &[f64]) -> Vec<f64> {
    let n = x.len() as f64;
    let (mut st, mut stt, mut sx, mut stx) = (0.0, 0.0, 0.0, 0.0);
    for (t, &v) in x.iter().enumerate() {
        let t = t as f64;
        st += t;
        stt += t * t;
        sx += v;
        stx += t * v;
    }
    let det = n * stt - st * st;
    let (p, q) = if det == 0.0 {
        (sx / n, 0.0)
    } else {
        ((stt * sx - st * stx) / det, (n * stx - st * sx) / det)
    };
    x.iter()
        .enumerate()
        .map(|(t, &v)| v - p - q * t as f64)
        .collect()
}

/// pandas rolling statistic by recomputing every window from scratch (`stat`: "sum", "mean",
/// "var", "std"; `ddof` for var/std).
pub fn rolling(
    x: &[f64],
    window: usize,
    min_periods: usize,
    center: bool,
    stat: &str,
    ddof: usize,
) -> Vec<f64> {
    let n = x.len() as isize;
    let w = window as isize;
    let off = if center { (w - 1) / 2 } else { 0 };
    (0..n)
        .map(|i| {
            let a = (i + off - w + 1).clamp(0, n) as usize;
            let b = (i + off + 1).clamp(0, n) as usize;
            let v: Vec<f64> = x[a..b].iter().copied().filter(|v| !v.is_nan()).collect();
            let c = v.len();
            if c < min_periods {
                return f64::NAN;
            }
            let s: f64 = v.iter().sum();
            match stat {
                "sum" => s,
                "mean" => {
                    if c == 0 {
                        f64::NAN
                    } else {
                        s / c as f64
                    }
                }
                _ => {
                    if c <= ddof || v.iter().any(|x| x.is_infinite()) {
                        return f64::NAN;
                    }
                    let m = s / c as f64;
                    let var = v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (c - ddof) as f64;
                    if stat == "std" {
                        var.sqrt()
                    } else {
                        var
                    }
                }
            }
        })
        .collect()
}

/// Pearson's r by the two-pass textbook formula.
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    sxy / (sxx * syy).sqrt()
}

/// Gaussian KDE density of 1-D data at `x` with kernel std `sigma` and normalized weights.
pub fn kde_1d(data: &[f64], weights: &[f64], sigma: f64, x: f64) -> f64 {
    let c = 1.0 / (sigma * (2.0 * std::f64::consts::PI).sqrt());
    data.iter()
        .zip(weights)
        .map(|(&d, &w)| w * c * (-0.5 * ((x - d) / sigma).powi(2)).exp())
        .sum()
}

/// Gaussian KDE density of 2-D data (`x0[i], x1[i]`) at `x` with kernel covariance `cov`
/// (row-major 2 x 2) and normalized weights, by the explicit inverse and determinant.
pub fn kde_2d(x0: &[f64], x1: &[f64], weights: &[f64], cov: [f64; 4], x: [f64; 2]) -> f64 {
    let det = cov[0] * cov[3] - cov[1] * cov[2];
    let inv = [cov[3] / det, -cov[1] / det, -cov[2] / det, cov[0] / det];
    let c = 1.0 / (2.0 * std::f64::consts::PI * det.sqrt());
    x0.iter()
        .zip(x1)
        .zip(weights)
        .map(|((&a, &b), &w)| {
            let (u, v) = (x[0] - a, x[1] - b);
            let q = inv[0] * u * u + (inv[1] + inv[2]) * u * v + inv[3] * v * v;
            w * c * (-0.5 * q).exp()
        })
        .sum()
}
