"""The contract, as the fuzz suite checks it on every input.

:func:`check` runs one call on one input and asserts what the README promises of untrusted
input:

* it raises nothing but the documented errors (``allowed``), and no error holds a message
  over a few thousand characters (messages are bounded, whatever the input);
* it imports no module (``sys.modules`` is compared before and after; the modules the
  library loads the first time a feature is used are loaded by :func:`warm_up` first);
* its work is bounded by its size: the calls made (Python and C functions, counted with
  ``sys.setprofile``) and the memory allocated at the peak (``tracemalloc``) are at most
  a constant plus a constant per unit of :func:`size_of` the input. Nothing is timed.

The budget of a run (:data:`EXAMPLES` inputs per target, the seed) comes from the
environment; see ``tests/fuzz/README.md``.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import json
import os
import sys
import tracemalloc
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from hypothesis import HealthCheck, seed, settings

#: Inputs per target: ``LRSCHEDULE_FUZZ_EXAMPLES`` (CI's short run by default).
EXAMPLES = int(os.environ.get("LRSCHEDULE_FUZZ_EXAMPLES", "500"))
#: A seed makes a run draw other inputs (``LRSCHEDULE_FUZZ_SEED``); without one every run
#: draws the same inputs (derandomized), as CI needs.
SEED = os.environ.get("LRSCHEDULE_FUZZ_SEED")

#: How many inputs each target has checked in this process, by target name; written as
#: JSON at exit to the file ``LRSCHEDULE_FUZZ_REPORT`` names, if set (for ``run_long.py``).
CHECKED: dict[str, int] = {}


def _write_report(path: str) -> None:
    with open(path, "w") as file:
        json.dump(CHECKED, file)


def _count(target: str) -> None:
    """One more input for ``target``; the first one arranges the report."""
    report = os.environ.get("LRSCHEDULE_FUZZ_REPORT")
    if report and not CHECKED:
        atexit.register(_write_report, report)
    CHECKED[target] = CHECKED.get(target, 0) + 1


def fuzz(test: Callable[..., None]) -> Callable[..., None]:
    """The settings of a fuzz target: :data:`EXAMPLES` inputs, no deadline, no database."""
    configured = settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=SEED is None,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )(test)
    return seed(int(SEED))(configured) if SEED is not None else configured


@dataclass(frozen=True)
class Bound:
    """At most ``base + per_unit * size`` of a measure."""

    base: int
    per_unit: int

    def limit(self, size: int) -> int:
        return self.base + self.per_unit * size


#: The work of one call of the library: function calls, and bytes allocated at the peak.
CALLS = Bound(base=400_000, per_unit=600)
MEMORY = Bound(base=8 * 2**20, per_unit=2_000)
#: The same for a command, which also computes and prints (or draws) what it shows.
COMMAND_CALLS = Bound(base=4_000_000, per_unit=600)
COMMAND_MEMORY = Bound(base=64 * 2**20, per_unit=2_000)
#: The longest error message a bounded input may produce.
MAX_MESSAGE = 6_000


def size_of(value: Any) -> int:
    """The size of an input: a text's length; a document's distinct containers and their
    items, each scalar counted once more per 64 characters or 256 bits it holds."""
    if isinstance(value, (str, bytes)):
        return 1 + len(value)
    seen: set[int] = set()
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, (dict, list, tuple)):
            if id(item) in seen:
                continue
            seen.add(id(item))
            children = list(item.values()) if isinstance(item, dict) else list(item)
            total += 1 + len(children)
            stack.extend(children)
        elif isinstance(item, str):
            total += 1 + len(item) // 64
        elif isinstance(item, int):
            total += 1 + item.bit_length() // 256
        else:
            total += 1
    return total


@contextlib.contextmanager
def _counting_calls() -> Iterator[list[int]]:
    count = [0]

    def profile(frame: Any, event: str, arg: Any) -> None:
        count[0] += 1

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        yield count
    finally:
        sys.setprofile(previous)


class Check(Protocol):
    """The signature of :func:`check` (``sampling.check`` has it too)."""

    def __call__(
        self,
        target: str,
        call: Callable[[], Any],
        *,
        allowed: tuple[type[BaseException], ...],
        size: int,
        warning_mode: str = ...,
        calls: Bound = ...,
        memory: Bound = ...,
    ) -> Any: ...


def check(
    target: str,
    call: Callable[[], Any],
    *,
    allowed: tuple[type[BaseException], ...],
    size: int,
    warning_mode: str = "ignore",
    calls: Bound = CALLS,
    memory: Bound = MEMORY,
) -> Any:
    """Run ``call()`` under the contract; return its result, or the documented error raised.

    ``warning_mode``: ``"ignore"``, ``"error"`` (warnings raise, and must come out as a
    documented error) or ``"record"`` (warnings are kept, not printed).
    """
    _count(target)
    before = set(sys.modules)
    outcome: Any = None
    raised = False
    with warnings.catch_warnings(record=warning_mode == "record"):
        if warning_mode != "record":
            warnings.simplefilter(warning_mode)  # type: ignore[arg-type]
        tracemalloc.start()
        try:
            with _counting_calls() as counted:
                try:
                    outcome = call()
                except allowed as error:
                    outcome, raised = error, True
        finally:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    imported = sorted(set(sys.modules) - before)
    assert not imported, f"{target} imported {imported}"
    assert counted[0] <= calls.limit(size), f"{target}: {counted[0]:,} calls for size {size:,}"
    assert peak <= memory.limit(size), f"{target}: {peak:,} bytes at the peak for size {size:,}"
    if raised:
        assert len(str(outcome)) <= MAX_MESSAGE + 10 * size, f"a message of {len(str(outcome)):,}"
    return outcome


def run_main(argv: list[str]) -> tuple[int, str, str]:
    """``lrschedule.cli.main(argv)`` in-process: (exit status, stdout, stderr)."""
    from lrschedule.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()
