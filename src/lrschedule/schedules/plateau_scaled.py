"""A schedule scaled by a plateau controller: ``schedule(step) * plateau.scale``."""

from __future__ import annotations

import sys

from lrschedule.backends.dispatch import evaluate
from lrschedule.core.contract import LearningRateSchedule
from lrschedule.schedules.arguments import child, schedule_name
from lrschedule.schedules.base import Schedule
from lrschedule.schedules.children import child_at, has_kernel
from lrschedule.schedules.plateau import ReduceOnPlateau

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from lrschedule.backends.contract import ArrayOps

__all__ = ["PlateauScaled", "plateaus_in"]


class PlateauScaled(Schedule):
    """A schedule whose level a :class:`~lrschedule.ReduceOnPlateau` lowers.

    .. math:: \\eta(t) = \\max\\bigl(s(t) \\cdot c,\\; \\min(s(t), m)\\bigr)

    with ``s`` the schedule, ``c`` the plateau's current scale and ``m`` its ``min_lr``
    (``0``: no floor, the rate is ``s(t) * c``). ``schedule * plateau`` builds one. The
    schedule keeps its own clock (a warmup and a cosine run on, step by step); only
    ``plateau.observe(metric)`` changes the level, reading the rate changes nothing.

    **Traced code.** On a Python or NumPy step, and on an eager tensor, the rate reads the
    plateau's scale when it is called. Inside ``jax.jit``, ``torch.compile`` or
    ``tf.function`` a number read at trace time would be frozen into the compiled code, so
    give the scale as an input instead: :meth:`rate` ``(step, scale)`` takes it as a tensor
    (or number) and compiles once whatever its value. The Keras callback
    (:class:`lrschedule.keras.PlateauCallback`) does this for ``fit`` with a variable it
    keeps equal to the scale (:meth:`bind`).

    Equality and hashing read the schedule's and the plateau's configurations, not the
    plateau's state.

    Args:
        schedule: The schedule (or its serialized dict).
        plateau: The controller (or its serialized dict).
        name: Name of the schedule; kept in the config.

    Raises:
        TypeError: ``plateau`` is not a :class:`~lrschedule.ReduceOnPlateau`.

    Example:
        >>> from lrschedule import Constant, ReduceOnPlateau
        >>> plateau = ReduceOnPlateau(factor=0.5, patience=0, min_lr=0.03)
        >>> schedule = Constant(0.1) * plateau
        >>> plateau.observe(1.0), plateau.observe(2.0), schedule(7)
        (False, True, 0.05)
        >>> plateau.observe(2.0), schedule(7)
        (True, 0.03)
    """

    schedule: Any = child()
    plateau: Any = child()
    name: str | None = schedule_name(default="PlateauScaled")

    __slots__ = ("_kernel", "_source")

    #: Its largest rate is its schedule's (the scale is at most 1; see ``bounds``).
    _multiplies_children = True

    def _setup(self) -> None:
        if not isinstance(self.plateau, ReduceOnPlateau):
            raise TypeError(
                "Argument `plateau` must be a ReduceOnPlateau. "
                f"Received: plateau={self.plateau!r} of type {type(self.plateau).__name__}"
            )
        self._kernel = has_kernel(self.schedule)
        self._source: Any = None

    def __call__(self, step: Any) -> Any:
        if step.__class__ is int and step >= 0:
            return _scaled(self.schedule(step), self.plateau.scale, self.plateau.min_lr)
        return evaluate(self, step)

    def _compute(self, x: Any, ops: ArrayOps) -> Any:
        source = self._source
        if source is None or ops.name == "python":
            scale: Any = self.plateau.scale
        else:
            scale = source()
        return self._at(x, ops, scale)

    def _at(self, x: Any, ops: ArrayOps, scale: Any) -> Any:
        base = child_at(self.schedule, self._kernel, x, ops)
        value = base * _like(scale, base)
        floor = float(self.plateau.min_lr)
        if floor > 0.0:
            value = ops.maximum(value, ops.minimum(base, floor))
        return value

    def rate(self, step: Any, scale: Any) -> Any:
        """The rate at ``step`` with the scale ``scale`` given (a number, or a tensor of the
        step's framework and float dtype): the form to use inside compiled code.

        Example:
            >>> from lrschedule import Constant, ReduceOnPlateau
            >>> (Constant(0.1) * ReduceOnPlateau()).rate(3, 0.25)
            0.025
        """
        if step.__class__ is int and step >= 0 and isinstance(scale, (int, float)):
            return _scaled(self.schedule(step), scale, self.plateau.min_lr)
        return evaluate(_WithScale(self, scale), step)

    def bind(self, source: Any) -> None:
        """Read the scale, on tensor steps, from ``source()`` (a framework tensor or variable
        value that the caller keeps equal to ``plateau.scale``); ``None`` unbinds."""
        object.__setattr__(self, "_source", source)

    def breakpoints(self, start: int, stop: int) -> Iterator[int]:
        """The schedule's breakpoints: the rate at the current scale is monotone where the
        schedule is (the reductions to come are not known in advance)."""
        method = getattr(self.schedule, "breakpoints", None)
        return iter(()) if method is None else method(start, stop)

    def _clocks(self) -> tuple[tuple[Any, int, int | None], ...]:
        return ((self.schedule, 0, None),)

    def smooth_pieces(self, start: int, stop: int) -> Iterator[tuple[int, int]] | None:
        """The schedule's smooth runs without a floor; unknown with one (the rate has a kink
        where it meets ``min_lr``). Like the values, they describe the current scale."""
        if self.plateau.min_lr > 0:
            return None
        return super().smooth_pieces(start, stop)


