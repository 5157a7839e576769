"""lrschedule.plotting (matplotlib) and the terminal chart (lrschedule.cli.terminal)."""

from __future__ import annotations

import itertools
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

import lrschedule  # noqa: E402
from lrschedule import (  # noqa: E402
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    PiecewiseConstantDecay,
    plot,
)
from lrschedule.analysis import curve  # noqa: E402
from lrschedule.cli.terminal import render  # noqa: E402
from lrschedule.plotting import format_steps, label_for  # noqa: E402


def axes() -> Any:
    return Figure(figsize=(8, 4.5), dpi=100).add_subplot()


def test_plot_draws_each_schedule_with_every_stair() -> None:
    stairs = ExponentialDecay(0.1, 100_000, 0.96, staircase=True)
    cosine = CosineDecay(0.1, 10**9)
    ax = plot(stairs, cosine, total_steps=10**9, ax=axes())
    first, second = ax.get_lines()
    xs = set(first.get_xdata().tolist())
    assert all(k * 100_000 in xs and k * 100_000 - 1 in xs for k in range(1, 10_000))
    ys = first.get_ydata().tolist()
    assert ys[0] == 0.1 and min(ys) == stairs(10**9 - 1)
    assert len(second.get_xdata()) == int(2 * ax.get_window_extent().width)  # 2 per pixel
    assert [line.get_label() for line in ax.get_lines()] == [label_for(stairs), label_for(cosine)]
    assert ax.get_legend() is not None
    assert ax.get_xlim() == (0.0, 1e9)
    assert ax.get_xlabel() == "step" and ax.get_ylabel() == "learning rate"
    assert ax.xaxis.get_major_formatter()(5e8, 0) == "500M"


def test_plot_options() -> None:
    schedule = CosineDecayRestarts(0.1, 1000)
    ax = plot(
        schedule, total_steps=15_000, ax=axes(), log=True, labels=["SGDR"], steps_per_epoch=500
    )
    (line,) = ax.get_lines()
    assert ax.get_yscale() == "log" and line.get_label() == "SGDR"
    assert ax.get_xlabel() == "epoch" and ax.get_xlim() == (0.0, 30.0)
    assert max(line.get_xdata()) == pytest.approx(14_999 / 500)
    assert {2.0 - 1 / 500, 2.0, 6.0, 14.0} <= set(line.get_xdata().tolist())  # restarts
    assert ax.get_legend() is not None
    single = plot(schedule, total_steps=100, ax=axes(), points=7)
    assert single.get_legend() is None and len(single.get_lines()[0].get_xdata()) == 7


def test_plot_without_axes_makes_a_figure() -> None:
    import matplotlib.pyplot as pyplot

    ax = plot(CosineDecay(0.1, 100), total_steps=100)
    try:
        width, height = ax.figure.get_size_inches()
        assert (width, height) == (8, 4.5)
    finally:
        pyplot.close(ax.figure)


def test_plot_errors() -> None:
    schedule = CosineDecay(0.1, 100)
    with pytest.raises(ValueError, match="at least one schedule"):
        plot(total_steps=10)
    with pytest.raises(ValueError, match="one label per schedule"):
        plot(schedule, total_steps=10, ax=axes(), labels=["a", "b"])
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="`steps_per_epoch` must be a whole number > 0"):
            plot(schedule, total_steps=10, ax=axes(), steps_per_epoch=bad)
    with pytest.raises(ValueError, match="`total_steps` must be > 0"):
        plot(schedule, total_steps=0, ax=axes())


def test_plot_without_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [name for name in sys.modules if name.startswith("matplotlib")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"pip install 'lrschedule\[plot\]'"):
        plot(CosineDecay(0.1, 100), total_steps=10)


