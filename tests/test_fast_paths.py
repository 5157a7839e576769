"""Every schedule's Python-int fast path gives its array formula's value, bit for bit.

A schedule computes a non-negative Python ``int`` step inline in ``__call__`` and every
other step through ``_compute(x, ops)``, the formula that NumPy, PyTorch, JAX and
TensorFlow steps (and Python floats) evaluate. The two are written separately, so here
they are held to the same float, ``float.hex`` for ``float.hex``, on random configurations
of every exported class (fractional and huge spans, rates above and below 1, each flag
both ways, composites of several children) and on random steps: small ones, the steps
around the schedule's breakpoints, steps up to ``2**62`` and far beyond. Where one path
raises, the other must raise the same error. A new exported class without a generator
here fails :func:`test_every_exported_class_has_a_generator`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from itertools import islice
from typing import Any

import pytest

from conftest import exported_schedule_classes
from lrschedule import (
    Clip,
    Constant,
    CoolDown,
    CosineDecay,
    CosineDecayRestarts,
    CyclicalLearningRate,
    ExponentialDecay,
    InverseSqrtDecay,
    InverseTimeDecay,
    Join,
    LearningRateSchedule,
    LinearDecay,
    MultiStepDecay,
    OneCycle,
    PiecewiseConstantDecay,
    PiecewiseInterpolation,
    PlateauScaled,
    PolynomialDecay,
    Product,
    ReduceOnPlateau,
    RescaleTime,
    Scale,
    StepDecay,
    TrainLonger,
    Warmup,
    WarmupCosineDecay,
    WarmupStableDecay,
)
from lrschedule.backends.python import PYTHON_OPS

CONFIGS = 40
#: Steps per configuration; all but the few dozen around breakpoints are random.
STEPS = 300

Generator = Callable[[random.Random], LearningRateSchedule]


# ------------------------------------------------------------------ parameters
def _rate(rng: random.Random) -> float:
    """A learning rate: a usual one, or any magnitude from 1e-9 to 10 (now and then < 0)."""
    if rng.random() < 0.4:
        return rng.choice([0.1, 1e-3, 3e-4, 1.0, 0.05, 2.0])
    value = 10 ** rng.uniform(-9, 1)
    return -value if rng.random() < 0.1 else value


def _positive_rate(rng: random.Random) -> float:
    return abs(_rate(rng))


def _span(rng: random.Random) -> int | float:
    """A number of steps > 0: whole or fractional, shorter than a step, or huge."""
    kind = rng.randrange(7)
    if kind == 0:
        return rng.randint(1, 10)
    if kind == 1:
        return rng.randint(11, 100_000)
    if kind == 2:
        return rng.uniform(0.05, 1.0)
    if kind == 3:
        return rng.choice([2.5, 0.1, 7.5, 33.3, 1e3 + 0.5])
    if kind == 4:
        return rng.uniform(1.0, 1e5)
    if kind == 5:
        return rng.choice([2**40 + 1, 10**15 + 7, 3**40, rng.randint(2**53, 2**70)])
    return rng.uniform(1e15, 1e22)


def _whole(rng: random.Random, low: int = 0) -> int:
    """A whole number of steps >= ``low``."""
    kind = rng.randrange(4)
    if kind == 0:
        return rng.randint(max(low, 0), 10)
    if kind == 1:
        return rng.randint(max(low, 11), 10_000)
    if kind == 2:
        return rng.choice([max(low, 1), 100, 1000, 2**31 - 1])
    return rng.randint(2**40, 2**62)


def _factor(rng: random.Random) -> float:
    """A decay factor > 0: below 1, 1 itself, or above 1."""
    if rng.random() < 0.6:
        return rng.choice([0.96, 0.5, 0.1, 0.99994, 1.0, 1.0001, 1.5, 2.0, 1e-3])
    return rng.uniform(0.01, 3.0)


def _fraction(rng: random.Random) -> float:
    return rng.choice([0.0, 0.1, 0.01, 0.5, 1.0, rng.random(), rng.uniform(1.0, 2.0)])


def _increasing(rng: random.Random, count: int, low: int = 1) -> list[int]:
    bounds, total = [], 0
    for _ in range(count):
        total += _whole(rng, low)
        bounds.append(total)
    return bounds


# ------------------------------------------------------------------ generators
def _exponential(rng: random.Random) -> LearningRateSchedule:
    return ExponentialDecay(_rate(rng), _span(rng), _factor(rng), rng.random() < 0.5)


def _inverse_time(rng: random.Random) -> LearningRateSchedule:
    rate = rng.choice([0.0, 0.5, 1.0, 10.0, rng.uniform(0.0, 100.0)])
    return InverseTimeDecay(_rate(rng), _span(rng), rate, rng.random() < 0.5)


def _polynomial(rng: random.Random) -> LearningRateSchedule:
    lr0, end = _rate(rng), _rate(rng) * rng.choice([0.0, 0.01, 0.5, 1.0, 10.0])
    power = rng.choice([0.0, 0.5, 1.0, 2.0, 3.7, rng.uniform(0.0, 5.0)])
    return PolynomialDecay(lr0, _span(rng), end, power, rng.random() < 0.5)


def _piecewise_constant(rng: random.Random) -> LearningRateSchedule:
    count = rng.randint(0, 5)
    if rng.random() < 0.5:
        bounds: list[int | float] = list(_increasing(rng, count))
    else:
        start = rng.uniform(-10.0, 100.0)
        bounds = sorted({start + rng.uniform(0.0, 1e4) for _ in range(count)})
    return PiecewiseConstantDecay(bounds, [_rate(rng) for _ in range(len(bounds) + 1)])


def _cosine(rng: random.Random) -> LearningRateSchedule:
    if rng.random() < 0.5:
        return CosineDecay(_rate(rng), _span(rng), _fraction(rng))
    warmup = rng.choice([0, _whole(rng), rng.uniform(0.0, 1000.0)])
    return CosineDecay(
        _rate(rng), _span(rng), _fraction(rng), warmup_target=_rate(rng), warmup_steps=warmup
    )


def _restarts(rng: random.Random) -> LearningRateSchedule:
    t_mul = rng.choice([1.0, 2.0, 0.5, 0.9, 1.5, 3.0, rng.uniform(0.2, 3.0)])
    m_mul = rng.choice([1.0, 0.9, 0.5, 0.0, 1.1, rng.uniform(0.0, 2.0)])
    return CosineDecayRestarts(_rate(rng), _span(rng), t_mul, m_mul, _fraction(rng))


def _cyclical(rng: random.Random) -> LearningRateSchedule:
    mode = rng.choice(["triangular", "triangular2", "exp_range"])
    gamma = rng.choice([0.99994, 0.9, 1.0, 0.5]) if mode == "exp_range" else 1.0
    down = None if rng.random() < 0.4 else _span(rng)
    return CyclicalLearningRate(_rate(rng), _rate(rng), _span(rng), down, mode, gamma)


def _inverse_sqrt(rng: random.Random) -> LearningRateSchedule:
    return InverseSqrtDecay(_rate(rng), _span(rng))


def _linear(rng: random.Random) -> LearningRateSchedule:
    return LinearDecay(_rate(rng), _span(rng), rng.choice([0.0, _rate(rng)]))


def _step(rng: random.Random) -> LearningRateSchedule:
    return StepDecay(_rate(rng), _span(rng), _factor(rng))


def _multi_step(rng: random.Random) -> LearningRateSchedule:
    pool = [0, *_increasing(rng, 3)]
    marks = sorted(rng.choice(pool) for _ in range(rng.randint(0, 6)))
    return MultiStepDecay(_rate(rng), marks, _factor(rng))


def _one_cycle(rng: random.Random) -> LearningRateSchedule:
    while True:
        total = rng.choice([rng.randint(2, 100), rng.randint(101, 10**6), _whole(rng, 2)])
        three = rng.random() < 0.5
        try:
            return OneCycle(
                _positive_rate(rng),
                total,
                rng.uniform(0.01, 0.99),
                rng.choice(["cos", "linear"]),
                rng.choice([25.0, 10.0, 1.0, 0.5, rng.uniform(0.1, 100.0)]),
                rng.choice([1e4, 1.0, 0.3, rng.uniform(0.1, 1e5)]),
                three,
            )
        except ValueError:  # pct_start * total_steps too small (or too large for 3 phases)
            continue


def _interpolation(rng: random.Random) -> LearningRateSchedule:
    count = rng.randint(0, 5)
    if rng.random() < 0.5:
        bounds: list[int | float] = list(_increasing(rng, count))
    else:
        bounds = sorted({rng.uniform(0.01, 1e4) for _ in range(count)})
    values = [_rate(rng) for _ in range(len(bounds) + 1)]
    return PiecewiseInterpolation(bounds, values, rng.choice(["linear", "cosine"]))


def _warmup_cosine(rng: random.Random) -> LearningRateSchedule:
    exponent = rng.choice([1.0, 2.0, 0.5, rng.uniform(0.1, 4.0)])
    return WarmupCosineDecay(
        _rate(rng), _rate(rng), _whole(rng), _span(rng), rng.choice([0.0, _rate(rng)]), exponent
    )


def _wsd(rng: random.Random) -> LearningRateSchedule:
    shapes = ["linear", "cosine", "1-sqrt"]
    return WarmupStableDecay(
        _rate(rng),
        _rate(rng),
        _whole(rng),
        _whole(rng),
        _whole(rng),
        rng.choice([0.0, _rate(rng)]),
        rng.choice(shapes),
        rng.choice(shapes),
    )


def _constant(rng: random.Random) -> LearningRateSchedule:
    return Constant(_rate(rng))


def _child(rng: random.Random, depth: int) -> LearningRateSchedule:
    """Any schedule, a composite only above ``depth`` 0 (so that nesting stays shallow)."""
    names = sorted(LEAVES) if depth <= 0 else sorted(GENERATORS)
    name = rng.choice(names)
    if name in COMPOSITES:
        return COMPOSITES[name](rng, depth - 1)
    return LEAVES[name](rng)


def _warmup(rng: random.Random, depth: int = 1) -> LearningRateSchedule:
    child = _child(rng, depth)
    shape = rng.choice(["linear", "cosine", "exponential"])
    lr0 = rng.choice([0.0, _rate(rng)])
    if shape == "exponential":
        if not child(0) > 0:
            shape = "linear"
        lr0 = _positive_rate(rng)
    return Warmup(child, rng.choice([0, _whole(rng)]), lr0, shape)


def _join(rng: random.Random, depth: int = 1) -> LearningRateSchedule:
    children = [_child(rng, depth) for _ in range(rng.randint(1, 4))]
    return Join(children, _increasing(rng, len(children) - 1))


def _scale(rng: random.Random, depth: int = 1) -> LearningRateSchedule:
    return Scale(_child(rng, depth), rng.choice([0.5, 2.0, -1.0, 1e-3, rng.uniform(-10, 10)]))


def _product(rng: random.Random, depth: int = 1) -> LearningRateSchedule:
    return Product([_child(rng, depth) for _ in range(rng.randint(1, 3))])


def _clip(rng: random.Random, depth: int = 1) -> LearningRateSchedule:
    low, high = sorted([_rate(rng), _rate(rng)])
    kind = rng.randrange(3)
    minimum = None if kind == 1 else low
    maximum = None if kind == 0 else high
    return Clip(_child(rng, depth), minimum, maximum)


def _plateau(rng: random.Random) -> ReduceOnPlateau:
    """A controller that has observed a few metrics (its scale below 1, or not)."""
    plateau = ReduceOnPlateau(factor=rng.choice([0.1, 0.5, 0.9]), patience=rng.randint(0, 2))
    for _ in range(rng.randint(0, 8)):
        plateau.observe(1.0)
    return plateau


def _plateau_scaled(rng: random.Random, depth: int = 1) -> LearningRateSchedule:
    plateau = _plateau(rng)
    child = _child(rng, depth)
    floor = rng.choice([0.0, abs(_rate(rng))])
    return PlateauScaled(child, ReduceOnPlateau(**{**plateau.get_config(), "min_lr": floor}))


def _cool_down(rng: random.Random, depth: int = 1) -> LearningRateSchedule:
    child = _child(rng, depth)
    start, length = _whole(rng), _whole(rng, 1)
    shape = rng.choice(["linear", "cosine", "1-sqrt", "exponential"])
    end = rng.choice([0.0, _rate(rng)])
    if not math.isfinite(child(start)):  # a growing rate past the float range
        start = 0
    if shape == "exponential":
        if not child(start) > 0:
            shape = "cosine"
        end = _positive_rate(rng)
    return CoolDown(child, start, length, end, shape)


def _train_longer(rng: random.Random, depth: int = 1) -> LearningRateSchedule:
    current = _whole(rng)
    total = current + _whole(rng, 1)
    return TrainLonger(_child(rng, depth), current, total, current + _whole(rng, 1))


def _rescale_time(rng: random.Random, depth: int = 1) -> LearningRateSchedule:
    ratio = rng.choice([2.0, 0.5, 1.5, 3.0, rng.uniform(0.01, 100.0)])
    return RescaleTime(_child(rng, depth), ratio)


LEAVES: dict[str, Generator] = {
    "Constant": _constant,
    "CosineDecay": _cosine,
    "CosineDecayRestarts": _restarts,
    "CyclicalLearningRate": _cyclical,
    "ExponentialDecay": _exponential,
    "InverseSqrtDecay": _inverse_sqrt,
    "InverseTimeDecay": _inverse_time,
    "LinearDecay": _linear,
    "MultiStepDecay": _multi_step,
    "OneCycle": _one_cycle,
    "PiecewiseConstantDecay": _piecewise_constant,
    "PiecewiseInterpolation": _interpolation,
    "PolynomialDecay": _polynomial,
    "ReduceOnPlateau": _plateau,
    "StepDecay": _step,
    "WarmupCosineDecay": _warmup_cosine,
    "WarmupStableDecay": _wsd,
}
COMPOSITES: dict[str, Callable[[random.Random, int], LearningRateSchedule]] = {
    "Clip": _clip,
    "CoolDown": _cool_down,
    "Join": _join,
    "PlateauScaled": _plateau_scaled,
    "Product": _product,
    "RescaleTime": _rescale_time,
    "Scale": _scale,
    "TrainLonger": _train_longer,
    "Warmup": _warmup,
}
GENERATORS: dict[str, Generator] = {**LEAVES, **COMPOSITES}


# ------------------------------------------------------------------ steps
def _steps(rng: random.Random, schedule: LearningRateSchedule) -> list[int]:
    """``STEPS`` steps: both sides of breakpoints near 0 and far out, and random ones."""
    steps = [0, 1, 2, 2**53, 2**53 + 1, 2**62, 10**30]
    marks = list(islice(schedule.breakpoints(0, 2**62), 8))
    for start in (rng.randrange(2**20, 2**53), rng.randrange(2**53, 2**62)):
        marks.extend(islice(schedule.breakpoints(start, 2**63), 2))
    for mark in marks:
        steps.extend((mark - 1, mark, mark + 1))
    while len(steps) < STEPS:
        kind = rng.randrange(6)
        if kind == 0:
            steps.append(rng.randrange(2000))
        elif kind == 1:
            steps.append(rng.randrange(2**53))
        elif kind == 2:
            steps.append(rng.randrange(2**53, 2**62 + 1))
        elif kind == 3:
            steps.append(2 ** rng.randrange(20, 63) + rng.randrange(-3, 4))
        elif kind == 4:
            steps.append(rng.randrange(2**62, 10**30))
        else:
            steps.append(rng.randrange(10**30, 2**1000))
    # A stretched clock runs its schedule up to p / q times faster: its inner steps stay
    # below 2**1000 (where a float step ends), as the steps of every other schedule do.
    limit = 2**1000 // _speed(schedule)
    return [step for step in steps[:STEPS] if step < limit]


def _speed(schedule: Any) -> int:
    """How many times faster than the step the innermost clock of ``schedule`` may run."""
    children = [*getattr(schedule, "schedules", ()), getattr(schedule, "schedule", None)]
    fastest = max((_speed(child) for child in children if child is not None), default=1)
    if isinstance(schedule, (TrainLonger, RescaleTime)):
        return fastest * math.ceil(schedule._p / schedule._q)
    return fastest


# ------------------------------------------------------------------ comparison
def general(schedule: Any, step: int) -> float:
    """The array formula over the Python-number primitives (as a Python ``float`` step is
    evaluated; an array step takes the same formula with its library's primitives)."""
    result: float = PYTHON_OPS.finish(schedule._compute(PYTHON_OPS.prepare(step), PYTHON_OPS), step)
    return result


def _outcome(function: Callable[[Any, int], Any], schedule: Any, step: int) -> str:
    """``float.hex`` of the value, or the error raised (type and message)."""
    try:
        value = function(schedule, step)
    except (ValueError, OverflowError, ZeroDivisionError) as error:
        return f"{type(error).__name__}: {error}"
    assert type(value) is float, (schedule, step, value)
    assert not math.isnan(value), (schedule, step)
    return value.hex()


def _fast(schedule: Any, step: int) -> Any:
    return schedule(step)


def test_every_exported_class_has_a_generator() -> None:
    assert set(GENERATORS) == {cls.__name__ for cls in exported_schedule_classes()}


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_fast_path_is_the_array_formula_bit_for_bit(name: str) -> None:
    mismatches = []
    for index in range(CONFIGS):
        rng = random.Random(f"{name}-{index}")
        schedule = GENERATORS[name](rng)
        assert type(schedule).__name__ == name
        for step in _steps(rng, schedule):
            fast, array = _outcome(_fast, schedule, step), _outcome(general, schedule, step)
            if fast != array:
                mismatches.append(f"{schedule!r} at step {step}: fast {fast}, array {array}")
    assert not mismatches, f"{len(mismatches)} mismatches:\n" + "\n".join(mismatches[:10])


#: Smallest cases found by the test above, one per way the two paths have differed.
PINNED = [
    (ExponentialDecay(0.1, 1000, 0.96), 1140),  # exponent 1140 / 1000 against 1 + 140 / 1000
    (InverseTimeDecay(0.1, 1000, 0.5), 1118),
    (ExponentialDecay(0.1, 1000, 0.96), 48994),  # past the direct limit: the split power
    (LinearDecay(0.1, 2**53 + 1), 1),  # a span beyond 2**53
    (Warmup(Constant(0.1), 10**17), 2**53 + 5),
    (PolynomialDecay(0.1, 3, 0.0, 0.5, cycle=True), 2**53 + 5),
    (CyclicalLearningRate(0.0, 1.0, 10**17), 2**53 + 5),
]


@pytest.mark.parametrize(("schedule", "step"), PINNED, ids=lambda value: repr(value)[:60])
def test_fast_path_is_the_array_formula_on_pinned_cases(schedule: Any, step: int) -> None:
    assert _outcome(_fast, schedule, step) == _outcome(general, schedule, step)
