"""Composition: Constant, Warmup, Join, Scale and Clip.

Values against exact references (``family_reference.py`` and ``reference.py``, written
from the formulas, not from ``src/``), the boundary rules at ``b - 1``, ``b`` and ``b + 1``,
exactness at huge steps, breakpoints against brute force, every step type and backend
(``jax.jit`` included) with the library's children and with a user's schedule, serialization
of nested composites, value semantics, and the error messages.
"""

from __future__ import annotations

import functools
import json
import math
import pickle
import re
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch

import family_reference as ref
import lrschedule
import reference as keras_ref
from lrschedule import (
    Clip,
    Constant,
    CosineDecay,
    ExponentialDecay,
    Join,
    LearningRateSchedule,
    LinearDecay,
    MultiStepDecay,
    OneCycle,
    PiecewiseConstantDecay,
    Product,
    Scale,
    StepDecay,
    Warmup,
    WarmupStableDecay,
)

EPS = 2.0**-52
ULPS = 8
P = functools.partial


class HalfEvery(LearningRateSchedule):
    """A user's schedule, written the Keras way with plain operators (not registered)."""

    def __init__(self, initial_learning_rate: float, period: int) -> None:
        self.initial_learning_rate = initial_learning_rate
        self.period = period

    def __call__(self, step: Any) -> Any:
        return self.initial_learning_rate * 0.5 ** (step // self.period)

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate, "period": self.period}


class NoConfig(LearningRateSchedule):
    """A user's schedule that cannot be serialized at all."""

    def __call__(self, step: Any) -> Any:
        return 0.25 + 0.0 * step


def half_every(lr: float, period: int, *, step: Any) -> ref.Result:
    with ref.mp.workdps(ref.DPS):
        # A user's schedule that does not define `breakpoints` has none: one piece.
        return ref.m(lr) * ref.mpf(0.5) ** math.floor(ref.q(step) / period), 0


def cosine(lr: float, steps: int, alpha: float = 0.0, *, step: Any) -> ref.Result:
    return keras_ref.cosine_decay(lr, steps, alpha, step=step), ref.q(step) >= steps


def exponential(lr: float, steps: int, rate: float, *, step: Any) -> ref.Result:
    return keras_ref.exponential_decay(lr, steps, rate, staircase=True, step=step), (
        math.floor(ref.q(step) / steps)
    )


COSINE = CosineDecay(0.1, 1000, alpha=0.01)
COSINE_REF = P(cosine, 0.1, 1000, 0.01)
NESTED = Join([Warmup(COSINE, 100), Constant(0.001)], [1100])
NESTED_REF = P(ref.join, [P(ref.warmup, COSINE_REF, 100), P(ref.constant, 0.001)], [1100])

