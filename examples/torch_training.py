"""Train a small PyTorch classifier with an lrschedule schedule driving the optimizer.

The learning rate follows ``CosineDecay`` with a linear warmup, set on the optimizer by
:class:`lrschedule.torch.ScheduleLR`. A step pre-hook records the learning rate every
``optimizer.step()`` actually reads, and the script asserts that update ``k`` used exactly
``schedule(k)``. Half-way it saves a checkpoint, rebuilds model, optimizer and scheduler
from it, and checks that the resumed run uses the same learning rates.

Run: ``python examples/torch_training.py [--epochs 8] [--steps-per-epoch 25]``.
"""

from __future__ import annotations

import argparse
import io

import torch

from lrschedule import CosineDecay
from lrschedule.torch import ScheduleLR


def make_data(n: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Three Gaussian blobs in 2-d, labelled 0, 1, 2."""
    centers = torch.tensor([[0.0, 2.0], [2.0, -1.0], [-2.0, -1.0]])
    labels = torch.randint(0, 3, (n,), generator=generator)
    points = centers[labels] + 0.8 * torch.randn(n, 2, generator=generator)
    return points, labels


def build(total_steps: int) -> tuple[torch.nn.Module, torch.optim.Optimizer, ScheduleLR]:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0, momentum=0.9)
    warmup = max(total_steps // 10, 1)
    schedule = CosineDecay(
        0.0, total_steps - warmup, alpha=0.05, warmup_target=0.2, warmup_steps=warmup
    )
    return model, optimizer, ScheduleLR(optimizer, schedule)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--steps-per-epoch", type=int, default=25)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args(argv)
    epochs, per_epoch = args.epochs, args.steps_per_epoch
    total = epochs * per_epoch

    generator = torch.Generator().manual_seed(1)
    x, y = make_data(per_epoch * args.batch_size, generator)
    batches = list(zip(x.split(args.batch_size), y.split(args.batch_size), strict=True))

    model, optimizer, scheduler = build(total)
    schedule = scheduler.schedules[0]
    used: list[float] = []
    optimizer.register_step_pre_hook(lambda opt, *_: used.append(opt.param_groups[0]["lr"]))
    loss_fn = torch.nn.CrossEntropyLoss()
    checkpoint = None

    for epoch in range(epochs):
        if epoch == epochs // 2 and checkpoint is None:
            # Save, then continue from the checkpoint in a freshly built trio.
            buffer = io.BytesIO()
            torch.save(
                {
                    "model": model.state_dict(),
                    "optimizer": optimizer.state_dict(),
                    "scheduler": scheduler.state_dict(),
                },
                buffer,
            )
            buffer.seek(0)
            checkpoint = torch.load(buffer, weights_only=True)
            model, optimizer, scheduler = build(total)
            model.load_state_dict(checkpoint["model"])
            optimizer.load_state_dict(checkpoint["optimizer"])
            scheduler.load_state_dict(checkpoint["scheduler"])
            optimizer.register_step_pre_hook(lambda opt, *_: used.append(opt.param_groups[0]["lr"]))
        epoch_lr = optimizer.param_groups[0]["lr"]
        total_loss = 0.0
        for inputs, labels in batches:
            optimizer.zero_grad()
            loss = loss_fn(model(inputs), labels)
            loss.backward()
            optimizer.step()
            scheduler.step()
            total_loss += loss.item()
        accuracy = (model(x).argmax(dim=1) == y).float().mean().item()
        print(
            f"epoch {epoch + 1:3d}  lr {epoch_lr:.6f}  "
            f"loss {total_loss / len(batches):.4f}  accuracy {accuracy:.3f}"
        )

    assert len(used) == total, (len(used), total)
    for step, lr in enumerate(used):
        assert lr == schedule(step), f"step {step}: the optimizer used {lr}, not {schedule(step)}"
    print(
        f"OK: all {total} optimizer steps used exactly schedule(step) (resumed at epoch "
        f"{epochs // 2 + 1})."
    )


if __name__ == "__main__":
    main()
