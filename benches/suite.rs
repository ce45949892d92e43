//! The benchmark suite behind `cargo xtask bench`: a `harness = false` binary with its own
//! median timer, so one run yields one table of medians that xtask joins with numpy's.
//!
//! * `cargo bench --bench suite -- [--quick] [FILTER...]` (cargo adds `--bench`): measures the
//!   machine's copy and read bandwidth, then every workload of `common::workloads()` whose
//!   name contains a FILTER: the ndkern call and its naive baseline, each checked against the
//!   other first. Progress goes to stderr; with `NDKERN_BENCH_OUT=path` the results are
//!   written there as JSON (xtask reads it, runs the numpy peers and prints the table).
//!   `--fast-only` times the ndkern call alone (the naive baseline still runs once, for the
//!   check; its median is recorded as missing): for profiling a row with `perf record`.
//! * `cargo test --all-targets` runs this binary without `--bench`: a smoke run on tiny
//!   shapes, one repetition, every workload checked against its naive baseline. It fails (and
//!   exits non-zero) if any check fails, so the smoke run is a real test, and takes well
//!   under a second.
//!
//! Timing: one call first (warm-up, and the check), then a calibration call that sets how many
//! calls make one sample (at least `min_sample`, so microsecond workloads are not timer
//! noise), then samples until both `min_reps` and the time budget are reached (or
//! `max_reps`). Median and minimum per call are reported; medians are what to quote on a
//! shared 2-core machine, where absolute times drift.

#[path = "common/mod.rs"]
mod common;
#[path = "common/record.rs"]
mod record;

use std::hint::black_box;
use std::time::{Duration, Instant};

use common::{rel_err, size_label, workloads};
use rayon::prelude::*;
use record::{SuiteRecord, WorkloadRecord};

/// How hard to measure.
#[derive(Clone, Copy, Debug)]
struct Cfg {
    name: &'static str,
    min_reps: usize,
    max_reps: usize,
    budget: Duration,
    min_sample: Duration,
    /// Bytes of each buffer of the bandwidth probes.
    bw_bytes: usize,
    smoke: bool,
}

const SMOKE: Cfg = Cfg {
    name: "smoke",
    min_reps: 1,
    max_reps: 1,
    budget: Duration::ZERO,
    min_sample: Duration::ZERO,
    bw_bytes: 1 << 20,
    smoke: true,
};
const QUICK: Cfg = Cfg {
    name: "quick",
    min_reps: 3,
    max_reps: 7,
    budget: Duration::from_millis(700),
    min_sample: Duration::from_millis(5),
    bw_bytes: 256 << 20,
    smoke: false,
};
const FULL: Cfg = Cfg {
    name: "full",
    min_reps: 10,
    max_reps: 200,
    budget: Duration::from_secs(3),
    min_sample: Duration::from_millis(20),
    bw_bytes: 512 << 20,
    smoke: false,
};

/// Per-call times of one measurement.
#[derive(Clone, Copy, Debug)]
struct Stats {
    median: f64,
    min: f64,
    reps: usize,
    iters: usize,
}

/// Times `f` per [`Cfg`] (the caller has already run it once as a warm-up).
fn measure<R>(cfg: &Cfg, mut f: impl FnMut() -> R) -> Stats {
    let iters = if cfg.smoke {
        1
    } else {
        let t = Instant::now();
        black_box(f());
        let one = t.elapsed().as_secs_f64().max(1e-9);
        ((cfg.min_sample.as_secs_f64() / one).ceil() as usize).clamp(1, 1 << 20)
    };
    let mut samples = Vec::new();
    let start = Instant::now();
    while samples.len() < cfg.min_reps
        || (samples.len() < cfg.max_reps && start.elapsed() < cfg.budget)
    {
        let t = Instant::now();
        for _ in 0..iters {
            black_box(f());
        }
        samples.push(t.elapsed().as_secs_f64() / iters as f64);
    }
    samples.sort_by(f64::total_cmp);
    let k = samples.len();
    let median = if k % 2 == 1 {
        samples[k / 2]
    } else {
        0.5 * (samples[k / 2 - 1] + samples[k / 2])
    };
    Stats {
        median,
        min: samples[0],
        reps: k,
        iters,
    }
}