CASES: list[tuple[Any, Any]] = [
    (Constant(0.3), P(ref.constant, 0.3)),
    (NESTED, NESTED_REF),
    (Warmup(COSINE, 100, 0.01, "cosine"), P(ref.warmup, COSINE_REF, 100, 0.01, "cosine")),
    (
        Warmup(ExponentialDecay(0.1, 30, 0.5, staircase=True), 64, 1e-4, "exponential"),
        P(ref.warmup, P(exponential, 0.1, 30, 0.5), 64, 1e-4, "exponential"),
    ),
    (Warmup(LinearDecay(0.1, 500), 0), P(ref.linear_decay, 0.1, 500, 0.0)),
    (
        Warmup(StepDecay(0.2, 40, 0.5), 25, 0.05),
        P(ref.warmup, P(ref.step_decay, 0.2, 40, 0.5), 25, 0.05),
    ),
    (
        Join(
            [Constant(0.1), StepDecay(0.1, 7, 0.5), Warmup(LinearDecay(0.05, 300), 40)],
            [50, 400],
        ),
        P(
            ref.join,
            [
                P(ref.constant, 0.1),
                P(ref.step_decay, 0.1, 7, 0.5),
                P(ref.warmup, P(ref.linear_decay, 0.05, 300, 0.0), 40),
            ],
            [50, 400],
        ),
    ),
    (
        Join([NESTED, Join([Constant(0.5), MultiStepDecay(0.5, [3, 9])], [10])], [1200]),
        P(
            ref.join,
            [
                NESTED_REF,
                P(
                    ref.join,
                    [P(ref.constant, 0.5), P(ref.multi_step_decay, 0.5, [3, 9], 0.1)],
                    [10],
                ),
            ],
            [1200],
        ),
    ),
    (Join([HalfEvery(0.1, 100)], []), P(half_every, 0.1, 100)),
    (
        Join([Warmup(HalfEvery(0.1, 100), 10), HalfEvery(0.3, 70)], [500]),
        P(ref.join, [P(ref.warmup, P(half_every, 0.1, 100), 10), P(half_every, 0.3, 70)], [500]),
    ),
    (Scale(COSINE, 0.5), P(ref.scale, COSINE_REF, 0.5)),
    (0.25 * Warmup(COSINE, 10), P(ref.scale, P(ref.warmup, COSINE_REF, 10), 0.25)),
    (
        Clip(StepDecay(0.1, 100, 0.3), minimum=0.002, maximum=0.05),
        P(ref.clip, P(ref.step_decay, 0.1, 100, 0.3), 0.002, 0.05),
    ),
    (Clip(COSINE, minimum=0.01), P(ref.clip, COSINE_REF, 0.01)),
    (
        Warmup(
            WarmupStableDecay(0.1, 0.1, 0, 300, 200, 0.001, decay_shape="1-sqrt"),
            100,
            0.0,
            "cosine",
        ),
        P(
            ref.warmup,
            P(ref.warmup_stable_decay, 0.1, 0.1, 0, 300, 200, 0.001, "linear", "1-sqrt"),
            100,
            0.0,
            "cosine",
        ),
    ),
]
SCHEDULES = [schedule for schedule, _ in CASES]


def ids(case: Any) -> str:
    schedule = case[0] if isinstance(case, tuple) else case
    return repr(schedule)[:90]


def close(ours: float, exact: Any, ulps: int = ULPS) -> bool:
    exact = float(exact)
    return abs(ours - exact) <= ulps * EPS * abs(exact) + 1e-300


STEPS = sorted(set(range(1500)) | {1999, 2000, 2001, 10**6, 10**9})


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_python_int_steps_are_exact(case: tuple[Any, Any]) -> None:
    schedule, reference = case
    for step in STEPS:
        value = schedule(step)
        assert type(value) is float
        assert close(value, reference(step=step)[0]), (step, value)


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_float_and_numpy_steps_agree(case: tuple[Any, Any]) -> None:
    schedule, reference = case
    steps = np.asarray(STEPS, dtype=np.int64)
    expected = np.asarray([schedule(int(step)) for step in steps])
    tolerance = 2 * ULPS * EPS * np.abs(expected) + 1e-300
    for array in (steps, steps.astype(np.float64), steps.astype(np.uint32)):
        values = schedule(array)
        assert values.dtype == np.float64 and values.shape == steps.shape
        assert np.all(np.abs(values - expected) <= tolerance)
    floats = np.asarray([schedule(float(step)) for step in steps])
    assert np.all(np.abs(floats - expected) <= tolerance)
    for step in (0.5, 99.5, 100.25, 1099.75):
        assert close(schedule(step), reference(step=step)[0], 2 * ULPS), step
    assert isinstance(schedule(np.int64(5)), np.float64)


@pytest.mark.parametrize("schedule", SCHEDULES, ids=ids)
def test_torch_steps(schedule: Any) -> None:
    steps = np.asarray(STEPS, dtype=np.int64)
    expected = np.asarray([schedule(int(step)) for step in steps])
    values = schedule(torch.as_tensor(steps, dtype=torch.float64))
    assert isinstance(values, torch.Tensor) and values.dtype == torch.float64
    np.testing.assert_allclose(values.numpy(), expected, rtol=2 * ULPS * EPS, atol=1e-300)
    single = schedule(torch.as_tensor(steps))
    np.testing.assert_allclose(
        single.to(torch.float64).numpy(), expected, rtol=8 * 2.0**-23, atol=1e-37
    )


