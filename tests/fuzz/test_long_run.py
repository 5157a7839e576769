"""The long run's fast path (``run_long.py``), a few thousand inputs of it, so it cannot rot.

The inputs are the same every run (seed 1). A failing input is saved with what reproduces
it, and ``--replay`` checks it again under the full ``oracle.check``.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.fuzz import generate, run_long, sampling, targets
from tests.fuzz.draws import Draw

INPUTS = 1500


def test_every_target_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run_long.main(["--inputs", str(INPUTS), "--seed", "1", "--logs", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0, out
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line[:1] != " "}
    for target in targets.TARGETS:
        assert rows[target][1:3] == [f"{INPUTS:,}", "0"], out  # inputs, failures
    assert list(tmp_path.iterdir()) == []


def test_inputs_are_drawn_again_alike() -> None:
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(20_000)  # to pickle documents nested thousands deep
    try:
        for target in targets.TARGETS:
            first = [pickle.dumps(targets.draw(target, Draw(7, target, i))) for i in range(50)]
            again = [pickle.dumps(targets.draw(target, Draw(7, target, i))) for i in range(50)]
            assert first == again
    finally:
        sys.setrecursionlimit(limit)
    assert generate.spec(Draw(1, "spec", 0)) != generate.spec(Draw(2, "spec", 0))


def test_a_failure_is_saved_and_replayed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = sampling.check

    def failing_on_input_7(*args: Any, **kwargs: Any) -> Any:
        assert sampling._INPUT[0] != 7, "input 7 fails"
        return real(*args, **kwargs)

    monkeypatch.setattr(sampling, "check", failing_on_input_7)
    code = run_long.main(["--targets", "spec", "--inputs", "20", "--logs", str(tmp_path)])
    assert code == 1
    table = capsys.readouterr().out.splitlines()
    assert [line.split()[:3] for line in table if line.startswith("spec ")] == [["spec", "20", "1"]]
    saved = sorted(path.name for path in tmp_path.iterdir())
    assert saved == ["spec-seed1-input7.pickle", "spec-seed1-input7.txt"]
    log = (tmp_path / "spec-seed1-input7.txt").read_text(encoding="utf-8")
    assert "input 7 fails" in log and "--first 7 --inputs 1" in log
    record = pickle.loads((tmp_path / "spec-seed1-input7.pickle").read_bytes())
    assert record["item"] == targets.draw("spec", Draw(1, "spec", 7))
    # The input itself meets the contract: replayed under the full oracle, it passes.
    assert run_long.main(["--replay", str(tmp_path / "spec-seed1-input7.pickle")]) == 0
