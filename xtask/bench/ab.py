#!/usr/bin/env python3
"""A/B of benchmark-suite builds, alternated in one sitting (the noise rule of BENCHMARKS.md).

Usage:
  python3 xtask/bench/ab.py [--rounds N] LABEL=SUITE_BINARY[,ENV=VALUE...] ... -- [FILTER...]

Each round runs every binary once (`SUITE --bench --quick FILTER...`, its JSON written through
NDKERN_BENCH_OUT), in order A, B, ... then reversed in the next round, so drift in the machine's
load hits both sides alike. Prints, per workload, each side's median over rounds of the per-run
medians, and the ratio of every side to the first. Suite binaries: `target/release/deps/suite-*`
of a default build (`cargo bench -p ndkern --bench suite --no-run`), of a native one
(`RUSTFLAGS="-C target-cpu=native" CARGO_TARGET_DIR=target/native ...`), or of an old commit
in a worktree. Example (default build at the AVX2 level vs an x86-64-v3 build):
  python3 xtask/bench/ab.py default=target/release/deps/suite-XXXX,NDKERN_SIMD=avx2 \\
      v3=target/v3/release/deps/suite-YYYY,NDKERN_SIMD=avx2 -- uniform gaussian
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile


def main() -> None:
    args = sys.argv[1:]
    rounds = 2
    if args[:1] == ["--rounds"]:
        rounds = int(args[1])
        args = args[2:]
    if "--" in args:
        i = args.index("--")
        sides, filters = args[:i], args[i + 1 :]
    else:
        sides, filters = args, []
    specs = []
    for s in sides:
        label, rest = s.split("=", 1)
        parts = rest.split(",")
        env = dict(p.split("=", 1) for p in parts[1:])
        specs.append((label, parts[0], env))
    if not specs:
        sys.exit(__doc__)
    times = {label: {} for label, _, _ in specs}
    levels = {}
    with open("/proc/loadavg") as f:
        load_start = f.read().split()[:3]
    for r in range(rounds):
        order = specs if r % 2 == 0 else specs[::-1]
        for label, binary, env in order:
            with tempfile.TemporaryDirectory() as d:
                out = os.path.join(d, "suite.json")
                e = dict(os.environ, NDKERN_BENCH_OUT=out, **env)
                subprocess.run([binary, "--bench", "--quick", *filters], env=e, check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                with open(out) as f:
                    rec = json.load(f)
            levels[label] = f"{rec.get('simd_level', '?')} [{' '.join(rec['target_features'])}]"
            for w in rec["workloads"]:
                times[label].setdefault(w["name"], []).append(w["median_s"])
    with open("/proc/loadavg") as f:
        load_end = f.read().split()[:3]
    first = specs[0][0]
    print(f"A/B, {rounds} alternated rounds of --quick runs; load average {' '.join(load_start)}"
          f" at the start, {' '.join(load_end)} at the end")
    for label, _, env in specs:
        print(f"  {label}: SIMD level {levels[label]} {env or ''}")
    head = "| workload | " + " | ".join(f"{l} ms" for l, _, _ in specs) + " | " + \
        " | ".join(f"{l} / {first}" for l, _, _ in specs[1:]) + " |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for name in times[first]:
        meds = [statistics.median(times[l][name]) for l, _, _ in specs]
        cells = [f"{m * 1e3:.2f}" for m in meds]
        ratios = [f"{m / meds[0]:.2f}" for m in meds[1:]]
        print(f"| {name} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")


if __name__ == "__main__":
    main()
