//! The joined benchmark table: the suite's measurements, numpy's, and the derived figures,
//! as aligned text, Markdown and JSON.

use std::fmt::Write as _;

use super::record::{SuiteRecord, WorkloadRecord};
use super::Peers;

/// One joined row of the table: the suite's measurement and the peer's (idiom, median, min),
/// with the peer candidates rejected for disagreeing with the reference.
pub struct Row {
    pub w: WorkloadRecord,
    pub numpy: Option<(String, f64, f64)>,
    pub rejected: Vec<String>,
}

/// The joined table, printable as text, Markdown and JSON.
pub struct Table {
    header: Vec<String>,
    mode: String,
    numpy_meta: Option<String>,
    pub rows: Vec<Row>,
    suite: SuiteRecord,
}

fn fmt_time(s: f64) -> String {
    if !s.is_finite() {
        "-".into()
    } else if s >= 1.0 {
        format!("{s:.3} s")
    } else if s >= 1e-3 {
        format!("{:.3} ms", s * 1e3)
    } else if s >= 1e-6 {
        format!("{:.3} us", s * 1e6)
    } else {
        format!("{:.1} ns", s * 1e9)
    }
}

fn fmt_ratio(x: f64) -> String {
    if !x.is_finite() {
        "-".into()
    } else if x >= 100.0 {
        format!("{x:.0}x")
    } else if x >= 10.0 {
        format!("{x:.1}x")
    } else {
        format!("{x:.2}x")
    }
}

impl Table {
    pub fn new(suite: SuiteRecord, peers: Option<Peers>, quick: bool) -> Table {
        let numpy_meta = peers.as_ref().map(|p| {
            let m = &p.meta;
            let mut t = format!(
                "numpy {} (scipy {}, scikit-image {}, OpenCV {}), Python {}",
                m.numpy,
                m.scipy.as_deref().unwrap_or("-"),
                m.skimage.as_deref().unwrap_or("-"),
                m.cv2.as_deref().unwrap_or("-"),
                m.python
            );
            let others: Vec<String> = m
                .libs
                .iter()
                .filter(|(k, _)| !matches!(k.as_str(), "scipy" | "skimage" | "cv2"))
                .map(|(k, v)| format!("{k} {v}"))
                .collect();
            if !others.is_empty() {
                let _ = write!(t, "; {}", others.join(", "));
            }
            for lib in m.blas.as_array().into_iter().flatten() {
                let f = |k: &str| {
                    lib.get(k)
                        .map_or("?".into(), |v| v.to_string().replace('"', ""))
                };
                let _ = write!(
                    t,
                    "; {} {} ({}, {} threads)",
                    f("internal_api"),
                    f("version"),
                    f("architecture"),
                    f("num_threads")
                );
            }
            t
        });
        let mut rows = Vec::new();
        for w in suite.workloads.iter() {
            let peer = peers.as_ref().and_then(|p| p.results.get(&w.name));
            let numpy = peer.map(|r| (r.idiom.clone(), r.median_s, r.min_s));
            let rejected = peer.map_or(Vec::new(), |r| r.rejected.keys().cloned().collect());
            rows.push(Row {
                w: w.clone(),
                numpy,
                rejected,
            });
        }
        let mut header = vec![
            "workload",
            "ndkern call",
            "size",
            "median",
            "GB/s",
            "floor",
            "of bw",
            "vs naive",
        ];
        if peers.is_some() {
            header.extend(["peer", "vs peer", "peer idiom (best)"]);
        }
        if rows.iter().any(|r| r.w.flops.is_some()) {
            header.insert(5, "GFLOP/s");
        }
        Table {
            header: header.into_iter().map(String::from).collect(),
            mode: if quick { "quick" } else { "full" }.into(),
            numpy_meta,
            rows,
            suite,
        }
    }

