//! `gradient_stacked`'s one-pass slab kernel against a naive numpy.gradient written here from
//! numpy's formulas (numpy/lib/_function_base_impl.py, `gradient`), sample by sample through
//! N-d indexing: odd sizes, axes of 2 and 3 samples, 1-d to 4-d, f32 and f64, every spacing
//! kind (power-of-two steps, other steps, equal and unequal coordinates), both edge orders,
//! rows longer than a block, parallel and serial sizes, and non-C-contiguous inputs.

use ndarray::{s, Array, ArrayD, ArrayViewD, Axis, Dimension, IxDyn};
use ndkern_core::testing::Rng;
use ndkern_core::Element;
use ndkern_spatial::{gradient_stacked, Spacing};

/// numpy.gradient along `axis` at the multi-index `ix`, numpy's operation order: a Python
/// float step is "weak" (element-type arithmetic), coordinates are float64 arrays (f64
/// arithmetic, one rounding on assignment), equal coordinates are a float64 scalar step.
fn naive_at<T: Element>(
    a: &ArrayViewD<'_, T>,
    ix: &[usize],
    axis: usize,
    sp: &Spacing,
    edge: usize,
) -> T {
    let n = a.shape()[axis];
    let i = ix[axis];
    let f = |j: usize| {
        let mut k = ix.to_vec();
        k[axis] = j;
        a[IxDyn(&k)]
    };
    let g = |j: usize| f(j).as_f64();
    let t = T::of_f64;
    // Equal coordinate differences: numpy uses the (float64) scalar step.
    let (uniform, weak) = match sp {
        Spacing::Uniform(h) => (Some(*h), true),
        Spacing::Coords(x) => {
            let d0 = x[1] - x[0];
            if x.windows(2).all(|p| p[1] - p[0] == d0) {
                (Some(d0), false)
            } else {
                (None, false)
            }
        }
    };
    if let Some(h) = uniform {
        // `v / d` with d a weak Python float (element type) or a float64 scalar.
        let div = |v: T, d: f64| if weak { v / t(d) } else { t(v.as_f64() / d) };
        if i > 0 && i + 1 < n {
            return div(f(i + 1) - f(i - 1), 2.0 * h);
        }
        if edge == 1 {
            return if i == 0 {
                div(f(1) - f(0), h)
            } else {
                div(f(n - 1) - f(n - 2), h)
            };
        }
        let (ws, js) = if i == 0 {
            ([-1.5 / h, 2.0 / h, -0.5 / h], [0, 1, 2])
        } else {
            ([0.5 / h, -2.0 / h, 1.5 / h], [n - 3, n - 2, n - 1])
        };
        return if weak {
            t(ws[0]) * f(js[0]) + t(ws[1]) * f(js[1]) + t(ws[2]) * f(js[2])
        } else {
            t(ws[0] * g(js[0]) + ws[1] * g(js[1]) + ws[2] * g(js[2]))
        };
    }
    let Spacing::Coords(x) = sp else {
        unreachable!()
    };
    let dx: Vec<f64> = x.windows(2).map(|p| p[1] - p[0]).collect();
    if i > 0 && i + 1 < n {
        let (d1, d2) = (dx[i - 1], dx[i]);
        let a = -d2 / (d1 * (d1 + d2));
        let b = (d2 - d1) / (d1 * d2);
        let c = d1 / (d2 * (d1 + d2));
        return t(a * g(i - 1) + b * g(i) + c * g(i + 1));
    }
    if edge == 1 {
        return if i == 0 {
            t((f(1) - f(0)).as_f64() / dx[0])
        } else {
            t((f(n - 1) - f(n - 2)).as_f64() / dx[n - 2])
        };
    }
    if i == 0 {
        let (d1, d2) = (dx[0], dx[1]);
        let a = -(2.0 * d1 + d2) / (d1 * (d1 + d2));
        let b = (d1 + d2) / (d1 * d2);
        let c = -d1 / (d2 * (d1 + d2));
        t(a * g(0) + b * g(1) + c * g(2))
    } else {
        let (d1, d2) = (dx[n - 3], dx[n - 2]);
        let a = d2 / (d1 * (d1 + d2));
        let b = -(d2 + d1) / (d1 * d2);
        let c = (2.0 * d2 + d1) / (d2 * (d1 + d2));
        t(a * g(n - 3) + b * g(n - 2) + c * g(n - 1))
    }
}

