"""Entry point: `python xtask/bench/peers SUITE_JSON` (what `cargo xtask bench --peers` runs).
See peers/__init__.py."""

import os
import sys

_here = os.path.dirname(os.path.abspath(__file__))
# Run as a directory, Python puts this folder first on sys.path, where `signal.py` would
# shadow the standard library's module: import the package from its parent instead.
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _here]
sys.path.insert(0, os.path.dirname(_here))
# numba's compiled kernels are cached under target/ (compilation is never timed either way).
os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(_here))), "target", "numba-cache"))

from peers.run import main  # noqa: E402

main()
