//! Layer 1: every SIMD slice kernel against its naive twin in `reference`, for every length
//! `0..=3*LANES+1` (plus lengths around the pairwise leaf and the parallel split), both dtypes,
//! with values chosen so that any lost, doubled or misplaced element changes the answer.

use ndkern_core::testing::{allclose, Rng};
use ndkern_core::{reference, BorderMode, Element};

/// Deterministic, distinct, mixed-sign values (no two elements alike, none zero).
fn data<T: Element>(n: usize, seed: u64) -> Vec<T> {
    let mut g = Rng::new(seed);
    (0..n)
        .map(|i| T::of_f64((g.unit() - 0.4) * 10.0 + i as f64 * 1e-3))
        .collect()
}

fn lengths<T: Element>() -> Vec<usize> {
    let mut v: Vec<usize> = (0..=3 * T::LANES + 1).collect();
    v.extend([15, 16, 17, 31, 32, 33, 100, 2047, 2048, 2049, 4097, 10_000]);
    v
}

fn check_reductions<T: Element>() {
    for n in lengths::<T>() {
        let x = data::<T>(n, n as u64);
        let y = data::<T>(n, n as u64 + 1000);
        let scale = x.iter().map(|v| v.as_f64().abs()).sum::<f64>() + 1.0;
        // Both sides accumulate in f64; the naive twin's error bound is gamma_n = n*eps times
        // the sum of |terms| (Higham 4.3), the pairwise one's is smaller.
        let tol = (n as f64 + 2.0) * f64::EPSILON;
        assert!(
            allclose(
                &[ndkern_core::sum(&x)],
                &[reference::sum(&x)],
                0.0,
                tol * scale.max(1.0)
            )
            .is_ok(),
            "sum n={n}"
        );
        let s2: f64 = x.iter().map(|v| v.as_f64().powi(2)).sum();
        assert!(
            allclose(
                &[ndkern_core::sum_sq(&x)],
                &[reference::sum_sq(&x)],
                0.0,
                tol * s2.max(1.0)
            )
            .is_ok(),
            "sum_sq n={n}"
        );
        let c = 0.37;
        let (d, d2) = ndkern_core::sum_dev(&x, c);
        let (rd, rd2) = reference::sum_dev(&x, c);
        assert!(
            allclose(&[d], &[rd], 0.0, tol * scale.max(1.0)).is_ok()
                && allclose(&[d2], &[rd2], 0.0, tol * (s2 + scale).max(1.0)).is_ok(),
            "sum_dev n={n}"
        );
        let sxy: f64 = x
            .iter()
            .zip(&y)
            .map(|(a, b)| (a.as_f64() * b.as_f64()).abs())
            .sum();
        let dot = ndkern_core::dot(&x, &y).unwrap();
        assert!(
            allclose(&[dot], &[reference::dot(&x, &y)], 0.0, tol * sxy.max(1.0)).is_ok(),
            "dot n={n}"
        );
        // min/max are exact.
        assert_eq!(ndkern_core::min(&x), reference::min(&x), "min n={n}");
        assert_eq!(ndkern_core::max(&x), reference::max(&x), "max n={n}");
    }
}

#[test]
fn reductions_match_reference_f32() {
    check_reductions::<f32>();
}

#[test]
fn reductions_match_reference_f64() {
    check_reductions::<f64>();
}

fn check_nan_anywhere<T: Element>() {
    for n in 1..=3 * T::LANES + 1 {
        for pos in 0..n {
            let mut x = data::<T>(n, 7);
            x[pos] = T::nan();
            assert!(
                ndkern_core::min(&x).unwrap().is_nan(),
                "min NaN at {pos} of {n}"
            );
            assert!(
                ndkern_core::max(&x).unwrap().is_nan(),
                "max NaN at {pos} of {n}"
            );
            assert!(ndkern_core::sum(&x).is_nan(), "sum NaN at {pos} of {n}");
        }
    }
}

#[test]
fn nan_propagates_from_every_position() {
    check_nan_anywhere::<f32>();
    check_nan_anywhere::<f64>();
}