/// `np.stack(np.gradient(a, *sp, edge_order=edge), -1)`, naively.
fn naive_stacked<T: Element>(a: &ArrayViewD<'_, T>, sp: &[Spacing], edge: usize) -> ArrayD<T> {
    let nd = a.ndim();
    let mut shape = a.shape().to_vec();
    shape.push(nd);
    let mut out = ArrayD::<T>::zeros(IxDyn(&shape));
    for (ix, _) in a.indexed_iter() {
        let ix = ix.slice().to_vec();
        for ax in 0..nd {
            let s = match sp.len() {
                0 => &Spacing::Uniform(1.0),
                1 => &sp[0],
                _ => &sp[ax],
            };
            let mut o = ix.clone();
            o.push(ax);
            out[IxDyn(&o)] = naive_at(a, &ix, ax, s, edge);
        }
    }
    out
}

/// Equal values, NaN equal to NaN; the first difference in the message.
fn assert_same<T: Element>(got: &ArrayD<T>, want: &ArrayD<T>, what: &str) {
    assert_eq!(got.shape(), want.shape(), "{what}");
    for ((ix, &g), &w) in got.indexed_iter().zip(want.iter()) {
        assert!(
            g == w || (g.is_nan() && w.is_nan()),
            "{what}: at {:?} got {g}, want {w}",
            ix.slice()
        );
    }
}

fn data<T: Element>(shape: &[usize], seed: u64) -> ArrayD<T> {
    let n = shape.iter().product();
    let v = Rng::new(seed).vec(n, -3.0, 5.0);
    ArrayD::from_shape_vec(IxDyn(shape), v.into_iter().map(T::of_f64).collect()).unwrap()
}

/// The spacings worth telling apart for an array of `shape`: unit steps (exact reciprocal),
/// a step whose reciprocal is inexact, a negative power of two, per-axis coordinates (unequal
/// on every axis but an equal-coordinate one, numpy's float64 scalar step).
fn spacings(shape: &[usize], rng: &mut Rng) -> Vec<Vec<Spacing>> {
    let coords: Vec<Spacing> = shape
        .iter()
        .enumerate()
        .map(|(ax, &n)| {
            if ax == 1 {
                Spacing::Coords((0..n).map(|i| 0.25 * i as f64 - 1.0).collect())
            } else {
                let mut x = 0.0;
                Spacing::Coords(
                    (0..n)
                        .map(|_| {
                            x += rng.uniform(0.1, 2.0);
                            x
                        })
                        .collect(),
                )
            }
        })
        .collect();
    vec![
        vec![],
        vec![Spacing::Uniform(0.3)],
        vec![Spacing::Uniform(-2.0)],
        shape
            .iter()
            .enumerate()
            .map(|(ax, _)| Spacing::Uniform([0.5, 0.7, 4.0, 1.1][ax % 4]))
            .collect(),
        coords,
    ]
}

fn check_all<T: Element>(a: &ArrayViewD<'_, T>, what: &str, rng: &mut Rng) {
    for sp in spacings(a.shape(), rng) {
        for edge in [1, 2] {
            if a.shape().iter().any(|&n| n < edge + 1) {
                assert!(
                    gradient_stacked(a, &sp, edge).is_err(),
                    "{what} edge {edge}"
                );
                continue;
            }
            let got = gradient_stacked(a, &sp, edge).unwrap();
            let want = naive_stacked(a, &sp, edge);
            assert_same(&got, &want, &format!("{what} {sp:?} edge {edge}"));
        }
    }
}

#[test]
fn small_and_odd_shapes_equal_the_naive_gradient() {
    let mut rng = Rng::new(7);
    let shapes: &[&[usize]] = &[
        &[2],
        &[3],
        &[9],
        &[2, 2],
        &[3, 2],
        &[2, 3],
        &[7, 5],
        &[3, 3, 3],
        &[2, 5, 3],
        &[7, 5, 9],
        &[3, 2, 4, 5],
    ];
    for (s, &shape) in shapes.iter().enumerate() {
        let a = data::<f64>(shape, s as u64);
        check_all(&a.view(), &format!("f64 {shape:?}"), &mut rng);
        let a = data::<f32>(shape, 100 + s as u64);
        check_all(&a.view(), &format!("f32 {shape:?}"), &mut rng);
    }
}