def test_matplotlib_is_imported_only_when_plotting() -> None:
    script = textwrap.dedent(
        """
        import sys
        import lrschedule
        from lrschedule import plot
        print("matplotlib" in sys.modules)
        import matplotlib
        matplotlib.use("Agg")
        plot(lrschedule.CosineDecay(0.1, 100), total_steps=100)
        print("matplotlib" in sys.modules)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "True"]
    assert lrschedule.plot is plot and lrschedule.plotting.plot is plot  # the module hides nothing


def test_labels_and_step_format() -> None:
    assert label_for(CosineDecay(0.1, 1000, alpha=0.1)) == "CosineDecay(0.1, 1000, alpha=0.1)"
    assert (
        label_for(PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1], name="x"))
        == "PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])"
    )
    nested = lrschedule.Warmup(CosineDecay(0.1, 100), 5, shape="cosine")
    assert label_for(nested) == "Warmup(CosineDecay(0.1, 100), 5, shape='cosine')"
    joined = lrschedule.Join([lrschedule.Constant(0.1), CosineDecay(0.1, 100)], (50,))
    assert label_for(joined) == "Join([Constant(0.1), CosineDecay(0.1, 100)], [50])"
    assert label_for(CosineDecay(0.1, 100, alpha=0.0)) == "CosineDecay(0.1, 100)"
    assert label_for(CosineDecay(0.1, 100, alpha=0)) == "CosineDecay(0.1, 100, alpha=0)"

    class Mine(lrschedule.LearningRateSchedule):
        def __call__(self, step: Any) -> Any:
            return 0.1

        def get_config(self) -> dict[str, Any]:
            return {}

    assert label_for(Mine()) == repr(Mine())
    assert [format_steps(v) for v in (0, 999, 1000, 1_250_000, 3e12, -2000)] == [
        "0",
        "999",
        "1k",
        "1.25M",
        "3T",
        "-2k",
    ]


def test_labels_leave_out_the_declared_defaults() -> None:
    """A label leaves out what the schedule's ``_defaults()`` declares, as its ``repr`` does."""

    class Halving(ExponentialDecay):
        @classmethod
        def _defaults(cls) -> dict[str, Any]:
            return {**super()._defaults(), "decay_rate": 0.5}

    halving = Halving(0.1, 1000, 0.5)
    assert label_for(halving) == "Halving(0.1, 1000)"
    assert repr(halving) == "Halving(initial_learning_rate=0.1, decay_steps=1000)"
    assert label_for(Halving(0.1, 1000, 0.8)) == "Halving(0.1, 1000, decay_rate=0.8)"
    assert label_for(lrschedule.Warmup(halving, 10)) == "Warmup(Halving(0.1, 1000), 10)"


# ---------------------------------------------------------------------------- terminal
BRAILLE = 0x2800
DOT_BITS = {(0, 0): 0x01, (0, 1): 0x02, (0, 2): 0x04, (0, 3): 0x40}
DOT_BITS.update({(1, 0): 0x08, (1, 1): 0x10, (1, 2): 0x20, (1, 3): 0x80})

STAIRS = PiecewiseConstantDecay([49, 99], [1.0, 0.5, 0.25])

# The chart of STAIRS over 150 steps, 40 characters wide and 4 rows high.
EXPECTED_CHART = """\
    1 ┤⠉⠉⠉⠉⠉⠉⠉⠉⢹
0.725 ┤        ⠘⡆
      │         ⠧⠤⠤⠤⠤⠤⠤⠤⢤
 0.25 ┤                 ⢸⣀⣀⣀⣀⣀⣀⣀⣀⣀
      └┬────────────┬────────────┬
       0           75          150  step
       ━━ stairs"""


def lit_dots(chart: str, rows: int, margin: int) -> set[tuple[int, int]]:
    """The (x, y) dots set in the chart's plotting area (y = 0 at the top)."""
    dots = set()
    for row, line in enumerate(chart.splitlines()[:rows]):
        for column, char in enumerate(line[margin + 2 :]):
            bits = ord(char) - BRAILLE if char != " " else 0
            assert 0 <= bits < 256, char
            for (dx, dy), bit in DOT_BITS.items():
                if bits & bit:
                    dots.add((2 * column + dx, 4 * row + dy))
    return dots


def test_terminal_chart_of_a_known_schedule() -> None:
    xs, ys = curve(STAIRS, 150, points=300)
    chart = render([(xs, ys)], x_range=(0, 150), width=40, height=4, labels=["stairs"])
    assert chart == EXPECTED_CHART
    # Decode it: 27 columns of 2 dots (40, less a margin of 5, the axis and "  step"),
    # 4 rows of 4 dots.
    dots = lit_dots(chart, rows=4, margin=5)
    width, height = 54, 16

    def dot_row(value: float) -> int:  # 1.0 at the top, 0.25 at the bottom
        return round((1.0 - value) / 0.75 * (height - 1))

    def dot_column(step: float) -> int:
        return round(step / 150 * (width - 1))

    on_levels = {(dot_column(step), dot_row(STAIRS(step))) for step in range(150)}
    assert on_levels <= dots  # every step is drawn at its level
    jumps = {dot_column(49.5), dot_column(99.5)}
    for x, y in dots - on_levels:  # the rest is the two vertical strokes
        assert min(abs(x - jump) for jump in jumps) <= 1, (x, y)
    for low, high, jump in [(0, 10, 49.5), (10, 15, 99.5)]:
        stroke = {y for x, y in dots if abs(x - dot_column(jump)) <= 1}
        assert set(range(low, high + 1)) <= stroke


def reference_dots(
    points: list[tuple[float, float]], dot_width: int, dot_height: int
) -> set[tuple[int, int]]:
    """The dots of a polyline drawn segment by segment: in each dot column a segment
    crosses, every dot row between where it enters and where it leaves."""
    dots = set()
    for (ax, ay), (bx, by) in itertools.pairwise(points):
        for column in range(round(ax), round(bx) + 1):
            if round(ax) == round(bx):
                top, bottom = ay, by
            else:
                left, right = max(ax, column - 0.5), min(bx, column + 0.5)
                top = ay + (by - ay) * (left - ax) / (bx - ax)
                bottom = ay + (by - ay) * (right - ax) / (bx - ax)
            for row in range(round(min(top, bottom)), round(max(top, bottom)) + 1):
                if 0 <= column < dot_width and 0 <= row < dot_height:
                    dots.add((column, row))
    return dots


@pytest.mark.parametrize("seed", range(6))
def test_terminal_chart_matches_segment_by_segment_drawing(seed: int) -> None:
    # Many points per dot column (a long run's restarts), and a few sparse ones: one span
    # per column gives the same dots as drawing every segment.
    import random

    draw = random.Random(seed)
    count = draw.choice([3, 50, 5000])
    xs = sorted(draw.uniform(0, 1000) for _ in range(count))
    ys = [draw.choice([draw.uniform(0.0, 1.0), 0.25, 0.75]) for _ in xs]
    xs, ys = [0.0, *xs, 1000.0], [0.5, *ys, 0.5]
    chart = render([(xs, ys)], x_range=(0, 1000), width=40, height=4)
    low, high = min(ys), max(ys)
    # 40 characters, less the margin (tick labels), its space and axis, and "  step".
    margin = chart.splitlines()[0].index("┤") - 1
    width = 2 * (40 - margin - 2 - len("step") - 2)
    scaled = [(x / 1000 * (width - 1), (high - y) / (high - low) * 15) for x, y in zip(xs, ys)]
    assert lit_dots(chart, rows=4, margin=margin) == reference_dots(scaled, width, 16)


def test_terminal_chart_of_a_dense_run_reads_few_breakpoints(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 825,426 steps of one-step halves: the terminal chart reads a few breakpoints per
    # character column (not 20,000) and still draws the band between the two rates.
    import lrschedule.analysis as analysis
    from lrschedule import CyclicalLearningRate
    from lrschedule.cli import commands
    from lrschedule.cli.parser import build_parser

    drawn: list[int] = []
    real_curve = analysis.curve

    def counting_curve(*args: Any, **kwargs: Any) -> Any:
        steps, rates = real_curve(*args, **kwargs)
        drawn.append(len(steps))
        return steps, rates

    monkeypatch.setattr(analysis, "curve", counting_curve)
    monkeypatch.setenv("COLUMNS", "80")
    spec = "CyclicalLearningRate(0.1, 0.2, 1, 1)"
    args = build_parser().parse_args(["plot", spec, "--steps", "825426"])
    chart = commands._terminal_chart([CyclicalLearningRate(0.1, 0.2, 1, 1)], [spec], 825_426, args)
    assert drawn and drawn[0] <= 4 * 80 + 2 * 8 * 80  # the even steps, both sides of 640 stairs
    rows = chart.splitlines()[:6]
    assert all(set(row.split("┤" if "┤" in row else "│")[1]) == {"⣿"} for row in rows)


def test_terminal_chart_options() -> None:
    xs, ys = curve(STAIRS, 150, points=300)
    logged = render([(xs, ys)], x_range=(0, 150), width=40, height=5, log=True)
    assert [line.split("┤")[0].strip() for line in logged.splitlines()[:5:2]] == [
        "1",
        "0.5",  # the middle of 1 and 0.25 on a log scale
        "0.25",
    ]
    colored = render(
        [(xs, ys), ([0, 150], [0.5, 0.5])],
        x_range=(0, 150),
        width=40,
        height=4,
        labels=["a", "b"],
        color=True,
    )
    assert "\x1b[34m" in colored and "\x1b[31m" in colored and colored.count("━━") == 2
    flat = render([([0, 10], [0.1, 0.1])], x_range=(0, 10), width=30, height=3)
    assert "⠒" in flat or "⠤" in flat  # a constant sits in the middle of the range
    empty = render([([], [])], x_range=(0, 10), width=30, height=3)
    assert "┤" in empty and "⠀" not in empty
    epochs = render([([0, 5], [1.0, 0.5])], x_range=(0, 5), width=30, height=3, x_label="epoch")
    assert epochs.splitlines()[-1].strip().endswith("5  epoch")


# ---------------------------------------------------------------------------- gallery
GALLERY = Path(__file__).resolve().parent.parent / "docs" / "gallery"


def gallery_rows() -> list[tuple[str, str, str, str]]:
    rows = []
    for line in (GALLERY / "specs.tsv").read_text().splitlines():
        if line and not line.startswith("#"):
            name, steps, options, spec = line.split("\t")
            rows.append((name, steps, options, spec))
    return rows


def test_gallery_covers_every_schedule() -> None:
    from lrschedule.cli.spec import parse_spec

    rows = gallery_rows()
    exported = [
        name
        for name in lrschedule.__all__
        if isinstance(getattr(lrschedule, name), type)
        and issubclass(getattr(lrschedule, name), lrschedule.LearningRateSchedule)
        and name != "LearningRateSchedule"
        # A plateau's level follows observed metrics, not the step alone: no picture.
        and name not in ("ReduceOnPlateau", "PlateauScaled")
    ]
    names = {name for name, *_ in rows}
    assert set(exported) <= names, set(exported) - names
    page = (GALLERY / "README.md").read_text()
    for name, steps, options, spec in rows:
        parse_spec(spec)  # a valid spec of the library's schedules
        assert int(steps) > 0 and options in ("-", "--log")
        image = GALLERY / f"{name}.png"
        data = image.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[16:24] == (800).to_bytes(4, "big") + (
            450
        ).to_bytes(4, "big")
        assert len(data) < 100_000  # small pictures
        assert f"![{name}]({name}.png)" in page and f"lrschedule plot '{spec}'" in page


def test_bench_plot_runs() -> None:
    """The benchmark script runs (quick mode) and prints its table; timings are not tested."""
    script = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_plot.py"
    result = subprocess.run(
        [sys.executable, str(script), "--quick"],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    assert "plot+png" in result.stdout and "restarts every 10,000" in result.stdout
    rows = [line.split() for line in result.stdout.splitlines() if "every 10,000" in line]
    assert rows and all(row[-5] == row[-4] for row in rows)  # jumps == shown
