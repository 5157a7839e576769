"""What the PyTorch, JAX and TensorFlow records share: exact helpers safe in narrow integer dtypes.

A tensor step is never inspected (that would force a host synchronisation or break
tracing), so every decision here is made from the step's dtype alone:

* **Negative steps** are clamped to 0 by :meth:`prepare` (the schedule holds its
  initial value before step 0, as Optax's schedules do); a NaN float step gives NaN.
* **Constants wider than the step's integer dtype.** Optax counts in int32, so
  ``decay_steps=10**10`` must work with int32 steps, where ``10**10`` has no
  representation. Every step of the dtype is then below the constant, which settles the
  integer division (quotient 0) without computing it, and differences such as
  ``d - step`` are formed as ``(d - top) + (top - step)`` with ``top`` the dtype's
  largest value, so no intermediate overflows.
* **Integer steps with a fractional constant** (``decay_steps=2.5``) are converted to
  the compute float first, as NumPy does, instead of relying on each library's promotion
  rules (PyTorch would promote to float32, TensorFlow would refuse).
* **Unsigned steps** never subtract below zero.
* **Powers** where the library's own ``pow`` is not accurate (float32 in JAX without x64
  and in PyTorch on devices without float64; TensorFlow's float64 ``pow``, 21 ulps off
  for ``0.9 ** 64``): ``rate ** k`` computed as ``exp(k * log(rate))`` loses
  ``|k * log(rate)|`` half-ulps (190 float32 ulps for ``0.9 ** 428``), because the product
  is rounded. :meth:`split_power` splits the exponent and the logarithm into pieces whose
  products are exact, so the result stays within a few ulps at any exponent.
"""

from __future__ import annotations

import decimal
import functools
import math
from abc import abstractmethod
from collections.abc import Sequence
from typing import Any

from lrschedule.backends import division
from lrschedule.backends.contract import ArrayOps
from lrschedule.core.floats import float_at_least, float_at_most

__all__ = ["TensorOps", "float_values"]

_FLOAT32_MAX = (2.0 - 2.0**-23) * 2.0**127


def _head(value: float, bits: int) -> float:
    """``value`` rounded to ``bits`` significant bits."""
    mantissa, exponent = math.frexp(value)
    return math.ldexp(round(mantissa * 2.0**bits), exponent - bits)


@functools.lru_cache(maxsize=256)
def _log_pieces(base: float, bits: int) -> tuple[float, float, float]:
    """``log(base)`` as ``l1 + l2 + l3``, ``l1`` and ``l2`` of ``bits`` bits, to 130 bits.

    A float64 logarithm is only good to 2**-53, which a large exponent magnifies; the
    pieces come from a 40-digit decimal logarithm instead.
    """
    with decimal.localcontext() as context:
        context.prec = 40
        log = decimal.Decimal(base).ln()
        l1 = _head(float(log), bits)
        l2 = _head(float(log - decimal.Decimal(l1)), bits)
        l3 = float(log - decimal.Decimal(l1) - decimal.Decimal(l2))
    return l1, l2, l3


def float_values(values: Sequence[int | float]) -> list[float]:
    """``values`` as Python floats; an integer beyond the float range becomes +-inf."""
    out = []
    for value in values:
        try:
            out.append(float(value))
        except OverflowError:
            out.append(math.inf if value > 0 else -math.inf)
    return out


