//! Hostile inputs for every public function of ndkern-core: extreme sizes, NaN/inf, empty and
//! 0-d inputs, huge and tiny magnitudes, bad axes and lengths. Each case asserts an `Err` that
//! says what to change or numpy's value (from the naive oracles below, which follow numpy's
//! formulas: `mean = sum / n`, `var = sum((x - mean)^2) / max(n - ddof, 0)`, NaN-propagating
//! min/max; `norm_l2` is checked against an overflow-safe `hypot` fold, where ndkern is
//! deliberately better than numpy's `sqrt(sum(x*x))`). Run in guarded child processes by
//! `ndkern_core::testing::hostile` (an abort or hang is reported per case).

use ndarray::{Array, ArrayD, ArrayViewD, Axis, IxDyn};
use ndkern_core::testing::hostile::{ensure, err_contains, is_err, ok, Check, Suite};
use ndkern_core::testing::{allclose, Rng};
use ndkern_core::{reduce, Axes, BorderMode, Element, Level};

/// Inputs that break naive code: (name, shape, values).
fn inputs() -> Vec<(&'static str, Vec<usize>, Vec<f64>)> {
    let nan = f64::NAN;
    let inf = f64::INFINITY;
    vec![
        ("empty", vec![0], vec![]),
        ("empty 0x3", vec![0, 3], vec![]),
        ("empty 3x0", vec![3, 0], vec![]),
        ("0-d", vec![], vec![2.5]),
        ("one nan", vec![3], vec![nan, 1.0, 2.0]),
        ("inf and -inf", vec![2], vec![inf, -inf]),
        ("inf", vec![2], vec![inf, 1.0]),
        ("near max", vec![2], vec![1e308, 1e308]),
        ("max and -max", vec![3], vec![1e308, -1e308, 1e308]),
        ("subnormal", vec![3], vec![1e-320, 1e-320, 3e-320]),
        (
            "huge and tiny",
            vec![2, 2],
            vec![1e300, 1e-300, -1e300, 3.0],
        ),
        ("nan row", vec![2, 3], vec![nan, nan, nan, 1.0, 2.0, 3.0]),
        ("zeros", vec![2, 2], vec![0.0, -0.0, 0.0, 0.0]),
    ]
}

type Oracle = fn(&[f64]) -> Option<f64>;

fn o_sum(g: &[f64]) -> Option<f64> {
    Some(g.iter().sum())
}
fn o_mean(g: &[f64]) -> Option<f64> {
    Some(g.iter().sum::<f64>() / g.len() as f64)
}
fn var_ddof(g: &[f64], ddof: usize) -> f64 {
    let m = g.iter().sum::<f64>() / g.len() as f64;
    g.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / g.len().saturating_sub(ddof) as f64
}
/// The variance without numpy's intermediate overflow (mean of `x / n`): `[1e308, 1e308]`
/// has variance 0, where numpy's `sum / n` mean overflows and gives inf. ndkern may give
/// either (its short-row path is shifted by the first element and gets 0).
fn var_scaled(g: &[f64], ddof: usize) -> f64 {
    let m: f64 = g.iter().map(|x| x / g.len() as f64).sum();
    g.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / g.len().saturating_sub(ddof) as f64
}
fn o_var0_scaled(g: &[f64]) -> Option<f64> {
    Some(var_scaled(g, 0))
}
fn o_var1_scaled(g: &[f64]) -> Option<f64> {
    Some(var_scaled(g, 1))
}
fn o_std1_scaled(g: &[f64]) -> Option<f64> {
    Some(var_scaled(g, 1).sqrt())
}
fn o_var0(g: &[f64]) -> Option<f64> {
    Some(var_ddof(g, 0))
}
fn o_var1(g: &[f64]) -> Option<f64> {
    Some(var_ddof(g, 1))
}
fn o_std1(g: &[f64]) -> Option<f64> {
    Some(var_ddof(g, 1).sqrt())
}
fn o_norm(g: &[f64]) -> Option<f64> {
    Some(g.iter().fold(0.0f64, |a, &x| a.hypot(x)))
}
fn o_min(g: &[f64]) -> Option<f64> {
    if g.is_empty() {
        return None;
    }
    Some(g.iter().copied().fold(f64::INFINITY, |a, x| {
        if a.is_nan() || x.is_nan() {
            f64::NAN
        } else {
            a.min(x)
        }
    }))
}
fn o_max(g: &[f64]) -> Option<f64> {
    o_min(&g.iter().map(|x| -x).collect::<Vec<_>>()).map(|v| -v)
}
fn o_count(g: &[f64]) -> Option<f64> {
    Some(g.iter().filter(|&&x| x != 0.0).count() as f64)
}

/// The oracle over `axis` (None: all) of a C-order array, numpy's output shape.
fn oracle_reduce(a: &ArrayD<f64>, axis: Option<usize>, f: Oracle) -> Option<ArrayD<f64>> {
    match axis {
        None => f(&a.iter().copied().collect::<Vec<_>>()).map(|v| Array::from_elem(IxDyn(&[]), v)),
        Some(ax) => {
            let mut shape = a.shape().to_vec();
            shape.remove(ax);
            let lanes: Vec<Option<f64>> = a
                .lanes(Axis(ax))
                .into_iter()
                .map(|l| f(&l.iter().copied().collect::<Vec<_>>()))
                .collect();
            if lanes.iter().any(Option::is_none) {
                return None;
            }
            Some(
                Array::from_shape_vec(IxDyn(&shape), lanes.into_iter().flatten().collect())
                    .unwrap(),
            )
        }
    }
}

