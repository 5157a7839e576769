"""Every exported schedule on every backend and step dtype: finite, non-negative where the
configuration is, and within the documented accuracy of the exact value.

For each schedule class and each backend of :data:`backend_steps.BACKENDS` (Python int
and float; NumPy int64, float32, float64; PyTorch int64, float32; JAX int32, float32;
TensorFlow int64, float32), hypothesis draws a valid configuration (``schedule_cases``,
``composite_cases``) and a batch of steps of the backend's dtype: small ones, ones
anywhere up to the dtype's limit (or 2**80), the dtype's largest, and ones at and next to
the schedule's breakpoints (``schedule.breakpoints``) and the exact steps where its
formula changes. Each value must be

* finite where the exact value is within the result dtype's range (infinite beyond);
* >= 0 when every rate argument of the configuration is;
* within the backend's documented bound (``backend_steps``) of the exact 60-digit value.
  The references decide every stair (staircase floors, milestones, boundaries,
  restarts) with exact arithmetic at the exact step, so a stair taken a step early or
  late fails unless the two stairs are within the bound of each other; and a schedule
  whose values are its arguments unchanged (``PiecewiseConstantDecay``, ``Constant``,
  ``Join``/``Clip`` of them) must give that argument rounded to the result dtype, exactly.

The inputs are the same every run (derandomized, no example database). Other budgets:
``LRSCHEDULE_PROPERTY_EXAMPLES=N`` (examples per schedule and backend) and
``LRSCHEDULE_PROPERTY_SEED=S`` (other inputs, drawn from seed S);
``LRSCHEDULE_PROPERTY_SHRINK=0`` reports each failure as found (faster, not minimal).
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from backend_steps import BACKENDS, PYTHON_INT_MAX, Backend, in_range, tolerance
from composite_cases import STRATEGIES
from conftest import exported_schedule_classes
from edit_cases import stretch_of
from schedule_cases import FRACTIONAL_MAX_STEP, Case

#: Examples per schedule and backend (CI's budget by default).
EXAMPLES = int(os.environ.get("LRSCHEDULE_PROPERTY_EXAMPLES", "10"))
#: A seed draws other inputs; without one every run draws the same (derandomized).
SEED = os.environ.get("LRSCHEDULE_PROPERTY_SEED")
#: ``LRSCHEDULE_PROPERTY_SHRINK=0`` reports failures as found, without shrinking them.
SHRINK = os.environ.get("LRSCHEDULE_PROPERTY_SHRINK", "1") != "0"
#: Steps per example (one call of the backend).
STEPS = 8


def budget(test: Callable[..., None]) -> Callable[..., None]:
    configured = settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=SEED is None,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
        phases=list(Phase) if SHRINK else [Phase.explicit, Phase.generate],
    )(test)
    return seed(int(SEED))(configured) if SEED is not None else configured


# ------------------------------------------------------------------------ steps
#: In float32 (JAX without x64) a fractional length divides a step exactly while the quotient
#: is a whole float32 number (documented): steps up to 2**23 keep it so for lengths >= 1/2.
FLOAT32_FRACTIONAL_MAX_STEP = 2**23


def _top(case: Case, backend: Backend) -> int | float:
    """The largest step drawn: the dtype's, or the documented reach of a fractional length."""
    if case.whole:
        return backend.max_step
    if backend.name.startswith("jax"):
        return min(backend.max_step, FLOAT32_FRACTIONAL_MAX_STEP)
    return min(backend.max_step, FRACTIONAL_MAX_STEP)


def _anywhere(top: int | float) -> st.SearchStrategy[Fraction]:
    """A step spread over the magnitudes up to ``top`` (log-uniform bits)."""
    bits = int(top).bit_length()
    return st.integers(0, bits).flatmap(lambda b: st.integers(0, min(2**b, int(top))).map(Fraction))


