"""What ``lrschedule`` uses when the command line does not say: the schedule, the run, the image."""

from __future__ import annotations

from lrschedule.schedules import ExponentialDecay

__all__ = ["DEFAULT_SIZE", "DEFAULT_SPEC", "DEFAULT_STEPS", "default_schedule"]

#: The schedule used when none is given: the example of the Keras documentation.
DEFAULT_SPEC = "ExponentialDecay(0.1, decay_steps=100000, decay_rate=0.96, staircase=True)"
#: The run length used with the default schedule when ``--steps`` is not given.
DEFAULT_STEPS = 1_000_000
#: The image size of ``lrschedule plot --out``, in pixels.
DEFAULT_SIZE = (800, 450)


def default_schedule() -> ExponentialDecay:
    """The example schedule of the Keras documentation: 0.96 times every 100,000 steps."""
    return ExponentialDecay(0.1, decay_steps=100000, decay_rate=0.96, staircase=True)
