"""The base of the library's schedules: declared arguments, validated, immutable.

A :class:`Schedule` subclass declares its arguments once, as annotated class attributes
made by the specifiers of :mod:`lrschedule.schedules.arguments`, and writes its formula
once, as ``_compute(x, ops)`` over the primitives of an
:class:`~lrschedule.backends.contract.ArrayOps` record. From the declarations the class
gets, when it is created:

* ``__init__`` with the declared signature (order and defaults), which checks each value
  and stores it in a slot of the same name, then runs ``_setup()`` (cross-argument checks
  and the private values the formula uses), then freezes the instance;
* ``__slots__`` for the arguments and the names the class lists in its own ``__slots__``;
* ``get_config`` in declaration order (child schedules as their serialized envelopes),
  ``repr`` without the defaults, equality and hashing, pickling and deep copies;
* a place in the registry, so that serialization knows it by its class name.

``__call__`` hands every step to :func:`lrschedule.backends.dispatch.evaluate`; a class
may put a Python-``int`` fast path in front of it (its only other copy of the formula,
which a property test holds bit for bit to ``_compute``). The metaclass gives the
``step`` of each library class's ``__call__`` a default,
:class:`~lrschedule.core.contract.MissingStep`: a call with no step (what a Keras
optimizer does with a callable that is not a Keras schedule) reaches ``evaluate``, which
raises a ``TypeError`` saying what to write instead; a call with a step is not slowed.
"""

from __future__ import annotations

import sys

