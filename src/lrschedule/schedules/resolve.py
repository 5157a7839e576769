"""Schedules with step counts in units: kept as written, and resolved to steps for a run.

A step-count argument (:func:`~lrschedule.schedules.arguments.step_arguments`) may be a
unit string, ``"3ep"`` or ``"10%"`` (the grammar is in :mod:`lrschedule.core.units`), and
so may each element of a list of step counts. Such a schedule, or a composite with such a
child, is *unresolved*: it keeps the strings as written (``get_config``, ``repr``,
serialization and pickling show them), and it cannot be evaluated or analysed, since its
steps are not known yet. :meth:`~lrschedule.schedules.base.Schedule.resolve` gives the
schedule of the same class with plain step counts for a :class:`~lrschedule.Run`::

    >>> from lrschedule import CosineDecay, Run
    >>> schedule = CosineDecay(0.0, decay_steps="90%", warmup_steps="1ep", warmup_target=0.1)
    >>> schedule.resolve(Run(total="30ep", steps_per_epoch=500))
    CosineDecay(initial_learning_rate=0.0, decay_steps=13500, warmup_target=0.1, warmup_steps=500)

**The rule.** Each unit string becomes ``round(exact)`` steps: its exact value in steps
(a :class:`~fractions.Fraction`; see :meth:`lrschedule.core.units.Run.steps`), rounded
once to the nearest whole step, a tie to the even one. A fraction of the run (``%``,
``dur``) is always of the whole run's exact length, inside a composite's child too.
Then the schedule is built as if the steps had been written: its own checks run, with
their usual messages, followed by what each unit string resolved to. A warmup
(an argument whose name starts with ``warmup``) longer than the run is refused.
Resolution is stateless: the unresolved schedule is unchanged and may be resolved again
for another run.
"""

from __future__ import annotations

from lrschedule.core import validation as checks
from lrschedule.core.units import (
    SUFFIXES,
    UnresolvedScheduleError,
    as_run,
    parse,
    whole_steps,
)
from lrschedule.schedules.arguments import PARENT_KINDS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from lrschedule.core.units import Run
    from lrschedule.schedules.arguments import Argument

__all__ = ["check_units", "resolve", "unit_arguments", "unresolved_class", "unresolved_error"]


def check_units(argument: Argument, value: Any) -> Any:
    """The value to keep for a step-count argument given in units: the strings as written.

    A string is parsed (``ValueError`` if it ends with a unit but is not a unit string; one
    without a unit gets the argument's usual ``TypeError``); a list
    becomes a tuple whose strings are parsed and whose numbers are checked as numbers.
    A zero the argument refuses (``decay_steps="0ep"``) is refused now, since no run
    changes it. The argument's own check runs on the resolved steps.
    """
    name = argument.name
    if type(value) is str:
        if not value.endswith(SUFFIXES):
            return argument.check(value)  # a string that is no unit string: the usual error
        if parse(name, value).value == 0:
            try:
                argument.check(0)
            except ValueError as error:
                rule = str(error).partition(" Received:")[0]
                raise ValueError(
                    f"{rule} Received: {name}={value!r}, which is 0 steps on any run"
                ) from None
        return value
    items = []
    for index, item in enumerate(value):
        label = f"{name}[{index}]"
        unit = type(item) is str and item.endswith(SUFFIXES)
        items.append(parse(label, item).text if unit else checks.check_real(label, item))
    return tuple(items)


def unit_arguments(schedule: Any) -> list[str]:
    """``name=value`` for each of ``schedule``'s own step-count arguments given in units."""
    shown = []
    for argument in type(schedule).__arguments__:
        value = getattr(schedule, argument.name)
        if argument.counts_steps and (
            type(value) is str
            or (isinstance(value, tuple) and any(type(item) is str for item in value))
        ):
            shown.append(f"{argument.name}={_plain(value)!r}")
    return shown


def unresolved_error(schedule: Any) -> UnresolvedScheduleError:
    """The error for evaluating or analysing an unresolved schedule: what, and how to resolve."""
    units = unit_arguments(schedule)
    what = ", ".join(units) if units else "in a child schedule"
    return UnresolvedScheduleError(
        f"{type(schedule).__name__} counts steps in units ({what}): resolve it for the run "
        "before using it, `schedule.resolve(Run(total=..., steps_per_epoch=...))` "
        "(lrschedule.Run; ScheduleLR takes run=...; lrschedule.keras.to_keras takes run=..., "
        "or resolves in fit with ResolveInFit)."
    )


