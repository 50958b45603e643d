"""The Markdown documents: the Jinja2 environment, its filters and the template lookup.

Owns: where templates are looked up (the user's folder first, then the packaged
defaults, as mkdocs themes work), the Markdown escaping filters (`md` for running text,
`cell` for table cells, `code` for inline code; the site's `*.html.j2` pages are
autoescaped instead), StrictUndefined, the sandbox templates run in (no Python
internals, no mutation of the context), its budget per document (`TEMPLATE_LOOPS`,
`TEMPLATE_SECONDS`, `TEMPLATE_CHARS`: every `{% for %}` counted, the clock checked at
every iteration and call, big texts refused), and turning any template mistake into one
`TemplateProblem` naming the template and line.

Must not know: which processes are rendered, files written, or the command line; the
context comes from `analysis` (documented in docs/templates.md).
"""

from __future__ import annotations

import contextvars
import hashlib
import re
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2
    import jinja2.sandbox

    from ..format import ProcessLike
    from .analysis import Analysis

TEMPLATE_SUFFIX = ".j2"
RUNBOOK = "runbook.md.j2"
DMAIC = "dmaic.md.j2"
INDEX = "index.md.j2"
PAGE = "page.html.j2"
HOME = "home.html.j2"

#: What one document's template may spend (a template is code from the repository, and
#: a pull request can change it): loop iterations, seconds, and characters of any text
#: it makes (its output, or a string or list built by `*`, `+` or `~`). Past one, the
#: rendering stops with a `TemplateProblem` naming the template.
TEMPLATE_LOOPS = 1_000_000
TEMPLATE_SECONDS = 30.0
TEMPLATE_CHARS = 50_000_000

_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
_ORDERED = re.compile(r"^(\d+)([.)])")
_BULLET = re.compile(r"^([#>+\-=])")


class TemplateProblem(Exception):
    """A template cannot be read or rendered; the message names the template and line."""


class _Exceeded(Exception):
    """A template went past its budget (`TEMPLATE_LOOPS`, ...): the message says which."""


@dataclass
class _Budget:
    """What the document being rendered (in this thread) has left."""

    loops: int
    deadline: float
    chars: int

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise _Exceeded(f"template ran too long (more than {TEMPLATE_SECONDS:g} s)")

    def sized(self, value: Any) -> Any:
        if isinstance(value, str | list | tuple):
            _size(len(value), self.chars)
        return value


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar(
    "procmap_template_budget", default=None
)


def _tick() -> _Budget | None:
    budget = _BUDGET.get()
    if budget is not None:
        budget.tick()
    return budget


def _loop(iterable: Any) -> Iterator[Any]:
    """A `{% for %}`'s iterable, each item counted against `TEMPLATE_LOOPS`."""
    for item in iterable:
        budget = _tick()
        if budget is not None:
            budget.loops -= 1
            if budget.loops < 0:
                raise _Exceeded(
                    f"template ran too long (more than {TEMPLATE_LOOPS} loop iterations)"
                )
        yield item


def _sized(value: Any) -> Any:
    """A text a template built, refused past `TEMPLATE_CHARS`."""
    budget = _tick()
    return value if budget is None else budget.sized(value)


def _bound_loops(node: Any) -> None:
    """Every `{% for %}` of a parsed template iterates through `_loop`, and every `~`
    concatenation passes through `_sized` (names the environment's globals hold)."""
    from jinja2 import nodes

    def wrap(child: Any, function: str) -> Any:
        call = nodes.Call(nodes.Name(function, "load"), [child], [], None, None)
        return call.set_lineno(child.lineno).set_environment(child.environment)

    for field, value in node.iter_fields():
        if isinstance(value, nodes.Node):
            _bound_loops(value)
            if isinstance(value, nodes.Concat):
                setattr(node, field, wrap(value, "__procmap_sized"))
        elif isinstance(value, list):
            for child in value:
                if isinstance(child, nodes.Node):
                    _bound_loops(child)
            setattr(
                node,
                field,
                [wrap(c, "__procmap_sized") if isinstance(c, nodes.Concat) else c for c in value],
            )
    if isinstance(node, nodes.For):
        node.iter = wrap(node.iter, "__procmap_loop")


