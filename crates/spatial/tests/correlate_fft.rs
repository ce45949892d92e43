//! The row-FFT route of dense 2-D correlation (`src/windows/correlate_fft.rs`, compiled here
//! by path so that it is tested before and after `correlate` routes to it) against the naive
//! N-d oracle (`reference_windows::correlate`, direct f64 sums) and the direct dense route:
//! every border mode, origins, odd/even kernels, kernels longer than the input, short chunks
//! (overlap-save seams), row bands (parallel), strided views, f32 and f64; the error bound;
//! NaN/inf fallback; the size rule. `timing` (ignored) is the measuring harness.

#[path = "../src/windows/correlate_fft.rs"]
mod correlate_fft;

use correlate_fft::{chunk_plan, correlate_fft_2d, correlate_fft_2d_with, correlate_fft_pays};
use ndarray::{s, Array2, ArrayD, Axis, IxDyn};
use ndkern_core::testing::Rng;
use ndkern_core::Element;
use ndkern_spatial::reference_windows as naive;
use ndkern_spatial::{correlate, BorderMode};

const MODES: [BorderMode; 6] = [
    BorderMode::Constant(0.0),
    BorderMode::Constant(-1.25),
    BorderMode::Nearest,
    BorderMode::Reflect,
    BorderMode::Mirror,
    BorderMode::Wrap,
];

/// scipy's padding: `size / 2 + origin` before, the rest after.
fn pads(wshape: &[usize], origins: &[isize]) -> Vec<(usize, usize)> {
    wshape
        .iter()
        .zip(origins)
        .map(|(&n, &o)| {
            let b = (n / 2) as isize + o;
            assert!(b >= 0 && b < n as isize);
            (b as usize, n - 1 - b as usize)
        })
        .collect()
}

fn random(shape: &[usize], seed: u64, lo: f64, hi: f64) -> ArrayD<f64> {
    let mut r = Rng::new(seed);
    let n = shape.iter().product();
    ArrayD::from_shape_vec(IxDyn(shape), r.vec(n, lo, hi)).unwrap()
}

/// Runs the FFT route (chunk length `l`, or the planned one) into a fresh array.
fn fft<T: Element>(
    a: &ArrayD<T>,
    w: &ArrayD<f64>,
    mode: BorderMode,
    origins: &[isize],
    l: Option<usize>,
) -> Option<ArrayD<T>> {
    let p = pads(w.shape(), origins);
    let mut out = ArrayD::<T>::from_elem(a.raw_dim(), T::of_f64(99.0));
    let done = match l {
        Some(l) => correlate_fft_2d_with(&a.view(), &w.view(), mode, &p, out.view_mut(), l),
        None => correlate_fft_2d(&a.view(), &w.view(), mode, &p, out.view_mut()),
    }
    .unwrap();
    done.then_some(out)
}

/// `max |got - want|` over `max|x| * sum|w|` (the scale of the transform error).
fn scaled_err<T: Element>(
    got: &ArrayD<T>,
    want: &ArrayD<f64>,
    x: &ArrayD<f64>,
    w: &ArrayD<f64>,
) -> f64 {
    let xmax = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let wsum: f64 = w.iter().map(|v| v.abs()).sum();
    let scale = (xmax * wsum).max(1e-300);
    assert_eq!(got.shape(), want.shape());
    got.iter()
        .zip(want)
        .map(|(g, e)| (g.as_f64() - e).abs())
        .fold(0.0, f64::max)
        / scale
}

#[test]
fn every_mode_origin_and_kernel_shape_matches_the_naive_sum_f64() {
    let shapes: [(&[usize], &[usize]); 6] = [
        (&[23, 37], &[5, 9]),
        (&[17, 40], &[4, 10]), // even kernel
        (&[6, 7], &[9, 11]),   // kernel longer than the input on both axes
        (&[1, 50], &[3, 12]),  // one row
        (&[40, 9], &[15, 8]),  // few columns
        (&[31, 64], &[15, 15]),
    ];
    for (si, (shape, wshape)) in shapes.iter().enumerate() {
        let a = random(shape, 10 + si as u64, -2.0, 2.0);
        let w = random(wshape, 20 + si as u64, -1.0, 1.0);
        let kw = wshape[1];
        let origin_sets: [[isize; 2]; 3] = [
            [0, 0],
            [-((wshape[0] / 2) as isize), ((wshape[1] - 1) / 2) as isize],
            [((wshape[0] - 1) / 2) as isize, -1],
        ];
        for mode in MODES {
            for origins in &origin_sets {
                let want = naive::correlate(&a, &w, mode, origins);
                // the planned chunk, the shortest chunk (many seams) and one in between
                let short = (2 * kw).next_multiple_of(2);
                for l in [None, Some(short), Some(short + 6)] {
                    let got = fft(&a, &w, mode, origins, l).expect("finite input");
                    let e = scaled_err(&got, &want, &a, &w);
                    assert!(
                        e < 1e-14,
                        "{shape:?} {wshape:?} {mode:?} {origins:?} chunk {l:?}: error {e:e}"
                    );
                }
            }
        }
    }
}

