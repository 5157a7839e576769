"""ReduceOnPlateau and PlateauScaled: counting, floors, state, safety, serialization."""

from __future__ import annotations

import json
import math
import pickle
from fractions import Fraction
from itertools import pairwise

import numpy as np
import pytest

import lrschedule
from lrschedule import (
    Constant,
    CosineDecay,
    PlateauScaled,
    Product,
    ReduceOnPlateau,
    Scale,
    StepDecay,
    Warmup,
)
from lrschedule.schedules.plateau_scaled import plateaus_in


# ------------------------------------------------------------------ counting
def test_patience_threshold_and_cooldown_by_hand() -> None:
    # patience 2, cooldown 1, abs threshold 0.1, mode min.
    plateau = ReduceOnPlateau(
        factor=0.5, patience=2, threshold=0.1, threshold_mode="abs", cooldown=1
    )
    losses = [1.0, 0.95, 0.92, 0.91, 0.5, 0.45, 0.44, 0.43, 0.42, 0.41]
    flags = [plateau.observe(x) for x in losses]
    # 1.0 best; 0.95, 0.92, 0.91 are not 0.1 better: bad 1, 2, 3 > 2 -> reduce at index 3.
    # Index 4 (0.5) is better (cooldown runs out there); 0.45..0.42 bad 1, 2, 3 -> index 7;
    # index 8 is in the cooldown (bad count cleared), index 9 bad 1.
    assert flags == [False, False, False, True, False, False, False, True, False, False]
    assert plateau.scale == 0.25
    assert plateau.state_dict() == {
        "mode": "min",
        "scale": 0.25,
        "best": 0.5,
        "num_bad_epochs": 1,
        "cooldown_counter": 0,
        "reductions": 2,
        "count": 10,
    }


@pytest.mark.parametrize(
    ("mode", "threshold_mode", "best", "metric", "better"),
    [
        ("min", "rel", 2.0, 2.0 * (1 - 0.25) - 1e-12, True),
        ("min", "rel", 2.0, 1.5, False),  # exactly the threshold is not better
        ("min", "abs", 2.0, 1.75 - 1e-12, True),
        ("min", "abs", 2.0, 1.75, False),
        ("max", "rel", 2.0, 2.5 + 1e-12, True),
        ("max", "rel", 2.0, 2.5, False),
        ("max", "abs", 2.0, 2.25 + 1e-12, True),
        ("max", "abs", 2.0, 2.25, False),
    ],
)
def test_is_better(
    mode: str, threshold_mode: str, best: float, metric: float, better: bool
) -> None:
    plateau = ReduceOnPlateau(mode=mode, threshold=0.25, threshold_mode=threshold_mode)
    plateau.observe(best)
    assert plateau.is_better(metric) is better


def test_min_scale_and_eps_stop_the_scale() -> None:
    plateau = ReduceOnPlateau(factor=0.1, patience=0, min_scale=0.005)
    for _ in range(6):
        plateau.observe(1.0)
    assert plateau.scale == 0.005
    small = ReduceOnPlateau(factor=0.5, patience=0, eps=0.2)
    for _ in range(5):
        small.observe(1.0)
    # 1 -> 0.5 (a change of 0.5 > 0.2) -> 0.25 (0.25 > 0.2) -> 0.125 is a change of 0.125: kept off.
    assert small.scale == 0.25
    assert small.state_dict()["reductions"] == 4


# ------------------------------------------------------------------ composition
def test_schedule_keeps_its_clock_under_the_plateau() -> None:
    plateau = ReduceOnPlateau(factor=0.5, patience=0)
    base = Warmup(CosineDecay(0.1, 100), warmup_steps=10)
    schedule = base * plateau
    assert isinstance(schedule, PlateauScaled)
    assert [schedule(k) for k in range(0, 30, 5)] == [base(k) for k in range(0, 30, 5)]
    plateau.observe(1.0)
    plateau.observe(1.0)
    for _ in range(3):  # reading changes nothing
        assert schedule(50) == base(50) * 0.5
    # The warmup's own formula times the scale, exactly: step 5 of 10 to 0.1.
    assert Fraction(schedule(5)) == Fraction(base(5)) * Fraction(1, 2)
    values = schedule(np.array([5, 50, 100]))
    np.testing.assert_array_equal(values, np.array([base(5), base(50), base(100)]) * 0.5)


def test_min_lr_floors_the_plateau_not_the_schedule() -> None:
    plateau = ReduceOnPlateau(factor=0.1, patience=0, min_lr=0.02)
    base = Warmup(Constant(0.1), warmup_steps=10)
    schedule = base * plateau
    for _ in range(3):
        plateau.observe(1.0)
    assert plateau.scale == pytest.approx(0.01)
    assert schedule(0) == 0.0  # the warmup starts at 0, floor or not
    assert schedule(1) == base(1) == pytest.approx(0.01)  # below min_lr by itself: its own
    assert schedule(5) == 0.02  # 0.05 * 0.01 is below the floor
    assert schedule(20) == 0.02
    assert schedule(np.array([0, 1, 5]))[2] == 0.02
    assert schedule.rate(20, 1.0) == 0.1


