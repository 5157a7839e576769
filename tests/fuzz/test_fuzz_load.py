"""Fuzz target ``load``: files of JSON, TOML and random bytes, and paths that are not files.

The oracle (``oracle.check``): a schedule or a ``ValueError``/``TypeError`` (a missing file
included), no import, no wait on a FIFO, work bounded by the file's size. Budget and long
runs: ``README.md``.
"""

from __future__ import annotations

import os
import shutil
import tempfile

from hypothesis import given
from hypothesis import strategies as st
from tests.fuzz import oracle
from tests.fuzz import strategies as inputs
from tests.fuzz.warmup import warm_up

from lrschedule import LearningRateSchedule, load
from lrschedule.serialization import MAX_TEXT_LENGTH

FOLDER = tempfile.mkdtemp(prefix="lrschedule-fuzz-load-")
SPECIAL = ["folder.json", "missing.json", "big.json"]
if hasattr(os, "mkfifo"):
    SPECIAL.append("fifo.json")
if os.name == "posix":
    SPECIAL.append("device.toml")


def setup_module() -> None:
    warm_up()
    os.makedirs(FOLDER, exist_ok=True)  # again, if the long run's test removed it
    os.mkdir(os.path.join(FOLDER, "folder.json"))
    with open(os.path.join(FOLDER, "big.json"), "wb") as file:
        file.truncate(MAX_TEXT_LENGTH + 1)
    if "fifo.json" in SPECIAL:
        os.mkfifo(os.path.join(FOLDER, "fifo.json"))
    if "device.toml" in SPECIAL:
        os.symlink(os.devnull, os.path.join(FOLDER, "device.toml"))


def teardown_module() -> None:
    shutil.rmtree(FOLDER, ignore_errors=True)


def _load(path: str, size: int, warning_mode: str, check: oracle.Check = oracle.check) -> None:
    result = check(
        "load",
        lambda: load(path),
        allowed=(ValueError, TypeError),
        size=size,
        warning_mode=warning_mode,
    )
    assert isinstance(result, (ValueError, TypeError, LearningRateSchedule)), result


@oracle.fuzz
@given(inputs.FILE_NAMES, inputs.FILE_CONTENTS, st.sampled_from(["ignore", "error", "record"]))
def test_files(name: str, content: bytes, warning_mode: str) -> None:
    load_file(name, content, warning_mode)


@oracle.fuzz
@given(st.sampled_from(SPECIAL))
def test_paths_that_are_not_files(name: str) -> None:
    _load(os.path.join(FOLDER, name), 1, "ignore")


def load_file(
    name: str, content: bytes, warning_mode: str, check: oracle.Check = oracle.check
) -> None:
    """``load`` a file ``name`` holding ``content``, under the contract."""
    path = os.path.join(FOLDER, name)
    with open(path, "wb") as file:
        file.write(content)
    try:
        _load(path, len(content) + 1, warning_mode, check)
    finally:
        os.remove(path)
