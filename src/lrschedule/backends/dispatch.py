"""Route a step to the code that evaluates it, without importing any array library.

Every schedule computes a non-negative Python ``int`` step itself, inline in its
``__call__`` (the hot path). Everything else comes here:

1. A Python ``float`` (or a negative ``int``, which is refused) is evaluated by the
   schedule's general formula over :data:`~lrschedule.backends.python.PYTHON_OPS`; a step
   that is negative, NaN or infinite gets a ``ValueError`` saying which.
2. Otherwise ``type(step)`` is looked up in a cache of
   :class:`~lrschedule.backends.contract.ArrayOps` records. On a miss, the libraries
   already in ``sys.modules`` are asked whether the
   step is theirs (an array library that is not imported cannot have made the step),
   and the answer is cached for the type: NumPy arrays and scalars, ``torch.Tensor``,
   ``jax.Array`` (tracers included) and TensorFlow tensors and variables. A Keras
   variable (``optimizer.iterations``) is unwrapped to the backend tensor it holds.
   The record of a framework lives in its own module (``_ops_torch``, ``_ops_jax``,
   ``_ops_tensorflow``), imported on the first step of that framework.
3. Anything else is a ``TypeError`` naming the type and what is supported (arrays of
   other libraries, even with ``__array_namespace__``, are not accepted); no step at all
   (:class:`~lrschedule.core.contract.MissingStep`) is a ``TypeError`` saying what to pass.
"""

from __future__ import annotations

import sys

from lrschedule.backends.python import PYTHON_OPS
from lrschedule.core.contract import NO_STEP, MissingStep

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from lrschedule.backends.contract import ArrayOps

__all__ = ["evaluate", "ops_for"]

_OPS_BY_TYPE: dict[type, ArrayOps] = {}
_UNWRAP_BY_TYPE: dict[type, Callable[[Any], Any]] = {}

SUPPORTED = (
    "a non-negative Python int or float, or an integer or float NumPy scalar or array, "
    "torch.Tensor, jax.Array, TensorFlow tensor or Keras variable"
)


def evaluate(schedule: Any, step: Any) -> Any:
    """Evaluate ``schedule`` (its ``_compute(x, ops)``) at a step its fast path did not take."""
    cls = type(step)
    ops: ArrayOps | None
    if cls is int or cls is float:
        ops = PYTHON_OPS
    elif _is_torch(step):
        # Before the type cache, which torch.compile would guard on: a new type cached
        # later (a NumPy array, say) would otherwise recompile every compiled caller.
        ops = _torch_ops()
    else:
        ops = _OPS_BY_TYPE.get(cls)
        if ops is None:
            if step is NO_STEP:  # schedule(), with no step
                raise MissingStep.error(type(schedule))
            if (
                isinstance(step, (int, float))
                and not isinstance(step, bool)
                and not _is_numpy(step)
            ):
                # A subclass of int or float (an IntEnum, say): evaluate the number it holds.
                return schedule(int(step) if isinstance(step, int) else float(step))
            unwrap = _unwrapper(step)
            if unwrap is not None:
                return evaluate(schedule, unwrap(step))
            ops = ops_for(step)
    x = ops.prepare(step)
    return ops.finish(ops.compute(schedule, x), step)


def _is_torch(step: Any) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(step, torch.Tensor)


def _torch_ops() -> ArrayOps:
    from lrschedule.backends.torch import TORCH_OPS

    return TORCH_OPS


def ops_for(step: Any) -> ArrayOps:
    """The ops record of ``step``'s type, found once per type."""
    cls = type(step)
    ops = _OPS_BY_TYPE.get(cls)
    if ops is not None:
        return ops
    found = _numpy_ops() if _is_numpy(step) else _framework_ops(step)
    if found is None:
        unwrap = _unwrapper(step)
        if unwrap is not None:
            return ops_for(unwrap(step))  # a wrapper: the record of what it holds, not cached
        raise TypeError(
            f"Argument `step` must be {SUPPORTED}. Received: step={_short_repr(step)} "
            f"of type {cls.__module__}.{cls.__qualname__}"
        )
    _OPS_BY_TYPE[cls] = found
    return found


def _numpy_ops() -> ArrayOps:
    from lrschedule.backends.numpy import NUMPY_OPS

    return NUMPY_OPS


def _framework_ops(step: Any) -> ArrayOps | None:
    """The record of the imported framework that made ``step``, importing that record."""
    if _is_torch(step):
        return _torch_ops()
    modules = sys.modules
    jax = modules.get("jax")
    if jax is not None and isinstance(step, jax.Array):  # tracers are jax.Array too
        from lrschedule.backends.jax import JAX_OPS

        return JAX_OPS
    tf = modules.get("tensorflow")
    if tf is not None and isinstance(step, (tf.Tensor, tf.Variable)):
        from lrschedule.backends.tensorflow import TENSORFLOW_OPS

        return TENSORFLOW_OPS
    return None


def _unwrapper(step: Any) -> Callable[[Any], Any] | None:
    """For a Keras variable, the function giving the backend tensor it holds; else None."""
    cls = type(step)
    unwrap = _UNWRAP_BY_TYPE.get(cls)
    if unwrap is None:
        keras = sys.modules.get("keras")
        variable = getattr(keras, "Variable", None) if keras is not None else None
        if not (isinstance(variable, type) and isinstance(step, variable)):
            return None
        unwrap = _UNWRAP_BY_TYPE[cls] = _keras_value
    return unwrap


def _keras_value(variable: Any) -> Any:
    return variable.value


def _is_numpy(step: Any) -> bool:
    numpy = sys.modules.get("numpy")
    return numpy is not None and isinstance(step, (numpy.ndarray, numpy.generic))


def _short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
