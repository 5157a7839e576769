"""The schedules: the Keras 3 family, the wider family, and composition.

Layered inside: :mod:`~lrschedule.schedules.base` (the contract) and
:mod:`~lrschedule.schedules.arguments` (argument declarations) below the modules that
define schedules, one per shape or family.
"""

from __future__ import annotations

from lrschedule.core.contract import LearningRateSchedule
from lrschedule.schedules.arithmetic import Clip, Scale
from lrschedule.schedules.constant import Constant
from lrschedule.schedules.cosine import CosineDecay
from lrschedule.schedules.cyclic import CyclicalLearningRate
from lrschedule.schedules.edits import CoolDown, RescaleTime, TrainLonger
from lrschedule.schedules.exponential import ExponentialDecay
from lrschedule.schedules.interpolate import OneCycle, PiecewiseInterpolation
from lrschedule.schedules.inverse_sqrt import InverseSqrtDecay
from lrschedule.schedules.inverse_time import InverseTimeDecay
from lrschedule.schedules.join import Join
from lrschedule.schedules.linear import LinearDecay
from lrschedule.schedules.momentum import momentum_schedule
from lrschedule.schedules.piecewise import PiecewiseConstantDecay
from lrschedule.schedules.polynomial import PolynomialDecay
from lrschedule.schedules.product import Product
from lrschedule.schedules.restarts import CosineDecayRestarts
from lrschedule.schedules.step import MultiStepDecay, StepDecay
from lrschedule.schedules.warmup import Warmup
from lrschedule.schedules.warmup_cosine import WarmupCosineDecay
from lrschedule.schedules.wsd import WarmupStableDecay

__all__ = [
    "Clip",
    "Constant",
    "CoolDown",
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
    "Product",
    "RescaleTime",
    "Scale",
    "StepDecay",
    "TrainLonger",
    "Warmup",
    "WarmupCosineDecay",
    "WarmupStableDecay",
    "momentum_schedule",
]
