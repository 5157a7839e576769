"""Fuzz target ``parse_spec``: constructor calls, JSON specs, file paths and odd text.

The oracle (``oracle.check``): a schedule or a ``SpecError`` (nothing else), no import,
work bounded by the spec's size. Budget and long runs: ``README.md``.
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

from lrschedule import LearningRateSchedule
from lrschedule.cli.spec import SpecError, parse_spec

FOLDER = tempfile.mkdtemp(prefix="lrschedule-fuzz-spec-")
WARNINGS = st.sampled_from(["ignore", "error", "record"])


def setup_module() -> None:
    warm_up()
    os.makedirs(FOLDER, exist_ok=True)  # again, if the long run's test removed it


def teardown_module() -> None:
    shutil.rmtree(FOLDER, ignore_errors=True)


def _parse(text: str, size: int, warning_mode: str, check: oracle.Check = oracle.check) -> None:
    result = check(
        "parse_spec",
        lambda: parse_spec(text),
        allowed=(SpecError,),
        size=size,
        warning_mode=warning_mode,
    )
    assert isinstance(result, (SpecError, LearningRateSchedule)), result


@oracle.fuzz
@given(inputs.SPECS, WARNINGS)
def test_specs(text: str, warning_mode: str) -> None:
    _parse(text, len(text) + 1, warning_mode)


@oracle.fuzz
@given(inputs.FILE_NAMES, inputs.FILE_CONTENTS, WARNINGS)
def test_file_specs(name: str, content: bytes, warning_mode: str) -> None:
    parse_file(name, content, warning_mode)


def parse_file(
    name: str, content: bytes, warning_mode: str, check: oracle.Check = oracle.check
) -> None:
    """``parse_spec`` the path of a file ``name`` holding ``content``, under the contract."""
    path = os.path.join(FOLDER, name)
    with open(path, "wb") as file:
        file.write(content)
    try:
        _parse(path, len(path) + len(content) + 1, warning_mode, check)
    finally:
        os.remove(path)
