"""The exact cycle table of CosineDecayRestarts, against brute force in exact arithmetic."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from lrschedule import CosineDecayRestarts
from lrschedule.core.cycles import MAX_CYCLES, GeometricCycles


def brute_force_cycle(step: Fraction, first: Fraction, t: Fraction) -> int:
    """Walk the cycles one by one with exact fractions; -1 past the end of a finite series."""
    if t < 1 and step >= first / (1 - t):
        return -1
    start, length, k = Fraction(0), first, 0
    while step >= start + length:
        start += length
        length *= t
        k += 1
    return k


CASES = [
    (10, 2.0),
    (10, 3.0),
    (7, 1.5),
    (3, 1.1),
    (2.5, 2.0),
    (1000, 1.05),
    (10, 0.5),
    (7, 0.9),
    (3, 0.75),
]


@pytest.mark.parametrize(("first", "t"), CASES)
def test_integer_steps_near_every_start(first: float, t: float) -> None:
    cycles = GeometricCycles(first, t)
    exact_first, exact_t = Fraction(first), Fraction(t)
    steps: set[int] = set(range(60))
    start, length = Fraction(0), exact_first
    for _ in range(60):
        start += length
        length *= exact_t
        if start > 10**15:
            break
        steps.update(math.floor(start) + d for d in (-2, -1, 0, 1, 2) if math.floor(start) + d >= 0)
    for step in sorted(steps):
        assert cycles.locate_int(step) == brute_force_cycle(Fraction(step), exact_first, exact_t), (
            step
        )


@pytest.mark.parametrize(("first", "t"), CASES)
def test_float_steps(first: float, t: float) -> None:
    cycles = GeometricCycles(first, t)
    rng = np.random.default_rng(7)
    for step in rng.uniform(0, 200, 400).tolist() + [0.0, 9.999999999999998, 10.0, 25.0]:
        expected = brute_force_cycle(Fraction(step), Fraction(first), Fraction(t))
        assert cycles.locate_float(step) == expected, step


@pytest.mark.parametrize(("first", "t"), CASES)
def test_remaining_is_the_exact_distance_to_the_next_start(first: float, t: float) -> None:
    cycles = GeometricCycles(first, t)
    for step in range(0, 300, 7):
        k = cycles.locate_int(step)
        if k < 0:
            continue
        end = sum(Fraction(first) * Fraction(t) ** i for i in range(k + 1))
        assert cycles.remaining(k, step) == pytest.approx(float(end - step), rel=1e-15, abs=1e-15)
        assert 0 < cycles.remaining(k, step) <= cycles.length[k]


def test_integer_t_stays_integer() -> None:
    cycles = GeometricCycles(10, 2.0)
    cycles.cover(10**30)
    assert all(start == 10 * (2**k - 1) for k, start in enumerate(cycles.start_ceil))
    assert set(cycles.end_fraction) == {0.0}


def test_series_end_for_shrinking_cycles() -> None:
    cycles = GeometricCycles(10, 0.5)  # lengths 10, 5, 2.5, ... end at 20
    assert cycles.end_ceil == 20
    assert cycles.locate_int(19) >= 0 and cycles.locate_int(20) == -1
    assert cycles.locate_float(19.999) >= 0 and cycles.locate_float(20.0) == -1


def test_cycles_that_barely_grow_are_refused_with_a_clear_error() -> None:
    schedule = CosineDecayRestarts(1.0, 1, t_mul=1.000001)
    assert schedule(1000) > 0  # early steps are fine
    with pytest.raises(ValueError, match=f"needs more than {MAX_CYCLES:,} cycles"):
        schedule(10**12)
