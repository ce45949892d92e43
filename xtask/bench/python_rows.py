#!/usr/bin/env python3
"""Python-call rows of `cargo xtask bench --python`: the cost of calling ndkern from Python.

For each workload of the suite record (argv[1], written by benches/suite.rs) that has a Python
form below, times the ndkern Python call on data of the same shape and dtype, and the
scipy/numpy call a user would otherwise make, after checking that both give the same answer.
The Rust side's median is in the record; xtask prints overhead = Python - Rust. Prints JSON.

Timing: small calls (under ~1 ms) in batches of many calls (median of per-call batch means),
large calls one by one (median of single calls); warm-up first, `--quick` (argv[2] == "quick")
uses fewer repetitions.
"""

import json
import sys
import time

import numpy as np
import scipy
import scipy.ndimage as ndi

import ndkern


def timeit(f, quick):
    f()
    t0 = time.perf_counter()
    f()
    one = time.perf_counter() - t0
    if one < 1e-3:
        batch = max(1, int(2e-2 / max(one, 1e-7)))
        samples = []
        for _ in range(7 if quick else 21):
            t0 = time.perf_counter()
            for _ in range(batch):
                f()
            samples.append((time.perf_counter() - t0) / batch)
    else:
        samples = []
        for _ in range(5 if quick else 11):
            t0 = time.perf_counter()
            f()
            samples.append(time.perf_counter() - t0)
    return float(np.median(samples))


# workload name -> (ndkern call, its text, peer call, its text)
CASES = {
    "q7_var_last_axis": (
        lambda a: ndkern.var(a, axis=-1),
        "ndkern.var(a, axis=-1)",
        lambda a: np.var(a, axis=-1),
        "np.var(a, axis=-1)",
    ),
    "uniform3_2d": (
        lambda a: ndkern.ndimage.uniform_filter(a, 3, mode="reflect"),
        "ndkern.ndimage.uniform_filter(a, 3)",
        lambda a: ndi.uniform_filter(a, 3, mode="reflect"),
        "scipy.ndimage.uniform_filter(a, 3)",
    ),
}


def main():
    record = json.load(open(sys.argv[1]))
    quick = len(sys.argv) > 2 and sys.argv[2] == "quick"
    rng = np.random.default_rng(7)
    out = {
        "meta": {
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "ndkern_simd_level": ndkern.simd_level(),
        },
        "results": {},
    }
    for w in record["workloads"]:
        case = CASES.get(w["name"])
        if case is None:
            continue
        ours, ours_text, peer, peer_text = case
        dtype = np.float32 if w["dtype"] == "f32" else np.float64
        a = rng.standard_normal(w["shape"]).astype(dtype)
        got, want = ours(a), peer(a)
        tol = 1e-5 if dtype == np.float32 else 1e-10
        if got.shape != want.shape or not np.allclose(got, want, rtol=tol, atol=tol):
            raise SystemExit(f"{w['name']}: ndkern's Python call disagrees with {peer_text}")
        out["results"][w["name"]] = {
            "call": ours_text,
            "peer": peer_text,
            "python_s": timeit(lambda: ours(a), quick),
            "peer_s": timeit(lambda: peer(a), quick),
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
