"""Schedule specs for the command line: files, JSON strings and constructor calls (ast only)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import lrschedule
from lrschedule import (
    Constant,
    CosineDecay,
    ExponentialDecay,
    Join,
    LearningRateSchedule,
    LinearDecay,
    PiecewiseConstantDecay,
    Warmup,
    save,
    serialize,
)
from lrschedule.cli.spec import SpecError, parse_spec


@lrschedule.register(package="spec_tests")
class Halving(LearningRateSchedule):
    def __init__(self, initial_learning_rate: float, period: int) -> None:
        self.initial_learning_rate = initial_learning_rate
        self.period = period

    def __call__(self, step: Any) -> Any:
        return self.initial_learning_rate * 0.5 ** (step // self.period)

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate, "period": self.period}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "ExponentialDecay(0.1, decay_steps=100000, decay_rate=0.96, staircase=True)",
            ExponentialDecay(0.1, 100000, 0.96, staircase=True),
        ),
        ("ExponentialDecay(0.1, 1e5, 0.96)", ExponentialDecay(0.1, 100000.0, 0.96)),
        ("  ExponentialDecay(\n  0.1, 100_000, 0.96)\n", ExponentialDecay(0.1, 100000, 0.96)),
        ("lrschedule.CosineDecay(0.1, 1000, alpha=+0.5)", CosineDecay(0.1, 1000, alpha=0.5)),
        (
            "PiecewiseConstantDecay((100, 200), [1.0, -0.5, 0.1], name=None)",
            PiecewiseConstantDecay((100, 200), [1.0, -0.5, 0.1], name=None),
        ),
        (
            "Warmup(CosineDecay(0.1, 10000), warmup_steps=500)",
            Warmup(CosineDecay(0.1, 10000), warmup_steps=500),
        ),
        (
            "Join([Constant(0.1), LinearDecay(0.1, 100, 0.0)], boundaries=[50], name='x')",
            Join([Constant(0.1), LinearDecay(0.1, 100, 0.0)], boundaries=[50], name="x"),
        ),
        (
            # A dict argument: a serialized schedule as a composite's child.
            "Warmup({'class_name': 'Constant', 'config': {'value': 0.1}}, 5)",
            Warmup(Constant(0.1), 5),
        ),
        ("spec_tests.Halving(0.1, period=10)", Halving(0.1, 10)),
    ],
)
def test_calls(text: str, expected: LearningRateSchedule) -> None:
    built = parse_spec(text)
    assert type(built) is type(expected) and built == expected


def test_repr_round_trips() -> None:
    for schedule in [
        ExponentialDecay(0.1, 100000, 0.96, staircase=True),
        Warmup(CosineDecay(0.1, 10000, warmup_target=0.2, warmup_steps=10), 500, shape="cosine"),
        Join([Constant(0.1), LinearDecay(0.1, 100, 0.0)], boundaries=[50]),
    ]:
        assert parse_spec(repr(schedule)) == schedule


def test_json_string() -> None:
    schedule = Join([Constant(0.1), CosineDecay(0.1, 100)], boundaries=[10])
    assert parse_spec(json.dumps(serialize(schedule))) == schedule
    legacy = (
        '{"class_name": "CosineDecay", "config": {"initial_learning_rate": 0.1, "decay_steps": 9}}'
    )
    assert parse_spec(legacy) == CosineDecay(0.1, 9)


@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_files(tmp_path: Path, suffix: str) -> None:
    schedule = Warmup(ExponentialDecay(0.1, 1000, 0.5, staircase=True), 100)
    path = tmp_path / f"schedule{suffix}"
    save(schedule, path)
    assert parse_spec(str(path)) == schedule
    upper = tmp_path / f"other{suffix.upper()}"
    upper.write_bytes(path.read_bytes())
    assert parse_spec(str(upper)) == schedule


def message(text: str) -> str:
    with pytest.raises(SpecError) as raised:
        parse_spec(text)
    return str(raised.value)


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("", "the schedule spec is empty"),
        ("   ", "the schedule spec is empty"),
        (
            "ExponentalDecay(0.1, 10, 0.5)",
            r"`ExponentalDecay` \(column 1\) is not a known schedule; did you mean ExponentialDecay\?",
        ),
        ("Zzz(1)", r"`Zzz` \(column 1\) is not a known schedule; known: .*CosineDecay.*"),
        (
            "ExponentialDecay(0.1, 10 ** 3, 0.5)",
            r"`10 \*\* 3` \(column 23\) is not allowed.*write the number itself",
        ),
        (
            "ExponentialDecay(0.1, steps, 0.5)",
            r"`steps` \(column 23\) is not allowed in a schedule spec: arguments must be literals",
        ),
        ("ExponentialDecay(0.1, 10, 0.5, staircase=1j)", r"`1j` \(column 42\) is not allowed"),
        ("ExponentialDecay(b'0.1', 10, 0.5)", r"`b'0.1'` \(column 18\) is not allowed"),
        (
            "ExponentialDecay(-x, 10, 0.5)",
            r"`-x` \(column 18\) is not allowed in a schedule spec: a sign goes before a number",
        ),
        (
            "ExponentialDecay(*[0.1, 10, 0.5])",
            r"`\*\[0.1, 10, 0.5\]` \(column 18\) cannot be unpacked",
        ),
        (
            "ExponentialDecay(**{'decay_steps': 1})",
            r"`\{'decay_steps': 1\}` \(column 20\) cannot be unpacked",
        ),
        (
            "ExponentialDecay(0.1, 0, 0.5)",
            r"`ExponentialDecay\(0.1, 0, 0.5\)` \(column 1\) is not a valid schedule: Argument `decay_steps` must be > 0. Received: decay_steps=0",
        ),
        (
            "CosineDecay(0.1, 10, nope=3)",
            r"is not a valid schedule: .*unexpected keyword argument 'nope'",
        ),
        (
            "Warmup(CosineDecay(0.1, 0), 5)",
            r"`CosineDecay\(0.1, 0\)` \(column 8\) is not a valid schedule: Argument `decay_steps` must be > 0",
        ),
        (
            "Warmup({'class_name': 'Nope', 'config': {}}, 5)",
            r"is not a valid schedule: .*Unknown schedule class_name='Nope'",
        ),
        (
            "Join([Constant(0.1)], [], name={1: 2})",
            r"`1` \(column 33\) is not allowed as a dict key",
        ),
        (
            "os.system('ls')",
            r"`os.system` \(column 1\) is not a registered schedule \(no class registered as os>system\)",
        ),
        (
            "__import__('os').system('ls')",
            r"`__import__\('os'\).system` \(column 1\) is not a schedule name",
        ),
        ("(lambda: 0)()", r"`lambda: 0` \(column 2\) is not a schedule name"),
        ("Constant(0.1)[0]", r"`Constant\(0.1\)\[0\]` \(column 1\) is not a schedule"),
        ("[Constant(0.1)]", r"is not a schedule: write a file path, a JSON object, or a call"),
        ("0.1", r"`0.1` \(column 1\) is not a schedule"),
        ("Constant(value=f'{1}')", r"`f'\{1\}'` \(column 16\) is not allowed"),
        (
            "ExponentialDecay(0.1, 10, 0.5",
            r"is not a file, JSON or a constructor call: '\(' was never closed at column 17",
        ),
        (
            "Constant(0.1, value=0.2)",
            r"is not a valid schedule: .*multiple values for argument 'value'",
        ),
        (
            "Constant(value=0.1, value=0.2)",
            r"`value=0.2` \(column 21\) repeats the argument `value`",
        ),
        (
            "{not json",
            r"the schedule spec is not valid JSON: Expecting property name enclosed in double quotes at column 2",
        ),
        (
            '{"class_name": "Nope", "config": {}}',
            r"the JSON schedule spec is not a schedule: Unknown schedule class_name='Nope'",
        ),
        ("missing.json", r"no schedule file 'missing.json' \(a .json or .toml file was expected\)"),
        (
            "Scale(" * 400 + "Constant(0.1)" + ", 2)" * 400,
            r"nested too deeply|too many nested parentheses",
        ),
    ],
)
def test_errors_point_at_the_problem(text: str, pattern: str) -> None:
    assert re.search(pattern, message(text)), message(text)


def test_nothing_is_evaluated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for text in [
        "__import__('os').system('touch pwned')",
        "Constant(__import__('os').system('touch pwned'))",
        "Constant(open('pwned', 'w'))",
    ]:
        with pytest.raises(SpecError):
            parse_spec(text)
    assert not (tmp_path / "pwned").exists()


def test_file_errors(tmp_path: Path) -> None:
    other = tmp_path / "schedule.txt"
    other.write_text("{}")
    assert "use a .json or .toml file" in message(str(other))
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    assert "broken.json" in message(str(broken))
    wrong = tmp_path / "wrong.toml"
    wrong.write_text('class_name = "Nope"\n[config]\n')
    assert "Nope" in message(str(wrong))
    assert "\n" not in message(str(broken))


def test_spec_must_be_a_string() -> None:
    with pytest.raises(SpecError, match="must be a string"):
        parse_spec(3)  # type: ignore[arg-type]


def test_a_class_name_registered_by_two_packages_must_be_qualified() -> None:
    @lrschedule.register(package="spec_tests_other")
    class Halving(LearningRateSchedule):  # the same class name as the module's, another package
        def __init__(self, initial_learning_rate: float) -> None:
            self.initial_learning_rate = initial_learning_rate

        def __call__(self, step: Any) -> Any:
            return self.initial_learning_rate

        def get_config(self) -> dict[str, Any]:
            return {"initial_learning_rate": self.initial_learning_rate}

    with pytest.raises(
        SpecError, match=r"`Halving` \(column 1\) is ambiguous: write one of .*spec_tests.Halving"
    ):
        parse_spec("Halving(0.1, period=10)")
    assert parse_spec("spec_tests_other.Halving(0.5)")(7) == 0.5
    assert parse_spec("spec_tests.Halving(0.1, period=10)") == globals()["Halving"](0.1, 10)
