//! `cargo xtask bench [--quick] [--peers] [--json PATH] [FILTER...]`: the benchmark table.
//!
//! 1. Builds and runs `benches/suite.rs` with native flags (`-C target-cpu=native`, in
//!    `target/native` so the default build is not invalidated). The suite measures the copy
//!    and read bandwidth of the machine, then times every workload (and its naive baseline)
//!    and writes `target/ndkern-bench/suite.json`.
//! 2. With `--peers`: sets up `target/bench-venv` (pinned numpy + scipy from
//!    `xtask/bench/requirements.txt`, reinstalled when that file changes) and runs
//!    `xtask/bench/peers.py`, which times the best numpy idiom of every workload on the same
//!    data with the same repetition policy, with OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE removed
//!    from its environment only.
//! 3. Joins both and prints one table: median time, GB/s, the bandwidth floor (bytes moved /
//!    measured multi-threaded copy bandwidth) as a time and as the share of it reached, the
//!    speed-up over the naive baseline and over numpy. Writes it to
//!    `target/ndkern-bench/results.{json,md}` (and to `--json PATH`).
//!
//! `--quick` keeps the sizes and cuts the repetitions (3 to 7 per measurement, 0.7 s budget):
//! a full `--quick --peers` run takes about a minute once built. FILTERs select workloads whose
//! name contains one of them.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{cargo, root, run};

struct Opts {
    quick: bool,
    peers: bool,
    json: Option<PathBuf>,
    filters: Vec<String>,
}

