//! Hostile inputs for every public function of ndkern-signal (issue 13): extreme sizes and
//! parameters, NaN/inf samples, empty and 0-d inputs, size-1 axes, mismatched shapes, huge and
//! tiny magnitudes, f32 and f64, transposed and negative-stride views. Each case runs in its
//! own guarded child process (ndkern_core's hostile runner) and asserts an `Err` with a useful
//! message or the numpy/scipy/skimage value: from the naive oracles in
//! `ndkern_signal::reference`, from an identity, or hard-coded from
//! `target/py-venv/bin/python` (numpy 2.4.6, scipy 1.17.1, scikit-image 0.26) with the call
//! in a comment.

use ndarray::{array, s, Array1, Array2, Array3, Array4, ArrayD, Axis, IxDyn};
use ndkern_core::testing::allclose;
use ndkern_core::testing::hostile::{ensure, err_contains, err_or, is_err, ok, Suite};
use ndkern_signal::reference as naive;
use ndkern_signal::*;

const PI: f64 = std::f64::consts::PI;

fn v<T: Copy + Into<f64>>(a: &ArrayD<T>) -> Vec<f64> {
    a.iter().map(|&x| x.into()).collect()
}

fn smooth(mut n: usize, ps: &[usize]) -> bool {
    for &p in ps {
        while n.is_multiple_of(p) {
            n /= p;
        }
    }
    n == 1
}

/// A deterministic, irregular test signal.
fn sig(n: usize, seed: f64) -> Vec<f64> {
    (0..n)
        .map(|i| {
            let t = i as f64;
            (0.37 * t * seed).sin() + 0.5 * (0.011 * t * t + seed).cos() + 0.01 * t
        })
        .collect()
}

/// `2^e` (exact).
fn p2(e: i32) -> f64 {
    2f64.powi(e)
}

fn fft_cases(s: &mut Suite) {
    // next_fast_len: pocketfft's enumeration, no scan over the gap between smooth numbers.
    s.case("next_fast_len 2^62 is itself", move || {
        ensure(ok(next_fast_len(1 << 62, true))? == 1 << 62, "2^62")
    });
    s.case("next_fast_len 2^62 + 1 real: smooth, fast", move || {
        let n = ok(next_fast_len((1 << 62) + 1, true))?;
        ensure(n > 1 << 62 && smooth(n, &[2, 3, 5]), format!("{n}"))
    });
    s.case("next_fast_len 2^62 + 1 complex: smooth", move || {
        let n = ok(next_fast_len((1 << 62) + 1, false))?;
        ensure(n > 1 << 62 && smooth(n, &[2, 3, 5, 7, 11]), format!("{n}"))
    });
    s.case("next_fast_len 2^63 + 1 real: smooth or Err", move || {
        err_or(next_fast_len((1 << 63) + 1, true), |n| {
            ensure(n > 1 << 63 && smooth(n, &[2, 3, 5]), format!("{n}"))
        })
    });
    s.case("next_fast_len usize::MAX real is an Err", move || {
        err_contains(next_fast_len(usize::MAX, true), "usize")
    });
    s.case("next_fast_len usize::MAX complex is an Err", move || {
        err_contains(next_fast_len(usize::MAX, false), "usize")
    });
    s.case("next_fast_len usize::MAX - 1 is an Err", move || {
        is_err(next_fast_len(usize::MAX - 1, true))
    });
    s.case("next_fast_len 1e18 + 1 matches scipy", move || {
        // scipy.fft.next_fast_len(10**18 + 1, True/False)
        ensure(
            ok(next_fast_len(1_000_000_000_000_000_001, true))? == 1_000_630_901_979_994_140
                && ok(next_fast_len(1_000_000_000_000_000_001, false))?
                    == 1_000_010_753_280_000_000,
            "scipy values",
        )
    });
    s.case("next_fast_len 2^60 + 1 matches scipy", move || {
        // scipy.fft.next_fast_len(2**60 + 1, True/False)
        ensure(
            ok(next_fast_len((1 << 60) + 1, true))? == 1_153_300_781_250_000_000
                && ok(next_fast_len((1 << 60) + 1, false))? == 1_152_931_922_459_856_000,
            "scipy values",
        )
    });
    s.case("next_fast_len small targets match scipy", move || {
        // scipy.fft.next_fast_len(13, True) = 15, (13, False) = 14; 0 -> 0, 1 -> 1
        let got = [
            ok(next_fast_len(0, true))?,
            ok(next_fast_len(1, true))?,
            ok(next_fast_len(7, true))?,
            ok(next_fast_len(7, false))?,
            ok(next_fast_len(13, true))?,
            ok(next_fast_len(13, false))?,
        ];
        ensure(got == [0, 1, 8, 7, 15, 14], format!("{got:?}"))
    });
    s.case(
        "next_fast_len is the smallest smooth length up to 5000",
        move || {
            for t in 1..5000usize {
                for (real, ps) in [(true, &[2usize, 3, 5][..]), (false, &[2, 3, 5, 7, 11][..])] {
                    let n = ok(next_fast_len(t, real))?;
                    ensure(
                        n >= t && smooth(n, ps) && (t..n).all(|m| !smooth(m, ps)),
                        format!("{t} -> {n}"),
                    )?;
                }
            }
            Ok(())
        },
    );
    // fftfreq
    s.case(
        "fftfreq n = 0 is an Err (numpy ZeroDivisionError)",
        move || err_contains(fftfreq(0, 1.0), "n = 0"),
    );
    s.case(
        "fftfreq d = 0 is an Err (numpy ZeroDivisionError)",
        move || err_contains(fftfreq(4, 0.0), "d"),
    );
    s.case(
        "fftfreq n = usize::MAX is an Err, not an abort",
        move || is_err(fftfreq(usize::MAX, 1.0)),
    );
    s.case("fftfreq NaN d gives NaN (numpy)", move || {
        let f = ok(fftfreq(3, f64::NAN))?;
        ensure(f.iter().all(|x| x.is_nan()), format!("{f}"))
    });
    s.case("fftfreq negative d matches numpy", move || {
        // np.fft.fftfreq(4, -0.5) = [-0., -0.5, 1., 0.5]
        allclose(
            &ok(fftfreq(4, -0.5))?.to_vec(),
            &[0.0, -0.5, 1.0, 0.5],
            0.0,
            0.0,
        )
    });
    s.case("fftfreq tiny d matches numpy", move || {
        // np.fft.fftfreq(5, 1e-300) = [0, 2e299, 4e299, -4e299, -2e299]
        allclose(
            &ok(fftfreq(5, 1e-300))?.to_vec(),
            &[0.0, 2e299, 4e299, -4e299, -2e299],
            1e-15,
            0.0,
        )
    });
    s.case("fftfreq huge d underflows to 0 as numpy", move || {
        // np.fft.fftfreq(2, 1e308) = [0., -0.]  (n * d overflows to inf)
        allclose(&ok(fftfreq(2, 1e308))?.to_vec(), &[0.0, 0.0], 0.0, 0.0)
    });
    s.case("fftfreq n = 1", move || {
        allclose(&ok(fftfreq(1, 1.0))?.to_vec(), &[0.0], 0.0, 0.0)
    });
    // fft_axis / fftn
    s.case("fft_axis axis out of range is an Err", move || {
        let mut z = ArrayD::<C64>::zeros(IxDyn(&[2, 3]));
        err_contains(FftPlans::new().fft_axis(&mut z, 2, false), "axis 2")
    });
    s.case("fft_axis on a 0-d array is an Err", move || {
        let mut z = ArrayD::<C64>::zeros(IxDyn(&[]));
        is_err(FftPlans::new().fft_axis(&mut z, 0, true))
    });
    s.case("fft_axis axis usize::MAX is an Err", move || {
        let mut z = ArrayD::<C64>::zeros(IxDyn(&[4]));
        is_err(FftPlans::new().fft_axis(&mut z, usize::MAX, false))
    });
    s.case(
        "fft_axis forward then inverse is n times the input",
        move || {
            let x: Vec<C64> = sig(12, 1.0).iter().map(|&r| C64::new(r, -r)).collect();
            let mut z = ArrayD::from_shape_vec(IxDyn(&[3, 4]), x.clone()).unwrap();
            let mut p = FftPlans::new();
            ok(p.fft_axis(&mut z, 1, false))?;
            ok(p.fft_axis(&mut z, 1, true))?;
            let got: Vec<f64> = z.iter().flat_map(|c| [c.re / 4.0, c.im / 4.0]).collect();
            let want: Vec<f64> = x.iter().flat_map(|c| [c.re, c.im]).collect();
            allclose(&got, &want, 1e-14, 1e-14)
        },
    );
    s.case("fft_axis matches the naive DFT", move || {
        let x: Vec<C64> = sig(7, 2.0).iter().map(|&r| C64::new(r, 0.5 * r)).collect();
        let mut z = ArrayD::from_shape_vec(IxDyn(&[7]), x.clone()).unwrap();
        ok(FftPlans::new().fft_axis(&mut z, 0, false))?;
        let want = naive::dft(&x, false);
        let got: Vec<f64> = z.iter().flat_map(|c| [c.re, c.im]).collect();
        let w: Vec<f64> = want.iter().flat_map(|c| [c.re, c.im]).collect();
        allclose(&got, &w, 1e-13, 1e-13)
    });
    s.case("fftn no axes is an Err", move || {
        is_err(fftn(&ArrayD::<C64>::zeros(IxDyn(&[3])), &[], false))
    });
    s.case("fftn repeated axis is an Err", move || {
        err_contains(
            fftn(&ArrayD::<C64>::zeros(IxDyn(&[3, 2])), &[1, 1], false),
            "more than once",
        )
    });
    s.case("fftn 0-d is an Err", move || {
        is_err(fftn(&ArrayD::<C64>::zeros(IxDyn(&[])), &[0], false))
    });
    s.case("fftn of an empty array: Err or empty", move || {
        err_or(
            fftn(&ArrayD::<C64>::zeros(IxDyn(&[0, 3])), &[0, 1], true),
            |z| ensure(z.shape() == [0, 3], format!("{:?}", z.shape())),
        )
    });
    s.case("fftn NaN sample: NaN along its lane only", move || {
        let mut a = ArrayD::<C64>::from_elem(IxDyn(&[2, 4]), C64::new(1.0, 0.0));
        a[[1, 2]] = C64::new(f64::NAN, 0.0);
        let z = ok(fftn(&a, &[1], false))?;
        ensure(
            z.row_nan(1) && z.slice(s![0, ..]).iter().all(|c| c.re.is_finite()),
            format!("{z}"),
        )
    });
    // rfftn / irfftn
    s.case("rfftn no axes is an Err", move || {
        is_err(rfftn(&array![1.0f64, 2.0], &[]))
    });
    s.case("rfftn axis out of range is an Err", move || {
        is_err(rfftn(&array![1.0f64, 2.0], &[1]))
    });
    s.case("rfftn 0-d is an Err", move || {
        is_err(rfftn(&ndarray::arr0(1.0f64), &[0]))
    });
    s.case(
        "rfftn_shape usize::MAX length is an Err, not an abort",
        move || is_err(FftPlans::new().rfftn_shape(&array![1.0f64, 2.0], &[0], &[usize::MAX])),
    );
    s.case(
        "rfftn_shape 2^31 x 2^31 is an Err, not an abort",
        move || {
            is_err(FftPlans::new().rfftn_shape(
                &Array2::<f32>::ones((2, 2)),
                &[0, 1],
                &[1 << 31, 1 << 31],
            ))
        },
    );
    s.case("rfftn_shape zero length is an Err", move || {
        is_err(FftPlans::new().rfftn_shape(&array![1.0f64, 2.0], &[0], &[0]))
    });
    s.case("rfftn_shape wrong number of lengths is an Err", move || {
        is_err(FftPlans::new().rfftn_shape(&array![1.0f64, 2.0], &[0], &[2, 2]))
    });
    s.case(
        "rfftn of 1e308 samples: no panic, inf/NaN as numpy",
        move || {
            let spec = ok(rfftn(&array![1e308f64, 1e308, 1e308], &[0]))?;
            ensure(!spec[[0]].re.is_finite(), format!("{spec}"))
        },
    );
    s.case("irfftn n_last 0 is an Err", move || {
        let spec = ok(rfftn(&array![1.0f64, 2.0, 3.0], &[0]))?;
        is_err(irfftn(&spec, &[0], 0))
    });
    s.case("irfftn n_last not fitting the bins is an Err", move || {
        let spec = ok(rfftn(&array![1.0f64, 2.0, 3.0], &[0]))?;
        err_contains(irfftn(&spec, &[0], usize::MAX), "bins")
    });
    s.case(
        "irfftn(rfftn(x)) = x on a negative-stride view",
        move || {
            let a = Array2::from_shape_vec((5, 6), sig(30, 3.0)).unwrap();
            let view = a.slice(s![..;-1, ..;-2]);
            let back = ok(irfftn(&ok(rfftn(&view, &[0, 1]))?, &[0, 1], 3))?;
            allclose(
                &v(&back),
                &view.iter().copied().collect::<Vec<_>>(),
                1e-13,
                1e-13,
            )
        },
    );
    s.case(
        "irfftn NaN imaginary part of bin 0 stays NaN (numpy)",
        move || {
            // np.fft.irfft([1 + nan j, 0, 0]) = [nan, nan, nan, nan]
            let spec = ArrayD::from_shape_vec(
                IxDyn(&[3]),
                vec![
                    C64::new(1.0, f64::NAN),
                    C64::new(0.0, 0.0),
                    C64::new(0.0, 0.0),
                ],
            )
            .unwrap();
            let x = ok(irfftn(&spec, &[0], 4))?;
            ensure(x.iter().all(|v| v.is_nan()), format!("{x}"))
        },
    );
    s.case(
        "irfftn NaN imaginary Nyquist stays NaN (numpy)",
        move || {
            // np.fft.irfft([1, 0, 2 + nan j]) = [nan, nan, nan, nan]
            let spec = ArrayD::from_shape_vec(
                IxDyn(&[3]),
                vec![
                    C64::new(1.0, 0.0),
                    C64::new(0.0, 0.0),
                    C64::new(2.0, f64::NAN),
                ],
            )
            .unwrap();
            let x = ok(irfftn(&spec, &[0], 4))?;
            ensure(x.iter().all(|v| v.is_nan()), format!("{x}"))
        },
    );
    s.case(
        "irfftn finite imaginary end bins are ignored (numpy)",
        move || {
            // np.fft.irfft([1 + 5j, 0, 2 - 3j]) = [0.75, -0.25, 0.75, -0.25]
            let spec = ArrayD::from_shape_vec(
                IxDyn(&[3]),
                vec![C64::new(1.0, 5.0), C64::new(0.0, 0.0), C64::new(2.0, -3.0)],
            )
            .unwrap();
            allclose(
                &v(&ok(irfftn(&spec, &[0], 4))?),
                &[0.75, -0.25, 0.75, -0.25],
                1e-15,
                1e-15,
            )
        },
    );
    // fftshift
    s.case("fftshift axis out of range is an Err", move || {
        is_err(fftshift(&array![1, 2, 3], &[1]))
    });
    s.case("ifftshift repeated axis is an Err", move || {
        is_err(ifftshift(&Array2::<u8>::zeros((2, 2)), &[0, 0]))
    });
    s.case("fftshift of an empty axis is empty", move || {
        let a = Array2::<f64>::zeros((0, 3));
        ensure(ok(fftshift(&a, &[0, 1]))?.shape() == [0, 3], "shape")
    });
    s.case(
        "ifftshift(fftshift(x)) = x on odd lengths, transposed",
        move || {
            let a = Array2::from_shape_fn((5, 3), |(i, j)| (i * 3 + j) as i32);
            let t = a.t();
            ensure(
                ok(ifftshift(&ok(fftshift(&t, &[0, 1]))?, &[0, 1]))? == t,
                "round trip",
            )
        },
    );
}

