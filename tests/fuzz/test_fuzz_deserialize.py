"""Fuzz target ``deserialize``: documents (shared, deep, wide, odd) and JSON text.

The oracle (``oracle.check``): a schedule or a ``ValueError``/``TypeError``, no import,
work bounded by the document's distinct size. Budget and long runs: ``README.md``.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from tests.fuzz import oracle
from tests.fuzz import strategies as inputs
from tests.fuzz.warmup import warm_up

from lrschedule import LearningRateSchedule, deserialize

WARNINGS = st.sampled_from(["ignore", "error", "record"])


def setup_module() -> None:
    warm_up()


def _deserialize(config: Any, warning_mode: str, check: oracle.Check = oracle.check) -> None:
    result = check(
        "deserialize",
        lambda: deserialize(config),
        allowed=(ValueError, TypeError),
        size=oracle.size_of(config),
        warning_mode=warning_mode,
    )
    assert isinstance(result, (ValueError, TypeError, LearningRateSchedule)), result


@oracle.fuzz
@given(inputs.DOCUMENTS, WARNINGS)
def test_documents(document: Any, warning_mode: str) -> None:
    _deserialize(document, warning_mode)


@oracle.fuzz
@given(inputs.TEXTS, WARNINGS)
def test_texts(text: str, warning_mode: str) -> None:
    _deserialize(text, warning_mode)