fn as_f64<T: Element>(r: &ArrayD<T>) -> Vec<f64> {
    r.iter().map(|v| v.as_f64()).collect()
}

/// Compares one reduction of `a` (as `T`) over `axis` with the oracle: `Err` from ndkern
/// exactly where the oracle has no value (min/max of nothing), else allclose.
fn check_reduction<T: Element>(op: &str, a64: &ArrayD<f64>, axis: Option<usize>) -> Check {
    let a: ArrayD<T> = a64.mapv(T::of_f64);
    // the oracle sees the values the kernel sees (f32 rounding included)
    let seen: ArrayD<f64> = a.mapv(|v| v.as_f64());
    let axes = || axis.map_or(Axes::all(), Axes::from);
    let (got, oracle): (Result<Vec<f64>, String>, Oracle) = match op {
        "sum" => (
            reduce::sum(&a, axes())
                .map(|r| as_f64(&r))
                .map_err(|e| e.to_string()),
            o_sum,
        ),
        "mean" => (
            reduce::mean(&a, axes())
                .map(|r| as_f64(&r))
                .map_err(|e| e.to_string()),
            o_mean,
        ),
        "var0" => (
            reduce::var(&a, axes(), 0)
                .map(|r| as_f64(&r))
                .map_err(|e| e.to_string()),
            o_var0,
        ),
        "var1" => (
            reduce::var(&a, axes(), 1)
                .map(|r| as_f64(&r))
                .map_err(|e| e.to_string()),
            o_var1,
        ),
        "std1" => (
            reduce::std(&a, axes(), 1)
                .map(|r| as_f64(&r))
                .map_err(|e| e.to_string()),
            o_std1,
        ),
        "norm_l2" => (
            reduce::norm_l2(&a, axes())
                .map(|r| as_f64(&r))
                .map_err(|e| e.to_string()),
            o_norm,
        ),
        "min" => (
            reduce::min(&a, axes())
                .map(|r| as_f64(&r))
                .map_err(|e| e.to_string()),
            o_min,
        ),
        "max" => (
            reduce::max(&a, axes())
                .map(|r| as_f64(&r))
                .map_err(|e| e.to_string()),
            o_max,
        ),
        "count_nonzero" => (
            reduce::count_nonzero(&a, axes())
                .map(|r| r.iter().map(|&c| c as f64).collect())
                .map_err(|e| e.to_string()),
            o_count,
        ),
        _ => unreachable!(),
    };
    let want = oracle_reduce(&seen, axis, oracle);
    let alternative: Option<Oracle> = match op {
        "var0" => Some(o_var0_scaled),
        "var1" => Some(o_var1_scaled),
        "std1" => Some(o_std1_scaled),
        _ => None,
    };
    if let (Ok(g), Some(alt)) = (&got, alternative) {
        if let Some(w) = oracle_reduce(&seen, axis, alt) {
            let w: Vec<f64> = w.iter().map(|&v| T::of_f64(v).as_f64()).collect();
            let rtol = if T::DTYPE == "float32" { 2e-6 } else { 1e-12 };
            if allclose(g, &w, rtol, 0.0).is_ok() {
                return Ok(());
            }
        }
    }
    match (got, want) {
        (Err(e), None) => ensure(e.contains("empty"), format!("unhelpful message {e:?}")),
        (Err(e), Some(_)) => Err(format!("Err {e:?} where numpy has a value")),
        (Ok(g), None) => Err(format!("Ok {g:?} where numpy raises (empty selection)")),
        (Ok(g), Some(w)) => {
            let w: Vec<f64> = w.iter().map(|&v| T::of_f64(v).as_f64()).collect();
            let rtol = if T::DTYPE == "float32" { 2e-6 } else { 1e-12 };
            allclose(&g, &w, rtol, 0.0).map_err(|m| format!("{m}; got {g:?}, want {w:?}"))
        }
    }
}

fn reduction_cases(s: &mut Suite) {
    let ops = [
        "sum",
        "mean",
        "var0",
        "var1",
        "std1",
        "norm_l2",
        "min",
        "max",
        "count_nonzero",
    ];
    for (name, shape, vals) in inputs() {
        let a = Array::from_shape_vec(IxDyn(&shape), vals).unwrap();
        let mut axes: Vec<Option<usize>> = vec![None];
        axes.extend((0..shape.len()).map(Some));
        for &op in &ops {
            for &axis in &axes {
                for f32 in [false, true] {
                    let a = a.clone();
                    let label = format!(
                        "reduce {op} of {name} axis {} {}",
                        axis.map_or("all".into(), |x| x.to_string()),
                        if f32 { "f32" } else { "f64" }
                    );
                    s.case(label, move || {
                        if f32 {
                            check_reduction::<f32>(op, &a, axis)
                        } else {
                            check_reduction::<f64>(op, &a, axis)
                        }
                    });
                }
            }
        }
    }
}

