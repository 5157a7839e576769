"""CyclicalLearningRate on every backend and step dtype, against the exact value.

The expected values come from ``family_reference.cyclical`` (exact ``Fraction`` position in
the cycle, 60-digit rates), within each backend's bound (``backend_steps``).
"""

from __future__ import annotations

import math

import pytest

import family_reference as fam
from backend_steps import BACKENDS, in_range, tolerance
from lrschedule import CyclicalLearningRate


def _check(backend: str, args: tuple[object, ...], steps: list[int]) -> None:
    chosen = BACKENDS[backend]
    schedule = CyclicalLearningRate(*args)  # type: ignore[arg-type]
    steps = [chosen.representable(step) for step in steps]
    for step, value in zip(steps, chosen.run(schedule, steps).tolist(), strict=True):
        exact = float(fam.cyclical(*args, step=step)[0])  # type: ignore[arg-type]
        if not in_range(chosen, exact):
            assert value == math.copysign(math.inf, exact), (step, value)
            continue
        assert abs(value - exact) <= tolerance(chosen, schedule, exact), (step, value, exact)


@pytest.mark.parametrize("backend", list(BACKENDS))
@pytest.mark.parametrize(
    "args",
    [
        (1.0, 1e-6, 1),
        (1e10, 0.5426862544653799, 1),
        (0.75, 0.0078125, 765),
        (1.0, 1e-5, 3, 7, "triangular2"),
        (2.5, 1e-4, 10, 4, "exp_range", 0.99999),
        (1.0, 0.0078125, 64, 63),
    ],
)
def test_a_far_smaller_top_keeps_its_digits(backend: str, args: tuple[object, ...]) -> None:
    # a + (b - a) * h lost the digits of b to the rounding of b - a: 1.6e4 float64 eps at
    # CyclicalLearningRate(1.0, 1e-6, 1)(1), 3.5 float32 ulps for (1e10, 0.54, 1)(1).
    up = int(args[2])  # type: ignore[call-overload]
    down = int(args[3]) if len(args) > 3 else up  # type: ignore[call-overload]
    cycle = up + down
    steps = [0, 1, up - 1, up, up + 1, cycle - 1, cycle, cycle + up, 730, 7 * cycle + up]
    _check(backend, args, steps)


@pytest.mark.parametrize("backend", list(BACKENDS))
def test_exp_range_with_a_growing_gamma_past_the_float_range(backend: str) -> None:
    # gamma ** t is inf at step 10**6; h is 0 at the start of each cycle, where the rate is
    # initial_learning_rate exactly (it was 0 * inf = NaN), and inf elsewhere.
    args = (0.1, 1.0, 10, None, "exp_range", 1.001)
    _check(backend, args, [10**6 - 20, 10**6, 10**6 + 5, 10**6 + 10, 10**6 + 20, 600])


@pytest.mark.parametrize("backend", ["python int", "python float"])
def test_a_fractional_cycle_at_a_huge_python_step(backend: str) -> None:
    # C = 1.534... + 1048575 rounded to a float put a step of 2**53 0.8 steps off in its
    # cycle (2.9e8 float64 eps); the position comes from the exact U + D.
    for args in [
        (1.0, 0.5, 1.5340755631914362, 1048575),
        (0.1, 1.1e-11, 889670.5340755632, 4215667),
    ]:
        _check(backend, args, [2**53, 2**53 - 2, 15135385760271, 2**80, 3, 1048577])
