"""Hypothesis strategies for the schedule edits and the plateau classes, with exact values.

Each strategy draws a child :class:`~schedule_cases.Case` and composes its exact value
with the documented formula of the class, written here independently of ``src/``:

* ``CoolDown``: the child before ``k``; from ``k`` a decay from ``v = child(k)`` to ``e``
  over ``D`` steps with the weight ``d(p)``, ``p = (t - k) / D`` (linear ``1 - p``, cosine
  ``(1 + cos(pi p)) / 2``, 1-sqrt ``1 - sqrt(p)``, exponential ``v * (e / v) ** p``); ``e``
  from ``k + D`` on.
* ``TrainLonger`` and ``RescaleTime``: the child at the rational inner step ``u(t) = t``
  for ``t < c``, ``c + (t - c) * p / q`` after (``TrainLonger``: ``p / q = (N - c) / (M -
  c)``; ``RescaleTime``: ``c = 0``, ``p / q = 1 / ratio``, the ratio taken as the decimal
  it is written as); a ``WarmupStableDecay`` whose decay has not started by ``c`` is that
  schedule with its plateau lengthened by ``M - N``.
* ``ReduceOnPlateau``: its scale, reached by observing drawn metrics (PyTorch's counting,
  simulated here) or loaded from a drawn state dict.
* ``PlateauScaled``: ``max(child(t) * scale, min(child(t), min_lr))``.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from hypothesis import reject
from hypothesis import strategies as st
from mpmath import mp, mpf

import family_reference as fam
from lrschedule import (
    CoolDown,
    PlateauScaled,
    ReduceOnPlateau,
    RescaleTime,
    TrainLonger,
    WarmupStableDecay,
)
from schedule_cases import MAGNITUDES, Case

Knots = tuple[tuple[Fraction, Fraction | None], ...]

#: Whole step counts of the edits: small, large and huge.
EDIT_STEPS = st.one_of(st.integers(0, 1000), st.integers(0, 10**7), st.integers(0, 10**12))


# ------------------------------------------------------------------ CoolDown
def _decay_weight(shape: str, p: Fraction) -> tuple[mpf, mpf]:
    """``(d(p), 1 - d(p))`` without cancellation, for the linear, cosine and 1-sqrt shapes."""
    with mp.workdps(fam.DPS):
        if shape == "linear":
            return fam.m(1 - p), fam.m(p)
        if shape == "cosine":
            return fam.cos_weight(p), fam.cos_weight(1 - p)
        root = mp.sqrt(fam.m(p))
        return 1 - root, root


def cool_down_value(child: Case, k: int, length: int, end: float, shape: str, step: Any) -> mpf:
    """The written formula of ``CoolDown`` at ``step``, exactly."""
    t = fam.q(step)
    if t < k:
        return child.exact(t)
    if t >= k + length:
        return fam.m(end)
    p = (t - k) / length
    start = child.exact(k)
    with mp.workdps(fam.DPS):
        if shape == "exponential":
            return start * (fam.m(end) / start) ** fam.m(p)
        weight, rest = _decay_weight(shape, p)
        return start * weight + fam.m(end) * rest


@st.composite
def cool_down(
    draw: st.DrawFn, children: st.SearchStrategy[Case], rates: st.SearchStrategy[float]
) -> Case:
    child, k = draw(children), draw(EDIT_STEPS)
    length = draw(st.one_of(st.integers(1, 1000), st.integers(1, 10**12)))
    shape = draw(st.sampled_from(["linear", "cosine", "1-sqrt", "exponential"]))
    start = child.exact(k)
    if not math.isfinite(float(start)):
        reject()  # CoolDown refuses a start it cannot decay from (documented)
    end = draw(MAGNITUDES if shape == "exponential" else rates)
    if shape == "exponential" and not float(start) > 0:
        shape, end = "linear", draw(rates)  # the geometric path needs a positive start
    return Case(
        CoolDown(child.schedule, k, length, end, shape),
        lambda step: cool_down_value(child, k, length, end, shape, step),
        child.nonnegative and end >= 0,
        whole=child.whole,
        knots=(
            *((offset, period) for offset, period in child.knots if offset < k),
            (Fraction(k), None),
            (Fraction(k + length), None),
        ),
    )


# ------------------------------------------------------------------ the stretched clock
def inner_step(step: Any, c: int, ratio: Fraction) -> Any:
    """``u(t)``: ``t`` before ``c``, then ``c + (t - c) * ratio`` (``ratio = p / q``); a
    fractional one at an integer step as it is documented to be given, ``W + f / q`` in
    float64 (``f / q`` rounded, then the sum)."""
    t = fam.q(step)
    if t < c or ratio == 1:
        return step
    u = c + (t - c) * ratio
    if u.denominator == 1:
        return int(u)
    if not isinstance(step, int):
        return u
    whole = math.floor(u)
    return float(whole) + float(u - whole)


def _mapped(knots: Knots, c: int, ratio: Fraction) -> Knots:
    """The child's knots (inner steps) as steps of the stretched clock, and as they are."""
    moved = tuple(
        (
            offset if offset < c else c + (offset - c) / ratio,
            None if period is None else period / ratio,
        )
        for offset, period in knots
    )
    return (*knots, *moved, (Fraction(c), None))


