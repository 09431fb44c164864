"""Uploaded files: what their bytes say they are, and the limits they must keep."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _

from training.clearance.models import MAX_FILENAME
from training.core.errors import DomainError

# The file types a document may be, known by their first bytes (never by the name or the
# browser's word): PDF, JPEG and PNG. Anything else, an HTML page named .pdf included, is refused.
_SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


@dataclass(frozen=True)
class Upload:
    """A file that passed the checks: its safe name, sniffed type, size and digest."""

    filename: str
    content_type: str
    content: bytes
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def max_document_bytes() -> int:
    """The largest document accepted (CLEARANCE_MAX_DOCUMENT_BYTES, 10 MB by default)."""
    return int(current_app.config["CLEARANCE_MAX_DOCUMENT_BYTES"])


def sniff_type(content: bytes) -> tuple[str, str] | None:
    """The (content type, extension) the content's first bytes show, or None when not allowed."""
    for signature, content_type, extension in _SIGNATURES:
        if content.startswith(signature):
            return content_type, extension
    return None


def safe_filename(name: str, extension: str) -> str:
    """The uploaded name without folders or control characters, ending in the sniffed type's extension."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    base = base.strip().strip(".") or "document"
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = stem[: MAX_FILENAME - len(extension) - 1]
    return f"{stem}.{extension}"


def check_upload(filename: str, content: bytes) -> Upload:
    """The upload if it is a non-empty PDF, JPEG or PNG within the size limit; else a DomainError on file."""
    limit = max_document_bytes()
    if not content:
        raise DomainError(_("The file is empty."), field="file")
    if len(content) > limit:
        raise DomainError(
            _("The file is %(size)s; documents may be at most %(limit)s.",
              size=_megabytes(len(content)), limit=_megabytes(limit)),
            field="file",
        )
    sniffed = sniff_type(content)
    if sniffed is None:
        raise DomainError(
            _("This file is not a PDF, JPEG or PNG (whatever its name says): upload one of those."),
            field="file",
        )
    content_type, extension = sniffed
    return Upload(
        filename=safe_filename(filename, extension),
        content_type=content_type,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
    )


def _megabytes(size: int) -> str:
    return _("%(mb).1f MB", mb=size / 1_000_000)
