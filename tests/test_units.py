"""Step counts in units: the grammar, and the exact conversion to steps for a run.

Every expected step count is computed here with :class:`fractions.Fraction` and a
half-to-even rounding written out below, from the numbers of the run, independently of
the library.
"""

from __future__ import annotations

import re
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

import lrschedule
from lrschedule import (
    CosineDecay,
    ExponentialDecay,
    MultiStepDecay,
    PiecewiseConstantDecay,
    Run,
    WarmupStableDecay,
)
from lrschedule.core.errors import UnresolvedScheduleError
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
