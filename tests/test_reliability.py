"""Reliability: no call changes the next, and valid configurations never fail at call time.

Each test here is a failure an adversarial run found; the values it checks come from the
schedule's definition (or from the same schedule on a fresh instance), never from the
call under test.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import jax.numpy as jnp
import numpy as np
import pytest
import tensorflow as tf
import torch

from lrschedule import (
    CosineDecayRestarts,
    Join,
    MultiStepDecay,
    OneCycle,
    PiecewiseConstantDecay,
    PiecewiseInterpolation,
)

#: One way to make a step of each backend and dtype, from a whole number of steps.
STEPS: dict[str, Callable[[float], Any]] = {
    "python float": float,
    "numpy int64": lambda v: np.array([int(v)], dtype=np.int64),
    "numpy float32": lambda v: np.array([v], dtype=np.float32),
    "numpy float32 scalar": np.float32,
    "numpy float64": lambda v: np.array([v], dtype=np.float64),
    "torch int64": lambda v: torch.tensor([int(v)], dtype=torch.int64),
    "torch float32": lambda v: torch.tensor([v], dtype=torch.float32),
    "torch float64": lambda v: torch.tensor([v], dtype=torch.float64),
    "jax int32": lambda v: jnp.array([int(v)], dtype=jnp.int32),
    "jax float32": lambda v: jnp.array([v], dtype=jnp.float32),
    "tf int64": lambda v: tf.constant([int(v)], dtype=tf.int64),
    "tf float64": lambda v: tf.constant([v], dtype=tf.float64),
}

#: Every schedule that caches tables, and a composite of them.
TABLED: dict[str, Callable[[], Any]] = {
    "PiecewiseConstantDecay": lambda: PiecewiseConstantDecay([3, 7], [0.3, 0.2, 0.1]),
    "MultiStepDecay": lambda: MultiStepDecay(0.1, [3, 7], 0.5),
    "CosineDecayRestarts": lambda: CosineDecayRestarts(0.1, 10),
    "CosineDecayRestarts shrinking": lambda: CosineDecayRestarts(0.1, 10, t_mul=0.5),
    "CosineDecayRestarts fractional": lambda: CosineDecayRestarts(0.1, 10.5, t_mul=1.5),
    "PiecewiseInterpolation": lambda: PiecewiseInterpolation([4, 9], [0.0, 1.0, 0.5]),
    "OneCycle": lambda: OneCycle(0.1, 100),
    "Join": lambda: Join(
        [CosineDecayRestarts(0.1, 10), PiecewiseConstantDecay([3], [1.0, 0.5])], [20]
    ),
}


def _value(result: Any) -> float:
    return float(np.asarray(result).reshape(-1)[0])


@pytest.mark.parametrize("make", TABLED.values(), ids=TABLED.keys())
def test_no_call_changes_the_next(make: Callable[[], Any]) -> None:
    """Every pair of backends, both orders: the second call gives what a fresh schedule gives."""
    for first, second in itertools.permutations(STEPS, 2):
        for step in (5.0, 15.0, 25.0):
            expected = _value(make()(STEPS[second](step)))
            schedule = make()
            schedule(STEPS[first](step))
            got = _value(schedule(STEPS[second](step)))
            assert got == expected, (first, second, step)


def test_restarts_after_a_torch_float_step() -> None:
    """The reported case: a float32 torch step, then a NumPy float64 array."""
    schedule = CosineDecayRestarts(0.1, 10)
    schedule(torch.tensor([5.0]))
    assert _value(schedule(np.array([5.0]))) == pytest.approx(0.05, rel=1e-12)
    assert math.isclose(_value(schedule(np.float32(5.0))), 0.05, rel_tol=1e-6)
