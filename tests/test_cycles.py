"""The exact cycle table of CosineDecayRestarts, against brute force in exact arithmetic."""

from __future__ import annotations

import decimal
import math
from fractions import Fraction

import numpy as np
import pytest

from lrschedule import CosineDecayRestarts
from lrschedule.core.cycles import TABLE_ROWS, GeometricCycles


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


def exact_start(first: Fraction, t: Fraction, k: int) -> Fraction:
    return first * (t**k - 1) / (t - 1)


def test_cycles_that_barely_grow_have_no_limit() -> None:
    """t_mul=1.000001 used to be refused past 100,000 cycles. Step 10**12 is in cycle k with
    S_k = (t**k - 1) / (t - 1) <= 10**12 < S_{k+1}, here in 60-digit decimals."""
    t_mul = 1.000001
    schedule = CosineDecayRestarts(1.0, 1, t_mul=t_mul)
    cycles = GeometricCycles(1, t_mul)
    k = cycles.locate_int(10**12)
    with decimal.localcontext() as context:
        context.prec = 60
        t = decimal.Decimal(t_mul)  # the float's exact value
        log_t = t.ln()

        def start(i: int) -> decimal.Decimal:
            return ((log_t * i).exp() - 1) / (t - 1)

        assert start(k) <= 10**12 < start(k + 1)
        left = float((start(k + 1) - 10**12) / (log_t * k).exp())
    assert k > 100_000
    assert schedule(10**12) == pytest.approx(0.5 * (1 + math.cos(math.pi * (1 - left))), rel=1e-12)


@pytest.mark.parametrize(("first", "t"), [(1, 1.001), (0.3, 1.01), (629377.4, 0.999), (5, 0.99)])
def test_cycles_past_the_table_near_every_start(first: float, t: float) -> None:
    """Past the table (cycle 4096 on), against exact fractions: both sides of ceil(S_k) and
    of the smallest float >= S_k, the first step of each cycle, and the phase and length."""
    cycles = GeometricCycles(first, t)
    exact_first, exact_t = Fraction(first), Fraction(t)
    for k in (TABLE_ROWS - 1, TABLE_ROWS, TABLE_ROWS + 1, 4321, 5000, 6543):
        start = exact_start(exact_first, exact_t, k)
        ceil = math.ceil(start)
        least = float(start)
        if least < start:
            least = math.nextafter(least, math.inf)
        for step in (ceil - 1, ceil, least, math.nextafter(least, 0.0)):
            expected = k if step >= start else k - 1
            if exact_t < 1 and step >= exact_first / (1 - exact_t):
                expected = -1  # past the end of the series
            elif exact_t < 1 and exact_start(exact_first, exact_t, k - 1) > step:
                continue  # cycles shorter than a step: the one before is not k - 1
            got = cycles.locate_int(step) if isinstance(step, int) else cycles.locate_float(step)
            assert got == expected, (k, step)
        assert cycles.start_ceil_at(k) == ceil
        length = exact_first * exact_t**k
        assert cycles.length_at(k) == float(length)
        middle = start + length / 3
        step = math.ceil(middle)
        if step < start + length:
            assert cycles.locate_int(step) == k
            assert cycles.offset(k, step) == pytest.approx(float(step - start), rel=1e-14)
            cycle, left = cycles.position(step)
            assert (cycle, left) == (k, pytest.approx(float((start + length - step) / length)))


def test_a_table_start_left_open_by_the_rounding_bound_is_computed_exactly() -> None:
    """t = 1 + 2**-52 is not a whole number: the fixed-point starts are rounded, yet each
    row's ceiling equals the exact one."""
    first, t = 3, 1 + 2**-52
    cycles = GeometricCycles(first, t)
    cycles.cover(3 * 2000)
    for k in (1, 2, 3, 100, 1999):
        start = exact_start(Fraction(first), Fraction(t), k)
        assert cycles.start_ceil[k] == math.ceil(start), k
        assert cycles.start_float[k] >= start > math.nextafter(cycles.start_float[k], 0.0)


def test_the_table_stops_at_its_row_limit() -> None:
    cycles = GeometricCycles(1, 1.001)
    cycles.cover(10**300)
    assert len(cycles.length) == TABLE_ROWS
    assert cycles.locate_float(1e300) == math.floor(math.log1p(1e300 * 0.001) / math.log(1.001))


@pytest.mark.parametrize(("first", "t"), [(1, 1.001), (0.3, 1.01), (10, 1.0000001), (5, 0.99)])
def test_walking_the_cycles_past_the_table_against_exact_fractions(first: float, t: float) -> None:
    """cycles_from carries t**k from cycle to cycle: each cycle's first integer step,
    ceil(S_k) - S_k and length equal the exact ones, from the table's last rows on (the
    table holds a start's fraction as a float: within an ulp of 1 there)."""
    from lrschedule.core.cycle_walk import cycles_from

    cycles = GeometricCycles(first, t)
    cycles.cover(first * 10**6)  # the whole table
    exact_first, exact_t = Fraction(first), Fraction(t)
    walk = cycles_from(cycles, TABLE_ROWS - 3)
    start = exact_start(exact_first, exact_t, TABLE_ROWS - 3)
    length = exact_first * exact_t ** (TABLE_ROWS - 3)
    for k in range(TABLE_ROWS - 3, TABLE_ROWS + 25):
        cycle = next(walk)
        ceil = math.ceil(start)
        assert (cycle.k, cycle.start) == (k, ceil)
        assert cycle.phase == pytest.approx(float(ceil - start), rel=1e-12, abs=2**-52)
        assert cycle.length == pytest.approx(float(length), rel=1e-15)
        start, length = start + length, length * exact_t


@pytest.mark.parametrize(("first", "t"), [(10, 1.0000001), (1, 1.001), (629377.4, 0.999), (3, 0.5)])
def test_a_walk_through_increasing_steps_finds_each_cycle(first: float, t: float) -> None:
    """CycleWalk.at, for increasing steps (near and far apart, and one going back), gives
    what locating each step afresh gives: the cycle and the steps done in it."""
    from lrschedule.core.cycle_walk import CycleWalk

    cycles = GeometricCycles(first, t)
    located = GeometricCycles(first, t)
    walk = CycleWalk(cycles)
    draw = np.random.default_rng(7)
    reach = int(first / (1 - t)) + 10 if t < 1 else int(first * 10**5)
    steps = np.sort(draw.integers(0, reach, 400)).tolist()
    steps += [steps[-1] + 1, steps[-1] + 2, steps[10], steps[11], *range(reach - 40, reach)]
    for step in steps:
        found = walk.at(step)
        k = located.locate_int(step)
        if k < 0:
            assert found is None, step
            continue
        assert found is not None and found[0].k == k, step
        expected = located.offset(k, step)
        assert found[1] == pytest.approx(expected, rel=1e-12, abs=1e-9), step
        assert found[0].length == pytest.approx(located.length_at(k), rel=1e-15)
