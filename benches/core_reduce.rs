//! criterion benches of the core reductions: one group per family (`reduce_sum`,
//! `reduce_mean`, `reduce_var`, `slice_sum`), `BenchmarkId` = layout / element count.
//!
//! Layouts of a C-order `(rows, 256)` matrix:
//! * `contig`: reduce the last axis (every output reduces a contiguous lane: the inner walk);
//! * `outer`: reduce axis 0 (rows added into accumulators: the outer, "vertical SIMD" walk);
//! * `strided`: reduce the last axis of the view `a[:, ::2]` (lanes gathered at stride 2).
//!
//! `cargo bench --bench core_reduce` runs 2^16, 2^20 and 2^24 elements (f32 and f64 for sum);
//! `cargo test --all-targets` runs each case once on 2^12 elements (criterion's test mode).
//! For the table against numpy, use `cargo xtask bench`.

#[path = "common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ndarray::{s, ArrayD, Ix2};
use ndkern_core::{reduce, Element};

const COLS: usize = 256;

fn sizes() -> Vec<usize> {
    // criterion's test mode (no `--bench`) runs each case once: keep the data tiny there.
    if std::env::args().any(|a| a == "--bench") {
        vec![1 << 16, 1 << 20, 1 << 24]
    } else {
        vec![1 << 12]
    }
}

fn matrix<T: Element>(n: usize) -> ndarray::Array2<T> {
    common::data::<T>(&[n / COLS, COLS])
        .into_dimensionality::<Ix2>()
        .expect("2-d")
}

type ReduceFn<T> = fn(&ndarray::ArrayView2<'_, T>, isize) -> ArrayD<T>;

fn family<T: Element>(c: &mut Criterion, group: &str, f: ReduceFn<T>) {
    let mut g = c.benchmark_group(group);
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for n in sizes() {
        let a = matrix::<T>(n);
        let bytes = (n * std::mem::size_of::<T>()) as u64;
        g.throughput(Throughput::Bytes(bytes));
        let v = a.view();
        g.bench_with_input(BenchmarkId::new("contig", n), &v, |b, v| {
            b.iter(|| f(black_box(v), -1))
        });
        g.bench_with_input(BenchmarkId::new("outer", n), &v, |b, v| {
            b.iter(|| f(black_box(v), 0))
        });
        let st = a.slice(s![.., ..;2]);
        g.throughput(Throughput::Bytes(bytes / 2));
        g.bench_with_input(BenchmarkId::new("strided", n), &st, |b, v| {
            b.iter(|| f(black_box(v), -1))
        });
    }
    g.finish();
}

fn reduce_sum(c: &mut Criterion) {
    family::<f32>(c, "reduce_sum_f32", |a, ax| {
        reduce::sum(a, ax).expect("valid axis")
    });
    family::<f64>(c, "reduce_sum_f64", |a, ax| {
        reduce::sum(a, ax).expect("valid axis")
    });
}

fn reduce_mean(c: &mut Criterion) {
    family::<f32>(c, "reduce_mean_f32", |a, ax| {
        reduce::mean(a, ax).expect("valid axis")
    });
}

fn reduce_var(c: &mut Criterion) {
    family::<f64>(c, "reduce_var_f64", |a, ax| {
        reduce::var(a, ax, 0).expect("valid axis")
    });
}

fn slice_sum(c: &mut Criterion) {
    let mut g = c.benchmark_group("slice_sum");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for n in sizes() {
        let x = common::data::<f32>(&[n]).into_raw_vec_and_offset().0;
        g.throughput(Throughput::Bytes((n * 4) as u64));
        g.bench_with_input(BenchmarkId::new("ndkern", n), &x, |b, x| {
            b.iter(|| ndkern_core::sum(black_box(x)))
        });
        g.bench_with_input(BenchmarkId::new("reference", n), &x, |b, x| {
            b.iter(|| ndkern_core::reference::sum(black_box(x)))
        });
        // Every other element of a twice-as-long buffer, gathered by the caller: the price
        // of a strided slice without the strided layer.
        let y = common::data::<f32>(&[2 * n]).into_raw_vec_and_offset().0;
        g.bench_with_input(BenchmarkId::new("strided_view", n), &y, |b, y| {
            b.iter(|| {
                let v = ndarray::ArrayView1::from(&y[..]);
                reduce::sum(&v.slice(s![..;2]), 0).expect("valid axis")
            })
        });
    }
    g.finish();
}

criterion_group!(benches, reduce_sum, reduce_mean, reduce_var, slice_sum);
criterion_main!(benches);
