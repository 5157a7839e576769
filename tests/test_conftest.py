"""The test setup itself: the ``pytest`` command runs the suite on this checkout as
``python -m pytest`` does, and under CI nothing is skipped (``conftest.py``)."""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest

import lrschedule
from conftest import require

ROOT = Path(__file__).resolve().parents[1]
CONFTEST = Path(__file__).with_name("conftest.py")
MISSING = "lrschedule_no_such_module"


def test_this_checkout_is_under_test() -> None:
    assert Path(lrschedule.__file__).resolve().is_relative_to(ROOT / "src")


def test_the_pytest_command_collects_and_runs_tests_doctests_and_the_readme() -> None:
    """``pytest`` (the entry point, which does not put the working directory on sys.path)
    imports ``tests.*`` and the tests' own modules, the checkout's sources and the doctests,
    and collects the README (deselected here: its examples take long to run)."""
    command = shutil.which("pytest", path=sysconfig.get_path("scripts"))
    assert command is not None, "the test environment installs pytest's `pytest` command"
    selected = [
        "tests/test_breakpoints.py::test_breakpoints_need_ints",  # from tests.reference import
        "tests/test_conftest.py::test_this_checkout_is_under_test",
        "src/lrschedule/__init__.py",
        "README.md",
    ]
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    result = subprocess.run(
        [command, "-v", "-p", "no:cacheprovider", *selected, "--deselect", "README.md::README.md"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    for node in [
        "tests/test_breakpoints.py::test_breakpoints_need_ints PASSED",
        "tests/test_conftest.py::test_this_checkout_is_under_test PASSED",
        "src/lrschedule/__init__.py::lrschedule PASSED",
    ]:
        assert node in result.stdout, output
    assert "3 passed, 1 deselected" in result.stdout, output


def test_require_imports_the_module() -> None:
    assert require("math") is math


@pytest.mark.parametrize("value", [None, "", "0", "false", "False", "no"])
def test_require_skips_a_missing_module_outside_ci(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.skip.Exception, match=f"the test needs `{MISSING}`"):
        require(MISSING)


@pytest.mark.parametrize("value", ["true", "1", "yes", "TRUE"])
def test_require_fails_on_a_missing_module_in_ci(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match=f"the test needs `{MISSING}`.*CI must run"):
        require(MISSING)


def test_under_ci_every_skip_fails(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Skipped modules and tests fail under CI and skip elsewhere; an xfail stays an xfail."""
    pytester.makeconftest(CONFTEST.read_text())
    pytester.makepyfile(
        test_module=f"import pytest\n\npytest.importorskip({MISSING!r})\n\n\ndef test_never():\n    pass\n",
        test_required=(
            f"from conftest import require\n\nrequire({MISSING!r})\n\n\ndef test_never():\n    pass\n"
        ),
        test_inside=(
            "import pytest\n\n\n"
            "def test_skipped():\n    pytest.skip('not today')\n\n\n"
            "@pytest.mark.xfail(reason='known')\ndef test_expected_failure():\n    assert False\n\n\n"
            "def test_passes():\n    pass\n"
        ),
    )
    monkeypatch.setenv("CI", "true")
    result = pytester.runpytest("-p", "no:cacheprovider", "--continue-on-collection-errors")
    result.assert_outcomes(errors=2, failed=1, xfailed=1, passed=1)
    result.stdout.fnmatch_lines_random(
        [
            f"*skipped under CI*could not import {MISSING!r}*",
            f"*the test needs `{MISSING}`*CI must run every test*",
            "*skipped under CI*not today*",
        ]
    )
    monkeypatch.delenv("CI")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(skipped=3, xfailed=1, passed=1)
