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
    ]
    for schedule in schedules:
        for step in (0, 1, 7, 2.5, 10**20):
            schedule(step)
        repr(schedule); hash(schedule); schedule.get_config()
    main(["--steps", "10", "--every", "5"])
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
