//! `cargo xtask bench [--quick] [--peers] [--native] [--simd LEVEL] [--json PATH] [FILTER...]`:
//! the benchmark table.
//!
//! 1. Builds and runs `benches/suite.rs` in the default build — what a dependent crate or the
//!    Python wheel gets, SIMD dispatched at run time — and prints the level it ran at.
//!    `--native` builds with `-C target-cpu=native` instead (in `target/native`, so the default
//!    build is not invalidated); `--simd LEVEL` runs with `NDKERN_SIMD=LEVEL` (baseline, avx2,
//!    avx512; a level the CPU lacks stops the run with an error). The suite measures the copy
//!    and read bandwidth of the machine, then times every workload (and its naive baseline)
//!    and writes `target/ndkern-bench/suite.json`.
//! 2. With `--peers`: sets up `target/bench-venv` (pinned numpy, scipy and the specialised
//!    peers from `xtask/bench/requirements.txt`, reinstalled when that file changes) and runs
//!    the `xtask/bench/peers` package, which times, on the same data with the same repetition
//!    policy, every candidate of every workload — the numpy/scipy reference idiom and the
//!    libraries a user reaches for when it is too slow (numba, numpy-groupies,
//!    fast-histogram, boost-histogram, KDEpy, scikit-learn, faiss, SimpleITK, numbagg,
//!    OpenCV) — after checking each one's result against the reference (a candidate that
//!    disagrees is rejected and listed in `peers.json`); the peer is the fastest accepted
//!    candidate. OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE are removed from its environment only.
//! 3. Joins both and prints one table: median time, GB/s, the bandwidth floor (bytes moved /
//!    measured multi-threaded copy bandwidth) as a time and as the share of it reached, the
//!    speed-up over the naive baseline and over numpy. Writes it to
//!    `target/ndkern-bench/results.{json,md}` (and to `--json PATH`).
//!
//! `--quick` keeps the sizes and cuts the repetitions (3 to 7 per measurement, 0.7 s budget):
//! a full `--quick --peers` run takes about a minute once built. FILTERs select workloads whose
//! name contains one of them.
//!
//! `--python` adds the Python door's rows (issue 14): it builds the ndkern wheel (portable,
//! release) into `target/bench-venv` and `xtask/bench/python_rows.py` times, on data of the
//! same shape, the Python call of every workload that has one — Q7's variance of a
//! (10, 10, 10, 5) stack (`q7_var_last_axis`), Q8's norm (`q8_norm_l2_axes012`), uniform 3x3
//! on 5000^2 f64 (`uniform3_2d`, and `uniform3_2d_into` with `output=`) — alternated round by
//! round with the same Rust call made from Rust in the same process
//! (`ndkern._ndkern._time_rust`), and the scipy/numpy call it replaces, after checking both
//! agree. The table gives the Rust and Python medians, the overhead (Python - Rust) in time
//! and %, the suite's own Rust median (a separate process, for reference) and the peer;
//! written to `target/ndkern-bench/python.md`. Example:
//! `cargo xtask bench --quick --python q7_var q8_norm uniform3_2d`.
//!
//! `--dask [--scale S | --quick] [CASE...]` is a separate, opt-in suite (issue 15) instead of the
//! table above: it sets up `target/bench-venv` as for `--peers` (the requirements include dask,
//! distributed, dask-image and maturin), builds the ndkern wheel (portable, release) and installs
//! it there, then runs `xtask/bench/dask_bench.py` on a `dask.distributed.LocalCluster` of 2
//! worker processes: ndkern.dask against dask-image (3-D Gaussian, 1024^3 float32 in 256^3
//! chunks), Q3 at (35, 2000, 60, 180) float32, Q1's gridding of 2e8 points into 200^3 cells
//! against dask's histogramdd — each checked for correctness on a small size first. `--scale S`
//! multiplies the linear sizes (1: the issue's; `--quick` is `--scale 0.25`); CASEs (gauss3d,
//! q3, q1) select. Writes `target/ndkern-bench/dask.{json,md}`. The full size needs most of a
//! 24 GiB machine and minutes: run it alone.

#[path = "../../../benches/common/record.rs"]
mod record;
mod table;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

use crate::{cargo, root, run};
use record::SuiteRecord;
use table::Table;

/// What the `peers` package prints: the peer per workload and the environment it ran in.
#[derive(Debug, Deserialize)]
pub struct Peers {
    pub meta: PeerMeta,
    #[serde(default)]
    pub results: BTreeMap<String, PeerResult>,
}

/// The Python side's versions and BLAS (threadpoolctl's view; a string if it failed).
#[derive(Debug, Deserialize)]
pub struct PeerMeta {
    pub python: String,
    pub numpy: String,
    #[serde(default)]
    pub scipy: Option<String>,
    #[serde(default)]
    pub skimage: Option<String>,
    #[serde(default)]
    pub cv2: Option<String>,
    #[serde(default)]
    pub blas: serde_json::Value,
    /// Versions of every peer library that was importable (numba, KDEpy, faiss, ...).
    #[serde(default)]
    pub libs: BTreeMap<String, String>,
}

