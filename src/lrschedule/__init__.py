"""lrschedule: learning-rate schedules that are exact, fast and framework-agnostic.

A schedule is a stateless callable, ``lr = schedule(step)``. The Keras 3 family is here
with Keras's names, arguments, defaults and values::

    >>> from lrschedule import ExponentialDecay
    >>> schedule = ExponentialDecay(0.1, decay_steps=100000, decay_rate=0.96, staircase=True)
    >>> schedule(250000)
    0.09216

A Python ``int`` or ``float`` step gives a Python ``float``; a NumPy scalar or array gives
NumPy back. Nothing but the standard library is imported until a step of another library
arrives.
"""

from __future__ import annotations

from lrschedule import schedules
from lrschedule.schedules import *  # noqa: F403 - the schedules, listed once in their package

TYPE_CHECKING = False
if TYPE_CHECKING:
    from lrschedule.analysis import compare, describe, sample
    from lrschedule.core.units import Run as Run
    from lrschedule.plotting import plot
    from lrschedule.serialization import deserialize, load, register, save, serialize

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "compare",
    "describe",
    "deserialize",
    "load",
    "plot",
    "register",
    "sample",
    "save",
    "serialize",
]
__all__ += schedules.__all__


#: The public functions of the heavier parts, loaded on first use (PEP 562); and ``Run``,
#: which :meth:`Schedule.resolve` takes, loaded with the unit arithmetic.
_LAZY = {
    "Run": "lrschedule.core.units",
    "compare": "lrschedule.analysis",
    "describe": "lrschedule.analysis",
    "sample": "lrschedule.analysis",
    "plot": "lrschedule.plotting",
    "deserialize": "lrschedule.serialization",
    "load": "lrschedule.serialization",
    "register": "lrschedule.serialization",
    "save": "lrschedule.serialization",
    "serialize": "lrschedule.serialization",
}


def __getattr__(name: str) -> object:
    """``lrschedule.serialize`` and the others of :data:`_LAZY`, imported when first used."""
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'lrschedule' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
