"""The largest rate of every schedule (``rate_bound``), and ``Scale`` refusing to overflow."""

from __future__ import annotations

import math

import pytest

import lrschedule
from lrschedule import (
    Clip,
    Constant,
    CoolDown,
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
    OneCycle,
    PiecewiseConstantDecay,
    PiecewiseInterpolation,
    PolynomialDecay,
    Product,
    RescaleTime,
    Scale,
    StepDecay,
    TrainLonger,
    Warmup,
    WarmupCosineDecay,
    WarmupStableDecay,
)
from lrschedule.schedules.bounds import rate_bound

# (schedule, the bound written out by hand from its arguments)
BOUNDED = [
    (Constant(-0.3), 0.3),
    (CosineDecay(0.2, 100, alpha=0.1), 0.2),
    (CosineDecay(0.2, 100, alpha=3.0), 0.6000000000000001),
    (CosineDecay(0.01, 100, warmup_target=0.5, warmup_steps=20), 0.5),
    (CosineDecayRestarts(0.2, 10, t_mul=1.5, m_mul=0.5, alpha=2.5), 0.5),
    (CyclicalLearningRate(0.01, -0.4, 7, mode="exp_range", gamma=0.99), 0.4),
    (ExponentialDecay(-0.7, 10, 0.5, staircase=True), 0.7),
    (InverseSqrtDecay(0.9, 13), 0.9),
    (InverseTimeDecay(0.4, 10, 3.0), 0.4),
    (LinearDecay(0.1, 50, end_learning_rate=0.35), 0.35),
    (MultiStepDecay(0.6, [3, 9], 0.25), 0.6),
    (OneCycle(0.1, 100, div_factor=0.5, final_div_factor=0.25), 0.8),
    (OneCycle(0.1, 100), 0.1),
    (PiecewiseConstantDecay([5, 9], [0.1, -0.9, 0.2]), 0.9),
    (PiecewiseInterpolation([40, 90], [0.0, 0.7, 0.05], interpolation="cosine"), 0.7),
    (PolynomialDecay(0.05, 30, end_learning_rate=0.45, power=0.5, cycle=True), 0.45),
    (StepDecay(0.3, 7, 0.5), 0.3),
    (WarmupCosineDecay(0.0, 0.8, 10, 50, end_learning_rate=0.01, exponent=2.0), 0.8),
    (WarmupStableDecay(0.0, 0.6, 10, 20, 30, end_learning_rate=0.02), 0.6),
    (Warmup(Constant(0.3), 10, initial_learning_rate=-0.5), 0.5),
    (
        Warmup(ExponentialDecay(2.0, 10, 0.5), 10, shape="exponential", initial_learning_rate=0.1),
        2.0,
    ),
    (Join([Constant(0.1), StepDecay(0.9, 5, 0.5)], [20]), 0.9),
    (Clip(ExponentialDecay(0.5, 10, 0.5), minimum=0.05), 0.5),
    (Clip(Constant(0.5), maximum=0.2), 0.5),
    (Scale(CosineDecay(0.5, 40), -3.0), 1.5),
    (Scale(Scale(Constant(2.0), 4.0), 0.5), 4.0),
    (Product([Constant(-2.0), CosineDecay(0.5, 40), StepDecay(3.0, 10, 0.5)]), 3.0),
    (CoolDown(StepDecay(0.3, 7, 0.5), 20, 10, end_learning_rate=-0.4), 0.4),
    (CoolDown(Constant(0.7), 20, 10, end_learning_rate=0.01, shape="exponential"), 0.7),
    (TrainLonger(WarmupStableDecay(0.0, 0.6, 10, 20, 30), 15, 60, 90), 0.6),
    (TrainLonger(CosineDecay(0.45, 40), 15, 40, 90), 0.45),
    (RescaleTime(LinearDecay(0.1, 50, end_learning_rate=0.35), 2.0), 0.35),
]

# Schedules whose rate can grow without bound.
UNBOUNDED = [
    ExponentialDecay(0.1, 10, 1.5),
    StepDecay(0.1, 10, 2.0),
    MultiStepDecay(0.1, [1, 2], 3.0),
    CyclicalLearningRate(0.1, 0.5, 10, mode="exp_range", gamma=1.01),
    CosineDecayRestarts(0.1, 10, m_mul=1.2),
    Join([Constant(0.1), ExponentialDecay(0.1, 10, 1.5)], [5]),
    Scale(StepDecay(0.1, 10, 2.0), 0.5),
    Product([Constant(0.5), StepDecay(0.1, 10, 2.0)]),
    RescaleTime(ExponentialDecay(0.1, 10, 1.5), 3.0),
]