@pytest.mark.parametrize("schedule", SCHEDULES, ids=ids)
def test_jax_steps_and_jit(schedule: Any) -> None:
    steps = np.asarray(STEPS, dtype=np.int64)
    expected = np.asarray([schedule(int(step)) for step in steps])
    with jax.enable_x64(True):
        traced = jax.jit(schedule)(jnp.asarray(steps))
        assert traced.dtype == jnp.float64
        np.testing.assert_allclose(np.asarray(traced), expected, rtol=64 * EPS, atol=1e-300)
        eager = schedule(jnp.asarray(steps, dtype=jnp.float64))
        np.testing.assert_allclose(np.asarray(eager), expected, rtol=64 * EPS, atol=1e-300)
    single = jax.jit(schedule)(jnp.asarray(steps[steps < 2**31], dtype=jnp.int32))
    assert single.dtype == jnp.float32
    np.testing.assert_allclose(
        np.asarray(single), expected[steps < 2**31], rtol=64 * 2.0**-23, atol=1e-37
    )
    # vmap over a batch of steps traces the same formula
    batched = jax.vmap(schedule)(jnp.arange(8))
    np.testing.assert_allclose(np.asarray(batched), expected[:8], rtol=64 * 2.0**-23)


@pytest.mark.parametrize(
    # A user's child is called with the TensorFlow tensor itself; HalfEvery's `0.5 ** int64`
    # is not TensorFlow-compatible, so its cases are left to the other backends.
    "schedule",
    [s for s in SCHEDULES if "HalfEvery" not in repr(s)],
    ids=ids,
)
def test_tensorflow_steps_and_tf_function(schedule: Any) -> None:
    tf = pytest.importorskip("tensorflow")
    steps = np.asarray(STEPS, dtype=np.int64)
    expected = np.asarray([schedule(int(step)) for step in steps])
    values = schedule(tf.constant(steps, dtype=tf.float64))
    assert values.dtype == tf.float64
    # TensorFlow's float64 pow is off by up to ~20 ulps (measured against Python's).
    np.testing.assert_allclose(values.numpy(), expected, rtol=64 * EPS, atol=1e-300)
    traced = tf.function(schedule)(tf.constant(steps))
    assert traced.dtype == tf.float32  # an integer step: TensorFlow's default float
    np.testing.assert_allclose(traced.numpy(), expected, rtol=64 * 2.0**-23, atol=1e-37)


def test_jit_of_a_function_holding_a_composite() -> None:
    schedule = Join([Warmup(COSINE, 100), Constant(0.001)], [1100])

    @jax.jit
    def update(count: Any, gradient: Any) -> Any:
        return -schedule(count) * gradient

    assert np.isclose(float(update(jnp.asarray(50), jnp.asarray(2.0))), -0.1, rtol=1e-6)
    assert np.isclose(float(update(jnp.asarray(5000), jnp.asarray(2.0))), -0.002, rtol=1e-6)


# ------------------------------------------------------------------ boundary rules
def test_join_boundary_rule() -> None:
    """Schedule i runs on [b_{i-1}, b_i) on its own clock: b - 1 is the earlier schedule's
    last step, b the later one's step 0 (Optax's join_schedules)."""
    first, second = LinearDecay(1.0, 200, 0.5), LinearDecay(0.2, 10, 0.1)
    joined = Join([first, second], [100])
    assert joined(99) == first(99) == 0.7525
    assert joined(100) == second(0) == 0.2
    assert joined(101) == second(1)
    for step in (99, 100, 101):
        assert joined(np.asarray([step]))[0] == joined(step) == joined(float(step))
        assert float(joined(torch.tensor(step, dtype=torch.float64))) == joined(step)
    three = Join([Constant(1.0), Constant(2.0), Constant(3.0)], [1, 2])
    assert [three(s) for s in range(4)] == [1.0, 2.0, 3.0, 3.0]
    assert three(0.999) == 1.0 and three(1.0) == 2.0 and three(1.5) == 2.0


