"""The largest learning rate a library schedule can reach, read from its declared arguments.

``rate_bound(schedule)`` is a number ``B`` with ``|schedule(step)| <= B`` at every step, or
``None`` when there is none to give (the rate grows without bound, or the schedule is a
user's). :class:`~lrschedule.schedules.arithmetic.Scale` uses it to refuse a factor that
would take the rate past the float range.

Every library schedule's value lies between its rate arguments (an initial, final, target,
maximal or floor rate, the ``values`` of a piecewise schedule, the rates of its children):
a decay, a warmup, an interpolation or a cosine moves between them. The few real arguments
that reach past them are:

* ``decay_rate`` (of the exponential and step decays), ``gamma`` (``CyclicalLearningRate``)
  and ``m_mul`` (``CosineDecayRestarts``) above 1 grow the rate without bound (``None``);
* ``alpha`` above 1 puts the floor of a cosine at ``alpha * initial_learning_rate``;
* ``div_factor`` and ``final_div_factor`` below 1 start and end ``OneCycle`` above its
  maximal rate: ``maximal_learning_rate / div_factor`` and that over ``final_div_factor``;
* ``Scale``'s ``factor`` multiplies its schedule's bound, and a ``Product`` multiplies its
  factors' bounds.
"""

from __future__ import annotations

import math

from lrschedule.schedules.base import Schedule
from lrschedule.schedules.cyclic import CyclicalLearningRate
from lrschedule.schedules.exponential import ExponentialDecay
from lrschedule.schedules.restarts import CosineDecayRestarts
from lrschedule.schedules.step import MultiStepDecay, StepDecay

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["rate_bound"]

#: The schedules whose rate grows without bound when one of their real arguments exceeds 1.
_GROWING: tuple[tuple[type[Schedule], str], ...] = (
    (ExponentialDecay, "decay_rate"),
    (StepDecay, "decay_rate"),
    (MultiStepDecay, "decay_rate"),
    (CyclicalLearningRate, "gamma"),
    (CosineDecayRestarts, "m_mul"),
)


def rate_bound(schedule: Any) -> float | None:
    """An upper bound on ``|schedule(step)|`` over every step, or ``None`` if there is none.

    Args:
        schedule: A schedule object (a library schedule, or anything else callable).

    Returns:
        The bound (``inf`` when it is past the float range), or ``None`` for a rate that
        grows without bound, or a schedule that is not the library's.

    >>> from lrschedule import Constant, CosineDecay, ExponentialDecay, Scale
    >>> rate_bound(Constant(0.5)), rate_bound(CosineDecay(0.1, 100, alpha=2.0))
    (0.5, 0.2)
    >>> rate_bound(Scale(Constant(0.5), -4.0)), rate_bound(ExponentialDecay(0.1, 10, 2.0))
    (2.0, None)
    """
    return _bound(schedule, {})


def _bound(schedule: Any, known: dict[int, float | None]) -> float | None:
    """:func:`rate_bound`, each distinct schedule object bounded once (shared children of a
    document cost their size, not the number of paths to them)."""
    key = id(schedule)
    if key not in known:
        known[key] = _uncached_bound(schedule, known)
    return known[key]


def _uncached_bound(schedule: Any, known: dict[int, float | None]) -> float | None:
    if not isinstance(schedule, Schedule):
        return None
    values = {
        argument.name: getattr(schedule, argument.name) for argument in schedule.__arguments__
    }
    if any(isinstance(schedule, kind) and values[name] > 1 for kind, name in _GROWING):
        return None
    largest = 0.0
    if getattr(schedule, "_multiplies_children", False):  # a Product: the bounds multiply
        bounds = [_bound(child, known) for child in values["schedules"]]
        return None if None in bounds else math.prod(bounds)  # type: ignore[arg-type]
    for argument in schedule.__arguments__:
        value = values[argument.name]
        if value is None:
            continue
        if argument.kind == "rate":
            largest = max(largest, abs(float(value)))
        elif argument.kind == "list" and argument.element == "rate":
            largest = max(largest, *(abs(float(v)) for v in value)) if value else largest
        elif argument.kind in ("schedule", "schedules"):
            for child in (value,) if argument.kind == "schedule" else value:
                bound = _bound(child, known)
                if bound is None:
                    return None
                largest = max(largest, bound)
    return _stretched(largest, values)


def _stretched(largest: float, values: dict[str, Any]) -> float:
    """``largest``, widened by the real arguments that reach past the rate arguments."""
    # Float products and quotients past the float range are inf, which is what is meant.
    if "factor" in values:
        return largest * abs(float(values["factor"]))
    if "alpha" in values and values["alpha"] > 1:
        largest *= float(values["alpha"])
    if "div_factor" in values:
        start = largest / float(values["div_factor"])
        end = start / float(values["final_div_factor"])
        largest = max(largest, start, end)
    return largest