fn parse(args: &[String]) -> Result<Opts, String> {
    let mut o = Opts {
        quick: false,
        peers: false,
        json: None,
        filters: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => o.quick = true,
            "--peers" => o.peers = true,
            "--json" => {
                let p = it.next().ok_or("`--json` needs a PATH")?;
                o.json = Some(PathBuf::from(p));
            }
            s if s.starts_with("--") => {
                return Err(format!(
                    "unknown option {s:?}; usage: cargo xtask bench [--quick] [--peers] [--json PATH] [FILTER...]"
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
    let suite_json = out_dir.join("suite.json");
    let _ = std::fs::remove_file(&suite_json);

    let mut cmd = cargo();
    cmd.args(["bench", "-p", "ndkern", "--bench", "suite", "--"])
        .env("RUSTFLAGS", "-C target-cpu=native")
        .env("CARGO_TARGET_DIR", root().join("target").join("native"))
        .env("NDKERN_BENCH_OUT", &suite_json);
    if opts.quick {
        cmd.arg("--quick");
    }
    cmd.args(&opts.filters);
    run(&mut cmd)?;
    let suite =
        Json::parse(&read(&suite_json)?).map_err(|e| format!("{}: {e}", suite_json.display()))?;

    let peers = if opts.peers {
        let py = venv()?;
        let out = Command::new(&py)
            .arg(root().join("xtask").join("bench").join("peers.py"))
            .arg(&suite_json)
            .env_remove("OPENBLAS_CORETYPE")
            .env_remove("OPENBLAS_L2_SIZE")
            .current_dir(root())
            .stderr(std::process::Stdio::inherit())
            .output()
            .map_err(|e| format!("cannot run peers.py: {e}"))?;
        if !out.status.success() {
            return Err(format!("peers.py failed with {}", out.status));
        }
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        std::fs::write(out_dir.join("peers.json"), &text)
            .map_err(|e| format!("cannot write peers.json: {e}"))?;
        Some(Json::parse(&text).map_err(|e| format!("peers.py output: {e}"))?)
    } else {
        None
    };

    let table = Table::new(&suite, peers.as_ref(), opts.quick)?;
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
    let failed: Vec<&str> = table
        .rows
        .iter()
        .filter(|r| !r.ok)
        .map(|r| r.name.as_str())
        .collect();
    if !failed.is_empty() {
        return Err(format!(
            "result check failed (ndkern vs naive) for: {}",
            failed.join(", ")
        ));
    }
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
    let dir = root().join("target").join("bench-venv");
    let py = dir.join("bin").join("python");
    let req = root().join("xtask").join("bench").join("requirements.txt");
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

/// One joined row of the table.
struct Row {
    name: String,
    kernel: String,
    size: String,
    bytes: f64,
    flops: Option<f64>,
    median: f64,
    min: f64,
    naive: f64,
    ok: bool,
    err: f64,
    /// numpy: (idiom, median, min).
    numpy: Option<(String, f64, f64)>,
}

struct Table {
    header: Vec<String>,
    mode: String,
    threads: f64,
    features: Vec<String>,
    loadavg: String,
    copy_mt: f64,
    copy_st: f64,
    read_mt: f64,
    read_st: f64,
    bw_bytes: f64,
    numpy_meta: Option<String>,
    rows: Vec<Row>,
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
    fn new(suite: &Json, peers: Option<&Json>, quick: bool) -> Result<Table, String> {
        let num = |j: &Json, k: &str| j.get(k).and_then(Json::num).unwrap_or(f64::NAN);
        let s = |j: &Json, k: &str| j.get(k).and_then(Json::str).unwrap_or("").to_string();
        let mut rows = Vec::new();
        for w in suite
            .get("workloads")
            .and_then(Json::arr)
            .ok_or("suite.json has no workloads")?
        {
            let name = s(w, "name");
            let numpy = peers
                .and_then(|p| p.get("results"))
                .and_then(|r| r.get(&name))
                .map(|r| (s(r, "idiom"), num(r, "median_s"), num(r, "min_s")));
            rows.push(Row {
                kernel: s(w, "kernel"),
                size: s(w, "size"),
                bytes: num(w, "bytes"),
                flops: w.get("flops").and_then(Json::num),
                median: num(w, "median_s"),
                min: num(w, "min_s"),
                naive: num(w, "naive_median_s"),
                ok: matches!(w.get("ok"), Some(Json::Bool(true))),
                err: num(w, "max_rel_err"),
                numpy,
                name,
            });
        }
        let numpy_meta = peers.and_then(|p| p.get("meta")).map(|m| {
            let mut t = format!(
                "numpy {} (scipy {}), Python {}",
                s(m, "numpy"),
                s(m, "scipy"),
                s(m, "python")
            );
            if let Some(b) = m.get("blas").and_then(Json::arr) {
                for lib in b {
                    let _ = write!(
                        t,
                        "; {} {} ({}, {} threads)",
                        s(lib, "internal_api"),
                        s(lib, "version"),
                        s(lib, "architecture"),
                        num(lib, "num_threads")
                    );
                }
            }
            t
        });
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
            header.extend(["numpy", "vs numpy", "numpy idiom (best)"]);
        }
        let has_flops = rows.iter().any(|r| r.flops.is_some());
        if has_flops {
            header.insert(5, "GFLOP/s");
        }
        Ok(Table {
            header: header.into_iter().map(String::from).collect(),
            mode: if quick { "quick" } else { "full" }.into(),
            threads: num(suite, "threads"),
            features: suite
                .get("target_features")
                .and_then(Json::arr)
                .map(|a| a.iter().filter_map(Json::str).map(String::from).collect())
                .unwrap_or_default(),
            loadavg: s(suite, "loadavg"),
            copy_mt: num(suite, "copy_bw_multi"),
            copy_st: num(suite, "copy_bw_single"),
            read_mt: num(suite, "read_bw_multi"),
            read_st: num(suite, "read_bw_single"),
            bw_bytes: num(suite, "bw_buffer_bytes"),
            numpy_meta,
            rows,
        })
    }

    fn cells(&self, r: &Row) -> Vec<String> {
        let floor = r.bytes / self.copy_mt;
        let mut c = vec![
            r.name.clone(),
            r.kernel.clone(),
            r.size.clone(),
            if r.ok {
                fmt_time(r.median)
            } else {
                format!("{} CHECK FAILED", fmt_time(r.median))
            },
            format!("{:.2}", r.bytes / r.median / 1e9),
            fmt_time(floor),
            format!("{:.0}%", 100.0 * floor / r.median),
            fmt_ratio(r.naive / r.median),
        ];
        if self.header.iter().any(|h| h == "GFLOP/s") {
            let g = r
                .flops
                .map_or("-".into(), |f| format!("{:.2}", f / r.median / 1e9));
            c.insert(5, g);
        }
        if self.header.iter().any(|h| h == "numpy") {
            match &r.numpy {
                Some((idiom, med, _)) => {
                    c.push(fmt_time(*med));
                    c.push(fmt_ratio(med / r.median));
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
                "ndkern bench: {} run ({}), native build [{}], {} threads, load average at start {}",
                self.mode,
                if self.mode == "quick" {
                    "full sizes, 3-7 repetitions per median"
                } else {
                    "full sizes, 10+ repetitions and >= 3 s per median"
                },
                self.features.join(" "),
                self.threads,
                self.loadavg
            ),
            format!(
                "copy bandwidth (best sample; read+write bytes of a {} MiB copy): {:.1} GB/s on {} threads, {:.1} GB/s on 1; read-only: {:.1} GB/s on {} threads, {:.1} GB/s on 1",
                self.bw_bytes / 1048576.0,
                self.copy_mt / 1e9,
                self.threads,
                self.copy_st / 1e9,
                self.read_mt / 1e9,
                self.threads,
                self.read_st / 1e9
            ),
            format!(
                "floor = bytes moved (input read + output written) / {:.1} GB/s ({}-thread copy); of bw = floor / median; \
                 vs naive, vs numpy = their median / ndkern's (higher: ndkern faster); naive = single-threaded scalar f64 loops",
                self.copy_mt / 1e9,
                self.threads
            ),
        ];
        if let Some(m) = &self.numpy_meta {
            p.push(format!(
                "peers: {m}; OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset for them"
            ));
        }
        p
    }

    fn text(&self) -> String {
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
        let left = |h: &str| {
            matches!(
                h,
                "workload" | "ndkern call" | "size" | "numpy idiom (best)"
            )
        };
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

    fn markdown(&self) -> String {
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
                    "workload" | "ndkern call" | "size" | "numpy idiom (best)"
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
                    if matches!(
                        self.header[i].as_str(),
                        "ndkern call" | "numpy idiom (best)"
                    ) {
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

    fn json(&self) -> String {
        let n = |x: f64| {
            if x.is_finite() {
                format!("{x:e}")
            } else {
                "null".into()
            }
        };
        let mut t = String::from("{\n");
        let _ = writeln!(t, "  \"mode\": {},", jstr(&self.mode));
        let _ = writeln!(t, "  \"threads\": {},", n(self.threads));
        let feats: Vec<String> = self.features.iter().map(|f| jstr(f)).collect();
        let _ = writeln!(t, "  \"target_features\": [{}],", feats.join(", "));
        let _ = writeln!(t, "  \"loadavg\": {},", jstr(&self.loadavg));
        let _ = writeln!(t, "  \"copy_bw_multi_bytes_per_s\": {},", n(self.copy_mt));
        let _ = writeln!(t, "  \"copy_bw_single_bytes_per_s\": {},", n(self.copy_st));
        let _ = writeln!(t, "  \"read_bw_multi_bytes_per_s\": {},", n(self.read_mt));
        let _ = writeln!(t, "  \"read_bw_single_bytes_per_s\": {},", n(self.read_st));
        let _ = writeln!(
            t,
            "  \"floor_bandwidth\": \"copy_bw_multi_bytes_per_s\",\n  \"peers\": {},",
            self.numpy_meta.as_deref().map_or("null".into(), jstr)
        );
        t.push_str("  \"rows\": [\n");
        let rows: Vec<String> = self
            .rows
            .iter()
            .map(|r| {
                let floor = r.bytes / self.copy_mt;
                let (idiom, nmed, nmin) = match &r.numpy {
                    Some((i, m, mn)) => (jstr(i), n(*m), n(*mn)),
                    None => ("null".into(), "null".into(), "null".into()),
                };
                format!(
                    "    {{\"workload\": {}, \"call\": {}, \"size\": {}, \"bytes\": {}, \"flops\": {}, \
                     \"median_s\": {}, \"min_s\": {}, \"gb_per_s\": {}, \"floor_s\": {}, \
                     \"floor_fraction\": {}, \"naive_median_s\": {}, \"speedup_vs_naive\": {}, \
                     \"numpy_idiom\": {}, \"numpy_median_s\": {}, \"numpy_min_s\": {}, \
                     \"speedup_vs_numpy\": {}, \"check_ok\": {}, \"max_rel_err\": {}}}",
                    jstr(&r.name),
                    jstr(&r.kernel),
                    jstr(&r.size),
                    n(r.bytes),
                    r.flops.map_or("null".into(), n),
                    n(r.median),
                    n(r.min),
                    n(r.bytes / r.median / 1e9),
                    n(floor),
                    n(floor / r.median),
                    n(r.naive),
                    n(r.naive / r.median),
                    idiom,
                    nmed,
                    nmin,
                    r.numpy.as_ref().map_or("null".into(), |x| n(x.1 / r.median)),
                    r.ok,
                    n(r.err)
                )
            })
            .collect();
        t.push_str(&rows.join(",\n"));
        t.push_str("\n  ]\n}\n");
        t
    }
}

fn jstr(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// A minimal JSON value and parser: enough for suite.json and peers.py's output (xtask has no
/// JSON crate).
#[derive(Debug, Clone, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    fn get(&self, k: &str) -> Option<&Json> {
        match self {
            Json::Obj(v) => v.iter().find(|(key, _)| key == k).map(|(_, v)| v),
            _ => None,
        }
    }
    fn num(&self) -> Option<f64> {
        match self {
            Json::Num(x) => Some(*x),
            _ => None,
        }
    }
    fn str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }
    fn arr(&self) -> Option<&[Json]> {
        match self {
            Json::Arr(v) => Some(v),
            _ => None,
        }
    }

    fn parse(s: &str) -> Result<Json, String> {
        let mut p = Parser {
            b: s.as_bytes(),
            i: 0,
        };
        let v = p.value()?;
        p.ws();
        if p.i != p.b.len() {
            return Err(format!("trailing characters at byte {}", p.i));
        }
        Ok(v)
    }
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.b.len() && self.b[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn err<T>(&self, what: &str) -> Result<T, String> {
        Err(format!("JSON: {what} at byte {}", self.i))
    }
    fn eat(&mut self, c: u8) -> Result<(), String> {
        self.ws();
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            Ok(())
        } else {
            self.err(&format!("expected {:?}", c as char))
        }
    }
    fn lit(&mut self, word: &str, v: Json) -> Result<Json, String> {
        if self.b[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(v)
        } else {
            self.err("unknown literal")
        }
    }
    fn value(&mut self) -> Result<Json, String> {
        self.ws();
        match self.b.get(self.i) {
            None => self.err("unexpected end"),
            Some(b'{') => {
                self.i += 1;
                let mut v = Vec::new();
                self.ws();
                if self.b.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Ok(Json::Obj(v));
                }
                loop {
                    self.ws();
                    let k = self.string()?;
                    self.eat(b':')?;
                    v.push((k, self.value()?));
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(Json::Obj(v));
                        }
                        _ => return self.err("expected ',' or '}'"),
                    }
                }
            }
            Some(b'[') => {
                self.i += 1;
                let mut v = Vec::new();
                self.ws();
                if self.b.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Ok(Json::Arr(v));
                }
                loop {
                    v.push(self.value()?);
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Json::Arr(v));
                        }
                        _ => return self.err("expected ',' or ']'"),
                    }
                }
            }
            Some(b'"') => Ok(Json::Str(self.string()?)),
            Some(b't') => self.lit("true", Json::Bool(true)),
            Some(b'f') => self.lit("false", Json::Bool(false)),
            Some(b'n') => self.lit("null", Json::Null),
            // Python's json writes these for non-finite floats.
            Some(b'N') => self.lit("NaN", Json::Num(f64::NAN)),
            Some(b'I') => self.lit("Infinity", Json::Num(f64::INFINITY)),
            Some(_) => {
                let start = self.i;
                if self.b[self.i..].starts_with(b"-Infinity") {
                    self.i += 9;
                    return Ok(Json::Num(f64::NEG_INFINITY));
                }
                while self.i < self.b.len()
                    && matches!(
                        self.b[self.i],
                        b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'
                    )
                {
                    self.i += 1;
                }
                let t = std::str::from_utf8(&self.b[start..self.i]).unwrap_or("");
                t.parse::<f64>()
                    .map(Json::Num)
                    .or_else(|_| self.err("bad number"))
            }
        }
    }
    fn string(&mut self) -> Result<String, String> {
        self.eat(b'"')?;
        let mut out = Vec::new();
        loop {
            let Some(&c) = self.b.get(self.i) else {
                return self.err("unterminated string");
            };
            self.i += 1;
            match c {
                b'"' => break,
                b'\\' => {
                    let Some(&e) = self.b.get(self.i) else {
                        return self.err("unterminated escape");
                    };
                    self.i += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hex = self
                                .b
                                .get(self.i..self.i + 4)
                                .and_then(|h| std::str::from_utf8(h).ok())
                                .and_then(|h| u32::from_str_radix(h, 16).ok());
                            let Some(code) = hex else {
                                return self.err("bad \\u escape");
                            };
                            self.i += 4;
                            // Surrogate pairs are not needed here: replace them.
                            char::from_u32(code).unwrap_or('\u{fffd}')
                        }
                        _ => return self.err("bad escape"),
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                c => out.push(c),
            }
        }
        String::from_utf8(out).or_else(|_| self.err("invalid UTF-8 in string"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip() {
        let j = Json::parse(
            r#" {"a": [1, -2.5e-3, true, null, NaN], "s": "x\"\u00e9\n", "o": {}, "e": []} "#,
        )
        .unwrap();
        assert_eq!(j.get("a").unwrap().arr().unwrap()[1], Json::Num(-2.5e-3));
        assert_eq!(j.get("s").unwrap().str(), Some("x\"\u{e9}\n"));
        assert_eq!(
            Json::parse(&jstr("q\"\\\u{1}")).unwrap().str(),
            Some("q\"\\\u{1}")
        );
        assert!(Json::parse("[1,]").is_err());
        assert!(Json::parse("{\"a\" 1}").is_err());
    }

    #[test]
    fn options() {
        let a = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let o = parse(&a(&["--quick", "--json", "x.json", "var"])).unwrap();
        assert!(o.quick && !o.peers && o.json.is_some() && o.filters == ["var"]);
        assert!(parse(&a(&["--json"])).is_err());
        assert!(parse(&a(&["--bogus"])).is_err());
    }
}
