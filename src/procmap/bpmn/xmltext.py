"""XML in and out for BPMN: a small element tree written byte for byte the same every
time, and the safe reader of untrusted files.

Owns: the namespaces procmap writes, escaping (so that text read back is the text
written, carriage returns and tabs included), deterministic serialisation (attributes in
the order given, two-space indentation, no time stamps), and `parse`: defusedxml's
expat parser with DTDs, entity declarations and external entities refused, a size limit
read before parsing and a nesting limit while parsing, into `Node`s that know their line
and column. Never raises for bad input: `XmlError` carries one clear line.

Must not know: what BPMN elements mean (that is `export` and `importer`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
#: procmap's own extension elements: what BPMN has no element for.
PROCMAP = "urn:procmap:bpmn:1"
PREFIXES = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "xsi": XSI, "procmap": PROCMAP}

#: A .bpmn file larger than this is refused before it is parsed.
MAX_BYTES = 20_000_000
#: Elements nested deeper than this are refused (real diagrams stay under 20).
MAX_DEPTH = 200


@dataclass
class Element:
    """An element to write: `tag` as `prefix:name`, attributes in writing order."""

    tag: str
    attrs: list[tuple[str, str]] = field(default_factory=list)
    children: list[Element] = field(default_factory=list)
    text: str | None = None

    def add(self, tag: str, *attrs: tuple[str, str | None], text: str | None = None) -> Element:
        child = Element(tag, [(k, v) for k, v in attrs if v is not None], [], text)
        self.children.append(child)
        return child


def escape_text(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def escape_attr(text: str) -> str:
    return escape_text(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def serialize(root: Element) -> bytes:
    """The document as UTF-8 bytes with an XML declaration; the same tree gives the same
    bytes. Elements with text hold only text (BPMN has no mixed content)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>']

    def write(element: Element, depth: int) -> None:
        pad = "  " * depth
        attrs = "".join(f' {k}="{escape_attr(v)}"' for k, v in element.attrs)
        if element.text is not None and element.text != "":
            lines.append(f"{pad}<{element.tag}{attrs}>{escape_text(element.text)}</{element.tag}>")
        elif not element.children:
            lines.append(f"{pad}<{element.tag}{attrs} />")
        else:
            lines.append(f"{pad}<{element.tag}{attrs}>")
            for child in element.children:
                write(child, depth + 1)
            lines.append(f"{pad}</{element.tag}>")

    write(root, 0)
    return ("\n".join(lines) + "\n").encode("utf-8")


# Reading ---------------------------------------------------------------------------------


class XmlError(Exception):
    """The file cannot be read as XML safely; `line` and `column` are 1-based."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


@dataclass
class Node:
    """A parsed element: namespace, local name, attributes, children, text, position."""

    ns: str
    name: str
    attrib: dict[str, str]
    line: int
    column: int
    children: list[Node] = field(default_factory=list)
    text: str = ""

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.attrib.get(key, default)

    def find(self, ns: str, name: str) -> list[Node]:
        return [c for c in self.children if c.ns == ns and c.name == name]

    def iter(self) -> list[Node]:
        found: list[Node] = []
        stack = [self]
        while stack:
            node = stack.pop()
            found.append(node)
            stack.extend(reversed(node.children))
        return found


def _split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


def parse(data: bytes) -> Node:
    """The root element of `data`, or XmlError (hostile or broken XML, one line)."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import DefusedXMLParser

    if len(data) > MAX_BYTES:
        raise XmlError(f"file is larger than {MAX_BYTES:,} bytes; refused")
    stack: list[Node] = []
    roots: list[Node] = []
    texts: list[list[str]] = []

    class _Target:
        def start(self, tag: str, attrib: dict[str, str]) -> None:
            if len(stack) >= MAX_DEPTH:
                raise XmlError(f"elements nested more than {MAX_DEPTH} deep; refused", *_where())
            ns, name = _split(tag)
            line, column = _where()
            # attributes by local name: BPMN's own are unqualified, xsi:type is `type`
            node = Node(ns, name, {_split(k)[1]: v for k, v in attrib.items()}, line, column)
            (stack[-1].children if stack else roots).append(node)
            stack.append(node)
            texts.append([])

        def end(self, tag: str) -> None:
            node = stack.pop()
            node.text = "".join(texts.pop())

        def data(self, text: str) -> None:
            if texts:
                texts[-1].append(text)

        def close(self) -> None:
            return None

    parser = DefusedXMLParser(target=_Target(), forbid_dtd=True)

    def _where() -> tuple[int, int]:
        expat = parser.parser  # the pure-Python parser's expat object
        return expat.CurrentLineNumber, expat.CurrentColumnNumber + 1

    try:
        parser.feed(data)
        parser.close()
    except XmlError:
        raise
    except DefusedXmlException as error:
        kind = type(error).__name__
        reason = {
            "DTDForbidden": "a DTD (<!DOCTYPE ...>) is not allowed in a BPMN file",
            "EntitiesForbidden": "entity declarations are not allowed in a BPMN file",
            "ExternalReferenceForbidden": "external references are not allowed",
        }.get(kind, f"refused: {kind}")
        line, column = _safe_where(parser)
        raise XmlError(f"unsafe XML: {reason}; refused", line, column) from None
    except ParseError as error:
        line, column = getattr(error, "position", (1, 0))
        message = str(error).split(":")[0]
        raise XmlError(f"not well-formed XML: {message}", line, column + 1) from None
    except RecursionError:
        raise XmlError("XML nested too deep; refused") from None
    if not roots:
        raise XmlError("no XML element in the file")
    return roots[0]