#[test]
fn f32_matches_the_naive_sum_to_output_rounding() {
    let a64 = random(&[29, 45], 3, 0.0, 3.0);
    let a: ArrayD<f32> = a64.mapv(|v| v as f32);
    let x = a.mapv(|v| v as f64); // the f32 values, exactly
    let w = random(&[13, 11], 4, -0.5, 1.0);
    for mode in MODES {
        for l in [None, Some(22), Some(40)] {
            let want = naive::correlate(&x, &w, mode, &[1, -2]);
            let got = fft(&a, &w, mode, &[1, -2], l).unwrap();
            for (g, e) in got.iter().zip(&want) {
                // the f64 sum rounded once to f32: half an ulp, plus the transform's 1e-14
                let tol = 0.5 * f32::EPSILON as f64 * e.abs() + 1e-14 * 3.0 * 143.0;
                assert!(((*g as f64) - e).abs() <= tol, "{mode:?} {l:?}: {g} vs {e}");
            }
        }
    }
}

#[test]
fn bands_and_strided_views_match_the_direct_route() {
    // 300 x 260 with 15x15: enough work for several row bands (parallel).
    let a = random(&[300, 260], 7, -1.0, 2.0);
    let w = random(&[15, 15], 8, -1.0, 1.0);
    for mode in [
        BorderMode::Reflect,
        BorderMode::Constant(0.5),
        BorderMode::Wrap,
    ] {
        let want = correlate(&a, &w, mode, &[2, -3]).unwrap(); // direct f64 (non-separable)
        let got = fft(&a, &w, mode, &[2, -3], None).unwrap();
        let e = scaled_err(&got, &want, &a, &w);
        assert!(e < 1e-14, "{mode:?}: {e:e}");
        // a strided, transposed input and a strided output
        let big = random(&[520, 620], 9, -1.0, 1.0);
        let view = big.slice(s![..;2, 3..603;2]).reversed_axes(); // (300, 260)
        let view = view.into_dyn();
        let owned = view.to_owned();
        let want = correlate(&owned, &w, mode, &[0, 0]).unwrap();
        let p = pads(w.shape(), &[0, 0]);
        let mut out_big = Array2::<f64>::zeros((600, 520));
        {
            let out = out_big.slice_mut(s![..;2, ..;2]); // (300, 260), strided
            let done = correlate_fft_2d(&view.view(), &w.view(), mode, &p, out.into_dyn()).unwrap();
            assert!(done);
        }
        let got = out_big.slice(s![..;2, ..;2]).to_owned().into_dyn();
        let e = scaled_err(&got, &want, &owned, &w);
        assert!(e < 1e-14, "strided {mode:?}: {e:e}");
        // the skipped rows and columns of the strided output stay untouched
        assert!(out_big.slice(s![1..;2, ..]).iter().all(|&v| v == 0.0));
        assert!(out_big.slice(s![.., 1..;2]).iter().all(|&v| v == 0.0));
    }
}

