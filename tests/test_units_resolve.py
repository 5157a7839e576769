"""Step counts in units: resolution of whole schedules (composites and edits too), every
error, and the unit strings kept through config, repr, serialization, files and pickling.

Expected step counts are computed with :class:`fractions.Fraction` and the half-to-even
rounding of ``tests/test_units.py``.
"""

from __future__ import annotations

import copy
import math
import pickle
import subprocess
import sys
from fractions import Fraction
from typing import Any

import pytest
from tests.test_units import half_even

import lrschedule
from lrschedule import (
    Constant,
    CosineDecay,
    ExponentialDecay,
    Join,
    MultiStepDecay,
    PiecewiseConstantDecay,
    Run,
    Scale,
    Warmup,
)
from lrschedule.core.errors import MissingRunValueError, UnresolvedScheduleError


# ------------------------------------------------------------------------ resolution
def test_resolved_values_against_the_hand_formula() -> None:
    run = Run("30ep", steps_per_epoch=500)
    schedule = CosineDecay(0.0, decay_steps="90%", warmup_steps="1ep", warmup_target=0.1)
    resolved = schedule.resolve(run)
    warmup, decay = 500, 13500
    assert resolved == CosineDecay(0.0, decay_steps=decay, warmup_steps=warmup, warmup_target=0.1)
    for step in (0, 250, 500, 7000, 13999, 14000, 14999):
        if step < warmup:
            expected = 0.1 * step / warmup
        else:
            t = min(step - warmup, decay) / decay
            expected = 0.1 * 0.5 * (1 + math.cos(math.pi * t))
        assert resolved(step) == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_composites_resolve_their_children() -> None:
    run = Run("20ep", steps_per_epoch=Fraction(1000, 7))  # 142.857... steps per epoch
    per_epoch = Fraction(1000, 7)
    join = Join(
        [Warmup(Constant(0.1), warmup_steps="1ep"), CosineDecay(0.1, decay_steps="50%")],
        boundaries=["10%"],
    )
    scaled = Scale(join, 0.5)
    assert not scaled.is_resolved and not join.is_resolved
    resolved = scaled.resolve(run)
    inner = resolved.schedule
    assert list(inner.boundaries) == [half_even(20 * per_epoch / 10)] == [286]
    assert inner.schedules[0].warmup_steps == half_even(per_epoch) == 143
    assert inner.schedules[1].decay_steps == half_even(10 * per_epoch) == 1429
    assert resolved.is_resolved and all(child.is_resolved for child in inner.schedules)
    assert resolved(286 + 1429) == pytest.approx(0.0)


def test_a_schedule_without_units_is_returned_as_it_is() -> None:
    schedule = CosineDecay(0.1, 1000)
    assert schedule.is_resolved
    assert schedule.resolve(Run("3ep")) is schedule
    assert schedule.resolve(500) is schedule


def test_resolution_is_stateless() -> None:
    schedule = CosineDecay(0.1, decay_steps="2ep")
    first = schedule.resolve(Run(steps_per_epoch=100))
    second = schedule.resolve(Run(steps_per_epoch=300))
    assert (first.decay_steps, second.decay_steps) == (200, 600)
    assert schedule.decay_steps == "2ep" and not schedule.is_resolved


def test_run_is_frozen_and_compared_by_value() -> None:
    run = Run("3ep", steps_per_epoch=Fraction(10, 3))
    assert run == Run("3ep", steps_per_epoch=Fraction(10, 3)) != Run("3ep", steps_per_epoch=3)
    assert hash(run) == hash(Run("3ep", steps_per_epoch=Fraction(10, 3)))
    assert pickle.loads(pickle.dumps(run)) == run
    assert repr(run) == "Run(total='3ep', steps_per_epoch=Fraction(10, 3))"
    with pytest.raises(AttributeError, match="Run is immutable"):
        run.total = 5  # type: ignore[misc]


# ----------------------------------------------------------------------- every error
def test_calling_an_unresolved_schedule_says_how_to_resolve_it() -> None:
    schedule = CosineDecay(0.1, decay_steps="90%", warmup_steps="1ep")
    message = (
        r"CosineDecay counts steps in units \(decay_steps='90%', warmup_steps='1ep'\): "
        r"resolve it for the run before using it, `schedule.resolve\(Run\("
    )
    for call in (
        lambda: schedule(0),
        lambda: schedule(2.5),
        lambda: lrschedule.describe(schedule, 9),
    ):
        with pytest.raises(UnresolvedScheduleError, match=message):
            call()
    with pytest.raises(UnresolvedScheduleError, match=r"Join counts steps in units \(in a child"):
        Join([schedule, Constant(0.1)], [10])(0)


