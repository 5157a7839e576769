"""Argument checks: the single source of every error message the schedules raise.

Messages follow Keras's wording, ``Argument `decay_steps` must be > 0. Received:
decay_steps=0``, so that a user moving from Keras recognises them. ``ValueError`` is
raised for a value outside the allowed range, ``TypeError`` for a value of the wrong
type. Nothing is converted silently except NumPy scalars, which become the Python
number they hold so that every config stays JSON-ready.
"""

from __future__ import annotations

import math
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any, NoReturn

Real = int | float

__all__ = [
    "Real",
    "as_exact",
    "bad_step",
    "check_choice",
    "check_flag",
    "check_increasing",
    "check_name",
    "check_number_list",
    "check_one_more_value",
    "check_optional_real",
    "check_positive",
    "check_real",
    "check_whole_list",
    "describe_sequence",
    "is_numpy_scalar",
    "require",
    "whole_steps",
]


def _received(name: str, value: Any) -> str:
    return f"Received: {name}={value!r}"


def _type_error(name: str, value: Any, allowed: str) -> NoReturn:
    raise TypeError(
        f"Argument `{name}` must be {allowed}. "
        f"{_received(name, value)} of type {type(value).__name__}"
    )


def is_numpy_scalar(value: Any) -> bool:
    """Whether ``value`` is a NumPy scalar (checked without importing NumPy)."""
    return type(value).__module__ == "numpy" and getattr(value, "ndim", None) == 0


def _numpy_list(value: Any) -> Any:
    """A 1-d NumPy array as the list of Python numbers it holds; anything else as it is."""
    if type(value).__module__ == "numpy" and getattr(value, "ndim", 0) == 1:
        return value.tolist()
    return value


def check_real(name: str, value: Any) -> Real:
    """Return ``value`` as a finite Python ``int`` or ``float``.

    Accepts Python ints and floats and NumPy integer or floating scalars (converted to
    the Python number they hold). Rejects ``bool`` (a flag is not a number), strings,
    ``None`` and every other type with a ``TypeError``, and NaN or infinity with a
    ``ValueError``.
    """
    if isinstance(value, bool) or (is_numpy_scalar(value) and type(value).__name__ == "bool"):
        _type_error(name, value, "a real number (int or float), not a bool")
    if type(value) is int:
        return _finite_int(name, value)
    number: Real
    if type(value) is float:
        number = value
    else:
        dtype = getattr(value, "dtype", None) if is_numpy_scalar(value) else None
        numpy_kind = getattr(dtype, "kind", None)
        if isinstance(value, int) or numpy_kind in ("i", "u"):
            number = _finite_int(name, int(value))
        elif isinstance(value, float) or numpy_kind == "f":
            number = float(value)
        else:
            _type_error(name, value, "a real number (int or float)")
    if isinstance(number, float) and not math.isfinite(number):
        raise ValueError(f"Argument `{name}` must be a finite number. {_received(name, value)}")
    return number


def _finite_int(name: str, value: int) -> int:
    try:
        float(value)
    except OverflowError:
        raise ValueError(
            f"Argument `{name}` must be a finite number (at most {sys.float_info.max!r} "
            f"in magnitude). {_received(name, value)}"
        ) from None
    return value


def check_positive(name: str, value: Any) -> Real:
    """:func:`check_real`, and ``> 0`` ("Argument `decay_steps` must be > 0. Received: ...")."""
    number = check_real(name, value)
    require(number > 0, name, value, "> 0")
    return number


def check_optional_real(name: str, value: Any) -> Real | None:
    """Like :func:`check_real`, but ``None`` is allowed and returned as is."""
    return None if value is None else check_real(name, value)


def require(condition: bool, name: str, value: Any, rule: str) -> None:
    """Unless ``condition``, raise ``ValueError("Argument `name` must be <rule>. ...")``."""
    if not condition:
        raise ValueError(f"Argument `{name}` must be {rule}. {_received(name, value)}")


