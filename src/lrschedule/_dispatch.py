"""Route a step to the code that evaluates it, without importing any array library.

Every schedule computes a non-negative Python ``int`` step itself, inline in its
``__call__`` (the hot path). Everything else comes here:

1. A Python ``float`` (or a negative ``int``, which is refused) is evaluated by the
   schedule's general formula over :data:`~lrschedule._ops_python.PYTHON_OPS`; a step
   that is negative, NaN or infinite gets a ``ValueError`` saying which.
2. Otherwise ``type(step)`` is looked up in a cache of :class:`~lrschedule._ops.ArrayOps`
   records. On a miss, the libraries already in ``sys.modules`` are asked whether the
   step is theirs (an array library that is not imported cannot have made the step),
   and the answer is cached for the type.
3. Anything else is a ``TypeError`` naming the type and what is supported.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from lrschedule._ops_python import PYTHON_OPS

if TYPE_CHECKING:
    from lrschedule._base import LearningRateSchedule
    from lrschedule._ops import ArrayOps

__all__ = ["evaluate", "ops_for"]

_OPS_BY_TYPE: dict[type, ArrayOps] = {}

SUPPORTED = "a non-negative Python int or float, or a NumPy integer or float scalar or array"


def evaluate(schedule: LearningRateSchedule, step: Any) -> Any:
    """Evaluate ``schedule`` at a step its Python-number hot path did not take."""
    cls = type(step)
    ops = _OPS_BY_TYPE.get(cls)
    if ops is None:
        if cls is int or cls is float:
            ops = PYTHON_OPS
        elif isinstance(step, (int, float)) and not isinstance(step, bool) and not _is_numpy(step):
            # A subclass of int or float (an IntEnum, say): evaluate the number it holds.
            return schedule(int(step) if isinstance(step, int) else float(step))
        else:
            ops = ops_for(step)
    x = ops.prepare(step)
    return ops.finish(schedule._compute(x, ops), step)


def ops_for(step: Any) -> ArrayOps:
    """The :class:`~lrschedule._ops.ArrayOps` record for ``step``'s type, found once per type."""
    cls = type(step)
    ops = _OPS_BY_TYPE.get(cls)
    if ops is not None:
        return ops
    if _is_numpy(step):
        from lrschedule._ops_numpy import NUMPY_OPS

        ops = NUMPY_OPS
    else:
        raise TypeError(
            f"Argument `step` must be {SUPPORTED}. Received: step={_short_repr(step)} "
            f"of type {cls.__module__}.{cls.__qualname__}"
        )
    _OPS_BY_TYPE[cls] = ops
    return ops


def _is_numpy(step: Any) -> bool:
    numpy = sys.modules.get("numpy")
    return numpy is not None and isinstance(step, (numpy.ndarray, numpy.generic))


def _short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