@st.composite
def _landmark(draw: st.DrawFn, case: Case, top: int | float) -> Fraction:
    """A step where something happens: a breakpoint, a knot, the top, or none."""
    where = draw(st.sampled_from(["small", "anywhere", "breakpoint", "knot", "top"]))
    if where == "small":
        return draw(st.one_of(st.integers(0, 1000).map(Fraction), st.fractions(0, 1000)))
    if where == "top":
        return Fraction(int(top)) - draw(st.integers(0, 2))
    if where == "breakpoint":
        start = int(draw(_anywhere(top)))
        points = list(itertools.islice(case.schedule.breakpoints(start, int(top) + 1), 3))
        if points:
            return Fraction(draw(st.sampled_from(points)))
    if where == "knot" and case.knots:
        offset, period = draw(st.sampled_from(case.knots))
        if period is not None:
            most = max(0, math.floor((Fraction(int(top)) - offset) / period))
            offset += period * draw(st.one_of(st.integers(0, min(most, 3)), st.integers(0, most)))
        if offset <= top:
            return offset
    return draw(_anywhere(top))


def _float_near(point: Fraction, dtype: Any, move: int) -> float:
    """The float of ``dtype`` nearest ``point``, moved ``move`` floats up or down."""
    x = dtype(float(point))
    direction = dtype(math.inf if move > 0 else -math.inf)
    for _ in range(abs(move)):
        x = np.nextafter(x, direction)
    return float(x)


