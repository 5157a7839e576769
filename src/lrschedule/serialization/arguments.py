"""Whether a config's keys are the constructor arguments of the class it names.

A config must give every required argument and no unknown one; the constructor then
checks the values. The arguments are read from the class's declaration,
``cls.__arguments__`` (each item with a ``.name`` and a ``.required``), where the class
has one that its constructor follows, and otherwise from the constructor's signature
(``inspect.signature``), once per class.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

from lrschedule.serialization.messages import located, show

__all__ = ["check_config_keys"]


def check_config_keys(cls: type, class_name: str, body: dict[str, Any]) -> None:
    """Raise a ``ValueError`` naming the missing and unexpected keys of ``body``, if any.

    A key that is not a string is a ``TypeError``. A constructor that takes ``**kwargs``
    accepts every key; one whose arguments cannot be known accepts every config.
    """
    for key in body:
        if not isinstance(key, str):
            raise located(
                TypeError,
                (class_name,),
                "config keys must be strings. "
                f"Received: the key {show(key)} of type {type(key).__name__}",
            )
    signature = _parameters(cls)
    if signature is None:
        return
    names, required, variadic = signature
    missing = [name for name in required if name not in body]
    unexpected = [] if variadic else [key for key in body if key not in names]
    if not (missing or unexpected):
        return
    problems = []
    if missing:
        plural = "s" if len(missing) > 1 else ""
        problems.append(f"missing config key{plural} {', '.join(map(repr, missing))}")
    if unexpected:
        plural = "s" if len(unexpected) > 1 else ""
        shown = ", ".join(show(key) for key in unexpected[:10])
        if len(unexpected) > 10:
            shown += f", ... ({len(unexpected)} in all)"
        problems.append(f"unexpected config key{plural} {shown}")
    raise located(
        ValueError,
        (class_name,),
        f"{'; '.join(problems)}. {class_name} takes: {', '.join(names)}.",
    )


@functools.lru_cache(maxsize=512)
def _parameters(cls: type) -> tuple[tuple[str, ...], tuple[str, ...], bool] | None:
    """``(names, required names, takes **kwargs)`` of the constructor, or None if unknown."""
    declared = _declared(cls)
    if declared is not None:
        names = tuple(argument.name for argument in declared)
        required = tuple(argument.name for argument in declared if argument.required)
        return names, required, False
    try:
        parameters = list(inspect.signature(cls).parameters.values())
    except (TypeError, ValueError):
        return None
    names = tuple(
        p.name
        for p in parameters
        if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    )
    required = tuple(
        p.name for p in parameters if p.name in names and p.default is inspect.Parameter.empty
    )
    variadic = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)
    return names, required, variadic


def _declared(cls: type) -> tuple[Any, ...] | None:
    """``cls.__arguments__``, where the constructor is the one that declaration describes.

    A declaration describes the ``__init__`` of the class that made it, and of the
    subclasses that keep that ``__init__``. A subclass (a user's, of a library schedule)
    that writes its own ``__init__`` takes that one's arguments, even where it holds the
    inherited declaration itself.
    """
    holders = [klass for klass in cls.__mro__ if "__arguments__" in vars(klass)]
    if not holders:
        return None
    declared = vars(holders[0])["__arguments__"]
    origin = [klass for klass in holders if vars(klass)["__arguments__"] is declared][-1]
    builder = next(klass for klass in cls.__mro__ if "__init__" in vars(klass))
    return tuple(declared) if issubclass(origin, builder) else None