/// Copy and read bandwidth in bytes/s, best sample: (copy on all threads, copy on one, read on
/// all, read on one). Copy counts read + write bytes (2x the buffer), read counts it once.
fn bandwidth(cfg: &Cfg) -> [f64; 4] {
    let n = cfg.bw_bytes / 8;
    let src: Vec<u64> = (0..n as u64).collect();
    let mut dst = vec![0u64; n];
    let chunk = n.div_ceil(rayon::current_num_threads() * 4).max(1);
    let copy_mt = |dst: &mut [u64]| {
        dst.par_chunks_mut(chunk)
            .zip(src.par_chunks(chunk))
            .for_each(|(d, s)| d.copy_from_slice(s));
    };
    let read = |x: &[u64]| -> u64 {
        // Eight independent wrapping adds: the compiler vectorizes them, so this is bound by
        // memory, not by the add chain.
        let mut acc = [0u64; 8];
        let mut c = x.chunks_exact(8);
        for v in &mut c {
            let v: &[u64; 8] = v.try_into().expect("chunks of 8");
            for (a, &x) in acc.iter_mut().zip(v) {
                *a = a.wrapping_add(x);
            }
        }
        acc.iter()
            .chain(c.remainder())
            .fold(0u64, |a, &b| a.wrapping_add(b))
    };
    let read_mt = |x: &[u64]| -> u64 {
        x.par_chunks(chunk)
            .map(read)
            .reduce(|| 0, u64::wrapping_add)
    };
    copy_mt(&mut dst); // warm-up: faults the destination in
    let b = cfg.bw_bytes as f64;
    let c_mt = measure(cfg, || copy_mt(&mut dst));
    let c_st = measure(cfg, || dst.copy_from_slice(&src));
    assert_eq!(dst[n - 1], (n - 1) as u64, "copy probe copied");
    assert_eq!(read_mt(&src), read(&src), "read probes agree");
    let r_mt = measure(cfg, || read_mt(&src));
    let r_st = measure(cfg, || read(&src));
    // The best sample, not the median: the floor is what the hardware can do, and on a
    // shared machine a neighbour's build only ever makes a sample slower.
    [
        2.0 * b / c_mt.min,
        2.0 * b / c_st.min,
        b / r_mt.min,
        b / r_st.min,
    ]
}