fn check_elementwise<T: Element>() {
    for n in lengths::<T>() {
        let x = data::<T>(n, 3);
        let y = data::<T>(n, 4);
        let a = T::of_f64(-1.75);
        let mut out = vec![T::zero(); n];
        ndkern_core::scale(a, &x, &mut out).unwrap();
        assert_eq!(out, reference::scale(a, &x), "scale n={n}");
        let mut yy = y.clone();
        ndkern_core::axpy(a, &x, &mut yy).unwrap();
        // FMA rounds once, the reference twice: one rounding of tolerance per element.
        for (i, (&g, &r)) in yy.iter().zip(&reference::axpy(a, &x, &y)).enumerate() {
            let tol = T::epsilon().as_f64() * (a * x[i]).abs().as_f64().max(y[i].abs().as_f64());
            assert!(
                (g.as_f64() - r.as_f64()).abs() <= 2.0 * tol,
                "axpy n={n} i={i}"
            );
        }
        let mut acc = vec![0.5f64; n];
        ndkern_core::accumulate(&mut acc, &x).unwrap();
        ndkern_core::accumulate_sq(&mut acc, &y).unwrap();
        let center: Vec<f64> = (0..n).map(|i| i as f64 * 0.1).collect();
        ndkern_core::accumulate_dev_sq(&mut acc, &x, &center).unwrap();
        for i in 0..n {
            let (xv, yv) = (x[i].as_f64(), y[i].as_f64());
            let want = 0.5 + xv + yv * yv + (xv - center[i]).powi(2);
            assert!(
                allclose(&[acc[i]], &[want], 0.0, 1e-15 * want.abs().max(1.0)).is_ok(),
                "accumulate n={n} i={i}"
            );
        }
        let mut p = vec![T::zero(); n];
        ndkern_core::prefix_sum(&x, &mut p).unwrap();
        let rp = reference::prefix_sum(&x);
        // One rounding to T of each side, plus the naive f64 twin's gamma_n bound.
        let mut abs_sum = 0.0;
        for i in 0..n {
            abs_sum += x[i].as_f64().abs();
            let tol = 2.0 * T::epsilon().as_f64() * rp[i].as_f64().abs()
                + (i as f64 + 2.0) * f64::EPSILON * abs_sum;
            assert!(
                (p[i].as_f64() - rp[i].as_f64()).abs() <= tol,
                "prefix n={n} i={i}"
            );
        }
    }
}

#[test]
fn elementwise_match_reference() {
    check_elementwise::<f32>();
    check_elementwise::<f64>();
}

#[test]
fn length_mismatches_are_errors() {
    let x = [1.0f64, 2.0, 3.0];
    let mut short = [0.0f64; 2];
    assert!(ndkern_core::scale(2.0, &x, &mut short).is_err());
    assert!(ndkern_core::axpy(2.0, &x, &mut short).is_err());
    assert!(ndkern_core::dot(&x, &short).is_err());
    assert!(ndkern_core::prefix_sum(&x, &mut short).is_err());
    let mut acc = [0.0f64; 2];
    assert!(ndkern_core::accumulate(&mut acc, &x).is_err());
    assert!(ndkern_core::window_sum(&x, 0, &mut [0.0; 3]).is_err());
    assert!(ndkern_core::window_sum(&x, 2, &mut [0.0; 3]).is_err());
}

fn check_window<T: Element>() {
    for n in lengths::<T>() {
        let x = data::<T>(n, 11);
        for w in 1..=(2 * T::LANES + 1).min(n.max(1)) {
            let n_out = (n + 1).saturating_sub(w);
            let mut out = vec![T::zero(); n_out];
            ndkern_core::window_sum(&x, w, &mut out).unwrap();
            let r = reference::window_sum(&x, w);
            assert_eq!(out.len(), r.len());
            // One rounding to T of each side plus a few f64 roundings of the largest window
            // magnitude the running sum passed through (DESIGN: relative to max |ref|).
            let mag = w as f64 * x.iter().fold(0.0f64, |m, v| m.max(v.as_f64().abs()));
            for (i, (&g, &e)) in out.iter().zip(&r).enumerate() {
                let tol = 2.0 * T::epsilon().as_f64() * e.as_f64().abs() + 8.0 * f64::EPSILON * mag;
                assert!(
                    (g.as_f64() - e.as_f64()).abs() <= tol,
                    "window n={n} w={w} i={i}"
                );
            }
        }
    }
}

#[test]
fn window_sum_matches_reference_every_length_and_width() {
    check_window::<f32>();
    check_window::<f64>();
}

