"""Reading a PDF back as a person would: its text (pypdf) and its QR codes (pdftoppm, then zxing-cpp)."""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

import zxingcpp
from PIL import Image
from pypdf import PdfReader


def pdf_text(pdf: bytes) -> str:
    """The text of every page, as a PDF reader extracts it."""
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def qr_codes(pdf: bytes, page: int = 1, dpi: int = 110) -> list[str]:
    """What the QR codes printed on page say, read from a rendering of the page (not from the source)."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "document.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page),
                        "-singlefile", str(source), str(Path(folder) / "page")], check=True)
        with Image.open(Path(folder) / "page.png") as image:
            return [result.text for result in zxingcpp.read_barcodes(image)
                    if result.format == zxingcpp.BarcodeFormat.QRCode]