fn axis_cases(s: &mut Suite) {
    let a = || Array::from_shape_fn((2, 3), |(i, j)| (i * 3 + j) as f64);
    s.case("axis usize::MAX is out of range, not -1", move || {
        err_contains(reduce::sum(&a(), usize::MAX), "out of range")
    });
    s.case("axis isize::MIN", move || {
        err_contains(reduce::mean(&a(), isize::MIN), "out of range")
    });
    s.case("axis isize::MAX", move || {
        err_contains(reduce::var(&a(), isize::MAX, 0), "out of range")
    });
    s.case("axis 2 of a 2-d array", move || {
        err_contains(reduce::max(&a(), 2), "axis 2")
    });
    s.case("axis -3 of a 2-d array", move || {
        err_contains(reduce::min(&a(), -3), "axis -3")
    });
    s.case("axis of a 0-d array", || {
        err_contains(reduce::sum(&ndarray::arr0(1.0f64), 0), "out of range")
    });
    s.case("repeated axes [0, -2]", move || {
        err_contains(reduce::sum(&a(), [0isize, -2]), "more than once")
    });
    s.case("usize axes vec with usize::MAX", move || {
        err_contains(reduce::sum(&a(), vec![0usize, usize::MAX]), "out of range")
    });
    s.case("Axis(usize::MAX)", move || {
        err_contains(reduce::sum(&a(), Axis(usize::MAX)), "out of range")
    });
    s.case("empty axis list reduces nothing", move || {
        let r = ok(reduce::sum(&a(), Vec::<isize>::new()))?;
        ensure(r == a().into_dyn(), format!("{r:?}"))
    });
    s.case("keepdims over all axes of an empty array", || {
        let e = Array::<f64, _>::zeros((0, 4));
        let r = ok(reduce::sum(&e, Axes::all().keepdims()))?;
        ensure(r.shape() == [1, 1] && r[[0, 0]] == 0.0, format!("{r:?}"))
    });
    s.case("min of an empty axis with keepdims", || {
        let e = Array::<f64, _>::zeros((3, 0));
        err_contains(reduce::min(&e, Axes::from(1).keepdims()), "empty")
    });
    s.case(
        "min over the non-empty axis of a (0, 4) array is empty, not an error",
        || {
            let e = Array::<f64, _>::zeros((0, 4));
            err_contains(reduce::min(&e, 0), "empty")?;
            let r = ok(reduce::min(&e, 1))?;
            ensure(r.shape() == [0], format!("{r:?}"))
        },
    );
    s.case("sum_into with a wrong output shape", move || {
        let mut out = ArrayD::<f64>::zeros(IxDyn(&[2]));
        err_contains(reduce::sum_into(&a(), 0, out.view_mut()), "shape")
    });
    s.case("var_into with a 0-d output for a 1-d result", move || {
        let mut out = ArrayD::<f64>::zeros(IxDyn(&[]));
        is_err(reduce::var_into(&a(), 1, 0, out.view_mut()))
    });
    s.case(
        "var with ddof usize::MAX divides by zero like numpy",
        move || {
            let r = ok(reduce::var(&a(), 1, usize::MAX))?;
            ensure(r.iter().all(|v| v.is_infinite()), format!("{r:?}"))
        },
    );
    s.case("std of a single element with ddof 1 is NaN", || {
        let r = ok(reduce::std(&ndarray::arr1(&[4.0f32]), 0, 1))?;
        ensure(r[[]].is_nan(), format!("{r:?}"))
    });
    s.case("reduction of a transposed, negatively strided view", || {
        let base = Array::from_shape_fn((3, 4), |(i, j)| (i * 10 + j) as f64);
        let v = base.t();
        let v = v.slice(ndarray::s![..;-1, ..]);
        let r = ok(reduce::sum(&v, 1))?;
        let want: Vec<f64> = (0..4)
            .rev()
            .map(|j| (0..3).map(|i| (i * 10 + j) as f64).sum())
            .collect();
        ensure(
            r.iter().copied().eq(want.iter().copied()),
            format!("{r:?} vs {want:?}"),
        )
    });
    s.case("size-1 axes everywhere", || {
        let a = Array::from_elem(IxDyn(&[1, 1, 1, 1]), 3.0f64);
        let r = ok(reduce::var(&a, [1usize, 3], 0))?;
        ensure(r.shape() == [1, 1] && r[[0, 0]] == 0.0, format!("{r:?}"))
    });
    s.case("broadcast (stride 0) view", || {
        let row = ndarray::arr1(&[1.0f64, 2.0, 3.0]);
        let b = row.broadcast((1000, 3)).unwrap();
        let r = ok(reduce::mean(&b, 0))?;
        ensure(r.iter().copied().eq([1.0, 2.0, 3.0]), format!("{r:?}"))
    });
}

fn naive_windows(x: &[f64], w: usize) -> Vec<f64> {
    if w > x.len() {
        return vec![];
    }
    (0..=x.len() - w)
        .map(|i| x[i..i + w].iter().sum())
        .collect()
}

