"""PDF documents (letters, certificates, printable lists) rendered from HTML templates, with QR codes."""

from __future__ import annotations

from functools import cache
from typing import Any

import segno
from flask import Response, render_template

from training.core.headers import attachment

PDF_MIMETYPE = "application/pdf"


@cache
def _weasyprint() -> tuple[Any, Any]:
    """WeasyPrint's HTML class and a URL fetcher for data: URIs alone, loaded on the first PDF.

    WeasyPrint and its font and image stack take about 40 MB of every worker's memory; most
    workers serve pages and feeds all day and never draw a PDF, so they never load it.

    The fetcher fetches data: URIs and nothing else. Every PDF carries its styles, QR codes and
    images inline, so a name or an organisation typed into a form that slipped an
    <img src="http://..."> or a file:// URL past escaping still could not make the server fetch
    it (no SSRF, no local file read through a PDF).
    """
    from weasyprint import HTML, URLFetcher

    class InlineOnly(URLFetcher):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(timeout=1, allowed_protocols={"data"}, allow_redirects=False)

    return HTML, InlineOnly


def render_pdf(template: str, **context: Any) -> bytes:
    """The PDF of an HTML template (Jinja, autoescaped like every page) with context."""
    html = render_template(template, **context)
    return html_to_pdf(html)


def html_to_pdf(html: str) -> bytes:
    """The PDF of a complete HTML document whose resources are all inline."""
    html_class, inline_only = _weasyprint()
    document = html_class(string=html, base_url="data:,", url_fetcher=inline_only())
    pdf = document.write_pdf()
    assert pdf is not None  # write_pdf() without a target returns the bytes
    return pdf


def qr_svg_data_uri(text: str) -> str:
    """A QR code of text (a URL) as an SVG data URI for an <img>: vector, sharp at any print size.

    Error correction M (15 %) survives a crease or a stamp on a printed letter; segno keeps a
    higher level when the data leaves room for one (boost_error).
    """
    code = segno.make(text, error="m", micro=False)
    return code.svg_data_uri(scale=4, border=4, dark="#000", light="#fff")


def pdf_response(pdf: bytes, filename: str) -> Response:
    """A download of pdf as filename: never cached (it may hold personal data), never sniffed."""
    response = Response(pdf, mimetype=PDF_MIMETYPE)
    response.headers["Content-Disposition"] = attachment(filename)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
