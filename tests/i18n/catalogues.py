"""Extracting the messages the product shows and reading the catalogues that translate them."""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "training" / "translations"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None}


def extracted_messages() -> dict[str | tuple[str, ...], list[str]]:
    """Every msgid in the code and templates (as `make messages` finds them), with where each is."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict[str | tuple[str, ...], list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS,
        # Walking into dependencies would only find strings that are not ours.
        directory_filter=lambda path: not any(part in Path(path).parts for part in ("node_modules", "tests")),
    ):
        key = tuple(message) if isinstance(message, (list, tuple)) else message
        if isinstance(key, tuple):
            key = tuple(part for part in key if part)  # ngettext: (singular, plural)
        if key:
            found.setdefault(key, []).append(f"{filename}:{lineno}")
    return found


def catalogue(locale: str) -> Catalog:
    """The committed .po catalogue of locale."""
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=locale)


def compile_catalogues() -> None:
    """Write each .mo next to its .po when missing or older (what `make translations` does)."""
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with open(po, "rb") as source:
            compiled = read_po(source)
        with open(mo, "wb") as target:
            write_mo(target, compiled, use_fuzzy=False)
