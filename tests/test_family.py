"""The wider family: values against exact references, exactness at huge steps, breakpoints,
every step type and backend, validation messages, and value semantics.

References are in ``family_reference.py`` (exact rational/mpmath formulas written from the
peers' definitions, independent of ``src/``). Live comparisons with the peers themselves
are in ``test_peer_parity.py``.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import pickle
import random
import re
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch

import family_reference as ref
import lrschedule
from lrschedule import (
    CyclicalLearningRate,
    InverseSqrtDecay,
    LinearDecay,
    MultiStepDecay,
    OneCycle,
    PiecewiseInterpolation,
    StepDecay,
    WarmupCosineDecay,
    WarmupStableDecay,
)

EPS = 2.0**-52
#: Our tolerance against the exact value, in units of the value's last place.
ULPS = 8

P = functools.partial

#: (schedule, its exact reference)
CASES: list[tuple[Any, Any]] = [
    (StepDecay(0.1, 30, 0.5), P(ref.step_decay, 0.1, 30, 0.5)),
    (StepDecay(0.1, 7), P(ref.step_decay, 0.1, 7, 0.1)),
    (StepDecay(0.3, 2.5, 0.9), P(ref.step_decay, 0.3, 2.5, 0.9)),
    (StepDecay(0.3, 0.75, 0.999), P(ref.step_decay, 0.3, 0.75, 0.999)),
    (StepDecay(0.01, 100, 1.5), P(ref.step_decay, 0.01, 100, 1.5)),  # a growing rate
    (MultiStepDecay(0.1, [30, 80]), P(ref.multi_step_decay, 0.1, [30, 80], 0.1)),
    (MultiStepDecay(0.1, [0, 5, 5, 700], 0.5), P(ref.multi_step_decay, 0.1, [0, 5, 5, 700], 0.5)),
    (MultiStepDecay(0.2, []), P(ref.multi_step_decay, 0.2, [], 0.1)),
    (LinearDecay(0.1, 1000, 0.001), P(ref.linear_decay, 0.1, 1000, 0.001)),
    (LinearDecay(0.1, 333.5), P(ref.linear_decay, 0.1, 333.5, 0.0)),
    (LinearDecay(0.001, 200, 0.1), P(ref.linear_decay, 0.001, 200, 0.1)),
    (
        WarmupCosineDecay(0.0, 0.1, 100, 900, 0.001),
        P(ref.warmup_cosine_decay, 0.0, 0.1, 100, 900, 0.001),
    ),
    (
        WarmupCosineDecay(0.01, 0.3, 0, 1234.5, 0.0, exponent=2.0),
        P(ref.warmup_cosine_decay, 0.01, 0.3, 0, 1234.5, 0.0, 2.0),
    ),
    (
        WarmupCosineDecay(0.02, 0.1, 37, 500, 0.003, exponent=0.5),
        P(ref.warmup_cosine_decay, 0.02, 0.1, 37, 500, 0.003, 0.5),
    ),
    (InverseSqrtDecay(0.1, 100), P(ref.inverse_sqrt_decay, 0.1, 100)),
    (InverseSqrtDecay(0.05, 2.5), P(ref.inverse_sqrt_decay, 0.05, 2.5)),
    (CyclicalLearningRate(0.001, 0.006, 200), P(ref.cyclical, 0.001, 0.006, 200)),
    (
        CyclicalLearningRate(0.001, 0.006, 120, 80, "triangular2"),
        P(ref.cyclical, 0.001, 0.006, 120, 80, "triangular2"),
    ),
    (
        CyclicalLearningRate(0.001, 0.006, 50, 150, "exp_range", 0.999),
        P(ref.cyclical, 0.001, 0.006, 50, 150, "exp_range", 0.999),
    ),
    (
        CyclicalLearningRate(0.01, 0.1, 12.5, 7.25, "triangular2"),
        P(ref.cyclical, 0.01, 0.1, 12.5, 7.25, "triangular2"),
    ),
    (
        WarmupStableDecay(0.0, 0.1, 100, 500, 300),
        P(ref.warmup_stable_decay, 0.0, 0.1, 100, 500, 300),
    ),
    *[
        (
            WarmupStableDecay(0.01, 0.1, 64, 200, 333, 0.001, up, down),
            P(ref.warmup_stable_decay, 0.01, 0.1, 64, 200, 333, 0.001, up, down),
        )
        for up in ("linear", "cosine", "1-sqrt")
        for down in ("linear", "cosine", "1-sqrt")
    ],
    (
        WarmupStableDecay(0.05, 0.1, 0, 0, 500, 0.002, decay_shape="1-sqrt"),
        P(ref.warmup_stable_decay, 0.05, 0.1, 0, 0, 500, 0.002, "linear", "1-sqrt"),
    ),
    (
        WarmupStableDecay(0.05, 0.1, 300, 10, 0, 0.002, "cosine"),
        P(ref.warmup_stable_decay, 0.05, 0.1, 300, 10, 0, 0.002, "cosine"),
    ),
    (
        PiecewiseInterpolation([100, 250.5, 900], [0.004, 0.1, 0.05, 1e-6]),
        P(ref.piecewise_interpolation, [100, 250.5, 900], [0.004, 0.1, 0.05, 1e-6]),
    ),
    (
        PiecewiseInterpolation([0.5, 1, 300], [0.1, 0.2, 0.3, 0.01], "cosine"),
        P(ref.piecewise_interpolation, [0.5, 1, 300], [0.1, 0.2, 0.3, 0.01], "cosine"),
    ),
    (PiecewiseInterpolation([], [0.25]), P(ref.piecewise_interpolation, [], [0.25])),
    (OneCycle(0.1, 1000), P(ref.one_cycle, 0.1, 1000)),
    (OneCycle(0.1, 1001, 0.25, "linear"), P(ref.one_cycle, 0.1, 1001, 0.25, "linear")),
    (
        OneCycle(1.0, 777, 0.3, "cos", 10.0, 100.0, three_phase=True),
        P(ref.one_cycle, 1.0, 777, 0.3, "cos", 10.0, 100.0, True),
    ),
    (
        OneCycle(0.5, 999, 0.4, "linear", three_phase=True),
        P(ref.one_cycle, 0.5, 999, 0.4, "linear", 25.0, 1e4, True),
    ),
]
SCHEDULES = [schedule for schedule, _ in CASES]


def ids(case: Any) -> str:
    schedule = case[0] if isinstance(case, tuple) else case
    return repr(schedule)[:80]


def close(ours: float, exact: Any, ulps: int = ULPS) -> bool:
    exact = float(exact) if not isinstance(exact, float) else exact
    return abs(ours - exact) <= ulps * EPS * abs(exact) + 1e-300


def steps_for(schedule: Any) -> list[int]:
    """Every step up to 1,500, plus the steps around the first 40 breakpoints up to 10**5."""
    steps = set(range(1501))
    for point in itertools.islice(schedule.breakpoints(1500, 10**5), 40):
        steps.update((point - 1, point, point + 1))
    return sorted(steps)


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_python_int_steps_are_exact(case: tuple[Any, Any]) -> None:
    schedule, reference = case
    for step in steps_for(schedule):
        value = schedule(step)
        assert type(value) is float
        exact = reference(step=step)[0]
        assert close(value, exact), (step, value, float(exact))


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_float_and_numpy_steps_agree(case: tuple[Any, Any]) -> None:
    schedule, reference = case
    steps = np.asarray(steps_for(schedule), dtype=np.int64)
    expected = np.asarray([schedule(int(step)) for step in steps])
    tolerance = 2 * ULPS * EPS * np.abs(expected) + 1e-300
    for array in (steps, steps.astype(np.float64), steps.astype(np.uint32)):
        values = schedule(array)
        assert values.dtype == np.float64 and values.shape == steps.shape
        assert np.all(np.abs(values - expected) <= tolerance)
    floats = np.asarray([schedule(float(step)) for step in steps])
    assert np.all(np.abs(floats - expected) <= tolerance)
    scalar = schedule(np.int64(steps[-1]))
    assert isinstance(scalar, np.float64) and close(float(scalar), expected[-1], 2 * ULPS)
    # A fractional float step follows the formula between integer steps.
    for step in (0.5, 99.25, 1234.75):
        assert close(schedule(step), reference(step=step)[0], 2 * ULPS), step
    assert schedule(np.float32(12.0)).dtype == np.float32


# ------------------------------------------------------------------ huge steps
BIG = 2**62
HUGE_CASES: list[tuple[Any, Any, list[int]]] = [
    (
        StepDecay(1.0, 3 * 2**36 + 1, 0.999),
        P(ref.step_decay, 1.0, 3 * 2**36 + 1, 0.999),
        [2**40, BIG, BIG + 12345, 3 * (3 * 2**36 + 1) * 2**10],
    ),
    (StepDecay(1.0, 2**40 + 0.5, 0.5), P(ref.step_decay, 1.0, 2**40 + 0.5, 0.5), [2**41 + 1]),
    (
        MultiStepDecay(0.1, [2**40, BIG - 1, BIG]),
        P(ref.multi_step_decay, 0.1, [2**40, BIG - 1, BIG], 0.1),
        [2**40 - 1, 2**40, BIG - 2, BIG - 1, BIG],
    ),
    (
        LinearDecay(0.1, BIG + 3, 0.001),
        P(ref.linear_decay, 0.1, BIG + 3, 0.001),
        [2**40, BIG // 2, BIG - 2**53, BIG - 2**52, BIG - 7, BIG, BIG + 2, BIG + 3],
    ),
    (
        WarmupCosineDecay(0.0, 0.1, 2**40 + 1, BIG, 1e-9),
        P(ref.warmup_cosine_decay, 0.0, 0.1, 2**40 + 1, BIG, 1e-9),
        [2**40, 2**40 + 1, 2**40 + 2, BIG, BIG + 2**40, BIG + 2**40 + 1],
    ),
    (InverseSqrtDecay(0.1, 3), P(ref.inverse_sqrt_decay, 0.1, 3), [2**40, BIG, BIG + 1]),
    (
        CyclicalLearningRate(0.001, 0.01, 2**40 + 3, 2**39 + 1, "triangular2"),
        P(ref.cyclical, 0.001, 0.01, 2**40 + 3, 2**39 + 1, "triangular2"),
        [2**40, 2**40 + 3, 2**40 + 4, 3 * 2**39 + 3, 3 * 2**39 + 5, 40 * (3 * 2**39 + 4) + 17],
    ),
    (
        CyclicalLearningRate(0.001, 0.01, 7, 5),
        P(ref.cyclical, 0.001, 0.01, 7, 5),
        [BIG, BIG + 1, BIG + 7, 12 * 2**58 + 7, 12 * 2**58 + 8],
    ),
    (
        WarmupStableDecay(0.0, 0.1, 2**40, 2**61, 2**61 - 1, 1e-6, "1-sqrt", "1-sqrt"),
        P(ref.warmup_stable_decay, 0.0, 0.1, 2**40, 2**61, 2**61 - 1, 1e-6, "1-sqrt", "1-sqrt"),
        [1, 2**40 - 1, 2**40 + 2**61 + 5, 2**40 + BIG - 2, 2**40 + BIG - 1],
    ),
    (
        PiecewiseInterpolation([2**40 + 0.5, BIG], [0.0, 1.0, 0.5], "cosine"),
        P(ref.piecewise_interpolation, [2**40 + 0.5, BIG], [0.0, 1.0, 0.5], "cosine"),
        [2**40, 2**40 + 1, BIG - 1, BIG],
    ),
    (
        OneCycle(0.1, BIG + 1, 0.25),
        P(ref.one_cycle, 0.1, BIG + 1, 0.25),
        [2**40, 2**60 - 1, 2**60, BIG - 1, BIG],
    ),
]


@pytest.mark.parametrize("case", HUGE_CASES, ids=ids)
def test_exact_at_huge_steps(case: tuple[Any, Any, list[int]]) -> None:
    schedule, reference, steps = case
    exact = [reference(step=step)[0] for step in steps]
    for step, value in zip(steps, exact):
        assert close(schedule(step), value), (step, schedule(step), float(value))
    array = schedule(np.asarray(steps, dtype=np.int64))
    for step, ours, value in zip(steps, array, exact):
        assert close(float(ours), value), (step, float(ours), float(value))


def test_huge_steps_are_not_trivial() -> None:
    """The huge-step cases probe the middle of a phase, not a flat end value."""
    ramp = LinearDecay(0.1, BIG + 3, 0.001)
    assert 0.0505 - 1e-9 < ramp(BIG // 2) < 0.0505 + 1e-9
    assert ramp(BIG - 2**53) > ramp(BIG - 2**52) > ramp(BIG) == 0.001 == ramp(BIG + 3)
    cycle = CyclicalLearningRate(0.001, 0.01, 7, 5)
    assert len({cycle(BIG + k) for k in range(12)}) > 6


# ------------------------------------------------------------------ breakpoints
@pytest.mark.parametrize("case", CASES, ids=ids)
def test_breakpoints_match_brute_force(case: tuple[Any, Any]) -> None:
    schedule, reference = case
    assert list(schedule.breakpoints(0, 1200)) == ref.changes(reference, 0, 1200)
    rng = random.Random(repr(schedule))
    for _ in range(3):
        start = rng.randrange(0, 1000)
        stop = start + rng.randrange(0, 300)
        assert list(schedule.breakpoints(start, stop)) == ref.changes(reference, start, stop)


@pytest.mark.parametrize("case", HUGE_CASES, ids=ids)
def test_breakpoints_at_huge_steps(case: tuple[Any, Any, list[int]]) -> None:
    schedule, reference, steps = case
    for step in steps:
        if step < 2:
            continue
        found = list(schedule.breakpoints(step - 1, step + 2))
        assert found == ref.changes(reference, step - 1, step + 2), step


def test_breakpoints_are_lazy() -> None:
    stairs = StepDecay(0.1, 3).breakpoints(0, 10**18)
    assert list(itertools.islice(stairs, 4)) == [3, 6, 9, 12]
    cycles = CyclicalLearningRate(0.0, 1.0, 2, 3).breakpoints(10**15, 10**18)
    assert list(itertools.islice(cycles, 3)) == [10**15, 10**15 + 3, 10**15 + 5]
    assert list(StepDecay(0.1, 0.4).breakpoints(0, 4)) == [1, 2, 3]


def test_breakpoint_arguments() -> None:
    with pytest.raises(TypeError):
        list(StepDecay(0.1, 3).breakpoints(0.5, 10))  # type: ignore[arg-type]
    assert list(StepDecay(0.1, 3).breakpoints(-10, 7)) == [3, 6]
    assert list(StepDecay(0.1, 3).breakpoints(np.int64(4), np.int64(10))) == [6, 9]
    assert list(StepDecay(0.1, 3).breakpoints(9, 9)) == []


# ------------------------------------------------------------------ other backends
@pytest.mark.parametrize("schedule", SCHEDULES, ids=ids)
def test_torch_steps(schedule: Any) -> None:
    steps = np.asarray(steps_for(schedule), dtype=np.int64)
    expected = np.asarray([schedule(int(step)) for step in steps])
    values = schedule(torch.as_tensor(steps, dtype=torch.float64))
    assert isinstance(values, torch.Tensor) and values.dtype == torch.float64
    np.testing.assert_allclose(values.numpy(), expected, rtol=2 * ULPS * EPS, atol=1e-300)
    single = schedule(torch.as_tensor(steps))  # int64 -> torch's default float dtype
    assert single.dtype == torch.get_default_dtype() == torch.float32
    np.testing.assert_allclose(single.numpy(), expected, rtol=8 * 2.0**-23, atol=1e-37)


@pytest.mark.parametrize("schedule", SCHEDULES, ids=ids)
def test_jax_steps_and_jit(schedule: Any) -> None:
    steps = np.asarray(steps_for(schedule), dtype=np.int64)
    expected = np.asarray([schedule(int(step)) for step in steps])
    with jax.enable_x64(True):
        values = jax.jit(schedule)(jnp.asarray(steps))
        assert values.dtype == jnp.float64
        # XLA's float64 log1p on CPU is off by up to ~120 ulps for arguments in [-0.5, -0.01]
        # (measured against NumPy), which the cosine exponent uses; the rest is within 16 ulps.
        np.testing.assert_allclose(np.asarray(values), expected, rtol=512 * EPS, atol=1e-300)
    single = jax.jit(schedule)(jnp.asarray(steps, dtype=jnp.int32))
    assert single.dtype == jnp.float32
    # float32 without x64: powers and cosines within a few dozen float32 ulps.
    np.testing.assert_allclose(np.asarray(single), expected, rtol=64 * 2.0**-23, atol=1e-37)


@pytest.mark.parametrize("schedule", SCHEDULES, ids=ids)
def test_tensorflow_steps_and_tf_function(schedule: Any) -> None:
    tf = pytest.importorskip("tensorflow")
    steps = np.asarray(steps_for(schedule), dtype=np.int64)
    expected = np.asarray([schedule(int(step)) for step in steps])
    values = schedule(tf.constant(steps, dtype=tf.float64))
    assert values.dtype == tf.float64
    # TensorFlow's float64 pow is off by up to ~20 ulps (measured against Python's).
    np.testing.assert_allclose(values.numpy(), expected, rtol=64 * EPS, atol=1e-300)
    traced = tf.function(schedule)(tf.constant(steps))
    assert traced.dtype == tf.float32  # an integer step: TensorFlow's default float
    np.testing.assert_allclose(traced.numpy(), expected, rtol=64 * 2.0**-23, atol=1e-37)


# ------------------------------------------------------------------ validation
BAD: list[tuple[Any, type[Exception], str]] = [
    (
        lambda: StepDecay(0.1, 0),
        ValueError,
        "Argument `decay_steps` must be > 0. Received: decay_steps=0",
    ),
    (
        lambda: StepDecay(0.1, 10, 0.0),
        ValueError,
        "Argument `decay_rate` must be > 0. Received: decay_rate=0.0",
    ),
    (
        lambda: StepDecay("0.1", 10),
        TypeError,
        "Argument `initial_learning_rate` must be a real number (int or float). Received: initial_learning_rate='0.1' of type str",
    ),
    (
        lambda: StepDecay(0.1, math.inf),
        ValueError,
        "Argument `decay_steps` must be a finite number. Received: decay_steps=inf",
    ),
    (
        lambda: MultiStepDecay(0.1, [30, 20]),
        ValueError,
        "Argument `milestones` must be in non-decreasing order. Received: milestones=[30, 20] (milestones[1]=20 is less than milestones[0]=30)",
    ),
    (
        lambda: MultiStepDecay(0.1, [-1]),
        ValueError,
        "Argument `milestones[0]` must be a whole number >= 0. Received: milestones[0]=-1",
    ),
    (
        lambda: MultiStepDecay(0.1, [2.5]),
        ValueError,
        "Argument `milestones[0]` must be a whole number >= 0. Received: milestones[0]=2.5",
    ),
    (
        lambda: MultiStepDecay(0.1, 30),
        TypeError,
        "Argument `milestones` must be a list or tuple of whole numbers. Received: milestones=30 of type int",
    ),
    (
        lambda: MultiStepDecay(0.1, [10], decay_rate=-0.5),
        ValueError,
        "Argument `decay_rate` must be > 0. Received: decay_rate=-0.5",
    ),
    (
        lambda: LinearDecay(0.1, -5),
        ValueError,
        "Argument `decay_steps` must be > 0. Received: decay_steps=-5",
    ),
    (
        lambda: LinearDecay(0.1, 10, None),
        TypeError,
        "Argument `end_learning_rate` must be a real number (int or float). Received: end_learning_rate=None of type NoneType",
    ),
    (
        lambda: WarmupCosineDecay(0.0, 0.1, 10.5, 100),
        ValueError,
        "Argument `warmup_steps` must be a whole number >= 0. Received: warmup_steps=10.5",
    ),
    (
        lambda: WarmupCosineDecay(0.0, 0.1, -1, 100),
        ValueError,
        "Argument `warmup_steps` must be a whole number >= 0. Received: warmup_steps=-1",
    ),
    (
        lambda: WarmupCosineDecay(0.0, 0.1, 10, 0),
        ValueError,
        "Argument `decay_steps` must be > 0. Received: decay_steps=0",
    ),
    (
        lambda: WarmupCosineDecay(0.0, 0.1, 10, 100, exponent=0),
        ValueError,
        "Argument `exponent` must be > 0. Received: exponent=0",
    ),
    (
        lambda: InverseSqrtDecay(0.1, 0.0),
        ValueError,
        "Argument `decay_steps` must be > 0. Received: decay_steps=0.0",
    ),
    (
        lambda: CyclicalLearningRate(0.001, 0.01, 0),
        ValueError,
        "Argument `step_size_up` must be > 0. Received: step_size_up=0",
    ),
    (
        lambda: CyclicalLearningRate(0.001, 0.01, 10, -2),
        ValueError,
        "Argument `step_size_down` must be > 0. Received: step_size_down=-2",
    ),
    (
        lambda: CyclicalLearningRate(0.001, 0.01, 10, mode="exp"),
        ValueError,
        "Argument `mode` must be one of 'triangular', 'triangular2', 'exp_range'. Received: mode='exp'",
    ),
    (
        lambda: CyclicalLearningRate(0.001, 0.01, 10, mode=None),
        TypeError,
        "Argument `mode` must be a string, one of 'triangular', 'triangular2', 'exp_range'. Received: mode=None of type NoneType",
    ),
    (
        lambda: CyclicalLearningRate(0.001, 0.01, 10, mode="exp_range", gamma=0.0),
        ValueError,
        "Argument `gamma` must be > 0. Received: gamma=0.0",
    ),
    (
        lambda: WarmupStableDecay(0.0, 0.1, 10, -1, 10),
        ValueError,
        "Argument `stable_steps` must be a whole number >= 0. Received: stable_steps=-1",
    ),
    (
        lambda: WarmupStableDecay(0.0, 0.1, 10, 10, 10.5),
        ValueError,
        "Argument `decay_steps` must be a whole number >= 0. Received: decay_steps=10.5",
    ),
    (
        lambda: WarmupStableDecay(0.0, 0.1, 10, 10, 10, warmup_shape="sqrt"),
        ValueError,
        "Argument `warmup_shape` must be one of 'linear', 'cosine', '1-sqrt'. Received: warmup_shape='sqrt'",
    ),
    (
        lambda: WarmupStableDecay(0.0, 0.1, 10, 10, 10, decay_shape="exp"),
        ValueError,
        "Argument `decay_shape` must be one of 'linear', 'cosine', '1-sqrt'. Received: decay_shape='exp'",
    ),
    (
        lambda: PiecewiseInterpolation([10, 10], [1.0, 0.5, 0.1]),
        ValueError,
        "Argument `boundaries` must be strictly increasing. Received: boundaries=[10, 10] (boundaries[1]=10 is not greater than boundaries[0]=10)",
    ),
    (
        lambda: PiecewiseInterpolation([20, 10], [1.0, 0.5, 0.1]),
        ValueError,
        "Argument `boundaries` must be strictly increasing. Received: boundaries=[20, 10] (boundaries[1]=10 is not greater than boundaries[0]=20)",
    ),
    (
        lambda: PiecewiseInterpolation([0, 10], [1.0, 0.5, 0.1]),
        ValueError,
        "Argument `boundaries[0]` must be > 0. Received: boundaries[0]=0",
    ),
    (
        lambda: PiecewiseInterpolation([10], [1.0, 0.5, 0.1]),
        ValueError,
        "The length of boundaries should be 1 less than the length of values. Received: boundaries=[10] of length 1, and values=[1.0, 0.5, 0.1] of length 3.",
    ),
    (
        lambda: PiecewiseInterpolation([10], [1.0, 0.5], "spline"),
        ValueError,
        "Argument `interpolation` must be one of 'linear', 'cosine'. Received: interpolation='spline'",
    ),
    (
        lambda: OneCycle(0.1, 0),
        ValueError,
        "Argument `total_steps` must be a whole number > 0. Received: total_steps=0",
    ),
    (
        lambda: OneCycle(0.1, 100.5),
        ValueError,
        "Argument `total_steps` must be a whole number > 0. Received: total_steps=100.5",
    ),
    (
        lambda: OneCycle(0.1, 100, pct_start=0.0),
        ValueError,
        "Argument `pct_start` must be in (0, 1). Received: pct_start=0.0",
    ),
    (
        lambda: OneCycle(0.1, 100, pct_start=1.0),
        ValueError,
        "Argument `pct_start` must be in (0, 1). Received: pct_start=1.0",
    ),
    (
        lambda: OneCycle(0.1, 100, pct_start=0.01),
        ValueError,
        "Argument `pct_start` must be > 1 / total_steps (the rise ends at step pct_start * total_steps - 1 = 0.0, which must be after step 0; total_steps=100). Received: pct_start=0.01",
    ),
    (
        lambda: OneCycle(0.1, 100, pct_start=0.6, three_phase=True),
        ValueError,
        "Argument `pct_start` must be < (total_steps + 1) / (2 * total_steps) with three_phase=True (the return to the start ends at step 2 * pct_start * total_steps - 2 = 118.0, which must be before the last step 99; total_steps=100). Received: pct_start=0.6",
    ),
    (
        lambda: OneCycle(0.1, 100, anneal_strategy="cosine"),
        ValueError,
        "Argument `anneal_strategy` must be one of 'cos', 'linear'. Received: anneal_strategy='cosine'",
    ),
    (
        lambda: OneCycle(0.1, 100, div_factor=0),
        ValueError,
        "Argument `div_factor` must be > 0. Received: div_factor=0",
    ),
    (
        lambda: OneCycle(0.1, 100, final_div_factor=-1.0),
        ValueError,
        "Argument `final_div_factor` must be > 0. Received: final_div_factor=-1.0",
    ),
    (
        lambda: OneCycle(0.1, 100, three_phase=1),
        TypeError,
        "Argument `three_phase` must be a bool (True or False). Received: three_phase=1 of type int",
    ),
]


@pytest.mark.parametrize(("build", "error", "message"), BAD, ids=[m[:60] for _, _, m in BAD])
def test_bad_arguments_raise_keras_style_messages(build: Any, error: type, message: str) -> None:
    with pytest.raises(error, match="^" + re.escape(message) + "$"):
        build()


def test_gamma_outside_exp_range_warns() -> None:
    with pytest.warns(UserWarning, match="`gamma`=0.99 is ignored with mode='triangular'"):
        CyclicalLearningRate(0.001, 0.01, 10, gamma=0.99)


@pytest.mark.parametrize("schedule", SCHEDULES, ids=ids)
@pytest.mark.parametrize("step", [-1, -0.5, math.nan, math.inf])
def test_bad_steps_raise(schedule: Any, step: float) -> None:
    with pytest.raises(ValueError, match="^Argument `step` must be"):
        schedule(step)


# ------------------------------------------------------------------ value semantics
@pytest.mark.parametrize("schedule", SCHEDULES, ids=ids)
def test_value_semantics(schedule: Any) -> None:
    config = schedule.get_config()
    assert json.loads(json.dumps(config)) == config
    assert type(schedule)(**config) == schedule
    assert type(schedule).from_config(config) == schedule
    assert hash(type(schedule)(**config)) == hash(schedule)
    rebuilt = eval(repr(schedule), vars(lrschedule))
    assert rebuilt == schedule and repr(rebuilt) == repr(schedule)
    assert pickle.loads(pickle.dumps(schedule)) == schedule
    document = lrschedule.serialize(schedule)
    assert document["module"] == "lrschedule"
    assert document["registered_name"] == f"lrschedule>{type(schedule).__name__}"
    assert lrschedule.deserialize(json.loads(json.dumps(document))) == schedule
    with pytest.raises(AttributeError, match="is immutable"):
        schedule.name = "x"
    assert [rebuilt(s) for s in (0, 17, 999)] == [schedule(s) for s in (0, 17, 999)]


def test_config_names_and_defaults() -> None:
    assert StepDecay(0.1, 30).get_config() == {
        "initial_learning_rate": 0.1,
        "decay_steps": 30,
        "decay_rate": 0.1,
        "name": "StepDecay",
    }
    assert repr(OneCycle(0.1, 1000)) == "OneCycle(maximal_learning_rate=0.1, total_steps=1000)"
    assert repr(WarmupStableDecay(0.0, 0.1, 10, 20, 30, decay_shape="1-sqrt")) == (
        "WarmupStableDecay(initial_learning_rate=0.0, warmup_target=0.1, warmup_steps=10, "
        "stable_steps=20, decay_steps=30, decay_shape='1-sqrt')"
    )
    assert MultiStepDecay(0.1, (10, 20)) == MultiStepDecay(0.1, [10, 20])
    assert StepDecay(0.1, 30) != StepDecay(0.1, 31)


def test_keras_equivalents() -> None:
    """``StepDecay`` is Keras's staircase ``ExponentialDecay``; ``LinearDecay`` is Keras's
    ``PolynomialDecay`` with ``power=1.0`` (Keras's default end is 1e-4, ours 0)."""
    from lrschedule import ExponentialDecay, PolynomialDecay

    steps = [*range(0, 3000, 7), 10**9, 2**62]
    stairs, keras_stairs = StepDecay(0.1, 30, 0.9), ExponentialDecay(0.1, 30, 0.9, staircase=True)
    assert all(close(stairs(s), keras_stairs(s), 4) for s in steps)
    line, keras_line = LinearDecay(0.1, 1000, 1e-4), PolynomialDecay(0.1, 1000)
    assert all(close(line(s), keras_line(s), 4) for s in steps)