trait RowNan {
    fn row_nan(&self, r: usize) -> bool;
}
impl RowNan for ArrayD<C64> {
    fn row_nan(&self, r: usize) -> bool {
        self.index_axis(Axis(0), r)
            .iter()
            .all(|c| c.re.is_nan() || c.im.is_nan())
    }
}

/// The full 1-D convolution by the definition, cropped to scipy's `mode`.
fn naive_mode(a: &[f64], b: &[f64], mode: Mode) -> Vec<f64> {
    let full = naive::convolve_full(a, b);
    let len = match mode {
        Mode::Full => return full,
        Mode::Same => a.len(),
        Mode::Valid => a.len().max(b.len()) - a.len().min(b.len()) + 1,
    };
    let st = (full.len() - len) / 2;
    full[st..st + len].to_vec()
}

type ConvD = fn(&ArrayD<f64>, &ArrayD<f64>) -> Result<ArrayD<f64>>;

/// A scipy test pair: name, x, y, r.
type Pair = (&'static str, fn() -> Array1<f64>, fn() -> Array1<f64>, f64);

type Conv = fn(&Array1<f64>, &Array1<f64>, Mode) -> Result<ArrayD<f64>>;

fn conv_fns() -> Vec<(&'static str, Conv)> {
    vec![
        ("fftconvolve", |a, b, m| fftconvolve(a, b, m, None)),
        ("oaconvolve", |a, b, m| oaconvolve(a, b, m, None)),
        ("convolve auto", |a, b, m| {
            convolve(a, b, m, Method::Auto, None)
        }),
        ("convolve direct", |a, b, m| {
            convolve(a, b, m, Method::Direct, None)
        }),
        ("convolve fft", |a, b, m| {
            convolve(a, b, m, Method::Fft, None)
        }),
    ]
}

fn conv_cases(s: &mut Suite) {
    // 0-d inputs: scipy returns in1 * in2.
    let zero_d: Vec<(&str, ConvD)> = vec![
        ("fftconvolve", |a, b| fftconvolve(a, b, Mode::Full, None)),
        ("fftcorrelate", |a, b| fftcorrelate(a, b, Mode::Same, None)),
        ("oaconvolve", |a, b| oaconvolve(a, b, Mode::Valid, None)),
        ("convolve", |a, b| {
            convolve(a, b, Mode::Full, Method::Auto, None)
        }),
        ("correlate", |a, b| {
            correlate(a, b, Mode::Full, Method::Direct, None)
        }),
    ];
    for (name, f) in zero_d {
        s.case(
            format!("{name} of 0-d inputs is their product (scipy)"),
            move || {
                // scipy.signal.fftconvolve(np.array(2.), np.array(3.)) = array(6.)
                let r = ok(f(
                    &ArrayD::from_elem(IxDyn(&[]), 2.0),
                    &ArrayD::from_elem(IxDyn(&[]), 3.0),
                ))?;
                ensure(r.ndim() == 0 && r[IxDyn(&[])] == 6.0, format!("{r}"))
            },
        );
        s.case(format!("{name} of 0-d and 1-d is an Err"), move || {
            err_contains(
                f(
                    &ArrayD::from_elem(IxDyn(&[]), 2.0),
                    &ArrayD::from_elem(IxDyn(&[3]), 3.0),
                ),
                "dimension",
            )
        });
    }
    s.case("fftconvolve 0-d f32 NaN stays NaN", move || {
        let r = ok(fftconvolve(
            &ArrayD::from_elem(IxDyn(&[]), f32::NAN),
            &ArrayD::from_elem(IxDyn(&[]), 3.0f32),
            Mode::Full,
            None,
        ))?;
        ensure(r[IxDyn(&[])].is_nan(), format!("{r}"))
    });
    // Empty inputs: scipy's fftconvolve/oaconvolve return array([]); convolve raises.
    s.case("fftconvolve of an empty input is [] (scipy)", move || {
        let r = ok(fftconvolve(
            &Array1::<f64>::zeros(0),
            &array![1.0, 2.0],
            Mode::Full,
            None,
        ))?;
        ensure(r.shape() == [0], format!("{:?}", r.shape()))
    });
    s.case("fftconvolve of an empty kernel is [] (scipy)", move || {
        let r = ok(fftconvolve(
            &array![1.0, 2.0],
            &Array1::<f64>::zeros(0),
            Mode::Same,
            None,
        ))?;
        ensure(r.shape() == [0], format!("{:?}", r.shape()))
    });
    s.case("oaconvolve of a (0, 3) input is [] (scipy)", move || {
        let r = ok(oaconvolve(
            &Array2::<f32>::zeros((0, 3)),
            &Array2::<f32>::ones((2, 2)),
            Mode::Full,
            None,
        ))?;
        ensure(r.shape() == [0], format!("{:?}", r.shape()))
    });
    s.case(
        "convolve of an empty input is an Err (scipy: a cannot be empty)",
        move || {
            err_contains(
                convolve(
                    &Array1::<f64>::zeros(0),
                    &array![1.0],
                    Mode::Full,
                    Method::Auto,
                    None,
                ),
                "empty",
            )
        },
    );
    s.case(
        "correlate of an empty kernel is an Err (scipy raises)",
        move || {
            err_contains(
                correlate(
                    &array![1.0],
                    &Array1::<f64>::zeros(0),
                    Mode::Full,
                    Method::Direct,
                    None,
                ),
                "empty",
            )
        },
    );
    s.case(
        "fftcorrelate of an empty input is an Err (scipy raises)",
        move || {
            is_err(fftcorrelate(
                &Array1::<f64>::zeros(0),
                &array![1.0],
                Mode::Full,
                None,
            ))
        },
    );
    // Shapes and parameters.
    s.case("fftconvolve ndim mismatch is an Err", move || {
        err_contains(
            fftconvolve(
                &ArrayD::<f64>::zeros(IxDyn(&[3])),
                &ArrayD::<f64>::zeros(IxDyn(&[2, 2])),
                Mode::Full,
                None,
            ),
            "dimension",
        )
    });
    s.case("fftconvolve axes out of range is an Err", move || {
        is_err(fftconvolve(
            &array![1.0, 2.0],
            &array![1.0],
            Mode::Full,
            Some(&[1]),
        ))
    });
    s.case("oaconvolve axes usize::MAX is an Err", move || {
        is_err(oaconvolve(
            &array![1.0, 2.0],
            &array![1.0],
            Mode::Full,
            Some(&[usize::MAX]),
        ))
    });
    s.case(
        "fftconvolve empty axes list is an Err (scipy: axes cannot be empty)",
        move || {
            is_err(fftconvolve(
                &array![1.0, 2.0],
                &array![1.0],
                Mode::Full,
                Some(&[]),
            ))
        },
    );
    s.case("convolve repeated axes is an Err", move || {
        is_err(convolve(
            &Array2::<f64>::ones((2, 2)),
            &Array2::<f64>::ones((2, 2)),
            Mode::Full,
            Method::Direct,
            Some(&[0, 0]),
        ))
    });
    s.case(
        "oaconvolve unequal non-convolved axes is an Err",
        move || {
            is_err(oaconvolve(
                &Array2::<f64>::ones((3, 9)),
                &Array2::<f64>::ones((2, 2)),
                Mode::Full,
                Some(&[1]),
            ))
        },
    );
    s.case(
        "fftconvolve valid with neither input larger is an Err",
        move || {
            err_contains(
                fftconvolve(
                    &Array2::<f64>::ones((3, 2)),
                    &Array2::<f64>::ones((2, 3)),
                    Mode::Valid,
                    None,
                ),
                "at least as large",
            )
        },
    );
    s.case("Mode and Method parse errors name the choices", move || {
        err_contains(Mode::parse("circular"), "valid")?;
        err_contains(Method::parse("overlap"), "direct")
    });
    // Mode "same" when broadcasting a non-convolved axis: in1's shape (scipy `_centered`).
    let a16 = || Array2::from_shape_vec((1, 6), vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
    for (name, f) in [
        (
            "fftconvolve",
            fftconvolve::<f64, _, _, _>
                as fn(&Array2<f64>, &Array2<f64>, Mode, Option<&[usize]>) -> Result<ArrayD<f64>>,
        ),
        ("oaconvolve", oaconvolve::<f64, _, _, _>),
    ] {
        s.case(
            format!("{name} same broadcast keeps in1's shape (1, 6)"),
            move || {
                // scipy.signal.fftconvolve(np.arange(6.).reshape(1, 6), np.ones((3, 2)), 'same', axes=[1])
                //   -> shape (1, 6): [[0, 1, 3, 5, 7, 9]]
                let r = ok(f(&a16(), &Array2::ones((3, 2)), Mode::Same, Some(&[1])))?;
                ensure(r.shape() == [1, 6], format!("{:?}", r.shape()))?;
                allclose(&v(&r), &[0.0, 1.0, 3.0, 5.0, 7.0, 9.0], 1e-12, 1e-12)
            },
        );
        s.case(
            format!("{name} same with in1 the broadcast one keeps (3, 2)"),
            move || {
                // scipy.signal.fftconvolve(np.ones((3, 2)), np.arange(6.).reshape(1, 6), 'same', axes=[1])
                //   -> [[3, 5], [3, 5], [3, 5]]
                let r = ok(f(&Array2::ones((3, 2)), &a16(), Mode::Same, Some(&[1])))?;
                ensure(r.shape() == [3, 2], format!("{:?}", r.shape()))?;
                allclose(&v(&r), &[3.0, 5.0, 3.0, 5.0, 3.0, 5.0], 1e-12, 1e-12)
            },
        );
        s.case(
            format!("{name} full/valid broadcast shapes are (3, 7)/(3, 5)"),
            move || {
                // scipy: 'full' -> (3, 7), 'valid' -> (3, 5) for (1, 6) with (3, 2), axes=[1]
                let full = ok(f(&a16(), &Array2::ones((3, 2)), Mode::Full, Some(&[1])))?;
                let valid = ok(f(&a16(), &Array2::ones((3, 2)), Mode::Valid, Some(&[1])))?;
                ensure(
                    full.shape() == [3, 7] && valid.shape() == [3, 5],
                    format!("{:?} {:?}", full.shape(), valid.shape()),
                )?;
                allclose(&v(&valid)[..5], &[1.0, 3.0, 5.0, 7.0, 9.0], 1e-12, 1e-12)
            },
        );
    }
    s.case(
        "convolve direct same broadcast matches fftconvolve's shape",
        move || {
            let r = ok(convolve(
                &a16(),
                &Array2::ones((3, 2)),
                Mode::Same,
                Method::Direct,
                Some(&[1]),
            ))?;
            ensure(r.shape() == [1, 6], format!("{:?}", r.shape()))
        },
    );
    // One NaN or inf sample in a long input: NaN where it belongs, never a panic.
    let long = || Array1::from(sig(6000, 1.0));
    let kern = || Array1::from(sig(41, 2.0));
    for (name, f) in conv_fns() {
        s.case(format!("{name}: one NaN sample in 6000 x 41"), move || {
            let mut x = long();
            x[3000] = f64::NAN;
            let r = ok(f(&x, &kern(), Mode::Full))?;
            let bad = (3000..3041).all(|i| r[[i]].is_nan());
            // Outside the reach of the NaN every route gives numbers (blocks, or NaN everywhere
            // for one FFT as scipy's fftconvolve); the samples the NaN touches are NaN.
            ensure(bad, format!("{:?}", &v(&r)[2995..3046]))
        });
        s.case(format!("{name}: one inf sample in 6000 x 41"), move || {
            let mut x = long();
            x[10] = f64::INFINITY;
            let r = ok(f(&x, &kern(), Mode::Same))?;
            ensure(
                r[[10]].is_nan() || r[[10]].is_infinite(),
                format!("{}", r[[10]]),
            )
        });
        s.case(
            format!("{name}: 1e200 data times 1e200 kernel overflows, no panic"),
            move || {
                let r = ok(f(
                    &Array1::from_elem(50, 1e200),
                    &Array1::from_elem(3, 1e200),
                    Mode::Valid,
                ))?;
                ensure(r.iter().all(|x| !x.is_finite()), format!("{r}"))
            },
        );
        s.case(
            format!("{name}: matches the definition on 300 x 17, all modes"),
            move || {
                let (a, b) = (Array1::from(sig(300, 0.3)), Array1::from(sig(17, 0.9)));
                for mode in [Mode::Full, Mode::Same, Mode::Valid] {
                    let r = ok(f(&a, &b, mode))?;
                    allclose(
                        &v(&r),
                        &naive_mode(a.as_slice().unwrap(), b.as_slice().unwrap(), mode),
                        1e-10,
                        1e-10,
                    )?;
                }
                Ok(())
            },
        );
        s.case(
            format!("{name}: kernel longer than the input, mode same"),
            move || {
                let (a, b) = (Array1::from(sig(5, 0.3)), Array1::from(sig(12, 0.9)));
                let r = ok(f(&a, &b, Mode::Same))?;
                allclose(
                    &v(&r),
                    &naive_mode(a.as_slice().unwrap(), b.as_slice().unwrap(), Mode::Same),
                    1e-12,
                    1e-12,
                )
            },
        );
        s.case(format!("{name}: size-1 inputs"), move || {
            let r = ok(f(&array![5.0], &array![-2.0], Mode::Full))?;
            allclose(&v(&r), &[-10.0], 0.0, 0.0)
        });
    }
    s.case("oaconvolve oa path: NaN stays in its blocks", move || {
        let mut x = Array1::from(sig(20000, 1.0));
        x[10000] = f64::NAN;
        let r = ok(oaconvolve(
            &x,
            &Array1::from(sig(31, 2.0)),
            Mode::Full,
            None,
        ))?;
        ensure(
            r[[10000]].is_nan()
                && r[[10030]].is_nan()
                && r[[0]].is_finite()
                && r[[20029]].is_finite(),
            "NaN spread past its blocks",
        )
    });
    s.case(
        "oaconvolve 2-D with a NaN row sample: no panic",
        move || {
            let mut a = Array2::from_shape_vec((4, 3000), sig(12000, 0.7)).unwrap();
            a[[2, 1500]] = f64::NAN;
            let k = Array2::from_shape_vec((1, 25), sig(25, 0.2)).unwrap();
            let r = ok(oaconvolve(&a, &k, Mode::Same, Some(&[1])))?;
            ensure(
                r[[2, 1500]].is_nan() && r[[0, 1500]].is_finite(),
                "row-local NaN",
            )
        },
    );
    s.case("convolve auto 2-D long with inf: no panic", move || {
        let mut a = Array2::from_shape_vec((3, 8000), sig(24000, 0.1)).unwrap();
        a[[1, 4000]] = f64::NEG_INFINITY;
        let k = Array2::from_shape_vec((1, 61), sig(61, 0.4)).unwrap();
        let r = ok(convolve(&a, &k, Mode::Full, Method::Auto, Some(&[1])))?;
        ensure(
            !r[[1, 4030]].is_finite() && r[[0, 4030]].is_finite(),
            "row-local inf",
        )
    });
    s.case(
        "NaN kernel tap: every output it reaches is NaN",
        move || {
            let mut k = Array1::from(sig(9, 1.0));
            k[4] = f64::NAN;
            let r = ok(fftconvolve(
                &Array1::from(sig(100, 2.0)),
                &k,
                Mode::Valid,
                None,
            ))?;
            ensure(r.iter().all(|x| x.is_nan()), "NaN")
        },
    );
    s.case("fftconvolve f32 equals the f64 result rounded", move || {
        let a: Vec<f32> = sig(200, 0.5).iter().map(|&x| x as f32).collect();
        let b: Vec<f32> = sig(9, 0.8).iter().map(|&x| x as f32).collect();
        let r = ok(fftconvolve(
            &Array1::from(a.clone()),
            &Array1::from(b.clone()),
            Mode::Same,
            None,
        ))?;
        let a64: Vec<f64> = a.iter().map(|&x| x as f64).collect();
        let b64: Vec<f64> = b.iter().map(|&x| x as f64).collect();
        let got: Vec<f64> = r.iter().map(|&x| x as f64).collect();
        allclose(&got, &naive_mode(&a64, &b64, Mode::Same), 1e-6, 1e-6)
    });
    s.case(
        "fftcorrelate on reversed views equals convolution",
        move || {
            let a = Array1::from(sig(64, 0.5));
            let b = Array1::from(sig(7, 1.5));
            let c = ok(fftcorrelate(&a, &b.slice(s![..;-1]), Mode::Full, None))?;
            let want = naive::convolve_full(a.as_slice().unwrap(), b.as_slice().unwrap());
            allclose(&v(&c), &want, 1e-12, 1e-12)
        },
    );
    s.case(
        "convolve on a transposed 2-D view equals the standard layout",
        move || {
            let a = Array2::from_shape_vec((9, 13), sig(117, 0.5)).unwrap();
            let k = Array2::from_shape_vec((3, 2), sig(6, 1.1)).unwrap();
            let t = a.t();
            let owned = t.to_owned();
            let r1 = ok(convolve(&t, &k, Mode::Same, Method::Direct, None))?;
            let r2 = ok(fftconvolve(&owned, &k, Mode::Same, None))?;
            allclose(&v(&r1), &v(&r2), 1e-12, 1e-12)
        },
    );
    s.case(
        "correlate auto of huge magnitudes 1e300 x 1e-300 stays finite",
        move || {
            let r = ok(correlate(
                &Array1::from_elem(40, 1e300),
                &Array1::from_elem(5, 1e-300),
                Mode::Valid,
                Method::Auto,
                None,
            ))?;
            allclose(&v(&r), &vec![5.0; 36], 1e-12, 0.0)
        },
    );
}

fn rolling_cases(s: &mut Suite) {
    let x5 = || array![1.0f64, 2.0, 3.0, 4.0, 5.0];
    s.case(
        "rolling window 1e9 on 5 samples is an Err, no allocation",
        move || {
            err_contains(
                rolling_mean(&x5(), 0, Rolling::new(1_000_000_000)),
                "window",
            )
        },
    );
    s.case("rolling window usize::MAX centred is an Err", move || {
        is_err(rolling_sum(&x5(), 0, Rolling::new(usize::MAX).center(true)))
    });
    s.case("rolling window 0 is an Err", move || {
        err_contains(rolling_var(&x5(), 0, Rolling::new(0), 1), "window")
    });
    s.case("rolling min_periods > window is an Err", move || {
        err_contains(
            rolling_std(&x5(), 0, Rolling::new(2).min_periods(3), 1),
            "min_periods",
        )
    });
    s.case("rolling axis out of range is an Err", move || {
        err_contains(rolling_sum(&x5(), 1, Rolling::new(2)), "axis 1")
    });
    s.case("rolling axis isize::MIN is an Err", move || {
        is_err(rolling_sum(&x5(), isize::MIN, Rolling::new(2)))
    });
    s.case("rolling axis isize::MAX is an Err", move || {
        is_err(rolling_mean(&x5(), isize::MAX, Rolling::new(2)))
    });
    s.case("rolling of a 0-d array is an Err", move || {
        is_err(rolling_sum(&ndarray::arr0(1.0f64), 0, Rolling::new(1)))
    });
    s.case("rolling of an empty axis: Err or empty", move || {
        err_or(
            rolling_mean(&Array1::<f64>::zeros(0), 0, Rolling::new(1)),
            |r| ensure(r.is_empty(), "empty"),
        )
    });
    s.case("rolling along a full axis of an empty array", move || {
        let r = ok(rolling_sum(
            &Array2::<f64>::zeros((0, 5)),
            1,
            Rolling::new(2),
        ))?;
        ensure(r.shape() == [0, 5], "shape")
    });
    for (name, f) in [
        ("rolling_sum_into", 0usize),
        ("rolling_mean_into", 1),
        ("rolling_var_into", 2),
        ("rolling_std_into", 3),
    ] {
        s.case(
            format!("{name} with a wrong output shape is an Err"),
            move || {
                let mut out = Array1::<f64>::zeros(4);
                let opt = Rolling::new(2);
                let r = match f {
                    0 => rolling_sum_into(&x5(), 0, opt, &mut out),
                    1 => rolling_mean_into(&x5(), 0, opt, &mut out),
                    2 => rolling_var_into(&x5(), 0, opt, 1, &mut out),
                    _ => rolling_std_into(&x5(), 0, opt, 1, &mut out),
                };
                is_err(r)
            },
        );
    }
    // Overflow in one window must not poison the next ones.
    let big_line = || {
        let mut x = sig(3000, 0.7);
        x[5] = 1e308;
        x[6] = 1e308;
        x
    };
    for stat in ["sum", "mean", "var", "std"] {
        s.case(
            format!("rolling {stat}: 1e308 + 1e308 stays in its windows"),
            move || {
                let x = big_line();
                let a = Array1::from(x.clone());
                let opt = Rolling::new(4);
                let r = match stat {
                    "sum" => rolling_sum(&a, 0, opt),
                    "mean" => rolling_mean(&a, 0, opt),
                    "var" => rolling_var(&a, 0, opt, 1),
                    _ => rolling_std(&a, 0, opt, 1),
                };
                let r = ok(r)?;
                let want = naive::rolling(&x, 4, 4, false, stat, 1);
                // Windows after the big values (from index 10) are ordinary numbers again.
                allclose(&r.to_vec()[10..], &want[10..], 1e-9, 1e-9)
            },
        );
    }
    s.case(
        "rolling mean of 1e308 pairs is 1e308 (exact), not inf",
        move || {
            let r = ok(rolling_mean(
                &array![1e308f64, 1e308, 1e308, 1.0],
                0,
                Rolling::new(2),
            ))?;
            allclose(&r.to_vec()[1..], &[1e308, 1e308, 5e307], 1e-15, 0.0)
        },
    );
    s.case(
        "rolling sum past f64::MAX is inf (the exact sum is not representable)",
        move || {
            let r = ok(rolling_sum(
                &array![1e308f64, 1e308, -1e308, 3.0],
                0,
                Rolling::new(2),
            ))?;
            ensure(
                r[1] == f64::INFINITY && r[2] == 0.0 && r[3] == -1e308 + 3.0,
                format!("{r}"),
            )
        },
    );
    s.case(
        "rolling sum of three 1e308-scale values that cancel is finite",
        move || {
            // 1e308 + 1e308 - 1.5e308 = 5e307 exactly representable; the running sum overflows.
            let r = ok(rolling_sum(
                &array![1e308f64, 1e308, -1.5e308],
                0,
                Rolling::new(3),
            ))?;
            allclose(&[r[2]], &[5e307], 1e-15, 0.0)
        },
    );
    s.case("rolling std of +-1e308 is finite (numpy: inf)", move || {
        // exact: std([1e308, -1e308], ddof=1) = sqrt(2) * 1e308 = 1.4142135623730951e308;
        // np.std overflows to inf in the square.
        let r = ok(rolling_std(
            &array![1e308f64, -1e308, 1.0, 2.0],
            0,
            Rolling::new(2),
            1,
        ))?;
        allclose(
            &r.to_vec()[1..],
            &[
                1.4142135623730951e308,
                7.071067811865476e307,
                std::f64::consts::FRAC_1_SQRT_2,
            ],
            1e-14,
            0.0,
        )
    });
    s.case(
        "rolling var of +-1e308 is inf (2e616 not representable), then finite",
        move || {
            let r = ok(rolling_var(
                &array![1e308f64, -1e308, 1.0, 2.0],
                0,
                Rolling::new(2),
                1,
            ))?;
            ensure(r[1] == f64::INFINITY && r[3] == 0.5, format!("{r}"))
        },
    );
    s.case(
        "rolling var after a level shift of 1e10: no lost digits",
        move || {
            // The running shift was near 1e10; later windows of O(1) values must not inherit
            // its rounding (pandas re-centres too).
            let mut x = sig(600, 0.4);
            x[..5].iter_mut().for_each(|v| *v += 1e10);
            let r = ok(rolling_var(&Array1::from(x.clone()), 0, Rolling::new(3), 1))?;
            allclose(
                &r.to_vec()[7..],
                &naive::rolling(&x, 3, 3, false, "var", 1)[7..],
                1e-9,
                1e-12,
            )
        },
    );
    s.case(
        "rolling var of a constant 0.1 stretch after a jump is ~0",
        move || {
            let mut x: Vec<f64> = vec![5.0, 7.0, 6.0];
            x.extend(vec![0.1; 50]);
            let r = ok(rolling_var(&Array1::from(x), 0, Rolling::new(4), 1))?;
            ensure(r.iter().skip(10).all(|v| v.abs() < 1e-30), format!("{r}"))
        },
    );
    s.case(
        "rolling var ddof usize::MAX is NaN, no overflow",
        move || {
            let r = ok(rolling_var(&x5(), 0, Rolling::new(3), usize::MAX))?;
            ensure(r.iter().all(|v| v.is_nan()), format!("{r}"))
        },
    );
    s.case(
        "rolling NaN and inf stay in their windows (pandas)",
        move || {
            let mut x = sig(2000, 0.3);
            x[100] = f64::NAN;
            x[700] = f64::INFINITY;
            x[701] = f64::NEG_INFINITY;
            let a = Array1::from(x.clone());
            for (stat, r) in [
                (
                    "sum",
                    ok(rolling_sum(&a, 0, Rolling::new(5).min_periods(2)))?,
                ),
                (
                    "mean",
                    ok(rolling_mean(&a, 0, Rolling::new(5).min_periods(2)))?,
                ),
                (
                    "var",
                    ok(rolling_var(&a, 0, Rolling::new(5).min_periods(2), 1))?,
                ),
            ] {
                allclose(
                    &r.to_vec(),
                    &naive::rolling(&x, 5, 2, false, stat, 1),
                    1e-9,
                    1e-9,
                )?;
            }
            Ok(())
        },
    );
    s.case(
        "rolling min_periods 0 over an all-NaN window: sum 0, mean NaN (pandas)",
        move || {
            let a = array![f64::NAN, f64::NAN, 1.0];
            let sm = ok(rolling_sum(&a, 0, Rolling::new(2).min_periods(0)))?;
            let mn = ok(rolling_mean(&a, 0, Rolling::new(2).min_periods(0)))?;
            ensure(
                sm[1] == 0.0 && mn[1].is_nan() && sm[2] == 1.0,
                format!("{sm} {mn}"),
            )
        },
    );
    s.case("rolling f32 near f32::MAX: overflow local", move || {
        let a = array![3e38f32, 3e38, 1.0, 2.0, 3.0];
        let r = ok(rolling_sum(&a, 0, Rolling::new(2)))?;
        ensure(
            r[1] == f32::INFINITY && r[2] == 3e38 && r[3] == 3.0 && r[4] == 5.0,
            format!("{r}"),
        )
    });
    s.case(
        "rolling centred even window on a transposed view",
        move || {
            let a = Array2::from_shape_vec((6, 40), sig(240, 0.2)).unwrap();
            let t = a.t();
            let r = ok(rolling_mean(
                &t,
                0,
                Rolling::new(4).center(true).min_periods(1),
            ))?;
            for j in 0..6 {
                let col: Vec<f64> = t.column(j).to_vec();
                allclose(
                    &r.column(j).to_vec(),
                    &naive::rolling(&col, 4, 1, true, "mean", 0),
                    1e-12,
                    1e-12,
                )?;
            }
            Ok(())
        },
    );
    s.case("rolling std on a negative-stride view", move || {
        let a = Array1::from(sig(500, 0.9));
        let rv = a.slice(s![..;-3]);
        let r = ok(rolling_std(&rv, -1, Rolling::new(7), 0))?;
        allclose(
            &r.to_vec(),
            &naive::rolling(&rv.to_vec(), 7, 7, false, "std", 0),
            1e-10,
            1e-12,
        )
    });
    s.case(
        "rolling sum of a 1e7-scale offset line does not drift",
        move || {
            let x: Vec<f64> = sig(5000, 0.5).iter().map(|v| v + 1e7).collect();
            let r = ok(rolling_var(
                &Array1::from(x.clone()),
                0,
                Rolling::new(50),
                1,
            ))?;
            allclose(
                &r.to_vec(),
                &naive::rolling(&x, 50, 50, false, "var", 1),
                1e-6,
                1e-8,
            )
        },
    );
}

fn detrend_cases(s: &mut Suite) {
    s.case("detrend axis out of range is an Err", move || {
        err_contains(detrend(&array![1.0, 2.0], 3, Trend::Linear, &[]), "axis 3")
    });
    s.case("detrend 0-d is an Err", move || {
        is_err(detrend(&ndarray::arr0(1.0f64), 0, Trend::Constant, &[]))
    });
    s.case("detrend empty axis is an Err", move || {
        err_contains(
            detrend(&Array1::<f64>::zeros(0), 0, Trend::Linear, &[]),
            "empty",
        )
    });
    s.case("detrend breakpoint beyond the axis is an Err", move || {
        err_contains(
            detrend(&array![1.0, 2.0], 0, Trend::Linear, &[3]),
            "breakpoint",
        )
    });
    s.case("detrend breakpoint usize::MAX is an Err", move || {
        is_err(detrend(&array![1.0, 2.0], 0, Trend::Linear, &[usize::MAX]))
    });
    s.case("detrend parse error names the choices", move || {
        err_contains(Trend::parse("quadratic"), "linear")
    });
    s.case("detrend_into wrong shape is an Err", move || {
        let mut out = Array1::<f64>::zeros(3);
        is_err(detrend_into(
            &array![1.0, 2.0],
            0,
            Trend::Linear,
            &[],
            &mut out,
        ))
    });
    s.case("detrend of one sample is 0 (scipy: [1.8e-15])", move || {
        allclose(
            &ok(detrend(&array![5.0f64], 0, Trend::Linear, &[]))?.to_vec(),
            &[0.0],
            0.0,
            1e-14,
        )
    });
    s.case("detrend of two samples is 0 (scipy: ~1e-15)", move || {
        allclose(
            &ok(detrend(&array![5.0f64, 7.0], 0, Trend::Linear, &[]))?.to_vec(),
            &[0.0, 0.0],
            0.0,
            1e-14,
        )
    });
    s.case(
        "detrend linear of 1e308-scale data: finite, equal to the scaled fit",
        move || {
            let x: Vec<f64> = sig(50, 1.3).iter().map(|v| v * 4e307).collect();
            let small: Vec<f64> = x.iter().map(|v| v * p2(-1000)).collect();
            let d = ok(detrend(&Array1::from(x), 0, Trend::Linear, &[]))?;
            let want: Vec<f64> = naive::detrend_linear(&small)
                .iter()
                .map(|v| v * p2(1000))
                .collect();
            ensure(d.iter().all(|v| v.is_finite()), "finite")?;
            allclose(&d.to_vec(), &want, 1e-9, 1e-9 * 4e307)
        },
    );
    s.case(
        "detrend constant of +-1e308 data: finite (numpy's mean overflows)",
        move || {
            let d = ok(detrend(
                &array![1e308f64, 1e308, -1e308],
                0,
                Trend::Constant,
                &[],
            ))?;
            let m = 1e308 / 3.0;
            allclose(&d.to_vec(), &[1e308 - m, 1e308 - m, -1e308 - m], 1e-15, 0.0)
        },
    );
    s.case(
        "detrend of 1e-300-scale data equals the scaled fit",
        move || {
            let x: Vec<f64> = sig(30, 0.4).iter().map(|v| v * 1e-300).collect();
            let big: Vec<f64> = x.iter().map(|v| v * p2(900)).collect();
            let d = ok(detrend(&Array1::from(x), 0, Trend::Linear, &[]))?;
            let want: Vec<f64> = naive::detrend_linear(&big)
                .iter()
                .map(|v| v * p2(-900))
                .collect();
            allclose(&d.to_vec(), &want, 1e-9, 1e-9 * 1e-300)
        },
    );
    s.case("detrend NaN poisons only its segment", move || {
        let mut x = sig(20, 0.5);
        x[3] = f64::NAN;
        let d = ok(detrend(&Array1::from(x.clone()), 0, Trend::Linear, &[10]))?;
        ensure(d.iter().take(10).all(|v| v.is_nan()), "first segment NaN")?;
        allclose(
            &d.to_vec()[10..],
            &naive::detrend_linear(&x[10..]),
            1e-12,
            1e-12,
        )
    });
    s.case("detrend inf poisons only its segment", move || {
        let mut x = sig(20, 0.5);
        x[15] = f64::INFINITY;
        let d = ok(detrend(&Array1::from(x.clone()), 0, Trend::Linear, &[10]))?;
        ensure(d.iter().skip(10).all(|v| !v.is_finite()), "second segment")?;
        allclose(
            &d.to_vec()[..10],
            &naive::detrend_linear(&x[..10]),
            1e-12,
            1e-12,
        )
    });
    s.case("detrend_inplace on a transposed f32 view", move || {
        let a = Array2::from_shape_vec((7, 5), sig(35, 0.8).iter().map(|&v| v as f32).collect())
            .unwrap();
        let mut b = a.clone();
        let mut t = b.view_mut().reversed_axes();
        ok(detrend_inplace(&mut t, 1, Trend::Linear, &[]))?;
        for j in 0..5 {
            let col: Vec<f64> = a.column(j).iter().map(|&v| v as f64).collect();
            let got: Vec<f64> = b.column(j).iter().map(|&v| v as f64).collect();
            allclose(&got, &naive::detrend_linear(&col), 1e-5, 1e-5)?;
        }
        Ok(())
    });
    s.case(
        "detrend on a negative-stride view with duplicate breakpoints",
        move || {
            let a = Array1::from(sig(40, 0.6));
            let r = a.slice(s![..;-1]);
            let d = ok(detrend(&r, 0, Trend::Linear, &[20, 20, 0, 40]))?;
            let x = r.to_vec();
            let mut want = naive::detrend_linear(&x[..20]);
            want.extend(naive::detrend_linear(&x[20..]));
            allclose(&d.to_vec(), &want, 1e-12, 1e-12)
        },
    );
}

fn pearson_cases(s: &mut Suite) {
    // scipy/stats/tests/test_stats.py::TestPearsonr (values from mpmath with 80 digits).
    let tiny_x = || {
        array![
            0.004434375f64,
            0.004756007,
            0.003911996,
            0.0038005,
            0.003409971
        ]
    };
    let tiny_y = || array![2.48e-188f64, 7.41e-181, 4.09e-208, 2.08e-223, 2.66e-245];
    let big_x = || array![0.0f64, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0].mapv(|v| v * 1e90);
    let big_y = || Array1::from_shape_fn(7, |i| i as f64 * 1e90);
    let huge_x = || array![2.3e200f64, 4.5e200, 6.7e200, 8e200];
    let huge_y = || array![1.2e199f64, 5.5e200, 3.3e201, 1.0e200];
    let cases: Vec<Pair> = vec![
        (
            "very small values (1e-188)",
            tiny_x,
            tiny_y,
            0.727293054075045,
        ),
        ("very large values (1e90)", big_x, big_y, 0.8660254037844386),
        (
            "extremely large values (1e200)",
            huge_x,
            huge_y,
            0.351312332103289,
        ),
    ];
    for (name, x, y, want) in cases {
        s.case(
            format!("pearson_r scipy test {name}: y as reference"),
            move || {
                let r = ok(pearson_r(&x(), &y(), 0))?;
                allclose(&v(&r), &[want], 1e-12, 0.0)
            },
        );
        s.case(
            format!("pearson_r scipy test {name}: x as reference"),
            move || {
                let r = ok(pearson_r(&y(), &x(), 0))?;
                allclose(&v(&r), &[want], 1e-12, 0.0)
            },
        );
        s.case(
            format!("pearson_r scipy test {name}: vertical path (series on axis 0)"),
            move || {
                // Three copies of the series as columns: accumulated row by row.
                let xs = x();
                let a = Array2::from_shape_fn((xs.len(), 3), |(t, _)| xs[t]);
                let r = ok(pearson_r(&a, &y(), 0))?;
                allclose(&v(&r), &[want; 3], 1e-12, 0.0)
            },
        );
    }
    s.case("pearson_r scipy test_basic", move || {
        // scipy.stats.pearsonr([-1, 0, 1], [0, 0, 3])[0] = 3**0.5 / 2
        allclose(
            &v(&ok(pearson_r(
                &array![-1.0f64, 0.0, 1.0],
                &array![0.0, 0.0, 3.0],
                0,
            ))?),
            &[0.8660254037844387],
            1e-14,
            0.0,
        )
    });
    s.case("pearson_r scipy length two: +-1", move || {
        let a = array![[1.0f64, 2.0], [2.0, 1.0]];
        allclose(
            &v(&ok(pearson_r(&a, &array![3.0, 5.0], 1))?),
            &[1.0, -1.0],
            0.0,
            0.0,
        )
    });
    s.case("pearson_r scipy constant input is NaN", move || {
        let r = ok(pearson_r(
            &array![0.667f64, 0.667, 0.667],
            &array![0.123, 0.456, 0.789],
            0,
        ))?;
        ensure(r[IxDyn(&[])].is_nan(), format!("{r}"))
    });
    s.case("pearson_r constant reference is NaN", move || {
        let r = ok(pearson_r(
            &array![1.0f64, 2.0, 4.0],
            &array![0.5, 0.5, 0.5],
            0,
        ))?;
        ensure(r[IxDyn(&[])].is_nan(), format!("{r}"))
    });
    s.case(
        "pearson_r scipy near-constant input: a number in [-1, 1] or NaN",
        move || {
            let x = array![2.0f64, 2.0, 2.0 + 2.0 * f64::EPSILON];
            let y = array![3.0f64, 3.0, 3.0 + 6.0 * 2.0 * f64::EPSILON];
            let r = ok(pearson_r(&x, &y, 0))?[IxDyn(&[])];
            ensure(r.is_nan() || (-1.0..=1.0).contains(&r), format!("{r}"))
        },
    );
    s.case(
        "pearson_r of +-1e308 data equals the scaled data's r",
        move || {
            let x: Vec<f64> = sig(40, 0.3).iter().map(|v| v / 4.0 * 1.7e308).collect();
            let y = sig(40, 1.1);
            let small: Vec<f64> = x.iter().map(|v| v * p2(-1000)).collect();
            let r = ok(pearson_r(&Array1::from(x), &Array1::from(y.clone()), 0))?;
            allclose(&v(&r), &[naive::pearson(&small, &y)], 1e-12, 0.0)
        },
    );
    s.case("pearson_r with a 1e300 reference", move || {
        let x = sig(30, 0.7);
        let y: Vec<f64> = sig(30, 0.2).iter().map(|v| v * 1e300).collect();
        let ys: Vec<f64> = y.iter().map(|v| v * 1e-300).collect();
        let r = ok(pearson_r(&Array1::from(x.clone()), &Array1::from(y), 0))?;
        allclose(&v(&r), &[naive::pearson(&x, &ys)], 1e-12, 0.0)
    });
    s.case("pearson_r subnormal-scale series (1e-320)", move || {
        let x = array![1e-320f64, 3e-320, 2e-320, 5e-320];
        let y = array![1.0f64, 3.0, 2.0, 5.0];
        allclose(&v(&ok(pearson_r(&x, &y, 0))?), &[1.0], 1e-3, 0.0)
    });
    s.case("pearson_r f32 data near 1e30", move || {
        let x: Vec<f32> = sig(25, 0.4).iter().map(|v| (v * 1e30) as f32).collect();
        let y: Vec<f32> = sig(25, 0.9).iter().map(|&v| v as f32).collect();
        let r = ok(pearson_r(
            &Array1::from(x.clone()),
            &Array1::from(y.clone()),
            0,
        ))?;
        let x64: Vec<f64> = x.iter().map(|&v| v as f64).collect();
        let y64: Vec<f64> = y.iter().map(|&v| v as f64).collect();
        allclose(
            &[r[IxDyn(&[])] as f64],
            &[naive::pearson(&x64, &y64)],
            1e-5,
            0.0,
        )
    });
    s.case("pearson_r NaN in one series: NaN there only", move || {
        let mut a = Array2::from_shape_vec((3, 20), sig(60, 0.6)).unwrap();
        a[[1, 7]] = f64::NAN;
        let y = Array1::from(sig(20, 0.1));
        let r = ok(pearson_r(&a, &y, 1))?;
        ensure(
            r[[1]].is_nan() && r[[0]].is_finite() && r[[2]].is_finite(),
            format!("{r}"),
        )
    });
    s.case(
        "pearson_r inf in one series (vertical path): NaN there only",
        move || {
            let mut a = Array2::from_shape_vec((20, 3), sig(60, 0.6)).unwrap();
            a[[4, 2]] = f64::INFINITY;
            let r = ok(pearson_r(&a, &Array1::from(sig(20, 0.1)), 0))?;
            ensure(r[[2]].is_nan() && r[[0]].is_finite(), format!("{r}"))
        },
    );
    s.case("pearson_r NaN in the reference: all NaN", move || {
        let mut y = Array1::from(sig(20, 0.1));
        y[3] = f64::NAN;
        let r = ok(pearson_r(
            &Array2::from_shape_vec((3, 20), sig(60, 0.6)).unwrap(),
            &y,
            -1,
        ))?;
        ensure(r.iter().all(|v| v.is_nan()), format!("{r}"))
    });
    s.case("pearson_r length mismatch is an Err", move || {
        is_err(pearson_r(&array![1.0f64, 2.0, 3.0], &array![1.0, 2.0], 0))
    });
    s.case("pearson_r one sample is an Err", move || {
        err_contains(pearson_r(&array![1.0f64], &array![1.0], 0), "at least 2")
    });
    s.case("pearson_r axis out of range is an Err", move || {
        is_err(pearson_r(&array![1.0f64, 2.0], &array![1.0, 2.0], -2))
    });
    s.case("pearson_r of a 0-d array is an Err", move || {
        is_err(pearson_r(&ndarray::arr0(1.0f64), &array![1.0, 2.0], 0))
    });
    s.case("pearson_r on transposed and reversed views", move || {
        let a = Array2::from_shape_vec((8, 30), sig(240, 0.5)).unwrap();
        let view = a.slice(s![..;-1, ..]);
        let y = Array1::from(sig(30, 1.7));
        let yr = y.slice(s![..;-1]);
        let t = view.t();
        let r = ok(pearson_r(&t, &yr, 0))?;
        let want: Vec<f64> = (0..8)
            .map(|i| naive::pearson(&view.row(i).to_vec(), &yr.to_vec()))
            .collect();
        allclose(&v(&r), &want, 1e-12, 1e-14)
    });
}

fn pipeline_cases(s: &mut Suite) {
    let y = move || Array1::from(sig(200, 0.3));
    let a = || {
        Array2::from_shape_fn((200, 5), |(t, j)| {
            sig(200, 0.3)[t] * (j as f64 - 2.0) + (0.21 * t as f64 * (j + 1) as f64).sin()
        })
    };
    s.case(
        "pipeline trim usize::MAX is an Err, no overflow",
        move || {
            err_contains(
                detrend_rolling_pearson(&a(), &y(), 0, 11, usize::MAX),
                "trim",
            )
        },
    );
    s.case("pipeline trim usize::MAX / 2 + 1 is an Err", move || {
        is_err(detrend_rolling_pearson(
            &a(),
            &y(),
            0,
            11,
            usize::MAX / 2 + 1,
        ))
    });
    s.case(
        "pipeline trim leaving fewer than 2 samples is an Err",
        move || {
            err_contains(
                detrend_rolling_pearson(&a(), &y(), 0, 11, 100),
                "fewer than 2",
            )
        },
    );
    s.case(
        "pipeline trim shorter than window / 2 is an Err",
        move || err_contains(detrend_rolling_pearson(&a(), &y(), 0, 11, 4), "window"),
    );
    s.case("pipeline window 1e9 is an Err", move || {
        is_err(detrend_rolling_pearson(&a(), &y(), 0, 1_000_000_000, 10))
    });
    s.case("pipeline window 0 is an Err", move || {
        is_err(detrend_rolling_pearson(&a(), &y(), 0, 0, 10))
    });
    s.case("pipeline axis out of range is an Err", move || {
        is_err(detrend_rolling_pearson(&a(), &y(), 2, 11, 10))
    });
    s.case("pipeline y length mismatch is an Err", move || {
        is_err(detrend_rolling_pearson(
            &a(),
            &Array1::<f64>::zeros(7),
            0,
            11,
            10,
        ))
    });
    s.case("pipeline of a 0-d array is an Err", move || {
        is_err(detrend_rolling_pearson(
            &ndarray::arr0(1.0f64),
            &y(),
            0,
            3,
            1,
        ))
    });
    s.case(
        "pipeline equals composing detrend, rolling mean, trim, pearson",
        move || {
            let (a, y) = (a(), y());
            let r = ok(detrend_rolling_pearson(&a, &y, 0, 11, 10))?;
            let d = ok(detrend(&a, 0, Trend::Linear, &[]))?;
            let m = ok(rolling_mean(&d, 0, Rolling::new(11).center(true)))?;
            let yd = ok(detrend(&y, 0, Trend::Linear, &[]))?;
            let ym = ok(rolling_mean(&yd, 0, Rolling::new(11).center(true)))?;
            let want = ok(pearson_r(
                &m.slice(s![10..190, ..]),
                &ym.slice(s![10..190]),
                0,
            ))?;
            allclose(&v(&r), &v(&want), 1e-10, 1e-12)
        },
    );
    for (name, scale) in [("1e200", 200), ("1e-188", -188)] {
        s.case(
            format!("pipeline on data near {name} equals the unscaled r"),
            move || {
                let (a, y) = (a(), y());
                let e = (scale as f64 * std::f64::consts::LOG2_10) as i32;
                let big = a.mapv(|v| v * p2(e));
                let r = ok(detrend_rolling_pearson(&big, &y, 0, 11, 10))?;
                let want = ok(detrend_rolling_pearson(&a, &y, 0, 11, 10))?;
                allclose(&v(&r), &v(&want), 1e-9, 1e-12)
            },
        );
        s.case(
            format!("pipeline with a reference near {name} equals the unscaled r"),
            move || {
                let (a, y) = (a(), y());
                let e = (scale as f64 * std::f64::consts::LOG2_10) as i32;
                let r = ok(detrend_rolling_pearson(
                    &a,
                    &y.mapv(|v| v * p2(e)),
                    0,
                    11,
                    10,
                ))?;
                let want = ok(detrend_rolling_pearson(&a, &y, 0, 11, 10))?;
                allclose(&v(&r), &v(&want), 1e-9, 1e-12)
            },
        );
    }
    s.case(
        "pipeline on +-1e308 data (sums overflow): the scaled r",
        move || {
            let (a, y) = (a(), y());
            let big = a.mapv(|v| v * 1e307); // |a| <= 8: finite data, sums overflow
            let r = ok(detrend_rolling_pearson(&big, &y, 0, 11, 10))?;
            let want = ok(detrend_rolling_pearson(&a, &y, 0, 11, 10))?;
            allclose(&v(&r), &v(&want), 1e-9, 1e-12)
        },
    );
    s.case(
        "pipeline NaN and constant series give NaN there only",
        move || {
            let mut a = a();
            a[[50, 1]] = f64::NAN;
            a.column_mut(3).fill(4.0);
            let r = ok(detrend_rolling_pearson(&a, &y(), 0, 11, 10))?;
            ensure(
                r[[1]].is_nan() && r[[3]].is_nan() && r[[0]].is_finite() && r[[4]].is_finite(),
                format!("{r}"),
            )
        },
    );
    s.case("pipeline f32 on a transposed view matches f64", move || {
        let a = a();
        let a32 = a.mapv(|v| v as f32);
        let t = a32.t();
        let y32 = y().mapv(|v| v as f32);
        let r = ok(detrend_rolling_pearson(&t, &y32, 1, 11, 10))?;
        let want = ok(detrend_rolling_pearson(&a, &y(), 0, 11, 10))?;
        let got: Vec<f64> = r.iter().map(|&x| x as f64).collect();
        allclose(&got, &v(&want), 1e-4, 1e-5)
    });
}

fn kde_cases(s: &mut Suite) {
    let x5 = || array![1.0f64, 2.0, 3.0, 4.0, 5.0];
    let kde = move || GaussianKde::new_1d(&x5(), Bandwidth::Scott, None).unwrap();
    let d2 = || array![[1.0f64, 2.0, 3.0, 4.0, 5.0], [2.0, 1.0, 4.0, 3.0, 6.0]];
    // scipy values: scipy.stats.gaussian_kde(...) evaluated as in each comment.
    s.case(
        "kde of constant 1-d data is singular (scipy: LinAlgError)",
        || {
            // 0.1 is not exact in binary: the mean's rounding leaves a ~1e-33 "variance".
            err_contains(
                GaussianKde::new_1d(&ndarray::arr1(&[0.1f64; 7]), Bandwidth::Scott, None),
                "singular",
            )
        },
    );
    s.case(
        "kde of 2-d data with a constant dimension is singular",
        || {
            let pts = ndarray::arr2(&[[0.3f64, 0.3, 0.3, 0.3], [1.0, 2.0, 3.0, 5.0]]);
            err_contains(GaussianKde::new(&pts, Bandwidth::Scott, None), "singular")
        },
    );
    s.case("kde 1-d scott matches scipy", move || {
        // gaussian_kde([1, 2, 3, 4, 5])([0, 2.5, 6]); factor 0.7247796636776955
        let k = kde();
        allclose(&[k.factor()], &[0.7247796636776955], 1e-14, 0.0)?;
        allclose(
            &ok(k.evaluate_1d(&[0.0, 2.5, 6.0]))?.to_vec(),
            &[0.06518751398595599, 0.1921765507852223, 0.06518751398595601],
            1e-12,
            0.0,
        )
    });
    s.case("kde 1-d weighted matches scipy", move || {
        // gaussian_kde(x, weights=[1, 2, 3, 4, 5])([0, 2.5, 6]); neff 4.090909090909091
        let k = ok(GaussianKde::new_1d(
            &x5(),
            Bandwidth::Scott,
            Some(&[1.0, 2.0, 3.0, 4.0, 5.0]),
        ))?;
        allclose(
            &[k.neff(), k.factor()],
            &[4.090909090909091, 0.7544596786205416],
            1e-14,
            0.0,
        )?;
        allclose(
            &ok(k.evaluate_1d(&[0.0, 2.5, 6.0]))?.to_vec(),
            &[
                0.026646231554069505,
                0.16598472004874595,
                0.09964915858805132,
            ],
            1e-12,
            0.0,
        )
    });
    s.case(
        "kde weights near 1e308 equal the same weights scaled down",
        move || {
            let w = [1e308, 1.2e308, 1.5e308, 1e308, 1.7e308];
            let ws: Vec<f64> = w.iter().map(|v| v * 1e-300).collect();
            let a = ok(GaussianKde::new_1d(&x5(), Bandwidth::Scott, Some(&w)))?;
            let b = ok(GaussianKde::new_1d(&x5(), Bandwidth::Scott, Some(&ws)))?;
            allclose(
                &ok(a.evaluate_1d(&[0.5, 3.3]))?.to_vec(),
                &ok(b.evaluate_1d(&[0.5, 3.3]))?.to_vec(),
                1e-13,
                0.0,
            )
        },
    );
    s.case("kde subnormal weights equal uniform weights", move || {
        let a = ok(GaussianKde::new_1d(
            &x5(),
            Bandwidth::Scott,
            Some(&[1e-320; 5]),
        ))?;
        allclose(
            &ok(a.evaluate_1d(&[2.5]))?.to_vec(),
            &[0.1921765507852223],
            1e-12,
            0.0,
        )
    });
    s.case("kde 1-d silverman matches scipy", move || {
        // gaussian_kde([1, 2, 3, 4, 5], bw_method='silverman')([2.5]) = 0.18991831580623417
        let k = ok(GaussianKde::new_1d(&x5(), Bandwidth::Silverman, None))?;
        allclose(
            &ok(k.evaluate_1d(&[2.5]))?.to_vec(),
            &[0.18991831580623417],
            1e-12,
            0.0,
        )
    });
    s.case("kde 2-d matches scipy, including a far point", move || {
        // gaussian_kde(d)([[3, 0, 10], [3, 0, -3]])
        let k = ok(GaussianKde::new(&d2(), Bandwidth::Scott, None))?;
        let p = array![[3.0, 0.0, 10.0], [3.0, 0.0, -3.0]];
        allclose(
            &ok(k.evaluate(&p))?.to_vec(),
            &[
                0.04515526711999812,
                0.015649327482288818,
                3.911687164542205e-52,
            ],
            1e-10,
            0.0,
        )
    });
    s.case("kde 2-d given factor matches scipy", move || {
        // gaussian_kde(d, bw_method=0.7)([[3], [3]]) = 0.04359673293542934
        let k = ok(GaussianKde::new(&d2(), Bandwidth::Factor(0.7), None))?;
        allclose(
            &ok(k.evaluate(&array![[3.0], [3.0]]))?.to_vec(),
            &[0.04359673293542934],
            1e-12,
            0.0,
        )
    });
    s.case("kde of 1e100-scale data matches scipy", move || {
        // gaussian_kde([1e100, 2e100, 4e100])([2e100]) = 2.1489536533751382e-101
        let k = ok(GaussianKde::new_1d(
            &array![1e100f64, 2e100, 4e100],
            Bandwidth::Scott,
            None,
        ))?;
        allclose(
            &ok(k.evaluate_1d(&[2e100]))?.to_vec(),
            &[2.1489536533751382e-101],
            1e-12,
            0.0,
        )?;
        allclose(&[k.integrate_box_1d(-1e102, 1e102)], &[1.0], 1e-12, 0.0)
    });
    s.case(
        "kde of 1e200-scale data: Err naming the overflow (scipy: ValueError)",
        move || {
            err_contains(
                GaussianKde::new_1d(&array![1e200f64, 2e200, 4e200], Bandwidth::Scott, None),
                "overflow",
            )
        },
    );
    s.case(
        "kde of 1e-188-scale data: Err naming the underflow (scipy: LinAlgError)",
        move || {
            err_contains(
                GaussianKde::new_1d(&array![1e-188f64, 2e-188, 4e-188], Bandwidth::Scott, None),
                "underflow",
            )
        },
    );
    s.case(
        "kde bandwidth factor 1e300: Err naming the overflow",
        move || {
            err_contains(
                GaussianKde::new_1d(&x5(), Bandwidth::Factor(1e300), None),
                "overflow",
            )
        },
    );
    s.case(
        "kde bandwidth factor 1e-300: Err naming the underflow",
        move || {
            err_contains(
                GaussianKde::new_1d(&x5(), Bandwidth::Factor(1e-300), None),
                "underflow",
            )
        },
    );
    for (name, f) in [
        ("0", 0.0),
        ("NaN", f64::NAN),
        ("-1", -1.0),
        ("inf", f64::INFINITY),
    ] {
        s.case(
            format!("kde bandwidth factor {name} is an Err"),
            move || {
                err_contains(
                    GaussianKde::new_1d(&x5(), Bandwidth::Factor(f), None),
                    "bandwidth",
                )
            },
        );
    }
    s.case("kde of constant data is an Err (singular)", move || {
        err_contains(
            GaussianKde::new_1d(&array![2.0f64, 2.0, 2.0], Bandwidth::Scott, None),
            "singular",
        )
    });
    s.case("kde of collinear 2-d data is an Err", move || {
        is_err(GaussianKde::new(
            &array![[1.0f64, 2.0, 3.0], [2.0, 4.0, 6.0]],
            Bandwidth::Scott,
            None,
        ))
    });
    s.case("kde of 3-d data is an Err", move || {
        is_err(GaussianKde::new(
            &Array2::<f64>::ones((3, 5)),
            Bandwidth::Scott,
            None,
        ))
    });
    s.case("kde of 1 sample is an Err", move || {
        err_contains(
            GaussianKde::new_1d(&array![1.0f64], Bandwidth::Scott, None),
            "2 samples",
        )
    });
    s.case("kde of 0 samples is an Err", move || {
        is_err(GaussianKde::new_1d(
            &Array1::<f64>::zeros(0),
            Bandwidth::Scott,
            None,
        ))
    });
    s.case("kde of NaN data is an Err", move || {
        err_contains(
            GaussianKde::new_1d(&array![1.0f64, f64::NAN, 2.0], Bandwidth::Scott, None),
            "nan",
        )
    });
    s.case("kde of inf data is an Err", move || {
        is_err(GaussianKde::new_1d(
            &array![1.0f32, f32::INFINITY, 2.0],
            Bandwidth::Scott,
            None,
        ))
    });
    s.case("kde weights of the wrong length are an Err", move || {
        is_err(GaussianKde::new_1d(
            &x5(),
            Bandwidth::Scott,
            Some(&[1.0; 4]),
        ))
    });
    s.case("kde negative weight is an Err", move || {
        is_err(GaussianKde::new_1d(
            &x5(),
            Bandwidth::Scott,
            Some(&[1.0, -1.0, 1.0, 1.0, 1.0]),
        ))
    });
    s.case("kde NaN weight is an Err", move || {
        is_err(GaussianKde::new_1d(
            &x5(),
            Bandwidth::Scott,
            Some(&[1.0, f64::NAN, 1.0, 1.0, 1.0]),
        ))
    });
    s.case("kde zero weights are an Err", move || {
        err_contains(
            GaussianKde::new_1d(&x5(), Bandwidth::Scott, Some(&[0.0; 5])),
            "weight",
        )
    });
    s.case(
        "kde evaluate NaN point is NaN, also with bounds",
        move || {
            let k = ok(kde().with_bounds(0.0, 10.0))?;
            let p = ok(k.evaluate_1d(&[f64::NAN, 3.0]))?;
            let q = ok(kde().evaluate_1d(&[f64::NAN]))?;
            ensure(
                p[0].is_nan() && p[1] > 0.0 && q[0].is_nan(),
                format!("{p} {q}"),
            )
        },
    );
    s.case("kde evaluate at +-inf is 0 (1-d and 2-d)", move || {
        let a = ok(kde().evaluate_1d(&[f64::INFINITY, f64::NEG_INFINITY]))?;
        let k2 = ok(GaussianKde::new(&d2(), Bandwidth::Scott, None))?;
        let b = ok(k2.evaluate(&array![[f64::INFINITY, 1.0], [0.0, f64::NEG_INFINITY]]))?;
        ensure(
            a.iter().chain(b.iter()).all(|&v| v == 0.0),
            format!("{a} {b}"),
        )
    });
    s.case(
        "kde evaluate with the wrong number of rows is an Err",
        move || is_err(kde().evaluate(&Array2::<f64>::zeros((2, 3)))),
    );
    s.case("kde evaluate_1d on a 2-d KDE is an Err", move || {
        is_err(ok(GaussianKde::new(&d2(), Bandwidth::Scott, None))?.evaluate_1d(&[1.0]))
    });
    s.case(
        "kde integrate_box_1d with a NaN bound is NaN, also with bounds",
        move || {
            let a = kde().integrate_box_1d(f64::NAN, 1.0);
            let b = ok(kde().with_bounds(0.0, 10.0))?.integrate_box_1d(f64::NAN, 3.0);
            let c = ok(kde().with_bounds(0.0, 10.0))?.integrate_box_1d(1.0, f64::NAN);
            ensure(
                a.is_nan() && b.is_nan() && c.is_nan(),
                format!("{a} {b} {c}"),
            )
        },
    );
    s.case(
        "kde integrate_box_1d over +-inf is 1, reversed box 0",
        move || {
            allclose(
                &[
                    kde().integrate_box_1d(f64::NEG_INFINITY, f64::INFINITY),
                    kde().integrate_box_1d(1.0, 0.0),
                ],
                &[1.0, 0.0],
                1e-14,
                1e-15,
            )
        },
    );
    s.case("kde integrate_box_1d of a 2-d KDE is NaN", move || {
        ensure(
            ok(GaussianKde::new(&d2(), Bandwidth::Scott, None))?
                .integrate_box_1d(0.0, 1.0)
                .is_nan(),
            "NaN",
        )
    });
    s.case("kde with_bounds NaN is an Err", move || {
        is_err(kde().with_bounds(f64::NAN, 1.0))
    });
    s.case("kde with_bounds lo >= hi is an Err", move || {
        is_err(kde().with_bounds(3.0, 3.0))
    });
    s.case("kde with_bounds excluding samples is an Err", move || {
        err_contains(kde().with_bounds(2.0, 10.0), "every sample")
    });
    s.case("kde with_bounds on a 2-d KDE is an Err", move || {
        is_err(ok(GaussianKde::new(&d2(), Bandwidth::Scott, None))?.with_bounds(0.0, 1.0))
    });
    s.case("kde with_bounds_2d on a 1-d KDE is an Err", move || {
        is_err(kde().with_bounds_2d([0.0; 2], [1.0; 2]))
    });
    s.case("kde with_bounds_2d NaN edge is an Err", move || {
        is_err(
            ok(GaussianKde::new(&d2(), Bandwidth::Scott, None))?
                .with_bounds_2d([f64::NAN, 0.0], [10.0, 10.0]),
        )
    });
    // Binned grids: sizes from the caller's parameters are checked before allocating.
    s.case(
        "kde binned 1-d m = usize::MAX is an Err, not an abort",
        move || is_err(kde().evaluate_binned_1d(0.0, 6.0, usize::MAX)),
    );
    s.case(
        "kde binned 1-d grid over +-1e9 is an Err, not an abort",
        move || err_contains(kde().evaluate_binned_1d(-1e9, 1e9, 100), "KDE grid"),
    );
    s.case("kde binned 1-d grid over +-1e300 is an Err", move || {
        is_err(kde().evaluate_binned_1d(-1e300, 1e300, 3))
    });
    s.case(
        "kde binned 1-d grid over +-1e308 (width overflows) is an Err",
        move || is_err(kde().evaluate_binned_1d(-1e308, 1e308, 3)),
    );
    s.case(
        "kde binned 1-d tiny grid 1e-300 wide is an Err",
        move || is_err(kde().evaluate_binned_1d(0.0, 1e-300, 2)),
    );
    s.case("kde binned 1-d m < 2 is an Err", move || {
        is_err(kde().evaluate_binned_1d(0.0, 1.0, 1))
    });
    s.case("kde binned 1-d NaN bound is an Err", move || {
        is_err(kde().evaluate_binned_1d(f64::NAN, 1.0, 10))
    });
    s.case("kde binned 1-d lo == hi is an Err", move || {
        is_err(kde().evaluate_binned_1d(1.0, 1.0, 10))
    });
    s.case("kde binned 1-d matches the exact density", move || {
        let k = kde();
        let fast = ok(k.evaluate_binned_1d(-1.0, 7.0, 33))?;
        let xs: Vec<f64> = (0..33).map(|i| -1.0 + i as f64 * 0.25).collect();
        allclose(&fast.to_vec(), &ok(k.evaluate_1d(&xs))?.to_vec(), 0.0, 1e-5)
    });
    s.case(
        "kde binned 1-d with bounds is 0 outside, exact inside",
        move || {
            let k = ok(kde().with_bounds(0.5, 6.0))?;
            let fast = ok(k.evaluate_binned_1d(0.0, 7.0, 15))?;
            let xs: Vec<f64> = (0..15).map(|i| i as f64 * 0.5).collect();
            allclose(&fast.to_vec(), &ok(k.evaluate_1d(&xs))?.to_vec(), 0.0, 1e-5)
        },
    );
    let k2 = move || GaussianKde::new(&d2(), Bandwidth::Scott, None).unwrap();
    s.case(
        "kde binned 2-d m = usize::MAX is an Err, not an abort",
        move || is_err(k2().evaluate_binned_2d([0.0; 2], [6.0; 2], [usize::MAX, 2])),
    );
    s.case(
        "kde binned 2-d m = 2^32 x 2^32 is an Err, not an abort",
        move || is_err(k2().evaluate_binned_2d([0.0; 2], [6.0; 2], [1 << 32, 1 << 32])),
    );
    s.case(
        "kde binned 2-d grid over +-1e9 is an Err, not an abort",
        move || {
            err_contains(
                k2().evaluate_binned_2d([-1e9; 2], [1e9; 2], [10, 10]),
                "KDE grid",
            )
        },
    );
    s.case("kde binned 2-d tiny grid is an Err", move || {
        is_err(k2().evaluate_binned_2d([0.0; 2], [1e-300; 2], [2, 2]))
    });
    s.case("kde binned 2-d NaN bound is an Err", move || {
        is_err(k2().evaluate_binned_2d([0.0, f64::NAN], [6.0; 2], [5, 5]))
    });
    s.case("kde binned 2-d of a reflected KDE is an Err", move || {
        is_err(
            ok(k2().with_bounds_2d([0.0; 2], [f64::INFINITY; 2]))?.evaluate_binned_2d(
                [0.0; 2],
                [6.0; 2],
                [5, 5],
            ),
        )
    });
    s.case("kde binned 2-d matches the exact density", move || {
        let k = k2();
        let g = ok(k.evaluate_binned_2d([0.0, -1.0], [6.0, 7.0], [7, 9]))?;
        let pts = Array2::from_shape_fn((2, 63), |(r, c)| {
            if r == 0 {
                (c / 9) as f64
            } else {
                -1.0 + (c % 9) as f64
            }
        });
        let exact = ok(k.evaluate(&pts))?;
        let peak = exact.iter().cloned().fold(0.0, f64::max);
        allclose(
            &g.iter().copied().collect::<Vec<_>>(),
            &exact.to_vec(),
            0.0,
            1e-4 * peak,
        )
    });
    s.case(
        "kde 2-d reflected density is 0 outside the box",
        move || {
            let k = ok(k2().with_bounds_2d([0.0, 0.0], [6.0, 7.0]))?;
            let p = ok(k.evaluate(&array![[-0.5, 3.0, f64::NAN], [1.0, 3.0, 1.0]]))?;
            ensure(p[0] == 0.0 && p[1] > 0.0 && p[2].is_nan(), format!("{p}"))
        },
    );
    s.case(
        "kde f32 data on a negative-stride view equals f64",
        move || {
            let x: Array1<f32> = array![5.0f32, 4.0, 3.0, 2.0, 1.0];
            let k = ok(GaussianKde::new_1d(
                &x.slice(s![..;-1]),
                Bandwidth::Scott,
                None,
            ))?;
            allclose(
                &ok(k.evaluate_1d(&[0.0, 2.5, 6.0]))?.to_vec(),
                &[0.06518751398595599, 0.1921765507852223, 0.06518751398595601],
                1e-12,
                0.0,
            )
        },
    );
}

/// `phase_cross_correlation` results of scikit-image 0.26 on 4-D images built by [`mk4`]:
/// `shape(4) shift(4) sign u normalization(1 = phase) seed  want_shift(4) error phasediff`,
/// from `skimage.registration.phase_cross_correlation(ref, mov, upsample_factor=u,
/// normalization=...)` with `ref = mk(shape, 0.9 + 0.1 seed, 0.31)` and
/// `mov = sign * np.roll(ref, shift, axis=(0, 1, 2, 3)) + 0.2 * mk(shape, 1.7, 0.05 u)`,
/// `mk(sh, a, b) = sum_d sin(a (d + 1) x_d + b x_d^2 (d + 0.5))` over the index grids `x_d`.
const SKIMAGE_4D: &str = include_str!("hostile_pcc4d.txt");

fn mk4(sh: [usize; 4], a: f64, b: f64) -> Array4<f64> {
    Array4::from_shape_fn((sh[0], sh[1], sh[2], sh[3]), |ix| {
        let ix = [ix.0, ix.1, ix.2, ix.3];
        (0..4)
            .map(|d| {
                let x = ix[d] as f64;
                (a * (d as f64 + 1.0) * x + b * x * x * (d as f64 + 0.5)).sin()
            })
            .sum()
    })
}

/// Angles equal modulo 2 pi.
fn same_angle(a: f64, b: f64, tol: f64) -> bool {
    (a - b).sin().abs() <= tol && (a - b).cos() > 0.0
}

fn register_cases(s: &mut Suite) {
    let img = || {
        Array2::from_shape_fn((24, 20), |(i, j)| {
            let (i, j) = (i as f64, j as f64);
            (0.3 * i + 0.1 * j * j).sin() + (0.2 * i * j).cos()
        })
    };
    // np.roll(a, (3, -5), axis=(0, 1))
    let moved = move || {
        let a = img();
        Array2::from_shape_fn((24, 20), |(i, j)| a[[(i + 24 - 3) % 24, (j + 5) % 20]])
    };
    s.case(
        "phase_cross_correlation upsample 1e9 (2-d) is an Err, not an abort",
        move || {
            err_contains(
                phase_cross_correlation(&img(), &moved(), 1_000_000_000, Normalization::Phase),
                "upsample",
            )
        },
    );
    s.case(
        "phase_cross_correlation upsample 1e9 (1-d) is an Err",
        move || {
            is_err(phase_cross_correlation(
                &Array1::from(sig(32, 1.0)),
                &Array1::from(sig(32, 1.1)),
                1_000_000_000,
                Normalization::None,
            ))
        },
    );
    s.case(
        "phase_cross_correlation upsample 1e5 (3-d) is an Err",
        move || {
            let a = Array3::from_shape_vec((4, 4, 4), sig(64, 1.0)).unwrap();
            is_err(phase_cross_correlation(
                &a,
                &a,
                100_000,
                Normalization::Phase,
            ))
        },
    );
    s.case(
        "phase_cross_correlation upsample usize::MAX is an Err",
        move || {
            is_err(phase_cross_correlation(
                &img(),
                &moved(),
                usize::MAX,
                Normalization::Phase,
            ))
        },
    );
    s.case("Correlator upsample usize::MAX / 2 is an Err", move || {
        is_err(Correlator::new(&img(), usize::MAX / 2, Normalization::None))
    });
    s.case("phase_cross_correlation upsample 0 is an Err", move || {
        err_contains(
            phase_cross_correlation(&img(), &moved(), 0, Normalization::Phase),
            "upsample",
        )
    });
    s.case(
        "phase_cross_correlation shape mismatch is an Err",
        move || {
            is_err(phase_cross_correlation(
                &img(),
                &Array2::<f64>::zeros((24, 21)),
                1,
                Normalization::Phase,
            ))
        },
    );
    s.case(
        "phase_cross_correlation empty images are an Err",
        move || {
            is_err(phase_cross_correlation(
                &Array2::<f64>::zeros((0, 4)),
                &Array2::<f64>::zeros((0, 4)),
                1,
                Normalization::Phase,
            ))
        },
    );
    s.case("phase_cross_correlation 0-d images are an Err", move || {
        is_err(phase_cross_correlation(
            &ndarray::arr0(1.0f64),
            &ndarray::arr0(1.0f64),
            1,
            Normalization::None,
        ))
    });
    for (dims, u) in [(2usize, 1usize), (2, 4), (3, 1), (3, 5)] {
        s.case(format!("phase_cross_correlation NaN in a {dims}-d image, upsample {u}: Err (skimage ValueError)"), move || {
            let mut a = ArrayD::from_shape_vec(IxDyn(&vec![6; dims]), sig(6usize.pow(dims as u32), 0.8)).unwrap();
            let b = a.clone();
            a[IxDyn(&vec![2; dims])] = f64::NAN;
            err_contains(phase_cross_correlation(&a, &b, u, Normalization::Phase), "nan")
        });
    }
    s.case(
        "phase_cross_correlation inf in the moving image: Err",
        move || {
            let a = Array2::from_shape_vec((8, 8), sig(64, 0.8)).unwrap();
            let mut b = a.clone();
            b[[3, 3]] = f64::INFINITY;
            is_err(phase_cross_correlation(&a, &b, 3, Normalization::None))
        },
    );
    s.case(
        "phase_cross_correlation 2-d upsample 8 matches skimage",
        move || {
            // skimage: shift [-3, 5], error 0.9999981116825747, phasediff -4.4e-17
            let r = ok(phase_cross_correlation(
                &img(),
                &moved(),
                8,
                Normalization::Phase,
            ))?;
            allclose(&r.shift, &[-3.0, 5.0], 0.0, 0.0)?;
            allclose(&[r.error], &[0.9999981116825747], 1e-9, 0.0)?;
            ensure(r.phasediff.abs() < 1e-12, format!("{}", r.phasediff))
        },
    );
    s.case(
        "phase_cross_correlation 2-d negated image: phasediff pi (skimage -pi, rounding)",
        move || {
            // skimage: shift [-3, 5], error 0.0, phasediff -3.141592653589793 (its rounding noise
            // has a negative imaginary part); the angle is pi either way.
            let r = ok(phase_cross_correlation(
                &img(),
                &moved().mapv(|v| -v),
                8,
                Normalization::None,
            ))?;
            allclose(&r.shift, &[-3.0, 5.0], 0.0, 0.0)?;
            allclose(&[r.error], &[0.0], 0.0, 1e-7)?;
            ensure(
                r.phasediff == PI && same_angle(r.phasediff, -PI, 1e-12),
                format!("{}", r.phasediff),
            )
        },
    );
    s.case(
        "phase_cross_correlation f32 images: the f64 shift, error within f32 rounding",
        move || {
            // skimage keeps float32: shift [-3, 5], error 0.9999981, phasediff 1.9e-08
            let r = ok(phase_cross_correlation(
                &img().mapv(|v| v as f32),
                &moved().mapv(|v| v as f32),
                8,
                Normalization::Phase,
            ))?;
            allclose(&r.shift, &[-3.0, 5.0], 0.0, 0.0)?;
            allclose(&[r.error], &[0.9999981], 1e-6, 0.0)?;
            ensure(r.phasediff.abs() < 1e-6, format!("{}", r.phasediff))
        },
    );
    s.case(
        "phase_cross_correlation 1-d upsample 20 matches skimage",
        move || {
            // x = exp(-((arange(64) - 30) / 4)**2), y centred at 32.5:
            // skimage (upsample_factor=20, normalization=None): shift [-2.5], error 1.05e-08
            let x = Array1::from_shape_fn(64, |i| (-((i as f64 - 30.0) / 4.0).powi(2)).exp());
            let y = Array1::from_shape_fn(64, |i| (-((i as f64 - 32.5) / 4.0).powi(2)).exp());
            let r = ok(phase_cross_correlation(&x, &y, 20, Normalization::None))?;
            allclose(&r.shift, &[-2.5], 1e-12, 0.0)?;
            // skimage's error is sqrt(|1 - x|) of x = 1 - 1e-16 (rounding noise): compare as such.
            allclose(&[r.error], &[1.0536712127723509e-08], 0.0, 3e-8)?;
            ensure(r.phasediff.abs() < 1e-12, format!("{}", r.phasediff))
        },
    );
    s.case(
        "phase_cross_correlation size-1 axis: shift 0 there (skimage)",
        move || {
            // skimage on (1, 16): shift [0, -3], error 0.9918944985294014
            let a = Array2::from_shape_fn((1, 16), |(_, j)| (j as f64).sin());
            let b = Array2::from_shape_fn((1, 16), |(_, j)| (((j + 16 - 3) % 16) as f64).sin());
            let r = ok(phase_cross_correlation(&a, &b, 1, Normalization::Phase))?;
            allclose(&r.shift, &[0.0, -3.0], 0.0, 0.0)?;
            allclose(&[r.error], &[0.9918944985294014], 1e-9, 0.0)
        },
    );
    s.case(
        "phase_cross_correlation on transposed and reversed views equals owned copies",
        move || {
            let a = img();
            let b = moved();
            let (av, bv) = (a.slice(s![..;-1, ..]), b.slice(s![..;-1, ..]));
            let (at, bt) = (av.t(), bv.t());
            let r1 = ok(phase_cross_correlation(&at, &bt, 4, Normalization::Phase))?;
            let r2 = ok(phase_cross_correlation(
                &at.to_owned(),
                &bt.to_owned(),
                4,
                Normalization::Phase,
            ))?;
            ensure(
                r1.shift == r2.shift && (r1.error - r2.error).abs() < 1e-12,
                format!("{r1:?} {r2:?}"),
            )
        },
    );
    s.case(
        "Correlator register with another shape is an Err",
        move || {
            let mut c = ok(Correlator::new(&img(), 2, Normalization::Phase))?;
            is_err(c.register(&Array2::<f64>::zeros((20, 24))))
        },
    );
    for (k, line) in SKIMAGE_4D.lines().enumerate() {
        let line = line.to_string();
        s.case(
            format!("phase_cross_correlation 4-d vs skimage, case {k}"),
            move || {
                let f: Vec<f64> = line
                    .split_whitespace()
                    .map(|t| t.parse().unwrap())
                    .collect();
                let sh = [f[0] as usize, f[1] as usize, f[2] as usize, f[3] as usize];
                let shift = [f[4] as isize, f[5] as isize, f[6] as isize, f[7] as isize];
                let (sign, u, phase, seed) = (f[8], f[9] as usize, f[10] == 1.0, f[11]);
                let r = mk4(sh, 0.9 + 0.1 * seed, 0.31);
                let noise = mk4(sh, 1.7, 0.05 * u as f64);
                let m = Array4::from_shape_fn((sh[0], sh[1], sh[2], sh[3]), |ix| {
                    let ix = [ix.0, ix.1, ix.2, ix.3];
                    let src: Vec<usize> = (0..4)
                        .map(|d| (ix[d] as isize - shift[d]).rem_euclid(sh[d] as isize) as usize)
                        .collect();
                    sign * r[[src[0], src[1], src[2], src[3]]]
                        + 0.2 * noise[[ix[0], ix[1], ix[2], ix[3]]]
                });
                let norm = if phase {
                    Normalization::Phase
                } else {
                    Normalization::None
                };
                let p = ok(phase_cross_correlation(&r, &m, u, norm))?;
                allclose(&p.shift, &f[12..16], 1e-12, 1e-12)?;
                allclose(&[p.error], &[f[16]], 1e-8, 1e-10)?;
                // Real images: a phase of +-pi is the same angle (skimage's sign is rounding noise;
                // ndkern reports pi); other phases (even sizes' Nyquist terms) must agree.
                ensure(
                    same_angle(p.phasediff, f[17], 1e-9),
                    format!("phasediff {} vs {}", p.phasediff, f[17]),
                )?;
                ensure(
                    p.phasediff != -PI,
                    "a rounding-level phase is reported as pi, not -pi",
                )
            },
        );
    }
    // cross_correlate_circular
    s.case(
        "cross_correlate_circular shape mismatch is an Err",
        move || {
            is_err(cross_correlate_circular(
                &Array2::<f64>::zeros((3, 4)),
                &Array2::<f64>::zeros((4, 3)),
            ))
        },
    );
    s.case("cross_correlate_circular empty is an Err", move || {
        is_err(cross_correlate_circular(
            &Array1::<f64>::zeros(0),
            &Array1::<f64>::zeros(0),
        ))
    });
    s.case(
        "cross_correlate_circular NaN image: NaN ncc, no panic (numpy argmax -> 0)",
        move || {
            let mut a = Array2::from_shape_vec((8, 8), sig(64, 0.5)).unwrap();
            let b = a.clone();
            a[[1, 1]] = f64::NAN;
            let p = ok(cross_correlate_circular(&a, &b))?;
            ensure(
                p.ncc.is_nan() && p.shift == vec![0, 0],
                format!("{:?} {}", p.shift, p.ncc),
            )
        },
    );
    s.case(
        "cross_correlate_circular constant images: NaN ncc",
        move || {
            let p = ok(cross_correlate_circular(
                &Array1::<f64>::ones(9),
                &Array1::<f64>::ones(9),
            ))?;
            ensure(p.ncc.is_nan(), format!("{}", p.ncc))
        },
    );
    s.case("cross_correlate_circular 3-d shift on f32", move || {
        let b =
            Array3::from_shape_vec((5, 6, 4), sig(120, 0.9).iter().map(|&v| v as f32).collect())
                .unwrap();
        let a = Array3::from_shape_fn((5, 6, 4), |(i, j, k)| b[[(i + 5 - 2) % 5, (j + 1) % 6, k]]);
        let p = ok(cross_correlate_circular(&a, &b))?;
        ensure(
            p.shift == vec![2, -1, 0] && (p.ncc - 1.0).abs() < 1e-6,
            format!("{:?} {}", p.shift, p.ncc),
        )
    });
    s.case(
        "cross_correlate_circular 1e200 images: finite ncc",
        move || {
            let b = Array2::from_shape_vec((6, 6), sig(36, 0.3)).unwrap();
            let a = Array2::from_shape_fn((6, 6), |(i, j)| b[[(i + 5) % 6, j]]);
            let p = ok(cross_correlate_circular(
                &a.mapv(|v| v * 1e100),
                &b.mapv(|v| v * 1e100),
            ))?;
            ensure(
                p.shift == vec![1, 0] && (p.ncc - 1.0).abs() < 1e-9,
                format!("{:?} {}", p.shift, p.ncc),
            )
        },
    );
}

fn spectrum_cases(s: &mut Suite) {
    s.case(
        "radial_power_spectrum of an empty image is an Err",
        move || {
            err_contains(
                radial_power_spectrum(&Array2::<f64>::zeros((0, 5))),
                "empty",
            )
        },
    );
    s.case(
        "radial_power_spectrum of a 1 x 1 image is [a^2]",
        move || {
            allclose(
                &ok(radial_power_spectrum(&array![[3.0f64]]))?.to_vec(),
                &[9.0],
                0.0,
                0.0,
            )
        },
    );
    s.case(
        "radial_power_spectrum of a constant image: all power in bin 0",
        move || {
            let p = ok(radial_power_spectrum(&Array2::<f32>::from_elem(
                (6, 5),
                2.0,
            )))?;
            ensure(
                p[0] == 3600.0 && p.iter().skip(1).all(|&v| v.abs() < 1e-9),
                format!("{p}"),
            )
        },
    );
    s.case(
        "radial_power_spectrum Parseval on a transposed view",
        move || {
            let a = Array2::from_shape_vec((7, 10), sig(70, 0.4)).unwrap();
            let t = a.t();
            let p = ok(radial_power_spectrum(&t))?;
            // Bin k holds the mean power over its frequencies; count them the same way.
            let (ny, nx) = t.dim();
            let mut count = vec![0.0; p.len()];
            for iy in 0..ny {
                for ix in 0..nx {
                    let ky = if iy < ny.div_ceil(2) {
                        iy as f64
                    } else {
                        iy as f64 - ny as f64
                    };
                    let kx = if ix < nx.div_ceil(2) {
                        ix as f64
                    } else {
                        ix as f64 - nx as f64
                    };
                    count[(ky * ky + kx * kx).sqrt().round() as usize] += 1.0;
                }
            }
            let total: f64 = p
                .iter()
                .zip(&count)
                .filter(|(_, &c)| c > 0.0)
                .map(|(m, c)| m * c)
                .sum();
            let energy: f64 = a.iter().map(|v| v * v).sum::<f64>() * (ny * nx) as f64;
            allclose(&[total], &[energy], 1e-12, 0.0)
        },
    );
    s.case(
        "radial_power_spectrum NaN image: NaN, no panic",
        move || {
            let mut a = Array2::from_shape_vec((6, 6), sig(36, 0.4)).unwrap();
            a[[2, 3]] = f64::NAN;
            ensure(ok(radial_power_spectrum(&a))?[0].is_nan(), "NaN")
        },
    );
    s.case(
        "radial_power_spectrum 1e200 image: inf bin 0 as numpy",
        move || {
            // np.abs(np.fft.fft2(np.full((4, 4), 1e200)))**2 overflows to inf
            ensure(
                ok(radial_power_spectrum(&Array2::from_elem((4, 4), 1e200)))?[0] == f64::INFINITY,
                "inf",
            )
        },
    );
    s.case("radial_power_spectrum of a 1 x n image", move || {
        let p = ok(radial_power_spectrum(
            &Array2::from_shape_vec((1, 8), sig(8, 0.4)).unwrap(),
        ))?;
        ensure(
            p.len() == 5 && p.iter().all(|v| v.is_finite()),
            format!("{p}"),
        )
    });
}

/// Cases ported from scipy's own tests (scipy/signal/tests/test_signaltools.py, scipy 1.17.1).
fn scipy_ported_cases(s: &mut Suite) {
    s.case(
        "scipy TestFFTConvolve.test_2d_real_same (axes None, [0, 1], [1, 0])",
        move || {
            let a = array![[1.0f64, 2.0, 3.0], [4.0, 5.0, 6.0]];
            let want = [
                1.0, 4.0, 10.0, 12.0, 9.0, 8.0, 26.0, 56.0, 54.0, 36.0, 16.0, 40.0, 73.0, 60.0,
                36.0,
            ];
            for axes in [None, Some(&[0usize, 1][..]), Some(&[1usize, 0][..])] {
                allclose(
                    &v(&ok(fftconvolve(&a, &a, Mode::Full, axes))?),
                    &want,
                    1e-12,
                    1e-12,
                )?;
                allclose(
                    &v(&ok(oaconvolve(&a, &a, Mode::Full, axes))?),
                    &want,
                    1e-12,
                    1e-12,
                )?;
                allclose(
                    &v(&ok(convolve(&a, &a, Mode::Full, Method::Direct, axes))?),
                    &want,
                    0.0,
                    0.0,
                )?;
            }
            Ok(())
        },
    );
    s.case(
        "scipy TestFFTConvolve.test_valid_mode_real (both orders)",
        move || {
            let a = array![3.0f64, 2.0, 1.0];
            let b = array![3.0f64, 3.0, 5.0, 6.0, 8.0, 7.0, 9.0, 0.0, 1.0];
            let want = [24.0, 31.0, 41.0, 43.0, 49.0, 25.0, 12.0];
            allclose(
                &v(&ok(fftconvolve(&a, &b, Mode::Valid, None))?),
                &want,
                0.0,
                1.5e-6,
            )?;
            allclose(
                &v(&ok(fftconvolve(&b, &a, Mode::Valid, Some(&[0])))?),
                &want,
                0.0,
                1.5e-6,
            )?;
            allclose(
                &v(&ok(oaconvolve(&b, &a, Mode::Valid, None))?),
                &want,
                0.0,
                1.5e-6,
            )
        },
    );
    s.case(
        "scipy TestFFTConvolve.test_valid_mode_ignore_nonaxes",
        move || {
            let a = Array2::from_shape_fn((2, 3), |(_, j)| [3.0, 2.0, 1.0][j]);
            let b =
                Array2::from_shape_vec((1, 9), vec![3.0, 3.0, 5.0, 6.0, 8.0, 7.0, 9.0, 0.0, 1.0])
                    .unwrap();
            let want = [24.0, 31.0, 41.0, 43.0, 49.0, 25.0, 12.0];
            let r = ok(fftconvolve(&a, &b, Mode::Valid, Some(&[1])))?;
            ensure(r.shape() == [2, 7], format!("{:?}", r.shape()))?;
            allclose(&v(&r), &[want, want].concat(), 0.0, 1.5e-6)
        },
    );
    s.case("scipy TestFFTConvolve.test_empty ([], [])", move || {
        let e = Array1::<f64>::zeros(0);
        let r = ok(fftconvolve(&e, &e, Mode::Full, None))?;
        ensure(r.shape() == [0], format!("{:?}", r.shape()))
    });
    s.case(
        "scipy TestFFTConvolve.test_zero_rank (4967 * 3920)",
        move || {
            let r = ok(fftconvolve(
                &ArrayD::from_elem(IxDyn(&[]), 4967.0f64),
                &ArrayD::from_elem(IxDyn(&[]), 3920.0),
                Mode::Full,
                None,
            ))?;
            ensure(r[IxDyn(&[])] == 19_470_640.0, format!("{r}"))
        },
    );
    s.case("scipy TestFFTConvolve.test_single_element", move || {
        let r = ok(fftconvolve(
            &array![4967.0f64],
            &array![3920.0],
            Mode::Full,
            None,
        ))?;
        allclose(&v(&r), &[19_470_640.0], 1e-15, 0.0)
    });
    s.case(
        "scipy TestFFTConvolve.test_fft_nan: convolve(method='fft') with NaN/inf runs",
        move || {
            let mut x = Array1::from(sig(1000, 0.6));
            for val in [f64::NAN, f64::INFINITY] {
                x[100] = val;
                let r = ok(convolve(
                    &x,
                    &Array1::from(sig(200, 0.1)),
                    Mode::Same,
                    Method::Fft,
                    None,
                ))?;
                ensure(r.len() == 1000, "shape")?;
            }
            Ok(())
        },
    );
    s.case("scipy TestDetrend.test_basic", move || {
        allclose(
            &ok(detrend(&array![1.0f64, 2.0, 3.0], -1, Trend::Linear, &[]))?.to_vec(),
            &[0.0; 3],
            0.0,
            1e-14,
        )
    });
    s.case(
        "scipy TestDetrend.test_bp (1-d and 3-d axis 1; bp past the axis raises)",
        move || {
            let d = array![0.0f64, 1.0, 2.0, 5.0, 0.0, -5.0, -10.0];
            allclose(
                &ok(detrend(&d, 0, Trend::Linear, &[3]))?.to_vec(),
                &[0.0; 7],
                0.0,
                1e-14,
            )?;
            let d3 = d.clone().into_shape_with_order((1, 7, 1)).unwrap();
            allclose(
                &ok(detrend(&d3, 1, Trend::Linear, &[3]))?
                    .iter()
                    .copied()
                    .collect::<Vec<_>>(),
                &[0.0; 7],
                0.0,
                1e-14,
            )?;
            is_err(detrend(&d3, -1, Trend::Linear, &[3]))
        },
    );
    s.case("scipy TestDetrend.test_detrend_array_bp", move || {
        // x = np.random.RandomState(12345).rand(10); scipy.signal.detrend(x, bp=[0, 2])
        let x = array![
            0.9296160928171479,
            0.3163755545817859,
            0.18391881167709445,
            0.2045602785530397,
            0.5677250290816866,
            0.5955447029792516,
            0.9645145197356216,
            0.6531770968715709,
            0.7489066375339118,
            0.6535698708517353f64
        ];
        let want = [
            1.1102230246251565e-16,
            2.220446049250313e-16,
            -0.11112850551452524,
            -0.16947055327254268,
            0.11471068262214146,
            0.06354684188574367,
            0.35353314400815095,
            -0.0367877934898625,
            -0.02004176746148434,
            -0.19436204877762353,
        ];
        allclose(
            &ok(detrend(&x, 0, Trend::Linear, &[0, 2]))?.to_vec(),
            &want,
            0.0,
            1e-14,
        )
    });
}

#[test]
fn hostile() {
    let mut s = Suite::new("hostile");
    broadcast_outputs(&mut s);
    fft_cases(&mut s);
    conv_cases(&mut s);
    rolling_cases(&mut s);
    detrend_cases(&mut s);
    pearson_cases(&mut s);
    pipeline_cases(&mut s);
    kde_cases(&mut s);
    register_cases(&mut s);
    spectrum_cases(&mut s);
    scipy_ported_cases(&mut s);
    assert!(s.len() >= 150, "{} cases", s.len());
    s.run();
}

/// Issue 13: outputs sized like the input. A stride-0 broadcast view with a huge logical
/// shape is one value in memory; every function whose output, spectrum or working copy is
/// sized by it must refuse with `Error::TooLarge` (not abort), and small broadcast views give
/// the naive answer of the materialised array.
fn broadcast_outputs(s: &mut Suite) {
    use ndarray::{Ix1, Ix2, Ix3};
    use ndkern_core::testing::hostile::{broadcast_view, broadcast_view_f32, too_large};
    let h1 = || broadcast_view(Ix1(1 << 40));
    let h2 = || broadcast_view(Ix2(1 << 20, 1 << 20));
    let h3 = || broadcast_view_f32(Ix3(1 << 14, 1 << 14, 1 << 14));
    let k1 = array![1.0, -2.0, 0.5];
    let k2 = array![[1.0, 2.0], [3.0, 4.0]];
    for mode in [Mode::Full, Mode::Same, Mode::Valid] {
        let k = k1.clone();
        s.case(format!("broadcast 2^40: fftconvolve {mode:?}"), move || {
            too_large(fftconvolve(&h1(), &k, mode, None))
        });
        let k = k1.clone();
        s.case(format!("broadcast 2^40: oaconvolve {mode:?}"), move || {
            too_large(oaconvolve(&h1(), &k, mode, None))
        });
        for method in [Method::Auto, Method::Direct, Method::Fft] {
            let k = k2.clone();
            s.case(
                format!("broadcast 2^40 (2-D): convolve {mode:?} {method:?}"),
                move || too_large(convolve(&h2(), &k, mode, method, None)),
            );
            let k = k2.clone();
            s.case(
                format!("broadcast 2^40 (2-D): correlate {mode:?} {method:?}"),
                move || too_large(correlate(&h2(), &k, mode, method, None)),
            );
        }
    }
    let k = k2.clone();
    s.case("broadcast 2^40 (2-D): fftcorrelate", move || {
        too_large(fftcorrelate(&h2(), &k, Mode::Same, None))
    });
    let k = k1.clone();
    s.case("broadcast 2^40 kernel: fftconvolve", move || {
        too_large(fftconvolve(&k, &h1(), Mode::Full, None))
    });
    s.case("broadcast 2^40 (2-D): rfftn", move || {
        too_large(rfftn(&h2(), &[0, 1]))
    });
    s.case("broadcast 2^42 (3-D f32): rfftn one axis", move || {
        too_large(rfftn(&h3(), &[2]))
    });
    s.case("broadcast 2^40: fftshift", move || {
        too_large(fftshift(&h1(), &[0]))
    });
    s.case("broadcast 2^40 (2-D): ifftshift", move || {
        too_large(ifftshift(&h2(), &[1]))
    });
    s.case("broadcast 2^40: rolling_sum", move || {
        too_large(rolling_sum(&h1(), 0, Rolling::new(3)))
    });
    s.case("broadcast 2^40: rolling_mean", move || {
        too_large(rolling_mean(&h1(), 0, Rolling::new(3)))
    });
    s.case("broadcast 2^40 (2-D): rolling_var", move || {
        too_large(rolling_var(&h2(), 1, Rolling::new(3), 1))
    });
    s.case("broadcast 2^42 (3-D f32): rolling_std", move || {
        too_large(rolling_std(&h3(), 2, Rolling::new(3), 0))
    });
    s.case("broadcast 2^40: detrend", move || {
        too_large(detrend(&h1(), 0, Trend::Linear, &[]))
    });
    s.case("broadcast 2^40 (2-D): detrend constant", move || {
        too_large(detrend(&h2(), 1, Trend::Constant, &[]))
    });
    s.case("broadcast (2^36, 4): pearson_r", move || {
        too_large(pearson_r::<f64, _, _, _>(
            &broadcast_view(Ix2(1 << 36, 4)),
            &array![1.0, 2.0, 0.0, 5.0],
            1,
        ))
    });
    s.case("broadcast (2^36, 8): detrend_rolling_pearson", move || {
        let y = Array1::from_shape_fn(8, |i| (i * i % 5) as f64);
        too_large(detrend_rolling_pearson::<f64, _, _, _>(
            &broadcast_view(Ix2(1 << 36, 8)),
            &y,
            1,
            3,
            1,
        ))
    });
    s.case(
        "broadcast 2^40 (2-D): cross_correlate_circular",
        move || too_large(cross_correlate_circular(&h2(), &h2())),
    );
    s.case("broadcast 2^40 (2-D): phase_cross_correlation", move || {
        too_large(phase_cross_correlation(
            &h2(),
            &h2(),
            1,
            Normalization::Phase,
        ))
    });
    s.case(
        "broadcast 2^42 (3-D f32): phase_cross_correlation",
        move || {
            too_large(phase_cross_correlation(
                &h3(),
                &h3(),
                1,
                Normalization::None,
            ))
        },
    );
    s.case("broadcast 2^40 (2-D): radial_power_spectrum", move || {
        too_large(radial_power_spectrum(&h2()))
    });
    let samples1 = || array![1.0, 2.0, 2.5, 4.0, 5.0];
    let samples2 = || array![[1.0, 2.0, 3.0, 5.0, 4.0], [0.0, 1.0, 3.0, 2.0, -1.0]];
    s.case(
        "broadcast (1, 2^40) points: GaussianKde::evaluate 1-D",
        move || {
            let k = ok(GaussianKde::new_1d(&samples1(), Bandwidth::Scott, None))?;
            too_large(k.evaluate(&broadcast_view(Ix2(1, 1 << 40))))
        },
    );
    s.case(
        "broadcast (1, 2^40) points: GaussianKde::evaluate 1-D with bounds",
        move || {
            let k = ok(
                ok(GaussianKde::new_1d(&samples1(), Bandwidth::Scott, None))?
                    .with_bounds(0.0, 10.0),
            )?;
            too_large(k.evaluate(&broadcast_view(Ix2(1, 1 << 40))))
        },
    );
    s.case(
        "broadcast (2, 2^40) points: GaussianKde::evaluate 2-D",
        move || {
            let k = ok(GaussianKde::new(&samples2(), Bandwidth::Scott, None))?;
            too_large(k.evaluate(&broadcast_view(Ix2(2, 1 << 40))))
        },
    );
    s.case(
        "broadcast (2, 2^40) f32 points: GaussianKde::evaluate 2-D with bounds",
        move || {
            let k = ok(ok(GaussianKde::new(&samples2(), Bandwidth::Scott, None))?
                .with_bounds_2d([-5.0, -5.0], [10.0, 10.0]))?;
            too_large(k.evaluate(&broadcast_view_f32(Ix2(2, 1 << 40))))
        },
    );
    s.case("broadcast 2^40 samples: GaussianKde::new_1d", move || {
        too_large(GaussianKde::new_1d(&h1(), Bandwidth::Scott, None))
    });
    s.case("broadcast (2, 2^40) samples: GaussianKde::new", move || {
        too_large(GaussianKde::new(
            &broadcast_view(Ix2(2, 1 << 40)),
            Bandwidth::Silverman,
            None,
        ))
    });
    s.case(
        "broadcast (2, 4) points: GaussianKde::evaluate = evaluate of the copy",
        move || {
            let k = ok(GaussianKde::new(&samples2(), Bandwidth::Scott, None))?;
            let col = array![[2.5], [1.0]];
            let b = col.broadcast((2, 4)).unwrap();
            let got = ok(k.evaluate(&b))?;
            let want = ok(k.evaluate(&b.to_owned()))?;
            let one = ok(k.evaluate(&col))?[0];
            ensure(
                got.to_vec() == want.to_vec() && got.iter().all(|&v| v == one && v > 0.0),
                format!("{got:?} vs {want:?}"),
            )
        },
    );

    // Small broadcast views vs the naive oracles on the materialised arrays.
    let row = array![1.0, -0.5, 2.0, 3.5, 0.25, -1.0, 4.0];
    let r = row.clone();
    s.case(
        "broadcast (3, 7) fftconvolve along axis 1 = naive convolution per row",
        move || {
            let b = r.broadcast((3, 7)).unwrap();
            let k = array![[0.5, -1.0, 2.0]];
            let got = ok(fftconvolve(&b, &k, Mode::Full, Some(&[1])))?;
            let want = naive::convolve_full(&r.to_vec(), &[0.5, -1.0, 2.0]);
            for i in 0..3 {
                allclose(
                    &got.index_axis(Axis(0), i)
                        .iter()
                        .copied()
                        .collect::<Vec<_>>(),
                    &want,
                    1e-12,
                    1e-12,
                )?;
            }
            Ok(())
        },
    );
    let r = row.clone();
    s.case(
        "broadcast (3, 7) rolling_mean along axis 1 = naive per row",
        move || {
            let b = r.broadcast((3, 7)).unwrap();
            let got = ok(rolling_mean(&b, 1, Rolling::new(3)))?;
            let want = naive::rolling(&r.to_vec(), 3, 3, false, "mean", 0);
            for i in 0..3 {
                allclose(
                    &got.index_axis(Axis(0), i)
                        .iter()
                        .copied()
                        .collect::<Vec<_>>(),
                    &want,
                    1e-13,
                    1e-13,
                )?;
            }
            Ok(())
        },
    );
    let r = row.clone();
    s.case(
        "broadcast (4, 7) pearson_r along axis 1 = naive r per row",
        move || {
            let b = r.broadcast((4, 7)).unwrap();
            let y = array![0.0, 1.0, 0.5, 2.0, 1.0, -1.0, 3.0];
            let got = ok(pearson_r::<f64, _, _, _>(&b, &y, 1))?;
            let want = naive::pearson(&r.to_vec(), &y.to_vec());
            allclose(
                &got.iter().copied().collect::<Vec<_>>(),
                &[want; 4],
                1e-13,
                1e-14,
            )
        },
    );
}
