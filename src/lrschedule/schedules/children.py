"""How a composite evaluates the schedules it holds.

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

from lrschedule.schedules.base import Schedule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from lrschedule.backends.contract import ArrayOps

__all__ = ["child_at", "child_breakpoints", "has_kernel"]


def has_kernel(child: Any) -> bool:
    """Whether ``child`` computes on prepared steps itself (the library's schedules do)."""
    return isinstance(child, Schedule)


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