def _safe_where(parser: object) -> tuple[int, int]:
    expat = getattr(parser, "parser", None)
    if expat is None:
        return 1, 1
    return expat.CurrentLineNumber, expat.CurrentColumnNumber + 1


# Text YAML can hold ----------------------------------------------------------------------

#: What YAML cannot hold in its text (YAML 1.2's c-printable, less the line breaks).
_NOT_YAML = re.compile("[^\t\n\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
#: The encoding a file declares: `<?xml ... encoding="..."?>` (ASCII-compatible files).
_DECLARED = re.compile(
    rb"""^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']"""
)
_LATIN1 = {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii"}


def declared_latin1(data: bytes) -> bool:
    """Whether the file declares ISO-8859-1 (or ASCII): its bytes 0x80 to 0x9F are then
    C1 control characters, which in practice are Windows-1252's quotes and dashes."""
    found = _DECLARED.match(data[:200])
    return found is not None and found.group(1).decode("ascii").lower() in _LATIN1


def _windows_1252(char: str) -> str:
    try:
        return bytes([ord(char)]).decode("cp1252")
    except UnicodeDecodeError:
        return char


def clean_text(text: str, latin1: bool) -> tuple[str, list[str]]:
    """`text` as YAML can hold it: line breaks as `\\n` (a carriage return, from `&#xD;`,
    too), Windows-1252 quotes for the C1 controls of a file declared ISO-8859-1, and
    every other character YAML cannot hold removed (controls, noncharacters: they show
    nothing); with the characters replaced or removed, as `U+XXXX`."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    replaced: list[str] = []
    if latin1:
        for char in sorted(set(re.findall("[\x80-\x9f]", text))):
            meant = _windows_1252(char)
            if meant != char:
                replaced.append(f"U+{ord(char):04X} as {meant!r}")
                text = text.replace(char, meant)
    replaced += [f"U+{ord(c):04X}" for c in dict.fromkeys(_NOT_YAML.findall(text))]
    return _NOT_YAML.sub("", text), replaced


def clean_tree(root: Node, latin1: bool) -> list[tuple[Node, str, list[str]]]:
    """Every attribute value and text of the tree as YAML can hold it (`clean_text`), in
    place; each element whose text had characters replaced, with where and which."""
    found: list[tuple[Node, str, list[str]]] = []
    for node in root.iter():
        for key, value in node.attrib.items():
            node.attrib[key], replaced = clean_text(value, latin1)
            if replaced:
                found.append((node, f"its {key}", replaced))
        node.text, replaced = clean_text(node.text, latin1)
        if replaced:
            found.append((node, "its text", replaced))
    return found