#[test]
fn parallel_rows_longer_than_a_block_and_long_lanes() {
    let mut rng = Rng::new(11);
    // Rows of 1031 samples (several blocks), 65 rows: split across tasks.
    let a = data::<f64>(&[5, 13, 1031], 1);
    let want = naive_stacked(&a.view(), &[], 1);
    assert_same(
        &gradient_stacked(&a, &[], 1).unwrap(),
        &want,
        "f64 5x13x1031",
    );
    let a = data::<f32>(&[5, 13, 1031], 2);
    let sp = spacings(a.shape(), &mut rng).pop().unwrap();
    let want = naive_stacked(&a.view(), &sp, 2);
    assert_same(&gradient_stacked(&a, &sp, 2).unwrap(), &want, "f32 coords");
    // Short rows, 300 per plane: task boundaries fall inside planes.
    let a = data::<f64>(&[6, 300, 40], 4);
    let want = naive_stacked(&a.view(), &[], 1);
    assert_same(
        &gradient_stacked(&a, &[], 1).unwrap(),
        &want,
        "f64 6x300x40",
    );
    // One lane of 70001 samples: split into segments.
    let a = data::<f64>(&[70001], 3);
    for sp in [Spacing::Uniform(1.0), Spacing::Uniform(0.3)] {
        let sp = [sp];
        let want = naive_stacked(&a.view(), &sp, 2);
        assert_same(&gradient_stacked(&a, &sp, 2).unwrap(), &want, "1-d");
    }
}

#[test]
fn non_contiguous_inputs_equal_the_naive_gradient() {
    let mut rng = Rng::new(13);
    let base = data::<f64>(&[9, 8, 11], 4);
    let transposed = base.view().reversed_axes();
    check_all(&transposed, "transposed", &mut rng);
    let stepped = base.slice(s![..;2, 1.., ..;-3]).into_dyn();
    check_all(&stepped, "stepped", &mut rng);
    let base32 = data::<f32>(&[6, 20], 5);
    let col = base32.slice(s![.., 3..6]).into_dyn();
    check_all(&col, "f32 columns", &mut rng);
    // A broadcast (stride 0) axis: its derivative is zero.
    let row = data::<f64>(&[1, 7], 6);
    let b = row.broadcast(IxDyn(&[4, 7])).unwrap();
    check_all(&b, "broadcast", &mut rng);
    let g = gradient_stacked(&b, &[], 1).unwrap();
    assert!(g.index_axis(Axis(2), 0).iter().all(|&v| v == 0.0));
}

#[test]
fn nan_reaches_only_its_neighbours() {
    let mut a = data::<f64>(&[5, 6, 7], 8);
    a[[2, 3, 4]] = f64::NAN;
    let g = gradient_stacked(&a, &[], 1).unwrap();
    assert_same(&g, &naive_stacked(&a.view(), &[], 1), "nan");
    let nans = g.iter().filter(|v| v.is_nan()).count();
    // Each axis: the two neighbours along it (interior), nothing else.
    assert_eq!(nans, 6);
}

#[test]
fn bad_input_is_an_error() {
    let a = data::<f64>(&[4, 1, 3], 9);
    let e = gradient_stacked(&a, &[], 1).unwrap_err().to_string();
    assert!(e.contains("axis 1 has 1 sample"), "{e}");
    let a = data::<f64>(&[4, 2, 3], 9);
    let e = gradient_stacked(&a, &[], 2).unwrap_err().to_string();
    assert!(e.contains("at least 3"), "{e}");
    assert!(gradient_stacked(&a, &[], 3).is_err());
    assert!(gradient_stacked(&a, &[Spacing::Uniform(f64::NAN)], 1).is_err());
    let coords = Spacing::Coords(vec![0.0, 1.0]);
    assert!(gradient_stacked(&a, &[coords], 1).is_err());
    // An enormous broadcast input: the output cannot be allocated, an Err and no abort.
    let one = Array::from_elem(IxDyn(&[1, 1, 1]), 1.0f64);
    let huge = one.broadcast(IxDyn(&[1 << 20, 1 << 20, 1 << 20])).unwrap();
    let e = gradient_stacked(&huge, &[], 1).unwrap_err().to_string();
    assert!(e.contains("gradient output"), "{e}");
}