fn target_features() -> Vec<String> {
    let mut f = Vec::new();
    if cfg!(target_feature = "avx512f") {
        f.push("avx512f");
    }
    if cfg!(target_feature = "avx2") {
        f.push("avx2");
    }
    if cfg!(target_feature = "fma") {
        f.push("fma");
    }
    if f.is_empty() {
        f.push("baseline");
    }
    f.into_iter().map(String::from).collect()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let bench = args.iter().any(|a| a == "--bench");
    let cfg = if !bench {
        SMOKE
    } else if args.iter().any(|a| a == "--quick") {
        QUICK
    } else {
        FULL
    };
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let fast_only = args.iter().any(|a| a == "--fast-only");
    // NDKERN_SIMD asking for an unknown level or one this CPU lacks stops the run: a silent
    // fallback would put the wrong level's figures in the table.
    if let Err(e) = ndkern::core::simd::level_from_env() {
        eprintln!("suite: {e}");
        std::process::exit(2);
    }
    let simd_level = ndkern::core::simd::level().name().to_string();
    let threads = rayon::current_num_threads();
    let loadavg = std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    eprintln!(
        "suite: {} run, {threads} threads, SIMD level {simd_level} (detected {}), compile-time features {:?}, load average {loadavg}",
        cfg.name,
        ndkern::core::simd::detected(),
        target_features()
    );

    let [c_mt, c_st, r_mt, r_st] = bandwidth(&cfg);
    eprintln!(
        "suite: copy bandwidth {:.1} GB/s ({threads} threads), {:.1} GB/s (1 thread); \
         read {:.1} / {:.1} GB/s (best samples; read+write bytes of a {} MiB copy; floors use the {threads}-thread copy)",
        c_mt / 1e9,
        c_st / 1e9,
        r_mt / 1e9,
        r_st / 1e9,
        cfg.bw_bytes >> 20
    );

    let mut rows = Vec::new();
    let (mut passed, mut failed) = (0usize, 0usize);
    for w in workloads() {
        if !filters.is_empty() && !filters.iter().any(|f| w.name.contains(f.as_str())) {
            continue;
        }
        let shape = if cfg.smoke { w.smoke_shape } else { w.shape };
        let t_build = Instant::now();
        let case = (w.build)(shape);
        let build_s = t_build.elapsed().as_secs_f64();
        // The first calls are the warm-up and the check.
        let err = rel_err(&(case.fast)(), &(case.naive)());
        let ok = err <= case.tol;
        if ok {
            passed += 1;
        } else {
            failed += 1;
            eprintln!(
                "suite: CHECK FAILED {}: max relative error {err:e} > {:e}",
                w.name, case.tol
            );
        }
        let fast = measure(&cfg, || (case.fast)());
        let naive = if fast_only {
            Stats {
                median: f64::NAN,
                min: f64::NAN,
                reps: 0,
                iters: 0,
            }
        } else {
            measure(&cfg, || (case.naive)())
        };
        let size = size_label(shape, w.dtype);
        eprintln!(
            "suite: {:<20} {:<22} median {:>10.3} ms  min {:>10.3} ms  {:>7.2} GB/s  naive/ndkern {:>6.2}x  (reps {} x {}, data {:.1} s, err {err:.1e})",
            w.name,
            size,
            fast.median * 1e3,
            fast.min * 1e3,
            case.bytes as f64 / fast.median / 1e9,
            naive.median / fast.median,
            fast.reps,
            fast.iters,
            build_s
        );
        rows.push(WorkloadRecord {
            name: w.name.into(),
            kernel: w.kernel.into(),
            size,
            shape: shape.to_vec(),
            dtype: w.dtype.numpy().into(),
            axes: w.axes.map(<[usize]>::to_vec),
            peer: w.peer.map(String::from),
            bytes: case.bytes as f64,
            flops: case.flops.map(|f| f as f64),
            median_s: fast.median,
            min_s: fast.min,
            reps: fast.reps,
            iters: fast.iters,
            naive_median_s: naive.median,
            naive_min_s: naive.min,
            max_rel_err: err.is_finite().then_some(err),
            ok,
        });
    }

    if let Ok(path) = std::env::var("NDKERN_BENCH_OUT") {
        let record = SuiteRecord {
            mode: cfg.name.into(),
            threads,
            target_features: target_features(),
            simd_level,
            loadavg,
            bw_buffer_bytes: cfg.bw_bytes,
            copy_bw_multi: c_mt,
            copy_bw_single: c_st,
            read_bw_multi: r_mt,
            read_bw_single: r_st,
            workloads: rows,
        };
        let json = serde_json::to_string_pretty(&record).expect("the record serializes");
        if let Some(dir) = std::path::Path::new(&path).parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        std::fs::write(&path, json).unwrap_or_else(|e| panic!("cannot write {path}: {e}"));
        eprintln!("suite: wrote {path}");
    }

    eprintln!("suite: {} run done", cfg.name);
    println!("suite: {passed} passed, {failed} failed");
    if cfg.smoke && failed > 0 {
        std::process::exit(1);
    }
}
