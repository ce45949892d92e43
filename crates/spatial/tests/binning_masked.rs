//! `histogram_masked` (Q5) against the naive oracle: the branch-free uniform-bin kernel with
//! its discard bin, the interleaved counters of few-bin histograms, the private per-thread
//! tables (inputs above the parallel threshold, lengths that are not multiples of the block or
//! of the counter interleave), for `f64` and `f32`, with NaN, ±inf, values outside the range,
//! values on the edges and runs of one value (the case the interleaved counters exist for).

use ndarray::Array1;
use ndkern_core::testing::Rng;
use ndkern_core::Element;
use ndkern_spatial::binning::{histogram_masked, reference, AxisBins};

/// numpy `np.histogram(a[mask], bins)` counts by a linear scan of the edges.
fn naive(a: &[f64], m: &[bool], edges: &[f64]) -> Vec<f64> {
    let mut h = vec![0.0; edges.len() - 1];
    for (&x, &keep) in a.iter().zip(m) {
        if keep {
            if let Some(i) = reference::bin_index(edges, x) {
                h[i] += 1.0;
            }
        }
    }
    h
}

/// `n` hostile values for bins over `[lo, hi]`: mostly uniform, some exactly on edges, some
/// outside, NaN and ±inf, and runs of one value.
fn values(n: usize, lo: f64, hi: f64, edges: &[f64], seed: u64) -> Vec<f64> {
    let mut r = Rng::new(seed);
    let mut v = Vec::with_capacity(n);
    while v.len() < n {
        match r.below(20) {
            0 => v.push(edges[r.below(edges.len())]),
            1 => v.push(r.uniform(lo - (hi - lo), hi + (hi - lo))),
            2 => v.push([f64::NAN, f64::INFINITY, f64::NEG_INFINITY, hi, lo][r.below(5)]),
            3 => {
                // A flat region: one value many times.
                let x = r.uniform(lo, hi);
                v.extend(std::iter::repeat_n(x, 1 + r.below(300)));
            }
            _ => v.push(r.uniform(lo, hi)),
        }
    }
    v.truncate(n);
    v
}

fn check<T: Element>(n: usize, bins: usize, lo: f64, hi: f64, seed: u64) {
    let b = AxisBins::uniform(lo, hi, bins).unwrap();
    let edges = b.edges_vec();
    // Round to T first so that the oracle sees the values the kernel sees.
    let a: Vec<T> = values(n, lo, hi, &edges, seed)
        .into_iter()
        .map(T::of_f64)
        .collect();
    let wide: Vec<f64> = a.iter().map(|x| x.as_f64()).collect();
    let mut r = Rng::new(seed + 1);
    let m: Vec<bool> = (0..n).map(|_| r.below(10) < 7).collect();
    let got = histogram_masked(&Array1::from(a), &Array1::from(m.clone()), &b).unwrap();
    let want = naive(&wide, &m, &edges);
    assert_eq!(
        got.to_vec(),
        want,
        "{} n={n} bins={bins} range=({lo}, {hi})",
        T::DTYPE
    );
}

#[test]
fn few_bins_parallel_matches_naive() {
    // Above the parallel threshold (2^16), 200 bins: the interleaved counters.
    check::<f64>(300_003, 200, 1.0, 2.0, 1);
    check::<f32>(300_001, 200, 1.0, 2.0, 2);
    check::<f64>(100_002, 7, -3.5, 1e3, 3);
}

#[test]
fn many_bins_matches_naive() {
    // More bins than the interleaved counters take (4096): one counter per bin.
    check::<f64>(70_001, 5000, 0.0, 1.0, 4);
    check::<f32>(70_003, 4097, -1.0, 1.0, 5);
}

#[test]
fn short_inputs_match_naive() {
    for n in [0, 1, 3, 4, 5, 1023, 1025] {
        check::<f64>(n, 10, 0.0, 1.0, 10 + n as u64);
        check::<f32>(n, 3, 0.0, 1.0, 20 + n as u64);
    }
}

#[test]
fn all_masked_out_or_all_in() {
    let b = AxisBins::uniform(0.0, 1.0, 4).unwrap();
    let a = Array1::from_elem(100_000, 0.3);
    let none = histogram_masked(&a, &Array1::from_elem(100_000, false), &b).unwrap();
    assert_eq!(none.to_vec(), vec![0.0; 4]);
    // One value 10^5 times: all in bin 1 (the interleaved counters add up).
    let all = histogram_masked(&a, &Array1::from_elem(100_000, true), &b).unwrap();
    assert_eq!(all.to_vec(), vec![0.0, 100_000.0, 0.0, 0.0]);
}
