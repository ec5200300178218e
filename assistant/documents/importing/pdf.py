"""The text layer of a PDF (pdfminer.six, in reading order), one section per page."""

from __future__ import annotations

import io
import re
from functools import cache

from assistant.documents.importing.types import Extracted, ImportRefusedError
from assistant.resources import load_data

_SPACES = re.compile(r"[ \t\u00a0]+")


@cache
def _bullet() -> re.Pattern[str]:
    glyphs = "".join(re.escape(g) for g in load_data("importing.yaml")["pdf_bullets"])
    return re.compile(rf"^[{glyphs}]\s*")


def _page_lines(text: str) -> list[str]:
    """A page's lines, spaces folded, list glyphs read as Markdown list markers, runs of
    blank lines (between pdfminer's text boxes) kept as one."""
    out: list[str] = []
    for line in text.split("\n"):
        line = _SPACES.sub(" ", line).strip()
        if line:
            line = _bullet().sub("- ", line)
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    # list items that the layout put in boxes of their own stay one list
    return [
        line
        for i, line in enumerate(out)
        if line or not (out[i - 1].startswith("- ") and out[i + 1].startswith("- "))
    ]


def _metadata_title(raw: bytes) -> str | None:
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.utils import decode_text

    try:
        info = PDFDocument(PDFParser(io.BytesIO(raw))).info
    except Exception:
        return None
    for entry in info:
        title = entry.get("Title")
        if hasattr(title, "resolve"):
            title = title.resolve()
        if isinstance(title, bytes):
            title = decode_text(title)
        if isinstance(title, str) and title.strip():
            return _SPACES.sub(" ", title).strip()
    return None


def extract_pdf(raw: bytes) -> Extracted:
    """Each page with text becomes a section headed by its first line (a slide's title);
    a PDF without a text layer (a scan) is refused: there is no OCR."""
    if not raw.startswith(b"%PDF-"):
        raise ImportRefusedError("not a PDF file (no %PDF- header)")
    from pdfminer.high_level import extract_text
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        text = extract_text(io.BytesIO(raw))
    except (PDFSyntaxError, ValueError, KeyError, TypeError) as exc:
        raise ImportRefusedError(f"not a readable PDF ({type(exc).__name__}: {exc})") from exc
    except Exception as exc:  # encrypted or broken in a way pdfminer names itself
        raise ImportRefusedError(f"not a readable PDF ({type(exc).__name__})") from exc
    pages = [_page_lines(page) for page in text.split("\f")]
    pages = [lines for lines in pages if lines]
    if not pages:
        raise ImportRefusedError(
            "the PDF has no text layer (a scan?); import a PDF with text (no OCR is done)"
        )
    blocks, plain = [], []
    for number, lines in enumerate(pages):
        heading = "#" if number == 0 else "##"
        blocks.append("\n".join([f"{heading} {lines[0]}", "", *lines[1:]]).strip())
        plain.append("\n".join(lines))
    body = "\n\n".join(blocks) + "\n"
    body = re.sub(r"\n{3,}", "\n\n", body)
    return Extracted(
        kind="pdf",
        title=_metadata_title(raw) or pages[0][0],
        body=body,
        extracted="\n".join(plain),
        sections=len(pages),
    )
