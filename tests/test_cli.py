"""The command line: `python -m lrschedule` prints the seed example as a table."""

from __future__ import annotations

import subprocess
import sys

import pytest

from lrschedule.cli import main


def test_default_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "ExponentialDecay(initial_learning_rate=0.1, decay_steps=100000, decay_rate=0.96, "
        "staircase=True)"
    )
    assert lines[1].split() == ["step", "learning", "rate"]
    assert lines[2].split() == ["0", "0.1"]
    assert lines[3].split() == ["100,000", "0.096"]
    assert lines[4].split() == ["200,000", "0.09216"]
    assert len(lines) == 2 + 11


def test_steps_and_every(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--steps", "300000", "--every", "150000"]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()[2:]]
    assert rows == [["0", "0.1"], ["150,000", "0.096"], ["300,000", "0.0884736"]]


@pytest.mark.parametrize("argv", [["--steps", "0"], ["--every", "x"], ["--nope"]])
def test_bad_arguments_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(argv)
    assert raised.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_module_entry_point() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "lrschedule", "--steps", "100000", "--every", "100000"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.splitlines()[-1].split() == ["100,000", "0.096"]
