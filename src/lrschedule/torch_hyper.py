"""The parameter-group values :class:`~lrschedule.torch.ScheduleLR` sets, found and written.

A name addresses one numeric value of a ``torch.optim`` parameter group: a key (``lr``,
``momentum``, ``weight_decay``, any other whose value is a number or a floating-point
tensor) or, for ``beta1`` and ``beta2``, an element of the group's ``betas`` pair. A tensor
value is filled in place, so a compiled optimizer step reading it does not recompile; a
number is replaced (a pair by a new pair with one element changed, as PyTorch's
``OneCycleLR`` does with ``betas``).

Importing this module imports PyTorch.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

__all__ = ["ELEMENTS", "Target", "as_step", "per_group", "resolve", "write"]

Schedule = Callable[[Any], Any]

#: Names for the elements of a pair-valued key, used when the group has no key of that name.
ELEMENTS = {"beta1": ("betas", 0), "beta2": ("betas", 1)}


@dataclass(frozen=True)
class Target:
    """One value of a parameter group: ``group[key]``, or ``group[key][index]``."""

    key: str
    index: int | None = None

    def __str__(self) -> str:
        return self.key if self.index is None else f"{self.key}[{self.index}]"


def per_group(name: str, spec: Any, groups: int) -> list[Schedule | None]:
    """``spec`` as one entry per group: a schedule for all, or a list with one per group.

    ``None`` (alone or in the list) leaves the value alone.
    """
    if isinstance(spec, (list, tuple)):
        if len(spec) != groups:
            raise ValueError(
                f"Argument `{name}` must be one schedule or a list of {groups} "
                f"(one per parameter group). Received: a list of {len(spec)}"
            )
        items = list(spec)
    else:
        items = [spec] * groups
    for item in items:
        if item is not None and not callable(item):
            raise TypeError(
                f"Argument `{name}` must be a schedule (a callable taking the step). "
                f"Received: {item!r} of type {type(item).__name__}"
            )
    return items


def _keys(group: dict[str, Any]) -> str:
    return ", ".join(repr(key) for key in sorted(group) if key != "params")


def _numeric(value: Any) -> bool:
    if isinstance(value, torch.Tensor):
        return value.is_floating_point()
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def resolve(name: str, group: dict[str, Any], number: int) -> Target:
    """The value ``name`` addresses in ``group`` (parameter group ``number``), checked.

    ``beta1`` and ``beta2`` address ``betas[0]`` and ``betas[1]`` unless the group has a key
    of that name itself.

    Raises:
        ValueError: The group has no such key (the message lists the keys it has).
        TypeError: The value there is not a number or a floating-point tensor.
    """
    if name not in group and name in ELEMENTS and ELEMENTS[name][0] in group:
        key, index = ELEMENTS[name]
        pair = group[key]
        if not isinstance(pair, (tuple, list)) or len(pair) <= index:
            raise TypeError(
                f"Argument `{name}` must address element {index} of the parameter group's "
                f"`{key}`. Received: {key}={pair!r} in parameter group {number}"
            )
        target, value = Target(key, index), pair[index]
    elif name in group and name != "params":
        target, value = Target(name), group[name]
    else:
        hint = " (or `betas`, for beta1 and beta2)" if name in ELEMENTS else ""
        raise ValueError(
            f"Argument `{name}` must name a value of the optimizer's parameter groups{hint}. "
            f"Received: {name}, but parameter group {number} has the keys {_keys(group)}"
        )
    if not _numeric(value):
        raise TypeError(
            f"Argument `{name}` must name a numeric parameter-group value (a number or a "
            f"floating-point tensor). Received: {target}={value!r} of type "
            f"{type(value).__name__} in parameter group {number}"
        )
    return target


def write(group: dict[str, Any], key: str, index: int | None, value: float | torch.Tensor) -> None:
    """Set ``group[key]`` (``group[key][index]``): a tensor in place, a number by replacement."""
    current = group[key]
    if index is None:
        if isinstance(current, torch.Tensor):
            current.fill_(value)
        else:
            group[key] = value
        return
    element = current[index]
    if isinstance(element, torch.Tensor):
        element.fill_(value)
        return
    items = [*current[:index], value, *current[index + 1 :]]
    group[key] = tuple(items) if isinstance(current, tuple) else items


def as_step(epoch: Any) -> int | float:
    """``epoch`` as a step: an ``int`` for a whole number, a ``float`` for a fractional one.

    Raises:
        TypeError: ``epoch`` is a bool or not a real number.
        ValueError: ``epoch`` is negative, NaN or infinite.
    """
    if isinstance(epoch, bool):
        raise TypeError(f"Argument `epoch` must be a step, not a bool. Received: epoch={epoch!r}")
    try:
        step: int | float = operator.index(epoch)
    except TypeError:
        try:
            if not hasattr(type(epoch), "__float__"):  # a string is not a step
                raise TypeError
            step = float(epoch)
        except (TypeError, ValueError):
            raise TypeError(
                "Argument `epoch` must be a step (an int or a float). "
                f"Received: epoch={epoch!r} of type {type(epoch).__name__}"
            ) from None
        if math.isfinite(step) and step.is_integer():
            step = int(step)
    if not (isinstance(step, int) or math.isfinite(step)) or step < 0:
        raise ValueError(f"Argument `epoch` must be a finite step >= 0. Received: epoch={epoch!r}")
    return step
