"""Importing lrschedule and evaluating every schedule on Python numbers loads no array library."""

from __future__ import annotations

import subprocess
import sys
import textwrap

HEAVY = ["numpy", "torch", "jax", "jaxlib", "keras", "tensorflow", "optax", "matplotlib"]

SCRIPT = textwrap.dedent(
    """
    import sys
    import lrschedule
    from lrschedule import (
        CosineDecay, CosineDecayRestarts, ExponentialDecay, InverseTimeDecay,
        PiecewiseConstantDecay, PolynomialDecay,
    )
    from lrschedule.cli import main
    schedules = [
        ExponentialDecay(0.1, 10, 0.5), ExponentialDecay(0.1, 10, 0.5, staircase=True),
        InverseTimeDecay(0.1, 10, 0.5), PolynomialDecay(0.1, 10, cycle=True),
        PiecewiseConstantDecay([5, 10], [1.0, 0.5, 0.1]),
        CosineDecay(0.0, 10, warmup_target=1.0, warmup_steps=3),
        CosineDecayRestarts(1.0, 3), CosineDecayRestarts(1.0, 3, t_mul=1.0),
        CosineDecayRestarts(1.0, 3, t_mul=0.5),
        lrschedule.Constant(0.1), lrschedule.StepDecay(0.1, 3, 0.5),
        lrschedule.MultiStepDecay(0.1, [2, 5]), lrschedule.LinearDecay(0.1, 5, 0.01),
        lrschedule.WarmupCosineDecay(0.0, 0.1, 2, 5, 0.01),
        lrschedule.OneCycle(0.1, 10), lrschedule.OneCycle(0.1, 10, anneal_strategy="linear"),
        lrschedule.PiecewiseInterpolation([2, 5], [0.1, 0.2, 0.0], "cosine"),
        lrschedule.CyclicalLearningRate(0.01, 0.1, 3, mode="exp_range", gamma=0.99),
        lrschedule.InverseSqrtDecay(0.1, 4),
        lrschedule.WarmupStableDecay(0.0, 0.1, 2, 3, 4, decay_shape="1-sqrt"),
        lrschedule.Warmup(ExponentialDecay(0.1, 10, 0.5), 3, shape="cosine"),
        lrschedule.Join([lrschedule.Constant(0.1), CosineDecay(0.1, 5)], [4]),
        0.5 * ExponentialDecay(0.1, 10, 0.5),
        lrschedule.Clip(ExponentialDecay(0.1, 10, 0.5), minimum=0.02),
    ]
    assert {type(schedule).__name__ for schedule in schedules} >= {
        name for name in lrschedule.__all__
        if isinstance(getattr(lrschedule, name), type)
        and name != "LearningRateSchedule"
    }, "every exported schedule class must be exercised here"
    for schedule in schedules:
        for step in (0, 1, 7, 2.5, 10**20):
            schedule(step)
        repr(schedule); hash(schedule); schedule.get_config(); list(schedule.breakpoints(0, 50))
        lrschedule.serialize(schedule); lrschedule.deserialize(lrschedule.serialize(schedule))
    main(["table", "--steps", "10", "--every", "5"])
    main(["describe", "--steps", "1000"])
    print(sorted(set(HEAVY) & set(sys.modules)))
    """
)


def test_core_imports_only_the_standard_library() -> None:
    result = subprocess.run(
        [sys.executable, "-c", f"HEAVY = {HEAVY!r}\n" + SCRIPT],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stdout
