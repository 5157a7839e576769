"""lrschedule.core.sums against mpmath at 40 digits: the series summed term by term, or the
special functions they equal (digamma, Hurwitz zeta)."""

from __future__ import annotations

import math

import pytest
from mpmath import mp, mpf

from lrschedule.core import sums


@pytest.fixture(autouse=True)
def _digits() -> object:
    with mp.workdps(40):
        yield


@pytest.mark.parametrize("ratio", [0.5, 0.999_999, 1.000_001, 1.7])
@pytest.mark.parametrize("count", [1, 30, 10**9])
def test_geometric(ratio: float, count: int) -> None:
    q = mpf(ratio)
    expected = (q**count - 1) / (q - 1)
    got = sums.geometric(math.log(ratio), count)
    if expected > mpf(2) ** 1024:
        assert got == math.inf
    else:
        assert got == pytest.approx(float(expected), rel=1e-12)


def test_geometric_edges_and_power() -> None:
    assert sums.geometric(0.0, 7) == 7.0 and sums.geometric(-1.0, 0) == 0.0
    assert sums.power(0.5, 3) == 0.125 and sums.power(2.0, 5000) == math.inf


def test_triangular() -> None:
    assert [sums.triangular(n) for n in range(6)] == [sum(range(n)) for n in range(6)]
    assert sums.triangular(10**20) == math.comb(10**20, 2)  # pairs of steps below n


@pytest.mark.parametrize("x", [0.25, 2.0, 3000.0])
@pytest.mark.parametrize("count", [10, 4097, 10**10])
def test_harmonic_is_a_digamma_difference(x: float, count: int) -> None:
    expected = mp.digamma(mpf(x) + count) - mp.digamma(mpf(x))
    assert sums.harmonic(x, count) == pytest.approx(float(expected), rel=1e-13)


@pytest.mark.parametrize(
    ("exponent", "steps", "count"),
    [
        (0.5, 5000, 3000),
        (0.5, 20_000, 20_000),
        (3.3, 20_000, 15_000),
        (2.0, 10**7, 10**7),
        (2.0, 10**7, 9 * 10**6),
    ],
)
def test_power_sum_is_a_hurwitz_zeta_difference(exponent: float, steps: int, count: int) -> None:
    # sum over t < count of (steps - t)**p = sum of j**p for j = steps - count + 1 .. steps.
    p = mpf(exponent)
    powers = mp.zeta(-p, steps - count + 1) - mp.zeta(-p, steps + 1)
    expected = powers / mpf(steps) ** p
    assert sums.power_sum(steps, count, exponent) == pytest.approx(float(expected), rel=1e-12)


@pytest.mark.parametrize(("phase", "angle", "count"), [(0.0, 0.01, 10), (0.5, 0.001, 3000)])
def test_cosine_sums_term_by_term(phase: float, angle: float, count: int) -> None:
    cosines = mp.fsum(mp.cos(mpf(angle) * (mpf(phase) + j)) for j in range(count))
    assert sums.cosine_sum(phase, angle, count) == pytest.approx(float(cosines), rel=1e-12)
    length = math.pi / angle
    halves = mp.fsum((1 + mp.cos(mp.pi * (mpf(phase) + j) / mpf(length))) / 2 for j in range(count))
    assert sums.half_cosine_sum(phase, length, count) == pytest.approx(float(halves), rel=1e-12)


@pytest.mark.parametrize(("phi", "count"), [(0.4, 50), (math.pi / 20_000, 10), (1e-4, 5000)])
def test_sine_squares_term_by_term(phi: float, count: int) -> None:
    expected = mp.fsum(mp.sin(mpf(phi) * t) ** 2 for t in range(count))
    assert sums.sine_squares(phi, count) == pytest.approx(float(expected), rel=1e-13)
