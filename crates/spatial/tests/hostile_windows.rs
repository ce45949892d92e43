//! Hostile inputs for the windows half of ndkern-spatial (issue 13): every public window
//! function with extreme origins, sizes, sigmas, truncates and radii, empty weights, NaN
//! weights, every border mode on arrays shorter than the window, 0-d and empty arrays, size-1
//! axes, NaN/inf data (which must stay inside its windows), data near +-1e308 (an overflow in
//! one window must not poison the next ones), tiny magnitudes, f32 and f64, transposed and
//! negative-stride views, and `_into` outputs of the wrong shape.
//!
//! Each case asserts an `Err` whose message says what to change, or the scipy.ndimage /
//! numpy / scikit-image value: from the naive oracles of `ndkern_spatial::reference_windows`,
//! an identity, or scipy 1.17.1 / numpy 2.4.6 / scikit-image 0.26 values computed in
//! `target/py-venv` and hard-coded (the expression is in a comment). Every case runs in its own
//! guarded child process (`ndkern_core::testing::hostile`), so an abort or a hang is reported
//! per case.

use ndarray::{arr0, arr1, arr2, s, Array, Array1, Array2, ArrayD, Axis, Dimension, IxDyn};
use ndkern_core::testing::allclose;
use ndkern_core::testing::hostile::{ensure, err_contains, err_or, is_err, ok, Check, Suite};
use ndkern_core::testing::Rng;
use ndkern_spatial::reference_windows as naive;
use ndkern_spatial::{
    ball_kernel, convolve, convolve1d, convolve1d_into, convolve_into, correlate, correlate1d,
    correlate1d_into, correlate_into, gabor_kernel, gaussian_filter, gaussian_filter1d,
    gaussian_filter1d_into, gaussian_filter_into, gaussian_filter_recursive,
    gaussian_filter_recursive_into, gaussian_kernel1d, gaussian_kernel2d, gaussian_kernel_nd,
    gradient, gradient_axis_into, gradient_stacked, local_mean_var, local_mean_var_into, local_std,
    uniform_filter, uniform_filter1d, uniform_filter1d_into, uniform_filter_into, window_sum,
    window_sum_into, BorderMode, Element, GaborOptions, GaussianOptions, Spacing, WindowMode,
};

const BORDERS: [BorderMode; 5] = [
    BorderMode::Reflect,
    BorderMode::Mirror,
    BorderMode::Nearest,
    BorderMode::Wrap,
    BorderMode::Constant(1.5),
];

fn window_modes() -> Vec<WindowMode> {
    let mut m: Vec<WindowMode> = BORDERS.iter().map(|&b| b.into()).collect();
    m.push(WindowMode::Shrink);
    m
}

fn mode_name(m: WindowMode) -> String {
    match m {
        WindowMode::Border(b) => format!("{b:?}"),
        WindowMode::Shrink => "Shrink".into(),
    }
}

/// Small integers in -5..=5 (window sums of them are exact in f64 and f32).
fn ints(shape: &[usize], seed: u64) -> ArrayD<f64> {
    let mut r = Rng::new(seed);
    ArrayD::from_shape_fn(IxDyn(shape), |_| r.below(11) as f64 - 5.0)
}

fn to_f32(a: &ArrayD<f64>) -> ArrayD<f32> {
    a.mapv(|v| v as f32)
}

/// `got` (any element type and dimension) equals `want` to `rtol`/`atol` element-wise (NaN
/// where NaN, the same infinity where infinite), in logical order, with the same shape.
fn same<T: Element, D: Dimension>(
    got: &Array<T, D>,
    want: &ArrayD<f64>,
    rtol: f64,
    atol: f64,
) -> Check {
    ensure(
        got.shape() == want.shape(),
        format!("shape {:?}, expected {:?}", got.shape(), want.shape()),
    )?;
    let g: Vec<f64> = got.iter().map(|v| v.as_f64()).collect();
    let w: Vec<f64> = want.iter().copied().collect();
    allclose(&g, &w, rtol, atol)
}

fn opts() -> GaussianOptions {
    GaussianOptions::default()
}

fn opts_mode(mode: BorderMode) -> GaussianOptions {
    GaussianOptions {
        mode,
        ..GaussianOptions::default()
    }
}

/// The reversed Gaussian kernel as an N-d correlation kernel along `axis` of an `nd`-d array.
fn gauss_along(sigma: f64, order: usize, radius: usize, axis: usize, nd: usize) -> ArrayD<f64> {
    let k = gaussian_kernel1d(sigma, order, radius).unwrap();
    let mut shape = vec![1; nd];
    shape[axis] = k.len();
    let rev: Vec<f64> = k.iter().rev().copied().collect();
    ArrayD::from_shape_vec(IxDyn(&shape), rev).unwrap()
}

/// 2^664 (~7.7e199): its squares overflow, and sums of a few of them are exact, so the naive
/// two-pass oracle is exact on windows of it (variance 0) and inf where numpy's is.
const BIG: f64 = 7.654505172902098e199;

/// A 1-D line of small integers with two adjacent 1e308 samples at 100 and 101: their window
/// sums overflow to inf, the rest are exact.
fn overflow_line(n: usize, seed: u64) -> ArrayD<f64> {
    let mut a = ints(&[n], seed);
    a[[100]] = 1e308;
    a[[101]] = 1e308;
    a
}

#[test]
fn hostile_windows() {
    let mut s = Suite::new("hostile_windows");
    broadcast_outputs(&mut s);
    origins(&mut s);
    sizes(&mut s);
    weights(&mut s);
    short_arrays(&mut s);
    zero_d_and_empty(&mut s);
    size_one_axes(&mut s);
    non_finite_data(&mut s);
    overflow(&mut s);
    tiny(&mut s);
    views(&mut s);
    into_shapes(&mut s);
    gaussian_params(&mut s);
    recursive_params(&mut s);
    recursive_overflow(&mut s);
    gradients(&mut s);
    gabor_and_ball(&mut s);
    scipy_values(&mut s);
    assert!(s.len() >= 150, "{} cases", s.len());
    s.run();
}

/// Class 1: origins that overflow `size / 2 + origin` or fall outside the window.
fn origins(s: &mut Suite) {
    for (name, o) in [
        ("isize::MAX", isize::MAX),
        ("isize::MIN", isize::MIN),
        ("out of the window", 3),
        ("just below the window", -3),
    ] {
        let a = || arr1(&[1.0f64, 2.0, 3.0, 4.0, 5.0]);
        s.case(format!("uniform_filter1d origin {name}"), move || {
            err_contains(
                uniform_filter1d(&a(), 5, 0, BorderMode::Reflect, o),
                "origin",
            )
        });
        s.case(format!("uniform_filter origin {name}"), move || {
            err_contains(uniform_filter(&a(), &[5], BorderMode::Wrap, &[o]), "origin")
        });
        s.case(format!("window_sum origin {name}"), move || {
            err_contains(window_sum(&a(), &[5], WindowMode::Shrink, &[o]), "origin")
        });
        s.case(format!("correlate1d origin {name}"), move || {
            err_contains(
                correlate1d(&a(), &[1.0; 5], 0, BorderMode::Nearest, o),
                "origin",
            )
        });
        s.case(format!("convolve1d origin {name}"), move || {
            err_contains(
                convolve1d(&a(), &[1.0; 5], 0, BorderMode::Mirror, o),
                "origin",
            )
        });
        s.case(format!("correlate origin {name}"), move || {
            let w = arr2(&[[1.0, 2.0, 3.0, 4.0, 5.0], [0.5, 0.0, 1.0, 0.0, 2.0]]);
            let a = ints(&[3, 4], 1);
            err_contains(
                correlate(&a, &w.into_dyn(), BorderMode::Reflect, &[0, o]),
                "origin",
            )
        });
        s.case(format!("convolve origin {name}"), move || {
            let w = arr2(&[[1.0, 2.0, 3.0, 4.0, 5.0]]);
            err_contains(
                convolve(&ints(&[3, 4], 2), &w.into_dyn(), BorderMode::Reflect, &[o]),
                "origin",
            )
        });
    }
    s.case(
        "uniform_filter origin with size 0 is unused (scipy)",
        || {
            // scipy.ndimage.uniform_filter(x, 0, origin=5) == x
            let a = arr1(&[1.0f64, 5.0, -2.0]);
            let y = ok(uniform_filter(&a, &[0], BorderMode::Reflect, &[isize::MAX]))?;
            ensure(y == a, format!("{y:?}"))
        },
    );
    s.case("uniform_filter origin at both ends of the window", || {
        let a = ints(&[9], 3);
        for o in [-2isize, 2] {
            let y = ok(uniform_filter(&a, &[5], BorderMode::Reflect, &[o]))?;
            let want = naive::box_filter(&a, &[5], &[o], BorderMode::Reflect.into(), true);
            same(&y, &want, 1e-14, 1e-14)?;
        }
        Ok(())
    });
}

