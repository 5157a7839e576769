"""The analysis protocol: what each schedule says of itself, checked against brute force.

``monotone_pieces`` and ``smooth_pieces`` must cover the range asked, in order, with runs
on which the rate is monotone (checked at every step); ``area(steps, area_of)`` must be
the sum of every step (``math.fsum`` of the values, with a brute-force ``area_of`` for
the children). A user's schedule that answers the protocol is described exactly and at a
bounded cost over ``10**12`` steps; the references there are the formula inverted by hand
(then confirmed at the neighbouring steps) and an exact Euler-Maclaurin sum in fractions.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from fractions import Fraction
from itertools import pairwise
from typing import Any

import pytest
from tests.test_analysis import AREA_CASES, Bumpy, HalfEvery
from tests.test_breakpoints import EXAMPLES, LENGTH

from lrschedule import (
    Clip,
    Constant,
    CosineDecay,
    CyclicalLearningRate,
    ExponentialDecay,
    InverseTimeDecay,
    Join,
    LearningRateSchedule,
    PolynomialDecay,
    Scale,
    StepDecay,
    Warmup,
    describe,
)
from lrschedule.analysis import area, first_below

COMPOSITES = [
    Scale(Clip(CosineDecay(0.1, 500), minimum=0.02), -2.0),
    Join([Clip(StepDecay(0.1, 30, 0.5), maximum=0.04), Constant(0.01)], boundaries=[700]),
    Warmup(Join([Constant(0.1), PolynomialDecay(0.1, 400, 0.0, cycle=True)], [300]), 90),
]


def _values(schedule: Any, start: int, stop: int) -> list[float]:
    return [float(schedule(step)) for step in range(start, stop)]


def _check_runs(schedule: Any, runs: Any, start: int, stop: int) -> None:
    runs = list(runs)
    assert runs[0][0] == start and runs[-1][1] == stop
    assert all(a < b for a, b in runs) and all(b == c for (_, b), (c, _) in pairwise(runs))
    values = _values(schedule, start, stop)
    for a, b in runs:
        run = values[a - start : b - start]
        rising = all(y >= x for x, y in pairwise(run))
        falling = all(y <= x for x, y in pairwise(run))
        assert rising or falling, (a, b)


def _unknown(schedule: Any) -> bool:
    """The schedules whose runs are not monotone between breakpoints, or not smooth."""
    return isinstance(schedule, CyclicalLearningRate) and schedule.mode == "exp_range"


@pytest.mark.parametrize("schedule", [*EXAMPLES, *COMPOSITES], ids=repr)
@pytest.mark.parametrize(("start", "stop"), [(0, LENGTH), (137, 901)])
def test_monotone_pieces_cover_the_range_with_monotone_runs(
    schedule: Any, start: int, stop: int
) -> None:
    runs = schedule.monotone_pieces(start, stop)
    if _unknown(schedule):
        assert runs is None
        return
    _check_runs(schedule, runs, start, stop)


@pytest.mark.parametrize("schedule", [*EXAMPLES, *COMPOSITES], ids=repr)
def test_smooth_pieces_are_monotone_pieces_too(schedule: Any) -> None:
    runs = schedule.smooth_pieces(0, LENGTH)
    clipped = "Clip(" in repr(schedule)  # a bound bends a piece where it starts to hold
    if _unknown(schedule) or clipped:
        assert runs is None
        return
    _check_runs(schedule, runs, 0, LENGTH)


def test_whole_runs_where_the_rate_never_turns() -> None:
    for schedule in (
        ExponentialDecay(0.1, 10, 0.5, staircase=True),
        InverseTimeDecay(0.1, 10, 0.5, staircase=True),
        PolynomialDecay(0.1, 100, 0.01),
    ):
        assert list(schedule.monotone_pieces(5, 1000)) == [(5, 1000)]
    warm = CosineDecay(0.0, 500, warmup_target=0.1, warmup_steps=100.5)
    assert list(warm.monotone_pieces(0, 1000)) == [(0, 101), (101, 1000)]
    assert list(warm.monotone_pieces(200, 1000)) == [(200, 1000)]


def brute_area_of(schedule: Any, steps: int) -> float:
    return math.fsum(_values(schedule, 0, max(steps, 0)))


#: The schedules whose area has no closed form (stairs of a fractional number of steps,
#: a cycling polynomial): analysis sums them piecewise.
NO_CLOSED_FORM = {
    repr(ExponentialDecay(0.3, 7.5, 0.9, staircase=True)),
    repr(InverseTimeDecay(0.1, 2.5, 0.5, staircase=True)),
    repr(PolynomialDecay(0.1, 1000, 0.001, power=2.0, cycle=True)),
}


@pytest.mark.parametrize("schedule", AREA_CASES, ids=repr)
@pytest.mark.parametrize("steps", [1, 17, 5000])
def test_closed_form_areas_are_the_sum_of_every_step(schedule: Any, steps: int) -> None:
    found = schedule.area(steps, brute_area_of)
    if repr(schedule) in NO_CLOSED_FORM:
        assert found is None
        return
    assert found == pytest.approx(brute_area_of(schedule, steps), rel=1e-12, abs=1e-300)


def test_composites_ask_area_of_for_each_child_over_its_span() -> None:
    first, second, third = Constant(0.1), HalfEvery(0.1, 10), Constant(0.0)
    asked: list[tuple[Any, int]] = []

    def area_of(child: Any, steps: int) -> float:
        asked.append((child, steps))
        return brute_area_of(child, steps)

    join = Join([first, second, third], boundaries=[50, 150])
    assert join.area(120, area_of) == pytest.approx(brute_area_of(join, 120), rel=1e-14)
    assert asked == [(first, 50), (second, 70)]
    asked.clear()
    warm = Warmup(second, 30, 0.01, shape="cosine")
    assert warm.area(100, area_of) == pytest.approx(brute_area_of(warm, 100), rel=1e-14)
    assert asked == [(second, 70)]
    assert Clip(second, minimum=0.01).area(100, area_of) is None


class Hill(LearningRateSchedule):
    """A user's schedule that rises and falls with no breakpoint at its top: the parabola
    ``peak * 4 t (w - t) / w**2`` over ``[0, w]``, then 0. It answers the protocol itself
    and counts the steps it is asked for."""

    def __init__(self, peak: float, width: int) -> None:
        self.peak, self.width = peak, width
        self.calls = 0

    def __call__(self, step: Any) -> Any:
        self.calls += 1
        step = int(step)  # Python numbers only: analysis falls back to one step at a time
        if step > self.width:
            return 0.0
        return self.peak * (4 * step * (self.width - step) / self.width**2)

    def get_config(self) -> dict[str, Any]:
        return {"peak": self.peak, "width": self.width}

    def breakpoints(self, start: int, stop: int) -> Iterator[int]:
        if start <= self.width + 1 < stop:
            yield self.width + 1

    def monotone_pieces(self, start: int, stop: int) -> Iterator[tuple[int, int]]:
        top = self.width // 2 + 1  # rising on [0, top), falling on [top, w + 1), then 0
        edges = [start, *(step for step in (top, self.width + 1) if start < step < stop), stop]
        return pairwise(edges)

    def area(self, steps: int, area_of: Any) -> float:
        n, w = min(steps, self.width + 1), self.width
        total = w * n * (n - 1) // 2 - (n - 1) * n * (2 * n - 1) // 6  # Faulhaber
        return self.peak * (4 * total / w**2)


def _first(test: Any, guess: int) -> int:
    """The first step where ``test`` holds, walking from a guess (a test that holds from
    some step on, near the guess)."""
    step = guess
    while not test(step):
        step += 1
    while step > 0 and test(step - 1):
        step -= 1
    return step


HUGE = 10**12
WIDTH = 6 * 10**11


def _hill_area(peak: float, width: int, steps: int) -> float:
    """``sum(peak * 4 t (w - t) / w**2 for t < n)`` by the Euler-Maclaurin formula, exact
    for a polynomial of degree 2: the integral, minus half the end values, plus the end
    slopes over 12 (in fractions)."""
    n, w = min(steps, width + 1), Fraction(width)

    def f(t: Fraction) -> Fraction:
        return t * (w - t)

    def slope(t: Fraction) -> Fraction:
        return w - 2 * t

    integral = w * Fraction(n) ** 2 / 2 - Fraction(n) ** 3 / 3
    total = integral - (f(Fraction(n)) - f(Fraction(0))) / 2 + (slope(Fraction(n)) - slope(0)) / 12
    return float(Fraction(peak) * 4 * total / w**2)


def test_user_schedule_with_the_protocol_is_described_exactly_over_10_12_steps() -> None:
    reference = Hill(0.1, WIDTH)
    top = reference(WIDTH // 2)
    peak_step = _first(lambda t: reference(t) >= top, WIDTH // 2 - WIDTH // 2**28)
    crossings = [
        _first(
            lambda t, f=fraction: reference(t) < f * top,
            math.floor(WIDTH / 2 * (1 + math.sqrt(1 - fraction))),
        )
        for fraction in (0.5, 0.1, 0.01)
    ]
    expected_area = _hill_area(0.1, WIDTH, HUGE)

    schedule = Hill(0.1, WIDTH)
    summary = describe(schedule, HUGE)
    assert schedule.calls < 10_000  # a few bisections, not 10**12 steps
    assert (summary.start, summary.end, summary.peak) == (0.0, 0.0, top)
    assert (summary.peak_step, summary.minimum, summary.minimum_step) == (peak_step, 0.0, 0)
    assert [step for _, step in summary.below] == crossings
    assert summary.area == pytest.approx(expected_area, rel=1e-14)
    assert summary.mean == pytest.approx(expected_area / HUGE, rel=1e-14)
    assert summary.area_method == "closed form"
    assert summary.breakpoints == (WIDTH + 1,) and not summary.more_breakpoints
    assert first_below(schedule, 0.05, HUGE, start=WIDTH + 1) == WIDTH + 1


def test_a_composite_of_a_user_schedule_is_cut_where_the_child_turns() -> None:
    hill = Hill(0.1, WIDTH)
    top = WIDTH // 2 + 1
    assert list(Scale(hill, 2.0).monotone_pieces(0, HUGE)) == [
        (0, top),
        (top, WIDTH + 1),
        (WIDTH + 1, HUGE),
    ]
    schedule = Join([Constant(0.05), hill], boundaries=[1000])
    runs = list(schedule.monotone_pieces(0, HUGE))
    assert runs == [(0, 1000), (1000, 1000 + top), (1000 + top, 1001 + WIDTH), (1001 + WIDTH, HUGE)]
    assert schedule.smooth_pieces(0, HUGE) is None  # the user's schedule does not say
    reference = Hill(0.1, WIDTH)
    peak_step = _first(lambda t: reference(t) >= 0.1, WIDTH // 2 - WIDTH // 2**28)
    summary = describe(schedule, HUGE)
    assert hill.calls < 10_000
    assert (summary.peak, summary.peak_step) == (0.1, 1000 + peak_step)
    assert (summary.minimum, summary.minimum_step) == (0.0, 1000)
    assert summary.area == pytest.approx(50.0 + _hill_area(0.1, WIDTH, HUGE - 1000), rel=1e-14)
    assert summary.area_method == "closed form"


class Doubled(ExponentialDecay):
    """A user's subclass of a library schedule that changes its formula."""

    def __call__(self, step: Any) -> Any:
        return 2.0 * super().__call__(step)


