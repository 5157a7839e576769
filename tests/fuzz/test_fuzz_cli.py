"""Fuzz target ``lrschedule.cli.main(argv)``, in-process: subcommands, specs and options.

The oracle (``oracle.check``): exit status 0 or 2 and nothing raised; on 2, one line on
standard error and nothing on standard output; on 0, standard error holds only one-line
warning notes; no import; work bounded by the command line's size. Budget and long runs:
``README.md``.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.fuzz import oracle
from tests.fuzz import strategies as inputs
from tests.fuzz.warmup import warm_up

from lrschedule import CosineDecay, PiecewiseConstantDecay, save

FOLDER = tempfile.mkdtemp(prefix="lrschedule-fuzz-cli-")
FILES = [os.path.join(FOLDER, name) for name in ("s.json", "s.toml", "bad.json", "folder.toml")]
if hasattr(os, "mkfifo"):
    FILES.append(os.path.join(FOLDER, "fifo.json"))


def setup_module() -> None:
    warm_up()
    os.makedirs(FOLDER, exist_ok=True)  # again, if the long run's test removed it
    save(PiecewiseConstantDecay([10, 20], [0.1, 0.01, 0.001]), FILES[0])
    save(CosineDecay(0.1, 100, warmup_target=0.2, warmup_steps=10), FILES[1])
    with open(FILES[2], "w") as file:
        file.write('{"class_name": "Constant", "config": {"value": [[[')
    os.mkdir(FILES[3])
    if len(FILES) > 4:
        os.mkfifo(FILES[4])


def teardown_module() -> None:
    shutil.rmtree(FOLDER, ignore_errors=True)


@oracle.fuzz
@given(inputs.command_lines(FILES, FOLDER), st.sampled_from(["ignore", "error", "default"]))
def test_command_lines(argv: list[str], warning_mode: str) -> None:
    run_command(argv, warning_mode)


#: Command lines the long run found over the call bound (seed 1): walks of many pieces,
#: restarts past the exact table located one by one, terminal charts of 20,000 stairs.
LONG_RUN_FINDINGS = [
    [
        "describe",
        "CosineDecayRestarts(0.0762, first_decay_steps=10, t_mul=1.0000001, m_mul=2.71, alpha=1.0)",
        "--steps",
        "532589",
    ],
    [
        "plot",
        '{"class_name": "CosineDecayRestarts", "config": {"initial_learning_rate": 5e-324, '
        '"first_decay_steps": 1000.0, "t_mul": 1.0000001, "m_mul": 2.0, "alpha": 5e-324}}',
        "--steps",
        "1000000000",
    ],
    [
        "describe",
        "Clip(PolynomialDecay(0, 10, end_learning_rate=0.0765, cycle=True), 0.1, 0.1478)",
        "--steps",
        "981082",
    ],
    ["describe", "PolynomialDecay(0.1, decay_steps=1, cycle=True)", "--steps", "762476"],
    [
        "plot",
        "CosineDecayRestarts(0.798, first_decay_steps=1, t_mul=1.0000001, m_mul=0.5)",
        "--steps",
        "740985",
    ],
    ["plot", "Product([CyclicalLearningRate(0.1, 0, 1, 1)])", "--steps", "825426"],
]


@pytest.mark.parametrize("argv", LONG_RUN_FINDINGS, ids=lambda argv: argv[0] + " " + argv[1][:40])
def test_command_lines_the_long_run_found(argv: list[str]) -> None:
    run_command(argv, "error")


def run_command(argv: list[str], warning_mode: str, check: oracle.Check = oracle.check) -> None:
    """``main(argv)`` under the contract, and what a command prints."""
    size = sum(len(argument) + 1 for argument in argv) + 1
    code, out, err = check(
        "main",
        lambda: oracle.run_main(argv),
        allowed=(),
        size=size,
        warning_mode=warning_mode,
        calls=oracle.COMMAND_CALLS,
        memory=oracle.COMMAND_MEMORY,
    )
    assert code in (0, 2), (code, err)
    lines = err.splitlines(keepends=True)
    notes = lines[:-1] if code == 2 else lines
    for line in notes:  # warnings: one line each
        assert line.startswith("lrschedule") and ": warning: " in line, err
    if code == 2:  # then the error: one line, and nothing printed
        assert out == "" and lines and lines[-1].endswith("\n"), err
        assert lines[-1].startswith("lrschedule") and ": error: " in lines[-1], err