class UserSchedule(LearningRateSchedule):
    def __call__(self, step: object) -> float:
        return 1.0

    def get_config(self) -> dict[str, object]:
        return {}


def _sample(schedule: object) -> list[float]:
    steps = list(range(300)) + [10**k for k in range(3, 19)]
    return [float(schedule(step)) for step in steps]  # type: ignore[operator]


@pytest.mark.parametrize(("schedule", "bound"), BOUNDED, ids=lambda v: type(v).__name__)
def test_the_bound_is_the_largest_rate_written_out(schedule: object, bound: float) -> None:
    assert rate_bound(schedule) == bound
    assert max(abs(v) for v in _sample(schedule)) <= bound


@pytest.mark.parametrize("schedule", UNBOUNDED, ids=lambda v: type(v).__name__)
def test_a_growing_rate_has_no_bound(schedule: object) -> None:
    assert rate_bound(schedule) is None
    assert abs(schedule(1005)) > abs(schedule(0))  # type: ignore[operator]


def test_every_exported_schedule_has_a_bounded_case() -> None:
    exported = {
        name
        for name in lrschedule.__all__
        if isinstance(getattr(lrschedule, name), type)
        and issubclass(getattr(lrschedule, name), lrschedule.LearningRateSchedule)
        and name != "LearningRateSchedule"
    }
    covered = {type(schedule).__name__ for schedule, _ in BOUNDED}
    assert exported == covered


def test_a_schedule_of_the_user_has_no_bound() -> None:
    assert rate_bound(UserSchedule()) is None
    assert rate_bound(Warmup(UserSchedule(), 10)) is None
    assert Scale(UserSchedule(), 1e308)(0) == 1e308  # nothing is known to refuse


@pytest.mark.parametrize(
    ("make", "reaches"),
    [
        (lambda: Scale(Constant(10.0), 1e308), "10.0"),
        (lambda: Constant(10.0) * 1e308, "10.0"),
        (lambda: -1e308 * Constant(10.0), "10.0"),
        (lambda: Scale(Warmup(Constant(1e10), 5), 1e300), "10000000000.0"),
        (lambda: Scale(Scale(Constant(1e200), 1e100), 1e10), "1e+300"),
        (lambda: Scale(OneCycle(0.1, 100, div_factor=1e-300), 1e10), "1e+299"),
        (lambda: Scale(CosineDecay(1e300, 10, alpha=100.0), 1e7), "1e+302"),
        (lambda: Scale(Constant(1e200) * Constant(1e100), 1e10), "1e+300"),
    ],
)
def test_scale_refuses_a_factor_past_the_float_range(make: object, reaches: str) -> None:
    with pytest.raises(ValueError, match="Argument `factor` must be small enough") as info:
        make()  # type: ignore[operator]
    assert f"(the schedule reaches {reaches})" in str(info.value)
    assert "Received: factor=" in str(info.value)


def test_scale_keeps_every_finite_product() -> None:
    largest = Scale(Constant(10.0), 1.7e307)
    assert math.isfinite(largest(0)) and largest(0) == 1.7e308
    assert Scale(ExponentialDecay(1.0, 10, 2.0), 1e308)(0) == 1e308  # growing: its own overflow
    assert Scale(Constant(0.0), 1e308)(5) == 0.0


def test_shared_children_are_bounded_once() -> None:
    """A document whose schedules share children (YAML aliases) costs its distinct nodes."""
    calls = 0
    shared: object = Constant(0.5)
    for _ in range(40):  # 4**40 paths, 41 distinct schedules
        shared = Join([shared] * 4, [1, 2, 3])
    import lrschedule.schedules.bounds as bounds

    seen = bounds._uncached_bound

    def counting(schedule: object, known: dict[int, float | None]) -> float | None:
        nonlocal calls
        calls += 1
        return seen(schedule, known)

    scaled = Scale(shared, 2.0)  # checks its factor against the same bound, once
    bounds._uncached_bound = counting  # type: ignore[assignment]
    try:
        assert rate_bound(scaled) == 1.0
    finally:
        bounds._uncached_bound = seen
    assert calls == 42
