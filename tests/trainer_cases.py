"""What the trainer and distributed tests share: one schedule, its exact reference, and the
checks of a run's recorded learning rates.

The schedule warms up for 4 steps, then decays along a cosine, so that the learning rate
differs at every one of the steps the tests train for: an update that used the learning
rate of a neighbouring step (an off-by-one in the step count, or a resumed run that
restarted its count) cannot go unnoticed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from tests import reference

from lrschedule import CosineDecay

#: The arguments of :data:`SCHEDULE`, given to the reference too.
ARGUMENTS = {
    "initial_learning_rate": 0.02,
    "decay_steps": 20,
    "alpha": 0.1,
    "warmup_target": 0.05,
    "warmup_steps": 4,
}

SCHEDULE = CosineDecay(**ARGUMENTS)


def exact(step: int) -> float:
    """The schedule's value at ``step`` from the reference formula (exact, rounded once)."""
    return reference.to_float(reference.cosine_decay(**ARGUMENTS, step=step))


def ulps_apart(a: float, b: float) -> float:
    """How many units in the last place of a float64 ``b`` the two are apart."""
    return abs(a - b) / math.ulp(b)


def check_float64(used: Mapping[int, float], steps: int) -> None:
    """``used[k]``, the learning rate of update ``k``, is ``SCHEDULE(k)`` exactly, for every
    one of the ``steps`` updates, and that is the reference value to 4 ulp."""
    assert sorted(used) == list(range(steps)), sorted(used)
    for step, lr in used.items():
        assert lr == SCHEDULE(step), (step, lr, SCHEDULE(step))
        assert ulps_apart(lr, exact(step)) <= 4, (step, lr, exact(step))
    assert len(set(used.values())) == steps, "the learning rate must change at every step"


def check_float32(used: Mapping[int, float], steps: int, ulps: float = 8) -> None:
    """As :func:`check_float64`, for a framework that computes the learning rate in
    float32: within ``ulps`` float32 units in the last place of the reference value."""
    assert sorted(used) == list(range(steps)), sorted(used)
    for step, lr in used.items():
        ref = exact(step)
        float32_ulp = 2.0 ** (math.frexp(ref)[1] - 24)
        assert abs(lr - ref) <= ulps * float32_ulp, (step, lr, ref)
        assert abs(lr - SCHEDULE(step)) <= ulps * float32_ulp, (step, lr, SCHEDULE(step))
    assert len(set(used.values())) == steps, "the learning rate must change at every step"
