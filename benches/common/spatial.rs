//! Workloads of ndkern-spatial's window filters (issue 3's benchmark rows): box filters,
//! local mean/variance, dense correlation, Gaussian filters, Q18's windowed `A^2 - B^2` and the
//! stacked gradient. Naive baselines are scalar `f64` loops in memory order, single-threaded:
//! separable filters as one direct 1-D pass per axis (reflect borders), dense correlation as the
//! direct 2-D sum. Peers (xtask/bench/the peers package): scipy.ndimage with the same parameters.

use std::cell::RefCell;
use std::rc::Rc;

use ndarray::{ArrayD, ArrayViewMutD, IxDyn};
use ndkern_spatial as sp;
use ndkern_spatial::{BorderMode, GaussianOptions, WindowMode};

use super::{data, Case, Dtype, Out, Workload};

/// scipy "reflect" source index.
fn refl(i: isize, n: usize) -> usize {
    BorderMode::Reflect
        .source_index(i, n)
        .expect("reflect has no constant")
}

/// Direct 1-D correlation of every lane along `axis` of a C-order f64 array (reflect).
fn naive_axis(x: &[f64], shape: &[usize], axis: usize, taps: &[f64]) -> Vec<f64> {
    let outer: usize = shape[..axis].iter().product();
    let n = shape[axis];
    let inner: usize = shape[axis + 1..].iter().product();
    let half = (taps.len() / 2) as isize;
    let mut out = vec![0.0; x.len()];
    for o in 0..outer {
        let base = o * n * inner;
        for i in 0..n {
            let row = &mut out[base + i * inner..base + (i + 1) * inner];
            for (k, &w) in taps.iter().enumerate() {
                let s = refl(i as isize + k as isize - half, n);
                let src = &x[base + s * inner..base + (s + 1) * inner];
                for (r, &v) in row.iter_mut().zip(src) {
                    *r += w * v;
                }
            }
        }
    }
    out
}

/// A separable filter applied naively: one direct pass per axis.
fn naive_separable(x: &[f64], shape: &[usize], taps: &[Vec<f64>]) -> Vec<f64> {
    let mut cur = x.to_vec();
    for (axis, t) in taps.iter().enumerate() {
        cur = naive_axis(&cur, shape, axis, t);
    }
    cur
}

fn as_f64<T: ndkern_core::Element>(a: &ArrayD<T>) -> Vec<f64> {
    a.iter().map(|v| v.as_f64()).collect()
}

fn out_of<T: ndkern_core::Element>(v: Vec<T>, shape: &[usize]) -> ArrayD<T> {
    ArrayD::from_shape_vec(IxDyn(shape), v).expect("shape")
}

fn box_taps(w: usize) -> Vec<f64> {
    vec![1.0 / w as f64; w]
}

fn gauss_taps(sigma: f64) -> Vec<f64> {
    let r = (4.0 * sigma + 0.5) as usize;
    let k = sp::gaussian_kernel1d(sigma, 0, r).expect("valid sigma");
    k.iter().rev().copied().collect()
}

/// A workload of a separable filter on f32 or f64 data.
fn separable_case<T: ndkern_core::Element>(
    shape: &[usize],
    taps: Vec<f64>,
    fast: fn(&ArrayD<T>) -> ArrayD<T>,
    wrap: fn(ArrayD<T>) -> Out,
    tol: f64,
) -> Case {
    let a = Rc::new(data::<T>(shape));
    let b = Rc::clone(&a);
    let n: usize = shape.iter().product();
    let shape_v = shape.to_vec();
    let per_axis = vec![taps; shape.len()];
    Case {
        bytes: (2 * n * std::mem::size_of::<T>()) as u64,
        flops: None,
        fast: Box::new(move || wrap(fast(&a))),
        naive: Box::new(move || {
            let r = naive_separable(&as_f64(&b), &shape_v, &per_axis);
            wrap(out_of(r.into_iter().map(T::of_f64).collect(), &shape_v))
        }),
        tol,
    }
}

