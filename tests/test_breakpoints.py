"""``schedule.breakpoints(start, stop)`` for every schedule class, against a brute force.

For each class, ``PIECE[name](schedule, step)`` is an independent piece index written from
the class's documented formula with exact arithmetic (``Fraction``, integer division, the
cycle starts of ``tests/reference.py``): a breakpoint is a step whose piece differs from
the previous step's. The expected breakpoints of ``[0, n)`` are found by walking every
step, and compared with what the schedule yields, whole and over sub-ranges. Every class
that ``lrschedule`` exports must have a piece index here and examples below: a new class
without them fails ``test_every_exported_class_is_covered``.

The analysis relies on one more property, checked here by brute force too: between two
consecutive breakpoints the schedule is monotone (for every class that
``lrschedule.analysis`` treats as such).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Hashable
from fractions import Fraction
from itertools import islice, pairwise
from typing import Any

import pytest
from tests.reference import restart_cycle

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
    PolynomialDecay,
    Product,
    RescaleTime,
    Scale,
    StepDecay,
    TrainLonger,
    Warmup,
    WarmupCosineDecay,
    WarmupStableDecay,
)

Piece = Callable[[Any, int], Hashable]


def _q(value: float | int) -> Fraction:
    return Fraction(value)


def _stairs(schedule: Any, step: int) -> Hashable:
    if not schedule.staircase:
        return 0
    return math.floor(Fraction(step) / _q(schedule.decay_steps))


def _piecewise_constant(schedule: Any, step: int) -> Hashable:
    # values[i] while b[i-1] < step <= b[i]: the index counts the boundaries below the step.
    return sum(1 for bound in schedule.boundaries if _q(bound) < step)


def _polynomial(schedule: Any, step: int) -> Hashable:
    steps = _q(schedule.decay_steps)
    if not schedule.cycle:
        return step >= steps
    # Span k holds the steps in (k * T, (k + 1) * T]; step 0 starts span 0.
    return 0 if step == 0 else math.ceil(step / steps) - 1


def _cosine(schedule: Any, step: int) -> Hashable:
    warmup = _q(schedule.warmup_steps) if schedule.warmup_target is not None else Fraction(0)
    if step < warmup:
        return "warmup"
    return "decay" if step - warmup < _q(schedule.decay_steps) else "hold"


def _restarts(schedule: Any, step: int) -> Hashable:
    cycle = restart_cycle(schedule.first_decay_steps, schedule.t_mul, step)
    return "floor" if cycle is None else cycle[0]


def _cyclic(schedule: Any, step: int) -> Hashable:
    up = _q(schedule.step_size_up)
    down = _q(schedule.step_size_down if schedule.step_size_down is not None else up)
    cycle, into = divmod(Fraction(step), up + down)
    return (cycle, into <= up)  # rising while r <= step_size_up, falling after


def _one_cycle_knots(schedule: Any) -> list[float]:
    # PyTorch's phase ends: float(pct_start * N) - 1, float(2 * pct_start * N) - 2, N - 1.
    total, fraction = schedule.total_steps, schedule.pct_start
    knots = [float(fraction * total) - 1]
    if schedule.three_phase:
        knots.append(float(2 * fraction * total) - 2)
    knots.append(total - 1)
    return knots


def _one_cycle(schedule: Any, step: int) -> Hashable:
    # Piece i covers knot_i <= t < knot_{i+1}.
    return sum(1 for knot in _one_cycle_knots(schedule) if _q(knot) <= step)


def _interpolation(schedule: Any, step: int) -> Hashable:
    return sum(1 for bound in schedule.boundaries if _q(bound) <= step)


def _phases(*lengths: Fraction) -> Callable[[int], int]:
    def phase(step: int) -> int:
        end = Fraction(0)
        for index, length in enumerate(lengths):
            end += length
            if step < end:
                return index
        return len(lengths)

    return phase


def _warmup_cosine(schedule: Any, step: int) -> Hashable:
    return _phases(_q(schedule.warmup_steps), _q(schedule.decay_steps))(step)


def _wsd(schedule: Any, step: int) -> Hashable:
    lengths = (schedule.warmup_steps, schedule.stable_steps, schedule.decay_steps)
    return _phases(*map(_q, lengths))(step)


def _warmup(schedule: Any, step: int) -> Hashable:
    if step < schedule.warmup_steps:
        return ("warmup",)
    return ("after", piece(schedule.schedule, step - schedule.warmup_steps))


def _join(schedule: Any, step: int) -> Hashable:
    index = bisect_right(schedule.boundaries, step)
    offset = ([0, *schedule.boundaries])[index]
    return (index, piece(schedule.schedules[index], step - offset))


def _cool_down(schedule: Any, step: int) -> Hashable:
    if step < schedule.start_step:
        return ("before", piece(schedule.schedule, step))
    return "decay" if step < schedule.start_step + schedule.decay_steps else "end"


def _on_clock(inner: Any, c: int, ratio: Fraction) -> Piece:
    """The pieces of ``inner`` run on the clock ``u(t) = c + (t - c) * ratio`` from ``c`` on.

    A fractional inner step ``u`` lies between the pieces of ``floor(u)`` and ``ceil(u)``:
    both are part of the piece (the edit lists both steps where the inner piece may start),
    and so is whether the clock has changed speed.
    """

    def at(schedule: Any, step: int) -> Hashable:
        if step < c:
            return (piece(inner, step), piece(inner, step), False)
        u = c + (step - c) * ratio
        return (piece(inner, math.floor(u)), piece(inner, math.ceil(u)), ratio != 1)

    return at


def _train_longer(schedule: Any, step: int) -> Hashable:
    inner, now = schedule.schedule, schedule.current_step
    total, new = schedule.total_steps, schedule.new_total_steps
    if isinstance(inner, WarmupStableDecay):
        plateau = inner.stable_steps + new - total
        decay_start = inner.warmup_steps + inner.stable_steps
        if now <= decay_start and now <= inner.warmup_steps + plateau:
            lengths = (inner.warmup_steps, plateau, inner.decay_steps)
            return _phases(*map(_q, lengths))(step)
    return _on_clock(inner, now, Fraction(total - now, new - now))(schedule, step)


def _rescale_time(schedule: Any, step: int) -> Hashable:
    return _on_clock(schedule.schedule, 0, 1 / Fraction(schedule.ratio))(schedule, step)


PIECE: dict[str, Piece] = {
    "ExponentialDecay": _stairs,
    "InverseTimeDecay": _stairs,
    "PiecewiseConstantDecay": _piecewise_constant,
    "PolynomialDecay": _polynomial,
    "CosineDecay": _cosine,
    "CosineDecayRestarts": _restarts,
    "Constant": lambda schedule, step: 0,
    "StepDecay": lambda schedule, step: math.floor(Fraction(step) / _q(schedule.decay_steps)),
    "MultiStepDecay": lambda schedule, step: bisect_right(sorted(schedule.milestones), step),
    "LinearDecay": lambda schedule, step: step >= _q(schedule.decay_steps),
    "InverseSqrtDecay": lambda schedule, step: 0,
    "CyclicalLearningRate": _cyclic,
    "OneCycle": _one_cycle,
    "PiecewiseInterpolation": _interpolation,
    "WarmupCosineDecay": _warmup_cosine,
    "WarmupStableDecay": _wsd,
    "Warmup": _warmup,
    "Join": _join,
    "Scale": lambda schedule, step: piece(schedule.schedule, step),
    "Clip": lambda schedule, step: piece(schedule.schedule, step),
    "Product": lambda schedule, step: tuple(piece(child, step) for child in schedule.schedules),
    "CoolDown": _cool_down,
    "TrainLonger": _train_longer,
    "RescaleTime": _rescale_time,
}


def piece(schedule: Any, step: int) -> Hashable:
    return PIECE[type(schedule).__name__](schedule, step)


def _examples() -> list[LearningRateSchedule]:
    """Instances of every class, with fractional parameters where a class takes them."""
    return [
        ExponentialDecay(0.1, 100, 0.9),
        ExponentialDecay(0.1, 100, 0.9, staircase=True),
        ExponentialDecay(0.1, 7.5, 0.9, staircase=True),
        ExponentialDecay(0.1, 0.3, 0.9, staircase=True),  # several stairs per step
        ExponentialDecay(0.1, 0.1, 0.999, staircase=True),  # 0.1 is not exact in binary
        InverseTimeDecay(0.1, 100, 0.5),
        InverseTimeDecay(0.1, 33, 0.5, staircase=True),
        InverseTimeDecay(0.1, 2.5, 0.5, staircase=True),
        PiecewiseConstantDecay([100, 250.5, 251.2, 600], [1.0, 0.5, 0.7, 0.2, 0.3]),
        PiecewiseConstantDecay([-5, 0, 0.5, 3], [1.0, 0.9, 0.8, 0.7, 0.6]),
        PiecewiseConstantDecay([], [0.5]),
        PolynomialDecay(0.1, 500, 0.001, power=0.5),
        PolynomialDecay(0.1, 77.7, 0.001, power=3.0),
        PolynomialDecay(0.1, 100, 0.001, power=2.0, cycle=True),
        PolynomialDecay(0.1, 33.3, 0.01, cycle=True),
        PolynomialDecay(0.1, 0.5, 0.01, cycle=True),
        CosineDecay(0.1, 500, alpha=0.1),
        CosineDecay(0.1, 222.5),
        CosineDecay(0.0, 500, warmup_target=0.1, warmup_steps=100),
        CosineDecay(0.0, 300, warmup_target=0.1, warmup_steps=100.5, alpha=0.05),
        CosineDecay(0.01, 333.3, warmup_target=0.1, warmup_steps=77.25),
        CosineDecay(0.01, 0.25, warmup_target=0.1, warmup_steps=2.5),
        CosineDecay(0.1, 300, warmup_target=0.2, warmup_steps=0),
        CosineDecayRestarts(0.1, 100, t_mul=1.0, m_mul=0.9, alpha=0.01),
        CosineDecayRestarts(0.1, 37.5, t_mul=1.0),
        CosineDecayRestarts(0.1, 10),
        CosineDecayRestarts(0.1, 7, t_mul=1.5, m_mul=0.8),
        CosineDecayRestarts(0.1, 300, t_mul=0.5),
        CosineDecayRestarts(0.1, 200, t_mul=0.9, m_mul=0.8, alpha=0.01),
        CosineDecayRestarts(0.1, 2.5, t_mul=0.75),
        Constant(0.05),
        StepDecay(0.1, 250, 0.5),
        StepDecay(0.1, 2.5, 0.99),
        StepDecay(0.1, 0.4, 0.99),
        MultiStepDecay(0.1, [0, 100, 300, 300, 700], 0.5),
        LinearDecay(0.1, 200, 0.001),
        LinearDecay(0.001, 150.5, 0.1),
        InverseSqrtDecay(0.1, 100),
        CyclicalLearningRate(0.001, 0.006, 200),
        CyclicalLearningRate(0.001, 0.006, 20.5, 30.25, mode="triangular2"),
        CyclicalLearningRate(0.001, 0.006, 200, mode="exp_range", gamma=0.995),
        OneCycle(0.1, 1000),
        OneCycle(0.1, 999, pct_start=0.33, three_phase=True, anneal_strategy="linear"),
        PiecewiseInterpolation([100, 400, 800], [0.0, 0.1, 0.05, 0.0], interpolation="cosine"),
        PiecewiseInterpolation([10.5, 20.25], [0.0, 0.1, 0.0]),
        WarmupCosineDecay(0.0, 0.1, 200, 500, 0.001),
        WarmupCosineDecay(0.0, 0.1, 0, 250.5),
        WarmupStableDecay(0.0, 0.1, 100, 300, 400, 0.001),
        WarmupStableDecay(0.0, 0.1, 0, 300, 0, 0.001),
        Warmup(CosineDecay(0.1, 300), 100),
        Warmup(ExponentialDecay(0.1, 50, 0.9, staircase=True), 75, 0.01, shape="exponential"),
        Warmup(InverseSqrtDecay(0.1, 100), 250, shape="cosine"),
        Warmup(Constant(0.1), 0),
        Join([Constant(0.1), LinearDecay(0.1, 100, 0.0), Constant(0.0)], boundaries=[50, 150]),
        Join(
            [Warmup(Constant(0.1), 20), CosineDecayRestarts(0.1, 30), StepDecay(0.1, 25, 0.5)],
            boundaries=[40, 200],
        ),
        Scale(CosineDecayRestarts(1.0, 60), 0.1),
        Scale(PiecewiseConstantDecay([10, 20], [1.0, 2.0, 3.0]), -2.0),
        Clip(ExponentialDecay(0.1, 30, 0.5, staircase=True), minimum=0.01),
        Clip(CyclicalLearningRate(0.0, 0.01, 30), minimum=0.002, maximum=0.007),
        Product([StepDecay(1.0, 30, 0.5), CosineDecayRestarts(0.1, 45)]),
        Product([MultiStepDecay(1.0, [7, 100], 0.5), Warmup(LinearDecay(0.1, 90, 0.0), 20)]),
        CoolDown(CosineDecayRestarts(0.1, 100), 250, 300, 0.001, "cosine"),
        CoolDown(StepDecay(0.1, 30, 0.5), 95, 100, 0.001, "exponential"),
        CoolDown(Constant(0.1), 0, 40),
        TrainLonger(WarmupStableDecay(0.0, 0.1, 100, 300, 400, 0.001), 200, 800, 1100),
        TrainLonger(StepDecay(0.1, 30, 0.5), 100, 400, 700),
        TrainLonger(CosineDecayRestarts(0.1, 40), 90, 500, 333),
        TrainLonger(WarmupStableDecay(0.0, 0.1, 100, 300, 400), 500, 800, 1000),
        RescaleTime(PiecewiseConstantDecay([100, 250.5], [1.0, 0.5, 0.2]), 1.5),
        RescaleTime(ExponentialDecay(0.1, 7.5, 0.9, staircase=True), 0.75),
        RescaleTime(MultiStepDecay(0.1, [10, 30, 31], 0.5), 7.0),
    ]


EXAMPLES = _examples()
LENGTH = 1300


def _expected(schedule: Any, stop: int) -> list[int]:
    pieces = [piece(schedule, step) for step in range(stop)]
    return [step for step in range(1, stop) if pieces[step] != pieces[step - 1]]


def test_every_exported_class_is_covered() -> None:
    exported = {cls.__name__ for cls in exported_schedule_classes()}
    assert exported <= set(PIECE), exported - set(PIECE)
    assert exported <= {type(schedule).__name__ for schedule in EXAMPLES}


@pytest.mark.parametrize("schedule", EXAMPLES, ids=repr)
def test_breakpoints_are_where_the_piece_changes(schedule: Any) -> None:
    expected = _expected(schedule, LENGTH)
    assert list(schedule.breakpoints(0, LENGTH)) == expected
    # Sub-ranges: the same steps, clipped; a start of 0 or 1 is the same (0 is never one).
    for start, stop in [(1, LENGTH), (7, 640), (333, 334), (500, 500), (900, 200), (0, 1)]:
        got = list(schedule.breakpoints(start, stop))
        assert got == [step for step in expected if start <= step < stop], (start, stop)


@pytest.mark.parametrize("schedule", EXAMPLES, ids=repr)
def test_breakpoints_are_lazy(schedule: Any) -> None:
    """Reading the first few of an enormous range costs only those few."""
    first = list(islice(schedule.breakpoints(0, 10**15), 3))
    assert first == sorted(set(first))
    assert first == _expected(schedule, 1 + max(first, default=0))[:3]


@pytest.mark.parametrize("schedule", EXAMPLES, ids=repr)
def test_monotone_between_breakpoints(schedule: Any) -> None:
    """What lrschedule.analysis assumes of the schedules it calls monotone."""
    if schedule.monotone_pieces(0, LENGTH) is None:
        assert isinstance(schedule, CyclicalLearningRate) and schedule.mode == "exp_range"
        return
    values = [float(schedule(step)) for step in range(LENGTH)]
    edges = [0, *schedule.breakpoints(0, LENGTH), LENGTH]
    for low, high in pairwise(edges):
        run = values[low:high]
        rising = all(b >= a for a, b in pairwise(run))
        falling = all(b <= a for a, b in pairwise(run))
        assert rising or falling, (low, high)


def test_exp_range_is_not_monotone_between_breakpoints() -> None:
    """Why CyclicalLearningRate(mode="exp_range") is scanned step by step instead."""
    schedule = CyclicalLearningRate(0.001, 0.006, 200, mode="exp_range", gamma=0.99)
    rising = [schedule(step) for step in range(200)]
    assert max(rising) > rising[-1] and rising[0] < max(rising)


def test_keras_stairs_at_huge_steps() -> None:
    """Exact stairs far beyond float precision (integer arithmetic throughout)."""
    schedule = ExponentialDecay(0.1, 10**9 + 7, 0.5, staircase=True)
    start = 10**18
    first = next(iter(schedule.breakpoints(start, 10**19)))
    assert first == -(-start // (10**9 + 7)) * (10**9 + 7)
    restarts = CosineDecayRestarts(0.1, 10, t_mul=2.0)
    steps = list(islice(restarts.breakpoints(10**15, 10**17), 2))
    starts = [10 * (2**k - 1) for k in range(60)]  # S_k = 10 * (2**k - 1)
    assert steps == [s for s in starts if s >= 10**15][:2]


def test_breakpoints_need_ints() -> None:
    with pytest.raises(TypeError):
        list(ExponentialDecay(0.1, 10, 0.5, staircase=True).breakpoints(0.5, 10))  # type: ignore[arg-type]


@pytest.mark.parametrize("schedule", EXAMPLES, ids=repr)
def test_a_range_starting_at_a_breakpoint_yields_it(schedule: Any) -> None:
    """``breakpoints(b, ...)`` includes ``b`` itself; ``breakpoints(b + 1, ...)`` does not."""
    expected = _expected(schedule, LENGTH)
    for step in expected[:40]:
        assert list(schedule.breakpoints(step, step + 1)) == [step]
        assert next(iter(schedule.breakpoints(step, LENGTH))) == step
        later = list(schedule.breakpoints(step + 1, LENGTH))
        assert step not in later
        assert later == [other for other in expected if other > step]


#: Warmups whose end meets a child's breakpoint, nested warmups, and several stairs a step.
WARMUPS = [
    Warmup(Constant(0.1), 1),
    Warmup(Constant(0.1), 100),
    Warmup(StepDecay(0.1, 1, 0.5), 5),  # a child stair at every step after the warmup
    Warmup(StepDecay(0.1, 3, 0.5), 0),  # no warmup: only the child's stairs
    Warmup(ExponentialDecay(0.1, 0.3, 0.9, staircase=True), 10, 0.01, shape="exponential"),
    Warmup(PiecewiseConstantDecay([0, 3], [0.3, 0.2, 0.1]), 4, shape="cosine"),
    Warmup(Warmup(CosineDecay(0.1, 50), 7), 13, shape="cosine"),
    Warmup(Join([Constant(0.1), LinearDecay(0.1, 20, 0.0)], boundaries=[1]), 20),
]


@pytest.mark.parametrize("schedule", WARMUPS, ids=repr)
def test_warmup_breakpoints_from_every_start(schedule: Warmup) -> None:
    """Every ``[start, stop)`` around the warmup's end, against the brute force."""
    warmup = schedule.warmup_steps
    stop = warmup + 60
    expected = _expected(schedule, stop)
    if warmup:
        assert warmup in expected
        assert list(schedule.breakpoints(warmup, warmup + 1)) == [warmup]
    assert warmup not in schedule.breakpoints(warmup + 1, stop)
    for start in range(warmup + 6):
        for end in (start, start + 1, warmup, warmup + 1, warmup + 2, stop):
            got = list(schedule.breakpoints(start, end))
            assert got == [step for step in expected if start <= step < end], (start, end)
