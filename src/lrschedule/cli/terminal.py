"""A line chart drawn with Unicode braille characters, for ``lrschedule plot`` in a terminal.

Each character cell holds 2 x 4 dots (U+2800 to U+28FF), so a chart of ``C`` columns and
``R`` rows has ``2C x 4R`` dots. A series is drawn as a polyline through its points: in
each dot column, every dot row between where the line enters and where it leaves the
column is set, so a jump between two consecutive points (a stair, a restart) is a
vertical stroke. Nothing outside the standard library is used.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from itertools import pairwise

__all__ = ["plain_number", "render"]

_BRAILLE = 0x2800
# The dot bit for (x, y) in a cell, x in 0..1, y in 0..3 (top to bottom).
_DOTS = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))
_COLORS = ("\x1b[34m", "\x1b[31m", "\x1b[32m", "\x1b[33m", "\x1b[35m", "\x1b[36m")
_RESET = "\x1b[0m"


def _y_number(value: float) -> str:
    return f"{value:.3g}"


def plain_number(value: float) -> str:
    """A tick label in the shortest ``g`` form: ``0``, ``2.5``, ``1e+06``."""
    return f"{value:g}"


def render(
    series: Sequence[tuple[Sequence[float], Sequence[float]]],
    *,
    x_range: tuple[float, float],
    width: int,
    height: int,
    log: bool = False,
    labels: Sequence[str] | None = None,
    x_label: str = "step",
    x_format: Callable[[float], str] = plain_number,
    color: bool = False,
) -> str:
    """The chart of ``series`` (each ``(xs, ys)``, xs increasing) as text lines.

    Args:
        series: The curves to draw.
        x_range: The first and last x shown (the left and right edges).
        width: Total width in characters, labels included (at least 20).
        height: Rows of the plotting area (at least 3), without axis and legend lines.
        log: A logarithmic y axis (values <= 0 are left out).
        labels: A legend line per series, shown when given.
        x_label: The name of the x axis, after its last tick label.
        x_format: Formats an x tick label.
        color: Color each series (ANSI escapes); without color all series are drawn alike.

    Returns:
        The chart, lines joined by newlines, without a final newline.
    """
    height = max(3, height)
    transform: Callable[[float], float] = math.log10 if log else float
    kept: list[list[tuple[float, float]]] = []
    for xs, ys in series:
        points = []
        for x, y in zip(xs, ys, strict=True):
            if math.isfinite(y) and (y > 0 or not log):
                points.append((float(x), transform(y)))
        kept.append(points)
    values = [y for points in kept for _, y in points]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if high == low:
        pad = abs(high) * 0.1 or 1.0
        low, high = low - pad, high + pad
    # The middle label is the value at the centre of its row (the top and bottom rows
    # hold the extremes).
    middle_row = (height - 1) // 2
    middle = high - (4 * middle_row + 1.5) / (4 * height - 1) * (high - low)
    tick_values = [10.0**v for v in (high, middle, low)] if log else [high, middle, low]
    tick_texts = [_y_number(value) for value in tick_values]
    margin = max(len(text) for text in tick_texts)
    # The chart, then the name of the x axis after its last tick label, fit in `width`.
    columns = max(10, width - margin - 2 - len(x_label) - 2)
    dot_width, dot_height = 2 * columns, 4 * height
    x0, x1 = x_range
    span = (x1 - x0) or 1.0

    cells = [[0] * columns for _ in range(height)]
    owner = [[-1] * columns for _ in range(height)]

    def to_dot(x: float, y: float) -> tuple[float, float]:
        return (x - x0) / span * (dot_width - 1), (high - y) / (high - low) * (dot_height - 1)

    def light(column: int, row: int, index: int) -> None:
        if 0 <= column < dot_width and 0 <= row < dot_height:
            cells[row // 4][column // 2] |= _DOTS[column % 2][row % 4]
            owner[row // 4][column // 2] = index

    for index, points in enumerate(kept):
        spans = _spans([to_dot(x, y) for x, y in points])
        for column, (first_row, last_row) in spans.items():
            for row in range(max(first_row, 0), min(last_row, dot_height - 1) + 1):
                light(column, row, index)

    tick_rows = {0: tick_texts[0], middle_row: tick_texts[1], height - 1: tick_texts[2]}
    lines = []
    for row in range(height):
        text = []
        for column in range(columns):
            bits = cells[row][column]
            char = chr(_BRAILLE + bits) if bits else " "
            if color and bits:
                char = _COLORS[owner[row][column] % len(_COLORS)] + char + _RESET
            text.append(char)
        label = tick_rows.get(row)
        axis = "┤" if label is not None else "│"
        lines.append(f"{label or '':>{margin}} {axis}{''.join(text).rstrip()}")

    # The x axis: ticks at the start, the middle and the end.
    ticks = {0: x0, columns // 2: (x0 + x1) / 2, columns - 1: x1}
    axis_line = ["─"] * columns
    for position in ticks:
        axis_line[position] = "┬"
    lines.append(f"{'':>{margin}} └{''.join(axis_line)}")
    label_line = [" "] * columns
    for position, value in ticks.items():
        tick = x_format(value)[:columns]
        # Centred under its tick, kept inside the axis (the last one ends at the axis's end).
        begin = min(max(position - len(tick) // 2, 0), columns - len(tick))
        if all(char == " " for char in label_line[max(begin - 1, 0) : begin + len(tick) + 1]):
            label_line[begin : begin + len(tick)] = list(tick)
    lines.append(f"{'':>{margin}}  {''.join(label_line).rstrip()}  {x_label}")
    if labels:
        room = max(width - margin - 5, 10)
        for index, label in enumerate(labels):
            marker = "━━"
            if color:
                marker = _COLORS[index % len(_COLORS)] + marker + _RESET
            shown = label if len(label) <= room else label[: room - 1] + "…"
            lines.append(f"{'':>{margin}}  {marker} {shown}")
    return "\n".join(lines)


def _spans(dots: Sequence[tuple[float, float]]) -> dict[int, list[int]]:
    """The dot rows a polyline through ``dots`` covers in each dot column, as ``[first,
    last]``: one span per column, however many points fall in it (a long run's stairs and
    restarts), so drawing costs the points plus the dots, not their product.

    In each column the line enters at one height and leaves at another, every row between
    them set; consecutive segments share their end, so the rows they set in one column
    join into one span.
    """
    spans: dict[int, list[int]] = {}

    def cover(column: int, top: float, bottom: float) -> None:
        low, high = round(min(top, bottom)), round(max(top, bottom))
        span = spans.get(column)
        if span is None:
            spans[column] = [low, high]
        else:
            span[0], span[1] = min(span[0], low), max(span[1], high)

    if len(dots) == 1:
        cover(round(dots[0][0]), dots[0][1], dots[0][1])
    for (ax, ay), (bx, by) in pairwise(dots):
        first, last = round(ax), round(bx)
        for column in range(first, last + 1):
            if last == first or bx == ax:
                cover(column, ay, by)
            else:
                left, right = max(ax, column - 0.5), min(bx, column + 0.5)
                top = ay + (by - ay) * (left - ax) / (bx - ax)
                cover(column, top, ay + (by - ay) * (right - ax) / (bx - ax))
    return spans
