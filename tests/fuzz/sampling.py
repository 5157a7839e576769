"""The long run's oracle: the contract of ``oracle.check``, its costly measures sampled.

:func:`check` takes the arguments of :func:`tests.fuzz.oracle.check` and checks, on every
input:

* the outcome: the call returns, or raises one of the documented errors (``allowed``),
  under the input's warning mode; anything else is a failure;
* the error message is bounded (``oracle.MAX_MESSAGE``);
* no module is imported: a finder first on ``sys.meta_path`` sees every import of a
  module not yet loaded, and ``len(sys.modules)`` must not change (a module put in
  ``sys.modules`` by hand);
* the call's time, as the cheap first measure of its work.

Counting calls (``sys.setprofile``) and tracing memory (``tracemalloc``) cost 5 to 40
times the call itself, so they are measured exactly, by :func:`measure` (the bounds of
``oracle.check``: ``calls`` and ``memory``), on the inputs that are

* sampled: one input in :data:`EVERY`, by its index in the run (set by :func:`start`;
  a multiplicative hash spreads them over the processes of a run);
* large: :func:`tests.fuzz.oracle.size_of` the input at least :data:`LARGE`;
* slow: the call took at least ``calls.base / RATE`` microseconds (2 ms for a library
  call, 20 ms for a command). CPython makes at most a few dozen profile events a
  microsecond (a loop of ``len()`` calls: 35), far below :data:`RATE`, so a faster call
  makes fewer than ``calls.base`` of them: the call bound holds on every input.

An input is measured once: the deep, long and wide families draw the same few thousand
inputs again and again (``"Scale(" * n``, ``"[" * n``, ...), and the library is
deterministic, so an input equal to one measured already (the same pickle: the same
values, warning mode and sharing) is not measured again. :data:`MEASURED` counts the
inputs measured for each reason, and the ``repeats`` not measured again.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable, Iterator, Sequence
from types import ModuleType
from typing import Any

from tests.fuzz import oracle

#: One input in EVERY is measured, whatever its size and time.
EVERY = 10
#: Inputs at least this large are measured.
LARGE = 400
#: Profile events a microsecond that no call reaches: inputs whose call takes at least
#: ``calls.base / RATE`` microseconds are measured.
RATE = 200
#: How many inputs were measured, by reason; and the index of the input being checked.
MEASURED = {"sampled": 0, "large": 0, "slow": 0, "repeats": 0}
_INPUT: list[Any] = [0, None]  # the index of the input being checked, and the input
_SEEN: set[bytes] = set()  # the digests of the inputs measured


def start(index: int, item: Any = None) -> None:
    """The next input is ``item``, the ``index``-th of the run."""
    _INPUT[:] = [index, item]


def _first_time() -> bool:
    """Whether the input being checked is measured for the first time (and now will be)."""
    if _INPUT[1] is None:
        return True
    try:
        digest = hashlib.blake2b(pickle.dumps(_INPUT[1], protocol=5), digest_size=16).digest()
    except RecursionError:  # nested too deep to pickle: measure it
        return True
    if digest in _SEEN:
        return False
    _SEEN.add(digest)
    return True


class _ImportWatch:
    """A finder that finds nothing and remembers the modules asked for."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def find_spec(
        self, name: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> None:
        self.names.append(name)


@contextlib.contextmanager
def _no_import(target: str) -> Iterator[None]:
    watch = _ImportWatch()
    before = len(sys.modules)
    sys.meta_path.insert(0, watch)
    try:
        yield
    finally:
        sys.meta_path.remove(watch)
    imported = sorted(name for name in set(watch.names) if name in sys.modules)
    assert not imported and len(sys.modules) == before, f"{target} imported {imported}"


def _run(
    target: str, call: Callable[[], Any], allowed: tuple[type[BaseException], ...], size: int
) -> Any:
    """``call()`` with no import; its outcome (a documented error, with a bounded message)."""
    with _no_import(target):
        try:
            return call()
        except allowed as error:
            message = len(str(error))
            assert message <= oracle.MAX_MESSAGE + 10 * size, f"a message of {message:,}"
            return error


@contextlib.contextmanager
def _warnings(mode: str) -> Iterator[None]:
    with warnings.catch_warnings(record=mode == "record"):
        if mode != "record":
            warnings.simplefilter(mode)  # type: ignore[arg-type]
        yield


def measure(
    target: str,
    call: Callable[[], Any],
    *,
    allowed: tuple[type[BaseException], ...],
    size: int,
    warning_mode: str,
    calls: oracle.Bound,
    memory: oracle.Bound,
) -> None:
    """The exact measures of ``oracle.check``, taken apart: the peak (``tracemalloc``) in
    one call, the calls (``sys.setprofile``) in another, each under the outcome checks.

    Apart, the peak leaves out the profile function's own frames, and each measure costs
    half of what the two cost together.
    """
    with _warnings(warning_mode):
        tracemalloc.start()
        try:
            _run(target, call, allowed, size)
        finally:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    assert peak <= memory.limit(size), f"{target}: {peak:,} bytes at the peak for size {size:,}"
    count = [0]

    def profile(frame: Any, event: str, arg: Any) -> None:
        count[0] += 1

    with _warnings(warning_mode):
        previous = sys.getprofile()
        sys.setprofile(profile)
        try:
            _run(target, call, allowed, size)
        finally:
            sys.setprofile(previous)
    assert count[0] <= calls.limit(size), f"{target}: {count[0]:,} calls for size {size:,}"


def check(
    target: str,
    call: Callable[[], Any],
    *,
    allowed: tuple[type[BaseException], ...],
    size: int,
    warning_mode: str = "ignore",
    calls: oracle.Bound = oracle.CALLS,
    memory: oracle.Bound = oracle.MEMORY,
) -> Any:
    """``oracle.check``'s contract on one input; see the module's docstring for what is
    measured on which input. Returns the outcome of the (first) call."""
    with _warnings(warning_mode):
        started = time.perf_counter()
        outcome = _run(target, call, allowed, size)
        seconds = time.perf_counter() - started
    if (_INPUT[0] * 0x9E3779B1) % 2**32 < 2**32 // EVERY:  # one index in EVERY, spread
        reason = "sampled"
    elif size >= LARGE:
        reason = "large"
    elif seconds * 1e6 >= calls.base / RATE:
        reason = "slow"
    else:
        return outcome
    if not _first_time():
        MEASURED["repeats"] += 1
        return outcome
    MEASURED[reason] += 1
    measure(
        target,
        call,
        allowed=allowed,
        size=size,
        warning_mode=warning_mode,
        calls=calls,
        memory=memory,
    )
    return outcome
