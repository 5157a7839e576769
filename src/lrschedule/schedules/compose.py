"""Composition: a constant, a warmup in front of a schedule, schedules joined in sequence,
and a schedule scaled or clipped.

A composite holds child schedules and evaluates them on the step it was given:

* on a Python ``int`` step (the hot path) it calls its children directly, each on its own
  clock (``step - offset``);
* on any other step, :mod:`lrschedule.backends.dispatch` prepares the step once and the composite's
  ``_compute`` evaluates every child on that prepared step, shifted to the child's clock by
  ``ops.shifted(x, offset) = max(x - offset, 0)`` (so a child never sees a negative step),
  and picks the result with ``ops.where``: no Python ``if`` on an array, so the composite
  traces under ``jax.jit`` like the schedules it holds. A library schedule is evaluated
  through its own ``_compute``; a user's schedule (a Keras-style subclass of
  :class:`~lrschedule.LearningRateSchedule`, or a Keras schedule) is called with the
  prepared step and its result is used as it comes.

A child is given as a schedule object or as its serialized form (the envelope
:func:`lrschedule.serialize` writes); ``get_config()`` writes children in that envelope, so
``type(s)(**s.get_config()) == s``. ``repr``, equality, hashing and pickling use the
children themselves, so they also work for a child that cannot be serialized.

Offsets (``warmup_steps``, ``boundaries``) are whole numbers of steps, so a child's clock is
exact: an integer step minus an integer offset is an integer.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from typing import Any

from lrschedule.backends.contract import ArrayOps
from lrschedule.backends.dispatch import evaluate
from lrschedule.backends.python import PYTHON_OPS
from lrschedule.core.ranges import step_range
from lrschedule.core.validation import (
    Real,
    check_increasing,
    check_name,
    check_optional_real,
    check_real,
    describe_sequence,
    require,
)
from lrschedule.schedules.base import FrozenSchedule, LearningRateSchedule

__all__ = ["Clip", "Constant", "Join", "Scale", "Warmup"]

WARMUP_SHAPES = ("linear", "cosine", "exponential")


# --------------------------------------------------------------------------- children
def child_schedule(name: str, value: Any) -> Any:
    """Check a child schedule argument; a serialized envelope (a ``dict``) is deserialized.

    A child is an :class:`~lrschedule.LearningRateSchedule` (ours or a user's subclass), or
    any other schedule object with ``__call__`` and ``get_config`` (a Keras schedule).
    """
    if isinstance(value, dict):
        from lrschedule.serialization import deserialize

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


def has_kernel(child: Any) -> bool:
    """Whether ``child`` computes on prepared steps itself (the library's schedules do)."""
    return isinstance(child, FrozenSchedule)


def child_at(child: Any, kernel: bool, x: Any, ops: ArrayOps) -> Any:
    """The child's value at the prepared step ``x``: its ``_compute``, or a plain call."""
    if kernel:
        return child._compute(x, ops)
    return child(x)


def child_breakpoints(child: Any, offset: int, start: int, stop: int) -> Iterator[int]:
    """The child's breakpoints on a clock started at ``offset``, as global steps in
    ``[start, stop)`` (only those after ``offset``: the child's step 0 is not one)."""
    method = getattr(child, "breakpoints", None)
    if method is None or stop <= offset + 1:
        return
    for local in method(max(start - offset, 1), stop - offset):
        if local > 0:
            yield local + offset


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


# --------------------------------------------------------------------------- Constant
class Constant(FrozenSchedule):
    """The same learning rate at every step.

    .. math:: \\eta(t) = v

    In Python: ``value``. Useful as a piece of a :class:`Join` (a hold between two phases)
    or after a :class:`Warmup`. Optax: ``constant_schedule(value)``; PyTorch has no
    counterpart (its ``ConstantLR`` is a temporary factor).

    Args:
        value: The learning rate (``v``).
        name: Name of the schedule; kept in the config.

    Raises:
        ValueError: ``value`` is NaN or infinite.
        TypeError: ``value`` is not a real number.

    Example:
        >>> schedule = Constant(0.01)
        >>> schedule(0), schedule(10**12)
        (0.01, 0.01)
    """

    __slots__ = ("value", "name", "_value")
    _config_keys = ("value", "name")

    value: Real
    name: str | None
    _value: float

    def __init__(self, value: Real, name: str | None = "Constant") -> None:
        number = check_real("value", value)
        self._assign(value=number, name=check_name(name), _value=float(number))

    def __call__(self, step: Any) -> Any:
        if step.__class__ is int and step >= 0:
            return self._value
        return evaluate(self, step)

    def _compute(self, x: Any, ops: ArrayOps) -> Any:
        return ops.to_float(x) * 0.0 + self._value

    def breakpoints(self, start: int, stop: int) -> Iterator[int]:
        step_range(start, stop)
        return iter(())


# --------------------------------------------------------------------------- Warmup
class Warmup(FrozenSchedule):
    """Ramp from ``initial_learning_rate`` up to a schedule's first value, then run the schedule.

    With ``W = warmup_steps``, ``a = initial_learning_rate``, ``b = schedule(0)`` and
    ``f = t / W``:

    .. math::

        \\eta(t) = \\begin{cases}
            \\mathrm{ramp}(f) & t < W \\\\
            \\mathrm{schedule}(t - W) & t \\ge W
        \\end{cases}

    where the ramp has one of three shapes:

    * ``"linear"``: ``a + (b - a) * f``, computed as ``a * (1 - f) + b * f``;
    * ``"cosine"``: ``a + (b - a) * 0.5 * (1 - cos(pi * f))``, computed as
      ``a * 0.5 * (1 + cos(pi * f)) + b * 0.5 * (1 - cos(pi * f))`` (each half-cosine
      without cancellation);
    * ``"exponential"``: ``a * (b / a) ** f``, geometric from ``a`` to ``b``, computed as
      ``a * exp(f * log(b / a))``; needs ``a > 0`` and ``b > 0``.

    In Python: ``ramp(step / W) if step < W else schedule(step - W)``. The schedule runs on
    its own clock started at ``W``: it is *shifted*, not overlaid, so the total is ``W``
    plus the schedule's length (Keras's ``CosineDecay`` warmup convention). ``W = 0``
    is no warmup at all.

    Peers: Optax ``join_schedules([linear_schedule(a, b, W), s], [W])`` and its
    ``warmup_*`` schedules (linear shape); Hugging Face's warmup on every scheduler type
    is the linear shape with ``a = 0`` (so the first update gets a learning rate of 0);
    fairseq's ``inverse_sqrt`` warms up linearly from ``warmup_init_lr``; PyTorch
    ``SequentialLR([LinearLR(start_factor=a/b, total_iters=W), ...], [W])`` (needs
    ``a > 0``). See ``docs/peers.md``.

    Args:
        schedule: The schedule that follows the warmup (or its serialized dict).
        warmup_steps: Steps of warmup (``W``); a whole number >= 0.
        initial_learning_rate: The learning rate at step 0 (``a``).
        shape: ``"linear"``, ``"cosine"`` or ``"exponential"``.
        name: Name of the schedule; kept in the config.

    Raises:
        ValueError: ``warmup_steps`` is negative or fractional, ``shape`` is unknown, or the
            exponential shape has ``initial_learning_rate <= 0`` or ``schedule(0) <= 0``.
        TypeError: ``schedule`` is not a schedule, or an argument has the wrong type.

    Example:
        >>> from lrschedule import CosineDecay
        >>> schedule = Warmup(CosineDecay(0.1, decay_steps=1000), warmup_steps=100)
        >>> schedule(0), schedule(50), schedule(100), schedule(600)
        (0.0, 0.05, 0.1, 0.05)
        >>> schedule
        Warmup(schedule=CosineDecay(initial_learning_rate=0.1, decay_steps=1000), warmup_steps=100)
    """

    __slots__ = (
        "schedule",
        "warmup_steps",
        "initial_learning_rate",
        "shape",
        "name",
        "_kernel",
        "_lr0",
    )
    _config_keys = ("schedule", "warmup_steps", "initial_learning_rate", "shape", "name")

    schedule: Any
    warmup_steps: int
    initial_learning_rate: Real
    shape: str
    name: str | None
    _kernel: bool
    _lr0: float

    def __init__(
        self,
        schedule: Any,
        warmup_steps: int,
        initial_learning_rate: Real = 0.0,
        shape: str = "linear",
        name: str | None = "Warmup",
    ) -> None:
        child = child_schedule("schedule", schedule)
        steps = whole_steps("warmup_steps", warmup_steps)
        lr0 = check_real("initial_learning_rate", initial_learning_rate)
        kind = check_choice("shape", shape, WARMUP_SHAPES)
        if kind == "exponential":
            require(
                lr0 > 0,
                "initial_learning_rate",
                initial_learning_rate,
                "> 0 for shape='exponential'",
            )
            target = _first_value(child)
            if not target > 0:
                raise ValueError(
                    "Warmup with shape='exponential' needs a schedule whose value at step 0 is "
                    f"> 0 (it warms up geometrically to it). Received: schedule(0)={target!r}"
                )
        self._assign(
            schedule=child,
            warmup_steps=steps,
            initial_learning_rate=lr0,
            shape=kind,
            name=check_name(name),
            _kernel=has_kernel(child),
            _lr0=float(lr0),
        )

    def __call__(self, step: Any) -> Any:
        if step.__class__ is int and step >= 0:
            warmup = self.warmup_steps
            if step >= warmup:
                return self.schedule(step - warmup)
            target = self.schedule(0)
            lr0 = self._lr0
            if self.shape == "linear":
                return lr0 * ((warmup - step) / warmup) + target * (step / warmup)
            if self.shape == "cosine":
                half_cosine = PYTHON_OPS.half_cosine
                left = (warmup - step) / warmup
                return lr0 * half_cosine(left) + target * half_cosine(step / warmup)
            return lr0 * math.exp(step / warmup * math.log(target / lr0))
        return evaluate(self, step)

    def _compute(self, x: Any, ops: ArrayOps) -> Any:
        warmup = self.warmup_steps
        if not warmup:
            return child_at(self.schedule, self._kernel, x, ops)
        # During the warmup the child's clock stands at 0, so `after` is schedule(0) there.
        after = child_at(self.schedule, self._kernel, ops.shifted(x, warmup), ops)
        lr0 = self._lr0
        if self.shape == "linear":
            ramp = lr0 * ops.left(x, warmup) + after * ops.ratio(ops.minimum(x, warmup), warmup)
        elif self.shape == "cosine":
            done = ops.ratio(ops.minimum(x, warmup), warmup)
            ramp = lr0 * ops.half_cosine(ops.left(x, warmup)) + after * ops.half_cosine(done)
        else:
            done = ops.ratio(ops.minimum(x, warmup), warmup)
            # Past the warmup `after` may be anything (<= 0 included): keep the log finite there.
            ratio = ops.where(ops.below(x, warmup), after / lr0, 1.0)
            ramp = lr0 * ops.exp(done * ops.log(ratio))
        return ops.where(ops.below(x, warmup), ramp, after)

    def breakpoints(self, start: int, stop: int) -> Iterator[int]:
        start, stop = step_range(start, stop)
        warmup = self.warmup_steps
        if warmup and start <= warmup < stop:
            yield warmup
        yield from child_breakpoints(self.schedule, warmup, max(start, warmup), stop)


def _first_value(child: Any) -> float:
    value = child(0)
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TypeError(
            "Warmup with shape='exponential' needs the schedule's value at step 0 as a number. "
            f"Received: schedule(0)={value!r} of type {type(value).__name__}"
        ) from None


def check_choice(name: str, value: Any, choices: Sequence[str]) -> str:
    """``value`` if it is one of ``choices``; else ``ValueError`` (``TypeError`` for a non-str)."""
    if not isinstance(value, str):
        raise TypeError(
            f"Argument `{name}` must be a string, one of {', '.join(map(repr, choices))}. "
            f"Received: {name}={value!r} of type {type(value).__name__}"
        )
    require(value in choices, name, value, f"one of {', '.join(map(repr, choices))}")
    return value


# --------------------------------------------------------------------------- Join
class Join(FrozenSchedule):
    """Run schedules one after another, each on its own clock, switching at ``boundaries``.

    With boundaries ``b_1 < ... < b_n`` (and ``b_0 = 0``), schedule ``i`` runs on
    ``[b_i, b_{i+1})`` and sees the step ``t - b_i``:

    .. math:: \\eta(t) = s_i(t - b_i) \\quad\\text{for } b_i \\le t < b_{i+1}

    In Python: ``i = bisect.bisect_right(boundaries, step)`` and
    ``schedules[i](step - ([0] + boundaries)[i])``. At a boundary step ``b`` the *next*
    schedule already applies, at its step 0: ``t = b - 1`` is the last step of the earlier
    schedule, ``t = b`` the first of the later one. This is Optax's
    ``join_schedules(schedules, boundaries)`` rule (Keras's ``PiecewiseConstantDecay``
    switches one step later, at ``b + 1``; see ``docs/peers.md``). Unlike PyTorch's
    ``SequentialLR`` it is stateless: nesting a ``Join`` in a ``Join`` or resuming at any
    step gives the same values.

    Args:
        schedules: The schedules, in order (or their serialized dicts); at least one.
        boundaries: The steps at which the next schedule starts: whole numbers > 0,
            strictly increasing, one fewer than ``schedules``.
        name: Name of the schedule; kept in the config.

    Raises:
        ValueError: The lengths do not match, or a boundary is not a whole number > 0, or
            the boundaries are not strictly increasing.
        TypeError: A schedule is not a schedule, or an argument has the wrong type.

    Example:
        >>> from lrschedule import LinearDecay
        >>> schedule = Join([Constant(0.1), LinearDecay(0.1, 100, 0.0)], boundaries=[900])
        >>> schedule(899), schedule(900), schedule(950), schedule(1000)
        (0.1, 0.1, 0.05, 0.0)
    """

    __slots__ = ("schedules", "boundaries", "name", "_kernels", "_offsets")
    _config_keys = ("schedules", "boundaries", "name")

    schedules: tuple[Any, ...]
    boundaries: tuple[int, ...]
    name: str | None
    _kernels: tuple[bool, ...]
    _offsets: tuple[int, ...]

    def __init__(
        self,
        schedules: Sequence[Any],
        boundaries: Sequence[int],
        name: str | None = "Join",
    ) -> None:
        if isinstance(schedules, (str, dict)) or not isinstance(schedules, (list, tuple)):
            raise TypeError(
                "Argument `schedules` must be a list or tuple of learning rate schedules. "
                f"Received: schedules={schedules!r} of type {type(schedules).__name__}"
            )
        require(len(schedules) >= 1, "schedules", schedules, "a list of at least one schedule")
        children = tuple(
            child_schedule(f"schedules[{index}]", child) for index, child in enumerate(schedules)
        )
        if type(boundaries).__module__ == "numpy" and getattr(boundaries, "ndim", 0) == 1:
            boundaries = boundaries.tolist()  # type: ignore[attr-defined]
        if isinstance(boundaries, str) or not isinstance(boundaries, (list, tuple)):
            raise TypeError(
                "Argument `boundaries` must be a list or tuple of whole numbers. "
                f"Received: boundaries={boundaries!r} of type {type(boundaries).__name__}"
            )
        if len(boundaries) != len(children) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of schedules. "
                f"Received: boundaries={describe_sequence(boundaries)}, "
                f"and schedules of length {len(children)}."
            )
        bounds = tuple(
            whole_steps(f"boundaries[{index}]", bound, positive=True)
            for index, bound in enumerate(boundaries)
        )
        check_increasing("boundaries", bounds)
        self._assign(
            schedules=children,
            boundaries=bounds,
            name=check_name(name),
            _kernels=tuple(has_kernel(child) for child in children),
            _offsets=(0, *bounds),
        )

    def _arguments(self) -> dict[str, Any]:
        return {
            "schedules": list(self.schedules),
            "boundaries": list(self.boundaries),
            "name": self.name,
        }

    def __call__(self, step: Any) -> Any:
        if step.__class__ is int and step >= 0:
            index = bisect_right(self.boundaries, step)
            return self.schedules[index](step - self._offsets[index])
        return evaluate(self, step)

    def _compute(self, x: Any, ops: ArrayOps) -> Any:
        schedules, kernels = self.schedules, self._kernels
        value = child_at(schedules[0], kernels[0], x, ops)
        for index, bound in enumerate(self.boundaries, start=1):
            later = child_at(schedules[index], kernels[index], ops.shifted(x, bound), ops)
            value = ops.where(ops.below(x, bound), value, later)
        return value

    def breakpoints(self, start: int, stop: int) -> Iterator[int]:
        start, stop = step_range(start, stop)
        ends = (*self.boundaries, None)
        for child, offset, end in zip(self.schedules, self._offsets, ends, strict=True):
            if offset >= stop:
                return
            if end is not None and end <= start:
                continue
            if offset and offset >= start:
                yield offset
            limit = stop if end is None else min(stop, end)
            yield from child_breakpoints(child, offset, max(start, offset), limit)


# --------------------------------------------------------------------------- arithmetic
class Scale(FrozenSchedule):
    """A schedule multiplied by a constant factor: ``factor * schedule(step)``.

    .. math:: \\eta(t) = c \\cdot s(t)

    ``factor * schedule`` and ``schedule * factor`` build one. Useful to reuse a shape
    at another peak (a multiplier, as PyTorch's and Hugging Face's ``LambdaLR`` factors
    multiply the optimizer's base learning rate).

    Args:
        schedule: The schedule to scale (or its serialized dict).
        factor: The factor (``c``), a finite real number.
        name: Name of the schedule; kept in the config.

    Raises:
        ValueError: ``factor`` is NaN or infinite.
        TypeError: ``schedule`` is not a schedule or ``factor`` not a real number.

    Example:
        >>> from lrschedule import ExponentialDecay
        >>> schedule = 0.5 * ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
        >>> schedule(0), schedule(10)
        (0.05, 0.025)
        >>> schedule
        Scale(schedule=ExponentialDecay(initial_learning_rate=0.1, decay_steps=10,
              decay_rate=0.5), factor=0.5)
    """

    __slots__ = ("schedule", "factor", "name", "_kernel", "_factor")
    _config_keys = ("schedule", "factor", "name")

    schedule: Any
    factor: Real
    name: str | None
    _kernel: bool
    _factor: float

    def __init__(self, schedule: Any, factor: Real, name: str | None = "Scale") -> None:
        child = child_schedule("schedule", schedule)
        number = check_real("factor", factor)
        self._assign(
            schedule=child,
            factor=number,
            name=check_name(name),
            _kernel=has_kernel(child),
            _factor=float(number),
        )

    def __call__(self, step: Any) -> Any:
        if step.__class__ is int and step >= 0:
            return self._factor * self.schedule(step)
        return evaluate(self, step)

    def _compute(self, x: Any, ops: ArrayOps) -> Any:
        return self._factor * child_at(self.schedule, self._kernel, x, ops)

    def breakpoints(self, start: int, stop: int) -> Iterator[int]:
        start, stop = step_range(start, stop)
        method = getattr(self.schedule, "breakpoints", None)
        return iter(()) if method is None else method(start, stop)


class Clip(FrozenSchedule):
    """A schedule held in ``[minimum, maximum]``: ``min(max(schedule(step), minimum), maximum)``.

    .. math:: \\eta(t) = \\min(\\max(s(t), \\eta_{min}), \\eta_{max})

    Either bound may be ``None`` (no bound on that side); at least one is given. A floor
    under a decay that would otherwise reach 0 (Optax's ``end_value`` clamp on
    ``exponential_decay``, PyTorch's ``eta_min``/``min_lr``) is ``Clip(schedule,
    minimum=...)``. Clipping is continuous, so the steps where a bound starts to hold are
    not breakpoints; the schedule's own are.

    Args:
        schedule: The schedule to clip (or its serialized dict).
        minimum: The lowest learning rate, or ``None``.
        maximum: The highest learning rate, or ``None``.
        name: Name of the schedule; kept in the config.

    Raises:
        ValueError: Both bounds are ``None``, ``minimum > maximum``, or a bound is NaN or
            infinite.
        TypeError: ``schedule`` is not a schedule or a bound is not a real number.

    Example:
        >>> from lrschedule import ExponentialDecay
        >>> schedule = Clip(ExponentialDecay(0.1, decay_steps=10, decay_rate=0.1), minimum=0.002)
        >>> schedule(0), round(schedule(10), 12), schedule(20)
        (0.1, 0.01, 0.002)
    """

    __slots__ = ("schedule", "minimum", "maximum", "name", "_kernel", "_low", "_high")
    _config_keys = ("schedule", "minimum", "maximum", "name")

    schedule: Any
    minimum: Real | None
    maximum: Real | None
    name: str | None
    _kernel: bool
    _low: float | None
    _high: float | None

    def __init__(
        self,
        schedule: Any,
        minimum: Real | None = None,
        maximum: Real | None = None,
        name: str | None = "Clip",
    ) -> None:
        child = child_schedule("schedule", schedule)
        low = check_optional_real("minimum", minimum)
        high = check_optional_real("maximum", maximum)
        if low is None and high is None:
            raise ValueError(
                "At least one of `minimum` and `maximum` must be given. "
                "Received: minimum=None, maximum=None"
            )
        if low is not None and high is not None:
            require(low <= high, "minimum", minimum, f"<= maximum={maximum!r}")
        self._assign(
            schedule=child,
            minimum=low,
            maximum=high,
            name=check_name(name),
            _kernel=has_kernel(child),
            _low=None if low is None else float(low),
            _high=None if high is None else float(high),
        )

    def __call__(self, step: Any) -> Any:
        if step.__class__ is int and step >= 0:
            value = self.schedule(step)
            if self._low is not None and value < self._low:
                value = self._low
            if self._high is not None and value > self._high:
                value = self._high
            return value
        return evaluate(self, step)

    def _compute(self, x: Any, ops: ArrayOps) -> Any:
        value = child_at(self.schedule, self._kernel, x, ops)
        if self._low is not None:
            value = ops.maximum(value, self._low)
        if self._high is not None:
            value = ops.minimum(value, self._high)
        return value

    def breakpoints(self, start: int, stop: int) -> Iterator[int]:
        start, stop = step_range(start, stop)
        method = getattr(self.schedule, "breakpoints", None)
        return iter(()) if method is None else method(start, stop)
