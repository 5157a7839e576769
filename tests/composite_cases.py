"""Hypothesis strategies for the composites (Warmup, Join, Scale, Clip, Product) over drawn
children.

A child is any schedule of ``schedule_cases.family``, or (one level down) a composite
itself, all with rates of the case's sign; the exact value composes the children's exact
values with ``family_reference``'s composite formulas. :data:`STRATEGIES` has every
exported schedule class.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from hypothesis import reject
from hypothesis import strategies as st
from mpmath import mp

import family_reference as fam
from edit_cases import EDITS
from lrschedule import Clip, Join, Product, Scale, Warmup
from schedule_cases import MAGNITUDES, SIGNED, SIGNS, WARMUP_LENGTHS, Case, family, rates_of

Knots = tuple[tuple[Fraction, Fraction | None], ...]


def _shifted(knots: Knots, offset: int) -> Knots:
    return tuple((start + offset, period) for start, period in knots)


@st.composite
def warmup(
    draw: st.DrawFn, children: st.SearchStrategy[Case], rates: st.SearchStrategy[float]
) -> Case:
    child, steps = draw(children), draw(WARMUP_LENGTHS)
    shape = draw(st.sampled_from(["linear", "cosine", "exponential"]))
    lr0 = draw(MAGNITUDES if shape == "exponential" else rates)
    if shape == "exponential" and not child.schedule(0) > 0:
        shape, lr0 = "linear", draw(rates)  # the exponential shape needs a positive target
    return Case(
        Warmup(child.schedule, steps, lr0, shape),
        lambda step: fam.warmup(child.reference, steps, lr0, shape, step=step)[0],
        child.nonnegative and lr0 >= 0,
        whole=child.whole,
        knots=((Fraction(steps), None), *_shifted(child.knots, steps)),
    )


@st.composite
def join(
    draw: st.DrawFn, children: st.SearchStrategy[Case], rates: st.SearchStrategy[float]
) -> Case:
    parts = draw(st.lists(children, min_size=1, max_size=3))
    gaps = draw(
        st.lists(
            st.one_of(st.integers(1, 1000), st.integers(1, 10**12)),
            min_size=len(parts) - 1,
            max_size=len(parts) - 1,
        )
    )
    bounds = [sum(gaps[: index + 1]) for index in range(len(gaps))]
    offsets = [0, *bounds]
    return Case(
        Join([part.schedule for part in parts], bounds),
        lambda step: fam.join([part.reference for part in parts], bounds, step=step)[0],
        all(part.nonnegative for part in parts),
        constant_pieces=all(part.constant_pieces for part in parts),
        whole=all(part.whole for part in parts),
        knots=tuple(
            knot
            for part, offset in zip(parts, offsets)
            for knot in ((Fraction(offset), None), *_shifted(part.knots, offset))
        ),
    )


@st.composite
def scale(
    draw: st.DrawFn, children: st.SearchStrategy[Case], rates: st.SearchStrategy[float]
) -> Case:
    child, factor = draw(children), draw(SIGNED)
    return Case(
        Scale(child.schedule, factor),
        lambda step: fam.scale(child.reference, factor, step=step)[0],
        child.nonnegative and factor >= 0,
        whole=child.whole,
        knots=child.knots,
    )


@st.composite
def product(
    draw: st.DrawFn, children: st.SearchStrategy[Case], rates: st.SearchStrategy[float]
) -> Case:
    parts = draw(st.lists(children, min_size=1, max_size=2))
    try:
        schedule = Product([part.schedule for part in parts])
    except ValueError:  # largest rates that multiply past the float range
        reject()

    def exact(step: int | float) -> Any:
        with mp.workdps(fam.DPS):
            value = mp.mpf(1)
            for part in parts:
                value *= part.exact(step)
            return value

    return Case(
        schedule,
        exact,
        all(part.nonnegative for part in parts),
        whole=all(part.whole for part in parts),
        knots=tuple(knot for part in parts for knot in part.knots),
        factors=tuple(parts),
    )


@st.composite
def clip(
    draw: st.DrawFn, children: st.SearchStrategy[Case], rates: st.SearchStrategy[float]
) -> Case:
    child = draw(children)
    which = draw(st.sampled_from(["minimum", "maximum", "both"]))
    low = draw(rates) if which != "maximum" else None
    high = draw(rates) if which != "minimum" else None
    if low is not None and high is not None and low > high:
        low, high = high, low
    return Case(
        Clip(child.schedule, low, high),
        lambda step: fam.clip(child.reference, low, high, step=step)[0],
        child.nonnegative and (low is None or low >= 0) and (high is None or high >= 0),
        constant_pieces=child.constant_pieces,
        whole=child.whole,
        knots=child.knots,
    )


COMPOSITES = {"Clip": clip, "Join": join, "Scale": scale, "Warmup": warmup}
#: Composites whose children are drawn from the family only: a product of composites
#: compounds their roundings past the bound.
LEAF_COMPOSITES = {"Product": product}


def strategies(sign: int) -> dict[str, st.SearchStrategy[Case]]:
    """A strategy for every exported schedule class, with rates of that sign."""
    rates = rates_of(sign)
    simple = family(rates)
    leaves = st.one_of(*simple.values())
    # Children: the family, and one level of composites over the family.
    children = st.one_of(leaves, *(make(leaves, rates) for make in COMPOSITES.values()))
    return {
        **simple,
        **{name: make(children, rates) for name, make in COMPOSITES.items()},
        **{name: make(leaves, rates) for name, make in LEAF_COMPOSITES.items()},
        **{name: make(children, rates) for name, make in EDITS.items()},
    }


_BY_SIGN = {sign: strategies(sign) for sign in (1, -1)}


#: A strategy for every exported schedule class, by name: rates of one sign per case.
def _of_sign(name: str) -> st.SearchStrategy[Case]:
    return SIGNS.flatmap(lambda sign: _BY_SIGN[sign][name])


STRATEGIES: dict[str, st.SearchStrategy[Case]] = {name: _of_sign(name) for name in _BY_SIGN[1]}
