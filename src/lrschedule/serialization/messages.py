"""How serialization's messages show values, and say where in nested schedules a problem is.

A message may have to show anything a document holds (a huge list, a user object whose
``__repr__`` fails), so values are shown by :func:`show`, bounded in length and depth, and
another error's message is quoted cut to a bounded length.

An error about a schedule nested in others names the path to it, ``Cannot deserialize
Join > Warmup > CosineDecay: ...``: :func:`located` builds the error and remembers its path,
and :func:`building_failed` adds one more class name to it as the error passes up through
the outer ``deserialize`` calls.
"""

from __future__ import annotations

import reprlib
from typing import Any

__all__ = ["building_failed", "located", "show"]

_REPR = reprlib.Repr()
_REPR.maxstring = 80
_REPR.maxother = 80
_REPR.maxdict = 8
_REPR.maxlist = 8

#: The attribute holding ``(path, detail)`` on the errors deserialize raises about a schedule.
_WHERE = "_lrschedule_where"


def show(value: Any) -> str:
    """A short ``repr`` for messages: bounded in length and depth, whatever the value."""
    try:
        return _REPR.repr(value)
    except Exception:  # a user object whose __repr__ fails
        return f"<{type(value).__name__} object>"


def _brief(error: BaseException, limit: int = 1000) -> str:
    """The error's message, cut to ``limit`` characters (a message may echo a huge value)."""
    try:
        text = str(error)
    except Exception:
        text = f"<{type(error).__name__}>"
    return text if len(text) <= limit else text[:limit] + " ... (message cut)"


def located(
    kind: type[ValueError] | type[TypeError], path: tuple[str, ...], detail: str
) -> ValueError | TypeError:
    """``kind("Cannot deserialize A > B: detail")``, remembering the path for outer calls."""
    if not path:
        shown = "a schedule"
    elif len(path) <= 6:
        shown = " > ".join(path)
    else:
        shown = f"{' > '.join(path[:2])} > ... > {' > '.join(path[-2:])} ({len(path)} levels)"
    error = kind(f"Cannot deserialize {shown}: {detail}")
    setattr(error, _WHERE, (path, detail))
    return error


def building_failed(class_name: str, error: Exception) -> ValueError | TypeError:
    """The error to raise when ``from_config`` of ``class_name`` raised ``error``.

    An error about a nested schedule (raised by a nested ``deserialize``) gets this class
    name added to its path; a ``TypeError`` stays a ``TypeError``, every other error is
    reported as a ``ValueError``.
    """
    kind: type[ValueError] | type[TypeError] = (
        TypeError if isinstance(error, TypeError) else ValueError
    )
    where = getattr(error, _WHERE, None)
    if where is not None:
        return located(kind, (class_name, *where[0]), where[1])
    if isinstance(error, (TypeError, ValueError)):
        detail = _brief(error)
    elif isinstance(error, RecursionError):
        detail = "the config is nested too deeply (RecursionError)."
    else:
        detail = f"{type(error).__name__}: {_brief(error)}"
    return located(kind, (class_name,), detail)
