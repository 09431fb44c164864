"""Header values (mail headers, download filenames) that can never carry a line break."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

# CR and LF end a header line; the other Unicode line and paragraph breaks are folded too,
# because mail libraries and HTTP servers differ in which of them they treat as an end.
_LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+")


def header_value(text: str) -> str:
    """text on one line: every run of line breaks becomes one space, control characters go."""
    folded = _LINE_BREAKS.sub(" ", text)
    return "".join(c for c in folded if unicodedata.category(c) != "Cc" or c == "\t").strip()


def attachment(filename: str) -> str:
    """A Content-Disposition value that offers filename for download, any script included."""
    name = header_value(filename).replace("\\", "_").replace('"', "_").replace("/", "_")
    ascii_name = name.encode("ascii", "replace").decode("ascii").replace("?", "_")
    if ascii_name == name:
        return f'attachment; filename="{name}"'
    # RFC 6266: an ASCII fallback for old clients, the exact name in UTF-8 for the rest.
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
