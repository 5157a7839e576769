"""Walking geometric cycles one after another, in one multiplication each.

Analysis visits the cycles of a :class:`~lrschedule.core.cycles.GeometricCycles` in order
(each restart, each cycle's area). Locating each cycle afresh costs ``O(log k)``
multiplications of brackets of ``t**k`` and a few Newton steps: about 80 microseconds a
cycle past the table. :class:`CycleWalk` carries the bracket of ``t**k`` from each cycle to
the next instead, one multiplication by ``t``: each widens it by at most two units in its
last place, so its relative width stays below ``8 * k * 2**-bits``, the bound of
:meth:`~lrschedule.core.powers.Powers.power`, and a first step it leaves open is computed
again with more bits (:meth:`~lrschedule.core.cycles.GeometricCycles.start_ceil_at`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from lrschedule.core.cycles import GeometricCycles

__all__ = ["Cycle", "CycleWalk", "cycles_from"]

#: Cycles skipped over one by one before a step is located afresh instead.
_SKIP = 64


class Cycle(NamedTuple):
    """Cycle ``k``: its first integer step ``ceil(S_k)``, ``ceil(S_k) - S_k`` (in
    ``[0, 1)``, a float) and its length ``L_k`` (a float)."""

    k: int
    start: int
    phase: float
    length: float


def cycles_from(cycles: GeometricCycles, k: int) -> Iterator[Cycle]:
    """Cycles ``k, k + 1, ...`` in order: the table's rows, then from a carried bracket."""
    while k < len(cycles.length):
        start = cycles.start_ceil[k]
        phase = 0.0 if k == 0 else (start - cycles.end_floor[k - 1]) - cycles.end_fraction[k - 1]
        yield Cycle(k, start, phase, cycles.length[k])
        k += 1
    x = cycles.power(k)
    while True:
        found = cycles.start_from(x)
        if found is None:  # the bracket holds an integer: with more bits
            start = cycles.start_ceil_at(k)
            phase = cycles.offset(k, start)
        else:
            start, phase = found
        yield Cycle(k, start, phase, cycles.length_from(x))
        x = cycles.times_t(x, k)
        k += 1


class CycleWalk:
    """The cycle of each of increasing integer steps (a walk through a run), found by
    stepping from cycle to cycle; a step past the end of shrinking cycles is ``None``.

    Steps should not decrease; one that does, or that is many cycles ahead, is located
    afresh with :meth:`~lrschedule.core.cycles.GeometricCycles.locate_int`.
    """

    def __init__(self, cycles: GeometricCycles) -> None:
        self._cycles = cycles
        self._walk: Iterator[Cycle] | None = None
        self._current = self._next = Cycle(0, 0, 0.0, 0.0)

    def _restart(self, step: int) -> bool:
        k = self._cycles.locate_int(step)
        if k < 0:
            return False
        self._walk = cycles_from(self._cycles, k)
        self._current, self._next = next(self._walk), next(self._walk)
        return True

    def at(self, step: int) -> tuple[Cycle, float] | None:
        """The cycle of ``step`` and ``step - S_k`` (the steps done in it, a float), or
        ``None`` past the end of shrinking cycles."""
        end = self._cycles.end_ceil
        if end is not None and step >= end:
            return None
        if (self._walk is None or step < self._current.start) and not self._restart(step):
            return None
        skipped = 0
        while self._next.start <= step:
            skipped += 1
            if skipped > _SKIP:
                if not self._restart(step):
                    return None
                break
            assert self._walk is not None
            self._current, self._next = self._next, next(self._walk)
        current = self._current
        return current, (step - current.start) + current.phase