#[test]
fn error_bound_on_the_bench_data_and_with_a_huge_dynamic_range() {
    // The bench's correlate15_2d data (values in [1, 2), kernel data/225) on 300 x 400.
    let value = |i: u64| {
        1.0 + (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    };
    let (h, wd) = (300, 400);
    let a = ArrayD::from_shape_fn(IxDyn(&[h, wd]), |i| value((i[0] * wd + i[1]) as u64) as f32);
    let k = ArrayD::from_shape_fn(IxDyn(&[15, 15]), |i| {
        value((i[0] * 15 + i[1]) as u64) / 225.0
    });
    let x = a.mapv(|v| v as f64);
    let want = correlate(&x, &k, BorderMode::Reflect, &[0, 0]).unwrap(); // direct f64
                                                                         // f64 transforms on the f32 values, before rounding to f32:
    let got64 = fft(&x, &k, BorderMode::Reflect, &[0, 0], None).unwrap();
    let e64 = scaled_err(&got64, &want, &x, &k);
    // the f32 output: within half an ulp of the direct f64 sum (+ the transform error)
    let got32 = fft(&a, &k, BorderMode::Reflect, &[0, 0], None).unwrap();
    let mut worst_ulp = 0.0f64;
    for (g, e) in got32.iter().zip(&want) {
        worst_ulp = worst_ulp.max(((*g as f64) - e).abs() / (f32::EPSILON as f64 * e.abs()));
    }
    eprintln!("bench data: f64 error {e64:.2e} of max|x| sum|w|; f32 output {worst_ulp:.3} ulp");
    assert!(e64 < 5e-15, "{e64:e}");
    assert!(worst_ulp <= 0.5 + 1e-6, "{worst_ulp}");
    // One sample of 1e30 among values in [1, 2): far from it the outputs (~1) carry the
    // transform error of the row chunk holding it, ~1e-16 * 1e30 — the documented bound.
    let mut b = x.clone();
    b[[150, 200]] = 1e30;
    let want = correlate(&b, &k, BorderMode::Reflect, &[0, 0]).unwrap();
    let got = fft(&b, &k, BorderMode::Reflect, &[0, 0], None).unwrap();
    let e = scaled_err(&got, &want, &b, &k);
    eprintln!("one 1e30 sample: error {e:.2e} of max|x| sum|w|");
    assert!(e < 5e-15, "{e:e}");
}

#[test]
fn nan_inf_and_nan_constant_fall_back() {
    let w = random(&[9, 9], 1, -1.0, 1.0);
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let mut a = random(&[40, 50], 2, -1.0, 1.0);
        a[[39, 49]] = bad;
        assert!(
            fft(&a, &w, BorderMode::Reflect, &[0, 0], None).is_none(),
            "{bad}"
        );
        let a32 = a.mapv(|v| v as f32);
        assert!(
            fft(&a32, &w, BorderMode::Reflect, &[0, 0], Some(18)).is_none(),
            "{bad}"
        );
        // a NaN constant border
        let ok = random(&[40, 50], 3, -1.0, 1.0);
        assert!(fft(&ok, &w, BorderMode::Constant(bad), &[0, 0], None).is_none());
        let mut wb = w.clone();
        wb[[4, 4]] = bad;
        assert!(fft(&ok, &wb, BorderMode::Reflect, &[0, 0], None).is_none());
    }
    // Finite f64 input whose transform overflows: the route gives up instead of returning inf.
    let mut a = random(&[20, 64], 4, -1.0, 1.0);
    a.index_axis_mut(Axis(0), 10).fill(f64::MAX / 4.0);
    assert!(fft(&a, &w, BorderMode::Reflect, &[0, 0], None).is_none());
    // empty input: nothing to do
    let e = ArrayD::<f32>::zeros(IxDyn(&[0, 5]));
    assert!(fft(&e, &w, BorderMode::Reflect, &[0, 0], None)
        .unwrap()
        .is_empty());
}

#[test]
fn the_size_rule() {
    let k15 = ArrayD::<f64>::ones(IxDyn(&[15, 15]));
    assert!(correlate_fft_pays::<f32>(&[2000, 2000], &k15.view()));
    assert!(
        !correlate_fft_pays::<f64>(&[2000, 2000], &k15.view()),
        "f64 stays direct"
    );
    let k3 = ArrayD::<f64>::ones(IxDyn(&[3, 3]));
    assert!(!correlate_fft_pays::<f32>(&[2000, 2000], &k3.view()));
    let tall = ArrayD::<f64>::ones(IxDyn(&[31, 3]));
    assert!(!correlate_fft_pays::<f32>(&[2000, 2000], &tall.view()));
    let mut knan = k15.clone();
    knan[[0, 0]] = f64::NAN;
    assert!(!correlate_fft_pays::<f32>(&[2000, 2000], &knan.view()));
    let k3d = ArrayD::<f64>::ones(IxDyn(&[15, 15, 1]));
    assert!(!correlate_fft_pays::<f32>(&[20, 20, 1], &k3d.view()));
    // a mostly-zero 15x15 (a ring of 56 taps) is cheaper directly
    let mut ring = ArrayD::<f64>::zeros(IxDyn(&[15, 15]));
    for i in 0..15 {
        for j in [0, 14] {
            ring[[i, j]] = 1.0;
            ring[[j, i]] = 1.0;
        }
    }
    assert!(!correlate_fft_pays::<f32>(&[2000, 2000], &ring.view()));
    // the plan for the bench row: one chunk of 2048 covers 2000 + 14 columns
    let p = chunk_plan(2000, 15, 15).unwrap();
    assert!(p.l >= 2014 && p.chunks == 1, "{p:?}");
    // very wide rows are chunked
    let p = chunk_plan(100_000, 15, 15).unwrap();
    assert!(p.chunks > 1 && p.l <= 8192, "{p:?}");
}