    fn cells(&self, r: &Row) -> Vec<String> {
        let floor = r.w.bytes / self.suite.copy_bw_multi;
        let mut c = vec![
            r.w.name.clone(),
            r.w.kernel.clone(),
            r.w.size.clone(),
            if r.w.ok {
                fmt_time(r.w.median_s)
            } else {
                format!("{} CHECK FAILED", fmt_time(r.w.median_s))
            },
            format!("{:.2}", r.w.bytes / r.w.median_s / 1e9),
            fmt_time(floor),
            format!("{:.0}%", 100.0 * floor / r.w.median_s),
            fmt_ratio(r.w.naive_median_s / r.w.median_s),
        ];
        if self.header.iter().any(|h| h == "GFLOP/s") {
            let g =
                r.w.flops
                    .map_or("-".into(), |f| format!("{:.2}", f / r.w.median_s / 1e9));
            c.insert(5, g);
        }
        if self.header.iter().any(|h| h == "peer") {
            match &r.numpy {
                Some((idiom, med, _)) => {
                    c.push(fmt_time(*med));
                    c.push(fmt_ratio(med / r.w.median_s));
                    c.push(idiom.clone());
                }
                None => c.extend(["-".to_string(), "-".into(), "(no peer)".into()]),
            }
        }
        c
    }

