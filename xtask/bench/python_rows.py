#!/usr/bin/env python3
"""Python-call rows of `cargo xtask bench --python`: the cost of calling ndkern from Python.

Usage: python_rows.py SUITE_JSON [quick|full]   (SUITE_JSON: the record benches/suite.rs wrote;
       "-" for every row below at its suite shape). Prints JSON.

For each workload of the suite record that has a Python form below, on data of the same shape
and dtype:

* the ndkern Python call and the same Rust call without Python (`ndkern._ndkern._time_rust`:
  the Rust function the suite row times, called from Rust in this process on the same arrays,
  the GIL released, in the same thread pool; times measured in Rust), alternated round by
  round (the order swapped every round), so load drift on this shared machine hits both
  alike. A round is a run of ~10 ms of back-to-back calls per side (one call for large ones),
  each call timed on its own (Python: perf_counter_ns around the call, ~0.05 us of it
  counted as overhead; Rust: Instant around the call); a round's time is the median of its
  calls (a preempted call does not move it), a side's time the median over rounds.
  Overhead = Python median - Rust median (also the median of the per-round differences, as a
  check);
* the scipy/numpy call a user would otherwise make (the same per-call medians, not
  alternated), after checking that ndkern's Python call gives the same answer.
"""

import json
import os
import statistics
import sys
import time

import numpy as np
import scipy
import scipy.ndimage as ndi

import ndkern

# workload -> (shape, dtype, ndkern call, its text, peer call, its text, needs an output)
CASES = {
    "q7_var_last_axis": (
        (10, 10, 10, 5), "f64",
        lambda a, o: ndkern.var(a, axis=-1), "ndkern.var(a, axis=-1)",
        lambda a, o: np.var(a, axis=-1), "np.var(a, axis=-1)",
        False,
    ),
    "q8_norm_l2_axes012": (
        (10, 10, 10, 5), "f64",
        lambda a, o: ndkern.norm_l2(a, axis=(0, 1, 2)), "ndkern.norm_l2(a, axis=(0, 1, 2))",
        lambda a, o: np.sqrt(np.einsum("ijkl,ijkl->l", a, a)),
        "np.sqrt(np.einsum('ijkl,ijkl->l', a, a))",
        False,
    ),
    "uniform3_2d": (
        (5000, 5000), "f64",
        lambda a, o: ndkern.ndimage.uniform_filter(a, 3), "ndkern.ndimage.uniform_filter(a, 3)",
        lambda a, o: ndi.uniform_filter(a, 3), "scipy.ndimage.uniform_filter(a, 3)",
        False,
    ),
    "uniform3_2d_into": (
        (5000, 5000), "f64",
        lambda a, o: ndkern.ndimage.uniform_filter(a, 3, output=o),
        "ndkern.ndimage.uniform_filter(a, 3, output=out)",
        lambda a, o: ndi.uniform_filter(a, 3, output=o),
        "scipy.ndimage.uniform_filter(a, 3, output=out)",
        True,
    ),
}


def calls_per_round(f) -> int:
    """Calls per round: ~10 ms worth for small calls, 1 for calls over 2 ms."""
    f()
    t0 = time.perf_counter()
    f()
    one = time.perf_counter() - t0
    return 1 if one > 2e-3 else max(1, int(1e-2 / max(one, 1e-7)))


def python_calls(f, n: int) -> float:
    """The median time of `n` back-to-back calls of `f`, each timed on its own."""
    clock = time.perf_counter_ns
    t = [0] * n
    for i in range(n):
        t0 = clock()
        f()
        t[i] = clock() - t0
    return statistics.median(t) * 1e-9


def alternated(py_call, rust_call, rounds: int):
    """(Python samples, Rust samples): one run of calls each per round, the order swapped
    every round."""
    n = calls_per_round(py_call)
    rust_call(n)
    py, rust = [], []
    for r in range(rounds):
        if r % 2 == 0:
            py.append(python_calls(py_call, n))
            rust.append(statistics.median(rust_call(n)))
        else:
            rust.append(statistics.median(rust_call(n)))
            py.append(python_calls(py_call, n))
    return py, rust, n


def peer_time(f, quick: bool) -> float:
    n = calls_per_round(f)
    return statistics.median(python_calls(f, n) for _ in range(5 if quick else 11))


def main():
    path = sys.argv[1]
    quick = len(sys.argv) > 2 and sys.argv[2] == "quick"
    names = list(CASES)
    if path != "-":
        with open(path) as f:
            record = json.load(f)
        names = [w["name"] for w in record["workloads"] if w["name"] in CASES]
        for w in record["workloads"]:
            if w["name"] in CASES and tuple(w["shape"]) != CASES[w["name"]][0]:
                raise SystemExit(f"{w['name']}: the suite's shape {w['shape']} is not "
                                 f"python_rows.py's {CASES[w['name']][0]}: update CASES")
    rng = np.random.default_rng(7)
    load_start = os.getloadavg()
    out = {
        "meta": {
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "ndkern_simd_level": ndkern.simd_level(),
            "threads": ndkern.get_num_threads(),
            "rounds": None,
        },
        "results": {},
    }
    for name in names:
        shape, dt, ours, ours_text, peer, peer_text, has_out = CASES[name]
        dtype = np.float32 if dt == "f32" else np.float64
        a = rng.standard_normal(shape).astype(dtype)
        o = np.empty_like(a) if has_out else None
        got = ours(a, o)
        got = got.copy() if has_out else got
        want = peer(a, o)
        tol = 1e-5 if dtype == np.float32 else 1e-10
        if got.shape != want.shape or not np.allclose(got, want, rtol=tol, atol=tol):
            raise SystemExit(f"{name}: ndkern's Python call disagrees with {peer_text}")
        rounds = 21 if quick else 101
        out["meta"]["rounds"] = rounds
        py, rust, n = alternated(
            lambda: ours(a, o),
            lambda reps: ndkern._ndkern._time_rust(name, a, reps, o),
            rounds,
        )
        out["results"][name] = {
            "call": ours_text,
            "peer": peer_text,
            "python_s": statistics.median(py),
            "rust_s": statistics.median(rust),
            "paired_overhead_s": statistics.median(p - r for p, r in zip(py, rust)),
            "calls_per_round": n,
            "rounds": rounds,
            "peer_s": peer_time(lambda: peer(a, o), quick),
        }
    out["meta"]["load"] = f"{load_start[0]:.2f} -> {os.getloadavg()[0]:.2f}"
    print(json.dumps(out))


if __name__ == "__main__":
    main()
