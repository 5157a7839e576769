"""Properties that hold for every configuration (hypothesis)."""

from __future__ import annotations

import math
from fractions import Fraction

from hypothesis import assume, given
from hypothesis import strategies as st

from lrschedule import (
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    InverseTimeDecay,
    PiecewiseConstantDecay,
    PolynomialDecay,
)

rates = st.floats(1e-6, 10.0)
fractions = st.floats(0.0, 1.0)
decay_steps = st.one_of(st.integers(1, 10**7), st.floats(0.5, 1e7))
steps = st.integers(0, 10**15)
step_pairs = st.tuples(steps, steps).map(sorted)


def non_increasing(schedule: object, pair: list[int]) -> bool:
    earlier, later = pair
    return schedule(later) <= schedule(earlier) * (1 + 1e-12) + 1e-300  # type: ignore[operator]


@given(rates, decay_steps, st.floats(1e-3, 0.999), st.booleans(), step_pairs)
def test_exponential_never_increases_when_rate_below_one(
    lr: float, ds: float, rate: float, staircase: bool, pair: list[int]
) -> None:
    assert non_increasing(ExponentialDecay(lr, ds, rate, staircase), pair)


@given(rates, st.integers(1, 10**6), st.floats(1e-3, 0.999), steps)
def test_staircase_is_at_or_above_the_continuous_curve(
    lr: float, ds: int, rate: float, step: int
) -> None:
    stairs = ExponentialDecay(lr, ds, rate, staircase=True)(step)
    smooth = ExponentialDecay(lr, ds, rate)(step)
    assert stairs >= smooth * (1 - 1e-12)
    if step % ds == 0:
        assert math.isclose(stairs, smooth, rel_tol=1e-12, abs_tol=1e-300)


@given(rates, decay_steps, st.floats(0.0, 100.0), st.booleans(), step_pairs)
def test_inverse_time_never_increases(
    lr: float, ds: float, rate: float, staircase: bool, pair: list[int]
) -> None:
    assert non_increasing(InverseTimeDecay(lr, ds, rate, staircase), pair)


@given(rates, decay_steps, fractions, st.floats(0.0, 5.0), step_pairs)
def test_polynomial_moves_monotonically_to_the_end_and_stays(
    lr: float, ds: float, end_fraction: float, power: float, pair: list[int]
) -> None:
    schedule = PolynomialDecay(lr, ds, end_learning_rate=lr * end_fraction, power=power)
    assert non_increasing(schedule, pair)
    if power > 0:
        assert schedule(math.ceil(ds)) == schedule(10**18) == lr * end_fraction


@given(rates, st.integers(1, 10**6), fractions, st.floats(0.1, 5.0), st.integers(1, 10**6))
def test_polynomial_cycle_hits_the_end_at_every_multiple(
    lr: float, ds: int, end_fraction: float, power: float, multiple: int
) -> None:
    end = lr * end_fraction
    schedule = PolynomialDecay(lr, ds, end_learning_rate=end, power=power, cycle=True)
    assert math.isclose(schedule(ds * multiple), end, rel_tol=1e-12, abs_tol=1e-300)
    assert schedule(ds * multiple + 1) >= end
    assert schedule(0) == lr


@given(
    st.lists(st.integers(0, 10**12), min_size=1, max_size=8, unique=True).map(sorted),
    st.data(),
)
def test_piecewise_takes_the_value_of_its_interval(
    boundaries: list[int], data: st.DataObject
) -> None:
    values = data.draw(st.lists(rates, min_size=len(boundaries) + 1, max_size=len(boundaries) + 1))
    schedule = PiecewiseConstantDecay(boundaries, values)
    for index, boundary in enumerate(boundaries):
        assert schedule(boundary) == values[index]  # right-closed: the earlier value at b
        assert schedule(boundary + 1) == values[index + 1] or boundary + 1 in boundaries
    assert schedule(0) == values[0] or boundaries[0] < 0


@given(rates, decay_steps, fractions, step_pairs)
def test_cosine_decays_from_peak_to_alpha_times_peak(
    lr: float, ds: float, alpha: float, pair: list[int]
) -> None:
    schedule = CosineDecay(lr, ds, alpha)
    assert non_increasing(schedule, pair)
    assert schedule(0) == lr
    assert math.isclose(schedule(10**18), alpha * lr, rel_tol=1e-15)
    assert alpha * lr * (1 - 1e-12) <= schedule(pair[0]) <= lr


@given(fractions, rates, st.integers(1, 10**5), st.integers(1, 10**5), fractions, steps)
def test_cosine_warmup_is_a_line_then_a_cosine_from_the_target(
    start: float, target: float, warmup: int, ds: int, alpha: float, step: int
) -> None:
    schedule = CosineDecay(start * target, ds, alpha, warmup_target=target, warmup_steps=warmup)
    low, high = sorted((start * target, target))
    value = schedule(step)
    if step <= warmup:
        assert low * (1 - 1e-12) <= value <= high * (1 + 1e-12)
    else:
        assert alpha * target * (1 - 1e-12) <= value <= target * (1 + 1e-12)
    assert math.isclose(schedule(warmup), target, rel_tol=1e-15)


@given(
    rates,
    st.integers(1, 10**4),
    st.sampled_from([1.0, 1.5, 2.0, 3.0]),
    st.floats(0.0, 1.0),
    fractions,
    st.integers(0, 30),
)
def test_restarts_peak_at_every_cycle_start(
    lr: float, first: int, t_mul: float, m_mul: float, alpha: float, k: int
) -> None:
    schedule = CosineDecayRestarts(lr, first, t_mul, m_mul, alpha)
    start = first * k if t_mul == 1.0 else _start(first, t_mul, k)
    assume(start.denominator == 1)
    peak = lr * ((1 - alpha) * m_mul**k + alpha)
    assert math.isclose(schedule(int(start)), peak, rel_tol=1e-13, abs_tol=1e-300)
    if start > 0:
        # One step before a restart: the end of the previous cycle, sin(pi / (2 L))**2 above the floor.
        previous = first * t_mul ** (k - 1)
        wave = math.sin(math.pi / (2 * previous)) ** 2
        before = lr * ((1 - alpha) * m_mul ** (k - 1) * wave + alpha)
        assert math.isclose(schedule(int(start) - 1), before, rel_tol=1e-12, abs_tol=1e-300)


@given(rates, st.integers(1, 1000), st.floats(0.05, 0.95), fractions, st.integers(0, 10**18))
def test_shrinking_restarts_are_finite_and_end_at_the_floor(
    lr: float, first: int, t_mul: float, alpha: float, step: int
) -> None:
    schedule = CosineDecayRestarts(lr, first, t_mul=t_mul, alpha=alpha)
    value = schedule(step)
    assert math.isfinite(value)
    assert alpha * lr * (1 - 1e-12) <= value <= lr * (1 + 1e-12)
    if step >= first / (1 - t_mul):
        assert value == lr * alpha


def _start(first: int, t_mul: float, k: int) -> Fraction:
    t = Fraction(t_mul)
    return sum((Fraction(first) * t**i for i in range(k)), Fraction(0))