class _WithScale:
    """A :class:`PlateauScaled` with a given scale (what :meth:`PlateauScaled.rate` evaluates)."""

    __slots__ = ("scale", "scaled")

    def __init__(self, scaled: PlateauScaled, scale: Any) -> None:
        self.scaled, self.scale = scaled, scale

    def _compute(self, x: Any, ops: ArrayOps) -> Any:
        return self.scaled._at(x, ops, self.scale)


def _like(scale: Any, base: Any) -> Any:
    """A tensor ``scale`` in the dtype of the rate ``base`` (a number as it is)."""
    dtype = getattr(base, "dtype", None)
    if isinstance(scale, (int, float)) or dtype is None or getattr(scale, "dtype", None) == dtype:
        return scale
    astype = getattr(scale, "astype", None)  # NumPy, JAX
    if astype is not None:
        return astype(dtype)
    tf = sys.modules.get("tensorflow")
    if tf is not None and isinstance(scale, (tf.Tensor, tf.Variable)):
        return tf.cast(scale, dtype)
    to = getattr(scale, "to", None)  # PyTorch
    return scale if to is None else to(dtype)


def _scaled(base: float, scale: float, floor: float) -> float:
    value = base * scale
    if floor > 0.0:
        value = max(value, min(base, floor))
    return value


def plateaus_in(schedule: Any) -> list[ReduceOnPlateau]:
    """The distinct :class:`~lrschedule.ReduceOnPlateau` controllers in ``schedule`` (it, or
    nested in the library's composites), in the order first met.

    >>> from lrschedule import Constant, ReduceOnPlateau
    >>> plateau = ReduceOnPlateau()
    >>> plateaus_in(Constant(0.1) * plateau * 0.5) == [plateau]
    True
    """
    found: list[ReduceOnPlateau] = []
    seen: set[int] = set()
    pending = [schedule]
    while pending:
        node = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ReduceOnPlateau):
            found.append(node)
        elif isinstance(node, Schedule):
            children: list[Any] = []
            for value in node._arguments().values():
                if isinstance(value, LearningRateSchedule):
                    children.append(value)
                elif isinstance(value, (list, tuple)):
                    children.extend(v for v in value if isinstance(v, LearningRateSchedule))
            pending.extend(reversed(children))
    return found


def bound_scaled(schedule: Any) -> list[PlateauScaled]:
    """The distinct :class:`PlateauScaled` in ``schedule`` (it, or nested in composites)."""
    found: list[PlateauScaled] = []
    seen: set[int] = set()
    pending = [schedule]
    while pending:
        node = pending.pop()
        if id(node) in seen or not isinstance(node, Schedule):
            continue
        seen.add(id(node))
        if isinstance(node, PlateauScaled):
            found.append(node)
        for value in node._arguments().values():
            pending.extend(value if isinstance(value, (list, tuple)) else [value])
    return found
