"""Momentum schedules that cycle against a learning rate, as PyTorch's ``cycle_momentum``.

PyTorch's ``OneCycleLR`` and ``CyclicLR`` move the optimizer's momentum (``betas[0]`` for
the Adam family) inversely to the learning rate: high while the rate is low, low at its
peak. :func:`momentum_schedule` builds that companion for a :class:`OneCycle` or a
:class:`CyclicalLearningRate` as a library schedule of its own, so it evaluates on any
step type and serializes like every other schedule.
"""

from __future__ import annotations

from lrschedule.core.validation import Real, check_real
from lrschedule.schedules.cyclic import CyclicalLearningRate
from lrschedule.schedules.interpolate import OneCycle, PiecewiseInterpolation

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from lrschedule.schedules.base import Schedule

__all__ = ["MOMENTUM_DEFAULTS", "momentum_schedule"]

#: PyTorch's defaults ``(base_momentum, max_momentum)``, per learning-rate schedule.
MOMENTUM_DEFAULTS: dict[type, tuple[float, float]] = {
    OneCycle: (0.85, 0.95),  # OneCycleLR
    CyclicalLearningRate: (0.8, 0.9),  # CyclicLR
}


def momentum_schedule(
    schedule: Any, base_momentum: Real | None = None, max_momentum: Real | None = None
) -> Schedule:
    """The momentum schedule PyTorch cycles against ``schedule``'s learning rate.

    With ``m_lo = base_momentum`` and ``m_hi = max_momentum``, the momentum runs through the
    same phases as the learning rate, in the opposite direction:

    * :class:`OneCycle` (PyTorch ``OneCycleLR(..., cycle_momentum=True)``): down from
      ``m_hi`` to ``m_lo`` while the rate rises (until ``e_1 = float(pct_start * N) - 1``),
      then back up to ``m_hi`` at ``N - 1`` (two phases) or at ``e_2 = float(2 * pct_start *
      N) - 2`` (three phases, holding ``m_hi`` through the last phase), along the same
      ``anneal_strategy``. Returned as ``PiecewiseInterpolation([e_1, N - 1], [m_hi, m_lo,
      m_hi], w)`` (``[e_1, e_2]`` with three phases), ``w`` being ``"cosine"`` for
      ``"cos"`` and ``"linear"`` for ``"linear"``.
    * :class:`CyclicalLearningRate` (PyTorch ``CyclicLR(..., cycle_momentum=True)``):
      ``m(t) = m_hi - (m_hi - m_lo) * h(r) * s``, the learning rate's triangle ``h`` and
      scale ``s`` (per ``mode``) turned upside down. Returned as
      ``CyclicalLearningRate(m_hi, m_lo, step_size_up, step_size_down, mode, gamma)``.

    Args:
        schedule: A :class:`OneCycle` or a :class:`CyclicalLearningRate`.
        base_momentum: The momentum at the learning rate's peak (``m_lo``); ``None`` for
            PyTorch's default, 0.85 for ``OneCycleLR`` and 0.8 for ``CyclicLR``.
        max_momentum: The momentum at the learning rate's bottom (``m_hi``); ``None`` for
            PyTorch's default, 0.95 for ``OneCycleLR`` and 0.9 for ``CyclicLR``.

    Returns:
        The momentum schedule: a ``PiecewiseInterpolation`` or a ``CyclicalLearningRate``.

    Raises:
        TypeError: ``schedule`` is neither a ``OneCycle`` nor a ``CyclicalLearningRate``, or
            a momentum is not a real number.
        ValueError: A momentum is NaN or infinite.

    Example:
        >>> from lrschedule import OneCycle
        >>> momentum = momentum_schedule(OneCycle(0.1, total_steps=101, pct_start=0.5))
        >>> momentum(0), momentum(49.5), momentum(100)
        (0.95, 0.85, 0.95)
    """
    defaults = next(
        (values for cls, values in MOMENTUM_DEFAULTS.items() if isinstance(schedule, cls)), None
    )
    if defaults is None:
        raise TypeError(
            "Argument `schedule` must be a OneCycle or a CyclicalLearningRate (the schedules "
            f"PyTorch cycles momentum against). Received: schedule={schedule!r} of type "
            f"{type(schedule).__name__}"
        )
    low = defaults[0] if base_momentum is None else check_real("base_momentum", base_momentum)
    high = defaults[1] if max_momentum is None else check_real("max_momentum", max_momentum)
    if isinstance(schedule, OneCycle):
        return _one_cycle_momentum(schedule, low, high)
    return _cyclic_momentum(schedule, low, high)


def _one_cycle_momentum(schedule: OneCycle, low: Real, high: Real) -> Schedule:
    total, fraction = schedule.total_steps, schedule.pct_start
    # PyTorch's phase ends, with its float arithmetic (as OneCycle computes them).
    rise_end = float(fraction * total) - 1
    if schedule.three_phase:
        boundaries: list[Real] = [rise_end, float(2 * fraction * total) - 2]
    else:
        boundaries = [rise_end, total - 1]
    interpolation = "cosine" if schedule.anneal_strategy == "cos" else "linear"
    return PiecewiseInterpolation(boundaries, [high, low, high], interpolation)


def _cyclic_momentum(schedule: CyclicalLearningRate, low: Real, high: Real) -> Schedule:
    # The learning rate's warning about an unused gamma was given when it was built.
    gamma = schedule.gamma if schedule.mode == "exp_range" else 1.0
    return CyclicalLearningRate(
        high,
        low,
        step_size_up=schedule.step_size_up,
        step_size_down=schedule.step_size_down,
        mode=schedule.mode,
        gamma=gamma,
    )
