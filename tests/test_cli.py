"""The ``lrschedule`` command: every subcommand, option and error, in-process and installed.

Outputs are compared with golden files in ``tests/golden``; the numbers in those files are
checked here against formulas written independently of the library (exact fractions,
``math`` and ``tests/reference.py``), so a golden file cannot silently bless a wrong value.
"""

from __future__ import annotations

import json
import math
import os
import struct
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from tests import reference

from lrschedule import ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay
from lrschedule.cli import DEFAULT_SPEC, default_schedule, main, table_steps

GOLDEN = Path(__file__).parent / "golden"
SCRIPT = Path(sys.executable).parent / "lrschedule"

CASES = {
    "table_default.txt": ["table"],
    "table_cosine.md": [
        "table",
        "CosineDecay(0.1, decay_steps=10000, alpha=0.01)",
        "--steps",
        "10001",
        "--points",
        "5",
        "--format",
        "markdown",
    ],
    "table_piecewise.csv": [
        "table",
        "PiecewiseConstantDecay([1000, 2000], [0.1, 0.01, 0.001])",
        "--steps",
        "3000",
        "--every",
        "500",
        "--format",
        "csv",
    ],
    "table_inverse_time.json": [
        "table",
        "InverseTimeDecay(0.1, 1000, 0.5)",
        "--steps",
        "4000",
        "--every",
        "1000",
        "--format",
        "json",
    ],
    "describe_default.txt": ["describe"],
    "describe_warmup_cosine.txt": [
        "describe",
        "CosineDecay(0.0, 90000, warmup_target=0.1, warmup_steps=10000)",
        "--steps",
        "100000",
    ],
    "describe_restarts.json": [
        "describe",
        "CosineDecayRestarts(0.1, 1000, m_mul=0.5)",
        "--steps",
        "10000",
        "--format",
        "json",
    ],
}


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(autouse=True)
def _terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A known terminal size, and no colors."""
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("LINES", "24")
    monkeypatch.setenv("NO_COLOR", "1")


# ---------------------------------------------------------------------------- golden files
@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_output(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(CASES[name], capsys)
    assert (code, err) == (0, "")
    assert out == (GOLDEN / name).read_text()


def close(printed: str, exact: float, digits: int = 10) -> bool:
    """A number printed with ``digits`` significant digits is the exact value, rounded."""
    return math.isclose(float(printed.replace(",", "")), exact, rel_tol=10 ** (1 - digits))


def seed(step: int) -> float:
    """The Keras example, from its definition: 0.1 * 0.96 ** floor(step / 100000)."""
    return float(reference.exponential_decay(0.1, 100000, 0.96, True, step=step))


def test_golden_tables_are_right() -> None:
    rows = [line.split() for line in (GOLDEN / "table_default.txt").read_text().splitlines()[2:]]
    assert [int(step.replace(",", "")) for step, _ in rows] == [
        *range(0, 1_000_000, 100_000),
        999_999,
    ]
    assert all(close(rate, seed(int(step.replace(",", "")))) for step, rate in rows)

    markdown = (GOLDEN / "table_cosine.md").read_text().splitlines()[2:]
    for line in markdown:
        step, rate = (cell.strip() for cell in line.strip("|").split("|"))
        t = int(step.replace(",", ""))
        exact = 0.1 * (0.99 * 0.5 * (1 + math.cos(math.pi * min(t, 10000) / 10000)) + 0.01)
        assert close(rate, exact), line
    assert [line.split("|")[1].strip() for line in markdown] == [
        "0",
        "2,500",
        "5,000",
        "7,500",
        "10,000",
    ]

    csv_rows = (GOLDEN / "table_piecewise.csv").read_text().splitlines()
    assert csv_rows[0] == "step,learning_rate"
    for line in csv_rows[1:]:
        step, rate = line.split(",")
        t = int(step)
        exact = 0.1 if t <= 1000 else 0.01 if t <= 2000 else 0.001  # right-closed intervals
        assert float(rate) == exact

    document = json.loads((GOLDEN / "table_inverse_time.json").read_text())
    assert document["schedule"] == repr(InverseTimeDecay(0.1, 1000, 0.5))
    for row in document["rows"]:
        assert row["learning_rate"] == pytest.approx(
            0.1 / (1 + 0.5 * row["step"] / 1000), rel=1e-15
        )
    assert [row["step"] for row in document["rows"]] == [0, 1000, 2000, 3000, 3999]


def fields(name: str) -> dict[str, str]:
    result = {}
    for line in (GOLDEN / name).read_text().splitlines():
        key, _, value = line.partition("  ")
        if key.strip():
            result[key.strip()] = value.strip()
    return result


def crossing_within_rounding(rates: list[float], limit: float, step: int) -> bool:
    """``step`` is the first index with ``rates[step] < limit``, up to rounding of the rates.

    The exact rate can tie with the limit (the middle of a cosine is exactly half of its
    peak), where the last bit decides; the answer must then be one of the two steps found
    with the limit nudged down and up by 1e-13.
    """
    low = next(t for t, rate in enumerate(rates) if rate < limit * (1 - 1e-13))
    high = next(t for t, rate in enumerate(rates) if rate < limit * (1 + 1e-13))
    return high <= step <= low and low - high <= 1


def test_golden_describe_default_is_right() -> None:
    got = fields("describe_default.txt")
    # Stairs of 100,000 steps at 0.1 * 0.96**k, k = 0..9: the area is exact in fractions.
    area = Fraction(1, 10) * 100_000 * sum(Fraction(96, 100) ** k for k in range(10))
    assert close(got["area"].split()[0], float(area))
    assert close(got["mean"], float(area / 1_000_000))
    assert close(got["end"].split()[0], 0.1 * 0.96**9)
    assert got["end"].endswith("at step 999,999")
    assert got["peak"] == "0.1 at step 0" and got["start"] == "0.1"
    assert got["minimum"] == f"{0.1 * 0.96**9:.10g} at step 900,000"
    # 0.96**9 = 0.69 > 0.5: the rate never falls below half of the peak.
    assert got["below 50%"].startswith("never") and got["below 1%"].startswith("never")
    assert got["breakpoints"] == "9: " + ", ".join(f"{k * 100_000:,}" for k in range(1, 10))


def test_golden_describe_warmup_is_right() -> None:
    got = fields("describe_warmup_cosine.txt")
    warmup, decay = 10_000, 90_000
    # Linear from 0 to 0.1 over 10,000 steps, then 0.1 * (1 + cos(pi * j / 90000)) / 2.
    rates = [0.1 * t / warmup for t in range(warmup)]
    # 0.5 * (1 + cos(x)) == cos(x / 2) ** 2, which keeps its digits near the end.
    rates += [0.1 * math.cos(math.pi * j / (2 * decay)) ** 2 for j in range(decay)]
    assert close(got["area"].split()[0], math.fsum(rates))
    assert close(got["mean"], math.fsum(rates) / 100_000)
    assert close(got["end"].split()[0], rates[-1])
    assert got["peak"] == "0.1 at step 10,000" and got["minimum"] == "0 at step 0"
    for label, fraction in (("50%", 0.5), ("10%", 0.1), ("1%", 0.01)):
        step = int(got[f"below {label}"].split()[1].replace(",", ""))
        assert crossing_within_rounding(rates[warmup:], fraction * 0.1, step - warmup)
        assert got[f"below {label}"].endswith(f"(rate < {0.1 * fraction:g})")
    assert got["breakpoints"] == "1: 10,000"


def test_golden_describe_restarts_is_right() -> None:
    got = json.loads((GOLDEN / "describe_restarts.json").read_text())
    # Cycles of 1000 * 2**k steps start at 1000 * (2**k - 1); peaks 0.1 * 0.5**k.
    rates = []
    for t in range(10_000):
        k = 0
        while 1000 * (2 ** (k + 1) - 1) <= t:
            k += 1
        into, length = t - 1000 * (2**k - 1), 1000 * 2**k
        rates.append(0.1 * 0.5**k * math.cos(math.pi * into / (2 * length)) ** 2)
    assert got["area"] == pytest.approx(math.fsum(rates), rel=1e-13)
    assert got["mean"] == pytest.approx(math.fsum(rates) / 10_000, rel=1e-13)
    assert got["end"] == pytest.approx(rates[-1], rel=1e-13)
    assert (got["minimum"], got["minimum_step"]) == (pytest.approx(min(rates)), 6999)
    assert (got["peak"], got["peak_step"]) == (0.1, 0)
    for entry in got["below"]:
        assert crossing_within_rounding(rates, entry["fraction"] * 0.1, entry["step"])
    assert got["breakpoints"] == [1000, 3000, 7000] and not got["more_breakpoints"]
    assert got["area_method"] == "closed form" and got["total_steps"] == 10_000


# ---------------------------------------------------------------------------- table
def test_no_subcommand_prints_the_default_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert run([], capsys)[1] == (GOLDEN / "table_default.txt").read_text()
    code, out, _ = run(["--steps", "300000", "--every", "150000"], capsys)
    assert code == 0
    assert [line.split() for line in out.splitlines()[2:]] == [
        ["0", "0.1"],
        ["150,000", "0.096"],
        ["299,999", "0.09216"],
    ]


def test_table_steps() -> None:
    assert table_steps(10) == list(range(10))
    assert table_steps(25, every=10) == [0, 10, 20, 24]
    assert table_steps(21, every=10) == [0, 10, 20]
    assert table_steps(5, points=10) == [0, 1, 2, 3, 4]
    assert table_steps(1) == [0] and table_steps(1, points=3) == [0]


def test_table_formats_agree(capsys: pytest.CaptureFixture[str]) -> None:
    spec = ["table", "ExponentialDecay(0.1, 7, 0.5)", "--steps", "50", "--points", "4"]
    outputs = {fmt: run([*spec, "--format", fmt], capsys)[1] for fmt in ("csv", "json")}
    rows = [line.split(",") for line in outputs["csv"].splitlines()[1:]]
    document = json.loads(outputs["json"])
    assert [[str(row["step"]), repr(row["learning_rate"])] for row in document["rows"]] == rows
    assert [int(step) for step, _ in rows] == [0, 16, 32, 49]
    assert [float(rate) for _, rate in rows] == pytest.approx(
        [0.1 * 0.5 ** (int(step) / 7) for step, _ in rows], rel=1e-15
    )


# ---------------------------------------------------------------------------- plot
def test_plot_in_the_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["plot"], capsys)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) == 16 + 3  # LINES=24: 16 rows, the axis, its labels and the legend
    assert max(len(line) for line in lines) <= 80
    assert lines[0].lstrip().startswith("0.1 ┤")
    assert lines[15].lstrip().startswith(f"{0.1 * 0.96**9:.3g} ┤")
    assert lines[17].split()[:2] == ["0", "500k"] and lines[17].endswith("1M  step")
    assert lines[18].strip() == "━━ ExponentialDecay(0.1, 100000, 0.96, staircase=True)"
    # Ten stairs, nine drops: each drop is a vertical stroke.
    assert sum(1 for line in lines[:16] if "⡇" in line or "⢸" in line or "⢹" in line) >= 9


def test_plot_several_in_the_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    monkeypatch.setenv("LINES", "14")
    argv = [
        "plot",
        "CosineDecay(0.1, 1000)",
        "ExponentialDecay(0.1, 100, 0.5)",
        "--steps",
        "2000",
        "--log",
        "--steps-per-epoch",
        "100",
        "--label",
        "cosine",
        "--label",
        "exponential",
    ]
    code, out, _ = run(argv, capsys)
    lines = out.splitlines()
    assert code == 0 and len(lines) == 6 + 4 and max(map(len, lines)) <= 60
    assert lines[-2].strip() == "━━ cosine" and lines[-1].strip() == "━━ exponential"
    assert lines[-3].split()[0] == "0" and lines[-3].endswith("20  epoch")
    assert lines[5].split("┤")[0].strip() == f"{0.1 * 0.5**19.99:.3g}"  # log axis: down to the end


def test_terminal_colors(monkeypatch: pytest.MonkeyPatch) -> None:
    from lrschedule.cli import commands

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("TERM", "xterm")
    assert commands._use_color()
    monkeypatch.setenv("NO_COLOR", "1")
    assert not commands._use_color()
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("TERM", "dumb")
    assert not commands._use_color()


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_plot_to_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib")
    png = tmp_path / "schedule.png"
    code, out, err = run(["plot", "--out", str(png)], capsys)
    assert (code, err) == (0, "") and out == f"wrote {png} (800x450 pixels)\n"
    assert png_size(png) == (800, 450)
    small = tmp_path / "small.png"
    spec = "CosineDecayRestarts(0.1, 100)"
    argv = ["plot", spec, spec, "--steps", "500", "--size", "320x200", "--log", "--out", str(small)]
    assert run(argv, capsys)[0] == 0 and png_size(small) == (320, 200)
    svg, pdf = tmp_path / "chart.SVG", tmp_path / "chart.pdf"
    assert run(["plot", "--out", str(svg), "--steps-per-epoch", "1000"], capsys)[0] == 0
    assert b"<svg" in svg.read_bytes()[:2000]
    assert run(["plot", "--label", "seed", "--out", str(pdf)], capsys)[0] == 0
    assert pdf.read_bytes().startswith(b"%PDF")


# ---------------------------------------------------------------------------- describe
def test_describe_options(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["describe", "ExponentialDecay(0.1, 10, 0.5, staircase=True)", "--steps", "1000"]
    code, out, _ = run([*argv, "--max-breakpoints", "3"], capsys)
    assert code == 0 and "breakpoints  first 3: 10, 20, 30, ..." in out
    code, out, _ = run([*argv, "--max-breakpoints", "0", "--format", "json"], capsys)
    document = json.loads(out)
    assert document["breakpoints"] == [] and document["more_breakpoints"]
    # Stairs 0.1 * 0.5**k from step 10 k: 0.025 is the first below 0.05, 0.00625 below 0.01.
    assert document["below"][0] == {"fraction": 0.5, "step": 20}
    assert document["below"][1] == {"fraction": 0.1, "step": 40}


def test_describe_huge_runs_instantly(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["describe", DEFAULT_SPEC, "--steps", "1e12"], capsys)
    assert code == 0
    assert "steps        1,000,000,000,000 updates" in out
    assert "below 50%    step 1,700,000" in out  # 0.96**17 < 0.5 <= 0.96**16


# ---------------------------------------------------------------------------- help
@pytest.mark.parametrize("command", ["table", "plot", "describe"])
def test_help_shows_examples(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([command, "--help"], capsys)
    assert code == 0
    assert f"usage: lrschedule {command}" in out
    assert "examples:" in out and f"lrschedule {command} " in out.split("examples:")[1]


def test_top_level_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--help"], capsys)
    assert code == 0 and "usage: lrschedule [-h] [--version] COMMAND" in out
    assert all(command in out for command in ("table", "plot", "describe"))
    assert "examples:" in out
    from lrschedule import __version__

    assert run(["--version"], capsys)[1] == f"lrschedule {__version__}\n"


# ---------------------------------------------------------------------------- errors
ERRORS = [
    (
        ["table", "Nope(1)", "--steps", "5"],
        "lrschedule table: error: bad schedule: `Nope` (column 1) is not a known schedule",
    ),
    (["table", "ExponentalDecay(0.1, 10, 0.5)", "--steps", "5"], "did you mean ExponentialDecay?"),
    (
        ["describe", "ExponentialDecay(0.1, 0, 0.5)", "--steps", "5"],
        "lrschedule describe: error: bad schedule: `ExponentialDecay(0.1, 0, 0.5)` (column 1) is not a valid schedule: Argument `decay_steps` must be > 0. Received: decay_steps=0",
    ),
    (
        ["plot", "ExponentialDecay(0.1, 10, 2 * 0.5)", "--steps", "5"],
        "lrschedule plot: error: bad schedule: `2 * 0.5` (column 27) is not allowed",
    ),
    (["table", "ExponentialDecay(0.1, 10", "--steps", "5"], "'(' was never closed"),
    (["table", "missing.json", "--steps", "5"], "no schedule file 'missing.json'"),
    (
        ["table", '{"class_name": "Nope"}', "--steps", "5"],
        "the JSON schedule spec is not a schedule",
    ),
    (["table", "{oops", "--steps", "5"], "the schedule spec is not valid JSON"),
    (
        ["table", "CosineDecay(0.1, 10)"],
        "lrschedule table: error: --steps N is required with a schedule",
    ),
    (
        ["plot", "CosineDecay(0.1, 10)"],
        "lrschedule plot: error: --steps N is required with a schedule",
    ),
    (["describe", "CosineDecay(0.1, 10)"], "lrschedule describe: error: --steps N is required"),
    (
        ["table", "--steps", "0"],
        "lrschedule table: error: argument --steps: expected a number >= 1, got '0' (see lrschedule table --help)",
    ),
    (["table", "--steps", "-3"], "expected a number >= 1, got '-3'"),
    (["table", "--steps", "1.5"], "expected a whole number, got '1.5'"),
    (["table", "--steps", "many"], "expected a whole number, got 'many'"),
    (["table", "--steps", "inf"], "expected a whole number, got 'inf'"),
    (["table", "--every", "0"], "argument --every: expected a number >= 1"),
    (["table", "--points", "1"], "argument --points: expected a number >= 2"),
    (
        ["table", "--every", "5", "--points", "3"],
        "argument --points: not allowed with argument --every",
    ),
    (["table", "--format", "yaml"], "argument --format: invalid choice: 'yaml'"),
    (["describe", "--format", "csv"], "argument --format: invalid choice: 'csv'"),
    (["describe", "--max-breakpoints", "-1"], "argument --max-breakpoints: expected a number >= 0"),
    (["plot", "--steps-per-epoch", "0"], "argument --steps-per-epoch: expected a number >= 1"),
    (["plot", "--size", "800"], "argument --size: expected WIDTHxHEIGHT in pixels"),
    (["plot", "--size", "8x4"], "argument --size: expected WIDTHxHEIGHT in pixels"),
    (
        ["plot", "--label", "a", "--label", "b"],
        "lrschedule plot: error: give one --label per schedule: 2 label(s) for 1 schedule(s)",
    ),
    (
        ["plot", "--out", "chart.jpg"],
        "lrschedule plot: error: unknown image format for --out 'chart.jpg' (.jpg): use .png, .svg or .pdf",
    ),
    (["plot", "--out", "chart"], "unknown image format for --out 'chart' (no suffix)"),
    (
        ["plot", "--out", "/nonexistent-dir/chart.png"],
        "lrschedule plot: error: cannot write '/nonexistent-dir/chart.png': No such file or directory",
    ),
    (["frobnicate"], "lrschedule: error: argument COMMAND: invalid choice: 'frobnicate'"),
    (["table", "--nope"], "lrschedule table: error: unrecognized arguments: --nope"),
    (
        ["describe", "CosineDecayRestarts(0.1, 10, t_mul=1.0000001)", "--steps", "1e12"],
        "lrschedule describe: error: CosineDecayRestarts has more than 65,536 pieces",
    ),
]


@pytest.mark.parametrize(("argv", "expected"), ERRORS, ids=lambda value: str(value)[:60])
def test_errors_are_one_line_and_exit_2(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(argv, capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.endswith("\n")
    assert expected in err, err


def test_unwritable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib")
    target = tmp_path / "taken.png"
    target.mkdir()  # a directory where the image should go
    code, out, err = run(["plot", "--out", str(target)], capsys)
    assert (code, out) == (2, "")
    assert err == f"lrschedule plot: error: cannot write {str(target)!r}: Is a directory\n"


def test_out_without_matplotlib(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    code, _, err = run(["plot", "--out", "x.png"], capsys)
    assert code == 2
    assert err == (
        "lrschedule plot: error: --out needs matplotlib: pip install 'lrschedule[plot]' "
        "(without --out the chart is drawn in the terminal)\n"
    )
    assert run(["plot"], capsys)[0] == 0  # the terminal chart needs nothing


def test_default_schedule() -> None:
    assert default_schedule() == ExponentialDecay(0.1, 100000, 0.96, staircase=True)
    from lrschedule.cli.spec import parse_spec

    assert parse_spec(DEFAULT_SPEC) == default_schedule()


def test_spec_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from lrschedule import save

    schedule = PiecewiseConstantDecay([10], [0.2, 0.1])
    for suffix in (".json", ".toml"):
        path = tmp_path / f"s{suffix}"
        save(schedule, path)
        code, out, _ = run(["table", str(path), "--steps", "21", "--every", "10"], capsys)
        assert code == 0 and out.splitlines()[0] == repr(schedule)
        assert [line.split()[1] for line in out.splitlines()[2:]] == ["0.2", "0.2", "0.1"]


# ---------------------------------------------------------------------------- installed
def installed(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    assert SCRIPT.exists(), f"the console script is installed by `pip install -e .`: {SCRIPT}"
    return subprocess.run(
        [str(SCRIPT), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "80", "LINES": "24", "NO_COLOR": "1", **env},
        check=False,
    )


@pytest.mark.parametrize("name", ["table_default.txt", "table_cosine.md", "describe_restarts.json"])
def test_console_script_golden(name: str) -> None:
    result = installed(*CASES[name])
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (GOLDEN / name).read_text()


def test_console_script_plot_and_errors(tmp_path: Path) -> None:
    terminal = installed("plot", "CosineDecayRestarts(0.1, 100)", "--steps", "1000")
    assert terminal.returncode == 0 and "━━ CosineDecayRestarts(0.1, 100)" in terminal.stdout
    png = tmp_path / "s.png"
    image = installed("plot", "--out", str(png), "--size", "640x360")
    assert image.returncode == 0 and png_size(png) == (640, 360)
    failed = installed("describe", "Nope()", "--steps", "3")
    assert failed.returncode == 2 and failed.stdout == ""
    assert failed.stderr.startswith("lrschedule describe: error: bad schedule: `Nope`")
    assert failed.stderr.count("\n") == 1
    helped = installed("describe", "--help")
    assert helped.returncode == 0 and "examples:" in helped.stdout


def test_public_names() -> None:
    import lrschedule.cli

    assert lrschedule.cli.__all__ == [
        "DEFAULT_SPEC",
        "DEFAULT_STEPS",
        "default_schedule",
        "main",
        "table_steps",
    ]
    assert lrschedule.cli.DEFAULT_STEPS == 1_000_000
    assert lrschedule.cli.main is main and lrschedule.cli.table_steps is table_steps


def test_module_entry_point() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "lrschedule", "table", "--steps", "200000", "--every", "100000"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.splitlines()[-2].split() == ["100,000", "0.096"]
    assert result.stdout.splitlines()[-1].split() == ["199,999", "0.096"]


def test_restarts_reference_agrees_with_cli(capsys: pytest.CaptureFixture[str]) -> None:
    """The table of a restart schedule, against tests/reference.py (mpmath)."""
    argv = ["table", "CosineDecayRestarts(0.1, 30, t_mul=1.5, m_mul=0.7)", "--steps", "301"]
    code, out, _ = run([*argv, "--every", "25", "--format", "csv"], capsys)
    assert code == 0
    for line in out.splitlines()[1:]:
        step, rate = line.split(",")
        exact = reference.cosine_decay_restarts(0.1, 30, 1.5, 0.7, step=int(step))
        assert float(rate) == pytest.approx(float(exact), rel=1e-14, abs=1e-18)