class Renamed(ExponentialDecay):
    """A user's subclass that keeps the formula."""


def test_a_subclass_that_changes_the_formula_loses_the_library_answers() -> None:
    schedule = Doubled(0.1, 100, 0.5)
    assert schedule.monotone_pieces(0, 10) is None and schedule.smooth_pieces(0, 10) is None
    assert schedule.area(10, brute_area_of) is None
    assert list(schedule.breakpoints(0, 10)) == []
    summary = describe(schedule, 3000)
    values = _values(schedule, 0, 3000)
    assert summary.area == pytest.approx(math.fsum(values), rel=1e-14)
    assert (summary.peak, summary.minimum) == (max(values), min(values))
    assert summary.area_method == "sum of every step"
    assert describe(Renamed(0.1, 100, 0.5), HUGE).area_method == "closed form"
    assert area(Renamed(0.1, 100, 0.5), 3000) == pytest.approx(math.fsum(values) / 2, rel=1e-13)


def test_unknown_children_make_a_composite_unknown() -> None:
    for schedule in (
        Join([Constant(0.1), Bumpy()], boundaries=[10**6]),  # even beyond the steps asked
        Scale(Doubled(0.1, 100, 0.5), 3.0),
        Warmup(CyclicalLearningRate(0.0, 0.1, 10, mode="exp_range"), 5),
    ):
        assert schedule.monotone_pieces(0, 100) is None
        assert schedule.smooth_pieces(0, 100) is None
