"""Minimal PDF files written by hand (no PDF library): pages of positioned text in the
standard Helvetica font, and image-only pages like a scan without a text layer. For the
import tests and the import benchmark."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Text:
    """One line of text at (x, y) points from the page's lower left corner."""

    x: float
    y: float
    size: float
    text: str
    bold: bool = False


def _string(text: str) -> bytes:
    raw = text.encode("cp1252")  # the standard fonts' WinAnsiEncoding
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _text_stream(items: Sequence[Text]) -> bytes:
    ops = []
    for item in items:
        font = b"/F2" if item.bold else b"/F1"
        ops.append(
            b"BT %s %.1f Tf %.1f %.1f Td %s Tj ET"
            % (font, item.size, item.x, item.y, _string(item.text))
        )
    return b"\n".join(ops)


def _image_stream(width: int, height: int) -> tuple[bytes, bytes]:
    """A grey noise image (a 'scan') and the page content that paints it."""
    pixels = bytes((x * 7 + y * 13) % 256 for y in range(height) for x in range(width))
    return zlib.compress(pixels), b"q 500 0 0 700 50 70 cm /Im1 Do Q"


def write_pdf(
    path: Path,
    pages: Sequence[Sequence[Text]],
    *,
    title: str | None = None,
    scanned: bool = False,
    size: tuple[int, int] = (595, 842),
) -> Path:
    """Write a PDF: one page per item of ``pages`` (its text lines), or, with ``scanned``,
    pages that hold only an image and no text."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in below
    pages_obj = add(b"")
    fonts = (
        add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"),
        add(
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold "
            b"/Encoding /WinAnsiEncoding >>"
        ),
    )
    kids = []
    for items in pages:
        resources = b"/Font << /F1 %d 0 R /F2 %d 0 R >>" % fonts
        if scanned:
            data, content = _image_stream(64, 64)
            image = add(
                b"<< /Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace "
                b"/DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\n"
                b"stream\n%s\nendstream" % (len(data), data)
            )
            resources += b" /XObject << /Im1 %d 0 R >>" % image
        else:
            content = _text_stream(items)
        stream = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] /Resources << %s >> "
                b"/Contents %d 0 R >>" % (pages_obj, size[0], size[1], resources, stream)
            )
        )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_obj
    objects[pages_obj - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    info = add(b"<< /Title %s >>" % _string(title)) if title else None

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    trailer = b"<< /Size %d /Root %d 0 R" % (len(objects) + 1, catalog)
    trailer += b" /Info %d 0 R >>" % info if info else b" >>"
    out += b"trailer\n%s\nstartxref\n%d\n%%%%EOF\n" % (trailer, xref)
    path.write_bytes(bytes(out))
    return path


def slide(title: str, bullets: Sequence[str], footer: str, columns: bool = False) -> list[Text]:
    """A slide: a big title, bullet lines (in two columns with ``columns``) and a footer that
    is drawn first (content order differs from reading order, as in many exports)."""
    items = [Text(40, 30, 9, footer)]
    items.append(Text(40, 520, 28, title, bold=True))
    if columns:
        half = (len(bullets) + 1) // 2
        for i, line in enumerate(bullets[:half]):
            items.append(Text(40, 460 - 30 * i, 16, f"\u2022 {line}"))
        for i, line in enumerate(bullets[half:]):
            items.append(Text(440, 460 - 30 * i, 16, f"\u2022 {line}"))
    else:
        for i, line in enumerate(bullets):
            items.append(Text(40, 460 - 30 * i, 18, f"\u2022 {line}"))
    return items


SLIDE_SIZE = (842, 595)  # landscape A4