/// The peer of one workload: the fastest candidate whose result agreed with the reference
/// idiom's (`idiom` starts with its library: `numba: ...`).
#[derive(Debug, Deserialize)]
pub struct PeerResult {
    pub idiom: String,
    pub median_s: f64,
    pub min_s: f64,
    /// Candidates whose result disagreed with the reference (or that raised): idiom -> why.
    #[serde(default)]
    pub rejected: BTreeMap<String, serde_json::Value>,
}

struct Opts {
    quick: bool,
    peers: bool,
    json: Option<PathBuf>,
    native: bool,
    simd: Option<String>,
    dask: bool,
    python: bool,
    scale: Option<f64>,
    filters: Vec<String>,
}

fn parse(args: &[String]) -> Result<Opts, String> {
    let mut o = Opts {
        quick: false,
        peers: false,
        json: None,
        native: false,
        simd: None,
        dask: false,
        python: false,
        scale: None,
        filters: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => o.quick = true,
            "--peers" => o.peers = true,
            "--native" => o.native = true,
            "--dask" => o.dask = true,
            "--python" => o.python = true,
            "--scale" => {
                let v = it.next().ok_or("`--scale` needs a factor (1: the full dask bench)")?;
                let f: f64 = v
                    .parse()
                    .map_err(|_| format!("`--scale {v}`: not a number"))?;
                if !(f > 0.0 && f <= 4.0) {
                    return Err(format!("`--scale {v}`: use a factor in (0, 4]"));
                }
                o.scale = Some(f);
            }
            "--simd" => {
                let l = it.next().ok_or("`--simd` needs a LEVEL (baseline, avx2, avx512)")?;
                o.simd = Some(l.clone());
            }
            "--json" => {
                let p = it.next().ok_or("`--json` needs a PATH")?;
                o.json = Some(PathBuf::from(p));
            }
            s if s.starts_with("--") => {
                return Err(format!(
                    "unknown option {s:?}; usage: cargo xtask bench [--quick] [--peers] [--python] [--native] [--simd LEVEL] [--json PATH] [FILTER...] | --dask [--scale S | --quick] [CASE...]"
                ))
            }
            s => o.filters.push(s.to_string()),
        }
    }
    Ok(o)
}

pub fn main(args: &[String]) -> Result<(), String> {
    let opts = parse(args)?;
    let out_dir = root().join("target").join("ndkern-bench");
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("cannot create {out_dir:?}: {e}"))?;
    if opts.dask {
        return dask(&opts, &out_dir);
    }
    let suite_json = out_dir.join("suite.json");
    let _ = std::fs::remove_file(&suite_json);

    let mut cmd = cargo();
    cmd.args(["bench", "-p", "ndkern", "--bench", "suite", "--"])
        .env("NDKERN_BENCH_OUT", &suite_json);
    if opts.native {
        cmd.env("RUSTFLAGS", "-C target-cpu=native")
            .env("CARGO_TARGET_DIR", root().join("target").join("native"));
    } else {
        cmd.env_remove("RUSTFLAGS");
    }
    match &opts.simd {
        Some(l) => cmd.env("NDKERN_SIMD", l),
        None => cmd.env_remove("NDKERN_SIMD"),
    };
    if opts.quick {
        cmd.arg("--quick");
    }
    cmd.args(&opts.filters);
    run(&mut cmd)?;
    let suite: SuiteRecord = serde_json::from_str(&read(&suite_json)?)
        .map_err(|e| format!("{}: {e}", suite_json.display()))?;

    let peers = if opts.peers {
        let py = venv()?;
        let mut cmd = Command::new(&py);
        cmd.arg(root().join("xtask").join("bench").join("peers"))
            .arg(&suite_json);
        match venv_cv5() {
            Some(cv5) => cmd.env("NDKERN_PEERS_CV5", cv5),
            None => cmd.env("NDKERN_PEERS_CV5", ""),
        };
        let out = cmd
            .env_remove("OPENBLAS_CORETYPE")
            .env_remove("OPENBLAS_L2_SIZE")
            .current_dir(root())
            .stderr(std::process::Stdio::inherit())
            .output()
            .map_err(|e| format!("cannot run xtask/bench/peers: {e}"))?;
        if !out.status.success() {
            return Err(format!("xtask/bench/peers failed with {}", out.status));
        }
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        std::fs::write(out_dir.join("peers.json"), &text)
            .map_err(|e| format!("cannot write peers.json: {e}"))?;
        Some(
            serde_json::from_str::<Peers>(&text)
                .map_err(|e| format!("xtask/bench/peers output: {e}"))?,
        )
    } else {
        None
    };

    let python_rows = if opts.python {
        Some(python_rows(
            &suite,
            &suite_json,
            opts.quick,
            opts.simd.as_deref(),
            &out_dir,
        )?)
    } else {
        None
    };
    let table = Table::new(suite, peers, opts.quick);
    println!("{}", table.text());
    let md = table.markdown();
    let json = table.json();
    write(&out_dir.join("results.md"), &md)?;
    write(&out_dir.join("results.json"), &json)?;
    eprintln!(
        "xtask bench: wrote {} and results.md",
        out_dir.join("results.json").display()
    );
    if let Some(p) = &opts.json {
        write(p, &json)?;
        eprintln!("xtask bench: wrote {}", p.display());
    }
    if let Some(text) = python_rows {
        println!("{text}");
    }
    let failed: Vec<&str> = table
        .rows
        .iter()
        .filter(|r| !r.w.ok)
        .map(|r| r.w.name.as_str())
        .collect();
    if !failed.is_empty() {
        return Err(format!(
            "result check failed (ndkern vs naive) for: {}",
            failed.join(", ")
        ));
    }
    Ok(())
}

