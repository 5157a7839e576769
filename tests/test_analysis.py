"""lrschedule.analysis: sample, area, first_below, describe and curve against brute force.

The brute force is the definition: the area is ``math.fsum`` of the schedule at every step,
the peak the largest of those values, a crossing the first step whose value is below the
threshold. For runs too long to walk, the references are independent closed forms
evaluated with mpmath at 50 digits (geometric series, the digamma and Hurwitz zeta
functions, sums of cosines).
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from mpmath import mp, mpf
from tests.test_breakpoints import EXAMPLES

import lrschedule
from lrschedule import (
    Clip,
    Constant,
    CosineDecay,
    CosineDecayRestarts,
    CyclicalLearningRate,
    ExponentialDecay,
    InverseSqrtDecay,
    InverseTimeDecay,
    Join,
    LearningRateSchedule,
    LinearDecay,
    MultiStepDecay,
    PiecewiseConstantDecay,
    PolynomialDecay,
    Scale,
    StepDecay,
    Warmup,
    WarmupStableDecay,
    describe,
    sample,
)
from lrschedule.analysis import Description, area, curve, evaluation, first_below


class HalfEvery(LearningRateSchedule):
    """A user's schedule written the Keras way (operators only: it takes arrays too)."""

    def __init__(self, initial_learning_rate: float, period: int) -> None:
        self.initial_learning_rate = initial_learning_rate
        self.period = period

    def __call__(self, step: Any) -> Any:
        return self.initial_learning_rate * 0.5 ** (step // self.period)

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate, "period": self.period}


class Bumpy(LearningRateSchedule):
    """A user's schedule with a Python ``if`` (scalars only) that rises and falls."""

    def __call__(self, step: Any) -> Any:
        if step % 50 < 25:
            return 0.01 * (1 + math.sin(step / 40.0)) + 1e-4 * (step % 50)
        return 0.02 - 1e-4 * (step % 50)

    def get_config(self) -> dict[str, Any]:
        return {}


def brute(schedule: Any, total: int) -> list[float]:
    return [float(schedule(step)) for step in range(total)]


# ---------------------------------------------------------------------------- sample
def test_sample_int_is_range() -> None:
    schedule = ExponentialDecay(0.1, 10, 0.5, staircase=True)
    values = sample(schedule, 35)
    assert isinstance(values, np.ndarray) and values.dtype == np.float64 and values.shape == (35,)
    assert values.tolist() == brute(schedule, 35)


def test_sample_array_is_one_vectorized_call() -> None:
    calls: list[Any] = []

    class Counting(HalfEvery):
        def __call__(self, step: Any) -> Any:
            calls.append(step)
            return super().__call__(step)

    steps = np.array([[0, 5], [10, 25]])
    values = sample(Counting(1.0, 10), steps)
    assert len(calls) == 1 and values.tolist() == [[1.0, 1.0], [0.5, 0.25]]


def test_sample_float_steps_and_lists() -> None:
    schedule = CosineDecay(1.0, 100)
    got = sample(schedule, [0.0, 25.5, 100.0])
    assert got.tolist() == [schedule(0.0), schedule(25.5), schedule(100.0)]
    assert sample(schedule, np.array(50, dtype=np.int32)).shape == ()


def test_sample_falls_back_for_scalar_only_schedules() -> None:
    assert sample(Bumpy(), np.arange(120)).tolist() == brute(Bumpy(), 120)


def test_sample_constant_results_broadcast() -> None:
    class Flat(LearningRateSchedule):
        def __call__(self, step: Any) -> Any:
            return 0.25

        def get_config(self) -> dict[str, Any]:
            return {}

    assert sample(Flat(), np.zeros((2, 3), dtype=np.int64)).tolist() == [[0.25] * 3] * 2