def _longer_plateau(schedule: Any, c: int, extra: int) -> int | None:
    """The lengthened plateau of a ``WarmupStableDecay`` that has not started its decay."""
    if type(schedule) is not WarmupStableDecay:
        return None
    warmup, stable = schedule.warmup_steps, schedule.stable_steps
    longer = stable + extra
    return longer if longer >= 0 and c <= warmup + min(stable, longer) else None


def stretch_of(schedule: Any) -> tuple[int, int, int] | None:
    """``(c, p, q)`` of a stretched clock ``u(t) = c + (t - c) * p / q`` (``p != q``), else
    ``None``."""
    name = type(schedule).__name__
    if name == "RescaleTime":
        ratio = schedule.ratio
        written = Fraction(ratio) if isinstance(ratio, int) else Fraction(repr(float(ratio)))
        c, p, q = 0, written.denominator, written.numerator
    elif name == "TrainLonger":
        c, total, new = schedule.current_step, schedule.total_steps, schedule.new_total_steps
        if _longer_plateau(schedule.schedule, c, new - total) is not None:
            return None
        common = math.gcd(total - c, new - c)
        p, q = (total - c) // common, (new - c) // common
    else:
        return None
    return None if p == q else (c, p, q)


@st.composite
def train_longer(
    draw: st.DrawFn, children: st.SearchStrategy[Case], rates: st.SearchStrategy[float]
) -> Case:
    child, c = draw(children), draw(EDIT_STEPS)
    more = st.one_of(st.integers(1, 1000), st.integers(1, 10**7), st.integers(1, 10**12))
    total, new = c + draw(more), c + draw(more)
    schedule = TrainLonger(child.schedule, c, total, new)
    plateau = _longer_plateau(child.schedule, c, new - total)
    if plateau is not None:
        inner = child.schedule
        args = (
            inner.initial_learning_rate,
            inner.warmup_target,
            inner.warmup_steps,
            plateau,
            inner.decay_steps,
            inner.end_learning_rate,
            inner.warmup_shape,
            inner.decay_shape,
        )
        ends = (args[2], args[2] + plateau, args[2] + plateau + args[4])
        return Case(
            schedule,
            lambda step: fam.warmup_stable_decay(*args, step=step)[0],
            child.nonnegative,
            knots=tuple((Fraction(end), None) for end in ends),
        )
    ratio = Fraction(total - c, new - c)
    return Case(
        schedule,
        lambda step: child.exact(inner_step(step, c, ratio)),
        child.nonnegative,
        whole=child.whole,
        knots=_mapped(child.knots, c, ratio),
    )


#: Ratios of ``RescaleTime``: whole, short decimals, and any float (its shortest repr).
RATIOS = st.one_of(
    st.integers(1, 20),
    st.sampled_from([0.5, 1.5, 1.1, 0.25, 0.1, 2.5, 0.3, 1.0]),
    st.floats(0.01, 100.0).map(lambda x: round(x, 3)).filter(lambda x: x > 0),
    st.floats(0.01, 100.0),
)


@st.composite
def rescale_time(
    draw: st.DrawFn, children: st.SearchStrategy[Case], rates: st.SearchStrategy[float]
) -> Case:
    child, ratio = draw(children), draw(RATIOS)
    written = Fraction(ratio) if isinstance(ratio, int) else Fraction(repr(ratio))
    return Case(
        RescaleTime(child.schedule, ratio),
        lambda step: child.exact(inner_step(step, 0, 1 / written)),
        child.nonnegative,
        whole=child.whole,
        knots=_mapped(child.knots, 0, 1 / written),
    )


