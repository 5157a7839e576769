"""Schedules, steps and tolerances shared by the PyTorch, JAX and TensorFlow tests.

The expected value of a tensor step is always the Python-number path at the same step,
``schedule(int(step))`` or ``schedule(float(step))``, which the core tests prove exact
against independent references. Around every switch (a new stair, a restart, a piecewise
boundary, the end of a warmup) the steps just before, at and after it are checked, so a
switch one step early or late fails the tolerance by far.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

import reference as ref
from lrschedule import (
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    InverseTimeDecay,
    PiecewiseConstantDecay,
    PolynomialDecay,
)

__all__ = [
    "REPRESENTATIVE",
    "SCHEDULES",
    "assert_dtype_close",
    "assert_float32_close",
    "assert_ulps",
    "ids",
    "switch_steps",
]

#: Every formula path of the Keras family: staircases, fractional periods, cycles,
#: rising polynomials, warmups, equal, growing and shrinking restart cycles.
SCHEDULES: list[Any] = [
    ExponentialDecay(0.1, 1000, 0.96),
    ExponentialDecay(0.1, 7, 0.9, staircase=True),
    ExponentialDecay(0.1, 2.5, 0.9, staircase=True),
    ExponentialDecay(0.01, 10, 1.01),
    InverseTimeDecay(0.1, 10, 0.5),
    InverseTimeDecay(0.1, 10, 0.5, staircase=True),
    PolynomialDecay(0.1, 100, 0.01, power=2.0),
    PolynomialDecay(0.1, 100, 0.01, power=0.5, cycle=True),
    PolynomialDecay(0.1, 2.5, 0.01, cycle=True),
    PolynomialDecay(0.01, 100, 0.1, power=1.5),
    PiecewiseConstantDecay([10, 20.5, 100], [1.0, 0.5, 0.1, 0.01]),
    PiecewiseConstantDecay([], [0.25]),
    CosineDecay(0.1, 100, alpha=0.1),
    CosineDecay(0.0, 100, alpha=0.1, warmup_target=1.0, warmup_steps=20),
    CosineDecay(0.0, 10.5, warmup_target=1.0, warmup_steps=2.5),
    CosineDecayRestarts(1.0, 10),
    CosineDecayRestarts(1.0, 10, t_mul=1.0, m_mul=0.9, alpha=0.1),
    CosineDecayRestarts(1.0, 10, t_mul=1.5, m_mul=0.8),
    CosineDecayRestarts(1.0, 2.5, t_mul=3.0),
    CosineDecayRestarts(1.0, 10, t_mul=0.5),
    CosineDecayRestarts(1.0, 7, t_mul=0.9, alpha=0.2),
]

#: One schedule per formula path (for tests repeated over many step dtypes).
REPRESENTATIVE: list[Any] = [
    SCHEDULES[2],  # ExponentialDecay, fractional staircase
    SCHEDULES[4],  # InverseTimeDecay
    SCHEDULES[7],  # PolynomialDecay, cycle
    SCHEDULES[9],  # PolynomialDecay, rising
    SCHEDULES[10],  # PiecewiseConstantDecay
    SCHEDULES[13],  # CosineDecay, warmup
    SCHEDULES[17],  # CosineDecayRestarts, growing cycles
    SCHEDULES[19],  # CosineDecayRestarts, shrinking cycles
]

#: Magnitudes at which periodic switches are checked (clipped to the dtype's range).
_MAGNITUDES = [10**3, 2**24, 2**31 - 1, 2**53, 2**62]


def ids(schedule: Any) -> str:
    return repr(schedule)[:80]


def _periodic(period: int | float, limit: int) -> set[Fraction]:
    exact = Fraction(period)
    points = {exact * k for k in range(1, 4)}
    for magnitude in _MAGNITUDES:
        if magnitude <= limit:
            k = math.floor(Fraction(magnitude) / exact)
            points.update({exact * k, exact * (k - 1)})
    return points


def _switch_points(schedule: Any, limit: int) -> set[Fraction]:
    """The exact steps at which ``schedule`` switches (stairs, cycles, boundaries)."""
    config = schedule.get_config()
    if isinstance(schedule, (ExponentialDecay, InverseTimeDecay)):
        return _periodic(config["decay_steps"], limit) if config["staircase"] else set()
    if isinstance(schedule, PolynomialDecay):
        if config["cycle"]:
            return _periodic(config["decay_steps"], limit)
        return {Fraction(config["decay_steps"])}
    if isinstance(schedule, PiecewiseConstantDecay):
        return {Fraction(bound) for bound in config["boundaries"]}
    if isinstance(schedule, CosineDecay):
        warmup = Fraction(config["warmup_steps"]) if config["warmup_target"] is not None else 0
        return {warmup, warmup + Fraction(config["decay_steps"])}
    if isinstance(schedule, CosineDecayRestarts):
        first, t_mul = config["first_decay_steps"], config["t_mul"]
        if t_mul == 1:
            return _periodic(first, limit)
        points: set[Fraction] = set()
        for count, start in enumerate(ref.restart_starts(first, t_mul)):
            if start > limit or count > 400:
                break
            points.add(start)
        return points
    raise AssertionError(f"no switch points known for {schedule!r}")


def switch_steps(schedule: Any, limit: int) -> list[int]:
    """Integer steps just before, at and just after every switch, up to ``limit``."""
    steps: set[int] = set()
    for point in _switch_points(schedule, limit):
        low, high = math.floor(point), math.ceil(point)
        steps.update({low - 1, low, high, high + 1})
    return sorted(step for step in steps if 0 <= step <= limit)


def _check(actual: Any, expected: Any, tolerance: Any, what: str) -> None:
    with np.errstate(invalid="ignore"):  # inf - inf
        error = np.abs(actual - expected)
    good = (actual == expected) | (error <= tolerance)
    if not np.all(good):
        worst = int(np.argmax(np.where(good, -np.inf, error - tolerance)))
        raise AssertionError(
            f"{int(np.sum(~good))} values off by more than {what}; first worst at index "
            f"{worst}: {actual.flat[worst]!r} vs {expected.flat[worst]!r}"
        )


def assert_ulps(actual: Any, expected: Any, ulps: float) -> None:
    """Equal within ``ulps`` units in the last place of the expected float64 value."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    _check(actual, expected, ulps * np.spacing(np.abs(expected)) + 1e-300, f"{ulps} ulp")