#[test]
fn window_sum_nan_and_inf_stay_inside_their_windows() {
    let n = 3000;
    let mut x: Vec<f64> = (0..n).map(|i| (i % 7) as f64).collect();
    x[100] = f64::NAN;
    x[2000] = f64::INFINITY;
    x[2002] = f64::NEG_INFINITY;
    let w = 5;
    let mut out = vec![0.0; n - w + 1];
    ndkern_core::window_sum(&x, w, &mut out).unwrap();
    for (i, &o) in out.iter().enumerate() {
        let win = &x[i..i + w];
        let want: f64 = win.iter().sum(); // IEEE semantics of the plain sum
        if want.is_nan() {
            assert!(o.is_nan(), "window {i} should be NaN");
        } else {
            assert_eq!(o, want, "window {i}");
        }
    }
    // The NaN at 100 must not leak past its last window (index 100).
    assert!(out[101..1995].iter().all(|v| v.is_finite()));
}

#[test]
fn window_sum_does_not_drift_on_1e7_f32_line() {
    // A running sum in f32 (or an un-anchored one) drifts with length; the error here must be
    // the same at the end of a 1e7 line as at its start.
    let n = 10_000_000;
    let x: Vec<f32> = (0..n)
        .map(|i| ((i * 7919) % 1000) as f32 * 0.001 + 1000.0)
        .collect();
    let w = 31;
    let mut out = vec![0.0f32; n - w + 1];
    ndkern_core::window_sum(&x, w, &mut out).unwrap();
    let exact = |i: usize| x[i..i + w].iter().map(|&v| v as f64).sum::<f64>();
    let err = |i: usize| ((out[i] as f64 - exact(i)) / exact(i)).abs();
    let head = (0..1000).map(err).fold(0.0, f64::max);
    let tail = (n - w + 1 - 1000..n - w + 1).map(err).fold(0.0, f64::max);
    // Both ends: within one f32 rounding of the exact (f64) window sum.
    assert!(head <= f32::EPSILON as f64, "head error {head}");
    assert!(tail <= f32::EPSILON as f64, "tail error {tail}");
}

#[test]
fn border_modes_match_textbook_definitions_for_any_padding() {
    let modes = [
        BorderMode::Constant(-9.0),
        BorderMode::Nearest,
        BorderMode::Reflect,
        BorderMode::Mirror,
        BorderMode::Wrap,
    ];
    for n in 0..=9 {
        let line: Vec<f64> = (0..n).map(|i| i as f64 + 1.0).collect();
        for mode in modes {
            // Padding longer than the line included.
            for (b, a) in [(0, 0), (1, 2), (3, 3), (7, 11), (25, 4)] {
                let mut out = vec![0.0; b + n + a];
                ndkern_core::extend_line(&line, b, a, mode, &mut out).unwrap();
                assert_eq!(
                    out,
                    reference::extend_line(&line, b, a, mode),
                    "{mode:?} n={n} b={b} a={a}"
                );
                if n > 0 {
                    let mut buf = ndkern_core::LineBuffer::new(n, b, a, mode).unwrap();
                    buf.gather(ndarray::ArrayView1::from(&line[..])).unwrap();
                    assert_eq!(buf.extended(), &out[..], "LineBuffer {mode:?} n={n}");
                }
            }
        }
    }
}

#[test]
fn border_modes_match_scipy_doc_examples() {
    // scipy.ndimage docs, line `a b c d` = 1 2 3 4, three samples each side.
    let line = [1.0, 2.0, 3.0, 4.0];
    let cases = [
        (
            BorderMode::Constant(0.0),
            [0., 0., 0., 1., 2., 3., 4., 0., 0., 0.],
        ),
        (
            BorderMode::Nearest,
            [1., 1., 1., 1., 2., 3., 4., 4., 4., 4.],
        ),
        (
            BorderMode::Reflect,
            [3., 2., 1., 1., 2., 3., 4., 4., 3., 2.],
        ),
        (BorderMode::Mirror, [4., 3., 2., 1., 2., 3., 4., 3., 2., 1.]),
        (BorderMode::Wrap, [2., 3., 4., 1., 2., 3., 4., 1., 2., 3.]),
    ];
    for (mode, want) in cases {
        let mut out = [0.0; 10];
        ndkern_core::extend_line(&line, 3, 3, mode, &mut out).unwrap();
        assert_eq!(out, want, "{mode:?}");
    }
    assert!("bogus"
        .parse::<BorderMode>()
        .unwrap_err()
        .to_string()
        .contains("constant, nearest"));
}