/// One row of `python_rows.py`: the ndkern Python call, the same Rust call timed in the same
/// process (alternated with it), and the scipy/numpy call it replaces.
#[derive(Debug, Deserialize)]
struct PythonRow {
    call: String,
    peer: String,
    python_s: f64,
    rust_s: f64,
    paired_overhead_s: f64,
    peer_s: f64,
}

#[derive(Debug, Deserialize)]
struct PythonRows {
    meta: serde_json::Value,
    results: BTreeMap<String, PythonRow>,
}

/// `--python`: the wheel (portable, release) into the bench venv, then `python_rows.py`
/// times the Python calls of the workloads that have one (Q7's small variance, Q8's norm,
/// uniform 3x3 on 5000^2 with a new and with a given output) alternated round by round with
/// the same Rust call made from Rust in the same process: the overhead of the Python door,
/// next to the scipy/numpy call. Returns the table (also written to `python.md`).
fn python_rows(
    suite: &SuiteRecord,
    suite_json: &Path,
    quick: bool,
    simd: Option<&str>,
    out_dir: &Path,
) -> Result<String, String> {
    let py = venv()?;
    crate::python::install_wheel(&py, &root().join("target").join("bench-wheels"))?;
    let mut cmd = Command::new(&py);
    // the suite's level (`--simd`), so both sides run the same kernels
    match simd {
        Some(l) => cmd.env("NDKERN_SIMD", l),
        None => cmd.env_remove("NDKERN_SIMD"),
    };
    let out = cmd
        .arg(root().join("xtask").join("bench").join("python_rows.py"))
        .arg(suite_json)
        .arg(if quick { "quick" } else { "full" })
        .current_dir(root())
        .env_remove("OPENBLAS_CORETYPE")
        .env_remove("OPENBLAS_L2_SIZE")
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run python_rows.py: {e}"))?;
    if !out.status.success() {
        return Err(format!("python_rows.py failed with {}", out.status));
    }
    let rows: PythonRows =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("python_rows.py output: {e}"))?;
    let mut text = format!(
        "Python door (level {}, {}): the ndkern Python call vs the same Rust call, alternated \
         in one process (medians over rounds; overhead = Python - Rust; paired: median of the \
         per-round differences; suite: this run's Rust row, a separate process)\n\n\
         | workload | Rust | Python | overhead | overhead % | paired | suite Rust | peer | peer time | Python vs peer |\n\
         |---|---|---|---|---|---|---|---|---|---|\n",
        suite.simd_level, rows.meta
    );
    let us = |s: f64| {
        if s.abs() >= 1e-3 {
            format!("{:.2} ms", s * 1e3)
        } else {
            format!("{:.2} us", s * 1e6)
        }
    };
    for w in &suite.workloads {
        let Some(r) = rows.results.get(&w.name) else {
            continue;
        };
        let over = r.python_s - r.rust_s;
        text += &format!(
            "| {} (`{}`) | {} | {} | {} | {:+.1}% | {} | {} | `{}` | {} | {:.1}x faster |\n",
            w.name,
            r.call,
            us(r.rust_s),
            us(r.python_s),
            us(over),
            100.0 * over / r.rust_s,
            us(r.paired_overhead_s),
            us(w.median_s),
            r.peer,
            us(r.peer_s),
            r.peer_s / r.python_s,
        );
    }
    write(&out_dir.join("python.md"), &text)?;
    Ok(text)
}