/// Classes 1, 2 and 10: window sizes of 0, `usize::MAX` and 1e9 on a 5-sample line.
fn sizes(s: &mut Suite) {
    let line = || arr1(&[1.0f64, 2.0, 3.0, 4.0, 5.0]);
    let line32 = || arr1(&[1.0f32, 2.0, 3.0, 4.0, 5.0]);
    s.case("uniform_filter1d size usize::MAX", move || {
        is_err(uniform_filter1d(
            &line(),
            usize::MAX,
            0,
            BorderMode::Reflect,
            0,
        ))
    });
    s.case("uniform_filter size usize::MAX", move || {
        err_contains(
            uniform_filter(&line(), &[usize::MAX], BorderMode::Wrap, &[0]),
            "extended line",
        )
    });
    s.case("window_sum size usize::MAX", move || {
        err_contains(
            window_sum(&line(), &[usize::MAX], WindowMode::Shrink, &[0]),
            "extended line",
        )
    });
    s.case("local_mean_var size usize::MAX", move || {
        err_contains(
            local_mean_var(&line(), &[usize::MAX], BorderMode::Nearest),
            "extended line",
        )
    });
    let big = 1_000_000_000usize;
    s.case("uniform_filter1d window 1e9 on 5 samples f64", move || {
        err_contains(
            uniform_filter1d(&line(), big, 0, BorderMode::Wrap, 0),
            "bytes",
        )
    });
    s.case("uniform_filter1d window 1e9 on 5 samples f32", move || {
        err_contains(
            uniform_filter1d(&line32(), big, 0, BorderMode::Reflect, 0),
            "bytes",
        )
    });
    s.case("uniform_filter window 1e9 on 5 samples", move || {
        err_contains(
            uniform_filter(&line(), &[big], BorderMode::Mirror, &[0]),
            "bytes",
        )
    });
    s.case("window_sum window 1e9 on 5 samples f32", move || {
        err_contains(
            window_sum(&line32(), &[big], BorderMode::Nearest, &[0]),
            "bytes",
        )
    });
    s.case("window_sum 2-D window 1e9 on a 2x3 array", move || {
        err_contains(
            window_sum(&ints(&[2, 3], 4), &[3, big], WindowMode::Shrink, &[0]),
            "bytes",
        )
    });
    s.case("local_mean_var window 1e9 on 5 samples", move || {
        err_contains(
            local_mean_var(&line(), &[big], BorderMode::Reflect),
            "bytes",
        )
    });
    s.case("local_std window 1e9 on 5 samples f32", move || {
        err_contains(local_std(&line32(), &[big], WindowMode::Shrink), "bytes")
    });
    s.case("correlate1d 2^20 taps on 5 samples", move || {
        let w = vec![1.0; 1 << 20];
        let y = ok(correlate1d(&line(), &w, 0, BorderMode::Wrap, 0))?;
        let wd = ArrayD::from_elem(IxDyn(&[1 << 20]), 1.0);
        let x = line().into_dyn();
        same(
            &y,
            &naive::correlate(&x, &wd, BorderMode::Wrap, &[0]),
            1e-12,
            0.0,
        )
    });
    s.case(
        "window 1e9 on an empty line is an empty result",
        move || {
            let e = Array1::<f64>::zeros(0);
            err_or(uniform_filter1d(&e, big, 0, BorderMode::Reflect, 0), |y| {
                ensure(y.is_empty(), format!("{y:?}"))
            })
        },
    );
    s.case("local_mean_var window 1e9 on an empty array", move || {
        let e = Array2::<f32>::zeros((0, 4));
        err_or(local_mean_var(&e, &[big], BorderMode::Reflect), |(m, v)| {
            ensure(m.shape() == [0, 4] && v.shape() == [0, 4], "shape")
        })
    });
    // Class 10: scipy.ndimage.uniform_filter(x, 0) does no filtering; uniform_filter1d(x, 0)
    // raises RuntimeError("incorrect filter size").
    s.case(
        "uniform_filter size 0 is the identity (scipy) f64",
        move || {
            let y = ok(uniform_filter(&line(), &[0], BorderMode::Reflect, &[0]))?;
            ensure(y == line(), format!("{y:?}"))
        },
    );
    s.case(
        "uniform_filter size 0 is the identity (scipy) f32",
        move || {
            let y = ok(uniform_filter(&line32(), &[0], WindowMode::Shrink, &[0]))?;
            ensure(y == line32(), format!("{y:?}"))
        },
    );
    s.case(
        "uniform_filter sizes [0, 2] filter axis 1 only (scipy)",
        || {
            // scipy.ndimage.uniform_filter(np.arange(6.).reshape(2, 3), [0, 2], origin=[0, -1])
            let a = arr2(&[[0.0f64, 1.0, 2.0], [3.0, 4.0, 5.0]]);
            let y = ok(uniform_filter(&a, &[0, 2], BorderMode::Reflect, &[0, -1]))?;
            let want = arr2(&[[0.5, 1.5, 2.0], [3.5, 4.5, 5.0]]).into_dyn();
            same(&y, &want, 0.0, 0.0)
        },
    );
    s.case("uniform_filter1d size 0 is an Err", move || {
        err_contains(
            uniform_filter1d(&line(), 0, 0, BorderMode::Reflect, 0),
            "size",
        )
    });
    s.case("window_sum size 0 is an Err", move || {
        err_contains(window_sum(&line(), &[0], BorderMode::Reflect, &[0]), "size")
    });
    s.case("local_mean_var size 0 is an Err", move || {
        err_contains(local_mean_var(&line(), &[0], BorderMode::Reflect), "size")
    });
    s.case("local_std size 0 is an Err", move || {
        err_contains(local_std(&line32(), &[3, 0], BorderMode::Reflect), "size")
    });
    s.case("uniform_filter wrong number of sizes", move || {
        err_contains(
            uniform_filter(&line(), &[3, 3], BorderMode::Reflect, &[0]),
            "one per axis",
        )
    });
    s.case("uniform_filter1d axis usize::MAX", move || {
        is_err(uniform_filter1d(
            &line(),
            3,
            usize::MAX,
            BorderMode::Reflect,
            0,
        ))
    });
}

/// Kernels: empty, NaN, infinite, of the wrong dimension.
fn weights(s: &mut Suite) {
    let a = || arr1(&[1.0f64, 2.0, 3.0, 4.0, 5.0]);
    s.case("correlate1d empty weights", move || {
        err_contains(correlate1d(&a(), &[], 0, BorderMode::Reflect, 0), "weight")
    });
    s.case("convolve1d empty weights", move || {
        err_contains(convolve1d(&a(), &[], 0, BorderMode::Reflect, 0), "weight")
    });
    s.case("correlate empty kernel", || {
        let w = Array2::<f64>::zeros((0, 3));
        err_contains(
            correlate(&ints(&[3, 3], 5), &w, BorderMode::Reflect, &[0]),
            "empty",
        )
    });
    s.case("convolve empty kernel", || {
        let w = Array2::<f64>::zeros((2, 0));
        is_err(convolve(&ints(&[3, 3], 5), &w, BorderMode::Reflect, &[0]))
    });
    s.case("correlate kernel of the wrong dimension", || {
        let w = arr1(&[1.0, 2.0]);
        err_contains(
            correlate(&ints(&[3, 3], 5), &w, BorderMode::Reflect, &[0]),
            "dimension",
        )
    });
    s.case(
        "correlate1d NaN weight makes every output NaN (scipy)",
        move || {
            // scipy.ndimage.correlate1d(np.arange(5.), [1, np.nan, 1]) is all NaN
            let y = ok(correlate1d(
                &a(),
                &[1.0, f64::NAN, 1.0],
                0,
                BorderMode::Reflect,
                0,
            ))?;
            ensure(y.iter().all(|v| v.is_nan()), format!("{y:?}"))
        },
    );
    s.case("correlate dense NaN weight vs naive", || {
        let x = ints(&[4, 5], 6);
        let w = arr2(&[[1.0, 0.0, 2.0], [0.0, f64::NAN, -1.0]]).into_dyn();
        let y = ok(correlate(&x, &w, BorderMode::Mirror, &[0]))?;
        same(
            &y,
            &naive::correlate(&x, &w, BorderMode::Mirror, &[0, 0]),
            1e-14,
            1e-14,
        )
    });
    s.case("correlate1d infinite weight vs naive", || {
        let x = ints(&[7], 7).mapv(|v| if v == 0.0 { 1.0 } else { v });
        let y = ok(correlate1d(
            &x,
            &[1.0, f64::INFINITY],
            0,
            BorderMode::Nearest,
            0,
        ))?;
        let w = arr1(&[1.0, f64::INFINITY]).into_dyn();
        same(
            &y,
            &naive::correlate(&x, &w, BorderMode::Nearest, &[0]),
            0.0,
            0.0,
        )
    });
}

/// Every border mode with arrays shorter than the window, f64 and f32, against the naive
/// oracles.
fn short_arrays(s: &mut Suite) {
    for m in window_modes() {
        let name = mode_name(m);
        s.case(
            format!("uniform_filter1d 7 on 3 samples {name} f64"),
            move || {
                let x = ints(&[3], 8);
                let y = ok(uniform_filter1d(&x, 7, 0, m, 1))?;
                same(
                    &y,
                    &naive::box_filter(&x, &[7], &[1], m, true),
                    1e-14,
                    1e-14,
                )
            },
        );
        s.case(
            format!("uniform_filter1d 7 on 3 samples {name} f32"),
            move || {
                let x = ints(&[3], 9);
                let y = ok(uniform_filter1d(&to_f32(&x), 7, 0, m, -2))?;
                same(&y, &naive::box_filter(&x, &[7], &[-2], m, true), 1e-6, 1e-6)
            },
        );
        s.case(format!("window_sum 25x12 on 2x3 {name} f64"), move || {
            // Long windows: running sums on both axes.
            let x = ints(&[2, 3], 10);
            let y = ok(window_sum(&x, &[25, 12], m, &[3, -1]))?;
            same(
                &y,
                &naive::box_filter(&x, &[25, 12], &[3, -1], m, false),
                1e-13,
                1e-12,
            )
        });
        s.case(format!("window_sum 5x4 on 2x3 {name} f32"), move || {
            let x = ints(&[2, 3], 11);
            let y = ok(window_sum(&to_f32(&x), &[5, 4], m, &[0]))?;
            same(
                &y,
                &naive::box_filter(&x, &[5, 4], &[0, 0], m, false),
                1e-6,
                1e-5,
            )
        });
        s.case(format!("local_mean_var 5x9 on 2x3 {name}"), move || {
            let x = ints(&[2, 3], 12);
            let (mu, var) = ok(local_mean_var(&x, &[5, 9], m))?;
            let (wm, wv) = naive::mean_var(&x, &[5, 9], m);
            same(&mu, &wm, 1e-13, 1e-13)?;
            same(&var, &wv, 1e-12, 1e-12)
        });
    }
    for b in BORDERS {
        s.case(
            format!("correlate1d 6 taps on 2 samples {b:?}"),
            move || {
                let x = ints(&[2], 13);
                let w = [1.0, -2.0, 0.5, 3.0, 0.25, -1.0];
                let y = ok(correlate1d(&x, &w, 0, b, 1))?;
                let wd = arr1(&w).into_dyn();
                same(&y, &naive::correlate(&x, &wd, b, &[1]), 1e-14, 1e-14)
            },
        );
        s.case(
            format!("correlate dense 3x4 kernel on 2x2 {b:?}"),
            move || {
                let x = ints(&[2, 2], 14);
                let w = arr2(&[
                    [1.0, 0.0, 2.0, -1.0],
                    [0.5, 3.0, 0.0, 1.0],
                    [2.0, -1.0, 1.0, 0.0],
                ])
                .into_dyn();
                let y = ok(correlate(&x, &w, b, &[0, -1]))?;
                same(&y, &naive::correlate(&x, &w, b, &[0, -1]), 1e-14, 1e-14)
            },
        );
        s.case(
            format!("gaussian_filter1d sigma 3 on 4 samples {b:?}"),
            move || {
                let x = ints(&[4], 15);
                let y = ok(gaussian_filter1d(&x, 3.0, 0, &opts_mode(b)))?;
                let k = gauss_along(3.0, 0, 12, 0, 1);
                same(&y, &naive::correlate(&x, &k, b, &[0]), 1e-13, 1e-13)
            },
        );
    }
}

