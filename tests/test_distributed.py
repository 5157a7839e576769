"""Schedules in distributed training: every process or device uses ``schedule(step)``.

Each run is a program of tests/distributed_workers.py in fresh processes, so that this
process keeps its own PyTorch, JAX and Keras set-up:

* PyTorch ``DistributedDataParallel`` on the gloo backend, 2 local processes: both ranks
  use bit-identical learning rates, ``schedule(step)`` at every step; a checkpoint saved
  half-way and restarted in fresh processes ends with the same parameters and learning
  rates as the uninterrupted run.
* JAX with 8 host devices (``--xla_force_host_platform_device_count=8``): a jitted Optax
  update under ``jax.shard_map``, the batch sharded over the devices: every device uses
  ``schedule(step)`` at every step.
* Keras 3 on the JAX backend, ``keras.distribution.DataParallel`` over those devices:
  ``fit`` with ``to_keras(schedule)`` follows the schedule at every step.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.distributed_workers import STEPS
from tests.trainer_cases import SCHEDULE, check_float32, check_float64

from conftest import require

ROOT = Path(__file__).resolve().parent.parent
HALF = STEPS // 2


def environment(**extra: str) -> dict[str, str]:
    path = os.pathsep.join(
        filter(None, [str(ROOT / "src"), str(ROOT), os.environ.get("PYTHONPATH")])
    )
    return {
        **os.environ,
        "PYTHONPATH": path,
        "JAX_PLATFORMS": "cpu",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        **extra,
    }


def start(kind: str, out: Path, *args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.distributed_workers", kind, "--out", str(out), *args],
        cwd=ROOT,
        env=environment(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(processes: list[subprocess.Popen[str]], outs: list[Path]) -> list[dict[str, Any]]:
    for process in processes:
        try:
            output, _ = process.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            for other in processes:
                other.kill()
            raise
        assert process.returncode == 0, output[-4000:]
    return [json.loads(out.read_text()) for out in outs]


def run_ddp(folder: Path, *args: str) -> list[dict[str, Any]]:
    """Both ranks of one DDP run, with a fresh file store; their JSON results."""
    folder.mkdir()
    store = folder / "store"
    outs = [folder / f"rank{rank}.json" for rank in range(2)]
    processes = [
        start(
            "ddp",
            outs[rank],
            "--rank",
            str(rank),
            "--world",
            "2",
            "--store",
            str(store),
            *args,
            GLOO_SOCKET_IFNAME="lo",
        )
        for rank in range(2)
    ]
    return finish(processes, outs)


def learning_rates(result: dict[str, Any]) -> dict[int, float]:
    return {int(step): float.fromhex(lr) for step, lr in result["used"].items()}


def test_ddp_ranks_agree_and_resume_exactly(tmp_path: Path) -> None:
    require("torch")
    checkpoint = tmp_path / "half.pt"
    whole = run_ddp(tmp_path / "whole", "--save", str(checkpoint), "--save-at", str(HALF))
    assert checkpoint.is_file()
    resumed = run_ddp(tmp_path / "resumed", "--resume", str(checkpoint), "--start", str(HALF))

    assert whole[0]["used"] == whole[1]["used"], "the ranks used different learning rates"
    assert resumed[0]["used"] == resumed[1]["used"], "the ranks used different learning rates"
    check_float64(learning_rates(whole[0]), STEPS)
    assert learning_rates(resumed[0]) == {
        k: v for k, v in learning_rates(whole[0]).items() if k >= HALF
    }

    assert whole[0]["params"] == whole[1]["params"], "the ranks ended with different parameters"
    assert resumed[0]["params"] == resumed[1]["params"]
    assert resumed[0]["params"] == whole[0]["params"], "the resumed run ended elsewhere"


EIGHT_DEVICES = {"XLA_FLAGS": "--xla_force_host_platform_device_count=8"}


def test_jax_sharded_optax_update_on_8_devices(tmp_path: Path) -> None:
    require("optax")
    out = tmp_path / "jax.json"
    (result,) = finish([start("jax", out, **EIGHT_DEVICES)], [out])
    assert result["devices"] == 8
    assert result["shards"] == [8], "the batch must be split over the 8 devices"
    used = {int(step): [float.fromhex(lr) for lr in lrs] for step, lrs in result["used"].items()}
    assert all(len(set(lrs)) == 1 and len(lrs) == 8 for lrs in used.values()), used
    check_float32({step: lrs[0] for step, lrs in used.items()}, STEPS)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_keras_data_parallel_fit_on_8_devices(tmp_path: Path) -> None:
    require("keras")
    require("jax")
    out = tmp_path / "keras.json"
    (result,) = finish([start("keras", out, KERAS_BACKEND="jax", **EIGHT_DEVICES)], [out])
    assert result["devices"] == 8
    assert result["kernel_devices"] == 8, "DataParallel places the weights on every device"
    assert result["iterations"] == STEPS
    check_float32(learning_rates(result), STEPS)
    assert learning_rates(result)[1] != SCHEDULE(0)
