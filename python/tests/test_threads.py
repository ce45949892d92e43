"""The GIL is released while ndkern computes; the thread-pool controls."""

from __future__ import annotations

import os
import threading
import time

import numpy as np
import pytest

import ndkern
from ndkern import ndimage as ndi


def _sized_input(target_s: float) -> np.ndarray:
    """An array whose 9x9 uniform filter takes about `target_s` (single-threaded pool)."""
    a = np.random.default_rng(0).random((1000, 1000))
    out = np.empty_like(a)
    ndi.uniform_filter(a, 9, output=out)
    t0 = time.perf_counter()
    ndi.uniform_filter(a, 9, output=out)
    dt = time.perf_counter() - t0
    rows = int(1000 * min(max(target_s / max(dt, 1e-4), 0.05), 40))
    return np.random.default_rng(1).random((rows, 1000))


def _time(f) -> float:
    t0 = time.perf_counter()
    f()
    return time.perf_counter() - t0


def test_two_threads_call_concurrently_and_agree():
    # Two Python threads calling at once (the GIL released by both): each result equals the
    # one-thread call's. Whether they overlap in time is not asserted here: with a 1-thread
    # pool they share its worker by design, and timings belong in the benchmarks; that the GIL
    # is released is checked by test_gil_released_lets_python_run.
    a = np.random.default_rng(1).random((600, 500))
    b = a[::-1].copy()
    want_a = ndi.uniform_filter(a, 9)
    want_b = ndi.uniform_filter(b, 9)
    for n in (1, 2):
        ndkern.set_num_threads(n)
        try:
            outs = [np.empty_like(a), np.empty_like(b)]
            th = [
                threading.Thread(target=ndi.uniform_filter, args=(x, 9), kwargs={"output": o})
                for x, o in zip((a, b), outs)
            ]
            for t in th:
                t.start()
            for t in th:
                t.join()
            # (1-ulp differences between pool sizes and routes are rounding, not races)
            np.testing.assert_allclose(outs[0], want_a, rtol=1e-12, atol=0)
            np.testing.assert_allclose(outs[1], want_b, rtol=1e-12, atol=0)
        finally:
            ndkern.set_num_threads(0)


def test_gil_released_lets_python_run():
    a = _sized_input(0.2)
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    ndkern.set_num_threads(1)
    try:
        t = threading.Thread(target=ticker)
        t.start()
        time.sleep(0.01)
        n0 = len(ticks)
        t0 = time.perf_counter()
        ndi.uniform_filter(a, 9)
        elapsed = time.perf_counter() - t0
        n1 = len(ticks)
        stop.set()
        t.join()
    finally:
        ndkern.set_num_threads(0)
    # with the GIL held the ticker would not tick during the call at all
    assert n1 - n0 >= max(3, int(elapsed / 0.001 * 0.2)), (n1 - n0, elapsed)


def test_num_threads():
    ndkern.set_num_threads(1)
    assert ndkern.get_num_threads() == 1
    a = np.random.default_rng(2).random((300, 300))
    r1 = ndi.gaussian_filter(a, 2.0)
    ndkern.set_num_threads(2)
    assert ndkern.get_num_threads() == 2
    r2 = ndi.gaussian_filter(a, 2.0)
    assert np.array_equal(r1, r2)
    ndkern.set_num_threads(0)
    assert ndkern.get_num_threads() >= 1
    with pytest.raises(ValueError):
        ndkern.set_num_threads(-1)


# A work estimate above ndkern's parallel threshold: the computation runs in a pool.
_POOLED = 1 << 40