def _binop(operator: str, left: Any, right: Any) -> Any:
    """`*`, `**` and `+` of a template, refused when the result would be too big (a text
    or list past `TEMPLATE_CHARS`, a whole number past as many bits)."""
    budget = _tick()
    limit = budget.chars if budget is not None else TEMPLATE_CHARS
    whole = isinstance(left, int) and isinstance(right, int)
    if operator == "**":
        if whole and right > 0 and abs(left) > 1 and left.bit_length() * right > limit:
            raise _Exceeded(f"template made a number too big ({left} ** {right})")
        return left**right
    if operator == "*":
        if whole and left.bit_length() + right.bit_length() > limit:
            raise _Exceeded("template made a number too big")
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, str | list | tuple) and isinstance(times, int):
                _size(len(seq) * times, limit)
        return left * right
    result = left + right
    return budget.sized(result) if budget is not None else result


def _size(size: int, limit: int) -> None:
    if size > limit:
        raise _Exceeded(f"template made a text too big (more than {limit} characters)")


def default_folder() -> Path:
    """The packaged templates (a wheel), else the repository's templates/ (from source)."""
    packaged = resources.files("procmap") / "templates"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[3] / "templates"


def search_path(user: Path | None = None) -> list[Path]:
    """Folders searched for a template, first match wins: the user's, then the default."""
    folders = [user] if user is not None else []
    folders.append(default_folder())
    unique: list[Path] = []
    for folder in folders:
        if folder.resolve() not in [f.resolve() for f in unique]:
            unique.append(folder)
    return unique


def effective_templates(folders: list[Path]) -> dict[str, Path]:
    """Template name -> the file that wins the lookup (sorted by name)."""
    found: dict[str, Path] = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob(f"*{TEMPLATE_SUFFIX}")):
            found.setdefault(path.relative_to(folder).as_posix(), path)
    return dict(sorted(found.items()))


def templates_digest(folders: list[Path]) -> str:
    """sha256 over the winning templates' names and bytes: changes when any template does."""
    from .._files import read_regular

    digest = hashlib.sha256()
    for name, path in effective_templates(folders).items():
        try:
            data = read_regular(path)
        except OSError as error:
            raise TemplateProblem(f"{_shown(str(path))}: {error.strerror or error}") from None
        digest.update(name.encode() + b"\0" + data + b"\0")
    return digest.hexdigest()


#: A link procmap keeps in user text: `[label](url)` or a bare URL, for web and mail
#: addresses only (`procmap validate` refuses any other scheme in a link: rule S017).
#: A URL holds no space, `<`, `>`, `|`, backslash or backtick; parentheses only in pairs.
_URL = r"(?:https?://|mailto:)(?:[^\s<>|\\`()]|\([^\s<>|\\`()]*\))+"
_LINK = re.compile(rf"\[([^\[\]\n]+)\]\(({_URL})\)|(?<![\w/])({_URL})")
#: What a bare URL's end does not take: the sentence's punctuation after it.
_TRAILING = ".,;:!?'\""


def _escaped(text: str) -> str:
    return _INLINE.sub(r"\\\1", text)


def _inline(value: Any, links: bool = False) -> str:
    """One line of text with every inline Markdown and HTML character escaped; with
    `links`, except the links in it (`_LINK`): a Markdown link stays one, its label
    escaped, and a bare URL becomes an autolink (`<https://...>`). No other Markdown or
    HTML gets through."""
    if value is None:
        return ""
    text = " ".join(str(value).split())
    if not links:
        return _escaped(text)
    out: list[str] = []
    done = 0
    for found in _LINK.finditer(text):
        label, target, bare = found.group(1), found.group(2), found.group(3)
        end = found.end()
        if bare is not None:
            kept = bare.rstrip(_TRAILING)
            end -= len(bare) - len(kept)
            if kept.endswith(("://", ":")):  # a scheme alone is no address
                continue
        out.append(_escaped(text[done : found.start()]))
        if bare is not None:
            out.append(f"<{kept}>")
        else:
            out.append(f"[{_escaped(label)}]({target})")
        done = end
    out.append(_escaped(text[done:]))
    return "".join(out)


def md(value: Any, links: bool = False) -> str:
    """Escape text for a Markdown line: emphasis, code, links, HTML and line-start marks
    (a heading `#`, a quote `>`, a list `-`, `+` or `1.`). With `links` (`|md(links=true)`,
    for checklists and exceptions), web and mail links are kept (see `_inline`).

    Newlines become spaces, so a value never breaks the list item it sits in.
    """
    text = _inline(value, links)
    text = _ORDERED.sub(r"\1\\\2", text)
    return _BULLET.sub(r"\\\1", text)