    fn preamble(&self) -> Vec<String> {
        let mut p = vec![
            format!(
                "ndkern bench: {} run ({}), {} build [compile-time features: {}], SIMD level {}, {} threads, load average at start {}",
                self.mode,
                if self.mode == "quick" {
                    "full sizes, 3-7 repetitions per median"
                } else {
                    "full sizes, 10+ repetitions and >= 3 s per median"
                },
                if self.suite.target_features.iter().any(|f| f != "baseline") {
                    "native"
                } else {
                    "default"
                },
                self.suite.target_features.join(" "),
                self.suite.simd_level,
                self.suite.threads,
                self.suite.loadavg
            ),
            format!(
                "copy bandwidth (best sample; read+write bytes of a {} MiB copy): {:.1} GB/s on {} threads, {:.1} GB/s on 1; read-only: {:.1} GB/s on {} threads, {:.1} GB/s on 1",
                self.suite.bw_buffer_bytes as f64 / 1048576.0,
                self.suite.copy_bw_multi / 1e9,
                self.suite.threads,
                self.suite.copy_bw_single / 1e9,
                self.suite.read_bw_multi / 1e9,
                self.suite.threads,
                self.suite.read_bw_single / 1e9
            ),
            format!(
                "floor = bytes moved (input read + output written) / {:.1} GB/s ({}-thread copy); of bw = floor / median; \
                 vs naive, vs peer = their median / ndkern's (higher: ndkern faster); naive = single-threaded scalar f64 loops",
                self.suite.copy_bw_multi / 1e9,
                self.suite.threads
            ),
        ];
        if let Some(m) = &self.numpy_meta {
            p.push(format!(
                "peers: {m}; OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset for them; the peer is the \
                 fastest candidate whose result agreed with the row's numpy/scipy reference"
            ));
            let rejected: usize = self.rows.iter().map(|r| r.rejected.len()).sum();
            if rejected > 0 {
                p.push(format!(
                    "peer candidates rejected (result disagreed with the reference; why and their times in peers.json): {}",
                    self.rows
                        .iter()
                        .flat_map(|r| r.rejected.iter().map(move |c| format!("{} `{c}`", r.w.name)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        p
    }

    pub fn text(&self) -> String {
        let body: Vec<Vec<String>> = self.rows.iter().map(|r| self.cells(r)).collect();
        let ncol = self.header.len();
        let width: Vec<usize> = (0..ncol)
            .map(|i| {
                body.iter()
                    .map(|r| r[i].chars().count())
                    .chain([self.header[i].chars().count()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        // Text columns left-aligned, numbers right-aligned.
        let left = |h: &str| matches!(h, "workload" | "ndkern call" | "size" | "peer idiom (best)");
        let line = |cells: &[String]| -> String {
            let parts: Vec<String> = cells
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    if left(&self.header[i]) {
                        format!("{c:<w$}", w = width[i])
                    } else {
                        format!("{c:>w$}", w = width[i])
                    }
                })
                .collect();
            parts.join("  ").trim_end().to_string()
        };
        let mut t = self.preamble().join("\n");
        t.push_str("\n\n");
        t.push_str(&line(&self.header));
        t.push('\n');
        let rule: Vec<String> = width.iter().map(|&w| "-".repeat(w)).collect();
        t.push_str(&rule.join("  "));
        for r in &body {
            t.push('\n');
            t.push_str(&line(r));
        }
        t
    }

    pub fn markdown(&self) -> String {
        let mut t = String::from("# ndkern benchmark results\n\n");
        for p in self.preamble() {
            let _ = writeln!(t, "- {p}");
        }
        t.push('\n');
        let _ = writeln!(t, "| {} |", self.header.join(" | "));
        let align: Vec<&str> = self
            .header
            .iter()
            .map(|h| {
                if matches!(
                    h.as_str(),
                    "workload" | "ndkern call" | "size" | "peer idiom (best)"
                ) {
                    "---"
                } else {
                    "---:"
                }
            })
            .collect();
        let _ = writeln!(t, "|{}|", align.join("|"));
        for r in &self.rows {
            let c: Vec<String> = self
                .cells(r)
                .into_iter()
                .enumerate()
                .map(|(i, c)| {
                    if matches!(self.header[i].as_str(), "ndkern call" | "peer idiom (best)") {
                        format!("`{c}`")
                    } else {
                        c
                    }
                })
                .collect();
            let _ = writeln!(t, "| {} |", c.join(" | ").replace("`(no peer)`", "-"));
        }
        t
    }

    /// The table as JSON: the run's environment and one object per row with the derived
    /// figures (GB/s, floor, ratios) next to the raw medians.
    pub fn json(&self) -> String {
        let s = &self.suite;
        let rows: Vec<serde_json::Value> = self
            .rows
            .iter()
            .map(|r| {
                let w = &r.w;
                let floor = w.bytes / s.copy_bw_multi;
                serde_json::json!({
                    "workload": w.name, "call": w.kernel, "size": w.size,
                    "bytes": w.bytes, "flops": w.flops,
                    "median_s": w.median_s, "min_s": w.min_s,
                    "gb_per_s": w.bytes / w.median_s / 1e9,
                    "floor_s": floor, "floor_fraction": floor / w.median_s,
                    "naive_median_s": w.naive_median_s,
                    "speedup_vs_naive": w.naive_median_s / w.median_s,
                    "numpy_idiom": r.numpy.as_ref().map(|n| &n.0),
                    "numpy_median_s": r.numpy.as_ref().map(|n| n.1),
                    "numpy_min_s": r.numpy.as_ref().map(|n| n.2),
                    "speedup_vs_numpy": r.numpy.as_ref().map(|n| n.1 / w.median_s),
                    "peer_rejected": r.rejected,
                    "check_ok": w.ok, "max_rel_err": w.max_rel_err,
                })
            })
            .collect();
        let doc = serde_json::json!({
            "mode": self.mode, "threads": s.threads, "target_features": s.target_features,
            "loadavg": s.loadavg,
            "copy_bw_multi_bytes_per_s": s.copy_bw_multi,
            "copy_bw_single_bytes_per_s": s.copy_bw_single,
            "read_bw_multi_bytes_per_s": s.read_bw_multi,
            "read_bw_single_bytes_per_s": s.read_bw_single,
            "floor_bandwidth": "copy_bw_multi_bytes_per_s",
            "peers": self.numpy_meta,
            "rows": rows,
        });
        serde_json::to_string_pretty(&doc).expect("JSON values serialize") + "\n"
    }
}
