"""``import lrschedule`` and a first call on a Python number load only what they need.

Checked in a fresh interpreter: none of the standard library's heavier modules that only
serialization, the command line or analysis use, and none of lrschedule's own lazily
loaded parts, until they are asked for. ``benchmarks/bench_import.py`` measures the time.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

#: Standard-library modules that ``import lrschedule`` and a scalar call must not load.
STANDARD = ["inspect", "ast", "json", "tomllib", "pathlib", "argparse"]

#: lrschedule's own parts that load on first use.
LAZY = [
    "lrschedule.serialization",
    "lrschedule.analysis",
    "lrschedule.plotting",
    "lrschedule.cli",
    "lrschedule.backends.numpy",
]


def loaded_after(code: str) -> list[str]:
    """The modules of :data:`STANDARD` and :data:`LAZY` in ``sys.modules`` after ``code`` runs."""
    watched = STANDARD + LAZY
    script = textwrap.dedent(code) + (
        f"\nimport sys\nprint(*sorted(name for name in {watched!r} if name in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    lines = result.stdout.splitlines()
    return lines[-1].split() if lines else []


def test_import_and_a_scalar_call_load_none_of_them() -> None:
    assert loaded_after("import lrschedule; lrschedule.ExponentialDecay(0.1, 10, 0.5)(5)") == []


def test_the_lazy_parts_load_on_first_use() -> None:
    # The check above is only worth something if the watched names are the real ones.
    loaded = loaded_after(
        """
        import sys
        import numpy
        import lrschedule
        schedule = lrschedule.ExponentialDecay(0.1, 10, 0.5)
        lrschedule.serialize(schedule)
        assert "lrschedule.analysis" not in sys.modules
        lrschedule.describe(schedule, 100)
        schedule(numpy.arange(3))
        import lrschedule.cli, lrschedule.plotting
        """
    )
    assert set(loaded) >= set(LAZY)