def test_warmup_boundary_rule() -> None:
    child = ExponentialDecay(0.1, 10, 0.5)
    for shape in ("linear", "cosine", "exponential"):
        warm = Warmup(child, 20, 0.001, shape)
        assert warm(0) == 0.001
        assert 0.001 < warm(19) < 0.1
        assert warm(20) == child(0) == 0.1
        assert warm(21) == child(1)
        assert warm(10**12) == child(10**12 - 20)
    assert Warmup(child, 20, 0.001, "exponential")(10) == pytest.approx(0.01, rel=1e-15)
    assert Warmup(child, 20, 0.001, "cosine")(10) == pytest.approx(0.0505, rel=1e-15)
    # Hugging Face's warmup: from 0, so the first update gets a learning rate of 0.
    assert Warmup(child, 4)(0) == 0.0 and Warmup(child, 4)(1) == 0.025


def test_keras_piecewise_switch_is_one_step_later_than_join() -> None:
    """Keras's PiecewiseConstantDecay switches at b + 1; Join (Optax's rule) at b."""
    keras_like = PiecewiseConstantDecay([100], [0.1, 0.01])
    joined = Join([Constant(0.1), Constant(0.01)], [101])
    assert [keras_like(s) for s in (99, 100, 101, 102)] == [0.1, 0.1, 0.01, 0.01]
    assert [joined(s) for s in range(300)] == [keras_like(s) for s in range(300)]


