"""Minutes and agendas as people type them (paragraphs, "- " lists, "# " headings, **bold**), made
into HTML safely: everything typed is escaped first, so no tag or script ever passes through."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


def _inline(line: str) -> str:
    return _BOLD.sub(r"<strong>\1</strong>", str(escape(line)))


def render_minutes(text: str | None) -> Markup:
    """text as paragraphs, lists and headings; nothing in it is read as HTML."""
    blocks: list[str] = []
    for block in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip()):
        lines = [line for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if all(_ITEM.match(line) for line in lines):
            items = "".join(f"<li>{_inline(_ITEM.sub('', line))}</li>" for line in lines)
            blocks.append(f"<ul>{items}</ul>")
        elif len(lines) == 1 and lines[0].startswith("#"):
            blocks.append(f"<h3>{_inline(lines[0].lstrip('#').strip())}</h3>")
        else:
            blocks.append("<p>" + "<br>".join(_inline(line) for line in lines) + "</p>")
    return Markup("".join(blocks))  # noqa: S704 - built from escaped text only