/// Class 10: 0-d arrays (scipy: the product / the value) and empty arrays (scipy: []).
fn zero_d_and_empty(s: &mut Suite) {
    let z = || arr0(3.5f64);
    s.case("uniform_filter 0-d is the value", move || {
        let y = ok(uniform_filter(&z(), &[3], BorderMode::Reflect, &[0]))?;
        ensure(y == z(), format!("{y:?}"))
    });
    s.case("window_sum 0-d is the value", move || {
        let y = ok(window_sum(&z(), &[3], WindowMode::Shrink, &[0]))?;
        ensure(y == z(), format!("{y:?}"))
    });
    s.case("uniform_filter1d 0-d has no axis", move || {
        is_err(uniform_filter1d(&z(), 3, 0, BorderMode::Reflect, 0))
    });
    s.case("correlate 0-d is the product (scipy)", move || {
        // scipy.ndimage.correlate(np.array(3.5), np.array(2.0)) == 7.0
        let y = ok(correlate(&z(), &arr0(2.0), BorderMode::Reflect, &[]))?;
        ensure(y == arr0(7.0), format!("{y:?}"))
    });
    s.case("convolve 0-d is the product (scipy)", move || {
        let y = ok(convolve(&arr0(3.5f32), &arr0(-2.0), BorderMode::Wrap, &[]))?;
        ensure(y == arr0(-7.0f32), format!("{y:?}"))
    });
    s.case("correlate1d 0-d has no axis", move || {
        is_err(correlate1d(&z(), &[1.0], 0, BorderMode::Reflect, 0))
    });
    s.case("gaussian_filter 0-d is the value (scipy)", move || {
        let y = ok(gaussian_filter(&z(), &[2.0], &opts()))?;
        ensure(y == z(), format!("{y:?}"))
    });
    s.case("gaussian_filter1d 0-d has no axis", move || {
        is_err(gaussian_filter1d(&z(), 2.0, 0, &opts()))
    });
    s.case("gaussian_filter_recursive 0-d is the value", move || {
        let y = ok(gaussian_filter_recursive(&z(), &[2.0], BorderMode::Reflect))?;
        ensure(y == z(), format!("{y:?}"))
    });
    s.case("local_mean_var 0-d", move || {
        let (m, v) = ok(local_mean_var(&z(), &[3], BorderMode::Reflect))?;
        ensure(m == z() && v == arr0(0.0), format!("{m:?} {v:?}"))
    });
    s.case(
        "local_mean_var 0-d NaN and inf give a NaN variance (numpy)",
        || {
            for x in [f64::NAN, f64::INFINITY] {
                let (m, v) = ok(local_mean_var(&arr0(x), &[3], BorderMode::Reflect))?;
                ensure(
                    m[[]].to_bits() == x.to_bits() && v[[]].is_nan(),
                    format!("{m:?} {v:?}"),
                )?;
            }
            Ok(())
        },
    );
    s.case("gradient 0-d is empty (numpy)", move || {
        // np.gradient(np.array(3.0)) == ()
        let g = ok(gradient(&z(), &[], None, 1))?;
        ensure(g.is_empty(), format!("{g:?}"))
    });
    let e = || Array2::<f64>::zeros((0, 3));
    s.case("uniform_filter empty", move || {
        let y = ok(uniform_filter(&e(), &[3], BorderMode::Reflect, &[0]))?;
        ensure(y.shape() == [0, 3], format!("{:?}", y.shape()))
    });
    s.case("uniform_filter1d empty f32", || {
        let y = ok(uniform_filter1d(
            &Array2::<f32>::zeros((3, 0)),
            40,
            1,
            BorderMode::Wrap,
            0,
        ))?;
        ensure(y.shape() == [3, 0], format!("{:?}", y.shape()))
    });
    s.case("window_sum empty", move || {
        let y = ok(window_sum(&e(), &[30], WindowMode::Shrink, &[0]))?;
        ensure(y.shape() == [0, 3], format!("{:?}", y.shape()))
    });
    s.case("correlate empty (scipy [])", move || {
        let w = arr2(&[[1.0, 2.0], [3.0, 5.0]]);
        let y = ok(correlate(&e(), &w, BorderMode::Reflect, &[0]))?;
        ensure(y.shape() == [0, 3], format!("{:?}", y.shape()))
    });
    s.case("convolve empty (scipy [])", move || {
        let w = arr2(&[[1.0, 2.0], [2.0, 4.0]]);
        let y = ok(convolve(&e(), &w, BorderMode::Constant(2.0), &[0]))?;
        ensure(y.shape() == [0, 3], format!("{:?}", y.shape()))
    });
    s.case("correlate1d empty (scipy [])", || {
        let y = ok(correlate1d(
            &Array1::<f64>::zeros(0),
            &[1.0, 2.0],
            0,
            BorderMode::Reflect,
            0,
        ))?;
        ensure(y.is_empty(), format!("{y:?}"))
    });
    s.case("convolve1d empty along another axis", move || {
        let y = ok(convolve1d(&e(), &[1.0, 2.0, 3.0], 1, BorderMode::Mirror, 0))?;
        ensure(y.shape() == [0, 3], format!("{:?}", y.shape()))
    });
    s.case("gaussian_filter empty", move || {
        let y = ok(gaussian_filter(&e(), &[2.0], &opts()))?;
        ensure(y.shape() == [0, 3], format!("{:?}", y.shape()))
    });
    s.case("gaussian_filter1d empty", move || {
        let y = ok(gaussian_filter1d(&e(), 2.0, 0, &opts()))?;
        ensure(y.shape() == [0, 3], format!("{:?}", y.shape()))
    });
    s.case("gaussian_filter_recursive empty", move || {
        let y = ok(gaussian_filter_recursive(&e(), &[2.0], BorderMode::Reflect))?;
        ensure(y.shape() == [0, 3], format!("{:?}", y.shape()))
    });
    s.case("local_mean_var empty", move || {
        let (m, v) = ok(local_mean_var(&e(), &[3], WindowMode::Shrink))?;
        ensure(m.shape() == [0, 3] && v.shape() == [0, 3], "shape")
    });
    s.case("gradient of an empty axis is an Err (numpy)", move || {
        is_err(gradient(&e(), &[], Some(&[0]), 1))
    });
    s.case(
        "gradient along the non-empty axis of an empty array",
        move || {
            let g = ok(gradient(&e(), &[], Some(&[1]), 1))?;
            ensure(g.len() == 1 && g[0].shape() == [0, 3], format!("{g:?}"))
        },
    );
}

/// Axes of length 1 (every mode maps the window onto the one sample or the constant).
fn size_one_axes(s: &mut Suite) {
    for m in window_modes() {
        let name = mode_name(m);
        s.case(format!("uniform_filter 1x6 size 3x11 {name}"), move || {
            let x = ints(&[1, 6], 16);
            let y = ok(uniform_filter(&x, &[3, 11], m, &[0]))?;
            same(
                &y,
                &naive::box_filter(&x, &[3, 11], &[0, 0], m, true),
                1e-14,
                1e-14,
            )
        });
    }
    s.case("correlate 1x1 with a 3x3 kernel", || {
        let x = arr2(&[[2.0f64]]).into_dyn();
        let w = arr2(&[[1.0, 2.0, 0.0], [0.0, 3.0, 1.0], [5.0, 0.0, 1.0]]).into_dyn();
        for b in BORDERS {
            let y = ok(correlate(&x, &w, b, &[0]))?;
            same(&y, &naive::correlate(&x, &w, b, &[0, 0]), 1e-14, 1e-14)?;
        }
        Ok(())
    });
    s.case("local_mean_var 1x1", || {
        let (m, v) = ok(local_mean_var(
            &arr2(&[[4.0f32]]),
            &[3],
            BorderMode::Reflect,
        ))?;
        ensure(m[[0, 0]] == 4.0 && v[[0, 0]] == 0.0, format!("{m:?} {v:?}"))
    });
    s.case("gaussian_filter 5x1", || {
        let x = ints(&[5, 1], 17);
        let y = ok(gaussian_filter(&x, &[1.0], &opts()))?;
        let k = gauss_along(1.0, 0, 4, 0, 2);
        let want = naive::correlate(&x, &k, BorderMode::Reflect, &[0, 0]);
        same(&y, &want, 1e-13, 1e-13)
    });
}

/// NaN and inf stay inside the windows that contain them.
fn non_finite_data(s: &mut Suite) {
    s.case("uniform_filter1d long line NaN stays local f64", || {
        let mut x = ints(&[3000], 18);
        x[[1500]] = f64::NAN;
        let y = ok(uniform_filter1d(&x, 31, 0, BorderMode::Reflect, 0))?;
        same(
            &y,
            &naive::box_filter(&x, &[31], &[0], BorderMode::Reflect.into(), true),
            1e-12,
            1e-12,
        )
    });
    s.case("uniform_filter1d long line NaN stays local f32", || {
        let mut x = ints(&[3000], 19);
        x[[10]] = f64::NAN;
        let y = ok(uniform_filter1d(&to_f32(&x), 31, 0, BorderMode::Wrap, 0))?;
        same(
            &y,
            &naive::box_filter(&x, &[31], &[0], BorderMode::Wrap.into(), true),
            1e-5,
            1e-5,
        )
    });
    s.case(
        "uniform_filter1d +inf and -inf: inf, NaN where both, exact elsewhere",
        || {
            let mut x = ints(&[2000], 20);
            x[[500]] = f64::INFINITY;
            x[[510]] = f64::NEG_INFINITY;
            let y = ok(window_sum(&x, &[21], BorderMode::Nearest, &[0]))?;
            same(
                &y,
                &naive::box_filter(&x, &[21], &[0], BorderMode::Nearest.into(), false),
                0.0,
                0.0,
            )
        },
    );
    s.case("uniform_filter 2-D NaN stays local (fused)", || {
        let mut x = ints(&[40, 50], 21);
        x[[20, 25]] = f64::NAN;
        let y = ok(uniform_filter(&x, &[21, 13], BorderMode::Mirror, &[0]))?;
        let want = naive::box_filter(&x, &[21, 13], &[0, 0], BorderMode::Mirror.into(), true);
        same(&y, &want, 1e-12, 1e-12)
    });
    s.case(
        "uniform_filter_into 2-D NaN stays local (transposed output)",
        || {
            let mut x = ints(&[30, 40], 22);
            x[[3, 30]] = f64::NAN;
            x[[20, 2]] = f64::INFINITY;
            let mut out = Array2::<f64>::zeros((40, 30));
            ok(uniform_filter_into(
                &x.clone().into_dimensionality().unwrap(),
                &[11, 17],
                BorderMode::Reflect,
                &[0],
                out.view_mut().reversed_axes(),
            ))?;
            let y = out.reversed_axes().into_dyn();
            let want = naive::box_filter(&x, &[11, 17], &[0, 0], BorderMode::Reflect.into(), true);
            same(&y, &want, 1e-12, 1e-12)
        },
    );
    s.case("correlate1d NaN stays local", || {
        let mut x = ints(&[50], 23);
        x[[25]] = f64::NAN;
        let w = [0.5, 1.0, -1.0, 2.0];
        let y = ok(correlate1d(&x, &w, 0, BorderMode::Reflect, 0))?;
        let wd = arr1(&w).into_dyn();
        same(
            &y,
            &naive::correlate(&x, &wd, BorderMode::Reflect, &[0]),
            1e-14,
            1e-14,
        )
    });
    s.case("gaussian_filter NaN stays within the kernel radius", || {
        let mut x = ints(&[30, 30], 24);
        x[[15, 15]] = f64::NAN;
        let y = ok(gaussian_filter(&x, &[1.0], &opts()))?;
        for (idx, v) in y.indexed_iter() {
            let (i, j) = (idx[0], idx[1]);
            let near = i.abs_diff(15) <= 4 && j.abs_diff(15) <= 4;
            ensure(v.is_nan() == near, format!("[{i}, {j}] = {v}"))?;
        }
        Ok(())
    });
    s.case("correlate dense NaN only where weighted", || {
        let mut x = ints(&[12, 12], 25);
        x[[6, 6]] = f64::NAN;
        let w = arr2(&[[1.0, 0.0, 2.0], [0.0, 0.0, -1.0], [3.0, 1.0, 0.0]]).into_dyn();
        let y = ok(correlate(&x, &w, BorderMode::Wrap, &[0]))?;
        // scipy.ndimage.correlate skips zero weights: a NaN reaches only the outputs that
        // weigh it (checked: x = np.arange(25.).reshape(5, 5); x[2, 2] = nan with this w).
        let want = naive::map_windows(&x, &[3, 3], &[0, 0], BorderMode::Wrap.into(), |vals| {
            vals.iter()
                .filter(|(k, _)| w[IxDyn(k)] != 0.0)
                .map(|(k, v)| w[IxDyn(k)] * v)
                .sum()
        });
        same(&y, &want, 1e-14, 1e-14)
    });
    s.case("local_mean_var NaN stays local (fused)", || {
        let mut x = ints(&[20, 2000], 26);
        x[[10, 1000]] = f64::NAN;
        let (m, v) = ok(local_mean_var(&x, &[3, 21], BorderMode::Reflect))?;
        let (wm, wv) = naive::mean_var(&x, &[3, 21], BorderMode::Reflect.into());
        same(&m, &wm, 1e-12, 1e-12)?;
        same(&v, &wv, 1e-11, 1e-11)
    });
    s.case(
        "local_mean_var NaN and inf stay local (strided output)",
        || {
            let mut x = ints(&[30, 40], 27);
            x[[5, 5]] = f64::NAN;
            x[[25, 30]] = f64::INFINITY;
            let xd = x.clone().into_dimensionality::<ndarray::Ix2>().unwrap();
            let (mut m, mut v) = (
                Array2::<f64>::zeros((40, 30)),
                Array2::<f64>::zeros((40, 30)),
            );
            ok(local_mean_var_into(
                &xd,
                &[5, 11],
                WindowMode::Shrink,
                m.view_mut().reversed_axes(),
                v.view_mut().reversed_axes(),
            ))?;
            let (wm, wv) = naive::mean_var(&x, &[5, 11], WindowMode::Shrink);
            same(&m.reversed_axes(), &wm, 1e-12, 1e-12)?;
            same(&v.reversed_axes(), &wv, 1e-11, 1e-11)
        },
    );
    s.case("gaussian_filter_recursive NaN stays in its line", || {
        let mut x = ints(&[5, 40], 28);
        let clean = ok(gaussian_filter_recursive(
            &x,
            &[0.0, 2.0],
            BorderMode::Reflect,
        ))?;
        x[[2, 20]] = f64::NAN;
        let y = ok(gaussian_filter_recursive(
            &x,
            &[0.0, 2.0],
            BorderMode::Reflect,
        ))?;
        for (idx, &v) in y.indexed_iter() {
            let (i, j) = (idx[0], idx[1]);
            if i == 2 {
                ensure(v.is_nan(), format!("[{i}, {j}] = {v}"))?;
            } else {
                ensure(v == clean[[i, j]], format!("[{i}, {j}] = {v}"))?;
            }
        }
        Ok(())
    });
    s.case("gradient NaN reaches only its neighbours", || {
        let mut x = Array1::from_iter((0..10).map(|i| (i * i) as f64));
        x[5] = f64::NAN;
        let g = ok(gradient(&x, &[], None, 2))?;
        for (i, v) in g[0].iter().enumerate() {
            ensure(v.is_nan() == (i == 4 || i == 6), format!("{i}: {v}"))?;
        }
        Ok(())
    });
}

