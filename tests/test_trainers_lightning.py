"""PyTorch Lightning drives :class:`lrschedule.torch.ScheduleLR` as a per-step scheduler.

``configure_optimizers`` returns the scheduler with ``"interval": "step"``; a callback
reads ``optimizer.param_groups[0]["lr"]`` just before every optimizer step. Every update
must use ``schedule(step)``, and a run stopped half-way and resumed with
``Trainer.fit(..., ckpt_path=...)`` must use the same learning rates and end with the same
parameters, bit for bit, as a run that was never interrupted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.trainer_cases import SCHEDULE, check_float64

from conftest import require

torch = require("torch")
pl = require("pytorch_lightning")

# Lightning's own use of a PyTorch API that PyTorch has deprecated.
pytestmark = pytest.mark.filterwarnings("ignore:.*LeafSpec.*:DeprecationWarning")

from lrschedule.torch import ScheduleLR  # noqa: E402

EPOCHS = 2
BATCHES = 6  # per epoch
STEPS = EPOCHS * BATCHES


def data() -> Any:
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(BATCHES * 4, 3, generator=generator)
    y = x @ torch.tensor([[0.5], [-1.0], [2.0]]) + 0.1 * torch.randn(
        x.shape[0], 1, generator=generator
    )
    dataset = torch.utils.data.TensorDataset(x, y)
    return torch.utils.data.DataLoader(dataset, batch_size=4, shuffle=False)


class Regression(pl.LightningModule):
    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(1)
        self.layer = torch.nn.Linear(3, 1)

    def training_step(self, batch: Any, batch_index: int) -> Any:
        x, y = batch
        return torch.nn.functional.mse_loss(self.layer(x), y)

    def configure_optimizers(self) -> Any:
        # The optimizer's own lr is overwritten by the schedule at once.
        optimizer = torch.optim.SGD(self.parameters(), lr=1.0, momentum=0.9)
        scheduler = ScheduleLR(optimizer, SCHEDULE)
        return {
            "optimizer": optimizer,
            "lr_scheduler": {"scheduler": scheduler, "interval": "step"},
        }


class RecordLearningRate(pl.Callback):
    """``used[k]``: the learning rate in the optimizer as it takes update ``k``."""

    def __init__(self) -> None:
        self.used: dict[int, float] = {}

    def on_before_optimizer_step(self, trainer: Any, module: Any, optimizer: Any) -> None:
        self.used[trainer.global_step] = optimizer.param_groups[0]["lr"]


def fit(
    folder: Path, epochs: int, ckpt_path: Path | None = None
) -> tuple[Any, Any, dict[int, float]]:
    record = RecordLearningRate()
    trainer = pl.Trainer(
        max_epochs=epochs,
        accelerator="cpu",
        devices=1,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        default_root_dir=folder,
        callbacks=[record],
    )
    module = Regression()
    trainer.fit(module, train_dataloaders=data(), ckpt_path=ckpt_path)
    return trainer, module, record.used


def test_every_update_uses_the_schedule(tmp_path: Path) -> None:
    trainer, _, used = fit(tmp_path, EPOCHS)
    assert trainer.global_step == STEPS
    check_float64(used, STEPS)
    # After the last step the scheduler has moved on to the next step's value.
    assert trainer.optimizers[0].param_groups[0]["lr"] == SCHEDULE(STEPS)


def test_resuming_from_a_checkpoint_continues_exactly(tmp_path: Path) -> None:
    _, whole, used_whole = fit(tmp_path / "whole", EPOCHS)

    first, _, used_first = fit(tmp_path / "first", EPOCHS // 2)
    checkpoint = tmp_path / "half.ckpt"
    first.save_checkpoint(checkpoint)
    resumed_trainer, resumed, used_second = fit(tmp_path / "second", EPOCHS, ckpt_path=checkpoint)

    assert sorted(used_first) == list(range(STEPS // 2))
    assert sorted(used_second) == list(range(STEPS // 2, STEPS))
    assert {**used_first, **used_second} == used_whole
    assert resumed_trainer.global_step == STEPS
    for name, value in whole.state_dict().items():
        assert torch.equal(resumed.state_dict()[name], value), name