@pytest.mark.parametrize(
    ("schedule", "run", "message"),
    [
        (
            CosineDecay(0.1, "3ep"),
            Run(1000),
            r"^Argument `decay_steps` is in epochs \('3ep'\): the run must give "
            r"`steps_per_epoch`\. Pass `Run\(steps_per_epoch=\.\.\.\)` to `resolve`\.$",
        ),
        (
            CosineDecay(0.1, "1e6sp"),
            Run(1000),
            r"^Argument `decay_steps` is in samples \('1e6sp'\): the run must give "
            r"`samples_per_step`\.",
        ),
        (
            CosineDecay(0.1, "1e9tok"),
            Run(1000),
            r"^Argument `decay_steps` is in tokens \('1e9tok'\): the run must give "
            r"`tokens_per_step`\.",
        ),
        (
            CosineDecay(0.1, "90%"),
            Run(steps_per_epoch=5),
            r"^Argument `decay_steps` is a fraction of the run \('90%'\): the run must give "
            r"its length, `total`\. Pass `Run\(total=\.\.\.\)` to `resolve`\.$",
        ),
        (
            CosineDecay(0.1, "90%"),
            Run("3ep"),
            r"^Argument `total` is in epochs \('3ep'\): the run must give `steps_per_epoch`",
        ),
        (
            MultiStepDecay(0.1, [10, "1dur"]),
            Run(),
            r"^Argument `milestones\[1\]` is a fraction of the run \('1dur'\)",
        ),
    ],
)
def test_a_run_that_lacks_what_a_unit_needs(schedule: Any, run: Run, message: str) -> None:
    with pytest.raises(MissingRunValueError, match=message):
        schedule.resolve(run)


def test_a_warmup_longer_than_the_run() -> None:
    schedule = CosineDecay(0.1, decay_steps="10%", warmup_steps="4ep")
    with pytest.raises(
        ValueError,
        match=r"^Argument `warmup_steps` must be at most the run's length, 1500 steps "
        r"\(total='3ep'\)\. Received: warmup_steps='4ep' \(2000 steps\)$",
    ):
        schedule.resolve(Run("3ep", steps_per_epoch=500))


