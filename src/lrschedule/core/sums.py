"""Closed-form sums of series over whole steps, accurate to a few units in the last place.

Pure functions on numbers: the schedules' ``area`` methods call them with their own
parameters. Each series is written once:

* :func:`geometric` — ``sum(q**k, k < n)`` as ``expm1(n log q) / expm1(log q)``;
* :func:`harmonic` — ``sum(1 / (x + t), t < n)``, the digamma difference
  ``psi(x + n) - psi(x)``, by its asymptotic series with Bernoulli numbers;
* :func:`power_sum` — ``sum(((T - t) / T)**p, t < n)`` by the Euler-Maclaurin formula with
  the exact derivatives of the power;
* :func:`cosine_sum` and :func:`half_cosine_sum` — cosines over an arithmetic progression;
* :func:`sine_squares` — ``sum(sin(phi t)**2, t < n)``, exact where every term is small;
* :func:`triangular` — ``sum(range(n))``, the sum under a linear ramp.

Short series are added term by term (``math.fsum``), which is exact to rounding.
"""

from __future__ import annotations

import math

__all__ = [
    "cosine_sum",
    "geometric",
    "geometric_stairs",
    "half_cosine_sum",
    "harmonic",
    "power",
    "power_sum",
    "sine_squares",
    "triangular",
]

# The Bernoulli numbers B_2, B_4, ..., B_12 of the Euler-Maclaurin and digamma series.
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730)

_DIRECT = 4096  # series of at most this many terms are added term by term
_TAIL = 64  # terms of a power sum added one by one at its end, where the derivatives grow


def geometric(log_ratio: float, count: int) -> float:
    """``sum(exp(k * log_ratio) for k in range(count))`` without cancellation (``inf`` past
    the float range)."""
    if count == 0:
        return 0.0
    if log_ratio == 0:
        return float(count)
    try:
        return math.expm1(count * log_ratio) / math.expm1(log_ratio)
    except OverflowError:
        return math.inf


def geometric_stairs(rate: float, period: int, count: int) -> float:
    """``sum(rate ** (t // period) for t in range(count))``: stairs of ``period`` steps at
    ``rate**k`` (``inf`` past the float range)."""
    stairs, rest = divmod(count, period)
    return period * geometric(math.log(rate), stairs) + rest * power(rate, stairs)


def power(base: float, exponent: int) -> float:
    """``base ** exponent`` as a float, ``inf`` past the float range."""
    try:
        return float(base**exponent)
    except OverflowError:
        return math.inf


def triangular(count: int) -> int:
    """``sum(range(count))``, exactly: the steps of a linear ramp added up."""
    return count * (count - 1) // 2


def harmonic(x: float, count: int) -> float:
    """``sum(1 / (x + t) for t in range(count))`` for ``x > 0``: ``psi(x + count) - psi(x)``."""
    if count <= _DIRECT:
        return math.fsum(1.0 / (x + t) for t in range(count))
    shift = max(0, math.ceil(16.0 - x))  # the asymptotic series needs arguments >= 16
    head = math.fsum(1.0 / (x + j) - 1.0 / (x + count + j) for j in range(shift))
    low = x + shift
    high = low + count
    series = math.log1p(count / low) + count / (2.0 * low * high)
    for k, bernoulli in enumerate(_BERNOULLI, start=1):
        series += bernoulli / (2 * k) * (low ** (-2 * k) - high ** (-2 * k))
    return head + series


def _falling(base: float, order: int) -> float:
    """The falling factorial ``base * (base - 1) * ... * (base - order + 1)``."""
    product = 1.0
    for index in range(order):
        product *= base - index
    return product


def power_sum(steps: int | float, count: int, exponent: float) -> float:
    """``sum(((steps - t) / steps) ** exponent for t in range(count))``, ``count <= ceil(steps)``.

    The last 64 terms one by one, the others by the Euler-Maclaurin formula with the exact
    derivatives ``g^(j)(t) = (-1)**j * p_(j) * steps**-j * u**(p - j)``, ``u = (steps - t) /
    steps``, ``p = exponent`` and ``p_(j)`` its falling factorial.
    """
    if count <= _DIRECT:
        return math.fsum(((steps - t) / steps) ** exponent for t in range(count))
    tail = math.fsum(((steps - t) / steps) ** exponent for t in range(count - _TAIL, count))
    last = count - _TAIL - 1  # Euler-Maclaurin over t = 0 .. last
    u_last = (steps - last) / steps
    # The integral of u**p dt from 0 to `last`: steps / (p + 1) * (1 - u_last**(p + 1)).
    integral = steps / (exponent + 1.0) * -math.expm1((exponent + 1.0) * math.log1p(-last / steps))
    total = integral + (1.0 + u_last**exponent) / 2.0
    factorial = 2.0
    for k, bernoulli in enumerate(_BERNOULLI, start=1):
        order = 2 * k - 1
        if k > 1:
            factorial *= (2 * k - 1) * (2 * k)
        scale = -_falling(exponent, order) / steps**order  # (-1)**order == -1
        derivative_last = scale * u_last ** (exponent - order)
        derivative_first = scale
        total += bernoulli / factorial * (derivative_last - derivative_first)
    return float(total + tail)


def cosine_sum(phase: float, angle: float, count: int) -> float:
    """``sum(cos(angle * (phase + j)) for j in range(count))``:
    ``sin(count * angle / 2) * cos(angle * (phase + (count - 1) / 2)) / sin(angle / 2)``."""
    if count <= 16:
        return math.fsum(math.cos(angle * (phase + j)) for j in range(count))
    return (
        math.sin(count * angle / 2.0)
        * math.cos(angle * (phase + (count - 1) / 2.0))
        / math.sin(angle / 2.0)
    )


def half_cosine_sum(phase: float, length: float, count: int) -> float:
    """``sum(0.5 * (1 + cos(pi * (phase + j) / length)) for j in range(count))``."""
    return count / 2.0 + cosine_sum(phase, math.pi / length, count) / 2.0


def _x_minus_sin(x: float) -> float:
    """``x - sin(x)`` without cancellation for small ``x`` (its Taylor series below 1)."""
    if abs(x) >= 1.0:
        return x - math.sin(x)
    term, total = x, 0.0
    for k in range(1, 12):
        term *= -x * x / ((2 * k) * (2 * k + 1))
        total -= term
    return total


def sine_squares(phi: float, count: int) -> float:
    """``sum(sin(phi * t) ** 2 for t in range(count))``, accurate when every term is small.

    The Euler-Maclaurin formula, exact for this function when ``2 * phi < 2 * pi``: with
    ``L = count - 1`` and ``x = 2 * phi * L``, the integral ``(x - sin x) / (4 phi)``, plus
    ``sin(phi L)**2 / 2``, plus ``sin(x) / 2 * sum(B_2k / (2k)! * (-1)**(k+1) * (2 phi)**(2k-1))``
    (the odd derivatives vanish at 0).
    """
    if count <= 16 or 2 * phi >= 1.0:
        return math.fsum(math.sin(phi * t) ** 2 for t in range(count))
    last = count - 1
    x = 2.0 * phi * last
    total = _x_minus_sin(x) / (4.0 * phi) + math.sin(phi * last) ** 2 / 2.0
    factorial, series = 1.0, 0.0
    for k, bernoulli in enumerate(_BERNOULLI, start=1):
        factorial *= (2 * k - 1) * (2 * k)
        series += bernoulli / factorial * (-1) ** (k + 1) * (2.0 * phi) ** (2 * k - 1)
    return total + math.sin(x) / 2.0 * series
