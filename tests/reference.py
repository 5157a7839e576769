"""Exact reference values for the six Keras 3 learning-rate schedules.

Written from Keras's formulas (keras-team/keras,
``keras/src/optimizers/schedules/learning_rate_schedule.py``, as summarised in
``shared/research/keras.md`` §1), without reading lrschedule's source. Each function
takes the constructor's arguments (minus ``name``) and a keyword-only ``step`` and
returns the value of the formula in exact arithmetic, as an ``mpmath.mpf``:

* every float argument is taken at its exact binary value (``Fraction(x)``, ``mpf(x)``);
* everything discrete (staircase floors, the PolynomialDecay cycle multiplier, the
  piecewise interval, the CosineDecayRestarts cycle index) is decided with exact
  integer / ``Fraction`` arithmetic, so no rounding can move a switch;
* the transcendental part (``**``, ``cos``) is evaluated with mpmath at 60 decimal
  digits (``mp.dps = 60``), far more than the 16 digits of a float64 result.

The lrschedule semantics this encodes, beyond Keras's formulas: steps are >= 0; an int
``initial_learning_rate`` computes as a float; and CosineDecayRestarts with
``t_mul < 1`` returns the floor ``alpha * initial_learning_rate`` from step
``first_decay_steps / (1 - t_mul)`` on (where Keras's closed form gives NaN).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator, Sequence
from fractions import Fraction

from mpmath import mp, mpf

__all__ = [
    "DPS",
    "cosine_decay",
    "cosine_decay_restarts",
    "exponential_decay",
    "half_cosine",
    "inverse_time_decay",
    "piecewise_constant_decay",
    "polynomial_decay",
    "restart_cycle",
    "restart_starts",
    "to_float",
]

#: Decimal digits the references compute with.
DPS = 60

Number = int | float


def _q(x: Fraction | Number) -> Fraction:
    """The exact rational value of an int or a float (a float is a dyadic rational).

    NumPy scalars are accepted: integers through ``int``, floats through ``float``.
    """
    if isinstance(x, Fraction):
        return x
    if isinstance(x, numbers.Integral):
        return Fraction(int(x))
    return Fraction(float(x))


def _mp(x: Fraction | Number) -> mpf:
    """An mpf for an int, a float (both exact) or an exact rational (rounded once)."""
    q = _q(x)
    return mpf(q.numerator) / q.denominator


def _check_step(step: Number) -> Fraction:
    s = _q(step)
    if s < 0:
        raise ValueError(f"step must be >= 0, got {step!r}")
    return s


def to_float(x: mpf) -> float:
    """Round an mpf to the nearest float64 (overflow gives +-inf, underflow +-0.0)."""
    return float(x)


def half_cosine(frac: Fraction) -> mpf:
    """``0.5 * (1 + cos(pi * frac))`` for an exact ``frac`` in [0, 1], without cancellation.

    Uses ``0.5 * (1 + cos(x)) = cos(x / 2)**2 = sin((pi - x) / 2)**2``, choosing the form
    whose argument is away from the zero of the function, so that the value near
    ``frac = 1`` (where ``1 + cos`` cancels) keeps all of its 60 digits.
    """
    with mp.workdps(DPS):
        if frac <= Fraction(1, 2):
            return mp.cospi(_mp(frac / 2)) ** 2
        return mp.sinpi(_mp((1 - frac) / 2)) ** 2


def exponential_decay(
    initial_learning_rate: Number,
    decay_steps: Number,
    decay_rate: Number,
    staircase: bool = False,
    *,
    step: Number,
) -> mpf:
    """ExponentialDecay: ``lr * decay_rate ** p``.

    ``p = step / decay_steps``, replaced by ``floor(step / decay_steps)`` (an exact
    integer floor) when ``staircase``.
    """
    s = _check_step(step)
    p = s / _q(decay_steps)
    if staircase:
        p = Fraction(math.floor(p))
    with mp.workdps(DPS):
        return _mp(initial_learning_rate) * _mp(decay_rate) ** _mp(p)


def piecewise_constant_decay(
    boundaries: Sequence[Number],
    values: Sequence[Number],
    *,
    step: Number,
) -> mpf:
    """PiecewiseConstantDecay with right-closed intervals.

    ``values[0]`` while ``step <= boundaries[0]``, ``values[i]`` while
    ``boundaries[i-1] < step <= boundaries[i]``, ``values[-1]`` once
    ``step > boundaries[-1]``; the comparisons are exact (``Fraction``).
    """
    s = _check_step(step)
    chosen = values[-1]
    for boundary, value in zip(boundaries, values):
        if s <= _q(boundary):
            chosen = value
            break
    with mp.workdps(DPS):
        return _mp(chosen)


def polynomial_decay(
    initial_learning_rate: Number,
    decay_steps: Number,
    end_learning_rate: Number = 0.0001,
    power: Number = 1.0,
    cycle: bool = False,
    *,
    step: Number,
) -> mpf:
    """PolynomialDecay: ``(lr - end) * (1 - s / d) ** power + end``.

    Without ``cycle``: ``s = min(step, decay_steps)``, ``d = decay_steps``.
    With ``cycle``: ``s = step``, ``d = decay_steps * m`` where
    ``m = ceil(step / decay_steps)`` (exact), and ``m = 1`` at step 0.
    ``1 - s / d`` is exact; ``0 ** 0`` is 1.
    """
    s = _check_step(step)
    d = _q(decay_steps)
    if cycle:
        multiplier = 1 if s == 0 else math.ceil(s / d)
        d = d * multiplier
    else:
        s = min(s, d)
    remaining = 1 - s / d
    with mp.workdps(DPS):
        lr, end = _mp(initial_learning_rate), _mp(end_learning_rate)
        return (lr - end) * _mp(remaining) ** _mp(power) + end


def inverse_time_decay(
    initial_learning_rate: Number,
    decay_steps: Number,
    decay_rate: Number,
    staircase: bool = False,
    *,
    step: Number,
) -> mpf:
    """InverseTimeDecay: ``lr / (1 + decay_rate * p)``.

    ``p = step / decay_steps``, or ``floor(step / decay_steps)`` when ``staircase``;
    the denominator ``1 + decay_rate * p`` is an exact rational.
    """
    s = _check_step(step)
    p = s / _q(decay_steps)
    if staircase:
        p = Fraction(math.floor(p))
    denominator = 1 + _q(decay_rate) * p
    with mp.workdps(DPS):
        return _mp(initial_learning_rate) / _mp(denominator)


def cosine_decay(
    initial_learning_rate: Number,
    decay_steps: Number,
    alpha: Number = 0.0,
    warmup_target: Number | None = None,
    warmup_steps: Number = 0,
    *,
    step: Number,
) -> mpf:
    """CosineDecay with optional linear warmup.

    ``decay(s, from) = from * ((1 - alpha) * 0.5 * (1 + cos(pi * s / decay_steps)) + alpha)``.

    * ``warmup_target is None``: ``decay(min(step, decay_steps), lr)``
      (``warmup_steps`` is ignored).
    * otherwise, with ``s = min(step, decay_steps + warmup_steps)``:
      ``(warmup_target - lr) * (s / warmup_steps) + lr`` while ``s < warmup_steps``,
      then ``decay(s - warmup_steps, warmup_target)``.
    """
    s = _check_step(step)
    d = _q(decay_steps)
    with mp.workdps(DPS):
        a = _mp(alpha)

        def decay(elapsed: Fraction, from_lr: mpf) -> mpf:
            return from_lr * ((1 - a) * half_cosine(elapsed / d) + a)

        lr = _mp(initial_learning_rate)
        if warmup_target is None:
            return decay(min(s, d), lr)
        ws = _q(warmup_steps)
        target = _mp(warmup_target)
        s = min(s, d + ws)
        if s < ws:
            return (target - lr) * _mp(s / ws) + lr
        return decay(s - ws, target)


def restart_starts(first_decay_steps: Number, t_mul: Number) -> Iterator[Fraction]:
    """The exact start steps of the CosineDecayRestarts cycles: 0, d, d + d*t, ...

    Cycle ``k`` lasts ``first_decay_steps * t_mul**k`` steps (``t_mul`` taken exactly as
    ``Fraction(t_mul)``). Infinite for ``t_mul >= 1``; for ``t_mul < 1`` the starts
    converge to ``first_decay_steps / (1 - t_mul)`` and the iterator is infinite too.
    """
    start, length, t = Fraction(0), _q(first_decay_steps), _q(t_mul)
    while True:
        yield start
        start += length
        length *= t


def restart_cycle(
    first_decay_steps: Number, t_mul: Number, step: Number
) -> tuple[int, Fraction, Fraction] | None:
    """The cycle holding ``step``: ``(k, start, length)``, all exact.

    ``None`` when ``t_mul < 1`` and ``step >= first_decay_steps / (1 - t_mul)`` (past the
    end of every cycle). ``t_mul == 1`` uses ``divmod``; otherwise an exact loop over the
    cycle starts. The loop keeps every cycle start and length over one common
    denominator ``den(first_decay_steps) * den(t_mul)**k`` as integers, which is the same
    ``Fraction`` arithmetic without a gcd per step (steps can be 2**62 with
    ``t_mul = 1.05``: about 800 cycles with 40,000-bit denominators).
    """
    s = _check_step(step)
    d, t = _q(first_decay_steps), _q(t_mul)
    if t <= 0:
        raise ValueError(f"t_mul must be > 0, got {t_mul!r}")
    if t == 1:
        k, _ = divmod(s, d)
        return int(k), k * d, d
    if t < 1 and s >= d / (1 - t):
        return None
    # start_k = start_num / den, length_k = length_num / den, den = d.den * t.den**k.
    sn, sd = s.numerator, s.denominator
    start_num, length_num, den = 0, d.numerator, d.denominator
    k = 0
    # step >= start_{k+1}  <=>  sn * den >= (start_num + length_num) * sd
    while sn * den >= (start_num + length_num) * sd:
        start_num = (start_num + length_num) * t.denominator
        length_num *= t.numerator
        den *= t.denominator
        k += 1
    return k, Fraction(start_num, den), Fraction(length_num, den)


def cosine_decay_restarts(
    initial_learning_rate: Number,
    first_decay_steps: Number,
    t_mul: Number = 2.0,
    m_mul: Number = 1.0,
    alpha: Number = 0.0,
    *,
    step: Number,
) -> mpf:
    """CosineDecayRestarts (SGDR).

    Cycle ``k`` (0-based) starts at ``first_decay_steps * (1 + t_mul + ... + t_mul**(k-1))``
    and lasts ``first_decay_steps * t_mul**k`` steps; with ``frac`` the exact fraction of
    its cycle that ``step`` has completed,
    ``lr * ((1 - alpha) * m_mul**k * 0.5 * (1 + cos(pi * frac)) + alpha)``.
    For ``t_mul < 1``, from step ``first_decay_steps / (1 - t_mul)`` on:
    ``alpha * lr``.
    """
    cycle = restart_cycle(first_decay_steps, t_mul, step)
    with mp.workdps(DPS):
        lr, a = _mp(initial_learning_rate), _mp(alpha)
        if cycle is None:
            return a * lr
        k, start, length = cycle
        frac = (_q(step) - start) / length
        return lr * ((1 - a) * _mp(m_mul) ** k * half_cosine(frac) + a)
