//! The hostile-input runner: every case in a guarded child process.
//!
//! A hostile case calls a public function with an extreme size, NaN/inf, an empty or 0-d
//! input, a huge or tiny magnitude, and checks the promise: an `Err` that says what to
//! change, or numpy's value. The failures this suite exists to catch are the ones that take a
//! process down — an abort on a huge allocation, a stack overflow, a hang — so the cases run
//! in a child process (the same test binary, re-executed for one test) with an address-space
//! cap (4 GiB) and a per-case deadline (10 s, `NDKERN_HOSTILE_TIMEOUT` seconds to change).
//! The child reports each case as it starts and ends; when it dies or stalls, the parent
//! records that case as an abort or a hang and starts a new child at the next case, so one
//! broken case never hides the rest. Panics are caught in the child and reported as failures.
//!
//! ```no_run
//! use ndkern_core::testing::hostile::{is_err, Suite};
//! #[test]
//! fn hostile() {
//!     let mut s = Suite::new("hostile");
//!     s.case("sum axis out of range", || is_err(ndkern_core::reduce::sum(&ndarray::arr1(&[1.0f64]), 3)));
//!     s.run();
//! }
//! ```

use std::fmt::Display;
use std::io::{BufRead, BufReader, Read, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// What a case returns: `Ok` when the promise holds, else what went wrong.
pub type Check = Result<(), String>;

type CaseFn = Box<dyn Fn() -> Check>;

/// A named list of hostile cases, run by [`Suite::run`] from one `#[test]` function.
pub struct Suite {
    test_name: &'static str,
    cases: Vec<(String, CaseFn)>,
}

const FROM_ENV: &str = "NDKERN_HOSTILE_FROM";
const TAG: &str = "@@hostile";
/// Address-space cap of the child process (bytes).
pub const CHILD_MEMORY_CAP: u64 = 4 << 30;

impl Suite {
    /// A suite run by the `#[test]` function named `test_name` (its path in the test binary,
    /// e.g. `"hostile"` for a top-level `fn hostile()`).
    #[must_use]
    pub fn new(test_name: &'static str) -> Self {
        Suite {
            test_name,
            cases: Vec::new(),
        }
    }

    /// Adds a case; names must be unique within the suite.
    pub fn case(&mut self, name: impl Into<String>, f: impl Fn() -> Check + 'static) -> &mut Self {
        let name = name.into();
        assert!(
            self.cases.iter().all(|(n, _)| *n != name),
            "duplicate hostile case name {name:?}"
        );
        self.cases.push((name, Box::new(f)));
        self
    }

    /// Number of cases.
    #[must_use]
    pub fn len(&self) -> usize {
        self.cases.len()
    }

    /// True when no case was added.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.cases.is_empty()
    }

    /// Runs every case (in child processes) and panics listing every broken one.
    pub fn run(self) {
        match std::env::var(FROM_ENV) {
            Ok(from) => self.run_child(from.parse().expect("NDKERN_HOSTILE_FROM is an index")),
            Err(_) => self.run_parent(),
        }
    }

    /// Like [`Suite::run`], but returns the broken cases' reports instead of panicking
    /// (in the child process: an empty list). For testing the runner itself.
    #[must_use]
    pub fn run_collect(self) -> Vec<String> {
        match std::env::var(FROM_ENV) {
            Ok(from) => {
                self.run_child(from.parse().expect("NDKERN_HOSTILE_FROM is an index"));
                Vec::new()
            }
            Err(_) => self.run_parent_collect(),
        }
    }

    fn run_child(&self, from: usize) {
        std::panic::set_hook(Box::new(|_| {}));
        let out = std::io::stdout();
        for (i, (_, f)) in self.cases.iter().enumerate().skip(from) {
            writeln!(out.lock(), "{TAG} start {i}").unwrap();
            let verdict = match catch_unwind(AssertUnwindSafe(f)) {
                Ok(Ok(())) => "pass".to_string(),
                Ok(Err(m)) => format!("fail {}", one_line(&m)),
                Err(p) => format!("panic {}", one_line(&panic_message(p.as_ref()))),
            };
            writeln!(out.lock(), "{TAG} end {i} {verdict}").unwrap();
            out.lock().flush().unwrap();
        }
        writeln!(out.lock(), "{TAG} done").unwrap();
    }

    fn run_parent(&self) {
        let n = self.cases.len();
        let broken = self.run_parent_collect();
        assert!(
            broken.is_empty(),
            "{} of {n} hostile cases broke the promise:\n  {}",
            broken.len(),
            broken.join("\n  ")
        );
    }

    fn run_parent_collect(&self) -> Vec<String> {
        let timeout = Duration::from_secs_f64(
            std::env::var("NDKERN_HOSTILE_TIMEOUT")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(10.0),
        );
        let started = Instant::now();
        let mut broken: Vec<String> = Vec::new();
        let mut passed = 0usize;
        let mut from = 0;
        while from < self.cases.len() {
            let run = self.spawn_child(from);
            let mut current: Option<usize> = None;
            let mut deadline = Instant::now() + timeout.max(Duration::from_secs(60));
            let mut next = self.cases.len();
            loop {
                let wait = deadline.saturating_duration_since(Instant::now());
                match run.lines.recv_timeout(wait) {
                    Ok(line) => {
                        // libtest's "test name ... " has no newline: the tag can follow it.
                        let Some(rest) = line.find(TAG).map(|k| &line[k + TAG.len()..]) else {
                            continue;
                        };
                        let mut parts = rest.trim().splitn(3, ' ');
                        match (parts.next(), parts.next(), parts.next()) {
                            (Some("start"), Some(i), _) => {
                                current = i.parse().ok();
                                deadline = Instant::now() + timeout;
                            }
                            (Some("end"), Some(i), Some(v)) => {
                                let i: usize = i.parse().unwrap_or(usize::MAX);
                                current = None;
                                if v == "pass" {
                                    passed += 1;
                                } else {
                                    broken.push(format!("{}: {v}", self.name(i)));
                                }
                            }
                            (Some("done"), _, _) => break,
                            _ => {}
                        }
                    }
                    Err(mpsc::RecvTimeoutError::Timeout) => {
                        let mut child = run.child;
                        let _ = child.kill();
                        let _ = child.wait();
                        match current {
                            Some(i) => {
                                broken.push(format!(
                                    "{}: hang (no result within {timeout:?})",
                                    self.name(i)
                                ));
                                next = i + 1;
                            }
                            None => panic!("hostile child stalled outside any case"),
                        }
                        break;
                    }
                    Err(mpsc::RecvTimeoutError::Disconnected) => {
                        let mut child = run.child;
                        let status = child.wait().map(|s| s.to_string()).unwrap_or_default();
                        let tail = run.stderr.join().unwrap_or_default();
                        match current {
                            Some(i) => {
                                broken.push(format!(
                                    "{}: process died ({status}): {}",
                                    self.name(i),
                                    one_line(&tail)
                                ));
                                next = i + 1;
                            }
                            None => {
                                panic!("hostile child exited ({status}) outside any case: {tail}")
                            }
                        }
                        break;
                    }
                }
            }
            from = next;
        }
        eprintln!(
            "hostile {}: {} cases, {passed} kept the promise, {} broke it ({:.1} s)",
            self.test_name,
            self.cases.len(),
            broken.len(),
            started.elapsed().as_secs_f64()
        );
        broken
    }

    fn name(&self, i: usize) -> &str {
        self.cases.get(i).map_or("?", |c| c.0.as_str())
    }

    fn spawn_child(&self, from: usize) -> ChildRun {
        let exe = std::env::current_exe().expect("the test binary's path");
        let mut cmd = Command::new(exe);
        cmd.args([self.test_name, "--exact", "--nocapture", "--test-threads=1"])
            .env(FROM_ENV, from.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cap_memory(&mut cmd);
        let mut child = cmd.spawn().expect("spawn the hostile child");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut stderr = child.stderr.take().expect("piped stderr");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = stderr.read_to_string(&mut s);
            let start = s.len().saturating_sub(600);
            let start = (start..s.len())
                .find(|&k| s.is_char_boundary(k))
                .unwrap_or(0);
            s[start..].to_string()
        });
        ChildRun {
            child,
            lines,
            stderr,
        }
    }
}

