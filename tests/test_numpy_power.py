"""``ExponentialDecay`` on NumPy integer steps: ``rate ** (step / decay_steps)`` within an ulp.

The NumPy backend computes the power from a table of exact powers
(``lrschedule.backends.numpy.PowerTable``); the reference here is mpmath at 256 bits, from
the exact binary values of the arguments.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from mpmath import mp, mpf

from lrschedule import ExponentialDecay
from lrschedule.backends.numpy import NUMPY_OPS, PowerTable

mp.prec = 256

#: (decay_rate, decay_steps): slow and steep decays, growth, fractional and huge spans.
CASES = [
    (0.96, 100_000),
    (0.5, 10),
    (0.9, 7),
    (0.999, 1),
    (0.96, 2.5),
    (0.999999, 3),
    (0.5, 1e19),
    (0.1, 10**18),
    (1e-300, 1),
    (1.01, 10),
    (2.0, 1000),
    (1.0000001, 1),
]


def sample_steps() -> np.ndarray:
    """Small steps, steps up to 10**9 and up to 2**62, powers of two, and the int64 maximum."""
    rng = np.random.default_rng(20240611)
    return np.concatenate(
        [
            np.arange(0, 1500),
            rng.integers(0, 10**9, 1500),
            rng.integers(0, 2**62, 1500),
            2 ** np.arange(1, 63),
            2 ** np.arange(1, 63) - 1,
            [2**62, 2**63 - 1],
        ]
    ).astype(np.int64)


STEPS = sample_steps()


def exact(scale: float, rate: float, steps: np.ndarray, d: int | float) -> list[mpf]:
    return [mpf(scale) * mpf(rate) ** (mpf(int(step)) / mpf(d)) for step in steps]


def ulps(got: np.ndarray, reference: list[mpf]) -> float:
    """The largest error of ``got`` in ulps of the correctly rounded reference (0 and inf exact)."""
    worst = 0.0
    for value, true in zip(got.tolist(), reference):
        rounded = float(true) if true < mpf(2) ** 1024 else math.inf
        if rounded == 0.0 or math.isinf(rounded):
            assert value == rounded, (value, true)
            continue
        spacing = max(float(np.spacing(abs(rounded))), 5e-324)
        worst = max(worst, float(abs(mpf(value) - true) / mpf(spacing)))
    return worst


@pytest.mark.parametrize(("rate", "d"), CASES)
def test_the_power_is_within_an_ulp(rate: float, d: int | float) -> None:
    power = NUMPY_OPS.power_ratio(rate, NUMPY_OPS.prepare(STEPS), d, 0)
    assert ulps(power, exact(1.0, rate, STEPS, d)) <= 1.0


@pytest.mark.parametrize(("rate", "d"), CASES)
def test_the_schedule_rounds_once_more(rate: float, d: int | float) -> None:
    # initial_learning_rate * power: one more rounding than the power's.
    values = ExponentialDecay(0.1, d, rate)(STEPS)
    assert ulps(values, exact(0.1, rate, STEPS, d)) <= 1.5


def test_the_plain_formula_is_far_off_at_large_steps() -> None:
    # What the table avoids: the rounded exponent of lr * exp(step * log(rate) / d).
    steps = STEPS[STEPS < 10**9]
    plain = 0.1 * np.exp(steps * (np.log(0.96) / 100_000))
    assert ulps(plain, exact(0.1, 0.96, steps, 100_000)) > 10


def test_underflow_and_overflow_are_exact_and_quiet() -> None:
    steps = np.array([0, 10**6, 10**9, 2**62, 2**63 - 1], dtype=np.int64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        decay = ExponentialDecay(1.0, 10, 0.5)(steps)
        growth = ExponentialDecay(1.0, 10, 2.0)(steps)
    assert decay.tolist() == [1.0, 0.0, 0.0, 0.0, 0.0]
    assert growth.tolist() == [1.0, math.inf, math.inf, math.inf, math.inf]


def test_scalars_and_arrays_of_any_shape_agree_bit_for_bit() -> None:
    schedule = ExponentialDecay(0.1, 1000, 1.001)
    steps = STEPS[::7]
    values = schedule(steps)
    scalars = [schedule(np.int64(step)) for step in steps]
    assert all(isinstance(value, np.float64) for value in scalars)
    np.testing.assert_array_equal(values, scalars)
    np.testing.assert_array_equal(
        schedule(steps[:600].reshape(20, 30)), values[:600].reshape(20, 30)
    )
    assert schedule(np.zeros((0, 3), dtype=np.int64)).shape == (0, 3)


def test_the_table_grows_to_the_same_values() -> None:
    # One table filled a little at a time, one filled at once: the same entries.
    steps = np.sort(STEPS)
    gradual, at_once = PowerTable(0.97, 13), PowerTable(0.97, 13)
    pieces = [gradual.power(steps[start : start + 500]) for start in range(0, steps.size, 500)]
    np.testing.assert_array_equal(np.concatenate(pieces), at_once.power(steps))


def test_steps_longer_than_a_block() -> None:
    steps = np.arange(100_000, dtype=np.int64) * 1_234_567
    values = ExponentialDecay(0.1, 3, 0.999)(steps)
    picks = np.arange(0, steps.size, 997)
    assert ulps(values[picks], exact(0.1, 0.999, steps[picks], 3)) <= 1.5
