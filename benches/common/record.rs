//! The suite's output record: written by `benches/suite.rs` as JSON, read by
//! `cargo xtask bench` (xtask includes this file with `#[path]`, so the schema is defined once).
//! the `xtask/bench/peers/` package reads the same file for the workloads' shapes and peers.

use serde::{Deserialize, Serialize};

/// One run of the suite.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SuiteRecord {
    /// `smoke`, `quick` or `full`.
    pub mode: String,
    pub threads: usize,
    pub target_features: Vec<String>,
    /// The SIMD level the kernels were dispatched to (`ndkern_core::simd::level()`).
    #[serde(default)]
    pub simd_level: String,
    /// `/proc/loadavg` at the start: the 1, 5 and 15 minute averages.
    pub loadavg: String,
    /// Bytes of each buffer of the bandwidth probes.
    pub bw_buffer_bytes: usize,
    /// Best-sample bandwidths in bytes/s; copy counts read + write bytes.
    pub copy_bw_multi: f64,
    pub copy_bw_single: f64,
    pub read_bw_multi: f64,
    pub read_bw_single: f64,
    pub workloads: Vec<WorkloadRecord>,
}

/// One measured workload.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WorkloadRecord {
    pub name: String,
    /// The ndkern call, as a user would write it.
    pub kernel: String,
    /// Shape and dtype, e.g. `(4000, 4000) f32`.
    pub size: String,
    pub shape: Vec<usize>,
    /// numpy's dtype name.
    pub dtype: String,
    /// Reduced axes, where the workload has them (the peers package passes them to numpy).
    pub axes: Option<Vec<usize>>,
    /// The numpy idiom's key in the peers package's family tables table.
    pub peer: Option<String>,
    /// Bytes the kernel must move (input read + output written).
    pub bytes: f64,
    pub flops: Option<f64>,
    pub median_s: f64,
    pub min_s: f64,
    pub reps: usize,
    pub iters: usize,
    pub naive_median_s: f64,
    pub naive_min_s: f64,
    /// Max relative error against the naive baseline; `None` if it was not finite.
    pub max_rel_err: Option<f64>,
    /// Whether that error was within the workload's tolerance.
    pub ok: bool,
}