/// Medians of alternated runs: the FFT route vs `correlate` (the direct dense route until
/// `correlate` routes to the FFT), on the bench row's data, plus other kernel shapes for the
/// size rule. `cargo test --release -p ndkern-spatial --test correlate_fft -- --ignored
/// --nocapture timing` (with `NDKERN_SIMD=avx2` for that level).
#[test]
#[ignore]
fn timing() {
    use std::time::Instant;
    let value = |i: u64| {
        1.0 + (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    };
    let n: usize = std::env::var("FFT_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    let runs: usize = std::env::var("FFT_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(15);
    let a = ArrayD::from_shape_fn(IxDyn(&[n, n]), |i| value((i[0] * n + i[1]) as u64) as f32);
    let shapes: Vec<(usize, usize)> = match std::env::var("FFT_SHAPES") {
        Ok(s) => s
            .split(',')
            .map(|t| {
                let (h, w) = t.split_once('x').unwrap();
                (h.parse().unwrap(), w.parse().unwrap())
            })
            .collect(),
        Err(_) => vec![(15, 15)],
    };
    let force_l: Option<usize> = std::env::var("FFT_L").ok().and_then(|s| s.parse().ok());
    use BorderMode::Reflect;
    eprintln!(
        "level {}, {} threads",
        ndkern_core::simd::level(),
        rayon::current_num_threads()
    );
    for (kh, kw) in shapes {
        let k = ArrayD::from_shape_fn(IxDyn(&[kh, kw]), |i| {
            value((i[0] * kw + i[1]) as u64) / 225.0
        });
        let p = pads(k.shape(), &[0, 0]);
        let mut tf = Vec::new();
        let mut td = Vec::new();
        let mut last = None;
        for _ in 0..runs {
            let t = Instant::now();
            let mut out = ndkern_core::try_zeros::<f32, _>("out", IxDyn(&[n, n])).unwrap();
            let done = match force_l {
                Some(l) => {
                    correlate_fft_2d_with(&a.view(), &k.view(), Reflect, &p, out.view_mut(), l)
                }
                None => correlate_fft_2d(&a.view(), &k.view(), Reflect, &p, out.view_mut()),
            };
            assert!(done.unwrap());
            tf.push(t.elapsed().as_secs_f64() * 1e3);
            if std::env::var("FFT_ONLY").is_ok() {
                last = Some((out.clone(), out));
                td.push(0.0);
                continue;
            }
            let t = Instant::now();
            let d = correlate(&a, &k, BorderMode::Reflect, &[0]).unwrap();
            td.push(t.elapsed().as_secs_f64() * 1e3);
            last = Some((out, d));
        }
        let med = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let (mf, md) = (med(&mut tf), med(&mut td));
        let (o, d) = last.unwrap();
        let err = o
            .iter()
            .zip(&d)
            .map(|(x, y)| (x - y).abs() as f64)
            .fold(0.0, f64::max);
        let mut plan = chunk_plan(n, kh, kw).unwrap();
        if let Some(l) = force_l {
            plan.l = l;
            plan.chunks = n.div_ceil(l - kw + 1);
        }
        let pays = correlate_fft_pays::<f32>(&[n, n], &k.view());
        eprintln!(
            "{n}x{n} f32 kernel {kh}x{kw}: fft {mf:.2} ms, direct {md:.2} ms, direct/fft {:.2} \
             (chunk {} x{}; rule says fft: {pays}; max |fft - direct| {err:.1e})",
            md / mf,
            plan.l,
            plan.chunks
        );
    }
}
