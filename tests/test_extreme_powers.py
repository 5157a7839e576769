"""Powers of an extreme decay rate or power, within the backend's bound of the exact value.

``decay_rate ** (step / decay_steps)`` with the exponent rounded costs ``|log(rate) * p|``
half-ulps (35 for ``decay_rate=1e-30``): 7.4 float64 eps at
``ExponentialDecay(1.0, 1000, 1e-30)(777.0)``. The expected values come from the exact
reference (``reference.exponential_decay``, 60 digits).
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

import family_reference as fam
import reference as keras
from backend_steps import BACKENDS, in_range, tolerance
from lrschedule import (
    CosineDecayRestarts,
    ExponentialDecay,
    MultiStepDecay,
    PolynomialDecay,
    Scale,
    StepDecay,
    WarmupCosineDecay,
)

CASES = [
    ((1.0, 1000, 1e-30), [777, 1, 999, 1234, 5000, 10**6 + 777]),
    ((1.0, 7, 1e-16), [3, 6, 13, 20]),
    ((2.5, 91157.2, 1e-25), [1234, 90000, 100000, 10**6 + 3]),
    ((3e-4, 12345, 1e-12), [1, 777, 12344, 10**7 + 99]),
    # The power (1e-39) is below float32's normal numbers, the product (1e-22) is not.
    ((3.6398605819531846e17, 9291, 1.8999999999999998e-14), [26787, 100, 9291 * 3]),
    # A growing power past float32's range times a rate that brings it back.
    ((1e-30, 10, 2.0), [1300, 1000, 1500]),
]


@pytest.mark.parametrize("backend", list(BACKENDS))
@pytest.mark.parametrize(("args", "steps"), CASES)
def test_an_extreme_rate_keeps_its_power_within_the_bound(
    backend: str, args: tuple[float, int | float, float], steps: list[int]
) -> None:
    chosen = BACKENDS[backend]
    schedule = ExponentialDecay(*args)
    steps = [chosen.representable(step) for step in steps]
    for step, value in zip(steps, chosen.run(schedule, steps).tolist(), strict=True):
        exact = float(keras.exponential_decay(*args, False, step=step))
        assert abs(value - exact) <= tolerance(chosen, schedule, exact), (step, value, exact)


@pytest.mark.parametrize("backend", list(BACKENDS))
@pytest.mark.parametrize("end", [0.01, 0.5])
@pytest.mark.parametrize("cycle", [False, True])
def test_a_power_that_float32_rounds_to_zero(backend: str, end: float, cycle: bool) -> None:
    # float32(7.5e-278) is 0, and XLA's 0 ** 0 is 1: JAX gave initial_learning_rate (or NaN)
    # where the decay has ended, instead of end_learning_rate.
    args = (0.1, 1000, end, 7.5e-278, cycle)
    chosen = BACKENDS[backend]
    schedule = PolynomialDecay(*args)
    steps = [chosen.representable(step) for step in [0, 1, 999, 1000, 1001, 2000, 5000]]
    for step, value in zip(steps, chosen.run(schedule, steps).tolist(), strict=True):
        exact = float(keras.polynomial_decay(*args, step=step))
        assert abs(value - exact) <= tolerance(chosen, schedule, exact), (step, value, exact)


STAIRS = [
    ((1.5e20, 342, 8.9e-12), [9918, 9917, 342 * 28, 342 * 30]),  # 8.9e-12**29 is subnormal
    ((10.0, 3, 1e-19), [6, 5, 8, 9]),  # float32: 1e-38 is subnormal, 1e-37 is not
    ((1e-20, 5, 1e3), [5 * 105, 5 * 106 - 1, 5 * 100]),  # 1e3**105 is past the float range
]


@pytest.mark.parametrize("backend", list(BACKENDS))
@pytest.mark.parametrize(("args", "steps"), STAIRS)
def test_a_power_outside_the_normal_floats_times_a_rate(
    backend: str, args: tuple[float, int, float], steps: list[int]
) -> None:
    # lr0 * rate**count lost its digits (or all of them) where rate**count alone is subnormal
    # or past the float range, though the product is a normal float.
    lr0, period, rate = args
    chosen = BACKENDS[backend]
    steps = [chosen.representable(step) for step in steps]
    marks = [period * k for k in range(1, int(max(steps)) // period + 1)]
    for schedule in (
        StepDecay(*args),
        ExponentialDecay(*args, staircase=True),
        MultiStepDecay(lr0, marks, rate),
    ):
        for step, value in zip(steps, chosen.run(schedule, steps).tolist(), strict=True):
            exact = float(fam.step_decay(*args, step=step)[0])
            if not in_range(chosen, exact):
                assert value == math.inf, (step, value, exact)
                continue
            assert abs(value - exact) <= tolerance(chosen, schedule, exact), (step, value, exact)


@pytest.mark.parametrize("backend", ["jax int32", "jax float32", "torch float32", "numpy float64"])
def test_a_fractional_exponent_near_the_end_of_a_cosine_decay(backend: str) -> None:
    # float32(2.0734409349018037) misses the exponent by 9e-8; w ** p32 at w = 6e-5
    # (log(w) = -9.7) was 8.8 float32 ulps off on JAX; the miss is given back.
    args = (1.0, 1e4, 1, 202, 1e-6, 2.0734409349018037)
    chosen = BACKENDS[backend]
    schedule = WarmupCosineDecay(*args)
    steps = [chosen.representable(step) for step in [150, 190, 199, 200, 201, 202, 203]]
    for step, value in zip(steps, chosen.run(schedule, steps).tolist(), strict=True):
        exact = float(fam.warmup_cosine_decay(*args, step=step)[0])
        assert abs(value - exact) <= tolerance(chosen, schedule, exact), (step, value, exact)


@pytest.mark.parametrize("backend", ["python int", "python float", "numpy int64", "numpy float64"])
def test_the_keras_example_underflows_at_the_exact_step(backend: str) -> None:
    # 0.1 * 0.96**k in the subnormal range: the product rounds once, so it is within one
    # subnormal spacing of exact and 0.0 from exactly where the exact value rounds to 0.0
    # (k = 18197); rounding it twice made it 0.0 from k = 18186.
    chosen = BACKENDS[backend]
    tiny = math.ulp(0.0)
    counts = list(range(18_100, 18_220))
    steps = [chosen.representable(k * 100_000) for k in counts]
    for schedule in (StepDecay(0.1, 100_000, 0.96), ExponentialDecay(0.1, 100_000, 0.96, True)):
        values = chosen.run(schedule, steps).tolist()
        for count, value in zip(counts, values, strict=True):
            exact = Fraction(0.1) * Fraction(0.96) ** count
            assert abs(Fraction(value) - exact) <= tiny, (count, value, float(exact))
            assert (value == 0.0) == (float(exact) == 0.0), (count, value, float(exact))


@pytest.mark.parametrize("backend", list(BACKENDS))
@pytest.mark.parametrize("staircase", [False, True])
@pytest.mark.parametrize("lr0", [0.0, -0.0])
def test_a_zero_rate_stays_zero_where_its_growing_power_overflows(
    backend: str, staircase: bool, lr0: float
) -> None:
    # 0 * 2.0 ** (step / 10) is 0 at every step; with the power taken first, 0 * inf was NaN
    # from step 10,240 on (2 ** 1024 overflows; float32 from 1,280).
    chosen = BACKENDS[backend]
    schedule = ExponentialDecay(lr0, 10, 2.0, staircase=staircase)
    steps = [chosen.representable(step) for step in [0, 5, 1279, 1290, 10_239, 10_250, 10**6]]
    values = chosen.run(schedule, steps).tolist()
    assert values == [0.0] * len(steps), values


@pytest.mark.parametrize("backend", list(BACKENDS))
def test_a_zero_factor_stays_zero_where_its_growing_schedule_overflows(backend: str) -> None:
    chosen = BACKENDS[backend]
    schedule = Scale(ExponentialDecay(1.0, 10, 2.0), 0.0)
    steps = [chosen.representable(step) for step in [0, 5, 1290, 10_250, 10**6]]
    assert chosen.run(schedule, steps).tolist() == [0.0] * len(steps)
    assert Scale(ExponentialDecay(1.0, 10, 2.0), 3.0)(10**6) == math.inf  # nonzero: overflows


@pytest.mark.parametrize("backend", list(BACKENDS))
@pytest.mark.parametrize(("lr0", "alpha"), [(0.5, 1.0), (0.0, 0.3)])
def test_restarts_without_a_wave_keep_their_floor_past_the_peaks_overflow(
    backend: str, lr0: float, alpha: float
) -> None:
    # m_mul = 2 over one-step cycles: 2 ** k overflows from cycle 1,024 (float32: 128) on,
    # and (1 - alpha) * 2 ** k * wave was 0 * inf = NaN where the rate is alpha * lr0.
    chosen = BACKENDS[backend]
    schedule = CosineDecayRestarts(lr0, 1, t_mul=1.0, m_mul=2.0, alpha=alpha)
    steps = [chosen.representable(step) for step in [0, 3, 127, 200, 1023, 2000, 10**6]]
    assert chosen.run(schedule, steps).tolist() == [lr0 * alpha] * len(steps)
