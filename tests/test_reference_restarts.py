"""The exact reference of CosineDecayRestarts (:mod:`tests.reference`) checked itself.

Against a direct evaluation written here from the definition alone: the cycle ``k`` with
``S_k <= s < S_{k+1}`` found by exact Fractions (``S_{k+1} = S_k + L_k``, ``L_{k+1} =
t * L_k``), ``f = (s - S_k) / L_k``, and ``lr0 * ((1 - alpha) * m**k * 0.5 * (1 + cos(pi
* f)) + alpha)`` with mpmath at 80 digits; from ``first / (1 - t)`` on (``t < 1``) the
floor ``alpha * lr0``. Fractional steps (Fractions and floats) for ``t_mul`` below, at
and above 1.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from mpmath import mp, mpf

import reference as ref


def _mpf(q: Fraction) -> mpf:
    return mpf(q.numerator) / q.denominator


def _direct(lr0: float, first: Any, t: float, m: float, alpha: float, step: Any) -> mpf:
    s, length, tq = Fraction(step), Fraction(first), Fraction(t)
    with mp.workdps(80):
        if tq < 1 and s >= length / (1 - tq):
            return mpf(alpha) * lr0
        start, k = Fraction(0), 0
        while not start <= s < start + length:
            start, length, k = start + length, length * tq, k + 1
        f = _mpf((s - start) / length)
        return mpf(lr0) * ((1 - mpf(alpha)) * mpf(m) ** k * 0.5 * (1 + mp.cos(mp.pi * f)) + alpha)


CONFIGS = [
    (1.0, 1, 0.05, 1.0, 0.0),
    (-1.0, 45, 0.142, 0.5, 0.122),
    (0.1, 3.75, 0.7, 0.9, 0.01),
    (0.3, 7, 1.0, 0.9, 0.2),
    (0.5, 2.5, 1.0, 1.5, 0.0),
    (1.0, 10, 2.0, 0.5, 0.1),
    (0.1, 0.3, 1.5, 1.2, 0.05),
]


@pytest.mark.parametrize("config", CONFIGS, ids=[f"t={c[2]}" for c in CONFIGS])
def test_reference_matches_the_direct_evaluation(config: tuple[Any, ...]) -> None:
    first, t = Fraction(config[1]), Fraction(config[2])
    span = first / (1 - t) if t < 1 else 60 * first
    steps: list[Any] = [span * Fraction(j, 97) for j in range(1, 110)]  # past the end too
    steps += [span * (1 - Fraction(1, 3**j)) for j in range(1, 30)]
    steps += [float(s) for s in steps[:40]] + [1.05262818, Fraction(7, 3), Fraction(1, 1000)]
    for step in steps:
        expected = _direct(*config, step)
        actual = ref.cosine_decay_restarts(*config, step=step)
        assert abs(actual - expected) <= mpf(10) ** -50 * max(1, abs(expected)), step
