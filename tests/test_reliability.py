"""Reliability: no call changes the next, and valid configurations never fail at call time.

Each test here is a failure an adversarial run found; the values it checks come from the
schedule's definition (or from the same schedule on a fresh instance), never from the
call under test.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import jax.numpy as jnp
import numpy as np
import pytest
import tensorflow as tf
import torch

from lrschedule import (
    Constant,
    CosineDecayRestarts,
    CyclicalLearningRate,
    Join,
    MultiStepDecay,
    OneCycle,
    PiecewiseConstantDecay,
    PiecewiseInterpolation,
    PolynomialDecay,
    Warmup,
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


# ---------------------------------------------------------------- B: no failure at call time
def test_restarts_with_the_shortest_first_cycle() -> None:
    """first_decay_steps=2**-126: step 5 lies in cycle k with 2**-126 * (2**k - 1) <= 5.

    1e-300 (shorter than the shortest fractional number of steps) is refused.
    """
    with pytest.raises(
        ValueError, match=r"Argument `first_decay_steps` must be at least 2\*\*-126"
    ):
        CosineDecayRestarts(0.1, 1e-300, t_mul=2.0)
    schedule = CosineDecayRestarts(0.1, 2.0**-126, t_mul=2.0)
    first = Fraction(2.0**-126)
    k = 0
    while first * (2 ** (k + 1) - 1) <= 5:
        k += 1
    start, length = first * (2**k - 1), first * 2**k
    assert start <= 5 < start + length
    left = float((start + length - 5) / length)
    expected = 0.1 * 0.5 * (1 + math.cos(math.pi * (1 - left)))
    for step in (5, 5.0, np.array([5]), torch.tensor([5]), torch.tensor([5.0])):
        assert _value(schedule(step)) == pytest.approx(expected, rel=1e-6), step


def test_cyclical_with_a_half_cycle_past_every_integer_dtype() -> None:
    """step_size_down = 2**64 + 1: step 100 rises 100 / 1e22 of the way to the maximum."""
    schedule = CyclicalLearningRate(0, 1, 1e22, 2**64 + 1)
    for step in (100, 100.0, np.array([100]), torch.tensor([100.0], dtype=torch.float64)):
        assert _value(schedule(step)) == pytest.approx(1e-20, rel=1e-6), step


def test_polynomial_cycle_with_a_span_past_the_float32_range() -> None:
    """decay_steps=1.8e307 with cycle=True: at step 5, (1 - 5 / 1.8e307) of the way down."""
    schedule = PolynomialDecay(0, 1.8e307, 1.0, cycle=True)
    for step in (5, torch.tensor([5.0], dtype=torch.float64), np.array([5.0])):
        assert _value(schedule(step)) == pytest.approx(5 / 1.8e307, rel=1e-12), step


# ------------------------------------------------------- D: never NaN or infinity from a config
@pytest.mark.parametrize(
    ("build", "argument", "value"),
    [
        (lambda: OneCycle(0.1, 1000, div_factor=1e-310), "div_factor", "1e-310"),
        (lambda: OneCycle(0.1, 1000, final_div_factor=1e-320), "final_div_factor", "1e-320"),
        (lambda: CyclicalLearningRate(-1e308, 1e308, 10), "maximal_learning_rate", "1e+308"),
        (lambda: PolynomialDecay(1e308, 10, -1e308), "end_learning_rate", "-1e+308"),
        (lambda: MultiStepDecay(0.1, [1, 2], 1e308), "decay_rate", "1e+308"),
    ],
)
def test_configs_without_a_finite_rate_are_refused(
    build: Callable[[], Any], argument: str, value: str
) -> None:
    with pytest.raises(ValueError, match=rf"Argument `{argument}` must .*") as caught:
        build()
    assert str(caught.value).endswith(f"Received: {argument}={value}")


def test_exponential_warmup_from_the_smallest_float() -> None:
    """a = 5e-324, b = 1: a * (b / a) ** f, with b / a past the float range."""
    schedule = Warmup(Constant(1.0), 10, initial_learning_rate=5e-324, shape="exponential")
    halfway = math.exp(0.5 * (math.log(1.0) + math.log(5e-324)))  # sqrt(a * b)
    for step in (5, 5.0, np.array([5]), torch.tensor([5.0], dtype=torch.float64)):
        assert _value(schedule(step)) == pytest.approx(halfway, rel=1e-12), step
    assert schedule(0) == 5e-324 and schedule(10) == 1.0
    assert np.all(np.isfinite(schedule(np.arange(20))))