# ------------------------------------------------------------------ the plateau
def observed_scale(config: dict[str, Any], metrics: list[float]) -> float:
    """The scale after observing finite ``metrics``: PyTorch's ``ReduceLROnPlateau`` counting
    (better, cooldown, reduce), in the float arithmetic of its documented rule."""
    scale, best, bad, cooling = 1.0, None, 0, 0
    factor, eps, floor = config["factor"], config["eps"], config["min_scale"]
    threshold, rel = config["threshold"], config["threshold_mode"] == "rel"
    for metric in metrics:
        if best is None:
            better = True
        elif config["mode"] == "min":
            better = metric < (best * (1.0 - threshold) if rel else best - threshold)
        else:
            better = metric > (best * (threshold + 1.0) if rel else best + threshold)
        if better:
            best, bad = metric, 0
        else:
            bad += 1
        if cooling > 0:
            cooling, bad = cooling - 1, 0
        if bad > config["patience"]:
            lowered = max(scale * factor, floor)
            if scale - lowered > eps:
                scale = lowered
            cooling, bad = config["cooldown"], 0
    return scale


@st.composite
def plateaus(draw: st.DrawFn, rates: st.SearchStrategy[float]) -> tuple[ReduceOnPlateau, float]:
    """A controller in a drawn state, and its scale."""
    config: dict[str, Any] = {
        "mode": draw(st.sampled_from(["min", "max"])),
        "factor": draw(st.one_of(st.sampled_from([0.1, 0.5, 0.0]), st.floats(0.0, 0.999))),
        "patience": draw(st.integers(0, 3)),
        "threshold": draw(st.sampled_from([1e-4, 0.0, 0.1])),
        "threshold_mode": draw(st.sampled_from(["rel", "abs"])),
        "cooldown": draw(st.integers(0, 2)),
        "min_scale": draw(st.one_of(st.just(0.0), st.floats(1e-30, 1.0), st.just(1.0))),
        "min_lr": draw(st.one_of(st.just(0.0), rates.map(abs))),
        "eps": draw(st.sampled_from([1e-8, 0.0])),
    }
    plateau = ReduceOnPlateau(**config)
    if draw(st.booleans()):
        metrics = draw(
            st.lists(st.one_of(st.sampled_from([1.0, 2.0, 0.5]), st.floats(-1e3, 1e3)), max_size=30)
        )
        for metric in metrics:
            plateau.observe(metric)
        return plateau, observed_scale(config, metrics)
    scale = draw(st.floats(config["min_scale"], 1.0))
    plateau.load_state_dict(
        {
            "mode": config["mode"],
            "scale": scale,
            "best": draw(st.one_of(st.none(), st.floats(-1e3, 1e3))),
            "num_bad_epochs": draw(st.integers(0, config["patience"])),
            "cooldown_counter": draw(st.integers(0, config["cooldown"])),
            "reductions": draw(st.integers(0, 50)),
            "count": draw(st.integers(0, 100)),
        }
    )
    return plateau, scale


@st.composite
def reduce_on_plateau(
    draw: st.DrawFn, children: st.SearchStrategy[Case], rates: st.SearchStrategy[float]
) -> Case:
    plateau, scale = draw(plateaus(rates))
    return Case(plateau, lambda step: fam.m(scale), True, constant_pieces=True)


def plateau_value(child: Case, scale: float, floor: float, step: Any) -> mpf:
    """``max(child(t) * scale, min(child(t), min_lr))`` (``min_lr = 0``: no floor)."""
    value = child.exact(step)
    with mp.workdps(fam.DPS):
        scaled = value * fam.m(scale)
        return scaled if floor == 0 else max(scaled, min(value, fam.m(floor)))


@st.composite
def plateau_scaled(
    draw: st.DrawFn, children: st.SearchStrategy[Case], rates: st.SearchStrategy[float]
) -> Case:
    child = draw(children)
    plateau, scale = draw(plateaus(rates))
    floor = plateau.min_lr
    return Case(
        PlateauScaled(child.schedule, plateau),
        lambda step: plateau_value(child, scale, floor, step),
        child.nonnegative,
        whole=child.whole,
        knots=child.knots,
        # A product: the schedule's value is computed in the result dtype, then scaled.
        factors=(child,),
    )


EDITS = {
    "CoolDown": cool_down,
    "PlateauScaled": plateau_scaled,
    "ReduceOnPlateau": reduce_on_plateau,
    "RescaleTime": rescale_time,
    "TrainLonger": train_longer,
}
