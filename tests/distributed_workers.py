"""The programs that tests/test_distributed.py runs in processes of their own.

Run as ``python -m tests.distributed_workers KIND ...`` from the repository root:

* ``ddp``: one rank of a PyTorch ``DistributedDataParallel`` run over the gloo backend
  (rank, world size and a file store from the arguments), with
  :class:`lrschedule.torch.ScheduleLR`; it may start from a checkpoint and save one.
* ``jax``: an Optax update sharded over 8 host devices with ``jax.shard_map``
  (``XLA_FLAGS=--xla_force_host_platform_device_count=8`` set by the caller).
* ``keras``: Keras 3 ``fit`` on the JAX backend under ``keras.distribution.DataParallel``
  over those 8 devices, the schedule given with :func:`lrschedule.keras.to_keras`.

Each writes what it saw as JSON (learning rates as ``float.hex`` strings, so that equal means
bit-identical) to the file named by ``--out``. Nothing runs on import.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

STEPS = 12
PER_DEVICE = 4  # examples per rank or device in each step


def _write(path: str, result: dict[str, Any]) -> None:
    with open(path, "w", encoding="utf-8") as file:
        json.dump(result, file)


def ddp(args: argparse.Namespace) -> None:
    import torch
    import torch.distributed as dist
    from tests.trainer_cases import SCHEDULE
    from torch.nn.parallel import DistributedDataParallel

    from lrschedule.torch import ScheduleLR

    dist.init_process_group(
        "gloo", init_method=f"file://{args.store}", rank=args.rank, world_size=args.world
    )
    torch.manual_seed(args.rank)  # different on every rank: DDP must broadcast rank 0's
    model = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0, momentum=0.9)
    scheduler = ScheduleLR(optimizer, SCHEDULE)
    if args.resume:
        state = torch.load(args.resume, weights_only=True)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
    assert scheduler.last_epoch == args.start, (scheduler.last_epoch, args.start)
    parallel = DistributedDataParallel(model)

    generator = torch.Generator().manual_seed(0)
    x = torch.randn(STEPS, args.world * PER_DEVICE, 3, generator=generator)
    y = torch.sin(x.sum(dim=-1, keepdim=True))
    mine = slice(args.rank * PER_DEVICE, (args.rank + 1) * PER_DEVICE)
    used = {}
    for step in range(args.start, STEPS):
        used[step] = optimizer.param_groups[0]["lr"]
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(parallel(x[step, mine]), y[step, mine])
        loss.backward()
        optimizer.step()
        scheduler.step()
        if step + 1 == args.save_at and args.rank == 0:
            state = {
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(),
            }
            torch.save(state, args.save)
    dist.barrier()
    params = [
        value.hex() for p in model.parameters() for value in p.detach().double().flatten().tolist()
    ]
    _write(args.out, {"used": {step: lr.hex() for step, lr in used.items()}, "params": params})
    # The DDP wrapper (its reducer holds the group's threads) goes before the group: torn
    # down the other way round at exit, a loaded machine could abort the process.
    del parallel
    dist.destroy_process_group()


def jax_sharded(args: argparse.Namespace) -> None:
    import jax
    import numpy as np
    import optax
    from jax.sharding import NamedSharding
    from jax.sharding import PartitionSpec as P
    from tests.trainer_cases import SCHEDULE

    jnp = jax.numpy
    devices = jax.device_count()
    mesh = jax.make_mesh((devices,), ("data",))
    optimizer = optax.inject_hyperparams(optax.sgd)(learning_rate=SCHEDULE, momentum=0.9)

    def loss(params: Any, x: Any, y: Any) -> Any:
        return jnp.mean((x @ params["w"] + params["b"] - y) ** 2)

    def local_update(params: Any, state: Any, x: Any, y: Any) -> Any:
        # On each device: its shard's gradient, averaged over the devices, then the update.
        grads = jax.lax.pmean(jax.grad(loss)(params, x, y), "data")
        updates, state = optimizer.update(grads, state, params)
        lr = state.hyperparams["learning_rate"]  # the value this device's update used
        return optax.apply_updates(params, updates), state, jnp.reshape(lr, (1,))

    update = jax.jit(
        jax.shard_map(
            local_update,
            mesh=mesh,
            in_specs=(P(), P(), P("data"), P("data")),
            out_specs=(P(), P(), P("data")),
        )
    )
    rng = np.random.default_rng(0)
    x = rng.normal(size=(STEPS, devices * PER_DEVICE, 3)).astype("float32")
    y = np.sin(x.sum(axis=-1)).astype("float32")
    params = {"w": jnp.array([0.1, 0.2, -0.3]), "b": jnp.array(0.05)}
    state = optimizer.init(params)
    batch_sharding = NamedSharding(mesh, P("data"))
    used = {}
    shards = set()
    for step in range(STEPS):
        batch_x = jax.device_put(x[step], batch_sharding)
        shards.add(len(batch_x.addressable_shards))
        params, state, lr = update(params, state, batch_x, jax.device_put(y[step], batch_sharding))
        used[step] = [float(value).hex() for value in np.asarray(lr)]
    _write(args.out, {"devices": devices, "shards": sorted(shards), "used": used})


def keras_data_parallel(args: argparse.Namespace) -> None:
    import jax
    import keras
    import numpy as np
    from tests.trainer_cases import SCHEDULE

    from lrschedule.keras import to_keras

    assert keras.backend.backend() == "jax", keras.backend.backend()
    devices = jax.devices()
    keras.distribution.set_distribution(keras.distribution.DataParallel(devices=devices))
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(1)]
    )
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=to_keras(SCHEDULE)), loss="mse")
    used: dict[int, str] = {}

    class Record(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch: int, logs: Any = None) -> None:
            optimizer = self.model.optimizer
            step = int(keras.ops.convert_to_numpy(optimizer.iterations))
            used[step] = float(keras.ops.convert_to_numpy(optimizer.learning_rate)).hex()

    batch = len(devices) * PER_DEVICE
    rng = np.random.default_rng(0)
    x = rng.normal(size=(STEPS // 2 * batch, 3)).astype("float32")
    y = np.sin(x.sum(axis=-1, keepdims=True)).astype("float32")
    model.fit(x, y, batch_size=batch, epochs=2, shuffle=False, verbose=0, callbacks=[Record()])
    kernel = model.layers[0].kernel.value
    _write(
        args.out,
        {
            "devices": len(devices),
            "kernel_devices": len(kernel.sharding.device_set),
            "iterations": int(keras.ops.convert_to_numpy(model.optimizer.iterations)),
            "used": used,
        },
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["ddp", "jax", "keras"])
    parser.add_argument("--out", required=True)
    parser.add_argument("--rank", type=int, default=0)
    parser.add_argument("--world", type=int, default=1)
    parser.add_argument("--store", help="the file of the process group's store")
    parser.add_argument("--start", type=int, default=0, help="the step the run starts at")
    parser.add_argument("--resume", help="the checkpoint to start from")
    parser.add_argument("--save", help="where rank 0 saves a checkpoint")
    parser.add_argument("--save-at", type=int, default=0, help="after how many steps")
    args = parser.parse_args()
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    {"ddp": ddp, "jax": jax_sharded, "keras": keras_data_parallel}[args.kind](args)


if __name__ == "__main__":
    main()
