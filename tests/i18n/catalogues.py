"""Extracting the messages the product shows and reading the catalogues that translate them."""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
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


def compiled(locale: str) -> dict[str | tuple[str, ...], str | tuple[str, ...]]:
    """The committed .mo catalogue of locale, as {msgid: translation}."""
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.mo", "rb") as mo:
        return {as_key(message.id): as_key(message.string) for message in read_mo(mo) if message.id}


def as_key(value: str | tuple[str, ...] | list[str]) -> str | tuple[str, ...]:
    """A msgid or translation as the .po reader gives it (plural forms as a tuple)."""
    return value if isinstance(value, str) else tuple(value)
