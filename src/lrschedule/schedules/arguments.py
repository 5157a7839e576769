"""How a schedule declares its constructor arguments: once each, with kind, default and check.

A schedule class lists its arguments as annotated class attributes, in Keras's order::

    class ExponentialDecay(Schedule):
        initial_learning_rate: Real = rate()
        decay_steps: Real = steps(above=0)
        decay_rate: Real = real(above=0)
        staircase: bool = flag(default=False)
        name: str | None = schedule_name(default="ExponentialDecay")

Each line is the whole declaration of one argument. :class:`~lrschedule.schedules.base.Schedule`
derives everything else from these lines: the constructor (its signature in this order,
with these defaults, which type checkers see as well), the check run on each value (with
Keras's error wording, from :mod:`lrschedule.core.validation`), the slot that stores it,
``get_config``'s order, the ``repr`` (defaults left out), equality and hashing, pickling,
and :func:`step_arguments`, the arguments that count optimizer steps.

The kinds: ``rate`` (a learning rate), ``real`` (another number), ``steps`` (a number of
optimizer steps), ``flag``, ``name``, ``choice`` (one of some strings), ``schedule`` (a
child schedule), ``schedules`` (a list of them) and ``list`` (a list of numbers; its
``element`` kind says what they are). A ``steps`` argument, and each element of a list of
``steps``, also takes a step count in units (``"3ep"``, ``"10%"``): see
:mod:`lrschedule.schedules.resolve`.
"""

from __future__ import annotations

from lrschedule.core import validation as checks
from lrschedule.core.contract import LearningRateSchedule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any

    Check = Callable[[str, Any], Any]

__all__ = [
    "PARENT_KINDS",
    "REQUIRED",
    "Argument",
    "check_child",
    "child",
    "children",
    "choice",
    "flag",
    "holds_unresolved",
    "in_units",
    "numbers",
    "rate",
    "real",
    "schedule_name",
    "step_arguments",
    "steps",
]


class _Required:
    """The default of an argument that has none."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()


class Argument:
    """One constructor argument of a schedule: its name, kind, default and check.

    Attributes:
        name: The argument's name (set when the class is created).
        kind: What it holds (see the module docstring).
        default: Its default value, or :data:`REQUIRED`.
        element: For a ``list``, the kind of its elements (``"rate"`` or ``"steps"``).
        keep_container: For a ``list``: ``get_config`` gives back the container it was
            given (a tuple stays a tuple), rather than a list.
    """

    __slots__ = ("_check", "default", "element", "keep_container", "kind", "name")

    def __init__(
        self,
        kind: str,
        check: Check,
        default: Any = REQUIRED,
        *,
        element: str | None = None,
        keep_container: bool = False,
    ) -> None:
        self.name = ""
        self.kind = kind
        self._check = check
        self.default = default
        self.element = element
        self.keep_container = keep_container

    @property
    def required(self) -> bool:
        """Whether the argument has no default."""
        return self.default is REQUIRED

    @property
    def counts_steps(self) -> bool:
        """Whether the argument is a number of optimizer steps (or a list of them)."""
        return self.kind == "steps" or self.element == "steps"

    def check(self, value: Any) -> Any:
        """The value to store, checked; ``ValueError``/``TypeError`` naming the argument if bad."""
        return self._check(self.name, value)

    def __repr__(self) -> str:
        default = "" if self.required else f", default={self.default!r}"
        return f"Argument({self.name!r}, kind={self.kind!r}{default})"


# ------------------------------------------------------------------------ specifiers
# Each returns an Argument; typed ``Any`` so that ``decay_steps: Real = steps(above=0)``
# type-checks, and named in ``Schedule``'s ``dataclass_transform`` so that type checkers
# build the constructor from the declarations.
#: The shortest fractional number of steps: the smallest normal float32, 2**-126. XLA and
#: TensorFlow flush anything shorter to zero, which would divide by zero.
SHORTEST_STEPS = 2.0**-126
_SHORTEST_RULE = (
    f"at least 2**-126 ({SHORTEST_STEPS!r}; XLA and TensorFlow flush shorter lengths to zero)"
)


def rate(*, default: Any = REQUIRED, optional: bool = False) -> Any:
    """A learning rate: a finite real number (``None`` too when ``optional``)."""
    return Argument("rate", checks.check_optional_real if optional else checks.check_real, default)


def real(
    *,
    default: Any = REQUIRED,
    above: float | None = None,
    at_least: float | None = None,
    below: float | None = None,
    rule: str | None = None,
    optional: bool = False,
) -> Any:
    """A finite real number: ``> above``, ``>= at_least``, ``< below`` where given.

    ``rule`` words the bounds in the error message (by default ``> 0``, ``>= 0``, ...).
    """
    check = _number_check(above, at_least, rule, optional, whole=False, below=below)
    return Argument("real", check, default)


def steps(
    *,
    default: Any = REQUIRED,
    above: float | None = None,
    at_least: float | None = None,
    whole: bool = False,
    optional: bool = False,
) -> Any:
    """A number of optimizer steps, ``> above`` or ``>= at_least``; a whole number if ``whole``.

    A fractional number of steps other than 0 is at least :data:`SHORTEST_STEPS`.
    """
    number_check = _number_check(above, at_least, None, optional, whole=whole)
    if whole:
        return Argument("steps", number_check, default)
    rule = _SHORTEST_RULE if above is not None and above >= 0 else f"0 or {_SHORTEST_RULE}"

    def check(name: str, value: Any) -> Any:
        number = number_check(name, value)
        if number is not None and number != 0:
            checks.require(number >= SHORTEST_STEPS, name, value, rule)
        return number

    return Argument("steps", check, default)


def flag(*, default: bool) -> Any:
    """A ``bool``."""
    return Argument("flag", _flag, default)


def schedule_name(*, default: str) -> Any:
    """The schedule's ``name`` (a string, or ``None``), kept in its config as Keras does."""
    return Argument("name", _name, default)


