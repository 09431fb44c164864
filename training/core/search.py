"""Text search that ignores case, accents, hyphens and punctuation, the same on SQLite and PostgreSQL.

Neither database folds accents or hyphens the same way (SQLite's LOWER knows only ASCII), so
the comparison happens on a key computed here: the searched record stores the key of its
text, and a query is turned into keys by the same function before a plain LIKE.
"""

from __future__ import annotations

import unicodedata

# A query longer than this many words is cut: each word is one more LIKE on every row.
MAX_QUERY_WORDS = 8


def search_key(*texts: str | None) -> str:
    """The texts folded for search: 'Dark-web Café' → 'dark web cafe'; Chinese stays as it is."""
    folded = []
    for ch in unicodedata.normalize("NFKD", " ".join(t for t in texts if t)).casefold():
        category = unicodedata.category(ch)
        if category == "Mn":
            continue  # the accent of a decomposed letter: é → e
        # Punctuation, symbols, separators and controls all part words ('dark-web', 'A/B', 'x_y').
        folded.append(" " if category[0] in "PSZC" else ch)
    return " ".join("".join(folded).split())


def query_words(text: str | None) -> list[str]:
    """The folded words of a search query, each to be found somewhere in a record's key."""
    return search_key(text).split()[:MAX_QUERY_WORDS]