_ITEM = re.compile(r"^( *)([-*+]|\d{1,9}[.)])(?:[ \t]+(.*))?$")


def md_blocks(value: Any, indent: int = 0) -> str:
    """Escape a multi-line text (a `description`) for Markdown, keeping its paragraphs
    and lists: a blank line separates paragraphs; a line starting with `-`, `*`, `+` or
    `1.` (`1)`) starts a list item, nested when indented deeper than the item before;
    other lines continue the paragraph or item they follow. Every text is escaped as
    `md` escapes it, so no other Markdown (headings, quotes, HTML, code) gets through.

    The result is deterministic: each paragraph and item is one line, ordered items are
    `N.`, and bullets are `*`: the templates' own lists use `-`, and in Markdown a `-`
    list after the description's `-` list would merge with it into one list. `indent`
    spaces start every line after the first, for a text inside a list item (3 for
    `1. `); blank lines stay empty. Web and mail links are kept, as `md(links=True)`
    keeps them.
    """
    if value is None:
        return ""
    blocks: list[list[str]] = []
    for chunk in re.split(r"\n[ \t]*\n", str(value).expandtabs(4).strip("\n")):
        blocks.append(_block(chunk.split("\n")))
    pad = " " * indent
    lines = [line for block in blocks if block for line in [*block, ""]][:-1]
    return "\n".join(pad + line if line and i else line for i, line in enumerate(lines))


def _block(lines: list[str]) -> list[str]:
    """One blank-line-separated chunk: a paragraph, a list, or a paragraph then a list."""
    paragraph: list[str] = []
    items: list[tuple[str, list[str]]] = []  # (prefix, words), in order
    levels: list[tuple[int, int]] = []  # open items: (source indent, content offset)
    for line in lines:
        if not line.strip():
            continue
        found = _ITEM.match(line)
        if found is None:
            (items[-1][1] if items else paragraph).append(line.strip())
            continue
        spaces, marker, rest = len(found.group(1)), found.group(2), found.group(3) or ""
        while levels and spaces < levels[-1][0]:
            levels.pop()
        if levels and spaces == levels[-1][0]:
            levels.pop()
        offset = levels[-1][1] if levels else 0
        mark = "*" if marker in "-*+" else marker[:-1] + "."
        levels.append((spaces, offset + len(mark) + 1))
        items.append((" " * offset + mark + " ", [rest.strip()]))
    out = [md(" ".join(paragraph), True)] if paragraph else []
    if paragraph and items:
        out.append("")
    out.extend(
        (prefix + md(" ".join(w for w in words if w), True)).rstrip() for prefix, words in items
    )
    return out


def cell(value: Any, links: bool = False) -> str:
    """Escape text for a table cell (`|` included); an empty cell shows an en dash. With
    `links`, web and mail links are kept (see `_inline`)."""
    text = _inline(value, links)
    return text if text else "–"


def paren(value: Any, escape: str = "md") -> str:
    """A name in brackets after what it names (`step 2 (Sam, virtual assistant)`): the
    name's own brackets become a comma, so brackets never nest ("Step 2 (Sam (virtual
    assistant))"); escaped by `md`, or by `cell` with `paren("cell")`."""
    text = " ".join(str(value).split())
    while True:
        flat = re.sub(r"\s*\(([^()]*)\)", r", \1", text)
        if flat == text:
            break
        text = flat
    text = text.replace("(", "").replace(")", "").strip(", ")
    return f"({cell(text) if escape == 'cell' else md(text)})"


def code(value: Any) -> str:
    """Inline code that survives backticks in the value."""
    text = " ".join(str(value).split())
    ticks = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def anchor(value: Any) -> str:
    """A safe link target: only letters, digits, dots, hyphens and underscores survive."""
    return re.sub(r"[^A-Za-z0-9._-]", "-", str(value))


def _contains(sequence: Any, item: Any) -> bool:
    """Jinja test: `entries|selectattr("process.hourglass", "contains", "buy")`."""
    return item in (sequence or ())


