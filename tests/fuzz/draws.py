"""Seeded draws for the long run: the primitives of ``generate.py``, without Hypothesis.

A :class:`Draw` is a :class:`random.Random` seeded from (seed, target, index), so that
every input of a long run can be drawn again on its own. Its draws lean the way
Hypothesis's do: bounds and small values often, the whole range now and then, NaN,
infinities, signed zeros, subnormals and huge integers among the numbers, and text from
all of Unicode (surrogates left out, as Hypothesis does).
"""

from __future__ import annotations

import math
import random
import struct
import sys
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

#: Floats that Hypothesis draws often: zeros, ones, the ends of the range, NaN, infinities.
SPECIAL_FLOATS = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    1.5,
    math.nan,
    -math.nan,
    math.inf,
    -math.inf,
    5e-324,
    -5e-324,
    sys.float_info.min,
    sys.float_info.max,
    -sys.float_info.max,
    sys.float_info.epsilon,
    1e-7,
    1e16,
    2.0**53,
    1.0 / 3.0,
]
#: Ranges of code points that text is drawn from (surrogates excluded).
CODE_POINTS = [(0, 0x7F), (0x80, 0x7FF), (0x800, 0xD7FF), (0xE000, 0xFFFF), (0x10000, 0x10FFFF)]


class Draw(random.Random):
    """One input's draws."""

    def __init__(self, seed: int, target: str, index: int) -> None:
        super().__init__(f"{seed}/{target}/{index}")

    def one_in(self, n: int) -> bool:
        return self.random() * n < 1.0

    def choice_of(self, options: Sequence[T]) -> T:
        return options[int(self.random() * len(options))]

    def integer(self, low: int, high: int) -> int:
        """An integer in ``[low, high]``: a bound a quarter of the time, mostly small."""
        roll = self.random()
        if roll < 0.15 or high <= low:
            return low
        if roll < 0.25:
            return high
        if roll < 0.8:  # log-uniform above ``low``: small offsets far more often
            return min(high, low + int((high - low + 1) ** self.random()) - 1)
        return self.randint(low, high)

    def any_integer(self) -> int:
        """Any integer, as ``st.integers()`` draws: mostly small, sometimes 64 to 256 bits."""
        bits = self.choice_of([4, 8, 16, 32, 64, 65, 128, 256])
        value = self.getrandbits(bits) if not self.one_in(8) else 2**bits - 1
        return -value if self.one_in(2) else value

    def boolean(self) -> bool:
        return self.random() < 0.5

    def any_float(self) -> float:
        """Any float: special values, any bit pattern (NaN payloads too), or a plain one."""
        roll = self.random()
        if roll < 0.3:
            return self.choice_of(SPECIAL_FLOATS)
        if roll < 0.6:
            value: float = struct.unpack("<d", self.randbytes(8))[0]
            return value
        return self.uniform(-1000.0, 1000.0) * 10.0 ** self.randint(-10, 10)

    def float_in(self, low: float, high: float) -> float:
        """A float in ``[low, high]``, bounds and the smallest subnormal above 0 included."""
        roll = self.random()
        if roll < 0.1:
            return low
        if roll < 0.2:
            return high
        if roll < 0.25 and low == 0.0:
            return 5e-324
        return low + (high - low) * self.random()

    def character(self) -> str:
        roll = self.random()
        if roll < 0.6:
            return chr(self.randint(0x20, 0x7E))
        low, high = self.choice_of(CODE_POINTS)
        return chr(self.randint(low, high))

    def text(self, max_size: int, alphabet: str | None = None) -> str:
        size = self.integer(0, max_size)
        if alphabet is not None:
            return "".join(self.choice_of(alphabet) for _ in range(size))
        return "".join(self.character() for _ in range(size))

    def binary(self, max_size: int) -> bytes:
        return self.randbytes(self.integer(0, max_size))
