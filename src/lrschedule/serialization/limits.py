"""How large a document may be, and the walk that checks it, each node once.

Reading untrusted input costs time and memory linear in its size, and the size is bounded:

* :data:`MAX_TEXT_LENGTH`: the longest text read, in characters for a JSON string given to
  :func:`~lrschedule.deserialize` (or a JSON spec on the command line), in bytes for a file
  given to :func:`~lrschedule.load` (refused from its size, before it is read);
* :data:`MAX_NESTING`: containers (dicts, lists, tuples) nest at most this deep;
* :data:`MAX_ELEMENTS`: the values one document holds, every dict, list, tuple, number,
  string, bool and ``None`` counted where it appears (a dict's keys are not counted).

A document built by a program may hold one sub-document in several places (the same dict
object: what ``yaml.safe_load`` makes of an anchor and its aliases). :class:`Survey` walks
each container once, however often it appears, so the walk costs what the document's
distinct nodes cost; a schedule envelope (a dict with a ``"class_name"``) in several places
counts once towards :data:`MAX_ELEMENTS`, since :func:`~lrschedule.deserialize` builds it
once, and any other shared value counts every time it appears, since the constructors
receiving it read it every time. A document that contains itself is nested without end,
and refused as too deep.
"""

from __future__ import annotations

from typing import Any

__all__ = ["MAX_ELEMENTS", "MAX_NESTING", "MAX_TEXT_LENGTH", "Survey", "check_text_length"]

#: Containers (dicts, lists, tuples) nest at most this deep in one document.
MAX_NESTING = 100
#: One document holds at most this many values (see the module docstring for what counts).
MAX_ELEMENTS = 1_000_000
#: The longest text read: characters of a JSON string, bytes of a file (32 MiB).
MAX_TEXT_LENGTH = 32 * 2**20

_CONTAINERS = (dict, list, tuple)


def check_text_length(length: int, source: str, unit: str = "characters") -> None:
    """Refuse a text of ``length`` characters (or bytes) above :data:`MAX_TEXT_LENGTH`.

    ``source`` names the text in the message, as in ``"The file 'x.json'"``.
    """
    if length > MAX_TEXT_LENGTH:
        raise ValueError(
            f"{source} is too long to read: {length:,} {unit} (at most {MAX_TEXT_LENGTH:,}: "
            "lrschedule.serialization.MAX_TEXT_LENGTH)."
        )


def _is_envelope(node: Any) -> bool:
    return isinstance(node, dict) and "class_name" in node


class Survey:
    """The containers of the documents one call reads, each measured once.

    :meth:`measure` checks a document against :data:`MAX_NESTING` and, counting the
    documents measured before it by the same survey, :data:`MAX_ELEMENTS`. A document
    measured before (the sub-document a nested :func:`~lrschedule.deserialize` call is
    given) costs nothing more.
    """

    __slots__ = ("_elements", "_seen", "_verb")

    def __init__(self, verb: str) -> None:
        """A survey for errors that read ``Cannot {verb}: ...``."""
        self._verb = verb
        self._elements = 0
        #: id -> (node, height, what it adds where it appears again); the node is kept so
        #: that its id is not reused while the survey lives.
        self._seen: dict[int, tuple[Any, int, int]] = {}

    def measure(self, document: Any) -> None:
        """Refuse ``document`` if it is nested too deeply or holds too many values.

        Raises:
            ValueError: Containers nested deeper than :data:`MAX_NESTING` (a document that
                contains itself included), or more than :data:`MAX_ELEMENTS` values in the
                documents of this survey.
        """
        seen = self._seen
        if not isinstance(document, _CONTAINERS) or id(document) in seen:
            return
        cap = MAX_ELEMENTS + 1
        count = self._elements + 1
        # Each frame: [node, its children, the height below it, its size].
        stack: list[list[Any]] = [[document, _children(document), 0, 1]]
        while stack:
            frame = stack[-1]
            for child in frame[1]:
                if not isinstance(child, _CONTAINERS):
                    frame[3] += 1
                    count += 1
                elif (known := seen.get(id(child))) is None:
                    if len(stack) >= MAX_NESTING:
                        raise self._too_deep()
                    count += 1
                    stack.append([child, _children(child), 0, 1])
                    break
                else:
                    _, height, size = known
                    if len(stack) + height > MAX_NESTING:
                        raise self._too_deep()
                    frame[2] = max(frame[2], height)
                    frame[3] += size
                    count += size
                if count > MAX_ELEMENTS:
                    raise self._too_many()
            else:
                stack.pop()
                node, _, below, size = frame
                height = below + 1
                size = 1 if _is_envelope(node) else min(size, cap)
                seen[id(node)] = (node, height, size)
                if stack:
                    parent = stack[-1]
                    parent[2] = max(parent[2], height)
                    parent[3] += size
        if count > MAX_ELEMENTS:
            raise self._too_many()
        self._elements = count

    def _too_deep(self) -> ValueError:
        return ValueError(
            f"Cannot {self._verb}: containers are nested more than {MAX_NESTING} deep."
        )

    def _too_many(self) -> ValueError:
        return ValueError(
            f"Cannot {self._verb}: the document holds more than {MAX_ELEMENTS:,} values "
            "(lrschedule.serialization.MAX_ELEMENTS)."
        )


def _children(node: Any) -> Any:
    return iter(node.values()) if isinstance(node, dict) else iter(node)
