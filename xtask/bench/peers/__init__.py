"""Peers for `cargo xtask bench --peers`: the strongest thing a user would pick for every
workload, timed on the same data with the suite's repetition policy.

Usage: python xtask/bench/peers SUITE_JSON

Reads the workloads that benches/suite.rs just timed (name, shape, dtype, axes, peer), builds
the same data (the suite's formula: value i = 1 + frac(i * 0x9E3779B97F4A7C15 / 2**64) to 53
bits, numpy's uint64 arithmetic wraps exactly like Rust's wrapping_mul) and, per workload,
the candidates of its `peer` key in `PEERS`: the reference idiom (numpy/scipy, listed first)
and the specialised libraries a user reaches for when that is too slow — numba loops,
numpy-groupies, fast-histogram, boost-histogram, KDEpy, scikit-learn, faiss, SimpleITK,
numbagg, OpenCV, scipy.fft with all workers. Each library is optional (absent: its
candidates are skipped).

Fair fights: every candidate runs once untimed first — that call JIT-compiles numba kernels
and its result is checked against the reference's (per row: allclose with a stated
tolerance, exact for integer/argmax results, an error bound for approximations such as the
binned KDE); indexes and trees are built in the setup; every peer that threads gets this
machine's cores. A candidate that disagrees is rejected (stderr, and `rejected` in the JSON,
with its timing for information). The peer is the fastest accepted candidate; its idiom
names the library (`numba: ...`).

Prints JSON to stdout: {"meta": {...}, "results": {name: {"median_s", "min_s", "idiom",
"reference", "check", "candidates", "errors", "rejected", ...}}}.

Modules: core (data, checks, timing), reductions, windows, binning, linalg, signal.
"""
