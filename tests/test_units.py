"""Step counts in units: the grammar, the exact conversion for a run, resolution, and the
unit strings kept through config, repr, serialization, files and pickling.

Every expected step count is computed here with :class:`fractions.Fraction` and Python's
``round`` (half to even), from the numbers of the run, independently of the library.
"""

from __future__ import annotations

import copy
import math
import pickle
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

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
    WarmupStableDecay,
)
from lrschedule.core.errors import MissingRunValueError, UnresolvedScheduleError
from lrschedule.core.units import MAX_LENGTH, parse
from lrschedule.schedules.arguments import step_arguments
from lrschedule.schedules.base import Schedule


def half_even(value: Fraction) -> int:
    """Round half to even, written out: the floor, or one more past half or at an odd tie."""
    floor = value.numerator // value.denominator
    rest = value - floor
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and floor % 2 == 1):
        return floor + 1
    return floor


# ------------------------------------------------------------------------- the grammar
@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("500ba", Fraction(500), "ba"),
        ("3ep", Fraction(3), "ep"),
        ("1.2e6sp", Fraction(1_200_000), "sp"),
        ("2.5e9tok", Fraction(2_500_000_000), "tok"),
        ("10%", Fraction(10), "%"),
        ("0.1dur", Fraction(1, 10), "dur"),
        (".5ep", Fraction(1, 2), "ep"),
        ("2.ep", Fraction(2), "ep"),
        ("1E3ba", Fraction(1000), "ba"),
        ("25e-2dur", Fraction(1, 4), "dur"),
        ("1e+2tok", Fraction(100), "tok"),
        ("12345678901234567890123tok", Fraction(12345678901234567890123), "tok"),
        ("0ep", Fraction(0), "ep"),
    ],
)
def test_unit_strings_parse_exactly(text: str, value: Fraction, unit: str) -> None:
    quantity = parse("decay_steps", text)
    assert (quantity.value, quantity.unit, quantity.text) == (value, unit, text)


BAD = [
    "ep",
    "infep",
    "nanba",
    "-1ep",
    "+1ep",
    " 3ep",
    "3 ep",
    "1.2.3ep",
    "1e99999ep",
    "1e65tok",
    "1e-65tok",
    "1e--2ep",
    "1eep",
    "0x10ba",
    "1_000ba",
    "١٢ep",  # digits of another script
    "3ep3ep",
    ".ep",
    "e5ep",
]
#: Strings that end with no unit: the argument's usual error, as before units.
NOT_UNITS = ["", "inf", "nan", "3ep ", "3epoch", "3EP", "1e5", "100", "3 epochs"]


@pytest.mark.parametrize("text", BAD)
def test_malformed_unit_strings_are_value_errors_with_keras_wording(text: str) -> None:
    with pytest.raises(ValueError, match=r"^Argument `decay_steps` must be ") as caught:
        CosineDecay(0.1, decay_steps=text)
    assert f"Received: decay_steps={text!r}" in str(caught.value)


@pytest.mark.parametrize("text", NOT_UNITS)
def test_strings_without_a_unit_keep_the_usual_type_error(text: str) -> None:
    with pytest.raises(
        TypeError,
        match=r"^Argument `decay_steps` must be a real number \(int or float\)\. "
        rf"Received: decay_steps={re.escape(repr(text))} of type str$",
    ):
        CosineDecay(0.1, decay_steps=text)
    with pytest.raises(TypeError, match=r"^Argument `boundaries\[1\]` must be a real number"):
        PiecewiseConstantDecay(["1ep", text], [0.1, 0.01, 0.001])


def test_parsing_a_number_without_a_unit_says_which_unit_to_add() -> None:
    with pytest.raises(
        TypeError,
        match=r"^Argument `total` must be a real number \(int or float\), or a number and "
        r"a unit \('100ba' for 100 steps; .*Received: total='100' of type str$",
    ):
        Run("100")


def test_fractional_optimizer_steps_need_a_plain_number() -> None:
    with pytest.raises(ValueError, match=r"must count whole steps in 'ba'.*decay_steps='2.5ba'"):
        CosineDecay(0.1, decay_steps="2.5ba")
    assert CosineDecay(0.1, decay_steps=2.5).decay_steps == 2.5  # plain: as before


