"""The argument policies the README states: what is accepted on purpose, and what is refused.

* Negative learning rates are accepted, as Keras accepts them: every formula keeps its sign.
* ``PiecewiseConstantDecay`` boundaries at or below 0 are accepted (Keras's comparisons;
  the values before step 0 are never used).
* A ``MultiStepDecay`` milestone of 0 decays at once, as PyTorch's ``MultiStepLR`` does.
* A ``CyclicalLearningRate`` that starts above its maximum cycles upside down, as PyTorch's
  ``CyclicLR`` does with ``base_lr > max_lr``.
* A fractional number of steps is 0 or at least 2**-126 (XLA and TensorFlow flush shorter
  ones to zero): ``decay_steps=5e-324`` is refused.
"""

from __future__ import annotations

import os
import warnings

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

from typing import Any

import numpy as np
import pytest
from tests.test_peer_parity import SCHED, assert_parity, ours_at, torch_lrs

import lrschedule as lrs
from conftest import require

keras = require("keras")
jnp = require("jax.numpy")
torch = require("torch")
tf = require("tensorflow")

KERAS = keras.optimizers.schedules
STEPS = [0, 1, 2, 5, 9, 10, 11, 37, 100, 999, 10**4]


def keras_values(schedule: Any) -> list[float]:
    return [float(np.asarray(schedule(step))) for step in STEPS]


NEGATIVE = [
    (lrs.ExponentialDecay(-0.1, 10, 0.5), KERAS.ExponentialDecay(-0.1, 10, 0.5)),
    (
        lrs.ExponentialDecay(-0.1, 7, 0.5, staircase=True),
        KERAS.ExponentialDecay(-0.1, 7, 0.5, staircase=True),
    ),
    (lrs.InverseTimeDecay(-0.3, 10, 0.5), KERAS.InverseTimeDecay(-0.3, 10, 0.5)),
    (
        lrs.PolynomialDecay(-0.2, 100, end_learning_rate=-0.01, power=2.0),
        KERAS.PolynomialDecay(-0.2, 100, end_learning_rate=-0.01, power=2.0),
    ),
    (
        lrs.PolynomialDecay(0.2, 100, end_learning_rate=-0.05, cycle=True),
        KERAS.PolynomialDecay(0.2, 100, end_learning_rate=-0.05, cycle=True),
    ),
    (
        lrs.PiecewiseConstantDecay([5, 10], [-0.1, 0.2, -0.3]),
        KERAS.PiecewiseConstantDecay([5, 10], [-0.1, 0.2, -0.3]),
    ),
    (lrs.CosineDecay(-0.4, 50, alpha=0.1), KERAS.CosineDecay(-0.4, 50, alpha=0.1)),
    (
        lrs.CosineDecay(0.0, 50, warmup_target=-0.2, warmup_steps=10),
        KERAS.CosineDecay(0.0, 50, warmup_target=-0.2, warmup_steps=10),
    ),
    (
        lrs.CosineDecayRestarts(-0.1, 10, t_mul=2.0, m_mul=0.5, alpha=0.2),
        KERAS.CosineDecayRestarts(-0.1, 10, t_mul=2.0, m_mul=0.5, alpha=0.2),
    ),
]


@pytest.mark.parametrize(("ours", "theirs"), NEGATIVE, ids=lambda v: type(v).__name__)
def test_negative_rates_are_kept_as_keras_computes_them(ours: Any, theirs: Any) -> None:
    values = [ours(step) for step in STEPS]
    assert any(v < 0 for v in values)
    np.testing.assert_allclose(values, keras_values(theirs), rtol=2e-6, atol=1e-9)


def test_negative_rates_elsewhere_keep_their_sign() -> None:
    assert lrs.Constant(-0.5)(10) == -0.5
    assert lrs.Scale(lrs.Constant(0.5), -2.0)(3) == -1.0
    assert lrs.Clip(lrs.Constant(-3.0), minimum=-1.0)(0) == -1.0
    assert lrs.LinearDecay(0.1, 10, end_learning_rate=-0.1)(10) == -0.1
    assert lrs.Warmup(lrs.Constant(0.1), 10, initial_learning_rate=-0.1)(0) == -0.1
    interpolation = lrs.PiecewiseInterpolation([10], [-1.0, 1.0])
    assert interpolation(0) == -1.0 and interpolation(5) == 0.0


@pytest.mark.parametrize(
    ("boundaries", "values"),
    [([-5, 0, 10], [1.0, 0.5, 0.25, 0.1]), ([0, 10], [1.0, 0.5, 0.25]), ([-3], [0.7, 0.2])],
)
def test_piecewise_boundaries_at_or_below_zero_compare_as_in_keras(
    boundaries: list[int], values: list[float]
) -> None:
    ours = lrs.PiecewiseConstantDecay(boundaries, values)
    theirs = KERAS.PiecewiseConstantDecay(boundaries, values)
    assert [ours(step) for step in STEPS] == pytest.approx(keras_values(theirs), rel=1e-7)
    # Values of the intervals that end below 0 belong to steps before 0: never used.
    assert ours(0) == values[sum(boundary < 0 for boundary in boundaries)]


