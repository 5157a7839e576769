"""A PyTorch loop with warmup + cosine + reduce on plateau, checked at every update.

The learning rate is ``schedule * plateau``: a warmup into a cosine decay, whose level a
:class:`lrschedule.ReduceOnPlateau` lowers when the validation loss stops improving.
:class:`lrschedule.torch.ScheduleLR` steps once per optimizer update; the validation loss
is observed once per epoch with ``plateau.observe(val_loss)``, and a reduction applies at
once. A step pre-hook records the learning rate every ``optimizer.step()`` reads, and the
script asserts that update ``k`` used exactly ``schedule(k) * scale``, with the scale the
plateau had in that epoch. Half-way it saves a checkpoint (``ScheduleLR.state_dict()``
holds the step and the plateau's state), rebuilds everything from it, and checks that the
resumed run uses the same learning rates as an uninterrupted one.

Run: ``python examples/torch_plateau.py [--epochs 16] [--steps-per-epoch 10]``.
"""

from __future__ import annotations

import argparse
import io

import torch

from lrschedule import CosineDecay, ReduceOnPlateau, Warmup
from lrschedule.torch import ScheduleLR


def build(total: int, per_epoch: int) -> tuple[torch.nn.Module, torch.optim.Optimizer, ScheduleLR]:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0, momentum=0.9)
    base = Warmup(CosineDecay(0.05, total - per_epoch, alpha=0.1), warmup_steps=per_epoch)
    plateau = ReduceOnPlateau(factor=0.5, patience=1, threshold=1e-3, min_lr=1e-4)
    return model, optimizer, ScheduleLR(optimizer, base * plateau)


def run(args: argparse.Namespace, stop: int, checkpoint: dict | None) -> tuple[list, list, dict]:
    """Train epochs up to ``stop`` (from a checkpoint's epoch on); the rates used, the rates
    expected, and a checkpoint at the end."""
    epochs, per_epoch = args.epochs, args.steps_per_epoch
    generator = torch.Generator().manual_seed(1)
    x = torch.randn(per_epoch * 16, 4, generator=generator)
    y = x @ torch.tensor([[0.5], [-1.0], [0.3], [2.0]]) + 0.3 * torch.randn(
        len(x), 1, generator=generator
    )
    x_val, y_val = x[:32] + 0.1, y[:32]
    model, optimizer, scheduler = build(epochs * per_epoch, per_epoch)
    first = 0
    if checkpoint is not None:
        model.load_state_dict(checkpoint["model"])
        optimizer.load_state_dict(checkpoint["optimizer"])
        scheduler.load_state_dict(checkpoint["scheduler"])
        first = checkpoint["epoch"]
    schedule = scheduler.schedules[0]
    (plateau,) = scheduler.plateaus
    used: list[float] = []
    expected: list[float] = []
    optimizer.register_step_pre_hook(lambda opt, *_: used.append(opt.param_groups[0]["lr"]))
    for epoch in range(first, stop):
        for batch in range(per_epoch):
            step = epoch * per_epoch + batch
            rows = slice(batch * 16, (batch + 1) * 16)
            optimizer.zero_grad()
            loss = torch.nn.functional.mse_loss(model(x[rows]), y[rows])
            loss.backward()
            optimizer.step()
            scheduler.step()
            rate = schedule.schedule(step) * plateau.scale
            expected.append(max(rate, min(schedule.schedule(step), plateau.min_lr)))
        with torch.no_grad():
            val_loss = torch.nn.functional.mse_loss(model(x_val), y_val).item()
        plateau.observe(val_loss)
        print(
            f"epoch {epoch + 1:3d}  lr {used[-1]:.6f}  val_loss {val_loss:.4f}  "
            f"scale {plateau.scale:g}"
        )
    state = {
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "epoch": stop,
    }
    return used, expected, state


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=16)
    parser.add_argument("--steps-per-epoch", type=int, default=10)
    args = parser.parse_args(argv)
    total, half = args.epochs * args.steps_per_epoch, args.epochs // 2

    used, expected, final = run(args, args.epochs, None)
    assert used == expected, [
        (k, a, b) for k, (a, b) in enumerate(zip(used, expected, strict=True)) if a != b
    ][:3]
    reductions = final["scheduler"]["plateaus"][0]["reductions"]
    assert reductions >= 1, final["scheduler"]

    first, _, saved = run(args, half, None)
    buffer = io.BytesIO()
    torch.save(saved, buffer)
    buffer.seek(0)
    checkpoint = torch.load(buffer, weights_only=True)
    print(f"checkpoint at epoch {half}: plateau state {checkpoint['scheduler']['plateaus'][0]}")
    second, _, _ = run(args, args.epochs, checkpoint)
    assert first + second == used, "the resumed run used other learning rates"
    print(
        f"OK: all {total} optimizer steps used exactly schedule(step) * scale; "
        f"{reductions} reductions; resumed at epoch {half + 1} on the same learning rates."
    )


if __name__ == "__main__":
    main()