@st.composite
def step_batches(draw: st.DrawFn, case: Case, backend: Backend) -> list[int | float]:
    """``STEPS`` steps of the backend's dtype, at and next to the landmarks of ``case``."""
    top = _top(case, backend)
    if backend.step == "float32" and type(case.schedule).__name__ in ("Warmup", "Join", "CoolDown"):
        # A child (a cool-down's decay) runs on the step minus its start: past 2**24 that
        # difference has no float32 value (2**80 - 1 is 2**80), so it sees a rounded step.
        # Inherent to float32 steps; the suite checks shifted clocks where it is exact.
        top = min(top, 2.0**24)
    stretch = stretch_of(case.schedule)
    # A stretched clock gives a fractional inner step to its schedule rounded, as documented:
    # on integer steps W + f / q in float64 (the references do the same), but on float steps
    # as c + (t - c) * p / q and on JAX in float32. There the steps are ones with a whole
    # inner step (t - c a multiple of q) where (t - c) * p is exact in the compute float; so
    # too on integer steps where p * q has no integer of the dtype (the split is in floats).
    snap = stretch is not None and (
        backend.step != "int"
        or backend.name.startswith("jax")
        or (backend.max_step < PYTHON_INT_MAX and stretch[1] * stretch[2] > backend.max_step)
    )
    # On integer steps W + f / q keeps a stair exact while W * q < 2**52 (documented): past
    # that (from t - c >= 2**52 / (p * q), a bound below it) the steps are ones with a whole
    # inner step, exact at any size.
    snap_from = 0 if snap or stretch is None else stretch[0] + 2**52 // (stretch[1] * stretch[2])
    if stretch is not None and not case.whole:
        # A fractional length is exact up to FRACTIONAL_MAX_STEP: so is the inner step.
        c, p, q = stretch
        top = min(top, c + max(FRACTIONAL_MAX_STEP - c, 0) * q // p)
    if stretch is not None and backend.step == "int" and backend.max_step < PYTHON_INT_MAX:
        # Past the last step whose whole inner step fits the integer dtype the inner step is
        # a float, rounded as documented (to 2**11 steps near 2**63): not exact there.
        c, p, q = stretch
        top = min(top, c + (backend.max_step - c) // p * q) if p > q else top
    if snap and stretch is not None:
        c, p, q = stretch
        exact_below = (
            2**24 if backend.name.startswith("jax") or backend.step == "float32" else 2**53
        )
        # c + (t - c) * p / q exact: (t - c) // q laps of p, plus c, below it.
        laps = max(exact_below - c, 0) // p
        top = min(top, c + laps * q, *([exact_below] if backend.step != "int" else []))
    steps: list[int | float] = []
    for _ in range(STEPS):
        point = draw(_landmark(case, top))
        if backend.step == "int":
            nudge = draw(st.sampled_from([-1, 0, 0, 1]))
            value: int | float = math.floor(point) + nudge
        else:
            dtype = np.float32 if backend.step == "float32" else np.float64
            how = draw(st.sampled_from(["near", "half", "ulp"]))
            if how == "ulp":
                value = _float_near(point, dtype, draw(st.sampled_from([-2, -1, 0, 1, 2])))
            elif how == "half":
                value = float(point + draw(st.sampled_from([Fraction(-1, 2), Fraction(1, 2)])))
            else:
                value = float(point)
        value = min(value, top)
        if stretch is not None and value >= max(stretch[0], snap_from) and (snap or snap_from):
            c, _, q = stretch
            value = type(value)(c + (math.floor(value) - c) // q * q)
        steps.append(backend.representable(value))
    return steps


# ------------------------------------------------------------------------ check
def _exactly(backend: Backend, exact: float) -> float:
    """The exact value rounded to the result dtype."""
    if backend.result == "float64":
        return exact
    with np.errstate(over="ignore"):
        return float(np.float32(exact))


def failures(case: Case, backend: Backend, steps: list[int | float]) -> list[str]:
    """What is wrong with the backend's values of ``case`` at ``steps``, described."""
    values = backend.run(case.schedule, steps)
    found = []
    for step, value in zip(steps, values.tolist()):
        exact = float(case.exact(step))
        problems = []
        factors = [float(factor.exact(step)) for factor in case.factors]
        if not all(in_range(backend, factor) for factor in factors):
            # A factor past the dtype's range is its infinity, and so is the product (0 if
            # another factor is 0).
            if math.isinf(value) or value == 0.0 == min(map(abs, factors)):
                continue
            if type(case.schedule).__name__ != "PlateauScaled":
                found.append(f"step={step!r}: got {value!r}: a factor is past the range")
                continue
            # A PlateauScaled computes its schedule in the compute float: in float64 (all
            # but JAX) a schedule past float32's range scaled back into it is that value.
        if in_range(backend, exact):
            if not math.isfinite(value):
                problems.append("not finite")
        elif value != _exactly(backend, exact):
            problems.append("not the infinity of the exact value beyond the dtype's range")
        if case.nonnegative and not value >= 0:
            problems.append("negative")
        if case.constant_pieces:
            flushed = backend.flush and abs(exact) < 2.0**-126 and value == 0
            if value != _exactly(backend, exact) and not flushed:
                problems.append("not the argument exactly")
        if in_range(backend, exact):
            error, bound = abs(value - exact), tolerance(backend, case.schedule, exact)
            if not error <= bound:
                problems.append(f"off by {error / bound:.3g}x the bound")
        if problems:
            found.append(f"step={step!r}: got {value!r}, exact {exact!r}: {', '.join(problems)}")
    return found


def test_every_exported_schedule_has_a_strategy() -> None:
    assert set(STRATEGIES) == {cls.__name__ for cls in exported_schedule_classes()}


@pytest.mark.parametrize("backend", list(BACKENDS))
@pytest.mark.parametrize("name", sorted(STRATEGIES))
@budget
@given(data=st.data())
def test_values_are_finite_signed_and_within_the_bound(
    name: str, backend: str, data: st.DataObject
) -> None:
    case = data.draw(STRATEGIES[name], label="case")
    chosen = BACKENDS[backend]
    steps = data.draw(step_batches(case, chosen), label="steps")
    found = failures(case, chosen, steps)
    assert not found, f"{case.schedule!r} on {backend}:\n" + "\n".join(found)