/// `--dask`: the ndkern wheel into the bench venv, then `dask_bench.py`.
fn dask(opts: &Opts, out_dir: &Path) -> Result<(), String> {
    let py = venv()?;
    crate::python::install_wheel(&py, &root().join("target").join("bench-wheels"))?;
    let scale = opts.scale.unwrap_or(if opts.quick { 0.25 } else { 1.0 });
    let json = out_dir.join("dask.json");
    let out = Command::new(&py)
        .arg(root().join("xtask").join("bench").join("dask_bench.py"))
        .arg("--scale")
        .arg(scale.to_string())
        .arg("--out")
        .arg(&json)
        .args(&opts.filters)
        .current_dir(root())
        .env_remove("OPENBLAS_CORETYPE")
        .env_remove("OPENBLAS_L2_SIZE")
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run dask_bench.py: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    println!("{text}");
    write(&out_dir.join("dask.md"), &text)?;
    if !out.status.success() {
        return Err(format!("dask_bench.py failed with {}", out.status));
    }
    eprintln!("xtask bench --dask: wrote {} and dask.md", json.display());
    Ok(())
}

fn read(p: &Path) -> Result<String, String> {
    std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))
}

fn write(p: &Path, s: &str) -> Result<(), String> {
    if let Some(d) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(d).map_err(|e| format!("cannot create {}: {e}", d.display()))?;
    }
    std::fs::write(p, s).map_err(|e| format!("cannot write {}: {e}", p.display()))
}

/// The venv's python, created and (re)installed from requirements.txt when that changed.
fn venv() -> Result<PathBuf, String> {
    venv_at("bench-venv", "requirements.txt")
}

/// OpenCV 5 next to the bench venv's pinned 4.x: its own venv (numpy + OpenCV 5 from
/// `requirements-cv5.txt`), run by the peers' OpenCV worker. Optional: if it cannot be set
/// up, the peers run without it (said on stderr).
fn venv_cv5() -> Option<PathBuf> {
    match venv_at("bench-venv-cv5", "requirements-cv5.txt") {
        Ok(p) => Some(p),
        Err(e) => {
            eprintln!("xtask bench: no OpenCV 5 peer ({e})");
            None
        }
    }
}

/// `target/NAME`'s python, created and (re)installed from `xtask/bench/REQ` when it changed.
fn venv_at(name: &str, req: &str) -> Result<PathBuf, String> {
    let dir = root().join("target").join(name);
    let py = dir.join("bin").join("python");
    let req = root().join("xtask").join("bench").join(req);
    let want = read(&req)?;
    let stamp = dir.join("requirements.installed");
    if !py.exists() {
        run(Command::new("python3").arg("-m").arg("venv").arg(&dir))?;
    }
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(want.as_str()) {
        run(Command::new(&py)
            .args(["-m", "pip", "install", "--quiet", "-r"])
            .arg(&req))?;
        write(&stamp, &want)?;
    }
    Ok(py)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options() {
        let a = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let o = parse(&a(&["--quick", "--json", "x.json", "var"])).unwrap();
        assert!(o.quick && !o.peers && o.json.is_some() && o.filters == ["var"]);
        assert!(parse(&a(&["--json"])).is_err());
        assert!(parse(&a(&["--bogus"])).is_err());
        let o = parse(&a(&["--python", "--quick", "q7_var"])).unwrap();
        assert!(o.python && o.quick && !o.dask && o.filters == ["q7_var"]);
        let o = parse(&a(&["--dask", "--scale", "0.125", "q1"])).unwrap();
        assert!(o.dask && o.scale == Some(0.125) && o.filters == ["q1"]);
        assert!(parse(&a(&["--dask", "--scale", "x"])).is_err());
        assert!(parse(&a(&["--dask", "--scale", "0"])).is_err());
        assert!(parse(&a(&["--scale"])).is_err());
    }

    #[test]
    fn peers_output_parses() {
        let text = r#"{"meta": {"python": "3.11.7", "numpy": "2.4.6", "blas": "no threadpoolctl"},
                       "results": {"w": {"idiom": "a.sum()", "median_s": 0.5, "min_s": 0.4,
                                         "reps": 3, "iters": 1, "candidates": {}}}}"#;
        let p: Peers = serde_json::from_str(text).unwrap();
        assert_eq!(p.results["w"].idiom, "a.sum()");
        assert!(p.meta.scipy.is_none() && p.meta.libs.is_empty());
        assert!(p.results["w"].rejected.is_empty());
        let text = r#"{"meta": {"python": "3.11.7", "numpy": "2.4.6", "libs": {"numba": "0.68.1"}},
                       "results": {"w": {"idiom": "numba: loop", "median_s": 0.5, "min_s": 0.4,
                                         "rejected": {"KDEpy: x": {"reason": "max error 0.2"}}}}}"#;
        let p: Peers = serde_json::from_str(text).unwrap();
        assert_eq!(p.meta.libs["numba"], "0.68.1");
        assert_eq!(p.results["w"].rejected.len(), 1);
    }
}
