"""Load, before fuzzing, every module the library loads the first time a feature is used.

The oracle fails an input that imports a module; the library's own lazy loads
(serialization, analysis, plotting and the terminal chart, ``tomllib``, matplotlib for
``plot --out``) happen once, here, with inputs that reach each of them, so that any module
an input makes Python import is a finding.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import warnings

from lrschedule import (
    Constant,
    CosineDecay,
    Join,
    LearningRateSchedule,
    PiecewiseConstantDecay,
    Warmup,
    deserialize,
    load,
    save,
    serialize,
)
from lrschedule.cli import main
from lrschedule.cli.spec import SpecError, parse_spec

_DONE: list[bool] = []


def warm_up() -> None:
    """Use every feature once (the second call does nothing)."""
    if _DONE:
        return
    _DONE.append(True)
    schedule = Join([Warmup(CosineDecay(0.1, 100), 10), Constant(0.01)], [200])
    documents: list[LearningRateSchedule | str | dict[str, object]] = [
        serialize(schedule),
        '{"class_name": "Constant", "config": {"value": 0.1}}',
        '{"class_name": "Nope", "config": {}}',
        "{",
        '{"a": NaN}',
    ]
    folder = tempfile.mkdtemp(prefix="lrschedule-fuzz-warm-")
    for suffix in (".json", ".toml"):
        path = os.path.join(folder, f"s{suffix}")
        save(PiecewiseConstantDecay([10], [0.1, 0.01]), path)
        documents.append(path)
        with open(os.path.join(folder, f"bad{suffix}"), "w") as file:
            file.write("[[x")
        documents.append(os.path.join(folder, f"bad{suffix}"))
    quiet = io.StringIO()
    with (
        warnings.catch_warnings(record=True),
        contextlib.redirect_stdout(quiet),
        contextlib.redirect_stderr(quiet),
    ):
        warnings.simplefilter("always")
        for document in documents:
            with contextlib.suppress(ValueError, TypeError):
                if isinstance(document, str) and document.endswith((".json", ".toml")):
                    load(document)
                else:
                    deserialize(document)
        for spec in [
            "CosineDecay(0.1, 100, warmup_steps=5)",
            "Nope(1)",
            "ExponentalDecay(0.1, 10, 0.5)",
            "Constant('\\d')",
            "Constant(1 +)",
            '{"class_name": "Constant", "config": {"value": 0.1}}',
            "{",
            *documents[-4:],
        ]:
            with contextlib.suppress(SpecError):
                parse_spec(str(spec))
        for argv in (
            ["table"],
            ["table", "--format", "json"],
            ["table", "--format", "markdown"],
            ["table", "--format", "csv"],
            ["describe"],
            ["describe", "--format", "json"],
            ["describe", "CosineDecayRestarts(0.1, 10)", "--steps", "1000000000000"],
            # Cycles near t_mul = 1 past the exact table: the restart arrays and their tables.
            ["describe", "CosineDecayRestarts(1, 10, t_mul=1.0000001)", "--steps", "55270"],
            ["plot"],
            ["plot", "--log", "--steps-per-epoch", "1000"],
            ["plot", "--out", os.path.join(folder, "chart.svg")],
            ["plot", "--out", os.path.join(folder, "chart.png"), "--size", "64x32"],
            ["plot", "--out", os.path.join(folder, "chart")],
            ["--help"],
            ["table", "--help"],
            ["--version"],
            ["table", "--nope"],
            ["x"],
            # Step counts in units load the unit arithmetic and resolution.
            [
                "table",
                "CosineDecay(0.1, '50%', warmup_steps='1ep', warmup_target=0.2)",
                "--steps",
                "4ep",
                "--steps-per-epoch",
                "3",
            ],
            ["table", "CosineDecay(0.1, '1e2sp')", "--steps", "10"],
        ):
            main(argv)