/// [`separable_case`] timing an `_into` call that refills one output buffer (allocated and
/// faulted in once, before timing): the kernel alone, without the fresh output's page faults.
fn separable_into_case<T: ndkern_core::Element>(
    shape: &[usize],
    taps: Vec<f64>,
    run: fn(&ArrayD<T>, ArrayViewMutD<'_, T>),
    wrap: fn(ArrayD<T>) -> Out,
    share: fn(Rc<RefCell<ArrayD<T>>>) -> Out,
    tol: f64,
) -> Case {
    // The naive side (and `wrap`) of the allocating case; its fast closure is replaced.
    let mut case = separable_case::<T>(shape, taps, |a| a.clone(), wrap, tol);
    let a = data::<T>(shape);
    let mut buf = ndkern_core::zeros::<T, _>(a.raw_dim());
    buf.fill(T::one());
    let out = Rc::new(RefCell::new(buf));
    case.fast = Box::new(move || {
        run(&a, out.borrow_mut().view_mut());
        share(Rc::clone(&out))
    });
    case
}

fn build_uniform3_f64_into(shape: &[usize]) -> Case {
    separable_into_case::<f64>(
        shape,
        box_taps(3),
        |a, o| sp::uniform_filter_into(a, &[3], BorderMode::Reflect, &[0], o).expect("valid"),
        Out::F64,
        Out::SharedF64,
        1e-12,
    )
}

fn build_uniform31_f32_into(shape: &[usize]) -> Case {
    separable_into_case::<f32>(
        shape,
        box_taps(31),
        |a, o| sp::uniform_filter_into(a, &[31], BorderMode::Reflect, &[0], o).expect("valid"),
        Out::F32,
        Out::SharedF32,
        1e-5,
    )
}

fn build_uniform3_f32_into(shape: &[usize]) -> Case {
    separable_into_case::<f32>(
        shape,
        box_taps(3),
        |a, o| sp::uniform_filter_into(a, &[3], BorderMode::Reflect, &[0], o).expect("valid"),
        Out::F32,
        Out::SharedF32,
        1e-5,
    )
}

/// The least an allocating filter can cost: a fresh output (huge-page advised, as every
/// allocating ndkern kernel's) filled by a two-thread copy of the input. Its time over the
/// table's floor is the price of first-touching the output's pages.
fn build_fresh_copy_f64(shape: &[usize]) -> Case {
    use rayon::prelude::*;
    let a = Rc::new(data::<f64>(shape));
    let b = Rc::clone(&a);
    let n: usize = shape.iter().product();
    Case {
        bytes: (2 * n * std::mem::size_of::<f64>()) as u64,
        flops: None,
        fast: Box::new(move || {
            let src = a.as_slice().expect("C order");
            let mut out = ndkern_core::zeros::<f64, _>(a.raw_dim());
            let dst = out.as_slice_mut().expect("C order");
            dst.par_chunks_mut(1 << 16)
                .zip(src.par_chunks(1 << 16))
                .for_each(|(d, s)| d.copy_from_slice(s));
            Out::F64(out)
        }),
        naive: Box::new(move || Out::F64((*b).clone())),
        tol: 0.0,
    }
}

fn build_uniform3_f64(shape: &[usize]) -> Case {
    separable_case::<f64>(
        shape,
        box_taps(3),
        |a| sp::uniform_filter(a, &[3], BorderMode::Reflect, &[0]).expect("valid"),
        Out::F64,
        1e-12,
    )
}

fn build_uniform31_f32(shape: &[usize]) -> Case {
    separable_case::<f32>(
        shape,
        box_taps(31),
        |a| sp::uniform_filter(a, &[31], BorderMode::Reflect, &[0]).expect("valid"),
        Out::F32,
        1e-5,
    )
}

fn build_uniform3_f32(shape: &[usize]) -> Case {
    separable_case::<f32>(
        shape,
        box_taps(3),
        |a| sp::uniform_filter(a, &[3], BorderMode::Reflect, &[0]).expect("valid"),
        Out::F32,
        1e-5,
    )
}

fn build_gauss1p5_f32(shape: &[usize]) -> Case {
    separable_case::<f32>(
        shape,
        gauss_taps(1.5),
        |a| sp::gaussian_filter(a, &[1.5], &GaussianOptions::default()).expect("valid"),
        Out::F32,
        1e-5,
    )
}

fn build_gauss8_f32(shape: &[usize]) -> Case {
    separable_case::<f32>(
        shape,
        gauss_taps(8.0),
        |a| sp::gaussian_filter(a, &[8.0], &GaussianOptions::default()).expect("valid"),
        Out::F32,
        1e-5,
    )
}

/// The opt-in recursive (Young-van Vliet) Gaussian at sigma 8, checked against the exact
/// separable FIR within its documented bound (1.5e-2 of the data range; the suite's data span
/// [1, 2), so relative to max |ref| the bound is below 1.5e-2).
fn build_gauss8_recursive_f32(shape: &[usize]) -> Case {
    separable_case::<f32>(
        shape,
        gauss_taps(8.0),
        |a| sp::gaussian_filter_recursive(a, &[8.0], BorderMode::Reflect).expect("valid"),
        Out::F32,
        sp::RECURSIVE_MAX_DEVIATION,
    )
}

fn build_gauss2_f32(shape: &[usize]) -> Case {
    separable_case::<f32>(
        shape,
        gauss_taps(2.0),
        |a| sp::gaussian_filter(a, &[2.0], &GaussianOptions::default()).expect("valid"),
        Out::F32,
        1e-5,
    )
}

/// Local variance (the output compared; the mean is computed too).
fn build_local_var15_f32(shape: &[usize]) -> Case {
    let a = Rc::new(data::<f32>(shape));
    let b = Rc::clone(&a);
    let n: usize = shape.iter().product();
    let shape_v = shape.to_vec();
    Case {
        bytes: (3 * n * 4) as u64,
        flops: None,
        fast: Box::new(move || {
            let (_m, v) = sp::local_mean_var(&*a, &[15], BorderMode::Reflect).expect("valid");
            Out::F32(v)
        }),
        naive: Box::new(move || {
            // Box means of x and x^2 (in f64, centred on the global mean), var = E - m^2.
            let x = as_f64(&b);
            let k = x.iter().sum::<f64>() / x.len() as f64;
            let d: Vec<f64> = x.iter().map(|v| v - k).collect();
            let d2: Vec<f64> = d.iter().map(|v| v * v).collect();
            let taps = vec![box_taps(15); shape_v.len()];
            let m = naive_separable(&d, &shape_v, &taps);
            let m2 = naive_separable(&d2, &shape_v, &taps);
            let v: Vec<f32> = m
                .iter()
                .zip(&m2)
                .map(|(a, b)| (b - a * a).max(0.0) as f32)
                .collect();
            Out::F32(out_of(v, &shape_v))
        }),
        tol: 1e-4,
    }
}

/// The 15x15 dense kernel shared with the peers package: the suite's data formula, shape (15, 15), / 225.
fn dense_kernel() -> ArrayD<f64> {
    data::<f64>(&[15, 15]).mapv(|v| v / 225.0)
}

fn build_correlate15_f32(shape: &[usize]) -> Case {
    let a = Rc::new(data::<f32>(shape));
    let b = Rc::clone(&a);
    let k = Rc::new(dense_kernel());
    let k2 = Rc::clone(&k);
    let (h, w) = (shape[0], shape[1]);
    let shape_v = shape.to_vec();
    Case {
        bytes: (2 * h * w * 4) as u64,
        flops: Some((2 * 225 * h * w) as u64),
        fast: Box::new(move || {
            Out::F32(sp::correlate(&*a, &*k, BorderMode::Reflect, &[0]).expect("valid"))
        }),
        naive: Box::new(move || {
            let x = as_f64(&b);
            let mut out = vec![0.0f64; h * w];
            for (ki, kr) in k2.outer_iter().enumerate() {
                for (kj, &wk) in kr.iter().enumerate() {
                    for i in 0..h {
                        let si = refl(i as isize + ki as isize - 7, h);
                        for j in 0..w {
                            let sj = refl(j as isize + kj as isize - 7, w);
                            out[i * w + j] += wk * x[si * w + sj];
                        }
                    }
                }
            }
            Out::F32(out_of(
                out.into_iter().map(|v| v as f32).collect(),
                &shape_v,
            ))
        }),
        tol: 1e-5,
    }
}

/// Q18: 3x3 clipped window sums of A^2 - B^2 with B = 3 - A (both computed inside the timing,
/// the elementwise step in parallel as the README shows).
fn build_q18_f64(shape: &[usize]) -> Case {
    let a = Rc::new(data::<f64>(shape));
    let b = Rc::clone(&a);
    let n: usize = shape.iter().product();
    let shape_v = shape.to_vec();
    Case {
        bytes: (2 * n * 8) as u64,
        flops: None,
        fast: Box::new(move || {
            // The user's elementwise step on both cores into a huge-page-advised buffer
            // (ndarray's rayon `Zip` and `ndkern::core::zeros`, as the README's Q18 row writes
            // it), then the clipped window sums.
            let mut d = ndkern::core::zeros::<f64, _>(a.raw_dim());
            ndarray::Zip::from(&mut d)
                .and(&*a)
                .par_for_each(|d, &x| *d = x * x - (3.0 - x) * (3.0 - x));
            Out::F64(sp::window_sum(&d, &[3], WindowMode::Shrink, &[0]).expect("valid"))
        }),
        naive: Box::new(move || {
            let (h, w) = (shape_v[0], shape_v[1]);
            let d: Vec<f64> = b.iter().map(|x| x * x - (3.0 - x) * (3.0 - x)).collect();
            let mut out = vec![0.0; n];
            for i in 0..h {
                for j in 0..w {
                    let mut s = 0.0;
                    for r in i.saturating_sub(1)..(i + 2).min(h) {
                        for c in j.saturating_sub(1)..(j + 2).min(w) {
                            s += d[r * w + c];
                        }
                    }
                    out[i * w + j] = s;
                }
            }
            Out::F64(out_of(out, &shape_v))
        }),
        tol: 1e-12,
    }
}

/// Q11 at scale: np.stack(np.gradient(a), -1) on a 3-D f64 volume.
fn build_gradient_stack_f64(shape: &[usize]) -> Case {
    let a = Rc::new(data::<f64>(shape));
    let b = Rc::clone(&a);
    let n: usize = shape.iter().product();
    let shape_v = shape.to_vec();
    Case {
        bytes: (4 * n * 8) as u64,
        flops: None,
        fast: Box::new(move || Out::F64(sp::gradient_stacked(&*a, &[], 1).expect("valid"))),
        naive: Box::new(move || {
            let x = b.as_slice().expect("C order");
            let nd = shape_v.len();
            let mut out = vec![0.0; n * nd];
            for ax in 0..nd {
                let len = shape_v[ax];
                let inner: usize = shape_v[ax + 1..].iter().product();
                for f in 0..n {
                    let i = (f / inner) % len;
                    let g = if i == 0 {
                        x[f + inner] - x[f]
                    } else if i == len - 1 {
                        x[f] - x[f - inner]
                    } else {
                        (x[f + inner] - x[f - inner]) / 2.0
                    };
                    out[f * nd + ax] = g;
                }
            }
            let mut s = shape_v.clone();
            s.push(nd);
            Out::F64(out_of(out, &s))
        }),
        tol: 1e-12,
    }
}

/// The spatial rows of the suite.
pub fn workloads() -> Vec<Workload> {
    vec![
        Workload {
            name: "fresh_copy_2d",
            kernel: "zeros(shape) + 2-thread copy (allocating-filter floor)",
            dtype: Dtype::F64,
            shape: &[5000, 5000],
            smoke_shape: &[37, 41],
            axes: None,
            peer: Some("copy"),
            build: build_fresh_copy_f64,
        },
        Workload {
            name: "uniform3_2d",
            kernel: "uniform_filter(&a, &[3], Reflect, &[0])",
            dtype: Dtype::F64,
            shape: &[5000, 5000],
            smoke_shape: &[37, 41],
            axes: None,
            peer: Some("uniform_filter_3"),
            build: build_uniform3_f64,
        },
        Workload {
            name: "uniform31_2d",
            kernel: "uniform_filter(&a, &[31], Reflect, &[0])",
            dtype: Dtype::F32,
            shape: &[4000, 4000],
            smoke_shape: &[40, 45],
            axes: None,
            peer: Some("uniform_filter_31"),
            build: build_uniform31_f32,
        },
        Workload {
            name: "uniform3_3d",
            kernel: "uniform_filter(&a, &[3], Reflect, &[0])",
            dtype: Dtype::F32,
            shape: &[256, 256, 256],
            smoke_shape: &[9, 10, 11],
            axes: None,
            peer: Some("uniform_filter_3"),
            build: build_uniform3_f32,
        },
        Workload {
            name: "uniform3_2d_into",
            kernel: "uniform_filter_into(&a, &[3], Reflect, &[0], out.view_mut())",
            dtype: Dtype::F64,
            shape: &[5000, 5000],
            smoke_shape: &[37, 41],
            axes: None,
            peer: Some("uniform_filter_3_out"),
            build: build_uniform3_f64_into,
        },
        Workload {
            name: "uniform31_2d_into",
            kernel: "uniform_filter_into(&a, &[31], Reflect, &[0], out.view_mut())",
            dtype: Dtype::F32,
            shape: &[4000, 4000],
            smoke_shape: &[40, 45],
            axes: None,
            peer: Some("uniform_filter_31_out"),
            build: build_uniform31_f32_into,
        },
        Workload {
            name: "uniform3_3d_into",
            kernel: "uniform_filter_into(&a, &[3], Reflect, &[0], out.view_mut())",
            dtype: Dtype::F32,
            shape: &[256, 256, 256],
            smoke_shape: &[9, 10, 11],
            axes: None,
            peer: Some("uniform_filter_3_out"),
            build: build_uniform3_f32_into,
        },
        Workload {
            name: "local_var15_2d",
            kernel: "local_mean_var(&a, &[15], Reflect)",
            dtype: Dtype::F32,
            shape: &[5000, 5000],
            smoke_shape: &[33, 34],
            axes: None,
            peer: Some("local_mean_var_15"),
            build: build_local_var15_f32,
        },
        Workload {
            name: "correlate15_2d",
            kernel: "correlate(&a, &k15x15, Reflect, &[0])",
            dtype: Dtype::F32,
            shape: &[2000, 2000],
            smoke_shape: &[30, 31],
            axes: None,
            peer: Some("correlate_dense15"),
            build: build_correlate15_f32,
        },
        Workload {
            name: "gaussian1p5_2d",
            kernel: "gaussian_filter(&a, &[1.5], &Default::default())",
            dtype: Dtype::F32,
            shape: &[4000, 4000],
            smoke_shape: &[30, 31],
            axes: None,
            peer: Some("gaussian_1p5"),
            build: build_gauss1p5_f32,
        },
        Workload {
            name: "gaussian8_2d",
            kernel: "gaussian_filter(&a, &[8.0], &Default::default())",
            dtype: Dtype::F32,
            shape: &[4000, 4000],
            smoke_shape: &[80, 81],
            axes: None,
            peer: Some("gaussian_8"),
            build: build_gauss8_f32,
        },
        Workload {
            name: "gaussian8_recursive_2d",
            kernel: "gaussian_filter_recursive(&a, &[8.0], Reflect)",
            dtype: Dtype::F32,
            shape: &[4000, 4000],
            smoke_shape: &[80, 81],
            axes: None,
            peer: Some("gaussian_8"),
            build: build_gauss8_recursive_f32,
        },
        Workload {
            name: "gaussian2_3d",
            kernel: "gaussian_filter(&a, &[2.0], &Default::default())",
            dtype: Dtype::F32,
            shape: &[256, 256, 256],
            smoke_shape: &[12, 13, 14],
            axes: None,
            peer: Some("gaussian_2"),
            build: build_gauss2_f32,
        },
        Workload {
            name: "q18_window_sum_diffsq",
            kernel: "Zip::from(&mut d).and(&a).and(&b).par_for_each(|d, x, y| *d = x*x - y*y); window_sum(&d, &[3], Shrink, &[0])",
            dtype: Dtype::F64,
            shape: &[4000, 4000],
            smoke_shape: &[6, 7],
            axes: None,
            peer: Some("q18_diffsq"),
            build: build_q18_f64,
        },
        Workload {
            name: "q11_gradient_stack",
            kernel: "gradient_stacked(&a, &[], 1)",
            dtype: Dtype::F64,
            shape: &[256, 256, 256],
            smoke_shape: &[5, 6, 7],
            axes: None,
            peer: Some("gradient_stack"),
            build: build_gradient_stack_f64,
        },
    ]
}