def test_threads_context_manager_sets_the_calling_threads_pool():
    ndkern.set_num_threads(2)
    try:
        assert ndkern.get_num_threads() == 2
        assert ndkern._ndkern._compute_threads_for_test(_POOLED) == 2
        with ndkern.threads(1):
            # a call made here runs in a pool of one thread
            assert ndkern.get_num_threads() == 1
            assert ndkern._ndkern._compute_threads_for_test(_POOLED) == 1
            with ndkern.threads(3):  # nests
                assert ndkern.get_num_threads() == 3
                assert ndkern._ndkern._compute_threads_for_test(_POOLED) == 3
            assert ndkern._ndkern._compute_threads_for_test(_POOLED) == 1
            with ndkern.threads(0):  # 0: the process-wide pool
                assert ndkern._ndkern._compute_threads_for_test(_POOLED) == 2
            # small work runs on the calling thread whatever the setting
            assert ndkern._ndkern._compute_threads_for_test(10) == 1
        assert ndkern.get_num_threads() == 2
        assert ndkern._ndkern._compute_threads_for_test(_POOLED) == 2
        with pytest.raises(ZeroDivisionError):  # restored on an exception too
            with ndkern.threads(1):
                1 / 0
        assert ndkern._ndkern._compute_threads_for_test(_POOLED) == 2
    finally:
        ndkern.set_num_threads(0)


def test_threads_context_manager_is_per_thread():
    ndkern.set_num_threads(2)
    inside, other = threading.Event(), threading.Event()
    seen = {}

    def worker():
        inside.wait(10)
        seen["other"] = (
            ndkern.get_num_threads(),
            ndkern._ndkern._compute_threads_for_test(_POOLED),
        )
        other.set()

    t = threading.Thread(target=worker)
    t.start()
    try:
        with ndkern.threads(1):
            inside.set()
            assert other.wait(10)
            seen["main"] = ndkern._ndkern._compute_threads_for_test(_POOLED)
        t.join(10)
        # the other thread kept the process-wide pool while this one ran on one thread
        assert seen == {"main": 1, "other": (2, 2)}
    finally:
        ndkern.set_num_threads(0)


def test_threads_results_and_arguments():
    a = np.random.default_rng(4).random((700, 700))  # above the parallel threshold
    expected = ndi.gaussian_filter(a, 3.0)
    with ndkern.threads(1):
        got = ndi.gaussian_filter(a, 3.0)
    assert np.array_equal(got, expected)
    with pytest.raises(ValueError):
        with ndkern.threads(-1):
            pass
    with pytest.raises(TypeError):
        with ndkern.threads(1.5):
            pass
    assert ndkern._ndkern._compute_threads_for_test(_POOLED) == ndkern.get_num_threads()


def test_threads_in_a_forked_child():
    import multiprocessing as mp

    with ndkern.threads(1):
        ndkern._ndkern._compute_threads_for_test(_POOLED)  # the 1-thread pool exists here
        ctx = mp.get_context("fork")
        q = ctx.Queue()
        p = ctx.Process(target=_child_threads, args=(q,))
        p.start()
        p.join(60)
    if p.is_alive():
        p.kill()
        pytest.fail("the forked child hung on ndkern's one-thread pool")
    assert p.exitcode == 0
    assert q.get(timeout=5) == (1, 1)


def _child_threads(q):
    # forked inside `threads(1)`: the thread-local setting is inherited by the forking thread
    q.put((ndkern.get_num_threads(), ndkern._ndkern._compute_threads_for_test(_POOLED)))


def test_simd_level():
    assert ndkern.simd_level() in ("avx512", "avx2", "baseline")


def _child_filter(q):
    a = np.random.default_rng(3).random((600, 600))  # above the parallel threshold: the pool
    q.put(float(ndi.uniform_filter(a, 5).sum()))


def test_pool_works_in_a_forked_child():
    import multiprocessing as mp

    a = np.random.default_rng(3).random((600, 600))
    expected = float(ndi.uniform_filter(a, 5).sum())  # the parent's pool is running
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    p = ctx.Process(target=_child_filter, args=(q,))
    p.start()
    p.join(60)
    if p.is_alive():
        p.kill()
        pytest.fail("the forked child hung on ndkern's thread pool")
    assert p.exitcode == 0
    assert abs(q.get(timeout=5) - expected) <= 1e-9 * abs(expected)