def test_an_absurdly_long_string_is_refused_by_its_length_alone() -> None:
    text = "1" * 10_000_000 + "ep"
    with pytest.raises(
        ValueError, match=rf"at most {MAX_LENGTH} characters.*10000002 characters"
    ) as caught:
        CosineDecay(0.1, decay_steps=text)
    assert len(str(caught.value)) < 400


def test_a_zero_that_the_argument_refuses_is_refused_at_once() -> None:
    with pytest.raises(ValueError, match=r"^Argument `decay_steps` must be > 0\. Received: "):
        CosineDecay(0.1, decay_steps="0ep")
    assert CosineDecay(0.1, 10, warmup_steps="0ep").resolve(Run()).warmup_steps == 0


def test_a_non_string_non_number_element_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"Argument `boundaries\[1\]` must be a real number"):
        PiecewiseConstantDecay([100, None, "2ep"], [0.1, 0.01, 0.001, 0.0001])


# ----------------------------------------------------------------- exact conversions
def test_epochs_with_steps_per_epoch_that_do_not_divide() -> None:
    # 50,000 samples at 128 a step: 390.625 steps per epoch, kept exact.
    run = Run.from_batch(128, samples_per_epoch=50_000, total="90ep")
    per_epoch = Fraction(50_000, 128)
    schedule = CosineDecay(0.1, decay_steps="85ep", warmup_steps="3ep", warmup_target=0.5)
    resolved = schedule.resolve(run)
    assert resolved.warmup_steps == half_even(3 * per_epoch) == 1172  # 1171.875
    assert resolved.decay_steps == half_even(85 * per_epoch) == 33203  # 33203.125
    assert type(resolved.warmup_steps) is int and type(resolved.decay_steps) is int


def test_fractions_of_the_run_are_of_its_exact_length_rounded_once() -> None:
    # 7 epochs of 390.625 steps: 2734.375 steps. 10% of it is 273.4375, rounded once
    # (rounding the length first, 2734, would give 273.4 too; 55% shows the difference:
    # 1503.90625 exactly against 1503.7 from the rounded length).
    run = Run(total="7ep", steps_per_epoch=Fraction(50_000, 128))
    total = 7 * Fraction(50_000, 128)
    schedule = CosineDecay(0.1, decay_steps="55%", warmup_steps="0.1dur", warmup_target=0.2)
    resolved = schedule.resolve(run)
    assert resolved.decay_steps == half_even(Fraction(55, 100) * total) == 1504
    assert resolved.warmup_steps == half_even(Fraction(1, 10) * total) == 273


@pytest.mark.parametrize(
    ("text", "total", "expected"),
    [
        ("50%", 5, 2),  # 2.5: to the even 2
        ("50%", 7, 4),  # 3.5: to the even 4
        ("0.5dur", 9, 4),  # 4.5: to 4
        ("25%", 10, 2),  # 2.5: to 2
        ("75%", 10, 8),  # 7.5: to 8
    ],
)
def test_ties_round_to_the_even_step(text: str, total: int, expected: int) -> None:
    resolved = CosineDecay(0.1, decay_steps=text).resolve(Run(total))
    share = parse("x", text).value / (100 if text.endswith("%") else 1)
    assert resolved.decay_steps == half_even(share * total) == expected


def test_token_counts_beyond_2_to_the_53_are_exact() -> None:
    # 2**53 + 1 tokens is not a float; at 3 tokens per step, floats would be off by steps.
    tokens = 2**53 + 1
    per_step = 3
    schedule = WarmupStableDecay(
        0.0, 0.1, warmup_steps=f"{tokens}tok", stable_steps="1e16tok", decay_steps="2.5e15tok"
    )
    resolved = schedule.resolve(Run(tokens_per_step=per_step))
    assert resolved.warmup_steps == half_even(Fraction(tokens, per_step)) == 3002399751580331
    assert resolved.stable_steps == half_even(Fraction(10**16, per_step))
    assert resolved.decay_steps == half_even(Fraction(25 * 10**14, per_step))
    assert float(tokens) / per_step != resolved.warmup_steps  # what floats would give


def test_samples_per_step_from_the_batch() -> None:
    run = Run.from_batch(48, grad_accumulation=3, world_size=5, sequence_length=1000)
    samples = 48 * 3 * 5
    assert run.samples_per_step == samples and run.tokens_per_step == samples * 1000
    resolved = ExponentialDecay(0.1, "1.2e6sp", 0.5).resolve(run)
    assert resolved.decay_steps == half_even(Fraction(1_200_000, samples)) == 1667
    resolved = ExponentialDecay(0.1, "1e9tok", 0.5).resolve(run)
    assert resolved.decay_steps == half_even(Fraction(10**9, samples * 1000)) == 1389


