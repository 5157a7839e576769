"""Exact reference values for the wider family and the composites, independent of ``src/``.

Written from the formulas of the peers each shape comes from (PyTorch's ``StepLR``,
``MultiStepLR``, ``CyclicLR`` and ``OneCycleLR``, Optax's ``linear_schedule``,
``warmup_cosine_decay_schedule``, ``piecewise_interpolate_schedule`` and
``join_schedules``, Hugging Face's ``inverse_sqrt`` and ``warmup_stable_decay``), as
summarised in ``shared/research/peers.md`` §2, with the conventions lrschedule documents
(a warmup shifts the schedule after it; a phase holds its end value once over).

Each function takes the schedule's arguments and a keyword-only ``step`` and returns
``(value, piece)``: the value in exact arithmetic as an ``mpmath.mpf`` (every float
argument at its exact binary value, everything discrete decided with ``Fraction``,
transcendental functions at 60 digits), and a hashable *piece* label: which formula
applies at that step. The breakpoint tests compare a schedule's ``breakpoints`` with the
steps where the label changes.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

from mpmath import mp, mpf

DPS = 60

Number = int | float
Result = tuple[mpf, Any]
Reference = Callable[..., Result]


def q(x: Fraction | Number) -> Fraction:
    """The exact rational value of an int or float."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, numbers.Integral):
        return Fraction(int(x))
    return Fraction(float(x))


def m(x: Fraction | Number) -> mpf:
    """An mpf for an exact rational (rounded once, at 60 digits)."""
    value = q(x)
    with mp.workdps(DPS):
        return mpf(value.numerator) / value.denominator


def cos_weight(f: Fraction) -> mpf:
    """``0.5 * (1 + cos(pi * f))`` for exact ``f`` in [0, 1], to 60 digits without cancellation."""
    with mp.workdps(DPS):
        if f <= Fraction(1, 2):
            return mp.cospi(m(f / 2)) ** 2
        return mp.sinpi(m((1 - f) / 2)) ** 2


def mix(a: Number, b: Number | mpf, weight_b: mpf) -> mpf:
    """``a + (b - a) * weight_b`` at 60 digits."""
    with mp.workdps(DPS):
        return m(a) + (mpf(b) - m(a)) * weight_b


# ------------------------------------------------------------------ the family
def step_decay(lr0: Number, decay_steps: Number, rate: Number, *, step: Number) -> Result:
    """PyTorch StepLR closed form: ``lr0 * rate ** floor(step / decay_steps)``."""
    count = math.floor(q(step) / q(decay_steps))
    with mp.workdps(DPS):
        return m(lr0) * m(rate) ** count, count


def multi_step_decay(
    lr0: Number, milestones: Sequence[int], rate: Number, *, step: Number
) -> Result:
    """PyTorch MultiStepLR closed form: ``lr0 * rate ** #{m in milestones : m <= step}``."""
    count = sum(1 for mark in milestones if mark <= q(step))
    with mp.workdps(DPS):
        return m(lr0) * m(rate) ** count, count


def linear_decay(lr0: Number, decay_steps: Number, end: Number, *, step: Number) -> Result:
    """Optax linear_schedule: ``lr0 + (end - lr0) * min(step, T) / T``."""
    t, total = q(step), q(decay_steps)
    return mix(lr0, m(end), m(min(t, total) / total)), t >= total


def warmup_cosine_decay(
    lr0: Number,
    peak: Number,
    warmup: int,
    decay_steps: Number,
    end: Number = 0.0,
    exponent: Number = 1.0,
    *,
    step: Number,
) -> Result:
    """Optax warmup_cosine_decay_schedule with the decay length counted after the warmup."""
    t = q(step)
    if t < warmup:
        return mix(lr0, m(peak), m(t / warmup)), 0
    total = q(decay_steps)
    elapsed = min(t - warmup, total)
    with mp.workdps(DPS):
        weight = cos_weight(elapsed / total) ** m(exponent)
        return mix(end, m(peak), weight), 1 if t - warmup < total else 2


def inverse_sqrt_decay(lr0: Number, decay_steps: Number, *, step: Number) -> Result:
    """Hugging Face inverse_sqrt after its warmup: ``lr0 / sqrt(1 + step / timescale)``."""
    with mp.workdps(DPS):
        return m(lr0) / mp.sqrt(m(1 + q(step) / q(decay_steps))), 0


def cyclical(
    low: Number,
    high: Number,
    up: Number,
    down: Number | None = None,
    mode: str = "triangular",
    gamma: Number = 1.0,
    *,
    step: Number,
) -> Result:
    """PyTorch CyclicLR: ``cycle = floor(1 + t / C)``, ``x = 1 + t / C - cycle``, triangle
    ``x / ratio`` while ``x <= ratio``, else ``(x - 1) / (ratio - 1)``; scale by mode."""
    t, rise = q(step), q(up)
    fall = rise if down is None else q(down)
    total = rise + fall
    cycle = math.floor(1 + t / total)
    x = 1 + t / total - cycle
    ratio = rise / total
    rising = x <= ratio
    height = x / ratio if rising else (x - 1) / (ratio - 1)
    with mp.workdps(DPS):
        if mode == "triangular":
            scale = mpf(1)
        elif mode == "triangular2":
            scale = 1 / mpf(2) ** (cycle - 1)
        else:
            scale = m(gamma) ** m(t)
        return m(low) + (m(high) - m(low)) * m(height) * scale, (cycle, rising)


