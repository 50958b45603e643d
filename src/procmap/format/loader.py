"""Reading a process file into plain data, exactly as its author wrote it, with positions.

Owns: bytes to text (UTF-8), the guards that run before YAML is trusted (size, tabs,
nesting depth), composing YAML into nodes with libyaml, and building plain Python data
from the nodes under a budget: duplicate keys, unknown tags, alias bombs, merge keys and
deep nesting become problems (Y-codes), never exceptions. Scalars follow YAML 1.2's core
schema (only true/false are booleans; `yes`, `no`, `on` stay text) and mapping keys are
always the text as written, so branch labels like `yes:` and `no:` survive.

`Document.position(loc)` maps a path such as ("steps", 3, "owner") back to a line and
column. Must not know the process format: that is `model` and `schema`.

Where it leans on PyYAML's internals, procmap's codes and positions must not change with
its version: the resolver hooks `_Composer` overrides; libyaml's own nesting limit
(PyYAML 6.0.4+, turned into Y009 at procmap's position); reader errors counted in bytes
by libyaml and in characters by the pure-Python reader; the composer's "another document"
error (Y007); and Y001's message, which is the parser's own. Each has a case in
tests/cases, run at the oldest and the newest PyYAML by `make test-oldest` and
`make test-latest`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .problems import Problem

MAX_BYTES = 1_000_000
MAX_DEPTH = 64
MAX_VALUES = 100_000
#: Flow brackets and compact `- -` / `? ?` indicators beyond which nesting is measured
#: exactly before libyaml's (recursive) composer is allowed to see the text.
_NESTING_GATE = 2_000

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_TAG = "tag:yaml.org,2002:"
_STR, _MAP, _SEQ = _TAG + "str", _TAG + "map", _TAG + "seq"
#: The tag our composer gives an untagged plain scalar, resolved by `resolve_plain`; an
#: explicit `!!str 3` keeps `_STR` and stays text.
_PLAIN = "tag:procmap:plain"
_CORE_SCALAR_TAGS = {_STR, _TAG + "int", _TAG + "float", _TAG + "bool", _TAG + "null"}

_INT = re.compile(r"[-+]?[0-9]+$")
_INT_OTHER = re.compile(r"0o[0-7]+$|0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_TOO_MANY = f"anchors and aliases expand this to more than {MAX_VALUES:,} values"
_LEADING_TAB = re.compile(r"^[ ]*\t", re.MULTILINE)


# PyYAML ships no types, so its loader is `Any` to mypy: subclassing it is allowed here.
class _Composer(_BaseLoader):  # type: ignore[misc]
    """libyaml's composer with no implicit resolvers: we resolve scalars ourselves."""

    yaml_implicit_resolvers: dict[str, Any] = {}  # noqa: RUF012
    yaml_path_resolvers: dict[Any, Any] = {}  # noqa: RUF012

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            return _PLAIN if implicit[0] else _STR
        return _SEQ if kind is SequenceNode else _MAP


def resolve_plain(value: str) -> Any:
    """A plain (unquoted) scalar under YAML 1.2's core schema."""
    if not value or value in _NULLS:
        return None
    first = value[0]
    if first in "0123456789-+.":
        if _INT.match(value):
            return int(value)
        if _INT_OTHER.match(value):
            return int(value, 0)
        if _FLOAT.match(value):
            return float(value)
        lower = value.lower()
        if lower in (".inf", "+.inf"):
            return float("inf")
        if lower == "-.inf":
            return float("-inf")
        if lower == ".nan":
            return float("nan")
        return value
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return value


