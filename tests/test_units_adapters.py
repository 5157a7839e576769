"""Step counts in units where the trainer knows the numbers: PyTorch's ``ScheduleLR``, Keras's
``to_keras`` and ``fit``, and the command line.

The learning rates are compared with a hand formula over the step counts worked out here
with :class:`fractions.Fraction` (rounded half to even), and with the resolved schedule.
"""

from __future__ import annotations

import json
import math
import warnings
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

import lrschedule
from lrschedule import CosineDecay, ExponentialDecay, Run
from lrschedule.cli import main

PLAN = "CosineDecay(0.0, decay_steps='90%', warmup_steps='1ep', warmup_target=0.1)"


def planned() -> CosineDecay:
    return CosineDecay(0.0, decay_steps="90%", warmup_steps="1ep", warmup_target=0.1)


def hand_rate(step: int, warmup: int, decay: int, peak: float = 0.1) -> float:
    """Keras's CosineDecay with a linear warmup from 0 to ``peak``, alpha 0."""
    if step < warmup:
        return peak * step / warmup
    t = min(step - warmup, decay) / decay
    return peak * 0.5 * (1.0 + math.cos(math.pi * t))


# ------------------------------------------------------------------------- PyTorch
def test_schedulelr_resolves_with_run() -> None:
    import torch

    from lrschedule.torch import ScheduleLR

    per_epoch, epochs = Fraction(50, 7), 3  # 7.14 steps per epoch: it does not divide
    warmup = round(per_epoch)  # 7
    decay = round(Fraction(9, 10) * epochs * per_epoch)  # 19.28... to 19
    assert (warmup, decay) == (7, 19)
    optimizer = torch.optim.SGD(torch.nn.Linear(2, 1).parameters(), lr=1.0)
    run = Run(f"{epochs}ep", steps_per_epoch=per_epoch)
    scheduler = ScheduleLR(
        optimizer, planned(), run=run, weight_decay=ExponentialDecay(1e-2, "1ep", 0.5)
    )
    resolved = planned().resolve(run)
    rates, decays = [], []
    for _ in range(22):
        rates.append(optimizer.param_groups[0]["lr"])
        decays.append(optimizer.param_groups[0]["weight_decay"])
        optimizer.step()
        scheduler.step()
    for step, rate in enumerate(rates):
        assert rate == pytest.approx(hand_rate(step, warmup, decay), rel=1e-12, abs=1e-15)
        assert rate == resolved(step)
        assert decays[step] == pytest.approx(1e-2 * 0.5 ** (step / 7), rel=1e-12)
    assert scheduler.schedules[0] == resolved


def test_schedulelr_resolves_from_the_total_steps() -> None:
    import torch

    from lrschedule.torch import ScheduleLR

    optimizer = torch.optim.SGD(torch.nn.Linear(2, 1).parameters(), lr=1.0)
    schedule = CosineDecay(0.1, decay_steps="0.5dur")
    scheduler = ScheduleLR(optimizer, schedule, run=1001)  # half of 1001: 500.5, to 500
    assert scheduler.schedules[0] == CosineDecay(0.1, decay_steps=500)


def test_schedulelr_without_a_run_says_what_to_pass() -> None:
    import torch

    from lrschedule.torch import ScheduleLR

    optimizer = torch.optim.SGD(torch.nn.Linear(2, 1).parameters(), lr=1.0)
    with pytest.raises(
        ValueError,
        match=r"^Argument `schedule` counts steps in units \(CosineDecay: decay_steps='90%', "
        r"warmup_steps='1ep'\), so ScheduleLR needs the run: pass `run=lrschedule.Run\(",
    ):
        ScheduleLR(optimizer, planned())
    with pytest.raises(ValueError, match=r"^Argument `momentum` counts steps in units"):
        ScheduleLR(optimizer, lr=CosineDecay(0.1, 10), momentum=CosineDecay(0.9, "1ep"))
    with pytest.raises(lrschedule.core.errors.MissingRunValueError, match="steps_per_epoch"):
        ScheduleLR(optimizer, planned(), run=100)
    with pytest.raises(TypeError, match=r"^Argument `run` must be a lrschedule Run"):
        ScheduleLR(optimizer, CosineDecay(0.1, 10), run=[100])  # checked, though not needed