@lru_cache(maxsize=8)
def _environment(folders: tuple[Path, ...]) -> jinja2.sandbox.SandboxedEnvironment:
    import jinja2

    from .analysis import format_minutes, number, spell_minutes

    # Sandboxed: templates come from the repository (a pull request can change them) and
    # are rendered in CI, so they must not reach Python internals (`__class__`,
    # `__subclasses__`, ...). Immutable: every output of a run shares the same process
    # and analysis objects, so a template that could `append` to them would change the
    # other outputs, depending on thread order; lists are built with `xs + [x]` instead.
    env = _bounded_class()(
        loader=jinja2.FileSystemLoader([str(f) for f in folders]),
        undefined=jinja2.StrictUndefined,
        # The site's pages (`*.html.j2`) escape every value; the Markdown documents escape
        # with the md/cell/code filters instead.
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        md=md,
        md_blocks=md_blocks,
        cell=cell,
        paren=paren,
        code=code,
        anchor=anchor,
        minutes=format_minutes,
        spelled=spell_minutes,
        number=number,
    )
    env.tests["contains"] = _contains
    env.globals.update(__procmap_loop=_loop, __procmap_sized=_sized)
    return env


@lru_cache(maxsize=1)
def _bounded_class() -> type[jinja2.sandbox.ImmutableSandboxedEnvironment]:
    """The sandbox with a budget (`TEMPLATE_LOOPS`, `TEMPLATE_SECONDS`, `TEMPLATE_CHARS`):
    loops counted, the time checked at every loop iteration and call (a macro calling
    itself has no loop), `*`, `**`, `+` and `~` refused past the size."""
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class Bounded(ImmutableSandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**", "+"})

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            return _binop(operator, left, right)

        def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
            _tick()
            return _sized(super().call(__context, __obj, *args, **kwargs))

        def compile(
            self,
            source: Any,
            name: Any = None,
            filename: Any = None,
            raw: bool = False,
            defer_init: bool = False,
        ) -> Any:
            if isinstance(source, str):
                source = self.parse(source, name, filename)
            _bound_loops(source)
            # jinja2 types `raw` by its value (the code, or its source text): say which
            if raw:
                return super().compile(source, name, filename, True, defer_init)
            return super().compile(source, name, filename, False, defer_init)

    return Bounded


def _where(error: Exception, name: str) -> str:
    """template:line of the innermost template frame of the error, else the template."""
    filename = getattr(error, "filename", None)
    lineno = getattr(error, "lineno", None)
    if filename and lineno:
        return f"{_shown(filename)}:{lineno}"
    last = None
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename.endswith(TEMPLATE_SUFFIX):
            last = f"{_shown(frame.filename)}:{frame.lineno}"
    return last or name


def _shown(filename: str) -> str:
    """A template's path relative to the current folder when it lies inside it."""
    path = Path(filename)
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return filename


def render(name: str, context: dict[str, Any], folders: list[Path]) -> str:
    """Render the template `name` with `context`; mistakes become TemplateProblem."""
    import jinja2

    env = _environment(tuple(folders))
    budget = _Budget(TEMPLATE_LOOPS, time.monotonic() + TEMPLATE_SECONDS, TEMPLATE_CHARS)
    token = _BUDGET.set(budget)
    try:
        template = env.get_template(name)
        text = _generate(template, context, budget)
    except _Exceeded as error:
        raise TemplateProblem(f"{_where(error, name)}: {error}") from None
    except jinja2.TemplateNotFound as error:
        where = ", ".join(str(f) for f in folders)
        raise TemplateProblem(f"template {error.name!r} not found in {where}") from None
    except jinja2.TemplateSyntaxError as error:
        raise TemplateProblem(f"{_where(error, name)}: template error: {error.message}") from None
    except jinja2.TemplateError as error:
        raise TemplateProblem(f"{_where(error, name)}: template error: {error}") from None
    except Exception as error:  # a filter or test failing on the template's data
        raise TemplateProblem(
            f"{_where(error, name)}: template error: {type(error).__name__}: {error}"
        ) from None
    finally:
        _BUDGET.reset(token)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.rstrip("\n") + "\n"


def _generate(template: Any, context: dict[str, Any], budget: _Budget) -> str:
    """The template's output, its size and time checked at every piece."""
    parts = []
    for part in template.generate(context):
        budget.chars -= len(part)
        if budget.chars < 0:
            raise _Exceeded(f"template output too big (more than {TEMPLATE_CHARS} characters)")
        budget.tick()
        parts.append(part)
    return "".join(parts)


def context(
    process: ProcessLike,
    analysis: Analysis,
    *,
    files: dict[str, str | None],
    source: str,
    mermaid: str | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The variables every process document gets (documented in docs/templates.md)."""
    from .. import __version__

    return {
        "process": process,
        "analysis": analysis,
        "files": files,
        "source": source,
        "mermaid": mermaid,
        "version": __version__,
        "measured": None,  # the figures from the process's event log, when it has one
        **(extra or {}),
    }