struct ChildRun {
    child: std::process::Child,
    lines: mpsc::Receiver<String>,
    stderr: std::thread::JoinHandle<String>,
}

#[cfg(target_os = "linux")]
fn cap_memory(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: the closure runs in the forked child before exec and only calls setrlimit,
    // which is async-signal-safe; it touches no memory shared with the parent.
    unsafe {
        cmd.pre_exec(|| {
            let lim = libc::rlimit {
                rlim_cur: CHILD_MEMORY_CAP as libc::rlim_t,
                rlim_max: CHILD_MEMORY_CAP as libc::rlim_t,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn cap_memory(_cmd: &mut Command) {}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".into()
    }
}

/// `Ok` when `r` is an `Err` whose message is not empty.
pub fn is_err<T, E: Display>(r: Result<T, E>) -> Check {
    match r {
        Ok(_) => Err("expected an Err, got Ok".into()),
        Err(e) if e.to_string().trim().is_empty() => Err("Err with an empty message".into()),
        Err(_) => Ok(()),
    }
}

/// `Ok` when `r` is an `Err` whose message contains `needle` (case-insensitive).
pub fn err_contains<T, E: Display>(r: Result<T, E>, needle: &str) -> Check {
    match r {
        Ok(_) => Err(format!("expected an Err mentioning {needle:?}, got Ok")),
        Err(e) => {
            let m = e.to_string();
            if m.to_lowercase().contains(&needle.to_lowercase()) {
                Ok(())
            } else {
                Err(format!("Err {m:?} does not mention {needle:?}"))
            }
        }
    }
}

/// The `Ok` value, or the error's message as a failure.
pub fn ok<T, E: Display>(r: Result<T, E>) -> Result<T, String> {
    r.map_err(|e| format!("expected Ok, got Err: {e}"))
}

/// `Ok` when `cond`, else `msg`.
pub fn ensure(cond: bool, msg: impl Into<String>) -> Check {
    if cond {
        Ok(())
    } else {
        Err(msg.into())
    }
}

/// `Ok` when `r` is either an `Err` or an `Ok` value that passes `check` — for inputs where
/// numpy has an answer and returning it or refusing clearly are both kept promises.
pub fn err_or<T, E: Display>(r: Result<T, E>, check: impl FnOnce(T) -> Check) -> Check {
    match r {
        Err(e) if e.to_string().trim().is_empty() => Err("Err with an empty message".into()),
        Err(_) => Ok(()),
        Ok(v) => check(v),
    }
}

/// `Ok` when `r` is [`crate::Error::TooLarge`] (an allocation refused, not an abort).
pub fn too_large<T>(r: Result<T, crate::Error>) -> Check {
    match r {
        Err(crate::Error::TooLarge { .. }) => Ok(()),
        Err(e) => Err(format!("expected Error::TooLarge, got Err: {e}")),
        Ok(_) => Err("expected Error::TooLarge, got Ok".into()),
    }
}

static BROADCAST_VALUE: [f64; 1] = [1.5];
static BROADCAST_VALUE_F32: [f32; 1] = [1.5];

/// A stride-0 broadcast view of shape `shape` over one value (1.5): one element in memory,
/// `shape`'s product to every function that reads it — how an output "sized like the input"
/// can ask for terabytes.
///
/// ```
/// let v = ndkern_core::testing::hostile::broadcast_view(ndarray::Ix2(1 << 20, 1 << 20));
/// assert_eq!(v.len(), 1 << 40);
/// ```
#[must_use]
pub fn broadcast_view<D: ndarray::Dimension>(shape: D) -> ndarray::ArrayView<'static, f64, D> {
    use ndarray::ShapeBuilder;
    let zero = D::zeros(shape.ndim());
    ndarray::ArrayView::from_shape(shape.strides(zero), &BROADCAST_VALUE[..])
        .expect("stride-0 view")
}

/// [`broadcast_view`] of `f32`.
#[must_use]
pub fn broadcast_view_f32<D: ndarray::Dimension>(shape: D) -> ndarray::ArrayView<'static, f32, D> {
    use ndarray::ShapeBuilder;
    let zero = D::zeros(shape.ndim());
    ndarray::ArrayView::from_shape(shape.strides(zero), &BROADCAST_VALUE_F32[..])
        .expect("stride-0 view")
}