fn window_cases(s: &mut Suite) {
    s.case("window_sum w = 0", || {
        let mut out = [0.0; 3];
        err_contains(
            ndkern_core::window_sum(&[1.0f64, 2.0, 3.0], 0, &mut out),
            "at least 1",
        )
    });
    s.case("window_sum w = usize::MAX on 5 samples", || {
        let mut out: [f64; 0] = [];
        ndkern_core::window_sum(&[1.0f64; 5], usize::MAX, &mut out).map_err(|e| e.to_string())
    });
    s.case(
        "window_sum w = usize::MAX with a wrong output length",
        || {
            let mut out = [0.0f64; 1];
            err_contains(
                ndkern_core::window_sum(&[1.0f64; 5], usize::MAX, &mut out),
                "shape",
            )
        },
    );
    s.case("window_sum output too long", || {
        let mut out = [0.0f64; 4];
        is_err(ndkern_core::window_sum(&[1.0f64; 5], 3, &mut out))
    });
    s.case("window_sum empty input", || {
        let mut out: [f32; 0] = [];
        ndkern_core::window_sum::<f32>(&[], 1, &mut out).map_err(|e| e.to_string())
    });
    for (name, x) in [
        ("overflow pair", {
            let mut v = vec![1.0; 3000];
            v[1500] = 1e308;
            v[1501] = 1e308;
            v
        }),
        ("overflow at the start", {
            let mut v = vec![0.5; 2100];
            v[0] = f64::MAX;
            v[1] = f64::MAX;
            v[2] = f64::MAX;
            v
        }),
        ("nan, inf and -inf", {
            let mut v: Vec<f64> = (0..2000).map(|i| (i % 7) as f64).collect();
            v[10] = f64::NAN;
            v[400] = f64::INFINITY;
            v[405] = f64::NEG_INFINITY;
            v[1800] = f64::INFINITY;
            v
        }),
        ("huge cancelling values", {
            let mut v: Vec<f64> = (0..2500).map(|i| (i % 3) as f64).collect();
            v[100] = 1e300;
            v[101] = -1e300;
            v
        }),
        (
            "alternating max",
            (0..3000)
                .map(|i| if i % 2 == 0 { 1e308 } else { -1e308 })
                .collect(),
        ),
    ] {
        for w in [1usize, 2, 3, 17, 1024, 1500] {
            let x = x.clone();
            s.case(format!("window_sum {name} w = {w}"), move || {
                let n_out = (x.len() + 1).saturating_sub(w);
                let mut out = vec![0.0f64; n_out];
                ok(ndkern_core::window_sum(&x, w, &mut out))?;
                let want = naive_windows(&x, w);
                // The documented bound: exact to a few f64 roundings of the largest magnitude
                // summed since the last anchor (at most max(w, 1024) windows back).
                for (i, (&g, &e)) in out.iter().zip(&want).enumerate() {
                    let from = i.saturating_sub(w.max(1024) + w);
                    let scale = x[from..i + w]
                        .iter()
                        .filter(|v| v.is_finite())
                        .fold(1.0f64, |m, v| m.max(v.abs()));
                    let good = if e.is_nan() {
                        g.is_nan()
                    } else if e.is_infinite() {
                        g == e || (g.is_finite() && g.abs() > 1e307) || g.is_nan()
                    } else {
                        (g - e).abs() <= 1e-9 * scale * w as f64
                    };
                    if !good {
                        return Err(format!("window {i}: got {g:e}, naive {e:e}"));
                    }
                }
                Ok(())
            });
        }
    }
    s.case(
        "window_sum after overflow is exact (no inf carried to the next anchor)",
        || {
            let mut x = vec![1.0f64; 3000];
            x[100] = 1e308;
            x[101] = 1e308;
            let mut out = vec![0.0; 3000 - 9];
            ok(ndkern_core::window_sum(&x, 10, &mut out))?;
            ensure(
                out[102] == 10.0 && out[500] == 10.0 && out[2000] == 10.0,
                format!("{:?}", &out[100..110]),
            )?;
            ensure(out[95].is_infinite(), format!("{}", out[95]))
        },
    );
    s.case("window_sum_map with a NaN-producing finish", || {
        let mut out = vec![0.0f64; 3];
        ok(ndkern_core::window_sum_map(
            &[1.0, 2.0, 3.0, 4.0],
            2,
            &mut out,
            |v| (v - 5.0).sqrt(),
        ))?;
        ensure(
            out[0].is_nan() && out[1] == 0.0 && out[2] == 2f64.sqrt(),
            format!("{out:?}"),
        )
    });
    s.case("window_sum f32 keeps f64 accuracy", || {
        // f32 running sums would drift by whole units here; f64 accumulation is exact.
        let x: Vec<f32> = (0..5000)
            .map(|i| if i % 2 == 0 { 1e6 } else { 1.0 })
            .collect();
        let mut out = vec![0.0f32; 5000 - 2];
        ok(ndkern_core::window_sum(&x, 3, &mut out))?;
        ensure(
            out.iter().all(|&v| v == 2e6 + 1.0 || v == 1e6 + 2.0),
            format!("{:?}", &out[..4]),
        )
    });
}

