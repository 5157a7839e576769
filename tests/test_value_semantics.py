"""Schedules are values: frozen, configs round-trip, equality, hashing, repr, pickling, copies."""

from __future__ import annotations

import copy
import inspect
import json
import math
import pickle
from typing import Any

import numpy as np
import pytest

import lrschedule
from lrschedule import (
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    InverseTimeDecay,
    LearningRateSchedule,
    PiecewiseConstantDecay,
    PolynomialDecay,
)

SCHEDULES = [
    ExponentialDecay(0.1, 1000, 0.96),
    ExponentialDecay(0.05, decay_steps=10, decay_rate=0.96, staircase=True, name="my_ed"),
    PiecewiseConstantDecay([100, 110, 120], [1.0, 0.1, 0.01, 0.001]),
    PiecewiseConstantDecay((10, 20), (1, 2, 3), name="my_pcd"),
    PolynomialDecay(0.1, 100, end_learning_rate=0.005, power=1.0, cycle=False, name="my_ld"),
    PolynomialDecay(0.05, 10, 0.001, power=0.5, cycle=True),
    InverseTimeDecay(0.05, 10, 0.96, staircase=True, name="my_itd"),
    CosineDecay(0.05, 10, alpha=0.1, warmup_target=0.2, warmup_steps=2, name="my_cd"),
    CosineDecay(1.0, 1000),
    CosineDecayRestarts(0.05, 10, alpha=0.1, t_mul=3.0, m_mul=4.0, name="my_cdr"),
    CosineDecayRestarts(1.0, 7, t_mul=0.5),
]
STEPS = [0, 1, 5, 10, 11, 99, 100, 101, 1234, 10**9]


def ids(schedule: Any) -> str:
    return repr(schedule)[:60]


@pytest.mark.parametrize("schedule", SCHEDULES, ids=ids)
def test_get_config_is_the_constructor_kwargs(schedule: Any) -> None:
    config = schedule.get_config()
    # Keras's config keys are its constructor's arguments, in order.
    assert list(config) == list(inspect.signature(type(schedule)).parameters)
    rebuilt = type(schedule)(**config)
    assert rebuilt == schedule
    assert type(schedule).from_config(config) == schedule
    assert [rebuilt(s) for s in STEPS] == [schedule(s) for s in STEPS]


@pytest.mark.parametrize("schedule", SCHEDULES, ids=ids)
def test_config_is_json_ready(schedule: Any) -> None:
    config = schedule.get_config()
    assert json.loads(json.dumps(config)) == _listify(config)


def test_config_keeps_arguments_verbatim() -> None:
    config = PiecewiseConstantDecay((10, 20), [1, 2, 3]).get_config()
    assert config == {"boundaries": (10, 20), "values": [1, 2, 3], "name": "PiecewiseConstant"}
    assert type(config["boundaries"]) is tuple and type(config["values"]) is list
    assert ExponentialDecay(1, 10.0, 0.5).get_config()["decay_steps"] == 10.0
    assert type(ExponentialDecay(1, 10.0, 0.5).get_config()["decay_steps"]) is float


def test_numpy_scalars_become_python_numbers() -> None:
    schedule = ExponentialDecay(np.float32(0.5), np.int64(10), np.float64(0.25))
    config = schedule.get_config()
    assert config == {
        "initial_learning_rate": 0.5,
        "decay_steps": 10,
        "decay_rate": 0.25,
        "staircase": False,
        "name": "ExponentialDecay",
    }
    assert [type(config[k]) for k in ("initial_learning_rate", "decay_steps", "decay_rate")] == [
        float,
        int,
        float,
    ]


def test_get_config_returns_a_fresh_copy() -> None:
    schedule = PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    config = schedule.get_config()
    config["boundaries"].append(30)
    config["values"][0] = 99.0
    assert schedule.get_config()["boundaries"] == [10, 20]
    assert schedule(0) == 1.0


@pytest.mark.parametrize("schedule", SCHEDULES, ids=ids)
def test_frozen(schedule: Any) -> None:
    for key in schedule.get_config():
        with pytest.raises(AttributeError, match="is immutable: cannot set"):
            setattr(schedule, key, 1)
        with pytest.raises(AttributeError, match="is immutable: cannot delete"):
            delattr(schedule, key)
    with pytest.raises(AttributeError):
        schedule.anything_new = 1


@pytest.mark.parametrize("schedule", SCHEDULES, ids=ids)
def test_equality_and_hash(schedule: Any) -> None:
    twin = type(schedule)(**schedule.get_config())
    assert twin == schedule and hash(twin) == hash(schedule)
    assert twin is not schedule
    assert len({schedule, twin}) == 1
    assert schedule != object() and schedule != schedule.get_config()


def test_inequality() -> None:
    assert ExponentialDecay(0.1, 10, 0.5) != ExponentialDecay(0.1, 10, 0.5, staircase=True)
    assert ExponentialDecay(0.1, 10, 0.5) != InverseTimeDecay(0.1, 10, 0.5)
    assert ExponentialDecay(0.1, 10, 0.5, name="a") != ExponentialDecay(0.1, 10, 0.5, name="b")
    # A list and a tuple with the same numbers describe the same schedule.
    assert PiecewiseConstantDecay([1], [1.0, 2.0]) == PiecewiseConstantDecay((1,), (1.0, 2.0))
    # 10 and 10.0 are the same number.
    assert ExponentialDecay(1, 10, 0.5) == ExponentialDecay(1.0, 10.0, 0.5)


