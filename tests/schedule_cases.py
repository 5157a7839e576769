"""Hypothesis strategies for a valid configuration of every exported schedule, with its
exact value.

Each strategy in :data:`STRATEGIES` (one per class of ``lrschedule.__all__``) draws a
:class:`Case`: the schedule, built from drawn arguments that are all nonzero (rates in
realistic and extreme ranges, signs mixed; integer and fractional step lengths), and its
exact value at any step from the 60-digit references ``reference.py`` (the Keras family)
and ``family_reference.py`` (the rest), which take the same arguments and share no code
with ``src/``. The composites draw their children from the same strategies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from hypothesis import strategies as st
from mpmath import mpf

import family_reference as fam
import reference as keras
from lrschedule import (
    Constant,
    CosineDecay,
    CosineDecayRestarts,
    CyclicalLearningRate,
    ExponentialDecay,
    InverseSqrtDecay,
    InverseTimeDecay,
    LinearDecay,
    MultiStepDecay,
    OneCycle,
    PiecewiseConstantDecay,
    PiecewiseInterpolation,
    PolynomialDecay,
    StepDecay,
    WarmupCosineDecay,
    WarmupStableDecay,
)

#: ``t_mul`` of ``CosineDecayRestarts`` is drawn at least this far from 1 (or exactly 1).
T_MUL_DISTANCE_FROM_ONE = 0.01
#: The documented exactness of a fractional step length holds up to this step.
FRACTIONAL_MAX_STEP = 2**53


@dataclass(frozen=True)
class Case:
    """A schedule and what the checks need to know of it.

    Attributes:
        schedule: The schedule.
        exact: Its exact value at a step (an ``mpf``), from the references.
        nonnegative: Whether every rate argument (learning rates, values, bounds,
            factors) is >= 0, so that every value must be >= 0.
        constant_pieces: Whether every value is one of the arguments unchanged (no
            arithmetic), so that the result is that argument rounded to its dtype, exactly.
        whole: Whether every step length is a whole number (exact at any step); a
            fractional one is documented exact up to :data:`FRACTIONAL_MAX_STEP`.
        knots: Exact steps where a formula changes, as ``(offset, period)`` lattices
            ``offset + k * period`` (``period`` None: the offset alone).
        factors: For a product, the cases of its factors: each is computed in the result
            dtype, so one past its range makes the product infinite.
    """

    schedule: Any
    exact: Callable[[int | float], mpf]
    nonnegative: bool
    constant_pieces: bool = False
    whole: bool = True
    knots: tuple[tuple[Fraction, Fraction | None], ...] = ()
    factors: tuple[Case, ...] = ()

    def reference(self, *, step: Any) -> tuple[mpf, int]:
        """The exact value in ``family_reference``'s shape, for a composite's reference."""
        return self.exact(step), 0


def _scaled(mantissa: float, exponent: int) -> float:
    return mantissa * 10.0**exponent


#: Magnitudes: realistic rates, and extreme ones (1e-20 to 1e20: two rates differ by at most
#: 40 orders, which the references' 60 digits resolve to 20 digits where a formula cancels).
MAGNITUDES = st.one_of(
    st.floats(1e-6, 1.0),
    st.builds(_scaled, st.floats(1.0, 9.99), st.integers(-20, 19)),
    st.sampled_from([0.1, 1e-3, 1.0, 3e-4]),
)
#: The rates of a case share one sign (where they do not, a value can cancel to 0 and no
#: float formula keeps a few ulp there): positive seven times in eight, else negative.
SIGNS = st.sampled_from([1, 1, 1, 1, 1, 1, 1, -1])
#: Rates of either sign, where a sign of its own cannot cancel (a ``Scale`` factor).
SIGNED = st.tuples(MAGNITUDES, SIGNS).map(lambda pair: pair[0] * pair[1])


def rates_of(sign: int) -> st.SearchStrategy[float]:
    """The rates of a case of that sign."""
    return MAGNITUDES.map(lambda magnitude: sign * magnitude)


#: Whole step lengths (small, large, huge) and fractional ones.
WHOLE_LENGTHS = st.one_of(st.integers(1, 1000), st.integers(1, 10**7), st.integers(1, 10**15))
LENGTHS = st.one_of(WHOLE_LENGTHS, st.floats(0.01, 1e6).filter(lambda x: x != int(x)))
#: Fractions of 1 (alpha and the like), nonzero.
FRACTIONS = st.one_of(st.floats(1e-6, 1.0), st.sampled_from([0.1, 0.5, 0.01]))
#: Decay factors: shrinking (most), growing, close to 1, and extreme (1e-30 to 1e-3).
DECAY_RATES = st.one_of(
    st.floats(0.01, 0.999),
    st.sampled_from([0.5, 0.1, 0.96, 0.999999]),
    st.floats(1.001, 2.0),
    st.builds(_scaled, st.floats(1.0, 9.99), st.integers(-30, -3)),
)
WARMUP_LENGTHS = st.one_of(st.integers(1, 1000), st.integers(1, 10**9))
_q = Fraction


def _whole(*lengths: float | None) -> bool:
    return all(length is None or float(length).is_integer() for length in lengths)


def _nonnegative(*rates: float | None) -> bool:
    return all(rate is None or rate >= 0 for rate in rates)


@st.composite
def exponential_decay(draw: st.DrawFn, rates: st.SearchStrategy[float]) -> Case:
    lr, ds, rate, stairs = draw(rates), draw(LENGTHS), draw(DECAY_RATES), draw(st.booleans())
    return Case(
        ExponentialDecay(lr, ds, rate, stairs),
        lambda step: keras.exponential_decay(lr, ds, rate, stairs, step=step),
        _nonnegative(lr),
        whole=_whole(ds),
        knots=((_q(0), _q(ds)),) if stairs else (),
    )


@st.composite
def inverse_time_decay(draw: st.DrawFn, rates: st.SearchStrategy[float]) -> Case:
    lr, ds, stairs = draw(rates), draw(LENGTHS), draw(st.booleans())
    rate = draw(st.one_of(st.floats(1e-4, 100.0), st.sampled_from([0.5, 1.0]), MAGNITUDES))
    return Case(
        InverseTimeDecay(lr, ds, rate, stairs),
        lambda step: keras.inverse_time_decay(lr, ds, rate, stairs, step=step),
        _nonnegative(lr),
        whole=_whole(ds),
        knots=((_q(0), _q(ds)),) if stairs else (),
    )


@st.composite
def polynomial_decay(draw: st.DrawFn, rates: st.SearchStrategy[float]) -> Case:
    lr, ds, end, cycle = draw(rates), draw(LENGTHS), draw(rates), draw(st.booleans())
    power = draw(
        st.one_of(st.sampled_from([1.0, 2.0, 3.0, 0.5]), st.floats(0.05, 5.0), st.integers(1, 6))
    )
    return Case(
        PolynomialDecay(lr, ds, end, power, cycle),
        lambda step: keras.polynomial_decay(lr, ds, end, power, cycle, step=step),
        _nonnegative(lr, end),
        whole=_whole(ds),
        knots=((_q(0), _q(ds)) if cycle else (_q(ds), None),),
    )


@st.composite
def piecewise_constant_decay(draw: st.DrawFn, rates: st.SearchStrategy[float]) -> Case:
    bounds = draw(
        st.lists(
            st.one_of(st.integers(0, 10**6), st.integers(0, 10**15), st.floats(0.0, 1e6)),
            min_size=1,
            max_size=5,
            unique=True,
        )
    )
    bounds.sort()
    values = draw(st.lists(rates, min_size=len(bounds) + 1, max_size=len(bounds) + 1))
    return Case(
        PiecewiseConstantDecay(bounds, values),
        lambda step: keras.piecewise_constant_decay(bounds, values, step=step),
        _nonnegative(*values),
        constant_pieces=True,
        whole=_whole(*bounds),
        knots=tuple((_q(bound), None) for bound in bounds),
    )


@st.composite
def cosine_decay(draw: st.DrawFn, rates: st.SearchStrategy[float]) -> Case:
    lr, ds, alpha = draw(rates), draw(LENGTHS), draw(FRACTIONS)
    target: float | None = None
    warmup: int | float = 0
    if draw(st.booleans()):
        target, warmup = draw(rates), draw(st.one_of(WARMUP_LENGTHS, LENGTHS))
    return Case(
        CosineDecay(lr, ds, alpha, warmup_target=target, warmup_steps=warmup),
        lambda step: keras.cosine_decay(lr, ds, alpha, target, warmup, step=step),
        _nonnegative(lr, target),
        whole=_whole(ds, warmup),
        knots=((_q(warmup), None), (_q(warmup) + _q(ds), None)),
    )


#: ``t_mul``: shrinking cycles, growing ones, and 1 exactly; none within
#: :data:`T_MUL_DISTANCE_FROM_ONE` of 1 otherwise.
T_MULS = st.one_of(
    st.floats(0.05, 1 - T_MUL_DISTANCE_FROM_ONE),
    st.floats(1 + T_MUL_DISTANCE_FROM_ONE, 4.0),
    st.sampled_from([1.0, 2.0, 0.5, 1.5]),
)


@st.composite
def cosine_decay_restarts(draw: st.DrawFn, rates: st.SearchStrategy[float]) -> Case:
    lr, first, t_mul = draw(rates), draw(LENGTHS), draw(T_MULS)
    m_mul = draw(st.one_of(st.floats(0.05, 1.5), st.sampled_from([1.0, 0.5])))
    alpha = draw(FRACTIONS)
    starts = []
    for count, start in enumerate(keras.restart_starts(first, t_mul)):
        if count > 40 or start > 2**80:
            break
        starts.append((start, None))
    return Case(
        CosineDecayRestarts(lr, first, t_mul, m_mul, alpha),
        lambda step: keras.cosine_decay_restarts(lr, first, t_mul, m_mul, alpha, step=step),
        _nonnegative(lr),
        whole=_whole(first),
        knots=tuple(starts) if t_mul != 1 else ((_q(0), _q(first)),),
    )


@st.composite
def step_decay(draw: st.DrawFn, rates: st.SearchStrategy[float]) -> Case:
    lr, ds, rate = draw(rates), draw(LENGTHS), draw(DECAY_RATES)
    return Case(
        StepDecay(lr, ds, rate),
        lambda step: fam.step_decay(lr, ds, rate, step=step)[0],
        _nonnegative(lr),
        whole=_whole(ds),
        knots=((_q(0), _q(ds)),),
    )


@st.composite
def multi_step_decay(draw: st.DrawFn, rates: st.SearchStrategy[float]) -> Case:
    lr, rate = draw(rates), draw(DECAY_RATES)
    marks = sorted(draw(st.lists(st.integers(0, 10**12), max_size=6)))
    return Case(
        MultiStepDecay(lr, marks, rate),
        lambda step: fam.multi_step_decay(lr, marks, rate, step=step)[0],
        _nonnegative(lr),
        knots=tuple((_q(mark), None) for mark in marks),
    )


@st.composite
def linear_decay(draw: st.DrawFn, rates: st.SearchStrategy[float]) -> Case:
    lr, ds, end = draw(rates), draw(LENGTHS), draw(rates)
    return Case(
        LinearDecay(lr, ds, end),
        lambda step: fam.linear_decay(lr, ds, end, step=step)[0],
        _nonnegative(lr, end),
        whole=_whole(ds),
        knots=((_q(ds), None),),
    )


@st.composite
def inverse_sqrt_decay(draw: st.DrawFn, rates: st.SearchStrategy[float]) -> Case:
    lr, ds = draw(rates), draw(LENGTHS)
    return Case(
        InverseSqrtDecay(lr, ds),
        lambda step: fam.inverse_sqrt_decay(lr, ds, step=step)[0],
        _nonnegative(lr),
        whole=_whole(ds),
    )


@st.composite
def cyclical_learning_rate(draw: st.DrawFn, rates: st.SearchStrategy[float]) -> Case:
    low, high, up = draw(rates), draw(rates), draw(LENGTHS)
    down = draw(st.one_of(st.none(), LENGTHS))
    mode = draw(st.sampled_from(["triangular", "triangular2", "exp_range"]))
    gamma = 1.0
    if mode == "exp_range":
        gamma = draw(st.one_of(st.floats(0.9, 1.0, exclude_min=True), st.just(0.99999)))
    cycle = _q(up) + _q(up if down is None else down)
    return Case(
        CyclicalLearningRate(low, high, up, down, mode, gamma),
        lambda step: fam.cyclical(low, high, up, down, mode, gamma, step=step)[0],
        _nonnegative(low, high),
        whole=_whole(up, down),
        knots=((_q(0), cycle), (_q(up), cycle)),
    )


@st.composite
def warmup_cosine_decay(draw: st.DrawFn, rates: st.SearchStrategy[float]) -> Case:
    lr0, peak, end = draw(rates), draw(rates), draw(rates)
    warmup, ds = draw(st.one_of(st.just(0), WARMUP_LENGTHS)), draw(LENGTHS)
    exponent = draw(st.one_of(st.sampled_from([1.0, 2.0, 0.5]), st.floats(0.1, 4.0)))
    return Case(
        WarmupCosineDecay(lr0, peak, warmup, ds, end, exponent),
        lambda step: fam.warmup_cosine_decay(lr0, peak, warmup, ds, end, exponent, step=step)[0],
        _nonnegative(lr0, peak, end),
        whole=_whole(ds),
        knots=((_q(warmup), None), (warmup + _q(ds), None)),
    )


SHAPES = st.sampled_from(["linear", "cosine", "1-sqrt"])


@st.composite
def warmup_stable_decay(draw: st.DrawFn, rates: st.SearchStrategy[float]) -> Case:
    lr0, peak, end = draw(rates), draw(rates), draw(rates)
    phases = st.one_of(st.just(0), WARMUP_LENGTHS)
    warmup, stable, decay = draw(phases), draw(phases), draw(phases)
    up, down = draw(SHAPES), draw(SHAPES)
    args = (lr0, peak, warmup, stable, decay, end, up, down)
    return Case(
        WarmupStableDecay(*args),
        lambda step: fam.warmup_stable_decay(*args, step=step)[0],
        _nonnegative(lr0, peak, end),
        knots=tuple((_q(k), None) for k in (warmup, warmup + stable, warmup + stable + decay)),
    )


@st.composite
def piecewise_interpolation(draw: st.DrawFn, rates: st.SearchStrategy[float]) -> Case:
    bounds = draw(
        st.lists(
            st.one_of(st.integers(1, 10**6), st.integers(1, 10**15), st.floats(0.01, 1e6)),
            max_size=5,
            unique=True,
        )
    )
    bounds.sort()
    values = draw(st.lists(rates, min_size=len(bounds) + 1, max_size=len(bounds) + 1))
    kind = draw(st.sampled_from(["linear", "cosine"]))
    return Case(
        PiecewiseInterpolation(bounds, values, kind),
        lambda step: fam.piecewise_interpolation(bounds, values, kind, step=step)[0],
        _nonnegative(*values),
        whole=_whole(*bounds),
        knots=tuple((_q(bound), None) for bound in bounds),
    )


@st.composite
def one_cycle(draw: st.DrawFn, rates: st.SearchStrategy[float]) -> Case:
    peak = draw(rates)
    total = draw(st.one_of(st.integers(3, 1000), st.integers(3, 10**9)))
    three = draw(st.booleans())
    # Valid: the rise ends after step 1 (p * N - 1 > 0), three phases end in time.
    low = 1.5 / total
    pct = draw(st.floats(low, 0.45 if three else 0.95)) if low < 0.45 else 0.45
    strategy = draw(st.sampled_from(["cos", "linear"]))
    div = draw(st.one_of(st.floats(1.5, 1e3), st.just(25.0)))
    final_div = draw(st.one_of(st.floats(1.5, 1e6), st.just(1e4)))
    args = (peak, total, pct, strategy, div, final_div, three)
    ends, _ = fam.one_cycle_knots(peak, total, pct, div, final_div, three)
    return Case(
        OneCycle(*args),
        lambda step: fam.one_cycle(*args, step=step)[0],
        _nonnegative(peak),
        whole=_whole(*ends),
        knots=tuple((_q(end), None) for end in ends),
    )


def constant(value: float) -> Case:
    return Case(
        Constant(value),
        lambda step: fam.constant(value, step=step)[0],
        _nonnegative(value),
        constant_pieces=True,
    )


def family(rates: st.SearchStrategy[float]) -> dict[str, st.SearchStrategy[Case]]:
    """A strategy for each schedule of the family, with rates drawn from ``rates``."""
    return {
        "Constant": rates.map(constant),
        "CosineDecay": cosine_decay(rates),
        "CosineDecayRestarts": cosine_decay_restarts(rates),
        "CyclicalLearningRate": cyclical_learning_rate(rates),
        "ExponentialDecay": exponential_decay(rates),
        "InverseSqrtDecay": inverse_sqrt_decay(rates),
        "InverseTimeDecay": inverse_time_decay(rates),
        "LinearDecay": linear_decay(rates),
        "MultiStepDecay": multi_step_decay(rates),
        "OneCycle": one_cycle(rates),
        "PiecewiseConstantDecay": piecewise_constant_decay(rates),
        "PiecewiseInterpolation": piecewise_interpolation(rates),
        "PolynomialDecay": polynomial_decay(rates),
        "StepDecay": step_decay(rates),
        "WarmupCosineDecay": warmup_cosine_decay(rates),
        "WarmupStableDecay": warmup_stable_decay(rates),
    }