def assert_float32_close(actual: Any, expected: Any, ulps: float, *, flush: bool = False) -> None:
    """A float32 result within ``ulps`` float32 units in the last place of the exact value.

    The unit is the spacing of float32 numbers at the expected value (the float64 Python
    result), so 1 ulp means the float32 result is that value correctly rounded, give or
    take the rounding of the float64 computation. A value beyond the float32 range must
    be infinite. With ``flush``, values below float32's smallest normal number may come
    out as 0 (TensorFlow runs with denormals flushed to zero).
    """
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    with np.errstate(over="ignore"):
        rounded = expected.astype(np.float32)
    unit = np.spacing(np.abs(rounded)).astype(np.float64)
    target = np.where(np.isinf(rounded), rounded.astype(np.float64), expected)
    tolerance = ulps * np.nan_to_num(unit)
    if flush:
        tolerance = np.maximum(tolerance, float(np.finfo(np.float32).tiny))
    _check(actual, target, tolerance, f"{ulps} float32 ulp")


def assert_dtype_close(actual: Any, expected: Any, eps: float, tiny: float, ulps: float) -> None:
    """Within ``ulps`` units in the last place of a narrow float type (float16, bfloat16).

    ``eps`` and ``tiny`` are the type's machine epsilon and smallest normal number: a unit
    is ``eps * 2**floor(log2(|expected|))``, at least ``eps * tiny``.
    """
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    magnitude = np.maximum(np.abs(expected), tiny)
    unit = eps * np.exp2(np.floor(np.log2(magnitude)))
    _check(actual, expected, ulps * unit, f"{ulps} ulp of eps {eps}")


def run_on_keras_backend(backend: str, *arguments: str) -> dict[str, Any]:
    """Run ``python *arguments`` with ``KERAS_BACKEND=backend`` (Keras fixes its backend
    when imported, so each backend needs a fresh interpreter) and return the JSON object
    of the line it prints after ``RESULT``; the script reports its backend as ``backend``."""
    source = str(Path(__file__).resolve().parent.parent / "src")
    env = dict(os.environ, KERAS_BACKEND=backend, JAX_PLATFORMS="cpu", TF_CPP_MIN_LOG_LEVEL="3")
    env["PYTHONPATH"] = os.pathsep.join([source, env.get("PYTHONPATH", "")])
    result = subprocess.run(
        [sys.executable, *arguments],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT"))
    out: dict[str, Any] = json.loads(line[len("RESULT") :])
    assert out["backend"] == backend
    return out