fn slice_kernel_cases(s: &mut Suite) {
    s.case("dot of different lengths", || {
        err_contains(ndkern_core::dot(&[1.0f64, 2.0], &[1.0]), "shape")
    });
    s.case("dot of empty slices is 0", || {
        let d = ok(ndkern_core::dot::<f64>(&[], &[]))?;
        ensure(d == 0.0, format!("{d}"))
    });
    s.case("dot with inf * 0 is NaN", || {
        let d = ok(ndkern_core::dot(&[f64::INFINITY, 1.0], &[0.0, 1.0]))?;
        ensure(d.is_nan(), format!("{d}"))
    });
    s.case("scale output length mismatch", || {
        let mut out = [0.0f32; 2];
        is_err(ndkern_core::scale(2.0f32, &[1.0, 2.0, 3.0], &mut out))
    });
    s.case("scale by NaN", || {
        let mut out = [0.0f64; 9];
        ok(ndkern_core::scale(f64::NAN, &[1.0; 9], &mut out))?;
        ensure(out.iter().all(|v| v.is_nan()), format!("{out:?}"))
    });
    s.case("axpy length mismatch", || {
        let mut y = [0.0f64; 3];
        is_err(ndkern_core::axpy(1.0, &[1.0, 2.0], &mut y))
    });
    s.case("accumulate length mismatch", || {
        let mut acc = [0.0f64; 3];
        is_err(ndkern_core::accumulate(&mut acc, &[1.0f32; 4]))
    });
    s.case("accumulate_sq length mismatch", || {
        let mut acc = [0.0f64; 3];
        is_err(ndkern_core::accumulate_sq(&mut acc, &[1.0f64; 2]))
    });
    s.case("accumulate_dev_sq center length mismatch", || {
        let mut acc = [0.0f64; 3];
        is_err(ndkern_core::accumulate_dev_sq(
            &mut acc,
            &[1.0f64; 3],
            &[0.0; 2],
        ))
    });
    s.case("accumulate_sq of f32 max does not overflow in f64", || {
        let mut acc = [0.0f64; 1];
        ok(ndkern_core::accumulate_sq(&mut acc, &[f32::MAX]))?;
        ensure(acc[0].is_finite() && acc[0] > 1e76, format!("{acc:?}"))
    });
    s.case("min and max of an empty slice are None", || {
        ensure(
            ndkern_core::min::<f64>(&[]).is_none() && ndkern_core::max::<f32>(&[]).is_none(),
            "Some",
        )
    });
    for len in [1usize, 7, 8, 9, 33, 100] {
        let mut positions = vec![0usize, len / 2, len - 1];
        positions.dedup();
        for pos in positions {
            s.case(format!("min/max with a NaN at {pos} of {len}"), move || {
                let mut x = vec![1.0f32; len];
                x[pos] = f32::NAN;
                let (lo, hi) = (ndkern_core::min(&x), ndkern_core::max(&x));
                ensure(
                    lo.is_some_and(f32::is_nan) && hi.is_some_and(f32::is_nan),
                    format!("{lo:?} {hi:?}"),
                )
            });
        }
    }
    s.case("sum of f64::MAX twice is inf, of MAX and -MAX is 0", || {
        let a = ndkern_core::sum(&[f64::MAX, f64::MAX]);
        let b = ndkern_core::sum(&[f64::MAX, -f64::MAX]);
        ensure(a == f64::INFINITY && b == 0.0, format!("{a} {b}"))
    });
    s.case("sum_sq of 1e200 overflows to inf like numpy", || {
        let v = ndkern_core::sum_sq(&[1e200f64]);
        ensure(v == f64::INFINITY, format!("{v}"))
    });
    s.case("sum_dev around NaN center", || {
        let (a, b) = ndkern_core::sum_dev(&[1.0f64, 2.0], f64::NAN);
        ensure(a.is_nan() && b.is_nan(), format!("{a} {b}"))
    });
    s.case("prefix_sum length mismatch", || {
        let mut out = [0.0f64; 2];
        is_err(ndkern_core::prefix_sum(&[1.0, 2.0, 3.0], &mut out))
    });
    s.case(
        "prefix_sum keeps NaN from its position on, like np.cumsum",
        || {
            let mut out = [0.0f64; 4];
            ok(ndkern_core::prefix_sum(
                &[1.0, f64::NAN, 2.0, 3.0],
                &mut out,
            ))?;
            ensure(
                out[0] == 1.0 && out[1..].iter().all(|v| v.is_nan()),
                format!("{out:?}"),
            )
        },
    );
    s.case("prefix_sum of empty", || {
        let mut out: [f32; 0] = [];
        ndkern_core::prefix_sum::<f32>(&[], &mut out).map_err(|e| e.to_string())
    });
    s.case("prefix_sum compensated: 1e16 + 1 - 1e16", || {
        let mut out = [0.0f64; 3];
        ok(ndkern_core::prefix_sum(&[1e16, 1.0, -1e16], &mut out))?;
        ensure(out[2] == 1.0, format!("{out:?}"))
    });
    s.case("stream_copy length mismatch", || {
        let mut dst = [0.0f64; 2];
        is_err(ndkern_core::stream_copy(&mut dst, &[1.0]))
    });
}

