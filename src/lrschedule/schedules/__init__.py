"""The schedules: the Keras 3 family, the wider family, and composition.

Layered inside: :mod:`~lrschedule.schedules.base` (the contract) and
:mod:`~lrschedule.schedules.arguments` (argument declarations) below the modules that
define schedules, one per shape or family.
"""

from __future__ import annotations

from lrschedule.schedules.base import LearningRateSchedule
from lrschedule.schedules.compose import Clip, Constant, Join, Scale, Warmup
from lrschedule.schedules.cosine import CosineDecay, CosineDecayRestarts
from lrschedule.schedules.cyclic import CyclicalLearningRate
from lrschedule.schedules.decay import (
    ExponentialDecay,
    InverseTimeDecay,
    PiecewiseConstantDecay,
    PolynomialDecay,
)
from lrschedule.schedules.interpolate import OneCycle, PiecewiseInterpolation
from lrschedule.schedules.inverse_sqrt import InverseSqrtDecay
from lrschedule.schedules.linear import LinearDecay
from lrschedule.schedules.step import MultiStepDecay, StepDecay
from lrschedule.schedules.warmup_cosine import WarmupCosineDecay
from lrschedule.schedules.wsd import WarmupStableDecay

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
]