class TensorOps(ArrayOps):
    """Exact helpers for tensor libraries (see the module docstring).

    A subclass implements the primitives of :class:`~lrschedule.backends.contract.ArrayOps` except
    ``divmod``, ``minimum`` and ``maximum``, which are built here on its
    :meth:`int_divmod`, :meth:`float_divmod`, :meth:`array_minimum` and
    :meth:`array_maximum`, and :meth:`native_power`; :meth:`separate` where its compiler
    merges exponentials.
    """

    name = "tensor"

    # ----------------------------------------------------------- to implement
    @abstractmethod
    def int_divmod(self, x: Any, d: int) -> tuple[Any, Any]:
        """Floor division and remainder of integer ``x`` by an ``int`` that fits its dtype."""

    @abstractmethod
    def float_divmod(self, x: Any, d: int | float) -> tuple[Any, Any]:
        """Floor division and remainder of compute-float ``x`` (Python semantics)."""

    @abstractmethod
    def array_minimum(self, x: Any, c: Any) -> Any:
        """Elementwise minimum of ``x`` and a scalar or array of a dtype that ``x`` takes."""

    @abstractmethod
    def array_maximum(self, x: Any, c: Any) -> Any:
        """Elementwise maximum of ``x`` and a scalar or array of a dtype that ``x`` takes."""

    # ----------------------------------------------------------------- checks
    def _beyond(self, x: Any, d: int | float) -> bool:
        """Whether ``d`` is a Python ``int`` above every value of integer ``x``'s dtype."""
        if type(d) is not int or not self.is_integer(x):
            return False
        top = self.int_max(x)
        return top is not None and d > top

    def _over(self, x: Any, d: Any) -> Any:
        """``d - x`` as a float, for an integer ``d`` beyond ``x``'s dtype (``x >= 0``)."""
        top = self.int_max(x)
        assert top is not None
        return self.to_float(top - x) + float(d - top)

    def _real(self, x: Any, d: Any) -> Any:
        """``d`` as a float when ``x`` is a float array (an int might not fit an int dtype)."""
        return float(d) if type(d) is int and not self.is_integer(x) else d

    # ------------------------------------------------------------ float32 compute
    def narrow(self, x: Any) -> bool:
        """Whether the formula for step ``x`` is computed in float32 (``False`` here).

        Float32 cannot hold most constants: a library that computes in float32 says so,
        and divisions by such constants go through :mod:`lrschedule.backends.division`.
        """
        return False

    def _exact_in_float32(self, x: Any, d: int | float) -> division.Constant | None:
        """``d`` prepared for :mod:`~lrschedule.backends.division`, where it is needed.

        That is for float32 arithmetic with an integer step and a fractional ``d``, or a
        float step (``None`` otherwise). Float32's own ``x // d`` is off by one past
        ``x / d = 2**23``, even where ``d`` is a float32 number.
        """
        if not self.narrow(x) or (type(d) is int and self.is_integer(x)) or not d > 0:
            return None
        return division.constant(d)

    def _vast_ratio(self, x: Any, d: division.Constant) -> Any:
        """``x / d`` for a vast ``d`` (0, or a number far below float32's precision of 1)."""
        return self.to_float(x) * d.scale / float(d.nearest)

    def _divide(
        self, x: Any, d: int | float, prepared: division.Constant, offset: int | float = 0
    ) -> division.Division:
        """``x + offset`` divided by ``d`` (the offset added exactly)."""
        if self.is_integer(x):
            top = self.int_max(x)
            direct = top is None or top < d * 2.0**22
        else:  # a float32 step reaches quotients past 2**24 unless d is past 2**105
            direct = prepared.scale != 1.0 or d * 2.0**22 > _FLOAT32_MAX
        if direct:
            terms = division.shifted(division.step_terms(self, x, prepared.scale), offset, d)
            return division.divide(self, terms, prepared, self.float_divmod)
        # Quotients past float32's whole numbers: reduce the step exactly first.
        whole, terms = division.reduced_terms(self, x, d)
        terms = division.shifted(terms, offset, d)
        found = division.divide(self, terms, prepared, self.float_divmod)
        return found._replace(quotient=found.quotient + whole)

    def _difference(self, x: Any, d: division.Constant) -> tuple[Any, Any]:
        return division.difference(self, division.step_terms(self, x, d.scale), d)

    # ------------------------------------------------------------- primitives
    def divmod(self, x: Any, d: int | float) -> tuple[Any, Any]:
        if self.is_integer(x) and type(d) is int:
            if self._beyond(x, d):
                # Every step is below d: quotient 0, remainder the step (as a float, so
                # that d - remainder is formed in floating point).
                return x * 0, self.to_float(x)
            return self.int_divmod(x, d)
        prepared = self._exact_in_float32(x, d)
        if prepared is not None:
            if prepared.vast:  # every step is below d
                return self.to_float(x) * 0.0, self.to_float(x)
            found = self._divide(x, d, prepared)
            return found.quotient, found.remainder / prepared.scale
        if self.is_integer(x):
            x = self.to_float(x)
        return self.float_divmod(x, self._real(x, d))

    def divmod_rest(
        self, x: Any, d: int | float, e: int | float, offset: int | float = 0
    ) -> tuple[Any, Any, Any]:
        prepared = None if self._beyond(x, d) else self._exact_in_float32(x, d)
        if prepared is None or (offset and prepared.vast):
            return super().divmod_rest(x, d, e, offset)
        if prepared.vast:  # (d - x) / e, as d / e less a part far below its precision
            q, r = self.divmod(x, d)
            return q, r, division.ratio_of(d, e) - self.ratio(r, e)
        found = self._divide(x, d, prepared, offset)
        scaled = division.float32_nearest(e * prepared.scale)
        return found.quotient, found.remainder / prepared.scale, found.rest / scaled

    def minimum(self, x: Any, c: Any) -> Any:
        if isinstance(c, (int, float)):
            if self.is_integer(x):
                if type(c) is int:
                    top = self.int_max(x)
                    if top is not None and c >= top:
                        return x
                else:
                    x = self.to_float(x)
            c = self._real(x, c)
        return self.array_minimum(x, c)

    def maximum(self, x: Any, c: Any) -> Any:
        if isinstance(c, (int, float)):
            if isinstance(c, float) and self.is_integer(x):
                x = self.to_float(x)
            c = self._real(x, c)
        return self.array_maximum(x, c)

    def separate(self, values: tuple[Any, ...]) -> tuple[Any, ...]:
        """``values``, kept apart from each other by the compiler, where one would merge them.

        :meth:`split_power` multiplies exponentials of exact arguments; a compiler that
        rewrites ``exp(a) * exp(b)`` as ``exp(a + b)`` (XLA does) rounds the sum and undoes
        the split. A library with an optimisation barrier applies it here.
        """
        return values

    @abstractmethod
    def native_power(self, base: float, exponent: Any) -> Any:
        """The library's own ``base ** exponent``."""

    def split_power(self, base: float, exponent: Any, bits: int = 12) -> Any:
        """``base ** exponent`` within a few ulps for any exponent, from exact products.

        ``bits`` is 12 for a float32 ``exponent`` and 26 for float64 (half the mantissa,
        rounded down). With ``L = log(base) = L1 + L2 + L3`` (``L1`` and ``L2`` of ``bits``
        significant bits) and the exponent split exactly into pieces of ``bits`` bits,
        ``e = c + a + b + h + l`` (``c`` a multiple of ``2**(2 * bits)``, ``a`` of
        ``2**bits`` below it, ``b`` a whole number below ``2**bits``, ``h`` a multiple of
        ``2**-bits`` below 1, ``l`` the rest), the products ``c * L1``, ``a * L1``, ``b * L1``
        and ``h * L1`` are exact (for exponents below ``2**(3 * bits)``), and the rest of
        ``e * L`` is below ``|e * L| * 2**(1 - bits)``: the power is a product of five
        exponentials of exact or small arguments. Rounding ``e * L`` instead, as
        ``exp(e * log(base))`` does, costs ``|e * L|`` half-ulps. Negative, NaN and infinite
        exponents, and the bases 0 and 1, use :meth:`native_power`.
        """
        if not (0.0 < base < math.inf) or base == 1.0:
            return self.native_power(base, exponent)
        l1, l2, l3 = _log_pieces(base, bits)
        unit = 2.0**bits
        whole = self.floor(exponent)
        part = exponent - whole
        c = self.floor(whole / (unit * unit)) * (unit * unit)
        a = self.floor((whole - c) / unit) * unit
        b = whole - c - a
        h = self.floor(part * unit) / unit
        low = part - h
        rest = whole * l2 + (h * l2 + low * l1) + (low * l2 + exponent * l3)
        # |rest| is far below 1 whenever the power is a finite nonzero number; past that
        # (the power is 0 or inf anyway) clipping keeps it from making 0 * inf.
        rest = self.minimum(self.maximum(rest, -1.0), 1.0)
        factors = self.separate(
            (
                self.exp(c * l1),
                self.exp(a * l1),
                self.exp(b * l1),
                self.exp(h * l1),
                self.exp(rest),
            )
        )
        value = factors[0] * factors[1] * factors[2] * factors[3] * factors[4]
        usable = (exponent >= 0.0) & (exponent < math.inf)
        return self.where(usable, value, self.native_power(base, exponent))

    # ---------------------------------------------------------- exact helpers
    # With a float step, an int constant is passed on as a float (``_real``); with an
    # integer step, a constant beyond its dtype settles the division (``_beyond``).
    def power_ratio(self, base: float, x: Any, d: int | float, direct: int | float) -> Any:
        # In float32 the exponent r / d is rounded too coarsely for a base far from 1 (27
        # ulps at base 1e-30): the miss m = r / d - p is found with an exact product and
        # given back, base**p * (1 + m * log(base)).
        if not self.narrow(x) or not 0.0 < base < math.inf or base == 1.0 or self._beyond(x, d):
            return super().power_ratio(base, x, d, direct)
        prepared = division.constant(d)
        if prepared.scale != 1.0 or prepared.vast:
            return super().power_ratio(base, x, d, direct)
        whole, part = self.divmod(x, d)
        part = self.to_float(part)
        exponent = part / prepared.nearest
        high, low = division.two_product(exponent, prepared.nearest)
        miss = ((part - high) - low - exponent * prepared.tail) / prepared.nearest
        (value,) = self.separate((self.power(base, exponent),))
        value = value + value * (miss * math.log(base))
        return self.power(base, self.to_float(whole)) * value

    def ratio(self, x: Any, d: int | float) -> Any:
        if self.narrow(x) and not self._beyond(x, d):
            prepared = division.constant(d)
            if prepared.vast:
                return self._vast_ratio(x, prepared)
            if not self.is_integer(x) and prepared.scale == 1.0:
                return x / prepared.nearest
            if not self.is_integer(x):
                # Scaled, so that a d past the float32 range is no inf; kept apart, or XLA
                # would fold scale / nearest into one constant, below float32's range.
                (scaled,) = self.separate((x * prepared.scale,))
                return scaled / prepared.nearest
            if type(d) is not int:
                found = self._divide(x, d, prepared)
                return found.quotient + found.remainder / prepared.nearest
        if not self.is_integer(x) or self._beyond(x, d):
            return self.to_float(x) / float(d)
        return super().ratio(x, d)

    def floor_ratio(self, x: Any, d: int | float) -> Any:
        if self._beyond(x, d):
            return self.to_float(x) * 0.0
        return super().floor_ratio(x, d)

    def left(self, x: Any, d: int | float) -> Any:
        if self._beyond(x, d):
            return self._over(x, d) / float(d)
        prepared = self._exact_in_float32(x, d)
        if prepared is not None:
            if prepared.vast:
                return 1.0 - self._vast_ratio(x, prepared)
            ahead, positive = self._difference(x, prepared)
            return self.where(positive, ahead, 0.0) / prepared.nearest
        return super().left(x, self._real(x, d))

    def cycle_left(self, x: Any, d: int | float) -> Any:
        if self._beyond(x, d):
            # One span that no step reaches: the fraction left is (d - x) / d.
            return self._over(x, d) / float(d)
        prepared = self._exact_in_float32(x, d)
        if prepared is not None and prepared.vast:
            return 1.0 - self._vast_ratio(x, prepared)
        if prepared is not None:
            # As ArrayOps.cycle_left, with the rest d - r from the exact division.
            found = self._divide(x, d, prepared)
            q, into = found.quotient, found.remainder > 0.0
            remaining = self.where(into, found.rest, self.where(q > 0.0, 0.0, prepared.nearest))
            spans = self.maximum(self.where(into, q + 1.0, q), 1.0)
            return remaining / (spans * prepared.nearest)
        return super().cycle_left(x, self._real(x, d))

    def cycle_done(self, x: Any, d: int | float) -> Any:
        if self._beyond(x, d):
            return self.to_float(x) / float(d)
        return super().cycle_done(x, self._real(x, d))

    # Comparisons are exact: an integer step is compared with a whole number (x < c is
    # x < ceil(c), x <= c is x <= floor(c)), a float step with the nearest float of its
    # compute type on the right side of c (x < c is x < the smallest float >= c).
    def below(self, x: Any, c: int | float) -> Any:
        if self.is_integer(x):
            whole = c if type(c) is int else math.ceil(c)
            if self._beyond(x, whole):
                return x == x  # every value of the dtype is below c
            return x < whole
        return x < (division.float32_at_least(c) if self.narrow(x) else float_at_least(c))

    def taken_from(self, d: int | float, x: Any) -> Any:
        if self._beyond(x, d):
            return self._over(x, d)
        prepared = self._exact_in_float32(x, d)
        if prepared is not None and not prepared.vast:
            return self._difference(x, prepared)[0] / prepared.scale
        return self._real(x, d) - x

    def at_most(self, x: Any, c: int | float) -> Any:
        if self.is_integer(x):
            whole = c if type(c) is int else math.floor(c)
            if self._beyond(x, whole):
                return x == x  # every value of the dtype is at most c
            return x <= whole
        return x <= (division.float32_at_most(c) if self.narrow(x) else float_at_most(c))

    def shifted(self, x: Any, offset: int | float) -> Any:
        if self.is_integer(x) and type(offset) is int:
            if self._beyond(x, offset):
                return x * 0
            # where, not maximum: an unsigned x - offset would wrap around below 0.
            return self.where(x > offset, x - offset, x * 0)
        prepared = self._exact_in_float32(x, offset)
        if prepared is not None and prepared.vast:
            return self.to_float(x) * 0.0
        if prepared is not None:  # x - offset, rounded once
            ahead, _ = self._difference(x, prepared)
            return self.maximum(-ahead / prepared.scale, 0.0)
        if self.is_integer(x):
            x = self.to_float(x)
        return self.maximum(x - self._real(x, offset), 0.0)