# ------------------------------------------------------------------ huge steps
BIG = 2**62
HUGE: list[tuple[Any, Any, list[int]]] = [
    (
        Join([LinearDecay(1.0, BIG - 3), LinearDecay(0.5, BIG, 0.25)], [BIG - 5]),
        P(
            ref.join,
            [P(ref.linear_decay, 1.0, BIG - 3, 0.0), P(ref.linear_decay, 0.5, BIG, 0.25)],
            [BIG - 5],
        ),
        [2**40, BIG - 6, BIG - 5, BIG - 4, BIG + 2**61],
    ),
    (
        Warmup(LinearDecay(0.1, 2**61 + 1, 0.01), BIG + 1, 1e-3, "cosine"),
        P(ref.warmup, P(ref.linear_decay, 0.1, 2**61 + 1, 0.01), BIG + 1, 1e-3, "cosine"),
        [1, 2**40, BIG // 3, BIG, BIG + 1, BIG + 2, BIG + 2**60],
    ),
    (
        Warmup(Constant(0.1), 3 * 2**60 + 1, 1e-6, "exponential"),
        P(ref.warmup, P(ref.constant, 0.1), 3 * 2**60 + 1, 1e-6, "exponential"),
        [1, 2**40, 2**61, 3 * 2**60, 3 * 2**60 + 1],
    ),
]


@pytest.mark.parametrize("case", HUGE, ids=ids)
def test_exact_at_huge_steps(case: tuple[Any, Any, list[int]]) -> None:
    schedule, reference, steps = case
    for step in steps:
        exact = reference(step=step)[0]
        assert close(schedule(step), exact), step
        assert close(float(schedule(np.asarray([step], dtype=np.int64))[0]), exact), step
    assert list(schedule.breakpoints(steps[-2] - 2, steps[-2] + 3)) == ref.changes(
        reference, steps[-2] - 2, steps[-2] + 3
    )


# ------------------------------------------------------------------ breakpoints
@pytest.mark.parametrize("case", CASES, ids=ids)
def test_breakpoints_match_brute_force(case: tuple[Any, Any]) -> None:
    schedule, reference = case
    assert list(schedule.breakpoints(0, 1500)) == ref.changes(reference, 0, 1500)
    for start, stop in ((99, 102), (1099, 1101), (400, 1300), (7, 8)):
        assert list(schedule.breakpoints(start, stop)) == ref.changes(reference, start, stop)


def test_breakpoints_of_nested_composites() -> None:
    assert list(NESTED.breakpoints(0, 10**6)) == [100, 1100]
    joined = Join([OneCycle(0.1, 101, 0.5), StepDecay(0.01, 30)], [100])
    assert list(joined.breakpoints(0, 200)) == [50, 100, 130, 160, 190]
    assert list(joined.breakpoints(100, 131)) == [100, 130]
    stairs = Warmup(StepDecay(0.1, 2), 5).breakpoints(0, 10**18)
    assert [next(stairs) for _ in range(4)] == [5, 7, 9, 11]
    assert list(Join([HalfEvery(0.1, 3), Constant(0.1)], [7]).breakpoints(0, 100)) == [7]


# ------------------------------------------------------------------ serialization
def test_nested_composite_round_trips() -> None:
    schedule = Join([Warmup(CosineDecay(0.1, 1000), 100), Constant(0.001)], [1100])
    config = schedule.get_config()
    inner = config["schedules"][0]
    assert inner["module"] == "lrschedule" and inner["class_name"] == "Warmup"
    assert inner["registered_name"] == "lrschedule>Warmup"
    assert inner["config"]["schedule"]["class_name"] == "CosineDecay"
    assert inner["config"]["schedule"]["module"] == "keras.optimizers.schedules"
    assert json.loads(json.dumps(config)) == config
    assert Join(**config) == schedule
    assert Join.from_config(config) == schedule
    document = lrschedule.serialize(schedule)
    assert document["class_name"] == "Join"
    assert lrschedule.deserialize(json.dumps(document)) == schedule
    rebuilt = lrschedule.deserialize(document)
    assert [rebuilt(s) for s in STEPS] == [schedule(s) for s in STEPS]


def test_files_round_trip(tmp_path: Any) -> None:
    schedule = Clip(
        0.5 * Join([Warmup(COSINE, 100, shape="cosine"), Constant(0.01)], [1100]), 0.002
    )
    for suffix in (".json", ".toml"):
        path = tmp_path / f"schedule{suffix}"
        lrschedule.save(schedule, path)
        assert lrschedule.load(path) == schedule


@pytest.mark.parametrize("schedule", SCHEDULES[:8] + SCHEDULES[10:], ids=ids)
def test_value_semantics(schedule: Any) -> None:
    config = schedule.get_config()
    assert json.loads(json.dumps(config)) == config
    assert type(schedule)(**config) == schedule
    assert hash(type(schedule)(**config)) == hash(schedule)
    rebuilt = eval(repr(schedule), vars(lrschedule))
    assert rebuilt == schedule
    assert pickle.loads(pickle.dumps(schedule)) == schedule
    assert lrschedule.deserialize(lrschedule.serialize(schedule)) == schedule


def test_repr_shows_children_as_schedules() -> None:
    assert repr(Warmup(ExponentialDecay(0.1, 1000, 0.9), 100)) == (
        "Warmup(schedule=ExponentialDecay(initial_learning_rate=0.1, decay_steps=1000, "
        "decay_rate=0.9), warmup_steps=100)"
    )
    assert repr(Join([Constant(0.1), Constant(0.01)], [10])) == (
        "Join(schedules=[Constant(value=0.1), Constant(value=0.01)], boundaries=[10])"
    )
    assert repr(Clip(Constant(0.1), maximum=0.05)) == (
        "Clip(schedule=Constant(value=0.1), maximum=0.05)"
    )


def test_unregistered_children() -> None:
    """A user's child works for values, equality, hashing and pickling, and serializes."""
    warm = Warmup(HalfEvery(0.1, 100), 10)
    assert warm == Warmup(HalfEvery(0.1, 100), 10) != Warmup(HalfEvery(0.1, 50), 10)
    assert hash(warm) == hash(Warmup(HalfEvery(0.1, 100), 10))
    assert pickle.loads(pickle.dumps(warm)) == warm
    assert "HalfEvery" in repr(warm)
    # Written as Keras writes a class it does not know, read back through custom_objects.
    child = warm.get_config()["schedule"]
    assert (child["class_name"], child["registered_name"]) == ("HalfEvery", "HalfEvery")
    with pytest.raises(ValueError, match="Unknown schedule class_name='HalfEvery'"):
        lrschedule.deserialize(lrschedule.serialize(warm))
    document = lrschedule.serialize(warm)
    assert lrschedule.deserialize(document, custom_objects={"HalfEvery": HalfEvery}) == warm
    opaque = NoConfig()
    joined = Join([opaque, Constant(0.1)], [5])
    assert joined == Join([opaque, Constant(0.1)], [5])
    assert joined != Join([NoConfig(), Constant(0.1)], [5])  # no config: equal only to itself
    assert hash(joined) == hash(Join([opaque, Constant(0.1)], [5]))
    copied = pickle.loads(pickle.dumps(joined))
    assert copied(3) == 0.25 and copied(7) == 0.1
    # a child given as a dict is deserialized
    assert Warmup(lrschedule.serialize(COSINE), 10) == Warmup(COSINE, 10)


def test_registered_user_child_round_trips() -> None:
    @lrschedule.register(package="TestCompose")
    class Halving(HalfEvery):
        pass

    schedule = Join([Warmup(Halving(0.1, 100), 10), Constant(0.01)], [400])
    document = json.loads(json.dumps(lrschedule.serialize(schedule)))
    assert lrschedule.deserialize(document) == schedule


def test_keras_schedule_child() -> None:
    keras = pytest.importorskip("keras")
    child = keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5)
    warm = Warmup(child, 20, 0.0)
    assert float(warm(30)) == pytest.approx(0.05, rel=1e-6)
    assert float(warm(10)) == pytest.approx(0.05, rel=1e-6)