def test_a_milestone_of_zero_decays_at_once_as_in_pytorch() -> None:
    theirs = torch_lrs(0.1, lambda o: SCHED.MultiStepLR(o, milestones=[0, 5], gamma=0.5), 1000)
    assert theirs[0] == pytest.approx(0.05)
    assert_parity(ours_at(lrs.MultiStepDecay(0.1, [0, 5], 0.5), 1000), theirs)


@pytest.mark.parametrize("mode", ["triangular", "triangular2", "exp_range"])
def test_a_cycle_that_starts_above_its_maximum_runs_upside_down_as_in_pytorch(mode: str) -> None:
    gamma = 0.999 if mode == "exp_range" else 1.0
    theirs = torch_lrs(
        1.0,
        lambda o: SCHED.CyclicLR(
            o,
            base_lr=1.0,
            max_lr=0.1,
            step_size_up=10,
            step_size_down=30,
            mode=mode,
            gamma=gamma,
            cycle_momentum=False,
        ),
        1200,
    )
    ours = lrs.CyclicalLearningRate(1.0, 0.1, 10, 30, mode, gamma)
    assert ours(0) == 1.0 and ours(10) < ours(5) < ours(0) and ours(40) == 1.0
    assert_parity(ours_at(ours, 1200), theirs)


STEP_LENGTHS = [
    (lrs.ExponentialDecay, "decay_steps"),
    (lrs.StepDecay, "decay_steps"),
    (lrs.InverseTimeDecay, "decay_steps"),
    (lrs.PolynomialDecay, "decay_steps"),
    (lrs.CosineDecay, "decay_steps"),
    (lrs.CosineDecayRestarts, "first_decay_steps"),
    (lrs.InverseSqrtDecay, "decay_steps"),
    (lrs.LinearDecay, "decay_steps"),
    (lrs.CyclicalLearningRate, "step_size_up"),
]


def _build(cls: Any, argument: str, length: float) -> Any:
    if cls is lrs.CyclicalLearningRate:
        return cls(0.01, 0.1, length)
    if cls in (lrs.ExponentialDecay, lrs.StepDecay, lrs.InverseTimeDecay):
        return cls(0.1, length, 0.5)
    return cls(0.1, **{argument: length})


@pytest.mark.parametrize(("cls", "argument"), STEP_LENGTHS, ids=lambda v: getattr(v, "__name__", v))
@pytest.mark.parametrize("length", [5e-324, 1e-320, 2.0**-127, 1e-45])
def test_a_step_length_below_the_smallest_normal_float32_is_refused(
    cls: Any, argument: str, length: float
) -> None:
    with pytest.raises(ValueError) as info:
        _build(cls, argument, length)
    assert str(info.value) == (
        f"Argument `{argument}` must be at least 2**-126 (1.1754943508222875e-38; XLA and "
        f"TensorFlow flush shorter lengths to zero). Received: {argument}={length!r}"
    )


def test_a_fractional_warmup_length_may_still_be_zero() -> None:
    ours = lrs.CosineDecay(0.1, 10, warmup_target=0.2, warmup_steps=0.0)
    theirs = KERAS.CosineDecay(0.1, 10, warmup_target=0.2, warmup_steps=0.0)
    assert [ours(step) for step in STEPS] == pytest.approx(keras_values(theirs), rel=1e-6)
    with pytest.raises(ValueError, match=r"must be 0 or at least 2\*\*-126"):
        lrs.CosineDecay(0.1, 10, warmup_target=0.2, warmup_steps=5e-324)


def _steps() -> dict[str, Any]:
    return {
        "numpy int64": np.array([0, 1, 7]),
        "numpy float32": np.array([0.0, 0.5, 3.0, 3e38], np.float32),
        "numpy float64": np.array([0.0, 0.5, 1e308]),
        "torch int64": torch.tensor([0, 1, 7]),
        "torch float32": torch.tensor([0.0, 0.5, 3e38]),
        "jax int32": jnp.array([0, 1, 7]),
        "jax float32": jnp.array([0.0, 0.5, 3e38]),
        "tf int64": tf.constant([0, 1, 7], tf.int64),
        "tf float32": tf.constant([0.0, 0.5, 3e38], tf.float32),
    }


@pytest.mark.parametrize(("cls", "argument"), STEP_LENGTHS, ids=lambda v: getattr(v, "__name__", v))
def test_the_shortest_step_length_is_finite_on_every_backend(cls: Any, argument: str) -> None:
    schedule = _build(cls, argument, 2.0**-126)
    assert schedule(0) == pytest.approx(0.1 if cls is not lrs.CyclicalLearningRate else 0.01)
    for kind, step in _steps().items():
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # overflow to inf is part of the formula: no warning
            values = np.asarray(schedule(step), dtype=np.float64)
        assert np.all(np.isfinite(values)) and np.all(values >= 0), (kind, values)
        assert values[0] == pytest.approx(float(schedule(0)), rel=1e-6), kind
