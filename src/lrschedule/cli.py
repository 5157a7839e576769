"""The ``lrschedule`` command: print a schedule as a table of steps and learning rates.

With no arguments it shows the schedule of the Keras documentation's example,
``ExponentialDecay(0.1, decay_steps=100000, decay_rate=0.96, staircase=True)``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from lrschedule._base import LearningRateSchedule
from lrschedule._decay import ExponentialDecay

__all__ = ["default_schedule", "main", "table_rows"]


def default_schedule() -> ExponentialDecay:
    """The example schedule of the Keras documentation: 0.96 times every 100,000 steps."""
    return ExponentialDecay(0.1, decay_steps=100000, decay_rate=0.96, staircase=True)


def table_rows(
    schedule: LearningRateSchedule, total_steps: int, every: int
) -> list[tuple[int, float]]:
    """``(step, schedule(step))`` for ``step = 0, every, 2 * every, ...`` up to ``total_steps``."""
    return [(step, float(schedule(step))) for step in range(0, total_steps + 1, every)]


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {value}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lrschedule",
        description="Print a learning-rate schedule as a table of steps and learning rates.",
        epilog="example: lrschedule --steps 1000000 --every 100000",
    )
    parser.add_argument("--steps", type=_positive_int, default=1_000_000, help="last step shown")
    parser.add_argument("--every", type=_positive_int, default=100_000, help="steps between rows")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    args = _parser().parse_args(argv)
    schedule = default_schedule()
    print(repr(schedule))
    width = len(f"{args.steps:,}")
    print(f"{'step':>{width}}  learning rate")
    for step, rate in table_rows(schedule, args.steps, args.every):
        print(f"{step:>{width},}  {rate:.10g}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
