"""`cargo xtask bench --dask`: ndkern.dask on a dask.distributed LocalCluster of 2 worker
processes (1 thread each) on this machine, against the Dask-native peers.

Cases (issue 15), sizes at --scale 1 (the full bench; --scale S multiplies the linear sizes):
  gauss3d  3-D Gaussian sigma 2 on a 1024^3 float32 volume in 256^3 chunks: ndkern.dask
           .ndfilters.gaussian_filter vs dask_image.ndfilters.gaussian_filter (scipy per
           chunk); wall time, ratio, peak RSS per worker, and the single-machine ratio
           (one 256^3 chunk, one thread each) it should come within 20% of.
  q3       Q3's chain at (35, 2000, 60, 180) float32 (series axis 2000 whole per chunk):
           ndkern.dask.detrend_rolling_pearson; wall time, peak RSS per worker.
  q1       Q1's gridding: 2e8 points (float64, 3-D) with values into 200^3 cells:
           ndkern.dask.histogramdd (weighted) vs dask.array.histogramdd (weighted), and the
           per-cell mean by ndkern.dask.binned_statistic_dd; wall time, peak RSS per worker.

Every case first checks correctness on a small size (against the single-machine ndkern
call, and between the implementations), then times the given size once (inputs generated
and persisted on the workers first, not timed; results reduced on the workers, not
gathered). Prints a table; writes JSON to --out.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

import numpy as np


def _start_sampler(dask_worker=None) -> int:
    """On a worker: a thread polling this process's RSS every 20 ms (peak kept)."""
    import threading

    import psutil

    p = psutil.Process(os.getpid())
    state = {"peak": p.memory_info().rss, "run": True}

    def loop() -> None:
        while state["run"]:
            state["peak"] = max(state["peak"], p.memory_info().rss)
            time.sleep(0.02)

    threading.Thread(target=loop, daemon=True).start()
    dask_worker._ndkern_mem = state
    return state["peak"]


def _stop_sampler(dask_worker=None) -> int:
    state = dask_worker._ndkern_mem
    state["run"] = False
    return state["peak"]


class Measure:
    """Times a block and records every worker's RSS before and at its peak."""

    def __init__(self, client) -> None:
        self.client = client

    def __enter__(self) -> "Measure":
        self.base = self.client.run(_start_sampler)
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self.t0
        self.peak = self.client.run(_stop_sampler)

    def record(self) -> dict:
        gib = 2.0**30
        return {
            "seconds": round(self.seconds, 3),
            "rss_before_gib": [round(self.base[w] / gib, 3) for w in sorted(self.base)],
            "rss_peak_gib": [round(self.peak[w] / gib, 3) for w in sorted(self.peak)],
        }


def _rel(a, b) -> float:
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    return float(np.nanmax(np.abs(a - b)) / max(float(np.nanmax(np.abs(b))), 1e-300))


def _volume(n: int, chunk: int):
    import dask.array as da

    rng = da.random.default_rng(42)
    return rng.random((n, n, n), dtype=np.float32, chunks=chunk)


# ---------------------------------------------------------------------------------------------


def case_gauss3d(client, scale: float) -> dict:
    import dask
    import scipy.ndimage as sn
    from dask.distributed import wait
    from dask_image import ndfilters as di

    import ndkern
    from ndkern.dask import ndfilters as nf

    # correctness on a small volume (every chunk edge inside, wrap included)
    small = np.random.default_rng(0).random((48, 40, 36)).astype(np.float32)
    import dask.array as da

    xs = da.from_array(small, chunks=(16, 13, 20))
    check = {}
    for mode in ("reflect", "wrap", "constant"):
        got = nf.gaussian_filter(xs, 2.0, mode=mode).compute()
        check[f"ndkern_dask_vs_ndkern_{mode}"] = _rel(got, ndkern.ndimage.gaussian_filter(small, 2.0, mode=mode))
        check[f"ndkern_dask_vs_scipy_{mode}"] = _rel(got, sn.gaussian_filter(small, 2.0, mode=mode))
        check[f"dask_image_vs_scipy_{mode}"] = _rel(di.gaussian_filter(xs, 2.0, mode=mode).compute(), sn.gaussian_filter(small, 2.0, mode=mode))

    n = max(32, int(round(1024 * scale)))
    chunk = max(16, int(round(256 * scale)))
    x = _volume(n, chunk).persist()
    wait(x)
    out = {"shape": [n, n, n], "chunks": chunk, "dtype": "float32", "sigma": 2.0, "check": check}
    sums = {}
    for name, f in (
        ("ndkern.dask", lambda: nf.gaussian_filter(x, 2.0)),
        ("dask_image", lambda: di.gaussian_filter(x, 2.0)),
    ):
        with Measure(client) as m:
            sums[name] = float(dask.compute(f().sum(dtype=np.float64))[0])
        out[name] = m.record()
    out["check"]["sum_ndkern_vs_dask_image"] = abs(sums["ndkern.dask"] - sums["dask_image"]) / abs(sums["dask_image"])
    out["ratio"] = round(out["dask_image"]["seconds"] / out["ndkern.dask"]["seconds"], 3)
    del x
    # the single-machine ratio on one chunk, one thread each
    a = np.random.default_rng(1).random((chunk,) * 3).astype(np.float32)
    ndkern.set_num_threads(1)
    ndkern.ndimage.gaussian_filter(a, 2.0)  # warm-up (pool start, page faults)
    sn.gaussian_filter(a, 2.0)
    t_nk, t_sp = [], []
    for _ in range(3):
        t0 = time.perf_counter()
        ndkern.ndimage.gaussian_filter(a, 2.0)
        t_nk.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        sn.gaussian_filter(a, 2.0)
        t_sp.append(time.perf_counter() - t0)
    ndkern.set_num_threads(0)
    out["single_machine"] = {
        "chunk": [chunk] * 3,
        "ndkern_s": round(min(t_nk), 4),
        "scipy_s": round(min(t_sp), 4),
        "ratio": round(min(t_sp) / min(t_nk), 3),
    }
    out["ratio_vs_single_machine"] = round(out["ratio"] / out["single_machine"]["ratio"], 3)
    return out