fn border_cases(s: &mut Suite) {
    let modes = [
        BorderMode::Constant(f64::NAN),
        BorderMode::Nearest,
        BorderMode::Reflect,
        BorderMode::Mirror,
        BorderMode::Wrap,
    ];
    for mode in modes {
        for n in [0usize, 1, 2, 5] {
            for i in [isize::MIN, isize::MIN + 1, -7, -1, 0, 4, 5, 11, isize::MAX] {
                s.case(
                    format!("source_index {mode:?} i = {i} n = {n}"),
                    move || {
                        let got = mode.source_index(i, n);
                        // oracle: walk the extension rule step by step from the nearest end for
                        // small |i|; for huge |i| only the range is checked.
                        match got {
                            None => ensure(
                                n == 0
                                    || (matches!(mode, BorderMode::Constant(_))
                                        && !(0..n as isize).contains(&i)),
                                "None for a mode that copies a sample",
                            ),
                            Some(src) => {
                                ensure(src < n, format!("{src} out of 0..{n}"))?;
                                if i.unsigned_abs() < 100 {
                                    let want = naive_source(mode, i, n);
                                    ensure(Some(src) == want, format!("{src} vs {want:?}"))
                                } else {
                                    Ok(())
                                }
                            }
                        }
                    },
                );
            }
        }
        s.case(format!("source_index {mode:?} n = usize::MAX"), move || {
            let got = mode.source_index(-3, usize::MAX);
            ensure(got.is_none_or(|s| s < usize::MAX), format!("{got:?}"))
        });
    }
    s.case("extend_line before = usize::MAX", || {
        let mut out = [0.0f64; 4];
        err_contains(
            ndkern_core::extend_line(&[1.0, 2.0], usize::MAX, 2, BorderMode::Wrap, &mut out),
            "overflow",
        )
    });
    s.case("extend_line output of the wrong length", || {
        let mut out = [0.0f64; 4];
        err_contains(
            ndkern_core::extend_line(&[1.0, 2.0], 1, 2, BorderMode::Reflect, &mut out),
            "shape",
        )
    });
    s.case(
        "extend_line of an empty line fills the constant (zero for copying modes)",
        || {
            let mut out = [9.0f64; 3];
            ok(ndkern_core::extend_line(
                &[],
                1,
                2,
                BorderMode::Reflect,
                &mut out,
            ))?;
            ensure(out == [0.0; 3], format!("{out:?}"))?;
            ok(ndkern_core::extend_line(
                &[],
                2,
                1,
                BorderMode::Constant(4.0),
                &mut out,
            ))?;
            ensure(out == [4.0; 3], format!("{out:?}"))
        },
    );
    s.case("extend_line wrap many periods", || {
        let mut out = [0.0f64; 2 + 7 + 7];
        ok(ndkern_core::extend_line(
            &[1.0, 2.0],
            7,
            7,
            BorderMode::Wrap,
            &mut out,
        ))?;
        let want: Vec<f64> = (-7i32..9)
            .map(|i| [1.0, 2.0][i.rem_euclid(2) as usize])
            .collect();
        ensure(out.to_vec() == want, format!("{out:?}"))
    });
    s.case("BorderMode from an unknown scipy name", || {
        err_contains(BorderMode::from_scipy("bogus", 0.0), "reflect")
    });
    s.case("BorderMode from an empty name", || {
        is_err(BorderMode::from_scipy("", 0.0))
    });
    s.case("BorderMode grid-wrap is wrap", || {
        let m = ok(BorderMode::from_scipy("grid-wrap", 0.0))?;
        ensure(m == BorderMode::Wrap, format!("{m:?}"))
    });
}

/// scipy.ndimage's extension rules, one reflection step at a time.
fn naive_source(mode: BorderMode, mut i: isize, n: usize) -> Option<usize> {
    let n = n as isize;
    if n == 0 {
        return None;
    }
    loop {
        if (0..n).contains(&i) {
            return Some(i as usize);
        }
        i = match mode {
            BorderMode::Constant(_) => return None,
            BorderMode::Nearest => i.clamp(0, n - 1),
            BorderMode::Wrap => i.rem_euclid(n),
            BorderMode::Reflect => {
                if i < 0 {
                    -1 - i
                } else {
                    2 * n - 1 - i
                }
            }
            BorderMode::Mirror => {
                if n == 1 {
                    0
                } else if i < 0 {
                    -i
                } else {
                    2 * n - 2 - i
                }
            }
        };
    }
}

fn lanes_and_layout_cases(s: &mut Suite) {
    s.case("for_each_lane axis out of range", || {
        let a = Array::<f64, _>::zeros((2, 3));
        let mut b = a.clone();
        err_contains(
            ndkern_core::for_each_lane(&a, &mut b, 2, || (), |_, _, _| {}),
            "axis",
        )
    });
    s.case("for_each_lane shape mismatch", || {
        let a = Array::<f64, _>::zeros((2, 3));
        let mut b = Array::<f64, _>::zeros((3, 2));
        err_contains(
            ndkern_core::for_each_lane(&a, &mut b, 0, || (), |_, _, _| {}),
            "shape",
        )
    });
    s.case("for_each_lane over an empty array runs nothing", || {
        let a = Array::<f64, _>::zeros((0, 3));
        let mut b = a.clone();
        let count = std::sync::atomic::AtomicUsize::new(0);
        ok(ndkern_core::for_each_lane(
            &a,
            &mut b,
            1,
            || (),
            |_, _, _| {
                count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            },
        ))?;
        ensure(count.into_inner() == 0, "ran on an empty array")
    });
    s.case("LineBuffer with overflowing paddings", || {
        err_contains(
            ndkern_core::LineBuffer::<f64>::new(4, usize::MAX, 1, BorderMode::Wrap),
            "overflow",
        )
    });
    s.case("LineBuffer over the memory cap", || {
        is_err(ndkern_core::LineBuffer::<f32>::new(
            4,
            1 << 40,
            1 << 40,
            BorderMode::Reflect,
        ))
    });
    s.case("LineBuffer gather of a lane of the wrong length", || {
        let mut b = ok(ndkern_core::LineBuffer::<f64>::new(
            3,
            1,
            1,
            BorderMode::Nearest,
        ))?;
        err_contains(
            b.gather(ndarray::ArrayView1::from(&[1.0, 2.0][..])),
            "shape",
        )
    });
    s.case(
        "LineBuffer of an empty lane extends to the constant",
        || {
            let mut b = ok(ndkern_core::LineBuffer::<f64>::new(
                0,
                2,
                1,
                BorderMode::Constant(7.0),
            ))?;
            ok(b.gather(ndarray::ArrayView1::from(&[][..])))?;
            ensure(b.extended() == [7.0; 3], format!("{:?}", b.extended()))
        },
    );
    s.case("scatter of the wrong length writes nothing", || {
        let mut lane = [1.0f64; 3];
        let r = ndkern_core::scatter(&[5.0, 5.0], ndarray::ArrayViewMut1::from(&mut lane[..]));
        is_err(r)?;
        ensure(lane == [1.0; 3], format!("{lane:?}"))
    });
    s.case("canonicalize an empty, reversed, transposed view", || {
        let a = Array::<f64, _>::zeros((0, 3));
        let v = a.t();
        let r = v.slice(ndarray::s![..;-1, ..]);
        let c = ndkern_core::canonicalize(&r);
        ensure(c.is_empty(), format!("{:?}", c.shape()))
    });
    s.case(
        "canonicalize keeps every element of a negatively strided view",
        || {
            let a = Array::from_shape_fn((3, 4, 2), |(i, j, k)| (i * 8 + j * 2 + k) as f64);
            let v = a.slice(ndarray::s![..;-1, ..;2, ..;-1]);
            let c: ArrayViewD<f64> = ndkern_core::canonicalize(&v);
            let mut got: Vec<f64> = c.iter().copied().collect();
            let mut want: Vec<f64> = v.iter().copied().collect();
            got.sort_by(f64::total_cmp);
            want.sort_by(f64::total_cmp);
            ensure(got == want, format!("{got:?}"))
        },
    );
    s.case("canonicalize a 0-d array", || {
        let a = ndarray::arr0(5.0f32);
        let c = ndkern_core::canonicalize(&a);
        ensure(
            c.len() == 1 && c.iter().next() == Some(&5.0),
            format!("{c:?}"),
        )
    });
}