from lrschedule.backends.dispatch import evaluate
from lrschedule.core import registry
from lrschedule.core.contract import NO_STEP, LearningRateSchedule
from lrschedule.core.ranges import between
from lrschedule.schedules.arguments import (
    PARENT_KINDS,
    Argument,
    child,
    children,
    choice,
    flag,
    holds_unresolved,
    in_units,
    numbers,
    rate,
    real,
    schedule_name,
    steps,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
    from typing import Any, ClassVar, TypeVar, dataclass_transform

    from lrschedule.backends.contract import ArrayOps

    _S = TypeVar("_S", bound="Schedule")
else:

    def dataclass_transform(**kwargs):  # typing is not imported at run time
        return lambda cls: cls


__all__ = ["Schedule", "rebuild"]


@dataclass_transform(
    eq_default=False,
    frozen_default=True,
    field_specifiers=(rate, real, steps, flag, schedule_name, choice, child, children, numbers),
)
class _Declared(type):
    """The metaclass of :class:`Schedule`: turns argument declarations into a class."""

    def __new__(
        mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kwargs: Any
    ) -> _Declared:
        if "__module__" not in namespace:  # type(name, bases, namespace): the caller's module
            namespace["__module__"] = sys._getframe(1).f_globals.get("__name__", "__main__")
        own = [(key, value) for key, value in namespace.items() if isinstance(value, Argument)]
        for key, argument in own:
            del namespace[key]
            argument.name = key
        if own or "__slots__" in namespace:  # a user's subclass without slots keeps a __dict__
            extra = tuple(namespace.get("__slots__", ()))
            kept = tuple(f"_{key}_container" for key, argument in own if argument.keep_container)
            namespace["__slots__"] = (*(key for key, _ in own), *kept, *extra)
        cls = super().__new__(mcs, name, bases, namespace, **kwargs)
        declared: tuple[Argument, ...] = getattr(cls, "__arguments__", ())
        if own:
            declared = (*declared, *(argument for _, argument in own))
        type.__setattr__(cls, "__arguments__", declared)
        if own and "__init__" not in namespace:
            type.__setattr__(cls, "__init__", _constructor(cls))
        fields: set[str] = set()
        for klass in cls.__mro__:
            slots = klass.__dict__.get("__slots__", ())
            fields.update((slots,) if isinstance(slots, str) else slots)
        type.__setattr__(cls, "_frozen_fields", frozenset(fields))
        if declared and not name.startswith("_"):  # a concrete schedule
            if not callable(getattr(cls, "_compute", None)):
                raise TypeError(
                    f"{name} must define `_compute(self, x, ops)`, its formula on a prepared "
                    "array step (see lrschedule.backends.contract.ArrayOps)."
                )
            # The library's own schedules become known to serialization by their class name.
            registry.add_library_class(cls)
        call = namespace.get("__call__")
        if (
            callable(call)
            and getattr(call, "__defaults__", ()) is None
            and cls.__module__.partition(".")[0] == registry.LIBRARY_MODULE
        ):
            # ``schedule()`` (a Keras optimizer's call): evaluation explains (see NO_STEP).
            call.__defaults__ = (NO_STEP,)
        return cls


def _constructor(cls: type) -> Callable[..., None]:
    """``__init__`` with the declared signature, built once per class (as dataclasses do)."""
    declared: tuple[Argument, ...] = cls.__arguments__  # type: ignore[attr-defined]
    names = [argument.name for argument in declared]
    parameters = [
        name if argument.required else f"{name}=_defaults[{index}]"
        for index, (name, argument) in enumerate(zip(names, declared, strict=True))
    ]
    source = (
        f"def __init__(self, {', '.join(parameters)}):\n"
        f"    _build(self, ({''.join(name + ', ' for name in names)}))\n"
    )
    scope: dict[str, Any] = {
        "_build": _build,
        "_defaults": tuple(argument.default for argument in declared),
    }
    exec(source, scope)
    init: Callable[..., None] = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__doc__ = f"Build a {cls.__name__}; see the class documentation for the arguments."
    return init


def _build(schedule: Schedule, values: tuple[Any, ...]) -> None:
    """Check and store each argument, run ``_setup``, then freeze the schedule.

    A step count in units (a string: ``"3ep"``), or a child that has one, makes the
    schedule unresolved: the unit strings are checked and kept as written, ``_setup`` waits
    for :meth:`Schedule.resolve`, and the instance becomes its class's unresolved twin
    (:func:`lrschedule.schedules.resolve.unresolved_class`), which refuses to be evaluated.
    """
    store = object.__setattr__
    unresolved = False
    for argument, value in zip(type(schedule).__arguments__, values, strict=True):
        if argument.counts_steps and in_units(argument, value):
            from lrschedule.schedules.resolve import check_units

            checked = check_units(argument, value)
            unresolved = True
        else:
            checked = argument.check(value)
            if argument.kind in PARENT_KINDS and not unresolved:
                unresolved = holds_unresolved(checked)
        store(schedule, argument.name, checked)
        if argument.keep_container:
            # A tuple comes back as a tuple; a list (or a NumPy array) as a list.
            store(schedule, f"_{argument.name}_container", tuple if type(value) is tuple else list)
    if unresolved:
        from lrschedule.schedules.resolve import unresolved_class

        store(schedule, "__class__", unresolved_class(type(schedule)))
    else:
        schedule._setup()
    store(schedule, "_sealed", True)


class Schedule(LearningRateSchedule, metaclass=_Declared):
    """Base of the library's schedules: declared, validated, immutable, pickled by its arguments.

    A subclass declares its arguments (see :mod:`lrschedule.schedules.arguments`), lists
    the private values its formula uses in ``__slots__``, computes them in
    :meth:`_setup`, and defines ``_compute(x, ops)``.

    **What analysis may assume.** By default a library schedule answers the analysis
    protocol of :class:`~lrschedule.core.contract.LearningRateSchedule` with "monotone and
    smooth between consecutive breakpoints": :meth:`monotone_pieces` and
    :meth:`smooth_pieces` are the pieces between its :meth:`breakpoints` (a composite's cut
    also where its children's runs are cut, and ``None`` when a child does not know its
    own), and it has no closed-form :meth:`area`. So a new schedule gets exact figures from
    ``describe`` and ``first_below`` only if it truly is monotone between its breakpoints
    (every step where it turns is a breakpoint) and smooth there; one that is not must
    override :meth:`monotone_pieces` or :meth:`smooth_pieces` (returning ``None`` when it
    does not know). A composite lists its children in :meth:`_clocks`. A class defined
    outside the library that redefines the formula (``__call__`` or ``_compute``) gets the
    contract's answers ("unknown") for those of the three it does not define itself.
    """

    __slots__ = ("__weakref__", "_sealed", "_tables")

    #: The declared arguments, in constructor order (set when the class is created).
    __arguments__: ClassVar[tuple[Argument, ...]] = ()
    #: Slots that may not be assigned once the schedule is built.
    _frozen_fields: ClassVar[frozenset[str]] = frozenset()

    if TYPE_CHECKING:

        def _compute(self, x: Any, ops: ArrayOps) -> Any:
            """The formula at a prepared step ``x`` (an array, or a Python number), with the
            primitives of ``ops``; every concrete subclass defines it (checked when the class
            is created)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Drop the inherited analysis answers of a user's class that changes the formula.

        The library's ``monotone_pieces``, ``smooth_pieces`` and ``area`` describe the
        library's formulas; a subclass outside the library that overrides ``__call__`` or
        ``_compute`` gets the contract's defaults instead, for each of them it does not define.
        """
        super().__init_subclass__(**kwargs)
        if cls.__module__.partition(".")[0] == registry.LIBRARY_MODULE:
            return
        own = vars(cls)
        if "__call__" in own or "_compute" in own:
            for name in ("monotone_pieces", "smooth_pieces", "area"):
                if name not in own:
                    setattr(cls, name, getattr(LearningRateSchedule, name))

    #: ``False`` for a schedule with step counts in units (``"3ep"``, ``"10%"``), which
    #: must be resolved against a run before it gives a rate (see :meth:`resolve`).
    is_resolved: ClassVar[bool] = True

    def resolve(self, run: Any) -> Schedule:
        """This schedule with every step count in units turned into steps, for ``run``.

        ``run`` is a :class:`~lrschedule.Run` or the run's length alone (``10000``,
        ``"30ep"``). The result has the same class and plain step counts, children
        resolved too (see :mod:`lrschedule.schedules.resolve`); a schedule without units
        is returned as it is. ``ValueError`` if the run lacks what a unit needs, or a
        resolved value fails the schedule's checks (the argument is named).
        """
        from lrschedule.core.units import as_run

        as_run(run)
        return self

    def _setup(self) -> None:
        """Cross-argument checks and the private values the formula needs (after the checks)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self._frozen_fields and getattr(self, "_sealed", False):
            raise AttributeError(
                f"{type(self).__name__} is immutable: cannot set `{name}`. "
                "Build a new schedule instead."
            )
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        if name in self._frozen_fields:
            raise AttributeError(f"{type(self).__name__} is immutable: cannot delete `{name}`.")
        object.__delattr__(self, name)

    def __call__(self, step: Any) -> Any:
        """The learning rate at ``step``."""
        return evaluate(self, step)

    # ------------------------------------------------------------------- config
    def _arguments(self) -> dict[str, Any]:
        """The constructor's keyword arguments, with nested schedules as objects, not configs.

        ``repr``, equality, hashing and pickling read it, so that a composite shows its
        children as their ``repr`` and works with a child that cannot be serialized. A
        list argument is given back as a new list (or the tuple it was given as).
        """
        values: dict[str, Any] = {}
        for argument in self.__arguments__:
            value = getattr(self, argument.name)
            if isinstance(value, tuple):
                container = list
                if argument.keep_container:
                    container = getattr(self, f"_{argument.name}_container")
                value = container(value)
            values[argument.name] = value
        return values

    def get_config(self) -> dict[str, Any]:
        """The constructor's keyword arguments, as JSON-ready Python values.

        :meth:`_arguments`, with every nested schedule (a composite's children) written as
        its serialized envelope, :func:`lrschedule.serialize`.
        """
        return {key: _serialized(value) for key, value in self._arguments().items()}

    def _config_or_none(self) -> dict[str, Any] | None:
        return self._arguments()

    @classmethod
    def _defaults(cls) -> dict[str, Any]:
        return {
            argument.name: argument.default
            for argument in cls.__arguments__
            if not argument.required
        }

    def __reduce__(self) -> tuple[Callable[..., Any], tuple[Any, ...], Any]:
        state = getattr(self, "__dict__", None) or None
        return (rebuild, (type(self), self._arguments()), state)

    # ------------------------------------------------------------ analysis protocol
    def monotone_pieces(self, start: int, stop: int) -> Iterator[tuple[int, int]] | None:
        """The pieces between consecutive breakpoints, covering ``[start, stop)``: the rate
        is monotone on each (see the class documentation).

        A composite's pieces are cut also where a child's monotone runs are, and are
        ``None`` when a child does not know its own.
        """
        return self._pieces_where("monotone_pieces", start, stop)

    def smooth_pieces(self, start: int, stop: int) -> Iterator[tuple[int, int]] | None:
        """The pieces between consecutive breakpoints, covering ``[start, stop)``: the rate
        is monotone and smooth on each (see the class documentation).

        A composite's pieces are cut also where a child's smooth runs are, and are ``None``
        when a child does not know its own.
        """
        return self._pieces_where("smooth_pieces", start, stop)

    def _clocks(self) -> tuple[tuple[Any, int, int | None], ...]:
        """``(child, offset, end)`` for each child schedule of a composite: the child gives
        the rate on steps ``[offset, end)`` (``end`` ``None``: to the end of the run), at
        its own step ``step - offset``. A schedule without children has none."""
        return ()

    def _pieces_where(self, answer: str, start: int, stop: int) -> Iterator[tuple[int, int]] | None:
        """The pieces between breakpoints, cut also where the children's ``answer`` runs
        are cut (on their clocks); ``None`` when a child answers ``None`` (or cannot)."""
        cuts: list[Iterable[int]] = [self.breakpoints(start + 1, stop)]
        for inner, offset, end in self._clocks():
            low, high = max(start, offset), stop if end is None else min(stop, end)
            method = getattr(inner, answer, None)
            runs = None if method is None else method(low - offset, max(high, low) - offset)
            if runs is None:
                return None
            if low < high:
                cuts.append(_run_starts(runs, offset))
        import heapq  # only here: analysis asks, not a schedule's evaluation

        return between(start, stop, heapq.merge(*cuts))

    # ------------------------------------------------------------------- tables
    def _table(
        self,
        ops: ArrayOps,
        purpose: str,
        values: Sequence[int | float],
        like: Any,
        *,
        integer: bool,
    ) -> Any:
        """``ops.constant(values, like, integer=integer)``, cached per library, dtype and device.

        ``purpose`` names the table within the schedule; tables that grow (the restart table)
        are told apart by their length.
        """
        key: Hashable | None = ops.table_key(like, integer=integer)
        if key is None:
            return ops.constant(values, like, integer=integer)
        tables: dict[tuple[Any, ...], Any] | None = getattr(self, "_tables", None)
        if tables is None:
            tables = {}
            object.__setattr__(self, "_tables", tables)
        full_key = (ops.name, purpose, len(values), key)
        table = tables.get(full_key)
        if table is None:
            table = tables[full_key] = ops.constant(values, like, integer=integer)
        return table


def rebuild(cls: type[_S], config: dict[str, Any]) -> _S:
    """Unpickle a schedule: ``cls.from_config(config)``."""
    return cls.from_config(config)


def _run_starts(runs: Iterable[tuple[int, int]], offset: int) -> Iterator[int]:
    """The first step of each run, moved from a child's clock to its parent's."""
    for first, _ in runs:
        yield first + offset


def _serialized(value: Any) -> Any:
    """A config value with the schedules in it replaced by their serialized envelopes."""
    if isinstance(value, LearningRateSchedule):
        from lrschedule.serialization.codec import serialize

        return serialize(value)
    if isinstance(value, (list, tuple)) and any(
        isinstance(item, (LearningRateSchedule, list, tuple)) for item in value
    ):
        return type(value)(_serialized(item) for item in value)
    return value
