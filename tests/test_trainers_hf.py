"""The Hugging Face ``Trainer`` drives :class:`lrschedule.torch.ScheduleLR`, passed with its
optimizer as ``Trainer(..., optimizers=(optimizer, scheduler))``.

A tiny PyTorch model and a dataset made here (nothing is downloaded). A callback reads
``optimizer.param_groups[0]["lr"]`` just before every optimizer step: every update must use
``schedule(step)``. A run stopped at a checkpoint half-way and resumed in a new ``Trainer``
with ``train(resume_from_checkpoint=...)`` must use the same learning rates and end with
the same parameters, bit for bit, as a run that was never interrupted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.trainer_cases import SCHEDULE, check_float64

from conftest import require

torch = require("torch")
transformers = require("transformers")
require("accelerate")

from lrschedule.torch import ScheduleLR  # noqa: E402

STEPS = 12
BATCH = 4


class Regression(torch.nn.Module):
    """A linear model in the shape the Trainer expects: keyword inputs, a dict with the loss."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(1)
        self.layer = torch.nn.Linear(3, 1)

    def forward(self, x: Any, labels: Any) -> dict[str, Any]:
        return {"loss": torch.nn.functional.mse_loss(self.layer(x), labels)}


class Points(torch.utils.data.Dataset):
    def __init__(self, size: int) -> None:
        generator = torch.Generator().manual_seed(0)
        self.x = torch.randn(size, 3, generator=generator)
        noise = 0.1 * torch.randn(size, 1, generator=generator)
        self.y = self.x @ torch.tensor([[0.5], [-1.0], [2.0]]) + noise

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, index: int) -> dict[str, Any]:
        return {"x": self.x[index], "labels": self.y[index]}


class RecordLearningRate(transformers.TrainerCallback):
    """``used[k]``: the learning rate in the optimizer as it takes update ``k``."""

    def __init__(self) -> None:
        self.used: dict[int, float] = {}

    def on_pre_optimizer_step(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self.used[state.global_step] = kwargs["optimizer"].param_groups[0]["lr"]


def train(
    folder: Path, resume: Path | None = None, save_steps: int | None = None
) -> tuple[Any, dict[int, float]]:
    model = Regression()
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0, momentum=0.9)
    scheduler = ScheduleLR(optimizer, SCHEDULE)
    arguments = transformers.TrainingArguments(
        output_dir=str(folder),
        max_steps=STEPS,
        per_device_train_batch_size=BATCH,
        save_strategy="steps" if save_steps else "no",
        save_steps=save_steps or STEPS,
        logging_strategy="no",
        report_to="none",
        use_cpu=True,
        disable_tqdm=True,
        seed=0,
        dataloader_num_workers=0,
    )
    record = RecordLearningRate()
    trainer = transformers.Trainer(
        model=model,
        args=arguments,
        train_dataset=Points(
            5 * BATCH
        ),  # 5 batches an epoch, shuffled: the checkpoint is mid-epoch
        optimizers=(optimizer, scheduler),
        callbacks=[record],
    )
    trainer.train(resume_from_checkpoint=str(resume) if resume else None)
    assert trainer.state.global_step == STEPS
    return model, record.used


def test_every_update_uses_the_schedule(tmp_path: Path) -> None:
    _, used = train(tmp_path)
    check_float64(used, STEPS)


def test_resuming_from_a_checkpoint_continues_exactly(tmp_path: Path) -> None:
    whole, used_whole = train(tmp_path / "whole")
    _, used_saving = train(tmp_path / "saving", save_steps=STEPS // 2)
    checkpoint = tmp_path / "saving" / f"checkpoint-{STEPS // 2}"
    assert (checkpoint / "scheduler.pt").is_file()

    resumed, used_resumed = train(tmp_path / "resumed", resume=checkpoint)

    assert used_saving == used_whole
    assert sorted(used_resumed) == list(range(STEPS // 2, STEPS))
    assert used_resumed == {k: v for k, v in used_whole.items() if k >= STEPS // 2}
    for name, value in whole.state_dict().items():
        assert torch.equal(resumed.state_dict()[name], value), name