/// Puts the dispatch level back (the cases after this one run at the level under test).
struct RestoreLevel(Level);
impl Drop for RestoreLevel {
    fn drop(&mut self) {
        let _ = ndkern_core::simd::set_level(self.0);
    }
}

fn alloc_and_simd_cases(s: &mut Suite) {
    s.case("checked_len overflow", || {
        err_contains(
            ndkern_core::checked_len("cells", &[1 << 33, 1 << 33]),
            "cells",
        )
    });
    s.case("check_alloc over the cap", || {
        err_contains(ndkern_core::check_alloc::<f64>("grid", 1 << 61), "grid")
    });
    s.case(
        "try_zeroed_vec over the cap is an Err, not an abort",
        || is_err(ndkern_core::try_zeroed_vec::<f64>("cells", 1 << 40)),
    );
    s.case("try_zeroed_vec usize::MAX", || {
        is_err(ndkern_core::try_zeroed_vec::<u8>("cells", usize::MAX))
    });
    s.case("try_filled_vec over the cap", || {
        is_err(ndkern_core::try_filled_vec("labels", 7u32, 1 << 40))
    });
    s.case("try_zeros with an overflowing shape", || {
        is_err(ndkern_core::try_zeros::<f32, _>(
            "grid",
            IxDyn(&[1 << 32, 1 << 32, 4]),
        ))
    });
    s.case("try_zeros of a size-0 shape", || {
        let a = ok(ndkern_core::try_zeros::<f64, _>("grid", IxDyn(&[0, 5])))?;
        ensure(a.is_empty(), format!("{:?}", a.shape()))
    });
    s.case(
        "try_zeros (0, usize::MAX) is refused like numpy's 'array is too big'",
        || {
            is_err(ndkern_core::try_zeros::<f64, _>(
                "grid",
                IxDyn(&[0, usize::MAX]),
            ))
        },
    );
    s.case(
        "try_zeros just under the cap of the child (3.5 GiB) is refused or zero",
        || {
            // The hostile child has a 4 GiB address-space cap: the allocator refuses and the
            // call returns Err; on a machine without the cap it succeeds lazily and is zero.
            match ndkern_core::try_zeroed_vec::<u8>("probe", 3584 << 20) {
                Ok(v) => ensure(v[0] == 0 && v[v.len() - 1] == 0, "not zero"),
                Err(e) => ensure(e.to_string().contains("probe"), e.to_string()),
            }
        },
    );
    s.case("memory_limit is at most the child's 4 GiB cap", || {
        let m = ndkern_core::memory_limit();
        ensure(m <= 4 << 30 && m > 0, format!("{m}"))
    });
    s.case("clamp keeps NaN", || {
        ensure(
            ndkern_core::clamp(f64::NAN, 0.0, 1.0).is_nan()
                && ndkern_core::clamp(f32::INFINITY, 0.0, 1.0) == 1.0
                && ndkern_core::clamp(-0.5f64, 0.0, 1.0) == 0.0,
            "clamp",
        )
    });
    s.case("nan_max and nan_min propagate NaN from either side", || {
        let (a, b) = (f64::NAN, 1.0);
        ensure(
            ndkern_core::nan_max(a, b).is_nan()
                && ndkern_core::nan_max(b, a).is_nan()
                && ndkern_core::nan_min(a, b).is_nan()
                && ndkern_core::nan_min(b, a).is_nan(),
            "NaN lost",
        )
    });
    s.case("SIMD level from an unknown name", || {
        err_contains("avx1024".parse::<Level>(), "baseline")
    });
    s.case("SIMD level from an empty name", || {
        is_err("".parse::<Level>())
    });
    s.case(
        "set_level to an unsupported level is an Err, a supported one is Ok",
        || {
            let _restore = RestoreLevel(ndkern_core::simd::level());
            for l in [Level::Baseline, Level::Avx2, Level::Avx512] {
                let r = ndkern_core::simd::set_level(l);
                if l.is_supported() != r.is_ok() {
                    return Err(format!("{l:?}: supported {} but {r:?}", l.is_supported()));
                }
            }
            Ok(())
        },
    );
    s.case(
        "random reductions agree with the oracle at every supported level",
        || {
            let _restore = RestoreLevel(ndkern_core::simd::level());
            let mut rng = Rng::new(11);
            for l in [Level::Baseline, Level::Avx2, Level::Avx512] {
                if ndkern_core::simd::set_level(l).is_err() {
                    continue;
                }
                for trial in 0..20 {
                    let shape = [1 + rng.below(40), 1 + rng.below(9)];
                    let mut v = rng.vec(shape[0] * shape[1], -1e3, 1e3);
                    if trial % 3 == 0 {
                        let at = rng.below(v.len());
                        v[at] = f64::NAN;
                    }
                    let a = Array::from_shape_vec(IxDyn(&shape), v).unwrap();
                    for op in ["sum", "var1", "min", "norm_l2"] {
                        for axis in [None, Some(0), Some(1)] {
                            check_reduction::<f32>(op, &a, axis)
                                .and_then(|()| check_reduction::<f64>(op, &a, axis))
                                .map_err(|m| format!("{l:?} {op} {axis:?} {shape:?}: {m}"))?;
                        }
                    }
                }
            }
            Ok(())
        },
    );
}