def choice(options: Sequence[str], *, default: Any = REQUIRED) -> Any:
    """One of ``options``."""
    allowed = tuple(options)

    def check(name: str, value: Any) -> str:
        return checks.check_choice(name, value, allowed)

    return Argument("choice", check, default)


def child(*, default: Any = REQUIRED) -> Any:
    """A schedule (or the dict :func:`lrschedule.serialize` makes of one)."""
    return Argument("schedule", check_child, default)


def children(*, default: Any = REQUIRED) -> Any:
    """A list or tuple of at least one schedule (or their serialized dicts)."""
    return Argument("schedules", _children, default)


def numbers(
    *,
    element: str = "rate",
    whole: bool = False,
    positive: bool = False,
    order: str | None = None,
    keep_container: bool = False,
    default: Any = REQUIRED,
) -> Any:
    """A list or tuple of finite real numbers (a NumPy array is taken as a list).

    Args:
        element: ``"rate"`` or ``"steps"``: what each number is.
        whole: Each is a whole number of steps (``>= 0``, or ``> 0`` with ``positive``).
        positive: With ``whole``, each is ``> 0``.
        order: ``"increasing"`` (strictly) or ``"non-decreasing"``, checked in order.
        keep_container: ``get_config`` gives back a tuple when given a tuple.
        default: The default value.
    """
    strict = order == "increasing"

    def check(name: str, value: Any) -> tuple[Any, ...]:
        if whole:
            items = checks.check_whole_list(name, value, positive=positive)
        else:
            items = tuple(checks.check_number_list(name, value))  # type: ignore[arg-type]
        if order is not None:
            checks.check_increasing(name, items, strict=strict)
        return items

    return Argument("list", check, default, element=element, keep_container=keep_container)


# ------------------------------------------------------------------------ checks
def _number_check(
    above: float | None,
    at_least: float | None,
    rule: str | None,
    optional: bool,
    *,
    whole: bool,
    below: float | None = None,
) -> Check:
    def check(name: str, value: Any) -> Any:
        if optional and value is None:
            return None
        if whole:
            return checks.whole_steps(name, value, positive=above == 0)
        number = checks.check_real(name, value)
        if above is not None:
            checks.require(number > above, name, value, rule or f"> {above!r}")
        if at_least is not None:
            checks.require(number >= at_least, name, value, rule or f">= {at_least!r}")
        if below is not None:
            checks.require(number < below, name, value, rule or f"< {below!r}")
        return number

    return check


def _flag(name: str, value: Any) -> bool:
    return checks.check_flag(name, value)


def _name(name: str, value: Any) -> str | None:
    return checks.check_name(value)


def _children(name: str, value: Any) -> tuple[Any, ...]:
    if isinstance(value, (str, dict)) or not isinstance(value, (list, tuple)):
        raise TypeError(
            f"Argument `{name}` must be a list or tuple of learning rate schedules. "
            f"Received: {name}={value!r} of type {type(value).__name__}"
        )
    checks.require(len(value) >= 1, name, value, "a list of at least one schedule")
    return tuple(check_child(f"{name}[{index}]", item) for index, item in enumerate(value))


def check_child(name: str, value: Any) -> Any:
    """Check a child schedule argument; a serialized envelope (a ``dict``) is deserialized.

    A child is an :class:`~lrschedule.LearningRateSchedule` (ours or a user's subclass), or
    any other schedule object with ``__call__`` and ``get_config`` (a Keras schedule).
    """
    if isinstance(value, dict):
        from lrschedule.serialization.codec import deserialize

        value = deserialize(value)
    if isinstance(value, LearningRateSchedule):
        return value
    if callable(value) and callable(getattr(value, "get_config", None)):
        return value
    raise TypeError(
        f"Argument `{name}` must be a learning rate schedule (a LearningRateSchedule, or the "
        "dict `lrschedule.serialize` makes of one). "
        f"Received: {name}={value!r} of type {type(value).__name__}. To use a plain function, "
        "wrap it in a LearningRateSchedule subclass with `__call__` and `get_config`."
    )


def step_arguments(cls: type) -> tuple[str, ...]:
    """The names of ``cls``'s arguments that count optimizer steps, in order.

    >>> from lrschedule import CosineDecay, Join
    >>> step_arguments(CosineDecay), step_arguments(Join)
    (('decay_steps', 'warmup_steps'), ('boundaries',))
    """
    declared: tuple[Argument, ...] = getattr(cls, "__arguments__", ())
    return tuple(argument.name for argument in declared if argument.counts_steps)


#: The kinds of argument that hold child schedules.
PARENT_KINDS = ("schedule", "schedules")


def in_units(argument: Argument, value: Any) -> bool:
    """Whether a step-count value is a unit string (``"3ep"``), or a list that holds one
    (``[100, "2ep"]``)."""
    if argument.kind == "steps":
        return type(value) is str
    return isinstance(value, (list, tuple)) and any(type(item) is str for item in value)


def holds_unresolved(value: Any) -> bool:
    """Whether a checked child (or tuple of children) has step counts still in units."""
    if isinstance(value, tuple):
        return any(not getattr(item, "is_resolved", True) for item in value)
    return not getattr(value, "is_resolved", True)
