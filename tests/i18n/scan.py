"""Finding text shown to people that is not marked for translation, in templates and in Python."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from jinja2 import Environment

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
PACKAGE = ROOT / "training"

# Text that reads the same in every language: names, codes and symbols. Each is a whole text node.
ALLOWED_TEXT = frozenset({
    "UTC",  # the time standard, written so in Chinese too
    "CSV",  # the file format
    "iCalendar",
    ".ics",
    "ID",
    # calendar programs, named in the subscribe box as their makers name them
    "Outlook",
    "Google Calendar",
    "Apple Calendar",
    "Thunderbird",
})
# Attributes whose value a person reads (or hears, through a screen reader).
READ_ATTRIBUTES = frozenset({"title", "placeholder", "aria-label", "alt"})
# Keyword arguments in template expressions that end up as such attributes or as labels.
READ_KEYWORDS = frozenset({"placeholder", "title", "aria_label", "alt", "hint", "label"})
# A Jinja construct stands as a space: it may sit inside a tag (<tr{% if %} class="x"{% endif %}>).
HOLE = " "
LETTERS = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class Finding:
    """One unmarked text: where it is and what it says."""

    where: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.where}:{self.line}: {self.text!r}"


def _needs_translation(text: str) -> bool:
    text = " ".join(text.replace(HOLE, " ").split())
    text = re.sub(r"&[a-z]+;|&#\d+;", " ", text).strip(" ,.:;()[]·–—-/|<>→←…'\"")
    return bool(text) and bool(LETTERS.search(text)) and text not in ALLOWED_TEXT


class _TextNodes(HTMLParser):
    """Collects the text nodes and read attributes of an HTML fragment, with their lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.found: list[tuple[int, str]] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        line = self.getpos()[0]
        values = dict(attrs)
        for name, value in attrs:
            if value and name in READ_ATTRIBUTES:
                self.found.append((line, value))
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.found.append((line, values["value"] or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.found.append((self.getpos()[0], data))


def _flattened(env: Environment, source: str) -> tuple[str, list[tuple[int, str]]]:
    """The template's literal text with every Jinja construct (and {% trans %} body) as a hole,
    and the string literals that expressions hand to a read attribute or print directly."""
    pieces: list[str] = []
    literals: list[tuple[int, str]] = []
    in_trans = 0
    previous: list[tuple[str, str]] = []
    printed: tuple[int, str] | None = None  # {{ "text" }}, confirmed when the expression ends there
    for line, kind, value in env.lex(source):
        if kind == "whitespace":
            continue
        if printed is not None:
            if kind == "variable_end":
                literals.append(printed)
            printed = None
        if kind in ("block_begin", "variable_begin"):
            previous = []
        elif kind == "name" and previous and previous[-1][0] == "block_begin":
            if value == "trans":
                in_trans += 1
            elif value == "endtrans":
                in_trans -= 1
        if kind == "data" and not in_trans:
            pieces.append(value)
            continue
        if kind == "string":
            before = previous[-2:]
            if (len(before) == 2 and before[0][0] == "name" and before[0][1] in READ_KEYWORDS
                    and before[1] == ("operator", "=")):
                literals.append((line, value))
            elif previous and previous[-1][0] == "variable_begin":
                printed = (line, value)
        previous.append((kind, value))
        # A hole keeps line numbers: as many newlines as the construct spans.
        pieces.append(HOLE + "\n" * value.count("\n"))
    return "".join(pieces), literals


def scan_template(env: Environment, path: Path) -> list[Finding]:
    """Unmarked text in one template (HTML text nodes and read attributes; a mail's every line)."""
    source = path.read_text(encoding="utf-8")
    flat, literals = _flattened(env, source)
    where = str(path.relative_to(ROOT))
    if path.suffix == ".html":
        parser = _TextNodes()
        parser.feed(flat)
        parser.close()
        texts = parser.found
    else:
        texts = [(number, text) for number, text in enumerate(flat.splitlines(), start=1)]
    texts += literals
    return [Finding(where, line, " ".join(text.replace(HOLE, " ").split()))
            for line, text in texts if _needs_translation(text)]


def scan_templates(env: Environment) -> list[Finding]:
    """Unmarked text in every template."""
    findings: list[Finding] = []
    for path in sorted(TEMPLATES.rglob("*")):
        if path.suffix in (".html", ".txt"):
            findings += scan_template(env, path)
    return findings


# Python calls whose text argument a person reads.
_MESSAGE_CALLS = frozenset({"flash", "DomainError", "Conflict", "NotFound", "Forbidden"})
_MARKERS = frozenset({"_", "_l", "gettext", "lazy_gettext", "ngettext", "lazy_ngettext", "str"})


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _is_literal_text(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(LETTERS.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.Constant) and LETTERS.search(str(v.value)) for v in node.values)
    return False


def scan_python(path: Path) -> list[Finding]:
    """Messages (flash, domain errors) and form labels written as bare strings in one module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    where = str(path.relative_to(ROOT))
    findings = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        called = _name(node.func)
        is_message = called in _MESSAGE_CALLS
        is_field = called.endswith("Field") and called[:1].isupper()
        if (is_message or is_field) and _is_literal_text(node.args[0]):
            findings.append(Finding(where, node.lineno, ast.unparse(node.args[0])))
        for keyword in node.keywords:
            if is_field and keyword.arg in ("description", "label") and _is_literal_text(keyword.value):
                findings.append(Finding(where, node.lineno, ast.unparse(keyword.value)))
    return findings


def scan_package() -> list[Finding]:
    """Unmarked messages in every module of the application (the API's own modules included)."""
    findings: list[Finding] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        findings += scan_python(path)
    return findings
