"""The schedule contract: Keras's base class, value semantics, and what analysis may ask.

:class:`LearningRateSchedule` is what Keras 3's base class is (``__call__(step)``,
``get_config()``, ``from_config(config)``, with Keras's ``NotImplementedError`` messages
for a subclass that forgets an override), and gives every schedule, ours and a user's
alike, equality and hashing by class and config, a ``repr`` that is Python rebuilding the
schedule, and pickling and deep copies.

It also declares the *analysis protocol*, the questions :mod:`lrschedule.analysis` and
the plots ask of a schedule, each with a safe default for a schedule that does not say:

* :meth:`~LearningRateSchedule.breakpoints` — the steps where a new piece starts;
* :meth:`~LearningRateSchedule.monotone_pieces` — runs of steps on which the rate is
  monotone (``None``: unknown);
* :meth:`~LearningRateSchedule.smooth_pieces` — runs on which it is also smooth, so that
  a quadrature of its continuation is accurate (``None``: unknown);
* :meth:`~LearningRateSchedule.area` — the sum of the rates over a run, in closed form
  (``None``: no closed form).

A user's schedule that implements them gets exact figures from ``describe``,
``first_below`` and the plots, as the library's schedules do.

This module imports nothing but the standard library and the registry.
"""

from __future__ import annotations

from lrschedule.core import registry

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any, TypeVar, overload

    _S = TypeVar("_S", bound="LearningRateSchedule")

    #: ``area_of(schedule, steps)``: the sum of ``schedule(t)`` for ``t < steps``, by any method.
    AreaOf = Callable[[Any, int], float]

__all__ = ["NO_STEP", "LearningRateSchedule", "MissingStep", "pieces_between_breakpoints"]


class LearningRateSchedule:
    """A learning rate as a function of the optimizer step: ``lr = schedule(step)``.

    Subclass it the Keras way: store the arguments in ``__init__``, and override
    ``__call__(self, step)`` and ``get_config()``::

        class HalfEvery(LearningRateSchedule):
            def __init__(self, initial_learning_rate, period):
                self.initial_learning_rate = initial_learning_rate
                self.period = period

            def __call__(self, step):
                return self.initial_learning_rate * 0.5 ** (step // self.period)

            def get_config(self):
                return {"initial_learning_rate": self.initial_learning_rate,
                        "period": self.period}

    Such a subclass gets equality and hashing by config, a ``repr`` that rebuilds it,
    pickling and deep copies, like the built-in schedules.

    ``step`` counts optimizer updates from 0: the first update uses ``schedule(0)``.
    """

    __slots__ = ()

    if TYPE_CHECKING:

        @overload
        def __call__(self, step: int | float) -> float: ...
        @overload
        def __call__(self, step: Any) -> Any: ...

    def __call__(self, step: Any) -> Any:
        """The learning rate at ``step``."""
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `__call__(self, step)`."
        )

    def get_config(self) -> dict[str, Any]:
        """The constructor's keyword arguments: ``type(self)(**self.get_config())`` rebuilds it."""
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override "
            "`get_config()` in order to be serializable."
        )

    @classmethod
    def from_config(cls: type[_S], config: dict[str, Any]) -> _S:
        """Build a schedule from :meth:`get_config`'s output: ``cls(**config)``."""
        return cls(**config)

    def __mul__(self, factor: Any) -> LearningRateSchedule:
        """``schedule * factor``: scaled by a number (a :class:`~lrschedule.Scale`), or
        multiplied step by step by another schedule (a :class:`~lrschedule.Product`)."""
        result: LearningRateSchedule
        if isinstance(factor, LearningRateSchedule):
            result = _library("Product")([self, factor])
        else:
            result = _library("Scale")(self, factor)
        return result

    def __rmul__(self, factor: Any) -> LearningRateSchedule:
        """``factor * schedule``: the schedule scaled by a number (a :class:`~lrschedule.Scale`)."""
        result: LearningRateSchedule = _library("Scale")(self, factor)
        return result

    # ------------------------------------------------------------ analysis protocol
    def breakpoints(self, start: int, stop: int) -> Iterator[int]:
        """The steps in ``[start, stop)`` where the schedule jumps or changes formula, in order.

        A breakpoint ``b`` is the first step of a new piece: ``schedule(b)`` does not continue
        the formula that gave ``schedule(b - 1)`` (a new stair, a restart, the step after a
        piecewise boundary, the end of a warmup or of a decay). Plots sample ``b - 1`` and
        ``b`` so that every jump shows. Steps are produced lazily, so a schedule with
        millions of stairs costs only what is read. A schedule that does not say has none.
        """
        return iter(())

    def monotone_pieces(self, start: int, stop: int) -> Iterator[tuple[int, int]] | None:
        """Runs ``[a, b)`` covering ``[start, stop)``, in order, on each of which the rate is
        monotone (never rising, or never falling); ``None`` when the schedule does not know.

        Analysis finds extremes at the ends of a run and a first crossing by bisection inside
        one. By default a schedule does not know, unless its class sets
        ``_monotone_pieces = True`` (then the runs are the pieces between its breakpoints).
        """
        if getattr(self, "_monotone_pieces", False):
            return pieces_between_breakpoints(self, start, stop)
        return None

    def smooth_pieces(self, start: int, stop: int) -> Iterator[tuple[int, int]] | None:
        """Runs ``[a, b)`` covering ``[start, stop)`` on each of which the rate is monotone and
        smooth: a smooth function of the step, evaluated at fractional steps too, whose sum
        over the run a quadrature approximates well. ``None`` when the schedule does not
        know (analysis then adds up every step). The default follows
        :meth:`monotone_pieces`'s ``_monotone_pieces`` flag.
        """
        if getattr(self, "_monotone_pieces", False):
            return pieces_between_breakpoints(self, start, stop)
        return None

    def area(self, steps: int, area_of: AreaOf) -> float | None:
        """``sum(self(t) for t in range(steps))`` in closed form, or ``None`` without one.

        ``area_of(child, n)`` gives the area of another schedule (a composite's child) by
        whatever method analysis has for it; a composite adds up its children's areas with
        it. The default has no closed form.
        """
        return None

    # ------------------------------------------------------------- value semantics
    def _config_or_none(self) -> dict[str, Any] | None:
        try:
            return self.get_config()
        except NotImplementedError:
            return None

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if type(self) is not type(other) or not isinstance(other, LearningRateSchedule):
            return NotImplemented
        mine, theirs = self._config_or_none(), other._config_or_none()
        if mine is None or theirs is None:
            return False
        return bool(hashable(mine) == hashable(theirs))

    def __hash__(self) -> int:
        config = self._config_or_none()
        if config is None:
            return object.__hash__(self)
        return hash((type(self).__qualname__, hashable(config)))

    def __repr__(self) -> str:
        config = self._config_or_none()
        if config is None:
            return object.__repr__(self)
        defaults = self._defaults()
        shown = [
            f"{key}={value!r}"
            for key, value in config.items()
            if not (key in defaults and _same(defaults[key], value))
        ]
        return f"{type(self).__name__}({', '.join(shown)})"

    @classmethod
    def _defaults(cls) -> dict[str, Any]:
        """The constructor's default values by argument name, left out of the ``repr``.

        Read from the signature of a user's class (once per class, importing ``inspect``
        then); the library's schedules answer from their declarations instead.
        """
        cached = _DEFAULTS_CACHE.get(cls)
        if cached is None:
            import inspect

            try:
                parameters = list(inspect.signature(cls).parameters.values())
            except (TypeError, ValueError):
                parameters = []
            cached = {
                parameter.name: parameter.default
                for parameter in parameters
                if parameter.default is not inspect.Parameter.empty
            }
            _DEFAULTS_CACHE[cls] = cached
        return cached


