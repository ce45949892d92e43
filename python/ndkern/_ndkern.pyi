"""Type stubs of the compiled extension (thin and strict: float32/float64 arrays only,
outputs preallocated; use the wrappers in ndkern and ndkern.ndimage)."""

from typing import Optional, Sequence

import numpy as np
import numpy.typing as npt

_F = npt.NDArray[np.floating]

__version__: str

def uniform_filter1d(
    input: _F, size: int, axis: int, mode: str, cval: float, origin: int, output: _F
) -> None: ...
def uniform_filter(
    input: _F, sizes: Sequence[int], mode: str, cval: float, origins: Sequence[int], output: _F
) -> None: ...
def window_sum(
    input: _F, sizes: Sequence[int], mode: str, cval: float, origins: Sequence[int], output: _F
) -> None: ...
def local_mean_var(
    input: _F, sizes: Sequence[int], mode: str, cval: float, mean: _F, var: _F
) -> None: ...
def correlate1d(
    input: _F,
    weights: Sequence[float],
    axis: int,
    mode: str,
    cval: float,
    origin: int,
    output: _F,
    convolve: bool,
) -> None: ...
def correlate(
    input: _F,
    weights: npt.NDArray[np.float64],
    mode: str,
    cval: float,
    origins: Sequence[int],
    output: _F,
    convolve: bool,
) -> None: ...
def gaussian_filter1d(
    input: _F,
    sigma: float,
    axis: int,
    order: int,
    mode: str,
    cval: float,
    truncate: float,
    radius: Optional[int],
    output: _F,
) -> None: ...
def gaussian_filter(
    input: _F,
    sigmas: Sequence[float],
    orders: Sequence[int],
    mode: str,
    cval: float,
    truncate: float,
    radii: Optional[Sequence[int]],
    output: _F,
) -> None: ...
def reduce(
    op: str, input: _F, axes: Optional[Sequence[int]], keepdims: bool, ddof: int
) -> np.ndarray: ...
def simd_level() -> str: ...
def set_num_threads(n: int) -> None: ...
def get_num_threads() -> int: ...
def _panic_for_test(in_pool: bool) -> None: ...
