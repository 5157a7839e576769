"""Argument checks: the single source of every error message the schedules raise.

Messages follow Keras's wording, ``Argument `decay_steps` must be > 0. Received:
decay_steps=0``, so that a user moving from Keras recognises them. ``ValueError`` is
raised for a value outside the allowed range, ``TypeError`` for a value of the wrong
type. Nothing is converted silently except NumPy scalars, which become the Python
number they hold so that every config stays JSON-ready.
"""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

Real = int | float

__all__ = [
    "Real",
    "as_exact",
    "bad_step",
    "check_flag",
    "check_increasing",
    "check_name",
    "check_number_list",
    "check_one_more_value",
    "check_optional_real",
    "check_positive",
    "check_real",
    "describe_sequence",
    "require",
]


def _received(name: str, value: Any) -> str:
    return f"Received: {name}={value!r}"


def _type_error(name: str, value: Any, allowed: str) -> NoReturn:
    raise TypeError(
        f"Argument `{name}` must be {allowed}. "
        f"{_received(name, value)} of type {type(value).__name__}"
    )


def _is_numpy_scalar(value: Any) -> bool:
    return type(value).__module__ == "numpy" and getattr(value, "ndim", None) == 0


def check_real(name: str, value: Any) -> Real:
    """Return ``value`` as a finite Python ``int`` or ``float``.

    Accepts Python ints and floats and NumPy integer or floating scalars (converted to
    the Python number they hold). Rejects ``bool`` (a flag is not a number), strings,
    ``None`` and every other type with a ``TypeError``, and NaN or infinity with a
    ``ValueError``.
    """
    if isinstance(value, bool) or (_is_numpy_scalar(value) and type(value).__name__ == "bool"):
        _type_error(name, value, "a real number (int or float), not a bool")
    if type(value) is int:
        return _finite_int(name, value)
    if type(value) is float:
        number: Real = value
    elif isinstance(value, numbers.Integral):
        number = _finite_int(name, int(value))
    elif isinstance(value, float) or (isinstance(value, numbers.Real) and _is_numpy_scalar(value)):
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
    if _is_numpy_scalar(value) and type(value).__name__ == "bool":
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
    if type(value).__module__ == "numpy" and getattr(value, "ndim", 0) == 1:
        value = value.tolist()
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