@pytest.mark.parametrize("schedule", SCHEDULES, ids=ids)
def test_repr_rebuilds(schedule: Any) -> None:
    text = repr(schedule)
    rebuilt = eval(text, vars(lrschedule))
    assert rebuilt == schedule
    assert text.startswith(type(schedule).__name__ + "(")


def test_repr_omits_defaults_and_uses_keywords() -> None:
    assert repr(ExponentialDecay(0.1, 1000, 0.96)) == (
        "ExponentialDecay(initial_learning_rate=0.1, decay_steps=1000, decay_rate=0.96)"
    )
    assert repr(CosineDecayRestarts(1.0, 10, name="x")) == (
        "CosineDecayRestarts(initial_learning_rate=1.0, first_decay_steps=10, name='x')"
    )
    # 0 is not the default 0.0 in type: shown as given, so the rebuilt config is identical.
    assert "alpha=0" in repr(CosineDecay(1.0, 10, alpha=0))


@pytest.mark.parametrize("schedule", SCHEDULES, ids=ids)
@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickle_round_trip(schedule: Any, protocol: int) -> None:
    clone = pickle.loads(pickle.dumps(schedule, protocol=protocol))
    assert clone == schedule and type(clone) is type(schedule)
    assert [clone(s) for s in STEPS] == [schedule(s) for s in STEPS]


@pytest.mark.parametrize("schedule", SCHEDULES, ids=ids)
def test_copies(schedule: Any) -> None:
    for clone in (copy.copy(schedule), copy.deepcopy(schedule)):
        assert clone == schedule
        assert [clone(s) for s in STEPS] == [schedule(s) for s in STEPS]


# --- a user subclass, written the Keras way -------------------------------------------------
class HalfEvery(LearningRateSchedule):
    def __init__(self, initial_learning_rate: float, period: int) -> None:
        self.initial_learning_rate = initial_learning_rate
        self.period = period

    def __call__(self, step: Any) -> Any:
        return self.initial_learning_rate * 0.5 ** (step // self.period)

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate, "period": self.period}


def test_user_subclass_works_like_ours() -> None:
    schedule = HalfEvery(0.8, 10)
    assert schedule(25) == 0.2
    assert np.allclose(schedule(np.array([0, 10, 20])), [0.8, 0.4, 0.2])
    assert schedule == HalfEvery(0.8, 10) and hash(schedule) == hash(HalfEvery(0.8, 10))
    assert schedule != HalfEvery(0.8, 20)
    assert repr(schedule) == "HalfEvery(initial_learning_rate=0.8, period=10)"
    assert HalfEvery.from_config(schedule.get_config()) == schedule
    assert pickle.loads(pickle.dumps(schedule)) == schedule
    assert copy.deepcopy(schedule) == schedule
    schedule.period = 5  # a user's schedule is theirs to mutate
    assert schedule(25) == 0.8 * 0.5**5


class Incomplete(LearningRateSchedule):
    pass


def test_missing_overrides_raise_keras_messages() -> None:
    schedule = Incomplete()
    with pytest.raises(NotImplementedError) as raised:
        schedule(0)
    assert str(raised.value) == (
        "Learning rate schedule 'Incomplete' must override `__call__(self, step)`."
    )
    with pytest.raises(NotImplementedError) as raised:
        schedule.get_config()
    assert str(raised.value) == (
        "Learning rate schedule 'Incomplete' must override `get_config()` in order to be "
        "serializable."
    )
    # Without a config a schedule is equal only to itself, and its repr is the default.
    assert schedule == schedule and schedule != Incomplete()
    assert repr(schedule).startswith("<") and hash(schedule) == hash(schedule)


class Steeper(ExponentialDecay):
    """A user's subclass of a built-in schedule may add attributes of its own."""

    def __init__(self, *args: Any, factor: float = 2.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.factor = factor

    def __call__(self, step: Any) -> Any:
        return self.factor * super().__call__(step)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor}


def test_subclass_of_a_builtin() -> None:
    schedule = Steeper(0.1, 10, 0.5, factor=3.0)
    assert schedule(10) == pytest.approx(0.15)
    assert Steeper.from_config(schedule.get_config()) == schedule
    clone = pickle.loads(pickle.dumps(schedule))
    assert clone == schedule and clone.factor == 3.0
    with pytest.raises(AttributeError):
        schedule.decay_rate = 0.1


def test_value_at_step_zero_is_the_initial_rate() -> None:
    assert ExponentialDecay(0.3, 10, 0.5)(0) == 0.3
    assert InverseTimeDecay(0.3, 10, 0.5)(0) == 0.3
    assert PolynomialDecay(0.3, 10)(0) == 0.3
    assert CosineDecay(0.3, 10, alpha=0.2)(0) == 0.3
    assert CosineDecayRestarts(0.3, 10, alpha=0.2)(0) == 0.3
    assert CosineDecay(0.3, 10, warmup_target=1.0, warmup_steps=5)(0) == 0.3
    # Keras's quirk: a warmup target with no warmup steps decays from the target.
    assert CosineDecay(0.1, 100, warmup_target=1.0, warmup_steps=0)(0) == 1.0
    assert math.isclose(PiecewiseConstantDecay([5], [0.3, 0.1])(0), 0.3)


def _listify(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _listify(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_listify(v) for v in value]
    return value


def test_a_library_schedule_without_a_formula_is_refused_when_defined() -> None:
    from lrschedule.schedules.arguments import rate
    from lrschedule.schedules.base import Schedule

    with pytest.raises(TypeError, match="Formulaless must define `_compute"):

        class Formulaless(Schedule):
            value: float = rate()