def test_sample_keras_schedule() -> None:
    keras = pytest.importorskip("keras")
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5, staircase=True)
    values = sample(schedule, 30)
    assert values.shape == (30,)
    assert np.allclose(values, [0.1 * 0.5 ** (step // 10) for step in range(30)], rtol=1e-6)
    summary = describe(schedule, 30)  # a schedule of another library: every step is scanned
    assert summary.area_method == "sum of every step"
    assert summary.area == pytest.approx(10 * (0.1 + 0.05 + 0.025), rel=1e-6)
    assert (summary.peak_step, summary.minimum_step, summary.below[0]) == (0, 20, (0.5, 20))


def test_sample_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="`steps` must be >= 0"):
        sample(Constant(0.1), -1)
    with pytest.raises(TypeError, match="dtype"):
        sample(Constant(0.1), ["a", "b"])
    with pytest.raises(ValueError, match="step"):
        sample(ExponentialDecay(0.1, 10, 0.5), [-1])
    monkeypatch.setitem(sys.modules, "numpy", None)
    with pytest.raises(ImportError, match="install NumPy"):
        sample(Constant(0.1), 3)


# ---------------------------------------------------------------------------- area
AREA_CASES = [
    ExponentialDecay(0.1, 1000, 0.96),
    ExponentialDecay(0.1, 1000, 0.96, staircase=True),
    ExponentialDecay(0.3, 7.5, 0.9, staircase=True),
    ExponentialDecay(0.1, 100, 1.002),
    ExponentialDecay(0.1, 100, 1.0, staircase=True),
    InverseTimeDecay(0.1, 100, 0.5),
    InverseTimeDecay(0.1, 100, 0.5, staircase=True),
    InverseTimeDecay(0.1, 1e6, 1e-3),
    InverseTimeDecay(0.1, 3, 7.0),
    InverseTimeDecay(0.1, 3, 0.0),
    InverseTimeDecay(0.1, 2.5, 0.5, staircase=True),
    PiecewiseConstantDecay([100, 250.5, 1e9], [1.0, 0.5, 0.2, 0.1]),
    PiecewiseConstantDecay([-3, 0.5], [1.0, 0.5, 0.2]),
    PolynomialDecay(0.1, 50000, 0.001, power=0.5),
    PolynomialDecay(0.1, 50000, 0.001, power=2.0),
    PolynomialDecay(0.1, 777.7, 0.001, power=3.3),
    PolynomialDecay(0.001, 60000, 0.1, power=1.5),
    PolynomialDecay(0.1, 10, 0.001, power=0.0),
    PolynomialDecay(0.1, 1000, 0.001, power=2.0, cycle=True),
    CosineDecay(0.1, 100000, alpha=0.1),
    CosineDecay(0.0, 50000, warmup_target=0.1, warmup_steps=1000.5, alpha=0.05),
    CosineDecay(0.01, 33333.3, warmup_target=0.1, warmup_steps=777),
    CosineDecay(0.1, 5000, warmup_target=0.2, warmup_steps=0),
    CosineDecayRestarts(0.1, 1000, t_mul=1.0, m_mul=0.9, alpha=0.01),
    CosineDecayRestarts(0.1, 1000, t_mul=1.0, m_mul=0.0),
    CosineDecayRestarts(0.1, 1000, t_mul=2.0, m_mul=0.8, alpha=0.01),
    CosineDecayRestarts(0.1, 1000, t_mul=0.9, m_mul=0.8, alpha=0.01),
    CosineDecayRestarts(0.1, 137.5, t_mul=1.0, m_mul=0.95),
    Constant(0.05),
    Scale(CosineDecay(1.0, 4000), 0.1),
    Join([Constant(0.1), LinearDecay(0.1, 3000, 0.0), Constant(0.0)], boundaries=[500, 3500]),
    Warmup(CosineDecay(0.1, 30000), 1000),
    Warmup(InverseSqrtDecay(0.1, 100), 2500, shape="cosine"),
    Warmup(InverseSqrtDecay(0.1, 100), 2500, 0.001, shape="exponential"),
]


@pytest.mark.parametrize("schedule", AREA_CASES, ids=repr)
@pytest.mark.parametrize("total", [1, 2, 17, 4097, 60_000])
def test_area_is_the_sum_of_every_step(schedule: Any, total: int) -> None:
    expected = math.fsum(brute(schedule, total))
    assert area(schedule, total) == pytest.approx(expected, rel=1e-12, abs=1e-300)


@pytest.mark.parametrize(
    "schedule",
    [
        *AREA_CASES[:3],
        PolynomialDecay(0.1, 1000, 0.001, power=2.0, cycle=True),
        InverseSqrtDecay(0.1, 1000),
        WarmupStableDecay(0.0, 0.1, 100_000, 1_000_000, 1_500_000, 0.001),
        Clip(ExponentialDecay(0.1, 10**5, 0.5), minimum=0.01),
        Join([InverseSqrtDecay(0.1, 100), StepDecay(0.1, 10**5, 0.5)], boundaries=[10**6]),
    ],
    ids=repr,
)
def test_area_of_long_runs_against_numpy(schedule: Any) -> None:
    """Past 2**20 steps: closed forms, the piecewise Euler-Maclaurin sum, or every step."""
    total = 3_000_000
    values = sample(schedule, total)
    expected = math.fsum(values[i : i + 2**16].sum() for i in range(0, total, 2**16))
    assert area(schedule, total) == pytest.approx(expected, rel=1e-12)


def test_area_methods() -> None:
    methods = {
        "closed form": [ExponentialDecay(0.1, 10, 0.9), Join([Constant(0.1)], [])],
        "piecewise Euler-Maclaurin sum": [InverseSqrtDecay(0.1, 100)],
        "sum of every step": [Clip(ExponentialDecay(0.1, 10**5, 0.5), minimum=0.01), Bumpy()],
    }
    for method, schedules in methods.items():
        for schedule in schedules:
            assert describe(schedule, 2**21).area_method == method, schedule
    # Short runs are summed step by step (that is exact and cheap).
    assert describe(InverseSqrtDecay(0.1, 100), 1000).area_method == "sum of every step"


def _mp_geometric(ratio: mpf, count: int) -> mpf:
    return (1 - ratio**count) / (1 - ratio)


HUGE = 10**12


def test_huge_exponential_against_mpmath() -> None:
    with mp.workdps(50):
        continuous = ExponentialDecay(0.1, 10**9, 0.96)
        q = mpf(0.96) ** (mpf(1) / 10**9)
        assert area(continuous, HUGE) == pytest.approx(
            float(mpf(0.1) * _mp_geometric(q, HUGE)), rel=1e-13
        )
        stairs = ExponentialDecay(0.1, 100_000, 0.96, staircase=True)
        count, rest = divmod(HUGE + 12_345, 100_000)
        expected = mpf(0.1) * (
            100_000 * _mp_geometric(mpf(0.96), count) + rest * mpf(0.96) ** count
        )
        assert area(stairs, HUGE + 12_345) == pytest.approx(float(expected), rel=1e-13)


def test_huge_inverse_time_against_digamma() -> None:
    with mp.workdps(50):
        schedule = InverseTimeDecay(0.1, 1000, 0.5)
        x = mpf(1000) / mpf(0.5)
        expected = mpf(0.1) * x * (mp.digamma(x + HUGE) - mp.digamma(x))
        assert area(schedule, HUGE) == pytest.approx(float(expected), rel=1e-13)
        stairs = InverseTimeDecay(0.1, 1000, 0.5, staircase=True)
        count = HUGE // 1000
        y = 1 / mpf(0.5)
        expected = mpf(0.1) * 1000 * y * (mp.digamma(y + count) - mp.digamma(y))
        assert area(stairs, HUGE) == pytest.approx(float(expected), rel=1e-13)


@pytest.mark.parametrize("power", [1.0, 2.0, 3.0])
def test_huge_polynomial_against_hurwitz_zeta(power: float) -> None:
    steps = 10**11
    schedule = PolynomialDecay(0.1, steps, 0.001, power=power)
    with mp.workdps(50):
        p = mpf(power)
        # sum over t < steps of ((steps - t) / steps) ** p = steps**-p * sum(j**p, j=1..steps)
        powers = mp.zeta(-p, 1) - mp.zeta(-p, steps + 1)
        expected = mpf(0.001) * HUGE + (mpf(0.1) - mpf(0.001)) * powers / mpf(steps) ** p
    assert area(schedule, HUGE) == pytest.approx(float(expected), rel=1e-12)


@pytest.mark.parametrize("power", [0.5, 3.3])
def test_long_polynomial_with_fractional_power(power: float) -> None:
    """A fractional power: against the sum of every step of a long decay (numpy)."""
    steps, total = 12_000_000.5, 12_500_000
    schedule = PolynomialDecay(0.1, steps, 0.001, power=power)
    values = sample(schedule, total)
    expected = math.fsum(values[i : i + 2**20].sum() for i in range(0, total, 2**20))
    assert area(schedule, total) == pytest.approx(expected, rel=1e-12)


def test_huge_cosine_against_mpmath() -> None:
    steps = 10**11
    schedule = CosineDecay(0.1, steps, alpha=0.01)
    with mp.workdps(50):
        theta = mp.pi / steps
        waves = mp.sin(steps * theta / 2) * mp.cos((steps - 1) * theta / 2) / mp.sin(theta / 2)
        half_cosines = (steps + waves) / 2  # sum of (1 + cos(t pi / D)) / 2 over the decay
        expected = mpf(0.1) * (mpf(0.99) * half_cosines + mpf(0.01) * HUGE)
    assert area(schedule, HUGE) == pytest.approx(float(expected), rel=1e-13)


def test_huge_restarts_against_mpmath() -> None:
    """Equal cycles: the same wave each cycle, times m_mul**k (a geometric series)."""
    first, m = 1000, 0.999
    schedule = CosineDecayRestarts(0.1, first, t_mul=1.0, m_mul=m, alpha=0.001)
    with mp.workdps(50):
        wave = mp.fsum((1 + mp.cos(mp.pi * j / first)) / 2 for j in range(first))
        cycles = HUGE // first
        expected = mpf(0.1) * (
            mpf(0.999) * wave * _mp_geometric(mpf(m), cycles) + mpf(0.001) * HUGE
        )
    assert area(schedule, HUGE) == pytest.approx(float(expected), rel=1e-12)


def test_area_errors() -> None:
    for bad in (0, -5):
        with pytest.raises(ValueError, match="`total_steps` must be > 0"):
            area(Constant(0.1), bad)
    for wrong in (1.5, True, "10", None):
        with pytest.raises(TypeError, match="`total_steps` must be an int"):
            area(Constant(0.1), wrong)  # type: ignore[arg-type]
    assert area(Constant(0.1), np.int64(10)) == pytest.approx(1.0)


# ---------------------------------------------------------------------------- describe
DESCRIBED = [*EXAMPLES, HalfEvery(0.1, 100), Bumpy()]


@pytest.mark.parametrize("schedule", DESCRIBED, ids=repr)
@pytest.mark.parametrize("total", [1, 2, 1234])
def test_describe_against_brute_force(schedule: Any, total: int) -> None:
    values = brute(schedule, total)
    summary = describe(schedule, total)
    assert summary.total_steps == total
    assert summary.start == values[0] and summary.end == values[-1]
    assert summary.peak == max(values) and summary.peak_step == values.index(max(values))
    assert summary.maximum == summary.peak
    assert summary.minimum == min(values)
    assert summary.minimum_step == values.index(min(values))
    assert summary.area == pytest.approx(math.fsum(values), rel=1e-12, abs=1e-300)
    assert summary.mean == pytest.approx(math.fsum(values) / total, rel=1e-12, abs=1e-300)
    for fraction, step in summary.below:
        limit = fraction * summary.peak
        crossing = next((t for t in range(summary.peak_step, total) if values[t] < limit), None)
        assert step == crossing, fraction
        assert summary.first_below(fraction) == crossing
    breaks = list(getattr(schedule, "breakpoints", lambda a, b: iter(()))(1, total))
    assert list(summary.breakpoints) == breaks[:100]
    assert summary.more_breakpoints == (len(breaks) > 100)


def test_first_below_anywhere() -> None:
    schedule = CosineDecayRestarts(1.0, 100, m_mul=0.9)
    values = brute(schedule, 1000)
    for value in (0.95, 0.5, 0.01, 1e-9, 2.0, 0.0):
        for start in (0, 40, 150, 999):
            expected = next((t for t in range(start, 1000) if values[t] < value), None)
            assert first_below(schedule, value, 1000, start=start) == expected


def test_describe_huge_seed_example() -> None:
    """10**12 steps of the Keras example: exact figures, instantly."""
    schedule = ExponentialDecay(0.1, 100_000, 0.96, staircase=True)
    summary = describe(schedule, HUGE)
    # 0.96**k < f  <=>  k > log(f) / log(0.96): the first such stair starts at k * 100,000.
    for fraction, step in summary.below:
        stairs = math.floor(math.log(fraction) / math.log(0.96)) + 1
        assert step == stairs * 100_000
    # The minimum is 0.0: from the first stair where the exact 0.1 * 0.96**k rounds to 0.0
    # (k = 18197; the naive float product stays subnormal up to k = 18200).
    exact = Fraction(0.1) * Fraction(0.96) ** 18_000
    underflow = 18_000
    while float(exact) != 0.0:
        exact, underflow = exact * Fraction(0.96), underflow + 1
    assert (summary.minimum, summary.minimum_step) == (0.0, underflow * 100_000)
    assert summary.peak_step == 0
    assert summary.breakpoints[:3] == (100_000, 200_000, 300_000)
    assert len(summary.breakpoints) == 100 and summary.more_breakpoints


def test_describe_warmup_peak_and_crossings() -> None:
    schedule = CosineDecay(0.0, 9000, warmup_target=0.1, warmup_steps=1000)
    summary = describe(schedule, 10_000)
    assert (summary.peak, summary.peak_step) == (0.1, 1000)
    # After the peak, cos falls below f: 0.5 * (1 + cos(pi * t / 9000)) < f.
    for fraction, step in summary.below:
        t = 9000 / math.pi * math.acos(2 * fraction - 1)
        assert step == 1000 + math.floor(t) + 1
    assert summary.breakpoints == (1000,)  # the hold would start at 10,000


def test_describe_rising_polynomial_reaches_its_peak_at_the_end_of_the_decay() -> None:
    summary = describe(PolynomialDecay(0.001, 500, 0.1, power=2.0), 2000)
    assert (summary.peak, summary.peak_step) == (0.1, 500)
    assert (summary.minimum, summary.minimum_step) == (0.001, 0)


def test_describe_without_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    cases = [CosineDecayRestarts(0.1, 300, m_mul=0.9), Bumpy(), InverseSqrtDecay(0.1, 10)]
    with_numpy = [describe(schedule, 20_000) for schedule in cases]
    monkeypatch.setattr(evaluation, "numpy_if_worth", lambda size: None)
    without = [describe(schedule, 20_000) for schedule in cases]
    for one, other in zip(with_numpy, without):
        assert one.area == pytest.approx(other.area, rel=1e-13)
        assert (one.peak, one.minimum, one.breakpoints) == (
            other.peak,
            other.minimum,
            other.breakpoints,
        )
        assert (one.peak_step, one.minimum_step, one.below) == (
            other.peak_step,
            other.minimum_step,
            other.below,
        )


def test_description_is_frozen_and_serializable() -> None:
    summary = describe(ExponentialDecay(1.0, 10, 0.5, staircase=True), 40, fractions=(0.3,))
    assert isinstance(summary, Description)
    with pytest.raises(AttributeError):
        summary.peak = 2.0  # type: ignore[misc]
    document = json.loads(json.dumps(summary.as_dict()))
    assert document["below"] == [{"fraction": 0.3, "step": 20}]
    assert document["breakpoints"] == [10, 20, 30] and document["area"] == 18.75
    with pytest.raises(KeyError, match="known fractions: \\[0.3\\]"):
        summary.first_below(0.5)
    text = str(summary)
    assert "below 30%    step 20 (rate < 0.3)" in text
    assert "breakpoints  3: 10, 20, 30" in text


def test_describe_errors() -> None:
    with pytest.raises(ValueError, match="`max_breakpoints` must be >= 0"):
        describe(Constant(0.1), 10, max_breakpoints=-1)
    with pytest.raises(TypeError, match="`max_breakpoints` must be an int"):
        describe(Constant(0.1), 10, max_breakpoints=1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="`total_steps` must be > 0"):
        describe(Constant(0.1), 0)
    assert describe(Constant(0.1), 10, max_breakpoints=0).breakpoints == ()


def test_exports() -> None:
    assert lrschedule.describe is describe and lrschedule.sample is sample


# ---------------------------------------------------------------------------- curve
def test_curve_takes_both_sides_of_every_breakpoint() -> None:
    schedule = ExponentialDecay(0.1, 100_000, 0.96, staircase=True)
    total = 10**9  # 10**4 stairs
    steps, rates = curve(schedule, total, points=800)
    stairs = [k * 100_000 for k in range(1, 10_000)]
    assert set(stairs) <= set(steps) and {s - 1 for s in stairs} <= set(steps)
    assert steps[0] == 0 and steps[-1] == total - 1 and steps == sorted(set(steps))
    assert len(steps) <= 800 + 2 * len(stairs)
    expected = [0.1 * 0.96 ** (step // 100_000) for step in steps]
    assert rates == pytest.approx(expected, rel=1e-14)  # NumPy's power: within an ulp or two


def test_curve_bounds_the_work_when_breakpoints_are_dense() -> None:
    """10**9 stairs: at most max_breakpoints // points per gap between even samples."""
    schedule = StepDecay(0.1, 1, 0.999_999_99)
    steps, _ = curve(schedule, 10**9, points=100, max_breakpoints=1000)
    assert len(steps) <= 100 + 2 * 10 * 100
    gaps = np.diff(steps)
    assert (gaps > 0).all()
    # Spread over the whole run, not bunched at the start.
    assert max(steps) == 10**9 - 1 and np.histogram(steps, bins=10)[0].min() > 10


def test_curve_small_runs() -> None:
    assert curve(Constant(0.1), 1) == ([0], [0.1])
    steps, rates = curve(PiecewiseConstantDecay([2], [1.0, 0.5]), 6, points=2)
    assert steps == [0, 2, 3, 5] and rates == [1.0, 1.0, 0.5, 0.5]


def test_curve_of_schedules_without_breakpoints() -> None:
    steps, rates = curve(HalfEvery(1.0, 10), 100, points=11)
    assert steps == [(index * 99) // 10 for index in range(11)]  # 0, 9, 19, ..., 99
    assert rates == [1.0 * 0.5 ** (s // 10) for s in steps]


def _kind(schedule: Any) -> int:
    """2: monotone and smooth pieces known, 1: monotone pieces only, 0: neither."""
    if schedule.monotone_pieces(0, 100) is None:
        return 0
    return 2 if schedule.smooth_pieces(0, 100) is not None else 1


def test_kind_of_composites() -> None:
    assert _kind(Join([Constant(0.1), Bumpy()], [10])) == 0
    assert _kind(Scale(Clip(Constant(0.1), minimum=0.0), 2.0)) == 1
    assert _kind(Warmup(CosineDecay(0.1, 10), 5)) == 2
    assert _kind(CyclicalLearningRate(0.0, 0.1, 10, mode="exp_range")) == 0

    class Declared(HalfEvery):
        _monotone_pieces = True

    assert _kind(Declared(1.0, 10)) == 2


def _calls_made(function: Callable[[], Any]) -> int:
    """The Python function calls ``function()`` makes (a measure of work, not of time)."""
    count = 0

    def profile(frame: Any, event: str, arg: Any) -> None:
        nonlocal count
        if event == "call":
            count += 1

    sys.setprofile(profile)
    try:
        function()
    finally:
        sys.setprofile(None)
    return count


@pytest.mark.parametrize(
    "schedule",
    [StepDecay(0.1, 3, 0.99), MultiStepDecay(0.1, list(range(1, 4001, 2)), 0.999)],
    ids=lambda schedule: type(schedule).__name__,
)
def test_stairs_of_one_rate_are_described_without_walking_them(schedule: Any) -> None:
    """A billion stairs: one monotone run, a closed-form area, so the work does not grow."""
    calls = {
        total: _calls_made(lambda total=total: describe(schedule, total))
        for total in (10**6, 10**12)
    }
    assert calls[10**12] < min(20 * calls[10**6], 100_000), calls  # not a walk of 10**12/3
    summary = describe(schedule, 10**12)
    assert summary.peak == 0.1 and summary.peak_step == 0
    if isinstance(schedule, StepDecay):
        assert summary.area_method == "closed form"


def test_the_area_of_step_decay_is_its_geometric_series() -> None:
    rate, period = Fraction(0.99), 3
    for total in (1, 2, 3, 4, 299, 300, 301):
        stairs, rest = divmod(total, period)
        exact = Fraction(0.1) * (period * (1 - rate**stairs) / (1 - rate) + rest * rate**stairs)
        assert exact == sum(Fraction(0.1) * rate ** (t // period) for t in range(total))
        assert area(StepDecay(0.1, period, 0.99), total) == pytest.approx(float(exact), rel=1e-13)
    # 10**12 steps: the stairs past 10**6 add nothing a float can hold.
    limit = Fraction(0.1) * period / (1 - rate)
    assert area(StepDecay(0.1, period, 0.99), 10**12) == pytest.approx(float(limit), rel=1e-13)


def test_a_run_of_too_many_restarts_is_refused_at_once() -> None:
    """9.2e7 restarts in 10**12 steps: counted exactly, refused before any is walked."""
    schedule = CosineDecayRestarts(0.1, 10, t_mul=1.0000001)
    # S_k = 10 * (t**k - 1) / (t - 1) <= 10**12 - 1: k <= log(1 + (10**12 - 1) * 1e-8) / log(t).
    t = Fraction(1.0000001)
    cycles = math.floor(math.log(1 + (10**12 - 1) * float((t - 1) / 10)) / math.log(float(t)))
    assert abs(schedule.restart_count(10**12) - (cycles + 1)) <= 1

    def refused() -> None:
        with pytest.raises(ValueError):
            describe(schedule, 10**12)

    assert _calls_made(refused) < 20_000
    with pytest.raises(ValueError, match=r"has more than 65,536 pieces .* Use fewer steps"):
        describe(schedule, 10**12)
    assert describe(schedule, 10**6).peak == 0.1  # 99,995 cycles: read at every step


def test_a_walk_past_the_piece_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from lrschedule.analysis import pieces

    monkeypatch.setattr(pieces, "MAX_PIECES", 1000)
    monkeypatch.setattr(pieces, "SCAN_STEPS", 0)  # walked, not read at every step
    schedule = CosineDecayRestarts(0.1, 3, t_mul=1.0)
    assert describe(schedule, 3000).peak == 0.1  # 1,000 cycles
    with pytest.raises(ValueError, match=r"more than 1,000 pieces"):
        describe(schedule, 3001)


def test_a_run_of_short_pieces_is_read_at_every_step() -> None:
    """98,109 restarts of 10 steps in 981,082: every step is read in NumPy blocks (a few
    calls each) rather than each piece walked; the figures are those of every step."""
    schedule = PolynomialDecay(0.2, 10, end_learning_rate=0.05, power=2.0, cycle=True)
    total = 981_082
    steps = np.arange(total, dtype=np.float64)
    horizon = 10 * np.maximum(np.ceil(steps / 10), 1)
    reference = 0.15 * (1 - steps / horizon) ** 2 + 0.05
    summary: list[Any] = []
    calls = _calls_made(lambda: summary.append(describe(schedule, total)))
    (found,) = summary
    assert calls < 300_000  # walking every piece made about 1,000,000
    assert (found.peak, found.peak_step) == (0.2, 0)
    assert (found.minimum, found.minimum_step) == (pytest.approx(0.05, rel=1e-15), 10)
    assert found.area == pytest.approx(math.fsum(reference.tolist()), rel=1e-12)
    assert found.first_below(0.5) == int(np.argmax(reference < 0.1))
    assert found.first_below(0.01) is None