def _warmup_weight(shape: str, f: Fraction) -> mpf:
    """Hugging Face WSD warmup factor (from 0 to 1)."""
    with mp.workdps(DPS):
        if shape == "linear":
            return m(f)
        if shape == "cosine":
            return cos_weight(1 - f)
        return 1 - mp.sqrt(m(1 - f))


def _decay_weight(shape: str, f: Fraction) -> mpf:
    """Hugging Face WSD decay factor (from 1 to 0)."""
    with mp.workdps(DPS):
        if shape == "linear":
            return m(1 - f)
        if shape == "cosine":
            return cos_weight(f)
        return 1 - mp.sqrt(m(f))


def warmup_stable_decay(
    lr0: Number,
    peak: Number,
    warmup: int,
    stable: int,
    decay: int,
    end: Number = 0.0,
    warmup_shape: str = "linear",
    decay_shape: str = "cosine",
    *,
    step: Number,
) -> Result:
    """Hugging Face warmup_stable_decay with absolute start and end values."""
    t = q(step)
    if t < warmup:
        return mix(lr0, m(peak), _warmup_weight(warmup_shape, t / warmup)), 0
    if t < warmup + stable:
        return m(peak), 1
    if t < warmup + stable + decay:
        return mix(end, m(peak), _decay_weight(decay_shape, (t - warmup - stable) / decay)), 2
    return m(end), 3


def piecewise_interpolation(
    boundaries: Sequence[Number],
    values: Sequence[Number],
    interpolation: str = "linear",
    *,
    step: Number,
) -> Result:
    """Optax piecewise_interpolate_schedule over explicit values (knots 0, b_1, ..., b_n)."""
    t = q(step)
    knots = [Fraction(0), *(q(b) for b in boundaries)]
    index = sum(1 for knot in knots[1:] if knot <= t)
    if index == len(boundaries):
        return m(values[-1]), index
    f = (t - knots[index]) / (knots[index + 1] - knots[index])
    with mp.workdps(DPS):
        weight = m(f) if interpolation == "linear" else 1 - cos_weight(f)
        return mix(values[index], m(values[index + 1]), weight), index


def one_cycle_knots(
    peak: float,
    total: int,
    pct: float = 0.3,
    div: float = 25.0,
    final_div: float = 1e4,
    three_phase: bool = False,
) -> tuple[list[float], list[float]]:
    """PyTorch OneCycleLR's phase ends and values, with its float arithmetic."""
    start = peak / div
    low = start / final_div
    if three_phase:
        ends = [float(pct * total) - 1, float(2 * pct * total) - 2, total - 1]
        return ends, [start, peak, start, low]
    return [float(pct * total) - 1, total - 1], [start, peak, low]


def one_cycle(
    peak: float,
    total: int,
    pct: float = 0.3,
    strategy: str = "cos",
    div: float = 25.0,
    final_div: float = 1e4,
    three_phase: bool = False,
    *,
    step: Number,
) -> Result:
    """PyTorch OneCycleLR, holding the minimum from ``total - 1`` on."""
    ends, levels = one_cycle_knots(peak, total, pct, div, final_div, three_phase)
    kind = "cosine" if strategy == "cos" else "linear"
    return piecewise_interpolation(ends, levels, kind, step=step)


# ------------------------------------------------------------------ composites
def constant(value: Number, *, step: Number) -> Result:
    return m(value), 0


def warmup(
    child: Reference,
    warmup_steps: int,
    lr0: Number = 0.0,
    shape: str = "linear",
    *,
    step: Number,
) -> Result:
    """Ramp to ``child(0)`` over ``warmup_steps``, then ``child(step - warmup_steps)``."""
    t = q(step)
    if t >= warmup_steps:
        value, piece = child(step=t - warmup_steps)
        return value, ("after", piece)
    target, _ = child(step=0)
    f = t / warmup_steps
    with mp.workdps(DPS):
        if shape == "linear":
            return mix(lr0, target, m(f)), "warmup"
        if shape == "cosine":
            return mix(lr0, target, 1 - cos_weight(f)), "warmup"
        return m(lr0) * (target / m(lr0)) ** m(f), "warmup"


def join(children: Sequence[Reference], boundaries: Sequence[int], *, step: Number) -> Result:
    """Optax join_schedules: schedule ``i`` on ``[b_i, b_{i+1})`` at ``step - b_i``."""
    t = q(step)
    index = sum(1 for bound in boundaries if bound <= t)
    offset = 0 if index == 0 else boundaries[index - 1]
    value, piece = children[index](step=t - offset)
    return value, (index, piece)


def scale(child: Reference, factor: Number, *, step: Number) -> Result:
    value, piece = child(step=step)
    with mp.workdps(DPS):
        return m(factor) * value, piece


def clip(
    child: Reference,
    minimum: Number | None = None,
    maximum: Number | None = None,
    *,
    step: Number,
) -> Result:
    value, piece = child(step=step)
    if minimum is not None and value < m(minimum):
        value = m(minimum)
    if maximum is not None and value > m(maximum):
        value = m(maximum)
    return value, piece


def changes(reference: Reference, start: int, stop: int) -> list[int]:
    """Brute force breakpoints: the steps in ``[start, stop)`` (>= 1) whose piece differs
    from the previous step's."""
    found = []
    previous = reference(step=max(start - 1, 0))[1]
    for step in range(max(start, 1), stop):
        piece = reference(step=step)[1]
        if piece != previous:
            found.append(step)
        previous = piece
    return found
