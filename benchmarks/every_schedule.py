"""Every exported schedule, built and called on Python numbers: a script that uses no arrays.

``bench_import.py`` times this script in a fresh interpreter (``python every_schedule.py``),
and ``tests/test_no_dependencies.py`` builds the same schedules to show that no array
library is loaded; that test also checks that every schedule class :mod:`lrschedule`
exports is among them.
"""

from __future__ import annotations

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
    LinearDecay,
    MultiStepDecay,
    OneCycle,
    PiecewiseConstantDecay,
    PiecewiseInterpolation,
    PolynomialDecay,
    Product,
    RescaleTime,
    StepDecay,
    TrainLonger,
    Warmup,
    WarmupCosineDecay,
    WarmupStableDecay,
)

#: The Python steps every schedule is called at: integers, a float, and one beyond 2**64.
STEPS = (0, 1, 7, 2.5, 10**20)


def build() -> list[lrschedule.LearningRateSchedule]:
    """One schedule or more of every exported class, with their options that change the formula."""
    return [
        ExponentialDecay(0.1, 10, 0.5),
        ExponentialDecay(0.1, 10, 0.5, staircase=True),
        InverseTimeDecay(0.1, 10, 0.5),
        PolynomialDecay(0.1, 10, cycle=True),
        PiecewiseConstantDecay([5, 10], [1.0, 0.5, 0.1]),
        CosineDecay(0.0, 10, warmup_target=1.0, warmup_steps=3),
        CosineDecayRestarts(1.0, 3),
        CosineDecayRestarts(1.0, 3, t_mul=1.0),
        CosineDecayRestarts(1.0, 3, t_mul=0.5),
        Constant(0.1),
        StepDecay(0.1, 3, 0.5),
        MultiStepDecay(0.1, [2, 5]),
        LinearDecay(0.1, 5, 0.01),
        WarmupCosineDecay(0.0, 0.1, 2, 5, 0.01),
        OneCycle(0.1, 10),
        OneCycle(0.1, 10, anneal_strategy="linear"),
        PiecewiseInterpolation([2, 5], [0.1, 0.2, 0.0], "cosine"),
        CyclicalLearningRate(0.01, 0.1, 3, mode="exp_range", gamma=0.99),
        InverseSqrtDecay(0.1, 4),
        WarmupStableDecay(0.0, 0.1, 2, 3, 4, decay_shape="1-sqrt"),
        Warmup(ExponentialDecay(0.1, 10, 0.5), 3, shape="cosine"),
        Join([Constant(0.1), CosineDecay(0.1, 5)], [4]),
        Product([StepDecay(1.0, 3, 0.5), CosineDecay(0.1, 5)]),
        0.5 * ExponentialDecay(0.1, 10, 0.5),
        Clip(ExponentialDecay(0.1, 10, 0.5), minimum=0.02),
        CoolDown(CosineDecay(0.1, 10), 5, 3, shape="1-sqrt"),
        TrainLonger(WarmupStableDecay(0.0, 0.1, 2, 3, 4), 3, 9, 12),
        RescaleTime(StepDecay(0.1, 3, 0.5), 1.5),
    ]


def main() -> None:
    """Build every schedule and call each at every step of :data:`STEPS`."""
    for schedule in build():
        for step in STEPS:
            schedule(step)


if __name__ == "__main__":
    main()
