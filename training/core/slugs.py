"""Readable, unique addresses (slugs) for courses and symposia."""

from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, Session

SLUG_WORDS_LENGTH = 60


def slugify(text: str, max_length: int = SLUG_WORDS_LENGTH) -> str:
    """Lower-case ASCII words joined by hyphens ('Cybercrime: Beijing' -> 'cybercrime-beijing')."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        # Cut at a word boundary: an address that ends mid-word reads badly.
        cut = slug[: max_length + 1]
        slug = cut[: cut.rfind("-")] if "-" in cut else cut[:max_length]
    return slug.strip("-")


def unique_slug(session: Session, column: InstrumentedAttribute[str], base: str) -> str:
    """base, or base-2, base-3 … whichever column does not hold yet.

    Callers still flush inside a savepoint: the unique index decides between two
    simultaneous creations that picked the same free slug.
    """
    taken = set(session.scalars(sa.select(column).where(column.like(f"{base}%"))))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug
