"""Importing lrschedule and evaluating every schedule on Python numbers loads no array library."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

HEAVY = ["numpy", "torch", "jax", "jaxlib", "keras", "tensorflow", "optax", "matplotlib"]

#: Where ``every_schedule.py`` lives: one schedule or more of every exported class.
BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"

SCRIPT = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, BENCHMARKS)
    import lrschedule
    from every_schedule import STEPS, build
    from lrschedule.cli import main
    schedules = build()
    assert {type(schedule).__name__ for schedule in schedules} >= {
        name for name in lrschedule.__all__
        if isinstance(getattr(lrschedule, name), type)
        and name != "LearningRateSchedule"
    }, "every exported schedule class must be exercised here"
    for schedule in schedules:
        for step in STEPS:
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
        [sys.executable, "-c", f"HEAVY = {HEAVY!r}\nBENCHMARKS = {str(BENCHMARKS)!r}\n" + SCRIPT],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stdout