/// Class 6: an overflow (1e308 + 1e308) in one window must not poison the next windows, and
/// the one-pass local moments must not overflow where the scaled two-pass moments are finite.
fn overflow(s: &mut Suite) {
    for m in [BorderMode::Reflect, BorderMode::Wrap] {
        s.case(
            format!("window_sum 1-D 1e308 pair, windows after exact {m:?}"),
            move || {
                let x = overflow_line(3000, 29);
                let y = ok(window_sum(&x, &[20], m, &[0]))?;
                same(
                    &y,
                    &naive::box_filter(&x, &[20], &[0], m.into(), false),
                    1e-15,
                    0.0,
                )
            },
        );
    }
    s.case("uniform_filter1d 1e308 pair, strided output route", || {
        let x = overflow_line(3000, 30);
        let mut out = Array1::<f64>::zeros(3000);
        let xv = x.clone().into_dimensionality::<ndarray::Ix1>().unwrap();
        ok(uniform_filter1d_into(
            &xv,
            20,
            0,
            BorderMode::Reflect,
            0,
            out.slice_mut(s![..;-1]),
        ))?;
        let want = naive::box_filter(&x, &[20], &[0], BorderMode::Reflect.into(), true);
        let y = out.slice(s![..;-1]).to_owned();
        same(&y, &want, 1e-14, 1e-300)
    });
    s.case("uniform_filter1d 1e308 pair in a 4-segment line", || {
        // 9000 outputs: groups of four anchored segments in the portable running sums.
        let mut x = ints(&[9000], 31);
        x[[4000]] = 1e308;
        x[[4003]] = 1.5e308;
        let y = ok(window_sum(&x, &[40], BorderMode::Reflect, &[0]))?;
        same(
            &y,
            &naive::box_filter(&x, &[40], &[0], BorderMode::Reflect.into(), false),
            1e-15,
            0.0,
        )
    });
    s.case(
        "window_sum 2-D outer axis 1e308 rows, rows after exact",
        || {
            let mut x = ints(&[3000, 3], 32);
            for j in 0..3 {
                x[[100, j]] = 1e308;
                x[[101, j]] = 1e308;
            }
            let y = ok(window_sum(&x, &[20, 1], BorderMode::Reflect, &[0]))?;
            let want = naive::box_filter(&x, &[20, 1], &[0, 0], BorderMode::Reflect.into(), false);
            same(&y, &want, 1e-15, 0.0)
        },
    );
    s.case("window_sum 2-D both axes 1e308 block", || {
        // 2x2 blocks: the sums overflow along both axes (a lone huge value that does not
        // overflow is absorbed by any running sum, scipy's included; see the module docs).
        let mut x = ints(&[600, 30], 33);
        for (i, j, v) in [(100, 10, 1e308), (300, 2, -1e308)] {
            for (di, dj) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
                x[[i + di, j + dj]] = v;
            }
        }
        let y = ok(window_sum(&x, &[20, 12], BorderMode::Nearest, &[0]))?;
        let want = naive::box_filter(&x, &[20, 12], &[0, 0], BorderMode::Nearest.into(), false);
        same(&y, &want, 1e-15, 0.0)
    });
    s.case("uniform_filter 2-D inner axis 1e308 pair", || {
        let mut x = ints(&[3, 3000], 34);
        x[[1, 100]] = 1e308;
        x[[1, 101]] = 1e308;
        let y = ok(window_sum(&x, &[1, 20], BorderMode::Mirror, &[0]))?;
        let want = naive::box_filter(&x, &[1, 20], &[0, 0], BorderMode::Mirror.into(), false);
        same(&y, &want, 1e-15, 0.0)
    });
    s.case(
        "uniform_filter1d f32 near f32::MAX: long windows sum in f64",
        || {
            let mut x = ints(&[300], 35);
            x[[100]] = 3e38;
            x[[101]] = 3e38;
            let y = ok(uniform_filter1d(&to_f32(&x), 20, 0, BorderMode::Reflect, 0))?;
            let want = naive::box_filter(&x, &[20], &[0], BorderMode::Reflect.into(), true);
            // 6e38 / 20 fits f32: the windows holding both are finite (scipy sums in double).
            let head = |a: &ArrayD<f64>| a.slice(s![..112]).to_owned().into_dyn();
            same(
                &head(&y.mapv(f64::from).into_dyn()),
                &head(&want),
                1e-6,
                1e-6,
            )
        },
    );
    s.case(
        "local_mean_var 1e200 block: variance 0 inside, exact after",
        || {
            let mut x = ints(&[3000], 36);
            for i in 0..100 {
                x[[i]] = BIG;
            }
            let (m, v) = ok(local_mean_var(&x, &[21], BorderMode::Reflect))?;
            let (wm, wv) = naive::mean_var(&x, &[21], BorderMode::Reflect.into());
            same(&m, &wm, 1e-13, 1e-12)?;
            same(&v, &wv, 1e-12, 1e-11)?;
            ensure(
                v[[40]] == 0.0 && m[[40]] == BIG,
                format!("{} {}", m[[40]], v[[40]]),
            )
        },
    );
    s.case("local_mean_var 2-D 1e200 block (fused)", || {
        let mut x = ints(&[60, 70], 37);
        for i in 0..20 {
            for j in 0..30 {
                x[[i, j]] = -BIG;
            }
        }
        let (m, v) = ok(local_mean_var(&x, &[5, 7], BorderMode::Nearest))?;
        let (wm, wv) = naive::mean_var(&x, &[5, 7], BorderMode::Nearest.into());
        same(&m, &wm, 1e-13, 1e-12)?;
        same(&v, &wv, 1e-12, 1e-11)
    });
    s.case("local_mean_var 2-D 1e200 block (strided output)", || {
        let mut x = ints(&[60, 70], 38);
        for i in 30..60 {
            for j in 0..30 {
                x[[i, j]] = BIG;
            }
        }
        let xd = x.clone().into_dimensionality::<ndarray::Ix2>().unwrap();
        let (mut m, mut v) = (
            Array2::<f64>::zeros((70, 60)),
            Array2::<f64>::zeros((70, 60)),
        );
        ok(local_mean_var_into(
            &xd,
            &[5, 9],
            BorderMode::Wrap,
            m.view_mut().reversed_axes(),
            v.view_mut().reversed_axes(),
        ))?;
        let (wm, wv) = naive::mean_var(&x, &[5, 9], BorderMode::Wrap.into());
        same(&m.reversed_axes(), &wm, 1e-13, 1e-12)?;
        same(&v.reversed_axes(), &wv, 1e-12, 1e-11)
    });
    s.case("local_mean_var +-1.5e308 halves: scaled moments", || {
        let a: f64 = 1.5e308;
        let x = Array1::from_iter((0..50).map(|i| if i < 25 { a } else { -a }));
        let (m, v) = ok(local_mean_var(&x, &[5], BorderMode::Nearest))?;
        for i in 0..50 {
            let pure = !(23..=26).contains(&i);
            if pure {
                let want = if i < 25 { a } else { -a };
                ensure(
                    m[i] == want && v[i] == 0.0,
                    format!("{i}: {} {}", m[i], v[i]),
                )?;
            } else {
                // Mixed windows: |mean| <= a, the variance (~1e616) is inf, as numpy's.
                ensure(
                    m[i].is_finite() && m[i].abs() <= a && v[i] == f64::INFINITY,
                    format!("{i}: {} {}", m[i], v[i]),
                )?;
            }
        }
        // Window [a, a, a, -a, -a] at i = 24 has mean a / 5.
        ensure((m[24] - a / 5.0).abs() <= 1e-15 * a, format!("{}", m[24]))
    });
    s.case(
        "local_mean_var of values near 1e308 (shift does not overflow)",
        || {
            let x = Array2::from_elem((6, 7), 1.7e308f64);
            let (m, v) = ok(local_mean_var(&x, &[3], BorderMode::Reflect))?;
            ensure(
                m.iter().all(|&u| u == 1.7e308) && v.iter().all(|&u| u == 0.0),
                format!("{m:?} {v:?}"),
            )
        },
    );
    s.case("local_std 1e200 block f64 is 0 inside", || {
        let mut x = ints(&[400], 39);
        for i in 200..300 {
            x[[i]] = BIG;
        }
        let sd = ok(local_std(&x, &[11], WindowMode::Shrink))?;
        let (_, wv) = naive::mean_var(&x, &[11], WindowMode::Shrink);
        same(&sd, &wv.mapv(f64::sqrt), 1e-12, 1e-12)
    });
}