def case_q3(client, scale: float) -> dict:
    import dask
    import dask.array as da
    from dask.distributed import wait

    import ndkern
    import ndkern.dask as nd

    rng = np.random.default_rng(3)
    y_small = rng.normal(size=2000).cumsum()
    small = (rng.normal(size=(3, 2000, 4, 5)).cumsum(axis=1)).astype(np.float32)
    got = nd.detrend_rolling_pearson(da.from_array(small, chunks=(2, 500, 3, 2)), y_small, axis=1).compute()
    check = {"ndkern_dask_vs_ndkern": _rel(got, ndkern.detrend_rolling_pearson(small, y_small, axis=1))}

    shape = (max(2, int(round(35 * scale))), 2000, max(2, int(round(60 * scale))), max(2, int(round(180 * scale))))
    chunks = (max(1, shape[0] // 7), 2000, max(1, shape[2] // 2), shape[3])
    y = np.random.default_rng(4).normal(size=2000).cumsum()
    grng = da.random.default_rng(5)
    x = (grng.standard_normal(shape, dtype=np.float32, chunks=chunks).cumsum(axis=1)).persist()
    wait(x)
    with Measure(client) as m:
        r = nd.detrend_rolling_pearson(x, y, axis=1)
        total = float(dask.compute(da.nansum(r, dtype=np.float64))[0])
    out = {"shape": list(shape), "chunks": list(chunks), "dtype": "float32", "window": 360, "check": check}
    out["ndkern.dask"] = m.record()
    out["ndkern.dask"]["sum_r"] = total
    return out


def case_q1(client, scale: float) -> dict:
    import dask
    import dask.array as da
    from dask.distributed import wait

    import ndkern
    import ndkern.dask as nd

    rng = np.random.default_rng(7)
    p = rng.random((20000, 3))
    v = rng.normal(size=20000)
    pd_ = da.from_array(p, chunks=(3000, 3))
    vd = da.from_array(v, chunks=3000)
    rg = [(0.0, 1.0)] * 3
    h_nk = nd.histogramdd(pd_, bins=20, range=rg, weights=vd)[0].compute()
    h_da = da.histogramdd(pd_, bins=20, range=rg, weights=vd)[0].compute()
    mean = nd.binned_statistic_dd(pd_, vd, "mean", bins=20, range=rg).statistic.compute()
    check = {
        "histogramdd_ndkern_dask_vs_ndkern": _rel(h_nk, ndkern.histogramdd(p, bins=20, range=rg, weights=v)[0]),
        "histogramdd_ndkern_dask_vs_dask": _rel(h_nk, h_da),
        "mean_vs_ndkern": _rel(np.nan_to_num(mean), np.nan_to_num(ndkern.stats.binned_statistic_dd(p, v, "mean", bins=20, range=rg).statistic)),
    }

    npts = int(2e8 * scale**3)
    cells = max(8, int(round(200 * scale)))
    chunk = max(10000, min(npts, 5_000_000))
    grng = da.random.default_rng(8)
    pts = grng.random((npts, 3), chunks=(chunk, 3)).persist()
    vals = grng.standard_normal(npts, chunks=chunk).persist()
    wait([pts, vals])
    out = {"points": npts, "cells": [cells] * 3, "chunk_points": chunk, "check": check}
    rg = [(0.0, 1.0)] * 3
    sums = {}
    for name, f in (
        ("ndkern.dask.histogramdd", lambda: nd.histogramdd(pts, bins=cells, range=rg, weights=vals)[0]),
        ("dask.array.histogramdd", lambda: da.histogramdd(pts, bins=cells, range=rg, weights=vals)[0]),
        ("ndkern.dask.binned_statistic_dd_mean", lambda: nd.binned_statistic_dd(pts, vals, "mean", bins=cells, range=rg).statistic),
    ):
        with Measure(client) as m:
            sums[name] = float(dask.compute(da.nansum(f(), dtype=np.float64))[0])
        out[name] = m.record()
    out["ratio_histogramdd"] = round(
        out["dask.array.histogramdd"]["seconds"] / out["ndkern.dask.histogramdd"]["seconds"], 3
    )
    out["check"]["sum_ndkern_vs_dask"] = abs(sums["ndkern.dask.histogramdd"] - sums["dask.array.histogramdd"]) / max(abs(sums["dask.array.histogramdd"]), 1e-300)
    return out


CASES = {"gauss3d": case_gauss3d, "q3": case_q3, "q1": case_q1}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=1.0, help="linear size factor (1: the issue's sizes)")
    ap.add_argument("--out", default=None, help="JSON output path")
    ap.add_argument("filters", nargs="*", help="case names to run (default: all)")
    args = ap.parse_args()
    names = [c for c in CASES if not args.filters or any(f in c for f in args.filters)]

    import importlib.metadata

    import dask
    import distributed
    import scipy

    import ndkern

    meta = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "dask": dask.__version__,
        "distributed": distributed.__version__,
        "dask_image": importlib.metadata.version("dask-image"),
        "ndkern": ndkern.__version__,
        "simd_level": ndkern.simd_level(),
        "cpus": os.cpu_count(),
        "scale": args.scale,
        "cluster": "LocalCluster(n_workers=2, processes=True, threads_per_worker=1)",
    }
    results = {}
    with distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        meta["worker_memory_limit_gib"] = [
            round((w.get("memory_limit") or 0) / 2**30, 2)
            for w in client.scheduler_info()["workers"].values()
        ]
        for name in names:
            print(f"dask bench: {name} (scale {args.scale}) ...", file=sys.stderr, flush=True)
            t0 = time.perf_counter()
            results[name] = CASES[name](client, args.scale)
            print(f"dask bench: {name} done in {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
            client.cancel(list(client.futures))
    doc = {"meta": meta, "results": results}
    text = json.dumps(doc, indent=1)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    print(table(doc))
    bad = [
        f"{c}: {k} = {v:.3g}"
        for c, r in results.items()
        for k, v in r.get("check", {}).items()
        if ("dask_image_vs_scipy_wrap" not in k) and v > (1e-4 if "sum" in k else 1e-5)
    ]
    if bad:
        print("dask bench: CHECK FAILED: " + "; ".join(bad), file=sys.stderr)
        return 1
    return 0


def table(doc: dict) -> str:
    m = doc["meta"]
    lines = [
        f"ndkern.dask bench — scale {m['scale']}, {m['cluster']}, ndkern {m['ndkern']} ({m['simd_level']}), "
        f"dask {m['dask']}, dask-image {m['dask_image']}, scipy {m['scipy']}",
        "",
        "| case | implementation | wall s | peak RSS per worker (GiB) | note |",
        "|---|---|---|---|---|",
    ]
    for case, r in doc["results"].items():
        for impl, rec in r.items():
            if isinstance(rec, dict) and "seconds" in rec:
                note = ""
                if case == "gauss3d" and impl == "ndkern.dask":
                    sm = r["single_machine"]
                    note = (
                        f"{r['ratio']}x dask-image; single machine {sm['ratio']}x "
                        f"(ratio kept: {r['ratio_vs_single_machine']})"
                    )
                if case == "q1" and impl == "ndkern.dask.histogramdd":
                    note = f"{r['ratio_histogramdd']}x dask.array.histogramdd"
                size = r.get("shape") or f"{r.get('points')} pts -> {r.get('cells')}"
                lines.append(
                    f"| {case} {size} | {impl} | {rec['seconds']:.2f} | "
                    f"{', '.join(f'{v:.2f}' for v in rec['rss_peak_gib'])} | {note} |"
                )
        checks = r.get("check", {})
        worst = max((v for k, v in checks.items() if "dask_image_vs_scipy_wrap" not in k), default=0.0)
        lines.append(f"| {case} | correctness (max rel. diff of the checks) | | | {worst:.2g} |")
        if "dask_image_vs_scipy_wrap" in checks:
            lines.append(
                f"| {case} | dask-image with mode='wrap' vs scipy (its per-chunk wrap) | | | "
                f"{checks['dask_image_vs_scipy_wrap']:.2g} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