# --------------------------------------------------------------------------- Keras
def test_to_keras_resolves_with_run() -> None:
    from lrschedule.keras import to_keras

    run = Run("10ep", steps_per_epoch=33)
    wrapped = to_keras(planned(), run=run)
    assert wrapped.schedule == CosineDecay(0.0, 297, warmup_steps=33, warmup_target=0.1)
    for step in (0, 20, 33, 100, 329):
        value = float(wrapped(np.int64(step)))
        assert value == pytest.approx(hand_rate(step, 33, 297), rel=1e-6, abs=1e-8)


def test_fit_resolves_from_its_epochs_and_steps() -> None:
    import keras

    from lrschedule.keras import ResolveInFit, to_keras

    wrapped = to_keras(planned())
    assert not wrapped.schedule.is_resolved
    # The unit strings survive Keras's own serialization before the fit.
    config = keras.saving.serialize_keras_object(wrapped)
    assert '"1ep"' in json.dumps(config)
    assert keras.saving.deserialize_keras_object(config).schedule == planned()

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(wrapped), loss="mse")
    seen: list[float] = []

    class Record(keras.callbacks.Callback):  # type: ignore[misc]
        def on_train_batch_begin(self, batch: int, logs: Any = None) -> None:
            seen.append(float(model.optimizer.learning_rate))

    x, y = np.ones((65, 2), "float32"), np.ones((65, 1), "float32")
    resolver = ResolveInFit(wrapped)
    model.fit(x, y, epochs=3, batch_size=10, verbose=0, callbacks=[resolver, Record()])
    # 65 samples in batches of 10: 7 steps an epoch (the last one short), 21 in all.
    warmup, decay = 7, round(Fraction(9, 10) * 21)  # 18.9 to 19
    assert resolver.run == Run(21, steps_per_epoch=7)
    assert wrapped.schedule == planned().resolve(Run("3ep", steps_per_epoch=7))
    assert len(seen) == 21
    for step, rate in enumerate(seen):
        assert rate == pytest.approx(hand_rate(step, warmup, decay), rel=1e-6, abs=1e-8)
        assert rate == float(np.float32(wrapped.schedule(step)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(x, y, epochs=4, batch_size=10, verbose=0, callbacks=[resolver])
    assert any("resolved the schedule for Run(total=21" in str(w.message) for w in caught)


def test_resolve_in_fit_errors() -> None:
    from lrschedule.keras import ResolveInFit, to_keras

    with pytest.raises(TypeError, match=r"^Argument `schedule` must be the KerasSchedule"):
        ResolveInFit(planned())  # type: ignore[arg-type]
    resolver = ResolveInFit(to_keras(planned()))
    resolver.set_params({"epochs": 3, "steps": None, "verbose": 0})
    with pytest.raises(ValueError, match=r"pass `steps_per_epoch` to fit\. Received: epochs=3"):
        resolver.on_train_begin()
    resolver = ResolveInFit(to_keras(CosineDecay(0.1, "1e6tok")))
    resolver.set_params({"epochs": 3, "steps": 10, "verbose": 0})
    with pytest.raises(ValueError, match=r"is in tokens \('1e6tok'\): the run must give"):
        resolver.on_train_begin()


# ---------------------------------------------------------------------- command line
def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_table_in_epochs(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_cli(
        capsys, "table", PLAN, "--steps", "30ep", "--steps-per-epoch", "500", "--format", "json"
    )
    assert status == 0
    document = json.loads(out)
    assert document["schedule"] == repr(planned().resolve(Run("30ep", steps_per_epoch=500)))
    rows = document["rows"]
    assert rows[-1]["step"] == 14_999  # 30 epochs of 500 steps
    for row in rows:
        expected = hand_rate(row["step"], 500, 13_500)
        assert row["learning_rate"] == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_cli_plot_and_describe_in_units(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_cli(capsys, "plot", PLAN, "--steps", "30ep", "--steps-per-epoch", "500")
    assert status == 0 and "epoch" in out
    status, out, _ = run_cli(
        capsys, "describe", PLAN, "--steps", "30ep", "--steps-per-epoch", "500", "--format", "json"
    )
    assert status == 0
    summary = json.loads(out)
    assert summary["total_steps"] == 15_000
    assert summary["breakpoints"] == [500, 14_000]


def test_cli_tokens_and_samples(capsys: pytest.CaptureFixture[str]) -> None:
    spec = "WarmupStableDecay(0.0, 0.1, '1e9tok', '80%', '1e6sp')"
    argv = ["describe", spec, "--steps", "2.5e10tok", "--tokens-per-step", "2097152"]
    status, out, err = run_cli(capsys, *argv, "--samples-per-step", "1024", "--format", "json")
    assert status == 0, err
    tokens = 2_097_152
    total = round(Fraction(25 * 10**9, tokens))  # 11920.9 to 11921
    warmup = round(Fraction(10**9, tokens))
    stable = round(Fraction(8, 10) * Fraction(25 * 10**9, tokens))  # of the exact length
    decay = round(Fraction(10**6, 1024))
    assert json.loads(out)["total_steps"] == total
    assert json.loads(out)["breakpoints"] == [warmup, warmup + stable, warmup + stable + decay]


def test_cli_reads_unit_strings_from_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    path = tmp_path / "plan.toml"
    lrschedule.save(planned(), path)
    assert "'90%'" in path.read_text() or '"90%"' in path.read_text()
    status, out, _ = run_cli(
        capsys,
        "table",
        str(path),
        "--steps",
        "15000",
        "--steps-per-epoch",
        "500",
        "--every",
        "5000",
    )
    assert status == 0
    assert out.splitlines()[0] == repr(planned().resolve(Run(15000, steps_per_epoch=500)))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["table", PLAN, "--steps", "30ep"],
            "lrschedule table: error: --steps is in epochs ('30ep'): the run must give "
            "`steps_per_epoch`. Pass --steps-per-epoch E.",
        ),
        (
            ["table", PLAN, "--steps", "15000"],
            "lrschedule table: error: Argument `warmup_steps` is in epochs ('1ep'): the run "
            "must give `steps_per_epoch`. Pass --steps-per-epoch E.",
        ),
        (
            ["describe", "CosineDecay(0.1, '1e6sp')", "--steps", "100"],
            "lrschedule describe: error: Argument `decay_steps` is in samples ('1e6sp'): the "
            "run must give `samples_per_step`. Pass --samples-per-step S.",
        ),
        (
            ["plot", "CosineDecay(0.1, '1e9tok')", "--steps", "100"],
            "lrschedule plot: error: Argument `decay_steps` is in tokens ('1e9tok'): the run "
            "must give `tokens_per_step`. Pass --tokens-per-step T.",
        ),
        (
            ["table", PLAN, "--steps", "10%"],
            "lrschedule table: error: argument --steps: expected the run's length, not a "
            "fraction of it, got '10%' (see lrschedule table --help)",
        ),
        (
            ["table", PLAN, "--steps", "1.2.3ep"],
            "lrschedule table: error: argument --steps: expected a number of steps or a length "
            "with a unit (15000, 15000ba, 30ep, 1.2e6sp, 2.5e9tok), got '1.2.3ep' "
            "(see lrschedule table --help)",
        ),
        (
            ["table", "CosineDecay(0.1, '1e5sp')", "--steps", "1sp", "--samples-per-step", "4"],
            "lrschedule table: error: --steps 1sp is less than one step (it is 0 steps)",
        ),
        (
            [
                "table",
                "CosineDecay(0.1, 10, warmup_steps='4ep', warmup_target=0.2)",
                "--steps",
                "3ep",
                "--steps-per-epoch",
                "500",
            ],
            "lrschedule table: error: Argument `warmup_steps` must be at most the run's length, "
            "1500 steps (total='3ep'). Received: warmup_steps='4ep' (2000 steps)",
        ),
    ],
)
def test_cli_errors(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    status, _, err = run_cli(capsys, *argv)
    assert (status, err.strip()) == (2, message)