/// Tiny magnitudes (1e-300): relative accuracy, no flush to zero.
fn tiny(s: &mut Suite) {
    s.case("uniform_filter of 1e-300 data", || {
        let x = ints(&[40, 50], 40).mapv(|v| v * 1e-300);
        let y = ok(uniform_filter(&x, &[3, 21], BorderMode::Reflect, &[0]))?;
        let want = naive::box_filter(&x, &[3, 21], &[0, 0], BorderMode::Reflect.into(), true);
        same(&y, &want, 1e-12, 1e-313)
    });
    s.case("window_sum long line of 1e-300 data", || {
        let x = ints(&[5000], 41).mapv(|v| v * 1e-300);
        let y = ok(window_sum(&x, &[33], BorderMode::Wrap, &[0]))?;
        let want = naive::box_filter(&x, &[33], &[0], BorderMode::Wrap.into(), false);
        same(&y, &want, 1e-12, 1e-313)
    });
    s.case("local_mean_var of 1e-300 data", || {
        let x = ints(&[30, 40], 42).mapv(|v| v * 1e-300);
        let (m, v) = ok(local_mean_var(&x, &[3, 5], BorderMode::Mirror))?;
        let (wm, _) = naive::mean_var(&x, &[3, 5], BorderMode::Mirror.into());
        same(&m, &wm, 1e-12, 1e-313)?;
        // The variances (~1e-600) underflow to 0, as numpy's.
        ensure(v.iter().all(|&u| u == 0.0), "variance of 1e-300 data")
    });
    s.case("gaussian_filter of 1e-300 data", || {
        let x = ints(&[20, 20], 43).mapv(|v| v * 1e-300);
        let y = ok(gaussian_filter(&x, &[1.5], &opts()))?;
        let k0 = gauss_along(1.5, 0, 6, 0, 2);
        let k1 = gauss_along(1.5, 0, 6, 1, 2);
        let want = naive::correlate(
            &naive::correlate(&x, &k0, BorderMode::Reflect, &[0, 0]),
            &k1,
            BorderMode::Reflect,
            &[0, 0],
        );
        same(&y, &want, 1e-12, 1e-312)
    });
    s.case("correlate1d with 1e-300 weights", || {
        let x = ints(&[20], 44);
        let w = [1e-300, 2e-300, -3e-300];
        let y = ok(correlate1d(&x, &w, 0, BorderMode::Reflect, 0))?;
        let wd = arr1(&w).into_dyn();
        same(
            &y,
            &naive::correlate(&x, &wd, BorderMode::Reflect, &[0]),
            1e-14,
            1e-313,
        )
    });
}

/// Transposed and negative-stride views.
fn views(s: &mut Suite) {
    s.case("uniform_filter on a transposed view (running sums)", || {
        let x = ints(&[30, 40], 45)
            .into_dimensionality::<ndarray::Ix2>()
            .unwrap();
        let t = x.t();
        let y = ok(uniform_filter(&t, &[11, 13], BorderMode::Reflect, &[0]))?;
        let want = naive::box_filter(
            &t.to_owned().into_dyn(),
            &[11, 13],
            &[0, 0],
            BorderMode::Reflect.into(),
            true,
        );
        same(&y, &want, 1e-13, 1e-13)
    });
    s.case("uniform_filter on a negative-stride view f32", || {
        let x = ints(&[30, 40], 46)
            .into_dimensionality::<ndarray::Ix2>()
            .unwrap();
        let x32 = x.mapv(|v| v as f32);
        let v = x32.slice(s![..;-1, ..;-2]);
        let y = ok(uniform_filter(&v, &[3, 5], BorderMode::Wrap, &[1, -2]))?;
        let want = naive::box_filter(
            &v.mapv(f64::from).into_dyn(),
            &[3, 5],
            &[1, -2],
            BorderMode::Wrap.into(),
            true,
        );
        same(&y, &want, 1e-6, 1e-6)
    });
    s.case("correlate dense on a reversed view", || {
        let x = ints(&[9, 8], 47)
            .into_dimensionality::<ndarray::Ix2>()
            .unwrap();
        let v = x.slice(s![..;-1, ..]);
        let w = arr2(&[[1.0, 0.0], [2.0, -1.0], [0.5, 3.0]]).into_dyn();
        let y = ok(correlate(&v, &w, BorderMode::Mirror, &[0]))?;
        same(
            &y,
            &naive::correlate(&v.to_owned().into_dyn(), &w, BorderMode::Mirror, &[0, 0]),
            1e-14,
            1e-14,
        )
    });
    s.case("gaussian_filter on a transposed view", || {
        let x = ints(&[12, 9], 48)
            .into_dimensionality::<ndarray::Ix2>()
            .unwrap();
        let t = x.t();
        let y = ok(gaussian_filter(
            &t,
            &[1.0, 0.0],
            &opts_mode(BorderMode::Nearest),
        ))?;
        let k = gauss_along(1.0, 0, 4, 0, 2);
        let want = naive::correlate(&t.to_owned().into_dyn(), &k, BorderMode::Nearest, &[0, 0]);
        same(&y, &want, 1e-13, 1e-13)
    });
    s.case("local_mean_var on a negative-stride view", || {
        let x = ints(&[20, 30], 49)
            .into_dimensionality::<ndarray::Ix2>()
            .unwrap();
        let v = x.slice(s![.., ..;-1]);
        let (m, var) = ok(local_mean_var(&v, &[5, 3], BorderMode::Reflect))?;
        let (wm, wv) = naive::mean_var(
            &v.to_owned().into_dyn(),
            &[5, 3],
            BorderMode::Reflect.into(),
        );
        same(&m, &wm, 1e-13, 1e-13)?;
        same(&var, &wv, 1e-12, 1e-12)
    });
    s.case("window_sum_into a negative-stride output", || {
        let x = ints(&[10, 12], 50)
            .into_dimensionality::<ndarray::Ix2>()
            .unwrap();
        let mut out = Array2::<f64>::zeros((10, 12));
        ok(window_sum_into(
            &x,
            &[3, 9],
            WindowMode::Shrink,
            &[0],
            out.slice_mut(s![..;-1, ..;-1]),
        ))?;
        let want = naive::box_filter(&x.into_dyn(), &[3, 9], &[0, 0], WindowMode::Shrink, false);
        same(&out.slice(s![..;-1, ..;-1]).to_owned(), &want, 1e-13, 1e-13)
    });
    s.case("gradient on a reversed view", || {
        let x = Array1::from_iter((0..8).map(|i| (i * i) as f64));
        let v = x.slice(s![..;-1]);
        let g = ok(gradient(&v, &[], None, 1))?;
        // np.gradient(np.arange(8.)[::-1] ** 2): central differences of the reversed squares
        let want = arr1(&[-13.0, -12.0, -10.0, -8.0, -6.0, -4.0, -2.0, -1.0]).into_dyn();
        same(&g[0], &want, 0.0, 0.0)
    });
    s.case(
        "gaussian_filter_recursive on a transposed view equals the copy",
        || {
            let x = ints(&[20, 30], 51)
                .into_dimensionality::<ndarray::Ix2>()
                .unwrap();
            let t = x.t();
            let y = ok(gaussian_filter_recursive(&t, &[2.0], BorderMode::Reflect))?;
            let c = ok(gaussian_filter_recursive(
                &t.to_owned(),
                &[2.0],
                BorderMode::Reflect,
            ))?;
            same(&y, &c.into_dyn(), 1e-14, 1e-14)
        },
    );
}

/// `_into` functions with an output of the wrong shape.
fn into_shapes(s: &mut Suite) {
    let a = || {
        ints(&[4, 5], 52)
            .into_dimensionality::<ndarray::Ix2>()
            .unwrap()
    };
    let bad = || Array2::<f64>::zeros((5, 4));
    s.case("uniform_filter1d_into wrong shape", move || {
        err_contains(
            uniform_filter1d_into(&a(), 3, 0, BorderMode::Reflect, 0, bad().view_mut()),
            "shape",
        )
    });
    s.case("uniform_filter_into wrong shape", move || {
        err_contains(
            uniform_filter_into(&a(), &[3], BorderMode::Reflect, &[0], bad().view_mut()),
            "shape",
        )
    });
    s.case("window_sum_into wrong shape", move || {
        err_contains(
            window_sum_into(&a(), &[30], WindowMode::Shrink, &[0], bad().view_mut()),
            "shape",
        )
    });
    s.case("correlate1d_into wrong shape", move || {
        err_contains(
            correlate1d_into(
                &a(),
                &[1.0, 2.0],
                1,
                BorderMode::Reflect,
                0,
                bad().view_mut(),
            ),
            "shape",
        )
    });
    s.case("convolve1d_into wrong shape", move || {
        err_contains(
            convolve1d_into(
                &a(),
                &[1.0, 2.0],
                1,
                BorderMode::Reflect,
                0,
                bad().view_mut(),
            ),
            "shape",
        )
    });
    s.case("correlate_into wrong shape (dense)", move || {
        let w = arr2(&[[1.0, 2.0], [3.0, 5.0]]);
        err_contains(
            correlate_into(&a(), &w, BorderMode::Reflect, &[0], bad().view_mut()),
            "shape",
        )
    });
    s.case("convolve_into wrong shape", move || {
        let w = arr2(&[[1.0, 2.0], [2.0, 4.0]]);
        err_contains(
            convolve_into(&a(), &w, BorderMode::Reflect, &[0], bad().view_mut()),
            "shape",
        )
    });
    s.case("gaussian_filter1d_into wrong shape", move || {
        err_contains(
            gaussian_filter1d_into(&a(), 1.0, 0, &opts(), bad().view_mut()),
            "shape",
        )
    });
    s.case("gaussian_filter_into wrong shape", move || {
        err_contains(
            gaussian_filter_into(&a(), &[1.0], &opts(), bad().view_mut()),
            "shape",
        )
    });
    s.case(
        "gaussian_filter_into wrong shape, no axis filtered",
        move || {
            err_contains(
                gaussian_filter_into(&a(), &[0.0], &opts(), bad().view_mut()),
                "shape",
            )
        },
    );
    s.case("gaussian_filter_recursive_into wrong shape", move || {
        err_contains(
            gaussian_filter_recursive_into(&a(), &[2.0], BorderMode::Reflect, bad().view_mut()),
            "shape",
        )
    });
    s.case("local_mean_var_into wrong mean shape", move || {
        let mut v = Array2::<f64>::zeros((4, 5));
        err_contains(
            local_mean_var_into(
                &a(),
                &[3],
                BorderMode::Reflect,
                bad().view_mut(),
                v.view_mut(),
            ),
            "shape",
        )
    });
    s.case("local_mean_var_into wrong var shape", move || {
        let mut m = Array2::<f64>::zeros((4, 5));
        err_contains(
            local_mean_var_into(
                &a(),
                &[3],
                BorderMode::Reflect,
                m.view_mut(),
                bad().view_mut(),
            ),
            "shape",
        )
    });
    s.case("gradient_axis_into wrong shape", move || {
        err_contains(
            gradient_axis_into(&a(), &Spacing::Uniform(1.0), 0, 1, bad().view_mut()),
            "shape",
        )
    });
    s.case("uniform_filter_into empty input, wrong shape", || {
        let e = Array2::<f64>::zeros((0, 3));
        let mut o = Array2::<f64>::zeros((0, 4));
        err_contains(
            uniform_filter_into(&e, &[3], BorderMode::Reflect, &[0], o.view_mut()),
            "shape",
        )
    });
}

