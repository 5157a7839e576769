"""Exact brackets of the powers of a float: ``lo * 2**e <= t**k <= hi * 2**e``.

``t = c / d`` exactly (``d`` a power of two), so ``t**k = c**k / d**k``. The bracket comes
from a ladder of ``t**(2**i)``, each squared from the one before with its lower end
rounded down and its upper end rounded up to a fixed number of bits: ``O(log k)``
multiplications of numbers of that size. A bracket is exact (``lo == hi``) when nothing
was rounded. Its relative width is below ``k * 2**(3 - bits)``: a comparison it leaves
open is settled by asking again with more bits.
"""

from __future__ import annotations

import _thread
import math

__all__ = ["Bracket", "Powers", "compare", "log_ratio", "times"]

#: lo * 2**e <= value <= hi * 2**e; lo == hi when exact.
Bracket = tuple[int, int, int]

#: Bits of the brackets, beyond those of ``1 / |t - 1|`` and of the exponent.
_BITS = 160


def times(x: Bracket, y: Bracket, bits: int) -> Bracket:
    """The product of two brackets, cut back to ``bits`` bits (``lo`` down, ``hi`` up)."""
    lo, hi, e = x[0] * y[0], x[1] * y[1], x[2] + y[2]
    cut = hi.bit_length() - bits
    if cut > 0:
        lo >>= cut
        hi = -((-hi) >> cut)
        e += cut
    return lo, hi, e


def compare(m: int, e: int, numerator: int, denominator: int) -> int:
    """The sign of ``m * 2**e - numerator / denominator`` (``denominator > 0``)."""
    left, right = m * denominator, numerator
    if e >= 0:
        left <<= e
    else:
        right <<= -e
    return (left > right) - (left < right)


def log_ratio(numerator: int, denominator: int) -> float:
    """``log(numerator / denominator)`` for positive integers of any size, to about an ulp."""
    difference = numerator - denominator
    if abs(difference) * 2 < denominator:
        return math.log1p(difference / denominator)
    return math.log(numerator) - math.log(denominator)


class Powers:
    """Brackets of ``t**k`` for one ``t > 0``, memoized."""

    def __init__(self, t: float) -> None:
        c, d = t.as_integer_ratio()
        self._t: Bracket = (c, c, 1 - d.bit_length())
        self._bits = _BITS + max(0, 1 - math.frexp(abs(t - 1.0))[1])
        self._ladders: dict[int, list[Bracket]] = {}
        self._memo: dict[tuple[int, int], Bracket] = {}
        self._lock = _thread.allocate_lock()

    def bits_for(self, k: int) -> int:
        """The default precision of the bracket of ``t**k``."""
        return self._bits + 32 * -(-k.bit_length() // 32)

    def _ladder(self, bits: int, count: int) -> list[Bracket]:
        """Brackets of ``t**(2**i)`` for ``i < count`` (at least), at ``bits`` bits."""
        ladder = self._ladders.get(bits)
        if ladder is None or len(ladder) < count:
            with self._lock:
                ladder = self._ladders.setdefault(bits, [self._t])
                while len(ladder) < count:
                    ladder.append(times(ladder[-1], ladder[-1], bits))
        return ladder

    def power(self, k: int, bits: int = 0) -> Bracket:
        """A bracket ``(lo, hi, e)`` of ``t**k``, of relative width below ``k * 2**(3 - bits)``
        (``bits`` at least :meth:`bits_for`, its default)."""
        bits = bits or self.bits_for(k)
        key = (k, bits)
        found = self._memo.get(key)
        if found is not None:
            return found
        ladder = self._ladder(bits, k.bit_length())
        result: Bracket = (1, 1, 0)
        index = 0
        while k >> index:
            if (k >> index) & 1:
                result = times(result, ladder[index], bits)
            index += 1
        if len(self._memo) > 256:
            self._memo.clear()
        self._memo[key] = result
        return result

    def times_t(self, x: Bracket, k: int) -> Bracket:
        """The bracket of ``t**(k + 1)`` from that of ``t**k``."""
        return times(x, self._t, self.bits_for(k + 1))
