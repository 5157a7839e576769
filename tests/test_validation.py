"""Bad arguments fail at construction with Keras's wording; bad steps fail at the call."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest

from lrschedule import (
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    InverseTimeDecay,
    PiecewiseConstantDecay,
    PolynomialDecay,
)

# (constructor, good keyword arguments)
GOOD: dict[str, tuple[Any, dict[str, Any]]] = {
    "ExponentialDecay": (
        ExponentialDecay,
        {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5},
    ),
    "InverseTimeDecay": (
        InverseTimeDecay,
        {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5},
    ),
    "PolynomialDecay": (
        PolynomialDecay,
        {"initial_learning_rate": 0.1, "decay_steps": 10, "end_learning_rate": 0.01, "power": 2.0},
    ),
    "CosineDecay": (
        CosineDecay,
        {"initial_learning_rate": 0.1, "decay_steps": 10, "alpha": 0.1},
    ),
    "CosineDecayRestarts": (
        CosineDecayRestarts,
        {"initial_learning_rate": 0.1, "first_decay_steps": 10, "t_mul": 1.5, "m_mul": 0.5},
    ),
}


def build(name: str, **changes: Any) -> Any:
    cls, kwargs = GOOD[name]
    return cls(**{**kwargs, **changes})


# --- ranges, with Keras's exact message for decay_steps -------------------------------------
@pytest.mark.parametrize(
    "name", ["ExponentialDecay", "InverseTimeDecay", "PolynomialDecay", "CosineDecay"]
)
@pytest.mark.parametrize("bad", [0, -1, -0.5, 0.0])
def test_decay_steps_must_be_positive(name: str, bad: float) -> None:
    message = f"Argument `decay_steps` must be > 0. Received: decay_steps={bad!r}"
    with pytest.raises(ValueError, match=f"^{_escape(message)}$"):
        build(name, decay_steps=bad)


@pytest.mark.parametrize("bad", [0, -10])
def test_first_decay_steps_must_be_positive(bad: int) -> None:
    message = f"Argument `first_decay_steps` must be > 0. Received: first_decay_steps={bad}"
    with pytest.raises(ValueError, match=f"^{_escape(message)}$"):
        build("CosineDecayRestarts", first_decay_steps=bad)


@pytest.mark.parametrize(
    ("name", "argument", "bad", "rule"),
    [
        ("ExponentialDecay", "decay_rate", 0.0, "> 0"),
        ("ExponentialDecay", "decay_rate", -0.5, "> 0"),
        ("InverseTimeDecay", "decay_rate", -0.1, ">= 0"),
        ("PolynomialDecay", "power", -1.0, ">= 0"),
        ("CosineDecay", "alpha", -0.1, ">= 0 (a fraction of the learning rate)"),
        ("CosineDecay", "warmup_steps", -1, ">= 0"),
        ("CosineDecayRestarts", "t_mul", 0.0, "> 0"),
        ("CosineDecayRestarts", "t_mul", -2.0, "> 0"),
        ("CosineDecayRestarts", "m_mul", -0.5, ">= 0"),
        ("CosineDecayRestarts", "alpha", -0.01, ">= 0 (a fraction of the learning rate)"),
    ],
)
def test_out_of_range_arguments(name: str, argument: str, bad: float, rule: str) -> None:
    message = f"Argument `{argument}` must be {rule}. Received: {argument}={bad!r}"
    with pytest.raises(ValueError, match=f"^{_escape(message)}$"):
        build(name, **{argument: bad})


# --- numbers must be finite real numbers ---------------------------------------------------
NUMERIC = {
    "ExponentialDecay": ["initial_learning_rate", "decay_steps", "decay_rate"],
    "InverseTimeDecay": ["initial_learning_rate", "decay_steps", "decay_rate"],
    "PolynomialDecay": ["initial_learning_rate", "decay_steps", "end_learning_rate", "power"],
    "CosineDecay": ["initial_learning_rate", "decay_steps", "alpha", "warmup_steps"],
    "CosineDecayRestarts": [
        "initial_learning_rate",
        "first_decay_steps",
        "t_mul",
        "m_mul",
        "alpha",
    ],
}
NUMERIC_CASES = [(name, argument) for name, arguments in NUMERIC.items() for argument in arguments]


@pytest.mark.parametrize(("name", "argument"), NUMERIC_CASES)
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, np.float64("nan")])
def test_nan_and_infinity_are_rejected(name: str, argument: str, bad: float) -> None:
    with pytest.raises(ValueError, match=f"^Argument `{argument}` must be a finite number"):
        build(name, **{argument: bad})


@pytest.mark.parametrize(("name", "argument"), NUMERIC_CASES)
@pytest.mark.parametrize("bad", ["10", None, True, False, [1.0], 1 + 2j, np.bool_(True)])
def test_wrong_types_are_rejected(name: str, argument: str, bad: Any) -> None:
    with pytest.raises(TypeError, match=f"^Argument `{argument}` must be a real number"):
        build(name, **{argument: bad})


def test_type_error_names_the_type() -> None:
    with pytest.raises(TypeError) as raised:
        ExponentialDecay(0.1, "10", 0.5)
    assert str(raised.value) == (
        "Argument `decay_steps` must be a real number (int or float). "
        "Received: decay_steps='10' of type str"
    )
    with pytest.raises(TypeError, match="not a bool. Received: decay_rate=True of type bool"):
        ExponentialDecay(0.1, 10, True)


def test_int_too_large_for_a_float_is_rejected() -> None:
    with pytest.raises(
        ValueError, match="^Argument `initial_learning_rate` must be a finite number"
    ):
        ExponentialDecay(10**400, 10, 0.5)


def test_warmup_target_may_be_none_but_not_nan_or_a_string() -> None:
    CosineDecay(0.1, 10, warmup_target=None)
    with pytest.raises(ValueError, match="^Argument `warmup_target` must be a finite number"):
        CosineDecay(0.1, 10, warmup_target=math.nan, warmup_steps=5)
    with pytest.raises(TypeError, match="^Argument `warmup_target` must be a real number"):
        CosineDecay(0.1, 10, warmup_target="1.0", warmup_steps=5)


@pytest.mark.parametrize(
    ("name", "flag"),
    [
        ("ExponentialDecay", "staircase"),
        ("InverseTimeDecay", "staircase"),
        ("PolynomialDecay", "cycle"),
    ],
)
@pytest.mark.parametrize("bad", [1, 0, "True", None])
def test_flags_must_be_bools(name: str, flag: str, bad: Any) -> None:
    with pytest.raises(TypeError, match=f"^Argument `{flag}` must be a bool"):
        build(name, **{flag: bad})


def test_numpy_bool_flag_is_accepted_as_bool() -> None:
    schedule = ExponentialDecay(0.1, 10, 0.5, staircase=np.bool_(True))
    assert schedule.staircase is True
    assert schedule.get_config()["staircase"] is True


@pytest.mark.parametrize("bad", [3, ["a"], b"x"])
def test_name_must_be_a_string_or_none(bad: Any) -> None:
    with pytest.raises(TypeError, match="^Argument `name` must be a string"):
        ExponentialDecay(0.1, 10, 0.5, name=bad)
    assert ExponentialDecay(0.1, 10, 0.5, name=None).name is None


# --- PiecewiseConstantDecay ----------------------------------------------------------------
def test_piecewise_length_mismatch_has_keras_message() -> None:
    with pytest.raises(ValueError) as raised:
        PiecewiseConstantDecay([10, 20], [1.0, 0.5])
    assert str(raised.value) == (
        "The length of boundaries should be 1 less than the length of values. "
        "Received: boundaries=[10, 20] of length 2, and values=[1.0, 0.5] of length 2."
    )
    with pytest.raises(ValueError, match="should be 1 less"):
        PiecewiseConstantDecay([], [])


@pytest.mark.parametrize("boundaries", [[20, 10], [10, 10], [1, 5, 5], [0.5, 0.25]])
def test_piecewise_boundaries_must_increase(boundaries: list[float]) -> None:
    values = [1.0] * (len(boundaries) + 1)
    with pytest.raises(ValueError, match=r"^Argument `boundaries` must be strictly increasing"):
        PiecewiseConstantDecay(boundaries, values)


def test_piecewise_message_points_at_the_offending_pair() -> None:
    with pytest.raises(ValueError) as raised:
        PiecewiseConstantDecay([20, 10], [1.0, 0.1, 0.01])
    assert str(raised.value) == (
        "Argument `boundaries` must be strictly increasing. Received: boundaries=[20, 10] "
        "(boundaries[1]=10 is not greater than boundaries[0]=20)"
    )


@pytest.mark.parametrize(
    ("boundaries", "values", "fragment"),
    [
        ("10", [1.0, 2.0], "Argument `boundaries` must be a list or tuple"),
        (10, [1.0, 2.0], "Argument `boundaries` must be a list or tuple"),
        ([10], "ab", "Argument `values` must be a list or tuple"),
        ({10}, [1.0, 2.0], "Argument `boundaries` must be a list or tuple"),
        ([None], [1.0, 2.0], "Argument `boundaries[0]` must be a real number"),
        ([10], [1.0, "2"], "Argument `values[1]` must be a real number"),
    ],
)
def test_piecewise_types(boundaries: Any, values: Any, fragment: str) -> None:
    with pytest.raises(TypeError, match=f"^{_escape(fragment)}"):
        PiecewiseConstantDecay(boundaries, values)


def test_piecewise_nan_value_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"^Argument `values\[2\]` must be a finite number"):
        PiecewiseConstantDecay([1, 2], [1.0, 0.5, math.nan])


def test_piecewise_accepts_numpy_arrays_and_no_boundaries() -> None:
    schedule = PiecewiseConstantDecay(np.array([10, 20]), np.array([1.0, 0.5, 0.1]))
    assert schedule.get_config()["boundaries"] == [10, 20]
    assert all(type(v) is int for v in schedule.get_config()["boundaries"])
    constant = PiecewiseConstantDecay([], [0.3])  # Keras raises IndexError when called
    assert constant(0) == constant(10**12) == 0.3


# --- what Keras does silently and we do not ------------------------------------------------
def test_int_learning_rate_computes_as_float() -> None:
    # Keras casts everything to int32 here and returns 0.0.
    assert ExponentialDecay(1, 10, 0.5)(5) == pytest.approx(0.5**0.5, rel=1e-15)
    assert ExponentialDecay(1, 10, 0.5).get_config()["initial_learning_rate"] == 1


def test_warmup_steps_without_warmup_target_warns() -> None:
    with pytest.warns(
        UserWarning, match="`warmup_steps`=100 is ignored because `warmup_target` is None"
    ):
        schedule = CosineDecay(0.1, 1000, warmup_steps=100)
    assert schedule(0) == 0.1  # ignored, as in Keras
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        CosineDecay(0.1, 1000)
        CosineDecay(0.1, 1000, warmup_target=1.0, warmup_steps=100)


@pytest.mark.parametrize("t_mul", [0.5, 0.9, 0.25])
def test_shrinking_restarts_never_return_nan(t_mul: float) -> None:
    schedule = CosineDecayRestarts(1.0, 10, t_mul=t_mul, alpha=0.1)
    end = 10 / (1 - t_mul)
    steps = list(range(int(end) + 50)) + [10**6, 10**18]
    values = [schedule(step) for step in steps]
    assert all(math.isfinite(v) for v in values)
    assert schedule(math.ceil(end)) == schedule(10**18) == pytest.approx(0.1)
    array = schedule(np.asarray(steps, dtype=np.int64))
    assert np.all(np.isfinite(array))
    np.testing.assert_array_equal(array, np.asarray(values))


# --- steps ----------------------------------------------------------------------------------
ALL = [build(name) for name in GOOD] + [PiecewiseConstantDecay([10], [1.0, 0.5])]


@pytest.mark.parametrize("schedule", ALL, ids=lambda s: type(s).__name__)
@pytest.mark.parametrize(
    ("step", "problem"),
    [
        (-1, ">= 0"),
        (-0.5, ">= 0"),
        (math.nan, "a number, not NaN"),
        (math.inf, "finite"),
        (-math.inf, ">= 0"),
    ],
)
def test_bad_python_steps_raise(schedule: Any, step: float, problem: str) -> None:
    with pytest.raises(
        ValueError, match=f"^Argument `step` must be {_escape(problem)}. Received: step="
    ):
        schedule(step)


@pytest.mark.parametrize("schedule", ALL, ids=lambda s: type(s).__name__)
@pytest.mark.parametrize(
    ("step", "problem"),
    [
        (np.array([0, 5, -3]), ">= 0. Received: step=-3"),
        (np.int64(-1), ">= 0. Received: step=-1"),
        (np.array([0.0, np.nan]), "a number, not NaN. Received: step=nan"),
        (np.array([[1.0], [np.inf]]), "finite. Received: step=inf"),
        (np.float32(-2.0), ">= 0. Received: step=-2.0"),
    ],
)
def test_bad_numpy_steps_raise(schedule: Any, step: Any, problem: str) -> None:
    with pytest.raises(ValueError, match=f"^Argument `step` must be {_escape(problem)}"):
        schedule(step)


@pytest.mark.parametrize("schedule", ALL, ids=lambda s: type(s).__name__)
@pytest.mark.parametrize("step", ["5", None, True, [1, 2], np.array(["a"]), np.array([True]), 1j])
def test_unsupported_step_types_raise_type_error(schedule: Any, step: Any) -> None:
    with pytest.raises(TypeError, match="^Argument `step` must"):
        schedule(step)


def test_unsupported_step_message_lists_what_is_supported() -> None:
    with pytest.raises(TypeError) as raised:
        ExponentialDecay(0.1, 10, 0.5)([1, 2])
    assert str(raised.value) == (
        "Argument `step` must be a non-negative Python int or float, or an integer or float "
        "NumPy scalar or array, torch.Tensor, jax.Array, TensorFlow tensor or Keras variable. "
        "Received: step=[1, 2] of type builtins.list"
    )


def _escape(text: str) -> str:
    import re

    return re.escape(text)
