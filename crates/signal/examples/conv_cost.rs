//! Measures the constants of the `Method::Auto` cost model (see `convolve.rs` docs):
//! nanoseconds per direct multiply-add, per FFT butterfly unit `F log2 F` (three transforms),
//! and per overlap-add block unit. Run on a quiet machine with the native build:
//! `RUSTFLAGS="-C target-cpu=native" cargo run --profile bench -p ndkern-signal --example conv_cost`.

use ndarray::Array1;
use ndkern_signal::*;
use std::time::Instant;

fn median_s(mut f: impl FnMut(), reps: usize) -> f64 {
    f();
    let mut t: Vec<f64> = (0..reps)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_secs_f64()
        })
        .collect();
    t.sort_by(|a, b| a.partial_cmp(b).unwrap());
    t[reps / 2]
}

fn main() {
    let mut cd = Vec::new();
    let mut cf = Vec::new();
    println!(
        "{:>7} {:>5} {:>10} {:>10} {:>10}  ns/MAC  ns/(3 F log2 F)",
        "s1", "s2", "direct", "fft", "oa"
    );
    for &s1 in &[1_000usize, 10_000, 100_000, 1_000_000] {
        let x = Array1::from_shape_fn(s1, |i| ((i * 7919) % 1000) as f64 / 1000.0);
        for &s2 in &[3usize, 9, 31, 101, 301, 1001] {
            if s2 * s1 > 2_000_000_000 || s2 >= s1 {
                continue;
            }
            let k = Array1::from_shape_fn(s2, |i| 1.0 / (1.0 + i as f64));
            let reps = if s1 >= 1_000_000 { 3 } else { 7 };
            let td = median_s(
                || drop(convolve(&x, &k, Mode::Full, Method::Direct, None).unwrap()),
                reps,
            );
            let tf = median_s(
                || drop(convolve(&x, &k, Mode::Full, Method::Fft, None).unwrap()),
                reps,
            );
            let to = median_s(|| drop(oaconvolve(&x, &k, Mode::Full, None).unwrap()), reps);
            let f = next_fast_len(s1 + s2 - 1, true).unwrap() as f64;
            let (a, b) = (td * 1e9 / (s1 * s2) as f64, tf * 1e9 / (3.0 * f * f.log2()));
            cd.push(a);
            cf.push(b);
            println!(
                "{s1:>7} {s2:>5} {:>8.3}ms {:>8.3}ms {:>8.3}ms  {a:.4}  {b:.4}",
                td * 1e3,
                tf * 1e3,
                to * 1e3
            );
        }
    }
    let med = |mut v: Vec<f64>| {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        v[v.len() / 2]
    };
    println!(
        "median ns per direct MAC {:.4}, per FFT unit {:.4}",
        med(cd),
        med(cf)
    );
}
