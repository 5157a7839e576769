"""The plateau examples run in a fresh interpreter and prove what they claim."""

from __future__ import annotations

import pytest
from tests.test_examples import run


def test_torch_plateau() -> None:
    out = run("torch_plateau.py")
    assert "OK: all 160 optimizer steps used exactly schedule(step) * scale" in out
    assert "resumed at epoch 9 on the same learning rates" in out


@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_keras_plateau(backend: str) -> None:
    out = run("keras_plateau.py", "--backend", backend)
    assert f"OK: all 96 updates used schedule(step) * scale on Keras's {backend} backend" in out
    assert "5 reductions; the run resumed from model.save() at epoch 7" in out
