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
from lrschedule._compose import Clip, Constant, Join, Scale, Warmup
from lrschedule._cosine import CosineDecay, CosineDecayRestarts
from lrschedule._cyclic import CyclicalLearningRate
from lrschedule._decay import (
    ExponentialDecay,
    InverseTimeDecay,
    PiecewiseConstantDecay,
    PolynomialDecay,
)
from lrschedule._interpolate import OneCycle, PiecewiseInterpolation
from lrschedule._inverse_sqrt import InverseSqrtDecay
from lrschedule._linear import LinearDecay
from lrschedule._step import MultiStepDecay, StepDecay
from lrschedule._warmup_cosine import WarmupCosineDecay
from lrschedule._wsd import WarmupStableDecay
from lrschedule.analysis import describe, sample
from lrschedule.plot import plot  # matplotlib is imported when plot() is called
from lrschedule.serialization import deserialize, load, register, save, serialize

__version__ = "0.1.0"

__all__ = [
    "Clip",
    "Constant",
    "CosineDecay",
    "CosineDecayRestarts",
    "CyclicalLearningRate",
    "ExponentialDecay",
    "InverseSqrtDecay",
    "InverseTimeDecay",
    "Join",
    "LearningRateSchedule",
    "LinearDecay",
    "MultiStepDecay",
    "OneCycle",
    "PiecewiseConstantDecay",
    "PiecewiseInterpolation",
    "PolynomialDecay",
    "Scale",
    "StepDecay",
    "Warmup",
    "WarmupCosineDecay",
    "WarmupStableDecay",
    "__version__",
    "describe",
    "deserialize",
    "load",
    "plot",
    "register",
    "sample",
    "save",
    "serialize",
]
