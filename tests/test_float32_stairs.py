"""Stairs located exactly where the formula is computed in float32.

JAX without x64, and float32 steps of PyTorch and TensorFlow, compute in float32, which
cannot hold a constant such as ``decay_steps=34814834`` (float32 34814832) or ``91157.2``:
``floor(step / float32(d))`` took a stair a step early or late next to every multiple of
``d``. Each step here is at or next to a stair; the expected values come from the exact
references (``reference.py``, ``family_reference.py``), which decide the stair with
``Fraction`` arithmetic at the exact step, and must hold within the backend's bound
(``backend_steps``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import jax.numpy as jnp
import numpy as np
import pytest
import torch

import family_reference as fam
import reference as keras
from backend_steps import BACKENDS, tolerance
from lrschedule import (
    CosineDecayRestarts,
    CyclicalLearningRate,
    ExponentialDecay,
    InverseTimeDecay,
    MultiStepDecay,
    PiecewiseConstantDecay,
    StepDecay,
)

#: Backends whose arithmetic is float32 (JAX without x64) or whose float32 steps are.
FLOAT32 = ["jax int32", "jax float32", "torch float32", "tensorflow float32"]
WHOLE, FRACTIONAL = 34814834, 91157.2

CASES: dict[str, tuple[Any, Callable[[Any], Any], int | float]] = {
    "exponential": (
        ExponentialDecay(0.1, WHOLE, 0.5, staircase=True),
        lambda s: keras.exponential_decay(0.1, WHOLE, 0.5, True, step=s),
        WHOLE,
    ),
    "exponential fractional": (
        ExponentialDecay(0.1, FRACTIONAL, 0.5, staircase=True),
        lambda s: keras.exponential_decay(0.1, FRACTIONAL, 0.5, True, step=s),
        FRACTIONAL,
    ),
    "inverse time": (
        InverseTimeDecay(0.1, WHOLE, 0.5, staircase=True),
        lambda s: keras.inverse_time_decay(0.1, WHOLE, 0.5, True, step=s),
        WHOLE,
    ),
    "step": (
        StepDecay(0.1, FRACTIONAL, 0.5),
        lambda s: fam.step_decay(0.1, FRACTIONAL, 0.5, step=s)[0],
        FRACTIONAL,
    ),
    "restarts": (
        CosineDecayRestarts(0.1, WHOLE, 1.0, 0.5, 0.01),
        lambda s: keras.cosine_decay_restarts(0.1, WHOLE, 1.0, 0.5, 0.01, step=s),
        WHOLE,
    ),
    "cyclical": (
        CyclicalLearningRate(0.1, 1.0, FRACTIONAL / 2, mode="triangular2"),
        lambda s: fam.cyclical(0.1, 1.0, FRACTIONAL / 2, None, "triangular2", step=s)[0],
        FRACTIONAL,
    ),
}


def _steps(backend: str, period: int | float) -> list[int | float]:
    """Steps at and next to the first multiples of ``period`` in the backend's dtype."""
    chosen = BACKENDS[backend]
    out: list[int | float] = []
    for k in range(1, 6):
        point = Fraction(period) * k
        if chosen.step == "int":
            out += [math.floor(point) + nudge for nudge in (-1, 0, 1)]
        else:
            x = np.float32(float(point))
            out += [float(np.nextafter(x, np.float32(-np.inf))), float(x)]
            out.append(float(np.nextafter(x, np.float32(np.inf))))
    return [min(step, chosen.max_step) for step in out]


@pytest.mark.parametrize("backend", FLOAT32)
@pytest.mark.parametrize("name", list(CASES))
def test_a_stair_is_taken_at_its_exact_step_in_float32(name: str, backend: str) -> None:
    schedule, exact, period = CASES[name]
    chosen = BACKENDS[backend]
    steps = _steps(backend, period)
    values = chosen.run(schedule, steps)
    for step, value in zip(steps, values.tolist()):
        expected = float(exact(step))
        assert abs(value - expected) <= tolerance(chosen, schedule, expected), (step, value)


@pytest.mark.parametrize("backend", FLOAT32)
def test_a_boundary_or_milestone_that_float32_cannot_hold(backend: str) -> None:
    # 34814833 rounds to float32 34814832: a step there is not past the boundary.
    bounds, values = [3 * FRACTIONAL, WHOLE - 1], [0.5, 0.25, 0.125]
    chosen = BACKENDS[backend]
    steps = _steps(backend, 3 * FRACTIONAL)[:3] + _steps(backend, WHOLE - 1)[:3]
    schedule = PiecewiseConstantDecay(bounds, values)
    got = chosen.run(schedule, steps).tolist()
    assert got == [float(keras.piecewise_constant_decay(bounds, values, step=s)) for s in steps]

    marks = [WHOLE - 1, 3 * WHOLE]
    multi = MultiStepDecay(0.1, marks, 0.5)
    steps = _steps(backend, WHOLE - 1)[:3] + _steps(backend, 3 * WHOLE)[:3]
    for step, value in zip(steps, chosen.run(multi, steps).tolist()):
        expected = float(fam.multi_step_decay(0.1, marks, 0.5, step=step)[0])
        assert abs(value - expected) <= tolerance(chosen, multi, expected), (step, value)


@pytest.mark.parametrize("backend", ["jax int32", "torch int32"])
def test_a_milestone_past_the_integer_dtype_is_not_reached(backend: str) -> None:
    # Clipped to 2**31 - 1, the milestone 2**31 counted as passed at step 2**31 - 1.
    make = {
        "jax int32": lambda s: jnp.asarray(s, dtype=jnp.int32),
        "torch int32": lambda s: torch.tensor(s, dtype=torch.int32),
    }[backend]
    top = 2**31 - 1
    steps = [top - 2, top - 1, top]
    for marks in ([10, 2**31], [2**31, 2**40], [10, top, 2**31 + 5]):
        schedule = MultiStepDecay(0.1, marks, 0.5)
        values = np.asarray(schedule(make(steps)), dtype=np.float64)
        exact = [float(fam.multi_step_decay(0.1, marks, 0.5, step=s)[0]) for s in steps]
        np.testing.assert_allclose(values, exact, rtol=2.0**-21)


def test_a_float32_step_whose_quotient_is_past_float32_whole_numbers() -> None:
    # Past step / d = 2**24 the float32 division by the rounded d lost the position in the
    # cycle entirely (CyclicalLearningRate at 2**80: 1.0 instead of 0.99999237).
    chosen = BACKENDS["jax float32"]
    steps = [2.0**80, 2.0**53, 123456789.0, 1e20, 2.0**70 + 2.0**50]
    steps = [chosen.representable(step) for step in steps]
    cases = [
        (
            CyclicalLearningRate(1.0, 0.5, 1, 16777216),
            lambda s: fam.cyclical(1.0, 0.5, 1, 16777216, step=s)[0],
        ),
        (
            CyclicalLearningRate(0.18, 3e-4, 89251123702347, 1062),
            lambda s: fam.cyclical(0.18, 3e-4, 89251123702347, 1062, step=s)[0],
        ),
        (
            CosineDecayRestarts(8e-5, 126257.16628089345, 1.0, 1.0, 0.5),
            lambda s: keras.cosine_decay_restarts(8e-5, 126257.16628089345, 1.0, 1.0, 0.5, step=s),
        ),
    ]
    for schedule, exact in cases:
        for step, value in zip(steps, chosen.run(schedule, steps).tolist(), strict=True):
            expected = float(exact(step))
            assert abs(value - expected) <= tolerance(chosen, schedule, expected), (step, value)
