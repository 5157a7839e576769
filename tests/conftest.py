"""Shared test setup: Keras runs on TensorFlow (the float64 parity oracle), quietly; and in
CI (``CI`` set, as CI services do) no test is skipped.

A test that needs an optional package gets it with :func:`require`: where the package is
missing it is skipped on a developer's machine, but fails under CI, where the test
environment has every package. Any other skip fails under CI too (see
:func:`pytest_runtest_makereport`), so a test never passes CI by not running.
"""

from __future__ import annotations

import importlib
import inspect
import os
from types import ModuleType
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest
from hypothesis import settings

settings.register_profile("ci", max_examples=200, deadline=None)
settings.register_profile("dev", max_examples=60, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def exported_schedule_classes() -> list[type]:
    """The schedule classes ``lrschedule`` exports (``LearningRateSchedule`` itself left out),
    for the tests that must cover every one of them."""
    import lrschedule

    return [
        value
        for name in lrschedule.__all__
        if inspect.isclass(value := getattr(lrschedule, name))
        and issubclass(value, lrschedule.LearningRateSchedule)
        and value is not lrschedule.LearningRateSchedule
    ]


#: Values of ``CI`` that do not mean "running in CI".
_NOT_CI = frozenset({"", "0", "false", "no"})


def in_ci() -> bool:
    """Whether the tests run in CI: the ``CI`` environment variable is set (to a true value)."""
    return os.environ.get("CI", "").strip().lower() not in _NOT_CI


def require(name: str) -> ModuleType:
    """Import the module ``name`` for a test (or a test module) that needs it.

    Where it cannot be imported, the test is skipped, unless it runs in CI (:func:`in_ci`):
    there it fails, saying which module is missing, since CI installs every test dependency.
    """
    try:
        return importlib.import_module(name)
    except ImportError as error:
        message = f"the test needs `{name}`, which cannot be imported ({error})"
        if in_ci():
            pytest.fail(f"{message}; CI must run every test (install the `test` group)")
        pytest.skip(message, allow_module_level=True)


def _fail_skip_in_ci(report: Any) -> None:
    """Turn a skipped report into a failure under CI (an expected failure is left alone)."""
    if report.skipped and in_ci() and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped under CI (CI={os.environ.get('CI')!r}): {reason}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """A test skipped under CI fails instead."""
    report = yield
    _fail_skip_in_ci(report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Any:
    """A test module skipped as a whole (``pytest.importorskip`` at its top) under CI is an
    error instead."""
    report = yield
    _fail_skip_in_ci(report)
    return report
