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

from lrschedule._base import LearningRateSchedule
from lrschedule._cosine import CosineDecay, CosineDecayRestarts
from lrschedule._decay import (
    ExponentialDecay,
    InverseTimeDecay,
    PiecewiseConstantDecay,
    PolynomialDecay,
)

__version__ = "0.1.0"

__all__ = [
    "CosineDecay",
    "CosineDecayRestarts",
    "ExponentialDecay",
    "InverseTimeDecay",
    "LearningRateSchedule",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "__version__",
]