def check_flag(name: str, value: Any) -> bool:
    """Return ``value`` if it is a ``bool`` (NumPy's ``bool_`` is converted); else ``TypeError``."""
    if isinstance(value, bool):
        return value
    if is_numpy_scalar(value) and type(value).__name__ == "bool":
        return bool(value)
    _type_error(name, value, "a bool (True or False)")


def check_name(value: Any) -> str | None:
    """Return the schedule ``name``: a string, or ``None`` as tf.keras configs have it."""
    if value is None or isinstance(value, str):
        return value
    _type_error("name", value, "a string")


def check_number_list(name: str, value: Any) -> list[Real] | tuple[Real, ...]:
    """Return a list or tuple of finite real numbers, keeping the container's type.

    A NumPy array is accepted and becomes a list of Python numbers.
    """
    value = _numpy_list(value)
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        _type_error(name, value, "a list or tuple of real numbers")
    items = [check_real(f"{name}[{index}]", item) for index, item in enumerate(value)]
    return tuple(items) if isinstance(value, tuple) else items


def check_one_more_value(bounds: Sequence[Any], levels: Sequence[Any]) -> None:
    """Keras's check that there is one more value than boundaries, with its message."""
    if len(bounds) != len(levels) - 1:
        raise ValueError(
            "The length of boundaries should be 1 less than the length of values. "
            f"Received: boundaries={describe_sequence(bounds)}, "
            f"and values={describe_sequence(levels)}."
        )


def check_increasing(name: str, values: Sequence[Any], *, strict: bool = True) -> None:
    """Raise a ``ValueError`` naming the first pair out of order (equal pairs too if ``strict``)."""
    for index in range(1, len(values)):
        later, earlier = values[index], values[index - 1]
        if (not later > earlier) if strict else later < earlier:
            order, relation = (
                ("strictly increasing", "is not greater than")
                if strict
                else ("in non-decreasing order", "is less than")
            )
            raise ValueError(
                f"Argument `{name}` must be {order}. Received: {name}={list(values)!r} "
                f"({name}[{index}]={later!r} {relation} {name}[{index - 1}]={earlier!r})"
            )


def whole_steps(name: str, value: Any, *, positive: bool = False) -> int:
    """A whole number of steps (an ``int``, or a float holding one), ``>= 0`` (or ``> 0``)."""
    number = check_real(name, value)
    rule = "a whole number > 0" if positive else "a whole number >= 0"
    require(
        float(number).is_integer() and (number > 0 if positive else number >= 0),
        name,
        value,
        rule,
    )
    return int(number)


def check_whole_list(name: str, value: Any, *, positive: bool = False) -> tuple[int, ...]:
    """A list or tuple (or 1-d NumPy array) of whole numbers of steps, as a tuple of ints."""
    value = _numpy_list(value)
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise TypeError(
            f"Argument `{name}` must be a list or tuple of whole numbers. "
            f"Received: {name}={value!r} of type {type(value).__name__}"
        )
    return tuple(
        whole_steps(f"{name}[{index}]", item, positive=positive) for index, item in enumerate(value)
    )


def check_choice(name: str, value: Any, choices: Sequence[str]) -> str:
    """``value`` if it is one of ``choices``; else ``ValueError`` (``TypeError`` for a non-str)."""
    if not isinstance(value, str):
        raise TypeError(
            f"Argument `{name}` must be a string, one of {', '.join(map(repr, choices))}. "
            f"Received: {name}={value!r} of type {type(value).__name__}"
        )
    require(value in choices, name, value, f"one of {', '.join(map(repr, choices))}")
    return value


def as_exact(value: Real) -> Real:
    """``value`` as an ``int`` when it is a whole number, so that integer steps divide exactly."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def bad_step(step: Any, problem: str) -> NoReturn:
    """Raise the ``ValueError`` for a step that is negative, NaN or infinite."""
    raise ValueError(
        f"Argument `step` must be {problem}. Received: step={step!r}. "
        "Steps count optimizer updates from 0."
    )


def describe_sequence(values: Sequence[Any]) -> str:
    """``[10, 20] of length 2`` — used by length-mismatch messages."""
    return f"{list(values)!r} of length {len(values)}"