def test_analysis_describes_the_rate_at_the_current_scale() -> None:
    plateau = ReduceOnPlateau(factor=0.5, patience=0, min_lr=0.02)
    base = Warmup(CosineDecay(0.1, 90), warmup_steps=10)
    schedule = base * plateau
    plateau.observe(1.0)
    plateau.observe(1.0)
    assert list(schedule.breakpoints(0, 200)) == list(base.breakpoints(0, 200))
    assert schedule.smooth_pieces(0, 200) is None  # a kink where the floor starts to hold
    values = [schedule(k) for k in range(200)]
    for low, high in schedule.monotone_pieces(0, 200):
        run = values[low:high]
        assert all(b >= a for a, b in pairwise(run)) or all(b <= a for a, b in pairwise(run))
    assert lrschedule.describe(schedule, 200) is not None
    assert list(plateau.monotone_pieces(0, 50)) == [(0, 50)]


def test_composition_forms() -> None:
    plateau = ReduceOnPlateau()
    assert Constant(0.1) * plateau == PlateauScaled(Constant(0.1), plateau)
    assert plateau * Constant(0.1) == PlateauScaled(Constant(0.1), plateau)
    assert 0.1 * plateau == PlateauScaled(Constant(0.1), plateau)
    assert (Constant(0.1) * plateau) != (Constant(0.1) * ReduceOnPlateau(factor=0.5))
    nested = (Constant(0.2) * plateau) * StepDecay(1.0, 10, 0.5) * 0.5
    assert isinstance(nested, Scale) and isinstance(nested.schedule, Product)
    plateau_b = ReduceOnPlateau(mode="max")
    both = Constant(0.2) * plateau * StepDecay(1.0, 10) * plateau_b
    assert plateaus_in(both) == [plateau, plateau_b]
    assert plateaus_in(nested) == [plateau]
    for _ in range(12):
        plateau.observe(1.0)
    assert nested(10) == 0.2 * plateau.scale * 0.5 * 0.5
    with pytest.raises(TypeError, match="Argument `plateau` must be a ReduceOnPlateau"):
        PlateauScaled(Constant(0.1), Constant(1.0))


def test_equality_reads_the_state_and_hashing_does_not() -> None:
    first, second = ReduceOnPlateau(), ReduceOnPlateau()
    assert first == second and hash(first) == hash(second)
    table = {first: 1}
    first.observe(1.0)
    assert first != second and hash(first) == hash(second)
    assert table[first] == 1  # observations do not move it in a dict
    second.observe(1.0)
    assert first == second
    assert first != ReduceOnPlateau(factor=0.5) and first != 1.0


