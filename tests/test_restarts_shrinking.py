"""CosineDecayRestarts with shrinking cycles (``t_mul < 1``) at float steps near the end.

Near the end of the series, ``E = first_decay_steps / (1 - t_mul)``, the cycles are far
shorter than a step, so the fraction of a cycle a float step has left, ``(S_{k+1} - s) /
L_k``, is a difference of nearly equal numbers: it must be formed exactly (the step is an
exact rational), not against ``S_{k+1}`` rounded to a float. Every backend and float
dtype is compared with the exact reference (:mod:`tests.reference`, 60 digits) within
its documented bound (:mod:`tests.backend_steps`).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
import torch

import reference as ref
from backend_steps import BACKENDS, KERAS_ULPS, Backend, _framework, in_range, tolerance
from lrschedule import CosineDecayRestarts

#: (initial_learning_rate, first_decay_steps, t_mul, m_mul, alpha).
CONFIGS = {
    "t=0.05": (1.0, 1, 0.05, 1.0, 0.0),  # the reported case
    "t=0.142": (-1.0, 45, 0.142, 0.5, 0.122),  # found by the property suite
    "t=0.7": (0.1, 3.75, 0.7, 0.9, 0.01),
    "t=0.95,huge": (0.1, 1e20, 0.95, 1.0, 0.0),
}

TORCH64 = Backend(
    "torch float64",
    "float64",
    2.0**80,
    "float64",
    lambda schedule: KERAS_ULPS,
    False,
    _framework(lambda s: torch.tensor(s, dtype=torch.float64), torch.Tensor, torch.float64),
)
FLOAT_BACKENDS = {name: backend for name, backend in BACKENDS.items() if backend.step != "int"} | {
    TORCH64.name: TORCH64
}


def _steps(backend: Backend, first: float, t_mul: float) -> list[float]:
    """Float steps of the backend's dtype approaching the end from below."""
    end = Fraction(first) / (1 - Fraction(t_mul))
    candidates = {backend.representable(float(end * (1 - Fraction(1, 2**j)))) for j in range(60)}
    candidates |= {backend.representable(float(end * Fraction(j, 7))) for j in range(1, 7)}
    candidates.add(backend.representable(1.05262818))
    narrow = np.float32 if backend.step == "float32" else np.float64
    below = float(np.nextafter(narrow(float(end)), narrow(0)))
    candidates.update({below, float(np.nextafter(narrow(below), narrow(0)))})
    return sorted(s for s in candidates if s > 0 and Fraction(s) < end)


@pytest.mark.parametrize("config", list(CONFIGS.values()), ids=list(CONFIGS))
@pytest.mark.parametrize("backend", list(FLOAT_BACKENDS.values()), ids=list(FLOAT_BACKENDS))
def test_float_steps_near_the_end_are_exact(backend: Backend, config: tuple[Any, ...]) -> None:
    schedule = CosineDecayRestarts(*config)
    steps = _steps(backend, config[1], config[2])
    if backend.flush:  # float32 steps in the half-ulp below the end: the end rounds there
        end = float(np.float32(config[1] / (1 - config[2])))
        steps = [s for s in steps if s < float(np.nextafter(np.float32(end), np.float32(0)))]
    values = backend.run(schedule, steps)
    misses = []
    for step, value in zip(steps, values, strict=True):
        exact = float(ref.cosine_decay_restarts(*config, step=step))
        if not in_range(backend, exact):
            continue
        bound = tolerance(backend, schedule, exact)
        if not abs(value - exact) <= bound:
            misses.append((step, value, exact, abs(value - exact) / bound))
    assert not misses, misses[:5]


def test_the_reported_step_is_within_an_ulp() -> None:
    schedule = CosineDecayRestarts(1.0, 1, t_mul=0.05)
    exact = float(ref.cosine_decay_restarts(1.0, 1, 0.05, step=1.05262818))
    assert schedule(1.05262818) == pytest.approx(exact, rel=2.0**-52, abs=0.0)
    array = schedule(np.array([1.05262818, 1.05262818]))
    assert np.all(np.abs(array - exact) <= 2.0**-52 * exact)
    assert not math.isnan(schedule(math.nextafter(1 / 0.95, 0)))


@pytest.mark.parametrize("backend", [name for name, b in BACKENDS.items() if b.step != "int"])
def test_a_float_step_just_before_the_end_of_the_series_is_in_a_cycle(backend: str) -> None:
    # The series ends at E = 1,782,883.38948...; the float32 step 1,782,883.375 is before it,
    # but E compared with a float32 step was E rounded to float32, 1,782,883.375 itself.
    chosen = BACKENDS[backend]
    args = (1e-06, 935230.5766028756, 0.47543929001696783, 1.0, 0.95)
    schedule = CosineDecayRestarts(*args)
    steps = [1782883.375, 1782883.5, 1782882.0]
    values = chosen.run(schedule, steps).tolist()
    for step, value in zip(steps, values, strict=True):
        exact = float(ref.cosine_decay_restarts(*args, step=step))
        assert abs(value - exact) <= tolerance(chosen, schedule, exact), (step, value, exact)