#[test]
fn hostile() {
    let mut s = Suite::new("hostile");
    broadcast_outputs(&mut s);
    reduction_cases(&mut s);
    axis_cases(&mut s);
    window_cases(&mut s);
    slice_kernel_cases(&mut s);
    border_cases(&mut s);
    lanes_and_layout_cases(&mut s);
    alloc_and_simd_cases(&mut s);
    s.run();
}

/// Issue 13: a reduction's output sized by a huge broadcast input is refused with
/// `Error::TooLarge` (not an abort), and the fallible allocation helpers refuse huge views;
/// small broadcast views give the naive reduction of the materialised array.
fn broadcast_outputs(s: &mut Suite) {
    use ndarray::{Ix1, Ix2, Ix3};
    use ndkern_core::testing::hostile::{broadcast_view, broadcast_view_f32, too_large};
    let tall = || broadcast_view(Ix2(1 << 39, 2));
    s.case("broadcast (2^39, 2): sum over axis 1", move || {
        too_large(reduce::sum(&tall(), 1))
    });
    s.case("broadcast (2^39, 2): mean over axis 1", move || {
        too_large(reduce::mean(&tall(), 1))
    });
    s.case("broadcast (2^39, 2): var over axis 1", move || {
        too_large(reduce::var(&tall(), 1, 0))
    });
    s.case("broadcast (2^39, 2): std over axis 1", move || {
        too_large(reduce::std(&tall(), 1, 1))
    });
    s.case("broadcast (2^39, 2): norm_l2 over axis 1", move || {
        too_large(reduce::norm_l2(&tall(), 1))
    });
    s.case("broadcast (2^39, 2): min over axis 1", move || {
        too_large(reduce::min(&tall(), 1))
    });
    s.case("broadcast (2^39, 2): max over axis 1", move || {
        too_large(reduce::max(&tall(), 1))
    });
    s.case(
        "broadcast (2^39, 2): count_nonzero over axis 1",
        move || too_large(reduce::count_nonzero(&tall(), 1)),
    );
    s.case(
        "broadcast (2, 2^38, 2) f32: sum over axes 0 and 2 (outer walk)",
        || {
            too_large(reduce::sum(
                &broadcast_view_f32(Ix3(2, 1 << 38, 2)),
                Axes::from([0, 2]),
            ))
        },
    );
    s.case(
        "broadcast 2^40: try_zeros / try_standard_layout / try_to_owned refuse",
        || {
            let h = broadcast_view(Ix1(1 << 40));
            too_large(ndkern_core::try_standard_layout("input", &h))?;
            too_large(ndkern_core::try_to_owned("input", &h))?;
            too_large(ndkern_core::try_zeros::<f64, _>("output", h.raw_dim()))
        },
    );
    s.case(
        "broadcast (6, 5) sum/var over axis 0 = naive on the materialised array",
        || {
            let row = ndarray::arr1(&[1.0, -2.0, 3.5, 0.25, 1e3]);
            let b = row.broadcast((6, 5)).unwrap();
            let mat = b.to_owned();
            let got = ok(reduce::sum(&b, 0))?;
            let want = ndkern_core::reference::reduce_nd(&mat, &[true, false], false, |v| {
                v.iter().sum::<f64>()
            });
            allclose(
                &got.iter().copied().collect::<Vec<_>>(),
                &want.iter().copied().collect::<Vec<_>>(),
                1e-15,
                0.0,
            )
            .map_err(|e| format!("sum: {e}"))?;
            let got = ok(reduce::var(&b, 0, 0))?;
            ensure(
                got.iter().all(|&v| v == 0.0),
                format!("var of repeated rows {got:?}"),
            )
        },
    );
}