# ------------------------------------------------------------------ safety
def test_nonfinite_metrics() -> None:
    raising = ReduceOnPlateau(patience=0)
    raising.observe(1.0)
    before = raising.state_dict()
    for bad in (math.nan, math.inf, -math.inf, np.float32("nan")):
        with pytest.raises(ValueError, match="Argument `metric` must be a finite number"):
            raising.observe(bad)
    assert raising.state_dict() == before
    ignoring = ReduceOnPlateau(patience=0, nonfinite="ignore")
    ignoring.observe(1.0)
    assert ignoring.observe(math.nan) is False
    assert ignoring.state_dict()["count"] == 1 and ignoring.scale == 1.0
    counting = ReduceOnPlateau(patience=0, nonfinite="bad", factor=0.5)
    counting.observe(math.nan)  # first: not better, a bad one
    assert counting.state_dict()["best"] is None and counting.scale == 0.5
    counting.observe(-math.inf)
    assert counting.scale == 0.25 and not math.isnan((Constant(0.1) * counting)(3))
    json.dumps(counting.state_dict(), allow_nan=False)
    for bad in ("1.0", None, True, [1.0]):
        with pytest.raises(TypeError, match="Argument `metric` must be a real number"):
            raising.observe(bad)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        (
            {"factor": 1.0},
            ValueError,
            "Argument `factor` must be >= 0 and < 1. Received: factor=1.0",
        ),
        ({"factor": -0.1}, ValueError, "Argument `factor` must be >= 0 and < 1"),
        ({"factor": "0.1"}, TypeError, "Argument `factor` must be a real number"),
        (
            {"patience": -1},
            ValueError,
            "Argument `patience` must be a whole number >= 0. Received: patience=-1",
        ),
        ({"patience": 1.5}, ValueError, "Argument `patience` must be a whole number >= 0"),
        ({"cooldown": -2}, ValueError, "Argument `cooldown` must be a whole number >= 0"),
        ({"mode": "minimum"}, ValueError, "Argument `mode` must be one of 'min', 'max'"),
        ({"threshold_mode": "relative"}, ValueError, "Argument `threshold_mode` must be one of"),
        ({"threshold": -1e-4}, ValueError, "Argument `threshold` must be >= 0"),
        ({"threshold": math.nan}, ValueError, "Argument `threshold` must be a finite number"),
        ({"min_scale": 1.5}, ValueError, "Argument `min_scale` must be >= 0 and <= 1"),
        ({"min_lr": -1.0}, ValueError, "Argument `min_lr` must be >= 0"),
        ({"eps": -1.0}, ValueError, "Argument `eps` must be >= 0"),
        (
            {"nonfinite": "skip"},
            ValueError,
            "Argument `nonfinite` must be one of 'raise', 'ignore', 'bad'",
        ),
        ({"name": 3}, TypeError, "name"),
    ],
)
def test_bad_arguments(arguments: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        ReduceOnPlateau(**arguments)


def test_state_dict_round_trip_and_incompatible_states() -> None:
    plateau = ReduceOnPlateau(factor=0.5, patience=2, cooldown=3)
    for metric in (1.0, 0.9, 0.95, 0.96, 0.97, 0.98):
        plateau.observe(metric)
    state = json.loads(json.dumps(plateau.state_dict(), allow_nan=False))
    other = ReduceOnPlateau(factor=0.5, patience=2, cooldown=3)
    other.load_state_dict(state)
    assert other.state_dict() == plateau.state_dict()
    for metric in (0.99, 0.5, 0.6, 0.7, 0.8, 0.9):
        assert other.observe(metric) == plateau.observe(metric)
    assert other.state_dict() == plateau.state_dict()
    state = plateau.state_dict()
    cases = [
        (ReduceOnPlateau(mode="max"), state, "Cannot load a state of mode='min'"),
        (ReduceOnPlateau(patience=0, cooldown=3), {**state, "num_bad_epochs": 1}, "patience=0"),
        (ReduceOnPlateau(patience=2, cooldown=0), {**state, "cooldown_counter": 2}, "cooldown=0"),
        (ReduceOnPlateau(min_scale=0.6), state, "min_scale=0.6"),
        (ReduceOnPlateau(), {**state, "scale": 2.0}, "<= 1"),
        (ReduceOnPlateau(), {**state, "extra": 1}, "unknown \\['extra'\\]"),
        (ReduceOnPlateau(), {"scale": 0.5}, "missing"),
        (ReduceOnPlateau(), {**state, "best": math.nan}, "finite"),
    ]
    for target, bad, message in cases:
        before = target.state_dict()
        with pytest.raises(ValueError, match=message):
            target.load_state_dict(bad)
        assert target.state_dict() == before
    with pytest.raises(TypeError, match="must be a dict"):
        ReduceOnPlateau().load_state_dict([1, 2])
    with pytest.raises(TypeError, match="real number"):
        ReduceOnPlateau().load_state_dict({**state, "scale": "0.5"})


# ------------------------------------------------------------------ serialization
def test_serialize_round_trip_carries_the_state() -> None:
    plateau = ReduceOnPlateau(factor=0.5, patience=0, min_lr=1e-4, mode="max", name="val_acc")
    schedule = Warmup(CosineDecay(0.1, 100), warmup_steps=10) * plateau
    fresh = lrschedule.serialize(schedule)
    assert fresh["config"]["plateau"]["config"]["state"] is None
    plateau.observe(0.5)
    plateau.observe(0.4)
    document = json.loads(json.dumps(lrschedule.serialize(schedule), allow_nan=False))
    back = lrschedule.deserialize(document)
    assert isinstance(back, PlateauScaled) and back.plateau is not plateau
    assert back.plateau.state_dict() == plateau.state_dict()
    assert back.plateau.get_config() == plateau.get_config()
    assert [back(k) for k in (0, 5, 50)] == [schedule(k) for k in (0, 5, 50)]
    copied = pickle.loads(pickle.dumps(schedule))
    assert copied.plateau.state_dict() == plateau.state_dict() and copied(50) == schedule(50)
    assert (
        eval(repr(plateau), {"ReduceOnPlateau": ReduceOnPlateau}).state_dict()
        == plateau.state_dict()
    )
    assert repr(ReduceOnPlateau()) == "ReduceOnPlateau()"


def test_deserialize_checks_everything_and_runs_nothing() -> None:
    document = lrschedule.serialize(ReduceOnPlateau())
    with pytest.raises(ValueError, match="factor"):
        lrschedule.deserialize({**document, "config": {**document["config"], "factor": 2.0}})
    with pytest.raises(ValueError, match="unexpected config key"):
        lrschedule.deserialize({**document, "config": {**document["config"], "__init__": "x"}})
    poisoned = {
        "mode": "min",
        "scale": {"module": "os", "class_name": "system"},
        "best": None,
        "num_bad_epochs": 0,
        "cooldown_counter": 0,
        "reductions": 0,
        "count": 0,
    }
    with pytest.raises(TypeError, match="real number"):
        lrschedule.deserialize({**document, "config": {**document["config"], "state": poisoned}})
    with pytest.raises((TypeError, ValueError)):
        lrschedule.deserialize({**document, "class_name": "ReduceOnPlateauX"})