def test_the_schedules_own_checks_name_the_argument_and_the_units() -> None:
    with pytest.raises(
        ValueError,
        match=r"^Argument `decay_steps` must be > 0\. Received: decay_steps=0 "
        r"\(resolved decay_steps='0.1%' to 0 for Run\(total=400\)\)$",
    ):
        CosineDecay(0.1, decay_steps="0.1%").resolve(Run(400))  # 0.4 steps: rounds to 0
    with pytest.raises(ValueError, match=r"`boundaries` must be strictly increasing"):
        PiecewiseConstantDecay(["1ep", 334], [0.1, 0.01, 0.001]).resolve(
            Run(steps_per_epoch=Fraction(1001, 3))  # 333.67 rounds to 334
        )


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"total": "10%"}, ValueError, r"^Argument `total` must be the run's length in steps"),
        ({"total": 0}, ValueError, r"^Argument `total` must be > 0\. Received: total=0$"),
        ({"total": 2.5}, TypeError, r"^Argument `total` must be a whole number of steps"),
        ({"total": True}, TypeError, r"^Argument `total` must be a whole number of steps"),
        ({"total": "3 ep"}, ValueError, r"^Argument `total` must be a number of steps"),
        ({"steps_per_epoch": 0}, ValueError, r"^Argument `steps_per_epoch` must be > 0\."),
        ({"samples_per_step": -2}, ValueError, r"^Argument `samples_per_step` must be > 0\."),
        ({"tokens_per_step": math.inf}, ValueError, r"^Argument `tokens_per_step` must be finite"),
        ({"tokens_per_step": math.nan}, ValueError, r"^Argument `tokens_per_step` must be finite"),
        ({"steps_per_epoch": "500"}, TypeError, r"^Argument `steps_per_epoch` must be a number"),
    ],
)
def test_bad_runs(arguments: dict[str, Any], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        Run(**arguments)


def test_bad_batches_and_runs_given_to_resolve() -> None:
    with pytest.raises(ValueError, match=r"^Argument `world_size` must be > 0\. Received: "):
        Run.from_batch(32, world_size=0)
    with pytest.raises(TypeError, match=r"^Argument `batch_size` must be a whole number\."):
        Run.from_batch(32.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"`samples_per_epoch` and `steps_per_epoch` both"):
        Run.from_batch(32, samples_per_epoch=100, steps_per_epoch=3)
    with pytest.raises(TypeError, match=r"^Argument `run` must be a lrschedule Run"):
        CosineDecay(0.1, "1ep").resolve({"total": 3})
    with pytest.raises(TypeError, match=r"^Argument `run` must be a lrschedule Run"):
        CosineDecay(0.1, 10).resolve(None)


# ------------------------------------------------------ unit strings kept and round-tripped
def test_config_repr_and_equality_keep_the_strings() -> None:
    schedule = CosineDecay(0.1, decay_steps="90%", warmup_steps="1ep", warmup_target=0.2)
    assert schedule.get_config()["decay_steps"] == "90%"
    assert repr(schedule) == (
        "CosineDecay(initial_learning_rate=0.1, decay_steps='90%', warmup_target=0.2, "
        "warmup_steps='1ep')"
    )
    assert eval(repr(schedule), vars(lrschedule)) == schedule
    assert type(schedule).__name__ == "CosineDecay" and isinstance(schedule, CosineDecay)
    assert hash(schedule) == hash(CosineDecay(0.1, "90%", warmup_steps="1ep", warmup_target=0.2))
    assert schedule != CosineDecay(0.1, "91%", warmup_steps="1ep", warmup_target=0.2)
    with pytest.raises(AttributeError, match="immutable"):
        schedule.decay_steps = "80%"  # type: ignore[misc]


ROUND_TRIP = [
    CosineDecay(0.1, decay_steps="90%", warmup_steps="1ep", warmup_target=0.2),
    Join([Warmup(Constant(0.1), "2.5e9tok"), ExponentialDecay(0.1, "1.2e6sp", 0.5)], ["0.1dur"]),
    PiecewiseConstantDecay([100, "1ep"], [0.1, 0.01, 0.001]),
    Scale(MultiStepDecay(0.1, ["1ep", 2000, "90%"]), 2.0),
]


@pytest.mark.parametrize("schedule", ROUND_TRIP, ids=lambda s: type(s).__name__)
def test_serialization_round_trips(schedule: Any, tmp_path: Any) -> None:
    document = lrschedule.serialize(schedule)
    assert document["class_name"] == type(schedule).__name__
    assert lrschedule.deserialize(document) == schedule
    for suffix in (".json", ".toml"):
        path = tmp_path / f"schedule{suffix}"
        lrschedule.save(schedule, path)
        loaded = lrschedule.load(path)
        assert loaded == schedule and repr(loaded) == repr(schedule)
    assert pickle.loads(pickle.dumps(schedule)) == schedule
    assert copy.deepcopy(schedule) == schedule and copy.copy(schedule) == schedule
    run = Run("10ep", steps_per_epoch=250, samples_per_step=512, tokens_per_step=2**20)
    assert lrschedule.deserialize(document).resolve(run) == schedule.resolve(run)


def test_import_and_a_plain_call_load_no_unit_machinery() -> None:
    code = (
        "import sys, lrschedule\n"
        "lrschedule.CosineDecay(0.1, 1000, warmup_steps=10)(5)\n"
        "print(*[m for m in ('fractions', 'lrschedule.core.units', 'lrschedule.schedules.resolve')"
        " if m in sys.modules])\n"
        "lrschedule.CosineDecay(0.1, '1ep')\n"
        "print('lrschedule.schedules.resolve' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == ["", "True"]


def test_the_schedule_edits_take_units() -> None:
    from lrschedule.schedules.edits import CoolDown, TrainLonger

    per_epoch = Fraction(2000, 3)  # 666.67 steps per epoch
    run = Run("12ep", steps_per_epoch=per_epoch)
    base = CosineDecay(0.1, decay_steps="12ep")
    cooled = CoolDown(base, start_step="80%", decay_steps="1.5ep")
    resolved = cooled.resolve(run)
    assert resolved.start_step == half_even(Fraction(8, 10) * 12 * per_epoch) == 6400
    assert resolved.decay_steps == half_even(Fraction(3, 2) * per_epoch) == 1000
    assert resolved.schedule.decay_steps == half_even(12 * per_epoch) == 8000
    assert lrschedule.deserialize(lrschedule.serialize(cooled)) == cooled
    longer = TrainLonger(base, current_step="3ep", total_steps="12ep", new_total_steps="1.5dur")
    resolved = longer.resolve(run)
    assert (resolved.current_step, resolved.total_steps) == (2000, 8000)
    assert resolved.new_total_steps == half_even(Fraction(3, 2) * 12 * per_epoch) == 12000
