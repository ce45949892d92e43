//! Workloads shared by the benches: deterministic data, the naive baselines, and the table of
//! workloads that `benches/suite.rs` (and so `cargo xtask bench`) runs.
//!
//! A workload is one row of the benchmark table: a name, the ndkern call, a shape and dtype,
//! the bytes it must move (input read + output written: the bandwidth floor's numerator), an
//! optional flop count, the fast closure, a naive closure (single-threaded scalar `f64` loops
//! in memory order, the style of `ndkern_core::reference`), and the name of the numpy idiom in
//! the `xtask/bench/peers/` package that does the same task. Later families add one [`Workload`] entry
//! each to [`workloads`] (and, if numpy needs a new idiom, one entry to the peers package's family tables).
//!
//! Data is a rand-free formula of the flat C-order index, `1 + frac(i * 0x9E37_79B9_7F4A_7C15
//! / 2^64)` (53 bits), which the peers package evaluates identically with numpy's wrapping `uint64`
//! arithmetic: both sides time the very same values.
#![allow(dead_code)] // each bench uses a different part of this module

use std::cell::RefCell;
use std::rc::Rc;

use ndarray::{ArrayD, IxDyn};
use ndkern_core::{reduce, Axes};

mod binning;
mod linalg;
mod signal;
mod spatial;

/// The element type of a workload's input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dtype {
    F32,
    F64,
}

impl Dtype {
    /// numpy's name for it.
    pub fn numpy(self) -> &'static str {
        match self {
            Dtype::F32 => "float32",
            Dtype::F64 => "float64",
        }
    }
    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            Dtype::F32 => 4,
            Dtype::F64 => 8,
        }
    }
}

