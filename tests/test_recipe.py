"""The "add a schedule" recipe of docs/architecture.md, followed for a schedule defined here.

Everything a schedule gets from its declarations is checked on a class the library has
never seen: the constructor and its signature, the checks and their messages, slots and
immutability, get_config order, repr, equality, hashing, pickling, serialization once
registered, NumPy evaluation, step_arguments and describe.
"""

from __future__ import annotations

import copy
import inspect
import math
import pickle
from typing import Any

import numpy as np
import pytest

import lrschedule
from lrschedule.core.validation import Real, as_exact
from lrschedule.schedules.arguments import (
    choice,
    flag,
    rate,
    real,
    schedule_name,
    step_arguments,
    steps,
)
from lrschedule.schedules.base import Schedule


@lrschedule.register(package="recipe")
class HalfLife(Schedule):
    """Halve the rate every ``half_life`` steps: ``lr0 * 0.5 ** (step / half_life)``."""

    initial_learning_rate: Real = rate()
    half_life: Real = steps(above=0)
    floor: Real = real(default=0.0, at_least=0)
    rounding: str = choice(("none", "stairs"), default="none")
    hold: bool = flag(default=False)
    name: str | None = schedule_name(default="HalfLife")

    __slots__ = ("_lr0", "_half_life")

    def _setup(self) -> None:
        self._lr0 = float(self.initial_learning_rate)
        self._half_life = as_exact(self.half_life)

    def _compute(self, x: Any, ops: Any) -> Any:
        if self.rounding == "stairs":
            exponent = ops.floor_ratio(x, self._half_life)
        else:
            exponent = ops.ratio(x, self._half_life)
        return ops.maximum(self._lr0 * ops.power(0.5, exponent), float(self.floor))


def reference(step: int, lr0: float, half_life: float, floor: float = 0.0) -> float:
    """Written from the docstring, not from the class."""
    return max(lr0 * 2.0 ** (-step / half_life), floor)


def test_the_constructor_follows_the_declarations() -> None:
    signature = inspect.signature(HalfLife)
    assert list(signature.parameters) == [
        "initial_learning_rate",
        "half_life",
        "floor",
        "rounding",
        "hold",
        "name",
    ]
    assert signature.parameters["floor"].default == 0.0
    assert signature.parameters["half_life"].default is inspect.Parameter.empty
    schedule = HalfLife(0.4, 10)
    assert schedule(0) == 0.4
    assert schedule(10) == pytest.approx(0.2, rel=1e-15)
    assert schedule(25) == pytest.approx(reference(25, 0.4, 10), rel=1e-15)
    assert HalfLife(0.4, 10, floor=0.15)(40) == 0.15


def test_the_checks_use_the_library_wording() -> None:
    with pytest.raises(
        ValueError, match=r"^Argument `half_life` must be > 0\. Received: half_life=0$"
    ):
        HalfLife(0.1, 0)
    with pytest.raises(ValueError, match=r"^Argument `floor` must be >= 0\. Received: floor=-1$"):
        HalfLife(0.1, 5, floor=-1)
    with pytest.raises(TypeError, match="Argument `hold` must be a bool"):
        HalfLife(0.1, 5, hold="yes")
    with pytest.raises(ValueError, match="Argument `rounding` must be one of 'none', 'stairs'"):
        HalfLife(0.1, 5, rounding="round")
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'half_life'"):
        HalfLife(0.1)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword argument 'halflife'"):
        HalfLife(0.1, halflife=5)  # type: ignore[call-arg]


def test_config_repr_equality_and_immutability() -> None:
    schedule = HalfLife(0.4, 10.0, rounding="stairs")
    assert schedule.get_config() == {
        "initial_learning_rate": 0.4,
        "half_life": 10.0,
        "floor": 0.0,
        "rounding": "stairs",
        "hold": False,
        "name": "HalfLife",
    }
    assert list(schedule.get_config()) == list(inspect.signature(HalfLife).parameters)
    assert (
        repr(schedule) == "HalfLife(initial_learning_rate=0.4, half_life=10.0, rounding='stairs')"
    )
    assert schedule == HalfLife(0.4, 10.0, rounding="stairs") != HalfLife(0.4, 10.0)
    assert hash(schedule) == hash(HalfLife(0.4, 10.0, rounding="stairs"))
    with pytest.raises(AttributeError, match="HalfLife is immutable: cannot set `half_life`"):
        schedule.half_life = 3  # type: ignore[misc]
    with pytest.raises(AttributeError):
        schedule.anything_else = 1  # type: ignore[attr-defined]
    assert pickle.loads(pickle.dumps(schedule)) == schedule
    assert copy.deepcopy(schedule) == schedule
    assert step_arguments(HalfLife) == ("half_life",)


def test_serialization_numpy_and_describe() -> None:
    schedule = HalfLife(0.4, 7, floor=0.01)
    document = lrschedule.serialize(schedule)
    assert document["registered_name"] == "recipe>HalfLife"
    assert lrschedule.deserialize(document) == schedule
    steps_ = np.arange(0, 200, dtype=np.int64)
    values = schedule(steps_)
    assert values.dtype == np.float64
    expected = [reference(int(step), 0.4, 7, 0.01) for step in steps_]
    np.testing.assert_allclose(values, expected, rtol=4e-16, atol=0)
    summary = lrschedule.describe(schedule, 200)
    assert summary.area == pytest.approx(math.fsum(expected), rel=1e-13)
    assert summary.peak == 0.4 and summary.peak_step == 0