/// Gaussian parameters: sigma, truncate, radius, order.
fn gaussian_params(s: &mut Suite) {
    let x = || ints(&[6, 7], 53);
    for (name, sg) in [
        ("NaN", f64::NAN),
        ("inf", f64::INFINITY),
        ("negative", -1.0),
    ] {
        s.case(format!("gaussian_filter1d sigma {name}"), move || {
            err_contains(gaussian_filter1d(&x(), sg, 0, &opts()), "sigma")
        });
        s.case(format!("gaussian_filter sigma {name}"), move || {
            err_contains(gaussian_filter(&x(), &[1.0, sg], &opts()), "sigma")
        });
        s.case(format!("gaussian_kernel1d sigma {name}"), move || {
            err_contains(gaussian_kernel1d(sg, 0, 3), "sigma")
        });
    }
    s.case("gaussian_filter1d sigma 1e300", move || {
        err_contains(gaussian_filter1d(&x(), 1e300, 0, &opts()), "kernel")
    });
    s.case("gaussian_filter sigma 1e300", move || {
        err_contains(gaussian_filter(&x(), &[1e300], &opts()), "kernel")
    });
    s.case("gaussian_filter sigma 1e12 (radius 4e12)", move || {
        err_contains(gaussian_filter(&x(), &[1.0, 1e12], &opts()), "bytes")
    });
    s.case(
        "gaussian_filter1d sigma 0 is an Err (scipy ZeroDivisionError)",
        move || err_contains(gaussian_filter1d(&x(), 0.0, 0, &opts()), "sigma"),
    );
    s.case(
        "gaussian_filter1d sigma 1e-300 is an Err (scipy ZeroDivisionError)",
        move || err_contains(gaussian_filter1d(&x(), 1e-300, 1, &opts()), "sigma"),
    );
    s.case(
        "gaussian_filter sigma 1e-300 is the identity (scipy)",
        move || {
            let y = ok(gaussian_filter(&x(), &[1e-300], &opts()))?;
            same(&y, &x(), 0.0, 0.0)
        },
    );
    s.case(
        "gaussian_filter sigma 0 on one axis filters the other",
        move || {
            let y = ok(gaussian_filter(&x(), &[0.0, 1.0], &opts()))?;
            let want = naive::correlate(
                &x(),
                &gauss_along(1.0, 0, 4, 1, 2),
                BorderMode::Reflect,
                &[0, 0],
            );
            same(&y, &want, 1e-13, 1e-13)
        },
    );
    for (name, t) in [
        ("NaN", f64::NAN),
        ("inf", f64::INFINITY),
        ("0", 0.0),
        ("negative", -1.0),
    ] {
        s.case(format!("gaussian_filter1d truncate {name}"), move || {
            let o = GaussianOptions {
                truncate: t,
                ..opts()
            };
            err_contains(gaussian_filter1d(&x(), 1.0, 0, &o), "truncate")
        });
    }
    s.case("gaussian_filter truncate 1e300", move || {
        let o = GaussianOptions {
            truncate: 1e300,
            ..opts()
        };
        err_contains(gaussian_filter(&x(), &[1.0], &o), "kernel")
    });
    s.case("gaussian_filter1d radius usize::MAX", move || {
        let o = GaussianOptions {
            radius: Some(vec![usize::MAX]),
            ..opts()
        };
        err_contains(gaussian_filter1d(&x(), 1.0, 0, &o), "overflow")
    });
    s.case("gaussian_filter radius 2^40", move || {
        let o = GaussianOptions {
            radius: Some(vec![1 << 40]),
            ..opts()
        };
        err_contains(gaussian_filter(&x(), &[1.0], &o), "bytes")
    });
    s.case(
        "gaussian_filter1d radius 0 is the identity (scipy)",
        move || {
            // scipy.ndimage.gaussian_filter1d(x, 1, radius=0) == x
            let o = GaussianOptions {
                radius: Some(vec![0]),
                ..opts()
            };
            let y = ok(gaussian_filter1d(&x(), 1.0, 1, &o))?;
            same(&y, &x(), 0.0, 0.0)
        },
    );
    s.case("gaussian_filter order 4", move || {
        let o = GaussianOptions {
            order: vec![4],
            ..opts()
        };
        err_contains(gaussian_filter(&x(), &[1.0], &o), "order")
    });
    s.case("gaussian_filter1d two orders", move || {
        let o = GaussianOptions {
            order: vec![0, 1],
            ..opts()
        };
        err_contains(gaussian_filter1d(&x(), 1.0, 0, &o), "order")
    });
    s.case("gaussian_filter1d axis usize::MAX", move || {
        is_err(gaussian_filter1d(&x(), 1.0, usize::MAX, &opts()))
    });
    s.case("gaussian_kernel1d radius usize::MAX", || {
        err_contains(gaussian_kernel1d(1.0, 0, usize::MAX), "kernel")
    });
    s.case("gaussian_kernel1d radius 2^40", || {
        err_contains(gaussian_kernel1d(1.0, 0, 1 << 40), "bytes")
    });
    s.case(
        "gaussian_kernel1d sigma 1e-300 (scipy ZeroDivisionError)",
        || err_contains(gaussian_kernel1d(1e-300, 0, 3), "sigma"),
    );
    s.case(
        "gaussian_kernel1d sigma 1e-100 order 3 is not finite: Err",
        || err_contains(gaussian_kernel1d(1e-100, 3, 3), "sigma"),
    );
    s.case(
        "gaussian_kernel1d sigma 1e-100 order 0 is the unit impulse",
        || {
            let k = ok(gaussian_kernel1d(1e-100, 0, 2))?;
            ensure(k == arr1(&[0.0, 0.0, 1.0, 0.0, 0.0]), format!("{k:?}"))
        },
    );
    s.case("gaussian_kernel1d sigma 1e300 is flat", || {
        // sigma^2 overflows to inf: exp(-0 * x^2) = 1 everywhere, normalized to 1/5.
        let k = ok(gaussian_kernel1d(1e300, 0, 2))?;
        ensure(k.iter().all(|&v| v == 0.2), format!("{k:?}"))
    });
    s.case("gaussian_kernel2d radius 1e5", || {
        err_contains(gaussian_kernel2d(1.0, 100_000), "bytes")
    });
    s.case("gaussian_kernel_nd radius 1000 in 3-D", || {
        err_contains(gaussian_kernel_nd(&[1.0], &[1000], 3), "bytes")
    });
    s.case("gaussian_kernel_nd wrong number of sigmas", || {
        err_contains(gaussian_kernel_nd(&[1.0, 2.0], &[3], 3), "per axis")
    });
}

/// The recursive Gaussian's sigma.
fn recursive_params(s: &mut Suite) {
    let x = || ints(&[6, 7], 54);
    for (name, sg) in [
        ("NaN", f64::NAN),
        ("inf", f64::INFINITY),
        ("negative", -2.0),
        ("below 0.5", 0.4),
    ] {
        s.case(
            format!("gaussian_filter_recursive sigma {name}"),
            move || {
                err_contains(
                    gaussian_filter_recursive(&x(), &[sg], BorderMode::Reflect),
                    "sigma",
                )
            },
        );
    }
    s.case("gaussian_filter_recursive sigma 1e300", move || {
        err_contains(
            gaussian_filter_recursive(&x(), &[1e300], BorderMode::Reflect),
            "recursive",
        )
    });
    s.case("gaussian_filter_recursive sigma 1e12", move || {
        err_contains(
            gaussian_filter_recursive(&x(), &[1.0, 1e12], BorderMode::Wrap),
            "bytes",
        )
    });
    s.case(
        "gaussian_filter_recursive sigma 1e12 strided output",
        move || {
            let mut o = Array2::<f64>::zeros((7, 6));
            let xd = x().into_dimensionality::<ndarray::Ix2>().unwrap();
            err_contains(
                gaussian_filter_recursive_into(
                    &xd,
                    &[1e12],
                    BorderMode::Wrap,
                    o.view_mut().reversed_axes(),
                ),
                "bytes",
            )
        },
    );
    s.case(
        "gaussian_filter_recursive sigma 0 is the identity",
        move || {
            let y = ok(gaussian_filter_recursive(&x(), &[0.0], BorderMode::Reflect))?;
            same(&y, &x(), 0.0, 0.0)
        },
    );
    s.case(
        "gaussian_filter_recursive wrong number of sigmas",
        move || {
            err_contains(
                gaussian_filter_recursive(&x(), &[1.0, 1.0, 1.0], BorderMode::Reflect),
                "per axis",
            )
        },
    );
    s.case(
        "gaussian_filter_recursive constant stays constant (large sigma, short axis)",
        || {
            let c = Array2::from_elem((3, 4), 2.5f64);
            let y = ok(gaussian_filter_recursive(&c, &[40.0], BorderMode::Nearest))?;
            ensure(y.iter().all(|&v| (v - 2.5).abs() < 1e-12), format!("{y:?}"))
        },
    );
}

/// The recursive Gaussian on data near +-1e308 (its recursions reach a few times the data).
fn recursive_overflow(s: &mut Suite) {
    s.case(
        "gaussian_filter_recursive constant 1.7e308, sigma 32 (C order)",
        || {
            let x = Array2::from_elem((3, 400), 1.7e308f64);
            let y = ok(gaussian_filter_recursive(
                &x,
                &[0.0, 32.0],
                BorderMode::Reflect,
            ))?;
            ensure(
                y.iter().all(|&v| (v - 1.7e308).abs() <= 1e-10 * 1.7e308),
                format!("{:?}", &y.as_slice().unwrap()[..4]),
            )
        },
    );
    s.case(
        "gaussian_filter_recursive constant f32 3e38, sigma 32 on both axes",
        || {
            let x = Array2::from_elem((100, 100), 3e38f32);
            let y = ok(gaussian_filter_recursive(&x, &[32.0], BorderMode::Nearest))?;
            ensure(
                y.iter()
                    .all(|&v| (f64::from(v) - 3e38).abs() <= 1e-5 * 3e38),
                format!("{:?}", &y.as_slice().unwrap()[..4]),
            )
        },
    );
    s.case(
        "gaussian_filter_recursive alternating +-1.7e308 vs the exact filter",
        || {
            let x =
                Array1::from_iter((0..400).map(|i| if i % 2 == 0 { 1.7e308f64 } else { -1.7e308 }));
            let y = ok(gaussian_filter_recursive(&x, &[32.0], BorderMode::Reflect))?;
            let exact = ok(gaussian_filter(&x, &[32.0], &opts()))?;
            let dev = y
                .iter()
                .zip(&exact)
                .map(|(a, b)| (a - b).abs() / 1.7e308)
                .fold(0.0, f64::max);
            ensure(
                dev <= 2.0 * ndkern_spatial::RECURSIVE_MAX_DEVIATION,
                format!("deviation {dev}"),
            )
        },
    );
    s.case(
        "gaussian_filter_recursive_into 1.7e308 strided output",
        || {
            let x = Array2::from_elem((40, 30), -1.7e308f64);
            let mut o = Array2::<f64>::zeros((30, 40));
            ok(gaussian_filter_recursive_into(
                &x,
                &[16.0],
                BorderMode::Mirror,
                o.view_mut().reversed_axes(),
            ))?;
            ensure(
                o.iter().all(|&v| (v + 1.7e308).abs() <= 1e-10 * 1.7e308),
                format!("{:?}", o.row(0)),
            )
        },
    );
}

