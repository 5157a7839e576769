"""compare(a, b, steps) and `lrschedule describe/plot --compare`, against brute force.

Small runs are checked against every step written out here; long runs against the first
difference, the largest difference and the area difference worked out by hand.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from lrschedule import Constant, CosineDecay, ExponentialDecay, StepDecay
from lrschedule.analysis.compare import compare
from lrschedule.cli import main
from lrschedule.schedules.edits import CoolDown, RescaleTime, TrainLonger


def brute(a: Any, b: Any, total: int) -> tuple[int | None, float, int | None, float]:
    """First differing step, largest |b - a| and its first step, area difference: every step."""
    first, largest, at = None, 0.0, None
    for t in range(total):
        gap = abs(float(b(t)) - float(a(t)))
        if float(b(t)) != float(a(t)) and first is None:
            first = t
        if gap > largest:
            largest, at = gap, t
    area = math.fsum(float(b(t)) for t in range(total)) - math.fsum(
        float(a(t)) for t in range(total)
    )
    return first, largest, at, area


PAIRS = [
    (CosineDecay(0.1, 1000), CoolDown(CosineDecay(0.1, 1000), 600, 100, shape="cosine")),
    (CosineDecay(0.1, 1000), TrainLonger(CosineDecay(0.1, 1000), 300, 1000, 1500)),
    (StepDecay(0.1, 30, 0.5), RescaleTime(StepDecay(0.1, 30, 0.5), 1.5)),
    (Constant(0.1), Constant(0.1)),
    (Constant(0.1), ExponentialDecay(0.2, 100, 0.5)),
]


@pytest.mark.parametrize(("a", "b"), PAIRS, ids=repr)
def test_small_runs_against_every_step(a: Any, b: Any) -> None:
    result = compare(a, b, 1200)
    first, largest, at, area = brute(a, b, 1200)
    assert result.exact
    assert result.first_difference == first
    assert result.largest_difference == largest
    assert result.largest_at == at
    assert result.area_difference == pytest.approx(area, rel=1e-9, abs=1e-12)


def test_a_billion_steps_without_walking_them() -> None:
    k, d, n = 6 * 10**8, 10**8, 10**9
    a = Constant(0.1)
    b = CoolDown(a, k, d, 0.0, "linear")
    result = compare(a, b, n)
    assert not result.exact
    assert result.first_difference == k + 1  # b(k) = a(k): continuous
    assert result.largest_difference == 0.1
    assert result.largest_at == k + d
    ramp = 0.1 * (d - 1) / 2  # sum of 0.1 * j / d for j < d
    assert result.area_difference == pytest.approx(-(ramp + 0.1 * (n - k - d)), rel=1e-12)


def test_a_billion_steps_of_a_cosine_cool_down() -> None:
    a = CosineDecay(0.1, 10**9)
    b = CoolDown(a, 7 * 10**8, 10**8, 0.0, "cosine")
    result = compare(a, b, 10**9)
    first = result.first_difference
    assert first is not None
    assert all(a(t) == b(t) for t in range(7 * 10**8 - 1000, first))
    assert a(first) != b(first)
    # after k + D, b is 0: the largest gap is a's value there, where a is largest.
    assert result.largest_difference >= float(a(8 * 10**8))


def test_as_dict_and_lines() -> None:
    result = compare(Constant(0.1), CoolDown(Constant(0.1), 8, 2), 10)
    assert result.as_dict()["first_difference"] == 9
    assert str(result) == "\n".join(result.lines())


# ---------------------------------------------------------------------------- the command
def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


EXPECTED = """\
first:              Constant(value=0.1)
second:             CoolDown(schedule=Constant(value=0.1), start_step=8, decay_steps=4)
steps:              12 updates (steps 0 to 11)
first difference:   step 9: 0.1 -> 0.075 (every step compared)
largest difference: 0.075 at step 11
area:               1.2 -> 1.05 (closed form)
area difference:    -0.15
"""


def test_describe_compare_text(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "describe",
        "Constant(0.1)",
        "--steps",
        "12",
        "--compare",
        "CoolDown(Constant(0.1), 8, 4)",
    ]
    code, out, err = run(argv, capsys)
    assert (code, err) == (0, "")
    # Steps 8 to 11 of the cool-down: 0.1, 0.075, 0.05, 0.025 (0.1 * (12 - t) / 4).
    assert out == EXPECTED


def test_describe_compare_json(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "describe",
        "Constant(0.1)",
        "--steps",
        "12",
        "--compare",
        "Constant(0.2)",
        "--format",
        "json",
    ]
    code, out, _ = run(argv, capsys)
    figures = json.loads(out)
    assert code == 0
    assert figures["first_difference"] == 0
    assert figures["largest_difference"] == 0.1
    assert figures["area_difference"] == pytest.approx(1.2)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["describe", "Constant(0.1)", "--compare", "Constant(0.2)"],
            "lrschedule describe: error: --steps N is required with a schedule",
        ),
        (
            ["describe", "Constant(0.1)", "--steps", "9", "--compare", "Nope(1)"],
            "lrschedule describe: error: bad schedule: `Nope` (column 1) is not a known schedule",
        ),
        (
            [
                "describe",
                "Constant(0.1)",
                "--steps",
                "9",
                "--compare",
                "CoolDown(Constant(0.1), 1, 0)",
            ],
            "Argument `decay_steps` must be a whole number > 0. Received: decay_steps=0",
        ),
        (
            ["plot", "Constant(0.1)", "--compare", "Constant(0.2)"],
            "lrschedule plot: error: --steps N is required with a schedule",
        ),
    ],
)
def test_compare_errors(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(argv, capsys)
    assert code == 2
    assert out == ""
    assert message in err


def test_plot_compare_draws_both(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("LINES", "24")
    monkeypatch.setenv("NO_COLOR", "1")
    argv = [
        "plot",
        "Constant(0.1)",
        "--steps",
        "100",
        "--compare",
        "CoolDown(Constant(0.1), 50, 50)",
    ]
    code, out, err = run(argv, capsys)
    assert (code, err) == (0, "")
    assert "Constant(0.1)" in out
    assert "CoolDown(Constant(0.1), 50, 50)" in out