def resolve(schedule: Any, run: Any) -> Any:
    """``schedule`` with its step counts in units resolved for ``run`` (see the module).

    Any other schedule (resolved, or not one of lrschedule's) is returned as it is.
    """
    return _resolved(schedule, as_run(run))


def _resolved(schedule: Any, run: Run) -> Any:
    if getattr(schedule, "is_resolved", True):
        return schedule
    cls = type(schedule)._resolved_class
    values = schedule._arguments()
    notes: list[str] = []
    for argument in cls.__arguments__:
        name = argument.name
        value = values[name]
        if argument.kind == PARENT_KINDS[0]:
            values[name] = _resolved(value, run)
        elif argument.kind == PARENT_KINDS[1]:
            values[name] = type(value)(_resolved(item, run) for item in value)
        elif argument.counts_steps:
            values[name] = _steps(name, value, run, notes)
    _check_warmups(cls, values, schedule, run)
    try:
        return cls(**values)
    except (ValueError, TypeError) as error:
        if not notes:
            raise
        kind = ValueError if isinstance(error, ValueError) else TypeError
        raise kind(f"{error} (resolved {', '.join(notes)} for {run!r})") from error


def _steps(name: str, value: Any, run: Run, notes: list[str]) -> Any:
    """A step-count value with its unit strings as whole steps (recorded in ``notes``)."""
    if type(value) is str:
        steps = whole_steps(run.steps(name, parse(name, value)))
        notes.append(f"{name}={value!r} to {steps}")
        return steps
    if isinstance(value, (list, tuple)) and any(type(item) is str for item in value):
        items = [
            whole_steps(run.steps(f"{name}[{index}]", parse(f"{name}[{index}]", item)))
            if type(item) is str
            else item
            for index, item in enumerate(value)
        ]
        notes.append(f"{name}={_plain(value)!r} to {items!r}")
        return type(value)(items)
    return value


def _check_warmups(cls: type, values: dict[str, Any], schedule: Any, run: Run) -> None:
    """A warmup longer than the run (when the run gives its length) is refused."""
    if run.total is None:
        return
    total = run.total_steps
    for argument in cls.__arguments__:  # type: ignore[attr-defined]
        name = argument.name
        steps = values[name]
        if not (argument.kind == "steps" and name.startswith("warmup")):
            continue
        if isinstance(steps, (int, float)) and steps > total:
            given = getattr(schedule, name)
            shown = f"{given!r} ({steps} steps)" if type(given) is str else f"{steps!r}"
            raise ValueError(
                f"Argument `{name}` must be at most the run's length, {_number(total)} steps "
                f"(total={run.total!r}). Received: {name}={shown}"
            )


def _number(value: Any) -> str:
    return str(value.numerator) if value.denominator == 1 else str(float(value))


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


# ------------------------------------------------------------------- the unresolved twin
#: Each class's unresolved twin, made on first use.
_TWINS: dict[type, type] = {}


def unresolved_class(cls: type) -> type:
    """The unresolved twin of ``cls``: a subclass of the same name, slots and config.

    Its instances hold unit strings: calling one, its ``_compute`` and its analysis
    answers raise :class:`~lrschedule.core.errors.UnresolvedScheduleError`; its
    ``resolve`` builds a ``cls``; it pickles and serializes as a ``cls`` (a ``cls``
    rebuilt from unit strings is a twin again). The twin leaves ``cls``'s own call path
    untouched: a plain schedule is never one.
    """
    twin = _TWINS.get(cls)
    if twin is not None:
        return twin
    namespace: dict[str, Any] = {
        "__slots__": (),
        "__module__": cls.__module__,
        "__qualname__": cls.__qualname__,
        "__doc__": cls.__doc__,
        "is_resolved": False,
        "_resolved_class": cls,
        "resolve": resolve,
        "__reduce__": _reduce,
        "__call__": _refuse,
        "_compute": _refuse,
        "breakpoints": _refuse,
        "monotone_pieces": _refuse,
        "smooth_pieces": _refuse,
        "area": _refuse,
    }
    made = type(cls)(f"_Unresolved{cls.__name__}", (cls,), namespace)
    type.__setattr__(made, "__name__", cls.__name__)
    return _TWINS.setdefault(cls, made)


def _reduce(self: Any) -> tuple[Any, ...]:
    state = getattr(self, "__dict__", None) or None
    return (type(self)._resolved_class.from_config, (self._arguments(),), state)


def _refuse(self: Any, *args: Any) -> Any:
    raise unresolved_error(self)