@dataclass
class Document:
    """A loaded file: its text, the YAML node tree and the plain data built from it."""

    path: str
    text: str
    root: MappingNode
    data: dict[str, Any]

    def node(self, loc: tuple[str | int, ...]) -> tuple[Node, Node | None, bool]:
        """The deepest node on `loc`, its key node, and whether the whole path was found."""
        node: Node = self.root
        key_node: Node | None = None
        for index, part in enumerate(loc):
            if part == "[key]":
                return (key_node or node), key_node, True
            found = None
            if isinstance(node, MappingNode):
                want = str(part)
                for k, v in node.value:
                    if isinstance(k, ScalarNode) and k.value == want:
                        found = (k, v)
                        break
            elif (
                isinstance(node, SequenceNode)
                and isinstance(part, int)
                and 0 <= part < len(node.value)
            ):
                found = (None, node.value[part])
            if found is None:
                return node, key_node, index == len(loc)
            key_node, node = found
        return node, key_node, True

    def position(self, loc: tuple[str | int, ...], *, key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of the value at `loc` (or of its key, with `key=True`).

        A path that does not exist in the file (a missing field) points at the deepest
        mapping that does, which is where the field belongs.
        """
        node, key_node, found = self.node(loc)
        if found and (key or (loc and loc[-1] == "[key]")) and key_node is not None:
            node = key_node
        mark = node.start_mark
        return mark.line + 1, mark.column + 1


@dataclass
class LoadResult:
    path: str
    document: Document | None
    problems: list[Problem] = field(default_factory=list)


class _Abort(Exception):
    def __init__(self, code: str, node: Node, message: str) -> None:
        self.code, self.node, self.message = code, node, message


class _Builder:
    """Builds plain data from nodes, once per node, counting the expanded size."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.memo: dict[int, tuple[Any, int]] = {}
        self.active: set[int] = set()

    def problem(self, node: Node, code: str, message: str) -> None:
        mark = node.start_mark
        self.problems.append(
            Problem(self.path, mark.line + 1, mark.column + 1, code, "error", message)
        )

    def build(self, node: Node, depth: int = 1) -> tuple[Any, int]:
        if node.__class__ is ScalarNode:
            if node.tag != _PLAIN and node.tag not in _CORE_SCALAR_TAGS:
                self.forbidden_tag(node)
            return (node.value if node.style or node.tag == _STR else resolve_plain(node.value)), 1
        key = id(node)
        done = self.memo.get(key)
        if done is not None:
            return done
        if key in self.active:
            raise _Abort("Y010", node, "an alias refers to the node that contains it (recursive)")
        if depth > MAX_DEPTH:
            raise _Abort("Y009", node, f"nesting is deeper than {MAX_DEPTH} levels")
        self.active.add(key)
        result: tuple[list[Any] | dict[str, Any], int]
        if isinstance(node, SequenceNode):
            if node.tag != _SEQ:
                self.forbidden_tag(node)
            result = self._sequence(node, depth)
        else:
            if node.tag != _MAP:
                self.forbidden_tag(node)
            result = self._mapping(node, depth)
        self.active.discard(key)
        self.memo[key] = result
        return result

    def forbidden_tag(self, node: Node) -> None:
        self.problem(node, "Y008", f"tag {_short_tag(node.tag)} is not allowed in a process file")

    def _sequence(self, node: SequenceNode, depth: int) -> tuple[list[Any], int]:
        items = []
        size = 1
        for child in node.value:
            if child.__class__ is ScalarNode and child.tag == _PLAIN:
                items.append(child.value if child.style else resolve_plain(child.value))
                size += 1
                continue
            value, n = self.build(child, depth + 1)
            items.append(value)
            size += n
            if size > MAX_VALUES:
                raise _Abort("Y010", child, _TOO_MANY)
        return items, size

    def _mapping(self, node: MappingNode, depth: int) -> tuple[dict[str, Any], int]:
        data: dict[str, Any] = {}
        merges: list[tuple[Node, Node]] = []
        size = 1
        for key_node, value_node in node.value:
            if key_node.__class__ is not ScalarNode:
                self.problem(
                    key_node, "S002", "a mapping key must be plain text, not a list or mapping"
                )
                continue
            key = key_node.value
            if key in data:
                first = next(k for k, _ in node.value if getattr(k, "value", None) == key)
                self.problem(
                    key_node,
                    "Y002",
                    f"duplicate key {key!r} (first at line {first.start_mark.line + 1});"
                    " YAML would silently keep only one of them",
                )
                continue
            if key == "<<" and not key_node.style:
                merges.append((key_node, value_node))
                continue
            if value_node.__class__ is ScalarNode and value_node.tag == _PLAIN:
                data[key] = (
                    value_node.value if value_node.style else resolve_plain(value_node.value)
                )
                size += 1
                continue
            value, n = self.build(value_node, depth + 1)
            data[key] = value
            size += n
            if size > MAX_VALUES:
                raise _Abort("Y010", value_node, _TOO_MANY)
        for merge_key, merge in merges:
            sources = merge.value if isinstance(merge, SequenceNode) else [merge]
            for source in sources:
                merged, n = self.build(source, depth + 1)
                if not isinstance(merged, dict):
                    self.problem(
                        merge_key, "S002", "a merge key `<<` takes a mapping or a list of mappings"
                    )
                    continue
                for k, v in merged.items():
                    data.setdefault(k, v)
                size += n
                if size > MAX_VALUES:
                    raise _Abort("Y010", source, _TOO_MANY)
        return data, size


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag


def _char(character: int | str) -> str:
    code = character if isinstance(character, int) else ord(character[:1] or "\0")
    return f"U+{code:04X}"


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _yaml_error(path: str, text: str, error: yaml.YAMLError) -> Problem:
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "invalid YAML"
        if (
            isinstance(error, yaml.composer.ComposerError)
            and error.problem
            and "another document" in error.problem
        ):
            line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            return Problem(
                path,
                line,
                col,
                "Y007",
                "error",
                "a second YAML document starts here; a process file holds exactly one",
            )
        message = problem
        opened = None
        if error.context and error.context_mark and mark is not error.context_mark:
            opened = error.context_mark.line + 1
            message += f" ({error.context} at line {opened})"
        elif error.context and error.problem:
            message += f" ({error.context})"
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message += _hint(problem, error.context or "", text, line, opened)
        return Problem(path, line, col, "Y001", "error", message)
    if isinstance(error, yaml.reader.ReaderError):
        # libyaml counts bytes of the UTF-8 text; the pure-Python reader counts characters
        offset = error.position
        if _BaseLoader is not yaml.SafeLoader:
            offset = len(text.encode("utf-8")[:offset].decode("utf-8", "ignore"))
        line, col = _line_col(text, min(offset, len(text)))
        return Problem(
            path,
            line,
            col,
            "Y001",
            "error",
            f"character {_char(error.character)} is not allowed in YAML ({error.reason})",
        )
    return Problem(path, 1, 1, "Y001", "error", str(error).splitlines()[0])


#: A quoted example of the colon trap: `key: text: more` as `key: "text: more"`.
_KEY_VALUE = re.compile(r"^\s*(?:-\s+)?([^\s:#\"'][^:#]*?):\s+(\S.*?)\s*$")


def _hint(problem: str, context: str, text: str, line: int, opened: int | None) -> str:
    """What to do about the common PyYAML errors, in an author's words: "; " and a fix."""
    lines = text.splitlines()
    if problem.startswith("mapping values are not allowed"):
        found = _KEY_VALUE.match(lines[line - 1]) if line <= len(lines) else None
        if found and ": " in found[2]:
            quoted = found[2].replace("\\", "\\\\").replace('"', '\\"')
            return (
                f'; the value holds ": ", which YAML reads as another key: quote the whole'
                f' value, {found[1]}: "{quoted}"'
            )
        return (
            '; a value holds ": " (quote it), or a key is indented deeper than the one above'
            " it (line it up)"
        )
    if problem.startswith("found unexpected end of stream") and "quoted scalar" in context:
        return (
            f"; the quote opened at line {opened} is never closed: close it (an apostrophe"
            " inside '...' is written twice, 'don''t')"
        )
    if "expected '-' indicator" in problem:
        return "; this line is indented unlike the list items above it: start every item with `-` at the same column"
    here = lines[line - 1] if line <= len(lines) else ""
    if problem.startswith("did not find expected key") and re.search(
        r"(^|[\s:\[,-])'[^']*'\w", here
    ):
        return (
            "; an apostrophe ends the value quoted with '...': write it twice ('don''t'),"
            ' or quote the value with "..."'
        )
    if problem.startswith("did not find expected key"):
        return "; this line is indented unlike the keys above it: indent the keys of one mapping alike, with spaces"
    if "cannot start any token" in problem:
        return "; a value that starts with @, ` or % must be quoted"
    if problem.startswith("did not find expected ','"):
        bracket = "]" if "']'" in problem else "}"
        return f"; the bracket opened at line {opened} is not closed: close it with {bracket}, or write one item per line"
    return ""


def _depth_problem(path: str, events: Any) -> Problem | None:
    """Y009 at the first collection that opens deeper than MAX_DEPTH in an event stream.

    The stream's own parse errors propagate to the caller.
    """
    depth = 0
    for event in events:
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                return Problem(
                    path,
                    mark.line + 1,
                    mark.column + 1,
                    "Y009",
                    "error",
                    f"nesting is deeper than {MAX_DEPTH} levels",
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


def _is_library_depth_limit(error: yaml.YAMLError) -> bool:
    """Whether the error is the YAML library's own nesting limit, not a syntax error.

    libyaml 0.2.5+ (bundled with PyYAML 6.0.4) refuses nesting past a limit of its own,
    and its scanner reads ahead of the parser, so the limit can fire before the events
    have reached procmap's 65th level. Such an error must become Y009, not Y001: procmap's
    rules do not change meaning with the version of a library.
    """
    return "nesting depth" in (getattr(error, "problem", None) or "")


def _library_limit_as_y009(path: str, text: str, error: yaml.YAMLError) -> Problem:
    """Y009 at procmap's own position, counted by the pure-Python parser (no limit)."""
    try:
        found = _depth_problem(path, yaml.parse(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError:
        found = None
    return found or _yaml_error(path, text, error)


def _nesting_problem(path: str, text: str) -> Problem | None:
    """Exact nesting depth from libyaml's event stream, which does not recurse."""
    try:
        return _depth_problem(path, yaml.parse(text, Loader=_Composer))
    except yaml.YAMLError as error:
        if _is_library_depth_limit(error):
            return _library_limit_as_y009(path, text, error)
        return _yaml_error(path, text, error)


def decode(path: str, raw: bytes) -> tuple[str | None, Problem | None]:
    """UTF-8 text (a byte-order mark is dropped), or a Y005 problem at the first bad byte."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as error:
        good = raw[: error.start].decode("utf-8")
        line, col = _line_col(good + "?", len(good))
        what = "UTF-16" if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else "UTF-8"
        return None, Problem(
            path,
            line,
            col,
            "Y005",
            "error",
            f"byte 0x{raw[error.start]:02x} is not valid UTF-8"
            + (" (the file looks like UTF-16)" if what == "UTF-16" else ""),
        )


def load_text(path: str, text: str) -> LoadResult:
    """Load YAML text; every failure becomes a problem in the result."""
    result = LoadResult(path, None)
    # A tab at the start of a line is an error only where YAML reads it as indentation,
    # and then the file does not parse: the tab lines are reported instead of the parser's
    # message. In a block scalar (`description: |`) a tab is text, and the file parses.
    tabs = [
        Problem(
            path,
            *_line_col(text, match.end() - 1),
            "Y003",
            "error",
            "tab character in indentation; indent with spaces",
        )
        for match in (_LEADING_TAB.finditer(text) if "\t" in text else ())
    ]
    gate = text.count("[") + text.count("{") + text.count("- ") + text.count("? ")
    if gate > _NESTING_GATE:
        nesting = _nesting_problem(path, text)
        if nesting is not None:
            result.problems.append(nesting)
            return result
    loader = _Composer(text)
    try:
        root = loader.get_single_node()
    except yaml.YAMLError as error:
        if _is_library_depth_limit(error):
            result.problems.append(_library_limit_as_y009(path, text, error))
        else:
            result.problems.extend(tabs or [_yaml_error(path, text, error)])
        return result
    except RecursionError:  # only without libyaml, on absurd nesting
        result.problems.append(Problem(path, 1, 1, "Y009", "error", "nesting is too deep"))
        return result
    finally:
        loader.dispose()
    if root is None or (isinstance(root, ScalarNode) and root.value == "" and not root.style):
        result.problems.append(
            Problem(
                path,
                1,
                1,
                "Y004",
                "error",
                "file is empty; a process file starts with `procmap: 1`",
            )
        )
        return result
    if not isinstance(root, MappingNode):
        kind = "a list" if isinstance(root, SequenceNode) else "a single value"
        mark = root.start_mark
        result.problems.append(
            Problem(
                path,
                mark.line + 1,
                mark.column + 1,
                "Y006",
                "error",
                f"the file holds {kind}, not a mapping of process keys (procmap, id, name, steps, ...)",
            )
        )
        return result
    builder = _Builder(path)
    try:
        data, _ = builder.build(root)
    except _Abort as abort:
        builder.problem(abort.node, abort.code, abort.message)
        result.problems.extend(builder.problems)
        return result
    result.problems.extend(builder.problems)
    result.document = Document(path, text, root, data)
    return result


def load_file(path: str | os.PathLike[str], display: str | None = None) -> LoadResult:
    """Read and load one file; `display` is the path printed in problems."""
    shown = display if display is not None else str(path)
    from .._files import read_regular

    try:
        size = os.path.getsize(path)
        if size > MAX_BYTES and os.path.isfile(path):
            return LoadResult(
                shown,
                None,
                [
                    Problem(
                        shown,
                        1,
                        1,
                        "Y011",
                        "error",
                        f"file is {size:,} bytes; the limit is {MAX_BYTES:,}",
                    )
                ],
            )
        # Only a regular file is opened: a FIFO would block and a device never end.
        raw = read_regular(path, MAX_BYTES + 1)
    except OSError as error:
        reason = error.strerror or str(error)
        return LoadResult(
            shown, None, [Problem(shown, 1, 1, "Y012", "error", f"cannot read file: {reason}")]
        )
    text, problem = decode(shown, raw)
    if text is None:
        assert problem is not None
        return LoadResult(shown, None, [problem])
    return load_text(shown, text)