def test_total_in_any_unit() -> None:
    per_epoch = Fraction(1000, 3)
    assert Run("4ep", steps_per_epoch=per_epoch).total_steps == 4 * per_epoch
    assert Run("1e6sp", samples_per_step=96).total_steps == Fraction(10**6, 96)
    assert Run("3e9tok", tokens_per_step=2**19).total_steps == Fraction(3 * 10**9, 2**19)
    assert Run("1200ba").total_steps == 1200 == Run(1200).total_steps


def test_a_float_steps_per_epoch_is_taken_exactly() -> None:
    assert Run(steps_per_epoch=390.625).steps_per_epoch == Fraction(3125, 8)
    assert Run(steps_per_epoch=0.1).steps_per_epoch == Fraction(0.1)  # the float's value


def test_every_step_argument_accepts_units() -> None:
    # Library classes with step-count arguments, resolved at 200 steps per epoch.
    run = Run("10ep", steps_per_epoch=200)
    cases: list[tuple[Any, dict[str, Any]]] = [
        (
            CosineDecay(0.1, "5ep", warmup_steps="50%", warmup_target=0.2),
            {"decay_steps": 1000, "warmup_steps": 1000},
        ),
        (ExponentialDecay(0.1, "1ep", 0.5), {"decay_steps": 200}),
        (MultiStepDecay(0.1, ["2ep", 700, "75%"]), {"milestones": (400, 700, 1500)}),
        (
            WarmupStableDecay(0.0, 0.1, "1ep", "80%", "1ep"),
            {"warmup_steps": 200, "stable_steps": 1600, "decay_steps": 200},
        ),
    ]
    for schedule, expected in cases:
        assert set(expected) == set(step_arguments(type(schedule)))
        resolved = schedule.resolve(run)
        for name, steps in expected.items():
            assert getattr(resolved, name) == steps


def _in_samples(value: Any) -> Any:
    """A whole step count as the same count in samples, at 3 samples a step."""
    if isinstance(value, (list, tuple)):
        return type(value)(_in_samples(item) for item in value)
    if type(value) is int:
        return f"{3 * value}sp"
    return value  # None, or a fractional count, which stays a plain number


def _written_in_units(schedule: Any, seen: set[str]) -> Any:
    """``schedule`` with every whole step count (children's too) written in samples."""
    if not isinstance(schedule, Schedule):
        return schedule
    values = schedule._arguments()
    for argument in type(schedule).__arguments__:
        value = values[argument.name]
        if argument.kind == "schedule":
            values[argument.name] = _written_in_units(value, seen)
        elif argument.kind == "schedules":
            values[argument.name] = [_written_in_units(item, seen) for item in value]
        elif argument.counts_steps and _in_samples(value) != value:
            values[argument.name] = _in_samples(value)
            seen.add(f"{type(schedule).__name__}.{argument.name}")
    return type(schedule)(**values)


def test_every_schedule_resolves_to_itself_from_samples() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from every_schedule import build

    seen: set[str] = set()
    run = Run(samples_per_step=3)
    for schedule in build():
        written = _written_in_units(schedule, seen)
        if written != schedule:
            assert not written.is_resolved
            with pytest.raises(UnresolvedScheduleError):
                written(0)
            assert written.resolve(run) == schedule
    # Every class with a step-count argument had one given in units.
    exported = [getattr(lrschedule, name) for name in lrschedule.__all__]
    wanted = {
        cls.__name__
        for cls in exported
        if isinstance(cls, type) and issubclass(cls, Schedule) and step_arguments(cls)
    }
    assert {entry.partition(".")[0] for entry in seen} == wanted


def test_mixed_lists_keep_their_plain_numbers_and_container() -> None:
    schedule = PiecewiseConstantDecay((100, "1ep", "2ep"), (0.1, 0.05, 0.01, 0.001))
    assert schedule.get_config()["boundaries"] == (100, "1ep", "2ep")
    resolved = schedule.resolve(Run(steps_per_epoch=Fraction(1001, 2)))
    assert resolved.get_config()["boundaries"] == (100, half_even(Fraction(1001, 2)), 1001)
    assert resolved(500) == 0.05 and resolved(501) == 0.01


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