/// Value `i` of the shared deterministic data, in `[1, 2)`.
#[inline]
pub fn value(i: u64) -> f64 {
    1.0 + (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A C-order array of `shape` filled with [`value`] (f32: rounded from the f64 value).
pub fn data<T: ndkern_core::Element>(shape: &[usize]) -> ArrayD<T> {
    let n: usize = shape.iter().product();
    let v: Vec<T> = (0..n as u64).map(|i| T::of_f64(value(i))).collect();
    ArrayD::from_shape_vec(IxDyn(shape), v).expect("shape matches length")
}

/// What a closure returns: kept opaque while timing, compared after.
pub enum Out {
    F32(ArrayD<f32>),
    F64(ArrayD<f64>),
    Scalar(f64),
    /// An output buffer the closure owns and refills on every call (the `_into` rows: no
    /// allocation or page faults timed).
    SharedF32(Rc<RefCell<ArrayD<f32>>>),
    SharedF64(Rc<RefCell<ArrayD<f64>>>),
}

impl Out {
    /// The values as `f64`, in C order.
    pub fn to_f64(&self) -> Vec<f64> {
        match self {
            Out::F32(a) => a.iter().map(|&x| x as f64).collect(),
            Out::F64(a) => a.iter().copied().collect(),
            Out::Scalar(s) => vec![*s],
            Out::SharedF32(a) => a.borrow().iter().map(|&x| x as f64).collect(),
            Out::SharedF64(a) => a.borrow().iter().copied().collect(),
        }
    }
}

/// Largest `|fast - naive|` relative to `max |naive|` (NaN or a length mismatch: infinity).
pub fn rel_err(fast: &Out, naive: &Out) -> f64 {
    let (f, n) = (fast.to_f64(), naive.to_f64());
    if f.len() != n.len() {
        return f64::INFINITY;
    }
    let scale = n
        .iter()
        .fold(0.0f64, |m, x| m.max(x.abs()))
        .max(f64::MIN_POSITIVE);
    f.iter().zip(&n).fold(0.0f64, |m, (a, b)| {
        let d = (a - b).abs() / scale;
        if d.is_nan() {
            f64::INFINITY
        } else {
            m.max(d)
        }
    })
}

/// A built workload: data allocated, closures ready.
pub struct Case {
    /// Bytes read + written by one call (each input and output element once).
    pub bytes: u64,
    /// Floating-point operations of one call, where the kernel is compute-bound.
    pub flops: Option<u64>,
    pub fast: Box<dyn Fn() -> Out>,
    pub naive: Box<dyn Fn() -> Out>,
    /// Tolerance of the fast-vs-naive check, relative to `max |naive|`.
    pub tol: f64,
}

/// One row of the benchmark table.
pub struct Workload {
    /// Unique id (used to join with the numpy peer).
    pub name: &'static str,
    /// The ndkern call, as a user would write it.
    pub kernel: &'static str,
    pub dtype: Dtype,
    /// Shape of the timed run (`cargo xtask bench`, also with `--quick`).
    pub shape: &'static [usize],
    /// Shape of the smoke run under `cargo test` (each workload checked, in milliseconds).
    pub smoke_shape: &'static [usize],
    /// Reduced axes (`None`: all), passed to the peer.
    pub axes: Option<&'static [usize]>,
    /// Name of the numpy idiom in the peers package's family tables, if numpy has one.
    pub peer: Option<&'static str>,
    /// Allocates the data for `shape` and returns the closures.
    pub build: fn(&[usize]) -> Case,
}

/// The shape as numpy prints it, plus the dtype: `(4000, 4000) f32`.
pub fn size_label(shape: &[usize], dtype: Dtype) -> String {
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    let tuple = if dims.len() == 1 {
        format!("({},)", dims[0])
    } else {
        format!("({})", dims.join(", "))
    };
    let t = match dtype {
        Dtype::F32 => "f32",
        Dtype::F64 => "f64",
    };
    format!("{tuple} {t}")
}

/// Every workload of the suite, in table order. Add new families here, one entry each.
pub fn workloads() -> Vec<Workload> {
    vec![
        Workload {
            name: "var_last_axis",
            kernel: "reduce::var(&a, -1, 0)",
            dtype: Dtype::F64,
            shape: &[200, 200, 200, 8],
            smoke_shape: &[6, 5, 4, 8],
            axes: Some(&[3]),
            peer: Some("var"),
            build: build_var_last_axis,
        },
        Workload {
            name: "mean_axis0",
            kernel: "reduce::mean(&a, 0)",
            dtype: Dtype::F32,
            shape: &[4000, 4000],
            smoke_shape: &[300, 70],
            axes: Some(&[0]),
            peer: Some("mean"),
            build: build_mean_axis0,
        },
        Workload {
            name: "sum_all",
            kernel: "reduce::sum(&a, Axes::all())",
            dtype: Dtype::F32,
            shape: &[100_000_000],
            smoke_shape: &[100_003],
            axes: None,
            peer: Some("sum"),
            build: build_sum_all,
        },
        Workload {
            name: "sum_slice",
            kernel: "ndkern_core::sum(&[f32])",
            dtype: Dtype::F32,
            shape: &[100_000_000],
            smoke_shape: &[100_003],
            axes: None,
            peer: Some("sum"),
            build: build_sum_slice,
        },
        Workload {
            name: "norm_l2_axes012",
            kernel: "reduce::norm_l2(&a, [0, 1, 2])",
            dtype: Dtype::F64,
            shape: &[64, 64, 64, 32],
            smoke_shape: &[5, 6, 7, 32],
            axes: Some(&[0, 1, 2]),
            peer: Some("norm_l2"),
            build: build_norm_l2_012,
        },
        Workload {
            name: "q7_var_last_axis",
            kernel: "reduce::var(&a, -1, 0)",
            dtype: Dtype::F64,
            shape: &[10, 10, 10, 5],
            smoke_shape: &[10, 10, 10, 5],
            axes: Some(&[3]),
            peer: Some("var"),
            build: build_var_last_axis,
        },
        Workload {
            name: "q8_norm_l2_axes012",
            kernel: "reduce::norm_l2(&a, [0, 1, 2])",
            dtype: Dtype::F64,
            shape: &[10, 10, 10, 5],
            smoke_shape: &[10, 10, 10, 5],
            axes: Some(&[0, 1, 2]),
            peer: Some("norm_l2"),
            build: build_norm_l2_012,
        },
    ]
    .into_iter()
    .chain(spatial::workloads())
    .chain(binning::workloads())
    .chain(linalg::workloads())
    .chain(signal::workloads())
    .collect()
}

/// Splits a C-order shape into (outer elements, inner elements) at axis `k`.
fn split_at(shape: &[usize], k: usize) -> (usize, usize) {
    (shape[..k].iter().product(), shape[k..].iter().product())
}

fn build_var_last_axis(shape: &[usize]) -> Case {
    let a = Rc::new(data::<f64>(shape));
    let n: usize = shape.iter().product();
    let lane = *shape.last().expect("at least one axis");
    let out_shape = shape[..shape.len() - 1].to_vec();
    let b = Rc::clone(&a);
    Case {
        bytes: (8 * (n + n / lane.max(1))) as u64,
        flops: None,
        fast: Box::new(move || Out::F64(reduce::var(&*a, -1, 0).expect("valid axes"))),
        naive: Box::new(move || {
            // Two-pass per contiguous lane, plain f64 loops.
            let x = b.as_slice().expect("C order");
            let v: Vec<f64> = x
                .chunks(lane)
                .map(|l| {
                    let m = l.iter().sum::<f64>() / lane as f64;
                    l.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / lane as f64
                })
                .collect();
            Out::F64(ArrayD::from_shape_vec(IxDyn(&out_shape), v).expect("shape"))
        }),
        tol: 1e-12,
    }
}

fn build_mean_axis0(shape: &[usize]) -> Case {
    let a = Rc::new(data::<f32>(shape));
    let (rows, cols) = split_at(shape, 1);
    let out_shape = shape[1..].to_vec();
    let b = Rc::clone(&a);
    Case {
        bytes: (4 * (rows * cols + cols)) as u64,
        flops: None,
        fast: Box::new(move || Out::F32(reduce::mean(&*a, 0).expect("valid axes"))),
        naive: Box::new(move || {
            // Rows added into f64 accumulators in memory order.
            let x = b.as_slice().expect("C order");
            let mut acc = vec![0.0f64; cols];
            for row in x.chunks(cols) {
                for (s, &v) in acc.iter_mut().zip(row) {
                    *s += v as f64;
                }
            }
            let v: Vec<f32> = acc.iter().map(|s| (s / rows as f64) as f32).collect();
            Out::F32(ArrayD::from_shape_vec(IxDyn(&out_shape), v).expect("shape"))
        }),
        tol: 1e-6,
    }
}

fn build_sum_all(shape: &[usize]) -> Case {
    let a = Rc::new(data::<f32>(shape));
    let n: usize = shape.iter().product();
    let b = Rc::clone(&a);
    Case {
        bytes: (4 * n + 4) as u64,
        flops: None,
        fast: Box::new(move || Out::F32(reduce::sum(&*a, Axes::all()).expect("valid axes"))),
        naive: Box::new(move || {
            let x = b.as_slice().expect("C order");
            Out::Scalar(ndkern_core::reference::sum(x) as f32 as f64)
        }),
        tol: 1e-6,
    }
}

fn build_sum_slice(shape: &[usize]) -> Case {
    let a = Rc::new(data::<f32>(shape));
    let n: usize = shape.iter().product();
    let b = Rc::clone(&a);
    Case {
        bytes: (4 * n) as u64,
        flops: None,
        fast: Box::new(move || Out::Scalar(ndkern_core::sum(a.as_slice().expect("C order")))),
        naive: Box::new(move || {
            Out::Scalar(ndkern_core::reference::sum(b.as_slice().expect("C order")))
        }),
        tol: 1e-12,
    }
}

fn build_norm_l2_012(shape: &[usize]) -> Case {
    let a = Rc::new(data::<f64>(shape));
    let (rows, cols) = split_at(shape, shape.len() - 1);
    let out_shape = vec![cols];
    let b = Rc::clone(&a);
    Case {
        bytes: (8 * (rows * cols + cols)) as u64,
        flops: None,
        fast: Box::new(move || Out::F64(reduce::norm_l2(&*a, [0, 1, 2]).expect("valid axes"))),
        naive: Box::new(move || {
            let x = b.as_slice().expect("C order");
            let mut acc = vec![0.0f64; cols];
            for row in x.chunks(cols) {
                for (s, &v) in acc.iter_mut().zip(row) {
                    *s += v * v;
                }
            }
            let v: Vec<f64> = acc.iter().map(|s| s.sqrt()).collect();
            Out::F64(ArrayD::from_shape_vec(IxDyn(&out_shape), v).expect("shape"))
        }),
        tol: 1e-12,
    }
}