_DEFAULTS_CACHE: dict[type, dict[str, Any]] = {}


class MissingStep:
    """The default ``step`` of the library's schedules (:data:`NO_STEP`): no step was given.

    ``schedule()`` is what a Keras optimizer does with a ``learning_rate`` that is callable
    but not a Keras ``LearningRateSchedule``. :data:`NO_STEP` is of no step type, so such a
    call takes the general path, where evaluation raises :meth:`error`: a ``TypeError``
    that says what to pass instead. A call with a step costs nothing more (the default is
    never read), which is why this is a default and not a test in each ``__call__``.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "<no step>"

    @staticmethod
    def error(schedule_class: type) -> TypeError:
        """The ``TypeError`` of a ``schedule_class`` schedule called with no step."""
        import sys  # only here: the error path

        name = schedule_class.__name__
        package = sys.modules.get("lrschedule.schedules")
        exported = getattr(package, name, None) if name in getattr(package, "__all__", ()) else None
        keras_class = (
            f"`from lrschedule.keras import {name}` (the same schedule, a Keras schedule too), "
            "or wrap this one: "
            if isinstance(exported, type) and issubclass(schedule_class, exported)
            else "wrap it: "
        )
        return TypeError(
            f"{name} was called with no step: a schedule is `lr = schedule(step)`. A Keras "
            "optimizer calls its `learning_rate` with no arguments unless it is a "
            "keras.optimizers.schedules.LearningRateSchedule; for Keras, use "
            f"{keras_class}`lrschedule.keras.to_keras(schedule)`."
        )


#: The default of ``step`` in the library's ``__call__`` methods (see :class:`MissingStep`).
NO_STEP = MissingStep()


def _library(name: str) -> Any:
    """The library's schedule class ``name``, found through the registry (none is imported here)."""
    cls = registry.library_class(name)
    if cls is None:  # pragma: no cover - the schedules register their classes when imported
        raise TypeError(f"{name} needs lrschedule's schedules imported.")
    return cls


def pieces_between_breakpoints(schedule: Any, start: int, stop: int) -> Iterator[tuple[int, int]]:
    """The pieces ``[a, b)`` between consecutive breakpoints, covering ``[start, stop)``."""
    low = start
    method = getattr(schedule, "breakpoints", None)
    if method is not None:
        for step in method(start + 1, stop):
            yield low, step
            low = step
    yield low, stop


def hashable(value: Any) -> Any:
    """A hashable stand-in for a config value: lists and tuples alike become tuples."""
    if isinstance(value, dict):
        return tuple(sorted(((key, hashable(item)) for key, item in value.items()), key=repr))
    if isinstance(value, (list, tuple)):
        return tuple(hashable(item) for item in value)
    if isinstance(value, LearningRateSchedule):
        # A nested schedule: by its arguments, or by identity when it has no config.
        config = value._config_or_none()
        return (type(value).__qualname__, id(value) if config is None else hashable(config))
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


def _same(default: Any, value: Any) -> bool:
    return type(default) is type(value) and default == value