/// numpy.gradient's parameters and values.
fn gradients(s: &mut Suite) {
    let f = || arr1(&[1.0f64, 4.0, 9.0, 16.0]);
    for (name, h) in [("0", 0.0), ("NaN", f64::NAN), ("inf", f64::INFINITY)] {
        s.case(format!("gradient spacing {name}"), move || {
            err_contains(gradient(&f(), &[Spacing::Uniform(h)], None, 1), "spacing")
        });
    }
    s.case("gradient coordinates of the wrong length", move || {
        err_contains(
            gradient(&f(), &[Spacing::Coords(vec![0.0, 1.0])], None, 1),
            "coordinates",
        )
    });
    s.case("gradient axis usize::MAX", move || {
        is_err(gradient(&f(), &[], Some(&[usize::MAX]), 1))
    });
    s.case("gradient repeated axis", || {
        is_err(gradient(&ints(&[3, 3], 55), &[], Some(&[1, 1]), 1))
    });
    s.case("gradient edge_order 0 and 3", move || {
        is_err(gradient(&f(), &[], None, 0))?;
        is_err(gradient(&f(), &[], None, 3))
    });
    s.case("gradient axis of length 1 (numpy ValueError)", || {
        err_contains(gradient(&arr1(&[2.0f64]), &[], None, 1), "sample")
    });
    s.case(
        "gradient axis of length 2 with edge_order 2 (numpy ValueError)",
        || err_contains(gradient(&arr1(&[2.0f64, 3.0]), &[], None, 2), "sample"),
    );
    s.case("gradient_stacked spacing count mismatch", || {
        is_err(gradient_stacked(
            &ints(&[3, 3], 56),
            &vec![Spacing::Uniform(1.0); 3],
            1,
        ))
    });
    s.case("gradient with coordinates (numpy)", move || {
        // np.gradient([1., 4, 9, 16], [0., 1, 3, 4])
        let g = ok(gradient(
            &f(),
            &[Spacing::Coords(vec![0.0, 1.0, 3.0, 4.0])],
            None,
            1,
        ))?;
        let want = arr1(&[3.0, 2.8333333333333335, 5.499999999999999, 7.0]).into_dyn();
        same(&g[0], &want, 0.0, 0.0)
    });
    s.case("gradient edge_order 2 (numpy)", move || {
        // np.gradient([1., 4, 9, 16], edge_order=2)
        let g = ok(gradient(&f(), &[], None, 2))?;
        same(&g[0], &arr1(&[2.0, 4.0, 6.0, 8.0]).into_dyn(), 0.0, 0.0)
    });
    s.case(
        "gradient of f32 data near f32::MAX overflows locally",
        || {
            let x = arr1(&[-3e38f32, 3e38, 0.0, 1.0, 2.0]);
            let g = ok(gradient(&x, &[], None, 1))?;
            // numpy (float32): [inf, 1.5e38, -1.5e38, 1, 1]
            let want = arr1(&[f64::INFINITY, 1.5e38, -1.5e38, 1.0, 1.0]).into_dyn();
            same(&g[0], &want, 1e-6, 0.0)
        },
    );
    s.case("gradient_stacked of a 2-D array", || {
        let x = ints(&[3, 4], 57);
        let g = ok(gradient_stacked(&x, &[], 1))?;
        let parts = ok(gradient(&x, &[], None, 1))?;
        ensure(g.shape() == [3, 4, 2], format!("{:?}", g.shape()))?;
        for (ax, part) in parts.iter().enumerate() {
            same(&g.index_axis(Axis(2), ax).to_owned(), part, 0.0, 0.0)?;
        }
        Ok(())
    });
}

/// gabor_kernel and ball_kernel sizes and parameters.
fn gabor_and_ball(s: &mut Suite) {
    let g = GaborOptions::default;
    for (name, f) in [
        ("0", 0.0),
        ("NaN", f64::NAN),
        ("negative", -0.1),
        ("inf", f64::INFINITY),
    ] {
        s.case(format!("gabor_kernel frequency {name}"), move || {
            err_contains(gabor_kernel(f, &g()), "frequency")
        });
    }
    s.case(
        "gabor_kernel frequency 1e-300 (a kernel no memory holds)",
        move || err_contains(gabor_kernel(1e-300, &g()), "gabor kernel"),
    );
    s.case(
        "gabor_kernel frequency 1e-6 (2^40-ish samples)",
        move || is_err(gabor_kernel(1e-6, &g())),
    );
    for (name, t) in [("NaN", f64::NAN), ("inf", f64::INFINITY)] {
        s.case(format!("gabor_kernel theta {name}"), move || {
            err_contains(
                gabor_kernel(0.1, &GaborOptions { theta: t, ..g() }),
                "theta",
            )
        });
    }
    for (name, b) in [("0", 0.0), ("NaN", f64::NAN)] {
        s.case(format!("gabor_kernel bandwidth {name}"), move || {
            is_err(gabor_kernel(
                0.1,
                &GaborOptions {
                    bandwidth: b,
                    ..g()
                },
            ))
        });
    }
    s.case("gabor_kernel n_stds 1e300", move || {
        err_contains(
            gabor_kernel(
                0.1,
                &GaborOptions {
                    n_stds: 1e300,
                    ..g()
                },
            ),
            "gabor kernel",
        )
    });
    s.case("gabor_kernel sigma_x 1e300", move || {
        is_err(gabor_kernel(
            0.1,
            &GaborOptions {
                sigma_x: Some(1e300),
                ..g()
            },
        ))
    });
    s.case("gabor_kernel sigma_y 0", move || {
        err_contains(
            gabor_kernel(
                0.1,
                &GaborOptions {
                    sigma_y: Some(0.0),
                    ..g()
                },
            ),
            "sigma_y",
        )
    });
    s.case("gabor_kernel(0.1) (skimage)", move || {
        // k = skimage.filters.gabor_kernel(0.1): shape (35, 35), k[17, 17] =
        // 0.005035955713141326, k[3, 5] = 7.177034639534687e-06 - 2.208864135583241e-05j
        let (re, im) = ok(gabor_kernel(0.1, &g()))?;
        ensure(re.dim() == (35, 35), format!("{:?}", re.dim()))?;
        allclose(
            &[re[[17, 17]], im[[17, 17]], re[[3, 5]], im[[3, 5]]],
            &[
                0.005035955713141326,
                0.0,
                7.177034639534687e-06,
                -2.208864135583241e-05,
            ],
            1e-12,
            1e-18,
        )
    });
    s.case(
        "gabor_kernel rotated, bandwidth 2, offset (skimage)",
        move || {
            // skimage.filters.gabor_kernel(0.25, theta=0.7, bandwidth=2.0, offset=0.3): shape
            // (7, 7), k[2, 4] = 0.047422838320740665 + 0.025262901169569394j
            let o = GaborOptions {
                theta: 0.7,
                bandwidth: 2.0,
                offset: 0.3,
                ..g()
            };
            let (re, im) = ok(gabor_kernel(0.25, &o))?;
            ensure(re.dim() == (7, 7), format!("{:?}", re.dim()))?;
            allclose(
                &[re[[2, 4]], im[[2, 4]]],
                &[0.047422838320740665, 0.025262901169569394],
                1e-12,
                0.0,
            )
        },
    );
    for (name, r) in [
        ("NaN", f64::NAN),
        ("negative", -1.0),
        ("inf", f64::INFINITY),
    ] {
        s.case(format!("ball_kernel radius {name}"), move || {
            err_contains(ball_kernel(r, 3), "radius")
        });
    }
    s.case("ball_kernel radius 1e300", || {
        err_contains(ball_kernel(1e300, 3), "ball kernel")
    });
    s.case("ball_kernel radius 1e6 in 3-D", || {
        err_contains(ball_kernel(1e6, 3), "bytes")
    });
    s.case("ball_kernel ndim usize::MAX", || {
        is_err(ball_kernel(1.0, usize::MAX))
    });
    s.case("ball_kernel radius 1 in 2-D is the cross", || {
        let b = ok(ball_kernel(1.0, 2))?;
        let want = arr2(&[[0.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 1.0, 0.0]]).into_dyn();
        same(&b, &want, 0.0, 0.0)
    });
    s.case("ball_kernel 0-d", || {
        let b = ok(ball_kernel(2.0, 0))?;
        ensure(b.ndim() == 0 && b[IxDyn(&[])] == 1.0, format!("{b:?}"))
    });
}

/// Values hard-coded from scipy 1.17.1 (`import scipy.ndimage as nd`, `x = np.arange(5.)`).
fn scipy_values(s: &mut Suite) {
    let x = || arr1(&[0.0f64, 1.0, 2.0, 3.0, 4.0]);
    let cases: Vec<(&str, WindowMode, usize, Vec<f64>)> = vec![
        // nd.uniform_filter1d(x, 1000001, mode="mirror")
        (
            "mirror 1000001",
            BorderMode::Mirror.into(),
            1_000_001,
            vec![
                1.999998000002,
                1.999999000001,
                2.0,
                2.000000999999,
                2.000001999998,
            ],
        ),
        // nd.uniform_filter1d(x, 1000000, mode="nearest")
        (
            "nearest 1000000",
            BorderMode::Nearest.into(),
            1_000_000,
            vec![1.99999, 1.999994, 1.999998, 2.000002, 2.000006],
        ),
        // nd.uniform_filter1d(x, 1000000, mode="constant", cval=1.5)
        (
            "constant 1000000",
            BorderMode::Constant(1.5).into(),
            1_000_000,
            vec![1.5000025; 5],
        ),
        // nd.uniform_filter1d(x, 1000000, mode="wrap") and mode="reflect"
        (
            "wrap 1000000",
            BorderMode::Wrap.into(),
            1_000_000,
            vec![2.0; 5],
        ),
        (
            "reflect 1000000",
            BorderMode::Reflect.into(),
            1_000_000,
            vec![2.0; 5],
        ),
    ];
    for (name, m, w, want) in cases {
        s.case(
            format!("uniform_filter1d window {name} on 5 samples (scipy)"),
            move || {
                let y = ok(uniform_filter1d(&x(), w, 0, m, 0))?;
                same(&y, &arr1(&want).into_dyn(), 1e-12, 0.0)
            },
        );
    }
    s.case("uniform_filter1d f32 7 on 3 reflect (scipy)", || {
        // nd.uniform_filter1d(np.float32([1, 2, 3]), 7, mode="reflect")
        let y = ok(uniform_filter1d(
            &arr1(&[1.0f32, 2.0, 3.0]),
            7,
            0,
            BorderMode::Reflect,
            0,
        ))?;
        let want = arr1(&[2.142857074737549, 2.0, 1.8571428060531616]).into_dyn();
        // Windows of up to 8 samples are direct f32 sums (1 ulp from scipy's double sums).
        same(&y, &want, 2.5e-7, 0.0)
    });
    s.case(
        "gaussian_filter1d sigma 1000 wrap on 5 samples (scipy)",
        move || {
            // nd.gaussian_filter1d(x, 1000., mode="wrap"): 4001 taps on 5 samples
            let y = ok(gaussian_filter1d(
                &x(),
                1000.0,
                0,
                &opts_mode(BorderMode::Wrap),
            ))?;
            let want = arr1(&[
                1.9999997333933306,
                1.9999998672320152,
                2.000000000000001,
                2.0000001327679846,
                2.0000002666066683,
            ]);
            same(&y, &want.into_dyn(), 1e-12, 0.0)
        },
    );
    s.case(
        "gaussian_filter1d sigma 50 reflect on 5 samples (scipy)",
        move || {
            let y = ok(gaussian_filter1d(&x(), 50.0, 0, &opts()))?;
            let want = arr1(&[
                1.9999967610171507,
                1.9999985915224479,
                2.0,
                2.000001408477551,
                2.0000032389828477,
            ]);
            same(&y, &want.into_dyn(), 1e-12, 0.0)
        },
    );
    s.case("gaussian_filter1d order 1 mirror (scipy)", move || {
        // nd.gaussian_filter1d(x, 2., mode="mirror", order=1)
        let o = GaussianOptions {
            order: vec![1],
            mode: BorderMode::Mirror,
            ..opts()
        };
        let y = ok(gaussian_filter1d(&x(), 2.0, 0, &o))?;
        let want = arr1(&[
            0.0,
            0.27605940211830726,
            0.39039900236586667,
            0.27605940211830726,
            0.0,
        ]);
        same(&y, &want.into_dyn(), 1e-12, 1e-15)
    });
    s.case("correlate1d nearest origin 3 (scipy)", move || {
        // nd.correlate1d(x, [1., 2, 3, 4, 5, 6, 7], mode="nearest", origin=3)
        let w = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0];
        let y = ok(correlate1d(&x(), &w, 0, BorderMode::Nearest, 3))?;
        same(
            &y,
            &arr1(&[0.0, 7.0, 20.0, 38.0, 60.0]).into_dyn(),
            0.0,
            0.0,
        )
    });
    s.case(
        "convolve1d wrap origin -4, even kernel (scipy)",
        move || {
            // nd.convolve1d(x, [1., 2, 3, 4, 5, 6, 7, 8], mode="wrap", origin=-4)
            let w = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
            let y = ok(convolve1d(&x(), &w, 0, BorderMode::Wrap, -4))?;
            same(
                &y,
                &arr1(&[82.0, 73.0, 54.0, 70.0, 81.0]).into_dyn(),
                0.0,
                0.0,
            )
        },
    );
    s.case("convolve 2-D mirror (scipy)", || {
        // nd.convolve([[1., 2, 3], [4, 5, 6]], [[1., 0], [0, 2]], mode="mirror")
        let a = arr2(&[[1.0f64, 2.0, 3.0], [4.0, 5.0, 6.0]]);
        let y = ok(convolve(
            &a,
            &arr2(&[[1.0, 0.0], [0.0, 2.0]]),
            BorderMode::Mirror,
            &[0],
        ))?;
        same(
            &y,
            &arr2(&[[7.0, 10.0, 11.0], [10.0, 13.0, 14.0]]).into_dyn(),
            0.0,
            0.0,
        )
    });
    s.case("correlate 1x5 kernel wrap on 2x3 (scipy)", || {
        // nd.correlate([[1., 2, 3], [4, 5, 6]], [[1., -1, 2, 0.5, 3]], mode="wrap")
        let a = arr2(&[[1.0f64, 2.0, 3.0], [4.0, 5.0, 6.0]]);
        let w = arr2(&[[1.0, -1.0, 2.0, 0.5, 3.0]]);
        let y = ok(correlate(&a, &w, BorderMode::Wrap, &[0]))?;
        same(
            &y,
            &arr2(&[[11.0, 10.5, 11.5], [27.5, 27.0, 28.0]]).into_dyn(),
            0.0,
            0.0,
        )
    });
    s.case(
        "convolve origin isize::MIN + 1 is an Err, not an overflow",
        move || {
            err_contains(
                convolve1d(&x(), &[1.0, 2.0], 0, BorderMode::Reflect, isize::MIN + 1),
                "origin",
            )
        },
    );
}