def test_scale_operators() -> None:
    decay = ExponentialDecay(0.1, 10, 0.5)
    assert 0.5 * decay == decay * 0.5 == Scale(decay, 0.5)
    assert (2 * decay)(10) == 0.1
    with pytest.raises(TypeError, match="^Argument `factor` must be a real number"):
        decay * "2"  # type: ignore[operator]
    assert decay * decay == Product([decay, decay])  # two schedules: their product


def test_constant_array_shapes() -> None:
    assert Constant(0.1)(np.zeros((2, 3), dtype=np.int64)).shape == (2, 3)
    assert Constant(0.1)(np.float32(3.0)).dtype == np.float32
    assert Constant(3)(7) == 3.0 and type(Constant(3)(7)) is float


# ------------------------------------------------------------------ validation
BAD: list[tuple[Any, type[Exception], str]] = [
    (
        lambda: Join([Constant(0.1), Constant(0.2)], [10, 20]),
        ValueError,
        "The length of boundaries should be 1 less than the length of schedules. Received: boundaries=[10, 20] of length 2, and schedules of length 2.",
    ),
    (
        lambda: Join([Constant(0.1), Constant(0.2), Constant(0.3)], [20, 10]),
        ValueError,
        "Argument `boundaries` must be strictly increasing. Received: boundaries=[20, 10] (boundaries[1]=10 is not greater than boundaries[0]=20)",
    ),
    (
        lambda: Join([Constant(0.1), Constant(0.2), Constant(0.3)], [10, 10]),
        ValueError,
        "Argument `boundaries` must be strictly increasing. Received: boundaries=[10, 10] (boundaries[1]=10 is not greater than boundaries[0]=10)",
    ),
    (
        lambda: Join([Constant(0.1), Constant(0.2)], [0]),
        ValueError,
        "Argument `boundaries[0]` must be a whole number > 0. Received: boundaries[0]=0",
    ),
    (
        lambda: Join([Constant(0.1), Constant(0.2)], [2.5]),
        ValueError,
        "Argument `boundaries[0]` must be a whole number > 0. Received: boundaries[0]=2.5",
    ),
    (
        lambda: Join([], []),
        ValueError,
        "Argument `schedules` must be a list of at least one schedule. Received: schedules=[]",
    ),
    (
        lambda: Join(Constant(0.1), []),
        TypeError,
        "Argument `schedules` must be a list or tuple of learning rate schedules. Received: schedules=Constant(value=0.1) of type Constant",
    ),
    (
        lambda: Join([Constant(0.1), Constant(0.2)], 10),
        TypeError,
        "Argument `boundaries` must be a list or tuple of whole numbers. Received: boundaries=10 of type int",
    ),
    (
        lambda: Join([Constant(0.1), 0.2], [10]),
        TypeError,
        "Argument `schedules[1]` must be a learning rate schedule (a LearningRateSchedule, or the dict `lrschedule.serialize` makes of one). Received: schedules[1]=0.2 of type float. To use a plain function, wrap it in a LearningRateSchedule subclass with `__call__` and `get_config`.",
    ),
    (
        lambda: Warmup(math.cos, 10),
        TypeError,
        "Argument `schedule` must be a learning rate schedule",
    ),
    (
        lambda: Warmup(Constant(0.1), -1),
        ValueError,
        "Argument `warmup_steps` must be a whole number >= 0. Received: warmup_steps=-1",
    ),
    (
        lambda: Warmup(Constant(0.1), 10.5),
        ValueError,
        "Argument `warmup_steps` must be a whole number >= 0. Received: warmup_steps=10.5",
    ),
    (
        lambda: Warmup(Constant(0.1), 10, shape="quadratic"),
        ValueError,
        "Argument `shape` must be one of 'linear', 'cosine', 'exponential'. Received: shape='quadratic'",
    ),
    (
        lambda: Warmup(Constant(0.1), 10, 0.0, "exponential"),
        ValueError,
        "Argument `initial_learning_rate` must be > 0 for shape='exponential'. Received: initial_learning_rate=0.0",
    ),
    (
        lambda: Warmup(Constant(0.0), 10, 1e-3, "exponential"),
        ValueError,
        "Warmup with shape='exponential' needs a schedule whose value at step 0 is > 0 (it warms up geometrically to it). Received: schedule(0)=0.0",
    ),
    (
        lambda: Warmup(Constant(0.1), 10, None),
        TypeError,
        "Argument `initial_learning_rate` must be a real number (int or float). Received: initial_learning_rate=None of type NoneType",
    ),
    (
        lambda: Constant(math.nan),
        ValueError,
        "Argument `value` must be a finite number. Received: value=nan",
    ),
    (
        lambda: Scale(Constant(0.1), math.inf),
        ValueError,
        "Argument `factor` must be a finite number. Received: factor=inf",
    ),
    (
        lambda: Clip(Constant(0.1)),
        ValueError,
        "At least one of `minimum` and `maximum` must be given. Received: minimum=None, maximum=None",
    ),
    (
        lambda: Clip(Constant(0.1), 0.5, 0.1),
        ValueError,
        "Argument `minimum` must be <= maximum=0.1. Received: minimum=0.5",
    ),
]


@pytest.mark.parametrize(("build", "error", "message"), BAD, ids=[m[:60] for _, _, m in BAD])
def test_bad_arguments_raise_keras_style_messages(build: Any, error: type, message: str) -> None:
    with pytest.raises(error, match="^" + re.escape(message)):
        build()


@pytest.mark.parametrize("schedule", SCHEDULES, ids=ids)
@pytest.mark.parametrize("step", [-1, -0.5, math.nan, math.inf])
def test_bad_steps_raise(schedule: Any, step: float) -> None:
    with pytest.raises(ValueError, match="^Argument `step` must be"):
        schedule(step)
    with pytest.raises(ValueError, match="^Argument `step` must be"):
        schedule(np.asarray([0.0, step]))


def test_frozen() -> None:
    warm = Warmup(COSINE, 10)
    with pytest.raises(AttributeError, match="is immutable"):
        warm.schedule = Constant(0.1)
    joined = Join([Constant(0.1), Constant(0.2)], [10])
    assert isinstance(joined.schedules, tuple) and joined.boundaries == (10,)