/// Issue 13: outputs sized like the input. A stride-0 broadcast view of 2^40 elements is one
/// value in memory; every allocating filter must refuse it with `Error::TooLarge` (not abort
/// on the allocation), and a small broadcast view must give the naive answer of the
/// materialised array.
fn broadcast_outputs(s: &mut Suite) {
    use ndarray::{Ix1, Ix2, Ix3};
    use ndkern_core::testing::hostile::{broadcast_view, broadcast_view_f32, too_large};
    let h1 = || broadcast_view(Ix1(1 << 40));
    let h2 = || broadcast_view(Ix2(1 << 20, 1 << 20));
    let h3 = || broadcast_view_f32(Ix3(1 << 14, 1 << 14, 1 << 14));
    let r = BorderMode::Reflect;
    let g = GaussianOptions::default();
    s.case("broadcast 2^40: correlate1d", move || {
        too_large(correlate1d::<f64, _, _>(&h1(), &[1.0, 2.0, 1.0], 0, r, 0))
    });
    s.case("broadcast 2^40: convolve1d", move || {
        too_large(convolve1d::<f64, _, _>(&h1(), &[1.0, 2.0], 0, r, 0))
    });
    s.case("broadcast 2^40 (2-D): correlate", move || {
        too_large(correlate::<f64, _, _, _, _>(
            &h2(),
            &arr2(&[[1.0, 2.0], [3.0, 4.0]]),
            r,
            &[0, 0],
        ))
    });
    s.case("broadcast 2^40 (2-D): convolve", move || {
        too_large(convolve::<f64, _, _, _, _>(
            &h2(),
            &arr2(&[[1.0, 2.0], [3.0, 4.0]]),
            r,
            &[0, 0],
        ))
    });
    s.case("broadcast 2^40: uniform_filter1d", move || {
        too_large(uniform_filter1d::<f64, _, _>(&h1(), 3, 0, r, 0))
    });
    s.case("broadcast 2^40 (2-D): uniform_filter", move || {
        too_large(uniform_filter::<f64, _, _>(&h2(), &[3, 3], r, &[0, 0]))
    });
    s.case("broadcast 2^42 (3-D f32): uniform_filter", move || {
        too_large(uniform_filter::<f32, _, _>(
            &h3(),
            &[3, 3, 3],
            WindowMode::Shrink,
            &[0, 0, 0],
        ))
    });
    s.case("broadcast 2^40 (2-D): window_sum", move || {
        too_large(window_sum::<f64, _, _>(&h2(), &[3, 3], r, &[0, 0]))
    });
    s.case("broadcast 2^40: gaussian_filter1d", move || {
        too_large(gaussian_filter1d::<f64, _, _>(&h1(), 2.0, 0, &g))
    });
    let g2 = GaussianOptions::default();
    s.case("broadcast 2^40 (2-D): gaussian_filter", move || {
        too_large(gaussian_filter::<f64, _, _>(&h2(), &[2.0], &g2))
    });
    let g3 = GaussianOptions::default();
    s.case("broadcast 2^42 (3-D f32): gaussian_filter", move || {
        too_large(gaussian_filter::<f32, _, _>(&h3(), &[1.0], &g3))
    });
    s.case(
        "broadcast 2^40 (2-D): gaussian_filter_recursive",
        move || too_large(gaussian_filter_recursive::<f64, _, _>(&h2(), &[2.0], r)),
    );
    s.case("broadcast 2^40 (2-D): local_mean_var", move || {
        too_large(local_mean_var::<f64, _, _>(&h2(), &[3, 3], r))
    });
    s.case("broadcast 2^42 (3-D f32): local_std", move || {
        too_large(local_std::<f32, _, _>(
            &h3(),
            &[3, 3, 3],
            WindowMode::Shrink,
        ))
    });
    s.case("broadcast 2^40 (2-D): gradient", move || {
        too_large(gradient::<f64, _, _>(&h2(), &[], None, 1))
    });
    s.case(
        "broadcast 2^40 (2-D): gradient along axis 1, edge order 2",
        move || too_large(gradient::<f64, _, _>(&h2(), &[], Some(&[1]), 2)),
    );
    s.case("broadcast 2^42 (3-D f32): gradient", move || {
        too_large(gradient::<f32, _, _>(&h3(), &[], None, 1))
    });
    s.case("broadcast 2^40 (2-D): gradient_stacked", move || {
        too_large(gradient_stacked::<f64, _, _>(&h2(), &[], 1))
    });
    s.case("broadcast 2^42 (3-D f32): gradient_stacked", move || {
        too_large(gradient_stacked::<f32, _, _>(&h3(), &[], 2))
    });
    s.case("broadcast 2^40: gradient_stacked (1-D)", move || {
        too_large(gradient_stacked::<f64, _, _>(&h1(), &[], 1))
    });
    // Outputs that each fit under the cap but not together (sized from the cap of the
    // process, 4 GiB in the hostile child): refused before any is allocated or computed,
    // with the total named (an abort, or the OOM killer, once they are touched otherwise).
    s.case("gradient: 3 outputs of 3/8 of the cap each", || {
        let k = (ndkern_core::memory_limit() / 8 * 3 / 8) >> 20;
        let a = broadcast_view(Ix3(k, 1 << 10, 1 << 10));
        too_large(gradient::<f64, _, _>(&a, &[], None, 1))?;
        err_contains(gradient::<f64, _, _>(&a, &[], None, 1), "one per axis")
    });
    s.case(
        "gradient_stacked: output fits, with the input's C-order copy not",
        || {
            // Output 2X <= cap < 3X: X = 0.4 of the cap, for a non-contiguous (broadcast) input.
            let k = (ndkern_core::memory_limit() / 8 * 2 / 5) >> 20;
            let a = broadcast_view(Ix2(k, 1 << 20));
            too_large(gradient_stacked::<f64, _, _>(&a, &[], 1))?;
            err_contains(gradient_stacked::<f64, _, _>(&a, &[], 1), "C-order copy")
        },
    );

    // Small broadcast views (a row repeated, stride 0 on axis 0) vs the naive oracle on the
    // materialised array.
    let row = Array1::from_shape_fn(9, |i| ((i * i) % 7) as f64 - 2.5);
    let row1 = row.clone();
    s.case(
        "broadcast (6, 9) uniform_filter = naive box filter",
        move || {
            let b = row1.broadcast((6, 9)).unwrap();
            let got = ok(uniform_filter::<f64, _, _>(&b, &[3, 3], r, &[0, 0]))?;
            let mat = row1.broadcast((6, 9)).unwrap().to_owned().into_dyn();
            let want = naive::box_filter(&mat, &[3, 3], &[0, 0], WindowMode::Border(r), true);
            allclose(
                &got.iter().copied().collect::<Vec<_>>(),
                &want.iter().copied().collect::<Vec<_>>(),
                1e-12,
                1e-12,
            )
        },
    );
    let row2 = row.clone();
    s.case("broadcast (6, 9) correlate = naive correlate", move || {
        let b = row2.broadcast((6, 9)).unwrap();
        let w = arr2(&[[1.0, -2.0], [0.5, 3.0]]);
        let got = ok(correlate::<f64, _, _, _, _>(
            &b,
            &w,
            BorderMode::Constant(1.5),
            &[0, 0],
        ))?;
        let mat = row2.broadcast((6, 9)).unwrap().to_owned().into_dyn();
        let want = naive::correlate(&mat, &w.into_dyn(), BorderMode::Constant(1.5), &[0, 0]);
        allclose(
            &got.iter().copied().collect::<Vec<_>>(),
            &want.iter().copied().collect::<Vec<_>>(),
            1e-12,
            1e-12,
        )
    });
    let row3 = row.clone();
    s.case(
        "broadcast (6, 9) local_mean_var = naive mean/var",
        move || {
            let b = row3.broadcast((6, 9)).unwrap();
            let (m, v) = ok(local_mean_var::<f64, _, _>(&b, &[3, 2], WindowMode::Shrink))?;
            let mat = row3.broadcast((6, 9)).unwrap().to_owned().into_dyn();
            let (wm, wv) = naive::mean_var(&mat, &[3, 2], WindowMode::Shrink);
            allclose(
                &m.iter().copied().collect::<Vec<_>>(),
                &wm.iter().copied().collect::<Vec<_>>(),
                1e-12,
                1e-12,
            )?;
            allclose(
                &v.iter().copied().collect::<Vec<_>>(),
                &wv.iter().copied().collect::<Vec<_>>(),
                1e-10,
                1e-12,
            )
        },
    );
    let row4 = row.clone();
    s.case(
        "broadcast (6, 9) gaussian_filter = correlate with its kernel",
        move || {
            // The Gaussian of sigma 1 (radius 4) is separable: correlate with the outer product of
            // gaussian_kernel1d, naively, on the materialised array.
            let b = row4.broadcast((6, 9)).unwrap();
            let got = ok(gaussian_filter::<f64, _, _>(
                &b,
                &[1.0],
                &GaussianOptions::default(),
            ))?;
            let k = ok(gaussian_kernel1d(1.0, 0, 4))?;
            let w = Array2::from_shape_fn((9, 9), |(i, j)| k[i] * k[j]).into_dyn();
            let mat = row4.broadcast((6, 9)).unwrap().to_owned().into_dyn();
            let want = naive::correlate(&mat, &w, BorderMode::Reflect, &[0, 0]);
            allclose(
                &got.iter().copied().collect::<Vec<_>>(),
                &want.iter().copied().collect::<Vec<_>>(),
                1e-12,
                1e-12,
            )
        },
    );
}
